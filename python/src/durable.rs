//! `DurableFencer`, `DurableHolderFencer`, `DurableRegistry` and `DurableHistory`: the core's
//! durable gates and epoch history behind Python handles that own a file. Everything about them
//! is written by `wrap::durable_class!` (their operations are the in-memory classes' wrappers,
//! their options the in-memory gates'); what is theirs is the family they belong to and their
//! repr.

use pyo3::prelude::*;
use pyo3::types::PyList;
use tael_coord::{
    DurableFencer, DurableHistory, DurableHolderFencer, DurableRegistry, EpochGate, EpochLog,
    GateRegistry, HolderGate,
};

use crate::convert::{to_opt_u64, Flag, Text, U64};
use crate::gates::{cap_repr, py_str_repr, PyVerdict};
use crate::history::entries_list;
use crate::registry::{to_snapshot, PySnapshot};
use crate::wrap::{
    durable_class, Access, AccessMut, AnyEpochGate, AnyHolderGate, AnyRegistry, Options,
};

durable_class!(
    /// An epoch gate whose high-water mark lives in a file; advances are on disk before they return.
    epoch_gate! PyDurableFencer("DurableFencer", DurableFencer as AnyEpochGate, "durable gate"),
    |_py, gate| format!(
        "highest={}{}{}",
        gate.highest(),
        cap_repr(gate.jump_cap()),
        Options::repr(gate.refuses_epoch_zero(), gate.counters().is_some())
    )
);

durable_class!(
    /// A holder gate whose reign (highest epoch, holder, closed) lives in a file: its vote
    /// survives a restart. Every change is on disk before it returns.
    holder_gate! PyDurableHolderFencer(
        "DurableHolderFencer",
        DurableHolderFencer as AnyHolderGate,
        "durable holder gate"
    ),
    |py, gate| {
        let (highest, holder) = gate.state();
        let holder = holder.map_or_else(String::new, |h| format!(", holder={}", py_str_repr(py, &h)));
        let closed = if gate.closed() { ", reign_closed=True" } else { "" };
        format!(
            "highest={highest}{holder}{closed}{}{}",
            cap_repr(gate.jump_cap()),
            Options::repr(gate.refuses_epoch_zero(), gate.counters().is_some())
        )
    }
);

durable_class!(
    /// A fence registry whose marks all live in one file; every change is on disk before it returns.
    registry! PyDurableRegistry("DurableRegistry", DurableRegistry as AnyRegistry, "durable registry"),
    |_py, registry| format!(
        "streams={}{}{}",
        registry.len(),
        cap_repr(registry.jump_cap()),
        Options::repr(registry.refuses_epoch_zero(), registry.counters().is_some())
    )
);

durable_class!(
    /// An epoch history kept in a file; every change is on disk before it returns.
    epoch_log! PyDurableHistory("DurableHistory", DurableHistory, "durable history", without jump cap),
    |_py, history| format!("entries={}", history.entries().len())
);
