//! The registry as the platforms' command menus see it (Telegram's menu, Discord's slash
//! commands with typed options), described in every language.

use deskmate_port::{MenuChoice, MenuCommand, MenuOption, OptionKind, Placement, Translations};

use super::registry::{ArgKind, CommandSpec};
use super::text::CommandText;
use crate::kernel::Lang;

/// The key under which time zones are suggested; the router answers it itself.
pub const ZONE_SUGGESTIONS: &str = "zone";

/// The menu described in `lang`, with the other languages as translations.
pub fn menu(roots: &[&'static CommandSpec], text: &CommandText, lang: Lang) -> Vec<MenuCommand> {
    roots.iter().map(|spec| command(&mut Vec::new(), spec, text, lang)).collect()
}

/// `describe` in `lang`, and in each other language.
fn described(lang: Lang, describe: impl Fn(Lang) -> String) -> (String, Translations) {
    let others = Lang::ALL.into_iter().filter(|l| *l != lang).map(|l| (l.as_str().to_owned(), describe(l)));
    (describe(lang), others.collect())
}

fn command(path: &mut Vec<&'static str>, spec: &'static CommandSpec, text: &CommandText, lang: Lang) -> MenuCommand {
    path.push(spec.name);
    let option = |name: &'static str, kind: ArgKind, required: bool, placement: Placement| {
        let (description, translations) = described(lang, |l| text.help(l, path, name));
        let kind = kind_of(kind, |word| {
            let (name, translations) = described(lang, |l| text.choice(l, path, word));
            MenuChoice { value: word.to_owned(), name, translations }
        });
        MenuOption { name: name.to_owned(), description, translations, kind, required, placement }
    };
    let args = spec.args.iter().map(|a| {
        let placement = if a.kind == ArgKind::Text { Placement::Rest } else { Placement::Positional };
        option(a.name, a.kind, a.required, placement)
    });
    let options = spec.options.iter().map(|o| option(o.key, o.kind, false, Placement::Keyed));
    let options = args.chain(options).collect();
    let (description, translations) = described(lang, |l| text.summary(l, path));
    let subcommands = spec.subcommands.iter().map(|sub| command(path, sub, text, lang)).collect();
    path.pop();
    MenuCommand { name: spec.name.to_owned(), description, translations, options, subcommands }
}

fn kind_of(kind: ArgKind, choice: impl Fn(&str) -> MenuChoice) -> OptionKind {
    match kind {
        ArgKind::Word | ArgKind::Text | ArgKind::DateTime | ArgKind::Duration | ArgKind::Period => OptionKind::Text,
        ArgKind::Number { suggest, .. } => OptionKind::Suggested(suggest.to_owned()),
        ArgKind::Mention => OptionKind::User,
        ArgKind::Choice(words) => OptionKind::Choice(words.iter().map(|w| choice(w)).collect()),
        ArgKind::TimeZone => OptionKind::Suggested(ZONE_SUGGESTIONS.to_owned()),
        ArgKind::File => OptionKind::File,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_is_on_the_menu_in_every_language() {
        let registry = crate::features::registry();
        let roots = registry.commands();
        let menu = menu(roots, registry.command_text(), Lang::En);
        assert_eq!(menu.len(), roots.len());
        let ticket = menu.iter().find(|c| c.name == "ticket").expect("ticket");
        let new = ticket.subcommands.iter().find(|c| c.name == "new").expect("ticket new");
        assert_eq!(new.description, "Open a ticket; it is posted to the support queue");
        assert_eq!(new.translations, vec![("zh-CN".to_owned(), "新建工单，发送到客服队列".to_owned())]);
        let title = &new.options[0];
        assert_eq!((title.name.as_str(), title.required, title.placement), ("title", true, Placement::Rest));
        assert_eq!(title.translations[0].1, "出了什么问题，一句话说明");
        let priority = new.options.iter().find(|o| o.name == "priority").expect("priority");
        let OptionKind::Choice(choices) = &priority.kind else { panic!("priority is a choice") };
        let urgent = choices.iter().find(|c| c.value == "urgent").expect("urgent");
        assert_eq!((urgent.name.as_str(), urgent.translations[0].1.as_str()), ("urgent", "紧急"));
        let show = ticket.subcommands.iter().find(|c| c.name == "show").expect("ticket show");
        assert_eq!(show.options[0].kind, OptionKind::Suggested("ticket".to_owned()));
        // A company whose default is Chinese gets a Chinese menu with English beside it.
        let chinese = super::menu(roots, registry.command_text(), Lang::ZhCn);
        let new = &chinese.iter().find(|c| c.name == "ticket").expect("ticket").subcommands[0];
        assert_eq!(new.description, "新建工单，发送到客服队列");
        assert_eq!(
            new.translations[0],
            ("en".to_owned(), "Open a ticket; it is posted to the support queue".to_owned())
        );
    }
}
