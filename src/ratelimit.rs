//! Per-person rate limits by kind of command (`[limits]` in the config), so one person,
//! or one script behind one account, cannot flood the queue or the job table. Kept in
//! memory per instance: a limit is a guard against floods, not an account of usage.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::commands::RateClass;
use crate::config::Limits;
use crate::domain::PersonId;

pub struct RateLimits {
    general: Option<DefaultKeyedRateLimiter<i64>>,
    tickets: Option<DefaultKeyedRateLimiter<i64>>,
    reminders: Option<DefaultKeyedRateLimiter<i64>>,
}

/// A limit the person reached: which one, and how long until they may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub per_minute: u32,
    pub class: RateClass,
    pub retry_after: Duration,
}

fn per_minute(n: u32) -> Option<DefaultKeyedRateLimiter<i64>> {
    NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

impl RateLimits {
    pub fn new(limits: &Limits) -> Self {
        RateLimits {
            general: per_minute(limits.commands_per_minute),
            tickets: per_minute(limits.tickets_per_minute),
            reminders: per_minute(limits.reminders_per_minute),
        }
    }

    /// Counts one event of `class` for `person`: every event against the general limit,
    /// and against its own class's where it has one.
    pub fn check(&self, person: PersonId, class: RateClass, limits: &Limits) -> Result<(), Limited> {
        let own = match class {
            RateClass::General => None,
            RateClass::Tickets => self.tickets.as_ref().map(|l| (l, limits.tickets_per_minute)),
            RateClass::Reminders => self.reminders.as_ref().map(|l| (l, limits.reminders_per_minute)),
        };
        let general = self.general.as_ref().map(|l| (l, limits.commands_per_minute));
        for (limiter, n, class) in
            [own.map(|(l, n)| (l, n, class)), general.map(|(l, n)| (l, n, RateClass::General))].into_iter().flatten()
        {
            if let Err(not_until) = limiter.check_key(&person.0) {
                let retry_after = not_until.wait_time_from(limiter.clock().now());
                return Err(Limited { per_minute: n, class, retry_after });
            }
        }
        Ok(())
    }

    /// Forgets people who have been quiet long enough to be back at full allowance.
    pub fn forget_quiet(&self) {
        for limiter in [&self.general, &self.tickets, &self.reminders].into_iter().flatten() {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_limit_and_the_general_one() {
        let limits = Limits { tickets_per_minute: 3, commands_per_minute: 5, ..Limits::default() };
        let rl = RateLimits::new(&limits);
        let alice = PersonId(1);
        for _ in 0..3 {
            assert_eq!(rl.check(alice, RateClass::Tickets, &limits), Ok(()));
        }
        let limited = rl.check(alice, RateClass::Tickets, &limits).expect_err("fourth ticket in a minute");
        assert_eq!((limited.class, limited.per_minute), (RateClass::Tickets, 3));
        assert!(limited.retry_after > Duration::ZERO && limited.retry_after <= Duration::from_secs(20));
        // Someone else is not affected; alice may still do other things, up to the general limit.
        assert_eq!(rl.check(PersonId(2), RateClass::Tickets, &limits), Ok(()));
        // Three tickets and two more commands make five.
        assert_eq!(rl.check(alice, RateClass::General, &limits), Ok(()));
        assert_eq!(rl.check(alice, RateClass::General, &limits), Ok(()));
        let limited = rl.check(alice, RateClass::General, &limits).expect_err("sixth command");
        assert_eq!(limited.class, RateClass::General);
    }

    #[test]
    fn zero_means_unlimited() {
        let limits = Limits { tickets_per_minute: 0, commands_per_minute: 0, ..Limits::default() };
        let rl = RateLimits::new(&limits);
        for _ in 0..1000 {
            assert_eq!(rl.check(PersonId(1), RateClass::Tickets, &limits), Ok(()));
        }
    }
}
