//! `kirjuri bench integrity`: what the verifiable log costs and how fast it is checked.
//!
//! 1. **Appends with the tree on and off**: the store bench's one writer, 64 writers and batches
//!    of 100, each on a fresh store, first alone and then with the tree's projection and the
//!    checkpoint signer running beside it (every 1,000 events). The ratio on/off must be ≥ 0.95.
//! 2. **The demo** at `--scale` (587 ≈ 1,000,000 events) in a data directory (kept with
//!    `--data-dir`, so later runs skip it); its tree built and a checkpoint signed.
//! 3. **`kirjuri verify`** run as a child process over it: events/s against `read_all`'s own rate
//!    over the same store (the machine's limit: verify reads every event), and the child's peak
//!    memory (VmHWM, polled).
//! 4. **Proofs over HTTP**: `kirjuri serve` as a child on a free port; inclusion proofs of random
//!    events and consistency proofs between random sizes, p50 and p99, beside `/health/live` on
//!    the same server (the machine's HTTP round trip).
//! 5. **A bundle** of the practice with the longest history: made over HTTP and verified here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use kirjuri_app::Settings;
use kirjuri_demo::{DemoArgs, run_demo};
use kirjuri_integrity::{Keyring, TreeFile, TreeProjection};
use kirjuri_projections::{ProjectionRunner, RunnerOptions};
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use serde_json::json;

use crate::ScratchDir;
use crate::report::{Figure, Report, Target};
use crate::store::{
    StoreBenchParams, close_store, concurrent_writers, one_writer_batches, one_writer_one_event, open_fresh_store,
};

/// `kirjuri bench integrity`'s arguments.
#[derive(Debug, clap::Args)]
pub struct IntegrityBenchArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Demo scale (587 writes about 1,000,000 events).
    #[arg(long, default_value_t = 587)]
    pub scale: u32,
    /// Requests per proof kind over HTTP.
    #[arg(long, default_value_t = 2_000)]
    pub requests: usize,
    /// Use this data directory and keep it afterwards (the demo is written only when it is empty).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Scale the append phases down about 20x.
    #[arg(long)]
    pub quick: bool,
}

const APPEND_RATIO_MIN: f64 = 0.95;
const VERIFY_MIN_EVENTS_PER_S: f64 = 500_000.0;
const VERIFY_MAX_RSS_MB: f64 = 200.0;
const PROOF_P99_MAX_MS: f64 = 5.0;
const BUNDLE_MAKE_MAX_MS: f64 = 200.0;
const BUNDLE_VERIFY_MAX_MS: f64 = 100.0;

/// Runs the benchmark and prints its report.
pub fn run_integrity_bench(args: &IntegrityBenchArgs) -> anyhow::Result<()> {
    let scratch = ScratchDir::create_in("integrity", &std::env::temp_dir())?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| scratch.path().join("data"));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    let report = runtime.block_on(measure(args, scratch.path(), &data_dir))?;
    drop(runtime);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}

struct Appends {
    single: f64,
    concurrent: f64,
    concurrent_p99_ms: f64,
    batch: f64,
}

async fn appends(params: &StoreBenchParams, dir: &Path, tree_on: bool) -> anyhow::Result<Appends> {
    let label = if tree_on { "on" } else { "off" };
    let run = |name: &str| dir.join(format!("{name}-{label}.sqlite"));
    let mut measured = Appends { single: 0.0, concurrent: 0.0, concurrent_p99_ms: 0.0, batch: 0.0 };
    for phase in ["single", "concurrent", "batch"] {
        let path = run(phase);
        let store = open_fresh_store(&path)?;
        let tree_dir = dir.join(format!("tree-{phase}-{label}"));
        let _ = std::fs::remove_dir_all(&tree_dir);
        let running = if tree_on { Some(TreeOn::start(Arc::clone(&store), &tree_dir)?) } else { None };
        match phase {
            "single" => measured.single = one_writer_one_event(store.as_ref(), params).await?,
            "concurrent" => {
                let (rate, mut latencies) = concurrent_writers(Arc::clone(&store), params).await?;
                latencies.sort_unstable();
                measured.concurrent = rate;
                measured.concurrent_p99_ms = crate::store::percentile_ms(&latencies, 99.0);
            }
            _ => measured.batch = one_writer_batches(store.as_ref(), params).await?,
        }
        if let Some(running) = running {
            running.stop().await?;
        }
        close_store(store, &path)?;
        let _ = std::fs::remove_dir_all(&tree_dir);
    }
    Ok(measured)
}

/// The tree's projection and a checkpoint signer, running beside the appends.
struct TreeOn {
    runner: ProjectionRunner,
    stop: Arc<std::sync::atomic::AtomicBool>,
    signer: std::thread::JoinHandle<anyhow::Result<u64>>,
}

impl TreeOn {
    fn start(store: Arc<dyn EventStore>, dir: &Path) -> anyhow::Result<Self> {
        let tree_path = dir.join("tree.sqlite");
        let projection = TreeProjection::open(&tree_path)?;
        let runner = ProjectionRunner::start(store, vec![Box::new(projection)], RunnerOptions::default())?;
        let keyring = Keyring::init(&dir.join("keys"), Some("bench"))?;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let signer = std::thread::spawn(move || {
            let mut tree = TreeFile::open(&tree_path)?;
            let mut signed = 0;
            while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                tree.refresh()?;
                if tree.sign_if_due(&keyring.signer, chrono::Utc::now(), 1_000, 60)?.is_some() {
                    signed += 1;
                }
            }
            Ok(signed)
        });
        Ok(Self { runner, stop, signer })
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.runner.shutdown().await;
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.signer.join().map_err(|_| anyhow::anyhow!("the signer panicked"))??;
        Ok(())
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples.get(rank.saturating_sub(1)).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    (at(50.0), at(99.0))
}

async fn measure(args: &IntegrityBenchArgs, scratch: &Path, data_dir: &Path) -> anyhow::Result<Report> {
    let params = StoreBenchParams { progress: false, ..StoreBenchParams::new(args.quick, None) };
    eprintln!("bench integrity: appends with the tree off");
    let off = appends(&params, scratch, false).await?;
    eprintln!("bench integrity: appends with the tree on");
    let on = appends(&params, scratch, true).await?;

    let settings = Settings { data_dir: data_dir.to_owned(), ..Settings::default() };
    std::fs::create_dir_all(data_dir)?;
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(SqliteStoreOptions::new(settings.sqlite_path()))?);
    if store.head_position().await?.is_none() {
        eprintln!("bench integrity: writing the demo at scale {}", args.scale);
        run_demo(Arc::clone(&store), &DemoArgs { scale: args.scale, ..DemoArgs::default() }).await?;
    }
    let events = store.head_position().await?.map_or(0, |p| p.commit);

    eprintln!("bench integrity: building the tree over {events} events");
    let keyring = Keyring::open_or_init(&settings.keys_dir(), None, None)?;
    let before = if settings.tree_path().is_file() { TreeFile::open(&settings.tree_path())?.size() } else { 0 };
    let started = Instant::now();
    let built = catch_up_tree(store.as_ref(), &settings.tree_path()).await?;
    let tree_seconds = started.elapsed().as_secs_f64();
    // Only a tree built in this run gives a rate (a kept data directory's is already there).
    let tree_rate = if built - before >= 10_000 { (built - before) as f64 / tree_seconds } else { 0.0 };
    let mut tree = TreeFile::open(&settings.tree_path())?;
    tree.sign(&keyring.signer, chrono::Utc::now())?;
    drop(tree);

    eprintln!("bench integrity: reading the log with read_all (the limit verify cannot pass)");
    let (read_all_per_s, _) = crate::store::read_all_forward(store.as_ref(), 8_192).await?;

    // A token for the proofs, and sample events of the demo's first municipality.
    let first =
        store.read_all(ReadAllOptions::forward(1).filtered(EventFilter::types(["MunicipalityRegistered"]))).await?;
    let tenant = first.first().and_then(|e| e.metadata.tenant.clone()).context("the demo has no municipality")?;
    let sample = sample_events(store.as_ref(), &tenant, 2_000).await?;
    let practice = longest_practice(store.as_ref(), &tenant).await?;
    let token = issue_token(store.as_ref(), &tenant).await?;
    drop(store);

    eprintln!("bench integrity: kirjuri verify");
    let (verify_seconds, verify_rss_mb, healthy) = run_verify(data_dir)?;
    anyhow::ensure!(healthy, "verify found the demo's log tampered with");
    let verify_per_s = events as f64 / verify_seconds;

    eprintln!("bench integrity: proofs over HTTP (the server catches its read models up first)");
    let http = measure_http(data_dir, &token, &sample, built, &practice, args.requests).await?;

    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let build = if cfg!(debug_assertions) { "debug build: figures not representative" } else { "release build" };
    let ratio = |on: f64, off: f64| if off > 0.0 { on / off } else { 0.0 };
    let figures = vec![
        Figure::new("single_writer_off_events_per_s", "1 writer, tree off", off.single, "events/s").note("baseline"),
        Figure::new("single_writer_on_events_per_s", "1 writer, tree and checkpoints on", on.single, "events/s")
            .against(off.single, "tree off")
            .ratio_key("single_writer_on_off_ratio")
            .target(Target::at_least(APPEND_RATIO_MIN, "single_writer_on_off_ratio")),
        Figure::new("concurrent64_off_events_per_s", "64 writers, tree off", off.concurrent, "events/s")
            .note("baseline"),
        Figure::new("concurrent64_on_events_per_s", "64 writers, tree and checkpoints on", on.concurrent, "events/s")
            .against(off.concurrent, "tree off")
            .ratio_key("concurrent64_on_off_ratio")
            .target(Target::at_least(APPEND_RATIO_MIN, "concurrent64_on_off_ratio")),
        Figure::new("concurrent64_on_p99_ms", "64 writers, tree on, append p99", on.concurrent_p99_ms, "ms")
            .against(off.concurrent_p99_ms, "tree off p99"),
        Figure::new("batch100_off_events_per_s", "batches of 100, tree off", off.batch, "events/s").note("baseline"),
        Figure::new("batch100_on_events_per_s", "batches of 100, tree and checkpoints on", on.batch, "events/s")
            .against(off.batch, "tree off")
            .ratio_key("batch100_on_off_ratio")
            .target(Target::at_least(APPEND_RATIO_MIN, "batch100_on_off_ratio")),
        Figure::new(
            "tree_build_events_per_s",
            "tree built from the log (0: kept from an earlier run)",
            tree_rate,
            "events/s",
        )
        .against(read_all_per_s, "read_all rate"),
        Figure::new("read_all_events_per_s", "read_all over the demo log", read_all_per_s, "events/s")
            .note("machine limit for verify"),
        Figure::new("verify_events_per_s", "kirjuri verify (child process)", verify_per_s, "events/s")
            .against(VERIFY_MIN_EVENTS_PER_S, "target")
            .target(Target::at_least(1.0, "verify_events_per_s")),
        Figure::new("verify_ratio_to_read_all", "verify / read_all", ratio(verify_per_s, read_all_per_s), "x")
            .note("how close verify runs to reading alone"),
        Figure::new("verify_peak_rss_mb", "kirjuri verify peak memory (VmHWM)", verify_rss_mb, "MB")
            .against(VERIFY_MAX_RSS_MB, "limit")
            .target(Target::at_most(1.0, "verify_peak_rss_mb")),
        Figure::new("http_health_p99_ms", "GET /health/live p99", http.health.1, "ms")
            .note("machine's HTTP round trip"),
        Figure::new("inclusion_p50_ms", "inclusion proof p50", http.inclusion.0, "ms"),
        Figure::new("inclusion_p99_ms", "inclusion proof p99", http.inclusion.1, "ms")
            .against(PROOF_P99_MAX_MS, "target")
            .target(Target::at_most(1.0, "inclusion_p99_ms")),
        Figure::new("consistency_p50_ms", "consistency proof p50", http.consistency.0, "ms"),
        Figure::new("consistency_p99_ms", "consistency proof p99", http.consistency.1, "ms")
            .against(PROOF_P99_MAX_MS, "target")
            .target(Target::at_most(1.0, "consistency_p99_ms")),
        Figure::new("bundle_make_ms", "practice bundle made over HTTP (median)", http.bundle_make_ms, "ms")
            .against(BUNDLE_MAKE_MAX_MS, "target")
            .target(Target::at_most(1.0, "bundle_make_ms")),
        Figure::new("bundle_verify_ms", "practice bundle verified (median)", http.bundle_verify_ms, "ms")
            .against(BUNDLE_VERIFY_MAX_MS, "target")
            .target(Target::at_most(1.0, "bundle_verify_ms")),
    ];
    let mut parameters = serde_json::Map::new();
    parameters.insert("scale".into(), json!(args.scale));
    parameters.insert("requests".into(), json!(args.requests));
    parameters.insert("quick".into(), json!(args.quick));
    Ok(Report {
        title: format!("kirjuri bench integrity, {build}"),
        facts: vec![("cores", json!(cores)), ("data_dir", json!(data_dir.display().to_string()))],
        parameters,
        figures,
        counts: vec![("log_events", events), ("tree_leaves", built), ("bundle_events", http.bundle_events as u64)],
    })
}

/// Brings the tree file at `path` up to the end of the log; answers its size.
async fn catch_up_tree(store: &dyn EventStore, path: &Path) -> anyhow::Result<u64> {
    Ok(kirjuri_integrity::tree::catch_up(store, &mut TreeFile::open(path)?).await?)
}

async fn sample_events(store: &dyn EventStore, tenant: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let head = store.head_position().await?.map_or(0, |p| p.commit);
    let mut sample = Vec::new();
    let step = (head / (count as u64 * 2)).max(1);
    let mut at = 1;
    while sample.len() < count && at <= head {
        let page = store.read_all(ReadAllOptions::forward(1).from(kirjuri_events::Position::sequence(at))).await?;
        if let Some(event) = page.first()
            && event.metadata.tenant.as_deref() == Some(tenant)
        {
            sample.push(event.id.to_string());
        }
        at += step;
    }
    anyhow::ensure!(!sample.is_empty(), "no event of {tenant} found");
    Ok(sample)
}

async fn longest_practice(store: &dyn EventStore, tenant: &str) -> anyhow::Result<String> {
    let practices =
        store.read_all(ReadAllOptions::forward(100_000).filtered(EventFilter::streams(["practice-"]))).await?;
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for event in practices.iter().filter(|e| e.metadata.tenant.as_deref() == Some(tenant)) {
        *counts.entry(event.stream.entity_id().to_string()).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(id, _)| id).context("the demo has no practice")
}

async fn issue_token(store: &dyn EventStore, tenant: &str) -> anyhow::Result<String> {
    use kirjuri_auth::Role;
    use kirjuri_auth::tokens::{NewToken, issue};
    let tenant = kirjuri_events::domain::MunicipalityId(uuid::Uuid::parse_str(tenant)?);
    let new = NewToken {
        name: Some(format!("bench-integrity-{}", uuid::Uuid::new_v4().simple())),
        tenant,
        roles: [Role::Auditor].into_iter().collect(),
        person: None,
        expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(2)),
    };
    let (_, secret) = issue(store, new, chrono::Utc::now(), "bench").await?;
    Ok(secret.expose_secret().to_owned())
}

fn vm_hwm_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib as f64 / 1024.0)
}

/// Runs `kirjuri verify --json` on `data_dir`: seconds, peak RSS (MB), whether it was healthy.
fn run_verify(data_dir: &Path) -> anyhow::Result<(f64, f64, bool)> {
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args(["verify", "--json"])
        .env("KIRJURI_DATA_DIR", data_dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting kirjuri verify")?;
    let mut peak: f64 = 0.0;
    loop {
        if let Some(mb) = vm_hwm_mb(child.id()) {
            peak = peak.max(mb);
        }
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let seconds = started.elapsed().as_secs_f64();
    let output = child.wait_with_output()?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("verify's JSON report")?;
    Ok((seconds, peak, report["healthy"].as_bool().unwrap_or(false)))
}

struct Http {
    health: (f64, f64),
    inclusion: (f64, f64),
    consistency: (f64, f64),
    bundle_make_ms: f64,
    bundle_verify_ms: f64,
    bundle_events: usize,
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

async fn measure_http(
    data_dir: &Path,
    token: &str,
    sample: &[String],
    size: u64,
    practice: &str,
    requests: usize,
) -> anyhow::Result<Http> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _server = Server(
        std::process::Command::new(std::env::current_exe()?)
            .arg("serve")
            .env("KIRJURI_DATA_DIR", data_dir)
            .env("KIRJURI_BIND", format!("127.0.0.1:{port}"))
            .env("KIRJURI_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("starting kirjuri serve")?,
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // Ready means every read model is caught up (within the readiness lag).
    let deadline = Instant::now() + Duration::from_secs(3_600);
    loop {
        if let Ok(response) = client.get(format!("{base}/health/ready")).send().await
            && response.status().is_success()
        {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the server did not become ready within an hour");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let timed = async |path: String, auth: bool| -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut request = client.get(format!("{base}{path}"));
        if auth {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        anyhow::ensure!(response.status().is_success(), "GET {path}: {}", response.status());
        response.bytes().await?;
        Ok(started.elapsed())
    };
    let mut health = Vec::with_capacity(requests);
    for _ in 0..requests {
        health.push(timed("/health/live".into(), false).await?);
    }
    let mut inclusion = Vec::with_capacity(requests);
    for i in 0..requests {
        let event = &sample[i % sample.len()];
        inclusion.push(timed(format!("/api/v1/integrity/proofs/inclusion?event={event}&size={size}"), true).await?);
    }
    let mut consistency = Vec::with_capacity(requests);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..requests {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let from = 1 + state % size.max(1);
        consistency.push(timed(format!("/api/v1/integrity/proofs/consistency?from={from}&to={size}"), true).await?);
    }
    let mut makes = Vec::new();
    let mut verifies = Vec::new();
    let mut bundle_events = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let text = client
            .get(format!("{base}/api/v1/integrity/bundles/practice/{practice}"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        makes.push(started.elapsed());
        let started = Instant::now();
        let report = kirjuri_integrity::bundle::verify_bundle(&text, None)?;
        verifies.push(started.elapsed());
        bundle_events = report.events;
    }
    Ok(Http {
        health: percentiles(health),
        inclusion: percentiles(inclusion),
        consistency: percentiles(consistency),
        bundle_make_ms: percentiles(makes).0,
        bundle_verify_ms: percentiles(verifies).0,
        bundle_events,
    })
}
