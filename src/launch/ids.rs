//! The activity ids the LMS generates for AUs, blocks and courses (cmi5 §8.1.5, §9.4).
//!
//! cmi5 §8.1.5 (`activityId`): the LMS generates the AU's activityId; it must not be the
//! publisher's id from cmi5.xml, must be the same on every launch of a registration and
//! should be the same for all registrations. cmi5 §9.4: block and course objects in
//! `satisfied` statements use LMS-generated ids too, the same ones every time.
//!
//! The ids are derived, not stored: `urn:uuid:` of a name-based UUID (RFC 9562 §5.8,
//! version 8, SHA-256) over the kind, the publisher's course id and the publisher's id of
//! the AU or block. So they depend only on what the course structure says: the same on
//! every instance, across package versions of a course (a re-import keeps its course id)
//! and when `public_url` changes, and no migration is needed to backfill them. The
//! publisher id still travels with every statement as the grouping activity (§9.6.2.3),
//! which is what reports and searches by the publisher's id use.

use aws_lc_rs::digest::{SHA256, digest};

/// The AU's activityId: what the launch URL's `activityId`, LaunchData's activity, and the
/// object of `launched`, `abandoned`, `waived` and the AU's own cmi5 statements carry.
pub fn au(course_id: &str, au_publisher_id: &str) -> String {
    derive("au", course_id, au_publisher_id)
}

/// The object id of a block's `satisfied` statements.
pub fn block(course_id: &str, block_publisher_id: &str) -> String {
    derive("block", course_id, block_publisher_id)
}

/// The object id of the course's `satisfied` statements.
pub fn course(course_id: &str) -> String {
    derive("course", course_id, course_id)
}

fn derive(kind: &str, course_id: &str, publisher_id: &str) -> String {
    // Lengths first, so no two different (course, id) pairs hash the same input.
    let input = format!(
        "blackbelt:cmi5:{kind}:{}:{course_id}:{}:{publisher_id}",
        course_id.len(),
        publisher_id.len()
    );
    let hash = digest(&SHA256, input.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.as_ref()[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(bytes).hyphenated())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COURSE: &str = "https://example.com/course";
    const AU: &str = "https://example.com/course/au1";

    #[test]
    fn generated_ids_are_stable_and_differ_from_publisher_ids() {
        let id = au(COURSE, AU);
        assert_eq!(id, au(COURSE, AU), "the same every time (cmi5 §8.1.5)");
        assert_ne!(id, AU, "not the publisher's id (cmi5 §8.1.5)");
        assert!(id.starts_with("urn:uuid:"), "{id}");
        let parsed = uuid::Uuid::parse_str(id.trim_start_matches("urn:uuid:")).unwrap();
        assert_eq!(parsed.get_version_num(), 8);
    }

    #[test]
    fn kinds_and_courses_give_different_ids() {
        assert_ne!(au(COURSE, AU), block(COURSE, AU));
        assert_ne!(au(COURSE, AU), au("https://example.com/other", AU));
        assert_ne!(course(COURSE), course("https://example.com/other"));
        assert_ne!(course(COURSE), block(COURSE, COURSE));
    }
}
