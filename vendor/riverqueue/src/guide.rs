//! Guides for upgrading and running River in production.
//!
//! These pages contain no API items; they cover API upgrades and how River
//! behaves when deployed alongside other River implementations.

#[doc = include_str!("../docs/migrating-from-chrono.md")]
pub mod migrating_from_chrono {}

#[doc = include_str!("../docs/mixed-deployments.md")]
pub mod mixed_deployments {}
