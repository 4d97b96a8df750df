//! Time comes from a [`Clock`] so tests can hold it still or move it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: held still, or running at real speed from a chosen start; either
/// way it jumps when told.
#[derive(Clone)]
pub struct FakeClock {
    set: Arc<Mutex<DateTime<Utc>>>,
    /// When running, real time elapsed since this instant is added.
    running_since: Option<std::time::Instant>,
}

impl FakeClock {
    /// Held at `start` until advanced.
    pub fn at(start: DateTime<Utc>) -> Self {
        FakeClock { set: Arc::new(Mutex::new(start)), running_since: None }
    }

    /// Starts at the real now and keeps running, like the system clock, for tests of
    /// several instances whose leases must expire in real time.
    pub fn running() -> Self {
        FakeClock { set: Arc::new(Mutex::new(Utc::now())), running_since: Some(std::time::Instant::now()) }
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.set.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        let set = *self.set.lock().unwrap_or_else(|p| p.into_inner());
        match self.running_since {
            Some(since) => set + chrono::Duration::from_std(since.elapsed()).unwrap_or_default(),
            None => set,
        }
    }
}
