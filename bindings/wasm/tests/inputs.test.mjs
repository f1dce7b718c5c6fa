// Bad inputs get a typed error with the core's status name; the UTF-16 trap is decided as Rust does.
// Also the gates' options (refuseZero, counters), close and adopt, claimants, and transitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const tael = createRequire(import.meta.url)("../pkg/node.cjs");
// wasm-bindgen's glue, under the package's entry (its electLeader takes every input the entry's
// fast way does not), and the module's raw exports.
const bindgen = await import("../pkg/tael_coord_bindgen.js");
const raw = tael.initSync();

function throwsCode(f, code, type = Error) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${e && e.constructor && e.constructor.name}`);
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test("JavaScript's own < disagrees with the package on the UTF-16 trap", () => {
  const ids = ["\u{1F600}", "\uFF61"];
  const jsMin = ids.reduce((a, b) => (b < a ? b : a));
  assert.equal(jsMin, "\u{1F600}", "UTF-16 code units put U+1F600 (0xD83D...) first");
  assert.equal(tael.electLeader(ids), "\uFF61", "UTF-8 bytes put U+FF61 (0xEF...) first, as Rust does");
  const [d] = tael.electLeaders(JSON.stringify({ groups: { g: { members: ids.map((id) => ({ id, live: true })) } } }));
  assert.equal(d.leader, "\uFF61");
});

test("decisions give back every text as the view had it, whatever its code units", () => {
  // Texts of one, two and four UTF-8 bytes a character (one or two UTF-16 units), u64 values
  // beyond 2^53, a group without members: every field comes back exact, keys in pinned order.
  const max = "18446744073709551615";
  const member = (id, live) => ({ id, live, generation: max, claims_epoch: "9007199254740993" });
  const view = {
    groups: {
      "gr\u00f6up-\u{1F600}": { members: [member("\u{1F600}", true), member("\u00e9", true), member("node-1", false), member("\uFF61", true)] },
      z: { members: [] },
    },
  };
  const excluded = (id, reason) => ({ id, generation: max, reason });
  const claimant = (id) => ({ id, generation: max, claims_epoch: "9007199254740993" });
  const expected = [
    {
      group: "gr\u00f6up-\u{1F600}",
      leader: "\u00e9",
      reason: "smallest_id",
      excluded: [excluded("\u{1F600}", "outranked_by_smaller_id"), excluded("node-1", "dead"), excluded("\uFF61", "outranked_by_smaller_id")],
      leader_index: 1,
      leader_generation: max,
      leader_epoch: "0",
      claimants: [claimant("\u{1F600}"), claimant("\uFF61")],
    },
    { group: "z", leader: null, reason: "no_members", excluded: [], leader_index: null, leader_generation: null, leader_epoch: null, claimants: [] },
  ];
  const decisions = tael.electLeaders(JSON.stringify(view));
  assert.deepEqual(decisions, expected);
  assert.equal(JSON.stringify(decisions), JSON.stringify(expected));
});

test("epochs come out as bigint", () => {
  const f = new tael.EpochFencer(2n ** 64n - 2n);
  assert.equal(typeof f.highest, "bigint");
  assert.equal(f.promote(), 2n ** 64n - 1n);
  const v = f.check(5);
  assert.equal(v.code, "STALE_EPOCH");
  assert.equal(v.highest, 2n ** 64n - 1n);
  throwsCode(() => f.promote(), "EPOCH_OVERFLOW");
});

test("numbers are accepted only as safe non-negative integers", () => {
  const f = new tael.EpochFencer();
  assert.equal(f.checkAndAdvance(Number.MAX_SAFE_INTEGER), true);
  assert.equal(f.highest, 9007199254740991n);
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 64, NaN, Infinity, -Infinity]) {
    throwsCode(() => f.checkAndAdvance(bad), "INVALID_EPOCH", RangeError);
  }
  assert.equal(f.highest, 9007199254740991n, "refused inputs do not move the gate");
});

test("bigints out of u64 range are refused, never wrapped", () => {
  const f = new tael.EpochFencer();
  throwsCode(() => f.check(-1n), "INVALID_EPOCH", RangeError);
  throwsCode(() => f.check(2n ** 64n), "INVALID_EPOCH", RangeError);
  throwsCode(() => new tael.EpochFencer(-1n), "INVALID_EPOCH", RangeError);
  throwsCode(() => new tael.EpochFencer(0, 2n ** 64n), "INVALID_EPOCH", RangeError);
  assert.equal(f.highest, 0n);
});

test("values of the wrong type are TypeErrors", () => {
  const f = new tael.EpochFencer();
  for (const bad of ["5", null, true, {}, [], Symbol("x")]) {
    throwsCode(() => f.check(bad), "INVALID_ARGUMENT", TypeError);
  }
  throwsCode(() => new tael.EpochFencer("7"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader("node-a"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(undefined), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(["a", 1]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(["a", null]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders({ groups: {} }), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders('{"groups":{}}', 5), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders('{"groups":{}}', [true]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.HolderFencer().check(1, 7), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.FenceRegistry().add(7), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.FenceRegistry().restore({ streams: {} }), "INVALID_ARGUMENT", TypeError);
});

test("ids: lone surrogates, control characters, empty and over-long ids", () => {
  throwsCode(() => tael.electLeader(["a", "\uD800"]), "INVALID_UTF8");
  throwsCode(() => tael.electLeader(["\uDFFFb"]), "INVALID_UTF8");
  throwsCode(() => tael.electLeader(["a", ""]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["a\u0000b", "c"]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["a\u0000", "\u0000b"]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["x".repeat(256)]), "INVALID_ID");
  assert.equal(tael.electLeader(["x".repeat(255)]), "x".repeat(255));
  assert.equal(tael.electLeader([]), undefined);
  throwsCode(() => new tael.HolderFencer().check(1, "\uD800"), "INVALID_UTF8");
  throwsCode(() => new tael.HolderFencer().check(1, ""), "INVALID_ID");
});

test("malformed views, policies and snapshots", () => {
  throwsCode(() => tael.electLeaders("{"), "INVALID_VIEW");
  throwsCode(() => tael.electLeaders('{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":1.5}]}}}'), "INVALID_VIEW");
  throwsCode(() => tael.electLeaders('{"groups":{}}', { sticky: true }), "INVALID_POLICY");
  throwsCode(() => tael.electLeaders('{"groups":{}}', { priority: 1 }), "INVALID_POLICY");
  throwsCode(() => tael.electLeaders('{"groups":{}}', "{"), "INVALID_POLICY");
  throwsCode(() => new tael.FenceRegistry().restore('{"streams":{"s":"01"}}'), "INVALID_SNAPSHOT");
  throwsCode(() => tael.nextEpoch('{"groups":{}}', "g"), "UNKNOWN_GROUP");
});

test("a view's u64 written as a JSON number above 2^53 is exact", () => {
  const text = '{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":9007199254740993}]}}}';
  assert.equal(tael.nextEpoch(text, "g"), 9007199254740994n);
  const rounded = BigInt(JSON.parse(text).groups.g.members[0].epoch);
  assert.notEqual(rounded, 9007199254740993n, "JSON.parse would have rounded it");
});

test("normalizeView writes the core's reading back with every u64 as a decimal string", () => {
  const text = '{"groups":{"g":{"members":[{"id":"a","live":true,"generation":9007199254740993,"epoch":18446744073709551615,"log_end":9007199254740995}]}}}';
  const view = JSON.parse(tael.normalizeView(text));
  assert.deepEqual(view.groups.g.members[0], {
    id: "a", live: true, generation: "9007199254740993", priority: "0", eligible: true, epoch: "18446744073709551615",
    log_epoch: "0", log_end: "9007199254740995", leaving: false,
  });
  assert.equal(tael.normalizeView(tael.normalizeView(text)), tael.normalizeView(text), "a fixed point");
  throwsCode(() => tael.normalizeView('{"groups":{"g":{"members":[{"id":"a","live":1}]}}}'), "INVALID_VIEW");
  throwsCode(() => tael.normalizeView({ groups: {} }), "INVALID_ARGUMENT", TypeError);
});

// Freshness: members at (log_epoch, log_end); b is the freshest, a lags it by 3 records.
const lagging = JSON.stringify({
  groups: { g: { members: [{ id: "a", live: true, log_epoch: "1", log_end: "5" }, { id: "b", live: true, log_epoch: "1", log_end: "8" }] } },
});
const leaderOf = (policy) => tael.electLeaders(lagging, policy)[0].leader;

test("max_lag is a bigint, a safe-integer number or canonical decimal text, all alike", () => {
  for (const lag of [3n, 3, "3", 2n ** 64n - 1n, "18446744073709551615", Number.MAX_SAFE_INTEGER]) {
    assert.equal(leaderOf({ freshness: true, max_lag: lag }), "a", `max_lag ${String(lag)}: a is close enough`);
  }
  for (const lag of [2n, 2, "2", 0n, -0]) {
    assert.equal(leaderOf({ freshness: true, max_lag: lag }), "b", `max_lag ${String(lag)}: a is behind`);
  }
  assert.equal(leaderOf({ freshness: true }), "b", "max_lag defaults to 0");
  assert.equal(leaderOf({ max_lag: 0n }), "a", "max_lag without freshness changes nothing");
  const [d] = tael.electLeaders(lagging, { freshness: true });
  assert.deepEqual(d.excluded, [{ id: "a", generation: "0", reason: "behind" }]);
  assert.equal(leaderOf('{"freshness":true,"max_lag":"3"}'), "a", "policy text");
});

test("a max_lag that is not a u64 is INVALID_POLICY, whatever its form", () => {
  for (const lag of [-1n, 2n ** 64n, -1, 1.5, 2 ** 53, 2 ** 64, NaN, Infinity, "-1", "01", "1e3", " 3", null, true, {}, []]) {
    throwsCode(() => leaderOf({ freshness: true, max_lag: lag }), "INVALID_POLICY");
  }
  // A bigint where a toggle belongs is no boolean either.
  throwsCode(() => leaderOf({ freshness: 1n }), "INVALID_POLICY");
  // A bigint deeper down reaches the core as text (an unknown field), not as JSON's TypeError.
  throwsCode(() => leaderOf({ freshness: true, extra: { x: 1n } }), "INVALID_POLICY");
  // A toJSON that gives a bigint gives no policy object.
  throwsCode(() => leaderOf({ toJSON: () => 5n }), "INVALID_POLICY");
});

test("a policy's toJSON may give max_lag as a bigint; it is read once", () => {
  let reads = 0;
  const policy = {
    freshness: true,
    get max_lag() {
      reads++;
      return 3n;
    },
  };
  assert.equal(leaderOf(policy), "a");
  assert.equal(reads, 1);
  assert.equal(leaderOf({ toJSON: () => ({ freshness: true, max_lag: 2n }) }), "b");
});

const h = (entries) => new tael.EpochHistory(entries);

test("an EpochHistory: entries, latestEpoch, assign and truncations with bigints out", () => {
  const x = h([[1, 0], [3n, 8n, "node-a"]]);
  assert.deepEqual(x.entries, [[1n, 0n], [3n, 8n, "node-a"]]);
  assert.equal(x.latestEpoch, 3n);
  assert.equal(new tael.EpochHistory().latestEpoch, undefined);
  assert.equal(x.assign(3n, 9n, "node-a"), false, "the latest reign again, later: nothing changes");
  assert.equal(x.assign(3n, 9n, "node-b"), true, "another holder of the latest epoch is another reign");
  assert.deepEqual(x.entries, [[1n, 0n], [3n, 9n, "node-b"]]);
  assert.equal(x.assign(5, 12, null), true);
  assert.equal(x.assign(2n ** 64n - 1n, 2n ** 64n - 1n), true);
  assert.deepEqual(x.entries.at(-1), [2n ** 64n - 1n, 2n ** 64n - 1n]);
  assert.equal(x.truncateFromEnd(12), true);
  assert.deepEqual(x.entries, [[1n, 0n], [3n, 9n, "node-b"]]);
  assert.equal(x.truncateFromStart(4n), true);
  assert.deepEqual(x.entries, [[1n, 4n], [3n, 9n, "node-b"]]);
  assert.equal(x.truncateFromStart(4n), false);
  // `entries` is a new array each time: changing it changes nothing.
  x.entries[0][0] = 99n;
  assert.deepEqual(x.entries[0], [1n, 4n]);
  x.free();
});

test("endOffsetFor answers [epoch, end] or undefined; a log end that does not fit is INVALID_HISTORY", () => {
  const x = h([[2, 3], [4, 8]]);
  assert.deepEqual(x.endOffsetFor(4, 10), [4n, 10n]);
  assert.deepEqual(x.endOffsetFor(3n, 10n), [2n, 8n]);
  assert.deepEqual(x.endOffsetFor(1, 10), [1n, 3n]);
  assert.equal(x.endOffsetFor(5, 10), undefined);
  assert.equal(new tael.EpochHistory().endOffsetFor(0, 0), undefined);
  throwsCode(() => x.endOffsetFor(4, 7), "INVALID_HISTORY");
  throwsCode(() => new tael.EpochHistory().endOffsetFor(0, 1), "INVALID_HISTORY");
  throwsCode(() => x.endOffsetFor(-1n, 10), "INVALID_EPOCH", RangeError);
  throwsCode(() => x.endOffsetFor(4, "10"), "INVALID_ARGUMENT", TypeError);
});

test("the JSON form: toJSON is a plain object, JSON.stringify is the core's text, fromJSON reads it", () => {
  const x = h([[1, 0], [2, 5, "b"]]);
  const text = '{"entries":[{"epoch":"1","start_offset":"0"},{"epoch":"2","start_offset":"5","holder":"b"}]}';
  assert.equal(JSON.stringify(x), text);
  assert.deepEqual(x.toJSON(), JSON.parse(text));
  assert.equal(Object.getPrototypeOf(x.toJSON()), Object.prototype);
  assert.deepEqual(tael.EpochHistory.fromJSON(text).entries, x.entries);
  for (const bad of ["{", '{"entries":[],"log_end":"0"}', '{"entries":[{"epoch":"2","start_offset":"0"},{"epoch":"2","start_offset":"5"}]}', "[]"]) {
    throwsCode(() => tael.EpochHistory.fromJSON(bad), "INVALID_HISTORY");
  }
  throwsCode(() => tael.EpochHistory.fromJSON('{"entries":[{"epoch":"1","start_offset":"0","holder":""}]}'), "INVALID_HISTORY");
  throwsCode(() => tael.EpochHistory.fromJSON({ entries: [] }), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.EpochHistory.fromJSON("\uD800"), "INVALID_UTF8");
});

test("entries: typed errors naming the entry, and nothing half-built", () => {
  throwsCode(() => h("1,0"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h({ 0: [1, 0], length: 1 }), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h([[1]]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h([[1, 0, "a", "b"]]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h([[1, "0"]]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h([[1, 0, 7]]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => h([[-1n, 0]]), "INVALID_EPOCH", RangeError);
  throwsCode(() => h([[1, 2 ** 53]]), "INVALID_EPOCH", RangeError);
  throwsCode(() => h([[1, 0, ""]]), "INVALID_ID");
  throwsCode(() => h([[1, 0, "x".repeat(256)]]), "INVALID_ID");
  throwsCode(() => h([[1, 0, "\uDC00"]]), "INVALID_UTF8");
  throwsCode(() => h([[2, 0], [1, 5]]), "INVALID_HISTORY");
  throwsCode(() => h([[1, 5], [2, 5]]), "INVALID_HISTORY");
  // The first bad value in order decides, and the message names it.
  assert.throws(() => h([[1, 0], [2, 1.5], "x"]), (e) => e.code === "INVALID_EPOCH" && /\[1\]\[1\]/.test(e.message));
  assert.throws(() => h([[1, 0], "x", [2, 1.5]]), (e) => e.code === "INVALID_ARGUMENT" && /\[1\]/.test(e.message));
  // undefined or null as the holder records none; no argument is an empty history.
  assert.deepEqual(h([[1, 0, undefined], [2, 3, null]]).entries, [[1n, 0n], [2n, 3n]]);
  assert.deepEqual(new tael.EpochHistory().entries, []);
  assert.deepEqual(new tael.EpochHistory(null).entries, []);
  // assign refuses before anything moves.
  const x = h([[1, 0]]);
  throwsCode(() => x.assign(2, 5, ""), "INVALID_ID");
  throwsCode(() => x.assign(2, 5, "\uD800"), "INVALID_UTF8");
  throwsCode(() => x.assign(2, 5, 7), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => x.assign(2, 1.5), "INVALID_EPOCH", RangeError);
  throwsCode(() => x.truncateFromEnd(-1), "INVALID_EPOCH", RangeError);
  throwsCode(() => x.truncateFromStart(undefined), "INVALID_ARGUMENT", TypeError);
  assert.deepEqual(x.entries, [[1n, 0n]]);
});

test("divergencePoint and followerStep take EpochHistory objects or entries, alike", () => {
  const leader = h([[1, 0], [3, 8]]);
  const follower = [[1, 0], [2, 5]];
  assert.equal(tael.divergencePoint(leader, 12, follower, 9), 5n);
  assert.equal(tael.divergencePoint(leader.entries, 12n, h(follower), 9n), 5n);
  assert.equal(tael.divergencePoint(leader, 12, leader, 12), 12n, "one history twice");
  // A copy is read: the object passed is unchanged and may be used again.
  assert.deepEqual(new tael.EpochHistory(leader).entries, leader.entries);
  // The counterexample: the step sees one reign 2; the divergence point sees two.
  const answer = h([[1, 0], [2, 5]]).endOffsetFor(2, 10);
  assert.deepEqual(answer, [2n, 10n]);
  assert.deepEqual(tael.followerStep([[1, 0], [2, 3]], 10, answer), { offset: 10n, done: true });
  assert.equal(tael.divergencePoint([[1, 0], [2, 5]], 10, [[1, 0], [2, 3]], 10), 3n);
  // No answer: drop the latest reign and ask again.
  assert.deepEqual(tael.followerStep(h([[1, 0], [3, 5]]), 7, undefined), { offset: 5n, done: false });
  assert.deepEqual(tael.followerStep([[1, 0], [3, 5]], 7, null), { offset: 5n, done: false });
  throwsCode(() => tael.followerStep([[1, 0]], 4, [1]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.followerStep([[1, 0]], 4, [1, 2, 3]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.followerStep([[1, 0]], 4, "1,2"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.followerStep([[1, 0]], 4, [1, -1n]), "INVALID_EPOCH", RangeError);
  throwsCode(() => tael.followerStep([[1, 0], [2, 5]], 4, [2, 4]), "INVALID_HISTORY");
  throwsCode(() => tael.divergencePoint(null, 0, [], 0), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.divergencePoint([], 0, {}, 0), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.divergencePoint([], 0, new tael.EpochFencer(), 0), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.divergencePoint([[1, 0]], 5, [], 3), "INVALID_HISTORY");
  throwsCode(() => tael.divergencePoint([[1, 0]], -1n, [[1, 0]], 5), "INVALID_EPOCH", RangeError);
  // The error names the side.
  assert.throws(() => tael.divergencePoint([[1, 0]], 5, [[1, 0, ""]], 5), (e) => e.code === "INVALID_ID" && /^follower/.test(e.message));
});

// Two claimants at epoch 5 over three holder gates: a reached gates 0 and 1 first, b gate 2.
function split() {
  const gates = [new tael.HolderFencer(), new tael.HolderFencer(), new tael.HolderFencer()];
  const first = gates[2].check(5n, "b");
  const a = gates.map((g) => g.check(5n, "a"));
  const b = [gates[0].check(5n, "b"), gates[1].check(5n, "b"), first];
  return { a, b, free: () => [...gates, ...a, ...b].forEach((x) => x.free()) };
}

test("established: a strict majority of accepted verdicts at the epoch", () => {
  const { a, b, free } = split();
  assert.deepEqual(a.map((v) => v.code), ["ADVANCED", "ADVANCED", "CONFLICT"]);
  assert.deepEqual(b.map((v) => v.code), ["CONFLICT", "CONFLICT", "ADVANCED"]);
  assert.equal(tael.established(5n, a, 3n), true);
  assert.equal(tael.established(5, a, 3), true, "safe numbers as bigints");
  assert.equal(tael.established(5n, b, 3n), false);
  assert.equal(tael.established(5n, a.slice(0, 1), 3n), false, "one of three is no majority");
  assert.equal(tael.established(5n, a, 4n), false, "two of four is no strict majority");
  assert.equal(tael.established(6n, a, 3n), false, "votes at another epoch are no votes");
  assert.equal(tael.established(5n, [], 0n), false, "no votes establish nothing, even of zero gates");
  assert.equal(tael.established(5n, a, 2n ** 64n - 1n), false);
  // Any gate's verdicts are Verdicts: an epoch gate's accepted verdict counts as a vote too.
  const plain = new tael.EpochFencer(5n).check(5n);
  assert.equal(tael.established(5n, [plain, a[0]], 3n), true);
  // A frozen array, a subclass and a Proxy of an array are arrays.
  class Verdicts extends Array {}
  assert.equal(tael.established(5n, Object.freeze(a.slice()), 3n), true);
  assert.equal(tael.established(5n, Verdicts.from(a), 3n), true);
  assert.equal(tael.established(5n, new Proxy(a, {}), 3n), true);
  // The verdicts are lent, not taken: they still answer afterwards.
  assert.equal(a[0].code, "ADVANCED");
  plain.free();
  free();
});

test("established: epoch and configured are u64 inputs; verdicts only Verdict objects", () => {
  const { a, free } = split();
  for (const bad of [-1n, 2n ** 64n, -1, 1.5, 2 ** 53, NaN]) {
    throwsCode(() => tael.established(bad, a, 3n), "INVALID_EPOCH", RangeError);
    throwsCode(() => tael.established(5n, a, bad), "INVALID_EPOCH", RangeError);
  }
  for (const bad of ["5", null, undefined, {}]) {
    throwsCode(() => tael.established(bad, a, 3n), "INVALID_ARGUMENT", TypeError);
    throwsCode(() => tael.established(5n, a, bad), "INVALID_ARGUMENT", TypeError);
  }
  for (const bad of [undefined, null, "CURRENT", 5, {}, { length: 1, 0: a[0] }, a[0], new Set(a)]) {
    throwsCode(() => tael.established(5n, bad, 3n), "INVALID_ARGUMENT", TypeError);
  }
  // Verdict JSON, objects with a verdict's fields or prototype, and other classes are no Verdicts.
  const json = a.map((v) => v.toJSON());
  const shaped = { code: "ADVANCED", accepted: true, epoch: 5n, highest: 5n };
  const hollow = Object.create(tael.Verdict.prototype);
  for (const [bad, at] of [[json, 0], [[a[0], shaped], 1], [[a[0], a[1], null], 2], [[new tael.EpochHistory()], 0], [[new tael.HolderFencer()], 0]]) {
    assert.throws(
      () => tael.established(5n, bad, 3n),
      (e) => e instanceof TypeError && e.code === "INVALID_ARGUMENT" && e.message.includes(`verdicts[${at}]`),
      `verdicts[${at}] is named`,
    );
  }
  // wasm-bindgen's own Error for an object that holds no verdict (as for any of its methods).
  assert.throws(() => tael.established(5n, [hollow], 3n), Error);
  // The arguments are read in order: the first bad one decides.
  throwsCode(() => tael.established(-1n, "no", -1n), "INVALID_EPOCH", RangeError);
  throwsCode(() => tael.established(5n, "no", -1n), "INVALID_ARGUMENT", TypeError);
  free();
});

test("established: a freed verdict is an Error, and nothing is counted twice by lending", () => {
  const { a, free } = split();
  const gone = new tael.EpochFencer().check(5n);
  gone.free();
  assert.throws(() => tael.established(5n, [a[0], gone], 3n), Error);
  // A leftover lent copy is never read as the next element's: an element that lends nothing fails.
  a[0].__taelLend();
  throwsCode(() => tael.established(5n, [{ __taelLend() {} }], 1n), "INVALID_ARGUMENT", TypeError);
  free();
});

test("gate options: an object of booleans, read back through refusesEpochZero and counters()", () => {
  const makers = [
    (o) => new tael.EpochFencer(undefined, undefined, o),
    (o) => new tael.HolderFencer(undefined, undefined, o),
    (o) => tael.HolderFencer.withHolder(3n, "node-a", undefined, o),
    (o) => new tael.FenceRegistry(undefined, o),
  ];
  for (const make of makers) {
    for (const off of [undefined, null, {}, { refuseZero: false, counters: false }, { refuseZero: undefined }]) {
      const gate = make(off);
      assert.equal(gate.refusesEpochZero, false);
      assert.equal(gate.counters(), undefined, "a gate that does not count answers undefined");
    }
    const both = make({ refuseZero: true, counters: true });
    assert.equal(both.refusesEpochZero, true);
    assert.deepEqual(both.counters(), { CURRENT: 0n, ADVANCED: 0n, STALE_EPOCH: 0n, TOO_FAR_AHEAD: 0n, CONFLICT: 0n, CLOSED: 0n });
    assert.notEqual(both.counters(), both.counters(), "a new object each time");
    assert.equal(make({ counters: true }).refusesEpochZero, false);
    assert.equal(make({ refuseZero: true }).counters(), undefined);
    // Anything but an object of booleans is refused, and so is a misspelt option.
    for (const bad of [true, 1, "refuseZero", [], [true], () => ({}), { refuseZero: 1 }, { counters: "yes" }, { counters: null }, { refuse_zero: true }, { refuseZero: true, extra: false }]) {
      throwsCode(() => make(bad), "INVALID_ARGUMENT", TypeError);
    }
  }
  // The other arguments are read first: the first bad one decides.
  throwsCode(() => new tael.EpochFencer(-1n, undefined, 5), "INVALID_EPOCH", RangeError);
  throwsCode(() => tael.HolderFencer.withHolder(1n, "", undefined, 5), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.HolderFencer.withHolder(1n, "", undefined, {}), "INVALID_ID");
  // Options on the prototype (a class instance's getters) are read too.
  class Options {
    get refuseZero() {
      return true;
    }
  }
  assert.equal(new tael.EpochFencer(undefined, undefined, new Options()).refusesEpochZero, true);
});

test("refuseZero: epoch 0 is INVALID_EPOCH before anything else, and changes nothing", () => {
  const gate = new tael.EpochFencer(0n, undefined, { refuseZero: true, counters: true });
  throwsCode(() => gate.check(0n), "INVALID_EPOCH", RangeError);
  throwsCode(() => gate.checkAndAdvance(0), "INVALID_EPOCH", RangeError);
  assert.equal(gate.highest, 0n, "a gate may still start at 0");
  assert.equal(gate.promote(), 1n, "promotions never reach 0");
  assert.equal(gate.check(1n).code, "CURRENT");
  const holder = new tael.HolderFencer(undefined, undefined, { refuseZero: true, counters: true });
  for (const call of ["check", "checkAndAdvance", "close", "adopt"]) {
    throwsCode(() => holder[call](0n, ""), "INVALID_EPOCH", RangeError);
    throwsCode(() => holder[call](0n, "node-a"), "INVALID_EPOCH", RangeError);
  }
  assert.deepEqual([holder.highest, holder.holder, holder.closed], [0n, undefined, false]);
  const registry = new tael.FenceRegistry(undefined, { refuseZero: true, counters: true });
  throwsCode(() => registry.check("nope", 0n), "INVALID_EPOCH", RangeError);
  throwsCode(() => registry.check("nope", 1n), "UNKNOWN_STREAM");
  registry.add("wal-0");
  throwsCode(() => registry.checkAndAdvance("wal-0", 0n), "INVALID_EPOCH", RangeError);
  assert.equal(registry.highest("wal-0"), 0n);
  // Refused calls are no verdicts: nothing was counted but gate.check(1n).
  assert.equal(gate.counters().CURRENT, 1n);
  assert.deepEqual(Object.values(holder.counters()), [0n, 0n, 0n, 0n, 0n, 0n]);
  assert.deepEqual(Object.values(registry.counters()), [0n, 0n, 0n, 0n, 0n, 0n]);
  // Without the option, epoch 0 is an epoch like any other.
  assert.equal(new tael.EpochFencer().check(0n).code, "CURRENT");
});

test("counters: every verdict of check and checkAndAdvance, as bigints; nothing else", () => {
  const gate = new tael.HolderFencer(undefined, 10n, { counters: true });
  assert.equal(gate.check(3n, "a").code, "ADVANCED");
  assert.equal(gate.checkAndAdvance(3n, "a"), true);
  assert.equal(gate.checkAndAdvance(2n, "a"), false);
  assert.equal(gate.check(99n, "a").code, "TOO_FAR_AHEAD");
  assert.equal(gate.check(3n, "b").code, "CONFLICT");
  assert.equal(gate.close(3n, "a").code, "CLOSED", "a close is not counted");
  assert.equal(gate.check(3n, "a").code, "CLOSED");
  throwsCode(() => gate.check(4n, ""), "INVALID_ID");
  throwsCode(() => gate.check(-1n, "a"), "INVALID_EPOCH", RangeError);
  assert.equal(gate.promote("b"), 4n, "a promotion is not counted");
  assert.equal(gate.adopt(4n, "c").code, "CURRENT", "an adoption is not counted");
  const counters = gate.counters();
  assert.deepEqual(counters, { CURRENT: 1n, ADVANCED: 1n, STALE_EPOCH: 1n, TOO_FAR_AHEAD: 1n, CONFLICT: 1n, CLOSED: 1n });
  assert.ok(Object.values(counters).every((n) => typeof n === "bigint"));
  const registry = new tael.FenceRegistry(undefined, { counters: true });
  registry.add("s", 5n);
  registry.add("t");
  assert.equal(registry.check("s", 5n).code, "CURRENT");
  assert.equal(registry.checkAndAdvance("t", 1n), true);
  throwsCode(() => registry.check("u", 5n), "UNKNOWN_STREAM");
  assert.deepEqual(registry.counters(), { CURRENT: 1n, ADVANCED: 1n, STALE_EPOCH: 0n, TOO_FAR_AHEAD: 0n, CONFLICT: 0n, CLOSED: 0n });
  assert.equal(registry.snapshot(), '{"streams":{"s":"5","t":"1"}}', "the counts are not in the snapshot");
});

test("close and adopt: verdicts, CLOSED with the holder that closed the reign", () => {
  const gate = tael.HolderFencer.withHolder(5n, "node-a");
  const conflict = gate.close(5n, "node-b");
  assert.deepEqual(conflict.toJSON(), { code: "CONFLICT", accepted: false, epoch: "5", highest: "5", holder: "node-a" });
  const closed = gate.close(5n, "node-a");
  assert.deepEqual(closed.toJSON(), { code: "CLOSED", accepted: false, epoch: "5", highest: "5", holder: "node-a" });
  assert.deepEqual([closed.code, closed.accepted, closed.epoch, closed.highest, closed.holder], ["CLOSED", false, 5n, 5n, "node-a"]);
  assert.equal(gate.closed, true);
  assert.equal(gate.check(5n, "node-b").holder, "node-a", "any token of a closed reign is CLOSED");
  assert.equal(gate.adopt(5n, "node-b").code, "CLOSED", "never into a closed reign");
  assert.equal(gate.adopt(4n, "node-b").code, "STALE_EPOCH");
  const adopted = gate.adopt(9n, "node-b");
  assert.deepEqual(adopted.toJSON(), { code: "ADVANCED", accepted: true, epoch: "9", highest: "9", from: "5" });
  assert.deepEqual([gate.highest, gate.holder, gate.closed], [9n, "node-b", false]);
  // A closed verdict is a verdict: no vote for `established`.
  assert.equal(tael.established(5n, [closed, closed], 1n), false);
  for (const call of ["close", "adopt"]) {
    throwsCode(() => gate[call](9n, 7), "INVALID_ARGUMENT", TypeError);
    throwsCode(() => gate[call](9n, "\uD800"), "INVALID_UTF8");
    throwsCode(() => gate[call](9n, "a\u0085"), "INVALID_ID");
    throwsCode(() => gate[call]("9", "node-b"), "INVALID_ARGUMENT", TypeError);
    throwsCode(() => gate[call](2n ** 64n, "node-b"), "INVALID_EPOCH", RangeError);
  }
  assert.deepEqual([gate.highest, gate.holder, gate.closed], [9n, "node-b", false], "refused calls change nothing");
});

/** Decisions of a view given as `{group: [member, ...]}` (members: {id, live: true, ...}). */
function decide(groups) {
  const view = { groups: Object.fromEntries(Object.entries(groups).map(([g, ms]) => [g, { members: ms.map((m) => ({ live: true, ...m })) }])) };
  return tael.electLeaders(JSON.stringify(view), undefined);
}

test("decisions carry leader_epoch and claimants; views take claims_epoch", () => {
  const [d] = decide({ g: [{ id: "a", epoch: "7", claims_epoch: "7" }, { id: "b", generation: "2", claims_epoch: "6" }, { id: "c", live: false, claims_epoch: "9" }] });
  assert.equal(d.leader, "a");
  assert.equal(d.leader_epoch, "7");
  assert.deepEqual(d.claimants, [{ id: "b", generation: "2", claims_epoch: "6" }], "neither the leader nor a dead member");
  const [none] = decide({ g: [] });
  assert.deepEqual([none.leader_epoch, none.claimants], [null, []]);
  const big = decide({ g: [{ id: "a", claims_epoch: "18446744073709551615" }, { id: "b", claims_epoch: "3" }] });
  assert.equal(big[0].claimants[0].claims_epoch, "3");
  throwsCode(() => decide({ g: [{ id: "a", claims_epoch: "-1" }] }), "INVALID_VIEW");
  throwsCode(() => decide({ g: [{ id: "a", claims_epoch: 1.5 }] }), "INVALID_VIEW");
});

test("transitions: elected, lost and changed, in group order, as plain objects", () => {
  const before = decide({ b: [{ id: "x", epoch: "3" }], c: [{ id: "x" }], d: [{ id: "x" }], e: [{ id: "x", generation: "1" }] });
  const after = decide({ a: [{ id: "y" }], b: [{ id: "x", epoch: "4" }], c: [{ id: "x", live: false }], d: [{ id: "x" }], e: [{ id: "x", generation: "2" }] });
  assert.deepEqual(tael.transitions(before, after), [
    { event: "elected", group: "a", leader: "y", generation: "0", epoch: "0", previous: null, previous_generation: null, previous_epoch: null },
    { event: "changed", group: "b", leader: "x", generation: "0", epoch: "4", previous: "x", previous_generation: "0", previous_epoch: "3" },
    { event: "lost", group: "c", leader: null, generation: null, epoch: null, previous: "x", previous_generation: "0", previous_epoch: "0" },
    { event: "changed", group: "e", leader: "x", generation: "2", epoch: "0", previous: "x", previous_generation: "1", previous_epoch: "0" },
  ]);
  assert.deepEqual(tael.transitions(after, after), []);
  assert.deepEqual(tael.transitions([], []), []);
  assert.deepEqual(tael.transitions(before, []).map((e) => `${e.event} ${e.group}`), ["lost b", "lost c", "lost d", "lost e"]);
  // Group order is UTF-8 byte order, as everywhere (not JavaScript's UTF-16 order).
  const groups = tael.transitions([], decide({ "\u{1F600}": [{ id: "a" }], "\uFF61": [{ id: "a" }] })).map((e) => e.group);
  assert.deepEqual(groups, ["\uFF61", "\u{1F600}"]);
  // The decisions are only read: the arrays and their objects are as they were.
  const copy = JSON.stringify(before);
  tael.transitions(before, after);
  assert.equal(JSON.stringify(before), copy);
});

test("transitions: decisions written before leader_epoch and claimants, and u64s as bigints", () => {
  const before = decide({ g: [{ id: "a", epoch: "3" }] });
  const after = decide({ g: [{ id: "a", epoch: "4" }] });
  const old = (ds) => ds.map(({ leader_epoch, claimants, ...d }) => d);
  assert.deepEqual(tael.transitions(old(before), old(after)), [], "without the epochs, no change is seen");
  assert.equal(tael.transitions(before, after)[0].event, "changed");
  const bigints = before.map((d) => ({ ...d, leader_generation: 0n, leader_epoch: 3n }));
  assert.deepEqual(tael.transitions(bigints, before), [], "a bigint is its decimal text");
  const top = before.map((d) => ({ ...d, leader_epoch: 2n ** 64n - 1n }));
  assert.equal(tael.transitions(top, before)[0].previous_epoch, "18446744073709551615");
});

test("transitions: anything but arrays of decisions is INVALID_ARGUMENT, naming where", () => {
  const [d] = decide({ g: [{ id: "a" }, { id: "b" }] });
  const named = (f, which) =>
    assert.throws(f, (e) => e instanceof TypeError && e.code === "INVALID_ARGUMENT" && e.message.startsWith(which), which);
  for (const bad of [undefined, null, "[]", 5, {}, { length: 0 }, new Set([d])]) {
    named(() => tael.transitions(bad, []), "previous");
    named(() => tael.transitions([], bad), "next");
  }
  // eslint-disable-next-line no-sparse-arrays
  for (const [bad, at] of [[[1], "previous[0]"], [[d, null], "previous[1]"], [[d, , d], "previous[1]"], [["g"], "previous[0]"], [[() => d], "previous[0]"]]) {
    named(() => tael.transitions(bad, []), at);
  }
  const fields = [
    { ...d, group: "" },
    { ...d, leader: 7 },
    { ...d, reason: "no_such_reason" },
    { ...d, extra: true },
    { ...d, leader_generation: -1 },
    { ...d, leader_generation: "01" },
    { ...d, leader_epoch: 1.5 },
    { ...d, leader_epoch: 2 ** 53 },
    { ...d, leader_epoch: NaN },
    { ...d, leader_generation: -1n },
    { ...d, leader_generation: 2n ** 64n },
    { ...d, excluded: [null] },
    { ...d, excluded: [{ id: "b", generation: "0", reason: "dead", x: 1 }] },
    { ...d, claimants: [{ id: "", generation: "0", claims_epoch: "1" }] },
    { ...d, claimants: "none" },
    (({ group, ...rest }) => rest)(d),
    [d],
    { toJSON: () => "g" },
  ];
  for (const bad of fields) named(() => tael.transitions([d], [bad]), "next");
  named(() => tael.transitions([d, d], []), "previous");
  named(() => tael.transitions([], [d, { ...d, leader: null, leader_index: null, leader_generation: null, leader_epoch: null, excluded: [] }]), "next");
  // A cycle is JavaScript's own TypeError (JSON cannot write it).
  const cyclic = { ...d };
  cyclic.excluded = [cyclic];
  assert.throws(() => tael.transitions([cyclic], []), TypeError);
});

// The smallest id by UTF-8 bytes, the order the core decides by.
function utf8Min(ids) {
  return ids.reduce((a, b) => (Buffer.compare(Buffer.from(b), Buffer.from(a)) < 0 ? b : a));
}

test("long id lists: ASCII and UTF-16 alike, the scratch growing and shrinking between calls", () => {
  const kinds = [(i) => `node-${i}`, (i) => `ノード-${i}`, (i) => `\u{1F600}-${i}`, (i) => `\uFF61${i}`];
  for (const n of [1, 5, 300, 3000, 5]) {
    for (const mixed of [false, true, false]) {
      const ids = Array.from({ length: n }, (_, i) => (mixed ? kinds[(i * 7) % 4] : kinds[0])((i * 7919) % n));
      assert.equal(tael.electLeader(ids), utf8Min(ids), `${n} ids, mixed: ${mixed}`);
      assert.equal(tael.electLeaderIndex(ids), ids.indexOf(utf8Min(ids)));
      assert.equal(bindgen.electLeader(ids), utf8Min(ids), `the glue: ${n} ids, mixed: ${mixed}`);
      assert.equal(bindgen.electLeaderIndex(ids), ids.indexOf(utf8Min(ids)));
    }
  }
  const ids = Array.from({ length: 500 }, (_, i) => `ノード-${i}`);
  ids[321] = "ノ\u0000ド";
  assert.throws(() => tael.electLeader(ids), { code: "INVALID_ID", message: /^ids\[321\]: / });
  ids[321] = "ノ\uD800ド";
  assert.throws(() => tael.electLeader(ids), { code: "INVALID_UTF8", message: /^ids\[321\] / });
});

test("the ids' fast way in: what is written is elected, anything else is handed back (-2)", () => {
  // As the entry writes them: each id's length in a byte, then the code units.
  function write(ids, wide) {
    const units = ids.reduce((n, id) => n + id.length, 0);
    const ptr = raw.tael_ids_scratch(ids.length + 2 * units);
    assert.notEqual(ptr, 0);
    const bytes = new Uint8Array(raw.memory.buffer);
    let end = ptr + ids.length;
    ids.forEach((id, i) => {
      bytes[ptr + i] = id.length;
      for (let k = 0; k < id.length; k++) {
        const c = id.charCodeAt(k);
        if (wide) {
          bytes[end++] = c & 0xff;
          bytes[end++] = c >>> 8;
        } else bytes[end++] = c;
      }
    });
    return units;
  }
  const ascii = ["node-c", "node-a", "node-b", "node-a"];
  assert.equal(raw.tael_elect_ids(4, write(ascii, false), 0), 1);
  const wide = ["ノード", "\u{1F600}", "\uFF61", "z"];
  assert.equal(raw.tael_elect_ids(4, write(wide, true), 1), wide.indexOf(utf8Min(wide)));
  assert.equal(raw.tael_elect_ids(0, 0, 0), -1, "no ids");
  // Refused: an invalid id, a lone surrogate, bytes that are not UTF-8, and counts past the room.
  assert.equal(raw.tael_elect_ids(2, write(["a", ""], false), 0), -2);
  assert.equal(raw.tael_elect_ids(1, write(["\uD800"], true), 1), -2);
  assert.equal(raw.tael_elect_ids(1, write(["\u00FF"], false), 0), -2);
  const room = 2 * 4096;
  write(["a".repeat(255)], false);
  assert.equal(raw.tael_elect_ids(room, room, 0), -2);
  assert.equal(raw.tael_elect_ids(0xffffffff, 0xffffffff, 1), -2);
  // Lengths that do not add up to the units written.
  const units = write(["node-b", "node-a"], false);
  assert.equal(raw.tael_elect_ids(2, units, 0), 1);
  assert.equal(raw.tael_elect_ids(2, units - 1, 0), -2);
  assert.equal(raw.tael_elect_ids(2, units + 1, 0), -2);
  write(["ノード", "ノ"], true);
  assert.equal(raw.tael_elect_ids(2, 3, 1), -2);
  // The module is fine afterwards.
  assert.equal(tael.electLeader(["b", "a"]), "a");
});

test("long views and decisions (the engine encodes them) decide as short ones", () => {
  for (const name of [(g) => `wal-${g}`, (g) => `ログ-${g}-\u{1F600}`]) {
    const groups = {};
    const expect = {};
    for (let g = 0; g < 200; g++) {
      const ids = [`node-${g % 7}`, `ノード-${g % 5}`, `\uFF61${g % 3}`, `\u{1F600}${g}`];
      groups[name(g)] = { members: ids.map((id, m) => ({ id, live: m !== g % 4 })) };
      expect[name(g)] = utf8Min(ids.filter((_, m) => m !== g % 4));
    }
    const text = JSON.stringify({ groups });
    assert.ok(text.length > 1024);
    const decisions = tael.electLeaders(text);
    assert.equal(decisions.length, 200);
    for (const d of decisions) assert.equal(d.leader, expect[d.group], d.group);
    const moved = tael.electLeaders(text.replace(/"live":false/g, '"live":true'));
    const events = tael.transitions(decisions, moved);
    const changed = moved.filter((d, i) => d.leader !== decisions.find((e) => e.group === d.group).leader);
    assert.equal(events.length, changed.length);
    assert.ok(events.length > 0);
  }
});
