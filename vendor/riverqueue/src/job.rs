//! Persisted and typed job values.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, value::RawValue};

use crate::{PRIORITY_DEFAULT, QUEUE_DEFAULT};

mod attempt_error;
mod metadata;

pub use metadata::JobMetadata;

/// Arguments for a typed River job.
pub trait JobArgs: DeserializeOwned + Send + Serialize + Sync + 'static {
    /// Stable job kind stored with each job.
    const KIND: &'static str;

    /// Former kind names handled by the same worker during safe renames.
    fn kind_aliases() -> &'static [&'static str] {
        &[]
    }

    /// Job-type insertion defaults. Options set for a single insertion
    /// replace these. Per-call metadata replaces the defaults' metadata
    /// entirely, so it doesn't keep any of their keys.
    fn default_insert_opts() -> InsertOpts {
        InsertOpts::default()
    }

    /// Literal JSON path components selected for argument-scoped uniqueness.
    fn unique_fields() -> &'static [&'static [&'static str]] {
        &[]
    }
}

/// An atomic insertion batch that can contain multiple job argument types.
///
/// Items retain their [`JobArgs`] insertion defaults and may additionally set
/// per-item [`InsertOpts`]. Results are returned in the same order.
#[derive(Debug, Default)]
pub struct InsertBatch {
    pub(crate) items: Vec<InsertBatchItem>,
}

impl InsertBatch {
    /// Creates an empty batch.
    #[must_use]
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// Returns whether the batch contains no jobs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Returns the number of jobs in the batch.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends a job using its job-type defaults.
    ///
    /// Arguments are encoded immediately. If encoding fails, the error is
    /// returned when the batch is inserted and no job in it is inserted.
    pub fn push<A: JobArgs>(&mut self, args: A) -> &mut Self {
        self.push_with(args, InsertOpts::default())
    }

    /// Appends a job with options overlaid on its job-type defaults.
    ///
    /// Arguments are encoded immediately. If encoding fails, the error is
    /// returned when the batch is inserted and no job in it is inserted.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "the batch takes ownership of its jobs"
    )]
    pub fn push_with<A: JobArgs>(&mut self, args: A, opts: InsertOpts) -> &mut Self {
        self.items.push(InsertBatchItem {
            defaults: A::default_insert_opts(),
            encoded_args: crate::encoding::encode_args(&args),
            kind: A::KIND,
            opts,
            unique_fields: A::unique_fields(),
        });
        self
    }
}

#[derive(Debug)]
pub(crate) struct InsertBatchItem {
    pub(crate) defaults: InsertOpts,
    pub(crate) encoded_args: Result<Box<RawValue>, serde_json::Error>,
    pub(crate) kind: &'static str,
    pub(crate) opts: InsertOpts,
    pub(crate) unique_fields: &'static [&'static [&'static str]],
}

/// A failed job attempt persisted in `river_job.errors`.
///
/// Attempt errors deserialize from JSON strictly, which requires a JSON
/// deserializer such as `serde_json`'s: field names match ignoring ASCII
/// case, and each field must be `null` or a value of its own type, with `at`
/// an RFC 3339 timestamp.
/// Job rows read from the database decode their attempt errors leniently
/// instead: an element written by another tool or edited by hand decodes on a
/// best effort basis rather than making its row unreadable.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AttemptError {
    /// Time at which the error occurred. It serializes as RFC 3339 with the
    /// shortest fractional seconds.
    #[serde(serialize_with = "crate::encoding::go_time::serialize")]
    pub at: Timestamp,
    /// Attempt number on which the error occurred.
    pub attempt: i32,
    /// Stringified worker error or panic value.
    pub error: String,
    /// Backtrace for a panic, otherwise empty.
    pub trace: String,
}

impl AttemptError {
    /// Creates a persisted attempt error without a panic trace.
    #[must_use]
    pub fn new(at: Timestamp, attempt: i32, error: impl Into<String>) -> Self {
        Self {
            at,
            attempt,
            error: error.into(),
            trace: String::new(),
        }
    }

    /// Sets the captured panic trace.
    #[must_use]
    pub fn with_trace(mut self, trace: impl Into<String>) -> Self {
        self.trace = trace.into();
        self
    }
}

/// Partial options applied while inserting a job.
///
/// Options declared by [`JobArgs::default_insert_opts`] are overlaid on River
/// and client defaults. Options supplied to an insertion call are then overlaid
/// on the job-type options. A value is therefore never treated as "unset"
/// merely because it happens to equal River's default.
#[derive(Clone, Debug, Default)]
pub struct InsertOpts {
    /// Options for an exact-version extension, which River carries to the
    /// extension's insert hook without persisting them.
    pub(crate) extension_options: Map<String, Value>,
    max_attempts: Option<i32>,
    metadata: Option<JobMetadata>,
    pending: Option<bool>,
    priority: Option<i16>,
    queue: Option<String>,
    scheduled_at: ScheduleOverride,
    tags: Option<Vec<String>>,
    unique: Option<UniqueOpts>,
}

/// How an [`InsertOpts`] layer affects a job's schedule.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub enum ScheduleOverride {
    /// Schedule the job no earlier than this time.
    At(Timestamp),
    /// Make the job immediately eligible, replacing any schedule from a lower
    /// layer.
    Immediate,
    /// Keep the schedule from a lower layer, or run immediately when none
    /// sets one.
    #[default]
    Inherit,
}

impl InsertOpts {
    /// Returns the configured maximum attempts override.
    #[must_use]
    pub const fn max_attempts(&self) -> Option<i32> {
        self.max_attempts
    }

    /// Returns the configured metadata replacement.
    #[must_use]
    pub const fn metadata(&self) -> Option<&JobMetadata> {
        self.metadata.as_ref()
    }

    /// Returns the configured pending-state override.
    #[must_use]
    pub const fn pending(&self) -> Option<bool> {
        self.pending
    }

    /// Returns the configured priority override.
    #[must_use]
    pub const fn priority(&self) -> Option<i16> {
        self.priority
    }

    /// Returns the configured queue override.
    #[must_use]
    pub fn queue(&self) -> Option<&str> {
        self.queue.as_deref()
    }

    /// Returns how these options affect the job's schedule.
    #[must_use]
    pub const fn scheduled_at(&self) -> ScheduleOverride {
        self.scheduled_at
    }

    /// Returns the configured tags replacement.
    #[must_use]
    pub fn tags(&self) -> Option<&[String]> {
        self.tags.as_deref()
    }

    /// Returns the configured uniqueness replacement.
    #[must_use]
    pub const fn unique(&self) -> Option<&UniqueOpts> {
        self.unique.as_ref()
    }

    /// Overrides the maximum number of attempts, including the first.
    #[must_use]
    pub const fn with_max_attempts(mut self, maximum: i32) -> Self {
        self.max_attempts = Some(maximum);
        self
    }

    /// Replaces arbitrary JSON object metadata.
    ///
    /// Per-call metadata replaces the job type's default metadata as a
    /// whole.
    ///
    /// Accepts a [`JobMetadata`] or a `serde_json::Map`. Build a
    /// [`JobMetadata`] from JSON text (for example with `str::parse`) to keep
    /// number tokens, such as `1e400` or integers wider than 64 bits, that
    /// `serde_json::Value` can't represent exactly.
    #[must_use]
    pub fn with_metadata(mut self, metadata: impl Into<JobMetadata>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }

    /// Selects whether to insert in the pending state.
    #[must_use]
    pub const fn with_pending(mut self, pending: bool) -> Self {
        self.pending = Some(pending);
        self
    }

    /// Overrides priority from one (highest) through four (lowest).
    #[must_use]
    pub const fn with_priority(mut self, priority: i16) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Overrides the queue in which the job runs.
    #[must_use]
    pub fn with_queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Schedules the job no earlier than `scheduled_at`.
    #[must_use]
    pub const fn with_scheduled_at(mut self, scheduled_at: Timestamp) -> Self {
        self.scheduled_at = ScheduleOverride::At(scheduled_at);
        self
    }

    /// Explicitly overrides a job-type schedule to make the job immediately
    /// eligible.
    #[must_use]
    pub const fn without_schedule(mut self) -> Self {
        self.scheduled_at = ScheduleOverride::Immediate;
        self
    }

    /// Replaces searchable tags.
    #[must_use]
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces unique-job options.
    #[must_use]
    pub fn with_unique(mut self, unique: UniqueOpts) -> Self {
        self.unique = Some(unique);
        self
    }

    /// Returns these options with every option set in `overrides` replacing
    /// the corresponding option here. Options `overrides` leaves unset are
    /// kept.
    ///
    /// This is how River layers call-site options over job-type defaults, and
    /// how `#[river(insert_opts = ...)]` layers a function's options over the
    /// derive's attribute defaults.
    #[must_use]
    pub fn overlay(mut self, overrides: Self) -> Self {
        let Self {
            extension_options,
            max_attempts,
            metadata,
            pending,
            priority,
            queue,
            scheduled_at,
            tags,
            unique,
        } = overrides;
        self.extension_options.extend(extension_options);
        self.max_attempts = max_attempts.or(self.max_attempts);
        self.metadata = metadata.or(self.metadata);
        self.pending = pending.or(self.pending);
        self.priority = priority.or(self.priority);
        self.queue = queue.or(self.queue);
        if scheduled_at != ScheduleOverride::Inherit {
            self.scheduled_at = scheduled_at;
        }
        self.tags = tags.or(self.tags);
        self.unique = unique.or(self.unique);
        self
    }

    pub(crate) fn resolve(
        client_max_attempts: i32,
        job_defaults: Self,
        call_overrides: Self,
    ) -> InsertParams {
        let mut resolved = InsertParams {
            extension_options: Map::new(),
            max_attempts: client_max_attempts,
            metadata: JobMetadata::default(),
            pending: false,
            priority: PRIORITY_DEFAULT,
            queue: QUEUE_DEFAULT.to_owned(),
            scheduled_at: None,
            tags: Vec::new(),
            unique: UniqueOpts::default(),
        };
        resolved.apply(job_defaults);
        resolved.apply(call_overrides);
        resolved
    }
}

/// Fully resolved insertion parameters visible to insertion extensions.
///
/// River resolves and validates these from call, job-type, client, and
/// library defaults before invoking hooks or middleware, and computes the
/// unique key from them. Extensions may still change them, but River doesn't
/// validate the changes again before persisting them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InsertParams {
    /// Options for an exact-version extension; see [`InsertOpts`].
    pub(crate) extension_options: Map<String, Value>,
    /// Maximum number of attempts, including the first.
    pub max_attempts: i32,
    /// Arbitrary JSON object metadata.
    pub metadata: JobMetadata,
    /// Insert in the pending state.
    pub pending: bool,
    /// Priority from one (highest) through four (lowest).
    pub priority: i16,
    /// Queue in which the job runs.
    pub queue: String,
    /// Earliest time the job may run.
    pub scheduled_at: Option<Timestamp>,
    /// Searchable tags.
    pub tags: Vec<String>,
    /// Unique job options.
    pub unique: UniqueOpts,
}

impl InsertParams {
    fn apply(&mut self, options: InsertOpts) {
        self.extension_options.extend(options.extension_options);
        if let Some(value) = options.max_attempts {
            self.max_attempts = value;
        }
        if let Some(value) = options.metadata {
            self.metadata = value;
        }
        if let Some(value) = options.pending {
            self.pending = value;
        }
        if let Some(value) = options.priority {
            self.priority = value;
        }
        if let Some(value) = options.queue {
            self.queue = value;
        }
        match options.scheduled_at {
            ScheduleOverride::At(value) => self.scheduled_at = Some(value),
            ScheduleOverride::Immediate => self.scheduled_at = None,
            ScheduleOverride::Inherit => {}
        }
        if let Some(value) = options.tags {
            self.tags = value;
        }
        if let Some(value) = options.unique {
            self.unique = value;
        }
    }
}

/// Result of inserting a job.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InsertResult<A> {
    /// Inserted job or the existing matching unique job.
    pub job: Job<A>,
    /// Whether insertion was skipped because a unique job already existed.
    pub unique_skipped_as_duplicate: bool,
}

impl<A> InsertResult<A> {
    /// Returns the ID of the inserted job, or of the existing job when a
    /// unique insertion was skipped.
    #[must_use]
    pub const fn id(&self) -> i64 {
        self.job.id()
    }
}

/// Type-erased result from inserting an item in an [`InsertBatch`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InsertBatchResult {
    /// Inserted job or the existing matching unique job.
    pub job: JobRow,
    /// Whether insertion was skipped because a unique job already existed.
    pub unique_skipped_as_duplicate: bool,
}

impl InsertBatchResult {
    /// Returns the ID of the inserted job, or of the existing job when a
    /// unique insertion was skipped.
    #[must_use]
    pub const fn id(&self) -> i64 {
        self.job.id
    }
}

/// Typed job passed to a worker.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Job<A> {
    /// Decoded arguments.
    pub args: A,
    /// Persisted job fields.
    pub row: JobRow,
}

impl<A> Job<A> {
    /// Creates a typed job from decoded arguments and a persisted row.
    /// This is primarily useful for worker unit tests.
    #[must_use]
    pub const fn new(args: A, row: JobRow) -> Self {
        Self { args, row }
    }

    /// Returns the job's database ID.
    #[must_use]
    pub const fn id(&self) -> i64 {
        self.row.id
    }
}

/// Persisted River job fields.
///
/// Arguments are kept as the exact JSON text stored with the job, so values
/// written by other River clients (including numbers beyond `f64` precision
/// and member order) are preserved when a row is read and passed along. Use
/// [`JobRow::decode_args`] to decode them into a typed value.
///
/// Metadata retains the database's JSON text, including numbers outside the
/// range of [`serde_json::Value`]. Read individual fields through
/// [`JobMetadata::get_raw`] or [`JobMetadata::get`].
#[derive(Clone, Debug, Deserialize, Serialize)]
#[non_exhaustive]
pub struct JobRow {
    /// Database-generated ID.
    pub id: i64,
    /// Current attempt number.
    pub attempt: i32,
    /// Last attempt time.
    pub attempted_at: Option<Timestamp>,
    /// IDs of clients that attempted the job.
    pub attempted_by: Vec<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Encoded job arguments as the exact JSON text stored with the job.
    pub encoded_args: Box<RawValue>,
    /// Failed attempts in chronological order.
    pub errors: Vec<AttemptError>,
    /// Terminal-state time.
    pub finalized_at: Option<Timestamp>,
    /// Stable job kind.
    pub kind: String,
    /// Maximum attempts.
    pub max_attempts: i32,
    /// Arbitrary and River-reserved metadata.
    pub metadata: JobMetadata,
    /// Priority from one through four.
    pub priority: i16,
    /// Queue name.
    pub queue: String,
    /// Earliest run time.
    pub scheduled_at: Timestamp,
    /// Current state.
    pub state: JobState,
    /// Searchable tags.
    pub tags: Vec<String>,
    /// Unique hash, if any.
    pub unique_key: Option<Vec<u8>>,
    /// States in which this job's unique key is enforced, if any.
    pub unique_states: Option<Vec<JobState>>,
}

impl JobRow {
    /// Creates a minimal persisted row suitable for tests and adapters.
    ///
    /// Use [`encode_args`](crate::encoding::encode_args) to encode typed
    /// arguments the same way River does when inserting them.
    #[must_use]
    pub fn new(
        id: i64,
        kind: impl Into<String>,
        encoded_args: Box<RawValue>,
        now: Timestamp,
    ) -> Self {
        Self {
            attempt: 0,
            attempted_at: None,
            attempted_by: Vec::new(),
            created_at: now,
            encoded_args,
            errors: Vec::new(),
            finalized_at: None,
            id,
            kind: kind.into(),
            max_attempts: crate::MAX_ATTEMPTS_DEFAULT,
            metadata: JobMetadata::default(),
            priority: crate::PRIORITY_DEFAULT,
            queue: crate::QUEUE_DEFAULT.to_owned(),
            scheduled_at: now,
            state: JobState::Available,
            tags: Vec::new(),
            unique_key: None,
            unique_states: None,
        }
    }

    /// Decodes the job's arguments into `T`.
    ///
    /// # Errors
    ///
    /// Returns an error when the stored arguments do not deserialize as `T`.
    pub fn decode_args<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.encoded_args.get())
    }

    /// Decodes recorded output from metadata into a caller-selected type.
    ///
    /// # Errors
    ///
    /// Returns an error if the stored output cannot deserialize as `T`.
    pub fn decode_output<T: DeserializeOwned>(&self) -> Result<Option<T>, serde_json::Error> {
        self.metadata.get(crate::METADATA_KEY_OUTPUT)
    }

    /// Returns recorded output from metadata.
    #[must_use]
    pub fn output(&self) -> Option<&RawValue> {
        self.metadata.get_raw(crate::METADATA_KEY_OUTPUT)
    }
}

/// Persisted River job state.
///
/// Displays as its database string, like [`JobState::as_str`]. River has
/// added states before, so matches outside this crate need a wildcard arm.
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum JobState {
    /// Eligible to run now.
    Available,
    /// Manually cancelled.
    Cancelled,
    /// Successfully completed.
    Completed,
    /// Exhausted retries.
    Discarded,
    /// Parked pending external action.
    Pending,
    /// Failed and scheduled for retry.
    Retryable,
    /// Actively running.
    Running,
    /// Scheduled for the future.
    Scheduled,
}

impl JobState {
    /// All states in River's canonical bit order.
    pub const ALL: &'static [Self] = &[
        Self::Available,
        Self::Cancelled,
        Self::Completed,
        Self::Discarded,
        Self::Pending,
        Self::Retryable,
        Self::Running,
        Self::Scheduled,
    ];

    /// States required for a custom unique-state set.
    pub const UNIQUE_REQUIRED: &'static [Self] = &[
        Self::Available,
        Self::Pending,
        Self::Running,
        Self::Scheduled,
    ];

    /// Default states that enforce uniqueness.
    pub const UNIQUE_DEFAULT: &'static [Self] = &[
        Self::Available,
        Self::Completed,
        Self::Pending,
        Self::Retryable,
        Self::Running,
        Self::Scheduled,
    ];

    /// Canonical database string representation.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::Discarded => "discarded",
            Self::Pending => "pending",
            Self::Retryable => "retryable",
            Self::Running => "running",
            Self::Scheduled => "scheduled",
        }
    }

    /// Bit used by `river_job.unique_states`.
    pub(crate) const fn unique_bit(self) -> u8 {
        match self {
            Self::Available => 0b0000_0001,
            Self::Cancelled => 0b0000_0010,
            Self::Completed => 0b0000_0100,
            Self::Discarded => 0b0000_1000,
            Self::Pending => 0b0001_0000,
            Self::Retryable => 0b0010_0000,
            Self::Running => 0b0100_0000,
            Self::Scheduled => 0b1000_0000,
        }
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Failure to parse a River job state.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("unknown River job state {value:?}")]
pub struct JobStateParseError {
    value: String,
}

impl JobStateParseError {
    /// Returns the unrecognized state value.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl std::str::FromStr for JobState {
    type Err = JobStateParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "available" => Ok(Self::Available),
            "cancelled" => Ok(Self::Cancelled),
            "completed" => Ok(Self::Completed),
            "discarded" => Ok(Self::Discarded),
            "pending" => Ok(Self::Pending),
            "retryable" => Ok(Self::Retryable),
            "running" => Ok(Self::Running),
            "scheduled" => Ok(Self::Scheduled),
            _ => Err(JobStateParseError {
                value: value.to_owned(),
            }),
        }
    }
}

impl TryFrom<&str> for JobState {
    type Error = JobStateParseError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// Dimensions used to deduplicate a job.
#[derive(Clone, Debug, Default)]
pub struct UniqueOpts {
    /// Include encoded arguments.
    pub(crate) by_args: bool,
    /// Include the lower bound of this period.
    pub(crate) by_period: Option<Duration>,
    /// Include the queue.
    pub(crate) by_queue: bool,
    /// States in which the key is unique.
    pub(crate) by_state: Option<Vec<JobState>>,
    /// Exclude the job kind.
    pub(crate) exclude_kind: bool,
}

impl UniqueOpts {
    /// Creates disabled uniqueness options.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            by_args: false,
            by_period: None,
            by_queue: false,
            by_state: None,
            exclude_kind: false,
        }
    }

    /// Returns whether encoded arguments are included in the unique key.
    #[must_use]
    pub const fn by_args(&self) -> bool {
        self.by_args
    }

    /// Returns the period whose lower bound is included in the unique key.
    #[must_use]
    pub const fn by_period(&self) -> Option<Duration> {
        self.by_period
    }

    /// Returns whether the queue is included in the unique key.
    #[must_use]
    pub const fn by_queue(&self) -> bool {
        self.by_queue
    }

    /// Returns the custom set of states in which the key is unique.
    #[must_use]
    pub fn by_state(&self) -> Option<&[JobState]> {
        self.by_state.as_deref()
    }

    /// Returns whether the job kind is excluded from the unique key.
    #[must_use]
    pub const fn exclude_kind(&self) -> bool {
        self.exclude_kind
    }

    /// Returns the options with encoded arguments included in the unique
    /// key, or not.
    ///
    /// The arguments must encode to a JSON object. An empty array is treated
    /// as `{}`, and inserting any other non-object arguments fails.
    #[must_use]
    pub const fn with_by_args(mut self, by_args: bool) -> Self {
        self.by_args = by_args;
        self
    }

    /// Returns the options with the lower bound of `period` included in the
    /// unique key.
    #[must_use]
    pub const fn with_by_period(mut self, period: Duration) -> Self {
        self.by_period = Some(period);
        self
    }

    /// Returns the options with the queue included in the unique key, or
    /// not.
    #[must_use]
    pub const fn with_by_queue(mut self, by_queue: bool) -> Self {
        self.by_queue = by_queue;
        self
    }

    /// Returns the options with a custom set of states in which the key is
    /// unique.
    #[must_use]
    pub fn with_by_state(mut self, states: impl IntoIterator<Item = JobState>) -> Self {
        self.by_state = Some(states.into_iter().collect());
        self
    }

    /// Returns the options with the job kind excluded from the unique key,
    /// or not.
    ///
    /// Excluding the kind requires arguments, queue, or period in the key;
    /// inserting with only the kind excluded fails.
    #[must_use]
    pub const fn with_exclude_kind(mut self, exclude_kind: bool) -> Self {
        self.exclude_kind = exclude_kind;
        self
    }

    /// Whether no uniqueness dimension is enabled.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.by_args
            && self.by_period.is_none()
            && !self.by_queue
            && self.by_state.is_none()
            && !self.exclude_kind
    }

    /// Canonical persisted bitmask for the configured states. Like Go, an
    /// empty custom set means the default states.
    pub(crate) fn state_bitmask(&self) -> u8 {
        self.by_state
            .as_deref()
            .filter(|states| !states.is_empty())
            .unwrap_or(JobState::UNIQUE_DEFAULT)
            .iter()
            .fold(0, |mask, state| mask | state.unique_bit())
    }

    /// Validates River's uniqueness invariants.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if let Some(period) = self.by_period
            && period < Duration::from_secs(1)
        {
            return Err("unique period must be at least one second".to_owned());
        }
        // Without the kind, arguments, queue, or period, every job would
        // share one key.
        if self.exclude_kind && !self.by_args && !self.by_queue && self.by_period.is_none() {
            return Err(
                "excluding the kind from a unique key requires arguments, queue, or period"
                    .to_owned(),
            );
        }
        // Like Go, an empty custom set means the default states, which
        // include every required one.
        if let Some(states) = &self.by_state
            && !states.is_empty()
        {
            let missing = JobState::UNIQUE_REQUIRED
                .iter()
                .filter(|state| !states.contains(state))
                .map(|state| state.as_str())
                .collect::<Vec<_>>();
            if !missing.is_empty() {
                return Err(format!(
                    "unique states must contain required states: {}",
                    missing.join(", ")
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_ATTEMPTS_DEFAULT;

    #[test]
    fn unique_states_must_include_the_required_states() {
        let error = UniqueOpts::new()
            .with_by_state([JobState::Available, JobState::Completed])
            .validate()
            .unwrap_err();
        assert_eq!(
            error,
            "unique states must contain required states: pending, running, scheduled"
        );
        let required = UniqueOpts::new().with_by_state(JobState::UNIQUE_REQUIRED.iter().copied());
        assert!(required.validate().is_ok());

        // As in Go, where a non-nil empty `ByState` enables uniqueness with
        // the default states.
        let empty = UniqueOpts::new().with_by_state([]);
        assert!(!empty.is_empty());
        assert!(empty.validate().is_ok());
        assert_eq!(
            empty.state_bitmask(),
            UniqueOpts::new().with_by_args(true).state_bitmask()
        );
    }

    #[test]
    fn excluding_the_kind_requires_another_dimension() {
        let kind_only = UniqueOpts::new().with_exclude_kind(true);
        assert!(!kind_only.is_empty());
        assert_eq!(
            kind_only.validate().unwrap_err(),
            "excluding the kind from a unique key requires arguments, queue, or period"
        );
        assert!(
            kind_only
                .clone()
                .with_by_state(JobState::UNIQUE_REQUIRED.iter().copied())
                .validate()
                .is_err()
        );
        for valid in [
            kind_only.clone().with_by_args(true),
            kind_only.clone().with_by_queue(true),
            kind_only.with_by_period(Duration::from_mins(1)),
        ] {
            assert!(valid.validate().is_ok(), "{valid:?}");
        }
    }

    #[test]
    fn insertion_options_resolve_by_layer_without_sentinels() {
        let job_defaults = InsertOpts::default()
            .with_max_attempts(9)
            .with_priority(3)
            .with_queue("job_queue")
            .with_scheduled_at(Timestamp::now());
        let resolved = InsertOpts::resolve(
            7,
            job_defaults,
            InsertOpts::default().with_priority(2).without_schedule(),
        );

        assert_eq!(resolved.max_attempts, 9);
        assert_eq!(resolved.priority, 2);
        assert_eq!(resolved.queue, "job_queue");
        assert_eq!(resolved.scheduled_at, None);
    }

    #[test]
    fn per_call_metadata_replaces_default_metadata_wholesale() {
        let defaults = InsertOpts::default().with_metadata(
            r#"{"team":"a","river:addon":{"key":1e400},"river:shared":"default"}"#
                .parse::<JobMetadata>()
                .unwrap(),
        );
        // Like Go, even reserved `river:` keys from the defaults are replaced.
        let resolved = InsertOpts::resolve(
            7,
            defaults.clone(),
            InsertOpts::default().with_metadata(
                r#"{"call":true,"river:shared":"call"}"#.parse::<JobMetadata>().unwrap(),
            ),
        );
        assert_eq!(
            resolved.metadata.as_raw().get(),
            r#"{"call":true,"river:shared":"call"}"#
        );

        // Without per-call metadata, the defaults apply unchanged.
        let resolved = InsertOpts::resolve(7, defaults, InsertOpts::default());
        assert_eq!(
            resolved.metadata.as_raw().get(),
            r#"{"team":"a","river:addon":{"key":1e400},"river:shared":"default"}"#
        );
    }

    #[test]
    fn overlay_replaces_only_options_set_in_overrides() {
        let scheduled_at = Timestamp::now();
        let base = InsertOpts::default()
            .with_max_attempts(9)
            .with_priority(3)
            .with_queue("base_queue")
            .with_scheduled_at(scheduled_at)
            .with_tags(["base"]);

        let kept = base.clone().overlay(InsertOpts::default());
        assert_eq!(kept.max_attempts(), Some(9));
        assert_eq!(kept.queue(), Some("base_queue"));
        assert_eq!(kept.scheduled_at(), ScheduleOverride::At(scheduled_at));
        assert_eq!(kept.tags(), Some(&["base".to_owned()][..]));

        let overlaid = base.overlay(
            InsertOpts::default()
                .with_priority(2)
                .with_tags(Vec::<String>::new())
                .with_unique(UniqueOpts::new().with_by_queue(true))
                .without_schedule(),
        );
        assert_eq!(overlaid.max_attempts(), Some(9));
        assert_eq!(overlaid.priority(), Some(2));
        assert_eq!(overlaid.queue(), Some("base_queue"));
        assert_eq!(overlaid.scheduled_at(), ScheduleOverride::Immediate);
        assert_eq!(overlaid.tags(), Some(&[][..]));
        assert!(overlaid.unique().is_some_and(UniqueOpts::by_queue));
    }

    #[test]
    fn job_and_insert_result_expose_ids() {
        let row = JobRow::new(
            42,
            "id_test",
            crate::encoding::encode_args(&serde_json::json!({})).unwrap(),
            Timestamp::now(),
        );
        let job = Job::new((), row.clone());
        assert_eq!(job.id(), 42);
        assert_eq!(
            InsertResult {
                job,
                unique_skipped_as_duplicate: false,
            }
            .id(),
            42
        );
        assert_eq!(
            InsertBatchResult {
                job: row,
                unique_skipped_as_duplicate: true,
            }
            .id(),
            42
        );
    }

    #[test]
    fn explicit_river_default_overrides_a_job_default() {
        let resolved = InsertOpts::resolve(
            7,
            InsertOpts::default()
                .with_max_attempts(9)
                .with_priority(3)
                .with_queue("job_queue"),
            InsertOpts::default()
                .with_max_attempts(MAX_ATTEMPTS_DEFAULT)
                .with_priority(PRIORITY_DEFAULT)
                .with_queue(QUEUE_DEFAULT),
        );

        assert_eq!(resolved.max_attempts, MAX_ATTEMPTS_DEFAULT);
        assert_eq!(resolved.priority, PRIORITY_DEFAULT);
        assert_eq!(resolved.queue, QUEUE_DEFAULT);
    }
}
