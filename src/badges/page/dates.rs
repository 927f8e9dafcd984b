//! Dates as the verification page shows them: "7 December 2026" in UTC, in a `<time>`
//! element whose `datetime` keeps the credential's RFC 3339 value.

use crate::lti::page::escape;

/// A `<time>` element for an RFC 3339 value, shown as "7 December 2026".
pub fn time(rfc3339: &str) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        escape(rfc3339),
        escape(&human_date(rfc3339))
    )
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "7 December 2026" (UTC), or the text itself when it is not a timestamp.
pub fn human_date(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(at) => {
            let date = at.to_zoned(jiff::tz::TimeZone::UTC).date();
            let month = MONTHS
                .get(usize::try_from(date.month() - 1).unwrap_or(0))
                .copied()
                .unwrap_or("");
            format!("{} {month} {}", date.day(), date.year())
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// (year, month 1–12) of an RFC 3339 value, in UTC.
pub fn year_month(rfc3339: &str) -> Option<(i16, i8)> {
    let date = rfc3339
        .parse::<jiff::Timestamp>()
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    Some((date.year(), date.month()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_is_shown_as_day_month_year_in_utc() {
        assert_eq!(human_date("2026-01-15T23:30:00-02:00"), "16 January 2026");
        assert_eq!(year_month("2027-12-31T12:00:00Z"), Some((2027, 12)));
    }

    #[test]
    fn text_that_is_not_a_timestamp_is_shown_as_it_is_escaped() {
        assert_eq!(human_date("soon"), "soon");
        assert_eq!(time("<b>"), "<time datetime=\"&lt;b&gt;\">&lt;b&gt;</time>");
    }
}
