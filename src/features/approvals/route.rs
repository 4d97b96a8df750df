//! Who approves each step of a request: resolved through the org chart when the request
//! is made. No step is a dead end: a requester is never their own approver (the step
//! moves up to their manager), and a step nobody can take goes to the admins, with the
//! reason told to the requester.

use deskmate_port::Platform;

use super::config::{ApprovalType, ApproverRule};
use super::fields::Value;
use super::model::Rule;
use super::store::NewStep;
use super::text;
use crate::chat::feature::Kit;
use crate::kernel::{Person, PersonId, PersonName, Role, ServiceResult, refuse};

/// The route of a request of type `ty` with these values, step by step.
pub async fn resolve(
    kit: &Kit,
    requester: &Person,
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
        let (rule_kind, found, why_not) = match &rule.approver {
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
                    Some(m) => (Rule::One, vec![m], None),
                    None => (Rule::One, Vec::new(), Some(text::no_manager(&requester.display_name))),
                }
            }
            ApproverRule::Head { department } => match kit.store.department_by_name(department).await? {
                None => (Rule::One, Vec::new(), Some(text::no_department(department))),
                Some(dept) => match dept.manager {
                    None => (Rule::One, Vec::new(), Some(text::department_without_manager(&dept.name))),
                    Some(head) if head.id == me => up_from_self(kit, requester).await?,
                    Some(head) => (Rule::One, vec![head], None),
                },
            },
            ApproverRule::Role(role) => {
                let holders = kit.store.persons_with_role(*role).await?;
                let others: Vec<PersonId> = holders.iter().copied().filter(|p| *p != me).collect();
                if others.is_empty() && holders.contains(&me) {
                    up_from_self(kit, requester).await?
                } else if others.is_empty() {
                    (Rule::Any, Vec::new(), Some(text::nobody_holds(*role)))
                } else {
                    (Rule::Any, names(kit, &others).await?, None)
                }
            }
            ApproverRule::Person(address) => match person(kit, address).await? {
                Some(p) if p.id == me => up_from_self(kit, requester).await?,
                Some(p) => (Rule::One, vec![p], None),
                None => (Rule::One, Vec::new(), Some(text::unknown_person(address))),
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
                        None => unknown.push(address.as_str()),
                    }
                }
                let rule_kind = if all { Rule::All } else { Rule::Any };
                if people.is_empty() && mine {
                    up_from_self(kit, requester).await?
                } else if people.is_empty() {
                    (rule_kind, Vec::new(), Some(text::unknown_person(&unknown.join(", "))))
                } else {
                    (rule_kind, people, None)
                }
            }
        };
        let (rule_kind, approvers, note) = if found.is_empty() {
            // Nobody can take it: the admins do, and the requester hears why.
            let why = why_not.unwrap_or_default();
            let admins: Vec<PersonId> =
                kit.store.persons_with_role(Role::Admin).await?.into_iter().filter(|p| *p != me).collect();
            if admins.is_empty() {
                return refuse(text::no_route(&rule.label, &why));
            }
            (Rule::Any, names(kit, &admins).await?, Some(text::to_admins(&why)))
        } else {
            (rule_kind, found, why_not)
        };
        // One approver decides alone, whatever the rule said.
        let rule_kind = if approvers.len() == 1 { Rule::One } else { rule_kind };
        steps.push(NewStep { label: rule.label.clone(), rule: rule_kind, approvers, note });
    }
    Ok(steps)
}

/// The step would be the requester's own: it goes to their manager instead.
async fn up_from_self(kit: &Kit, requester: &Person) -> ServiceResult<(Rule, Vec<PersonName>, Option<String>)> {
    Ok(match kit.store.manager_of(requester.id).await? {
        Some(m) => (Rule::One, vec![m], Some(text::moved_up(&requester.display_name))),
        None => (Rule::One, Vec::new(), Some(text::own_step_without_manager(&requester.display_name))),
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
