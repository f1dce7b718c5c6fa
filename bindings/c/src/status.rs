//! The status every call returns: one number per status of the core's table.

use tael::Status;

/// The outcome of a call: 0 (`TAEL_STATUS_OK`) or one of the `TAEL_STATUS_*` numbers below,
/// which are the core's status table (SEMANTICS.md §10) and never change meaning.
///
/// A plain `uint32_t`, so every integer is a valid `TaelStatus`: functions that take one
/// answer for a number they do not know (`tael_status_name` says "UNKNOWN").
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaelStatus(pub u32);

/// The call succeeded.
pub const TAEL_STATUS_OK: TaelStatus = TaelStatus(0);
/// Verdict: the epoch equals the gate's highest (and, on a holder gate, the holder matches); accepted.
pub const TAEL_STATUS_CURRENT: TaelStatus = TaelStatus(1);
/// Verdict: the epoch is above the gate's highest; accepted, and the gate moved up to it.
pub const TAEL_STATUS_ADVANCED: TaelStatus = TaelStatus(2);
/// Verdict: the epoch is below the gate's highest; rejected.
pub const TAEL_STATUS_STALE_EPOCH: TaelStatus = TaelStatus(3);
/// Verdict: the epoch is more than the gate's jump cap above its highest; rejected.
pub const TAEL_STATUS_TOO_FAR_AHEAD: TaelStatus = TaelStatus(4);
/// Verdict: a holder gate saw its current epoch from a holder other than the recorded one; rejected.
pub const TAEL_STATUS_CONFLICT: TaelStatus = TaelStatus(5);
/// No member can lead (in C: an empty id list).
pub const TAEL_STATUS_NO_LEADER: TaelStatus = TaelStatus(6);
/// Promoting would pass 2^64-1; nothing changed.
pub const TAEL_STATUS_EPOCH_OVERFLOW: TaelStatus = TaelStatus(7);
/// An id breaks the id rules (empty, over TAEL_MAX_ID_BYTES bytes, control character).
pub const TAEL_STATUS_INVALID_ID: TaelStatus = TaelStatus(8);
/// Text that is not well-formed UTF-8.
pub const TAEL_STATUS_INVALID_UTF8: TaelStatus = TaelStatus(9);
/// A u64 value written as text that is out of range or not canonical decimal.
pub const TAEL_STATUS_INVALID_EPOCH: TaelStatus = TaelStatus(10);
/// A membership view that is not valid JSON or does not follow the view schema.
pub const TAEL_STATUS_INVALID_VIEW: TaelStatus = TaelStatus(11);
/// A policy that is not valid JSON or does not follow the policy schema.
pub const TAEL_STATUS_INVALID_POLICY: TaelStatus = TaelStatus(12);
/// A registry snapshot that is not valid JSON or does not follow the snapshot schema.
pub const TAEL_STATUS_INVALID_SNAPSHOT: TaelStatus = TaelStatus(13);
/// The view has no group of that name.
pub const TAEL_STATUS_UNKNOWN_GROUP: TaelStatus = TaelStatus(14);
/// The registry has no stream of that name.
pub const TAEL_STATUS_UNKNOWN_STREAM: TaelStatus = TaelStatus(15);
/// The registry already has a stream of that name.
pub const TAEL_STATUS_STREAM_EXISTS: TaelStatus = TaelStatus(16);
/// A required pointer was NULL; nothing changed.
pub const TAEL_STATUS_NULL_POINTER: TaelStatus = TaelStatus(17);
/// The caller's buffer is too small: nothing was written but the answer's length without its
/// NUL (the buffer needs one byte more).
pub const TAEL_STATUS_BUFFER_TOO_SMALL: TaelStatus = TaelStatus(18);
/// An argument out of the range the call can take (e.g. a length above PTRDIFF_MAX).
pub const TAEL_STATUS_INVALID_ARGUMENT: TaelStatus = TaelStatus(19);
/// An internal failure that should never happen (e.g. a caught panic); please report it.
pub const TAEL_STATUS_INTERNAL: TaelStatus = TaelStatus(20);
/// The file a gate, registry or history is kept in could not be used: missing (and not asked
/// to create), unreadable, corrupt, locked by another owner, or a write, fsync or rename failed;
/// nothing moved.
pub const TAEL_STATUS_STORAGE: TaelStatus = TaelStatus(21);
/// An epoch history that breaks its rules (SEMANTICS.md §15): epochs or start offsets not
/// strictly increasing, an entry starting beyond its log's end, an empty history whose log end
/// is above 0, or JSON that is not a history.
pub const TAEL_STATUS_INVALID_HISTORY: TaelStatus = TaelStatus(22);
/// Verdict: a holder gate saw a token of a reign its holder closed (tael_holder_fencer_close);
/// rejected.
pub const TAEL_STATUS_CLOSED: TaelStatus = TaelStatus(23);
/// An epoch history has no answer: an end offset asked for an epoch above its latest, or of an
/// empty history; the latest epoch of an empty history. Nothing was written.
pub const TAEL_STATUS_UNDEFINED_EPOCH: TaelStatus = TaelStatus(24);

impl From<Status> for TaelStatus {
    fn from(status: Status) -> Self {
        TaelStatus(status.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every TAEL_STATUS_* constant, with its name taken from its own identifier.
    macro_rules! constants {
        ($($c:ident),* $(,)?) => {
            vec![$((stringify!($c).strip_prefix("TAEL_STATUS_").unwrap(), $c)),*]
        };
    }

    fn constants() -> Vec<(&'static str, TaelStatus)> {
        constants![
            TAEL_STATUS_OK,
            TAEL_STATUS_CURRENT,
            TAEL_STATUS_ADVANCED,
            TAEL_STATUS_STALE_EPOCH,
            TAEL_STATUS_TOO_FAR_AHEAD,
            TAEL_STATUS_CONFLICT,
            TAEL_STATUS_NO_LEADER,
            TAEL_STATUS_EPOCH_OVERFLOW,
            TAEL_STATUS_INVALID_ID,
            TAEL_STATUS_INVALID_UTF8,
            TAEL_STATUS_INVALID_EPOCH,
            TAEL_STATUS_INVALID_VIEW,
            TAEL_STATUS_INVALID_POLICY,
            TAEL_STATUS_INVALID_SNAPSHOT,
            TAEL_STATUS_UNKNOWN_GROUP,
            TAEL_STATUS_UNKNOWN_STREAM,
            TAEL_STATUS_STREAM_EXISTS,
            TAEL_STATUS_NULL_POINTER,
            TAEL_STATUS_BUFFER_TOO_SMALL,
            TAEL_STATUS_INVALID_ARGUMENT,
            TAEL_STATUS_INTERNAL,
            TAEL_STATUS_STORAGE,
            TAEL_STATUS_INVALID_HISTORY,
            TAEL_STATUS_CLOSED,
            TAEL_STATUS_UNDEFINED_EPOCH,
        ]
    }

    #[test]
    fn constants_match_the_core_table() {
        let constants = constants();
        assert_eq!(
            constants.len(),
            Status::ALL.len(),
            "one constant per status"
        );
        for (status, (name, constant)) in Status::ALL.iter().zip(constants) {
            assert_eq!(name, status.name(), "constants are in the core's order");
            assert_eq!(constant.0, status.number(), "TAEL_STATUS_{name}");
            assert_eq!(TaelStatus::from(*status), constant);
        }
    }
}
