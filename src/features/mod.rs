//! Deskmate's features, one folder each. To add one: a folder with a type that implements
//! [`Feature`](crate::chat::feature::Feature), its migrations, its config section, and
//! one line below.

pub mod approvals;
pub mod directory;
pub mod help;
pub mod meetings;
pub mod office;
pub mod reminders;
pub mod schedules;
pub mod tickets;

use std::sync::Arc;

use crate::chat::feature::{Feature, Install};
use crate::config::Config;

/// Every built-in feature, in the order `/help` lists their commands.
pub const BUILTIN: &[Install] = &[
    help::install,
    tickets::install,
    directory::install,
    reminders::install,
    schedules::install,
    approvals::install,
    meetings::install,
    office::install,
];

/// The built-in features, installed from the config.
pub fn builtin(config: &Config) -> Vec<Arc<dyn Feature>> {
    BUILTIN.iter().map(|install| install(config)).collect()
}

/// The built-in features on the default config: their commands in menu order (groups
/// several features add to, merged) and what those are called.
/// Made once, for tests and tools.
pub fn registry() -> &'static crate::chat::feature::Registry {
    static REGISTRY: std::sync::LazyLock<crate::chat::feature::Registry> = std::sync::LazyLock::new(|| {
        crate::chat::feature::Registry::new(builtin(&Config::default())).expect("the built-in features fit together")
    });
    &REGISTRY
}
