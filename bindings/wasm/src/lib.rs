//! The WebAssembly front of tael-coord: the core's decisions for browsers and Node.
//!
//! This crate only converts between JavaScript values and the core's types. It never lets
//! wasm-bindgen convert an input silently: a `u64` parameter would wrap any BigInt modulo 2^64
//! and a `String` parameter would replace lone surrogates with U+FFFD, so epochs and ids arrive
//! as `JsValue` and are checked here, and anything out of range or malformed is refused with an
//! error whose `code` is the core's status name. wasm32 cannot unwind, so no input may reach a
//! panic: every fallible step returns an error instead.

use js_sys::{Array, JsString, Reflect};
use tael_coord as core;
use tael_coord::Status;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An epoch or other u64 input: a bigint in 0..2^64-1, or a number that is a safe non-negative integer. */
export type U64Input = bigint | number;

/** Election policy toggles, applied in the order of SEMANTICS.md §8; absent means off. */
export interface Policy {
  eligibility?: boolean;
  quorum_guard?: boolean;
  sticky_incumbent?: boolean;
  priority?: boolean;
  rendezvous?: boolean;
}

export type DecisionReason =
  | "only_candidate" | "incumbent" | "priority" | "rendezvous" | "smallest_id"
  | "no_members" | "no_live_members" | "no_eligible_members" | "no_quorum";

export type ExclusionReason =
  | "duplicate" | "dead" | "ineligible" | "no_quorum" | "outranked_by_incumbent"
  | "outranked_by_priority" | "outranked_by_rendezvous" | "outranked_by_smaller_id";

/** A member that is not the leader, and why. `generation` is a decimal string (a u64). */
export interface Excluded {
  id: string;
  generation: string;
  reason: ExclusionReason;
}

/** The decision for one group: the pinned decision JSON of SEMANTICS.md §8. */
export interface Decision {
  group: string;
  leader: string | null;
  reason: DecisionReason;
  excluded: Excluded[];
}

/** The code of every verdict. */
export type VerdictCode = "CURRENT" | "ADVANCED" | "STALE_EPOCH" | "TOO_FAR_AHEAD" | "CONFLICT";

/** The pinned verdict JSON of SEMANTICS.md §5: u64 values as decimal strings. */
export interface VerdictJSON {
  code: VerdictCode;
  accepted: boolean;
  epoch: string;
  highest: string;
  from?: string;
  cap?: string;
  holder?: string;
}

/** Errors thrown by this package carry the core's status name as `code`. */
export interface TaelError extends Error {
  code: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "U64Input")]
    pub type U64Input;
    #[wasm_bindgen(typescript_type = "string[]")]
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
}

// The ids travel into WebAssembly as UTF-16 code units written straight into a scratch buffer
// of this module's memory, U+0000 between ids: one pass in JavaScript, no string glue, no
// allocation. It only moves code units; the core validates and orders. `fillIds` returns the
// number of units written, a larger number than `cap` when the buffer must grow first, or -1
// when `ids` is not an array of strings.
#[wasm_bindgen(inline_js = r#"
let units = null;
export function fillIds(ids, memory, ptr, cap) {
  if (!Array.isArray(ids)) return -1;
  if (units === null || units.buffer !== memory.buffer) units = new Uint16Array(memory.buffer);
  const start = ptr >>> 1;
  const end = start + cap;
  let at = start;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== "string") return -1;
    const n = id.length;
    if (at + n + 1 > end) {
      let total = 0;
      for (const x of ids) total += (typeof x === "string" ? x.length : 0) + 1;
      return Math.max(total, cap + 1);
    }
    if (i > 0) units[at++] = 0;
    for (let k = 0; k < n; k++) units[at + k] = id.charCodeAt(k);
    at += n;
  }
  return at - start;
}

export function isWellFormed(s) {
  return s.isWellFormed();
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = fillIds)]
    fn fill_ids(ids: &JsValue, memory: &JsValue, ptr: u32, cap: u32) -> i32;
    #[wasm_bindgen(js_name = isWellFormed)]
    fn is_well_formed(s: &JsString) -> bool;
}

/// What `electLeader` reuses from call to call (WebAssembly here is single-threaded).
struct Scratch {
    memory: JsValue,
    units: Vec<u16>,
    bytes: Vec<u8>,
    text: String,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch {
        memory: wasm_bindgen::memory(),
        units: vec![0; 256],
        bytes: Vec::with_capacity(256),
        text: String::with_capacity(256),
    });
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

/// A u64 from a bigint in range or a safe non-negative integer number.
fn u64_from(value: &JsValue, what: &str) -> JsResult<u64> {
    if value.is_bigint() {
        return u64::try_from(value.clone()).map_err(|_| {
            error(
                Status::InvalidEpoch,
                &format!("{what} must be in 0..2^64-1"),
            )
        });
    }
    match value.as_f64() {
        // Number.isSafeInteger, and not negative (-0 is 0).
        Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => Ok(n as u64),
        Some(_) => Err(error(
            Status::InvalidEpoch,
            &format!(
                "{what} must be a bigint, or a number that is a safe non-negative integer (pass larger values as bigint)"
            ),
        )),
        None => Err(error(
            Status::InvalidArgument,
            &format!("{what} must be a bigint or a number"),
        )),
    }
}

/// An optional u64: absent (`undefined` or `null`) is `None`.
fn opt_u64_from(value: Option<U64Input>, what: &str) -> JsResult<Option<u64>> {
    value.map(|v| u64_from(&v, what)).transpose()
}

/// A string that must be well-formed UTF-16 (no lone surrogate).
fn text_from(value: &JsValue, what: &str) -> JsResult<String> {
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
    Ok(String::from(s))
}

/// An id: a well-formed string that passes the core's id rules.
fn id_from(value: &JsValue, what: &str) -> JsResult<String> {
    let id = text_from(value, what)?;
    core::validate_id(&id).map_err(|e| error(e.status(), &format!("{what}: {}", e.message())))?;
    Ok(id)
}

/// The smallest id of `ids` (UTF-8 byte order, as every front), or `undefined` when empty.
/// Throws `INVALID_ID`/`INVALID_UTF8` for an invalid id and `INVALID_ARGUMENT` for a value that
/// is not an array of strings.
#[wasm_bindgen(js_name = electLeader)]
pub fn elect_leader(ids: &IdList) -> JsResult<Option<JsString>> {
    SCRATCH.with(|scratch| {
        let Scratch {
            memory,
            units,
            bytes,
            text,
        } = &mut *scratch.borrow_mut();
        let written = loop {
            let cap = u32::try_from(units.len()).unwrap_or(u32::MAX);
            match fill_ids(ids, memory, units.as_mut_ptr() as u32, cap) {
                n if n < 0 => return Err(bad_id_list(ids)),
                n if n as u32 > cap => units.resize(n as usize, 0),
                n => break n as usize,
            }
        };
        // fillIds accepted it, so `ids` is an array of strings.
        let ids: &Array = ids.unchecked_ref();
        let count = ids.length() as usize;
        if count == 0 {
            return Ok(None);
        }
        let units = &units[..written];
        let text: &str = if units.iter().all(|&u| u < 0x80) {
            // ASCII, the common case: one byte per unit.
            bytes.clear();
            bytes.extend(units.iter().map(|&u| u as u8));
            std::str::from_utf8(bytes).map_err(|_| bad_id_list(ids))?
        } else {
            text.clear();
            for c in char::decode_utf16(units.iter().copied()) {
                // A lone surrogate: the slow path names the id.
                text.push(c.map_err(|_| bad_id_list(ids))?);
            }
            text
        };
        if text.bytes().filter(|&b| b == 0).count() + 1 != count {
            // Some id holds U+0000 (a control character), so the parts are not the ids.
            return Err(bad_id_list(ids));
        }
        match core::try_elect_leader(text.split('\0')).map_err(core_error)? {
            Some(index) => Ok(Some(ids.get(index as u32).unchecked_into())),
            None => Ok(None),
        }
    })
}

/// The error for an id list the fast path refused: the first element that is not a
/// well-formed string or not a valid id, in order.
fn bad_id_list(ids: &JsValue) -> JsValue {
    let Some(ids) = ids.dyn_ref::<Array>() else {
        return error(Status::InvalidArgument, "ids must be an array of strings");
    };
    for i in 0..ids.length() {
        if let Err(e) = id_from(&ids.get(i), &format!("ids[{i}]")) {
            return e;
        }
    }
    error(Status::Internal, "the id list was refused without a reason")
}

/// What a gate decided about one record. Epochs are `bigint`.
#[wasm_bindgen]
pub struct Verdict(core::Verdict);

#[wasm_bindgen]
impl Verdict {
    /// `CURRENT`, `ADVANCED`, `STALE_EPOCH`, `TOO_FAR_AHEAD` or `CONFLICT`.
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
        match self.0 {
            core::Verdict::Advanced { from, .. } => Some(from),
            _ => None,
        }
    }

    /// For `TOO_FAR_AHEAD`: the gate's jump cap.
    #[wasm_bindgen(getter)]
    pub fn cap(&self) -> Option<u64> {
        match self.0 {
            core::Verdict::TooFarAhead { cap, .. } => Some(cap),
            _ => None,
        }
    }

    /// For `CONFLICT`: the holder already recorded for the epoch.
    #[wasm_bindgen(getter)]
    pub fn holder(&self) -> Option<String> {
        match &self.0 {
            core::Verdict::Conflict { holder, .. } => Some(holder.clone()),
            _ => None,
        }
    }

    /// The pinned verdict JSON (u64 values as decimal strings).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsResult<VerdictJson> {
        Ok(js_sys::JSON::parse(&self.0.to_json())?.unchecked_into())
    }
}

/// The lock-free epoch gate of a stream: accepts records at or above the highest epoch seen.
#[wasm_bindgen]
pub struct EpochFencer(core::EpochFencer);

#[wasm_bindgen]
impl EpochFencer {
    /// A gate resuming at `highest` (default 0), with an optional jump cap.
    #[wasm_bindgen(constructor)]
    pub fn new(
        highest: Option<U64Input>,
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
    ) -> JsResult<EpochFencer> {
        let highest = opt_u64_from(highest, "highest")?.unwrap_or(0);
        let gate = core::EpochFencer::with_highest(highest);
        Ok(EpochFencer(match opt_u64_from(jump_cap, "jumpCap")? {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        }))
    }

    /// Accept a record stamped with `epoch`? Advances the gate on a higher epoch.
    #[wasm_bindgen(js_name = checkAndAdvance)]
    pub fn check_and_advance(&self, epoch: &U64Input) -> JsResult<bool> {
        Ok(self.0.check_and_advance(u64_from(epoch, "epoch")?))
    }

    /// Judge a record stamped with `epoch`; advances like `checkAndAdvance`.
    pub fn check(&self, epoch: &U64Input) -> JsResult<Verdict> {
        Ok(Verdict(self.0.check(u64_from(epoch, "epoch")?)))
    }

    /// Move one past every epoch seen and return it; throws `EPOCH_OVERFLOW` at 2^64-1.
    pub fn promote(&self) -> JsResult<u64> {
        self.0.promote().map_err(core_error)
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
}

/// The holder-aware gate over `(epoch, holder)` tokens.
#[wasm_bindgen]
pub struct HolderFencer(core::HolderFencer);

#[wasm_bindgen]
impl HolderFencer {
    /// A gate resuming at `highest` (default 0) with no holder, with an optional jump cap.
    #[wasm_bindgen(constructor)]
    pub fn new(
        highest: Option<U64Input>,
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
    ) -> JsResult<HolderFencer> {
        let highest = opt_u64_from(highest, "highest")?.unwrap_or(0);
        let gate = core::HolderFencer::with_highest(highest);
        Ok(HolderFencer(match opt_u64_from(jump_cap, "jumpCap")? {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        }))
    }

    /// Judge a record carrying the token `(epoch, holder)`.
    pub fn check(&self, epoch: &U64Input, holder: &Str) -> JsResult<Verdict> {
        let epoch = u64_from(epoch, "epoch")?;
        let holder = text_from(holder, "holder")?;
        self.0
            .check(epoch, &holder)
            .map(Verdict)
            .map_err(core_error)
    }

    /// `holder` takes a new reign one past the highest epoch; returns it.
    pub fn promote(&self, holder: &Str) -> JsResult<u64> {
        let holder = text_from(holder, "holder")?;
        self.0.promote(&holder).map_err(core_error)
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

    /// The jump cap, if any.
    #[wasm_bindgen(getter, js_name = jumpCap)]
    pub fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }
}

/// Epoch gates keyed by stream name, with snapshots of their high-water marks.
#[wasm_bindgen]
pub struct FenceRegistry(core::FenceRegistry);

#[wasm_bindgen]
impl FenceRegistry {
    /// An empty registry, with an optional jump cap for every gate.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = jumpCap)] jump_cap: Option<U64Input>,
    ) -> JsResult<FenceRegistry> {
        let registry = core::FenceRegistry::new();
        Ok(FenceRegistry(match opt_u64_from(jump_cap, "jumpCap")? {
            Some(cap) => registry.with_jump_cap(cap),
            None => registry,
        }))
    }

    /// Add a stream whose gate starts at `highest` (default 0).
    pub fn add(&self, stream: &Str, highest: Option<U64Input>) -> JsResult<()> {
        let stream = text_from(stream, "stream")?;
        let highest = opt_u64_from(highest, "highest")?.unwrap_or(0);
        self.0.add(&stream, highest).map_err(core_error)
    }

    /// Judge a record of `stream` stamped with `epoch`.
    pub fn check(&self, stream: &Str, epoch: &U64Input) -> JsResult<Verdict> {
        let stream = text_from(stream, "stream")?;
        let epoch = u64_from(epoch, "epoch")?;
        self.0
            .check(&stream, epoch)
            .map(Verdict)
            .map_err(core_error)
    }

    /// Promote `stream`'s gate; returns the new epoch.
    pub fn promote(&self, stream: &Str) -> JsResult<u64> {
        let stream = text_from(stream, "stream")?;
        self.0.promote(&stream).map_err(core_error)
    }

    /// The highest epoch `stream` has accepted.
    pub fn highest(&self, stream: &Str) -> JsResult<u64> {
        let stream = text_from(stream, "stream")?;
        self.0.highest(&stream).map_err(core_error)
    }

    /// Remove `stream`; returns its last highest epoch.
    pub fn remove(&self, stream: &Str) -> JsResult<u64> {
        let stream = text_from(stream, "stream")?;
        self.0.remove(&stream).map_err(core_error)
    }

    /// The number of streams.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// Every stream's mark as snapshot JSON text (`{"streams": {"name": "highest"}}`).
    pub fn snapshot(&self) -> String {
        self.0.snapshot().to_json()
    }

    /// Merge snapshot JSON text; never lowers a gate.
    pub fn restore(&self, snapshot: &Str) -> JsResult<()> {
        let text = text_from(snapshot, "snapshot")?;
        let snapshot = core::Snapshot::from_json(&text).map_err(core_error)?;
        self.0.restore(&snapshot).map_err(core_error)
    }
}

fn policy_from(policy: &JsValue) -> JsResult<core::Policy> {
    if policy.is_undefined() || policy.is_null() {
        return Ok(core::Policy::default());
    }
    let text = if policy.is_string() {
        text_from(policy, "policy")?
    } else if policy.is_object() && !Array::is_array(policy) {
        let json = js_sys::JSON::stringify(policy)
            .map_err(|_| error(Status::InvalidPolicy, "policy cannot be written as JSON"))?;
        String::from(json)
    } else {
        return Err(error(
            Status::InvalidArgument,
            "policy must be an object or JSON text",
        ));
    };
    core::Policy::from_json(&text).map_err(core_error)
}

/// Decide every group of a view given as JSON text (so u64 values are never rounded), under a
/// policy given as an object or JSON text. Returns the pinned decisions, in group-name order.
#[wasm_bindgen(js_name = electLeaders)]
pub fn elect_leaders(view: &Str, policy: &PolicyInput) -> JsResult<DecisionList> {
    let view = text_from(view, "view")?;
    let view = core::View::from_json(&view).map_err(core_error)?;
    let decisions = core::elect_leaders(&view, &policy_from(policy)?).map_err(core_error)?;
    Ok(js_sys::JSON::parse(&core::decisions_to_json(&decisions))?.unchecked_into())
}

/// The view as the core reads it, written back canonically: the same JSON with every u64 value
/// as a decimal string and every default written out, so `JSON.parse` of the result loses
/// nothing. Throws `INVALID_VIEW` for a view the core refuses.
#[wasm_bindgen(js_name = normalizeView)]
pub fn normalize_view(view: &Str) -> JsResult<String> {
    let view = core::View::from_json(&text_from(view, "view")?).map_err(core_error)?;
    Ok(view.to_json())
}

/// The epoch a newly elected leader of `group` should promote to.
#[wasm_bindgen(js_name = nextEpoch)]
pub fn next_epoch(view: &Str, group: &Str) -> JsResult<u64> {
    let view = core::View::from_json(&text_from(view, "view")?).map_err(core_error)?;
    let group = text_from(group, "group")?;
    core::next_epoch(&view, &group).map_err(core_error)
}

/// The rendezvous score of `id` in `group` (SEMANTICS.md §8).
#[wasm_bindgen(js_name = rendezvousScore)]
pub fn rendezvous_score(group: &Str, id: &Str) -> JsResult<u64> {
    Ok(core::rendezvous_score(
        &text_from(group, "group")?,
        &text_from(id, "id")?,
    ))
}

/// The package version (the core's).
#[wasm_bindgen]
pub fn version() -> String {
    core::VERSION.to_owned()
}
