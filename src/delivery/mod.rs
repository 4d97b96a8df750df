//! Getting messages out: the services' effects become outbox rows in the transaction
//! of the change that caused them ([`plan`]), and the [`Dispatcher`] sends them through
//! the messengers, in order per conversation, at each platform's pace, with retries.

mod dispatcher;
mod pacing;
mod plan;

pub use dispatcher::{Dispatcher, RetryPolicy};
pub use pacing::{Pacing, PacingConfig, PlatformLimits};
pub use plan::{Origin, Planner};
