//! Per-person rate limits by kind of command (`[limits]` in the config), so one person,
//! or one script behind one account, cannot flood the queue or the job table. Kept in
//! memory per instance: a limit is a guard against floods, not an account of usage.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::chat::commands::RateClass;
use crate::config::Limits;
use crate::kernel::PersonId;

type Limiter = DefaultKeyedRateLimiter<i64>;

pub struct RateLimits {
    /// Per class key (`commands` is every event's); a class without a limit is absent.
    limiters: HashMap<&'static str, (Limiter, u32)>,
}

/// A limit the person reached: which one, and how long until they may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub per_minute: u32,
    pub class: RateClass,
    pub retry_after: Duration,
}

impl RateLimits {
    /// Limits for the general class and each of `classes`, from the config.
    pub fn new(limits: &Limits, classes: impl IntoIterator<Item = RateClass>) -> Self {
        let limiters = std::iter::once(RateClass::GENERAL)
            .chain(classes)
            .filter_map(|class| {
                let n = limits.per_minute(class.key);
                NonZeroU32::new(n).map(|nz| (class.key, (RateLimiter::keyed(Quota::per_minute(nz)), n)))
            })
            .collect();
        RateLimits { limiters }
    }

    /// Counts one event of `class` for `person`: every event against the general limit,
    /// and against its own class's where it has one.
    pub fn check(&self, person: PersonId, class: RateClass) -> Result<(), Limited> {
        let own = (class != RateClass::GENERAL).then_some(class);
        for class in own.into_iter().chain([RateClass::GENERAL]) {
            let Some((limiter, n)) = self.limiters.get(class.key) else { continue };
            if let Err(not_until) = limiter.check_key(&person.0) {
                let retry_after = not_until.wait_time_from(limiter.clock().now());
                return Err(Limited { per_minute: *n, class, retry_after });
            }
        }
        Ok(())
    }

    /// Forgets people who have been quiet long enough to be back at full allowance.
    pub fn forget_quiet(&self) {
        for (limiter, _) in self.limiters.values() {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKETS: RateClass = RateClass { key: "tickets" };

    #[test]
    fn a_class_limit_and_the_general_one() {
        let limits = Limits { tickets_per_minute: 3, commands_per_minute: 5, ..Limits::default() };
        let rl = RateLimits::new(&limits, [TICKETS]);
        let alice = PersonId(1);
        for _ in 0..3 {
            assert_eq!(rl.check(alice, TICKETS), Ok(()));
        }
        let limited = rl.check(alice, TICKETS).expect_err("fourth ticket in a minute");
        assert_eq!((limited.class, limited.per_minute), (TICKETS, 3));
        assert!(limited.retry_after > Duration::ZERO && limited.retry_after <= Duration::from_secs(20));
        // Someone else is not affected; alice may still do other things, up to the general limit.
        assert_eq!(rl.check(PersonId(2), TICKETS), Ok(()));
        // Three tickets and two more commands make five.
        assert_eq!(rl.check(alice, RateClass::GENERAL), Ok(()));
        assert_eq!(rl.check(alice, RateClass::GENERAL), Ok(()));
        let limited = rl.check(alice, RateClass::GENERAL).expect_err("sixth command");
        assert_eq!(limited.class, RateClass::GENERAL);
    }

    #[test]
    fn zero_means_unlimited() {
        let limits = Limits { tickets_per_minute: 0, commands_per_minute: 0, ..Limits::default() };
        let rl = RateLimits::new(&limits, [TICKETS]);
        for _ in 0..1000 {
            assert_eq!(rl.check(PersonId(1), TICKETS), Ok(()));
        }
    }
}
