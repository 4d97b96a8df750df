//! `[tickets]`: how the help desk's rules are set.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketsConfig {
    /// How long after a ticket is resolved its requester may still reopen it (agents
    /// may at any time), e.g. "7d".
    pub reopen_window: String,
}

impl Default for TicketsConfig {
    fn default() -> Self {
        TicketsConfig { reopen_window: "7d".to_owned() }
    }
}

/// The config, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub reopen_window: chrono::Duration,
}

impl TicketsConfig {
    /// The settings, or the problem as `key: what is wrong`.
    pub fn compile(&self) -> Result<Settings, String> {
        let reopen_window =
            crate::chat::commands::read_duration(&self.reopen_window).map_err(|e| format!("reopen_window: {e}"))?;
        if reopen_window > chrono::Duration::days(365) {
            return Err("reopen_window: at most a year (365d)".to_owned());
        }
        Ok(Settings { reopen_window })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_window_and_names_what_is_wrong() {
        assert_eq!(TicketsConfig::default().compile().expect("the defaults").reopen_window, chrono::Duration::days(7));
        let bad = TicketsConfig { reopen_window: "soon".to_owned() }.compile().expect_err("refused");
        assert!(bad.starts_with("reopen_window: `soon`"), "{bad}");
        let long = TicketsConfig { reopen_window: "400d".to_owned() }.compile().expect_err("refused");
        assert_eq!(long, "reopen_window: at most a year (365d)");
    }
}
