//! `/help` and usage lines, rendered from the registry.

use super::registry::{ArgKind, ArgSpec, CommandSpec, OptSpec, find};
use crate::kernel::Role;

/// The usage line(s) for a command path: one line per runnable (sub)command under it.
pub fn usage(roots: &[&CommandSpec], path: &[&str]) -> String {
    let Some(spec) = resolve(roots, path) else {
        return String::new();
    };
    let prefix = path[..path.len().saturating_sub(1)].join(" ");
    let mut lines = Vec::new();
    push_usage(&mut lines, &prefix, spec);
    lines.join("\n")
}

fn resolve<'a>(roots: &[&'a CommandSpec], path: &[&str]) -> Option<&'a CommandSpec> {
    let (first, rest) = path.split_first()?;
    let mut spec = find(roots.iter().copied(), first)?;
    for name in rest {
        spec = find(spec.subcommands, name)?;
    }
    Some(spec)
}

fn push_usage(lines: &mut Vec<String>, prefix: &str, spec: &CommandSpec) {
    let full = if prefix.is_empty() { spec.name.to_owned() } else { format!("{prefix} {}", spec.name) };
    if spec.subcommands.is_empty() {
        let mut line = format!("/{full}");
        for arg in spec.args {
            line.push(' ');
            line.push_str(&arg_usage(arg));
        }
        for opt in spec.options.iter().filter(|o| o.kind != ArgKind::File) {
            line.push_str(&format!(" [{}:{}]", opt.key, kind_hint(opt.key, opt.kind)));
        }
        if spec.takes_files() {
            line.push_str(" [+ attached file]");
        }
        lines.push(line);
    } else {
        for sub in spec.subcommands {
            push_usage(lines, &full, sub);
        }
    }
}

fn arg_usage(arg: &ArgSpec) -> String {
    let inner = match arg.kind {
        ArgKind::Mention => format!("@{}", arg.name),
        _ => arg.name.to_owned(),
    };
    let inner = match arg.kind {
        ArgKind::Choice(choices) => choices.join("|"),
        _ => inner,
    };
    if arg.required { format!("<{inner}>") } else { format!("[{inner}]") }
}

/// What an option's value looks like: `status:open|closed`, `page:N`, `type:<type>`.
fn kind_hint(key: &str, kind: ArgKind) -> String {
    match kind {
        ArgKind::Choice(choices) => choices.join("|"),
        ArgKind::DateTime => "when".to_owned(),
        // A number something suggests is the id of a thing; any other is a count.
        ArgKind::Number { suggest: "", .. } => "N".to_owned(),
        ArgKind::Number { .. } => "#id".to_owned(),
        ArgKind::Mention => "@who".to_owned(),
        ArgKind::TimeZone => "zone".to_owned(),
        ArgKind::Duration => "30m|1h".to_owned(),
        ArgKind::Word | ArgKind::Text => format!("<{key}>"),
        ArgKind::File => "file".to_owned(),
    }
}

fn role_note(role: Role) -> String {
    if role == Role::Staff { String::new() } else { format!(" ({role}s)") }
}

/// The overview: every command with its summary.
pub fn command_list(roots: &[&CommandSpec]) -> String {
    let mut out = String::from("Commands (/help <command> for details):");
    for spec in roots {
        out.push_str(&format!("\n/{} — {}", spec.name, spec.summary));
    }
    out
}

/// Everything about one command: usage, arguments and options. `None` when unknown.
pub fn command_help(roots: &[&CommandSpec], name: &str) -> Option<String> {
    let name = name.strip_prefix('/').unwrap_or(name);
    let spec = find(roots.iter().copied(), name)?;
    let mut out = format!("/{} — {}", spec.name, spec.summary);
    let leaves: Vec<(String, &CommandSpec)> = if spec.subcommands.is_empty() {
        vec![(spec.name.to_owned(), spec)]
    } else {
        spec.subcommands.iter().map(|s| (format!("{} {}", spec.name, s.name), s)).collect()
    };
    for (full, leaf) in leaves {
        let mut lines = Vec::new();
        let prefix = full.rsplit_once(' ').map_or("", |(p, _)| p);
        push_usage(&mut lines, prefix, leaf);
        out.push_str(&format!("\n\n{}", lines.join("\n")));
        if !spec.subcommands.is_empty() {
            out.push_str(&format!("\n  {}{}", leaf.summary, role_note(leaf.role)));
        } else if leaf.role != Role::Staff {
            out.push_str(&format!("\n  for{}", role_note(leaf.role)));
        }
        for arg in leaf.args {
            out.push_str(&format!("\n  {} — {}", arg_usage(arg), arg.help));
        }
        for OptSpec { key, kind, help } in leaf.options {
            out.push_str(&format!("\n  {key}:{} — {help}", kind_hint(key, *kind)));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Vec<&'static CommandSpec> {
        crate::features::all_commands()
    }

    #[test]
    fn usage_lines_come_from_the_declarations() {
        assert_eq!(usage(&roots(), &["ticket", "new"]), "/ticket new <title> [priority:low|normal|high|urgent]");
        assert_eq!(usage(&roots(), &["role", "grant"]), "/role grant <@person> <agent|manager|admin>");
        let all = usage(&roots(), &["ticket"]);
        assert!(all.lines().count() >= 5 && all.contains("/ticket claim <id>"), "{all}");
    }

    #[test]
    fn help_lists_every_command_and_explains_one() {
        let list = command_list(&roots());
        for spec in roots() {
            assert!(list.contains(&format!("/{}", spec.name)), "{list}");
        }
        let ticket = command_help(&roots(), "/ticket").expect("known");
        assert!(ticket.contains("Take a ticket from the queue (agents)"), "{ticket}");
        assert!(ticket.contains("priority:low|normal|high|urgent — how urgent"), "{ticket}");
        assert!(command_help(&roots(), "nope").is_none());
    }
}
