//! STIX timestamps: the `t'…'` literal of the pattern grammar and the RFC 3339 `…Z` strings of
//! observed data, reduced to microseconds since the Unix epoch for comparison.
//!
//! The grammar only checks field ranges (month 01–12, day 01–31, hour 00–23, minute 00–59,
//! second 00–60), not the calendar, so `t'2024-02-30T00:00:00Z'` is a valid literal; it simply
//! has no instant ([`Timestamp::unix_micros`] gives `None`). Precision beyond microseconds is
//! truncated, as the reference matcher does.

use std::fmt;

/// A timestamp literal as written in a pattern: its fields, and the fractional-second digits
/// exactly as written (so that printing gives the same text back).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Four-digit year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (not checked against the month).
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Fractional-second digits as written, without the dot; empty when there is none.
    pub fraction: String,
}

impl Timestamp {
    /// Reads the text between the quotes of a `t'…'` literal with the grammar's field-range
    /// rules. Returns `None` when the text is not a timestamp literal.
    pub fn parse_literal(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let slice = bytes.get(range)?;
            slice.iter().try_fold(0u32, |total, &byte| {
                byte.is_ascii_digit()
                    .then(|| total * 10 + u32::from(byte - b'0'))
            })
        };

        let year = digits(0..4)?;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        let hour = digits(11..13)?;
        let minute = digits(14..16)?;
        let second = digits(17..19)?;
        let separators_ok = bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes[10] == b'T'
            && bytes[13] == b':'
            && bytes[16] == b':';
        if !separators_ok {
            return None;
        }

        let in_range = (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        if !in_range {
            return None;
        }

        // After the seconds: an optional `.digits`, then exactly `Z` at the end.
        let rest = &text[19..];
        let fraction = if let Some(after_dot) = rest.strip_prefix('.') {
            let digit_count = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            if digit_count == 0 || &after_dot[digit_count..] != "Z" {
                return None;
            }
            after_dot[..digit_count].to_string()
        } else if rest == "Z" {
            String::new()
        } else {
            return None;
        };

        Some(Timestamp {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            fraction,
        })
    }

    /// The instant as microseconds since 1970-01-01T00:00:00Z, or `None` when the fields do not
    /// name a real instant (year 0, February 30, second 60, …).
    pub fn unix_micros(&self) -> Option<i64> {
        instant_micros(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
            u32::from(self.hour),
            u32::from(self.minute),
            u32::from(self.second),
            &self.fraction,
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if !self.fraction.is_empty() {
            write!(formatter, ".{}", self.fraction)?;
        }
        formatter.write_str("Z")
    }
}

/// Parses an observed-data timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`, upper-case `T` and `Z`)
/// to microseconds since the epoch. `None` when it is malformed or not a real instant.
pub fn parse_rfc3339_micros(text: &str) -> Option<i64> {
    Timestamp::parse_literal(text)?.unix_micros()
}

fn instant_micros(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    fraction: &str,
) -> Option<i64> {
    if year < 1 || second > 59 || day > days_in_month(year, month) {
        return None;
    }

    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);

    // Truncate to microseconds: pad or cut the fraction to six digits.
    let mut micros = 0i64;
    for position in 0..6 {
        let digit = fraction
            .as_bytes()
            .get(position)
            .map_or(0, |byte| byte - b'0');
        micros = micros * 10 + i64::from(digit);
    }
    Some(seconds * 1_000_000 + micros)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(parse_rfc3339_micros("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_micros("2000-03-01T00:00:00Z"),
            Some(951_868_800_000_000)
        );
        assert_eq!(
            parse_rfc3339_micros("2010-05-21T13:21:43.123456789Z"),
            Some(1_274_448_103_123_456)
        );
        assert_eq!(
            parse_rfc3339_micros("1965-07-19T22:41:38Z"),
            Some(-140_491_102_000_000)
        );
    }

    #[test]
    fn grammar_ranges_are_checked_but_not_the_calendar() {
        let february_30 = Timestamp::parse_literal("2024-02-30T12:00:00Z").unwrap();
        assert_eq!(february_30.unix_micros(), None);
        assert!(Timestamp::parse_literal("2024-13-01T12:00:00Z").is_none());
        assert!(Timestamp::parse_literal("2024-01-01T12:00:61Z").is_none());
        assert!(Timestamp::parse_literal("2024-01-01T12:00:60Z").is_some());
        assert!(Timestamp::parse_literal("2024-01-01T12:00:00z").is_none());
        assert!(Timestamp::parse_literal("2024-01-01t12:00:00Z").is_none());
        assert!(Timestamp::parse_literal("2024-01-01T12:00:00.Z").is_none());
        assert!(Timestamp::parse_literal("2024-01-01T12:00:00").is_none());
    }

    #[test]
    fn display_gives_the_literal_back() {
        for text in [
            "2024-01-15T12:30:45.123Z",
            "0001-01-01T00:00:00Z",
            "2016-06-01T01:30:00.100000000Z",
        ] {
            assert_eq!(Timestamp::parse_literal(text).unwrap().to_string(), text);
        }
    }
}
