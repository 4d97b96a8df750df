//! What delivery itself says (`i18n/en.ftl`, `i18n/zh-CN.ftl`): a person it cannot
//! reach, a message it gave up on.

use std::sync::LazyLock;

use crate::i18n::{Catalog, Lang};

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("delivery", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

/// Said once in a group when a direct message to someone bounced.
pub fn direct_unreachable(lang: Lang, account: &deskmate_port::Account) -> String {
    let name = account.handle.as_ref().map_or_else(|| account.display_name.clone(), |h| format!("@{h}"));
    CATALOG.text(lang, "direct-unreachable", &[("name", name.into()), ("platform", account.platform.as_str().into())])
}

pub fn dead_letter(lang: Lang, platform: deskmate_port::Platform, lane: &str, text: &str, error: &str) -> String {
    let preview: String = text.chars().take(120).collect();
    CATALOG.text(
        lang,
        "dead-letter",
        &[
            ("platform", platform.as_str().into()),
            ("lane", lane.into()),
            ("error", error.into()),
            ("preview", preview.into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use deskmate_port::{Account, Platform};

    use super::*;

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(&CATALOG, &[include_str!("text.rs")]);
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let account = Account {
            platform: Platform::Telegram,
            id: "7".into(),
            handle: Some("bob".into()),
            display_name: "Bob".into(),
        };
        assert_eq!(
            direct_unreachable(Lang::En, &account),
            "@bob, I have messages for you but cannot write to you privately. Please open a private chat with me and \
             press Start; they will follow."
        );
        assert_eq!(
            direct_unreachable(Lang::ZhCn, &account),
            "@bob，我有消息要发给你，但无法私信你。请和我开启私聊并点击“开始”（Start），之后消息会陆续送达。"
        );
        for lang in Lang::ALL {
            let text = dead_letter(lang, Platform::Discord, "dm:7", "hello", "403 Forbidden");
            assert!(text.contains("dm:7") && text.contains("hello") && text.contains("403 Forbidden"), "{text}");
        }
    }
}
