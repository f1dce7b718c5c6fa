// Compiled with `tsc --strict --noEmit`: the package's .d.ts must describe real usage exactly.
import {
  electLeader,
  electLeaderIndex,
  electLeaders,
  validateId,
  decisionReasons,
  exclusionReasons,
  nextEpoch,
  normalizeView,
  rendezvousScore,
  version,
  EpochFencer,
  HolderFencer,
  FenceRegistry,
  EpochHistory,
  divergencePoint,
  followerStep,
  established,
  HistoryEntry,
  HistoryEntryInput,
  HistoryJSON,
  Truncation,
  Verdict,
  Decision,
  Policy,
  VerdictCode,
  HolderState,
  DecisionReason,
  ExclusionReason,
  transitions,
  Change,
  Claimant,
  Counters,
  Event,
  GateOptions,
} from "../pkg/node.cjs";

const leader: string | undefined = electLeader(["node-b", "node-a"]);
const leaderIndex: number | undefined = electLeaderIndex(["node-b", "node-a"] as const);
validateId("node-a");
const reasons: DecisionReason[] = decisionReasons();
const exclusions: ExclusionReason[] = exclusionReasons();
const gate = new EpochFencer(7n, 100);
const accepted: boolean = gate.checkAndAdvance(8);
const highest: bigint = gate.highest;
const verdict: Verdict = gate.check(9n);
const code: VerdictCode = verdict.code;
const from: bigint | undefined = verdict.from;
const next: bigint = gate.promote();
const past: bigint = gate.promoteToAtLeast(next + 5n);
const cap: bigint | undefined = gate.jumpCap;

const holderGate = new HolderFencer();
const conflict: Verdict = holderGate.check(1n, "node-a");
const holder: string | undefined = holderGate.holder;
const resumed = HolderFencer.withHolder(7n, "node-a", 100n);
const ok: boolean = resumed.checkAndAdvance(7n, "node-a");
const reign: bigint = resumed.promoteToAtLeast(9n, "node-b");
const state: HolderState = resumed.state;
const stateHighest: bigint = state.highest;
const stateHolder: string | undefined = state.holder;

const registry = new FenceRegistry();
registry.add("wal-0", 3n);
const snapshot: string = registry.snapshot();
registry.restore(snapshot);
const size: number = registry.size;
const held: boolean = registry.contains("wal-0");
const advanced: boolean = registry.checkAndAdvance("wal-0", 4n);
const floorEpoch: bigint = registry.promoteToAtLeast("wal-0", 10n);
const registryCap: bigint | undefined = registry.jumpCap;

const input: HistoryEntryInput[] = [[1n, 0], [3, 8n, "node-a"], [4, 9, undefined]];
const history = new EpochHistory(input);
const copied = new EpochHistory(history);
const empty = new EpochHistory();
const changed: boolean = history.assign(5n, 12n, "node-b") && history.assign(6, 13) && history.assign(7, 14, null);
const cut: boolean = history.truncateFromEnd(13n) || history.truncateFromStart(2);
const entries: HistoryEntry[] = history.entries;
const [firstEpoch, firstStart]: [bigint, bigint] | [bigint, bigint, string] = entries[0];
const latest: bigint | undefined = history.latestEpoch;
const answer: [bigint, bigint] | undefined = history.endOffsetFor(3n, 20);
const json: HistoryJSON = history.toJSON();
const firstHolder: string | undefined = json.entries[0].holder;
const parsed: EpochHistory = EpochHistory.fromJSON(JSON.stringify(history));
const point: bigint = divergencePoint(history, 20n, [[1, 0], [2, 5]], 9);
const step: Truncation = followerStep(copied, 20n, answer);
const again: Truncation = followerStep([[1n, 0n]], 5, null);
const stepOffset: bigint = step.offset;
const stepDone: boolean = step.done;
empty.free();
parsed.free();
// @ts-expect-error: the leader's answer must be passed, if only as undefined
followerStep(copied, 20n);
// @ts-expect-error: u64s are bigints or numbers, not text
new EpochHistory([["1", "0"]]);
// @ts-expect-error: an entry has two or three elements
new EpochHistory([[1n]]);
// @ts-expect-error: a follower step's answer is a pair
followerStep(copied, 20n, [1n, 2n, 3n]);

const votes: readonly Verdict[] = [conflict, holderGate.check(1n, "node-a"), resumed.check(7n, "node-a")];
const isEstablished: boolean = established(1n, votes, 3) || established(1, [verdict], 2n ** 64n - 1n);
// @ts-expect-error: verdicts are Verdict objects, not their JSON
established(1n, [verdict.toJSON()], 3);
// @ts-expect-error: the configured size must be passed
established(1n, votes);
// @ts-expect-error: u64s are bigints or numbers, not text
established("1", votes, 3);
const leaving: ExclusionReason = "leaving";
const handedOver: DecisionReason = "handover";
const noStaying: DecisionReason = "no_staying_members";
const outranked: ExclusionReason = "outranked_by_handover";

const policy: Policy = { sticky_incumbent: true, priority: true };
const fresh: Policy[] = [{ freshness: true, max_lag: 3n }, { freshness: true, max_lag: 3 }, { freshness: true, max_lag: "3" }];
const decisions: Decision[] = electLeaders('{"groups":{}}', policy);
for (const d of decisions) {
  const who: string | null = d.leader;
  const why: string = d.reason;
  const index: number | null = d.leader_index;
  const generation: string | null = d.leader_generation;
  void [index, generation];
  for (const x of d.excluded) {
    const generation: string = x.generation;
    void [x.id, x.reason, generation, who, why];
  }
}
const leaderEpoch: string | null = decisions.length > 0 ? decisions[0].leader_epoch : null;
const claimants: Claimant[] = decisions.flatMap((d) => d.claimants);
const claimsEpoch: string | undefined = claimants[0]?.claims_epoch;
const events: Event[] = transitions(decisions, electLeaders('{"groups":{"g":{"members":[{"id":"a","live":true}]}}}', undefined));
for (const e of events) {
  const kind: Change = e.event;
  const epochs: (string | null)[] = [e.epoch, e.previous_epoch, e.generation, e.previous_generation];
  const who: (string | null)[] = [e.group, e.leader, e.previous];
  void [kind, epochs, who];
}
// @ts-expect-error: transitions takes decision arrays, not their JSON text
transitions("[]", "[]");

const options: GateOptions = { refuseZero: true, counters: true };
const countingGate = new EpochFencer(undefined, undefined, options);
const refuses: boolean = countingGate.refusesEpochZero;
const counts: Counters | undefined = countingGate.counters();
const currents: bigint | undefined = counts?.CURRENT;
const closing = HolderFencer.withHolder(5n, "node-a", null, { counters: true });
const closedVerdict: Verdict = closing.close(5n, "node-a");
const closedCode: VerdictCode = "CLOSED";
const adopted: Verdict = closing.adopt(6n, "node-b");
const isClosed: boolean = closing.closed;
const holderCounts: Counters | undefined = new HolderFencer(0, 10, { refuseZero: true }).counters();
const countingRegistry = new FenceRegistry(null, { counters: true });
const registryCounts: Counters | undefined = countingRegistry.counters();
const registryRefuses: boolean = countingRegistry.refusesEpochZero;
// @ts-expect-error: the option is spelt refuseZero
new EpochFencer(0n, undefined, { refuse_zero: true });
// @ts-expect-error: an option is a boolean
new FenceRegistry(undefined, { counters: 1 });

const canonical: string = normalizeView('{"groups":{}}');
const epoch: bigint = nextEpoch('{"groups":{"g":{"members":[]}}}', "g");
const score: bigint = rendezvousScore("wal-0", "node-a");
const v: string = version();

void [canonical, leader, accepted, highest, code, from, next, cap, conflict, holder, size, epoch, score, v];
void [changed, cut, firstEpoch, firstStart, latest, firstHolder, point, again, stepOffset, stepDone, fresh];
void [isEstablished, leaving, handedOver, noStaying, outranked];
void [leaderEpoch, claimsEpoch, refuses, currents, closedVerdict, closedCode, adopted, isClosed, holderCounts, registryCounts, registryRefuses];
void [leaderIndex, reasons, exclusions, past, ok, reign, stateHighest, stateHolder, held, advanced, floorEpoch, registryCap];
