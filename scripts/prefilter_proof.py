#!/usr/bin/env python3
"""Exhaustive check that the id rule's pre-filter (`may_hold_control` in src/election.rs) never
passes an 8-byte word holding a control character, for the filter as written and for each
mutant cargo-mutants leaves alive in it (docs/RELIABILITY.md §6).

The filter tests eight bytes at a time: for each of three terms (a byte below 0x20, a byte equal
to 0x7F, a byte equal to 0xC2) it subtracts a constant from the word and keeps the high bit of
each byte. A byte's result depends only on its value and on the borrow coming up from the byte
below, so a search over bytes from low to high, keeping the three borrows, whether the previous
byte was 0xC2 and whether a control character was seen, covers all 2^64 words exactly.

A control character is a byte below 0x20, 0x7F, or 0xC2 then 0x80-0x9F (a C1 control); a 0xC2
in the last byte counts too (its second byte is in the next word). Usage: python3 this file.
"""

import sys


def below(y, n, borrow, variant):
    """One byte of `below(x, n)`: its result bits and its borrow out."""
    d = y - n - borrow
    out = 1 if d < 0 else 0
    d &= 0xFF
    not_y = ~y & 0xFF
    if variant == "and-not-xor-high":  # `& !x & HIGHS` -> `& !x ^ HIGHS`
        return (d & not_y) ^ 0x80, out
    if variant == "xor-not-and-high":  # `& !x & HIGHS` -> `^ !x & HIGHS`, d ^ (!x & HIGHS)
        return d ^ (not_y & 0x80), out
    if variant == "and-x-and-high":  # `!` deleted
        return d & y & 0x80, out
    return d & not_y & 0x80, out


def combine(t1, t2, t3, variant):
    """One byte of `suspect`. (In Rust `&` binds tighter than `^`, and `^` than `|`.)"""
    if variant == "or-xor":  # `| below(.., 0x7f) | below(.., 0xc2)`: the second `|` -> `^`
        return t1 | (t2 ^ t3)
    if variant == "xor-or":  # the first `|` -> `^`, (t1 ^ t2) | t3
        return (t1 ^ t2) | t3
    if variant == "broken":  # self-test: only the 0x7F term
        return t2
    return t1 | t2 | t3


def missed(variant):
    """A word holding a control character that the filter passes, or None."""
    states = {(0, 0, 0, False, False): []}
    for position in range(8):
        following = {}
        for (b1, b2, b3, after_c2, seen), word in states.items():
            for v in range(256):
                t1, o1 = below(v, 0x20, b1, variant)
                t2, o2 = below(v ^ 0x7F, 1, b2, variant)
                t3, o3 = below(v ^ 0xC2, 1, b3, variant)
                if combine(t1, t2, t3, variant):
                    continue  # the filter flags this word
                control = v < 0x20 or v == 0x7F or (after_c2 and 0x80 <= v <= 0x9F)
                control = control or (position == 7 and v == 0xC2)
                key = (o1, o2, o3, v == 0xC2, seen or control)
                following.setdefault(key, word + [v])
        states = following
    return next((word for key, word in states.items() if key[4]), None)


def main():
    variants = [
        "as written",
        "and-not-xor-high",
        "xor-not-and-high",
        "and-x-and-high",
        "or-xor",
        "xor-or",
    ]
    ok = True
    for variant in variants:
        word = missed(variant)
        print(f"{variant}: {'passes ' + bytes(word).hex() if word else 'no control character passes'}")
        ok &= word is None
    word = missed("broken")
    print(f"self-test, a filter without two of its terms: passes {bytes(word).hex() if word else 'nothing'}")
    ok &= word is not None
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
