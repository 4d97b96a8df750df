//! Every sentence people read, in their language. Each feature keeps one Fluent catalog
//! a language in its folder (`i18n/en.ftl`, `i18n/zh-CN.ftl`), compiled in; a message is
//! looked up by id with named arguments and written for one reader. Whole sentences
//! only: plurals and variants are Fluent selectors, never fragments glued in code.
//! Moments and lengths of time are written the reader's way (`Tue 1 Dec 15:00`,
//! `12月1日（周二）15:00`).

use chrono::{DateTime, Datelike, Utc, Weekday};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use crate::kernel::Lang;

/// One feature's messages in every language.
pub struct Catalog {
    name: &'static str,
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
    /// Every language's source, for the checks.
    sources: Vec<(Lang, &'static str)>,
}

/// A message argument: text (a name, a title, something already written for the reader)
/// or a number (which plural selectors read).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Arg {
        Arg::Text(text.clone())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

fn tag(lang: Lang) -> unic_langid::LanguageIdentifier {
    lang.as_str().parse().unwrap_or_default()
}

impl Catalog {
    /// `sources`: each language's catalog text (`include_str!`). A catalog that does not
    /// parse is a bug its feature's catalog test catches; what parsed is kept and the rest
    /// is logged.
    pub fn new(name: &'static str, sources: &[(Lang, &'static str)]) -> Catalog {
        let bundles = sources
            .iter()
            .map(|(lang, source)| {
                let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, errors)| {
                    tracing::error!(catalog = name, lang = %lang, ?errors, "a catalog does not parse");
                    partial
                });
                let mut bundle = FluentBundle::new_concurrent(vec![tag(*lang)]);
                // No invisible bidi marks around arguments: chat clients show them.
                bundle.set_use_isolating(false);
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(catalog = name, lang = %lang, ?errors, "a catalog names a message twice");
                }
                (*lang, bundle)
            })
            .collect();
        Catalog { name, bundles, sources: sources.to_vec() }
    }

    /// Message `id` in `lang` (in English when that language lacks it; the id itself when
    /// no language has it, which the catalog tests rule out).
    pub fn text(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
        self.render(lang, id, args).or_else(|| self.render(Lang::En, id, args)).unwrap_or_else(|| {
            tracing::error!(catalog = self.name, id, "a message no catalog has");
            id.to_owned()
        })
    }

    /// Message `id` in `lang` with `args` and what went wrong writing it (a missing
    /// variable); `None` when that language lacks the message.
    fn format(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> Option<(String, Vec<fluent_bundle::FluentError>)> {
        let (_, bundle) = self.bundles.iter().find(|(l, _)| *l == lang)?;
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent.set(*name, FluentValue::from(text.as_str())),
                Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent), &mut errors).into_owned();
        Some((text, errors))
    }

    fn render(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let (text, errors) = self.format(lang, id, args)?;
        if !errors.is_empty() {
            tracing::error!(catalog = self.name, id, ?errors, "a message rendered with errors");
        }
        Some(text)
    }

    /// Whether message `id` renders in `lang` with `args` without an error (a missing
    /// variable, an unknown message): for the catalog tests.
    pub fn renders(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> Result<String, String> {
        match self.format(lang, id, args) {
            None => Err(format!("{lang} has no `{id}`")),
            Some((text, errors)) if errors.is_empty() => Ok(text),
            Some((_, errors)) => Err(format!("{lang} `{id}`: {errors:?}")),
        }
    }

    /// The ids of a language's messages.
    pub fn ids(&self, lang: Lang) -> Vec<String> {
        let Some((_, source)) = self.sources.iter().find(|(l, _)| *l == lang) else { return Vec::new() };
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((partial, _)) => partial,
        };
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    /// Whether every language's source parses.
    pub fn parse_errors(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter_map(|(lang, source)| {
                FluentResource::try_new((*source).to_owned()).err().map(|(_, e)| format!("{lang}: {e:?}"))
            })
            .collect()
    }
}

/// A moment where it is one of many (lists, histories, confirmations), in the reader's
/// zone: English keeps the numeric form it always had (`2026-12-01 15:00`), Chinese reads
/// it the Chinese way (`2026年12月1日（周二）15:00`).
pub fn stamp(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    match lang {
        Lang::En => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Lang::ZhCn => moment(lang, at, tz),
    }
}

/// A moment as the reader reads it, in their zone: `Tue 1 Dec 15:00` or
/// `12月1日（周二）15:00`.
pub fn moment(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    match lang {
        Lang::En => local.format("%a %-d %b %Y %H:%M").to_string(),
        Lang::ZhCn => format!(
            "{}年{}月{}日（{}）{}",
            local.year(),
            local.month(),
            local.day(),
            weekday(lang, local.weekday()),
            local.format("%H:%M")
        ),
    }
}

/// A day of the week as the reader writes it short: `Mon`, `周一`.
pub fn weekday(lang: Lang, day: Weekday) -> &'static str {
    let names = match lang {
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        Lang::ZhCn => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    };
    names[day.num_days_from_monday() as usize]
}

/// A length of time as the reader reads it: `1 h 20 min`, `1 小时 20 分钟`.
pub fn length(lang: Lang, d: chrono::Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let units: [(&str, &str, &str); 3] = match lang {
        Lang::En => [("d", "h", "min"); 3],
        Lang::ZhCn => [("天", "小时", "分钟"); 3],
    };
    let (d_unit, h_unit, m_unit) = units[0];
    let mut parts = Vec::new();
    for (n, unit) in [(days, d_unit), (hours, h_unit), (mins, m_unit)] {
        if n > 0 {
            parts.push(format!("{n} {unit}"));
        }
    }
    if parts.is_empty() {
        parts.push(format!("0 {m_unit}"));
    }
    parts.join(" ")
}

/// Every message renders in every language with `samples` (an argument for each variable
/// any message uses), without an error and not empty.
#[cfg(test)]
pub fn check_renders(catalog: &Catalog, samples: &[(&str, Arg)]) {
    for lang in Lang::ALL {
        for id in catalog.ids(Lang::En) {
            let text = catalog.renders(lang, &id, samples).unwrap_or_else(|e| panic!("{e}"));
            assert!(!text.trim().is_empty(), "{}: {lang} `{id}` renders empty", catalog.name);
        }
    }
}

/// The checks every feature's catalog passes: both languages parse, hold the same ids,
/// every id is used in the feature's code (as `"id"`) and every id the code names is in
/// the catalog.
#[cfg(test)]
pub fn check_catalog(catalog: &Catalog, code: &[&str]) {
    assert!(catalog.parse_errors().is_empty(), "{}: {:?}", catalog.name, catalog.parse_errors());
    let en = catalog.ids(Lang::En);
    for lang in Lang::ALL {
        let mut ids = catalog.ids(lang);
        ids.sort();
        let mut expected = en.clone();
        expected.sort();
        assert_eq!(ids, expected, "{}: {lang} and en hold different messages", catalog.name);
    }
    let code = code.join("\n");
    for id in &en {
        assert!(code.contains(&format!("\"{id}\"")), "{}: `{id}` is in the catalog but no code uses it", catalog.name);
    }
    let named = regex::Regex::new(r#"(?:say|say_n)\(\s*[a-z_.]+,\s*"([a-z0-9-]+)""#).expect("a regex");
    for found in named.captures_iter(&code) {
        let id = &found[1];
        assert!(en.iter().any(|e| e == id), "{}: the code says `{id}`, which the catalog lacks", catalog.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const EN: &str =
        "hello = Hello, { $name }!\ncount = { $n ->\n    [one] one ticket\n   *[other] { $n } tickets\n}\n";
    const ZH: &str = "hello = 你好，{ $name }！\ncount = { $n } 个工单\n";

    #[test]
    fn messages_render_in_each_language_with_plurals_and_no_bidi_marks() {
        let catalog = Catalog::new("test", &[(Lang::En, EN), (Lang::ZhCn, ZH)]);
        assert_eq!(catalog.text(Lang::En, "hello", &[("name", "bob".into())]), "Hello, bob!");
        assert_eq!(catalog.text(Lang::ZhCn, "hello", &[("name", "bob".into())]), "你好，bob！");
        assert_eq!(catalog.text(Lang::En, "count", &[("n", 1_i64.into())]), "one ticket");
        assert_eq!(catalog.text(Lang::En, "count", &[("n", 3_i64.into())]), "3 tickets");
        assert_eq!(catalog.text(Lang::ZhCn, "count", &[("n", 3_i64.into())]), "3 个工单");
        assert_eq!(catalog.text(Lang::ZhCn, "nothing", &[]), "nothing");
        assert!(catalog.renders(Lang::En, "hello", &[]).is_err(), "a missing variable is an error");
        assert_eq!(catalog.ids(Lang::ZhCn), ["hello", "count"]);
    }

    #[test]
    fn moments_and_lengths_the_readers_way() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).single().expect("valid");
        let shanghai = chrono_tz::Asia::Shanghai;
        assert_eq!(moment(Lang::En, at, shanghai), "Tue 1 Dec 2026 15:00");
        assert_eq!(moment(Lang::ZhCn, at, shanghai), "2026年12月1日（周二）15:00");
        assert_eq!(length(Lang::En, chrono::Duration::minutes(80)), "1 h 20 min");
        assert_eq!(length(Lang::ZhCn, chrono::Duration::minutes(80)), "1 小时 20 分钟");
        assert_eq!(length(Lang::ZhCn, chrono::Duration::days(2)), "2 天");
        assert_eq!(length(Lang::En, chrono::Duration::zero()), "0 min");
    }
}
