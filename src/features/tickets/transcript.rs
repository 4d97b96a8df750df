//! Transcripts: a ticket's public conversation as one HTML page that reads offline (no
//! scripts, no outside styles or fonts). One is made and kept when the ticket closes,
//! sent with the news of its closing and into its thread, and fetched again with
//! `/ticket transcript <id>`. Internal notes are never in it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Attachment;

use super::model::{Ticket, TicketId, TicketMessage, TicketStatus};
use super::service::visible;
use super::text;
use crate::chat::feature::{Cx, Kit};
use crate::kernel::{Effect, Lang, ServiceResult, Shown, refuse};
use crate::store::Tx;

/// Makes and keeps the transcript of a ticket that has just closed, in its requester's
/// language and zone; returns it as a file.
pub async fn keep(tx: &mut Tx, kit: &Kit, ticket: &Ticket) -> ServiceResult<Attachment> {
    let requester = kit.store.person(ticket.requester.id).await?;
    let lang = requester.as_ref().and_then(|p| p.lang).unwrap_or(kit.default_lang);
    let tz = requester.as_ref().and_then(|p| p.tz).unwrap_or(kit.default_tz);
    let messages = tx.public_messages(ticket.id).await?;
    let at = kit.clock.now();
    let page = html(lang, ticket, &messages, (at, tz));
    tx.keep_transcript(ticket.id, &page, at).await?;
    Ok(file(ticket.id, page))
}

/// What the team reads in the ticket's thread when it closes: the transcript.
pub fn in_thread(ticket: &Ticket, file: Attachment) -> Effect {
    let id = ticket.id;
    let body = Shown::per_reader(move |r| deskmate_port::Body {
        text: text::transcript_attached(r.lang, id),
        files: vec![file.clone()],
        ..deskmate_port::Body::default()
    });
    Effect::Follow { subject: ticket.subject(), body }
}

/// `/ticket transcript <id>`: the kept one; for a ticket still open, its conversation so
/// far (not kept). Whoever may read the ticket may have it.
pub async fn fetch(cx: &mut Cx<'_>, id: TicketId) -> ServiceResult {
    let actor = cx.actor;
    let ticket = visible(cx.kit, actor, id).await?;
    let (page, note) = match cx.kit.store.transcript(id).await? {
        Some(page) => (page, text::transcript_kept(actor.lang, id)),
        None if ticket.status == TicketStatus::Closed => return refuse(text::transcript_missing(actor.lang, id)),
        None => {
            let messages = cx.kit.store.ticket_messages(id, false).await?;
            (html(actor.lang, &ticket, &messages, (actor.at, actor.tz)), text::transcript_so_far(actor.lang, id))
        }
    };
    let body = deskmate_port::Body { text: note, files: vec![file(id, page)], ..deskmate_port::Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

fn file(id: TicketId, page: String) -> Attachment {
    Attachment { name: format!("ticket-{id}-transcript.html"), mime: "text/html".to_owned(), bytes: page.into_bytes() }
}

/// The page: the ticket's particulars, then each public message with who wrote it and
/// when, in `tz`.
pub fn html(lang: Lang, t: &Ticket, messages: &[TicketMessage], (made, tz): (DateTime<Utc>, Tz)) -> String {
    let when = |at: DateTime<Utc>| escape(&crate::i18n::stamp(lang, at, tz));
    let title = escape(&text::transcript_title(lang, t.id, &t.title));
    let mut facts = vec![
        (text::label(lang, "transcript-requester"), escape(&t.requester.name)),
        (text::label(lang, "transcript-agent"), escape(t.assignee.as_ref().map_or("—", |a| a.name.as_str()))),
        (text::label(lang, "transcript-opened"), when(t.created_at)),
    ];
    if let Some(closed) = t.closed_at {
        facts.push((text::label(lang, "transcript-closed"), when(closed)));
    }
    if let Some(resolution) = &t.resolution {
        facts.push((text::label(lang, "transcript-resolution"), escape(resolution)));
    }
    let facts: String =
        facts.iter().map(|(k, v)| format!("<dt>{}</dt><dd>{v}</dd>\n", escape(k))).collect::<Vec<_>>().join("");
    let said: String = if messages.is_empty() {
        format!("<p class=\"none\">{}</p>\n", escape(&text::label(lang, "transcript-empty")))
    } else {
        messages
            .iter()
            .filter(|m| !m.internal)
            .map(|m| {
                format!(
                    "<article><header><b>{}</b> <time>{}</time></header><p>{}</p></article>\n",
                    escape(&m.author.name),
                    when(m.at),
                    escape(&m.body).replace('\n', "<br>")
                )
            })
            .collect()
    };
    let lang_tag = lang.as_str();
    let footer = escape(&text::transcript_footer(lang, &crate::i18n::stamp(lang, made, tz), tz.name()));
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang_tag}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222}}dt{{font-weight:bold;float:left;clear:left;width:9em}}dd{{margin:0 0 .3em 10em}}article{{border-top:1px solid #ddd;padding:.5em 0}}time{{color:#777;font-size:.9em}}footer{{color:#777;font-size:.85em;margin-top:2em}}</style>
</head>
<body>
<h1>{title}</h1>
<dl>
{facts}</dl>
<section>
{said}</section>
<footer>{footer}</footer>
</body>
</html>
"#
    )
}

/// Text as HTML: `&`, `<`, `>` and quotes escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn what_people_wrote_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
