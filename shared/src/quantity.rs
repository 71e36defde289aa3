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

/// Decimal digits as a whole number and a power of ten: `1.25` → (125, -2).
fn decimal(number: &str) -> Option<(i128, i32)> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    // Digits past what i128 holds cannot matter at nano precision for real resources; refuse.
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 36 {
        return None;
    }
    let mantissa = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((mantissa, -(fraction.len() as i32)))
}

/// `mantissa × 10^exp10 × 2^exp2` in nano-units, rounded up; None when it does not fit.
fn to_nanos(mantissa: i128, exp10: i32, exp2: u32) -> Option<i128> {
    let mut value = mantissa.checked_mul(1i128.checked_shl(exp2)?)?;
    let exp = exp10 + 9;
    if exp >= 0 {
        value = value.checked_mul(10i128.checked_pow(exp as u32)?)?;
    } else {
        let divisor = 10i128.checked_pow((-exp) as u32)?;
        value = value / divisor + i128::from(value % divisor != 0);
    }
    Some(value)
}

impl FromStr for Quantity {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || ParseError(text.to_owned());
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let split = unsigned
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(split);
        let (mantissa, fraction_exp) = decimal(number).ok_or_else(invalid)?;
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
            exponent if exponent.starts_with(['e', 'E']) => {
                let digits = &exponent[1..];
                let unsigned_digits = digits.strip_prefix(['+', '-']).unwrap_or(digits);
                if unsigned_digits.is_empty()
                    || !unsigned_digits.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(invalid());
                }
                let e: i32 = digits.parse().map_err(|_| invalid())?;
                (e, 0, Format::DecimalExponent)
            }
            _ => return Err(invalid()),
        };
        let nanos = to_nanos(mantissa, fraction_exp + suffix_exp, exp2).ok_or_else(invalid)?;
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
