//! `[tickets]`: the help desk's rules, and its categories (`[[tickets.categories]]`), each
//! with its team, its queue and how new tickets are assigned.

use deskmate_port::Platform;
use serde::{Deserialize, Serialize};

use super::model::{Assignment, Priority};
use super::sla::{BusinessHours, Targets};

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
    /// Business hours, which service-level targets count in: days and hours
    /// (`mon-fri 09:00-17:00`), a zone (empty: `[general] timezone`), and holidays
    /// (dates, and/or an `.ics` file of them). A category may have its own.
    pub hours: String,
    pub zone: String,
    pub holidays: Vec<String>,
    pub holidays_ics: String,
    /// When the weekly report is posted to each team's queue, on the team's clock
    /// (`mon 09:00`); empty: never.
    pub weekly_report: String,
    /// First-response and resolution targets per priority, in business time.
    pub sla: SlaConfig,
    /// Kinds of ticket and the teams that work them; none: one queue, every agent.
    pub categories: Vec<CategoryConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlaConfig {
    pub low: TargetConfig,
    pub normal: TargetConfig,
    pub high: TargetConfig,
    pub urgent: TargetConfig,
}

/// A priority's targets, e.g. `"4h"`, `"30m"`; empty: none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    #[serde(default)]
    pub first_response: String,
    #[serde(default)]
    pub resolution: String,
}

impl Default for SlaConfig {
    fn default() -> Self {
        let t = |first: &str, resolution: &str| TargetConfig {
            first_response: first.to_owned(),
            resolution: resolution.to_owned(),
        };
        SlaConfig { low: t("8h", "40h"), normal: t("4h", "16h"), high: t("1h", "8h"), urgent: t("30m", "4h") }
    }
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
    /// Its team's business hours, zone and holidays; empty: `[tickets]`'s.
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub holidays_ics: String,
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
            hours: "mon-fri 09:00-17:00".to_owned(),
            zone: String::new(),
            holidays: Vec::new(),
            holidays_ics: String::new(),
            weekly_report: "mon 09:00".to_owned(),
            sla: SlaConfig::default(),
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
    /// Business hours; the zone is `None` for the deployment's.
    pub calendar: Calendar,
    /// By priority, in [`Priority::ALL`]'s order.
    pub targets: [Targets; 4],
    /// The weekly report's day and time; `None`: off.
    pub weekly_report: Option<(chrono::Weekday, chrono::NaiveTime)>,
    pub categories: Vec<Category>,
}

/// Business hours as configured, the zone left open for the deployment's.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub hours: crate::features::meetings::WorkHours,
    pub zone: Option<chrono_tz::Tz>,
    pub holidays: std::collections::BTreeSet<chrono::NaiveDate>,
}

impl Calendar {
    pub fn in_zone(&self, default: chrono_tz::Tz) -> BusinessHours {
        BusinessHours { hours: self.hours, tz: self.zone.unwrap_or(default), holidays: self.holidays.clone() }
    }
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
    /// Its own business hours; `None`: the help desk's.
    pub calendar: Option<Calendar>,
}

impl Settings {
    /// The category by name, as typed (any case).
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The targets of a priority.
    pub fn targets(&self, priority: Priority) -> Targets {
        let i = Priority::ALL.iter().position(|p| *p == priority).unwrap_or(1);
        self.targets[i]
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
            let own = !c.hours.trim().is_empty()
                || !c.zone.trim().is_empty()
                || !c.holidays.is_empty()
                || !c.holidays_ics.trim().is_empty();
            let calendar = if own {
                let or =
                    |mine: &str, desk: &str| if mine.trim().is_empty() { desk.to_owned() } else { mine.to_owned() };
                let holidays = if c.holidays.is_empty() { &self.holidays } else { &c.holidays };
                let ics = or(&c.holidays_ics, &self.holidays_ics);
                match read_calendar(&or(&c.hours, &self.hours), &or(&c.zone, &self.zone), holidays, &ics) {
                    Ok(calendar) => Some(calendar),
                    Err(p) => return problem(p),
                }
            } else {
                None
            };
            categories.push(Category { name, label, queue, agents, assign, lead, calendar });
        }
        let intake_reactions: Vec<String> =
            self.intake_reactions.iter().map(|e| plain_emoji(e)).filter(|e| !e.is_empty()).collect();
        if let Some(long) = intake_reactions.iter().find(|e| e.chars().count() > 8) {
            return Err(format!("intake_reactions: `{long}` is not one emoji"));
        }
        let calendar = read_calendar(&self.hours, &self.zone, &self.holidays, &self.holidays_ics)?;
        let target = |priority: &str, t: &TargetConfig| -> Result<Targets, String> {
            let read = |key: &str, text: &str| -> Result<Option<chrono::Duration>, String> {
                if text.trim().is_empty() {
                    return Ok(None);
                }
                crate::chat::commands::read_duration(text)
                    .map(Some)
                    .map_err(|e| format!("sla.{priority}.{key}: {e} (business time, e.g. 4h or 30m)"))
            };
            Ok(Targets {
                first_response: read("first_response", &t.first_response)?,
                resolution: read("resolution", &t.resolution)?,
            })
        };
        let sla = &self.sla;
        let targets = [
            target("low", &sla.low)?,
            target("normal", &sla.normal)?,
            target("high", &sla.high)?,
            target("urgent", &sla.urgent)?,
        ];
        let weekly_report = match self.weekly_report.trim() {
            "" => None,
            typed => {
                let bad = || format!("weekly_report: `{typed}` should be a day and a time, e.g. \"mon 09:00\"");
                let (day, time) = typed.split_once(' ').ok_or_else(bad)?;
                let day = day.trim().parse::<chrono::Weekday>().map_err(|_| bad())?;
                let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| bad())?;
                Some((day, time))
            }
        };
        Ok(Settings {
            weekly_report,
            reopen_window,
            waiting_remind_after,
            waiting_close_after,
            resolved_close_after,
            direct_intake: self.direct_intake,
            intake_reactions,
            calendar,
            targets,
            categories,
        })
    }
}

/// Business hours as typed: `mon-fri 09:00-17:00`, a zone (or none), holiday dates and
/// an `.ics` file of holidays (each event's start date).
fn read_calendar(typed: &str, zone: &str, holidays: &[String], ics: &str) -> Result<Calendar, String> {
    let (days, span) = typed
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("hours: `{typed}` should be days and hours, e.g. \"mon-fri 09:00-17:00\""))?;
    let hours =
        crate::features::meetings::WorkHours::read(days.trim(), span.trim()).map_err(|e| format!("hours: {e}"))?;
    let zone = match zone.trim() {
        "" => None,
        z => Some(
            z.parse::<chrono_tz::Tz>()
                .map_err(|_| format!("zone: `{z}` is not an IANA time zone (e.g. Europe/Berlin)"))?,
        ),
    };
    let mut dates = std::collections::BTreeSet::new();
    for day in holidays {
        let date = day
            .trim()
            .parse::<chrono::NaiveDate>()
            .map_err(|_| format!("holidays: `{day}` is not a date (YYYY-MM-DD)"))?;
        dates.insert(date);
    }
    if !ics.trim().is_empty() {
        let text = std::fs::read_to_string(ics.trim()).map_err(|e| format!("holidays_ics: `{ics}`: {e}"))?;
        let calendar: icalendar::Calendar = text.parse().map_err(|e| format!("holidays_ics: `{ics}`: {e}"))?;
        use icalendar::{Component, DatePerhapsTime};
        for event in calendar.events() {
            match event.get_start() {
                Some(DatePerhapsTime::Date(date)) => {
                    dates.insert(date);
                }
                // A holiday given as a moment: its date as written.
                Some(DatePerhapsTime::DateTime(at)) => {
                    let date = match at {
                        icalendar::CalendarDateTime::Floating(t) => t.date(),
                        icalendar::CalendarDateTime::Utc(t) => t.date_naive(),
                        icalendar::CalendarDateTime::WithTimezone { date_time, .. } => date_time.date(),
                    };
                    dates.insert(date);
                }
                None => {}
            }
        }
    }
    Ok(Calendar { hours, zone, holidays: dates })
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
    fn business_hours_and_targets_are_read_and_their_mistakes_named() {
        let settings = read(
            "hours = \"mon-thu 08:00-18:00\"\nzone = \"Europe/Berlin\"\nholidays = [\"2026-12-24\"]\n\
             [sla]\nurgent = { first_response = \"15m\", resolution = \"\" }\n",
        )
        .expect("valid");
        assert_eq!(settings.calendar.zone, Some(chrono_tz::Europe::Berlin));
        assert!(settings.calendar.holidays.contains(&"2026-12-24".parse().expect("a date")));
        let urgent = settings.targets(Priority::Urgent);
        assert_eq!((urgent.first_response, urgent.resolution), (Some(chrono::Duration::minutes(15)), None));
        let normal = settings.targets(Priority::Normal).resolution;
        assert_eq!(normal, Some(chrono::Duration::hours(16)), "a priority not named keeps its default");
        for (typed, problem) in [
            ("hours = \"weekdays\"", "hours: `weekdays` should be days and hours"),
            ("zone = \"Mars/Olympus\"", "zone: `Mars/Olympus` is not an IANA time zone"),
            ("holidays = [\"tomorrow\"]", "holidays: `tomorrow` is not a date"),
            ("[sla]\nhigh = { first_response = \"soon\" }", "sla.high.first_response: `soon`"),
        ] {
            let refused = read(typed).expect_err(typed);
            assert!(refused.starts_with(problem), "{typed}: {refused}");
        }
        // Holidays from a calendar file: each event's start date.
        let dir = tempfile::tempdir().expect("a temp dir");
        let ics = dir.path().join("holidays.ics");
        std::fs::write(
            &ics,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:xmas\r\n\
             DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n\
             END:VCALENDAR\r\n",
        )
        .expect("written");
        let settings = read(&format!("holidays_ics = {:?}", ics.display().to_string())).expect("valid");
        assert!(settings.calendar.holidays.contains(&"2026-12-25".parse().expect("a date")));
        assert!(read("holidays_ics = \"/nowhere/holidays.ics\"").expect_err("missing").starts_with("holidays_ics:"));
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
