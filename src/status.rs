//! The one table of status names and numbers that every front reports.

use std::fmt;

macro_rules! statuses {
    ($( $(#[$doc:meta])* $variant:ident = $number:literal, $name:literal; )*) => {
        /// Every verdict and error the core can report, with a stable bare name and number.
        ///
        /// The numbers are part of the C ABI and the names are the `code` of every Python
        /// exception and JavaScript error; neither ever changes meaning. SEMANTICS.md lists them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum Status {
            $( $(#[$doc])* $variant = $number, )*
        }

        impl Status {
            /// Every status, in numeric order.
            pub const ALL: &'static [Status] = &[$(Status::$variant),*];

            /// The stable bare name, e.g. `"STALE_EPOCH"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Status::$variant => $name, )*
                }
            }

            /// The stable number (0 is `OK`).
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The status with this number, if there is one.
            pub const fn from_number(number: u32) -> Option<Status> {
                match number {
                    $( $number => Some(Status::$variant), )*
                    _ => None,
                }
            }

            /// The status with this bare name, if there is one.
            pub fn from_name(name: &str) -> Option<Status> {
                match name {
                    $( $name => Some(Status::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

statuses! {
    /// The call succeeded.
    Ok = 0, "OK";
    /// Verdict: the epoch equals the gate's highest (and, on a holder gate, the holder matches); accepted.
    Current = 1, "CURRENT";
    /// Verdict: the epoch is above the gate's highest; accepted, and the gate moved up to it.
    Advanced = 2, "ADVANCED";
    /// Verdict: the epoch is below the gate's highest; rejected.
    StaleEpoch = 3, "STALE_EPOCH";
    /// Verdict: the epoch is more than the gate's jump cap above its highest; rejected.
    TooFarAhead = 4, "TOO_FAR_AHEAD";
    /// Verdict: a holder gate saw its current epoch from a holder other than the recorded one; rejected.
    Conflict = 5, "CONFLICT";
    /// No member can lead (no ids given; or a group without a leader).
    NoLeader = 6, "NO_LEADER";
    /// Promoting would pass 2^64-1; nothing changed.
    EpochOverflow = 7, "EPOCH_OVERFLOW";
    /// A node, group or stream id breaks the id rules (empty, too long, control character).
    InvalidId = 8, "INVALID_ID";
    /// Text that is not well-formed Unicode: invalid UTF-8 bytes, or a lone UTF-16 surrogate.
    InvalidUtf8 = 9, "INVALID_UTF8";
    /// An epoch or other u64 value that is negative, too large, fractional or not canonical.
    InvalidEpoch = 10, "INVALID_EPOCH";
    /// A membership view that is not valid JSON or does not follow the view schema.
    InvalidView = 11, "INVALID_VIEW";
    /// A policy that is not valid JSON or does not follow the policy schema.
    InvalidPolicy = 12, "INVALID_POLICY";
    /// A registry snapshot that is not valid JSON or does not follow the snapshot schema.
    InvalidSnapshot = 13, "INVALID_SNAPSHOT";
    /// The view has no group of that name.
    UnknownGroup = 14, "UNKNOWN_GROUP";
    /// The registry has no stream of that name.
    UnknownStream = 15, "UNKNOWN_STREAM";
    /// The registry already has a stream of that name.
    StreamExists = 16, "STREAM_EXISTS";
    /// A required pointer was NULL (C front).
    NullPointer = 17, "NULL_POINTER";
    /// A caller's buffer is too small for the answer (C front); nothing was written but the
    /// answer's length without its NUL (the buffer needs one byte more).
    BufferTooSmall = 18, "BUFFER_TOO_SMALL";
    /// An argument of the wrong type or shape for the front (e.g. a string where a list belongs).
    InvalidArgument = 19, "INVALID_ARGUMENT";
    /// An internal failure that should never happen (e.g. a caught panic); please report it.
    Internal = 20, "INTERNAL";
    /// A durable gate's file could not be used: missing (and not asked to create), unreadable,
    /// corrupt (bad header, checksum or contents), locked by another owner, or a write, fsync or
    /// rename failed. The gate's mark never moved without its file.
    Storage = 21, "STORAGE";
    /// An epoch history that breaks its rules: reigns or start offsets not strictly increasing,
    /// an entry starting beyond its log's end, records with no reign (an empty history with a
    /// log end above 0), or JSON that is not a history.
    InvalidHistory = 22, "INVALID_HISTORY";
    /// Verdict: a holder gate saw a token of a reign its holder closed; rejected.
    Closed = 23, "CLOSED";
    /// C front: an epoch history has no answer (an end offset asked for an epoch above its
    /// latest, or of an empty history; the latest epoch of an empty history). Python answers
    /// `None` and JavaScript `undefined`.
    UndefinedEpoch = 24, "UNDEFINED_EPOCH";
}

impl Status {
    /// Whether this status is a verdict of a gate (as opposed to a call's outcome).
    pub const fn is_verdict(self) -> bool {
        matches!(
            self,
            Status::Current
                | Status::Advanced
                | Status::StaleEpoch
                | Status::TooFarAhead
                | Status::Conflict
                | Status::Closed
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.number() as usize, i, "numbers are dense and in order");
            assert_eq!(Status::from_number(s.number()), Some(*s));
            assert_eq!(Status::from_name(s.name()), Some(*s));
            assert_eq!(s.to_string(), s.name(), "a status displays as its name");
        }
        assert_eq!(Status::from_number(Status::ALL.len() as u32), None);
        assert_eq!(Status::from_name("stale_epoch"), None);
    }
}
