//! `[tickets]`: the help desk's rules, and its categories (`[[tickets.categories]]`), each
//! with its team, its queue and how new tickets are assigned.

use deskmate_port::Platform;
use serde::{Deserialize, Serialize};

use super::model::Assignment;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketsConfig {
    /// How long after a ticket is resolved its requester may still reopen it (agents
    /// may at any time), e.g. "7d".
    pub reopen_window: String,
    /// A ticket waiting on its requester: they are reminded after this long, and it is
    /// closed after `waiting_close_after` unless it moves on.
    pub waiting_remind_after: String,
    pub waiting_close_after: String,
    /// A resolved ticket nobody reopens is closed after this long.
    pub resolved_close_after: String,
    /// What people write to Deskmate in private opens a ticket (or, if they have one
    /// open, is added to it after asking).
    pub direct_intake: bool,
    /// Reacting with one of these to a message in a group makes it a ticket; empty: off.
    /// Telegram groups offer a fixed set of reactions, without 🎫 unless the group allows
    /// custom ones: ✍ is among Telegram's.
    pub intake_reactions: Vec<String>,
    /// Kinds of ticket and the teams that work them; none: one queue, every agent.
    pub categories: Vec<CategoryConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryConfig {
    /// One word, typed as `category:<name>`.
    pub name: String,
    /// How people read it ("IT support"); the name when empty.
    #[serde(default)]
    pub label: String,
    /// The channel group (`[channels] groups`) its tickets are posted to; empty: the
    /// support queue.
    #[serde(default)]
    pub queue: String,
    /// Its team: accounts as `platform:id` (they are made agents on first sight).
    /// Empty: every agent.
    #[serde(default)]
    pub agents: Vec<String>,
    /// How a new ticket finds its agent: `manual` (they claim it), `round_robin` or
    /// `least_open`.
    #[serde(default = "manual")]
    pub assign: String,
    /// Its team lead, as `platform:id`: told of low ratings (and, later, breaches).
    /// Empty: the category's queue is told instead.
    #[serde(default)]
    pub lead: String,
}

fn manual() -> String {
    Assignment::Manual.as_str().to_owned()
}

impl Default for TicketsConfig {
    fn default() -> Self {
        TicketsConfig {
            reopen_window: "7d".to_owned(),
            waiting_remind_after: "3d".to_owned(),
            waiting_close_after: "7d".to_owned(),
            resolved_close_after: "7d".to_owned(),
            direct_intake: true,
            intake_reactions: vec!["🎫".to_owned(), "✍".to_owned()],
            categories: Vec::new(),
        }
    }
}

/// The config, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub reopen_window: chrono::Duration,
    pub waiting_remind_after: chrono::Duration,
    pub waiting_close_after: chrono::Duration,
    pub resolved_close_after: chrono::Duration,
    pub direct_intake: bool,
    /// Without the variation selector some platforms add (✍️ is ✍).
    pub intake_reactions: Vec<String>,
    pub categories: Vec<Category>,
}

/// A category, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub name: String,
    pub label: String,
    /// Its channel group; `None`: the support queue.
    pub queue: Option<String>,
    /// Its team's accounts; empty: every agent.
    pub agents: Vec<(Platform, String)>,
    pub assign: Assignment,
    pub lead: Option<(Platform, String)>,
}

impl Settings {
    /// The category by name, as typed (any case).
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Whether a reaction with `emoji` opens a ticket.
    pub fn opens_ticket(&self, emoji: &str) -> bool {
        let emoji = plain_emoji(emoji);
        self.intake_reactions.contains(&emoji)
    }

    /// The category names, for errors and menus.
    pub fn category_names(&self) -> String {
        self.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl TicketsConfig {
    /// The settings, or the problem as `key: what is wrong`.
    pub fn compile(&self) -> Result<Settings, String> {
        let reopen_window =
            crate::chat::commands::read_duration(&self.reopen_window).map_err(|e| format!("reopen_window: {e}"))?;
        if reopen_window > chrono::Duration::days(365) {
            return Err("reopen_window: at most a year (365d)".to_owned());
        }
        let read = |key: &str, text: &str| {
            let d = crate::chat::commands::read_duration(text).map_err(|e| format!("{key}: {e}"))?;
            if d > chrono::Duration::days(365) {
                return Err(format!("{key}: at most a year (365d)"));
            }
            Ok(d)
        };
        let waiting_remind_after = read("waiting_remind_after", &self.waiting_remind_after)?;
        let waiting_close_after = read("waiting_close_after", &self.waiting_close_after)?;
        let resolved_close_after = read("resolved_close_after", &self.resolved_close_after)?;
        if waiting_remind_after >= waiting_close_after {
            return Err("waiting_remind_after: must come before waiting_close_after".to_owned());
        }
        let mut categories: Vec<Category> = Vec::new();
        for c in &self.categories {
            let problem = |p: String| Err(format!("categories: `{}`: {p}", c.name));
            let name = c.name.trim().to_lowercase();
            if name.is_empty() || name.len() > 24 || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') {
                return problem("a name is one word of letters, digits and dashes, at most 24".to_owned());
            }
            if categories.iter().any(|k| k.name == name) {
                return problem("named twice".to_owned());
            }
            let Ok(assign) = c.assign.trim().parse::<Assignment>() else {
                return problem(format!("assign is one of {}", Assignment::NAMES.join(", ")));
            };
            let agents = c.agents.iter().map(|a| crate::config::parse_address(a)).collect::<Result<Vec<_>, _>>();
            let agents = match agents {
                Ok(agents) => agents,
                Err(p) => return problem(p),
            };
            let label = if c.label.trim().is_empty() { c.name.trim().to_owned() } else { c.label.trim().to_owned() };
            let queue = Some(c.queue.trim().to_lowercase()).filter(|q| !q.is_empty());
            let lead = match c.lead.trim() {
                "" => None,
                lead => match crate::config::parse_address(lead) {
                    Ok(account) => Some(account),
                    Err(p) => return problem(format!("lead: {p}")),
                },
            };
            categories.push(Category { name, label, queue, agents, assign, lead });
        }
        let intake_reactions: Vec<String> =
            self.intake_reactions.iter().map(|e| plain_emoji(e)).filter(|e| !e.is_empty()).collect();
        if let Some(long) = intake_reactions.iter().find(|e| e.chars().count() > 8) {
            return Err(format!("intake_reactions: `{long}` is not one emoji"));
        }
        Ok(Settings {
            reopen_window,
            waiting_remind_after,
            waiting_close_after,
            resolved_close_after,
            direct_intake: self.direct_intake,
            intake_reactions,
            categories,
        })
    }
}

/// An emoji without its presentation selector, trimmed.
fn plain_emoji(emoji: &str) -> String {
    emoji.trim().chars().filter(|c| *c != '\u{fe0f}').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Settings, String> {
        toml::from_str::<TicketsConfig>(text).map_err(|e| e.to_string())?.compile()
    }

    #[test]
    fn reads_the_window_and_names_what_is_wrong() {
        assert_eq!(TicketsConfig::default().compile().expect("the defaults").reopen_window, chrono::Duration::days(7));
        let bad = read("reopen_window = \"soon\"").expect_err("refused");
        assert!(bad.starts_with("reopen_window: `soon`"), "{bad}");
        assert_eq!(read("reopen_window = \"400d\"").expect_err("refused"), "reopen_window: at most a year (365d)");
        let order = read("waiting_remind_after = \"8d\"").expect_err("refused");
        assert_eq!(order, "waiting_remind_after: must come before waiting_close_after");
    }

    #[test]
    fn reads_categories() {
        let settings = read(
            "[[categories]]\nname = \"IT\"\nlabel = \"IT support\"\nqueue = \"it-queue\"\n\
             agents = [\"console:carol\", \"telegram:42\"]\nassign = \"round_robin\"\n\
             [[categories]]\nname = \"hr\"\n",
        )
        .expect("valid");
        let it = settings.category("it").expect("found in any case");
        assert_eq!((it.label.as_str(), it.queue.as_deref()), ("IT support", Some("it-queue")));
        assert_eq!(it.agents, [(Platform::Console, "carol".to_owned()), (Platform::Telegram, "42".to_owned())]);
        assert_eq!(it.assign, Assignment::RoundRobin);
        let hr = settings.category("HR").expect("found");
        assert_eq!((hr.label.as_str(), hr.queue.as_ref(), hr.assign), ("hr", None, Assignment::Manual));
        assert_eq!(settings.category_names(), "it, hr");
        let twice = read("[[categories]]\nname = \"it\"\n[[categories]]\nname = \"IT\"\n").expect_err("refused");
        assert_eq!(twice, "categories: `IT`: named twice");
        let assign = read("[[categories]]\nname = \"it\"\nassign = \"random\"\n").expect_err("refused");
        assert_eq!(assign, "categories: `it`: assign is one of manual, round_robin, least_open");
        let agent = read("[[categories]]\nname = \"it\"\nagents = [\"carol\"]\n").expect_err("refused");
        assert!(agent.contains("should be platform:id"), "{agent}");
        let name = read("[[categories]]\nname = \"it help\"\n").expect_err("refused");
        assert!(name.contains("one word"), "{name}");
    }

    #[test]
    fn reactions_match_with_or_without_their_presentation_selector() {
        let settings = TicketsConfig::default().compile().expect("the defaults");
        assert!(settings.opens_ticket("🎫") && settings.opens_ticket("✍️") && settings.opens_ticket("✍"));
        assert!(!settings.opens_ticket("👍"));
        let off = read("intake_reactions = []").expect("valid");
        assert!(!off.opens_ticket("🎫"));
        assert!(read("intake_reactions = [\"ticket please\"]").expect_err("refused").contains("not one emoji"));
    }
}
