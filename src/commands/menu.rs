//! The registry as the platforms' command menus see it (Telegram's menu, Discord's slash
//! commands with typed options).

use deskmate_port::{MenuCommand, MenuOption, OptionKind, Placement, Suggest};

use super::registry::{ArgKind, COMMANDS, CommandSpec};

pub fn menu() -> Vec<MenuCommand> {
    COMMANDS.iter().map(command).collect()
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
        ArgKind::Word | ArgKind::Text | ArgKind::DateTime => OptionKind::Text,
        ArgKind::Ticket => OptionKind::Suggested(Suggest::Ticket),
        ArgKind::Mention => OptionKind::User,
        ArgKind::Choice(words) => OptionKind::Choice(words.iter().map(|w| (*w).to_owned()).collect()),
        ArgKind::TimeZone => OptionKind::Suggested(Suggest::TimeZone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_is_on_the_menu() {
        let menu = menu();
        assert_eq!(menu.len(), COMMANDS.len());
        let ticket = menu.iter().find(|c| c.name == "ticket").expect("ticket");
        let new = ticket.subcommands.iter().find(|c| c.name == "new").expect("ticket new");
        let title = &new.options[0];
        assert_eq!((title.name.as_str(), title.required, title.placement), ("title", true, Placement::Rest));
        let priority = new.options.iter().find(|o| o.name == "priority").expect("priority");
        assert!(matches!(&priority.kind, OptionKind::Choice(c) if c.contains(&"urgent".to_owned())));
        let show = ticket.subcommands.iter().find(|c| c.name == "show").expect("ticket show");
        assert_eq!(show.options[0].kind, OptionKind::Suggested(Suggest::Ticket));
    }
}
