//! Kubernetes resource quantities, exactly: `500m`, `1.5`, `256Mi`, `1e3`, `2G`.
//!
//! A [`Quantity`] holds its value as a whole number of nano-units (10⁻⁹ of a core or a byte) in
//! an `i128`, so sums and comparisons for quota admission are exact, and it remembers the
//! format it was written in (decimal SI, binary SI, decimal exponent), so it prints back the way
//! the API server canonicalises it: `1.5` → `1500m`, `1.5Gi` → `1536Mi`, `0.5Ki` → `512`.
//! Like the API server, precision below one nano-unit rounds up.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

const NANO: i128 = 1_000_000_000;

/// How a quantity is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `m`, `k`, `M`, `G`, … or no suffix.
    DecimalSi,
    /// `Ki`, `Mi`, `Gi`, ….
    BinarySi,
    /// `1e3`, `5E-3`.
    DecimalExponent,
}

/// An exact resource quantity.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl std::hash::Hash for Quantity {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Self::ZERO
    }
}

/// Why a quantity does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid quantity `{0}`: use a number with an optional suffix such as m, Ki, Mi, Gi, k, M, G, or an exponent (1e3)"
)]
pub struct ParseError(pub String);

impl Quantity {
    /// Zero, in decimal SI.
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSi,
    };

    /// A whole number of base units (cores, bytes, objects).
    pub fn from_units(units: i64, format: Format) -> Self {
        Self {
            nanos: i128::from(units) * NANO,
            format,
        }
    }

    /// Thousandths of a unit (`250` → `250m`).
    pub fn from_millis(millis: i64) -> Self {
        Self {
            nanos: i128::from(millis) * 1_000_000,
            format: Format::DecimalSi,
        }
    }

    /// The value in nano-units.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value in thousandths, rounded up (as the API server rounds milli-CPU).
    pub fn millis_ceil(self) -> i128 {
        self.nanos.div_euclid(1_000_000) + i128::from(self.nanos.rem_euclid(1_000_000) != 0)
    }

    /// The format it prints in.
    pub fn format(self) -> Format {
        self.format
    }

    /// The same value printed in another format.
    pub fn with_format(self, format: Format) -> Self {
        Self { format, ..self }
    }

    /// An approximation for display and ratios (never for admission decisions).
    pub fn as_f64(self) -> f64 {
        self.nanos as f64 / NANO as f64
    }

    /// Whether it is zero.
    pub fn is_zero(self) -> bool {
        self.nanos == 0
    }

    /// `self + other`, in `self`'s format (as the API server adds); None on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        Some(Self {
            nanos: self.nanos.checked_add(other.nanos)?,
            format: self.format,
        })
    }

    /// `self - other`, in `self`'s format; None on overflow.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        Some(Self {
            nanos: self.nanos.checked_sub(other.nanos)?,
            format: self.format,
        })
    }

    /// `self × n`; None on overflow.
    pub fn checked_mul(self, n: i64) -> Option<Self> {
        Some(Self {
            nanos: self.nanos.checked_mul(i128::from(n))?,
            format: self.format,
        })
    }

    /// `self × percent / 100`, rounded up to a whole nano-unit.
    pub fn scale_percent(self, percent: i64) -> Self {
        let product = self.nanos * i128::from(percent);
        Self {
            nanos: product.div_euclid(100) + i128::from(product.rem_euclid(100) != 0),
            format: self.format,
        }
    }

    /// The larger of two.
    pub fn max(self, other: Self) -> Self {
        if other > self { other } else { self }
    }
}

impl std::ops::Add for Quantity {
    type Output = Quantity;

    /// Saturates instead of overflowing: quantities past 10²⁹ units are not resources.
    fn add(self, other: Self) -> Self {
        Self {
            nanos: self.nanos.saturating_add(other.nanos),
            format: self.format,
        }
    }
}

impl std::ops::Sub for Quantity {
    type Output = Quantity;

    fn sub(self, other: Self) -> Self {
        Self {
            nanos: self.nanos.saturating_sub(other.nanos),
            format: self.format,
        }
    }
}

impl std::iter::Sum for Quantity {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let mut iter = iter.peekable();
        let format = iter.peek().map_or(Format::DecimalSi, |q| q.format);
        let nanos = iter.fold(0i128, |sum, q| sum.saturating_add(q.nanos));
        Self { nanos, format }
    }
}

/// The largest value a binary-SI quantity holds: the API server caps `Ki`…`Ei` quantities at
/// 2⁶³−1 units.
const BINARY_MAX: i128 = i64::MAX as i128 * NANO;

/// The split of a quantity string as upstream's `parseQuantityString` scans it: sign, whole
/// digits (leading zeros stripped), fraction digits, and the suffix; None where the API server
/// answers "quantities must match the regular expression".
fn scan(text: &str) -> Option<(bool, &str, &str, &str)> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let whole_len = digits(rest);
    let (whole, rest) = rest.split_at(whole_len);
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => after.split_at(digits(after)),
        None => ("", rest),
    };
    // The suffix: letters of `eEinumkKMGTP`, then an optional sign and digits, to the end.
    let letters = rest
        .bytes()
        .take_while(|b| b"eEinumkKMGTP".contains(b))
        .count();
    let tail = &rest[letters..];
    let tail = tail.strip_prefix(['+', '-']).unwrap_or(tail);
    if letters < rest.len() && !tail.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((negative, whole.trim_start_matches('0'), fraction, rest))
}

/// `digits × 2^exp2 × 10^exp10`, rounded up to a whole number; None when it is past `i128`.
/// Exact for inputs of any length: decimal digit strings, no floating point.
fn scaled(digits: &str, exp2: u32, exp10: i64) -> Option<i128> {
    // Little-endian decimal digits, doubled exp2 times.
    let mut value: Vec<u8> = digits.bytes().rev().map(|b| b - b'0').collect();
    for _ in 0..exp2 {
        let mut carry = 0;
        for digit in &mut value {
            let doubled = *digit * 2 + carry;
            *digit = doubled % 10;
            carry = doubled / 10;
        }
        if carry > 0 {
            value.push(carry);
        }
    }
    while value.last() == Some(&0) {
        value.pop();
    }
    if value.is_empty() {
        return Some(0);
    }
    // Drop the digits below the unit (remembering whether any was not zero), or append zeros.
    let (dropped, zeros) = if exp10 < 0 {
        (exp10.unsigned_abs().min(value.len() as u64) as usize, 0)
    } else {
        (0, exp10 as u64)
    };
    let remainder = value.iter().take(dropped).any(|d| *d != 0);
    let kept = &value[dropped..];
    if kept.len() as u64 + zeros > 39 {
        return None;
    }
    let mut whole: i128 = 0;
    for digit in kept.iter().rev() {
        whole = whole.checked_mul(10)?.checked_add(i128::from(*digit))?;
    }
    for _ in 0..zeros {
        whole = whole.checked_mul(10)?;
    }
    whole.checked_add(i128::from(remainder))
}

impl FromStr for Quantity {
    type Err = ParseError;

    /// Parses as the API server's `resource.ParseQuantity` (after the `TrimSpace` of its JSON
    /// decoding): the same grammar — including its leniencies, `+`, `-`, `.` and `e3` are zero
    /// and `1.` is one — the same suffixes, exponents read as 64-bit and then truncated to 32
    /// bits as upstream does, precision below a nano-unit rounded up, and binary-SI values capped
    /// at 2⁶³−1 units. Decimal values are exact up to about 1.7×10²⁹ units (the range of the
    /// nano-unit `i128`); past that, where the API server keeps an arbitrary-precision decimal,
    /// they saturate, so they still compare above every real quota and limit.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || ParseError(text.to_owned());
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid());
        }
        let (negative, whole, fraction, suffix) = scan(trimmed).ok_or_else(invalid)?;
        let (suffix_exp, exp2, format) = match suffix {
            "" => (0, 0, Format::DecimalSi),
            "n" => (-9, 0, Format::DecimalSi),
            "u" => (-6, 0, Format::DecimalSi),
            "m" => (-3, 0, Format::DecimalSi),
            "k" => (3, 0, Format::DecimalSi),
            "M" => (6, 0, Format::DecimalSi),
            "G" => (9, 0, Format::DecimalSi),
            "T" => (12, 0, Format::DecimalSi),
            "P" => (15, 0, Format::DecimalSi),
            "E" => (18, 0, Format::DecimalSi),
            "Ki" => (0, 10, Format::BinarySi),
            "Mi" => (0, 20, Format::BinarySi),
            "Gi" => (0, 30, Format::BinarySi),
            "Ti" => (0, 40, Format::BinarySi),
            "Pi" => (0, 50, Format::BinarySi),
            "Ei" => (0, 60, Format::BinarySi),
            exponent if exponent.len() > 1 && exponent.starts_with(['e', 'E']) => {
                let e: i64 = exponent[1..].parse().map_err(|_| invalid())?;
                // Go's int32(parsed): upstream keeps the low 32 bits.
                (i64::from(e as i32), 0, Format::DecimalExponent)
            }
            _ => return Err(invalid()),
        };
        let digits = format!("{whole}{fraction}");
        let exp10 = suffix_exp - fraction.len() as i64 + 9;
        let mut nanos = scaled(&digits, exp2, exp10).unwrap_or(i128::MAX);
        let mut format = format;
        if format == Format::BinarySi {
            nanos = nanos.min(BINARY_MAX);
            if nanos > 0 && nanos < NANO {
                format = Format::DecimalSi;
            }
        }
        Ok(Self {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.nanos < 0 { "-" } else { "" };
        let nanos = self.nanos.unsigned_abs();
        if nanos == 0 {
            return f.write_str("0");
        }
        let whole = nanos.is_multiple_of(NANO as u128);
        let units = nanos / NANO as u128;
        // Binary SI for whole values of at least 1024; otherwise decimal, as the API server does.
        if self.format == Format::BinarySi && whole && units >= 1024 {
            let mut value = units;
            let mut index = 0;
            while index < 6 && value.is_multiple_of(1024) {
                value /= 1024;
                index += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][index];
            return write!(f, "{sign}{value}{suffix}");
        }
        // Decimal: the largest power of a thousand that divides the value (in nano-units).
        let mut value = nanos;
        let mut exp = -9i32;
        while exp < 18 && value.is_multiple_of(1000) {
            value /= 1000;
            exp += 3;
        }
        if self.format == Format::DecimalExponent {
            return if exp == 0 {
                write!(f, "{sign}{value}")
            } else {
                write!(f, "{sign}{value}e{exp}")
            };
        }
        let suffix = match exp {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        write!(f, "{sign}{value}{suffix}")
    }
}

impl serde::Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Quantities arrive as strings, or as bare numbers in hand-written YAML.
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(serde::de::Error::custom(format!("a quantity, not {other}"))),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A quantity in a JSON value (a string, or a number as YAML writes `cpu: 1`).
pub fn from_value(value: &serde_json::Value) -> Option<Result<Quantity, ParseError>> {
    match value {
        serde_json::Value::String(s) => Some(s.parse()),
        serde_json::Value::Number(n) => Some(n.to_string().parse()),
        _ => None,
    }
}

/// A quantity's value in base units (cores, bytes), for comparisons that tolerate rounding.
pub fn parse(text: &str) -> Result<f64, String> {
    text.parse::<Quantity>()
        .map(Quantity::as_f64)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
