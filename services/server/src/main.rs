//! The `kirjuri` command: parses arguments, loads settings once, starts logging, runs the command.

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use kirjuri::cli::{self, Cli, EXIT_ERROR};
use kirjuri::settings::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let settings = match Settings::load(cli.config.as_deref(), env.iter().cloned()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {:#}", anyhow::Error::from(error));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if let Err(error) = init_tracing(settings.log_format, &env) {
        eprintln!("error: {error:#}");
        return ExitCode::from(EXIT_ERROR);
    }
    cli::run(cli.command, settings)
}

/// Logs to stderr (stdout carries command output), filtered by `KIRJURI_LOG`, else `RUST_LOG`,
/// else `info`.
fn init_tracing(format: LogFormat, env: &[(OsString, OsString)]) -> anyhow::Result<()> {
    let (variable, directives) = ["KIRJURI_LOG", "RUST_LOG"]
        .into_iter()
        .find_map(|variable| {
            env.iter()
                .find(|(name, _)| name == variable)
                .map(|(_, value)| (variable, value.to_string_lossy().into_owned()))
        })
        .unwrap_or(("the default", "info".to_owned()));
    let filter = EnvFilter::try_new(&directives).map_err(|error| {
        anyhow::anyhow!(
            "{variable} must be a log filter such as info or kirjuri=debug,info, got {directives:?} ({error})"
        )
    })?;
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Text => subscriber.try_init(),
        LogFormat::Json => subscriber.json().try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!(error)).context("installing the log subscriber")
}
