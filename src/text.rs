//! Small helpers every layer shares, about text: how numbers and strings are written, byte
//! sizes, plurals, and the closest known name for a "did you mean". They depend on nothing else
//! in flow, so any module may use them.

use std::fmt::Write;

/// Shortest round-trip text of a float; positional between 1e-4 and 1e16, scientific outside.
pub fn float_repr(x: f64) -> String {
    shortest_repr(x, 16)
}

/// The shortest text that reads back as the same f32 (`0.1f32` is `0.1`, not
/// `0.10000000149011612`), as NumPy prints float32 scalars.
/// Positional between 1e-4 and 1e6, as NumPy 2 prints f32 scalars (`1e+06`, `999999.0`).
pub fn float32_repr(x: f32) -> String {
    shortest_repr(x, 6)
}

/// Positional for exponents from -4 up to (not including) `scientific_from`.
fn shortest_repr<T>(x: T, scientific_from: i32) -> String
where
    T: Copy + std::fmt::Display + std::fmt::LowerExp + Into<f64>,
{
    let wide: f64 = x.into();
    if wide.is_nan() {
        return "nan".into();
    }
    if wide.is_infinite() {
        return if wide > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if wide == 0.0 {
        return if wide.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("exponent is an integer");
    // By the value, as NumPy decides: the f32 nearest 1e-4 is below it, so it is `1e-04`.
    if (1e-4..10f64.powi(scientific_from)).contains(&wide.abs()) {
        let positional = format!("{x}");
        if positional.contains('.') {
            positional
        } else {
            positional + ".0"
        }
    } else {
        format!(
            "{mantissa}e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        )
    }
}

/// A string as a flow literal: double quotes, escapes for quotes, backslashes and control chars.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn human_bytes(bytes: usize) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// Bytes as serde writes them: raw in binary encodings, base64 text in human-readable ones
/// (JSON), so an encoded task graph stays exact either way.
pub fn serialize_bytes<S: serde::Serializer>(
    bytes: &[u8],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    if serializer.is_human_readable() {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    } else {
        serializer.serialize_bytes(bytes)
    }
}

/// The bytes [`serialize_bytes`] wrote.
pub fn deserialize_bytes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<u8>, D::Error> {
    use base64::Engine;
    use serde::Deserialize;
    if deserializer.is_human_readable() {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    } else {
        serde_bytes_vec(deserializer)
    }
}

fn serde_bytes_vec<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::new();
            while let Some(b) = seq.next_element::<u8>()? {
                out.push(b);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_byte_buf(Bytes)
}

/// Floats as serde writes them in task graphs: numbers, and in human-readable encodings (JSON,
/// which has no NaN or infinity) the non-finite ones as the strings `"nan"`, `"inf"`, `"-inf"`,
/// so a graph written as JSON reads back exactly. Use as `#[serde(with = "crate::text::float")]`.
pub mod float {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() && !value.is_finite() {
            serializer.serialize_str(&super::float_repr(*value))
        } else {
            serializer.serialize_f64(*value)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        if !deserializer.is_human_readable() {
            return f64::deserialize(deserializer);
        }
        match Written::deserialize(deserializer)? {
            Written::Number(x) => Ok(x),
            Written::Text(text) => match text.as_str() {
                "nan" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(serde::de::Error::custom(format!(
                    "`{other}` is not a number"
                ))),
            },
        }
    }

    /// The same for optional floats (`#[serde(with = "crate::text::float::option")]`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize, Deserialize)]
        struct Float(#[serde(with = "super")] f64);

        pub fn serialize<S: Serializer>(
            value: &Option<f64>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            value.map(Float).serialize(serializer)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<f64>, D::Error> {
            Ok(Option::<Float>::deserialize(deserializer)?.map(|f| f.0))
        }

        /// Arrays of optional floats.
        pub mod array {
            use serde::{Deserialize, Deserializer, Serialize, Serializer};

            #[derive(Serialize, Deserialize)]
            struct Float(#[serde(with = "super")] Option<f64>);

            pub fn serialize<S: Serializer, const N: usize>(
                value: &[Option<f64>; N],
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                let items: Vec<Float> = value.iter().map(|v| Float(*v)).collect();
                items.serialize(serializer)
            }

            pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
                deserializer: D,
            ) -> Result<[Option<f64>; N], D::Error> {
                let items = Vec::<Float>::deserialize(deserializer)?;
                let values: Vec<Option<f64>> = items.into_iter().map(|f| f.0).collect();
                values
                    .try_into()
                    .map_err(|_| serde::de::Error::custom(format!("expected {N} values")))
            }
        }
    }
}

/// The first line of a message (a library's error can run to many).
pub fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().into()
}

/// `x` in scientific notation with `precision` decimals, the exponent at least two digits
/// (`1.50e+03`), as Python's `e` format.
pub fn scientific(x: f64, precision: usize) -> String {
    let text = format!("{x:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exponent < 0 { '-' } else { '+' },
        exponent.abs()
    )
}

/// `x` to `precision` significant digits, positional or scientific as Python's `g` format
/// chooses, trailing zeros dropped (`80000`, `0.25`, `1e-05`).
pub fn general(x: f64, precision: usize) -> String {
    if !x.is_finite() {
        return float_repr(x);
    }
    let precision = precision.max(1);
    if x == 0.0 {
        return "0".into();
    }
    let exponent = x.abs().log10().floor() as i32;
    let rounded = format!("{:.*e}", precision - 1, x);
    let exponent = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse::<i32>().ok())
        .unwrap_or(exponent);
    if exponent < -4 || exponent >= precision as i32 {
        let text = scientific(x, precision - 1);
        let (mantissa, exp) = text.split_once('e').unwrap();
        format!("{}e{exp}", trim_zeros(mantissa))
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        trim_zeros(&format!("{x:.decimals$}"))
    }
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// `""` for one, `"s"` for any other count.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The help of an unknown name: the closest known one, or the list.
pub fn did_you_mean<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    kind: &str,
) -> String {
    match closest(name, known.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let all: Vec<&str> = known.collect();
            if all.is_empty() {
                format!("there are no {kind}")
            } else {
                format!("the {kind}: {}", all.join(", "))
            }
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let length = name.chars().count();
    // One-letter names are too short for a typo to be told apart from another name.
    let limit = if length < 3 { 0 } else { (length / 3).max(1) };
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = if c.to_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &c.to_lowercase())
            };
            (distance, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, !c.to_lowercase().starts_with(&lower), c.len()))
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(previous_previous[j - 2] + 1);
            }
        }
        previous_previous = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(closest("pritn", ["print", "range"]), Some("print".into()));
        assert_eq!(closest("totl", ["total", "x"]), Some("total".into()));
        assert_eq!(closest("zzz", ["print"]), None);
        assert_eq!(edit_distance("abc", "acb"), 1);
    }
}

/// `a labelled array`, `an int`: a kind's name with its indefinite article.
pub fn with_article(name: &str) -> String {
    let article = match name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {name}")
}
