//! Who approves each step of a request: resolved through the org chart when the request
//! is made. No step is a dead end: a requester is never their own approver (the step
//! moves up to their manager), and a step nobody can take goes to the admins, with the
//! reason told to the requester.

use deskmate_port::Platform;
use serde::{Deserialize, Serialize};

use super::config::{ApprovalType, ApproverRule};
use super::fields::Value;
use super::model::Rule;
use super::store::NewStep;
use super::text;
use crate::chat::feature::Kit;
use crate::kernel::{Lang, Person, PersonId, PersonName, Role, ServiceResult, refuse};

/// Why a step's approvers are not the ones its rule names, told with the route. Kept
/// with the step as JSON, so that each reader reads it in their own language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "kebab-case")]
pub enum RouteNote {
    /// The step would be the requester's own: their manager takes it.
    MovedUp { requester: String },
    /// Nobody the step's rule names can take it: the admins do.
    ToAdmins { why: NoApprover },
}

impl RouteNote {
    /// As the step keeps it.
    fn stored(&self) -> Option<String> {
        serde_json::to_string(self).ok()
    }

    /// A kept note; `None` for a text kept before notes were kept this way.
    pub fn read(stored: &str) -> Option<RouteNote> {
        serde_json::from_str(stored).ok()
    }
}

/// Why nobody a step's rule names can take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum NoApprover {
    NoManager {
        person: String,
    },
    NoDepartment {
        department: String,
    },
    DepartmentWithoutManager {
        department: String,
    },
    /// Nobody but the requester holds the role.
    NobodyHolds {
        role: String,
    },
    /// The people named (`platform:id`) have never written to Deskmate.
    NotSeenYet {
        addresses: Vec<String>,
    },
    /// The step would be the requester's own, and they have no manager.
    OwnStepWithoutManager {
        requester: String,
    },
}

/// Whom a step's rule finds.
enum Found {
    /// Someone (never nobody), decided by the rule, with a note when they are not whom
    /// the rule named.
    People(Rule, Vec<PersonName>, Option<RouteNote>),
    Nobody(NoApprover),
}

/// The route of a request of type `ty` with these values, step by step. A step nobody
/// can take and no admin either is refused in `lang`.
pub async fn resolve(
    kit: &Kit,
    requester: &Person,
    lang: Lang,
    ty: &ApprovalType,
    values: &[(String, Value)],
) -> ServiceResult<Vec<NewStep>> {
    let mut steps = Vec::new();
    for rule in &ty.steps {
        if let Some(when) = &rule.when {
            let value = values.iter().find(|(name, _)| *name == when.field).map(|(_, v)| v);
            if !when.holds(value) {
                continue;
            }
        }
        let me = requester.id;
        let found = match &rule.approver {
            ApproverRule::Manager { level } => {
                let mut at = me;
                let mut manager = None;
                for _ in 0..*level {
                    manager = kit.store.manager_of(at).await?;
                    match &manager {
                        Some(m) => at = m.id,
                        None => break,
                    }
                }
                match manager.filter(|m| m.id != me) {
                    Some(m) => Found::People(Rule::One, vec![m], None),
                    None => Found::Nobody(NoApprover::NoManager { person: requester.display_name.clone() }),
                }
            }
            ApproverRule::Head { department } => match kit.store.department_by_name(department).await? {
                None => Found::Nobody(NoApprover::NoDepartment { department: department.clone() }),
                Some(dept) => match dept.manager {
                    None => Found::Nobody(NoApprover::DepartmentWithoutManager { department: dept.name.clone() }),
                    Some(head) if head.id == me => up_from_self(kit, requester).await?,
                    Some(head) => Found::People(Rule::One, vec![head], None),
                },
            },
            ApproverRule::Role(role) => {
                let holders = kit.store.persons_with_role(*role).await?;
                let others: Vec<PersonId> = holders.iter().copied().filter(|p| *p != me).collect();
                if others.is_empty() && holders.contains(&me) {
                    up_from_self(kit, requester).await?
                } else {
                    let people = names(kit, &others).await?;
                    if people.is_empty() {
                        Found::Nobody(NoApprover::NobodyHolds { role: role.as_str().to_owned() })
                    } else {
                        Found::People(Rule::Any, people, None)
                    }
                }
            }
            ApproverRule::Person(address) => match person(kit, address).await? {
                Some(p) if p.id == me => up_from_self(kit, requester).await?,
                Some(p) => Found::People(Rule::One, vec![p], None),
                None => Found::Nobody(NoApprover::NotSeenYet { addresses: vec![address.clone()] }),
            },
            ApproverRule::Any(addresses) | ApproverRule::All(addresses) => {
                let all = matches!(rule.approver, ApproverRule::All(_));
                let mut people = Vec::new();
                let mut unknown = Vec::new();
                let mut mine = false;
                for address in addresses {
                    match person(kit, address).await? {
                        Some(p) if p.id == me => mine = true,
                        Some(p) if !people.iter().any(|q: &PersonName| q.id == p.id) => people.push(p),
                        Some(_) => {}
                        None => unknown.push(address.clone()),
                    }
                }
                let rule_kind = if all { Rule::All } else { Rule::Any };
                if people.is_empty() && mine {
                    up_from_self(kit, requester).await?
                } else if people.is_empty() {
                    Found::Nobody(NoApprover::NotSeenYet { addresses: unknown })
                } else {
                    Found::People(rule_kind, people, None)
                }
            }
        };
        let (rule_kind, approvers, note) = match found {
            Found::People(rule_kind, people, note) => (rule_kind, people, note),
            Found::Nobody(why) => {
                // Nobody can take it: the admins do, and the requester hears why.
                let admins: Vec<PersonId> =
                    kit.store.persons_with_role(Role::Admin).await?.into_iter().filter(|p| *p != me).collect();
                if admins.is_empty() {
                    return refuse(text::no_route(lang, &rule.label, &why));
                }
                (Rule::Any, names(kit, &admins).await?, Some(RouteNote::ToAdmins { why }))
            }
        };
        // One approver decides alone, whatever the rule said.
        let rule_kind = if approvers.len() == 1 { Rule::One } else { rule_kind };
        let note = note.and_then(|n| n.stored());
        steps.push(NewStep { label: rule.label.clone(), rule: rule_kind, approvers, note });
    }
    Ok(steps)
}

/// The step would be the requester's own: it goes to their manager instead.
async fn up_from_self(kit: &Kit, requester: &Person) -> ServiceResult<Found> {
    let requester_name = requester.display_name.clone();
    Ok(match kit.store.manager_of(requester.id).await? {
        Some(m) => Found::People(Rule::One, vec![m], Some(RouteNote::MovedUp { requester: requester_name })),
        None => Found::Nobody(NoApprover::OwnStepWithoutManager { requester: requester_name }),
    })
}

async fn person(kit: &Kit, address: &str) -> ServiceResult<Option<PersonName>> {
    let Some((platform, id)) = address.split_once(':') else { return Ok(None) };
    let Ok(platform) = platform.parse::<Platform>() else { return Ok(None) };
    Ok(kit.store.person_by_address(platform, id).await?)
}

async fn names(kit: &Kit, ids: &[PersonId]) -> ServiceResult<Vec<PersonName>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = kit.store.person(*id).await? {
            out.push(PersonName { id: p.id, name: p.display_name });
        }
    }
    Ok(out)
}
