//! Requirement evaluation: pure, over one learner's facts. A met requirement yields what
//! met it (the award's evidence); an unmet one yields nothing.

use serde_json::{Value, json};

use super::facts::Facts;
use super::rules::{BeltRef, Rules};
use crate::certification::awards::store::sub_months;
use crate::certification::program::model::{Requirement, Standing};

/// Where a requirement is evaluated.
pub struct Scope<'a> {
    pub rules: &'a Rules,
    pub belt: BeltRef,
    pub program_id: &'a str,
    pub now_us: i64,
    /// Work before this does not count (renewal windows, re-earning after a revocation).
    pub floor_us: i64,
}

/// What met `req`, or `None` when it is not met.
pub fn eval(req: &Requirement, facts: &Facts, scope: &Scope<'_>) -> Option<Vec<Value>> {
    match req {
        Requirement::AllOf(list) => {
            let mut out = Vec::new();
            for r in list {
                out.extend(eval(r, facts, scope)?);
            }
            Some(out)
        }
        Requirement::AnyOf(list) => list.iter().find_map(|r| eval(r, facts, scope)),
        Requirement::AtLeast(a) => {
            let mut out = Vec::new();
            let mut met = 0;
            for r in &a.of {
                if met >= a.n {
                    break;
                }
                if let Some(found) = eval(r, facts, scope) {
                    out.extend(found);
                    met += 1;
                }
            }
            (met >= a.n).then_some(out)
        }
        Requirement::Au(s) => standing(s, "au", facts, scope),
        Requirement::Course(s) => standing(s, "course", facts, scope),
        Requirement::Belt(id) => {
            let award = facts.active.get(id)?;
            (award.program_id == scope.program_id)
                .then(|| vec![json!({"kind": "belt", "belt": id, "award_id": award.id})])
        }
        Requirement::Evidence(e) => {
            let belt = &scope.rules.belt(scope.belt).id;
            let ids: Vec<i64> = facts
                .evidence
                .get(&(belt.clone(), e.id.clone()))?
                .iter()
                .filter(|(_, decided)| *decided >= scope.floor_us)
                .map(|(id, _)| *id)
                .collect();
            (!ids.is_empty()).then(|| {
                vec![json!({"kind": "evidence", "requirement": e.id, "evidence_ids": ids})]
            })
        }
        Requirement::Statements(p) => {
            let index = scope
                .rules
                .patterns
                .iter()
                .position(|(q, at)| *at == scope.belt && q == p)?;
            let ids: Vec<&str> = facts
                .statements
                .get(&index)?
                .iter()
                .filter(|(_, stored)| *stored >= scope.floor_us)
                .map(|(id, _)| id.as_str())
                .collect();
            (ids.len() >= p.min_count.max(1) as usize).then(|| {
                vec![json!({"kind": "statements", "label": p.label, "statement_ids": ids})]
            })
        }
        Requirement::Attribute(a) => {
            let values = facts.attributes.get(&a.name)?;
            let held: Vec<&str> = match values {
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                Value::String(one) => vec![one.as_str()],
                _ => Vec::new(),
            };
            let value = a.any_of.iter().find(|v| held.contains(&v.as_str()))?;
            Some(vec![
                json!({"kind": "attribute", "name": a.name, "value": value}),
            ])
        }
    }
}

fn standing(s: &Standing, kind: &str, facts: &Facts, scope: &Scope<'_>) -> Option<Vec<Value>> {
    let since = s
        .within_months
        .map(|m| sub_months(scope.now_us, m))
        .unwrap_or(i64::MIN)
        .max(scope.floor_us);
    let best = facts
        .standings
        .iter()
        .filter(|f| f.kind == kind && f.object_id == s.id && f.updated_us >= since)
        .filter(|f| {
            s.min_score
                .is_none_or(|min| f.score.is_some_and(|sc| sc >= min))
        })
        .max_by(|a, b| {
            a.score
                .unwrap_or(-1.0)
                .total_cmp(&b.score.unwrap_or(-1.0))
                .then(a.updated_us.cmp(&b.updated_us))
        })?;
    let at = jiff::Timestamp::from_microsecond(best.updated_us)
        .map(|t| t.to_string())
        .unwrap_or_default();
    Some(vec![json!({
        "kind": kind,
        "object_id": best.object_id,
        "score": best.score,
        "at": at,
    })])
}
