//! `kirjuri keys …`, `kirjuri verify`, `kirjuri bundle` and `kirjuri verify-bundle`: the
//! verifiable log from the command line.
//!
//! `verify` exits 0 when the log is intact, 1 when it was tampered with (naming the first event
//! that differs), 2 when its input is unusable (no store, no keys, a damaged tree file).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Subcommand;
use kirjuri_integrity::bundle::{Subject, make_bundle, verify_bundle};
use kirjuri_integrity::verify::{ExtraCheckpoint, VerifyReport, verify_log};
use kirjuri_integrity::{Keyring, PublicKeys, TreeFile, VerifierKey};
use kirjuri_store::EventStore;

use crate::cli::{EXIT_ERROR, EXIT_FAILED};
use crate::settings::Settings;

/// Exit code of `verify` and `verify-bundle` when what they check was altered.
pub const EXIT_TAMPERED: u8 = 1;

/// `kirjuri keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make the log's first signing key (a server makes one itself when it starts without).
    Init {
        /// The log's origin (its checkpoints' first line), e.g. kirjuri.kuopio.fi/log.
        #[arg(long)]
        origin: Option<String>,
    },
    /// Print the log's origin and public keys (current and retired).
    Show {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replace the signing key; the old one's public half stays listed as retired (stop the
    /// server first: it holds the key in memory).
    Rotate,
}

/// Runs `kirjuri keys …`.
pub fn run_keys(settings: &Settings, command: KeysCommand) -> ExitCode {
    let dir = settings.keys_dir();
    let result = match command {
        KeysCommand::Init { origin } => {
            Keyring::init(&dir, origin.as_deref().or(settings.log_origin.as_deref())).map(|keys| {
                println!("made the signing key of {} in {}", keys.public.origin, dir.display());
                println!("{}", keys.signer.verifier().encode());
            })
        }
        KeysCommand::Show { json } => PublicKeys::read(&dir).map(|keys| print_keys(&keys, json)),
        KeysCommand::Rotate => Keyring::rotate(&dir).map(|keys| {
            println!("rotated: the new current key of {} is", keys.public.origin);
            println!("{}", keys.signer.verifier().encode());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn print_keys(keys: &PublicKeys, json: bool) {
    if json {
        let body = kirjuri_app::integrity::KeysBody::from(keys);
        println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
        return;
    }
    println!("origin: {}", keys.origin);
    for key in &keys.keys {
        let retired = key.retired_at.map(|at| format!(", retired {}", at.to_rfc3339())).unwrap_or_default();
        println!("{} ({}, made {}{retired})", key.vkey, key.status, key.created_at.to_rfc3339());
    }
}

/// The arguments of `kirjuri verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Also check against these signed checkpoints (files holding a C2SP signed note, e.g. one a
    /// witness cosigned or one kept with a backup).
    #[arg(long, value_name = "FILE")]
    pub against: Vec<PathBuf>,
    /// Trust these verifier keys (`<name>+<hash>+<key>`) instead of the data directory's.
    #[arg(long, value_name = "VKEY")]
    pub key: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `kirjuri verify`.
pub fn run_verify(settings: &Settings, args: VerifyArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let report = match runtime.block_on(verify(settings, &args)) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print!("{}", render_report(&report));
    }
    if report.healthy { ExitCode::SUCCESS } else { ExitCode::from(EXIT_TAMPERED) }
}

fn trusted_keys(settings: &Settings, given: &[String]) -> anyhow::Result<Vec<VerifierKey>> {
    if !given.is_empty() {
        return given.iter().map(|k| VerifierKey::parse(k).with_context(|| format!("--key {k}"))).collect();
    }
    PublicKeys::read(&settings.keys_dir())
        .and_then(|keys| keys.verifiers())
        .with_context(|| format!("reading the public keys in {}", settings.keys_dir().display()))
}

/// What `kirjuri verify` checks and finds, without printing (tests call it too).
pub async fn verify(settings: &Settings, args: &VerifyArgs) -> anyhow::Result<VerifyReport> {
    let keys = trusted_keys(settings, &args.key)?;
    let mut extra = Vec::new();
    for file in &args.against {
        let note = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        extra.push(ExtraCheckpoint { source: file.display().to_string(), note });
    }
    anyhow::ensure!(
        settings.store != crate::settings::StoreKind::Sqlite || settings.sqlite_path().is_file(),
        "there is no event store at {} to verify (set data_dir or KIRJURI_DATA_DIR)",
        settings.sqlite_path().display()
    );
    let store: Arc<dyn EventStore> = crate::startup::open_store(settings).await?;
    let tree_path = settings.tree_path();
    let tree = if tree_path.is_file() {
        Some(TreeFile::open_read_only(&tree_path).with_context(|| format!("opening {}", tree_path.display()))?)
    } else {
        None
    };
    let total = store.head_position().await?.map(|p| p.commit);
    let terminal = std::io::stderr().is_terminal() && !args.json;
    let report = verify_log(store.as_ref(), tree.as_ref(), &keys, &extra, |done| {
        if terminal {
            match total {
                Some(total) if total > 0 => {
                    let percent = (done.min(total) * 100) / total;
                    let bar = "#".repeat((percent / 4) as usize);
                    eprint!("\rverifying [{bar:<25}] {percent:>3}% {done} events");
                }
                _ => eprint!("\rverifying {done} events"),
            }
        }
    })
    .await?;
    if terminal {
        eprintln!();
    }
    Ok(report)
}

fn render_report(report: &VerifyReport) -> String {
    let mut text = format!(
        "events: {}\nroot: {}\ntree file: {}\nsigned checkpoints checked: {}\n",
        report.events,
        report.root,
        report.tree_size.map_or_else(|| "none".to_owned(), |size| format!("{size} leaves")),
        report.checkpoints.len(),
    );
    if let Some(last) = report.checkpoints.iter().filter(|c| c.matches).max_by_key(|c| c.size) {
        text.push_str(&format!("last matching checkpoint: {} events, signed by {}\n", last.size, last.key));
    }
    text.push_str(&format!(
        "events after the last signed checkpoint: {} (only as trusted as the tree file)\n",
        report.unsigned_events
    ));
    if report.findings.is_empty() {
        text.push_str("intact: every event matches the tree and every signed checkpoint\n");
    } else {
        text.push_str(&format!("TAMPERED: {} finding(s)\n", report.findings.len()));
        for finding in &report.findings {
            text.push_str(&format!("  - {finding}\n"));
        }
    }
    text
}

/// The arguments of `kirjuri bundle`.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    /// The record's kind: practice, experiment, lesson, observation, campaign, …
    pub kind: String,
    /// The record's id.
    pub id: uuid::Uuid,
    /// Write the bundle here instead of to standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `kirjuri bundle` (while no server runs on the data directory, or beside one: it only
/// reads the views and signs a checkpoint if the latest does not cover the record).
pub fn run_bundle(settings: &Settings, args: BundleArgs) -> ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
        .and_then(|runtime| runtime.block_on(bundle(settings, &args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

async fn bundle(settings: &Settings, args: &BundleArgs) -> anyhow::Result<()> {
    let store = crate::startup::open_store(settings).await?;
    let kind = kirjuri_views::EntityKind::parse(&args.kind).map_err(|e| anyhow::anyhow!("kind: {e}"))?;
    let views = kirjuri_views::ViewsReader::open(crate::readside::ViewsFactory::new(settings).live_database())
        .context("opening the views (run the server or `kirjuri projections rebuild` first)")?;
    let streams = kirjuri_app::integrity::bundle_streams_for(&views, kind, args.id)
        .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
    let (events, withheld) = kirjuri_app::integrity::events_of_streams(store.as_ref(), &streams)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
    anyhow::ensure!(!events.is_empty(), "no {} {} in the log", args.kind, args.id);
    let keyring =
        Keyring::open(&settings.keys_dir(), settings.signing_key_file.as_deref()).context("opening the signing key")?;
    let mut tree = TreeFile::open(&settings.tree_path()).context("opening the tree file")?;
    // The tree may trail the log when no server runs: bring it up to the log's end first.
    kirjuri_integrity::tree::catch_up(store.as_ref(), &mut tree).await?;
    let checkpoint = tree.sign(&keyring.signer, chrono::Utc::now())?.context("the log is empty")?;
    let title = format!("{} {}", args.kind, args.id);
    let mut bundle = make_bundle(
        &tree,
        &events,
        &checkpoint,
        &keyring.verifiers()?,
        Subject { kind: args.kind.clone(), id: args.id.to_string(), title },
        chrono::Utc::now(),
    )?;
    if withheld > 0 {
        bundle
            .summary
            .en
            .push_str(&format!("\n\n{withheld} events holding personal data were left out of the bundle."));
        bundle
            .summary
            .fi
            .push_str(&format!("\n\n{withheld} henkilötietoja sisältävää tapahtumaa jätettiin pois paketista."));
    }
    let text = serde_json::to_string_pretty(&bundle)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {} events to {}", bundle.events.len(), path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}

/// The arguments of `kirjuri verify-bundle`.
#[derive(Debug, clap::Args)]
pub struct VerifyBundleArgs {
    /// The bundle file.
    pub file: PathBuf,
    /// Trust only these verifier keys (`<name>+<hash>+<key>`, e.g. from the city's
    /// `/.well-known/kirjuri/keys`); without, the bundle's own keys are used and the output says so.
    #[arg(long, value_name = "VKEY")]
    pub key: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `kirjuri verify-bundle` (no server, no data directory).
pub fn run_verify_bundle(args: VerifyBundleArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: reading {}: {error}", args.file.display());
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let pinned: Result<Vec<VerifierKey>, _> = args.key.iter().map(|k| VerifierKey::parse(k)).collect();
    let pinned = match pinned {
        Ok(keys) => keys,
        Err(error) => {
            eprintln!("error: --key: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match verify_bundle(&text, (!pinned.is_empty()).then_some(pinned.as_slice())) {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            } else {
                println!("valid: {} events of {} are in the log", report.events, report.subject.title);
                println!("checkpoint: {} events, root {}", report.tree_size, report.root);
                println!("signed by: {}", report.key);
                if !report.key_pinned {
                    println!(
                        "note: checked with the bundle's own key; compare it with the key the city publishes \
                         (GET /.well-known/kirjuri/keys) or pass --key"
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if args.json {
                println!("{}", serde_json::json!({ "valid": false, "error": error.to_string() }));
            } else {
                println!("INVALID: {error}");
            }
            ExitCode::from(EXIT_TAMPERED)
        }
    }
}
