//! What the commands are called in each language: what each command and argument is for
//! (`/help`, usage errors, the platforms' menus) and the nouns errors name. Each feature
//! keeps its own in a catalog beside its sentences (`i18n/commands.<lang>.ftl`), one
//! message per declaration, named by its path:
//!
//! - `cmd-ticket-new`: the command (`cmd-ticket` for the group);
//! - `cmd-ticket-new-title`: its argument or option `title`;
//! - `noun-ticket`: a number's noun ("`abc` is not a ticket number");
//! - `rate-tickets`: a rate class's ("at most 3 new tickets a minute");
//! - `choice-urgent`: a fixed word as menus show it ("紧急"; the value stays `urgent`).

use std::collections::HashMap;

#[cfg(test)]
use super::registry::ArgKind;
use super::registry::{CommandSpec, RateClass};
use crate::i18n::{Catalog, Lang};

/// Each command's catalog, by root and by the subcommands of a group several features
/// add to (`/report approvals` is described by the approvals feature).
#[derive(Default)]
pub struct CommandText {
    by_root: HashMap<String, &'static Catalog>,
    by_sub: HashMap<(String, String), &'static Catalog>,
    by_rate: HashMap<&'static str, &'static Catalog>,
}

/// `cmd-ticket-new`, `cmd-ticket-new-title`.
pub fn message_id(path: &[&str], arg: Option<&str>) -> String {
    let mut id = format!("cmd-{}", path.join("-"));
    if let Some(arg) = arg {
        id.push('-');
        id.push_str(arg);
    }
    id.to_lowercase()
}

impl CommandText {
    /// `spec`, a root a feature declares, is described by `catalog`; the subcommands it
    /// adds to a group another feature started are too.
    pub fn add(&mut self, spec: &CommandSpec, catalog: &'static Catalog) {
        let root = spec.name.to_lowercase();
        self.by_root.entry(root.clone()).or_insert(catalog);
        for sub in spec.subcommands {
            self.by_sub.insert((root.clone(), sub.name.to_lowercase()), catalog);
        }
        walk_rates(spec, &mut |class| {
            self.by_rate.insert(class.key, catalog);
        });
    }

    fn catalog(&self, path: &[&str]) -> Option<&'static Catalog> {
        let root = path.first()?.to_lowercase();
        let sub = path.get(1).and_then(|s| self.by_sub.get(&(root.clone(), s.to_lowercase())));
        sub.or_else(|| self.by_root.get(&root)).copied()
    }

    fn say(&self, lang: Lang, path: &[&str], id: &str) -> String {
        match self.catalog(path) {
            Some(catalog) => catalog.text(lang, id, &[]),
            None => String::new(),
        }
    }

    /// What the command at `path` does.
    pub fn summary(&self, lang: Lang, path: &[&str]) -> String {
        self.say(lang, path, &message_id(path, None))
    }

    /// What its argument or option `name` is for.
    pub fn help(&self, lang: Lang, path: &[&str], name: &str) -> String {
        self.say(lang, path, &message_id(path, Some(name)))
    }

    /// The noun of a number argument of the command at `path`.
    pub fn noun(&self, lang: Lang, path: &[&str], noun: &str) -> String {
        self.say(lang, path, &format!("noun-{noun}"))
    }

    /// How a fixed word of an option is shown in menus (`choice-urgent`: "紧急").
    pub fn choice(&self, lang: Lang, path: &[&str], word: &str) -> String {
        self.say(lang, path, &format!("choice-{word}"))
    }

    /// What a rate class counts; `None` for the general one, which the chat layer names.
    pub fn rate(&self, lang: Lang, class: RateClass) -> Option<String> {
        self.by_rate.get(class.key).map(|catalog| catalog.text(lang, &format!("rate-{}", class.key), &[]))
    }
}

fn walk_rates(spec: &CommandSpec, each: &mut impl FnMut(RateClass)) {
    if spec.rate != RateClass::GENERAL {
        each(spec.rate);
    }
    for sub in spec.subcommands {
        walk_rates(sub, each);
    }
}

/// Discord's limit on a description (Telegram allows 256).
#[cfg(test)]
const DESCRIPTION_MAX: usize = 100;

/// For a feature's tests: its command text describes every command, argument, option,
/// noun and rate class it declares, in every language, within the menus' limits, and
/// holds nothing else.
#[cfg(test)]
pub fn check_command_text(specs: &[CommandSpec], catalog: &Catalog) {
    fn expected(path: &mut Vec<&'static str>, spec: &CommandSpec, out: &mut Vec<String>) {
        path.push(spec.name);
        out.push(message_id(path, None));
        let kinds = spec.args.iter().map(|a| (a.name, a.kind)).chain(spec.options.iter().map(|o| (o.key, o.kind)));
        for (name, kind) in kinds {
            out.push(message_id(path, Some(name)));
            match kind {
                ArgKind::Number { noun, .. } => out.push(format!("noun-{noun}")),
                ArgKind::Choice(words) => out.extend(words.iter().map(|w| format!("choice-{w}"))),
                _ => {}
            }
        }
        for sub in spec.subcommands {
            expected(path, sub, out);
        }
        path.pop();
    }
    let mut ids = Vec::new();
    for spec in specs {
        expected(&mut Vec::new(), spec, &mut ids);
        walk_rates(spec, &mut |class| ids.push(format!("rate-{}", class.key)));
    }
    ids.sort();
    ids.dedup();
    assert!(catalog.parse_errors().is_empty(), "{:?}", catalog.parse_errors());
    for lang in Lang::ALL {
        let mut have = catalog.ids(lang);
        have.sort();
        let missing: Vec<&String> = ids.iter().filter(|id| !have.contains(id)).collect();
        let unused: Vec<&String> = have.iter().filter(|id| !ids.contains(id)).collect();
        assert!(missing.is_empty(), "{lang}: no text for {missing:?}");
        assert!(unused.is_empty(), "{lang}: text for nothing declared: {unused:?}");
        for id in &ids {
            let text = catalog.renders(lang, id, &[]).unwrap_or_else(|e| panic!("{e}"));
            let chars = text.chars().count();
            assert!(chars > 0 && chars <= DESCRIPTION_MAX, "{lang} `{id}` is {chars} characters: {text}");
        }
    }
}
