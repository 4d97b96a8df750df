//! Approval types, from the config's `[[approvals.types]]`: the fields a request has,
//! the chain of steps it goes through and when each step applies, how long an approver
//! has, and where decided requests are posted.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields::{Field, FieldKind, Value};
use crate::kernel::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApprovalsConfig {
    /// The channel group (`[channels] groups`) decided requests are posted to when a
    /// type names none; empty: none.
    pub channel: String,
    pub types: Vec<TypeConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeConfig {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub fields: Vec<FieldConfig>,
    pub steps: Vec<StepConfig>,
    #[serde(default)]
    pub channel: String,
    /// A step pending this long nudges its approver once (0: never).
    #[serde(default)]
    pub remind_after_hours: u32,
    /// A step pending this long escalates (0: never).
    #[serde(default)]
    pub escalate_after_hours: u32,
    /// `manager` (the approver's manager) or `admins`.
    #[serde(default = "default_escalation")]
    pub escalate_to: String,
}

/// Leave, purchase, expense and access, so a new deployment can try approvals at once.
impl Default for ApprovalsConfig {
    fn default() -> Self {
        #[derive(Deserialize)]
        struct Types {
            types: Vec<TypeConfig>,
        }
        let defaults: Types =
            toml::from_str(include_str!("default_types.toml")).unwrap_or_else(|_| Types { types: Vec::new() });
        ApprovalsConfig { channel: String::new(), types: defaults.types }
    }
}

fn default_escalation() -> String {
    "manager".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldConfig {
    pub name: String,
    /// `text`, `amount`, `dates`, `choice`, `link` or `document` (an attached file or a
    /// link).
    pub kind: String,
    #[serde(default)]
    pub label: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub half_days: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    /// `manager`, `head`, `role`, `person`, `any` or `all`.
    pub approver: String,
    /// `manager`: 1 is the requester's manager, 2 their manager's manager.
    #[serde(default)]
    pub level: u32,
    /// `head`: the department whose manager approves.
    #[serde(default)]
    pub department: String,
    /// `role`: anyone holding it approves.
    #[serde(default)]
    pub role: String,
    /// `person`, `any`, `all`: accounts as `platform:id`, like `[directory] admins`.
    #[serde(default)]
    pub people: Vec<String>,
    /// The step applies only when this holds, e.g. `amount > 5000`, `dates > 3`
    /// (days), `kind = hardware`.
    #[serde(default)]
    pub when: String,
    /// What the step is called in the route ("Finance"); made up when empty.
    #[serde(default)]
    pub label: String,
}

/// An approval type, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalType {
    pub name: String,
    pub title: String,
    pub fields: Vec<Field>,
    pub steps: Vec<StepRule>,
    /// The channel group decided requests are posted to.
    pub channel: Option<String>,
    pub remind_after: Option<chrono::Duration>,
    pub escalate_after: Option<chrono::Duration>,
    pub escalate_to: Escalation,
}

impl ApprovalType {
    /// A type taken out of the config while requests of it remain: they still show and
    /// can be decided.
    pub fn gone(name: &str) -> ApprovalType {
        ApprovalType {
            name: name.to_owned(),
            title: capitalized(name),
            fields: Vec::new(),
            steps: Vec::new(),
            channel: None,
            remind_after: None,
            escalate_after: None,
            escalate_to: Escalation::Admins,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalation {
    Manager,
    Admins,
}

/// One step of a chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRule {
    pub label: String,
    pub approver: ApproverRule,
    pub when: Option<Condition>,
}

/// Who approves a step.
#[derive(Debug, Clone, PartialEq)]
pub enum ApproverRule {
    /// The requester's manager (`level` 1), or further up.
    Manager { level: u32 },
    /// The manager of a named department.
    Head { department: String },
    /// Any one person holding the role.
    Role(Role),
    /// One named person (`platform:id`).
    Person(String),
    /// Any one of these people.
    Any(Vec<String>),
    /// All of these people.
    All(Vec<String>),
}

/// `field op number` (amounts; for dates, their length in days) or `field = word`
/// (choices).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub operand: Operand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Number(Decimal),
    Word(String),
}

impl Condition {
    /// Whether the condition holds for a request's values; a field left empty never
    /// satisfies it.
    pub fn holds(&self, value: Option<&Value>) -> bool {
        use std::cmp::Ordering;
        let ordering = match (value, &self.operand) {
            (Some(Value::Amount(m)), Operand::Number(n)) => m.value.cmp(n),
            (Some(Value::Dates(span)), Operand::Number(n)) => (Decimal::from(span.halves()) / Decimal::TWO).cmp(n),
            (Some(Value::Choice(c)), Operand::Word(w)) => {
                let same = c.eq_ignore_ascii_case(w);
                return match self.op {
                    Op::Eq => same,
                    Op::Ne => !same,
                    _ => false,
                };
            }
            _ => return false,
        };
        match self.op {
            Op::Gt => ordering == Ordering::Greater,
            Op::Ge => ordering != Ordering::Less,
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Eq => ordering == Ordering::Equal,
            Op::Ne => ordering != Ordering::Equal,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ne => "!=",
        };
        match &self.operand {
            Operand::Number(n) => write!(f, "{} {op} {n}", self.field),
            Operand::Word(w) => write!(f, "{} {op} {w}", self.field),
        }
    }
}

impl ApprovalsConfig {
    /// Every type, checked; the error names the type and what is wrong with it.
    pub fn compile(&self) -> Result<Vec<ApprovalType>, String> {
        let mut types: Vec<ApprovalType> = Vec::new();
        for t in &self.types {
            let ty = t.compile(&self.channel).map_err(|e| format!("type `{}`: {e}", t.name))?;
            if types.iter().any(|other| other.name == ty.name) {
                return Err(format!("type `{}` is declared twice", t.name));
            }
            types.push(ty);
        }
        Ok(types)
    }

    /// The channel groups the types post to, for checking against `[channels] groups`.
    pub fn channels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.channel.as_str())
            .chain(self.types.iter().map(|t| t.channel.as_str()))
            .filter(|c| !c.is_empty())
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl TypeConfig {
    fn compile(&self, default_channel: &str) -> Result<ApprovalType, String> {
        if !is_word(&self.name) {
            return Err("its name must be one lowercase word (letters, digits, - or _)".to_owned());
        }
        let mut fields: Vec<Field> = Vec::new();
        for f in &self.fields {
            let field = f.compile().map_err(|e| format!("field `{}`: {e}", f.name))?;
            if fields.iter().any(|other| other.name == field.name) {
                return Err(format!("field `{}` is declared twice", f.name));
            }
            fields.push(field);
        }
        if self.steps.is_empty() {
            return Err("it needs at least one step".to_owned());
        }
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            steps.push(s.compile(&fields).map_err(|e| format!("step {}: {e}", i + 1))?);
        }
        let hours = |h: u32| (h > 0).then(|| chrono::Duration::hours(i64::from(h)));
        let escalate_to = match self.escalate_to.as_str() {
            "manager" => Escalation::Manager,
            "admins" => Escalation::Admins,
            other => return Err(format!("escalate_to `{other}`: expected manager or admins")),
        };
        if self.remind_after_hours > 0
            && self.escalate_after_hours > 0
            && self.remind_after_hours >= self.escalate_after_hours
        {
            return Err("remind_after_hours must be less than escalate_after_hours".to_owned());
        }
        let title = if self.title.trim().is_empty() { capitalized(&self.name) } else { self.title.trim().to_owned() };
        let channel = if self.channel.is_empty() { default_channel } else { self.channel.as_str() };
        Ok(ApprovalType {
            name: self.name.clone(),
            title,
            fields,
            steps,
            channel: (!channel.is_empty()).then(|| channel.to_owned()),
            remind_after: hours(self.remind_after_hours),
            escalate_after: hours(self.escalate_after_hours),
            escalate_to,
        })
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl FieldConfig {
    fn compile(&self) -> Result<Field, String> {
        if !is_word(&self.name) {
            return Err("its name must be one lowercase word (letters, digits, - or _)".to_owned());
        }
        let kind = match self.kind.as_str() {
            "text" => FieldKind::Text,
            "amount" => {
                let currency = self.currency.trim().to_uppercase();
                if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err("an amount needs its currency, a 3-letter code such as CNY".to_owned());
                }
                FieldKind::Amount { currency }
            }
            "dates" => FieldKind::Dates { half_days: self.half_days },
            "choice" => {
                if self.options.is_empty() || self.options.iter().any(|o| o.trim().is_empty() || o.contains(' ')) {
                    return Err("a choice needs options, each one word".to_owned());
                }
                FieldKind::Choice { options: self.options.clone() }
            }
            "link" => FieldKind::Link,
            "document" => FieldKind::Document,
            other => {
                return Err(format!("kind `{other}`: expected text, amount, dates, choice, link or document"));
            }
        };
        if self.half_days && !matches!(kind, FieldKind::Dates { .. }) {
            return Err("half_days is for dates".to_owned());
        }
        let label = if self.label.trim().is_empty() { capitalized(&self.name) } else { self.label.trim().to_owned() };
        Ok(Field { name: self.name.clone(), label, kind, required: self.required })
    }
}

impl StepConfig {
    fn compile(&self, fields: &[Field]) -> Result<StepRule, String> {
        let people = || -> Result<Vec<String>, String> {
            if self.people.is_empty() {
                return Err(format!("`{}` needs people = [\"platform:id\", …]", self.approver));
            }
            for p in &self.people {
                crate::config::parse_address(p)?;
            }
            Ok(self.people.clone())
        };
        let approver = match self.approver.as_str() {
            "manager" => ApproverRule::Manager { level: self.level.max(1) },
            "head" => {
                if self.department.trim().is_empty() {
                    return Err("`head` needs department = \"…\"".to_owned());
                }
                ApproverRule::Head { department: self.department.trim().to_owned() }
            }
            "role" => ApproverRule::Role(
                self.role
                    .parse::<Role>()
                    .ok()
                    .filter(|r| *r != Role::Staff)
                    .ok_or_else(|| format!("role `{}`: expected agent, manager or admin", self.role))?,
            ),
            "person" => {
                let mut people = people()?;
                if people.len() != 1 {
                    return Err("`person` names one person; use `any` or `all` for several".to_owned());
                }
                ApproverRule::Person(people.remove(0))
            }
            "any" => ApproverRule::Any(people()?),
            "all" => ApproverRule::All(people()?),
            other => return Err(format!("approver `{other}`: expected manager, head, role, person, any or all")),
        };
        let when = if self.when.trim().is_empty() { None } else { Some(condition(&self.when, fields)?) };
        let label = if self.label.trim().is_empty() {
            match &approver {
                ApproverRule::Manager { level: 1 } => "Manager".to_owned(),
                ApproverRule::Manager { level } => format!("Manager (level {level})"),
                ApproverRule::Head { department } => format!("Head of {department}"),
                ApproverRule::Role(role) => capitalized(role.as_str()),
                ApproverRule::Person(_) | ApproverRule::Any(_) | ApproverRule::All(_) => "Approver".to_owned(),
            }
        } else {
            self.label.trim().to_owned()
        };
        Ok(StepRule { label, approver, when })
    }
}

/// Reads `amount > 5000`, `dates >= 3`, `kind = hardware`.
fn condition(text: &str, fields: &[Field]) -> Result<Condition, String> {
    let bad =
        || format!("when `{text}`: expected `field > number` (amounts, days of dates) or `field = word` (choices)");
    let ops = [(">=", Op::Ge), ("<=", Op::Le), ("!=", Op::Ne), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)];
    let (field, op, operand) = ops
        .iter()
        .find_map(|(sym, op)| text.split_once(sym).map(|(f, v)| (f.trim(), *op, v.trim())))
        .ok_or_else(bad)?;
    let Some(declared) = fields.iter().find(|f| f.name == field) else {
        return Err(format!("when `{text}`: no field `{field}`"));
    };
    let operand = match &declared.kind {
        FieldKind::Amount { .. } | FieldKind::Dates { .. } => {
            Operand::Number(operand.replace(',', "").parse::<Decimal>().map_err(|_| bad())?)
        }
        FieldKind::Choice { options } => {
            if !matches!(op, Op::Eq | Op::Ne) {
                return Err(bad());
            }
            if !options.iter().any(|o| o.eq_ignore_ascii_case(operand)) {
                return Err(format!("when `{text}`: `{operand}` is not one of {}", options.join(", ")));
            }
            Operand::Word(operand.to_owned())
        }
        _ => return Err(format!("when `{text}`: `{field}` is text; conditions take amounts, dates or choices")),
    };
    Ok(Condition { field: field.to_owned(), op, operand })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purchase(steps: &str) -> Result<Vec<ApprovalType>, String> {
        let text = format!(
            "[[types]]\nname = \"purchase\"\nfields = [{{ name = \"amount\", kind = \"amount\", currency = \"CNY\" }}]\n{steps}"
        );
        toml::from_str::<ApprovalsConfig>(&text).map_err(|e| e.to_string())?.compile()
    }

    #[test]
    fn a_chain_with_a_condition() {
        let types = purchase(
            "steps = [{ approver = \"manager\" }, { approver = \"head\", department = \"Finance\", when = \"amount > 5,000\" }]",
        )
        .expect("valid");
        let steps = &types[0].steps;
        assert_eq!(steps[0].label, "Manager");
        assert_eq!(steps[1].label, "Head of Finance");
        let when = steps[1].when.as_ref().expect("valid");
        let money = |n: i64| Value::Amount(super::super::fields::Money { value: n.into(), currency: "CNY".into() });
        assert!(when.holds(Some(&money(5001))));
        assert!(!when.holds(Some(&money(5000))));
        assert!(!when.holds(None));
    }

    #[test]
    fn the_default_types_compile() {
        let types = ApprovalsConfig::default().compile().expect("valid");
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["leave", "purchase", "expense", "access"]);
    }

    #[test]
    fn mistakes_are_named() {
        assert!(purchase("steps = []").expect_err("refused").contains("at least one step"));
        assert!(purchase("steps = [{ approver = \"boss\" }]").expect_err("refused").contains("approver `boss`"));
        assert!(purchase("steps = [{ approver = \"head\" }]").expect_err("refused").contains("needs department"));
        assert!(
            purchase("steps = [{ approver = \"any\", people = [\"bob\"] }]").expect_err("refused").contains("step 1")
        );
        assert!(
            purchase("steps = [{ approver = \"manager\", when = \"price > 5\" }]")
                .expect_err("refused")
                .contains("no field `price`")
        );
        assert!(
            purchase("steps = [{ approver = \"role\", role = \"staff\" }]")
                .expect_err("refused")
                .contains("role `staff`")
        );
    }
}
