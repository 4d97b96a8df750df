//! Port bodies → Discord message JSON: escaped markdown, no pings, buttons as components.

use deskmate_port::{Body, ButtonStyle};
use serde_json::{Value, json};

/// Discord's limit on a message's content.
pub const MAX_CONTENT: usize = 2000;

/// Message flag: only the person who acted sees it.
pub const EPHEMERAL: u64 = 1 << 6;

/// Plain text as Discord shows it literally: markdown characters are escaped, and
/// mention syntax is broken with a zero-width space so nothing pings even where
/// `allowed_mentions` would let it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        // Headings, quotes and lists only start a line.
        if body.starts_with(['#', '>', '-']) {
            out.push('\\');
        }
        for c in body.chars() {
            if matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.replace("@everyone", "@\u{200B}everyone").replace("@here", "@\u{200B}here").replace("<@", "<\u{200B}@")
}

/// The text in parts of at most [`MAX_CONTENT`] characters, escaped; splits fall on line
/// breaks where possible. Escaping can lengthen a part, so the budget is checked after it.
pub fn parts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        for piece in chunks(line, MAX_CONTENT / 2) {
            let escaped = escape(&piece);
            if current.chars().count() + escaped.chars().count() > MAX_CONTENT && !current.is_empty() {
                out.push(std::mem::take(&mut current).trim_end_matches('\n').to_owned());
            }
            current.push_str(&escaped);
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current.trim_end_matches('\n').to_owned());
    }
    out
}

/// Pieces of a line short enough that, even fully escaped, they fit a message.
fn chunks(line: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    chars.chunks(max).map(|c| c.iter().collect()).collect()
}

/// A notice (a message about a subject with a conversation of its own, such as a
/// ticket) as an embed: the first line is its title, the rest its description.
pub fn card(body: &Body) -> Option<Value> {
    body.thread.as_ref()?;
    let (title, rest) = body.text.split_once('\n').unwrap_or((&body.text, ""));
    Some(json!({
        "title": truncate(&escape(title), 256),
        "description": truncate(&escape(rest), 4096),
        "color": 0x0058_65F2,
    }))
}

/// Buttons as action rows (five to a row, five rows at most).
pub fn components(body: &Body) -> Value {
    let buttons: Vec<Value> = body
        .buttons
        .iter()
        .filter(|b| b.id.len() <= 100)
        .map(|b| {
            let style = match b.style {
                ButtonStyle::Primary => 1,
                ButtonStyle::Secondary => 2,
                ButtonStyle::Danger => 4,
            };
            json!({ "type": 2, "style": style, "label": truncate(&b.label, 80), "custom_id": b.id })
        })
        .collect();
    Value::Array(buttons.chunks(5).take(5).map(|row| json!({ "type": 1, "components": row })).collect())
}

/// Nobody is pinged by what Deskmate writes.
pub fn no_pings() -> Value {
    json!({ "parse": [] })
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max { text.to_owned() } else { text.chars().take(max - 1).chain(['…']).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_mentions_are_inert() {
        assert_eq!(escape("*bold* _it_ `code` [x](y)"), "\\*bold\\* \\_it\\_ \\`code\\` \\[x\\](y)");
        assert_eq!(escape("# not a heading\n> nor a quote"), "\\# not a heading\n\\> nor a quote");
        let pinged = escape("hey @everyone and @here and <@123>");
        assert!(!pinged.contains("@everyone") && !pinged.contains("@here") && !pinged.contains("<@1"));
    }

    #[test]
    fn notices_are_cards_and_replies_are_not() {
        let mut body = Body::text("Ticket #1 · *x*\nPriority: high");
        assert!(card(&body).is_none());
        body.thread = Some("Ticket #1".into());
        let card = card(&body).expect("a card");
        assert_eq!(card["title"], "Ticket #1 · \\*x\\*");
        assert_eq!(card["description"], "Priority: high");
    }

    #[test]
    fn long_text_splits_within_the_limit_and_keeps_everything() {
        let text = vec!["word ".repeat(50); 30].join("\n");
        let parts = parts(&text);
        assert!(parts.len() >= 4);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_CONTENT));
        assert_eq!(parts.join("\n").replace('\n', ""), text.replace('\n', ""));
        let stars = "*".repeat(3000);
        assert!(self::parts(&stars).iter().all(|p| p.chars().count() <= MAX_CONTENT));
    }
}
