//! Prometheus metrics: commands by name and outcome, deliveries by platform and result,
//! outbox depth and dead letters, job lag. One registry per process, like the
//! Prometheus default registry, so every part can count without being handed it.

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    pub command: String,
    /// ok, refused (a user mistake or a denied permission) or error.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub platform: String,
    /// sent, skipped, rate_limited, retry or dead.
    pub result: String,
}

pub struct Metrics {
    registry: Registry,
    pub commands: Family<CommandLabels, Counter>,
    pub deliveries: Family<DeliveryLabels, Counter>,
    /// Seconds between when a timer or schedule run was due and when it ran.
    pub job_lag: Histogram,
    pub outbox_pending: Gauge,
    pub outbox_dead: Gauge,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("deskmate");
        let commands = Family::<CommandLabels, Counter>::default();
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        let job_lag = Histogram::new([0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0]);
        let outbox_pending = Gauge::default();
        let outbox_dead = Gauge::default();
        registry.register("commands", "Commands handled, by command and outcome", commands.clone());
        registry.register("deliveries", "Outbound message attempts, by platform and result", deliveries.clone());
        registry.register("job_lag_seconds", "How late timers and schedule runs ran", job_lag.clone());
        registry.register("outbox_pending", "Messages waiting in the outbox", outbox_pending.clone());
        registry.register("outbox_dead", "Messages given up on (dead letters)", outbox_dead.clone());
        Metrics { registry, commands, deliveries, job_lag, outbox_pending, outbox_dead }
    }

    pub fn command(&self, command: &str, outcome: &str) {
        self.commands.get_or_create(&CommandLabels { command: command.to_owned(), outcome: outcome.to_owned() }).inc();
    }

    pub fn delivery(&self, platform: deskmate_port::Platform, result: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels { platform: platform.to_string(), result: result.to_owned() })
            .inc();
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "encoding metrics");
        }
        out
    }
}

pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}
