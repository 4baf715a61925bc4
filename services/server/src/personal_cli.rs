//! `kirjuri erase-person` and `kirjuri person-report`: a data subject's rights from the command
//! line (the instance admin's tools: whoever runs them holds the data directory).
//!
//! - erasure (GDPR art. 17): the person's key is destroyed in the key store outside the log, so
//!   every personal text sealed under it is unreadable for good, and a `PersonErased` event
//!   records when, why, on what legal basis and by whom. The log is not rewritten: every proof
//!   and checkpoint stays valid.
//! - access (GDPR art. 15): every event whose data names the person reference, with their
//!   personal texts opened where their keys still exist.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use kirjuri_events::domain::erasure::{PERSON_ERASED, PersonErased, erasure_stream};
use kirjuri_events::{EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent};
use kirjuri_integrity::personal::{Opened, SubjectKeys, open_sealed};
use kirjuri_store::ReadAllOptions;
use serde_json::Value;

use crate::cli::EXIT_FAILED;
use crate::settings::Settings;

/// The arguments of `kirjuri erase-person`.
#[derive(Debug, clap::Args)]
pub struct EraseArgs {
    /// The pseudonymous person reference (e.g. hlo-7f3a2c).
    pub person: String,
    /// Why (e.g. "the person's request of 2026-12-01").
    #[arg(long)]
    pub reason: String,
    /// The legal basis, e.g. "GDPR art. 17(1)(a)".
    #[arg(long)]
    pub legal_basis: String,
    /// Who erases (recorded as the event's actor).
    #[arg(long, default_value = "cli:admin")]
    pub actor: String,
}

/// Runs `kirjuri erase-person`.
pub fn run_erase(settings: &Settings, args: EraseArgs) -> ExitCode {
    match runtime().and_then(|runtime| runtime.block_on(erase(settings, &args))) {
        Ok(erased) => {
            println!("{erased}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// Erases `args.person`: destroys their key, then records the erasure in the log.
pub async fn erase(settings: &Settings, args: &EraseArgs) -> anyhow::Result<String> {
    let person = args.person.trim();
    anyhow::ensure!(
        person.len() >= 3 && !person.contains(char::is_whitespace),
        "person: a person reference such as hlo-7f3a2c"
    );
    anyhow::ensure!(!args.reason.trim().is_empty(), "--reason: say why the data is erased");
    anyhow::ensure!(
        !args.legal_basis.trim().is_empty(),
        "--legal-basis: name the legal basis, e.g. \"GDPR art. 17(1)(a)\""
    );
    let store = crate::startup::open_store(settings).await?;
    let keys = SubjectKeys::open(&settings.keys_dir()).context("opening the personal-data key store")?;
    let now = Utc::now();
    let key_destroyed = keys.erase(person, args.reason.trim(), args.legal_basis.trim(), now)?;
    let erased = PersonErased {
        person: person.to_owned(),
        reason: args.reason.trim().to_owned(),
        legal_basis: args.legal_basis.trim().to_owned(),
        key_destroyed,
        erased_at: now,
    };
    let event = NewEvent::new(
        EventId::random(),
        EventType::parse(PERSON_ERASED).context("the erasure's type")?,
        EventPayload::from_value(&erased).context("encoding the erasure")?,
    )
    .with_metadata(EventMetadata { actor: Some(args.actor.clone()), ..EventMetadata::default() });
    let stream = erasure_stream(person).context("naming the erasure's stream")?;
    store.append(&stream, ExpectedRevision::Any, vec![event]).await.context("recording the erasure")?;
    Ok(if key_destroyed {
        format!(
            "erased: {person}'s key is destroyed; their personal texts can no longer be read, and the erasure is recorded in {stream}"
        )
    } else {
        format!("recorded: {person} had no personal text kept; no new personal text about them will be kept ({stream})")
    })
}

/// The arguments of `kirjuri person-report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The pseudonymous person reference.
    pub person: String,
}

/// Runs `kirjuri person-report`: prints one JSON object.
pub fn run_report(settings: &Settings, args: ReportArgs) -> ExitCode {
    match runtime().and_then(|runtime| runtime.block_on(report(settings, &args.person))) {
        Ok(report) => {
            println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn names(value: &Value, person: &str) -> bool {
    match value {
        Value::String(text) => text == person,
        Value::Array(items) => items.iter().any(|v| names(v, person)),
        Value::Object(members) => members.values().any(|v| names(v, person)),
        _ => false,
    }
}

/// Opens every sealed personal text in `value` that `keys` still open.
fn open_all(value: &mut Value, path: &str, event: EventId, keys: &SubjectKeys) {
    match value {
        Value::Object(members) if members.get("classification").and_then(Value::as_str) == Some("personal") => {
            let subjects: Vec<String> = members
                .get("subjects")
                .and_then(Value::as_array)
                .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            if let Some(sealed) = members.remove("sealed") {
                let opened = match open_sealed(&sealed, &subjects, event, path, keys) {
                    Ok(Opened::Text(text)) => Value::String(text),
                    Ok(Opened::Erased) => Value::String("(erased)".into()),
                    Err(error) => Value::String(format!("(does not open: {error})")),
                };
                members.insert("text".into(), opened);
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                open_all(member, &format!("{path}/{name}"), event, keys);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                open_all(item, &format!("{path}/{i}"), event, keys);
            }
        }
        _ => {}
    }
}

/// Everything the log records about `person`: each event naming them, personal text opened.
pub async fn report(settings: &Settings, person: &str) -> anyhow::Result<Value> {
    let store = crate::startup::open_store(settings).await?;
    let keys = SubjectKeys::open(&settings.keys_dir()).context("opening the personal-data key store")?;
    let mut events = Vec::new();
    let mut from = None;
    loop {
        let mut options = ReadAllOptions::forward(8_192);
        if let Some(position) = from {
            options = options.from(position);
        }
        let page = store.read_all(options).await?;
        let fresh: Vec<_> = page.into_iter().filter(|e| from.is_none_or(|p| e.position > p)).collect();
        let Some(last) = fresh.last().map(|e| e.position) else { break };
        for event in fresh {
            let mut data: Value = serde_json::from_str(event.data.as_str()).unwrap_or_default();
            if !names(&data, person) && event.metadata.actor.as_deref() != Some(person) {
                continue;
            }
            open_all(&mut data, "", event.id, &keys);
            events.push(serde_json::json!({
                "position": event.position.to_string(),
                "stream": event.stream.as_str(),
                "type": event.event_type.as_str(),
                "recorded_at": event.recorded_at,
                "tenant": event.metadata.tenant,
                "data": data,
            }));
        }
        from = Some(last);
    }
    let erasure = keys.erasures()?.into_iter().find(|e| e.subject == person);
    Ok(serde_json::json!({
        "person": person,
        "generated_at": Utc::now(),
        "erased": erasure,
        "events": events,
    }))
}
