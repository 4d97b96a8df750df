//! Wiring only: config → store → services → adapters → run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use deskmate::clock::SystemClock;
use deskmate::config::Config;
use deskmate::{App, bench};

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
    // The console owns stdout and the bench prints figures: keep logs quiet unless asked.
    let quiet = matches!(cli.command, None | Some(Command::Run) | Some(Command::Bench(_)));
    init_tracing(quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("deskmate: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskmate: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(quiet: bool) {
    // sqlx reports slow statements as warnings; under benchmark load they are expected.
    let default = if quiet { "warn,sqlx=error" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    match cli.command.unwrap_or(Command::Run) {
        Command::CheckConfig => {
            println!(
                "config ok: database {}, console {:?}",
                deskmate::redact(&config.database.url),
                config.console.enabled
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
    if !config.console_enabled() {
        anyhow::bail!("nothing to run: the console is off and no messenger is configured (see config.example.toml)");
    }
    let messenger = deskmate_console::ConsoleMessenger::stdout();
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(messenger.clone())]).await?;
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        println!(
            "Deskmate console on {} — you are {}. /help lists commands; @NAME /cmd speaks as NAME; \
             /as NAME switches; /press ID presses a button; ctrl-d quits.",
            app.store.backend_name(),
            config.console.user
        );
    }
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let console = deskmate_console::run(
        Arc::new(app.router.clone()),
        messenger,
        input,
        &config.console.user,
        !interactive,
        interactive,
    );
    tokio::select! {
        done = console => done.context("reading the console")?,
        _ = stop => tracing::info!("shutting down"),
    }
    // Stop taking input (done), let running jobs finish, send what is queued (bounded),
    // then close the database.
    if !app.shutdown().await {
        tracing::warn!("some messages are still queued; they go out on the next start");
    }
    Ok(())
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
