//! The current programs, indexed by what can change a requirement's outcome (AU and
//! course ids, statement patterns, belts held), so a statement that touches no rule
//! costs one set lookup per key.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::certification::program::model::{Belt, Requirement, StatementPattern};
use crate::certification::program::store::LoadedProgram;

/// A belt by its place: (program index, belt index).
pub type BeltRef = (usize, usize);

/// The current programs and their index.
#[derive(Debug, Default)]
pub struct Rules {
    pub programs: Vec<LoadedProgram>,
    /// AU id → belts whose requirements (or renewal requirements) name it.
    pub aus: HashMap<String, BTreeSet<BeltRef>>,
    pub courses: HashMap<String, BTreeSet<BeltRef>>,
    /// Every statement pattern, with the belt it belongs to.
    pub patterns: Vec<(StatementPattern, BeltRef)>,
    verbs: HashSet<String>,
    activities: HashSet<String>,
    types: HashSet<String>,
    /// Some pattern names neither verb, activity nor type: every statement can match.
    any_statement: bool,
    /// Belt → belts that require it (in the same program).
    dependents: HashMap<BeltRef, BTreeSet<BeltRef>>,
}

impl Rules {
    pub fn new(programs: Vec<LoadedProgram>) -> Rules {
        let mut rules = Rules::default();
        for (pi, program) in programs.iter().enumerate() {
            let ids: HashMap<&str, usize> = program
                .program
                .belts
                .iter()
                .enumerate()
                .map(|(bi, b)| (b.id.as_str(), bi))
                .collect();
            for (bi, belt) in program.program.belts.iter().enumerate() {
                for req in belt_requirements(belt) {
                    rules.index(req, (pi, bi), &ids);
                }
            }
        }
        rules.programs = programs;
        rules
    }

    fn index(&mut self, req: &Requirement, at: BeltRef, ids: &HashMap<&str, usize>) {
        match req {
            Requirement::AllOf(list) | Requirement::AnyOf(list) => {
                list.iter().for_each(|r| self.index(r, at, ids))
            }
            Requirement::AtLeast(a) => a.of.iter().for_each(|r| self.index(r, at, ids)),
            Requirement::Au(s) => {
                self.aus.entry(s.id.clone()).or_default().insert(at);
            }
            Requirement::Course(s) => {
                self.courses.entry(s.id.clone()).or_default().insert(at);
            }
            Requirement::Belt(id) => {
                if let Some(&bi) = ids.get(id.as_str()) {
                    self.dependents.entry((at.0, bi)).or_default().insert(at);
                }
            }
            Requirement::Statements(p) => {
                match (&p.verb, &p.activity, &p.activity_type) {
                    (Some(v), _, _) => {
                        self.verbs.insert(v.clone());
                    }
                    (None, Some(a), _) => {
                        self.activities.insert(a.clone());
                    }
                    (None, None, Some(t)) => {
                        self.types.insert(t.clone());
                    }
                    (None, None, None) => self.any_statement = true,
                }
                self.patterns.push((p.clone(), at));
            }
            Requirement::Evidence(_) | Requirement::Attribute(_) => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }

    pub fn belt(&self, at: BeltRef) -> &Belt {
        &self.programs[at.0].program.belts[at.1]
    }

    /// Every belt of every program, in tier order.
    pub fn all_belts(&self) -> BTreeSet<BeltRef> {
        self.programs
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| (0..p.program.belts.len()).map(move |bi| (pi, bi)))
            .collect()
    }

    /// The belts whose patterns `statement` matches. Cheap when it matches none: one
    /// set probe for its verb, its object and its object's type.
    pub fn statement_belts(&self, statement: &Value) -> BTreeSet<BeltRef> {
        let mut out = BTreeSet::new();
        if self.patterns.is_empty() {
            return out;
        }
        let verb = statement.pointer("/verb/id").and_then(Value::as_str);
        let (activity, ty) = object_activity(statement);
        let candidate = self.any_statement
            || verb.is_some_and(|v| self.verbs.contains(v))
            || activity.is_some_and(|a| self.activities.contains(a))
            || ty.is_some_and(|t| self.types.contains(t));
        if !candidate {
            return out;
        }
        for (p, at) in &self.patterns {
            if pattern_matches(p, verb, activity, ty) {
                out.insert(*at);
            }
        }
        out
    }

    /// `belts` and every belt that (transitively) requires one of them.
    pub fn with_dependents(&self, belts: BTreeSet<BeltRef>) -> BTreeSet<BeltRef> {
        let mut out = belts.clone();
        let mut todo: Vec<BeltRef> = belts.into_iter().collect();
        while let Some(b) = todo.pop() {
            for d in self.dependents.get(&b).into_iter().flatten() {
                if out.insert(*d) {
                    todo.push(*d);
                }
            }
        }
        out
    }
}

/// The requirements that decide a belt: its own and its renewal's.
pub fn belt_requirements(belt: &Belt) -> Vec<&Requirement> {
    let mut out = vec![&belt.requires];
    if let Some(r) = &belt.recertify {
        out.push(&r.requires);
    }
    out
}

/// The object's activity id and type, when the object is an Activity.
pub fn object_activity(statement: &Value) -> (Option<&str>, Option<&str>) {
    let Some(object) = statement.get("object") else {
        return (None, None);
    };
    match object.get("objectType").and_then(Value::as_str) {
        None | Some("Activity") => (
            object.get("id").and_then(Value::as_str),
            object.pointer("/definition/type").and_then(Value::as_str),
        ),
        _ => (None, None),
    }
}

pub fn pattern_matches(
    p: &StatementPattern,
    verb: Option<&str>,
    activity: Option<&str>,
    ty: Option<&str>,
) -> bool {
    p.verb.as_deref().is_none_or(|v| verb == Some(v))
        && p.activity.as_deref().is_none_or(|a| activity == Some(a))
        && p.activity_type.as_deref().is_none_or(|t| ty == Some(t))
}
