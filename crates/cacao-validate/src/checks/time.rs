//! Timestamp rules: real calendar dates (the schema's pattern accepts 31 February), exactly three
//! fractional digits on `created` and `modified`, `modified` not before `created`, and
//! `valid_until` after `valid_from`. Applies to the playbook, its data markings and its
//! signatures (countersignatures included).

use std::cmp::Ordering;

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::json::{Kind, NodeId};

/// A point in time, comparable, with the number of fractional digits it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    /// Year, month, day, hour, minute, second.
    fields: [u32; 6],
    /// The fraction of a second, scaled to nanoseconds (digits beyond nine are ignored).
    nanoseconds: u32,
    pub fractional_digits: usize,
}

impl Instant {
    fn compare(&self, other: &Instant) -> Ordering {
        self.fields
            .cmp(&other.fields)
            .then(self.nanoseconds.cmp(&other.nanoseconds))
    }
}

/// Why a timestamp is not one: its shape breaks the schema pattern (reported by the schema
/// pass) or its date does not exist (reported here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimestampError {
    Shape(String),
    Calendar(String),
}

/// Parses a CACAO timestamp: `yyyy-mm-ddThh:mm:ss[.fraction]Z`.
pub(crate) fn parse_timestamp(text: &str) -> Result<Instant, TimestampError> {
    let shape = |reason: &str| Err(TimestampError::Shape(reason.to_owned()));
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let slice = bytes.get(range)?;
        slice.iter().all(u8::is_ascii_digit).then(|| {
            slice
                .iter()
                .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
        })
    };

    if text.contains(' ') && !text.contains('T') {
        return shape("the date and the time are separated by a space instead of `T`");
    }
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return shape("it does not start with a date `yyyy-mm-dd`");
    };
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return shape("it does not start with a date `yyyy-mm-dd`");
    }
    if bytes.get(10) != Some(&b'T') {
        return shape("it has no time part `Thh:mm:ss` after the date");
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(11..13), digits(14..16), digits(17..19))
    else {
        return shape("its time is not `hh:mm:ss`");
    };
    if bytes.get(13) != Some(&b':') || bytes.get(16) != Some(&b':') {
        return shape("its time is not `hh:mm:ss`");
    }

    let mut position = 19;
    let mut fractional_digits = 0;
    let mut nanoseconds = 0u32;
    if bytes.get(position) == Some(&b'.') {
        position += 1;
        while let Some(digit) = bytes.get(position).filter(|byte| byte.is_ascii_digit()) {
            if fractional_digits < 9 {
                nanoseconds = nanoseconds * 10 + u32::from(digit - b'0');
            }
            fractional_digits += 1;
            position += 1;
        }
        if fractional_digits == 0 {
            return shape("it has a decimal point without digits after the seconds");
        }
        for _ in fractional_digits..9 {
            nanoseconds *= 10;
        }
    }
    match &text[position.min(text.len())..] {
        "Z" => {}
        "" => return shape("it has no `Z` at the end; CACAO timestamps are in UTC"),
        "z" => return shape("it ends in a lower-case `z`; write `Z`"),
        rest if rest.starts_with(['+', '-']) => {
            return shape(&format!(
                "it has the offset `{rest}`; CACAO timestamps are in UTC and end in `Z`"
            ));
        }
        rest => return shape(&format!("unexpected `{rest}` after the seconds")),
    }

    let calendar = |reason: String| Err(TimestampError::Calendar(reason));
    if !(1..=12).contains(&month) {
        return shape(&format!("month {month:02} does not exist"));
    }
    if day == 0 || day > 31 {
        return shape(&format!("day {day:02} does not exist"));
    }
    if day > days_in_month(year, month) {
        return calendar(format!("{year:04}-{month:02} has no day {day:02}"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return shape(&format!(
            "{hour:02}:{minute:02}:{second:02} is not a time of day"
        ));
    }
    Ok(Instant {
        fields: [year, month, day, hour, minute, second.min(59)],
        nanoseconds,
        fractional_digits,
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Why `text` is not a CACAO timestamp, or `None` when it is one.
pub(crate) fn timestamp_problem(text: &str) -> Option<String> {
    match parse_timestamp(text) {
        Ok(_) => None,
        Err(TimestampError::Shape(reason) | TimestampError::Calendar(reason)) => Some(reason),
    }
}

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    let root = context.root;
    check_object(context, root, true, "the playbook");

    for definition in context.definitions("data_marking_definitions") {
        check_object(context, definition.node, false, "the marking");
        for key in ["start_date", "end_date"] {
            if let Some(node) = document.get(definition.node, key) {
                timestamp_at(context, node);
            }
        }
    }

    let mut signatures: Vec<NodeId> = document
        .get(root, "signatures")
        .map(|list| document.items(list).collect())
        .unwrap_or_default();
    while let Some(signature) = signatures.pop() {
        check_object(context, signature, true, "the signature");
        if let Some(node) = document.get(signature, "related_version") {
            timestamp_at(context, node);
        }
        if let Some(nested) = document.get(signature, "signature")
            && document.kind(nested) == Kind::Object
        {
            signatures.push(nested);
        }
    }

    for (_, step) in context.steps() {
        if let Some(node) = document.get(step, "playbook_version") {
            timestamp_at(context, node);
        }
    }
}

/// Parses the timestamp at `node`; reports dates that do not exist (the schema pass reports
/// other malformed timestamps).
fn timestamp_at(context: &mut Context<'_>, node: NodeId) -> Option<Instant> {
    let text = context.document.as_str(node)?;
    match parse_timestamp(text) {
        Ok(instant) => Some(instant),
        Err(TimestampError::Calendar(reason)) => {
            context.report(
                Rule::TimeFormat,
                Place::Node(node),
                format!("`{text}` is not a real date: {reason}"),
                "correct the date",
            );
            None
        }
        Err(TimestampError::Shape(_)) => None,
    }
}

fn check_object(context: &mut Context<'_>, object: NodeId, versioned: bool, what: &str) {
    let document = context.document;
    let created_node = document.get(object, "created");
    let created = created_node.and_then(|node| timestamp_at(context, node));
    let modified_node = if versioned {
        document.get(object, "modified")
    } else {
        None
    };
    let modified = modified_node.and_then(|node| timestamp_at(context, node));

    for (key, node, instant) in [
        ("created", created_node, created),
        ("modified", modified_node, modified),
    ] {
        if let (Some(node), Some(instant)) = (node, instant)
            && instant.fractional_digits != 3
        {
            let text = document.as_str(node).unwrap_or_default();
            context.report(
                Rule::TimePrecision,
                Place::Node(node),
                format!(
                    "`{key}` of {what} is `{text}`, with {} fractional digit{}; CACAO requires exactly three (milliseconds)",
                    instant.fractional_digits,
                    if instant.fractional_digits == 1 { "" } else { "s" }
                ),
                format!("write it to the millisecond: `{}`", to_milliseconds(text)),
            );
        }
    }

    if let (Some(created), Some(modified), Some(modified_node)) = (created, modified, modified_node)
        && modified.compare(&created) == Ordering::Less
    {
        context.report(
            Rule::TimeOrder,
            Place::Node(modified_node),
            format!(
                "`modified` ({}) of {what} is earlier than `created` ({})",
                document.as_str(modified_node).unwrap_or_default(),
                created_node.and_then(|node| document.as_str(node)).unwrap_or_default()
            ),
            "`modified` is the time of this version and can never precede `created`; for a first version they are equal",
        );
    }

    let from_node = document.get(object, "valid_from");
    let until_node = document.get(object, "valid_until");
    let from = from_node.and_then(|node| timestamp_at(context, node));
    let until = until_node.and_then(|node| timestamp_at(context, node));
    if let (Some(from), Some(until), Some(until_node)) = (from, until, until_node)
        && until.compare(&from) != Ordering::Greater
    {
        context.report(
            Rule::TimeOrder,
            Place::Node(until_node),
            format!(
                "`valid_until` ({}) of {what} is not later than `valid_from` ({})",
                document.as_str(until_node).unwrap_or_default(),
                from_node
                    .and_then(|node| document.as_str(node))
                    .unwrap_or_default()
            ),
            "`valid_until` must be later than `valid_from`",
        );
    }
}

/// The timestamp with exactly three fractional digits (padded or cut).
fn to_milliseconds(text: &str) -> String {
    let Some(base) = text.get(..19) else {
        return text.to_owned();
    };
    let fraction: String = text
        .get(19..)
        .unwrap_or_default()
        .trim_start_matches('.')
        .chars()
        .take_while(char::is_ascii_digit)
        .chain(std::iter::repeat('0'))
        .take(3)
        .collect();
    format!("{base}.{fraction}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_parsed_and_compared() {
        let early = parse_timestamp("2024-03-04T09:15:22.104Z").unwrap();
        let late = parse_timestamp("2024-03-04T09:15:22.1041Z").unwrap();
        assert_eq!(early.fractional_digits, 3);
        assert_eq!(late.compare(&early), Ordering::Greater);
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_ok());
        assert!(parse_timestamp("2016-12-31T23:59:60Z").is_ok());
    }

    #[test]
    fn malformed_timestamps_say_why() {
        for (text, reason) in [
            ("2024-03-04T09:15:22.104+02:00", "offset `+02:00`"),
            ("2024-03-04", "no time part"),
            ("2024-03-04 09:15:22Z", "space"),
            ("2024-03-04T09:15:22.Z", "decimal point"),
            ("2024-03-04T09:15:22", "no `Z`"),
            ("2024-13-04T09:15:22Z", "month 13"),
            ("2023-02-29T09:15:22Z", "no day 29"),
            ("2024-03-04T24:15:22Z", "not a time of day"),
        ] {
            let problem = timestamp_problem(text).unwrap_or_default();
            assert!(problem.contains(reason), "{text}: {problem}");
        }
        assert!(matches!(
            parse_timestamp("2023-02-29T09:15:22Z"),
            Err(TimestampError::Calendar(_))
        ));
    }

    #[test]
    fn milliseconds_suggestion_pads_and_cuts() {
        assert_eq!(
            to_milliseconds("2024-03-04T09:15:22Z"),
            "2024-03-04T09:15:22.000Z"
        );
        assert_eq!(
            to_milliseconds("2024-03-04T09:15:22.12345Z"),
            "2024-03-04T09:15:22.123Z"
        );
    }
}
