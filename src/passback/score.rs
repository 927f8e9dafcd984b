//! What a standing looks like to the LMS: the AGS score (activity and grading progress,
//! score, comment) and the LTI 1.1 `resultScore`. Pure; the outbox compares these before
//! and after a change to decide whether there is anything to send.
//! AGS 2.0 §3.4 (Score publish service): <https://www.imsglobal.org/spec/lti-ags/v2p0/#score-publish-service>

use serde_json::{Value, json};

use crate::launch::projection::{ScoreDetail, Standing};

/// AGS `activityProgress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityProgress {
    Initialized,
    Started,
    InProgress,
    Submitted,
    Completed,
}

impl ActivityProgress {
    pub fn name(self) -> &'static str {
        match self {
            ActivityProgress::Initialized => "Initialized",
            ActivityProgress::Started => "Started",
            ActivityProgress::InProgress => "InProgress",
            ActivityProgress::Submitted => "Submitted",
            ActivityProgress::Completed => "Completed",
        }
    }
}

/// AGS `gradingProgress` (only the values we send).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradingProgress {
    FullyGraded,
    NotReady,
}

impl GradingProgress {
    pub fn name(self) -> &'static str {
        match self {
            GradingProgress::FullyGraded => "FullyGraded",
            GradingProgress::NotReady => "NotReady",
        }
    }
}

/// The AGS score of a standing, without `userId` and `timestamp` (the deliverer adds them).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreState {
    pub activity: ActivityProgress,
    pub grading: GradingProgress,
    /// Out of `maximum`; once a score exists it is in every later state, since a
    /// missing `scoreGiven` clears the platform's (AGS §3.4.4).
    pub given: Option<f64>,
    pub maximum: f64,
    /// No progress percent: a `progressed` statement must not make a new score.
    pub comment: String,
}

/// Every score is out of 100.
pub const SCORE_MAXIMUM: f64 = 100.0;

/// The state sent when a never-attempted AU is launched.
pub fn initialized() -> ScoreState {
    ScoreState {
        activity: ActivityProgress::Initialized,
        grading: GradingProgress::NotReady,
        given: None,
        maximum: SCORE_MAXIMUM,
        comment: "Launched".into(),
    }
}

/// The AGS state of an AU's standing (design table §4c). `detail` is the raw and max
/// of the statement that set the score, for "2 of 6 correct".
pub fn ags_state(s: &Standing, detail: Option<&ScoreDetail>) -> ScoreState {
    let given = s
        .score
        .map(|scaled| (scaled.max(0.0) * 10_000.0).round() / 100.0);
    let state = |activity, grading, comment: String| ScoreState {
        activity,
        grading,
        given,
        maximum: SCORE_MAXIMUM,
        comment,
    };
    if s.passed || s.failed {
        let activity = if s.completed || s.satisfied {
            ActivityProgress::Completed
        } else {
            ActivityProgress::Submitted
        };
        let word = if s.passed { "Passed" } else { "Failed" };
        let comment = match (detail, s.score) {
            (Some(d), _) => format!("{word}, {} of {} correct", d.raw, d.max),
            (None, Some(scaled)) => format!("{word}, {}%", (scaled.max(0.0) * 100.0).round()),
            (None, None) => word.to_owned(),
        };
        return state(activity, GradingProgress::FullyGraded, comment);
    }
    if s.satisfied {
        let word = if s.completed {
            "Completed"
        } else {
            "Satisfied"
        };
        return ScoreState {
            given: given.or(Some(SCORE_MAXIMUM)),
            ..state(
                ActivityProgress::Completed,
                GradingProgress::FullyGraded,
                word.into(),
            )
        };
    }
    if s.completed {
        return state(
            ActivityProgress::Completed,
            GradingProgress::NotReady,
            "Completed".into(),
        );
    }
    if s.progress.is_some() {
        return state(
            ActivityProgress::InProgress,
            GradingProgress::NotReady,
            "In progress".into(),
        );
    }
    if s.attempted {
        return state(
            ActivityProgress::Started,
            GradingProgress::NotReady,
            "Started".into(),
        );
    }
    initialized()
}

/// The outbox payload of an AGS state: `{activityProgress, gradingProgress, scoreGiven?,
/// scoreMaximum, comment}`.
pub fn ags_payload(st: &ScoreState) -> Value {
    let mut out = json!({
        "activityProgress": st.activity.name(),
        "gradingProgress": st.grading.name(),
        "scoreMaximum": st.maximum,
        "comment": st.comment,
    });
    if let Some(given) = st.given {
        out["scoreGiven"] = json!(given);
    }
    out
}

/// LTI 1.1 `resultScore` (0.0–1.0) of a standing; `None` when there is no number to
/// send (not decided yet, or failed without a score). LTI BO 1.1 §6 `replaceResult`.
pub fn outcome_11(s: &Standing) -> Option<f64> {
    if let Some(scaled) = s.score.filter(|_| s.passed || s.failed) {
        return Some(scaled.clamp(0.0, 1.0));
    }
    if s.passed || (s.satisfied && !s.failed) {
        return Some(1.0);
    }
    None
}

/// The outbox payload of an LTI 1.1 score: `{resultScore}`.
pub fn lti11_payload(score: f64) -> Value {
    json!({ "resultScore": score })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn au() -> Standing {
        Standing {
            kind: "au".into(),
            ..Standing::default()
        }
    }

    #[test]
    fn an_attempted_au_is_started_and_not_ready() {
        let s = Standing {
            attempted: true,
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(st.activity, ActivityProgress::Started);
        assert_eq!(st.grading, GradingProgress::NotReady);
        assert_eq!(st.given, None);
        assert_eq!(st.comment, "Started");
    }

    #[test]
    fn progress_is_in_progress_whatever_the_percent() {
        let a = Standing {
            attempted: true,
            progress: Some(20),
            ..au()
        };
        let b = Standing {
            progress: Some(60),
            ..a.clone()
        };
        assert_eq!(ags_state(&a, None), ags_state(&b, None));
        assert_eq!(ags_state(&a, None).activity, ActivityProgress::InProgress);
    }

    #[test]
    fn completed_undecided_is_completed_and_not_ready() {
        let s = Standing {
            attempted: true,
            completed: true,
            progress: Some(100),
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(
            (st.activity, st.grading),
            (ActivityProgress::Completed, GradingProgress::NotReady)
        );
    }

    #[test]
    fn passed_without_completed_is_submitted_and_fully_graded_with_the_score() {
        let s = Standing {
            attempted: true,
            passed: true,
            score: Some(0.8333),
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(st.activity, ActivityProgress::Submitted);
        assert_eq!(st.grading, GradingProgress::FullyGraded);
        assert_eq!(st.given, Some(83.33));
        assert_eq!(st.comment, "Passed, 83%");
        let detailed = ags_state(&s, Some(&ScoreDetail { raw: 5.0, max: 6.0 }));
        assert_eq!(detailed.comment, "Passed, 5 of 6 correct");
    }

    #[test]
    fn failed_unscored_is_fully_graded_without_a_score_and_sends_nothing_in_lti11() {
        let s = Standing {
            attempted: true,
            failed: true,
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(st.grading, GradingProgress::FullyGraded);
        assert_eq!(st.given, None);
        assert_eq!(st.comment, "Failed");
        assert_eq!(outcome_11(&s), None);
        assert!(ags_payload(&st).get("scoreGiven").is_none());
    }

    #[test]
    fn negative_scores_are_sent_as_zero() {
        let s = Standing {
            failed: true,
            score: Some(-0.5),
            ..au()
        };
        assert_eq!(ags_state(&s, None).given, Some(0.0));
        assert_eq!(outcome_11(&s), Some(0.0));
    }

    #[test]
    fn satisfied_unscored_is_completed_with_full_marks() {
        let s = Standing {
            attempted: true,
            completed: true,
            satisfied: true,
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(st.activity, ActivityProgress::Completed);
        assert_eq!(st.grading, GradingProgress::FullyGraded);
        assert_eq!(st.given, Some(100.0));
        assert_eq!(outcome_11(&s), Some(1.0));
    }

    #[test]
    fn satisfied_and_passed_with_a_score_keeps_the_score_and_the_pass_words() {
        let s = Standing {
            attempted: true,
            passed: true,
            satisfied: true,
            score: Some(0.5),
            ..au()
        };
        let st = ags_state(&s, None);
        assert_eq!(st.activity, ActivityProgress::Completed);
        assert_eq!(st.given, Some(50.0));
        assert_eq!(st.comment, "Passed, 50%");
        assert_eq!(outcome_11(&s), Some(0.5));
    }

    #[test]
    fn a_never_attempted_standing_is_initialized() {
        assert_eq!(ags_state(&au(), None), initialized());
        assert_eq!(
            ags_payload(&initialized()),
            json!({"activityProgress": "Initialized", "gradingProgress": "NotReady",
                   "scoreMaximum": 100.0, "comment": "Launched"})
        );
        assert_eq!(outcome_11(&au()), None);
    }
}
