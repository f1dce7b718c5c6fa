// What every browser page of the package test does once it has the package (`tael`, initialized):
// elect a leader and judge a record, and show the answers on the page (#answers, as JSON; then
// body[data-done]). An error is shown too (body[data-error]).
const VIEW = JSON.stringify({
  groups: { "wal-0": { members: [{ id: "node-c", live: true }, { id: "node-b", live: true }, { id: "node-a", live: false }] } },
});

export function show(tael) {
  const [decision] = tael.electLeaders(VIEW, { sticky_incumbent: true });
  const answers = {
    leader: decision.leader,
    reason: decision.reason,
    utf8Order: tael.electLeader(["\u{1F600}", "\uFF61"]),
    verdict: new tael.EpochFencer(7n).check(6n).code,
    version: tael.version(),
  };
  const out = document.createElement("pre");
  out.id = "answers";
  out.textContent = JSON.stringify(answers);
  document.body.append(out);
  document.body.dataset.done = "true";
}

export function fail(err) {
  document.body.dataset.error = String(err && err.stack ? err.stack : err);
  document.body.dataset.done = "true";
}
