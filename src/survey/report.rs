//! A survey's aggregate results, for the L&D team: per question how many answered,
//! per option the count and share, free-text answers in a random order. Below
//! `MIN_GROUP` respondents (for the survey, or for one question) the breakdown is
//! withheld: with so few answers, one person's could be picked out.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;

use super::catalog::Survey;
use super::form::Kind;
use super::store;
use crate::error::Error;

/// The fewest respondents a breakdown is shown for.
pub const MIN_GROUP: u64 = 5;
/// Free-text answers listed per question (the export has them all).
pub const TEXTS_SHOWN: u64 = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct OptionCount {
    pub value: String,
    pub label: String,
    pub count: u64,
    /// Share of the question's respondents, 0–100, one decimal.
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionReport {
    pub id: String,
    pub text: String,
    /// `choice`, `multiple-choice`, `likert` or `fill-in`.
    pub kind: String,
    /// Respondents who answered this question.
    pub answered: u64,
    /// True when `answered` is under `MIN_GROUP`: no options or texts are given.
    pub withheld: bool,
    pub options: Vec<OptionCount>,
    /// Free-text answers (fill-in), at most `TEXTS_SHOWN`, in random order.
    pub texts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub survey_id: String,
    pub title: String,
    pub course_title: String,
    pub respondents: u64,
    /// True when `respondents` is under `MIN_GROUP`: no question is broken down.
    pub withheld: bool,
    pub questions: Vec<QuestionReport>,
}

/// The report of `survey` from what is stored.
pub async fn build(conn: &impl ConnectionTrait, survey: &Survey) -> Result<Report, Error> {
    let respondents = store::respondents(conn, &survey.id).await?;
    let withheld = respondents < MIN_GROUP;
    let mut questions = Vec::new();
    if !withheld {
        let answered = store::answered_per_question(conn, &survey.id).await?;
        let choice_ids: Vec<&str> = survey
            .form
            .questions
            .iter()
            .filter(|q| matches!(q.kind, Kind::Single | Kind::Multi | Kind::Likert))
            .map(|q| q.id.as_str())
            .collect();
        let counts = store::option_counts(conn, &survey.id, &choice_ids).await?;
        for q in &survey.form.questions {
            let n = answered.get(&q.id).copied().unwrap_or(0);
            let shown = n >= MIN_GROUP;
            let texts = if shown && q.kind == Kind::FillIn {
                store::texts(conn, &survey.id, &q.id, TEXTS_SHOWN).await?
            } else {
                Vec::new()
            };
            questions.push(QuestionReport {
                id: q.id.clone(),
                text: q.text.clone(),
                kind: q.kind.name().to_owned(),
                answered: n,
                withheld: !shown,
                options: if shown {
                    options(q, n, &counts)
                } else {
                    Vec::new()
                },
                texts,
            });
        }
    } else {
        questions = survey
            .form
            .questions
            .iter()
            .map(|q| QuestionReport {
                id: q.id.clone(),
                text: q.text.clone(),
                kind: q.kind.name().to_owned(),
                answered: 0,
                withheld: true,
                options: Vec::new(),
                texts: Vec::new(),
            })
            .collect();
    }
    Ok(Report {
        survey_id: survey.id.clone(),
        title: survey.title.clone(),
        course_title: survey.course_title.clone(),
        respondents,
        withheld,
        questions,
    })
}

/// The page's options in page order with their counts, then any value stored by an
/// earlier version of the page that this one no longer offers.
fn options(
    q: &super::form::Question,
    answered: u64,
    counts: &HashMap<(String, String), u64>,
) -> Vec<OptionCount> {
    if !matches!(q.kind, Kind::Single | Kind::Multi | Kind::Likert) {
        return Vec::new();
    }
    let mut out: Vec<OptionCount> = q
        .choices
        .iter()
        .map(|c| {
            let count = counts
                .get(&(q.id.clone(), c.value.clone()))
                .copied()
                .unwrap_or(0);
            OptionCount {
                value: c.value.clone(),
                label: c.label.clone(),
                count,
                percent: percent(count, answered),
            }
        })
        .collect();
    let mut retired: Vec<_> = counts
        .iter()
        .filter(|((id, value), _)| id == &q.id && !q.choices.iter().any(|c| &c.value == value))
        .collect();
    retired.sort();
    for ((_, value), count) in retired {
        out.push(OptionCount {
            value: value.clone(),
            label: format!("{value} (no longer offered)"),
            count: *count,
            percent: percent(*count, answered),
        });
    }
    out
}

/// `part` of `whole` in percent, one decimal (0 when nobody answered).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::form::parse;

    #[test]
    fn percentages_have_one_decimal_and_survive_zero() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(5, 5), 100.0);
        assert_eq!(percent(0, 0), 0.0);
    }

    #[test]
    fn options_keep_page_order_then_list_values_no_longer_offered() {
        let form = parse(
            r#"<main data-bb-au data-bb-survey="anonymous">
            <fieldset data-bb-question="q"><legend>Q</legend>
            <label><input type="radio" value="b"> Bee</label>
            <label><input type="radio" value="a"> Ay</label></fieldset></main>"#,
        );
        let counts = HashMap::from([
            (("q".to_owned(), "a".to_owned()), 3),
            (("q".to_owned(), "old".to_owned()), 1),
            (("other".to_owned(), "b".to_owned()), 9),
        ]);
        let got = options(&form.questions[0], 4, &counts);
        let view: Vec<_> = got
            .iter()
            .map(|o| (o.label.as_str(), o.count, o.percent))
            .collect();
        assert_eq!(
            view,
            [
                ("Bee", 0, 0.0),
                ("Ay", 3, 75.0),
                ("old (no longer offered)", 1, 25.0)
            ]
        );
    }
}
