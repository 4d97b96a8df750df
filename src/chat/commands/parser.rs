//! Turns a command line into an [`Invocation`], guided by the registry. Pure: the clock and
//! the caller's time zone come in through [`ParseContext`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::registry::{ArgKind, ArgSpec, CommandSpec, find};
use super::time::{PeriodError, TimeError, parse_datetime};
use crate::i18n::Arg;

pub struct ParseContext<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    /// How far ahead a date may be.
    pub horizon: chrono::Duration,
    /// The reader's language, for the mistakes it reports.
    pub lang: crate::kernel::Lang,
    /// What the arguments are for, in that language.
    pub text: &'a super::text::CommandText,
}

impl ParseContext<'_> {
    /// Refuses a moment past the horizon.
    fn within_horizon(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        match self.now.checked_add_signed(self.horizon) {
            Some(limit) if at <= limit => Ok(at),
            _ => Err(self.too_far()),
        }
    }

    fn too_far(&self) -> String {
        let limit = self.now.checked_add_signed(self.horizon).unwrap_or(self.now);
        crate::chat::text::too_far_ahead(self.lang, self.horizon.num_days(), limit, self.tz)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A positive number (`#12`).
    Number(i64),
    /// A handle, without the `@`.
    Mention(String),
    DateTime(DateTime<Utc>),
    Choice(&'static str),
    TimeZone(Tz),
    Duration(chrono::Duration),
    /// From one moment to another.
    Span(DateTime<Utc>, DateTime<Utc>),
}

/// A parsed command: which (sub)command and its typed arguments and options.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The command path, e.g. `["ticket", "new"]`.
    pub path: Vec<&'static str>,
    pub spec: &'static CommandSpec,
    pub values: HashMap<&'static str, Value>,
    /// The files that came with it; only a command that [takes
    /// files](CommandSpec::takes_files) gets any.
    pub files: Vec<deskmate_port::Attachment>,
}

impl Invocation {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.values.get(name) {
            Some(Value::Text(s)) => Some(s),
            Some(Value::Choice(s)) => Some(s),
            _ => None,
        }
    }

    pub fn number(&self, name: &str) -> Option<i64> {
        match self.values.get(name) {
            Some(Value::Number(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn mention(&self, name: &str) -> Option<&str> {
        match self.values.get(name) {
            Some(Value::Mention(m)) => Some(m),
            _ => None,
        }
    }

    pub fn datetime(&self, name: &str) -> Option<DateTime<Utc>> {
        match self.values.get(name) {
            Some(Value::DateTime(at)) => Some(*at),
            _ => None,
        }
    }

    pub fn duration(&self, name: &str) -> Option<chrono::Duration> {
        match self.values.get(name) {
            Some(Value::Duration(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn span(&self, name: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self.values.get(name) {
            Some(Value::Span(from, to)) => Some((*from, *to)),
            _ => None,
        }
    }

    pub fn zone(&self, name: &str) -> Option<Tz> {
        match self.values.get(name) {
            Some(Value::TimeZone(z)) => Some(*z),
            _ => None,
        }
    }

    pub fn full_name(&self) -> String {
        self.path.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty command")]
    Empty,
    #[error("unknown command /{name}")]
    UnknownCommand { name: String, suggestion: Option<&'static str> },
    /// The command is known but its arguments are wrong; `path` names it for the usage line.
    #[error("{problem}")]
    Usage { path: Vec<&'static str>, problem: String },
}

#[derive(Debug, Clone)]
struct Token {
    text: String,
    /// Written in quotes: never an option, never a mention, kept as one piece.
    quoted: bool,
}

/// The words of a line; `Err` with the closing quote a quote left open is missing.
fn tokenize(line: &str) -> Result<Vec<Token>, char> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        // A quote opens only where a word starts.
        if let Some(close) = closing_quote(chars[i]) {
            match read_quoted(&chars, i + 1, close) {
                Some((text, next)) => {
                    tokens.push(Token { text, quoted: true });
                    i = next;
                    continue;
                }
                // A lone apostrophe ('cause) is text; a lone double quote is a mistake.
                None if is_apostrophe(chars[i]) => {}
                None => return Err(close),
            }
        }
        let mut text = String::new();
        while i < chars.len() && !chars[i].is_whitespace() {
            // `key:"a value"` quotes an option's value.
            if chars[i] == ':'
                && let Some(close) = chars.get(i + 1).copied().and_then(closing_quote)
                && let Some((value, next)) = read_quoted(&chars, i + 2, close)
            {
                text.push(':');
                text.push_str(&value);
                i = next;
                break;
            }
            text.push(chars[i]);
            i += 1;
        }
        tokens.push(Token { text, quoted: false });
    }
    Ok(tokens)
}

/// The text between an opening quote (just before `from`) and its closing quote, and
/// where reading goes on. A closing quote counts only where a word ends, so the
/// apostrophe in "doesn't" or "Bob's" is text. `\"` and `\\` inside are a quote and a
/// backslash.
fn read_quoted(chars: &[char], from: usize, close: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut j = from;
    while j < chars.len() {
        let c = chars[j];
        if c == '\\' && chars.get(j + 1).is_some_and(|&n| n == close || n == '\\') {
            text.push(chars[j + 1]);
            j += 2;
            continue;
        }
        if c == close && chars.get(j + 1).is_none_or(|n| n.is_whitespace()) {
            return Some((text, j + 1));
        }
        text.push(c);
        j += 1;
    }
    None
}

/// The quote that closes `open`, if `open` opens one: ASCII, typographic, guillemets and
/// CJK corner brackets.
fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '\'' => Some('\''),
        '“' | '„' => Some('”'),
        '‘' => Some('’'),
        '«' => Some('»'),
        '「' => Some('」'),
        '『' => Some('』'),
        _ => None,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '‘')
}

/// `text` in double quotes, written so that [`tokenize`] reads it back as one token.
#[cfg(test)]
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Parses a command line. The leading `/` is optional and a Telegram-style `@botname`
/// suffix on the command is ignored.
pub fn parse(roots: &[&'static CommandSpec], line: &str, ctx: &ParseContext) -> Result<Invocation, ParseError> {
    let tokens = tokenize(line.trim()).map_err(|close| match first_word(roots, line) {
        Some(spec) => ParseError::Usage {
            path: vec![spec.name],
            problem: problem(ctx, "parse-quote-open", &[("close", close.to_string().into())]),
        },
        None => ParseError::Empty,
    })?;
    let mut rest = tokens.as_slice();
    let Some((head, tail)) = rest.split_first() else {
        return Err(ParseError::Empty);
    };
    rest = tail;
    let name = command_name(&head.text);
    if name.is_empty() {
        return Err(ParseError::Empty);
    }
    let Some(mut spec) = find(roots.iter().copied(), name) else {
        return Err(ParseError::UnknownCommand {
            name: name.to_owned(),
            suggestion: suggest(name, roots.iter().map(|c| c.name)),
        });
    };
    let mut path = vec![spec.name];
    while !spec.subcommands.is_empty() {
        let Some((sub, tail)) = rest.split_first() else {
            return Err(ParseError::Usage { path, problem: problem(ctx, "parse-which", &[]) });
        };
        let Some(found) = find(spec.subcommands, &sub.text) else {
            let sub_text = Arg::from(sub.text.as_str());
            let problem = match suggest(&sub.text, spec.subcommands.iter().map(|c| c.name)) {
                Some(s) => problem(ctx, "parse-unknown-sub-maybe", &[("sub", sub_text), ("suggestion", s.into())]),
                None => problem(ctx, "parse-unknown-sub", &[("sub", sub_text)]),
            };
            return Err(ParseError::Usage { path, problem });
        };
        spec = found;
        path.push(spec.name);
        rest = tail;
    }
    let values = bind(spec, &path, rest, ctx).map_err(|problem| ParseError::Usage { path: path.clone(), problem })?;
    Ok(Invocation { path, spec, values, files: Vec::new() })
}

fn first_word(roots: &[&'static CommandSpec], line: &str) -> Option<&'static CommandSpec> {
    let word = line.split_whitespace().next()?;
    find(roots.iter().copied(), command_name(word))
}

fn command_name(token: &str) -> &str {
    let name = token.strip_prefix('/').unwrap_or(token);
    name.split_once('@').map_or(name, |(n, _bot)| n)
}

/// The closest name within a small edit distance, for "did you mean".
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .map(|c| (strsim::damerau_levenshtein(&lower, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn bind(
    spec: &'static CommandSpec,
    path: &[&str],
    tokens: &[Token],
    ctx: &ParseContext,
) -> Result<HashMap<&'static str, Value>, String> {
    let mut values = HashMap::new();
    let mut positional: Vec<&Token> = Vec::new();
    for token in tokens {
        let option = if token.quoted { None } else { token.text.split_once(':') };
        match option.and_then(|(key, v)| spec.options.iter().find(|o| o.key.eq_ignore_ascii_case(key)).map(|o| (o, v)))
        {
            Some((opt, raw)) => {
                if values.contains_key(opt.key) {
                    return Err(problem(ctx, "parse-given-twice", &[("key", opt.key.into())]));
                }
                let value = read_word(opt.kind, raw, path, ctx)
                    .map_err(|e| problem(ctx, "parse-option", &[("key", opt.key.into()), ("problem", e.into())]))?;
                values.insert(opt.key, value);
            }
            None => positional.push(token),
        }
    }

    let mut at = 0;
    for (i, arg) in spec.args.iter().enumerate() {
        let remaining = &positional[at..];
        if remaining.is_empty() {
            if arg.required {
                return Err(missing(ctx, path, arg));
            }
            continue;
        }
        let (value, used) = match arg.kind {
            ArgKind::Text => {
                let text = remaining.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
                (Value::Text(text), remaining.len())
            }
            ArgKind::DateTime => read_datetime(remaining, ctx).map_err(|e| about(ctx, arg, e))?,
            kind => {
                let token = remaining[0];
                let value = if token.quoted && kind != ArgKind::Word {
                    Err(problem(ctx, "parse-quoted", &[("text", token.text.as_str().into())]))
                } else {
                    read_word(kind, &token.text, path, ctx)
                };
                (value.map_err(|e| about(ctx, arg, e))?, 1)
            }
        };
        if let Value::Text(t) = &value
            && t.trim().is_empty()
            && arg.required
        {
            return Err(missing(ctx, path, arg));
        }
        values.insert(spec.args[i].name, value);
        at += used;
    }
    if let Some(extra) = positional.get(at) {
        return Err(problem(ctx, "parse-unexpected", &[("text", extra.text.as_str().into())]));
    }
    Ok(values)
}

fn read_datetime(tokens: &[&Token], ctx: &ParseContext) -> Result<(Value, usize), String> {
    // The longest run of words that reads as a moment wins, so "tomorrow 9:00 standup"
    // leaves "standup" for the next argument.
    let max = tokens.len().min(4);
    for n in (1..=max).rev() {
        let text = tokens[..n].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        match parse_datetime(&text, ctx.now, ctx.tz) {
            Ok(at) => return Ok((Value::DateTime(ctx.within_horizon(at)?), n)),
            Err(TimeError::OutOfRange) => return Err(ctx.too_far()),
            Err(TimeError::Unreadable(_)) => {}
        }
    }
    Err(problem(ctx, "parse-not-moment", &[("raw", tokens[0].text.as_str().into())]))
}

fn read_word(kind: ArgKind, raw: &str, path: &[&str], ctx: &ParseContext) -> Result<Value, String> {
    match kind {
        ArgKind::Word | ArgKind::Text => {
            if raw.is_empty() {
                Err(problem(ctx, "parse-empty", &[]))
            } else {
                Ok(Value::Text(raw.to_owned()))
            }
        }
        ArgKind::Number { noun, .. } => {
            raw.strip_prefix('#').unwrap_or(raw).parse::<i64>().ok().filter(|n| *n > 0).map(Value::Number).ok_or_else(
                || {
                    let noun = ctx.text.noun(ctx.lang, path, noun);
                    problem(ctx, "parse-not-number", &[("raw", raw.into()), ("noun", noun.into())])
                },
            )
        }
        ArgKind::Mention => match raw.strip_prefix('@') {
            Some(handle) if !handle.is_empty() => Ok(Value::Mention(handle.to_owned())),
            _ => Err(problem(ctx, "parse-not-mention", &[("raw", raw.into())])),
        },
        ArgKind::DateTime => match parse_datetime(raw, ctx.now, ctx.tz) {
            Ok(at) => ctx.within_horizon(at).map(Value::DateTime),
            Err(TimeError::OutOfRange) => Err(ctx.too_far()),
            Err(_) => Err(problem(ctx, "parse-not-moment", &[("raw", raw.into())])),
        },
        ArgKind::Choice(choices) => {
            choices.iter().find(|c| c.eq_ignore_ascii_case(raw)).map(|c| Value::Choice(c)).ok_or_else(|| {
                problem(ctx, "parse-not-choice", &[("raw", raw.into()), ("choices", choices.join(", ").into())])
            })
        }
        ArgKind::TimeZone => {
            raw.parse::<Tz>().map(Value::TimeZone).map_err(|_| problem(ctx, "parse-not-zone", &[("raw", raw.into())]))
        }
        ArgKind::File => Err(problem(ctx, "parse-file-typed", &[])),
        ArgKind::Duration => super::time::read_duration(raw)
            .map(Value::Duration)
            .map_err(|_| problem(ctx, "parse-not-length", &[("raw", raw.into())])),
        ArgKind::Period => super::time::read_period(raw, ctx.now, ctx.tz)
            .map(|(from, to)| Value::Span(from, to))
            .map_err(|e| match e {
                PeriodError::Unreadable => problem(ctx, "parse-not-period", &[("raw", raw.into())]),
                PeriodError::Backwards => problem(ctx, "parse-period-backwards", &[("raw", raw.into())]),
                PeriodError::Future => problem(ctx, "parse-period-future", &[("raw", raw.into())]),
                PeriodError::TooLong => {
                    problem(ctx, "parse-period-too-long", &[("days", super::time::PERIOD_DAYS.into())])
                }
            }),
    }
}

/// A problem with the line, in the reader's language (the chat layer's catalog).
fn problem(ctx: &ParseContext, id: &str, args: &[(&str, Arg)]) -> String {
    crate::chat::text::CATALOG.text(ctx.lang, id, args)
}

fn missing(ctx: &ParseContext, path: &[&str], arg: &ArgSpec) -> String {
    let help = ctx.text.help(ctx.lang, path, arg.name);
    problem(ctx, "parse-missing", &[("name", arg.name.into()), ("help", help.into())])
}

/// `<name>: problem`.
fn about(ctx: &ParseContext, arg: &ArgSpec, problem_text: String) -> String {
    problem(ctx, "parse-arg", &[("name", arg.name.into()), ("problem", problem_text.into())])
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn roots() -> Vec<&'static CommandSpec> {
        crate::features::registry().commands().to_vec()
    }

    fn ctx() -> ParseContext<'static> {
        // Saturday 2026-11-28 10:00 in Shanghai.
        ParseContext {
            now: Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).single().expect("valid"),
            tz: chrono_tz::Asia::Shanghai,
            horizon: chrono::Duration::days(3650),
            lang: crate::kernel::Lang::En,
            text: crate::features::registry().command_text(),
        }
    }

    fn ok(line: &str) -> Invocation {
        parse(&roots(), line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e:?}"))
    }

    fn usage_problem(line: &str) -> String {
        match parse(&roots(), line, &ctx()) {
            Err(ParseError::Usage { problem, .. }) => problem,
            other => panic!("{line}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn ticket_new_takes_the_rest_of_the_line_and_options_anywhere() {
        let inv = ok("/ticket new Printer on 3F is jammed priority:high");
        assert_eq!(inv.path, vec!["ticket", "new"]);
        assert_eq!(inv.text("title"), Some("Printer on 3F is jammed"));
        assert_eq!(inv.text("priority"), Some("high"));
        let inv = ok("ticket new priority:URGENT VPN down");
        assert_eq!(inv.text("title"), Some("VPN down"));
        assert_eq!(inv.text("priority"), Some("urgent"));
    }

    #[test]
    fn quotes_keep_text_together_and_protect_colons() {
        let inv = ok(r#"/ticket new "priority:high is not an option here" "#);
        assert_eq!(inv.text("title"), Some("priority:high is not an option here"));
        assert!(inv.get("priority").is_none());
        let inv = ok(r#"/dept create "Customer Care""#);
        assert_eq!(inv.text("name"), Some("Customer Care"));
        let inv = ok("/dept create “Front Desk”");
        assert_eq!(inv.text("name"), Some("Front Desk"));
        let inv = ok(r#"/ticket new "say \"hi\"" re:subject"#);
        assert_eq!(inv.text("title"), Some(r#"say "hi" re:subject"#));
        assert!(usage_problem(r#"/ticket new "unterminated"#).contains("quote"));
    }

    #[test]
    fn telegram_bot_suffix_and_case_are_ignored() {
        assert_eq!(ok("/Ticket@DeskmateBot list").path, vec!["ticket", "list"]);
    }

    #[test]
    fn mentions_and_choices() {
        let inv = ok("/role grant @bob agent");
        assert_eq!(inv.mention("person"), Some("bob"));
        assert_eq!(inv.text("role"), Some("agent"));
        assert!(usage_problem("/role grant bob agent").contains("@name"));
        assert!(usage_problem("/role grant @bob wizard").contains("not one of agent, manager, admin"));
        assert!(usage_problem("/role grant @bob").contains("<role> is missing"));
        assert!(usage_problem("/role grant @bob agent extra").contains("unexpected `extra`"));
    }

    #[test]
    fn ticket_numbers() {
        assert_eq!(ok("/ticket show #12").number("id"), Some(12));
        assert_eq!(ok("/ticket claim 7").number("id"), Some(7));
        assert!(usage_problem("/ticket show twelve").contains("not a ticket number"));
        assert!(usage_problem("/ticket show 0").contains("not a ticket number"));
        assert!(usage_problem("/ticket show").contains("<id> is missing"));
        let inv = ok("/ticket close 3 replaced the toner");
        assert_eq!(inv.text("resolution"), Some("replaced the toner"));
        assert!(ok("/ticket close 3").get("resolution").is_none());
    }

    #[test]
    fn options_are_validated() {
        assert!(usage_problem("/ticket new Broken priority:meh").contains("priority: `meh` is not one of"));
        assert!(usage_problem("/ticket new Broken priority:high priority:low").contains("given twice"));
        assert!(usage_problem("/ticket new priority:high").contains("<title> is missing"));
    }

    #[test]
    fn unknown_commands_suggest_the_closest() {
        assert_eq!(
            parse(&roots(), "/tiket new x", &ctx()).err(),
            Some(ParseError::UnknownCommand { name: "tiket".into(), suggestion: Some("ticket") })
        );
        assert_eq!(
            parse(&roots(), "/frobnicate", &ctx()).err(),
            Some(ParseError::UnknownCommand { name: "frobnicate".into(), suggestion: None })
        );
        assert!(usage_problem("/ticket clam 1").contains("did you mean `claim`"));
        assert!(usage_problem("/ticket").contains("subcommand"));
        assert_eq!(parse(&roots(), "   ", &ctx()).err(), Some(ParseError::Empty));
    }

    #[test]
    fn time_zones() {
        assert_eq!(ok("/tz set Europe/Berlin").zone("zone"), Some(chrono_tz::Europe::Berlin));
        assert!(usage_problem("/tz set Mars/Olympus").contains("IANA"));
    }

    #[test]
    fn apostrophes_inside_words_are_text() {
        assert_eq!(ok("/ticket new Printer doesn't work").text("title"), Some("Printer doesn't work"));
        let inv = ok("/remind in 2h call Bob's office");
        assert_eq!(inv.text("text"), Some("call Bob's office"));
        assert_eq!(ok("/ticket new 'cause it's broken").text("title"), Some("'cause it's broken"));
        assert_eq!(ok("/ticket new 'Printer doesn't work'").text("title"), Some("Printer doesn't work"));
        assert_eq!(ok("/ticket new l'imprimante ne marche pas").text("title"), Some("l'imprimante ne marche pas"));
        assert_eq!(ok("/ticket new it’s the printer’s fault").text("title"), Some("it’s the printer’s fault"));
    }

    #[test]
    fn quotes_open_at_word_starts_in_every_script() {
        assert_eq!(ok("/dept create 「客户 服务」").text("name"), Some("客户 服务"));
        assert_eq!(ok("/dept create ‘Front Desk’").text("name"), Some("Front Desk"));
        assert_eq!(ok("/dept create «Service clients»").text("name"), Some("Service clients"));
        // Inside a word a quote is a character, and option values may be quoted.
        assert_eq!(ok(r#"/ticket new 5" floppy drive"#).text("title"), Some(r#"5" floppy drive"#));
        let inv = ok(r#"/ticket new priority:"high" Fan noise"#);
        assert_eq!((inv.text("priority"), inv.text("title")), (Some("high"), Some("Fan noise")));
        assert!(usage_problem("/dept create 「unclosed").contains("add the closing 」"));
    }

    /// Printable text as people type it: letters of several scripts, digits, spaces,
    /// punctuation and every kind of quote.
    fn human_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex(r#"[a-zA-Z0-9 äéßЖж中文字「」“”‘’'"«»@#:/\.,!?-]{0,40}"#).expect("regex")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn the_parser_never_panics(line in "\\PC{0,80}") {
            let _ = parse(&roots(), &line, &ctx());
        }

        #[test]
        fn a_known_command_parses_or_gets_a_usage_error(
            command in proptest::sample::select(vec!["/ticket new", "/ticket close 1", "/remind", "/dept create", "/role grant", "/link", "/help", "/tz set"]),
            rest in human_text(),
        ) {
            match parse(&roots(), &format!("{command} {rest}"), &ctx()) {
                Ok(_) => {}
                Err(ParseError::Usage { problem, .. }) => proptest::prop_assert!(!problem.is_empty()),
                Err(other) => proptest::prop_assert!(false, "{command} {rest}: {other:?}"),
            }
        }

        #[test]
        fn what_parses_parses_the_same_when_quoted(rest in human_text()) {
            if let Ok(inv) = parse(&roots(), &format!("/ticket new {rest}"), &ctx())
                && inv.get("priority").is_none()
            {
                let title = inv.text("title").expect("a title").to_owned();
                let again = parse(&roots(), &format!("/ticket new {}", quote(&title)), &ctx());
                let again = again.map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{title:?}: {e:?}")))?;
                proptest::prop_assert_eq!(again.text("title"), Some(title.as_str()));
            }
        }

        #[test]
        fn tokens_survive_quoting(words in proptest::collection::vec("\\PC{1,12}", 1..5)) {
            let line = words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ");
            let tokens = tokenize(&line).map_err(|c| proptest::test_runner::TestCaseError::fail(format!("open quote {c}")))?;
            let texts: Vec<String> = tokens.into_iter().map(|t| t.text).collect();
            proptest::prop_assert_eq!(texts, words);
        }
    }

    #[test]
    fn datetimes_take_the_longest_readable_run() {
        let tokens: Vec<Token> = tokenize("tomorrow 9:00 standup").expect("tokens");
        let refs: Vec<&Token> = tokens.iter().collect();
        let (value, used) = read_datetime(&refs, &ctx()).expect("reads");
        assert_eq!(used, 2);
        let tokens: Vec<Token> = tokenize("明天 9:00 周会").expect("tokens");
        let refs: Vec<&Token> = tokens.iter().collect();
        let (chinese, used) = read_datetime(&refs, &ctx()).expect("reads Chinese");
        assert_eq!((used, &chinese), (2, &value), "明天 9:00 is tomorrow 9:00");
        assert_eq!(value, Value::DateTime(Utc.with_ymd_and_hms(2026, 11, 29, 1, 0, 0).single().expect("valid")));
        let tokens: Vec<Token> = tokenize("whenever").expect("tokens");
        let refs: Vec<&Token> = tokens.iter().collect();
        assert!(read_datetime(&refs, &ctx()).is_err());
    }
}
