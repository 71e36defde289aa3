//! Cron schedules as the CronJob controller reads them: five fields (minute, hour, day of month,
//! month, day of week) with `*`, `*/n`, ranges, lists and steps, plus `@hourly`-style macros.
//! Times are UTC.

use jiff::civil::DateTime;

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    fields: [Vec<bool>; 5],
    dom_restricted: bool,
    dow_restricted: bool,
}

const RANGES: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];

fn parse_field(text: &str, (low, high): (u32, u32)) -> Result<Vec<bool>, String> {
    let mut allowed = vec![false; high as usize + 1];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .map_err(|_| format!("invalid step in `{part}`"))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("zero step in `{part}`"));
        }
        let (from, to) = if range == "*" {
            (low, high)
        } else if let Some((a, b)) = range.split_once('-') {
            let parse = |v: &str| v.parse::<u32>().map_err(|_| format!("invalid value `{v}`"));
            (parse(a)?, parse(b)?)
        } else {
            let v = range
                .parse::<u32>()
                .map_err(|_| format!("invalid value `{range}`"))?;
            (v, if part.contains('/') { high } else { v })
        };
        if from < low || to > high || from > to {
            return Err(format!("`{part}` is outside {low}-{high}"));
        }
        for v in (from..=to).step_by(step as usize) {
            allowed[v as usize] = true;
        }
    }
    Ok(allowed)
}

impl Schedule {
    /// Parses a schedule such as `*/5 * * * *` or `@daily`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "expected 5 fields, found {}: `{text}`",
                parts.len()
            ));
        }
        let mut fields: [Vec<bool>; 5] = Default::default();
        for (i, part) in parts.iter().enumerate() {
            fields[i] = parse_field(part, RANGES[i])?;
        }
        // Sunday is 0 and 7.
        if fields[4][7] {
            fields[4][0] = true;
        }
        Ok(Self {
            fields,
            dom_restricted: parts[2] != "*",
            dow_restricted: parts[4] != "*",
        })
    }

    /// Whether the schedule fires at this minute.
    pub fn matches(&self, t: DateTime) -> bool {
        let at = |field: usize, v: i8| self.fields[field][v as usize];
        let dom = at(2, t.day());
        let dow = at(4, t.weekday().to_sunday_zero_offset());
        let day = match (self.dom_restricted, self.dow_restricted) {
            (true, true) => dom || dow,
            _ => dom && dow,
        };
        at(0, t.minute()) && at(1, t.hour()) && at(3, t.month()) && day
    }

    /// The latest minute in `(after, until]` the schedule fires at, if any (looking back at most
    /// a day, like the controller's missed-start window).
    pub fn latest_between(
        &self,
        after: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> Option<jiff::Timestamp> {
        let start = after.max(until - jiff::SignedDuration::from_hours(24));
        let mut t = until
            .round(
                jiff::TimestampRound::new()
                    .smallest(jiff::Unit::Minute)
                    .mode(jiff::RoundMode::Trunc),
            )
            .ok()?;
        while t > start {
            if self.matches(t.to_zoned(jiff::tz::TimeZone::UTC).datetime()) {
                return Some(t);
            }
            t -= jiff::SignedDuration::from_mins(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime {
        text.parse().unwrap()
    }

    #[test]
    fn fields_ranges_steps_and_lists() {
        let s = Schedule::parse("*/15 9-17 * * 1-5").unwrap();
        assert!(s.matches(at("2026-11-23T09:30"))); // a Monday
        assert!(!s.matches(at("2026-11-23T09:31")));
        assert!(!s.matches(at("2026-11-22T09:30"))); // a Sunday
        let s = Schedule::parse("30 2 * * *").unwrap();
        assert!(s.matches(at("2026-11-22T02:30")));
        let s = Schedule::parse("0 0 1,15 * 0").unwrap(); // day of month OR Sunday
        assert!(s.matches(at("2026-11-15T00:00")) && s.matches(at("2026-11-22T00:00")));
        assert!(
            Schedule::parse("@weekly")
                .unwrap()
                .matches(at("2026-11-22T00:00"))
        );
        assert!(
            Schedule::parse("0 0 * * 7")
                .unwrap()
                .matches(at("2026-11-22T00:00"))
        );
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(
            Schedule::parse("* * * *")
                .unwrap_err()
                .contains("expected 5 fields")
        );
        assert!(
            Schedule::parse("61 * * * *")
                .unwrap_err()
                .contains("outside 0-59")
        );
        assert!(
            Schedule::parse("*/0 * * * *")
                .unwrap_err()
                .contains("zero step")
        );
    }

    #[test]
    fn finds_the_latest_missed_start() {
        let s = Schedule::parse("*/10 * * * *").unwrap();
        let after: jiff::Timestamp = "2026-11-22T10:05:00Z".parse().unwrap();
        let until: jiff::Timestamp = "2026-11-22T10:31:30Z".parse().unwrap();
        assert_eq!(
            s.latest_between(after, until),
            Some("2026-11-22T10:30:00Z".parse().unwrap())
        );
        assert_eq!(s.latest_between(until, until), None);
    }
}
