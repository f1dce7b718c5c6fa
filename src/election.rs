//! Ids and the smallest-id election.

use crate::{Error, Result, Status};

/// The longest id, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 255;

/// Check that `id` is a valid node, group or stream id: 1 to [`MAX_ID_BYTES`] bytes of UTF-8
/// with no control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F).
///
/// Ids are compared as they are: no trimming, no case folding, no Unicode normalization.
#[inline]
pub fn validate_id(id: &str) -> Result<()> {
    // The common case inline: a length in range and no byte that may start a control character.
    if id.is_empty() || id.len() > MAX_ID_BYTES || may_hold_control(id.as_bytes()) {
        return check_suspect_id(id);
    }
    Ok(())
}

/// The exact checks, for an id the fast test could not pass.
#[cold]
#[inline(never)]
fn check_suspect_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::new(Status::InvalidId, "id is empty"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(Error::new(
            Status::InvalidId,
            format!("id is {} bytes long; the limit is {MAX_ID_BYTES}", id.len()),
        ));
    }
    if let Some((at, c)) = id.char_indices().find(|(_, c)| c.is_control()) {
        return Err(Error::new(
            Status::InvalidId,
            format!("id has control character U+{:04X} at byte {at}", c as u32),
        ));
    }
    Ok(())
}

/// Whether `bytes` may hold a control character. Cc is U+0000–U+001F and U+007F (one byte
/// each) and U+0080–U+009F (0xC2 then 0x80–0x9F), so a byte below 0x20, 0x7F or 0xC2 is
/// suspect; eight bytes are tested at a time, the last word overlapping the one before it (a
/// short id is padded with spaces, which are not suspect), so no byte is tested alone. A false
/// alarm only costs the exact search.
#[inline]
fn may_hold_control(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Non-zero when some byte of `x` is below `n` (n <= 0x80).
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let suspect = |word: &[u8; 8]| {
        let x = u64::from_le_bytes(*word);
        below(x, 0x20) | below(x ^ (ONES * 0x7f), 1) | below(x ^ (ONES * 0xc2), 1)
    };
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        // Most ids: two words, overlapping unless 16 bytes long.
        (Some(first), Some(last)) if bytes.len() <= 16 => suspect(first) | suspect(last) != 0,
        (Some(_), Some(last)) => {
            let (words, _) = bytes.as_chunks::<8>();
            words
                .iter()
                .fold(suspect(last), |found, word| found | suspect(word))
                != 0
        }
        _ => {
            // Fewer than eight bytes, padded with spaces.
            let pad = (ONES * u64::from(b' ')) & !low_bytes(bytes.len());
            suspect(&(short_word(bytes) | pad).to_le_bytes()) != 0
        }
    }
}

/// The bytes of a slice of fewer than eight as a little-endian word, zero-padded: two
/// overlapping loads rather than a copy of a variable length (a call in WebAssembly).
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        let (first, last) = (u32::from_le_bytes(*first), u32::from_le_bytes(*last));
        return u64::from(first) | u64::from(last) << (8 * (n - 4));
    }
    if let (Some(first), Some(last)) = (bytes.first_chunk::<2>(), bytes.last_chunk::<2>()) {
        let (first, last) = (u16::from_le_bytes(*first), u16::from_le_bytes(*last));
        return u64::from(first) | u64::from(last) << (8 * (n - 2));
    }
    bytes.first().map_or(0, |&b| u64::from(b))
}

/// A mask of the low `n` bytes of a word (`n` < 8).
#[inline]
fn low_bytes(n: usize) -> u64 {
    (1u64 << (8 * n)) - 1
}

/// Check that `bytes` are a valid id (well-formed UTF-8 first, then [`validate_id`]) and borrow
/// them as text. This is how fronts that receive raw bytes (C) enter the core.
pub fn validate_id_bytes(bytes: &[u8]) -> Result<&str> {
    let id = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            Status::InvalidUtf8,
            format!("id is not valid UTF-8 (bad byte at {})", e.valid_up_to()),
        )
    })?;
    validate_id(id)?;
    Ok(id)
}

/// Elect the leader of a replication group from its **live** members: the smallest node id
/// wins (byte order of UTF-8). Every node that sees the same live set picks the same leader.
///
/// Returns `None` only when there are no live members.
///
/// This is the original, total function: it does not check ids (an empty id would win).
/// Fronts and new code use [`try_elect_leader`], which refuses invalid ids.
pub fn elect_leader(live_node_ids: &[String]) -> Option<&String> {
    live_node_ids.iter().min()
}

/// Elect the smallest valid id, returning the index of its first occurrence, or `None` when
/// `ids` is empty.
///
/// Every id is validated, not only the winner: one invalid id fails the whole election with
/// [`Status::InvalidId`], so a caller never acts on a decision made over garbage.
pub fn try_elect_leader<I, S>(ids: I) -> Result<Option<usize>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut best: Option<(usize, u64, S)> = None;
    for (index, id) in ids.into_iter().enumerate() {
        validate_id(id.as_ref()).map_err(|e| at_index(index, &e))?;
        let key = order_key(id.as_ref().as_bytes());
        // Strictly smaller only, so duplicates keep their first index.
        if best.as_ref().is_none_or(|(_, best_key, b)| {
            key < *best_key || (key == *best_key && id.as_ref().as_bytes() < b.as_ref().as_bytes())
        }) {
            best = Some((index, key, id));
        }
    }
    Ok(best.map(|(index, _, _)| index))
}

/// The first eight bytes of a valid id as a big-endian number, zero-padded: two ids whose keys
/// differ are in the keys' order (a valid id holds no zero byte, so padding sorts a shorter id
/// first, as byte order does); equal keys leave the order to the whole ids.
#[inline]
fn order_key(bytes: &[u8]) -> u64 {
    if let Some(first) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    short_word(bytes).swap_bytes()
}

/// An invalid id's error, naming its place in the list.
#[cold]
#[inline(never)]
fn at_index(index: usize, e: &Error) -> Error {
    Error::new(e.status(), format!("ids[{index}]: {}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    // The original module's four tests (the fourth is in fence.rs), ported.

    #[test]
    fn elects_lowest_live_node_id() {
        assert_eq!(
            elect_leader(&ids(&["node-c", "node-a", "node-b"])),
            Some(&"node-a".to_string())
        );
    }

    #[test]
    fn no_leader_without_live_members() {
        assert_eq!(elect_leader(&[]), None);
    }

    #[test]
    fn failover_picks_next_node_when_leader_leaves() {
        let full = ids(&["node-a", "node-b", "node-c"]);
        assert_eq!(elect_leader(&full), Some(&"node-a".to_string()));
        let after = ids(&["node-b", "node-c"]);
        assert_eq!(elect_leader(&after), Some(&"node-b".to_string()));
    }

    #[test]
    fn strict_election_returns_first_index_of_smallest() {
        assert_eq!(try_elect_leader(["b", "a", "c", "a"]), Ok(Some(1)));
        assert_eq!(try_elect_leader(Vec::<&str>::new()), Ok(None));
    }

    #[test]
    fn strict_election_refuses_any_invalid_id() {
        let err = try_elect_leader(["b", "", "a"]).unwrap_err();
        assert_eq!(err.status(), Status::InvalidId);
        let err = try_elect_leader(["a", "z\u{7}"]).unwrap_err();
        assert_eq!(err.status(), Status::InvalidId);
        let long = "x".repeat(MAX_ID_BYTES + 1);
        assert_eq!(
            try_elect_leader([long.as_str()]).unwrap_err().status(),
            Status::InvalidId
        );
        let longest = "x".repeat(MAX_ID_BYTES);
        assert_eq!(try_elect_leader([longest.as_str()]), Ok(Some(0)));
    }

    #[test]
    fn word_scan_finds_every_control_character_at_every_position() {
        // Under Miri, which interprets every byte (and finds nothing to check in this crate's
        // safe code that a normal run misses), the edges of each range and of each 8-byte word.
        let controls: Vec<char> = if cfg!(miri) {
            vec!['\0', '\t', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}']
        } else {
            (0u32..0x20)
                .chain(0x7f..0xa0)
                .filter_map(char::from_u32)
                .collect()
        };
        // Every length from a padded word to three words with an overlapping last one.
        let lengths: Vec<usize> = if cfg!(miri) {
            vec![1, 8, 13, 21]
        } else {
            (1..=24).collect()
        };
        for c in controls {
            for &len in &lengths {
                for at in (0..len).filter(|at| !cfg!(miri) || [0, 7, 8, len - 1].contains(at)) {
                    let rest = len.saturating_sub(at + c.len_utf8());
                    let id: String = "x".repeat(at) + &c.to_string() + &"y".repeat(rest);
                    assert_eq!(
                        validate_id(&id).unwrap_err().status(),
                        Status::InvalidId,
                        "{c:?} at {at} of {}",
                        id.len()
                    );
                }
            }
        }
        // Characters that share the suspect bytes but are not controls pass.
        for ok in ["\u{a0}", "\u{bf}", "x\u{a7}yyyyyyyy", "ÿÿÿÿ", " ~~~~~~~~~"] {
            assert_eq!(validate_id(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn short_word_is_the_bytes_zero_padded() {
        let bytes = [0x11u8, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];
        for n in 0..8 {
            let mut word = [0u8; 8];
            word[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                short_word(&bytes[..n]),
                u64::from_le_bytes(word),
                "{n} bytes"
            );
            assert_eq!(
                order_key(&bytes[..n]),
                u64::from_be_bytes(word),
                "{n} bytes"
            );
        }
    }

    #[test]
    fn bytes_must_be_utf8() {
        assert_eq!(
            validate_id_bytes(b"\xff").unwrap_err().status(),
            Status::InvalidUtf8
        );
        assert_eq!(validate_id_bytes(b"node-a"), Ok("node-a"));
    }
}
