//! Number formatting: the shortest text that reads back as the same float (as Python and NumPy
//! print), and format specs for f-strings and `format` (Python's mini-language).

use super::value::Value;

pub use crate::text::{float32_repr, float_repr};
use crate::text::{general, scientific};

/// A parsed format spec: `[[fill]align][sign][0][width][,|_][.precision][type]`.
#[derive(Default, Debug)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Result<Spec, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        s.width = chars[start..i]
            .iter()
            .collect::<String>()
            .parse()
            .map_err(|_| "width too large".to_string())?;
    }
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        s.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err("`.` must be followed by a precision".into());
        }
        let precision: usize = chars[start..i]
            .iter()
            .collect::<String>()
            .parse()
            .map_err(|_| "precision too large")?;
        if precision > 100 {
            return Err("precision above 100".into());
        }
        s.precision = Some(precision);
    }
    if i < chars.len() {
        if !matches!(
            chars[i],
            'd' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%' | 's'
        ) {
            return Err(format!("unknown format type `{}`", chars[i]));
        }
        s.kind = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() {
        return Err(format!(
            "unexpected `{}` in format spec",
            chars[i..].iter().collect::<String>()
        ));
    }
    if s.width > 10_000 {
        return Err("width above 10000".into());
    }
    Ok(s)
}

/// Format a value by a spec such as `.3f`, `>8`, `,d`, `.2%`, `08.3e`. The error says what is
/// wrong with the spec.
pub fn format_value(value: &Value, spec: &str) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(value.display());
    }
    let s = parse_spec(spec)?;
    let number = match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(_) => None,
        _ => None,
    };
    let body = match (s.kind, value) {
        (Some('s'), _) | (None, Value::Str(_)) | (None, Value::Bool(_)) | (None, Value::None) => {
            if matches!(s.kind, Some('s')) && number.is_some() {
                return Err(format!(
                    "format type `s` is for text, not {}",
                    value.type_name()
                ));
            }
            let text = value.display();
            match s.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            }
        }
        (Some('d'), Value::Int(i)) => group(&i.unsigned_abs().to_string(), s.grouping),
        (Some('d'), _) => {
            return Err(format!(
                "format type `d` needs an int, not {}",
                value.type_name()
            ))
        }
        (kind, _) => {
            let Some(x) = number else {
                return Err(format!(
                    "format spec `{spec}` is for numbers, not {}",
                    value.type_name()
                ));
            };
            let magnitude = x.abs();
            match kind {
                Some('f' | 'F') => group_float(
                    &format!("{:.*}", s.precision.unwrap_or(6), magnitude),
                    s.grouping,
                ),
                Some('e' | 'E') => {
                    let text = scientific(magnitude, s.precision.unwrap_or(6));
                    if kind == Some('E') {
                        text.to_uppercase()
                    } else {
                        text
                    }
                }
                Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), magnitude * 100.0),
                Some('g' | 'G') => general(magnitude, s.precision.unwrap_or(6)),
                _ => match (value, s.precision) {
                    (Value::Int(i), None) => group(&i.unsigned_abs().to_string(), s.grouping),
                    (_, Some(p)) => general(magnitude, p.max(1)),
                    _ => group_float(&float_repr(magnitude), s.grouping),
                },
            }
        }
    };
    let negative = number
        .is_some_and(|x| x.is_sign_negative() && !(x == 0.0 && matches!(value, Value::Int(_))))
        && !matches!(s.kind, Some('s'));
    let sign = if number.is_none() {
        ""
    } else if negative {
        "-"
    } else {
        match s.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    };
    Ok(pad(sign, &body, &s, number.is_some()))
}

fn pad(sign: &str, body: &str, s: &Spec, numeric: bool) -> String {
    let len = sign.chars().count() + body.chars().count();
    if len >= s.width {
        return format!("{sign}{body}");
    }
    let fill_count = s.width - len;
    let (fill, align) = if s.zero && s.align.is_none() && numeric {
        ('0', '=')
    } else {
        (
            s.fill.unwrap_or(' '),
            s.align.unwrap_or(if numeric { '>' } else { '<' }),
        )
    };
    let filler = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    match align {
        '<' => format!("{sign}{body}{}", filler(fill_count)),
        '^' => format!(
            "{}{sign}{body}{}",
            filler(fill_count / 2),
            filler(fill_count - fill_count / 2)
        ),
        '=' => format!("{sign}{}{body}", filler(fill_count)),
        _ => format!("{}{sign}{body}", filler(fill_count)),
    }
}

fn group(digits: &str, separator: Option<char>) -> String {
    let Some(separator) = separator else {
        return digits.to_string();
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn group_float(text: &str, separator: Option<char>) -> String {
    match text.split_once('.') {
        Some((whole, fraction)) if whole.chars().all(|c| c.is_ascii_digit()) => {
            format!("{}.{fraction}", group(whole, separator))
        }
        _ if text.chars().all(|c| c.is_ascii_digit()) => group(text, separator),
        _ => text.to_string(),
    }
}

/// `1.500000e+03`, as Python's `e` type.

/// Python's `g`: `precision` significant digits, scientific for very large or small magnitudes,
/// trailing zeros removed.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e-5), "1.5e-05");
        assert_eq!(float_repr(123456.789), "123456.789");
        assert_eq!(float_repr(-0.0), "-0.0");
    }

    #[test]
    fn format_specs_follow_python() {
        let f = |v: Value, s: &str| format_value(&v, s).unwrap();
        assert_eq!(f(Value::Float(3.14159), ".2f"), "3.14");
        assert_eq!(f(Value::Float(-3.14159), "8.3f"), "  -3.142");
        assert_eq!(f(Value::Int(1234567), ","), "1,234,567");
        assert_eq!(f(Value::Int(42), "05d"), "00042");
        assert_eq!(f(Value::Float(0.256), ".1%"), "25.6%");
        assert_eq!(f(Value::Float(1234.5), ".3e"), "1.234e+03");
        assert_eq!(f(Value::Float(0.0001234), "g"), "0.0001234");
        assert_eq!(f(Value::Float(123456789.0), "g"), "1.23457e+08");
        assert_eq!(f(Value::str("ab"), ">4"), "  ab");
        assert_eq!(f(Value::str("ab"), "*^6"), "**ab**");
        assert!(format_value(&Value::str("ab"), ".2f").is_err());
        assert!(format_value(&Value::Float(1.0), "q").is_err());
    }
}
