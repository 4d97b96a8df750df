//! The figures reports share: percentiles of how long things took.

use chrono::Duration;

/// The `p`th percentile (nearest rank) of durations sorted ascending; `None` when there
/// are none.
pub fn percentile(sorted: &[Duration], p: usize) -> Option<Duration> {
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

/// The median and the 90th percentile, sorting the values; `None` when there are none.
pub fn median_and_p90(values: &mut [Duration]) -> Option<(Duration, Duration)> {
    values.sort();
    Some((percentile(values, 50)?, percentile(values, 90)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut minutes: Vec<Duration> = (1..=10).rev().map(Duration::minutes).collect();
        assert_eq!(median_and_p90(&mut minutes), Some((Duration::minutes(5), Duration::minutes(9))));
        assert_eq!(median_and_p90(&mut [Duration::hours(2)]), Some((Duration::hours(2), Duration::hours(2))));
        assert_eq!(median_and_p90(&mut []), None);
        let three = [1, 2, 3].map(Duration::hours);
        assert_eq!(percentile(&three, 100), Some(Duration::hours(3)));
        assert_eq!(percentile(&three, 0), Some(Duration::hours(1)));
    }
}
