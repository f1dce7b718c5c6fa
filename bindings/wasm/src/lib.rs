//! The WebAssembly front of tael-coord: the core's decisions for browsers and Node.
//!
//! This crate only converts between JavaScript values and the core's types. It never lets
//! wasm-bindgen convert an input silently: a `u64` parameter would wrap any BigInt modulo 2^64
//! and a `String` parameter would replace lone surrogates with U+FFFD, so epochs and ids arrive
//! as `JsValue` and are checked here, and anything out of range or malformed is refused with an
//! error whose `code` is the core's status name. wasm32 cannot unwind, so no input may reach a
//! panic: the crate's lints (Cargo.toml) forbid the calls that panic, and every fallible step
//! returns an error instead. Where a caller's code can run during a call (array getters,
//! `toJSON`), the call holds no borrow of this module's state, so a re-entrant call or a thrown
//! exception leaves the module usable.
//!
//! Epoch histories are taken by `divergencePoint` and `followerStep` as `EpochHistory` objects
//! or as arrays of entries. An array is read once into plain arrays; an `EpochHistory` is read
//! through a method of its own (`__taelLend`, not API), which copies the history into a cell
//! this module takes at once, so no pointer is ever read from a JavaScript object here, and an
//! object posing as a history can at most lend a real one. `established` takes its verdicts the
//! same way: an array of `Verdict` objects, its length read once, then each element once, in
//! order, lending a copy of its verdict at once; anything else is refused. `transitions` takes
//! its decisions as arrays of plain objects, read once (the length, each element, then each
//! element's fields, by `JSON.stringify`) into the decision JSON the core parses.
//!
//! `electLeader` and `electLeaderIndex` are called through the npm package's entry
//! (npm/tael_coord.js), which copies the ids into this module's memory and elects through two
//! exports that take and answer numbers (`tael_ids_scratch`, `tael_elect_ids`); the functions
//! of the same names here take any input and say why one is refused.
//!
//! `electLeaders` hands its decisions to JavaScript as two lists, the numbers (lengths,
//! indices, counts) and the text fields end to end, from which `decisionsFrom` (below) builds
//! the pinned objects: several times faster than `JSON.parse` of their JSON text.
//!
//! The gates take their options (`refuseZero`, `counters`) as one object, read once; the core's
//! wrappers (`RefuseZero`, `Counting`) do the work, so each class holds its core gate boxed
//! behind the core's trait and wraps each operation once.

use std::cell::{Cell, RefCell};

use js_sys::{Array, JsString, Object, Reflect};
use tael_coord::{self as core, EpochGate, GateRegistry, HolderGate, Status};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An epoch or other u64 input: a bigint in 0..2^64-1, or a number that is a safe non-negative integer. */
export type U64Input = bigint | number;

/** Election policy toggles, applied in the order of SEMANTICS.md §8; absent means off. */
export interface Policy {
  /** Exclude live members whose view entry says `eligible: false`. */
  eligibility?: boolean;
  /** No leader unless the live members are a strict majority of the group's `configured`. */
  quorum_guard?: boolean;
  /** Keep the group's `incumbent` as leader while it is a candidate. */
  sticky_incumbent?: boolean;
  /** Only the candidates of the highest `priority` can lead. */
  priority?: boolean;
  /** Only the candidates of the highest `rendezvousScore` can lead. */
  rendezvous?: boolean;
  /** Only members whose log is on the freshest live member's epoch, within `max_lag`, may lead. */
  freshness?: boolean;
  /**
   * How many records behind the freshest live log a candidate may be under `freshness` (default
   * 0): a bigint, a safe non-negative integer, or canonical decimal text.
   */
  max_lag?: bigint | number | string;
}

/** Why a group has the leader it has (or none); `decisionReasons()` lists them at run time. */
export type DecisionReason =
  | "only_candidate" | "incumbent" | "priority" | "rendezvous" | "smallest_id"
  | "no_members" | "no_live_members" | "no_eligible_members" | "no_quorum" | "no_fresh_members"
  | "no_staying_members" | "handover";

/** Why a member is not the leader; `exclusionReasons()` lists them at run time. */
export type ExclusionReason =
  | "duplicate" | "dead" | "ineligible" | "no_quorum" | "outranked_by_incumbent"
  | "outranked_by_priority" | "outranked_by_rendezvous" | "outranked_by_smaller_id" | "behind"
  | "leaving" | "outranked_by_handover";

/** A member that is not the leader, and why. `generation` is a decimal string (a u64). */
export interface Excluded {
  /** The member's id. */
  id: string;
  /** The generation of the listed entry (tells duplicates apart). */
  generation: string;
  /** Why it is not the leader. */
  reason: ExclusionReason;
}

/**
 * A live member, other than the leader, that claims to lead (its view entry's `claims_epoch`):
 * more than none in a decision is more than one node believing it leads (SEMANTICS.md §8).
 * `generation` and `claims_epoch` are decimal strings (u64s).
 */
export interface Claimant {
  /** The member's id. */
  id: string;
  /** The generation of the listed entry. */
  generation: string;
  /** The epoch at which it claims to lead. */
  claims_epoch: string;
}

/** The decision for one group: the pinned decision JSON of SEMANTICS.md §8. */
export interface Decision {
  /** The group's name. */
  group: string;
  /** The leader's id, or null when the group has no leader. */
  leader: string | null;
  /** Why it has this leader, or none. */
  reason: DecisionReason;
  /** Every listed entry that is not the leader, once, in the order the view lists them. */
  excluded: Excluded[];
  /** The index of the leader's entry in the group's `members`, or null without a leader. */
  leader_index: number | null;
  /** The generation of the leader's entry (a decimal string), or null without a leader. */
  leader_generation: string | null;
  /** The epoch the leader's entry announced (a decimal string), or null without a leader. */
  leader_epoch: string | null;
  /** Every other live member that claims to lead, in the order the view lists them. */
  claimants: Claimant[];
}

/** What happened to a group's leader between two observations (SEMANTICS.md §16). */
export type Change = "elected" | "lost" | "changed";

/**
 * One leader change of one group: the pinned event JSON of SEMANTICS.md §16, every field
 * present. `leader`, `generation` and `epoch` are the later decision's (null for `lost`), the
 * `previous_*` fields the earlier one's (null for `elected`); u64 values are decimal strings.
 */
export interface Event {
  /**
   * `elected` (the group gained a leader), `lost` (it lost its leader) or `changed` (another
   * leader, or the same id in a new generation or at a new epoch).
   */
  event: Change;
  /** The group's name. */
  group: string;
  /** The leader now, or null. */
  leader: string | null;
  /** The generation of the leader's entry now, or null. */
  generation: string | null;
  /** The epoch the leader announced now, or null. */
  epoch: string | null;
  /** The leader before, or null. */
  previous: string | null;
  /** The generation of the earlier leader's entry, or null. */
  previous_generation: string | null;
  /** The epoch the earlier leader announced, or null. */
  previous_epoch: string | null;
}

/**
 * Options of a gate or a registry, fixed when it is made; an absent (or undefined) option is
 * off. The object is read once: its own enumerable keys (each must be one of these, so a
 * misspelt option is refused rather than ignored), then each option once, in this order.
 */
export interface GateOptions {
  /**
   * Refuse epoch 0, which several fencing systems reserve for "unfenced" (SEMANTICS.md §5):
   * every call offered epoch 0 (a check; on a holder gate also `close` and `adopt`) throws
   * `INVALID_EPOCH` before anything else is looked at, and changes nothing.
   */
  refuseZero?: boolean;
  /** Count the verdicts of `check` and `checkAndAdvance`, read with `counters()` (SEMANTICS.md §16). */
  counters?: boolean;
}

/**
 * How many checks (`check` and `checkAndAdvance`) of a counting gate got each verdict, by
 * verdict code in status order (SEMANTICS.md §16); a call that threw is not counted.
 */
export interface Counters {
  /** Checks answered `CURRENT`. */
  CURRENT: bigint;
  /** Checks answered `ADVANCED`. */
  ADVANCED: bigint;
  /** Checks answered `STALE_EPOCH`. */
  STALE_EPOCH: bigint;
  /** Checks answered `TOO_FAR_AHEAD`. */
  TOO_FAR_AHEAD: bigint;
  /** Checks answered `CONFLICT`. */
  CONFLICT: bigint;
  /** Checks answered `CLOSED`. */
  CLOSED: bigint;
}

/** A holder gate's highest epoch and the holder recorded for it, read together. */
export interface HolderState {
  /** The highest epoch. */
  highest: bigint;
  /** The holder recorded for it, or undefined before any token arrived. */
  holder: string | undefined;
}

/** The code of every verdict. */
export type VerdictCode = "CURRENT" | "ADVANCED" | "STALE_EPOCH" | "TOO_FAR_AHEAD" | "CONFLICT" | "CLOSED";

/** The pinned verdict JSON of SEMANTICS.md §5: u64 values as decimal strings. */
export interface VerdictJSON {
  /** What the gate decided. */
  code: VerdictCode;
  /** Whether the record is accepted: `CURRENT` or `ADVANCED`. */
  accepted: boolean;
  /** The epoch the record carried. */
  epoch: string;
  /** The gate's highest epoch once the verdict was reached. */
  highest: string;
  /** `ADVANCED`: the gate's highest before the record. */
  from?: string;
  /** `TOO_FAR_AHEAD`: the gate's jump cap. */
  cap?: string;
  /** `CONFLICT`: the holder recorded for the epoch; `CLOSED`: the holder that closed the reign. */
  holder?: string;
}

/**
 * An entry of an epoch history as given: `[epoch, start]` or `[epoch, start, holder]` (a holder
 * of `undefined` or `null` records none).
 */
export type HistoryEntryInput =
  | readonly [U64Input, U64Input]
  | readonly [U64Input, U64Input, string | null | undefined];

/** An entry of an epoch history as read back: `[epoch, start]`, or `[epoch, start, holder]` where a holder is recorded. */
export type HistoryEntry = [bigint, bigint] | [bigint, bigint, string];

/** A history as `divergencePoint` and `followerStep` take it: an `EpochHistory`, or its entries. */
export type HistoryInput = EpochHistory | readonly HistoryEntryInput[];

/** The JSON form of an epoch history (SEMANTICS.md §15): u64 values as decimal strings, `holder` only where recorded. */
export interface HistoryJSON {
  /** The entries, oldest first. */
  entries: {
    /** The reign's epoch. */
    epoch: string;
    /** The offset of the reign's first record. */
    start_offset: string;
    /** The reign's holder (its leader's id), where one is recorded. */
    holder?: string;
  }[];
}

/** A follower's step: truncate the log (and its history) to `offset`; ask the leader again unless `done`. */
export interface Truncation {
  /** Truncate the log, and its history (`truncateFromEnd`), to this offset. */
  offset: bigint;
  /** Whether the follower is done; if not, it asks the leader again with its new latest epoch. */
  done: boolean;
}

/** Errors thrown by this package carry the core's status name as `code`. */
export interface TaelError extends Error {
  /** The status name, e.g. `"STALE_EPOCH"` (SEMANTICS.md §10; C's `TAEL_STATUS_STALE_EPOCH`). */
  code: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "U64Input")]
    pub type U64Input;
    #[wasm_bindgen(typescript_type = "readonly string[]")]
    pub type IdList;
    #[wasm_bindgen(typescript_type = "string")]
    pub type Str;
    #[wasm_bindgen(typescript_type = "Policy | string | undefined")]
    pub type PolicyInput;
    #[wasm_bindgen(typescript_type = "Decision[]")]
    pub type DecisionList;
    #[wasm_bindgen(typescript_type = "VerdictCode")]
    pub type VerdictCode;
    #[wasm_bindgen(typescript_type = "VerdictJSON")]
    pub type VerdictJson;
    #[wasm_bindgen(typescript_type = "HolderState")]
    pub type HolderState;
    #[wasm_bindgen(typescript_type = "DecisionReason[]")]
    pub type DecisionReasonList;
    #[wasm_bindgen(typescript_type = "ExclusionReason[]")]
    pub type ExclusionReasonList;
    #[wasm_bindgen(typescript_type = "readonly HistoryEntryInput[] | EpochHistory")]
    pub type EntriesInput;
    #[wasm_bindgen(typescript_type = "HistoryInput")]
    pub type HistoryInput;
    #[wasm_bindgen(typescript_type = "HistoryEntry[]")]
    pub type HistoryEntryList;
    #[wasm_bindgen(typescript_type = "HistoryJSON")]
    pub type HistoryJson;
    #[wasm_bindgen(typescript_type = "[bigint, bigint]")]
    pub type EndOffset;
    #[wasm_bindgen(typescript_type = "readonly [U64Input, U64Input] | null | undefined")]
    pub type AnswerInput;
    #[wasm_bindgen(typescript_type = "Truncation")]
    pub type TruncationObject;
    #[wasm_bindgen(typescript_type = "readonly Verdict[]")]
    pub type VerdictList;
    #[wasm_bindgen(typescript_type = "GateOptions")]
    pub type OptionsInput;
    #[wasm_bindgen(typescript_type = "Counters")]
    pub type CountersObject;
    #[wasm_bindgen(typescript_type = "readonly Decision[]")]
    pub type DecisionListInput;
    #[wasm_bindgen(typescript_type = "Event[]")]
    pub type EventList;
}

// JavaScript this module calls: reading inputs once into values no caller's code can change,
// and long texts encoded by the engine straight into this module's memory.
#[wasm_bindgen(inline_js = r#"
let bytes = null;
let words = null;
function views(memory) {
  // A view of a buffer the memory's growth detached has length 0.
  if (bytes === null || bytes.length === 0) {
    bytes = new Uint8Array(memory.buffer);
    words = new Int32Array(memory.buffer);
  }
}
// The UTF-8 of `s` (well-formed) at `ptr`, by the engine's encoder: stores at `out` the bytes
// written, or -1 when `cap` bytes did not hold it all.
const encoder = new TextEncoder();
export function encodeText(s, memory, ptr, cap, out) {
  views(memory);
  const { read, written } = encoder.encodeInto(s, bytes.subarray(ptr, ptr + cap));
  words[out >>> 2] = read === s.length ? written : -1;
}
// The policy's JSON text (undefined when it is no JSON object; null when `max_lag` is a number
// that is not a safe integer, which JSON would round or write with an exponent). JSON.stringify
// reads each property once; a bigint is written as its decimal text, so `max_lag` may be one.
const NO_TOP = Symbol("no top");
export function policyText(policy) {
  if (Array.isArray(policy)) return undefined;
  let top = NO_TOP;
  let unsafe = false;
  const text = JSON.stringify(policy, function (key, value) {
    if (typeof value === "bigint") value = String(value);
    if (top === NO_TOP) {
      top = value;
      return value;
    }
    if (this === top && key === "max_lag" && typeof value === "number" && !Number.isSafeInteger(value)) unsafe = true;
    return value;
  });
  if (unsafe) return null;
  return typeof text === "string" ? text : undefined;
}

// An epoch history's input, read once into values no caller's code can change: `true` when it
// is an object that lent a history (through the method every EpochHistory has; the module then
// holds a copy of it), or a plain array with one element per entry, each a plain array of the
// entry's values or a string saying why it is not an entry; a string saying why it is no array
// of entries; `undefined` when it is neither an array nor an object. Reading stops at the first
// element that is not an entry (its reason is the copy's last element), so a sparse array of
// length 2^32-1 costs one read.
const apply = Reflect.apply;
export function readHistory(value) {
  if (Array.isArray(value)) {
    const n = value.length;
    if (!isLength(n)) return "has a length that is not an array's";
    const copy = [];
    for (let i = 0; i < n; i++) {
      const entry = readTuple(value[i], 2, 3);
      copy.push(entry);
      if (typeof entry === "string") break;
    }
    return copy;
  }
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const lend = value.__taelLend;
    if (typeof lend !== "function") return undefined;
    apply(lend, value, []);
    return true;
  }
  return undefined;
}

// A tuple of `min` to `max` elements, read once (its length, then each element in order) into a
// plain array; otherwise a string saying why it is not one.
export function readTuple(value, min, max) {
  if (!Array.isArray(value)) return "is not an array";
  const n = value.length;
  if (typeof n !== "number" || !(n >= min && n <= max) || !Number.isInteger(n)) {
    return typeof n === "number" ? `has ${n} element${n === 1 ? "" : "s"}` : "has a length that is not a number";
  }
  const copy = [];
  for (let i = 0; i < n; i++) copy.push(value[i]);
  return copy;
}

// Verdicts given as an input (`established`): the length of the array, read once (a number), a
// string saying why it is no array of verdicts, or `undefined` when it is no array at all.
export function verdictCount(value) {
  if (!Array.isArray(value)) return undefined;
  const n = value.length;
  return isLength(n) ? n : "has a length that is not an array's";
}

// Element `i` of an array of verdicts, read once, asked to lend its verdict (through the method
// every Verdict has; the module then holds a copy of it): `undefined` once the method ran, or a
// string saying why the element is no verdict.
export function lendVerdict(value, i) {
  const element = value[i];
  if (element === null || (typeof element !== "object" && typeof element !== "function")) return "is not a Verdict";
  const lend = element.__taelLend;
  if (typeof lend !== "function") return "is not a Verdict";
  apply(lend, element, []);
  return undefined;
}

// A follower step's answer as a plain object (a literal: no setter of the caller's runs).
export function truncation(offset, done) {
  return { offset, done };
}

// A gate's options (`GateOptions`), read once: its own enumerable keys, each of which must be an
// option (a misspelt one would otherwise be ignored), then each option once, in order. Answers
// the options as bits (1: refuseZero, 2: counters), or a string saying why they are none.
const OPTIONS = ["refuseZero", "counters"];
export function gateOptions(options) {
  if (options === undefined || options === null) return 0;
  if (typeof options !== "object" || Array.isArray(options)) return "options must be an object {refuseZero?, counters?}";
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) return `options has an unknown option ${JSON.stringify(key)} (the options are ${OPTIONS.join(", ")})`;
  }
  let bits = 0;
  for (let i = 0; i < OPTIONS.length; i++) {
    const value = options[OPTIONS[i]];
    if (value === true) bits |= 1 << i;
    else if (value !== undefined && value !== false) return `options.${OPTIONS[i]} must be a boolean`;
  }
  return bits;
}

// The decisions of `electLeaders` as the pinned objects of SEMANTICS.md §8, their keys in the
// pinned order (as JSON.parse of the pinned JSON would give them), from what the module wrote:
// `words`, per decision the length (UTF-16 units) of each text field in turn (NONE for null),
// the reason's index, the counts and the leader's index; `table`, the text fields one after
// the other. Building the objects here is several times faster than JSON.parse of their text.
const NONE = 0xffffffff;
export function decisionsFrom(count, words, table, reasons, exclusions) {
  // Filled by push, not by index into `new Array(n)`: V8 keeps such arrays packed, as
  // JSON.parse's are, where an array made with a length stays holey (slower to read).
  const out = [];
  let w = 0;
  let at = 0;
  for (let d = 0; d < count; d++) {
    const group = table.slice(at, (at += words[w++]));
    let n = words[w++];
    const leader = n === NONE ? null : table.slice(at, (at += n));
    const reason = reasons[words[w++]];
    n = words[w++];
    const excluded = [];
    for (let i = 0; i < n; i++) {
      const id = table.slice(at, (at += words[w++]));
      const generation = table.slice(at, (at += words[w++]));
      excluded.push({ id, generation, reason: exclusions[words[w++]] });
    }
    n = words[w++];
    const leader_index = n === NONE ? null : n;
    n = words[w++];
    const leader_generation = n === NONE ? null : table.slice(at, (at += n));
    n = words[w++];
    const leader_epoch = n === NONE ? null : table.slice(at, (at += n));
    n = words[w++];
    const claimants = [];
    for (let i = 0; i < n; i++) {
      const id = table.slice(at, (at += words[w++]));
      const generation = table.slice(at, (at += words[w++]));
      const claims_epoch = table.slice(at, (at += words[w++]));
      claimants.push({ id, generation, claims_epoch });
    }
    out.push({
      group, leader, reason, excluded, leader_index, leader_generation, leader_epoch, claimants,
    });
  }
  return out;
}

// Decisions given as an input (`transitions`), read once into the decision JSON the core
// parses: the array's length, each element once, in order (each must be an object), then each
// element's fields by JSON.stringify, which reads each property once. Answers `[text]`, a
// string saying why the value is no array of decisions, or `undefined` when it is no array at
// all (each reason starts with the index it names, or a space, to follow the input's name). A
// bigint is written as its decimal text (a u64 may be given so); a number that is not a
// safe integer (JSON would round it, or write NaN as null), or anything but an object where an
// array's element belongs, stops the writing at once: a sparse array of length 2^32-1 costs one
// read. A getter's or a Proxy trap's own exception passes through.
const STOP = Symbol("stop");
export function decisionsText(value) {
  if (!Array.isArray(value)) return undefined;
  const n = value.length;
  if (!isLength(n)) return " has a length that is not an array's";
  const copy = [];
  for (let i = 0; i < n; i++) {
    const element = value[i];
    if (element === null || typeof element !== "object") return `[${i}] is not a decision object`;
    copy.push(element);
  }
  let at = "";
  let why;
  try {
    const text = JSON.stringify(copy, function (key, v) {
      if (this === copy) at = key;
      if (typeof v === "bigint") return String(v);
      if (typeof v === "number" && !Number.isSafeInteger(v)) {
        why = `[${at}] holds the number ${v} at ${JSON.stringify(key)}, which is not a safe integer; write u64 values as decimal strings`;
        throw STOP;
      }
      if ((v === null || typeof v !== "object") && Array.isArray(this)) {
        why = this === copy ? `[${at}] is not a decision object` : `[${at}] holds ${v === null ? "null" : typeof v} in an array of objects, at index ${key}`;
        throw STOP;
      }
      return v;
    });
    return [text];
  } catch (e) {
    if (e === STOP) return why;
    throw e;
  }
}

function isLength(n) {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export function isWellFormed(s) {
  return s.isWellFormed();
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = encodeText)]
    fn encode_text(s: &JsString, memory: &JsValue, ptr: u32, cap: u32, out: u32);
    #[wasm_bindgen(catch, js_name = policyText)]
    fn policy_text(policy: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readHistory)]
    fn read_history(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readTuple)]
    fn read_tuple(value: &JsValue, min: u32, max: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = verdictCount)]
    fn verdict_count(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = lendVerdict)]
    fn lend_verdict(value: &JsValue, i: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = truncation)]
    fn truncation_object(offset: u64, done: bool) -> TruncationObject;
    #[wasm_bindgen(js_name = isWellFormed)]
    fn is_well_formed(s: &JsString) -> bool;
    #[wasm_bindgen(catch, js_name = gateOptions)]
    fn gate_options(options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = decisionsText)]
    fn decisions_text(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = decisionsFrom)]
    fn decisions_from_words(
        count: u32,
        words: &[u32],
        table: &str,
        reasons: &JsValue,
        exclusions: &JsValue,
    ) -> DecisionList;
}

/// Where the package's entry (npm/tael_coord.js) writes the ids of an election, and the ids
/// decoded from UTF-16; reused from call to call (see `tael_ids_scratch`).
#[derive(Default)]
struct Scratch {
    bytes: Vec<u8>,
    text: String,
    ends: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
    static MEMORY: JsValue = wasm_bindgen::memory();
    /// The reasons' and exclusions' names, by their index in the core's lists.
    static NAMES: (JsValue, JsValue) = (decision_reasons().into(), exclusion_reasons().into());
}

/// Throw-able error with `code` set to the status name: `TypeError` for a value of the wrong
/// type, `RangeError` for a number out of range, `Error` otherwise.
fn error(status: Status, message: &str) -> JsValue {
    let err: JsValue = match status {
        Status::InvalidArgument => js_sys::TypeError::new(message).into(),
        Status::InvalidEpoch => js_sys::RangeError::new(message).into(),
        _ => js_sys::Error::new(message).into(),
    };
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &status.name().into());
    err
}

fn core_error(e: core::Error) -> JsValue {
    error(e.status(), e.message())
}

type JsResult<T> = Result<T, JsValue>;

/// A core result with its error converted.
trait OrThrow<T> {
    fn or_throw(self) -> JsResult<T>;
}

impl<T> OrThrow<T> for core::Result<T> {
    #[inline]
    fn or_throw(self) -> JsResult<T> {
        self.map_err(core_error)
    }
}

/// Why a value is not a u64 input.
#[derive(Clone, Copy)]
enum NotU64 {
    /// A bigint outside 0..2^64-1.
    Range,
    /// A number that is not a safe non-negative integer.
    Unsafe,
    /// Neither a bigint nor a number.
    Type,
}

/// A u64 from a bigint in range or a safe non-negative integer number (runs no caller's code).
fn u64_of(value: &JsValue) -> Result<u64, NotU64> {
    if value.is_bigint() {
        return u64::try_from(value.clone()).map_err(|_| NotU64::Range);
    }
    match value.as_f64() {
        // Number.isSafeInteger, and not negative (-0 is 0).
        Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => Ok(n as u64),
        Some(_) => Err(NotU64::Unsafe),
        None => Err(NotU64::Type),
    }
}

/// The error for a value `what` that is not a u64 input.
fn not_u64(why: NotU64, what: &str) -> JsValue {
    match why {
        NotU64::Range => error(
            Status::InvalidEpoch,
            &format!("{what} must be in 0..2^64-1"),
        ),
        NotU64::Unsafe => error(
            Status::InvalidEpoch,
            &format!(
                "{what} must be a bigint, or a number that is a safe non-negative integer (pass larger values as bigint)"
            ),
        ),
        NotU64::Type => error(
            Status::InvalidArgument,
            &format!("{what} must be a bigint or a number"),
        ),
    }
}

/// A u64 from a bigint in range or a safe non-negative integer number.
fn u64_from(value: &JsValue, what: &str) -> JsResult<u64> {
    u64_of(value).map_err(|why| not_u64(why, what))
}

/// An optional u64: absent (`undefined` or `null`) is `None`.
fn opt_u64_from(value: Option<U64Input>, what: &str) -> JsResult<Option<u64>> {
    value.map(|v| u64_from(&v, what)).transpose()
}

/// A string that must be well-formed UTF-16 (no lone surrogate), not yet copied.
fn well_formed<'a>(value: &'a JsValue, what: &str) -> JsResult<&'a JsString> {
    let Some(s) = value.dyn_ref::<JsString>() else {
        return Err(error(
            Status::InvalidArgument,
            &format!("{what} must be a string"),
        ));
    };
    if !is_well_formed(s) {
        return Err(error(
            Status::InvalidUtf8,
            &format!("{what} has a lone surrogate"),
        ));
    }
    Ok(s)
}

/// A string that must be well-formed UTF-16 (no lone surrogate).
fn text_from(value: &JsValue, what: &str) -> JsResult<String> {
    string_of(well_formed(value, what)?)
}

/// Strings at least this long (in UTF-16 units) are encoded by `encodeText`.
const LONG_TEXT: u32 = 1024;

/// The UTF-8 of a well-formed string. A long one (a view, decisions) is encoded by the engine's
/// `TextEncoder` straight into this module's memory, many times faster than the glue, which
/// goes a code unit at a time.
fn string_of(s: &JsString) -> JsResult<String> {
    let units = s.length();
    if units < LONG_TEXT {
        return Ok(String::from(s));
    }
    let too_long = || error(Status::InvalidArgument, "the text is too long to be read");
    let mut bytes: Vec<u8> = Vec::new();
    // Room for ASCII first; then for three bytes a unit, the most UTF-8 takes.
    for cap in [units, units.saturating_mul(3)] {
        let more = (cap as usize).saturating_sub(bytes.len());
        bytes.try_reserve_exact(more).map_err(|_| too_long())?;
        bytes.resize(cap as usize, 0);
        let mut written: i32 = -1;
        let out = std::ptr::addr_of_mut!(written) as u32;
        MEMORY.with(|memory| encode_text(s, memory, bytes.as_mut_ptr() as u32, cap, out));
        // SAFETY: a live local, written by `encodeText` through the memory it was handed.
        if let Ok(n) = usize::try_from(unsafe { std::ptr::read_volatile(&written) }) {
            bytes.truncate(n);
            return String::from_utf8(bytes)
                .map_err(|_| error(Status::Internal, "the text was encoded wrongly"));
        }
    }
    Err(too_long())
}

/// An id: a well-formed string that passes the core's id rules.
fn id_from(value: &JsValue, what: &str) -> JsResult<String> {
    let s = well_formed(value, what)?;
    if s.length() as usize > core::MAX_ID_BYTES {
        // Each UTF-16 unit is at least one UTF-8 byte, so this is longer than any id may be:
        // refused before it is copied (it may be huge).
        return Err(error(
            Status::InvalidId,
            &format!("{what}: id is longer than {} bytes", core::MAX_ID_BYTES),
        ));
    }
    let id = String::from(s);
    core::validate_id(&id).map_err(|e| error(e.status(), &format!("{what}: {}", e.message())))?;
    Ok(id)
}

/// The ids' fast way in, for the package's entry (npm/tael_coord.js), not API: room for `size`
/// bytes in this module's memory, where the entry then writes the ids of one election (each
/// id's length in a byte, then the ids' UTF-16 code units, one byte each when all are ASCII,
/// two otherwise). Answers the room's address, or 0 when there is none. No JavaScript runs
/// between this call and `tael_elect_ids`, which reads what was written: neither calls out, and
/// the entry has read every id before it asks for room.
///
/// The entry calls the module's exports directly: no value passes through wasm-bindgen's table
/// of references, which costs more than the election of a few ids. Any input the fast way
/// does not take (an invalid id, a value that is no string) goes to `electLeader` below.
#[no_mangle]
pub extern "C" fn tael_ids_scratch(size: u32) -> u32 {
    SCRATCH.with(|cell| {
        let Ok(mut scratch) = cell.try_borrow_mut() else {
            return 0;
        };
        let bytes = &mut scratch.bytes;
        let size = size as usize;
        if bytes.len() < size {
            if bytes.try_reserve_exact(size - bytes.len()).is_err() {
                return 0;
            }
            bytes.resize(size, 0);
        }
        bytes.as_mut_ptr() as u32
    })
}

/// The election over the `count` ids of `units` code units in all that the entry wrote where
/// `tael_ids_scratch` said (`wide`: two bytes a unit): the leader's index, -1 when there are
/// no ids, -2 when the ids are refused (the entry then calls `electLeader`, which says why).
#[no_mangle]
pub extern "C" fn tael_elect_ids(count: u32, units: u32, wide: u32) -> i32 {
    SCRATCH.with(|cell| {
        let Ok(mut scratch) = cell.try_borrow_mut() else {
            return -2;
        };
        match elect_written(&mut scratch, count as usize, units as usize, wide != 0) {
            Some(Ok(Some(index))) => i32::try_from(index).unwrap_or(-2),
            Some(Ok(None)) => -1,
            Some(Err(_)) | None => -2,
        }
    })
}

/// The election over the ids written into `scratch` (`None` when they are not as described).
fn elect_written(
    scratch: &mut Scratch,
    count: usize,
    units: usize,
    wide: bool,
) -> Option<core::Result<Option<usize>>> {
    let Scratch { bytes, text, ends } = scratch;
    let data_len = if wide { units.checked_mul(2)? } else { units };
    let (lengths, data) = bytes
        .get(..count.checked_add(data_len)?)?
        .split_at_checked(count)?;
    if lengths.iter().map(|&len| usize::from(len)).sum::<usize>() != units {
        return None;
    }
    if !wide {
        // ASCII, the common case: each id is its length in bytes.
        let text = std::str::from_utf8(data).ok()?;
        let mut start = 0;
        return Some(core::try_elect_leader(lengths.iter().map(|&len| {
            let id = text
                .get(start..start + usize::from(len))
                .unwrap_or_default();
            start += usize::from(len);
            id
        })));
    }
    text.clear();
    ends.clear();
    let mut units = data
        .as_chunks::<2>()
        .0
        .iter()
        .map(|&u| u16::from_le_bytes(u));
    for &len in lengths {
        for c in char::decode_utf16(units.by_ref().take(usize::from(len))) {
            text.push(c.ok()?);
        }
        ends.push(text.len());
    }
    Some(elect_ends(text, ends))
}

/// The election over ids laid end to end in `text`, each ending where `ends` says.
fn elect_ends(text: &str, ends: &[usize]) -> core::Result<Option<usize>> {
    let mut start = 0;
    core::try_elect_leader(ends.iter().map(|&end| {
        let id = text.get(start..end).unwrap_or_default();
        start = end;
        id
    }))
}

/// Elect over `ids`, read once (its length, then each element, in order, into a plain array):
/// the values read and the index of the leader among them, `None` when there are none.
fn elect(ids: &JsValue) -> JsResult<(Array, Option<u32>)> {
    let copy = match read_tuple(ids, 0, u32::MAX)? {
        copy if Array::is_array(&copy) => Array::from(&copy),
        _ => {
            return Err(error(
                Status::InvalidArgument,
                "ids must be an array of strings",
            ))
        }
    };
    let n = copy.length();
    // One election holds at most MAX_ID_UNITS, counted before anything is copied; unless an
    // element is no id at all, which the loop below names.
    let mut units = 0u64;
    for i in 0..n {
        match copy.get(i).dyn_ref::<JsString>() {
            Some(id) if id.length() as usize <= core::MAX_ID_BYTES => {
                units += u64::from(id.length()) + 1;
            }
            _ => {
                units = 0;
                break;
            }
        }
    }
    if units > u64::from(MAX_ID_UNITS) {
        return Err(too_many_ids());
    }
    let mut text = String::new();
    let mut ends = Vec::new();
    for i in 0..n {
        let id = id_from(&copy.get(i), &format!("ids[{i}]"))?;
        text.try_reserve(id.len()).map_err(|_| too_many_ids())?;
        ends.try_reserve(1).map_err(|_| too_many_ids())?;
        text.push_str(&id);
        ends.push(text.len());
    }
    let elected = elect_ends(&text, &ends).or_throw()?;
    Ok((copy, elected.map(|i| u32::try_from(i).unwrap_or(u32::MAX))))
}

/// The most UTF-16 units the ids of one election hold, counting one more for each id.
const MAX_ID_UNITS: u32 = 1 << 28;

fn too_many_ids() -> JsValue {
    error(
        Status::InvalidArgument,
        &format!("the ids hold more than {MAX_ID_UNITS} UTF-16 units in all, counting one more for each id; elect fewer at once"),
    )
}

/// The smallest id of `ids` (UTF-8 byte order, as every front), or `undefined` when empty.
/// Each element is read once, in order; the answer is one of the values read. Throws
/// `INVALID_ID`/`INVALID_UTF8` for an invalid id and `INVALID_ARGUMENT` for a value that is
/// not an array of strings (an element getter's own exception passes through).
#[wasm_bindgen(js_name = electLeader)]
pub fn elect_leader(ids: &IdList) -> JsResult<Option<JsString>> {
    let (copy, elected) = elect(ids)?;
    Ok(elected.map(|i| copy.get(i).unchecked_into()))
}

/// The index of the first occurrence of the smallest id in `ids`, or `undefined` when empty
/// (as `electLeader`, which returns the id itself).
#[wasm_bindgen(js_name = electLeaderIndex)]
pub fn elect_leader_index(ids: &IdList) -> JsResult<Option<u32>> {
    Ok(elect(ids)?.1)
}

/// Throws `INVALID_ID` (or `INVALID_UTF8`, `INVALID_ARGUMENT`) unless `id` is a valid node,
/// group or stream id (SEMANTICS.md §2).
#[wasm_bindgen(js_name = validateId)]
pub fn validate_id(id: &Str) -> JsResult<()> {
    let id = text_from(id, "id")?;
    core::validate_id(&id).or_throw()
}

/// What a gate decided about one record. Epochs are `bigint`.
#[wasm_bindgen]
pub struct Verdict(core::Verdict);

#[wasm_bindgen]
impl Verdict {
    /// `CURRENT`, `ADVANCED`, `STALE_EPOCH`, `TOO_FAR_AHEAD`, `CONFLICT` or `CLOSED`.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> VerdictCode {
        JsValue::from_str(self.0.code()).unchecked_into()
    }

    /// Whether the record is accepted (`CURRENT` or `ADVANCED`).
    #[wasm_bindgen(getter)]
    pub fn accepted(&self) -> bool {
        self.0.accepted()
    }

    /// The epoch the record carried.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The gate's highest epoch after this verdict.
    #[wasm_bindgen(getter)]
    pub fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// For `ADVANCED`: the highest epoch before.
    #[wasm_bindgen(getter)]
    pub fn from(&self) -> Option<u64> {
        self.0.from()
    }

    /// For `TOO_FAR_AHEAD`: the gate's jump cap.
    #[wasm_bindgen(getter)]
    pub fn cap(&self) -> Option<u64> {
        self.0.cap()
    }

    /// For `CONFLICT`: the holder already recorded for the epoch; for `CLOSED`: the holder that
    /// closed the reign.
    #[wasm_bindgen(getter)]
    pub fn holder(&self) -> Option<String> {
        self.0.holder().map(str::to_owned)
    }

    /// The pinned verdict JSON (u64 values as decimal strings).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsResult<VerdictJson> {
        Ok(js_sys::JSON::parse(&self.0.to_json())?.unchecked_into())
    }

    /// Not API: how a call given this verdict as an input reads it (a copy, into
    /// `LENT_VERDICT`).
    #[wasm_bindgen(js_name = __taelLend, skip_typescript)]
    pub fn lend(&self) {
        LENT_VERDICT.with(|lent| lent.set(Some(self.0.clone())));
    }
}

thread_local! {
    /// The copy of a verdict a `Verdict` lent while its caller's input was read
    /// (`verdicts_from`), taken at once.
    static LENT_VERDICT: Cell<Option<core::Verdict>> = const { Cell::new(None) };
}

/// Verdicts given as an input: an array of `Verdict` objects, its length read once, then each
/// element once, in order, each lending a copy of its verdict at once (so a getter or a Proxy
/// trap of the caller's that runs meanwhile changes nothing read before it). The first element
/// that is not a verdict decides the error.
fn verdicts_from(value: &JsValue, what: &str) -> JsResult<Vec<core::Verdict>> {
    let count = verdict_count(value)?;
    if let Some(why) = count.as_string() {
        return Err(error(Status::InvalidArgument, &format!("{what} {why}")));
    }
    let Some(count) = count.as_f64() else {
        return Err(error(
            Status::InvalidArgument,
            &format!("{what} must be an array of Verdict objects (as a gate's check returns)"),
        ));
    };
    // `verdictCount` answers only lengths, 0..2^32-1.
    let count = count as u32;
    let mut verdicts = Vec::new();
    for i in 0..count {
        LENT_VERDICT.with(|lent| lent.set(None));
        let why = lend_verdict(value, i)?;
        // Only a Verdict's own method fills the cell.
        let lent = LENT_VERDICT.with(Cell::take);
        let verdict = match (why.as_string(), lent) {
            (None, Some(verdict)) => verdict,
            (why, _) => {
                let why = why.unwrap_or_else(|| "lent no verdict".to_owned());
                return Err(error(
                    Status::InvalidArgument,
                    &format!(
                        "{what}[{i}] {why}: each element is a Verdict, as a gate's check returns"
                    ),
                ));
            }
        };
        verdicts.try_reserve(1).map_err(|_| {
            error(
                Status::InvalidArgument,
                &format!("{what}: too many verdicts"),
            )
        })?;
        verdicts.push(verdict);
    }
    Ok(verdicts)
}

/// Whether the reign at `epoch` is established (SEMANTICS.md §16): admitted by a strict
/// majority of its group's `configured` gates. `verdicts` are the `Verdict` objects its token
/// `(epoch, holder)` got from distinct holder gates of the group, one per gate (its latest
/// answer); a verdict accepted at `epoch` is a vote, anything else is not. `epoch` and
/// `configured` are bigints or safe non-negative integers. Anything but an array of `Verdict`
/// objects is `INVALID_ARGUMENT` (each element is read once, in order).
#[wasm_bindgen]
pub fn established(
    epoch: &U64Input,
    verdicts: &VerdictList,
    configured: &U64Input,
) -> JsResult<bool> {
    let epoch = u64_from(epoch, "epoch")?;
    let verdicts = verdicts_from(verdicts, "verdicts")?;
    let configured = u64_from(configured, "configured")?;
    Ok(core::established(epoch, &verdicts, configured))
}

/// A gate's options (`GateOptions`), as read.
#[derive(Clone, Copy, Default)]
struct Options {
    refuse_zero: bool,
    counters: bool,
}

/// The options given to a gate's or a registry's constructor (read once; `undefined` or `null`
/// is none). A getter's or a Proxy trap's exception passes through.
fn options_from(value: Option<OptionsInput>) -> JsResult<Options> {
    let Some(value) = value else {
        return Ok(Options::default());
    };
    let read = gate_options(&value)?;
    if let Some(why) = read.as_string() {
        return Err(error(Status::InvalidArgument, &why));
    }
    // `gateOptions` answers bits or a reason.
    let bits = read.as_f64().unwrap_or(0.0) as u32;
    Ok(Options {
        refuse_zero: bits & 1 != 0,
        counters: bits & 2 != 0,
    })
}

/// The core gate `$gate` boxed behind the core trait `$trait`, wrapped as `$options` ask:
/// `Counting::new(RefuseZero(gate))` when both are on (the order the core suggests).
macro_rules! wrapped {
    ($trait:path, $gate:expr, $options:expr) => {{
        let options: Options = $options;
        let mut gate: Box<dyn $trait> = Box::new($gate);
        if options.refuse_zero {
            gate = Box::new(core::RefuseZero(gate));
        }
        if options.counters {
            gate = Box::new(core::Counting::new(gate));
        }
        gate
    }};
}

/// A counting gate's counters as a plain object from verdict code to bigint (status order);
/// `undefined` for a gate that does not count.
fn counters_object(counters: Option<core::Counters>) -> JsResult<Option<CountersObject>> {
    let Some(counters) = counters else {
        return Ok(None);
    };
    let object = Object::new();
    for (status, count) in counters.by_status() {
        Reflect::set(&object, &status.name().into(), &count.into())?;
    }
    Ok(Some(object.unchecked_into()))
}

/// The lock-free epoch gate of a stream: accepts records at or above the highest epoch seen.
#[wasm_bindgen]
pub struct EpochFencer(Box<dyn core::EpochGate>);

#[wasm_bindgen]
impl EpochFencer {
    /// A gate resuming at `highest` (default 0), with an optional jump cap and `options`
    /// (`{refuseZero, counters}`, each off unless `true`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        highest: Option<U64Input>,
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
        options: Option<OptionsInput>,
    ) -> JsResult<EpochFencer> {
        let highest = opt_u64_from(highest, "highest")?.unwrap_or(0);
        let cap = opt_u64_from(jump_cap, "jumpCap")?;
        let gate = core::EpochFencer::with_highest(highest).with_jump_cap(cap);
        Ok(EpochFencer(wrapped!(
            core::EpochGate,
            gate,
            options_from(options)?
        )))
    }

    /// Accept a record stamped with `epoch`? Advances the gate on a higher epoch.
    #[wasm_bindgen(js_name = checkAndAdvance)]
    pub fn check_and_advance(&self, epoch: &U64Input) -> JsResult<bool> {
        self.0
            .check_and_advance(u64_from(epoch, "epoch")?)
            .or_throw()
    }

    /// Judge a record stamped with `epoch`; advances like `checkAndAdvance`.
    pub fn check(&self, epoch: &U64Input) -> JsResult<Verdict> {
        self.0
            .check(u64_from(epoch, "epoch")?)
            .map(Verdict)
            .or_throw()
    }

    /// Move one past every epoch seen and return it; throws `EPOCH_OVERFLOW` at 2^64-1.
    pub fn promote(&self) -> JsResult<u64> {
        self.0.promote().or_throw()
    }

    /// Move to max(floor, highest + 1) and return it (usually `nextEpoch` of the view); the jump
    /// cap does not apply; throws `EPOCH_OVERFLOW` at 2^64-1.
    #[wasm_bindgen(js_name = promoteToAtLeast)]
    pub fn promote_to_at_least(&self, floor: &U64Input) -> JsResult<u64> {
        self.0
            .promote_to_at_least(u64_from(floor, "floor")?)
            .or_throw()
    }

    /// The highest epoch accepted so far.
    #[wasm_bindgen(getter)]
    pub fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// The jump cap, if any.
    #[wasm_bindgen(getter, js_name = jumpCap)]
    pub fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    /// Whether the gate refuses epoch 0 (`INVALID_EPOCH`): the `refuseZero` option.
    #[wasm_bindgen(getter, js_name = refusesEpochZero)]
    pub fn refuses_epoch_zero(&self) -> bool {
        self.0.refuses_epoch_zero()
    }

    /// How many checks got each verdict (`{CURRENT: 3n, ...}`, a new object each time) for a
    /// gate made with the `counters` option; `undefined` for one that does not count.
    pub fn counters(&self) -> JsResult<Option<CountersObject>> {
        counters_object(self.0.counters())
    }
}

/// The holder-aware gate over `(epoch, holder)` tokens.
#[wasm_bindgen]
pub struct HolderFencer(Box<dyn core::HolderGate>);

#[wasm_bindgen]
impl HolderFencer {
    /// A gate resuming at `highest` (default 0) with no holder, with an optional jump cap and
    /// `options` (`{refuseZero, counters}`, each off unless `true`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        highest: Option<U64Input>,
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
        options: Option<OptionsInput>,
    ) -> JsResult<HolderFencer> {
        let highest = opt_u64_from(highest, "highest")?.unwrap_or(0);
        let cap = opt_u64_from(jump_cap, "jumpCap")?;
        let gate = core::HolderFencer::with_highest(highest).with_jump_cap(cap);
        Ok(HolderFencer(wrapped!(
            core::HolderGate,
            gate,
            options_from(options)?
        )))
    }

    /// A gate resuming a known reign: `highest` held by `holder`, with an optional jump cap and
    /// `options` (as the constructor's).
    #[wasm_bindgen(js_name = withHolder)]
    pub fn with_holder(
        highest: &U64Input,
        holder: &Str,
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
        options: Option<OptionsInput>,
    ) -> JsResult<HolderFencer> {
        let highest = u64_from(highest, "highest")?;
        let holder = text_from(holder, "holder")?;
        let cap = opt_u64_from(jump_cap, "jumpCap")?;
        let options = options_from(options)?;
        let gate = core::HolderFencer::with_holder(highest, Some(&holder)).or_throw()?;
        Ok(HolderFencer(wrapped!(
            core::HolderGate,
            gate.with_jump_cap(cap),
            options
        )))
    }

    /// Judge a record carrying the token `(epoch, holder)`.
    pub fn check(&self, epoch: &U64Input, holder: &Str) -> JsResult<Verdict> {
        let epoch = u64_from(epoch, "epoch")?;
        self.0
            .check(epoch, &text_from(holder, "holder")?)
            .map(Verdict)
            .or_throw()
    }

    /// The boolean form of `check`, with the same effect.
    #[wasm_bindgen(js_name = checkAndAdvance)]
    pub fn check_and_advance(&self, epoch: &U64Input, holder: &Str) -> JsResult<bool> {
        let epoch = u64_from(epoch, "epoch")?;
        self.0
            .check_and_advance(epoch, &text_from(holder, "holder")?)
            .or_throw()
    }

    /// `holder` takes a new reign one past the highest epoch; returns it.
    pub fn promote(&self, holder: &Str) -> JsResult<u64> {
        self.0.promote(&text_from(holder, "holder")?).or_throw()
    }

    /// `holder` takes a new reign at max(floor, highest + 1); returns it.
    #[wasm_bindgen(js_name = promoteToAtLeast)]
    pub fn promote_to_at_least(&self, floor: &U64Input, holder: &Str) -> JsResult<u64> {
        let floor = u64_from(floor, "floor")?;
        self.0
            .promote_to_at_least(floor, &text_from(holder, "holder")?)
            .or_throw()
    }

    /// `holder` ends its reign at `epoch` (SEMANTICS.md §16): `CLOSED` once the reign is closed
    /// (or already was), after which every token of that epoch is `CLOSED` until a higher epoch
    /// moves the gate; `CONFLICT` for the current epoch of another holder, `STALE_EPOCH` for an
    /// older epoch, `TOO_FAR_AHEAD` past the jump cap (a higher epoch within it moves the gate
    /// there, closed).
    pub fn close(&self, epoch: &U64Input, holder: &Str) -> JsResult<Verdict> {
        let epoch = u64_from(epoch, "epoch")?;
        self.0
            .close(epoch, &text_from(holder, "holder")?)
            .map(Verdict)
            .or_throw()
    }

    /// Move the gate to the reign `(epoch, holder)` its group established (SEMANTICS.md §16),
    /// after this replica voted for another claimant and truncated its log: `CURRENT` (the epoch
    /// is the highest: its holder is replaced) or `ADVANCED` (a higher epoch, whatever the jump
    /// cap). `STALE_EPOCH` below the highest and `CLOSED` for a closed reign change nothing.
    pub fn adopt(&self, epoch: &U64Input, holder: &Str) -> JsResult<Verdict> {
        let epoch = u64_from(epoch, "epoch")?;
        self.0
            .adopt(epoch, &text_from(holder, "holder")?)
            .map(Verdict)
            .or_throw()
    }

    /// The highest epoch accepted so far.
    #[wasm_bindgen(getter)]
    pub fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// The holder of the highest epoch, if recorded.
    #[wasm_bindgen(getter)]
    pub fn holder(&self) -> Option<String> {
        self.0.holder()
    }

    /// Whether the reign at the highest epoch was closed (`close`).
    #[wasm_bindgen(getter)]
    pub fn closed(&self) -> bool {
        self.0.closed()
    }

    /// The highest epoch and its holder, read together: `{highest, holder}`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsResult<HolderState> {
        let (highest, holder) = self.0.state();
        let state = Object::new();
        Reflect::set(&state, &"highest".into(), &highest.into())?;
        Reflect::set(&state, &"holder".into(), &holder.into())?;
        Ok(state.unchecked_into())
    }

    /// The jump cap, if any.
    #[wasm_bindgen(getter, js_name = jumpCap)]
    pub fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    /// Whether the gate refuses epoch 0 (`INVALID_EPOCH`): the `refuseZero` option.
    #[wasm_bindgen(getter, js_name = refusesEpochZero)]
    pub fn refuses_epoch_zero(&self) -> bool {
        self.0.refuses_epoch_zero()
    }

    /// How many checks got each verdict (`{CURRENT: 3n, ...}`, a new object each time) for a
    /// gate made with the `counters` option; `undefined` for one that does not count. `close`,
    /// `adopt` and promotions are not checks.
    pub fn counters(&self) -> JsResult<Option<CountersObject>> {
        counters_object(self.0.counters())
    }
}

/// Epoch gates keyed by stream name, with snapshots of their high-water marks.
#[wasm_bindgen]
pub struct FenceRegistry(Box<dyn core::GateRegistry>);

#[wasm_bindgen]
impl FenceRegistry {
    /// An empty registry, with an optional jump cap for every gate and `options`
    /// (`{refuseZero, counters}`, each off unless `true`; counters count every stream's checks).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
        options: Option<OptionsInput>,
    ) -> JsResult<FenceRegistry> {
        let cap = opt_u64_from(jump_cap, "jumpCap")?;
        let registry = core::FenceRegistry::new().with_jump_cap(cap);
        Ok(FenceRegistry(wrapped!(
            core::GateRegistry,
            registry,
            options_from(options)?
        )))
    }

    /// Add a stream whose gate starts at `highest` (default 0).
    pub fn add(&self, stream: &Str, highest: Option<U64Input>) -> JsResult<()> {
        let stream = text_from(stream, "stream")?;
        let highest = opt_u64_from(highest, "highest")?;
        self.0.add(&stream, highest.unwrap_or(0)).or_throw()
    }

    /// Judge a record of `stream` stamped with `epoch`.
    pub fn check(&self, stream: &Str, epoch: &U64Input) -> JsResult<Verdict> {
        let stream = text_from(stream, "stream")?;
        self.0
            .check(&stream, u64_from(epoch, "epoch")?)
            .map(Verdict)
            .or_throw()
    }

    /// The boolean form of `check`, with the same effect.
    #[wasm_bindgen(js_name = checkAndAdvance)]
    pub fn check_and_advance(&self, stream: &Str, epoch: &U64Input) -> JsResult<bool> {
        let stream = text_from(stream, "stream")?;
        self.0
            .check_and_advance(&stream, u64_from(epoch, "epoch")?)
            .or_throw()
    }

    /// Promote `stream`'s gate; returns the new epoch.
    pub fn promote(&self, stream: &Str) -> JsResult<u64> {
        self.0.promote(&text_from(stream, "stream")?).or_throw()
    }

    /// Promote `stream`'s gate to max(floor, highest + 1); returns it.
    #[wasm_bindgen(js_name = promoteToAtLeast)]
    pub fn promote_to_at_least(&self, stream: &Str, floor: &U64Input) -> JsResult<u64> {
        let stream = text_from(stream, "stream")?;
        self.0
            .promote_to_at_least(&stream, u64_from(floor, "floor")?)
            .or_throw()
    }

    /// The highest epoch `stream` has accepted.
    pub fn highest(&self, stream: &Str) -> JsResult<u64> {
        self.0.highest(&text_from(stream, "stream")?).or_throw()
    }

    /// Remove `stream`; returns its last highest epoch.
    pub fn remove(&self, stream: &Str) -> JsResult<u64> {
        self.0.remove(&text_from(stream, "stream")?).or_throw()
    }

    /// Whether the registry holds `stream`.
    pub fn contains(&self, stream: &Str) -> JsResult<bool> {
        Ok(self.0.contains(&text_from(stream, "stream")?))
    }

    /// The number of streams.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// The jump cap of every gate, if any.
    #[wasm_bindgen(getter, js_name = jumpCap)]
    pub fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    /// Whether every gate refuses epoch 0 (`INVALID_EPOCH`, before the stream is looked up): the
    /// `refuseZero` option.
    #[wasm_bindgen(getter, js_name = refusesEpochZero)]
    pub fn refuses_epoch_zero(&self) -> bool {
        self.0.refuses_epoch_zero()
    }

    /// How many checks, of every stream, got each verdict (`{CURRENT: 3n, ...}`, a new object
    /// each time) for a registry made with the `counters` option; `undefined` for one that does
    /// not count.
    pub fn counters(&self) -> JsResult<Option<CountersObject>> {
        counters_object(self.0.counters())
    }

    /// Every stream's mark as snapshot JSON text (`{"streams": {"name": "highest"}}`).
    pub fn snapshot(&self) -> String {
        self.0.snapshot().to_json()
    }

    /// Merge snapshot JSON text; never lowers a gate.
    pub fn restore(&self, snapshot: &Str) -> JsResult<()> {
        let text = text_from(snapshot, "snapshot")?;
        let snapshot = core::Snapshot::from_json(&text).or_throw()?;
        self.0.restore(&snapshot).or_throw()
    }
}

thread_local! {
    /// The copy of a history an `EpochHistory` lent while its caller's input was read
    /// (`history_from`), taken at once.
    static LENT: Cell<Option<core::EpochHistory>> = const { Cell::new(None) };
}

/// The epoch history of one log (SEMANTICS.md §15): entries `[epoch, start]` or
/// `[epoch, start, holder]`, epochs and start offsets both strictly increasing. Epochs and
/// offsets are `bigint`. In memory only: durable histories are for servers.
#[wasm_bindgen]
pub struct EpochHistory(core::EpochHistory);

#[wasm_bindgen]
impl EpochHistory {
    /// A history of `entries` (default none), each `[epoch, start]` or `[epoch, start, holder]`
    /// with u64s as bigint or safe numbers, read once; or a copy of another `EpochHistory`.
    /// Epochs and start offsets must both strictly increase (`INVALID_HISTORY`); a holder must
    /// be an id (`INVALID_ID`, `INVALID_UTF8`); anything else is `INVALID_ARGUMENT`.
    #[wasm_bindgen(constructor)]
    pub fn new(entries: Option<EntriesInput>) -> JsResult<EpochHistory> {
        match entries {
            None => Ok(EpochHistory(core::EpochHistory::new())),
            Some(entries) => history_from(&entries, "entries").map(EpochHistory),
        }
    }

    /// Parse the JSON form (`{"entries": [{"epoch": "1", "start_offset": "0", "holder": "a"}]}`);
    /// a malformed history is `INVALID_HISTORY`.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &Str) -> JsResult<EpochHistory> {
        let text = text_from(text, "text")?;
        core::EpochHistory::from_json(&text)
            .map(EpochHistory)
            .or_throw()
    }

    /// The JSON form as a plain object (u64 values as decimal strings, `holder` only where
    /// recorded), so `JSON.stringify(history)` is the core's JSON text.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsResult<HistoryJson> {
        Ok(js_sys::JSON::parse(&self.0.to_json())?.unchecked_into())
    }

    /// Record that the reign `epoch` (held by `holder`, if given) starts at `start`, as Kafka's
    /// assign (SEMANTICS.md §15). Returns whether the history changed; an invalid holder
    /// changes nothing.
    pub fn assign(
        &mut self,
        epoch: &U64Input,
        start: &U64Input,
        holder: Option<Str>,
    ) -> JsResult<bool> {
        let epoch = u64_from(epoch, "epoch")?;
        let start = u64_from(start, "start")?;
        let holder = holder.map(|h| id_from(&h, "holder")).transpose()?;
        self.0.assign(epoch, start, holder.as_deref()).or_throw()
    }

    /// The log was truncated to end at `offset`: every entry starting at or after it goes.
    /// Returns whether the history changed.
    #[wasm_bindgen(js_name = truncateFromEnd)]
    pub fn truncate_from_end(&mut self, offset: &U64Input) -> JsResult<bool> {
        Ok(self.0.truncate_from_end(u64_from(offset, "offset")?))
    }

    /// Retention deleted the records before `offset`: entries wholly before it go and the one
    /// covering it starts at it. Returns whether the history changed.
    #[wasm_bindgen(js_name = truncateFromStart)]
    pub fn truncate_from_start(&mut self, offset: &U64Input) -> JsResult<bool> {
        Ok(self.0.truncate_from_start(u64_from(offset, "offset")?))
    }

    /// The leader's answer to a follower whose latest epoch is `epoch`, for a log ending at
    /// `logEnd`: `[epoch, endOffset]`, or `undefined` above the latest epoch and on an empty
    /// history. `INVALID_HISTORY` when `logEnd` does not fit the history.
    #[wasm_bindgen(js_name = endOffsetFor)]
    pub fn end_offset_for(
        &self,
        epoch: &U64Input,
        #[wasm_bindgen(js_name = logEnd)] log_end: &U64Input,
    ) -> JsResult<Option<EndOffset>> {
        let epoch = u64_from(epoch, "epoch")?;
        let log_end = u64_from(log_end, "logEnd")?;
        let answer = self.0.end_offset_for(epoch, log_end).or_throw()?;
        Ok(answer.map(|(epoch, end)| Array::of2(&epoch.into(), &end.into()).unchecked_into()))
    }

    /// The entries, oldest first: `[epoch, start]`, or `[epoch, start, holder]` where a holder
    /// is recorded (a new array each time).
    #[wasm_bindgen(getter)]
    pub fn entries(&self) -> HistoryEntryList {
        let entries = Array::new();
        for e in self.0.entries() {
            let entry = Array::of2(&e.epoch.into(), &e.start_offset.into());
            if let Some(holder) = &e.holder {
                entry.push(&JsValue::from_str(holder));
            }
            entries.push(&entry);
        }
        entries.unchecked_into()
    }

    /// The latest entry's epoch, `undefined` when the history is empty.
    #[wasm_bindgen(getter, js_name = latestEpoch)]
    pub fn latest_epoch(&self) -> Option<u64> {
        self.0.latest_epoch()
    }

    /// Not API: how a call given this history as an input reads it (a copy, into `LENT`).
    #[wasm_bindgen(js_name = __taelLend, skip_typescript)]
    pub fn lend(&self) {
        LENT.with(|lent| lent.set(Some(self.0.clone())));
    }
}

/// A history given as an input: an `EpochHistory` (which lends a copy of itself) or an array
/// of entries, read once.
fn history_from(value: &JsValue, what: &str) -> JsResult<core::EpochHistory> {
    LENT.with(|lent| lent.set(None));
    let read = read_history(value)?;
    if read.as_bool() == Some(true) {
        // Only an EpochHistory's own method fills the cell.
        return LENT.with(Cell::take).ok_or_else(|| {
            error(
                Status::InvalidArgument,
                &format!(
                    "{what} must be an EpochHistory or an array of entries; it lent no history"
                ),
            )
        });
    }
    if let Some(why) = read.as_string() {
        return Err(error(Status::InvalidArgument, &format!("{what} {why}")));
    }
    let Some(copy) = read.dyn_ref::<Array>() else {
        return Err(error(
            Status::InvalidArgument,
            &format!(
                "{what} must be an EpochHistory or an array of entries [epoch, start] or [epoch, start, holder]"
            ),
        ));
    };
    entries_from(copy, what)
}

/// The history of the entries read (plain arrays no caller's code can change), in order: the
/// first value that is not an entry decides the error.
fn entries_from(copy: &Array, what: &str) -> JsResult<core::EpochHistory> {
    let mut entries = Vec::new();
    entries
        .try_reserve_exact(copy.length() as usize)
        .map_err(|_| {
            error(
                Status::InvalidArgument,
                &format!("{what}: too many entries"),
            )
        })?;
    for (i, entry) in copy.iter().enumerate() {
        let Some(entry) = entry.dyn_ref::<Array>() else {
            let why = entry.as_string().unwrap_or_default();
            return Err(error(
                Status::InvalidArgument,
                &format!("{what}[{i}] {why}: an entry is [epoch, start] or [epoch, start, holder]"),
            ));
        };
        let epoch = u64_of(&entry.get(0))
            .map_err(|why| not_u64(why, &format!("{what}[{i}][0] (epoch)")))?;
        let start_offset = u64_of(&entry.get(1))
            .map_err(|why| not_u64(why, &format!("{what}[{i}][1] (start)")))?;
        let holder = entry.get(2);
        let holder = if holder.is_undefined() || holder.is_null() {
            None
        } else {
            Some(id_from(&holder, &format!("{what}[{i}][2] (holder)"))?)
        };
        entries.push(core::EpochEntry {
            epoch,
            start_offset,
            holder,
        });
    }
    core::EpochHistory::from_entries(entries)
        .map_err(|e| error(e.status(), &format!("{what}: {}", e.message())))
}

/// The length of the prefix two logs share (SEMANTICS.md §15): histories as `EpochHistory`
/// objects or arrays of entries, each with its log's end. `INVALID_HISTORY` when a log end does
/// not fit its history.
#[wasm_bindgen(js_name = divergencePoint)]
pub fn divergence_point(
    leader: &HistoryInput,
    #[wasm_bindgen(js_name = leaderLogEnd)] leader_log_end: &U64Input,
    follower: &HistoryInput,
    #[wasm_bindgen(js_name = followerLogEnd)] follower_log_end: &U64Input,
) -> JsResult<u64> {
    let leader = history_from(leader, "leader")?;
    let leader_log_end = u64_from(leader_log_end, "leaderLogEnd")?;
    let follower = history_from(follower, "follower")?;
    let follower_log_end = u64_from(follower_log_end, "followerLogEnd")?;
    core::divergence_point(&leader, leader_log_end, &follower, follower_log_end).or_throw()
}

/// A follower's truncation step (SEMANTICS.md §15): given its history (an `EpochHistory` or
/// its entries), its log end and the leader's `answer` to `endOffsetFor(latest epoch, leader's
/// log end)` (`[epoch, end]`, or `undefined`/`null` when the leader had none), where to
/// truncate and whether it is done: `{offset, done}`.
#[wasm_bindgen(js_name = followerStep)]
pub fn follower_step(
    follower: &HistoryInput,
    #[wasm_bindgen(js_name = followerLogEnd)] follower_log_end: &U64Input,
    answer: &AnswerInput,
) -> JsResult<TruncationObject> {
    let follower = history_from(follower, "follower")?;
    let follower_log_end = u64_from(follower_log_end, "followerLogEnd")?;
    let answer = if answer.is_undefined() || answer.is_null() {
        None
    } else {
        Some(answer_from(answer)?)
    };
    let step = core::follower_step(&follower, follower_log_end, answer).or_throw()?;
    Ok(truncation_object(step.offset, step.done))
}

/// The leader's answer `[epoch, end]`, read once.
fn answer_from(answer: &JsValue) -> JsResult<(u64, u64)> {
    let read = read_tuple(answer, 2, 2)?;
    let Some(pair) = read.dyn_ref::<Array>() else {
        let why = read.as_string().unwrap_or_default();
        return Err(error(
            Status::InvalidArgument,
            &format!("answer {why}: it is [epoch, end] (as endOffsetFor returns), or undefined"),
        ));
    };
    let epoch = u64_from(&pair.get(0), "answer[0] (epoch)")?;
    let end = u64_from(&pair.get(1), "answer[1] (end)")?;
    Ok((epoch, end))
}

fn policy_from(policy: &JsValue) -> JsResult<core::Policy> {
    if policy.is_undefined() || policy.is_null() {
        return Ok(core::Policy::default());
    }
    let not_a_policy = || {
        error(
            Status::InvalidArgument,
            "policy must be an object or JSON text",
        )
    };
    let text = if policy.is_string() {
        text_from(policy, "policy")?
    } else if policy.is_object() {
        // An array, or an object whose toJSON gives nothing, is not a policy; a getter's or a
        // Proxy trap's exception passes through.
        let text = policy_text(policy)?;
        if text.is_null() {
            return Err(error(
                Status::InvalidPolicy,
                "policy.max_lag must be a bigint, a number that is a safe non-negative integer, or decimal text",
            ));
        }
        text.as_string().ok_or_else(not_a_policy)?
    } else {
        return Err(not_a_policy());
    };
    core::Policy::from_json(&text).or_throw()
}

fn view_from(view: &Str) -> JsResult<core::View> {
    core::View::from_json(&text_from(view, "view")?).or_throw()
}

/// Decide every group of a view given as JSON text (so u64 values are never rounded), under a
/// policy given as an object or JSON text. Returns the pinned decisions, in group-name order.
/// The view's own `policy` is not applied: `policy` decides.
#[wasm_bindgen(js_name = electLeaders)]
pub fn elect_leaders(view: &Str, policy: &PolicyInput) -> JsResult<DecisionList> {
    let view = view_from(view)?;
    let decisions = core::elect_leaders(&view, &policy_from(policy)?).or_throw()?;
    Ok(decision_objects(&decisions))
}

/// The decisions as JavaScript objects, built by `decisionsFrom` from their fields written in
/// two lists (see there): the numbers, and the text fields end to end.
fn decision_objects(decisions: &[core::Decision]) -> DecisionList {
    const NONE: u32 = u32::MAX;
    let mut words: Vec<u32> = Vec::new();
    let mut table = String::new();
    let mut digits = itoa::Buffer::new();
    // A text field: its length in UTF-16 units (what `slice` counts), the text to the table.
    let mut text = |words: &mut Vec<u32>, s: &str| {
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        words.push(u32::try_from(units).unwrap_or(NONE));
        table.push_str(s);
    };
    for d in decisions {
        text(&mut words, &d.group);
        match &d.leader {
            Some(leader) => text(&mut words, leader),
            None => words.push(NONE),
        }
        // A reason's discriminant is its index in `ALL` (the `named!` macro declares both in one
        // order), which `NAMES` lists.
        words.push(d.reason as u32);
        words.push(len_u32(d.excluded.len()));
        for x in &d.excluded {
            text(&mut words, &x.id);
            text(&mut words, digits.format(x.generation));
            words.push(x.reason as u32);
        }
        words.push(d.leader_index.map_or(NONE, len_u32));
        for value in [d.leader_generation, d.leader_epoch] {
            match value {
                Some(v) => text(&mut words, digits.format(v)),
                None => words.push(NONE),
            }
        }
        words.push(len_u32(d.claimants.len()));
        for c in &d.claimants {
            text(&mut words, &c.id);
            text(&mut words, digits.format(c.generation));
            text(&mut words, digits.format(c.claims_epoch));
        }
    }
    NAMES.with(|(reasons, exclusions)| {
        decisions_from_words(
            len_u32(decisions.len()),
            &words,
            &table,
            reasons,
            exclusions,
        )
    })
}

/// A count or index of a view as a word (a view's lists are far shorter than 2^32 in a 32-bit
/// module's memory).
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decisions given as an input: an array of decision objects (as `electLeaders` returns),
/// read once into their JSON text (`decisionsText`).
fn decisions_from(value: &JsValue, what: &str) -> JsResult<String> {
    let read = decisions_text(value)?;
    if let Some(why) = read.as_string() {
        return Err(error(Status::InvalidArgument, &format!("{what}{why}")));
    }
    read.dyn_ref::<Array>()
        .and_then(|text| text.get(0).dyn_into::<JsString>().ok())
        .map(|text| string_of(&text))
        .transpose()?
        .ok_or_else(|| {
            error(
                Status::InvalidArgument,
                &format!("{what} must be an array of decisions (as electLeaders returns)"),
            )
        })
}

/// The leader changes from the decisions `previous` to the decisions `next` (SEMANTICS.md
/// §16), both arrays of decision objects as `electLeaders` returns them (two polls of a
/// cluster): at most one event per group, in group-name order (UTF-8 bytes), as plain objects.
/// A group listed in only one of the arrays counts as leaderless in the other. Each array is
/// read once (its length, each element, then each element's fields); an element that is no
/// decision, or an array that lists a group twice, is `INVALID_ARGUMENT` (`leader_epoch` and
/// `claimants` may be absent, as in decisions written before they existed).
#[wasm_bindgen]
pub fn transitions(previous: &DecisionListInput, next: &DecisionListInput) -> JsResult<EventList> {
    let previous = decisions_from(previous, "previous")?;
    let next = decisions_from(next, "next")?;
    let events = core::transitions_json(&previous, &next).or_throw()?;
    Ok(js_sys::JSON::parse(&events)?.unchecked_into())
}

/// The view as the core reads it, written back canonically: the same JSON with every u64 value
/// as a decimal string, every default written out and the view's `policy` kept, so
/// `JSON.parse` of the result loses nothing. Throws `INVALID_VIEW` for a view the core refuses.
#[wasm_bindgen(js_name = normalizeView)]
pub fn normalize_view(view: &Str) -> JsResult<String> {
    Ok(view_from(view)?.to_json())
}

/// The epoch a newly elected leader of `group` should promote to.
#[wasm_bindgen(js_name = nextEpoch)]
pub fn next_epoch(view: &Str, group: &Str) -> JsResult<u64> {
    let view = view_from(view)?;
    let group = text_from(group, "group")?;
    core::next_epoch(&view, &group).or_throw()
}

/// The rendezvous score of `id` in `group` (SEMANTICS.md §8).
#[wasm_bindgen(js_name = rendezvousScore)]
pub fn rendezvous_score(group: &Str, id: &Str) -> JsResult<u64> {
    Ok(core::rendezvous_score(
        &text_from(group, "group")?,
        &text_from(id, "id")?,
    ))
}

/// Every decision reason, in the order SEMANTICS.md §8 lists them (the core's list).
#[wasm_bindgen(js_name = decisionReasons)]
pub fn decision_reasons() -> DecisionReasonList {
    names(core::Reason::ALL.iter().map(|r| r.name())).unchecked_into()
}

/// Every exclusion reason, in the order SEMANTICS.md §8 lists them (the core's list).
#[wasm_bindgen(js_name = exclusionReasons)]
pub fn exclusion_reasons() -> ExclusionReasonList {
    names(core::Exclusion::ALL.iter().map(|e| e.name())).unchecked_into()
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> JsValue {
    names.map(JsValue::from_str).collect::<Array>().into()
}

/// The package version (the core's).
#[wasm_bindgen]
pub fn version() -> String {
    core::VERSION.to_owned()
}
