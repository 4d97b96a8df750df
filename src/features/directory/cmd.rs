//! The directory's commands: declared once, and read into [`DirectoryCommand`].

use chrono_tz::Tz;

use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::Role;
use crate::typed_commands;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("whoami", "Show who Deskmate thinks you are: roles, department, manager, time zone", Role::Staff, &[], &[]),
    cmd("whereami", "Show this chat's address, to put in the config (support queue, schedules)", Role::Staff, &[], &[]),
    group(
        "role",
        "Grant or revoke roles (admins)",
        &[
            cmd(
                "grant",
                "Give a person a role",
                Role::Admin,
                &[
                    arg("person", ArgKind::Mention, "who, e.g. @bob"),
                    arg("role", ArgKind::Choice(&Role::GRANTABLE), "the role"),
                ],
                &[],
            ),
            cmd(
                "revoke",
                "Take a role away",
                Role::Admin,
                &[
                    arg("person", ArgKind::Mention, "who, e.g. @bob"),
                    arg("role", ArgKind::Choice(&Role::GRANTABLE), "the role"),
                ],
                &[],
            ),
        ],
    ),
    group(
        "dept",
        "Departments and their managers",
        &[
            cmd("create", "Create a department", Role::Admin, &[arg("name", ArgKind::Text, "its name")], &[]),
            cmd(
                "add",
                "Put a person in a department",
                Role::Admin,
                &[arg("name", ArgKind::Word, "the department"), arg("person", ArgKind::Mention, "who, e.g. @bob")],
                &[],
            ),
            cmd(
                "set-manager",
                "Make a person the department's manager",
                Role::Admin,
                &[arg("name", ArgKind::Word, "the department"), arg("person", ArgKind::Mention, "who, e.g. @carol")],
                &[],
            ),
            cmd("list", "List departments with their managers and sizes", Role::Staff, &[], &[]),
        ],
    ),
    group(
        "tz",
        "Your time zone",
        &[cmd(
            "set",
            "Set your time zone",
            Role::Staff,
            &[arg("zone", ArgKind::TimeZone, "an IANA zone, e.g. Asia/Shanghai")],
            &[],
        )],
    ),
    cmd(
        "lang",
        "Your language: en (English) or zh-CN (简体中文); alone, the one you have",
        Role::Staff,
        &[opt_arg("language", ArgKind::Word, "en or zh-CN")],
        &[],
    ),
    cmd(
        "link",
        "Link your accounts on several messengers: run it alone for a code, then send the code from the other account",
        Role::Staff,
        &[opt_arg("code", ArgKind::Word, "the code you were given")],
        &[],
    ),
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
    fn values_arrive_typed() {
        let ctx = ParseContext {
            now: chrono::Utc::now(),
            tz: chrono_tz::UTC,
            horizon: chrono::Duration::days(1),
            lang: crate::kernel::Lang::En,
        };
        let roots: Vec<&CommandSpec> = COMMANDS.iter().collect();
        let inv = parse(&roots, "/role grant @carol manager", &ctx).expect("parses");
        assert_eq!(
            DirectoryCommand::try_from(&inv),
            Ok(DirectoryCommand::RoleGrant { person: "carol".into(), role: Role::Manager })
        );
    }
}
