// The package's browser entry, and the module the Node entries load: wasm-bindgen's glue
// (tael_coord_bindgen.js, as it wrote it) with `electLeader` and `electLeaderIndex` in front of
// the glue's own. Through the glue, an election's ids and its answer pass through the module's
// table of references, which costs more than electing a few ids; here the ids are copied into
// the module's memory and the election is asked for with numbers only (the exports
// `tael_ids_scratch` and `tael_elect_ids`). What the core refuses, and any input this way does
// not take, goes to the glue's function, which says why. The rules (what an id is, which one
// leads) stay in the core: this module only copies code units.
import initBindgen, {
  initSync as initSyncBindgen,
  electLeader as electLeaderBindgen,
  electLeaderIndex as electLeaderIndexBindgen,
} from "./tael_coord_bindgen.js";

export * from "./tael_coord_bindgen.js";

// The module's exports, once it is instantiated.
let raw;

export default async function init(...args) {
  raw = await initBindgen(...args);
  return raw;
}

export function initSync(...args) {
  raw = initSyncBindgen(...args);
  return raw;
}

export function electLeader(ids) {
  const copy = readIds(ids);
  const at = copy === undefined ? -2 : electIndex(copy);
  if (at >= 0) return copy[at];
  if (at === -1) return undefined;
  return electLeaderBindgen(copy);
}

export function electLeaderIndex(ids) {
  const copy = readIds(ids);
  const at = copy === undefined ? -2 : electIndex(copy);
  if (at >= 0) return at;
  if (at === -1) return undefined;
  return electLeaderIndexBindgen(copy);
}

// The ids read once (the length, then each element in order) into a plain array, up to the
// first element that is no string (the glue's function then names the first bad one, which is
// among those read); `undefined` when `ids` is no array, which the glue's function refuses as
// it refuses `ids` itself, without reading `ids` again.
function readIds(ids) {
  if (!Array.isArray(ids)) return undefined;
  const n = ids.length;
  if (typeof n !== "number" || !(n >= 0 && n <= 0xffffffff) || !Number.isInteger(n)) return undefined;
  // Sized at once unless huge (a Proxy may claim any length and throw later).
  const copy = n <= 1024 ? new Array(n) : [];
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    copy[i] = id;
    if (typeof id !== "string") {
      copy.length = i + 1;
      break;
    }
  }
  return copy;
}

// No more than this many bytes of ids (their lengths and code units) go through the fast way.
const MAX_FAST = 1 << 28;
// An id's length goes in one byte; a longer id is refused by the core anyway.
const MAX_ID = 255;

let bytes = new Uint8Array(0);

// The leader's index among `copy`, -1 when it is empty, -2 when the glue's function must answer.
function electIndex(copy) {
  if (raw === undefined) return -2;
  const n = copy.length;
  let units = 0;
  for (let i = 0; i < n; i++) {
    const id = copy[i];
    if (typeof id !== "string" || id.length > MAX_ID) return -2;
    units += id.length;
  }
  // Room for two bytes a unit, in case one is not ASCII.
  const size = n + 2 * units;
  if (size > MAX_FAST) return -2;
  const ptr = raw.tael_ids_scratch(size);
  if (ptr === 0) return -2;
  // A view of a buffer the memory's growth detached has length 0.
  if (bytes.length === 0) bytes = new Uint8Array(raw.memory.buffer);
  let end = ptr + n;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const id = copy[i];
    bytes[ptr + i] = id.length;
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      seen |= c;
      bytes[end + k] = c;
    }
    end += id.length;
  }
  if (seen < 0x80) return raw.tael_elect_ids(n, units, 0);
  end = ptr + n;
  for (let i = 0; i < n; i++) {
    const id = copy[i];
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      bytes[end++] = c & 0xff;
      bytes[end++] = c >>> 8;
    }
  }
  return raw.tael_elect_ids(n, units, 1);
}
