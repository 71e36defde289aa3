//! Kubernetes resource quantities (`500m`, `1.5`, `256Mi`, `1e3`, `2G`) as numbers, for
//! comparisons; `kubectl quota` and `kubectl harden` both compare requests with limits.

/// A quantity's value in base units (cores, bytes), or an error naming what is wrong.
pub fn parse(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let invalid = || {
        format!(
            "invalid quantity `{text}`: use a number with an optional suffix such as m, Ki, Mi, Gi, k, M, G"
        )
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (number, suffix) = match suffix.strip_prefix(['e', 'E']) {
        Some(exponent)
            if !exponent.is_empty()
                && exponent
                    .trim_start_matches(['+', '-'])
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
        {
            let exponent: i32 = exponent.parse().map_err(|_| invalid())?;
            let value: f64 = number.parse().map_err(|_| invalid())?;
            return Ok(value * 10f64.powi(exponent));
        }
        _ => (number, suffix),
    };
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return Err(invalid()),
    };
    Ok(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_suffixes_kubernetes_accepts() {
        assert_eq!(parse("500m"), Ok(0.5));
        assert_eq!(parse("2"), Ok(2.0));
        assert_eq!(parse("1.5"), Ok(1.5));
        assert_eq!(parse("256Mi"), Ok(256.0 * 1024.0 * 1024.0));
        assert_eq!(parse("1G"), Ok(1e9));
        assert_eq!(parse("1e3"), Ok(1000.0));
        assert!(parse("12x").unwrap_err().contains("invalid quantity `12x`"));
        assert!(parse("").is_err());
    }
}
