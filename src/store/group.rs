//! Group commit: work that arrives while the database is busy (chat events, timers
//! coming due) waits here and is then applied together, in one transaction, each piece
//! in its own step (a savepoint), so one commit serves them all. Work that finds a
//! writer's turn free starts at once: it never waits for company.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The work waiting for a writer's turn.
pub struct Batches<J> {
    waiting: Mutex<VecDeque<J>>,
    turns: Arc<Semaphore>,
    /// The most events one transaction carries: a batch holds its rows' locks (on
    /// SQLite, the database's) until it commits, so other writers wait at most that long.
    most: usize,
}

/// Applies one batch and tells each piece of it its fate.
pub type Run<J> = Arc<dyn Fn(Vec<J>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

impl<J> Batches<J> {
    /// `writers` transactions at a time (one on SQLite, which has a single writer).
    pub fn new(writers: usize, most: usize) -> Self {
        Batches { waiting: Mutex::default(), turns: Arc::new(Semaphore::new(writers.max(1))), most: most.max(1) }
    }

    pub fn push(&self, job: J) {
        self.lock().push_back(job);
    }

    /// The next batch with the turn to run it in, if a turn is free and events wait. A
    /// caller that pushed and then found no turn free leaves its event to the batch that
    /// holds one: that batch takes again after giving its turn back.
    pub fn take(&self) -> Option<(OwnedSemaphorePermit, Vec<J>)> {
        let turn = self.turns.clone().try_acquire_owned().ok()?;
        let mut waiting = self.lock();
        let n = waiting.len().min(self.most);
        if n == 0 {
            return None;
        }
        Some((turn, waiting.drain(..n).collect()))
    }

    /// Runs a batch in every free writer's turn, each in a task of its own: a panic ends
    /// only that batch (its transaction rolls back as it is dropped; `run` tells its
    /// work what became of it) and the turn still passes on. A finished batch starts the
    /// next.
    pub fn start(self: &Arc<Self>, run: Run<J>)
    where
        J: Send + 'static,
    {
        while let Some((turn, batch)) = self.take() {
            let (me, run) = (self.clone(), run.clone());
            tokio::spawn(async move {
                let _ = tokio::spawn(run(batch)).await;
                drop(turn);
                me.start(run);
            });
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<J>> {
        // The queue holds plain values: a panic elsewhere cannot leave it half-changed.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::Batches;

    #[test]
    fn a_batch_takes_what_waits_up_to_its_size_and_needs_a_free_turn() {
        let batches = Batches::new(1, 3);
        assert!(batches.take().is_none(), "nothing waits");
        for i in 0..5 {
            batches.push(i);
        }
        let (turn, first) = batches.take().expect("a turn is free");
        assert_eq!(first, vec![0, 1, 2]);
        assert!(batches.take().is_none(), "the only turn is taken");
        drop(turn);
        let (_turn, second) = batches.take().expect("the turn came back");
        assert_eq!(second, vec![3, 4]);
    }
}
