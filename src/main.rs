//! Wiring only: config → store → services → adapters → run.

mod bench;

use std::future::Future;
#[cfg(feature = "console")]
use std::io::IsTerminal;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use deskmate::App;
use deskmate::config::Config;
use deskmate::kernel::clock::SystemClock;
use deskmate_port::{Inbound, MenuCommand, Messenger};
use tokio::sync::watch;

#[derive(Parser)]
#[command(name = "deskmate", version, about = "Help-desk tickets and office automation in your team's messengers")]
struct Cli {
    /// Config file (default: ./deskmate.toml if it exists, else built-in defaults).
    #[arg(long, global = true, env = "DESKMATE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot (the default): the messengers that are configured, else the console.
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the config (file and DESKMATE_* environment) and exit.
    CheckConfig,
    /// Measure ticket commands through router, services and store against raw sqlx.
    Bench(bench::BenchArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("deskmate: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The console owns stdout and the bench prints figures: keep logs quiet unless asked.
    // A bot serving Telegram or Discord has no console and logs what it does.
    let quiet = match cli.command {
        None | Some(Command::Run) => config.console_enabled(),
        Some(Command::Bench(_)) => true,
        _ => false,
    };
    init_tracing(quiet);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if config.general.worker_threads > 0 {
        runtime.worker_threads(config.general.worker_threads);
    }
    let runtime = match runtime.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("deskmate: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli, config));
    // A console read still waiting on stdin runs on a blocking thread; it must not hold
    // the exit once everything else has stopped.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskmate: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(quiet: bool) {
    // sqlx logs every statement at info and slow ones as warnings: neither belongs in a
    // service log by default (RUST_LOG=sqlx=info brings them back).
    let default = if quiet { "warn,sqlx=error" } else { "info,sqlx=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Run) {
        Command::CheckConfig => {
            println!(
                "config ok: database {}, console {}, telegram {}, discord {}",
                deskmate::redact(&config.database.url),
                if config.console_enabled() { "on" } else { "off" },
                if config.telegram_enabled() { "on" } else { "off" },
                if config.discord_enabled() { "on" } else { "off" },
            );
            Ok(())
        }
        Command::Migrate => {
            let store = deskmate::store::Store::connect(&config.database.url).await?;
            store.migrate().await.context("applying migrations")?;
            println!("migrations applied to {} ({})", deskmate::redact(&config.database.url), store.backend_name());
            Ok(())
        }
        Command::Bench(args) => bench::run(args).await,
        Command::Run => run_bot(config).await,
    }
}

async fn run_bot(config: Config) -> anyhow::Result<()> {
    let stop = shutdown_signal()?;
    #[cfg_attr(not(feature = "console"), allow(unused_mut))]
    let ChatAdapters { mut messengers, readers } = chat_adapters(&config)?;
    #[cfg(feature = "console")]
    let console = config
        .console_enabled()
        .then(|| deskmate_console::ConsoleMessenger::stdout().with_files_dir(&config.console.files_dir));
    #[cfg(feature = "console")]
    if let Some(console) = &console {
        messengers.push(Arc::new(console.clone()));
    }
    if messengers.is_empty() {
        anyhow::bail!("nothing to run: the console is off and no messenger is configured (see config.example.toml)");
    }
    let app = App::start(&config, Arc::new(SystemClock), messengers).await?;
    let inbound: Arc<dyn Inbound> = Arc::new(app.router.clone());
    // Adapters stop reading first; the app then finishes jobs and flushes the outbox.
    let (stop_input, input_stopped) = tokio::sync::watch::channel(false);
    let mut running = tokio::task::JoinSet::new();
    for reader in readers {
        running.spawn(reader(inbound.clone(), app.router.menu(), input_stopped.clone()));
    }
    #[cfg(feature = "console")]
    let console_done = async {
        let Some(messenger) = console else { return std::future::pending().await };
        let interactive = std::io::stdin().is_terminal();
        if interactive {
            println!(
                "Deskmate console on {} — you are {}. /help lists commands; @NAME /cmd speaks as NAME; \
                 /as NAME switches; /press ID presses a button; /answer TEXT answers a question; ctrl-d quits.",
                app.store.backend_name(),
                config.console.user
            );
        }
        let input = tokio::io::BufReader::new(tokio::io::stdin());
        deskmate_console::run(inbound.clone(), messenger, input, &config.console.user, !interactive, interactive).await
    };
    #[cfg(not(feature = "console"))]
    let console_done = std::future::pending::<std::io::Result<()>>();
    tokio::select! {
        done = console_done => done.context("reading the console")?,
        _ = stop => tracing::info!("shutting down"),
    }
    let _ = stop_input.send(true);
    // An update being handled is finished (and acknowledged) before the database closes.
    if tokio::time::timeout(std::time::Duration::from_secs(10), async { while running.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("a messenger reader did not stop in time; its unacknowledged updates are read again next start");
    }
    if !app.shutdown().await {
        tracing::warn!("some messages are still queued; they go out on the next start");
    }
    Ok(())
}

/// A chat adapter's reading half, started once the app runs: it feeds the router until
/// told to stop.
type Reader = Box<
    dyn FnOnce(Arc<dyn Inbound>, Vec<MenuCommand>, watch::Receiver<bool>) -> Pin<Box<dyn Future<Output = ()> + Send>>,
>;

/// The chat platforms the config turns on that this binary was built with.
#[derive(Default)]
struct ChatAdapters {
    /// For the outbox.
    messengers: Vec<Arc<dyn Messenger>>,
    readers: Vec<Reader>,
}

fn chat_adapters(config: &Config) -> anyhow::Result<ChatAdapters> {
    #[allow(unused_mut)]
    let ChatAdapters { mut messengers, mut readers } = ChatAdapters::default();
    #[cfg(feature = "telegram")]
    if let Some(settings) = config.telegram_settings() {
        let telegram = deskmate_telegram::Telegram::new(settings).context("starting Telegram")?;
        messengers.push(Arc::new(telegram.messenger()));
        readers.push(Box::new(move |inbound, menu, stop| {
            Box::pin(async move { telegram.run(inbound, menu, stop).await })
        }));
    }
    #[cfg(feature = "discord")]
    if let Some(settings) = config.discord_settings() {
        let discord = deskmate_discord::Discord::new(settings).context("starting Discord")?;
        messengers.push(Arc::new(discord.messenger()));
        readers.push(Box::new(move |inbound, menu, stop| Box::pin(discord.run(inbound, menu, stop))));
    }
    let _ = config;
    Ok(ChatAdapters { messengers, readers })
}

/// Resolves on SIGTERM or ctrl-c. The handlers are installed when this is called, not when
/// the future is first polled, so a signal that arrives during start-up is not lost.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}
