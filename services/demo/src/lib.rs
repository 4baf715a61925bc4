//! `kirjuri demo`: a realistic sample programme, written through the real command path.
//!
//! - [`vocabulary`]: the words (inflected Finnish, with Swedish and English) the demo speaks.
//! - [`text`]: templates and the seeded [`text::Prose`] generator that fills them.
//! - [`programme`]: the script — Kuopio and its partners, campaigns, experiments, coaching,
//!   lessons and best practices — run as commands on [`CommandBus`].
//!
//! [`run_demo`] writes only into an empty store: the same seed always writes the same
//! programme (the same streams holding the same events with the same ids; the interleaving of
//! streams in `$all` may differ, since streams are written concurrently), and `--scale N`
//! writes N cohorts of it for benchmarks, many streams at a time so the store group-commits.
//!
//! It also makes one local user account per audience for Kuopio ([`DEMO_USERS`]: staff,
//! decision maker, auditor, experiment lead, coach) so a newcomer can sign in to the web UI; their passwords are
//! random each run (a seed anyone can read must not give a password away) and printed in the
//! report, the only place they appear. Their ids and hashes differ from run to run.

pub mod programme;
pub mod text;
pub mod vocabulary;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use kirjuri_store::EventStore;

use kirjuri_app::usecases::CommandBus;
use kirjuri_auth::Role;
use kirjuri_auth::users::{self, NewUser, Password};
use programme::{COMMANDS_KEY, Programme};

/// The seed `kirjuri demo` uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 2026;

/// How many command streams run at once by default (measured on 2 cores: more streams
/// contend for the command bus's cache and the store's read pool more than group commit gains).
pub const DEFAULT_CONCURRENCY: u16 = 16;

/// `kirjuri demo [--scale N] [--seed S]`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Volume multiplier: N cohorts of campaigns, experiments, coaching, lessons and practices
    /// (1 ≈ 2,000 events; 587 ≈ 1,000,000 for benchmarks).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub scale: u32,
    /// Seed: the same seed writes the same programme.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// How many command streams run at once (a benchmark knob).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, hide = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self { scale: 1, seed: DEFAULT_SEED, concurrency: DEFAULT_CONCURRENCY }
    }
}

/// What a demo run wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    /// The seed used.
    pub seed: u64,
    /// The scale used.
    pub scale: u32,
    /// Events written per aggregate kind (stream category: `campaign`, `practice`, …).
    pub events_by_kind: BTreeMap<String, u64>,
    /// Commands executed.
    pub commands: u64,
    /// Events written in all.
    pub total_events: u64,
    /// The municipalities written, Kuopio (the programme's owner) first: name, code, id. The
    /// id is what `kirjuri token create --tenant` takes.
    pub municipalities: Vec<(String, String, kirjuri_events::domain::MunicipalityId)>,
    /// The local user accounts made for Kuopio, with their passwords (shown once, here).
    pub users: Vec<DemoUser>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

/// A demo user account and its password.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The username to sign in with.
    pub username: String,
    /// The password (random each run).
    pub password: String,
    /// The roles it holds.
    pub roles: Vec<Role>,
}

impl fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoUser").field("username", &self.username).field("roles", &self.roles).finish_non_exhaustive()
    }
}

/// The demo's user accounts, one per audience, all in Kuopio: username, display name, roles.
pub const DEMO_USERS: [(&str, &str, &[Role]); 5] = [
    ("kuopio.staff", "Demo: Kuopion asiantuntija", &[Role::Staff]),
    ("kuopio.decision", "Demo: Kuopion päättäjä", &[Role::DecisionMaker, Role::Staff]),
    ("kuopio.auditor", "Demo: Kuopion tarkastaja", &[Role::Auditor]),
    ("kuopio.lead", "Demo: Kuopion kokeiluvastaava", &[Role::ExperimentLead, Role::Staff]),
    ("kuopio.coach", "Demo: Kuopion valmentaja", &[Role::Coach, Role::Staff]),
];

/// A random password of 20 characters from an alphabet without look-alikes (about 100 bits).
fn random_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0_u8; 20];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the operating system's random number generator failed"))?;
    // 256 is not a multiple of 55: the first characters are a little likelier, still ~100 bits.
    Ok(bytes.iter().map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()])).collect())
}

/// Makes [`DEMO_USERS`] in `tenant` (Kuopio); returns them with their passwords.
async fn create_demo_users(
    store: &dyn EventStore,
    tenant: kirjuri_events::domain::MunicipalityId,
) -> anyhow::Result<Vec<DemoUser>> {
    let mut made = Vec::with_capacity(DEMO_USERS.len());
    for (username, display_name, roles) in DEMO_USERS {
        let password = random_password()?;
        let new = NewUser {
            username: username.to_owned(),
            password: Password::parse(password.clone()).map_err(anyhow::Error::msg)?,
            tenant,
            roles: roles.iter().copied().collect(),
            person: None,
            display_name: Some(display_name.to_owned()),
        };
        users::create(store, new, chrono::Utc::now(), "demo")
            .await
            .with_context(|| format!("making the demo user `{username}`"))?;
        made.push(DemoUser { username: username.to_owned(), password, roles: roles.to_vec() });
    }
    Ok(made)
}

impl DemoReport {
    /// Events written per second of wall-clock time.
    pub fn events_per_second(&self) -> f64 {
        self.total_events as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "demo programme written (seed {}, scale {})", self.seed, self.scale)?;
        for (kind, events) in &self.events_by_kind {
            writeln!(f, "  {kind:<14} {events:>10} events")?;
        }
        writeln!(f, "  {:<14} {:>10} events from {} commands", "total", self.total_events, self.commands)?;
        for (name, code, id) in &self.municipalities {
            writeln!(f, "  municipality {name} ({code}): {id}")?;
        }
        if !self.users.is_empty() {
            writeln!(
                f,
                "  sign in to the web UI as (passwords shown only here; change with `kirjuri user set-password`):"
            )?;
        }
        for user in &self.users {
            let roles = user.roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(", ");
            writeln!(f, "    {:<16} password {}  ({roles})", user.username, user.password)?;
        }
        write!(f, "  elapsed {:.2} s, {:.0} events/s", self.elapsed.as_secs_f64(), self.events_per_second())
    }
}

/// Writes the demo programme into `store`, which must be empty.
pub async fn run_demo(store: Arc<dyn EventStore>, args: &DemoArgs) -> anyhow::Result<DemoReport> {
    let head = store.head_position().await.context("reading the event store's head position")?;
    anyhow::ensure!(
        head.is_none(),
        "the event store already holds events; the demo writes only into an empty store (use a fresh data directory)"
    );
    let started = Instant::now();
    tracing::info!(seed = args.seed, scale = args.scale, "writing the demo programme");
    let programme = Arc::new(Programme::new(CommandBus::new(Arc::clone(&store)), args.seed, args.scale)?);
    let mut tally = Arc::clone(&programme).write(usize::from(args.concurrency)).await?;
    let municipalities: Vec<_> =
        programme.municipalities().into_iter().map(|(name, code, id)| (name.to_owned(), code.to_owned(), id)).collect();
    let kuopio = municipalities.first().map(|(_, _, id)| *id).context("the demo wrote no municipality")?;
    let users = create_demo_users(&*store, kuopio).await?;
    *tally.entry(kirjuri_events::domain::UserStream::CATEGORY.to_owned()).or_insert(0) += users.len() as u64;
    let commands = tally.remove(COMMANDS_KEY).unwrap_or(0);
    let total_events = tally.values().sum();
    let report = DemoReport {
        seed: args.seed,
        scale: args.scale,
        events_by_kind: tally,
        commands,
        total_events,
        municipalities,
        users,
        elapsed: started.elapsed(),
    };
    tracing::info!(
        events = report.total_events,
        commands = report.commands,
        elapsed_ms = report.elapsed.as_millis() as u64,
        events_per_second = report.events_per_second().round() as u64,
        "demo programme written"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use kirjuri_events::RecordedEvent;
    use kirjuri_store::{ReadAllOptions, SqliteStore, SqliteStoreOptions};
    use serde_json::Value;

    use super::*;

    async fn write_demo(dir: &std::path::Path, seed: u64) -> (DemoReport, Vec<RecordedEvent>) {
        let store = SqliteStore::open(SqliteStoreOptions::new(dir.join("events.sqlite"))).expect("opens the store");
        let store: Arc<dyn EventStore> = Arc::new(store);
        let report = run_demo(Arc::clone(&store), &DemoArgs { scale: 1, seed, ..DemoArgs::default() })
            .await
            .expect("the demo is written");
        let mut events = Vec::new();
        loop {
            let mut options = ReadAllOptions::forward(10_000);
            if let Some(last) = events.last() {
                let last: &RecordedEvent = last;
                options = options.from(kirjuri_events::Position::sequence(last.position.commit + 1));
            }
            let page = store.read_all(options).await.expect("reads $all");
            let done = page.len() < 10_000;
            events.extend(page);
            if done {
                break;
            }
        }
        (report, events)
    }

    fn data(event: &RecordedEvent) -> Value {
        serde_json::from_str(event.data.as_str()).expect("event data is JSON")
    }

    fn of_type<'a>(events: &'a [RecordedEvent], event_type: &str) -> Vec<&'a RecordedEvent> {
        events.iter().filter(|e| e.event_type.as_str() == event_type).collect()
    }

    /// An event as the demo decides it: id, type, data and metadata as text.
    type Written = (String, String, String, String);

    /// Each stream's events, in revision order, without store-assigned fields.
    fn streams(events: &[RecordedEvent]) -> BTreeMap<String, Vec<Written>> {
        let mut streams: BTreeMap<String, Vec<(u64, Written)>> = BTreeMap::new();
        for event in events {
            let metadata = serde_json::to_string(&event.metadata).expect("metadata serialises");
            streams.entry(event.stream.as_str().to_owned()).or_default().push((
                event.revision.0,
                (event.id.to_string(), event.event_type.as_str().to_owned(), event.data.as_str().to_owned(), metadata),
            ));
        }
        streams
            .into_iter()
            .map(|(stream, mut events)| {
                events.sort_by_key(|(revision, _)| *revision);
                (stream, events.into_iter().map(|(_, e)| e).collect())
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_writes_a_whole_programme_and_the_same_seed_writes_it_again() {
        let first_dir = tempfile::tempdir().expect("temp dir");
        let second_dir = tempfile::tempdir().expect("temp dir");
        let started = Instant::now();
        let (report, events) = write_demo(first_dir.path(), 2026).await;
        let first_run = started.elapsed();

        assert_eq!(report.total_events, events.len() as u64, "the report counts what was written");
        assert!(first_run < Duration::from_secs(20), "scale 1 took {first_run:?}");

        assert_eq!(of_type(&events, "MunicipalityRegistered").len(), 4);
        assert_eq!(of_type(&events, "PartnerInvited").len(), 3);
        assert_eq!(of_type(&events, "PartnerNetworkJoined").len(), 3);
        let units = of_type(&events, "UnitEstablished").len();
        assert!((10..=14).contains(&units), "{units} units");
        assert_eq!(of_type(&events, "BodyRegistered").len(), 5);
        assert_eq!(of_type(&events, "FrameworkPublished").len(), 2);

        let resolutions: BTreeSet<String> = of_type(&events, "PracticeDecided")
            .iter()
            .map(|e| data(e)["resolution"].as_str().expect("resolution").to_owned())
            .collect();
        for resolution in kirjuri_events::domain::practice::Resolution::ALL {
            assert!(resolutions.contains(resolution.code()), "no decision resolved {}", resolution.code());
        }
        assert_eq!(of_type(&events, "PracticeDrafted").len(), 15);
        assert!(!of_type(&events, "PracticeSuperseded").is_empty());
        assert!(!of_type(&events, "PracticeRetired").is_empty());
        assert!(!of_type(&events, "PracticeRevised").is_empty());
        assert!(!of_type(&events, "AdoptionReported").is_empty());

        let concluded = of_type(&events, "ExperimentConcluded");
        assert_eq!(concluded.len(), 5);
        let mut outcomes: HashMap<String, BTreeSet<String>> = HashMap::new();
        for outcome in of_type(&events, "OutcomeAssessed") {
            outcomes
                .entry(outcome.stream.as_str().to_owned())
                .or_default()
                .insert(data(outcome)["criterion"].as_str().expect("criterion").to_owned());
        }
        for experiment in &concluded {
            let criteria = outcomes.get(experiment.stream.as_str()).expect("outcomes");
            assert_eq!(criteria.len(), 3, "{} has outcomes for {criteria:?}", experiment.stream);
        }
        assert!(of_type(&events, "MeasurementRecorded").len() >= 5 * 6 * 10);

        let campaign_years: BTreeSet<String> = of_type(&events, "CampaignOpened")
            .iter()
            .map(|e| data(e)["opens"].as_str().expect("opens")[..4].to_owned())
            .collect();
        assert_eq!(campaign_years.into_iter().collect::<Vec<_>>(), ["2024", "2025", "2026"]);
        assert!(of_type(&events, "ResultComputed").len() > 100);
        assert!(!of_type(&events, "NoteRecorded").is_empty());
        assert!(!of_type(&events, "LessonIdentified").is_empty());
        assert!(!of_type(&events, "CommunicationPublished").is_empty());

        let text = events.iter().map(|e| e.data.as_str()).collect::<String>();
        assert!(text.contains('ä') && text.contains('ö'), "the programme is written in Finnish");
        let metadata = &events[0].metadata;
        assert!(metadata.actor.as_deref().is_some_and(|a| a.starts_with("demo:")));
        // The tenant is the municipality's id: the first event registers Kuopio.
        assert_eq!(metadata.tenant.as_deref(), Some(data(&events[0])["municipality"].as_str().expect("an id")));
        assert!(metadata.occurred_at.is_some());

        let (_, again) = write_demo(second_dir.path(), 2026).await;
        // Sign-in accounts are the exception: their passwords (and so their ids and salts) are
        // random, or the public seed would give them away. The same accounts are made.
        let (accounts, programme): (BTreeMap<_, _>, BTreeMap<_, _>) =
            streams(&events).into_iter().partition(|(stream, _)| stream.starts_with("user-"));
        let (accounts_again, programme_again): (BTreeMap<_, _>, BTreeMap<_, _>) =
            streams(&again).into_iter().partition(|(stream, _)| stream.starts_with("user-"));
        assert_eq!(programme, programme_again, "the same seed writes the same programme");
        assert_eq!(accounts.keys().collect::<Vec<_>>(), accounts_again.keys().collect::<Vec<_>>());
        assert_eq!(accounts.len(), DEMO_USERS.len(), "one account per audience");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_refuses_a_store_that_already_holds_events() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite"))).expect("opens");
        let store: Arc<dyn EventStore> = Arc::new(store);
        run_demo(Arc::clone(&store), &DemoArgs::default()).await.expect("first run");
        let error = run_demo(store, &DemoArgs::default()).await.expect_err("second run is refused");
        assert!(error.to_string().contains("empty store"), "{error}");
    }

    /// The benchmark: `KIRJURI_DEMO_SCALE=587 cargo test --release -p kirjuri --lib
    /// demo::tests::a_large_demo -- --ignored --nocapture` writes about a million events and
    /// prints the rate against the 3-minute limit.
    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "a benchmark: run in release with --ignored"]
    async fn a_large_demo_reports_its_rate_against_the_limit() {
        let _ = tracing_subscriber::fmt().with_env_filter("kirjuri_demo=info").with_test_writer().try_init();
        let scale = std::env::var("KIRJURI_DEMO_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(587);
        // KIRJURI_DEMO_DIR keeps the store for inspection; otherwise a temp dir on the same disk.
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = std::env::var_os("KIRJURI_DEMO_DIR").map_or_else(|| temp.path().to_owned(), std::path::PathBuf::from);
        let mut options = SqliteStoreOptions::new(dir.join("events.sqlite"));
        if let Some(readers) = std::env::var("KIRJURI_DEMO_READERS").ok().and_then(|v| v.parse().ok()) {
            options.read_connections = readers;
        }
        let store = SqliteStore::open(options).expect("opens");
        let concurrency =
            std::env::var("KIRJURI_DEMO_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CONCURRENCY);
        let args = DemoArgs { scale, seed: DEFAULT_SEED, concurrency };
        let report = run_demo(Arc::new(store), &args).await.expect("written");
        println!("{report}");
        let limit = Duration::from_secs(180);
        let projected_for_a_million = report.elapsed.as_secs_f64() * 1_000_000.0 / report.total_events as f64;
        println!(
            "limit: 1,000,000 events within {} s; projected {:.1} s for 1,000,000 (ratio {:.2})",
            limit.as_secs(),
            projected_for_a_million,
            projected_for_a_million / limit.as_secs_f64()
        );
    }

    #[test]
    fn the_arguments_default_to_scale_1_and_seed_2026() {
        use clap::Parser as _;
        #[derive(clap::Parser)]
        struct Command {
            #[command(flatten)]
            demo: DemoArgs,
        }
        let parsed = Command::try_parse_from(["demo"]).expect("parses");
        assert_eq!((parsed.demo.scale, parsed.demo.seed, parsed.demo.concurrency), (1, 2026, DEFAULT_CONCURRENCY));
        let parsed = Command::try_parse_from(["demo", "--scale", "40", "--seed", "7"]).expect("parses");
        assert_eq!((parsed.demo.scale, parsed.demo.seed), (40, 7));
        assert!(Command::try_parse_from(["demo", "--scale", "0"]).is_err());
        assert!(Command::try_parse_from(["demo", "--concurrency", "0"]).is_err());
    }
}
