//! The JSON rules every document of the core shares: how u64 values and ids are written,
//! and how a parse error names its place.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};

use crate::election::validate_id;
use crate::{Error, Result, Status};

/// `text` in double quotes for a message, with control characters escaped (so a message
/// never carries a NUL or a line break from its input).
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parse a u64 written as canonical decimal text: ASCII digits only, no sign, no leading zero
/// (except `"0"` itself), at most 2^64-1. Anything else is `INVALID_EPOCH`.
pub fn parse_u64(text: &str) -> Result<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(Error::new(
            Status::InvalidEpoch,
            format!("{} is not a canonical decimal u64", quote(text)),
        ));
    }
    text.parse::<u64>().map_err(|_| {
        Error::new(
            Status::InvalidEpoch,
            format!("{text} is larger than 2^64-1"),
        )
    })
}

struct U64Visitor;

impl Visitor<'_> for U64Visitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a u64 as a JSON integer or a canonical decimal string")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        Err(E::custom(format!("{v} is negative; expected a u64")))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<u64, E> {
        Err(E::custom(
            "not an exact integer in 0..=2^64-1 (a fraction, an exponent, or too large); \
             write large values as decimal strings",
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_u64(v).map_err(|e| E::custom(e.message()))
    }
}

/// Serde helpers for a u64 field: reads an exact JSON integer or a canonical decimal string,
/// writes a decimal string (so no JSON reader rounds it).
pub(crate) mod u64_text {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor)
    }

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(itoa::Buffer::new().format(*v))
    }
}

/// [`u64_text`] for an optional field (`null` or absent is `None`).
pub(crate) mod opt_u64_text {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "u64_text")] u64);
        Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(v)| v))
    }

    pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => u64_text::serialize(v, s),
            None => s.serialize_none(),
        }
    }
}

/// Serde helper for an id field: a string that passes [`validate_id`].
pub(crate) mod id {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let id = String::deserialize(d)?;
        validate_id(&id).map_err(|e| de::Error::custom(e.message()))?;
        Ok(id)
    }
}

/// [`id`] for an optional field.
pub(crate) mod opt_id {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let id = Option::<String>::deserialize(d)?;
        if let Some(id) = &id {
            validate_id(id).map_err(|e| de::Error::custom(e.message()))?;
        }
        Ok(id)
    }
}

/// A struct that must be written as a JSON object. Serde's derived structs also accept a JSON
/// array of their fields in order; the core's documents refuse that form.
#[repr(transparent)]
pub(crate) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(ObjectVisitor(PhantomData)).map(Object)
    }
}

/// Serde helper for an array of structs, each written as an object.
pub(crate) mod objects {
    use super::*;

    pub fn deserialize<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Vec::<Object<T>>::deserialize(d)?
            .into_iter()
            .map(|Object(t)| t)
            .collect())
    }
}

/// Serde helper for an optional struct written as an object (`null` or absent is `None`).
pub(crate) mod opt_object {
    use super::*;

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Object<T>>::deserialize(d)?.map(|Object(t)| t))
    }
}

/// Serde helper for a JSON object keyed by ids: every key must be a valid id and appear once
/// (JSON readers disagree on repeated keys, so the core refuses them).
pub(crate) mod id_map {
    use super::*;

    /// Reads each value as `W` and keeps `unwrap(w)`.
    struct IdMapVisitor<W, V> {
        unwrap: fn(W) -> V,
    }

    impl<'de, W: Deserialize<'de>, V> Visitor<'de> for IdMapVisitor<W, V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by ids")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            // Read in the document's order, then sorted once: a map built from sorted entries
            // costs a fraction of inserting them one at a time (each a search of the tree).
            let mut entries: Vec<(String, V)> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if let Err(e) = validate_id(&key) {
                    return Err(de::Error::custom(format!(
                        "key {}: {}",
                        quote(&key),
                        e.message()
                    )));
                }
                let value: W = map.next_value()?;
                entries.push((key, (self.unwrap)(value)));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
                return Err(de::Error::custom(format!(
                    "key {} appears twice",
                    quote(&pair[0].0)
                )));
            }
            Ok(entries.into_iter().collect())
        }
    }

    pub fn deserialize<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Deserialize<'de>,
    {
        d.deserialize_map(IdMapVisitor { unwrap: |v: V| v })
    }

    /// The same, for values that are structs written as objects (see [`Object`]).
    pub fn objects<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Deserialize<'de>,
    {
        d.deserialize_map(IdMapVisitor {
            unwrap: |Object(v): Object<V>| v,
        })
    }
}

/// Parse a JSON document, reporting the path and cause of any error under `status`.
/// The document must be one JSON object with nothing after it.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str, status: Status) -> Result<T> {
    parse::<Object<T>>(text, status).map(|Object(value)| value)
}

/// A JSON array of structs, each written as an object.
pub(crate) struct ObjectList<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        objects::deserialize(d).map(ObjectList)
    }
}

/// Parse a JSON document that is an array of objects, as [`from_json`].
pub(crate) fn list_from_json<T: DeserializeOwned>(text: &str, status: Status) -> Result<Vec<T>> {
    parse::<ObjectList<T>>(text, status).map(|ObjectList(list)| list)
}

/// Parse one JSON document of type `W` with nothing after it.
///
/// Documents are parsed once without tracking paths; only a document that fails is parsed again
/// with tracking, so the common case pays nothing for good error messages.
fn parse<W: DeserializeOwned>(text: &str, status: Status) -> Result<W> {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Ok(value) = W::deserialize(&mut de) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, W>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        Error::new(status, format!("at {path}: {}", e.into_inner()))
    })?;
    let e = de.end().err().map_or_else(
        || "the document was refused".to_owned(),
        |e| format!("after the document: {e}"),
    );
    Err(Error::new(status, e))
}

/// Write a document as compact JSON. The core's documents hold only strings, booleans,
/// arrays and string-keyed maps, which always serialize.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("serializing failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_appears_twice_is_refused_at_its_path() {
        let text = r#"{"groups":{"g":{"members":[]},"h":{"members":[]},"g":{"members":[]}}}"#;
        let e = crate::View::from_json(text).unwrap_err();
        assert_eq!(e.status(), Status::InvalidView);
        assert!(
            e.message().contains(r#"key "g" appears twice"#) && e.message().contains("groups"),
            "{}",
            e.message()
        );
        let once = text.replacen(r#""g":{"members":[]}}"#, r#""i":{"members":[]}}"#, 1);
        assert_eq!(crate::View::from_json(&once).map(|v| v.groups.len()), Ok(3));
    }

    #[test]
    fn canonical_u64_text() {
        assert_eq!(parse_u64("0"), Ok(0));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "18446744073709551616",
            "０",
        ] {
            assert_eq!(
                parse_u64(bad).unwrap_err().status(),
                Status::InvalidEpoch,
                "{bad:?}"
            );
        }
    }

    /// A message names the input as text a reader (and a C string) can carry: the input quoted
    /// with its control characters escaped, printable text as it is.
    #[test]
    fn messages_quote_their_input() {
        let e = parse_u64("é1\n\0\"x").unwrap_err();
        assert!(
            e.message().starts_with(r#""é1\u{000a}\u{0000}\"x" is not"#),
            "{e}"
        );
        assert!(!e.message().chars().any(char::is_control), "{e}");
    }

    /// SEMANTICS.md §7: a malformed view's message names the path and what was expected
    /// there.
    #[test]
    fn messages_say_what_was_expected() {
        for (view, expected) in [
            (
                r#"{"groups":{"g":{"members":[{"id":"a","epoch":true}]}}}"#,
                "a u64",
            ),
            (r#"{"groups":{"g":{"members":[["a"]]}}}"#, "a JSON object"),
            (r#"{"groups":["g"]}"#, "an object keyed by ids"),
        ] {
            let e = crate::View::from_json(view).unwrap_err();
            assert_eq!(e.status(), Status::InvalidView);
            assert!(e.message().contains(expected), "{view}: {e}");
            assert!(e.message().contains("groups"), "{view}: {e}");
        }
    }
}
