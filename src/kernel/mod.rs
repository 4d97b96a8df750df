//! What every part of Deskmate shares and no feature owns: the clock, the effects a
//! feature decides on, the subjects notices are filed under, and how failures are
//! reported. It names no feature and no adapter.

pub mod clock;
mod effect;
pub mod report;
mod subject;

pub use effect::{Effect, Outcome};
pub use subject::Subject;
