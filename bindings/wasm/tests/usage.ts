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
  Verdict,
  Decision,
  Policy,
  VerdictCode,
  HolderState,
  DecisionReason,
  ExclusionReason,
} from "../pkg-node/tael_coord";

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

const policy: Policy = { sticky_incumbent: true, priority: true };
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
const canonical: string = normalizeView('{"groups":{}}');
const epoch: bigint = nextEpoch('{"groups":{"g":{"members":[]}}}', "g");
const score: bigint = rendezvousScore("wal-0", "node-a");
const v: string = version();

void [canonical, leader, accepted, highest, code, from, next, cap, conflict, holder, size, epoch, score, v];
void [leaderIndex, reasons, exclusions, past, ok, reign, stateHighest, stateHolder, held, advanced, floorEpoch, registryCap];
