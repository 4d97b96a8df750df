//! What the event log keeps about a request's events: data, not words, so `/approval
//! show` writes each line in its reader's language. Details logged before this shape
//! (plain English) are shown as they were written.

use serde::{Deserialize, Serialize};

use super::model::{RequestStatus, Step};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "detail", rename_all = "kebab-case")]
pub enum Detail {
    /// The fields a request was made or resubmitted with, as written.
    Fields {
        fields: Vec<(String, String)>,
    },
    /// A decision on a step (the event's action says which), perhaps by a delegate.
    Decided {
        step: i64,
        label: String,
        behalf: Option<String>,
        reason: Option<String>,
    },
    /// Every seat a step needs has approved.
    StepApproved {
        step: i64,
        label: String,
    },
    Reminded {
        step: i64,
        label: String,
    },
    Escalated {
        step: i64,
        label: String,
        to: Vec<String>,
    },
    Outcome {
        status: String,
    },
}

impl Detail {
    pub fn fields(fields: &[(String, String)]) -> Detail {
        Detail::Fields { fields: fields.to_vec() }
    }

    /// Step positions are counted from 1, as people read them.
    pub fn decided(step: &Step, behalf: Option<&str>, reason: Option<&str>) -> Detail {
        Detail::Decided {
            step: step.position + 1,
            label: step.label.clone(),
            behalf: behalf.map(str::to_owned),
            reason: reason.map(str::to_owned),
        }
    }

    pub fn step_approved(step: &Step) -> Detail {
        Detail::StepApproved { step: step.position + 1, label: step.label.clone() }
    }

    pub fn reminded(step: &Step) -> Detail {
        Detail::Reminded { step: step.position + 1, label: step.label.clone() }
    }

    pub fn escalated(step: &Step, to: &[&str]) -> Detail {
        Detail::Escalated {
            step: step.position + 1,
            label: step.label.clone(),
            to: to.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn outcome(status: RequestStatus) -> Detail {
        Detail::Outcome { status: status.as_str().to_owned() }
    }

    /// As the log column keeps it.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `None` for a detail logged as plain text.
    pub fn read(stored: &str) -> Option<Detail> {
        stored.starts_with('{').then(|| serde_json::from_str(stored).ok()).flatten()
    }
}
