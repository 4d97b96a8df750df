//! Deskmate's settings: a TOML file (optional) with every key overridable from the
//! environment as `DESKMATE_<SECTION>_<KEY>`, which is where secrets belong.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use deskmate_port::{ChannelRef, Platform};

use crate::scheduler::calendar::{Calendar, CatchUp};
use crate::scheduler::{ScheduleArgs, ScheduleSpec, SchedulerTuning};
use serde::{Deserialize, Serialize};

/// The shortest webhook secret accepted: about 140 bits of letters and digits.
pub const MIN_WEBHOOK_SECRET: usize = 24;

/// Dates further ahead than this are refused whatever the config says: the job queue
/// stores times up to the year 9999.
const MAX_DAYS_AHEAD: u32 = 36_500;

/// Where the config is read from when `--config` is not given and the file exists.
pub const DEFAULT_PATH: &str = "deskmate.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub general: General,
    pub database: Database,
    pub console: Console,
    pub directory: Directory,
    pub channels: Channels,
    pub outbox: Outbox,
    pub pacing: Pacing,
    pub scheduler: Scheduler,
    pub http: Http,
    pub telegram: Telegram,
    pub discord: Discord,
    pub limits: Limits,
    pub schedules: Vec<ScheduleEntry>,
    /// Approval types and where decisions are posted (the approvals feature's section).
    pub approvals: crate::features::approvals::ApprovalsConfig,
    /// Where meeting notices go, reminders, lengths (the meetings feature's section).
    pub meetings: crate::features::meetings::MeetingsConfig,
    /// The help desk's rules (the tickets feature's section).
    pub tickets: crate::features::tickets::TicketsConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Discord {
    /// The bot token from the developer portal; empty: Discord is off. Best set from the
    /// environment (DESKMATE_DISCORD_TOKEN).
    pub token: String,
    /// Instead of https://discord.com: a rate-limiting proxy, or a test fake.
    pub api_base: String,
    /// Guild (server) ids to register slash commands in; empty: global commands.
    pub guilds: Vec<String>,
    /// The shards this process runs, "FIRST-LAST/TOTAL" (e.g. "0-1/4"); empty: one shard.
    pub shards: String,
    /// Open a thread on each ticket notice for its conversation.
    pub ticket_threads: bool,
    /// Read what people write in servers (threads, reactions): the ticket relay and 🎫
    /// intake. Needs the Message Content intent on in the developer portal.
    pub read_chat: bool,
    /// An interaction whose reply is not ready after this long is deferred.
    pub defer_after_ms: u64,
    /// Discord roles that carry a Deskmate role, "ROLE_ID:agent" (or manager, admin).
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Telegram {
    /// The bot token from BotFather; empty: Telegram is off. Best set from the
    /// environment (DESKMATE_TELEGRAM_TOKEN).
    pub token: String,
    /// The Bot API base; a local Bot API server or a test fake.
    pub api_url: String,
    /// "polling" or "webhook".
    pub mode: TelegramMode,
    /// How long one getUpdates call waits for news.
    pub poll_timeout_seconds: u64,
    /// Webhook mode: the public HTTPS address Telegram posts to.
    pub webhook_url: String,
    /// Webhook mode: the local address the proxy forwards that URL to.
    pub webhook_listen: String,
    /// Webhook mode: a secret Telegram sends with every update (letters, digits, _ -).
    pub webhook_secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    Polling,
    Webhook,
}

/// What one person may do how often, and how far ahead dates may lie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Every command and press counts against this one (rate class `commands`).
    pub commands_per_minute: u32,
    pub tickets_per_minute: u32,
    pub reminders_per_minute: u32,
    pub max_days_ahead: u32,
    pub link_failures_per_person: u32,
    pub link_failures_per_platform: u32,
    pub link_window_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Http {
    /// Address of the listener (/healthz, /readyz, /metrics, iCal feeds); empty: off.
    pub listen: String,
    /// How people reach the listener, for the links Deskmate gives them (iCal feeds),
    /// e.g. https://deskmate.example.com; empty: http://<listen>.
    pub public_url: String,
}

impl Http {
    /// The base of links to the listener, or `None` when it is off.
    pub fn base_url(&self) -> Option<String> {
        match (self.listen.is_empty(), self.public_url.is_empty()) {
            (true, _) => None,
            (false, false) => Some(self.public_url.trim_end_matches('/').to_owned()),
            (false, true) => Some(format!("http://{}", self.listen)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct General {
    /// The zone used for people who have not set their own.
    pub timezone: String,
    /// The language of people who have not chosen theirs (and whose messenger did not
    /// say): `en` or `zh-CN`.
    pub language: String,
    /// This process's name in leases; empty means host name and process id.
    pub instance: String,
    /// Threads running Deskmate's own async work; 0 means one per core. The database
    /// and the messengers' clients work on threads of their own, so one is enough, and
    /// on a small machine the fastest: with one per core, work passed between them
    /// woke a second core for it (a quarter more CPU per message on two cores).
    pub worker_threads: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Outbox {
    /// Failed attempts before a message is dead-lettered and admins are told.
    pub max_attempts: u32,
    /// The first retry waits about this long; each next one twice as long.
    pub retry_base_seconds: u64,
    /// No retry waits longer than this.
    pub retry_max_seconds: u64,
    /// On shutdown, keep sending queued messages for at most this long.
    pub shutdown_flush_seconds: u64,
    /// A conversation's sender holds it this long between renewals; a crashed instance's
    /// conversations and unfinished sends are taken over after it.
    pub lease_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scheduler {
    /// What a schedule does about runs missed while Deskmate was down, unless it says:
    /// "skip", "latest" or "all".
    pub catch_up: CatchUp,
    /// A job still running on an instance that died is run elsewhere after this long.
    pub rescue_after_seconds: u64,
    /// A job running longer than this is cancelled and retried.
    pub job_timeout_seconds: u64,
    /// How often due runs and timers are looked for, in milliseconds.
    pub poll_ms: u64,
}

/// One recurring schedule, `[[schedules]]` in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    pub name: String,
    /// Six fields with seconds first ("0 0 9 * * Mon-Fri"); five-field lines also work.
    pub cron: String,
    /// IANA zone the cron expression is read in; the general time zone if empty.
    #[serde(default)]
    pub timezone: String,
    /// "ticket-digest" or "announce".
    pub job: String,
    /// Where it posts, "platform:channel-id".
    pub channel: String,
    /// For "announce": what it says.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub catch_up: Option<CatchUp>,
}

/// Send limits per platform (0 = unlimited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pacing {
    pub telegram_group_per_minute: u32,
    pub telegram_direct_per_minute: u32,
    pub telegram_global_per_second: u32,
    pub discord_channel_per_minute: u32,
    pub discord_global_per_second: u32,
    /// When a channel's backlog would take longer than this to send, new-ticket notices
    /// are summed up in one message.
    pub coalesce_after_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsoleMode {
    /// On when no messenger is configured.
    Auto,
    On,
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Console {
    pub enabled: ConsoleMode,
    /// Who is typing when the console starts.
    pub user: String,
    /// Where files sent to the console are written.
    pub files_dir: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Directory {
    /// Accounts that are admins from the start, as `platform:user-id`.
    pub admins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Channels {
    /// Where new tickets are announced with a Claim button, as `platform:channel-id`:
    /// the `support` audience.
    pub support_queue: Vec<String>,
    /// Other named channel groups features post notices to, as
    /// `NAME=platform:channel-id` (a name may be given several channels).
    pub groups: Vec<String>,
    /// The language a group's notices are written in, as `NAME=zh-CN` (`support` for the
    /// support queue); a group not named uses [general] language.
    pub languages: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            general: General {
                timezone: "UTC".to_owned(),
                language: "en".to_owned(),
                instance: String::new(),
                worker_threads: 1,
            },
            database: Database { url: "sqlite://deskmate.db".to_owned() },
            console: Console {
                enabled: ConsoleMode::Auto,
                user: "alice".to_owned(),
                files_dir: "deskmate-files".to_owned(),
            },
            directory: Directory { admins: vec!["console:alice".to_owned()] },
            channels: Channels {
                support_queue: vec!["console:queue".to_owned()],
                groups: Vec::new(),
                languages: Vec::new(),
            },
            outbox: Outbox {
                max_attempts: 6,
                retry_base_seconds: 2,
                retry_max_seconds: 300,
                shutdown_flush_seconds: 10,
                lease_seconds: 30,
            },
            scheduler: Scheduler {
                catch_up: CatchUp::Latest,
                rescue_after_seconds: 120,
                job_timeout_seconds: 60,
                poll_ms: 1000,
            },
            http: Http { listen: String::new(), public_url: String::new() },
            telegram: Telegram {
                token: String::new(),
                api_url: "https://api.telegram.org".to_owned(),
                mode: TelegramMode::Polling,
                poll_timeout_seconds: 25,
                webhook_url: String::new(),
                webhook_listen: String::new(),
                webhook_secret: String::new(),
            },
            discord: Discord {
                token: String::new(),
                api_base: String::new(),
                guilds: Vec::new(),
                shards: String::new(),
                ticket_threads: true,
                read_chat: true,
                defer_after_ms: 2000,
                roles: Vec::new(),
            },
            limits: Limits {
                commands_per_minute: 60,
                tickets_per_minute: 10,
                reminders_per_minute: 10,
                max_days_ahead: 3650,
                link_failures_per_person: 5,
                link_failures_per_platform: 50,
                link_window_minutes: 15,
            },
            schedules: Vec::new(),
            approvals: Default::default(),
            meetings: Default::default(),
            tickets: Default::default(),
            pacing: Pacing {
                telegram_group_per_minute: 20,
                telegram_direct_per_minute: 60,
                telegram_global_per_second: 30,
                discord_channel_per_minute: 60,
                discord_global_per_second: 50,
                coalesce_after_seconds: 60,
            },
        }
    }
}

impl Default for General {
    fn default() -> Self {
        Config::default().general
    }
}
impl Default for Database {
    fn default() -> Self {
        Config::default().database
    }
}
impl Default for Console {
    fn default() -> Self {
        Config::default().console
    }
}
impl Default for Directory {
    fn default() -> Self {
        Config::default().directory
    }
}
impl Default for Channels {
    fn default() -> Self {
        Config::default().channels
    }
}
impl Default for Outbox {
    fn default() -> Self {
        Config::default().outbox
    }
}
impl Limits {
    /// The per-minute limit of a rate class (0: none). A feature with a rate class of
    /// its own adds its `<key>_per_minute` field here, in its config section.
    pub fn per_minute(&self, class: &str) -> u32 {
        match class {
            "commands" => self.commands_per_minute,
            "tickets" => self.tickets_per_minute,
            "reminders" => self.reminders_per_minute,
            _ => 0,
        }
    }

    /// Whether a rate class has a setting here.
    pub fn knows(&self, class: &str) -> bool {
        matches!(class, "commands" | "tickets" | "reminders")
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Config::default().scheduler
    }
}
impl Default for Http {
    fn default() -> Self {
        Config::default().http
    }
}
impl Default for Telegram {
    fn default() -> Self {
        Config::default().telegram
    }
}
impl Default for Discord {
    fn default() -> Self {
        Config::default().discord
    }
}
impl Default for Limits {
    fn default() -> Self {
        Config::default().limits
    }
}
impl Default for Pacing {
    fn default() -> Self {
        Config::default().pacing
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}:{line}: [{section}] {key}: {problem}", line = line.map_or("?".to_owned(), |l| l.to_string()))]
    Invalid { path: PathBuf, line: Option<usize>, section: String, key: String, problem: String },
    #[error("environment variable {var}: {problem}")]
    Env { var: String, problem: String },
}

/// The environment variable that names the config file.
pub const PATH_VAR: &str = "DESKMATE_CONFIG";

impl Config {
    /// Reads `path` (or [`DEFAULT_PATH`] if it exists, or nothing), then applies the
    /// `DESKMATE_*` overrides from `env`, then validates.
    pub fn load(path: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let (path, text) = match path {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.to_owned(), source })?;
                (p.to_owned(), text)
            }
            None if Path::new(DEFAULT_PATH).exists() => {
                let p = PathBuf::from(DEFAULT_PATH);
                let text =
                    std::fs::read_to_string(&p).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
                (p, text)
            }
            None => (PathBuf::from("(defaults)"), String::new()),
        };
        Config::from_toml(&path, &text, env)
    }

    /// Parses `text` as read from `path`; exposed for tests.
    pub fn from_toml(
        path: &Path,
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        // Parsing straight into the struct first gives errors with a line and a snippet.
        toml::from_str::<Config>(text)
            .map_err(|e| ConfigError::Syntax { path: path.to_owned(), message: e.to_string() })?;
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Syntax { path: path.to_owned(), message: e.to_string() })?;
        let mut overridden = Vec::new();
        for (var, value) in env {
            let Some(rest) = var.strip_prefix("DESKMATE_") else {
                continue;
            };
            if var == PATH_VAR {
                continue;
            }
            let (section, key) = apply_env(&mut table, &var, rest, &value)?;
            overridden.push((section, key, var));
        }
        let config: Config = toml::Table::try_into(table).map_err(|e| ConfigError::Env {
            var: overridden.last().map(|(_, _, v)| v.clone()).unwrap_or_default(),
            problem: e.to_string(),
        })?;
        config.validate().map_err(|(section, key, problem)| {
            match overridden.iter().find(|(s, k, _)| *s == section && *k == key) {
                Some((_, _, var)) => ConfigError::Env { var: var.clone(), problem },
                None => ConfigError::Invalid {
                    path: path.to_owned(),
                    line: locate(text, &section, &key),
                    section: section.to_owned(),
                    key: key.to_owned(),
                    problem,
                },
            }
        })?;
        Ok(config)
    }

    /// Checks what types alone cannot: zones, account and channel addresses, URLs.
    fn validate(&self) -> Result<(), (String, String, String)> {
        let bad = |s: &str, k: &str, p: String| Err((s.to_owned(), k.to_owned(), p));
        if self.general.timezone.parse::<Tz>().is_err() {
            return bad("general", "timezone", format!("`{}` is not an IANA time zone", self.general.timezone));
        }
        if self.general.language.parse::<crate::kernel::Lang>().is_err() {
            return bad("general", "language", format!("`{}`: Deskmate speaks en and zh-CN", self.general.language));
        }
        let url = &self.database.url;
        if url.is_empty()
            || (url.contains("://") && !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| url.starts_with(p)))
        {
            return bad("database", "url", format!("`{url}` is not sqlite://PATH or postgres://…"));
        }
        let public = &self.http.public_url;
        if !public.is_empty() && !public.starts_with("https://") && !public.starts_with("http://") {
            return bad("http", "public_url", format!("`{public}` is not an http(s) URL"));
        }
        if self.console.user.trim().is_empty() || self.console.user.contains(char::is_whitespace) {
            return bad("console", "user", "must be one word".to_owned());
        }
        for admin in &self.directory.admins {
            if let Err(problem) = parse_address(admin) {
                return bad("directory", "admins", problem);
            }
        }
        for channel in &self.channels.support_queue {
            if let Err(problem) = parse_address(channel) {
                return bad("channels", "support_queue", problem);
            }
        }
        for entry in &self.channels.groups {
            if let Err(problem) = parse_group(entry) {
                return bad("channels", "groups", problem);
            }
        }
        let audiences = self.audiences();
        for entry in &self.channels.languages {
            let Some((name, lang)) = entry.split_once('=') else {
                return bad("channels", "languages", format!("`{entry}` is not NAME=LANGUAGE, e.g. support=zh-CN"));
            };
            if !audiences.contains_key(name.trim()) {
                return bad("channels", "languages", format!("`{}` is neither `support` nor a group", name.trim()));
            }
            if lang.trim().parse::<crate::kernel::Lang>().is_err() {
                return bad("channels", "languages", format!("`{}`: Deskmate speaks en and zh-CN", lang.trim()));
            }
        }
        if self.telegram_enabled() && !cfg!(feature = "telegram") {
            return bad(
                "telegram",
                "token",
                "this deskmate was built without Telegram (cargo feature `telegram`)".into(),
            );
        }
        if self.discord_enabled() && !cfg!(feature = "discord") {
            return bad("discord", "token", "this deskmate was built without Discord (cargo feature `discord`)".into());
        }
        let tg = &self.telegram;
        if !tg.api_url.starts_with("http://") && !tg.api_url.starts_with("https://") {
            return bad("telegram", "api_url", format!("`{}` is not an http(s) URL", tg.api_url));
        }
        if tg.poll_timeout_seconds == 0 || tg.poll_timeout_seconds > 50 {
            return bad("telegram", "poll_timeout_seconds", "must be between 1 and 50".to_owned());
        }
        if tg.mode == TelegramMode::Webhook && self.telegram_enabled() {
            if !tg.webhook_url.starts_with("https://") && !tg.webhook_url.starts_with("http://") {
                return bad("telegram", "webhook_url", "webhook mode needs the public https:// address".to_owned());
            }
            if tg.webhook_listen.is_empty() {
                return bad("telegram", "webhook_listen", "webhook mode needs a local address to listen on".to_owned());
            }
            if tg.webhook_secret.len() < MIN_WEBHOOK_SECRET {
                return bad(
                    "telegram",
                    "webhook_secret",
                    format!(
                        "webhook mode needs a secret of at least {MIN_WEBHOOK_SECRET} letters, digits, _ or - \
                         (without it anyone who finds the address can post forged updates); make one with \
                         `head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9` and set DESKMATE_TELEGRAM_WEBHOOK_SECRET"
                    ),
                );
            }
        }
        if tg.webhook_secret.len() > 256 {
            return bad("telegram", "webhook_secret", "Telegram allows at most 256 characters".to_owned());
        }
        if !tg.webhook_secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return bad("telegram", "webhook_secret", "only letters, digits, _ and - are allowed".to_owned());
        }
        let d = &self.discord;
        if !d.api_base.is_empty() && !d.api_base.starts_with("http://") && !d.api_base.starts_with("https://") {
            return bad("discord", "api_base", format!("`{}` is not an http(s) URL", d.api_base));
        }
        if let Some(g) = d.guilds.iter().find(|g| g.trim().parse::<u64>().is_err()) {
            return bad("discord", "guilds", format!("`{g}` is not a guild id (a number)"));
        }
        if let Err(problem) = parse_shards(&d.shards) {
            return bad("discord", "shards", problem);
        }
        for entry in &d.roles {
            if let Err(problem) = parse_role_mapping(entry) {
                return bad("discord", "roles", problem);
            }
        }
        let l = &self.limits;
        if l.max_days_ahead == 0 || l.max_days_ahead > MAX_DAYS_AHEAD {
            return bad(
                "limits",
                "max_days_ahead",
                format!("must be between 1 and {MAX_DAYS_AHEAD} (about 100 years)"),
            );
        }
        if l.link_window_minutes == 0 {
            return bad("limits", "link_window_minutes", "must be at least 1".to_owned());
        }
        if l.link_failures_per_person == 0 || l.link_failures_per_platform == 0 {
            let key =
                if l.link_failures_per_person == 0 { "link_failures_per_person" } else { "link_failures_per_platform" };
            return bad(
                "limits",
                key,
                "must be at least 1 (a lockout after no failure would lock everyone out)".to_owned(),
            );
        }
        if !(100..=2500).contains(&d.defer_after_ms) {
            return bad("discord", "defer_after_ms", "must be between 100 and 2500 (Discord allows 3 s)".to_owned());
        }
        if let Err(problem) = self.approvals.compile() {
            // `type `x`: …` is found in the file by the type's name line.
            let key = problem.split('`').nth(1).unwrap_or("types").to_owned();
            return Err(("approvals.types".to_owned(), key, problem));
        }
        let groups: Vec<String> =
            self.channels.groups.iter().filter_map(|g| parse_group(g).ok()).map(|(n, _)| n).collect();
        if let Some(missing) = self.approvals.channels().find(|c| !groups.iter().any(|g| g == &c.to_lowercase())) {
            return bad(
                "approvals",
                "channel",
                format!("no channel group `{missing}` in [channels] groups (add e.g. \"{missing}=telegram:-100123\")"),
            );
        }
        let meetings = match self.meetings.compile() {
            Ok(settings) => settings,
            Err(problem) => {
                let key = problem.split(':').next().unwrap_or("meetings").to_owned();
                return bad("meetings", &key, problem);
            }
        };
        if let Some(channel) = meetings.channel.filter(|c| !groups.iter().any(|g| g == c)) {
            return bad(
                "meetings",
                "channel",
                format!("no channel group `{channel}` in [channels] groups (add e.g. \"{channel}=telegram:-100123\")"),
            );
        }
        let tickets = match self.tickets.compile() {
            Ok(settings) => settings,
            Err(problem) => {
                let key = problem.split(':').next().unwrap_or("tickets").to_owned();
                return bad("tickets", &key, problem);
            }
        };
        for category in &tickets.categories {
            if let Some(queue) = category.queue.as_ref().filter(|q| !groups.iter().any(|g| g == *q)) {
                return bad(
                    "tickets",
                    "categories",
                    format!(
                        "`{}`: no channel group `{queue}` in [channels] groups (add e.g. \"{queue}=telegram:-100123\")",
                        category.name
                    ),
                );
            }
        }
        let mut names = std::collections::HashSet::new();
        for entry in &self.schedules {
            let problem = |p: String| Err(("schedules".to_owned(), entry.name.clone(), p));
            if entry.name.trim().is_empty() || !names.insert(entry.name.clone()) {
                return problem("each schedule needs a name of its own".to_owned());
            }
            if let Err(e) = Calendar::new(&entry.cron, self.schedule_zone(entry)) {
                return problem(e.to_string());
            }
            if let Err(p) = parse_address(&entry.channel) {
                return problem(p);
            }
            // Which jobs exist, and what each needs, the features say when Deskmate starts.
            if entry.job.trim().is_empty() {
                return problem("each schedule needs a job".to_owned());
            }
        }
        Ok(())
    }

    /// This process's name in leases and claims.
    pub fn instance_name(&self) -> String {
        if !self.general.instance.is_empty() {
            return self.general.instance.clone();
        }
        let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
        let host = if host.is_empty() { "deskmate".to_owned() } else { host };
        format!("{host}-{}", std::process::id())
    }

    pub fn retry_policy(&self) -> crate::delivery::RetryPolicy {
        crate::delivery::RetryPolicy {
            max_attempts: self.outbox.max_attempts.max(1),
            base: std::time::Duration::from_secs(self.outbox.retry_base_seconds.max(1)),
            cap: std::time::Duration::from_secs(self.outbox.retry_max_seconds.max(1)),
            lease: std::time::Duration::from_secs(self.outbox.lease_seconds.max(1)),
        }
    }

    pub fn pacing(&self) -> crate::delivery::PacingConfig {
        use crate::delivery::PlatformLimits;
        let p = &self.pacing;
        let mut limits = std::collections::HashMap::new();
        limits.insert(
            Platform::Telegram,
            PlatformLimits {
                group_per_minute: p.telegram_group_per_minute,
                direct_per_minute: p.telegram_direct_per_minute,
                global_per_second: p.telegram_global_per_second,
            },
        );
        limits.insert(
            Platform::Discord,
            PlatformLimits {
                group_per_minute: p.discord_channel_per_minute,
                direct_per_minute: p.discord_channel_per_minute,
                global_per_second: p.discord_global_per_second,
            },
        );
        crate::delivery::PacingConfig {
            limits,
            coalesce_after: std::time::Duration::from_secs(p.coalesce_after_seconds),
        }
    }

    fn schedule_zone<'a>(&'a self, entry: &'a ScheduleEntry) -> &'a str {
        if entry.timezone.is_empty() { &self.general.timezone } else { &entry.timezone }
    }

    /// The declared schedules, checked by `validate`.
    pub fn schedule_specs(&self) -> Vec<ScheduleSpec> {
        self.schedules
            .iter()
            .map(|e| ScheduleSpec {
                name: e.name.clone(),
                cron: e.cron.clone(),
                timezone: self.schedule_zone(e).to_owned(),
                catch_up: e.catch_up.unwrap_or(self.scheduler.catch_up),
                job: e.job.clone(),
                args: ScheduleArgs { channel: e.channel.clone(), text: e.text.clone() },
            })
            .collect()
    }

    pub fn scheduler_tuning(&self) -> SchedulerTuning {
        let s = &self.scheduler;
        SchedulerTuning {
            rescue_after: std::time::Duration::from_secs(s.rescue_after_seconds.max(1)),
            job_timeout: std::time::Duration::from_secs(s.job_timeout_seconds.max(1)),
            poll: std::time::Duration::from_millis(s.poll_ms.max(50)),
        }
    }

    pub fn default_lang(&self) -> crate::kernel::Lang {
        self.general.language.parse().unwrap_or(crate::kernel::Lang::En)
    }

    pub fn default_tz(&self) -> Tz {
        self.general.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Who reads what: the default language and zone, and each channel's language.
    pub fn readers(&self) -> crate::delivery::Readers {
        let default = crate::kernel::Reader { lang: self.default_lang(), tz: self.default_tz() };
        let audiences = self.audiences();
        let mut channels = std::collections::HashMap::new();
        for entry in &self.channels.languages {
            let Some((name, lang)) = entry.split_once('=') else { continue };
            let Ok(lang) = lang.trim().parse::<crate::kernel::Lang>() else { continue };
            for channel in audiences.get(name.trim()).into_iter().flatten() {
                channels.insert((channel.platform, channel.id.clone()), lang);
            }
        }
        crate::delivery::Readers { default, channels }
    }

    /// The channels of each audience: `support` (the support queue) and the named
    /// groups (checked by `validate`).
    pub fn audiences(&self) -> std::collections::HashMap<String, Vec<ChannelRef>> {
        let mut audiences: std::collections::HashMap<String, Vec<ChannelRef>> = std::collections::HashMap::new();
        let support = self.channels.support_queue.iter().map(|c| ("support".to_owned(), c.clone()));
        let groups = self.channels.groups.iter().filter_map(|g| parse_group(g).ok());
        for (name, address) in support.chain(groups) {
            if let Ok((platform, id)) = parse_address(&address) {
                let channel = ChannelRef::group(platform, id);
                let channels = audiences.entry(name).or_default();
                if !channels.contains(&channel) {
                    channels.push(channel);
                }
            }
        }
        audiences
    }

    /// Platform roles that carry Deskmate roles (checked by `validate`).
    pub fn mapped_roles(&self) -> Vec<(Platform, String, crate::kernel::Role)> {
        self.discord
            .roles
            .iter()
            .filter_map(|e| parse_role_mapping(e).ok())
            .map(|(id, role)| (Platform::Discord, id, role))
            .collect()
    }

    pub fn admin_accounts(&self) -> Vec<(Platform, String)> {
        self.directory.admins.iter().filter_map(|a| parse_address(a).ok()).collect()
    }

    /// Accounts the config gives a role: its admins, and the agents of ticket categories'
    /// teams.
    pub fn config_roles(&self) -> Vec<(Platform, String, crate::kernel::Role)> {
        let admins = self.admin_accounts().into_iter().map(|(p, id)| (p, id, crate::kernel::Role::Admin));
        // A category's team and its lead work its tickets.
        let agents = self
            .tickets
            .categories
            .iter()
            .flat_map(|c| c.agents.iter().chain(std::iter::once(&c.lead).filter(|l| !l.trim().is_empty())))
            .filter_map(|a| parse_address(a).ok());
        admins.chain(agents.map(|(p, id)| (p, id, crate::kernel::Role::Agent))).collect()
    }

    /// The Telegram adapter's settings, when a token is set.
    #[cfg(feature = "telegram")]
    pub fn telegram_settings(&self) -> Option<deskmate_telegram::Settings> {
        if !self.telegram_enabled() {
            return None;
        }
        let tg = &self.telegram;
        let mode = match tg.mode {
            TelegramMode::Polling => {
                deskmate_telegram::Mode::Polling { timeout: std::time::Duration::from_secs(tg.poll_timeout_seconds) }
            }
            TelegramMode::Webhook => deskmate_telegram::Mode::Webhook {
                url: tg.webhook_url.clone(),
                listen: tg.webhook_listen.clone(),
                secret: tg.webhook_secret.clone(),
            },
        };
        Some(deskmate_telegram::Settings { token: tg.token.trim().to_owned(), api_url: Some(tg.api_url.clone()), mode })
    }

    pub fn discord_enabled(&self) -> bool {
        !self.discord.token.trim().is_empty()
    }

    /// The Discord adapter's settings, when a token is set (checked by `validate`).
    #[cfg(feature = "discord")]
    pub fn discord_settings(&self) -> Option<deskmate_discord::Settings> {
        if !self.discord_enabled() {
            return None;
        }
        let d = &self.discord;
        Some(deskmate_discord::Settings {
            token: d.token.trim().to_owned(),
            api_base: (!d.api_base.is_empty()).then(|| d.api_base.clone()),
            guilds: d.guilds.iter().filter_map(|g| g.trim().parse().ok()).collect(),
            shards: parse_shards(&d.shards).ok().flatten(),
            threads: d.ticket_threads,
            read_chat: d.read_chat,
            defer_after: std::time::Duration::from_millis(d.defer_after_ms.clamp(100, 2500)),
        })
    }

    pub fn telegram_enabled(&self) -> bool {
        !self.telegram.token.trim().is_empty()
    }

    /// Whether `deskmate run` should open the console.
    pub fn console_enabled(&self) -> bool {
        match self.console.enabled {
            ConsoleMode::On => true,
            ConsoleMode::Off => false,
            ConsoleMode::Auto => !self.telegram_enabled() && !self.discord_enabled(),
        }
    }
}

/// Reads "ROLE_ID:role".
/// Reads "NAME=platform:channel-id".
fn parse_group(text: &str) -> Result<(String, String), String> {
    let bad = || format!("`{text}` should be NAME=platform:channel-id, e.g. approvals=telegram:-1001234567890");
    let (name, address) = text.trim().split_once('=').ok_or_else(bad)?;
    let name = name.trim().to_lowercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(bad());
    }
    parse_address(address.trim())?;
    Ok((name, address.trim().to_owned()))
}

fn parse_role_mapping(text: &str) -> Result<(String, crate::kernel::Role), String> {
    let bad = || format!("`{text}` should be ROLE_ID:agent (or manager, admin)");
    let (id, role) = text.trim().split_once(':').ok_or_else(bad)?;
    if id.parse::<u64>().is_err() {
        return Err(bad());
    }
    let role: crate::kernel::Role = role.trim().parse().map_err(|_| bad())?;
    Ok((id.to_owned(), role))
}

/// Reads "FIRST-LAST/TOTAL"; empty means one shard.
fn parse_shards(text: &str) -> Result<Option<(u32, u32, u32)>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bad = || format!("`{text}` should be FIRST-LAST/TOTAL, e.g. 0-1/4");
    let (range, total) = text.trim().split_once('/').ok_or_else(bad)?;
    let (first, last) = range.split_once('-').unwrap_or((range, range));
    let number = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
    let (first, last, total) = (number(first)?, number(last)?, number(total)?);
    if first > last || last >= total {
        return Err(format!("`{text}`: shards run from 0 to TOTAL-1, first before last"));
    }
    Ok(Some((first, last, total)))
}

/// Reads `platform:id`.
pub(crate) fn parse_address(text: &str) -> Result<(Platform, String), String> {
    let (platform, id) =
        text.split_once(':').ok_or_else(|| format!("`{text}` should be platform:id, e.g. telegram:-1001234567890"))?;
    let platform = platform.parse::<Platform>().map_err(|e| e.to_string())?;
    if id.is_empty() {
        return Err(format!("`{text}` has no id after the colon"));
    }
    Ok((platform, id.to_owned()))
}

/// Writes `DESKMATE_<SECTION>_<KEY>=value` into the table, typed like the default.
fn apply_env(table: &mut toml::Table, var: &str, rest: &str, raw: &str) -> Result<(String, String), ConfigError> {
    let err = |problem: String| ConfigError::Env { var: var.to_owned(), problem };
    let defaults = toml::Table::try_from(Config::default()).map_err(|e| err(e.to_string()))?;
    let lower = rest.to_lowercase();
    let (section, key) = lower.split_once('_').ok_or_else(|| err("expected DESKMATE_<SECTION>_<KEY>".to_owned()))?;
    let Some(toml::Value::Table(section_defaults)) = defaults.get(section) else {
        let sections: Vec<&String> = defaults.keys().collect();
        return Err(err(format!("unknown section `{section}` (sections: {sections:?})")));
    };
    let Some(default) = section_defaults.get(key) else {
        let keys: Vec<&String> = section_defaults.keys().collect();
        return Err(err(format!("unknown key `{key}` in [{section}] (keys: {keys:?})")));
    };
    let value = match default {
        toml::Value::String(_) => toml::Value::String(raw.to_owned()),
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.trim().parse().map_err(|_| err(format!("`{raw}` is not a whole number")))?)
        }
        toml::Value::Boolean(_) => {
            toml::Value::Boolean(raw.trim().parse().map_err(|_| err(format!("`{raw}` is not true or false")))?)
        }
        toml::Value::Array(_) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        ),
        other => {
            return Err(err(format!("cannot set a {} from the environment", other.type_str())));
        }
    };
    let entry = table.entry(section.to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(t) => {
            t.insert(key.to_owned(), value);
        }
        _ => return Err(err(format!("[{section}] in the file is not a table"))),
    }
    Ok((section.to_owned(), key.to_owned()))
}

/// The 1-based line of `key` inside `[section]`, for error messages.
fn locate(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim_matches(|c| c == '[' || c == ']').trim().to_owned();
        } else if current == section && line.split('=').next().is_some_and(|k| k.trim() == key) {
            return Some(i + 1);
        } else if current == section && line.replace(' ', "") == format!("name=\"{key}\"") {
            // A [[schedules]] entry is named by its `name` line.
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_toml(Path::new("test.toml"), text, env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn channel_groups_are_named_addresses() {
        let config = load("[channels]\ngroups = [\"approvals=telegram:-1001\", \"approvals=discord:42\"]\n", &[])
            .expect("valid");
        let audiences = config.audiences();
        assert_eq!(audiences["approvals"].len(), 2);
        assert_eq!(audiences["support"], vec![ChannelRef::group(Platform::Console, "queue")]);
        let err = load("[channels]\ngroups = [\"telegram:-1001\"]\n", &[]).expect_err("no name");
        assert!(err.to_string().contains("should be NAME=platform:channel-id"), "{err}");
        let env =
            load("", &[("DESKMATE_CHANNELS_GROUPS", "meetings=console:general, meetings=console:hall")]).expect("env");
        assert_eq!(env.audiences()["meetings"].len(), 2);
    }

    #[test]
    fn the_example_file_is_complete_and_valid() {
        let text = include_str!("../config.example.toml");
        let config = load(text, &[]).expect("config.example.toml parses");
        assert_eq!(config, Config::default(), "config.example.toml should show the defaults");
        // Every key the program knows is documented in the example.
        let defaults = toml::Table::try_from(Config::default()).expect("serialises");
        for (section, keys) in &defaults {
            let toml::Value::Table(keys) = keys else {
                continue;
            };
            for key in keys.keys() {
                let tables =
                    text.contains(&format!("[[{section}.{key}]]")) || text.contains(&format!("\n[{section}.{key}]\n"));
                assert!(tables || locate(text, section, key).is_some(), "config.example.toml lacks [{section}] {key}");
            }
        }
    }

    #[test]
    fn approval_types_are_checked_with_their_line() {
        let err = load("[[approvals.types]]\nname = \"leave\"\nsteps = [{ approver = \"boss\" }]\n", &[])
            .expect_err("unknown approver");
        assert_eq!(
            err.to_string(),
            "test.toml:2: [approvals.types] leave: type `leave`: step 1: approver `boss`: expected manager, head, role, person, any or all"
        );
        let err = load("[approvals]\nchannel = \"nowhere\"\n", &[]).expect_err("no such group");
        assert!(err.to_string().contains("no channel group `nowhere` in [channels] groups"), "{err}");
        let ok =
            load("[channels]\ngroups = [\"approvals=console:approvals\"]\n[approvals]\nchannel = \"approvals\"\n", &[]);
        assert_eq!(ok.expect("valid").approvals.types.len(), 4, "the default types stay");
    }

    #[test]
    fn empty_file_means_defaults() {
        assert_eq!(load("", &[]).expect("ok"), Config::default());
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let err = load("[general]\ntimezone = \"UTC\"\ncolour = \"blue\"\n", &[]).expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.contains("line 3") && msg.contains("colour"), "{msg}");
        let err = load("[nonsense]\n", &[]).expect_err("unknown section");
        assert!(err.to_string().contains("nonsense"), "{err}");
    }

    #[test]
    fn bad_values_are_named_with_their_line() {
        let err = load("[general]\n\ntimezone = \"Mars/Base\"\n", &[]).expect_err("bad zone");
        assert_eq!(err.to_string(), "test.toml:3: [general] timezone: `Mars/Base` is not an IANA time zone");
        let err = load("[channels]\nsupport_queue = [\"slack:x\"]\n", &[]).expect_err("bad platform");
        assert!(err.to_string().contains("test.toml:2: [channels] support_queue"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = load(
            "[database]\nurl = \"sqlite://a.db\"\n",
            &[
                ("DESKMATE_DATABASE_URL", "postgres://localhost/test"),
                ("DESKMATE_DIRECTORY_ADMINS", "telegram:42, discord:7"),
                ("DESKMATE_CONSOLE_ENABLED", "off"),
                ("DESKMATE_CONFIG", "ignored.toml"),
                ("HOME", "/root"),
            ],
        )
        .expect("ok");
        assert_eq!(config.database.url, "postgres://localhost/test");
        assert_eq!(config.directory.admins, vec!["telegram:42", "discord:7"]);
        assert_eq!(config.console.enabled, ConsoleMode::Off);
    }

    #[test]
    fn bad_environment_is_named() {
        let err = load("", &[("DESKMATE_DATABASE_URLL", "x")]).expect_err("unknown");
        assert!(err.to_string().contains("DESKMATE_DATABASE_URLL") && err.to_string().contains("urll"), "{err}");
        let err = load("", &[("DESKMATE_GENERAL_TIMEZONE", "Nowhere")]).expect_err("bad");
        assert!(err.to_string().starts_with("environment variable DESKMATE_GENERAL_TIMEZONE"), "{err}");
        let err = load("", &[("DESKMATE_CONSOLE_ENABLED", "sometimes")]).expect_err("bad enum");
        assert!(err.to_string().contains("DESKMATE_CONSOLE_ENABLED"), "{err}");
    }
}
