//! The rules a program must keep beyond its schema: ids and colours, unique belt and
//! evidence ids, no cycle of belts, no requirement that can never be met, references to
//! AUs and courses that are imported, and no belt id reused with another meaning.
//! Every problem names the belt and the requirement's path.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::model::{Belt, Program, Requirement};
use super::problem::{At, Problem};
use super::store::LoadedProgram;

/// `[a-z0-9-]+`.
pub fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `#rrggbb`.
fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The attribute names a requirement may test.
pub const ATTRIBUTES: [&str; 3] = ["audience", "role", "org_unit"];

const ID_RULE: &str = "must be an id: lower-case letters, digits and '-' (e.g. \"green\")";

fn belt_at(index: usize, belt: &Belt) -> At {
    At::belt(index, if is_id(&belt.id) { &belt.id } else { "" })
}

/// Every rule that needs only the file: ids, colours, validity, requirements that can
/// never be met, unknown belts and cycles.
pub fn rules(program: &Program) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !is_id(&program.program.id) {
        problems.push(At::root("program.id").problem(ID_RULE));
    }
    if program.program.name.trim().is_empty() {
        problems.push(At::root("program.name").problem("must not be empty"));
    }
    if program.belts.is_empty() {
        problems.push(At::root("belt").problem("a program needs at least one [[belt]]"));
    }
    let mut first_index: HashMap<&str, usize> = HashMap::new();
    for (index, belt) in program.belts.iter().enumerate() {
        let at = belt_at(index, belt);
        if !is_id(&belt.id) {
            problems.push(at.field("id").problem(ID_RULE));
        } else if let Some(first) = first_index.insert(&belt.id, index) {
            first_index.insert(&belt.id, first);
            problems.push(at.field("id").problem(format!(
                "is also the id of belt[{first}]: belt ids must be unique in a program"
            )));
        }
        problems.extend(belt_rules(&at, belt));
    }
    let ids: HashSet<&str> = program.belts.iter().map(|b| b.id.as_str()).collect();
    for (index, belt) in program.belts.iter().enumerate() {
        let at = belt_at(index, belt);
        walk(&at.field("requires"), &belt.requires, &mut |at, r| {
            if let Requirement::Belt(id) = r
                && !ids.contains(id.as_str())
            {
                problems.push(at.problem(format!(
                    "names belt {id:?}, which this program does not define"
                )));
            }
        });
        if let Some(recertify) = &belt.recertify {
            walk(
                &at.field("recertify.requires"),
                &recertify.requires,
                &mut |at, r| {
                    if let Requirement::Belt(id) = r
                        && !ids.contains(id.as_str())
                    {
                        problems.push(at.problem(format!(
                            "names belt {id:?}, which this program does not define"
                        )));
                    }
                },
            );
        }
    }
    problems.extend(cycles(program));
    problems
}

fn belt_rules(at: &At, belt: &Belt) -> Vec<Problem> {
    let mut problems = Vec::new();
    if belt.name.trim().is_empty() {
        problems.push(at.field("name").problem("must not be empty"));
    }
    if !is_colour(&belt.colour) {
        problems.push(at.field("colour").problem(format!(
            "must be a colour as #rrggbb (e.g. \"#1a7f37\"), not {:?}",
            belt.colour
        )));
    }
    for (i, audience) in belt.audiences.iter().enumerate() {
        if !is_id(audience) {
            problems.push(at.field("audiences").index(i).problem(ID_RULE));
        }
    }
    if belt.validity_months == Some(0) {
        problems.push(
            at.field("validity_months")
                .problem("must be at least 1; leave it out for a belt that never expires"),
        );
    }
    if let Some(recertify) = &belt.recertify {
        if belt.validity_months.is_none() {
            problems.push(
                at.field("recertify").problem(
                    "needs validity_months: a belt that never expires is never recertified",
                ),
            );
        }
        if recertify.window_days == 0 {
            problems.push(at.field("recertify.window_days").problem(
                "must be at least 1: renewal work counts from this many days before validity ends",
            ));
        }
    }
    let mut evidence: HashMap<String, String> = HashMap::new();
    let mut check = |at: &At, requirement: &Requirement| {
        problems.extend(requirement_rules(at, requirement));
        if let Requirement::Evidence(e) = requirement
            && let Some(first) = evidence.insert(e.id.clone(), at.as_str().to_owned())
        {
            problems.push(at.field("evidence.id").problem(format!(
                "evidence id {:?} is already used at {first}: evidence ids must be unique in a belt",
                e.id
            )));
        }
    };
    walk(&at.field("requires"), &belt.requires, &mut check);
    if let Some(recertify) = &belt.recertify {
        walk(
            &at.field("recertify.requires"),
            &recertify.requires,
            &mut check,
        );
    }
    problems
}

/// One requirement's own rules (its children are walked separately).
fn requirement_rules(at: &At, requirement: &Requirement) -> Vec<Problem> {
    let mut problems = Vec::new();
    match requirement {
        Requirement::AllOf(list) | Requirement::AnyOf(list) if list.is_empty() => {
            let key = if matches!(requirement, Requirement::AllOf(_)) {
                "all_of"
            } else {
                "any_of"
            };
            problems.push(at.field(key).problem("must list at least one requirement"));
        }
        Requirement::AtLeast(a) => {
            let at = at.field("at_least");
            if a.n == 0 {
                problems.push(at.field("n").problem("must be at least 1"));
            } else if a.n as usize > a.of.len() {
                problems.push(at.field("n").problem(format!(
                    "is {} but `of` lists only {} requirement(s): it can never be met",
                    a.n,
                    a.of.len()
                )));
            }
        }
        Requirement::Au(s) | Requirement::Course(s) => {
            let at = at.field(if matches!(requirement, Requirement::Au(_)) {
                "au"
            } else {
                "course"
            });
            if s.id.trim().is_empty() {
                problems.push(at.field("id").problem("must not be empty"));
            }
            if let Some(score) = s.min_score
                && !(0.0..=1.0).contains(&score)
            {
                problems.push(at.field("min_score").problem(format!(
                    "must be within 0..=1 (a scaled score), not {score}"
                )));
            }
            if s.within_months == Some(0) {
                problems.push(at.field("within_months").problem("must be at least 1"));
            }
        }
        Requirement::Belt(id) if !is_id(id) => {
            problems.push(at.field("belt").problem(ID_RULE));
        }
        Requirement::Evidence(e) => {
            let at = at.field("evidence");
            if !is_id(&e.id) {
                problems.push(at.field("id").problem(ID_RULE));
            }
            if e.title.trim().is_empty() {
                problems.push(at.field("title").problem("must not be empty"));
            }
            if e.kinds.is_empty() {
                problems.push(at.field("kinds").problem(
                    "must list at least one of \"text\", \"url\", \"file\" (leave it out for all three)",
                ));
            }
        }
        Requirement::Statements(p) => {
            let at = at.field("statements");
            if p.verb.is_none() && p.activity.is_none() && p.activity_type.is_none() {
                problems.push(at.problem(
                    "needs a verb, an activity or an activity_type: a pattern of nothing matches everything",
                ));
            }
            if p.min_count == 0 {
                problems.push(at.field("min_count").problem("must be at least 1"));
            }
            if p.within_days == Some(0) {
                problems.push(at.field("within_days").problem("must be at least 1"));
            }
        }
        Requirement::Attribute(a) => {
            let at = at.field("attribute");
            if !ATTRIBUTES.contains(&a.name.as_str()) {
                problems.push(at.field("name").problem(format!(
                    "is {:?}; it must be one of audience, role, org_unit",
                    a.name
                )));
            }
            if a.any_of.is_empty() {
                problems.push(
                    at.field("any_of")
                        .problem("must list at least one value: an empty list is never met"),
                );
            }
        }
        _ => {}
    }
    problems
}

/// Calls `visit` on `requirement` and every requirement inside it, with its place.
pub fn walk(at: &At, requirement: &Requirement, visit: &mut impl FnMut(&At, &Requirement)) {
    visit(at, requirement);
    let (children, key) = match requirement {
        Requirement::AllOf(list) => (list, at.field("all_of")),
        Requirement::AnyOf(list) => (list, at.field("any_of")),
        Requirement::AtLeast(a) => (&a.of, at.field("at_least.of")),
        _ => return,
    };
    for (i, child) in children.iter().enumerate() {
        walk(&key.index(i), child, visit);
    }
}

/// The belts a belt names, in `requires` and in `recertify.requires`.
fn named_belts(belt: &Belt) -> Vec<String> {
    let mut names = Vec::new();
    let mut collect = |_: &At, r: &Requirement| {
        if let Requirement::Belt(id) = r {
            names.push(id.clone());
        }
    };
    walk(&At::root(""), &belt.requires, &mut collect);
    if let Some(recertify) = &belt.recertify {
        walk(&At::root(""), &recertify.requires, &mut collect);
    }
    names
}

/// A belt that needs itself, directly or through others, can never be earned: one
/// problem per cycle, naming its belts in order (`white → black → white`). A belt may
/// name a belt of a higher tier as long as no cycle forms.
fn cycles(program: &Program) -> Vec<Problem> {
    let edges: BTreeMap<&str, Vec<String>> = program
        .belts
        .iter()
        .map(|b| (b.id.as_str(), named_belts(b)))
        .collect();
    let index: HashMap<&str, usize> = program
        .belts
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.as_str(), i))
        .collect();
    let mut problems = Vec::new();
    let mut reported: HashSet<Vec<String>> = HashSet::new();
    // 0 unvisited, 1 on the path, 2 done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    for start in edges.keys() {
        let mut path: Vec<&str> = Vec::new();
        visit(start, &edges, &mut state, &mut path, &mut |cycle| {
            let mut key: Vec<String> = cycle.iter().map(|s| s.to_string()).collect();
            key.sort();
            if reported.insert(key) {
                let first = cycle[0];
                let at = At::belt(index.get(first).copied().unwrap_or_default(), first);
                let mut names: Vec<&str> = cycle.to_vec();
                names.push(first);
                problems.push(at.field("requires").problem(format!(
                    "belts form a cycle ({}): none of them could ever be earned",
                    names.join(" → ")
                )));
            }
        });
    }
    problems
}

fn visit<'a>(
    belt: &'a str,
    edges: &'a BTreeMap<&'a str, Vec<String>>,
    state: &mut HashMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    found: &mut impl FnMut(&[&str]),
) {
    match state.get(belt) {
        Some(2) => return,
        Some(1) => {
            if let Some(pos) = path.iter().position(|b| *b == belt) {
                found(&path[pos..]);
            }
            return;
        }
        _ => {}
    }
    state.insert(belt, 1);
    path.push(belt);
    if let Some(next) = edges.get(belt) {
        for id in next {
            if let Some((key, _)) = edges.get_key_value(id.as_str()) {
                visit(key, edges, state, path, found);
            }
        }
    }
    path.pop();
    state.insert(belt, 2);
}

/// The AU and course ids that are imported and offered (newest version of each course
/// that is not retired).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub aus: HashSet<String>,
    pub courses: HashSet<String>,
}

/// Every AU and course the program names must be imported and not retired.
pub fn references(program: &Program, known: &Known) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, belt) in program.belts.iter().enumerate() {
        let at = belt_at(index, belt);
        let mut check = |at: &At, r: &Requirement| match r {
            Requirement::Au(s) if !known.aus.contains(&s.id) => {
                problems.push(at.field("au.id").problem(format!(
                    "no imported course that is offered has an AU {:?}; import its package first \
                     (`blackbelt packages list` shows the AU ids)",
                    s.id
                )));
            }
            Requirement::Course(s) if !known.courses.contains(&s.id) => {
                problems.push(at.field("course.id").problem(format!(
                    "no course {:?} is imported and offered; import its package first \
                     (`blackbelt packages list` shows the course ids)",
                    s.id
                )));
            }
            _ => {}
        };
        walk(&at.field("requires"), &belt.requires, &mut check);
        if let Some(recertify) = &belt.recertify {
            walk(
                &at.field("recertify.requires"),
                &recertify.requires,
                &mut check,
            );
        }
    }
    problems
}

/// A belt id keeps its meaning across versions: renaming a belt is fine, moving it to
/// another tier is fine, but an id whose name AND tier both changed from an earlier
/// version is another belt under a reused id, and awards earned under the old meaning
/// would be read as the new one. `earlier` are the stored versions of this program.
pub fn reuse(program: &Program, earlier: &[LoadedProgram]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, belt) in program.belts.iter().enumerate() {
        // The newest earlier version that had this id decides.
        let before = earlier
            .iter()
            .filter(|v| v.program_id == program.program.id)
            .filter_map(|v| {
                let tier = v.program.belts.iter().position(|b| b.id == belt.id)?;
                Some((v.version, tier, &v.program.belts[tier]))
            })
            .max_by_key(|(version, _, _)| *version);
        if let Some((version, tier, old)) = before
            && old.name != belt.name
            && tier != index
        {
            problems.push(belt_at(index, belt).field("id").problem(format!(
                "belt id {:?} meant {:?} (tier {}) in version {version} of program {:?}; \
                 here it is {:?} (tier {}). A belt id is never reused for another belt: \
                 give this belt a new id (renaming a belt, or moving it, alone is allowed)",
                belt.id,
                old.name,
                tier + 1,
                program.program.id,
                belt.name,
                index + 1
            )));
        }
    }
    problems
}

#[cfg(test)]
mod tests;
