//! Each platform's send limits, per conversation and overall, so Deskmate slows itself
//! down instead of being throttled (or banned) by the platform.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use deskmate_port::{ChannelKind, Platform};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::store::lane;

/// Limits for one platform; `0` means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformLimits {
    pub group_per_minute: u32,
    pub direct_per_minute: u32,
    pub global_per_second: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PacingConfig {
    pub limits: HashMap<Platform, PlatformLimits>,
    /// When a lane's backlog would take longer than this to send at its pace, notices
    /// that can be summed up are sent as one summary.
    pub coalesce_after: Duration,
}

pub struct Pacing {
    lanes: HashMap<(Platform, ChannelKind), (u32, DefaultKeyedRateLimiter<String>)>,
    /// Each platform's overall limit, behind a queue: senders wait their turn in
    /// order, and only the first waits on the limiter (in a flood, 2,000 senders on the
    /// limiter itself would all wake at every free slot, for one of them to take it).
    global: HashMap<Platform, (tokio::sync::Mutex<()>, DefaultDirectRateLimiter)>,
    coalesce_after: Duration,
}

fn per_minute(n: u32) -> Option<Quota> {
    // One message at a time, evenly spaced: a burst would break Telegram's "about one
    // message a second per chat" even when the per-minute budget allows it.
    NonZeroU32::new(n).map(|n| Quota::per_minute(n).allow_burst(NonZeroU32::MIN))
}

impl Pacing {
    pub fn new(config: &PacingConfig) -> Pacing {
        let mut lanes = HashMap::new();
        let mut global = HashMap::new();
        for (platform, limits) in &config.limits {
            for (kind, n) in
                [(ChannelKind::Group, limits.group_per_minute), (ChannelKind::Direct, limits.direct_per_minute)]
            {
                if let Some(quota) = per_minute(n) {
                    lanes.insert((*platform, kind), (n, RateLimiter::keyed(quota)));
                }
            }
            if let Some(n) = NonZeroU32::new(limits.global_per_second) {
                global.insert(*platform, (tokio::sync::Mutex::new(()), RateLimiter::direct(Quota::per_second(n))));
            }
        }
        Pacing { lanes, global, coalesce_after: config.coalesce_after }
    }

    /// Waits until the lane and the platform may send one more message.
    pub async fn lane_ready(&self, platform: Platform, lane: &str) {
        if let Some((_, limiter)) = self.lanes.get(&(platform, lane::kind(lane))) {
            limiter.until_key_ready(&lane.to_owned()).await;
        }
        self.global_ready(platform).await;
    }

    /// Waits until the platform may send one more message (replies skip lane pacing).
    pub async fn global_ready(&self, platform: Platform) {
        if let Some((queue, limiter)) = self.global.get(&platform) {
            let _turn = queue.lock().await;
            limiter.until_ready().await;
        }
    }

    /// Whether anything limits how fast this lane may send: an unpaced lane's due
    /// messages are claimed and recorded together.
    pub fn paces(&self, platform: Platform, lane: &str) -> bool {
        self.lanes.contains_key(&(platform, lane::kind(lane))) || self.global.contains_key(&platform)
    }

    /// How many messages the lane may send within the coalescing horizon; `None` when
    /// unlimited.
    pub fn capacity_soon(&self, platform: Platform, lane: &str) -> Option<u64> {
        let (per_minute, _) = self.lanes.get(&(platform, lane::kind(lane)))?;
        let minutes = self.coalesce_after.as_secs_f64() / 60.0;
        Some(((f64::from(*per_minute) * minutes).floor() as u64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PacingConfig {
        let mut limits = HashMap::new();
        limits.insert(
            Platform::Telegram,
            PlatformLimits { group_per_minute: 20, direct_per_minute: 60, global_per_second: 30 },
        );
        PacingConfig { limits, coalesce_after: Duration::from_secs(60) }
    }

    #[test]
    fn capacity_follows_the_lane_kind() {
        let pacing = Pacing::new(&config());
        assert_eq!(pacing.capacity_soon(Platform::Telegram, "-100123"), Some(20));
        assert_eq!(pacing.capacity_soon(Platform::Telegram, "dm:42"), Some(60));
        assert_eq!(pacing.capacity_soon(Platform::Console, "queue"), None);
    }

    #[tokio::test]
    async fn a_group_lane_is_spaced_out() {
        let pacing = Pacing::new(&config());
        let start = std::time::Instant::now();
        pacing.lane_ready(Platform::Telegram, "-1").await;
        assert!(start.elapsed() < Duration::from_millis(500), "the first message goes at once");
        // Another lane is independent.
        pacing.lane_ready(Platform::Telegram, "-2").await;
        assert!(start.elapsed() < Duration::from_millis(500));
        // The same lane must wait its three seconds; do not wait them out in a test.
        let second =
            tokio::time::timeout(Duration::from_millis(300), pacing.lane_ready(Platform::Telegram, "-1")).await;
        assert!(second.is_err(), "a second message within 3 s waits");
    }
}
