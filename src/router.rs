//! Inbound events → parsed command or button action → service → effects delivered.
//! One tracing span per event, carrying platform, channel, user and command.

use std::sync::Arc;

use async_trait::async_trait;
use chrono_tz::Tz;
use deskmate_port::{EventKind, Inbound, InboundEvent};
use rand::Rng;
use tracing::Instrument;

use crate::buttons::ButtonAction;
use crate::clock::Clock;
use crate::commands::{self, Invocation, ParseContext, ParseError};
use crate::delivery::{Delivery, Origin};
use crate::domain::{Priority, Role};
use crate::replies;
use crate::services::{
    Actor, Directory, Effect, ListScope, Outcome, ServiceError, ServiceResult, Tickets,
};

#[derive(Clone)]
pub struct Router {
    directory: Directory,
    tickets: Tickets,
    delivery: Delivery,
    clock: Arc<dyn Clock>,
    default_tz: Tz,
}

#[async_trait]
impl Inbound for Router {
    async fn handle(&self, event: InboundEvent) {
        let span = tracing::info_span!(
            "event",
            platform = %event.platform,
            channel = %event.channel.id,
            user = %event.author.id,
            command = tracing::field::Empty,
        );
        async {
            let origin = Origin {
                channel: event.channel.clone(),
                reply_handle: event.reply_handle.clone(),
            };
            let effects = self.process(event).await;
            self.delivery.deliver(&origin, effects).await;
        }
        .instrument(span)
        .await
    }
}

impl Router {
    pub fn new(
        directory: Directory,
        tickets: Tickets,
        delivery: Delivery,
        clock: Arc<dyn Clock>,
        default_tz: Tz,
    ) -> Self {
        Router {
            directory,
            tickets,
            delivery,
            clock,
            default_tz,
        }
    }

    /// Runs one event to its effects, committing its changes. Never fails: refusals and
    /// errors become replies.
    pub async fn process(&self, event: InboundEvent) -> Outcome {
        let private = matches!(event.kind, EventKind::Button { .. });
        match self.run(event).await {
            Ok(effects) => effects,
            Err(ServiceError::User(message)) => vec![Effect::Reply {
                body: deskmate_port::Body::text(message),
                private,
            }],
            Err(ServiceError::Store(e)) => {
                let reference = format!("{:06x}", rand::rng().random_range(0..0x100_0000));
                tracing::error!(reference, error = %error_chain(&e), "command failed");
                vec![Effect::Reply {
                    body: deskmate_port::Body::text(replies::internal_error(&reference)),
                    private: true,
                }]
            }
        }
    }

    async fn run(&self, event: InboundEvent) -> ServiceResult {
        let now = self.clock.now();
        let person = self.directory.person_for(&event.author, now).await?;
        // People mentioned by a platform that knows them are registered too, so an admin
        // can grant a role to someone who has not spoken yet.
        for mentioned in &event.mentions {
            self.directory.person_for(mentioned, now).await?;
        }
        let tz = person.tz.unwrap_or(self.default_tz);
        let actor = Actor {
            person,
            platform: event.platform,
            at: now,
            tz,
        };
        match event.kind {
            EventKind::Command { text } => {
                let invocation = match commands::parse(&text, &ParseContext { now, tz }) {
                    Ok(inv) => inv,
                    Err(ParseError::Empty) => {
                        return Err(ServiceError::User(replies::not_a_command()));
                    }
                    Err(ParseError::UnknownCommand { name, suggestion }) => {
                        return Err(ServiceError::User(replies::unknown_command(
                            &name, suggestion,
                        )));
                    }
                    Err(ParseError::Usage { path, problem }) => {
                        tracing::Span::current().record("command", path.join(" "));
                        return Err(ServiceError::User(replies::usage_error(&problem, &path)));
                    }
                };
                tracing::Span::current().record("command", invocation.full_name());
                if !actor.is(invocation.spec.role) {
                    return Err(ServiceError::User(replies::needs_role(
                        invocation.spec.role,
                        &invocation.full_name(),
                    )));
                }
                self.dispatch(&actor, &invocation).await
            }
            EventKind::Button { button_id, .. } => {
                let Some(action) = ButtonAction::decode(&button_id) else {
                    return Err(ServiceError::User(replies::stale_button()));
                };
                tracing::Span::current().record("command", format!("button {button_id}"));
                let effects = match action {
                    ButtonAction::ClaimTicket(id) => self.tickets.claim(&actor, id).await?,
                };
                // A press is answered privately (a toast); the notice edit shows everyone.
                Ok(effects
                    .into_iter()
                    .map(|e| match e {
                        Effect::Reply { body, .. } => Effect::Reply {
                            body,
                            private: true,
                        },
                        other => other,
                    })
                    .collect())
            }
        }
    }

    async fn dispatch(&self, actor: &Actor, inv: &Invocation) -> ServiceResult {
        // The parser has checked presence and types against the registry, so a missing
        // value here means the registry and this match disagree.
        let missing = |name: &str| {
            ServiceError::User(replies::usage_error(
                &format!("<{name}> is missing"),
                &inv.path,
            ))
        };
        let text = |name: &'static str| inv.text(name).ok_or_else(|| missing(name));
        let mention = |name: &'static str| inv.mention(name).ok_or_else(|| missing(name));
        let ticket = |name: &'static str| inv.ticket(name).ok_or_else(|| missing(name));
        let role = |name: &'static str| {
            text(name).and_then(|r| r.parse::<Role>().map_err(|_| missing(name)))
        };

        match inv.path.as_slice() {
            ["help"] => Ok(vec![Effect::reply(match inv.text("command") {
                None => commands::command_list(),
                Some(name) => commands::command_help(name).unwrap_or_else(|| {
                    let suggestion = commands::COMMANDS
                        .iter()
                        .map(|c| c.name)
                        .find(|c| c.starts_with(name));
                    replies::unknown_command(name.trim_start_matches('/'), suggestion)
                }),
            })]),
            ["ticket", "new"] => {
                let priority = inv
                    .text("priority")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(Priority::Normal);
                self.tickets.open(actor, text("title")?, priority).await
            }
            ["ticket", "list"] => {
                let scope = match inv.text("status") {
                    Some("open") => ListScope::Open,
                    Some("claimed") => ListScope::Claimed,
                    Some("closed") => ListScope::Closed,
                    Some("all") => ListScope::All,
                    _ => ListScope::Active,
                };
                self.tickets
                    .list(actor, scope, inv.text("mine") == Some("yes"))
                    .await
            }
            ["ticket", "show"] => self.tickets.show(actor, ticket("id")?).await,
            ["ticket", "claim"] => self.tickets.claim(actor, ticket("id")?).await,
            ["ticket", "close"] => {
                self.tickets
                    .close(actor, ticket("id")?, inv.text("resolution"))
                    .await
            }
            ["whoami"] => self.directory.whoami(actor).await,
            ["role", "grant"] => {
                self.directory
                    .grant(actor, mention("person")?, role("role")?)
                    .await
            }
            ["role", "revoke"] => {
                self.directory
                    .revoke(actor, mention("person")?, role("role")?)
                    .await
            }
            ["dept", "create"] => self.directory.create_department(actor, text("name")?).await,
            ["dept", "add"] => {
                self.directory
                    .add_to_department(actor, text("name")?, mention("person")?)
                    .await
            }
            ["dept", "set-manager"] => {
                self.directory
                    .set_manager(actor, text("name")?, mention("person")?)
                    .await
            }
            ["dept", "list"] => self.directory.list_departments().await,
            ["tz", "set"] => {
                let zone = inv.zone("zone").ok_or_else(|| missing("zone"))?;
                self.directory.set_time_zone(actor, zone).await
            }
            ["link"] => self.directory.link(actor, inv.text("code")).await,
            other => {
                tracing::error!(command = ?other, "command declared but not routed");
                Err(ServiceError::User(replies::unknown_command(
                    &other.join(" "),
                    None,
                )))
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
