//! The languages Deskmate speaks, as people and messengers name them.

use super::named::named_enum;

named_enum! {
    /// A language every sentence is written in (each feature's catalogs hold both).
    pub enum Lang {
        En => "en",
        ZhCn => "zh-CN",
    }
}

impl Lang {
    /// A language tag as a messenger or a person gives it (`en-GB`, `zh-hans`, `zh_CN`,
    /// `zh-TW`…) read as the nearest language Deskmate speaks; `None` for the others.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-").to_lowercase();
        let primary = tag.split('-').next().unwrap_or_default();
        match primary {
            "en" => Some(Lang::En),
            // Simplified Chinese is what Deskmate writes; a reader of Traditional reads
            // it better than English.
            "zh" | "cmn" => Some(Lang::ZhCn),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_as_messengers_send_them() {
        for (tag, lang) in [
            ("en", Some(Lang::En)),
            ("en-GB", Some(Lang::En)),
            ("zh-CN", Some(Lang::ZhCn)),
            ("zh-hans", Some(Lang::ZhCn)),
            ("zh_CN", Some(Lang::ZhCn)),
            ("zh", Some(Lang::ZhCn)),
            ("ZH-tw", Some(Lang::ZhCn)),
            ("de", None),
            ("", None),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag}");
        }
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::ZhCn));
    }
}
