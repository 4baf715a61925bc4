//! `kirjuri bench commands`: decide-and-append latency through the real command path.
//!
//! 16 clients each own an experiment whose stream already holds 1,000 events (proposal,
//! approval, protocol, stage change and 996 measurements), and record further measurements
//! concurrently through [`CommandBus::execute`] on the embedded store: load (the stream's tail
//! after the cached state), decide, append with `Exact(revision)`. Two figures:
//! - **warm**: one long-lived bus, as a running server has — its in-memory aggregate cache
//!   means only events after the cached revision are read;
//! - **cold**: a fresh bus per command, so every command folds all 1,000+ events first (a new
//!   instance, or a cache that was cleared).
//!
//! The limit each is measured against is the store's own append latency for one event, measured
//! in the same run with the same concurrency.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use kirjuri_domain::experiment::{
    ApproveExperiment, ChangeStage, DefineProtocol, ExperimentCommand, ExperimentState, ProposeExperiment,
    RecordMeasurement,
};
use kirjuri_domain::organisation::{
    BodyCommand, BodyState, EstablishUnit, MunicipalityCommand, MunicipalityState, RegisterBody, RegisterMunicipality,
    UnitCommand, UnitState,
};
use kirjuri_events::domain::experiment::{
    Criterion, CriterionMetrics, DecisionCitation, Direction, EvaluationDesign, ExperimentScope, MeasurementId, Metric,
    MetricCode, Period, Stage,
};
use kirjuri_events::domain::organisation::{BodyKind, MunicipalityCode, Sector};
use kirjuri_events::domain::{BodyId, ExperimentId, LocalizedText, MunicipalityId, UnitId};
use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions};
use serde_json::json;
use uuid::Uuid;

use kirjuri_app::usecases::{CommandBus, CommandContext};

/// Options of `kirjuri bench commands`.
#[derive(Debug, Clone, clap::Args)]
pub struct CommandsBenchArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Concurrent clients, each on its own stream.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Events already in each client's stream before measuring.
    #[arg(long, default_value_t = 1_000)]
    pub history: usize,
    /// Commands per client in each phase.
    #[arg(long, default_value_t = 200)]
    pub commands: usize,
    /// Where the temporary store goes (default: the system temp directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Latency figures of one phase.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
struct Phase {
    commands_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn phase(latencies: &mut [Duration], elapsed: Duration) -> Phase {
    latencies.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        latencies
            .get(rank.saturating_sub(1).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Phase {
        commands_per_s: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        p50_ms: at(50.0),
        p99_ms: at(99.0),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    }
}

fn text(fi: &str) -> anyhow::Result<LocalizedText> {
    LocalizedText::fi(fi).map_err(|e| anyhow::anyhow!("{e}"))
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("a valid date")
}

fn context(command_id: Uuid) -> CommandContext {
    CommandContext {
        command_id,
        actor: "bench".into(),
        tenant: Some(uuid::Uuid::nil().to_string()),
        correlation_id: None,
        occurred_at: None,
        if_revision: None,
        request_digest: None,
    }
}

struct World {
    municipality: MunicipalityId,
    unit: UnitId,
    body: BodyId,
    metric: MetricCode,
}

async fn register_world(bus: &CommandBus) -> anyhow::Result<World> {
    let municipality = MunicipalityId::random();
    let unit = UnitId::random();
    let body = BodyId::random();
    let code = MunicipalityCode::parse("297").map_err(|e| anyhow::anyhow!("{e}"))?;
    bus.execute::<MunicipalityState>(
        MunicipalityCommand::Register(RegisterMunicipality { municipality, code, name: text("Kuopio")? }),
        &context(Uuid::new_v4()),
    )
    .await?;
    bus.execute::<UnitState>(
        UnitCommand::Establish(EstablishUnit {
            unit,
            municipality,
            name: text("Kotihoito")?,
            parent: None,
            sector: Sector::SocialAndHealth,
        }),
        &context(Uuid::new_v4()),
    )
    .await?;
    bus.execute::<BodyState>(
        BodyCommand::Register(RegisterBody {
            body,
            municipality,
            name: text("Kaupunginhallitus")?,
            kind: BodyKind::CityBoard,
            parent: None,
            founded: date(2021, 1, 1)?,
        }),
        &context(Uuid::new_v4()),
    )
    .await?;
    let metric = MetricCode::parse("metric", "kotikaynnit_viikossa").map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(World { municipality, unit, body, metric })
}

fn measurement(experiment: ExperimentId, world: &World, n: usize) -> anyhow::Result<ExperimentCommand> {
    let day = date(2025, 3, 1)? + chrono::Duration::days((n % 300) as i64);
    Ok(ExperimentCommand::RecordMeasurement(RecordMeasurement {
        experiment,
        measurement: MeasurementId::random(),
        metric: world.metric.clone(),
        period: Period::parse("period", day, day).map_err(|e| anyhow::anyhow!("{e}"))?,
        value: 40.0 + (n % 17) as f64,
        n: 12,
        data_source: Some("toiminnanohjausjärjestelmä".into()),
    }))
}

/// Proposes, approves and starts an experiment, then fills its stream to `history` events.
async fn prepare_experiment(bus: &CommandBus, world: &World, history: usize) -> anyhow::Result<ExperimentId> {
    let experiment = ExperimentId::random();
    let steps = vec![
        ExperimentCommand::Propose(ProposeExperiment {
            experiment,
            municipality: world.municipality,
            name: text("Etäkotihoidon kokeilu")?,
            problem: text("Kotikäynneissä kuluu aikaa siirtymiin.")?,
            hypothesis: text("Osa käynneistä voidaan hoitaa videoyhteydellä.")?,
            units: vec![world.unit],
            themes: vec!["kotihoito".into()],
            proposed: date(2025, 1, 10)?,
        }),
        ExperimentCommand::Approve(ApproveExperiment {
            experiment,
            decision: DecisionCitation {
                body: world.body,
                meeting_date: date(2025, 2, 3)?,
                section: 41,
                decision_text: text("Kaupunginhallitus hyväksyi kokeilun.")?,
            },
            scope: ExperimentScope { group: text("Kotihoidon asiakkaat")?, place: text("Kuopio")? },
            starts: date(2025, 2, 10)?,
            ends: date(2026, 2, 10)?,
            budget_euros: Some(120_000),
        }),
        ExperimentCommand::DefineProtocol(DefineProtocol {
            experiment,
            design: EvaluationDesign::BeforeAfter,
            criteria: vec![CriterionMetrics {
                criterion: Criterion::Productivity,
                metrics: vec![Metric {
                    code: world.metric.clone(),
                    name: text("Kotikäyntejä viikossa työntekijää kohden")?,
                    unit: "kpl".into(),
                    direction: Direction::HigherIsBetter,
                }],
            }],
        }),
        ExperimentCommand::ChangeStage(ChangeStage {
            experiment,
            to: Stage::Running,
            changed: date(2025, 2, 10)?,
            reason: None,
        }),
    ];
    for step in steps {
        bus.execute::<ExperimentState>(step, &context(Uuid::new_v4())).await?;
    }
    for n in 4..history {
        bus.execute::<ExperimentState>(measurement(experiment, world, n)?, &context(Uuid::new_v4())).await?;
    }
    Ok(experiment)
}

/// Every client records `commands` measurements; a fresh bus per command when `cold`.
async fn run_clients(
    bus: &CommandBus,
    store: &Arc<dyn EventStore>,
    world: &Arc<World>,
    experiments: &[ExperimentId],
    commands: usize,
    cold: bool,
) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (client, experiment) in experiments.iter().copied().enumerate() {
        let bus = bus.clone();
        let store = Arc::clone(store);
        let world = Arc::clone(world);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(commands);
            for n in 0..commands {
                let command = measurement(experiment, &world, client * 10_000 + n)?;
                let began = Instant::now();
                if cold {
                    CommandBus::new(Arc::clone(&store))
                        .execute::<ExperimentState>(command, &context(Uuid::new_v4()))
                        .await?;
                } else {
                    bus.execute::<ExperimentState>(command, &context(Uuid::new_v4())).await?;
                }
                latencies.push(began.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.context("a client task")??);
    }
    Ok(phase(&mut latencies, started.elapsed()))
}

/// The store alone: one event per append, same concurrency, no domain.
async fn raw_appends(store: &Arc<dyn EventStore>, clients: usize, commands: usize) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let store = Arc::clone(store);
        tasks.push(tokio::spawn(async move {
            let stream = ExperimentId::random().stream();
            let mut latencies = Vec::with_capacity(commands);
            for n in 0..commands {
                let event = kirjuri_events::NewEvent::new(
                    kirjuri_events::EventId::random(),
                    kirjuri_events::EventType::parse("BenchAppended").map_err(|e| anyhow::anyhow!("{e}"))?,
                    kirjuri_events::EventPayload::from_value(&json!({ "n": n, "value": 42.5 }))?,
                );
                let began = Instant::now();
                store.append(&stream, kirjuri_events::ExpectedRevision::Any, vec![event]).await?;
                latencies.push(began.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.context("a client task")??);
    }
    Ok(phase(&mut latencies, started.elapsed()))
}

/// Runs the benchmark and prints its report.
pub fn run_commands_bench(args: &CommandsBenchArgs) -> anyhow::Result<()> {
    let args = args.clone();
    super::on_own_runtime(move || async move { measure_and_print(&args).await })
}

async fn measure_and_print(args: &CommandsBenchArgs) -> anyhow::Result<()> {
    let dir = super::ScratchDir::create_in("commands", &args.dir.clone().unwrap_or_else(std::env::temp_dir))?;
    let report = measure(args, dir.path()).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(args, &report);
    }
    Ok(())
}

#[derive(Debug, serde::Serialize)]
struct Report {
    clients: usize,
    history_events: usize,
    commands_per_client: usize,
    store_append: Phase,
    warm: Phase,
    cold: Phase,
    target_p99_ms: f64,
    warm_target_met: bool,
    cold_target_met: bool,
}

async fn measure(args: &CommandsBenchArgs, dir: &std::path::Path) -> anyhow::Result<Report> {
    anyhow::ensure!(
        args.clients > 0 && args.commands > 0 && args.history >= 5,
        "clients, commands must be positive and history at least 5"
    );
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(SqliteStoreOptions::new(dir.join("events.sqlite")))?);
    let bus = CommandBus::new(Arc::clone(&store));
    let world = Arc::new(register_world(&bus).await?);
    eprintln!("bench commands: preparing {} streams of {} events", args.clients, args.history);
    let mut preparing = Vec::new();
    for _ in 0..args.clients {
        let bus = bus.clone();
        let world = Arc::clone(&world);
        let history = args.history;
        preparing.push(tokio::spawn(async move { prepare_experiment(&bus, &world, history).await }));
    }
    let mut experiments = Vec::new();
    for task in preparing {
        experiments.push(task.await.context("preparing a stream")??);
    }
    eprintln!("bench commands: store appends, then warm and cold commands");
    let store_append = raw_appends(&store, args.clients, args.commands).await?;
    let warm = run_clients(&bus, &store, &world, &experiments, args.commands, false).await?;
    let cold = run_clients(&bus, &store, &world, &experiments, args.commands / 4 + 1, true).await?;
    const TARGET_P99_MS: f64 = 5.0;
    Ok(Report {
        clients: args.clients,
        history_events: args.history,
        commands_per_client: args.commands,
        store_append,
        warm,
        cold,
        target_p99_ms: TARGET_P99_MS,
        warm_target_met: warm.p99_ms <= TARGET_P99_MS,
        cold_target_met: cold.p99_ms <= TARGET_P99_MS,
    })
}

fn print_table(args: &CommandsBenchArgs, report: &Report) {
    println!(
        "kirjuri bench commands: {} clients, streams of {} events, {} commands each",
        args.clients, args.history, args.commands
    );
    println!();
    println!(
        "{:<44} | {:>12} | {:>9} | {:>9} | {:>9} | {:>22} | {:>5}",
        "phase", "commands/s", "p50 ms", "p99 ms", "max ms", "p99 vs store append", "<=5ms"
    );
    println!("{}", "-".repeat(128));
    let store_p99 = report.store_append.p99_ms.max(1e-9);
    for (name, figures, met) in [
        ("store append alone (1 event, same clients)", report.store_append, None),
        ("decide + append, warm (cached aggregate)", report.warm, Some(report.warm_target_met)),
        ("decide + append, cold (folds 1,000+ events)", report.cold, Some(report.cold_target_met)),
    ] {
        println!(
            "{:<44} | {:>12.0} | {:>9.2} | {:>9.2} | {:>9.2} | {:>22} | {:>5}",
            name,
            figures.commands_per_s,
            figures.p50_ms,
            figures.p99_ms,
            figures.max_ms,
            format!("{:.2}x", figures.p99_ms / store_p99),
            met.map_or("-", |m| if m { "yes" } else { "NO" }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_run_measures_every_phase_through_the_command_path() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let args = CommandsBenchArgs { json: true, clients: 2, history: 12, commands: 4, dir: None };
        let report = measure(&args, dir.path()).await.unwrap_or_else(|e| panic!("{e:#}"));
        for figures in [report.store_append, report.warm, report.cold] {
            assert!(figures.commands_per_s > 0.0 && figures.p99_ms >= figures.p50_ms && figures.p50_ms > 0.0);
        }
        // Every prepared stream holds its history plus the measured commands (warm + cold).
        let store = SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite")))
            .unwrap_or_else(|e| panic!("{e}"));
        let report = store.check().await.unwrap_or_else(|e| panic!("{e}"));
        let expected = 3 + 2 * 12 + 2 * 4 + 2 * 4 + 2 * (4 / 4 + 1);
        assert_eq!(report.events, expected as u64, "events written through the command path");
        assert!(report.is_healthy());
    }
}
