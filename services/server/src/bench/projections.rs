//! `kirjuri bench projections`: the read side on the demo programme.
//!
//! 1. writes the demo at `--scale` (587 ≈ 1,000,000 events) into a fresh data directory;
//! 2. **rebuild**: both read models (views, search) rebuilt from zero, side by side — events/s
//!    over the whole log (target ≥ 25,000/s, with Voikko when it is installed);
//! 3. **freshness**: the runner follows the log while a writer appends lessons at a steady
//!    1,000/s; for each, the time from the append's acknowledgement until both read models
//!    have applied it (target p99 ≤ 1 s);
//! 4. **search**: 8 threads run 1–3 word Finnish queries with facets and snippets against the
//!    index (targets p50 ≤ 2 ms, p99 ≤ 15 ms);
//! 5. **picture**: the situational picture as of random dates (target ≤ 50 ms).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use kirjuri_events::domain::experiment::ExperimentEvent;
use kirjuri_events::domain::lesson::{LessonEvent, LessonIdentified, LessonSource};
use kirjuri_events::domain::organisation::MunicipalityEvent;
use kirjuri_events::domain::{LessonId, LocalizedText};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision};
use kirjuri_projections::{ProjectionFactory, rebuild};
use kirjuri_search::{SearchFilters, SearchRequest};
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use kirjuri_views::{PictureQuery, ViewsReader};
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::demo::{DemoArgs, run_demo};
use crate::readside::{self, SearchFactory, ViewsFactory};
use crate::settings::Settings;

/// Options of `kirjuri bench projections`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectionsBenchArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Demo scale (587 writes about 1,000,000 events).
    #[arg(long, default_value_t = 587)]
    pub scale: u32,
    /// Seconds of steady appends for the freshness figure.
    #[arg(long, default_value_t = 10)]
    pub steady_seconds: u64,
    /// Queries per search thread.
    #[arg(long, default_value_t = 400)]
    pub queries: usize,
    /// Where the temporary data directory goes (default: the system temp directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Latency {
    count: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples.get(rank.saturating_sub(1)).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Latency {
        count: samples.len(),
        p50_ms: at(50.0),
        p99_ms: at(99.0),
        max_ms: samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    }
}

#[derive(Debug, Serialize)]
struct Report {
    events: u64,
    demo_seconds: f64,
    voikko: bool,
    rebuild_seconds: f64,
    rebuild_events_per_s: f64,
    rebuild_views_seconds: f64,
    rebuild_search_seconds: f64,
    steady_appends_per_s: f64,
    append_to_visible: Latency,
    search: Latency,
    search_queries_per_s: f64,
    picture: Latency,
    targets_met: TargetsMet,
}

#[derive(Debug, Serialize)]
struct TargetsMet {
    rebuild_events_per_s: bool,
    append_to_visible_p99: bool,
    search_p50: bool,
    search_p99: bool,
    picture_max: bool,
}

/// Runs the benchmark and prints its report.
pub fn run_projections_bench(args: &ProjectionsBenchArgs) -> anyhow::Result<()> {
    let args = args.clone();
    super::on_own_runtime(move || async move { measure_and_print(&args).await })
}

async fn measure_and_print(args: &ProjectionsBenchArgs) -> anyhow::Result<()> {
    let dir = super::ScratchDir::create_in("projections", &args.dir.clone().unwrap_or_else(std::env::temp_dir))?;
    let report = measure(args, dir.path()).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// The first event of a type, decoded by `decode`.
async fn first_of<T>(
    store: &dyn EventStore,
    event_type: &str,
    decode: impl Fn(&kirjuri_events::RecordedEvent) -> Option<T>,
) -> anyhow::Result<T> {
    let page = store.read_all(ReadAllOptions::forward(1).filtered(EventFilter::types([event_type]))).await?;
    page.first().and_then(decode).with_context(|| format!("the demo holds no {event_type}"))
}

async fn measure(args: &ProjectionsBenchArgs, dir: &std::path::Path) -> anyhow::Result<Report> {
    let settings = Settings { data_dir: dir.to_path_buf(), ..Settings::default() };
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(SqliteStoreOptions::new(settings.sqlite_path()))?);

    eprintln!("bench projections: writing the demo at scale {}", args.scale);
    let demo_args = DemoArgs { scale: args.scale, ..DemoArgs::default() };
    let demo = run_demo(Arc::clone(&store), &demo_args).await?;
    let head = store.head_position().await?.context("the demo wrote nothing")?;

    eprintln!("bench projections: rebuilding views and search from zero ({} events)", head.commit);
    let views: Arc<dyn ProjectionFactory> = Arc::new(ViewsFactory::new(&settings));
    let search_factory = Arc::new(SearchFactory::new(&settings));
    let search: Arc<dyn ProjectionFactory> = search_factory.clone();
    let started = Instant::now();
    let (views_report, search_report) =
        tokio::join!(rebuild(views, Arc::clone(&store), |_| {}), rebuild(search, Arc::clone(&store), |_| {}));
    let rebuild_seconds = started.elapsed().as_secs_f64();
    let (views_report, search_report) = (views_report?, search_report?);

    // Freshness under a steady stream of appends.
    let municipality = first_of(&*store, "MunicipalityRegistered", |e| match MunicipalityEvent::from_recorded(e) {
        Ok(MunicipalityEvent::Registered(registered)) => Some(registered.municipality),
        _ => None,
    })
    .await?;
    let experiment = first_of(&*store, "ExperimentProposed", |e| match ExperimentEvent::from_recorded(e) {
        Ok(ExperimentEvent::Proposed(proposed)) => Some(proposed.experiment),
        _ => None,
    })
    .await?;
    let runner = Arc::new(readside::start(&settings, Arc::clone(&store)).await?);
    runner.wait_until_caught_up(head, Duration::from_secs(600)).await?;
    eprintln!("bench projections: appending 1,000 lessons/s for {} s", args.steady_seconds);
    let steady_started = Instant::now();
    let mut waiters = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut appended = 0u64;
    while steady_started.elapsed() < Duration::from_secs(args.steady_seconds) {
        tick.tick().await;
        for _ in 0..10 {
            let lesson = LessonId::random();
            let event = LessonEvent::Identified(LessonIdentified {
                lesson,
                municipality,
                unit: None,
                title: LocalizedText::fi("Etäkäyntien ajanvaraus kannattaa keskittää")?,
                driving_event: LocalizedText::fi("Kokeilussa ajanvaraukset hajaantuivat usealle työntekijälle.")?,
                lesson_text: LocalizedText::fi("Yksi yhteinen ajanvarauskalenteri vähensi päällekkäisiä käyntejä.")?,
                recommendations: Vec::new(),
                observations: Vec::new(),
                sources: vec![LessonSource::Experiment(experiment)],
                tags: vec!["kotihoito".into()],
            });
            let new_event = event.to_new_event(EventId::random(), EventMetadata::default())?;
            let store = Arc::clone(&store);
            let runner = Arc::clone(&runner);
            appended += 1;
            waiters.push(tokio::spawn(async move {
                let result = store.append(&lesson.stream(), ExpectedRevision::NoStream, vec![new_event]).await?;
                let acknowledged = Instant::now();
                runner.wait_until_caught_up(result.position, Duration::from_secs(30)).await?;
                anyhow::Ok(acknowledged.elapsed())
            }));
        }
    }
    let steady_appends_per_s = appended as f64 / steady_started.elapsed().as_secs_f64();
    let mut visible = Vec::with_capacity(waiters.len());
    for waiter in waiters {
        visible.push(waiter.await.context("a freshness task")??);
    }
    let runner = Arc::try_unwrap(runner).map_err(|_| anyhow::anyhow!("the runner is still shared"))?;
    runner.shutdown().await;

    // Search latency: 8 threads of 1–3 word Finnish queries with facets and snippets.
    eprintln!("bench projections: searching with 8 threads");
    let index = search_factory.open_index(&search_factory.live_location())?;
    let voikko = index.uses_voikko();
    const QUERIES: &[&str] = &[
        "kotihoito",
        "etäkäynti",
        "kokeilun tulokset",
        "digitaalinen asiointipiste",
        "työhyvinvointi",
        "osaamisen kehittäminen",
        "tekoäly asiakirjat",
        "perhekeskus palvelupolku",
        "kirjasto",
        "rakennusvalvonta chatbot",
        "vertaisoppiminen",
        "ajanvaraus",
        "kotihoidon etäkäynnit",
        "päätös käytäntö",
        "mittaus tuottavuus",
    ];
    let search_started = Instant::now();
    let mut threads = Vec::new();
    for thread in 0..8u64 {
        let index = index.clone();
        let queries = args.queries;
        threads.push(std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
            let mut rng = rand::rngs::StdRng::seed_from_u64(thread);
            let mut samples = Vec::with_capacity(queries);
            for n in 0..queries {
                let text = QUERIES[rng.random_range(0..QUERIES.len())];
                let filters =
                    if n % 3 == 0 { SearchFilters::parse([("kind", "lesson")])? } else { SearchFilters::default() };
                let request = SearchRequest { text: text.to_owned(), filters, ..SearchRequest::default() };
                let began = Instant::now();
                let results = index.search(&request)?;
                samples.push(began.elapsed());
                std::hint::black_box(results);
            }
            Ok(samples)
        }));
    }
    let mut search_samples = Vec::new();
    for thread in threads {
        search_samples.extend(thread.join().map_err(|_| anyhow::anyhow!("a search thread panicked"))??);
    }
    let search_queries_per_s = search_samples.len() as f64 / search_started.elapsed().as_secs_f64();

    // The situational picture as of random dates.
    eprintln!("bench projections: the situational picture as of random dates");
    let views_path = settings.data_dir.join("views").join("views.sqlite");
    let reader = ViewsReader::open(&views_path)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut picture_samples = Vec::new();
    for _ in 0..50 {
        let date =
            NaiveDate::from_ymd_opt(2024, 1, 1).context("a date")? + chrono::Duration::days(rng.random_range(0..1100));
        let began = Instant::now();
        let picture = reader.situational_picture(&PictureQuery::of(municipality).as_of(date))?;
        picture_samples.push(began.elapsed());
        std::hint::black_box(picture);
    }

    let append_to_visible = latency(visible);
    let search = latency(search_samples);
    let picture = latency(picture_samples);
    let rebuild_events_per_s = head.commit as f64 / rebuild_seconds;
    Ok(Report {
        events: head.commit,
        demo_seconds: demo.elapsed.as_secs_f64(),
        voikko,
        rebuild_seconds,
        rebuild_events_per_s,
        rebuild_views_seconds: views_report.elapsed.as_secs_f64(),
        rebuild_search_seconds: search_report.elapsed.as_secs_f64(),
        steady_appends_per_s,
        append_to_visible,
        search,
        search_queries_per_s,
        picture,
        targets_met: TargetsMet {
            rebuild_events_per_s: rebuild_events_per_s >= 25_000.0,
            append_to_visible_p99: append_to_visible.p99_ms <= 1_000.0,
            search_p50: search.p50_ms <= 2.0,
            search_p99: search.p99_ms <= 15.0,
            picture_max: picture.max_ms <= 50.0,
        },
    })
}

fn print_table(report: &Report) {
    let yes = |met: bool| if met { "yes" } else { "NO" };
    println!(
        "kirjuri bench projections: {} events (demo written in {:.1} s), Voikko {}",
        report.events,
        report.demo_seconds,
        if report.voikko { "on" } else { "off (Snowball only)" }
    );
    println!();
    println!("{:<48} | {:>16} | {:>16} | {:>6} | {:>4}", "figure", "measured", "target", "ratio", "met");
    println!("{}", "-".repeat(102));
    let row = |name: &str, measured: String, target: String, ratio: f64, met: bool| {
        println!("{name:<48} | {measured:>16} | {target:>16} | {ratio:>6.2} | {:>4}", yes(met));
    };
    let t = &report.targets_met;
    row(
        "full rebuild, views and search side by side",
        format!("{:.0} events/s", report.rebuild_events_per_s),
        "25,000 events/s".into(),
        report.rebuild_events_per_s / 25_000.0,
        t.rebuild_events_per_s,
    );
    println!(
        "{:<48} | {:>16} | views {:.1} s, search {:.1} s (wall {:.1} s)",
        "  of which", "", report.rebuild_views_seconds, report.rebuild_search_seconds, report.rebuild_seconds
    );
    row(
        &format!("append to visible, p99 ({:.0} appends/s)", report.steady_appends_per_s),
        format!("{:.1} ms", report.append_to_visible.p99_ms),
        "1,000 ms".into(),
        report.append_to_visible.p99_ms / 1_000.0,
        t.append_to_visible_p99,
    );
    println!("{:<48} | {:>13.1} ms |", "append to visible, p50", report.append_to_visible.p50_ms);
    row(
        "search, 8 threads, p50",
        format!("{:.2} ms", report.search.p50_ms),
        "2 ms".into(),
        report.search.p50_ms / 2.0,
        t.search_p50,
    );
    row(
        "search, 8 threads, p99",
        format!("{:.2} ms", report.search.p99_ms),
        "15 ms".into(),
        report.search.p99_ms / 15.0,
        t.search_p99,
    );
    println!("{:<48} | {:>10.0} q/s |", "search throughput", report.search_queries_per_s);
    row(
        "situational picture as of a date, max",
        format!("{:.1} ms", report.picture.max_ms),
        "50 ms".into(),
        report.picture.max_ms / 50.0,
        t.picture_max,
    );
    println!("{:<48} | {:>13.1} ms |", "situational picture, p50", report.picture.p50_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_run_measures_every_figure() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let args = ProjectionsBenchArgs { json: true, scale: 1, steady_seconds: 1, queries: 5, dir: None };
        let report = measure(&args, dir.path()).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(report.events > 1_000 && report.rebuild_events_per_s > 0.0);
        assert!(report.append_to_visible.count >= 50, "{:?}", report.append_to_visible);
        assert_eq!(report.search.count, 8 * 5);
        assert_eq!(report.picture.count, 50);
        assert!(report.picture.p50_ms > 0.0 && report.search.p50_ms > 0.0);
    }
}
