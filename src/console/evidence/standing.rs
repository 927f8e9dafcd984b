//! What an approval leaves open, in a sentence for the decision's notice: how many
//! requirements the learner still has open for the belt, or, once it is held, for the
//! nearest belt they do not hold (the engine's own count, `near::open_counts`).

use sea_orm::ConnectionTrait;

use crate::certification::engine::near::{Open, open_counts};
use crate::certification::engine::rules::Rules;
use crate::certification::program::store::current_all;
use crate::error::Error;

/// The notice after approving evidence for `belt_id`; `held` says whether the learner
/// now holds it. `learner` and `belt` are the names shown.
pub async fn after_approval(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    belt_id: &str,
    held: bool,
    learner: &str,
    belt: &str,
) -> Result<String, Error> {
    let rules = Rules::new(current_all(conn).await?);
    let open = open_counts(
        conn,
        &rules,
        &[learner_key.to_owned()],
        crate::console::now_us(),
    )
    .await?;
    if !held {
        let left = open
            .iter()
            .find(|o| rules.belt(o.belt).id == belt_id)
            .map_or(String::new(), |o| format!(" ({})", requirements(o.open)));
        return Ok(format!(
            "Approved; {learner} does not hold {belt} yet: other requirements are still \
             open{left}."
        ));
    }
    Ok(match nearest(&open) {
        Some(o) => format!(
            "Approved. {learner} now holds {belt}. Next: {} for {}.",
            requirements(o.open),
            rules.belt(o.belt).name
        ),
        None => format!("Approved. {learner} now holds {belt}, and every other belt too."),
    })
}

/// The belt with the fewest open requirements (the first in program order on a tie).
fn nearest(open: &[Open]) -> Option<&Open> {
    open.iter()
        .filter(|o| o.open > 0)
        .min_by_key(|o| (o.open, o.belt))
}

fn requirements(n: usize) -> String {
    match n {
        1 => "1 requirement still open".into(),
        n => format!("{n} requirements still open"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(belt: (usize, usize), open: usize) -> Open {
        Open {
            learner_key: "k".into(),
            belt,
            open,
            need: 3,
        }
    }

    #[test]
    fn the_nearest_belt_has_the_fewest_open_then_comes_first() {
        let list = [
            open((0, 2), 2),
            open((0, 1), 1),
            open((0, 3), 1),
            open((0, 4), 0),
        ];
        assert_eq!(nearest(&list).map(|o| o.belt), Some((0, 1)));
        assert_eq!(nearest(&[open((0, 4), 0)]), None);
    }

    #[test]
    fn counts_read_in_words() {
        assert_eq!(requirements(1), "1 requirement still open");
        assert_eq!(requirements(3), "3 requirements still open");
    }
}
