//! `/help` and usage lines, rendered from the registry in the reader's language.

use super::registry::{ArgKind, ArgSpec, CommandSpec, OptSpec, find};
use super::text::CommandText;
use crate::chat::text::CATALOG;
use crate::i18n::Lang;
use crate::kernel::Role;

/// The usage line(s) for a command path: one line per runnable (sub)command under it.
pub fn usage(roots: &[&CommandSpec], lang: Lang, path: &[&str]) -> String {
    let Some(spec) = resolve(roots, path) else {
        return String::new();
    };
    let prefix: Vec<&str> = path[..path.len().saturating_sub(1)].to_vec();
    let mut lines = Vec::new();
    push_usage(&mut lines, lang, &prefix, spec);
    lines.into_iter().map(|(_, line)| line).collect::<Vec<_>>().join("\n")
}

fn resolve<'a>(roots: &[&'a CommandSpec], path: &[&str]) -> Option<&'a CommandSpec> {
    let (first, rest) = path.split_first()?;
    let mut spec = find(roots.iter().copied(), first)?;
    for name in rest {
        spec = find(spec.subcommands, name)?;
    }
    Some(spec)
}

/// Each runnable command under `spec` with its path and usage line.
fn push_usage<'a>(lines: &mut Vec<(Vec<&'a str>, String)>, lang: Lang, prefix: &[&'a str], spec: &'a CommandSpec) {
    let mut path = prefix.to_vec();
    path.push(spec.name);
    if spec.subcommands.is_empty() {
        let mut line = format!("/{}", path.join(" "));
        for arg in spec.args {
            line.push(' ');
            line.push_str(&arg_usage(arg));
        }
        for opt in spec.options.iter().filter(|o| o.kind != ArgKind::File) {
            line.push_str(&format!(" [{}:{}]", opt.key, kind_hint(opt.key, opt.kind)));
        }
        if spec.takes_files() {
            line.push(' ');
            line.push_str(&CATALOG.text(lang, "usage-file", &[]));
        }
        lines.push((path, line));
    } else {
        for sub in spec.subcommands {
            push_usage(lines, lang, &path, sub);
        }
    }
}

fn arg_usage(arg: &ArgSpec) -> String {
    let inner = match arg.kind {
        ArgKind::Mention => format!("@{}", arg.name),
        ArgKind::Choice(choices) => choices.join("|"),
        ArgKind::Period => kind_hint(arg.name, arg.kind),
        _ => arg.name.to_owned(),
    };
    if arg.required { format!("<{inner}>") } else { format!("[{inner}]") }
}

/// What an option's value looks like: `status:open|closed`, `page:N`, `type:<type>`.
/// Syntax, the same in every language, like the command and option names.
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
        ArgKind::Period => "week|month|from..to".to_owned(),
        ArgKind::Word | ArgKind::Text => format!("<{key}>"),
        ArgKind::File => "file".to_owned(),
    }
}

/// The overview: every command with what it does.
pub fn command_list(roots: &[&CommandSpec], text: &CommandText, lang: Lang) -> String {
    let mut out = CATALOG.text(lang, "help-list", &[]);
    for spec in roots {
        let summary = text.summary(lang, &[spec.name]);
        out.push('\n');
        out.push_str(&CATALOG.text(
            lang,
            "help-entry",
            &[("usage", format!("/{}", spec.name).into()), ("help", summary.into())],
        ));
    }
    out
}

/// Everything about one command: usage, arguments and options. `None` when unknown.
pub fn command_help(roots: &[&CommandSpec], text: &CommandText, lang: Lang, name: &str) -> Option<String> {
    let name = name.strip_prefix('/').unwrap_or(name);
    let spec = find(roots.iter().copied(), name)?;
    let entry = |usage: String, help: String| {
        CATALOG.text(lang, "help-entry", &[("usage", usage.into()), ("help", help.into())])
    };
    let mut out = entry(format!("/{}", spec.name), text.summary(lang, &[spec.name]));
    let mut leaves = Vec::new();
    push_usage(&mut leaves, lang, &[], spec);
    for (path, line) in leaves {
        let Some(leaf) = resolve(roots, &path) else { continue };
        out.push_str("\n\n");
        out.push_str(&line);
        let for_role = |role: Role| CATALOG.text(lang, "help-for-role", &[("role", role.as_str().into())]);
        if !spec.subcommands.is_empty() {
            let summary = text.summary(lang, &path);
            let line = if leaf.role == Role::Staff {
                summary
            } else {
                CATALOG.text(
                    lang,
                    "help-summary-for-role",
                    &[("help", summary.into()), ("role", leaf.role.as_str().into())],
                )
            };
            out.push_str(&format!("\n  {line}"));
        } else if leaf.role != Role::Staff {
            out.push_str(&format!("\n  {}", for_role(leaf.role)));
        }
        for arg in leaf.args {
            out.push_str(&format!("\n  {}", entry(arg_usage(arg), text.help(lang, &path, arg.name))));
        }
        for OptSpec { key, kind } in leaf.options {
            let usage = format!("{key}:{}", kind_hint(key, *kind));
            out.push_str(&format!("\n  {}", entry(usage, text.help(lang, &path, key))));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines_come_from_the_declarations() {
        let registry = crate::features::registry();
        let roots = registry.commands();
        assert_eq!(
            usage(roots, Lang::En, &["ticket", "new"]),
            "/ticket new <title> [priority:low|normal|high|urgent] [category:<category>]"
        );
        assert_eq!(usage(roots, Lang::En, &["role", "grant"]), "/role grant <@person> <agent|manager|admin>");
        let all = usage(roots, Lang::En, &["ticket"]);
        assert!(all.lines().count() >= 5 && all.contains("/ticket claim <id>"), "{all}");
        let files = usage(roots, Lang::ZhCn, &["approval", "request"]);
        assert!(files.ends_with("[+ 附件]"), "{files}");
    }

    #[test]
    fn help_lists_every_command_and_explains_one_in_the_readers_language() {
        let registry = crate::features::registry();
        let (roots, text) = (registry.commands(), registry.command_text());
        let list = command_list(roots, text, Lang::En);
        for spec in roots {
            assert!(list.contains(&format!("\n/{} — ", spec.name)), "{list}");
        }
        let ticket = command_help(roots, text, Lang::En, "/ticket").expect("known");
        assert!(ticket.contains("\n  Take a ticket from the queue (agents)"), "{ticket}");
        assert!(ticket.contains("\n  priority:low|normal|high|urgent — how urgent (default normal)"), "{ticket}");
        assert!(command_help(roots, text, Lang::En, "nope").is_none());

        let list = command_list(roots, text, Lang::ZhCn);
        assert!(list.starts_with("命令列表"), "{list}");
        assert!(list.contains("\n/ticket — 提交和处理服务台工单"), "{list}");
        let ticket = command_help(roots, text, Lang::ZhCn, "ticket").expect("known");
        assert!(ticket.contains("\n  从队列中认领工单（仅限客服）"), "{ticket}");
        assert!(ticket.contains("\n  priority:low|normal|high|urgent — 紧急程度（默认 normal）"), "{ticket}");
    }
}
