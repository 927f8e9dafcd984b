//! Whose learners a console viewer's pages read: the viewer's team as the learner
//! search's population (a manager's org units, the roster of the LTI course they came
//! from), so the restriction is part of every query, never a filter applied after.

use sea_orm::ConnectionTrait;

use crate::certification::learners::search::Population;
use crate::console::role::Role;
use crate::console::viewer::{Team, Viewer};
use crate::error::Error;

/// The learners whose names and records `viewer` may see.
pub async fn people(conn: &impl ConnectionTrait, viewer: &Viewer) -> Result<Population, Error> {
    Ok(match &viewer.team {
        Team::All => Population::Everyone,
        Team::OrgUnits(units) => Population::OrgUnits(units.clone()),
        Team::LtiContext(id) => {
            Population::Keys(crate::roster::store::member_learner_keys(conn, *id).await?)
        }
        Team::Nobody => Population::Nobody,
    })
}

/// The learners `viewer`'s counts are about: a manager's team; everyone for the other
/// roles (a viewer or reviewer sees no names, but every figure).
pub async fn counted(conn: &impl ConnectionTrait, viewer: &Viewer) -> Result<Population, Error> {
    if viewer.role == Role::Manager {
        people(conn, viewer).await
    } else {
        Ok(Population::Everyone)
    }
}
