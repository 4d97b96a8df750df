//! The directory's commands: declared once, and read into [`DirectoryCommand`].

use chrono_tz::Tz;

use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::Role;
use crate::typed_commands;

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "directory commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[
    cmd("whoami", Role::Staff, &[], &[]),
    cmd("whereami", Role::Staff, &[], &[]),
    group(
        "role",
        &[
            cmd(
                "grant",
                Role::Admin,
                &[arg("person", ArgKind::Mention), arg("role", ArgKind::Choice(&Role::GRANTABLE))],
                &[],
            ),
            cmd(
                "revoke",
                Role::Admin,
                &[arg("person", ArgKind::Mention), arg("role", ArgKind::Choice(&Role::GRANTABLE))],
                &[],
            ),
        ],
    ),
    group(
        "dept",
        &[
            cmd("create", Role::Admin, &[arg("name", ArgKind::Text)], &[]),
            cmd("add", Role::Admin, &[arg("name", ArgKind::Word), arg("person", ArgKind::Mention)], &[]),
            cmd("set-manager", Role::Admin, &[arg("name", ArgKind::Word), arg("person", ArgKind::Mention)], &[]),
            cmd("list", Role::Staff, &[], &[]),
        ],
    ),
    group("tz", &[cmd("set", Role::Staff, &[arg("zone", ArgKind::TimeZone)], &[])]),
    cmd("lang", Role::Staff, &[opt_arg("language", ArgKind::Word)], &[]),
    cmd("link", Role::Staff, &[opt_arg("code", ArgKind::Word)], &[]),
];

typed_commands! {
    pub enum DirectoryCommand {
        "whoami" => Whoami,
        "whereami" => Whereami,
        "role grant" => RoleGrant { person: String, role: Role },
        "role revoke" => RoleRevoke { person: String, role: Role },
        "dept create" => DeptCreate { name: String },
        "dept add" => DeptAdd { dept: String, person: String },
        "dept set-manager" => DeptSetManager { dept: String, person: String },
        "dept list" => DeptList,
        "tz set" => TzSet { zone: Tz },
        "link" => Link { code: Option<String> },
        "lang" => Lang { language: Option<String> },
    }
}

impl TryFrom<&Invocation> for DirectoryCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        Ok(match inv.path.as_slice() {
            ["whoami"] => DirectoryCommand::Whoami,
            ["whereami"] => DirectoryCommand::Whereami,
            ["role", "grant"] => {
                DirectoryCommand::RoleGrant { person: a.mention("person")?, role: a.required("role")? }
            }
            ["role", "revoke"] => {
                DirectoryCommand::RoleRevoke { person: a.mention("person")?, role: a.required("role")? }
            }
            ["dept", "create"] => DirectoryCommand::DeptCreate { name: a.text("name")? },
            ["dept", "add"] => DirectoryCommand::DeptAdd { dept: a.text("name")?, person: a.mention("person")? },
            ["dept", "set-manager"] => {
                DirectoryCommand::DeptSetManager { dept: a.text("name")?, person: a.mention("person")? }
            }
            ["dept", "list"] => DirectoryCommand::DeptList,
            ["tz", "set"] => DirectoryCommand::TzSet { zone: a.zone("zone")? },
            ["link"] => DirectoryCommand::Link { code: a.optional("code") },
            ["lang"] => DirectoryCommand::Lang { language: a.optional("language") },
            _ => return a.undeclared(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::commands::{ParseContext, check_typed, parse};

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        check_typed::<DirectoryCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }

    #[test]
    fn values_arrive_typed() {
        let ctx = ParseContext {
            now: chrono::Utc::now(),
            tz: chrono_tz::UTC,
            horizon: chrono::Duration::days(1),
            lang: crate::kernel::Lang::En,
            text: crate::features::registry().command_text(),
        };
        let roots: Vec<&CommandSpec> = COMMANDS.iter().collect();
        let inv = parse(&roots, "/role grant @carol manager", &ctx).expect("parses");
        assert_eq!(
            DirectoryCommand::try_from(&inv),
            Ok(DirectoryCommand::RoleGrant { person: "carol".into(), role: Role::Manager })
        );
    }
}
