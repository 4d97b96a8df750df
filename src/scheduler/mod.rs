//! Recurring schedules and one-shot timers.

pub mod calendar;
