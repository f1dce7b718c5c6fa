//! `DurableFencer`, `DurableRegistry` and `DurableHistory`: the core's durable gates and epoch
//! history behind Python handles that own a file. Everything about them is written by
//! `wrap::durable_class!` (their operations are the in-memory classes' wrappers); what is theirs
//! is the family they belong to and their repr.

use pyo3::prelude::*;
use pyo3::types::PyList;
use tael_coord::{
    DurableFencer, DurableHistory, DurableRegistry, EpochGate, EpochLog, GateRegistry,
};

use crate::convert::{to_opt_u64, Flag, Text, U64};
use crate::gates::{cap_repr, PyVerdict};
use crate::history::entries_list;
use crate::registry::{to_snapshot, PySnapshot};
use crate::wrap::{durable_class, Access, AccessMut};

durable_class!(
    /// An epoch gate whose high-water mark lives in a file; advances are on disk before they return.
    epoch_gate! PyDurableFencer("DurableFencer", DurableFencer, "durable gate"),
    |gate| format!("highest={}{}", gate.highest(), cap_repr(gate.jump_cap()))
);

durable_class!(
    /// A fence registry whose marks all live in one file; every change is on disk before it returns.
    registry! PyDurableRegistry("DurableRegistry", DurableRegistry, "durable registry"),
    |registry| format!("streams={}{}", registry.len(), cap_repr(registry.jump_cap()))
);

durable_class!(
    /// An epoch history kept in a file; every change is on disk before it returns.
    epoch_log! PyDurableHistory("DurableHistory", DurableHistory, "durable history", without jump cap),
    |history| format!("entries={}", history.entries().len())
);
