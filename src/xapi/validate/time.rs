//! Timestamps (ISO 8601 / RFC 3339 date-times) and ISO 8601 durations.
//! Spec: xAPI-Data 4.5 (ISO 8601 Timestamps) and 4.6 (ISO 8601 Durations).

use serde_json::Value;

use super::error::{Check, ValidationError};
use super::json::string;
use super::path::JsonPath;

/// A date-time with a time zone: `2026-11-22T10:15:30.123Z` or `...+01:00`.
pub fn timestamp(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    parse_timestamp(text).map(|_| ()).map_err(|why| {
        ValidationError::new(
            path,
            format!("{text:?} is not an ISO 8601 timestamp with time zone ({why})"),
        )
    })
}

/// Parses an RFC 3339 / ISO 8601 extended date-time. A space may stand for the `T`, as
/// RFC 3339 5.6 allows and TinCanPython sends, whatever the zone (`Z` or an offset).
/// `-00:00` (unknown offset) is refused because the xAPI spec forbids it.
pub fn parse_timestamp(text: &str) -> Result<jiff::Timestamp, &'static str> {
    if text.ends_with("-00:00") || text.ends_with("-0000") || text.ends_with("-00") {
        return Err("the offset -00:00 is not allowed");
    }
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else {
        return Err(
            "expected YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm), with T or a space between date and time",
        );
    };
    if !time.ends_with(['Z', 'z']) && !time.contains(['+', '-']) {
        return Err("a time zone such as Z or +01:00 is required");
    }
    format!("{date}T{time}").parse::<jiff::Timestamp>().map_err(
        |_| "expected YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm), with T or a space between date and time",
    )
}

/// Renders a timestamp in UTC with millisecond precision, the form `stored` uses.
pub fn format_utc(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// An ISO 8601 duration such as `PT1H30M`, `P3D` or `PT4.5S`.
pub fn duration(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    if is_duration(text) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            format!("{text:?} is not an ISO 8601 duration such as PT1H30M or PT4.5S"),
        ))
    }
}

pub fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    // Weeks stand alone: `P4W` is a duration, `P4W1D` is not (ISO 8601 4.4.3.2).
    if date.contains('W')
        && (time.is_some() || !date.ends_with('W') || date.contains(['Y', 'M', 'D']))
    {
        return false;
    }
    let date_ok = components(date, "YMWD");
    let time_ok = time.map(|t| components(t, "HMS"));
    match (date_ok, time_ok) {
        (Some(_), Some(Some(n))) => n > 0,
        (Some(n), None) => n > 0,
        _ => false,
    }
}

/// Checks `nU nU ...` with designators in the given order; returns how many there were.
fn components(text: &str, designators: &str) -> Option<usize> {
    let mut count = 0;
    let mut remaining = designators;
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() || ch == '.' || ch == ',' {
            number.push(ch);
            continue;
        }
        let position = remaining.find(ch)?;
        if number.is_empty()
            || number.starts_with(['.', ','])
            || number.matches(['.', ',']).count() > 1
        {
            return None;
        }
        remaining = &remaining[position + 1..];
        number.clear();
        count += 1;
    }
    number.is_empty().then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_need_a_zone() {
        assert!(parse_timestamp("2013-05-18T05:32:34.804Z").is_ok());
        assert!(parse_timestamp("2013-05-18T05:32:34.804+01:00").is_ok());
        assert!(parse_timestamp("2013-05-18T05:32:34.804").is_err());
    }

    #[test]
    fn a_space_may_stand_for_the_t_whatever_the_zone() {
        let with_t = parse_timestamp("2026-11-29T07:08:54+01:00").unwrap();
        assert_eq!(parse_timestamp("2026-11-29 07:08:54+01:00"), Ok(with_t));
        assert!(parse_timestamp("2026-11-29 07:08:54Z").is_ok());
        assert!(parse_timestamp("2026-11-29 07:08:54.123-05:30").is_ok());
        assert_eq!(
            parse_timestamp("2026-11-29 07:08:54"),
            Err("a time zone such as Z or +01:00 is required")
        );
    }

    #[test]
    fn unknown_offset_is_refused() {
        assert!(parse_timestamp("2013-05-18T05:32:34.804-00:00").is_err());
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("2013-13-18T05:32:34Z").is_err());
    }

    #[test]
    fn utc_rendering_has_milliseconds() {
        let ts = parse_timestamp("2013-05-18T07:32:34.8+02:00").unwrap();
        assert_eq!(format_utc(ts), "2013-05-18T05:32:34.800Z");
    }

    #[test]
    fn durations_follow_iso_8601() {
        for ok in ["PT1H30M", "P3D", "PT4.5S", "P1Y2M3DT4H5M6S", "P2W", "PT0S"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "", "P", "PT", "1H", "PT1H1H", "PTM", "P1S", "PT1.2.3S", "PT1X",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
