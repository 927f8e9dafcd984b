//! The learner list's query string: parsed once into the search's `Filter`, checked
//! (a standing needs a course), and written back into links (next page, CSV).

use serde::Deserialize;

use crate::certification::learners::search::{CourseStanding, Filter};

/// `?q=&audience=&belt=&course=&standing=&after=` as sent by the filter form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub audience: Option<String>,
    pub belt: Option<String>,
    pub course: Option<String>,
    pub standing: Option<String>,
    pub after: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ListQuery {
    /// The search's filter, or what is wrong with the query (said on the page).
    pub fn filter(&self) -> Result<Filter, String> {
        let course = match (given(&self.course), given(&self.standing)) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err("Choose a course for the course standing filter.".into());
            }
            (Some(course), standing) => {
                let standing = standing.as_deref().unwrap_or("satisfied");
                let standing = CourseStanding::parse(standing).ok_or_else(|| {
                    "Course standing must be satisfied, in progress or not started.".to_owned()
                })?;
                Some((course, standing))
            }
        };
        let q = given(&self.q);
        if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err("The search is too long: use at most 200 characters.".into());
        }
        Ok(Filter {
            q,
            audience: given(&self.audience),
            belt: given(&self.belt),
            course,
            key: None,
        })
    }

    /// The query string of the same filter (without `after`), for links.
    pub fn without_cursor(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", &self.q),
            ("audience", &self.audience),
            ("belt", &self.belt),
            ("course", &self.course),
            ("standing", &self.standing),
        ] {
            if let Some(v) = given(value) {
                out.append_pair(name, &v);
            }
        }
        out.finish()
    }

    /// The query string of the page after `cursor`.
    pub fn after(&self, cursor: &str) -> String {
        let base = self.without_cursor();
        let sep = if base.is_empty() { "" } else { "&" };
        let cursor: String = url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect();
        format!("{base}{sep}after={cursor}")
    }

    pub fn text(&self, field: &str) -> String {
        let v = match field {
            "q" => &self.q,
            "audience" => &self.audience,
            "belt" => &self.belt,
            "course" => &self.course,
            _ => &self.standing,
        };
        v.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        ListQuery {
            q: get("q"),
            audience: get("audience"),
            belt: get("belt"),
            course: get("course"),
            standing: get("standing"),
            after: get("after"),
        }
    }

    #[test]
    fn a_standing_without_a_course_is_refused_with_a_reason() {
        let err = query(&[("standing", "not_started")]).filter().unwrap_err();
        assert!(err.contains("Choose a course"), "{err}");
    }

    #[test]
    fn a_course_alone_means_satisfied() {
        let f = query(&[("course", "https://c/1")]).filter().unwrap();
        assert_eq!(
            f.course,
            Some(("https://c/1".into(), CourseStanding::Satisfied))
        );
    }

    #[test]
    fn links_keep_the_filter_and_drop_empty_fields() {
        let q = query(&[("q", "ada l"), ("belt", ""), ("after", "x")]);
        assert_eq!(q.without_cursor(), "q=ada+l");
        assert_eq!(q.after("abc"), "q=ada+l&after=abc");
    }
}
