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
use kirjuri_events::domain::{LessonId, LocalizedText, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Position};
use kirjuri_projections::{ProjectionFactory, rebuild};
use kirjuri_search::quality::BENCHMARK_QUERIES;
use kirjuri_search::{SearchFilters, SearchRequest};
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use kirjuri_views::{PictureQuery, ViewsReader};
use rand::{Rng, SeedableRng};
use serde::Serialize;

use kirjuri_app::readside::{self, SearchFactory, ViewsFactory};
use kirjuri_app::settings::Settings;
use kirjuri_demo::{DemoArgs, run_demo};

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
    /// Use this data directory and keep it afterwards: the demo is written only when its store
    /// is empty, so later runs (e.g. `--only search`) skip the minutes of setup.
    #[arg(long, conflicts_with = "dir")]
    pub data_dir: Option<PathBuf>,
    /// Measure only these phases (comma-separated; default all). `search` and `picture` read
    /// the read models already in the data directory.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Phase>,
}

/// A part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// Both read models rebuilt from zero.
    Rebuild,
    /// Append-to-visible under steady appends.
    Freshness,
    /// Concurrent searches.
    Search,
    /// The situational picture as of random dates.
    Picture,
}

impl ProjectionsBenchArgs {
    fn runs(&self, phase: Phase) -> bool {
        self.only.is_empty() || self.only.contains(&phase)
    }
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
    /// `None` when the data directory already held the demo.
    demo_seconds: Option<f64>,
    voikko: bool,
    rebuild: Option<RebuildFigures>,
    freshness: Option<FreshnessFigures>,
    search: Option<SearchFigures>,
    picture: Option<Latency>,
    targets_met: TargetsMet,
}

#[derive(Debug, Serialize)]
struct RebuildFigures {
    seconds: f64,
    events_per_s: f64,
    views_seconds: f64,
    search_seconds: f64,
}

#[derive(Debug, Serialize)]
struct FreshnessFigures {
    appends_per_s: f64,
    append_to_visible: Latency,
}

#[derive(Debug, Serialize)]
struct SearchFigures {
    latency: Latency,
    queries_per_s: f64,
}

/// Whether each measured figure meets its target (`None`: not measured).
#[derive(Debug, Serialize)]
struct TargetsMet {
    rebuild_events_per_s: Option<bool>,
    append_to_visible_p99: Option<bool>,
    search_p50: Option<bool>,
    search_p99: Option<bool>,
    picture_max: Option<bool>,
}

/// Runs the benchmark and prints its report.
pub fn run_projections_bench(args: &ProjectionsBenchArgs) -> anyhow::Result<()> {
    let args = args.clone();
    super::on_own_runtime(move || async move { measure_and_print(&args).await })
}

async fn measure_and_print(args: &ProjectionsBenchArgs) -> anyhow::Result<()> {
    let report = match &args.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            measure(args, dir).await?
        }
        None => {
            let dir =
                super::ScratchDir::create_in("projections", &args.dir.clone().unwrap_or_else(std::env::temp_dir))?;
            measure(args, dir.path()).await?
        }
    };
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

    let demo_seconds = if store.head_position().await?.is_none() {
        eprintln!("bench projections: writing the demo at scale {}", args.scale);
        let demo_args = DemoArgs { scale: args.scale, ..DemoArgs::default() };
        Some(run_demo(Arc::clone(&store), &demo_args).await?.elapsed.as_secs_f64())
    } else {
        eprintln!("bench projections: using the events already in {}", dir.display());
        None
    };
    let head = store.head_position().await?.context("the demo wrote nothing")?;
    let search_factory = Arc::new(SearchFactory::new(&settings));

    let rebuild = if args.runs(Phase::Rebuild) {
        Some(measure_rebuild(&settings, &search_factory, &store, head).await?)
    } else {
        None
    };
    let freshness =
        if args.runs(Phase::Freshness) { Some(measure_freshness(args, &settings, &store, head).await?) } else { None };
    let index = search_factory.open_index(&search_factory.live_location())?;
    let voikko = index.uses_voikko();
    let search = if args.runs(Phase::Search) { Some(measure_search(args, &index)?) } else { None };
    let picture = if args.runs(Phase::Picture) { Some(measure_picture(&settings, &store).await?) } else { None };

    let targets_met = TargetsMet {
        rebuild_events_per_s: rebuild.as_ref().map(|r| r.events_per_s >= 25_000.0),
        append_to_visible_p99: freshness.as_ref().map(|f| f.append_to_visible.p99_ms <= 1_000.0),
        search_p50: search.as_ref().map(|s| s.latency.p50_ms <= 2.0),
        search_p99: search.as_ref().map(|s| s.latency.p99_ms <= 15.0),
        picture_max: picture.as_ref().map(|p| p.max_ms <= 50.0),
    };
    Ok(Report { events: head.commit, demo_seconds, voikko, rebuild, freshness, search, picture, targets_met })
}

/// Both read models rebuilt from zero, side by side.
async fn measure_rebuild(
    settings: &Settings,
    search_factory: &Arc<SearchFactory>,
    store: &Arc<dyn EventStore>,
    head: Position,
) -> anyhow::Result<RebuildFigures> {
    eprintln!("bench projections: rebuilding views and search from zero ({} events)", head.commit);
    let views: Arc<dyn ProjectionFactory> = Arc::new(ViewsFactory::new(settings));
    let search: Arc<dyn ProjectionFactory> = search_factory.clone();
    let started = Instant::now();
    let (views_report, search_report) =
        tokio::join!(rebuild(views, Arc::clone(store), |_| {}), rebuild(search, Arc::clone(store), |_| {}));
    let seconds = started.elapsed().as_secs_f64();
    let (views_report, search_report) = (views_report?, search_report?);
    Ok(RebuildFigures {
        seconds,
        events_per_s: head.commit as f64 / seconds,
        views_seconds: views_report.elapsed.as_secs_f64(),
        search_seconds: search_report.elapsed.as_secs_f64(),
    })
}

/// The municipality of the first `MunicipalityRegistered`.
async fn first_municipality(store: &dyn EventStore) -> anyhow::Result<MunicipalityId> {
    first_of(store, "MunicipalityRegistered", |e| match MunicipalityEvent::from_recorded(e) {
        Ok(MunicipalityEvent::Registered(registered)) => Some(registered.municipality),
        _ => None,
    })
    .await
}

/// Append-to-visible while a writer appends lessons at a steady 1,000/s.
async fn measure_freshness(
    args: &ProjectionsBenchArgs,
    settings: &Settings,
    store: &Arc<dyn EventStore>,
    head: Position,
) -> anyhow::Result<FreshnessFigures> {
    let municipality = first_municipality(&**store).await?;
    let experiment = first_of(&**store, "ExperimentProposed", |e| match ExperimentEvent::from_recorded(e) {
        Ok(ExperimentEvent::Proposed(proposed)) => Some(proposed.experiment),
        _ => None,
    })
    .await?;
    let runner = Arc::new(readside::start(settings, Arc::clone(store)).await?);
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
            let store = Arc::clone(store);
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
    let appends_per_s = appended as f64 / steady_started.elapsed().as_secs_f64();
    let mut visible = Vec::with_capacity(waiters.len());
    for waiter in waiters {
        visible.push(waiter.await.context("a freshness task")??);
    }
    let runner = Arc::try_unwrap(runner).map_err(|_| anyhow::anyhow!("the runner is still shared"))?;
    runner.shutdown().await;
    Ok(FreshnessFigures { appends_per_s, append_to_visible: latency(visible) })
}

/// 8 threads of 1–3 word Finnish queries with facets and snippets.
fn measure_search(args: &ProjectionsBenchArgs, index: &kirjuri_search::SearchIndex) -> anyhow::Result<SearchFigures> {
    eprintln!("bench projections: searching with 8 threads");

    let started = Instant::now();
    let mut threads = Vec::new();
    for thread in 0..8u64 {
        let index = index.clone();
        let queries = args.queries;
        threads.push(std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
            let mut rng = rand::rngs::StdRng::seed_from_u64(thread);
            let mut samples = Vec::with_capacity(queries);
            for n in 0..queries {
                let text = BENCHMARK_QUERIES[rng.random_range(0..BENCHMARK_QUERIES.len())];
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
    let mut samples = Vec::new();
    for thread in threads {
        samples.extend(thread.join().map_err(|_| anyhow::anyhow!("a search thread panicked"))??);
    }
    let queries_per_s = samples.len() as f64 / started.elapsed().as_secs_f64();
    Ok(SearchFigures { latency: latency(samples), queries_per_s })
}

/// The situational picture of the first municipality as of 50 random dates.
async fn measure_picture(settings: &Settings, store: &Arc<dyn EventStore>) -> anyhow::Result<Latency> {
    eprintln!("bench projections: the situational picture as of random dates");
    let municipality = first_municipality(&**store).await?;
    let views_path = settings.data_dir.join("views").join("views.sqlite");
    let reader = ViewsReader::open(&views_path)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut samples = Vec::new();
    for _ in 0..50 {
        let date =
            NaiveDate::from_ymd_opt(2024, 1, 1).context("a date")? + chrono::Duration::days(rng.random_range(0..1100));
        let began = Instant::now();
        let picture = reader.situational_picture(&PictureQuery::of(municipality).as_of(date))?;
        samples.push(began.elapsed());
        std::hint::black_box(picture);
    }
    Ok(latency(samples))
}

fn print_table(report: &Report) {
    let yes = |met: bool| if met { "yes" } else { "NO" };
    let demo = match report.demo_seconds {
        Some(seconds) => format!("demo written in {seconds:.1} s"),
        None => "demo already written".to_owned(),
    };
    let voikko = if report.voikko { "on" } else { "off (Snowball only)" };
    println!("kirjuri bench projections: {} events ({demo}), Voikko {voikko}", report.events);
    println!();
    println!("{:<48} | {:>16} | {:>16} | {:>6} | {:>4}", "figure", "measured", "target", "ratio", "met");
    println!("{}", "-".repeat(102));
    let row = |name: &str, measured: String, target: &str, ratio: f64, met: bool| {
        println!("{name:<48} | {measured:>16} | {target:>16} | {ratio:>6.2} | {:>4}", yes(met));
    };
    let note = |name: &str, measured: String| println!("{name:<48} | {measured:>16} |");
    if let Some(r) = &report.rebuild {
        let events_per_s = r.events_per_s;
        let met = events_per_s >= 25_000.0;
        row(
            "full rebuild, views and search side by side",
            format!("{events_per_s:.0} events/s"),
            "25,000 events/s",
            events_per_s / 25_000.0,
            met,
        );
        println!(
            "{:<48} | {:>16} | views {:.1} s, search {:.1} s (wall {:.1} s)",
            "  of which", "", r.views_seconds, r.search_seconds, r.seconds
        );
    }
    if let Some(f) = &report.freshness {
        let p99 = f.append_to_visible.p99_ms;
        row(
            &format!("append to visible, p99 ({:.0} appends/s)", f.appends_per_s),
            format!("{p99:.1} ms"),
            "1,000 ms",
            p99 / 1_000.0,
            p99 <= 1_000.0,
        );
        note("append to visible, p50", format!("{:.1} ms", f.append_to_visible.p50_ms));
    }
    if let Some(s) = &report.search {
        let (p50, p99) = (s.latency.p50_ms, s.latency.p99_ms);
        row("search, 8 threads, p50", format!("{p50:.2} ms"), "2 ms", p50 / 2.0, p50 <= 2.0);
        row("search, 8 threads, p99", format!("{p99:.2} ms"), "15 ms", p99 / 15.0, p99 <= 15.0);
        note("search throughput", format!("{:.0} q/s", s.queries_per_s));
    }
    if let Some(p) = &report.picture {
        row(
            "situational picture as of a date, max",
            format!("{:.1} ms", p.max_ms),
            "50 ms",
            p.max_ms / 50.0,
            p.max_ms <= 50.0,
        );
        note("situational picture, p50", format!("{:.1} ms", p.p50_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_run_measures_every_figure() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let args = ProjectionsBenchArgs {
            json: true,
            scale: 1,
            steady_seconds: 1,
            queries: 5,
            dir: None,
            data_dir: None,
            only: Vec::new(),
        };
        let report = measure(&args, dir.path()).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(report.events > 1_000 && report.demo_seconds.is_some());
        assert!(report.rebuild.as_ref().is_some_and(|r| r.events_per_s > 0.0));
        let freshness = report.freshness.as_ref().unwrap_or_else(|| panic!("freshness measured"));
        assert!(freshness.append_to_visible.count >= 50, "{:?}", freshness.append_to_visible);
        let search = report.search.as_ref().unwrap_or_else(|| panic!("search measured"));
        assert_eq!(search.latency.count, 8 * 5);
        let picture = report.picture.unwrap_or_else(|| panic!("picture measured"));
        assert_eq!(picture.count, 50);
        assert!(picture.p50_ms > 0.0 && search.latency.p50_ms > 0.0);

        // A second run on the same directory reuses its events and measures only what it is asked.
        let again = ProjectionsBenchArgs { only: vec![Phase::Search], ..args };
        let report = measure(&again, dir.path()).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(report.demo_seconds.is_none());
        assert!(report.rebuild.is_none() && report.freshness.is_none() && report.picture.is_none());
        assert_eq!(report.search.map(|s| s.latency.count), Some(8 * 5));
    }
}
