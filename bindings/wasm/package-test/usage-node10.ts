// (c) tsc --strict, moduleResolution node10 (which reads no `exports`): the package.json's
// top-level `types`.
import { electLeader, FenceRegistry } from "tael-coord-wasm";

const leader: string | undefined = electLeader(["node-b", "node-a"]);
const registry = new FenceRegistry();
registry.add("wal-0", 3n);
const advanced: boolean = registry.checkAndAdvance("wal-0", 4n);

export { leader, advanced };
