//! The options a gate, holder gate or registry is made with (`TaelGateOptions`), and the one
//! place they are applied: the jump cap by the maker of the core's gate ([`Options::cap`]), then
//! the core's `RefuseZero` and `Counting` around it ([`Options::gate`] and its neighbours), in
//! the order the core suggests, `Counting::new(RefuseZero(gate))`.

use tael::{Counting, EpochGate, GateRegistry, HolderGate, RefuseZero};

/// How a gate, holder gate or registry is made (tael_fencer_new_with_options,
/// tael_holder_fencer_new_with_options, tael_registry_new_with_options and their _open_ forms).
/// All zero (`TaelGateOptions options = {0};`), like a NULL pointer, is the defaults: no jump
/// cap, epoch 0 accepted, no counters. The options belong to the handle: a file keeps only the
/// gate's state.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaelGateOptions {
    /// Whether the gate has the jump cap `jump_cap`.
    pub has_jump_cap: bool,
    /// With `has_jump_cap`: a record more than `jump_cap` above the highest is TOO_FAR_AHEAD
    /// (as tael_fencer_new_with_jump_cap; on a registry, every stream's gate). Ignored otherwise.
    pub jump_cap: u64,
    /// Refuse epoch 0, which several fencing systems reserve to mean "unfenced" (SEMANTICS.md
    /// §5): every call offered epoch 0 (a check, tael_*_check_and_advance, a holder gate's
    /// close and adopt) is TAEL_STATUS_INVALID_EPOCH before anything else is looked at (the
    /// holder, the stream), and changes nothing. A gate may still start at 0; promotions never
    /// reach it. Read back with tael_*_refuses_epoch_zero.
    pub refuse_zero: bool,
    /// Count the verdicts of the gate's checks (SEMANTICS.md §16), read with tael_*_counters.
    /// The counts start at 0 with the handle and are not part of the gate's state (nor of its
    /// file or snapshot).
    pub counters: bool,
}

/// The options of one call, read once.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Options(TaelGateOptions);

/// `impl Options { fn $name<G: $trait>(gate) -> Box<dyn $trait> }`: the gate itself, in
/// `RefuseZero`, in `Counting`, or in both, each kind a type of its own (no second box).
macro_rules! dress {
    ($name:ident, $trait:ident) => {
        /// The core's gate with these options' `refuse_zero` and `counters` applied (its jump
        /// cap, [`Options::cap`], is the maker's to set).
        pub(crate) fn $name<G: $trait + 'static>(self, gate: G) -> Box<dyn $trait> {
            match (self.0.refuse_zero, self.0.counters) {
                (false, false) => Box::new(gate),
                (true, false) => Box::new(RefuseZero(gate)),
                (false, true) => Box::new(Counting::new(gate)),
                (true, true) => Box::new(Counting::new(RefuseZero(gate))),
            }
        }
    };
}

impl Options {
    /// The options at `p`, copied once; NULL is the defaults.
    ///
    /// # Safety
    ///
    /// `p` is NULL or readable for one `TaelGateOptions`.
    pub(crate) unsafe fn read(p: *const TaelGateOptions) -> Options {
        // SAFETY: the caller's contract above.
        Options(unsafe { p.as_ref() }.copied().unwrap_or_default())
    }

    /// Only a jump cap (the older constructors' options).
    pub(crate) fn capped(cap: Option<u64>) -> Options {
        Options(TaelGateOptions {
            has_jump_cap: cap.is_some(),
            jump_cap: cap.unwrap_or(0),
            ..TaelGateOptions::default()
        })
    }

    /// Whether the gate is wrapped (refusing epoch 0, or counting its verdicts).
    pub(crate) fn dresses(self) -> bool {
        self.0.refuse_zero || self.0.counters
    }

    /// The jump cap, `None` for none.
    pub(crate) fn cap(self) -> Option<u64> {
        self.0.has_jump_cap.then_some(self.0.jump_cap)
    }

    dress!(gate, EpochGate);
    dress!(holder_gate, HolderGate);
    dress!(registry, GateRegistry);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tael::{EpochFencer, FenceRegistry, HolderFencer, Status};

    fn options(refuse_zero: bool, counters: bool) -> Options {
        Options(TaelGateOptions {
            refuse_zero,
            counters,
            ..TaelGateOptions::default()
        })
    }

    #[test]
    fn every_combination_is_the_cores_wrapper() {
        for (zero, count) in [(false, false), (true, false), (false, true), (true, true)] {
            let o = options(zero, count);
            let gate = o.gate(EpochFencer::new());
            let holder = o.holder_gate(HolderFencer::new());
            let registry = o.registry(FenceRegistry::new());
            assert_eq!(gate.refuses_epoch_zero(), zero);
            assert_eq!(holder.refuses_epoch_zero(), zero);
            assert_eq!(registry.refuses_epoch_zero(), zero);
            assert_eq!(gate.check(0).is_err(), zero);
            assert_eq!(holder.close(0, "a").is_err(), zero);
            registry.add("s", 0).unwrap();
            let refused = registry.check("nope", 0).unwrap_err().status();
            assert_eq!(
                refused,
                if zero {
                    Status::InvalidEpoch
                } else {
                    Status::UnknownStream
                },
                "epoch 0 is refused before the stream is looked up"
            );
            assert_eq!(gate.check(1).unwrap().status(), Status::Advanced);
            assert_eq!(gate.counters().map(|c| c.advanced), count.then_some(1));
            assert_eq!(holder.counters().is_some(), count);
            assert_eq!(registry.counters().is_some(), count);
        }
    }

    #[test]
    fn null_is_the_defaults_and_the_cap_is_read_back() {
        // SAFETY: NULL is allowed.
        let o = unsafe { Options::read(std::ptr::null()) };
        assert_eq!(o.0, TaelGateOptions::default());
        assert_eq!(o.cap(), None);
        let given = TaelGateOptions {
            has_jump_cap: true,
            jump_cap: 0,
            refuse_zero: true,
            counters: false,
        };
        // SAFETY: a live struct.
        let o = unsafe { Options::read(&given) };
        assert_eq!(o.cap(), Some(0), "a cap of 0 is a cap");
        assert_eq!(Options::capped(Some(7)).cap(), Some(7));
        assert_eq!(Options::capped(None).0, TaelGateOptions::default());
    }
}
