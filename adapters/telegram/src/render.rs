//! Port bodies → Telegram message text (HTML) and inline keyboards.

use deskmate_port::{Body, Button};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Telegram's limit on a message's text, counted after entities are parsed.
pub const MAX_TEXT: usize = 4096;

/// Telegram's limit on a callback query answer (a toast).
pub const MAX_TOAST: usize = 200;

/// Escapes plain text for `parse_mode = HTML`: the core's text is never markup, so a
/// title like `<b>&Co_*[x]` shows exactly as typed.
pub fn html(text: &str) -> String {
    teloxide::utils::html::escape(text)
}

/// The text as it must go out: split into parts of at most [`MAX_TEXT`] characters,
/// each escaped. Splits fall on line breaks where possible, else on spaces.
pub fn parts(text: &str) -> Vec<String> {
    split(text, MAX_TEXT).iter().map(|p| html(p)).collect()
}

/// One part only, for edits (a message cannot grow into two): cut with an ellipsis.
pub fn single(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return html(text);
    }
    let cut: String = text.chars().take(MAX_TEXT - 1).collect();
    html(&format!("{cut}…"))
}

fn split(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.chars().count() > limit {
        let hard = rest.char_indices().nth(limit).map_or(rest.len(), |(i, _)| i);
        let window = &rest[..hard];
        let at = window.rfind('\n').or_else(|| window.rfind(' ')).filter(|i| *i > 0).unwrap_or(hard);
        out.push(rest[..at].to_owned());
        rest = rest[at..].strip_prefix(['\n', ' ']).unwrap_or(&rest[at..]);
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// A row of inline buttons, at most three a row. Ids longer than callback data allows
/// are left out (the core keeps them short; this keeps a bug from failing the send).
pub fn keyboard(buttons: &[Button]) -> Option<InlineKeyboardMarkup> {
    let usable: Vec<InlineKeyboardButton> = buttons
        .iter()
        .filter(|b| {
            let fits = b.id.len() <= deskmate_port::MAX_BUTTON_ID_LEN;
            if !fits {
                tracing::error!(id = %b.id, "button id longer than 64 bytes; left out");
            }
            fits
        })
        .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.id.clone()))
        .collect();
    if usable.is_empty() {
        return None;
    }
    Some(InlineKeyboardMarkup::new(usable.chunks(3).map(<[InlineKeyboardButton]>::to_vec)))
}

/// Whether a body has anything to show.
pub fn is_empty(body: &Body) -> bool {
    body.is_empty() && body.buttons.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(html("<b>&Co_*[x]"), "&lt;b&gt;&amp;Co_*[x]");
    }

    #[test]
    fn long_text_splits_on_lines_and_keeps_everything() {
        let line = "x".repeat(100);
        let text = vec![line.clone(); 100].join("\n");
        let parts = split(&text, MAX_TEXT);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_TEXT));
        assert_eq!(parts.join("\n"), text);
    }

    #[test]
    fn a_long_word_is_cut_hard() {
        let text = "é".repeat(MAX_TEXT * 2 + 5);
        let parts = split(&text, MAX_TEXT);
        assert_eq!(parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(), vec![MAX_TEXT, MAX_TEXT, 5]);
    }

    #[test]
    fn edits_are_cut_not_split() {
        let text = "y".repeat(MAX_TEXT + 10);
        assert_eq!(single(&text).chars().count(), MAX_TEXT);
    }
}
