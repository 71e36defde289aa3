//! Durations as kubectl and Go write them: `30s`, `1m30s`, `1.5h`, `250ms`, and a bare number of
//! seconds (`--request-timeout=5`).

use std::time::Duration;

/// Parses a Go-style duration (`1h2m3s`, `1.5s`, `300ms`, `2us`, `10ns`) or a bare number of
/// seconds. Negative durations are refused.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration: use a number with a unit, such as `30s`, `5m` or `1h`".into());
    }
    let out_of_range = || {
        format!(
            "invalid duration `{text}`: out of range (at most {MAX_TEXT}, as Go's time.Duration)"
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u64>() {
            Ok(seconds) if seconds <= MAX.as_secs() => Ok(Duration::from_secs(seconds)),
            _ => Err(out_of_range()),
        };
    }
    if text.starts_with('-') {
        return Err(format!(
            "invalid duration `{text}`: durations cannot be negative"
        ));
    }
    // Summed in whole nanoseconds, as Go's time.ParseDuration does: exact up to its maximum.
    let mut total: u128 = 0;
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err(format!(
                "invalid duration `{text}`: expected a number before each unit"
            ));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let nanos_per_unit: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => {
                return Err(format!(
                    "invalid duration `{text}`: missing unit after `{number}` (use ns, us, ms, s, m or h)"
                ));
            }
            other => {
                return Err(format!(
                    "invalid duration `{text}`: unknown unit `{other}` (use ns, us, ms, s, m or h)"
                ));
            }
        };
        // More than 20 digits is beyond any representable duration whatever the unit.
        let whole = whole.trim_start_matches('0');
        if whole.len() > 20 {
            return Err(out_of_range());
        }
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| out_of_range())?
        };
        // Digits past the 18th cannot change whole nanoseconds of anything up to an hour.
        let fraction = &fraction[..fraction.len().min(18)];
        let fraction_nanos = if fraction.is_empty() {
            0
        } else {
            let digits: u128 = fraction.parse().map_err(|_| out_of_range())?;
            digits * nanos_per_unit / 10u128.pow(fraction.len() as u32)
        };
        total += whole * nanos_per_unit + fraction_nanos;
        if total > MAX.as_nanos() {
            return Err(out_of_range());
        }
        rest = next;
    }
    Ok(Duration::from_nanos(total as u64))
}

/// The longest duration Go (and so the API server and kubectl) can represent: `math.MaxInt64`
/// nanoseconds. Anything longer would wrap when it reaches an `int64` field.
pub const MAX: Duration = Duration::new(9_223_372_036, 854_775_807);

/// [`MAX`] as Go prints it.
const MAX_TEXT: &str = "2562047h47m16.854775807s";

/// [`parse`] for flags where zero makes no sense (`--interval`: a check every 0 s).
pub fn positive(text: &str) -> Result<Duration, String> {
    let duration = parse(text)?;
    if duration.is_zero() {
        return Err(format!(
            "`{text}` is zero: give a duration above 0, such as `30s`"
        ));
    }
    Ok(duration)
}

/// Formats a duration the short way kubectl prints ages: `45s`, `3m20s`, `2h5m`, `3d4h`.
pub fn human(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs < 60 {
        if duration.as_millis() < 1000 && duration.as_millis() > 0 && secs == 0 {
            return format!("{}ms", duration.as_millis());
        }
        return format!("{secs}s");
    }
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (days, hours) {
        (0, 0) if seconds == 0 => format!("{minutes}m"),
        (0, 0) => format!("{minutes}m{seconds}s"),
        (0, _) if minutes == 0 => format!("{hours}h"),
        (0, _) => format!("{hours}h{minutes}m"),
        (_, 0) => format!("{days}d"),
        _ => format!("{days}d{hours}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("2h45m"), Ok(Duration::from_secs(9900)));
    }

    #[test]
    fn refuses_bad_durations_with_a_reason() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("-5s").unwrap_err().contains("negative"));
        assert!(parse("5x").unwrap_err().contains("unknown unit `x`"));
        assert!(parse("1m5").unwrap_err().contains("missing unit"));
        assert!(parse("s").unwrap_err().contains("expected a number"));
    }

    #[test]
    fn durations_beyond_gos_range_are_out_of_range_not_wrapped() {
        assert_eq!(parse("2562047h47m16.854775807s"), Ok(MAX));
        assert_eq!(parse("9223372036"), Ok(Duration::from_secs(9_223_372_036)));
        for long in [
            "2562048h",
            "9223372037",
            "99999999999999999999999999999999999999",
            "1e400s",
            "9999999999999999999999999h",
        ] {
            let error = parse(long).unwrap_err();
            assert!(
                error.contains("out of range") || error.contains("unknown unit"),
                "{long}: {error}"
            );
        }
        assert!(
            parse("2562048h")
                .unwrap_err()
                .contains("at most 2562047h47m16.854775807s")
        );
        assert!(
            parse("99999999999999999999999")
                .unwrap_err()
                .contains("out of range")
        );
    }

    #[test]
    fn prints_ages_like_kubectl() {
        assert_eq!(human(Duration::from_secs(45)), "45s");
        assert_eq!(human(Duration::from_secs(200)), "3m20s");
        assert_eq!(human(Duration::from_secs(7500)), "2h5m");
        assert_eq!(human(Duration::from_secs(3 * 86_400 + 4 * 3600)), "3d4h");
        assert_eq!(human(Duration::from_millis(120)), "120ms");
    }

    proptest! {
        #[test]
        fn never_panics(text in ".{0,24}") {
            let _ = parse(&text);
        }

        #[test]
        fn round_trips_whole_units(h in 0u64..100, m in 0u64..60, s in 0u64..60) {
            let text = format!("{h}h{m}m{s}s");
            prop_assert_eq!(parse(&text), Ok(Duration::from_secs(h * 3600 + m * 60 + s)));
        }
    }
}
