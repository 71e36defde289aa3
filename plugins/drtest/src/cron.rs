//! Cron schedules as a CronJob's `spec.schedule` is validated: robfig/cron's standard parser
//! (`cron.ParseStandard`, what kube-apiserver calls), so `--cron` fails here, with upstream's
//! message, instead of when the CronJob is applied or, printed as YAML, much later.

/// Checks `text` as the API server checks a CronJob schedule: five fields (minute, hour, day
/// of month, month, day of week) of `*`, `?`, numbers, names (`JAN`, `SUN`), ranges `a-b`,
/// steps `/n` and lists, or a descriptor (`@weekly`, `@every 6h`). `TZ=` is refused as it is
/// upstream (a CronJob has `timeZone` for that).
pub fn parse(text: &str) -> Result<String, String> {
    let spec = text.trim();
    if spec.is_empty() {
        return Err(
            "the schedule is empty: give five fields, e.g. `0 0 * * 0` (Sundays at midnight)"
                .into(),
        );
    }
    if spec.contains("TZ") {
        return Err(format!(
            "`{text}`: cannot use TZ or CRON_TZ in the schedule (the CronJob's timeZone field sets it)"
        ));
    }
    check(spec).map_err(|e| format!("`{text}` is not a cron schedule: {e}"))?;
    Ok(spec.to_owned())
}

const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "day of week",
        0,
        6,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

fn check(spec: &str) -> Result<(), String> {
    if let Some(descriptor) = spec.strip_prefix('@') {
        return match descriptor {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            every if every.starts_with("every ") => {
                let duration = &every["every ".len()..];
                shipshape::duration::parse(duration)
                    .map(drop)
                    .map_err(|e| format!("failed to parse duration @every {duration}: {e}"))
            }
            other => Err(format!("unrecognized descriptor: @{other}")),
        };
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    for (field, (name, min, max, names)) in fields.iter().zip(FIELDS) {
        for range in field.split(',') {
            check_range(range, min, max, names).map_err(|e| format!("{name} `{field}`: {e}"))?;
        }
    }
    Ok(())
}

/// One `a`, `a-b`, `*`, `a/n`, `a-b/n` or `*/n` of a field (robfig's `getRange`).
fn check_range(expr: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let star = matches!(low_and_high[0], "*" | "?");
    let (low, mut high) = if star {
        (min, max)
    } else {
        let low = number_or_name(low_and_high[0], names)?;
        match low_and_high.len() {
            1 => (low, low),
            2 => (low, number_or_name(low_and_high[1], names)?),
            _ => return Err(format!("too many hyphens: {expr}")),
        }
    };
    match range_and_step.len() {
        1 => {}
        2 => {
            let step = number(range_and_step[1])?;
            if step == 0 {
                return Err("step of range should be a positive number".into());
            }
            // `5/10` means from 5 to the end, every 10.
            if !star && low_and_high.len() == 1 {
                high = max;
            }
        }
        _ => return Err(format!("too many slashes: {expr}")),
    }
    if low < min {
        return Err(format!(
            "beginning of range ({low}) below minimum ({min}): {expr}"
        ));
    }
    if high > max {
        return Err(format!(
            "end of range ({high}) above maximum ({max}): {expr}"
        ));
    }
    if low > high {
        return Err(format!(
            "beginning of range ({low}) beyond end of range ({high}): {expr}"
        ));
    }
    Ok(())
}

fn number_or_name(text: &str, names: &[&str]) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        // Months count from 1, weekdays from 0.
        return Ok(i as u32 + u32::from(names.len() == 12));
    }
    number(text)
}

fn number(text: &str) -> Result<u32, String> {
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("negative number ({n}) not allowed: {text}")),
        Ok(n) => u32::try_from(n).map_err(|_| format!("number ({n}) out of range: {text}")),
        Err(_) => Err(format!("failed to parse int from {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_the_api_server_accepts_are_accepted() {
        for good in [
            "0 0 * * 0",
            "*/15 * * * *",
            "0 0-23/6 * * *",
            "5/10 * * * *",
            "0 9 1,15 * MON-FRI",
            "0 0 ? jan,Jul sun",
            "  0 3 * * 6  ",
            "@weekly",
            "@every 6h",
        ] {
            assert!(parse(good).is_ok(), "{good}: {:?}", parse(good));
        }
    }

    #[test]
    fn schedules_the_api_server_rejects_say_why() {
        for (bad, says) in [
            ("bad", "expected exactly 5 fields, found 1"),
            ("", "empty"),
            ("0 0 * *", "found 4"),
            (
                "60 * * * *",
                "minute `60`: end of range (60) above maximum (59)",
            ),
            ("* 24 * * *", "above maximum (23)"),
            ("* * 0 * *", "beginning of range (0) below minimum (1)"),
            ("* * * 13 *", "above maximum (12)"),
            ("* * * * 7", "above maximum (6)"),
            ("5-1 * * * *", "beyond end of range"),
            ("*/0 * * * *", "positive number"),
            ("1-2-3 * * * *", "too many hyphens"),
            ("*/2/3 * * * *", "too many slashes"),
            ("x * * * *", "failed to parse int from x"),
            ("-1 * * * *", "failed to parse int from"),
            ("@fortnightly", "unrecognized descriptor"),
            ("@every soon", "failed to parse duration"),
            ("TZ=UTC 0 0 * * 0", "timeZone"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
