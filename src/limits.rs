//! What Deskmate accepts from people, in one place: how long each kind of free text may
//! be, how many people one message may mention, and which characters are dropped before
//! anything is read or stored. Features check their free text here, so every limit has
//! the same kind of error and both databases store the same thing.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::chat::text;
use crate::i18n::{Catalog, Lang};
use crate::kernel::ServiceError;

/// A kind of free text and the most characters it may have.
pub struct TextLimit {
    /// What the text is, as the error names it: a message of `catalog` (`limit-title`:
    /// "title", "标题").
    pub what: &'static str,
    pub catalog: &'static LazyLock<Catalog>,
    pub max: usize,
}

pub static ANSWER: TextLimit = TextLimit { what: "limit-answer", catalog: &text::CATALOG, max: 2000 };
/// A whole message, whatever command it carries: nothing longer is read at all.
pub static MESSAGE: TextLimit = TextLimit { what: "limit-message", catalog: &text::CATALOG, max: 8000 };

/// The most people one message may mention.
pub const MAX_MENTIONS: usize = 20;
/// Files one message may carry.
pub const MAX_FILES: usize = 10;

/// Names the platforms report (display names, handles) are cut to this many characters.
pub const MAX_NAME: usize = 128;

impl TextLimit {
    /// The text, trimmed, or a refusal in `lang` that names the limit and how far over it is.
    pub fn check<'a>(&self, lang: Lang, text: &'a str) -> Result<&'a str, ServiceError> {
        let text = text.trim();
        let len = text.chars().count();
        if len > self.max {
            let what = self.catalog.text(lang, self.what, &[]);
            return Err(ServiceError::User(text::too_long(lang, &what, len, self.max)));
        }
        Ok(text)
    }
}

/// Drops control characters (NUL, escape sequences, bidi-free C0/C1 controls) except
/// line breaks and tabs. PostgreSQL refuses NUL in text and SQLite keeps it; neither is
/// something a person meant to type.
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t') {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect())
    }
}

/// A platform-given name, cleaned, on one line and cut to [`MAX_NAME`] characters.
pub fn clean_name(name: &str) -> String {
    clean(name).chars().map(|c| if c.is_whitespace() { ' ' } else { c }).take(MAX_NAME).collect()
}

/// How many `@name` words a text carries.
pub fn mention_words(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.len() > 1 && w.starts_with('@')).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_but_lines_kept() {
        assert_eq!(clean("Printer\0 jam\u{1b}[31m"), "Printer jam[31m");
        assert_eq!(clean("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(clean("\u{85}next\u{7f}"), "next");
        assert_eq!(clean_name("Eve\nAdmin\0"), "Eve Admin");
        assert_eq!(clean_name(&"x".repeat(500)).chars().count(), MAX_NAME);
    }

    #[test]
    fn limits_name_themselves() {
        assert_eq!(ANSWER.check(Lang::En, "  ok  ").ok(), Some("ok"));
        match ANSWER.check(Lang::En, &"a".repeat(2001)) {
            Err(ServiceError::User(m)) => {
                assert_eq!(m, "The answer is 2001 characters long; at most 2000 are allowed. Nothing was changed.")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match ANSWER.check(Lang::ZhCn, &"长".repeat(2001)) {
            Err(ServiceError::User(m)) => assert_eq!(m, "回答有 2001 个字，最多 2000 个。没有做任何更改。"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn mentions_are_counted() {
        assert_eq!(mention_words("/role grant @bob agent @ carol@x @@"), 2);
    }
}
