//! Getting messages out: the features' effects become outbox rows in the transaction
//! of the change that caused them ([`plan`]), and the [`Dispatcher`] sends them through
//! the messengers, in order per conversation, at each platform's pace, with retries.

mod dispatcher;
mod pacing;
mod plan;
mod text;

pub use dispatcher::{Dispatcher, RetryPolicy, Summaries};
pub use pacing::{Pacing, PacingConfig, PlatformLimits};
pub use plan::{Origin, Planner, Readers};
