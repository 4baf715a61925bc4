//! Canonical JSON: RFC 8785 (JCS), so the same value always gives the same bytes.
//!
//! - object members sorted by their names' UTF-16 code units, no whitespace;
//! - strings escaped as JCS says (`\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00xx`
//!   in lower-case hex, everything else as UTF-8);
//! - numbers as ECMAScript's `Number.prototype.toString` writes the double (shortest
//!   round-trip digits, exponent form below 1e-6 and from 1e21).
//!
//! One documented departure: an integer that JSON carried exactly and that does not fit a
//! double without loss (beyond ±2^53) is written with all its digits instead of rounded, so no
//! two different stored integers share a leaf.

use serde_json::Value;

/// Writes `value` canonically.
pub fn to_canonical(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(value, &mut out);
    out
}

/// Appends the canonical form of `value` to `out`.
pub fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(number, out),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            if in_utf16_order(members) {
                write_members(members.iter(), out);
            } else {
                let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
                sorted.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
                write_members(sorted.into_iter(), out);
            }
            out.push('}');
        }
    }
}

/// Appends `text` as a JCS string literal: runs of characters that need no escape are copied
/// whole (the usual case is all of them).
pub fn write_string(text: &str, out: &mut String) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte escaped is ASCII, so `start..i` lies on character boundaries.
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

fn write_members<'a>(members: impl Iterator<Item = (&'a String, &'a Value)>, out: &mut String) {
    for (i, (name, member)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(name, out);
        out.push(':');
        write_value(member, out);
    }
}

/// Whether the map already iterates in UTF-16 order: its names ascend by code point (serde_json's
/// map is sorted so) and none holds U+E000 or above, where code point and UTF-16 order part ways.
fn in_utf16_order(members: &serde_json::Map<String, Value>) -> bool {
    let mut previous: Option<&String> = None;
    for name in members.keys() {
        if name.bytes().any(|b| b >= 0xEE) || previous.is_some_and(|p| p.as_str() >= name.as_str()) {
            return false;
        }
        previous = Some(name);
    }
    true
}

const EXACT_DOUBLE: u64 = 1 << 53;

fn write_number(number: &serde_json::Number, out: &mut String) {
    if let Some(n) = number.as_u64() {
        if n <= EXACT_DOUBLE {
            out.push_str(&n.to_string());
            return;
        }
        if number.as_f64().is_none_or(|f| f as u64 != n) {
            out.push_str(&n.to_string());
            return;
        }
    } else if let Some(n) = number.as_i64()
        && (n.unsigned_abs() <= EXACT_DOUBLE || number.as_f64().is_none_or(|f| f as i64 != n))
    {
        out.push_str(&n.to_string());
        return;
    }
    match number.as_f64() {
        Some(f) => write_double(f, out),
        None => out.push_str(&number.to_string()),
    }
}

/// ECMAScript's `Number::toString(x)` for a finite double.
pub fn write_double(x: f64, out: &mut String) {
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddde±x".
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    // x = 0.digits × 10^n
    let n = exponent.parse::<i32>().unwrap_or(0) + 1;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let e = n - 1;
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.abs().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        to_canonical(&serde_json::from_str(text).expect("valid JSON"))
    }

    #[test]
    fn members_are_sorted_by_utf16_and_whitespace_goes() {
        // RFC 8785 §3.2.3's sorting example: U+20AC sorts after U+1F600's surrogates? No:
        // "\u20ac" (0x20AC) < "\ud83d\ude00" (0xD83D…) in UTF-16, though not in UTF-8.
        let text = "{ \"\u{1F600}\": 1, \"\u{20AC}\": 2, \"b\": [1, 2 ], \"a\": {\"d\":null,\"c\":true} }";
        assert_eq!(canonical(text), "{\"a\":{\"c\":true,\"d\":null},\"b\":[1,2],\"\u{20AC}\":2,\"\u{1F600}\":1}");
        // By code point U+FB33 sorts before U+1F600; in UTF-16 U+1F600 is a surrogate pair (0xD83D…)
        // and sorts first, as JCS requires.
        let text = "{\"\u{FB33}\": 1, \"\u{1F600}\": 2, \"z\": 3}";
        assert_eq!(canonical(text), "{\"z\":3,\"\u{1F600}\":2,\"\u{FB33}\":1}");
    }

    #[test]
    fn strings_are_escaped_as_jcs_says() {
        assert_eq!(canonical(r#""a\"b\\c\/d\u0001\n\u00e4\u20ac""#), "\"a\\\"b\\\\c/d\\u0001\\nä€\"");
    }

    #[test]
    fn numbers_are_written_as_ecmascript_does() {
        // RFC 8785 appendix B's examples, as JSON literals.
        for (literal, expected) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123e-10", "1.23e-8"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("4.8", "4.8"),
            ("-1.5", "-1.5"),
            ("333333333.33333329", "333333333.3333333"),
            ("1E30", "1e+30"),
            ("4.50", "4.5"),
            ("2e-3", "0.002"),
            ("0.000001234", "0.000001234"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("9007199254740992", "9007199254740992"),
            ("9007199254740993", "9007199254740993"),
            ("-42", "-42"),
        ] {
            assert_eq!(canonical(literal), expected, "{literal}");
        }
    }
}
