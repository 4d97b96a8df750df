//! Execution of individual job attempts.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info_span, warn};

use crate::client::attempts::remove_running_attempt;
use crate::client::completer::{CompletionAttempt, CompletionTiming, CompletionUpdate};
use crate::client::{ClientInner, PeerLedger, peers};
use crate::error::{Chain, panic_message};
use crate::extension::{WorkEndpoint, WorkNext};
use crate::{
    AttemptError, BoxError, Client, Error, ErrorHandlerDecision, JobCancelError, JobEventKind,
    JobMetadata, JobRow, JobState, PanicError, WorkCancelled, WorkContext, WorkError, WorkOutcome,
    WorkResult, WorkerTimeout,
};

/// Runs one claimed job's attempt and persists its result.
///
/// `decode_error` is set for a job whose row couldn't be fully decoded, in
/// which case `row` holds only the fields that could be. Like River Go, such a
/// job isn't worked: its attempt fails with the decode error before hooks or
/// middleware run, the same way as an unknown job kind, and goes through
/// ordinary error handling. The error handler sees the partial row, and the
/// job is retried with the client's retry policy or discarded at its maximum
/// attempts.
#[expect(
    clippy::too_many_lines,
    reason = "one attempt's decode, work, error handling, and persistence share its state"
)]
pub(super) async fn execute_job(
    inner: Arc<ClientInner>,
    row: JobRow,
    decode_error: Option<String>,
    hard_cancel: CancellationToken,
    cancellation: CancellationToken,
    completion_sender: mpsc::Sender<CompletionUpdate>,
) {
    let span = info_span!("river_job", job_id = row.id, job_kind = %row.kind, queue = %row.queue);
    async move {
        let queue_wait_duration = row
            .attempted_at
            .and_then(|attempted_at| {
                attempted_at.duration_since(row.scheduled_at.max(row.created_at))
                    .try_into()
                    .ok()
            })
            .unwrap_or_default();
        // Like River Go's executor start time, which it records as the
        // attempt error's `at`.
        let attempt_started_at = Timestamp::now();
        let peers = Arc::new(PeerLedger::new(row.id, attempt_started_at));
        // The worker gets a child of the attempt's token. It observes
        // timeouts, remote cancellation, and stops, but cancelling it itself
        // (directly or through a drop guard) doesn't look like a remote
        // cancellation, just as a Go worker can't cancel its own context.
        let context = WorkContext::for_job(
            Client {
                inner: Arc::clone(&inner),
            },
            cancellation.child_token(),
            row.id,
            &row.metadata,
        )
        .with_peers(Arc::clone(&peers));
        let work_started = std::time::Instant::now();
        let mut cancellation_cause = None;
        let worked = decode_error.is_none();
        let result = match decode_error {
            Some(decode_error) => {
                error!(error = %decode_error, "River job row couldn't be decoded; failing attempt without working it");
                Some(Err(worker_failure_from_source(
                    format!("job row couldn't be decoded: {decode_error}").into(),
                )))
            }
            None => {
                run_worker(
                    &inner,
                    &row,
                    &context,
                    &hard_cancel,
                    &cancellation,
                    &mut cancellation_cause,
                )
                .await
            }
        };
        let Some(result) = result else {
            // The task outlived its abort during shutdown and may still be
            // running. Leave the row `running` for the rescuer rather than
            // making it available to run concurrently with the original. Its
            // peers are left to the rescuer as well.
            peers.abandon(&inner);
            remove_running_attempt(&inner.running, row.id, &cancellation);
            return;
        };

        // A cooperative worker can observe cancellation and return before this
        // select polls the cancellation branch. Preserve the cancellation cause
        // in that race so remote cancellation still gets its canonical outcome.
        if cancellation_cause.is_none() && cancellation.is_cancelled() {
            cancellation_cause = Some(if hard_cancel.is_cancelled() {
                CancellationCause::Shutdown
            } else {
                CancellationCause::Remote
            });
        }

        let run_duration = work_started.elapsed();
        let mut result = result;
        if let Some(resumable_failure) = context.resumable_finish(!matches!(result, Ok(WorkOutcome::Complete)))
            && result.is_ok()
        {
            result = Err(WorkerFailure {
                error: Chain(&resumable_failure).to_string(),
                kind: WorkerFailureKind::Error,
                source: Some(resumable_failure),
                trace: String::new(),
            });
        }
        if cancellation_cause == Some(CancellationCause::Shutdown)
            && let Err(failure) = &mut result
            && is_soft_stop_failure(failure)
        {
            failure.error.clear();
            failure.error.push_str("job interrupted by client shutdown");
            failure.kind = WorkerFailureKind::Interrupted;
            failure.source = None;
            failure.trace.clear();
        }
        if cancellation_cause == Some(CancellationCause::Remote)
            && !matches!(result, Ok(WorkOutcome::Complete))
        {
            result = Err(WorkerFailure {
                error: "JobCancelError: job cancelled remotely".to_owned(),
                kind: WorkerFailureKind::Cancelled,
                source: None,
                trace: String::new(),
            });
        }
        let work_result = public_work_result(&result);
        let mut error_handler_result = ErrorHandlerDecision::default();
        if let Some(error_handler) = &inner.error_handler
            && matches!(
                work_result,
                WorkResult::Aborted | WorkResult::Failed(_) | WorkResult::Panicked(_)
            )
        {
            match error_handler
                .handle_error(&context, &row, &work_result)
                .await
            {
                Ok(handler_result) => error_handler_result = handler_result,
                Err(handler_error) => {
                    error!(error = %crate::error::Chain(&handler_error), "River error handler failed");
                }
            }
        }
        // Peers settle before the coordinator's own outcome, so its
        // producer's `job_finished` comes after them.
        peers
            .finish(
                &inner,
                &context,
                cancellation_cause == Some(CancellationCause::Shutdown),
            )
            .await;
        let metadata_updates = context.metadata_updates();
        let completion = CompletionAttempt {
            cancellation: cancellation.clone(),
            timing: CompletionTiming {
                completion_started: std::time::Instant::now(),
                queue_wait_duration,
                run_duration,
            },
        };
        let persisted = persist_result(
            &inner,
            &row,
            attempt_started_at,
            &completion,
            result,
            metadata_updates,
            error_handler_result,
            worked,
            &completion_sender,
            None,
        )
        .await;
        // Once enqueued, the completer owns the running attempt until the
        // result is written.
        if let Err(operation_error) = persisted {
            error!(error = %crate::error::Chain(&operation_error), "failed to persist River job result");
            remove_running_attempt(&inner.running, row.id, &cancellation);
        }
    }
    .instrument(span)
    .await;
}

/// Works a job, returning its result, or `None` when the worker task outlived
/// its abort during shutdown.
async fn run_worker(
    inner: &Arc<ClientInner>,
    row: &JobRow,
    context: &WorkContext,
    hard_cancel: &CancellationToken,
    cancellation: &CancellationToken,
    cancellation_cause: &mut Option<CancellationCause>,
) -> Option<WorkerResult> {
    let worker_row = row.clone();
    let worker_context = context.clone();
    let worker_inner = Arc::clone(inner);
    let (timeout_sender, timeout_receiver) = oneshot::channel();
    // The worker runs in its own task so a panic or an abort can't take the
    // executor with it. It stays inside this job's span.
    let mut worker_task = AbortOnDrop(tokio::spawn(
        async move {
            worker_context.resumable_validate()?;
            // Like River Go, an unknown kind fails before any middleware or
            // hook runs.
            worker_inner.workers.check_kind(&worker_row)?;
            let hooks_context = worker_context.clone();
            let hooks_inner = Arc::clone(&worker_inner);
            let endpoint: WorkEndpoint<'_> = Box::new(move |mut job: JobRow| {
                Box::pin(async move {
                    for hook in &hooks_inner.hooks {
                        hook.work_begin(&hooks_context, &mut job)
                            .await
                            .map_err(WorkError::from_boxed)?;
                    }
                    // The worker consumes the row, so it's copied only when
                    // work-end hooks need it afterward.
                    if hooks_inner.hooks.is_empty() {
                        return hooks_inner
                            .workers
                            .work(hooks_context.clone(), job, timeout_sender)
                            .await?;
                    }
                    let mut result = hooks_inner
                        .workers
                        .work(hooks_context.clone(), job.clone(), timeout_sender)
                        .await?;
                    for hook in &hooks_inner.hooks {
                        result = hook.work_end(&hooks_context, &job, result).await;
                    }
                    result
                })
            });
            WorkNext::new(&worker_inner.work_middleware, &worker_context, endpoint)
                .run(worker_row)
                .await
        }
        .in_current_span(),
    ));

    // The worker reports its timeout after decoding the job's arguments,
    // following any hooks and middleware, so the timeout covers the work
    // itself as in River Go.
    let timeout_elapsed = async {
        let timeout = match timeout_receiver.await {
            Ok(WorkerTimeout::After(timeout)) => Some(timeout),
            Ok(WorkerTimeout::ClientDefault) => inner.job_timeout,
            // Disabled, or the attempt ended before work started.
            Ok(WorkerTimeout::Disabled) | Err(_) => None,
        };
        match timeout {
            Some(timeout) => {
                tokio::time::sleep(timeout).await;
                timeout
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        result = &mut worker_task.0 => Some(worker_join_result(result)),
        () = cancellation.cancelled() => {
            *cancellation_cause = Some(if hard_cancel.is_cancelled() {
                CancellationCause::Shutdown
            } else {
                CancellationCause::Remote
            });
            finish_cancelled_task(inner, row, &mut worker_task.0, hard_cancel, None).await
        }
        timeout = timeout_elapsed => {
            *cancellation_cause = Some(CancellationCause::Timeout);
            cancellation.cancel();
            finish_cancelled_task(inner, row, &mut worker_task.0, hard_cancel, Some(timeout)).await
        }
    }
}

pub(super) type WorkerResult = Result<WorkOutcome, WorkerFailure>;

#[derive(Debug)]
pub(super) struct WorkerFailure {
    pub(super) error: String,
    pub(super) kind: WorkerFailureKind,
    pub(super) source: Option<WorkError>,
    pub(super) trace: String,
}

#[derive(Debug)]
pub(super) enum WorkerFailureKind {
    Aborted,
    Cancelled,
    Error,
    Interrupted,
    Panic,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) enum CancellationCause {
    Remote,
    Shutdown,
    Timeout,
}

/// Aborts a spawned worker task when the executor that owns it is dropped, so
/// a stopped client never leaves work running detached from its runtime.
pub(super) struct AbortOnDrop<T>(pub(super) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How long shutdown waits for an aborted task before abandoning it.
const ABORT_GRACE_DURING_SHUTDOWN: Duration = Duration::from_millis(100);

/// Waits for a cancelled job to return, then treats it as stuck.
///
/// `timeout` is the timeout that cancelled the job, if one did: the worker's
/// own timeout when it sets one, otherwise the client's.
///
/// After `job_stuck_threshold`, the stuck handler runs and the task is
/// aborted. The aborted attempt fails with "job aborted after ignoring
/// cancellation", during a hard stop as well, so it counts and is retried or
/// discarded like any failed attempt. Tokio abort only takes effect at the
/// task's next `.await`, so a task blocked in synchronous code keeps its
/// worker slot until it actually ends: the queue never exceeds
/// `max_workers`, and the job is not persisted (and so cannot be fetched
/// again) while the original may still be running.
/// During shutdown the executor gives up after a short grace period and
/// returns `None`, leaving the row `running` for the rescuer.
pub(super) async fn finish_cancelled_task(
    inner: &ClientInner,
    row: &JobRow,
    worker_task: &mut tokio::task::JoinHandle<Result<WorkOutcome, WorkError>>,
    hard_cancel: &CancellationToken,
    timeout: Option<Duration>,
) -> Option<WorkerResult> {
    let stuck_threshold = inner.job_stuck_threshold;
    if let Ok(result) = tokio::time::timeout(stuck_threshold, &mut *worker_task).await {
        return Some(worker_join_result(result));
    }
    // Like Go's stuck job log line, report the timeout that applied to this
    // job, which is the worker's own when it sets one.
    warn!(
        job_id = row.id,
        kind = %row.kind,
        ?timeout,
        ?stuck_threshold,
        "River job remained active after cancellation; treating it as stuck and aborting its task"
    );
    if let Some(error_handler) = &inner.error_handler
        && let Err(handler_error) = error_handler.handle_stuck(row).await
    {
        error!(error = %crate::error::Chain(&handler_error), "River stuck handler failed");
    }
    worker_task.abort();
    let result = tokio::select! {
        result = &mut *worker_task => Some(result),
        () = async {
            hard_cancel.cancelled().await;
            tokio::time::sleep(ABORT_GRACE_DURING_SHUTDOWN).await;
        } => None,
    };
    let Some(result) = result else {
        error!(
            "River job remained stuck after its task was aborted during shutdown; leaving it running for the rescuer"
        );
        return None;
    };
    Some(match result {
        Err(join_error) if join_error.is_cancelled() => Err(WorkerFailure {
            error: "job aborted after ignoring cancellation".to_owned(),
            kind: WorkerFailureKind::Aborted,
            source: None,
            trace: String::new(),
        }),
        result => worker_join_result(result),
    })
}

/// Whether a failure during hard shutdown is the job stopping because the
/// client cancelled it, mirroring River Go's `isSoftStopCancelError`.
///
/// A worker that returns [`WorkCancelled`] (anywhere in its error's source
/// chain) stopped cooperatively. A task River aborted because it still
/// ignored cancellation after the stuck threshold didn't stop on its own: it
/// had that long to respond, so its attempt fails and follows the ordinary
/// retry path like panics and other returned errors.
pub(super) fn is_soft_stop_failure(failure: &WorkerFailure) -> bool {
    match failure.kind {
        WorkerFailureKind::Error => failure
            .source
            .as_ref()
            .is_some_and(|error| WorkCancelled::is_in_chain(error.get_ref())),
        WorkerFailureKind::Aborted
        | WorkerFailureKind::Cancelled
        | WorkerFailureKind::Interrupted
        | WorkerFailureKind::Panic => false,
    }
}

pub(super) fn worker_join_result(
    result: Result<Result<WorkOutcome, WorkError>, tokio::task::JoinError>,
) -> WorkerResult {
    match result {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(worker_error)) => Err(worker_failure(worker_error)),
        // Like Go, a panic is recorded as the panic's value alone.
        Err(join_error) if join_error.is_panic() => {
            let trace = format!("{join_error:?}");
            Err(WorkerFailure {
                error: panic_message(&join_error.into_panic()).to_owned(),
                kind: WorkerFailureKind::Panic,
                source: None,
                trace,
            })
        }
        Err(join_error) => Err(WorkerFailure {
            error: format!("job task cancelled: {join_error}"),
            kind: WorkerFailureKind::Aborted,
            source: None,
            trace: format!("{join_error:?}"),
        }),
    }
}

/// A `JobCancelError` anywhere in the error's chain cancels the job and
/// records its reason, whether a worker returned it or an extension reported
/// it for a peer.
fn worker_failure(error: WorkError) -> WorkerFailure {
    WorkerFailure {
        error: Chain(&error).to_string(),
        kind: if JobCancelError::is_in_chain(error.get_ref()) {
            WorkerFailureKind::Cancelled
        } else {
            WorkerFailureKind::Error
        },
        source: Some(error),
        trace: String::new(),
    }
}

pub(super) fn worker_failure_from_source(error: BoxError) -> WorkerFailure {
    worker_failure(WorkError::from_boxed(error))
}

pub(super) fn public_work_result(result: &WorkerResult) -> WorkResult {
    match result {
        Ok(WorkOutcome::Cancel) => WorkResult::Cancelled,
        Ok(WorkOutcome::Complete) => WorkResult::Completed,
        Ok(WorkOutcome::Discard) => WorkResult::Discarded,
        Ok(WorkOutcome::Snooze(duration)) => WorkResult::Snoozed(*duration),
        Err(failure) => match failure.kind {
            WorkerFailureKind::Aborted => WorkResult::Aborted,
            WorkerFailureKind::Cancelled => WorkResult::Cancelled,
            WorkerFailureKind::Error => {
                WorkResult::Failed(failure.source.clone().unwrap_or_else(|| {
                    WorkError::new(Box::new(std::io::Error::other(failure.error.clone())))
                }))
            }
            WorkerFailureKind::Interrupted => WorkResult::Interrupted,
            WorkerFailureKind::Panic => {
                WorkResult::Panicked(PanicError::new(failure.error.clone()))
            }
        },
    }
}

#[expect(
    clippy::too_many_arguments,
    clippy::too_many_lines,
    reason = "maps every attempt outcome to its completion from the attempt's recorded state"
)]
pub(super) async fn persist_result(
    inner: &ClientInner,
    row: &JobRow,
    attempt_started_at: Timestamp,
    completion: &CompletionAttempt,
    result: WorkerResult,
    metadata_updates: Map<String, Value>,
    error_handler_result: ErrorHandlerDecision,
    worked: bool,
    completion_sender: &mpsc::Sender<CompletionUpdate>,
    peer: Option<Arc<peers::PeerCompletion>>,
) -> Result<(), Error> {
    let now = Timestamp::now();
    let (state, finalized_at, scheduled_at, attempt, attempt_error, metadata, event_kind) =
        match result {
            Ok(WorkOutcome::Complete) => (
                JobState::Completed,
                Some(now),
                None,
                None,
                None,
                metadata_updates,
                JobEventKind::Completed,
            ),
            Ok(WorkOutcome::Cancel) => (
                JobState::Cancelled,
                Some(now),
                None,
                None,
                Some(AttemptError {
                    at: attempt_started_at,
                    attempt: row.attempt,
                    error: "job cancelled by worker".to_owned(),
                    trace: String::new(),
                }),
                metadata_updates,
                JobEventKind::Cancelled,
            ),
            Ok(WorkOutcome::Discard) => (
                JobState::Discarded,
                Some(now),
                None,
                None,
                Some(AttemptError {
                    at: attempt_started_at,
                    attempt: row.attempt,
                    error: "job discarded by worker".to_owned(),
                    trace: String::new(),
                }),
                metadata_updates,
                JobEventKind::Failed,
            ),
            Ok(WorkOutcome::Snooze(duration)) => {
                let scheduled_at = scheduled_after(now, duration);
                let state = if duration <= inner.maintenance.scheduler_interval {
                    JobState::Available
                } else {
                    JobState::Scheduled
                };
                let mut metadata = metadata_updates;
                let snoozes = next_snooze_count(&row.metadata);
                metadata.insert("snoozes".to_owned(), Value::from(snoozes));
                (
                    state,
                    None,
                    Some(scheduled_at),
                    Some(row.attempt - 1),
                    None,
                    metadata,
                    JobEventKind::Snoozed,
                )
            }
            // River Go's `JobSetStateInterrupted`: make the job available now
            // without recording an error or counting the attempt. The
            // completer keeps `attempted_at` and still honors a cancellation
            // that was attempted while the job ran.
            Err(failure) if matches!(failure.kind, WorkerFailureKind::Interrupted) => (
                JobState::Available,
                None,
                Some(now),
                Some((row.attempt - 1).max(0)),
                None,
                metadata_updates,
                JobEventKind::Interrupted,
            ),
            Err(failure) => {
                let retry_error = failure.source.clone().unwrap_or_else(|| {
                    WorkError::new(Box::new(std::io::Error::other(failure.error.clone())))
                });
                let attempt_error = AttemptError {
                    at: attempt_started_at,
                    attempt: row.attempt,
                    error: failure.error,
                    trace: failure.trace,
                };
                if matches!(failure.kind, WorkerFailureKind::Cancelled)
                    || error_handler_result == ErrorHandlerDecision::Cancel
                {
                    (
                        JobState::Cancelled,
                        Some(now),
                        None,
                        None,
                        Some(attempt_error),
                        metadata_updates,
                        JobEventKind::Cancelled,
                    )
                } else if row.attempt >= row.max_attempts {
                    (
                        JobState::Discarded,
                        Some(now),
                        None,
                        None,
                        Some(attempt_error),
                        metadata_updates,
                        JobEventKind::Failed,
                    )
                } else {
                    // Like River Go, a job that wasn't worked because its row
                    // couldn't be decoded uses only the client's retry policy.
                    let worker_retry_after = if worked {
                        inner
                            .workers
                            .next_retry(row, &retry_error, now)
                            .unwrap_or_else(|retry_error| {
                                debug!(error = %retry_error, "could not evaluate worker retry override");
                                None
                            })
                    } else {
                        None
                    };
                    let delay = worker_retry_after
                        .unwrap_or_else(|| inner.retry_policy.next_retry(row, &retry_error, now));
                    let scheduled_at = scheduled_after(now, delay);
                    let state = if delay <= inner.maintenance.scheduler_interval {
                        JobState::Available
                    } else {
                        JobState::Retryable
                    };
                    (
                        state,
                        None,
                        Some(scheduled_at),
                        None,
                        Some(attempt_error),
                        metadata_updates,
                        JobEventKind::Failed,
                    )
                }
            }
        };

    completion_sender
        .send(CompletionUpdate {
            attempt,
            cancellation: completion.cancellation.clone(),
            error: attempt_error,
            event_kind,
            finalized_at,
            job_id: row.id,
            metadata,
            scheduled_at,
            state,
            timing: completion.timing,
            peer,
        })
        .await
        .map_err(|_| Error::runtime_context("job completion", "completion batcher stopped"))
}

/// Longest delay River schedules ahead, matching Go's `time.Duration` range.
const MAX_SCHEDULE_DELAY: Duration = Duration::from_nanos(i64::MAX.cast_unsigned());

/// Adds a snooze or retry delay to `now`, clamping out-of-range delays the way
/// River Go's `time.Duration` arithmetic bounds them instead of failing.
pub(super) fn scheduled_after(now: Timestamp, delay: Duration) -> Timestamp {
    now.checked_add(delay.min(MAX_SCHEDULE_DELAY))
        .unwrap_or(Timestamp::MAX)
}

pub(crate) fn default_retry_delay(row: &JobRow, now: Timestamp, seed: u64) -> Duration {
    const MAX_RETRY_NANOS: u64 = i64::MAX as u64;

    let error_count = u32::try_from(row.errors.len().saturating_add(1)).unwrap_or(u32::MAX);
    let base_seconds = u128::from(error_count).pow(4);
    if base_seconds.saturating_mul(1_000_000_000) >= u128::from(MAX_RETRY_NANOS) {
        return Duration::from_nanos(MAX_RETRY_NANOS);
    }
    let base_seconds = u64::try_from(base_seconds).expect("capped retry seconds fit u64");
    let base = Duration::from_secs(base_seconds);

    let mut hasher = Sha256::new();
    hasher.update(seed.to_be_bytes());
    hasher.update(row.id.to_be_bytes());
    hasher.update(error_count.to_be_bytes());
    hasher.update(
        i64::try_from(now.as_nanosecond())
            .unwrap_or_default()
            .to_be_bytes(),
    );
    let hash = hasher.finalize();
    let sample = u32::from_be_bytes(hash[..4].try_into().unwrap());
    let ratio = f64::from(sample) / f64::from(u32::MAX);
    // Jitter can push a delay just below the cap past it; Go caps after
    // jitter as well.
    base.mul_f64(0.9 + ratio * 0.2)
        .min(Duration::from_nanos(MAX_RETRY_NANOS))
}

/// Increments an integer counter, restarting missing, invalid, or overflowing
/// counters at one. Invalid-value recovery is not a cross-language contract.
fn next_snooze_count(metadata: &JobMetadata) -> i64 {
    metadata
        .get::<i64>("snoozes")
        .ok()
        .flatten()
        .filter(|count| *count >= 0)
        .and_then(|count| count.checked_add(1))
        .unwrap_or(1)
}

#[cfg(test)]
mod snooze_counter_tests {
    use crate::{JobMetadata, conformance::read_fixture};
    use serde::Deserialize;

    use super::next_snooze_count;

    #[derive(Deserialize)]
    struct Fixture {
        snooze_counters: Vec<SnoozeCounter>,
    }

    #[derive(Deserialize)]
    struct SnoozeCounter {
        expected_snoozes: i64,
        metadata: JobMetadata,
        name: String,
    }

    #[test]
    fn invalid_counters_recover_without_panicking() {
        for raw in [
            "2.9",
            "-2",
            "1e3",
            "1e400",
            "9223372036854775807",
            "9223372036854775808",
            r#""4""#,
            r#""4.5""#,
            r#""1e3""#,
            r#"" 5""#,
            r#""abc""#,
            "true",
            "false",
            "null",
            "[3]",
            r#"{"count":3}"#,
        ] {
            let metadata: JobMetadata = format!(r#"{{"snoozes":{raw}}}"#).parse().unwrap();
            assert!(next_snooze_count(&metadata) > 0, "{raw}");
        }
    }

    #[test]
    fn snooze_counter_matches_go_fixture() {
        let fixture: Fixture = serde_json::from_str(&read_fixture("snooze_counters.json")).unwrap();
        assert!(!fixture.snooze_counters.is_empty());
        for case in fixture.snooze_counters {
            assert_eq!(
                next_snooze_count(&case.metadata),
                case.expected_snoozes,
                "{}",
                case.name
            );
        }
    }
}

#[cfg(test)]
mod worker_failure_tests {
    use crate::{BoxError, JobCancelError, WorkError};

    use super::{WorkerFailureKind, worker_failure_from_source};

    /// A boxed `WorkError`, as an extension returns after running work-end
    /// hooks, keeps its original error rather than being wrapped again.
    #[test]
    fn boxed_work_errors_keep_their_original_error() {
        let original = WorkError::new(std::io::Error::other("worker failed"));
        let failure = worker_failure_from_source(Box::new(original) as BoxError);
        let source = failure.source.unwrap();
        assert!(source.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(failure.error, "worker failed");
    }

    /// An extension reporting a peer's cancellation, boxed directly or
    /// after work-end hooks, cancels the peer like a worker's cancellation.
    #[test]
    fn job_cancel_errors_cancel() {
        for error in [
            Box::new(JobCancelError::new("card expired")) as BoxError,
            Box::new(WorkError::new(JobCancelError::new("card expired"))),
        ] {
            let failure = worker_failure_from_source(error);
            assert!(matches!(failure.kind, WorkerFailureKind::Cancelled));
            assert_eq!(failure.error, "JobCancelError: card expired");
        }
    }

    #[test]
    fn other_errors_are_wrapped() {
        let failure = worker_failure_from_source(Box::new(std::io::Error::other("worker failed")));
        assert!(
            failure
                .source
                .unwrap()
                .downcast_ref::<std::io::Error>()
                .is_some()
        );
    }
}
