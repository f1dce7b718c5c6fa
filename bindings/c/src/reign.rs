//! The reign lifecycle (SEMANTICS.md §16): whether a reign is established by its group's gates.

use tael::{Result, Verdict};

use crate::guard;
use crate::ops;
use crate::status::TaelStatus;
use crate::verdict::TaelVerdict;

/// Whether the reign at `epoch` is established: admitted by a strict majority of its group's
/// `configured` gates (SEMANTICS.md §16). An accepted verdict (CURRENT or ADVANCED) at `epoch`
/// is one vote; any other verdict is none. Established when the votes, times 2, are above
/// `configured`. Any two strict majorities of a group share a gate, and a holder gate admits
/// one holder per epoch, so at most one reign per epoch is established, provided the gates keep
/// their votes (durable holder gates) and `configured` is the size agreed for the epoch.
///
/// \param epoch The reign's epoch.
/// \param verdicts The verdicts the reign's token (`epoch` and its holder) got, one per
///        distinct holder gate of the group (a gate asked twice: its latest verdict), as
///        tael_holder_fencer_check wrote them; may be NULL when `len` is 0 (no vote).
/// \param len The number of verdicts.
/// \param configured The group's configured size.
/// \param out_established Receives whether the reign is established.
/// \retval TAEL_STATUS_OK `*out_established` is set.
/// \retval TAEL_STATUS_INVALID_ARGUMENT A verdict's `code` is not a verdict's, or its `accepted`
///         disagrees with the code (the last error names the verdict's index); or `len` is
///         larger than any array.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID A CONFLICT verdict's `holder` is not
///         an id (the last error names its index).
/// \retval TAEL_STATUS_NULL_POINTER `out_established` is NULL, or `verdicts` is NULL with
///         `len > 0`.
///
/// Each verdict is read by its code: `epoch`, and `highest`, `from`, `cap` or `holder` where
/// the code has them (as TaelVerdict documents); the other fields are ignored.
///
/// Pure: reads its inputs only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `verdicts` is NULL or points to `len` readable verdicts; `out_established` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn tael_established(
    epoch: u64,
    verdicts: *const TaelVerdict,
    len: usize,
    configured: u64,
    out_established: *mut bool,
) -> TaelStatus {
    let established = || {
        // SAFETY: the caller's contract above.
        let given = unsafe { guard::array(verdicts, len, "verdicts") }?;
        let verdicts = given
            .iter()
            .enumerate()
            .map(|(i, v)| v.core_verdict(&format!("verdicts[{i}]")))
            .collect::<Result<Vec<Verdict>>>()?;
        Ok(tael::established(epoch, &verdicts, configured))
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_established, "out_established"), established) }
}
