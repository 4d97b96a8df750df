//! The registry as the platforms' command menus see it (Telegram's menu, Discord's slash
//! commands with typed options).

use deskmate_port::{MenuCommand, MenuOption, OptionKind, Placement};

use super::registry::{ArgKind, CommandSpec};

/// The key under which time zones are suggested; the router answers it itself.
pub const ZONE_SUGGESTIONS: &str = "zone";

pub fn menu(roots: &[&CommandSpec]) -> Vec<MenuCommand> {
    roots.iter().map(|spec| command(spec)).collect()
}

fn command(spec: &CommandSpec) -> MenuCommand {
    let args = spec.args.iter().map(|a| MenuOption {
        name: a.name.to_owned(),
        description: a.help.to_owned(),
        kind: kind(a.kind),
        required: a.required,
        placement: if a.kind == ArgKind::Text { Placement::Rest } else { Placement::Positional },
    });
    let options = spec.options.iter().map(|o| MenuOption {
        name: o.key.to_owned(),
        description: o.help.to_owned(),
        kind: kind(o.kind),
        required: false,
        placement: Placement::Keyed,
    });
    MenuCommand {
        name: spec.name.to_owned(),
        description: spec.summary.to_owned(),
        options: args.chain(options).collect(),
        subcommands: spec.subcommands.iter().map(command).collect(),
    }
}

fn kind(kind: ArgKind) -> OptionKind {
    match kind {
        ArgKind::Word | ArgKind::Text | ArgKind::DateTime | ArgKind::Duration => OptionKind::Text,
        ArgKind::Number { suggest, .. } => OptionKind::Suggested(suggest.to_owned()),
        ArgKind::Mention => OptionKind::User,
        ArgKind::Choice(words) => OptionKind::Choice(words.iter().map(|w| (*w).to_owned()).collect()),
        ArgKind::TimeZone => OptionKind::Suggested(ZONE_SUGGESTIONS.to_owned()),
        ArgKind::File => OptionKind::File,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_is_on_the_menu() {
        let roots = crate::features::all_commands();
        let menu = menu(&roots);
        assert_eq!(menu.len(), roots.len());
        let ticket = menu.iter().find(|c| c.name == "ticket").expect("ticket");
        let new = ticket.subcommands.iter().find(|c| c.name == "new").expect("ticket new");
        let title = &new.options[0];
        assert_eq!((title.name.as_str(), title.required, title.placement), ("title", true, Placement::Rest));
        let priority = new.options.iter().find(|o| o.name == "priority").expect("priority");
        assert!(matches!(&priority.kind, OptionKind::Choice(c) if c.contains(&"urgent".to_owned())));
        let show = ticket.subcommands.iter().find(|c| c.name == "show").expect("ticket show");
        assert_eq!(show.options[0].kind, OptionKind::Suggested("ticket".to_owned()));
    }
}
