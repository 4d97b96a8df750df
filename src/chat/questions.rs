//! Questions: any feature asks a person something with one call, and the free-text answer
//! runs the feature's action as whoever answers, checked again. Telegram shows a
//! ForceReply, Discord a modal, the console takes `/answer`. A question expires, and is
//! answered once.

use chrono::Duration;
use deskmate_port::{Body, MessageRef};

use super::feature::{Answer, Cx, Registry};
use super::router::{Files, fetched};
use super::{button, text};
use crate::kernel::{Actor, Effect, PersonId, ServiceResult, refuse};
use crate::limits;
use crate::store::Store;

/// Asks `person` `question`; the answer runs `action` (a button-form id of the asking
/// feature's namespace, `tk:resolve:12`) through that feature's `answer`. The returned
/// effect carries the question: a private reply when the person is the one acting, a
/// direct message otherwise.
pub async fn ask(
    cx: &mut Cx<'_>,
    person: PersonId,
    question: String,
    action: &str,
    lifetime: Duration,
) -> ServiceResult<Effect> {
    put(cx, person, question, action, false, lifetime).await
}

/// Like [`ask`], for a question a file answers (a reply carrying a document, where the
/// platform lets one come with an answer); text answers it too.
pub async fn ask_for_file(
    cx: &mut Cx<'_>,
    person: PersonId,
    question: String,
    action: &str,
    lifetime: Duration,
) -> ServiceResult<Effect> {
    put(cx, person, question, action, true, lifetime).await
}

async fn put(
    cx: &mut Cx<'_>,
    person: PersonId,
    question: String,
    action: &str,
    takes_files: bool,
    lifetime: Duration,
) -> ServiceResult<Effect> {
    let at = cx.actor.at;
    let id = cx.tx.create_prompt(person, action, takes_files, at, at + lifetime).await?;
    let body = Body { text: question, prompt: Some(id.to_string()), ..Body::default() };
    Ok(if person == cx.actor.person.id {
        Effect::Reply { body: body.into(), private: true }
    } else {
        Effect::Direct { person, body: body.into(), subject: None }
    })
}

/// What a piece of free text is.
pub enum Addressed {
    /// An answer to this question (`None`: to one that does not exist).
    Question(Option<i64>),
    /// A reply to some other message of the bot's: chat, not an answer; what that
    /// message was filed under (`ticket:12`), for the conversation on it.
    Chat(Vec<String>),
}

/// Which question a piece of free text answers: by its key (a submitted form), or by the
/// message it replies to.
pub async fn addressed(
    store: &Store,
    prompt: Option<&str>,
    replied_to: Option<&MessageRef>,
) -> ServiceResult<Addressed> {
    Ok(match (prompt, replied_to) {
        (Some(key), _) => Addressed::Question(key.parse::<i64>().ok()),
        (None, Some(message)) => {
            let filed = store.filed_under(message).await?;
            match filed.iter().find_map(|s| s.strip_prefix("prompt:").and_then(|id| id.parse().ok())) {
                Some(id) => Addressed::Question(Some(id)),
                None => Addressed::Chat(filed),
            }
        }
        (None, None) => Addressed::Question(None),
    })
}

/// Answers question `id` as `actor`: only the person asked, before it expires, once; then
/// the asking feature's action runs with the answer.
pub async fn answer(registry: &Registry, cx: &mut Cx<'_>, id: Option<i64>, said: &str, files: Files) -> ServiceResult {
    let actor: &Actor = cx.actor;
    let Some(prompt) = (match id {
        Some(id) => cx.tx.prompt(id).await?,
        None => None,
    }) else {
        return refuse(text::prompt_unknown(actor.lang));
    };
    if prompt.person != actor.person.id {
        let name = cx.kit.store.person(prompt.person).await?.map(|p| p.display_name).unwrap_or_default();
        return refuse(text::prompt_not_yours(actor.lang, &name));
    }
    if prompt.answered {
        return refuse(text::prompt_answered(actor.lang));
    }
    if prompt.expires_at < actor.at {
        return refuse(text::prompt_expired(actor.lang));
    }
    if !files.is_empty() && !prompt.takes_files {
        return refuse(text::prompt_takes_no_file(actor.lang));
    }
    let files = fetched(files, actor.lang)?;
    let answer = Answer { text: limits::ANSWER.check(actor.lang, said)?, files: &files };
    if answer.text.is_empty() && answer.files.is_empty() {
        return refuse(text::prompt_empty(actor.lang));
    }
    let Some((feature, action)) =
        button::decode(&prompt.action).and_then(|a| Some((registry.for_namespace(&a.namespace)?.clone(), a)))
    else {
        tracing::error!(action = %prompt.action, "a stored question with an unknown action");
        return refuse(text::prompt_unknown(actor.lang));
    };
    // Two answers racing: the second finds it answered.
    if !cx.tx.answer_prompt(prompt.id, actor.at).await? {
        return refuse(text::prompt_answered(actor.lang));
    }
    tracing::Span::current().record("feature", feature.name());
    feature.answer(cx, &action, &answer).await
}
