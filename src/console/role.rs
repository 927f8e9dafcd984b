//! Console roles and what each may do. Every handler asks `Viewer::require(Can::..)`
//! before reading or changing anything; hidden buttons are only a courtesy.

use std::fmt;
use std::str::FromStr;

/// A console user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including credentials, packages, LTI, passback and console users.
    Admin,
    /// The L&D team: program, awards, evidence, learners, statements, reports.
    Program,
    /// Reviews the evidence of the belts they are a reviewer of.
    Reviewer,
    /// Read-only, their team's learners.
    Manager,
    /// Read-only, aggregates only (no learner's name or record).
    Viewer,
}

/// Something a page does, checked against the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Can {
    /// Counts per belt and per course, no one's name.
    SeeAggregates,
    /// The anonymous surveys' aggregate results (the L&D team and read-only viewers:
    /// not reviewers, nor managers, who see named learners).
    SeeSurveys,
    /// Learners' names, belts, standing and timelines (a manager: their team only).
    SeeLearners,
    /// The statement explorer (every learner's statements).
    SeeStatements,
    /// Open and decide evidence (a reviewer: of their belts only).
    ReviewEvidence,
    /// Award, revoke and extend belts; read the audit log.
    ChangeAwards,
    /// Import programs and re-evaluate.
    ChangeProgram,
    /// Void statements, credentials, packages, LTI, passback, console users.
    Administer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Program,
        Role::Reviewer,
        Role::Manager,
        Role::Viewer,
    ];

    pub fn can(self, what: Can) -> bool {
        use Can::*;
        match self {
            Role::Admin => true,
            Role::Program => !matches!(what, Administer),
            Role::Reviewer => matches!(what, SeeAggregates | ReviewEvidence),
            Role::Manager => matches!(what, SeeAggregates | SeeLearners),
            Role::Viewer => matches!(what, SeeAggregates | SeeSurveys),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Program => "program",
            Role::Reviewer => "reviewer",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
        }
    }

    /// What the role is for, in a sentence (the users page and `users --help`).
    pub fn describe(self) -> &'static str {
        match self {
            Role::Admin => "everything, including credentials, packages, LTI and console users",
            Role::Program => "the program, awards, evidence, learners, statements and reports",
            Role::Reviewer => "reviews evidence for the belts they are a reviewer of",
            Role::Manager => "read-only, the learners of their team",
            Role::Viewer => "read-only, aggregates only",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}`: use one of admin, program, reviewer, manager, viewer")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_administers() {
        for role in Role::ALL {
            assert_eq!(role.can(Can::Administer), role == Role::Admin, "{role}");
        }
    }

    #[test]
    fn viewer_sees_only_aggregates() {
        assert!(Role::Viewer.can(Can::SeeAggregates));
        for can in [
            Can::SeeLearners,
            Can::SeeStatements,
            Can::ReviewEvidence,
            Can::ChangeAwards,
            Can::ChangeProgram,
        ] {
            assert!(!Role::Viewer.can(can), "{can:?}");
        }
    }

    #[test]
    fn survey_results_are_for_admin_program_and_viewer_only() {
        for role in Role::ALL {
            let want = matches!(role, Role::Admin | Role::Program | Role::Viewer);
            assert_eq!(role.can(Can::SeeSurveys), want, "{role}");
        }
    }

    #[test]
    fn manager_reads_learners_but_changes_nothing() {
        assert!(Role::Manager.can(Can::SeeLearners));
        assert!(!Role::Manager.can(Can::ChangeAwards));
        assert!(!Role::Manager.can(Can::ReviewEvidence));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("admin, program")
        );
    }
}
