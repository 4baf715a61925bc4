//! The `kirjuri` command line: argument definitions and what each command does.
//!
//! Exit codes: 0 success; 1 the command failed (or `store check` found problems); 2 the
//! configuration or arguments are invalid, or `store check` could not run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::StoreCheckReport;
use serde::Serialize;

use crate::auth::Role;
use crate::auth::tokens::{self, NewToken, RevokeOutcome, TokenRecord, TokenStoreError};
use crate::auth::users::{self, DisableOutcome, NewUser, Password, UserRecord, UserStoreError};
use crate::bench::{
    CommandsBenchArgs, ProjectionsBenchArgs, StoreBenchArgs, run_commands_bench, run_projections_bench, run_store_bench,
};
use crate::demo::{DEFAULT_SEED, DemoArgs, run_demo};
use crate::settings::Settings;
use crate::startup::{Application, open_sqlite_store, open_store, shutdown_signal};
use kirjuri_events::domain::coaching::PersonRef;
use kirjuri_store::EventStore;

/// Exit code of a command that failed.
pub const EXIT_FAILED: u8 = 1;

/// Exit code of `store check` when the store has problems.
pub const EXIT_PROBLEMS_FOUND: u8 = 1;

/// Exit code of invalid settings, or of a `store check` that could not run.
pub const EXIT_ERROR: u8 = 2;

/// kirjuri: the event-sourced record of a city's digital-transformation programme.
#[derive(Debug, Parser)]
#[command(name = "kirjuri", version, about, long_about = None)]
pub struct Cli {
    /// A TOML config file (default: $KIRJURI_CONFIG if set); KIRJURI_* variables override it.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API until SIGTERM or Ctrl-C.
    Serve {
        /// Write the demo programme first if the event store is empty (a store that holds
        /// anything is never touched).
        #[arg(long)]
        with_demo: bool,
    },
    /// Write a realistic sample programme into an empty event store.
    Demo(#[command(flatten)] DemoArgs),
    /// Inspect the event store.
    Store {
        /// What to do with the store.
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Inspect and rebuild the read models (views, search).
    Projections {
        /// What to do with them.
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
    /// Register municipalities (tenants): the instance admin's step before tokens and users can
    /// be made for one.
    Municipality {
        /// What to do.
        #[command(subcommand)]
        command: MunicipalityCommand,
    },
    /// Manage local API tokens (only their hashes are kept, as events in the configured store).
    Token {
        /// What to do with them.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage local user accounts for the web UI's sign-in (only argon2id hashes of their
    /// passwords are kept, as events in the configured store).
    User {
        /// What to do with them.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The log's signing keys (kept outside the event store).
    Keys {
        /// What to do with them.
        #[command(subcommand)]
        command: crate::integrity_cli::KeysCommand,
    },
    /// Recompute the log's Merkle tree and check it against every signed checkpoint; names the
    /// first event that was changed, removed, inserted or reordered. Exit 0 intact, 1 tampered,
    /// 2 unusable input.
    Verify(#[command(flatten)] crate::integrity_cli::VerifyArgs),
    /// Write an evidence bundle of a record's history: its events, their inclusion proofs, a
    /// signed checkpoint and the public keys, in one file anyone can check offline.
    Bundle(#[command(flatten)] crate::integrity_cli::BundleArgs),
    /// Check an evidence bundle without any server. Exit 0 valid, 1 invalid, 2 unreadable.
    VerifyBundle(#[command(flatten)] crate::integrity_cli::VerifyBundleArgs),
    /// Erase a person's personal data (GDPR art. 17): destroys their key, so every personal
    /// text about them is unreadable for good, and records the erasure; every proof stays valid.
    ErasePerson(#[command(flatten)] crate::personal_cli::EraseArgs),
    /// Everything the log records about a person (GDPR art. 15), as one JSON object.
    PersonReport(#[command(flatten)] crate::personal_cli::ReportArgs),
    /// Measure performance against stated limits.
    Bench {
        /// What to measure.
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// `kirjuri store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check the embedded store of the data directory; exit 0 if healthy, 1 with problems, 2 if it cannot be checked.
    Check {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `kirjuri projections …`.
#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Position, lag in events and seconds, and the error that stopped it, of each read model
    /// of the data directory (while no server runs on it: a running server holds its read models).
    Status {
        /// Print one JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild read models from the first event: built beside the live one, then swapped in
    /// (while no server runs on the data directory; a running server rebuilds in place itself).
    Rebuild {
        /// Only this read model (`views` or `search`); all when omitted.
        name: Option<String>,
    },
}

/// `kirjuri municipality …`.
#[derive(Debug, Subcommand)]
pub enum MunicipalityCommand {
    /// Register a municipality as a tenant (as the `register-municipality` command would).
    Register {
        /// Its id (a UUID): what tokens and users name with `--tenant`.
        #[arg(long, value_name = "MUNICIPALITY_ID", value_parser = parse_tenant)]
        id: MunicipalityId,
        /// Its Statistics Finland code (three digits, e.g. 297).
        #[arg(long)]
        code: String,
        /// Its name in Finnish.
        #[arg(long)]
        name: String,
        /// Its name in Swedish.
        #[arg(long)]
        name_sv: Option<String>,
        /// Its name in English.
        #[arg(long)]
        name_en: Option<String>,
    },
}

/// `kirjuri token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it once: stdout holds only the token, stderr says what it grants.
    Create {
        /// The municipality id (a UUID) the token acts for.
        #[arg(long, value_name = "MUNICIPALITY_ID", value_parser = parse_tenant)]
        tenant: MunicipalityId,
        /// A role it grants: staff, coach, experiment_lead, decision_maker, auditor or admin
        /// (repeat the flag or separate with commas).
        #[arg(long = "role", value_name = "ROLE", required = true, value_delimiter = ',', value_parser = parse_role)]
        roles: Vec<Role>,
        /// A unique name to list and revoke it by (default `token-<start of its id>`).
        #[arg(long, value_parser = parse_token_name)]
        name: Option<String>,
        /// When it stops working: 90d, 12h, 30m, an RFC 3339 time, or `never`.
        #[arg(long, value_name = "WHEN", default_value = tokens::DEFAULT_EXPIRES, value_parser = parse_expires)]
        expires: Expiry,
        /// The pseudonymous person reference (e.g. hlo-7f3a2c) of the person who holds it: what
        /// decides whose personal coaching text they may read (default: the token itself).
        #[arg(long, value_name = "PERSON", value_parser = parse_person)]
        person: Option<PersonRef>,
    },
    /// List every token (never a secret): id, name, tenant, roles, created, expires, status.
    List {
        /// Print one JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id or name; it is refused from the next request on.
    Revoke {
        /// The token's id or name.
        id_or_name: String,
    },
}

/// `kirjuri user …`. Passwords are read from stdin (its first line), or asked for twice
/// without echo when stdin is a terminal; never from an argument, which others can see.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Make an account; its password is read from stdin (or asked for on a terminal).
    Create {
        /// The municipality id (a UUID) the user acts for.
        #[arg(long, value_name = "MUNICIPALITY_ID", value_parser = parse_tenant)]
        tenant: MunicipalityId,
        /// A role the user holds: staff, coach, experiment_lead, decision_maker, auditor or admin
        /// (repeat the flag or separate with commas).
        #[arg(long = "role", value_name = "ROLE", required = true, value_delimiter = ',', value_parser = parse_role)]
        roles: Vec<Role>,
        /// The unique username to sign in with (read as lower case).
        #[arg(long, value_parser = parse_username)]
        username: String,
        /// The pseudonymous person reference (e.g. hlo-7f3a2c) of the user: what decides whose
        /// personal coaching text they may read (default: the user itself).
        #[arg(long, value_name = "PERSON", value_parser = parse_person)]
        person: Option<PersonRef>,
        /// A name to show people (default: the username).
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
    },
    /// List every account (never a password hash): id, username, tenant, roles, created, status.
    List {
        /// Print one JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account by id or username; it cannot sign in from then on.
    Disable {
        /// The user's id or username.
        id_or_username: String,
    },
    /// Give an account a new password, read from stdin (or asked for on a terminal).
    SetPassword {
        /// The user's id or username.
        id_or_username: String,
    },
}

fn parse_username(text: &str) -> Result<String, String> {
    users::normalise_username(text).map_err(|rule| format!("must be {rule}"))
}

/// When a new token expires, resolved against the clock when the argument is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry(pub Option<DateTime<Utc>>);

fn parse_tenant(text: &str) -> Result<MunicipalityId, String> {
    uuid::Uuid::parse_str(text)
        .map(MunicipalityId)
        .map_err(|_| "must be a municipality id, a UUID such as 0193a0b4-7c1e-7000-8000-000000000297".to_owned())
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).map_err(|error| error.to_string())
}

fn parse_token_name(text: &str) -> Result<String, String> {
    tokens::check_name(text).map(|()| text.to_owned()).map_err(|rule| format!("must be {rule}"))
}

fn parse_person(text: &str) -> Result<PersonRef, String> {
    PersonRef::parse("--person", text).map_err(|error| format!("must be a pseudonym: {}", error.rule))
}

fn parse_expires(text: &str) -> Result<Expiry, String> {
    tokens::parse_expiry(text, Utc::now()).map(Expiry).map_err(|rule| format!("must be {rule}"))
}

/// `kirjuri bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Benchmark the event store.
    Store(#[command(flatten)] StoreBenchArgs),
    /// Benchmark decide-and-append through the command path.
    Commands(#[command(flatten)] CommandsBenchArgs),
    /// Benchmark the read side on the demo programme.
    Projections(#[command(flatten)] ProjectionsBenchArgs),
    /// Benchmark the verifiable log: appends with the tree on and off, verify, proofs, bundles.
    Integrity(#[command(flatten)] crate::bench::IntegrityBenchArgs),
}

/// Runs `command` with `settings`; logging must already be set up.
pub fn run(command: Command, settings: Settings) -> ExitCode {
    match command {
        Command::Serve { with_demo } => exit_on_error(EXIT_FAILED, block_on(serve(settings, with_demo))),
        Command::Demo(args) => exit_on_error(EXIT_FAILED, block_on(demo(settings, args))),
        Command::Projections { command: ProjectionsCommand::Status { json } } => {
            exit_on_error(EXIT_FAILED, block_on(projections_status(settings, json)))
        }
        Command::Projections { command: ProjectionsCommand::Rebuild { name } } => {
            exit_on_error(EXIT_FAILED, block_on(projections_rebuild(settings, name)))
        }
        Command::Store { command: StoreCommand::Check { json } } => match block_on(check_store(&settings, json)) {
            Ok(report) if report.is_healthy() => ExitCode::SUCCESS,
            Ok(_) => ExitCode::from(EXIT_PROBLEMS_FOUND),
            Err(error) => exit_on_error(EXIT_ERROR, Err(error)),
        },
        Command::Municipality { command } => match block_on(open_store(&settings)) {
            Ok(store) => run_municipality_command(store, command),
            Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
        },
        Command::Token { command } => match block_on(open_token_store(&settings)) {
            Ok(store) => run_token_command(&*store, command),
            Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
        },
        Command::User { command } => match block_on(open_store(&settings)) {
            Ok(store) => run_user_command(&*store, command),
            Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
        },
        // The benchmark manages its own runtime, so it runs outside ours.
        Command::ErasePerson(args) => crate::personal_cli::run_erase(&settings, args),
        Command::PersonReport(args) => crate::personal_cli::run_report(&settings, args),
        Command::Keys { command } => crate::integrity_cli::run_keys(&settings, command),
        Command::Verify(args) => crate::integrity_cli::run_verify(&settings, args),
        Command::Bundle(args) => crate::integrity_cli::run_bundle(&settings, args),
        Command::VerifyBundle(args) => crate::integrity_cli::run_verify_bundle(args),
        Command::Bench { command: BenchCommand::Integrity(args) } => {
            exit_on_error(EXIT_FAILED, crate::bench::run_integrity_bench(&args))
        }
        Command::Bench { command: BenchCommand::Store(args) } => exit_on_error(EXIT_FAILED, run_store_bench(&args)),
        Command::Bench { command: BenchCommand::Commands(args) } => {
            exit_on_error(EXIT_FAILED, run_commands_bench(&args))
        }
        Command::Bench { command: BenchCommand::Projections(args) } => {
            exit_on_error(EXIT_FAILED, run_projections_bench(&args))
        }
    }
}

fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kirjuri-worker")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(future)
}

fn exit_on_error(code: u8, result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(code)
        }
    }
}

/// `kirjuri serve`: writes the demo into an empty store if asked, prints the address (and,
/// after writing the demo, how to sign in: each demo user's username and password and a staff
/// token, shown only now), then serves until a signal.
async fn serve(settings: Settings, with_demo: bool) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let mut demo_sign_in = None;
    if with_demo {
        match store.head_position().await.context("reading the event store")? {
            None => {
                println!("the event store is empty: writing the demo programme (seed {DEFAULT_SEED})");
                let mut report = run_demo(Arc::clone(&store), &DemoArgs::default()).await?;
                // The accounts are printed once, after the address, with the token.
                let users = std::mem::take(&mut report.users);
                println!("{report}");
                if let Some((_, _, kuopio)) = report.municipalities.first() {
                    let token = issue_demo_staff_token(&*store, *kuopio).await?;
                    demo_sign_in = Some((users, token));
                }
            }
            Some(head) => println!("the event store already holds events (up to position {head}); no demo written"),
        }
    }
    let application = Application::build_with_store(settings, store).await?;
    let shutdown = shutdown_signal()?;
    let address = application.local_addr();
    println!("kirjuri listening on http://{address}");
    match demo_sign_in {
        Some((users, token)) => print!("{}", demo_sign_in_text(&address.to_string(), &users, &token)),
        None => println!(
            "open http://{address}/ and sign in with a user (kirjuri user create) or an API token (kirjuri token create)"
        ),
    }
    application.run_until_stopped(shutdown).await
}

/// What `serve --with-demo` prints after the address: each demo user and its password, and the
/// staff token (all shown only now; kirjuri keeps only hashes).
fn demo_sign_in_text(address: &str, users: &[crate::demo::DemoUser], token: &str) -> String {
    use std::fmt::Write as _;
    let mut text = format!(
        "open http://{address}/ and sign in as one of the demo users of Kuopio (passwords shown only now; kirjuri keeps only their hashes):\n"
    );
    for user in users {
        let roles = user.roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(", ");
        let _ = writeln!(text, "  username {:<16} password {}  ({roles})", user.username, user.password);
    }
    let _ = writeln!(text, "or with this demo staff API token:\n  {token}");
    text
}

/// Makes the token a newcomer signs in with after `serve --with-demo`: staff of `tenant`, 90 days.
async fn issue_demo_staff_token(store: &dyn EventStore, tenant: MunicipalityId) -> anyhow::Result<String> {
    let now = Utc::now();
    let expires_at = tokens::parse_expiry(tokens::DEFAULT_EXPIRES, now).map_err(anyhow::Error::msg)?;
    let new = NewToken {
        name: Some("demo-staff".to_owned()),
        tenant,
        roles: [Role::Staff].into_iter().collect(),
        person: None,
        expires_at,
    };
    let (_, secret) = tokens::issue(store, new, now, "demo").await.context("making the demo staff token")?;
    Ok(secret.expose_secret().to_owned())
}

/// `kirjuri demo`: writes the sample programme into the configured (empty) store.
async fn demo(settings: Settings, args: DemoArgs) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let report = run_demo(store, &args).await?;
    println!("{report}");
    Ok(())
}

/// The read models `name` selects (all when `None`); an unknown name is an error naming them.
fn selected_factories(
    settings: &Settings,
    name: Option<&str>,
) -> anyhow::Result<Vec<Arc<dyn kirjuri_projections::ProjectionFactory>>> {
    let all = crate::readside::factories(settings);
    let Some(name) = name else { return Ok(all) };
    let known: Vec<&str> = all.iter().map(|f| f.name()).collect();
    let chosen: Vec<_> = all.iter().filter(|f| f.name() == name).cloned().collect();
    anyhow::ensure!(
        !chosen.is_empty(),
        "there is no read model called `{name}`; the read models are {}",
        known.join(", ")
    );
    Ok(chosen)
}

/// `kirjuri projections status`: reads each read model's checkpoint and measures its lag.
async fn projections_status(settings: Settings, json: bool) -> anyhow::Result<()> {
    let _lock = crate::readside::lock_read_models(&settings)?;
    let store = open_store(&settings).await?;
    let mut statuses = Vec::new();
    for factory in selected_factories(&settings, None)? {
        let opened = tokio::task::spawn_blocking(move || factory.open(&factory.live_location()))
            .await
            .context("the task opening a read model panicked")??;
        let status = kirjuri_projections::offline_status(opened, &*store, kirjuri_projections::DEFAULT_LAG_COUNT_LIMIT)
            .await
            .context("reading a read model's status")?;
        statuses.push(status);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&statuses)?);
        return Ok(());
    }
    for status in &statuses {
        let position = status.checkpoint.map_or_else(|| "none".to_owned(), |p| p.to_string());
        let head = status.head.map_or_else(|| "none".to_owned(), |p| p.to_string());
        let at_least = if status.lag_events_exact { "" } else { "at least " };
        println!(
            "{:<8} {:<9} position {position:>10}  head {head:>10}  lag {at_least}{} events, {:.1} s",
            status.name, status.state, status.lag_events, status.lag_seconds
        );
        if let Some(error) = &status.last_error {
            println!("         stopped by: {error}");
        }
    }
    Ok(())
}

/// `kirjuri projections rebuild [NAME]`: rebuilds from position zero with a progress bar.
async fn projections_rebuild(settings: Settings, name: Option<String>) -> anyhow::Result<()> {
    // A running server keeps the live files open: swapping them from under it would lose its writes.
    let _lock = crate::readside::lock_read_models(&settings)?;
    let store = open_store(&settings).await?;
    for factory in selected_factories(&settings, name.as_deref())? {
        let label = factory.name();
        let report = kirjuri_projections::rebuild(factory, Arc::clone(&store), move |progress| {
            let done = progress.position.map_or(0, |p| p.commit);
            let total = progress.head.map_or(0, |p| p.commit).max(1);
            let filled = usize::try_from(done.saturating_mul(30) / total).unwrap_or(30).min(30);
            eprint!("\rrebuilding {label:<7} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(30 - filled));
        })
        .await
        .with_context(|| format!("rebuilding `{label}`"))?;
        eprintln!();
        println!(
            "rebuilt {:<7} {} events in {:.1} s ({:.0} events/s), swapped in",
            report.name,
            report.events_applied,
            report.elapsed.as_secs_f64(),
            report.events_applied as f64 / report.elapsed.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// Opens the configured event store for `kirjuri token …`, importing a legacy `api.sqlite` first.
/// The SQLite store may be open in a running server at the same time: both write the file.
async fn open_token_store(settings: &Settings) -> anyhow::Result<Arc<dyn EventStore>> {
    let store = open_store(settings).await?;
    crate::auth::import_legacy_tokens(&settings.legacy_api_tokens_path(), &*store).await?;
    Ok(store)
}

/// Who `kirjuri token …` records as the actor: the operator's login name where the system
/// says it (the audit trail shows who issued or revoked a token).
fn cli_actor() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("USERNAME")) {
        Ok(user) if !user.is_empty() => format!("cli:{user}"),
        _ => "cli".to_owned(),
    }
}

/// Runs `kirjuri municipality …`: 0 done, 1 failed, 2 the arguments are invalid or the domain
/// refused (e.g. already registered).
fn run_municipality_command(store: Arc<dyn EventStore>, command: MunicipalityCommand) -> ExitCode {
    use kirjuri_domain::organisation::{
        MunicipalityCommand as Register, MunicipalityState, RegisterMunicipality, TextInput,
    };
    let MunicipalityCommand::Register { id, code, name, name_sv, name_en } = command;
    let text = TextInput { fi: name, sv: name_sv, en: name_en };
    let command = match RegisterMunicipality::parse(id, &code, &text) {
        Ok(command) => command,
        Err(error) => return exit_on_error(EXIT_ERROR, Err(anyhow::anyhow!("{error}"))),
    };
    let mut context = crate::usecases::CommandContext::new(cli_actor());
    context.tenant = Some(id.to_string());
    let bus = crate::usecases::CommandBus::new(store);
    match block_on(async { Ok(bus.execute::<MunicipalityState>(Register::Register(command), &context).await) }) {
        Ok(Ok(_)) => {
            println!("registered municipality {id}; make its tokens and users with --tenant {id}");
            ExitCode::SUCCESS
        }
        Ok(Err(error @ crate::usecases::UseCaseError::Rejected(_))) => exit_on_error(EXIT_ERROR, Err(error.into())),
        Ok(Err(error)) => exit_on_error(EXIT_FAILED, Err(error.into())),
        Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
    }
}

/// Refuses a token or account for a municipality that was never registered (a mistyped id
/// would otherwise make credentials for a tenant no one owns).
fn require_registered(store: &dyn EventStore, tenant: MunicipalityId) -> Result<(), ExitCode> {
    match block_on(async { Ok(crate::usecases::is_registered(store, tenant).await?) }) {
        Ok(true) => Ok(()),
        Ok(false) => Err(exit_on_error(
            EXIT_ERROR,
            Err(anyhow::anyhow!(
                "--tenant: municipality {tenant} is not registered; check the id, or register it first with \
                 `kirjuri municipality register --id {tenant} --code <code> --name <name>`"
            )),
        )),
        Err(error) => Err(exit_on_error(EXIT_FAILED, Err(error))),
    }
}

/// Runs `kirjuri token …`: 0 done, 1 failed (e.g. no such token), 2 the arguments are invalid.
fn run_token_command(store: &dyn EventStore, command: TokenCommand) -> ExitCode {
    let actor = cli_actor();
    match command {
        TokenCommand::Create { tenant, roles, name, expires, person } => {
            if let Err(code) = require_registered(store, tenant) {
                return code;
            }
            let new = NewToken { name, tenant, roles: roles.into_iter().collect(), person, expires_at: expires.0 };
            match block_on(async { Ok(tokens::issue(store, new, Utc::now(), &actor).await) }) {
                Ok(Ok((record, secret))) => {
                    println!("{}", secret.expose_secret());
                    eprintln!(
                        "created API token `{}` (id {}) for municipality {} with roles {}{}, expires {}.\n\
                         It is shown only this once; kirjuri keeps only its hash.",
                        record.name,
                        record.id,
                        record.tenant,
                        roles_list(&record),
                        record.person.as_ref().map_or_else(String::new, |person| format!(" as person {person}")),
                        record.expires_at.map_or_else(|| "never".to_owned(), format_time)
                    );
                    ExitCode::SUCCESS
                }
                Ok(Err(error @ TokenStoreError::DuplicateName(_))) => exit_on_error(EXIT_ERROR, Err(error.into())),
                Ok(Err(error)) => exit_on_error(EXIT_FAILED, Err(error.into())),
                Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
            }
        }
        TokenCommand::List { json } => exit_on_error(EXIT_FAILED, block_on(list_tokens(store, json))),
        TokenCommand::Revoke { id_or_name } => {
            match block_on(async { Ok(tokens::revoke(store, &id_or_name, Utc::now(), &actor).await?) }) {
                Ok(RevokeOutcome::Revoked(record)) => {
                    println!("revoked API token `{}` (id {})", record.name, record.id);
                    ExitCode::SUCCESS
                }
                Ok(RevokeOutcome::AlreadyRevoked(record)) => {
                    let revoked_at = record.revoked_at.map_or_else(String::new, format_time);
                    println!("API token `{}` (id {}) was already revoked at {revoked_at}", record.name, record.id);
                    ExitCode::SUCCESS
                }
                Ok(RevokeOutcome::NotFound) => exit_on_error(
                    EXIT_FAILED,
                    Err(anyhow::anyhow!(
                        "no API token has the id or name `{id_or_name}`; `kirjuri token list` shows them"
                    )),
                ),
                Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
            }
        }
    }
}

/// Runs `kirjuri user …`: 0 done, 1 failed (e.g. no such user), 2 the arguments or the
/// password are invalid.
fn run_user_command(store: &dyn EventStore, command: UserCommand) -> ExitCode {
    let actor = cli_actor();
    match command {
        UserCommand::Create { tenant, roles, username, person, display_name } => {
            if let Err(code) = require_registered(store, tenant) {
                return code;
            }
            let password = match read_password() {
                Ok(password) => password,
                Err(error) => return exit_on_error(EXIT_ERROR, Err(error)),
            };
            let new = NewUser { username, password, tenant, roles: roles.into_iter().collect(), person, display_name };
            match block_on(async { Ok(users::create(store, new, Utc::now(), &actor).await) }) {
                Ok(Ok(record)) => {
                    println!(
                        "created user `{}` (id {}) for municipality {} with roles {}{}",
                        record.username,
                        record.id,
                        record.tenant,
                        user_roles_list(&record),
                        record.person.as_ref().map_or_else(String::new, |person| format!(" as person {person}")),
                    );
                    ExitCode::SUCCESS
                }
                Ok(Err(
                    error @ (UserStoreError::DuplicateUsername(_)
                    | UserStoreError::InvalidUsername
                    | UserStoreError::InvalidDisplayName
                    | UserStoreError::NoRoles),
                )) => exit_on_error(EXIT_ERROR, Err(error.into())),
                Ok(Err(error)) => exit_on_error(EXIT_FAILED, Err(error.into())),
                Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
            }
        }
        UserCommand::List { json } => exit_on_error(EXIT_FAILED, block_on(list_users(store, json))),
        UserCommand::Disable { id_or_username } => {
            match block_on(async { Ok(users::disable(store, &id_or_username, Utc::now(), &actor).await?) }) {
                Ok(DisableOutcome::Disabled(record)) => {
                    println!("disabled user `{}` (id {})", record.username, record.id);
                    ExitCode::SUCCESS
                }
                Ok(DisableOutcome::AlreadyDisabled(record)) => {
                    let at = record.disabled_at.map_or_else(String::new, format_time);
                    println!("user `{}` (id {}) was already disabled at {at}", record.username, record.id);
                    ExitCode::SUCCESS
                }
                Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
            }
        }
        UserCommand::SetPassword { id_or_username } => {
            let password = match read_password() {
                Ok(password) => password,
                Err(error) => return exit_on_error(EXIT_ERROR, Err(error)),
            };
            match block_on(async {
                Ok(users::set_password(store, &id_or_username, password, Utc::now(), &actor).await?)
            }) {
                Ok(record) => {
                    println!("set a new password for user `{}` (id {})", record.username, record.id);
                    ExitCode::SUCCESS
                }
                Err(error) => exit_on_error(EXIT_FAILED, Err(error)),
            }
        }
    }
}

/// A password from stdin: asked for twice without echo on a terminal, else the first line.
fn read_password() -> anyhow::Result<Password> {
    use std::io::{BufRead as _, IsTerminal as _};
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        let first = prompt_without_echo("password: ")?;
        let again = prompt_without_echo("the same password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was changed");
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from stdin")?;
        line.strip_suffix('\n').map(|line| line.strip_suffix('\r').unwrap_or(line)).unwrap_or(&line).to_owned()
    };
    Password::parse(text).map_err(|rule| anyhow::anyhow!("the password is refused: {rule}"))
}

/// Asks on stderr and reads a line from the terminal with echo off (`stty -echo`, restored after).
fn prompt_without_echo(prompt: &str) -> anyhow::Result<String> {
    use std::io::{BufRead as _, Write as _};
    let stty = |argument: &str| {
        std::process::Command::new("stty").arg(argument).stdin(std::process::Stdio::inherit()).status()
    };
    eprint!("{prompt}");
    std::io::stderr().flush().context("writing the prompt")?;
    let echo_off = stty("-echo").is_ok_and(|status| status.success());
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        let _ = stty("echo");
        eprintln!();
    }
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn user_roles_list(record: &UserRecord) -> String {
    record.roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(",")
}

/// One row of `user list --json`.
#[derive(Debug, Serialize)]
struct UserListEntry<'a> {
    #[serde(flatten)]
    record: &'a UserRecord,
    status: &'static str,
}

fn user_status(record: &UserRecord) -> &'static str {
    if record.is_active() { "active" } else { "disabled" }
}

/// `kirjuri user list`: a table, or JSON, of every account; never a password hash.
async fn list_users(store: &dyn EventStore, json: bool) -> anyhow::Result<()> {
    let records = users::list(store).await?;
    if json {
        let entries: Vec<UserListEntry<'_>> =
            records.iter().map(|record| UserListEntry { record, status: user_status(record) }).collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    if records.is_empty() {
        println!(
            "no users; make one with `kirjuri user create --tenant <municipality id> --role <role> --username <name>`"
        );
        return Ok(());
    }
    println!("{:<36}  {:<24}  {:<36}  {:<32}  {:<20}  STATUS", "ID", "USERNAME", "TENANT", "ROLES", "CREATED");
    for record in &records {
        println!(
            "{:<36}  {:<24}  {:<36}  {:<32}  {:<20}  {}",
            record.id,
            record.username,
            record.tenant,
            user_roles_list(record),
            format_time(record.created_at),
            user_status(record)
        );
    }
    Ok(())
}

fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn roles_list(record: &TokenRecord) -> String {
    record.roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(",")
}

/// One row of `token list --json`.
#[derive(Debug, Serialize)]
struct TokenListEntry<'a> {
    #[serde(flatten)]
    record: &'a TokenRecord,
    status: &'static str,
}

/// `kirjuri token list`: a table, or JSON, of every token; no secret is stored, so none is shown.
async fn list_tokens(store: &dyn EventStore, json: bool) -> anyhow::Result<()> {
    let records = tokens::list(store).await?;
    let now = Utc::now();
    if json {
        let entries: Vec<TokenListEntry<'_>> =
            records.iter().map(|record| TokenListEntry { record, status: record.status(now).as_str() }).collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    if records.is_empty() {
        println!("no API tokens; make one with `kirjuri token create --tenant <municipality id> --role <role>`");
        return Ok(());
    }
    println!(
        "{:<36}  {:<24}  {:<36}  {:<32}  {:<20}  {:<20}  STATUS",
        "ID", "NAME", "TENANT", "ROLES", "CREATED", "EXPIRES"
    );
    for record in &records {
        println!(
            "{:<36}  {:<24}  {:<36}  {:<32}  {:<20}  {:<20}  {}",
            record.id,
            record.name,
            record.tenant,
            roles_list(record),
            format_time(record.created_at),
            record.expires_at.map_or_else(|| "never".to_owned(), format_time),
            record.status(now).as_str()
        );
    }
    Ok(())
}

/// What `store check --json` prints.
#[derive(Debug, Serialize)]
struct CheckOutput<'a> {
    path: &'a Path,
    healthy: bool,
    #[serde(flatten)]
    report: &'a StoreCheckReport,
}

/// `kirjuri store check`: checks the data directory's store and prints the report.
async fn check_store(settings: &Settings, json: bool) -> anyhow::Result<StoreCheckReport> {
    anyhow::ensure!(
        settings.data_dir.is_dir(),
        "there is no data directory at {} to check (set data_dir or KIRJURI_DATA_DIR)",
        settings.data_dir.display()
    );
    let path = settings.sqlite_path();
    let store = open_sqlite_store(settings).await?;
    let report = store.check().await.with_context(|| format!("checking the event store {}", path.display()))?;
    let output = CheckOutput { path: &path, healthy: report.is_healthy(), report: &report };
    if json {
        println!("{}", serde_json::to_string(&output).context("encoding the report as JSON")?);
    } else {
        print!("{}", render_check_text(&output));
    }
    Ok(report)
}

fn render_check_text(output: &CheckOutput<'_>) -> String {
    let mut text = format!(
        "store: {}\nschema version: {}\nevents: {}\nstreams: {}\n",
        output.path.display(),
        output.report.schema_version,
        output.report.events,
        output.report.streams
    );
    if output.report.problems.is_empty() {
        text.push_str("problems: none\n");
    } else {
        text.push_str(&format!("problems: {}\n", output.report.problems.len()));
        for problem in &output.report.problems {
            text.push_str("  - ");
            text.push_str(problem);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_with_demo_prints_every_demo_user_with_its_password_and_the_token() {
        let users: Vec<crate::demo::DemoUser> = crate::demo::DEMO_USERS
            .iter()
            .enumerate()
            .map(|(index, (username, _, roles))| crate::demo::DemoUser {
                username: (*username).to_owned(),
                password: format!("pw{index}-abcdefghjk"),
                roles: roles.to_vec(),
            })
            .collect();
        let text = demo_sign_in_text("127.0.0.1:8080", &users, "kirjuri_token");
        assert!(text.starts_with("open http://127.0.0.1:8080/ "), "{text}");
        for user in &users {
            let line = text.lines().find(|line| line.contains(&user.username)).expect("a line per user");
            assert!(line.contains(&format!("password {}", user.password)), "{line}");
        }
        assert!(text.contains("experiment_lead") && text.contains("coach"), "{text}");
        assert!(text.trim_end().ends_with("kirjuri_token"));
    }
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn config_is_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from(["kirjuri", "store", "check", "--json", "--config", "k.toml"]).expect("parses");
        assert_eq!(cli.config, Some(PathBuf::from("k.toml")));
        assert!(matches!(cli.command, Command::Store { command: StoreCommand::Check { json: true } }));
    }

    #[test]
    fn token_create_takes_repeated_and_comma_separated_roles() {
        let cli = Cli::try_parse_from([
            "kirjuri",
            "token",
            "create",
            "--tenant",
            "0193a0b4-7c1e-7000-8000-000000000297",
            "--role",
            "staff,coach",
            "--role",
            "auditor",
            "--expires",
            "never",
        ])
        .expect("parses");
        let Command::Token { command: TokenCommand::Create { roles, expires, name, person, .. } } = cli.command else {
            panic!("not token create");
        };
        assert_eq!(roles, vec![Role::Staff, Role::Coach, Role::Auditor]);
        assert_eq!(expires, Expiry(None));
        assert_eq!(name, None);
        assert_eq!(person, None);
    }

    #[test]
    fn token_create_takes_a_pseudonymous_person_and_refuses_an_email_address() {
        let args =
            ["kirjuri", "token", "create", "--tenant", "0193a0b4-7c1e-7000-8000-000000000297", "--role", "coach"];
        let cli = Cli::try_parse_from(args.iter().copied().chain(["--person", "hlo-7f3a2c"])).expect("parses");
        let Command::Token { command: TokenCommand::Create { person, .. } } = cli.command else {
            panic!("not token create");
        };
        assert_eq!(person.as_ref().map(PersonRef::as_str), Some("hlo-7f3a2c"));

        let error = Cli::try_parse_from(args.iter().copied().chain(["--person", "anna@kuopio.fi"]))
            .expect_err("an e-mail address is not a pseudonym");
        let message = error.to_string();
        assert!(message.contains("--person"), "{message}");
        assert!(message.contains("not an e-mail address"), "{message}");
    }

    #[test]
    fn token_create_rejects_a_bad_tenant_naming_the_argument() {
        let error = Cli::try_parse_from(["kirjuri", "token", "create", "--tenant", "kuopio", "--role", "staff"])
            .expect_err("not a UUID");
        let message = error.to_string();
        assert!(message.contains("--tenant"), "{message}");
        assert!(message.contains("must be a municipality id"), "{message}");
    }

    #[test]
    fn user_create_takes_roles_a_lower_cased_username_and_never_a_password_argument() {
        let args = ["kirjuri", "user", "create", "--tenant", "0193a0b4-7c1e-7000-8000-000000000297"];
        let cli = Cli::try_parse_from(args.iter().copied().chain(["--role", "staff,auditor", "--username", "Anna"]))
            .expect("parses");
        let Command::User { command: UserCommand::Create { roles, username, display_name, .. } } = cli.command else {
            panic!("not user create");
        };
        assert_eq!(roles, vec![Role::Staff, Role::Auditor]);
        assert_eq!(username, "anna");
        assert_eq!(display_name, None);
        let with_password = args.iter().copied().chain(["--role", "staff", "--username", "anna", "--password", "x"]);
        assert!(Cli::try_parse_from(with_password).is_err(), "no --password argument");
        let bad_username = args.iter().copied().chain(["--role", "staff", "--username", "has space"]);
        let error = Cli::try_parse_from(bad_username).expect_err("a bad username").to_string();
        assert!(error.contains("--username") && error.contains("a-z, 0-9"), "{error}");
    }

    #[test]
    fn bench_store_takes_the_benchmark_arguments() {
        let cli = Cli::try_parse_from(["kirjuri", "bench", "store"]).expect("parses");
        assert!(matches!(cli.command, Command::Bench { command: BenchCommand::Store(_) }));
    }

    #[test]
    fn a_healthy_report_lists_the_counts_and_no_problems() {
        let report = StoreCheckReport { events: 12, streams: 3, schema_version: 1, problems: Vec::new() };
        let output = CheckOutput { path: Path::new("/data/events.sqlite"), healthy: true, report: &report };
        assert_eq!(
            render_check_text(&output),
            "store: /data/events.sqlite\nschema version: 1\nevents: 12\nstreams: 3\nproblems: none\n"
        );
    }

    #[test]
    fn a_report_with_problems_lists_each_problem() {
        let report = StoreCheckReport {
            events: 2,
            streams: 1,
            schema_version: 1,
            problems: vec!["gap at revision 1".to_owned()],
        };
        let output = CheckOutput { path: Path::new("/d/events.sqlite"), healthy: false, report: &report };
        assert_eq!(
            render_check_text(&output),
            "store: /d/events.sqlite\nschema version: 1\nevents: 2\nstreams: 1\nproblems: 1\n  - gap at revision 1\n"
        );
    }

    #[test]
    fn the_json_report_holds_the_path_health_and_counts() {
        let report = StoreCheckReport { events: 0, streams: 0, schema_version: 1, problems: Vec::new() };
        let output = CheckOutput { path: Path::new("/d/events.sqlite"), healthy: true, report: &report };
        let value = serde_json::to_value(&output).expect("serialises");
        assert_eq!(
            value,
            serde_json::json!({"path": "/d/events.sqlite", "healthy": true, "events": 0, "streams": 0, "schema_version": 1, "problems": []})
        );
    }
}
