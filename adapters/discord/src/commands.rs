//! The core's command menu as Discord application commands (slash commands with typed
//! options, choices and autocomplete).

use deskmate_port::{MenuCommand, MenuOption, OptionKind, Translations};
use serde_json::{Value, json};
use serenity::all::{ResolvedOption, ResolvedValue};

// Discord's option types.
const SUB_COMMAND: u8 = 1;
const STRING: u8 = 3;
const USER: u8 = 6;
const ATTACHMENT: u8 = 11;

/// The bulk-overwrite body for `PUT /applications/{id}/commands`.
pub fn slash_commands(menu: &[MenuCommand]) -> Value {
    Value::Array(
        menu.iter()
            .map(|c| {
                let options: Vec<Value> = if c.subcommands.is_empty() {
                    options(&c.options)
                } else {
                    c.subcommands
                        .iter()
                        .map(|s| {
                            json!({
                                "type": SUB_COMMAND,
                                "name": s.name,
                                "description": description(&s.description),
                                "description_localizations": localizations(&s.translations),
                                "options": options(&s.options),
                            })
                        })
                        .collect()
                };
                json!({
                    "type": 1,
                    "name": c.name,
                    "description": description(&c.description),
                    "description_localizations": localizations(&c.translations),
                    "options": options,
                })
            })
            .collect(),
    )
}

/// Discord wants required options first.
fn options(declared: &[MenuOption]) -> Vec<Value> {
    let mut sorted: Vec<&MenuOption> = declared.iter().collect();
    sorted.sort_by_key(|o| !o.required);
    sorted
        .into_iter()
        .map(|o| {
            let mut option = json!({
                "name": o.name,
                "description": description(&o.description),
                "description_localizations": localizations(&o.translations),
                "required": o.required,
            });
            match &o.kind {
                OptionKind::Text => option["type"] = json!(STRING),
                OptionKind::User => option["type"] = json!(USER),
                OptionKind::Choice(choices) => {
                    option["type"] = json!(STRING);
                    option["choices"] = choices
                        .iter()
                        .map(|c| {
                            json!({
                                "name": description(&c.name),
                                "name_localizations": localizations(&c.translations),
                                "value": c.value,
                            })
                        })
                        .collect();
                }
                OptionKind::Suggested(_) => {
                    option["type"] = json!(STRING);
                    option["autocomplete"] = json!(true);
                }
                OptionKind::File => option["type"] = json!(ATTACHMENT),
            }
            option
        })
        .collect()
}

/// The locales Discord offers; a language tag stands for those it covers (`en` for
/// `en-US` and `en-GB`), names stay ASCII in every one.
const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
];

fn locales(tag: &str) -> Vec<&'static str> {
    if let Some(exact) = LOCALES.iter().find(|l| l.eq_ignore_ascii_case(tag)) {
        return vec![exact];
    }
    let primary = tag.split(['-', '_']).next().unwrap_or(tag);
    LOCALES.iter().copied().filter(|l| l.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case(primary))).collect()
}

fn localizations(translations: &Translations) -> Value {
    let mut out = serde_json::Map::new();
    for (tag, text) in translations {
        for locale in locales(tag) {
            out.insert(locale.to_owned(), json!(description(text)));
        }
    }
    Value::Object(out)
}

fn description(text: &str) -> String {
    let text = if text.trim().is_empty() { "—" } else { text };
    crate::render::truncate(text, 100)
}

/// What kind of suggestions the option being typed wants.
pub fn suggest_for(
    menu: &[MenuCommand],
    name: &str,
    options: &[ResolvedOption<'_>],
    focused: &str,
) -> Option<OptionKind> {
    let mut spec = menu.iter().find(|c| c.name == name)?;
    if let Some(ResolvedOption { name: sub, value: ResolvedValue::SubCommand(_), .. }) = options.first() {
        spec = spec.subcommands.iter().find(|c| c.name == *sub)?;
    }
    spec.options.iter().find(|o| o.name == focused).map(|o| o.kind.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use deskmate_port::Placement;

    #[test]
    fn options_are_typed_and_required_ones_come_first() {
        let menu = vec![MenuCommand {
            name: "ticket".into(),
            description: "Tickets".into(),
            translations: vec![("zh-CN".into(), "工单".into())],
            options: vec![],
            subcommands: vec![MenuCommand {
                name: "close".into(),
                description: "Close".into(),
                translations: vec![("en".into(), "Close it".into())],
                options: vec![
                    MenuOption {
                        name: "note".into(),
                        description: "why".into(),
                        translations: vec![],
                        kind: OptionKind::Text,
                        required: false,
                        placement: Placement::Rest,
                    },
                    MenuOption {
                        name: "id".into(),
                        description: "which".into(),
                        translations: vec![("zh-CN".into(), "哪一张".into())],
                        kind: OptionKind::Suggested("ticket".into()),
                        required: true,
                        placement: Placement::Positional,
                    },
                ],
                subcommands: vec![],
            }],
        }];
        let json = slash_commands(&menu);
        let close = &json[0]["options"][0];
        assert_eq!(close["type"], 1);
        assert_eq!(close["options"][0]["name"], "id");
        assert_eq!(close["options"][0]["autocomplete"], true);
        assert_eq!(close["options"][1]["required"], false);
        assert_eq!(json[0]["description_localizations"], json!({ "zh-CN": "工单" }));
        assert_eq!(close["description_localizations"], json!({ "en-GB": "Close it", "en-US": "Close it" }));
        assert_eq!(close["options"][0]["description_localizations"], json!({ "zh-CN": "哪一张" }));
    }
}
