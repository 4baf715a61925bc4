//! The verifiable log's use cases: the signed checkpoints, inclusion and consistency proofs,
//! evidence bundles, and the checkpointer that signs the tree's head every N events or T seconds.
//!
//! The tree itself is a projection run with the read models ([`crate::readside`]); here it is
//! only read (through a small pool of read-only connections) and its head signed. The signing key
//! lives in `<data_dir>/keys` (or the file the settings name), never in the event store.
//!
//! Proofs are authorised like the audit trail (`ReadAudit` in one's own municipality); an
//! inclusion proof, which names one event, also needs that event to be one's own municipality's
//! (another's is "not found"). A checkpoint and a consistency proof reveal the log's size and
//! root and nothing else: with several municipalities on one instance, that size counts all of
//! their events.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};
use kirjuri_events::{EventId, RecordedEvent};
use kirjuri_integrity::bundle::{Bundle, MakeError, Subject, make_bundle};
use kirjuri_integrity::merkle::hex;
use kirjuri_integrity::{Keyring, PublicKeys, StoredCheckpoint, TreeError, TreeFile, VerifierKey};
use kirjuri_store::{EventStore, ReadAllOptions, ReadStreamOptions};
use serde::Serialize;
use tracing::{info, warn};
use utoipa::ToSchema;

use crate::error::{AppError, ErrorCode};
use crate::settings::Settings;

/// Most idle read connections to the tree kept for reuse.
const MAX_IDLE_READERS: usize = 8;

/// The most events one bundle holds.
pub const MAX_BUNDLE_EVENTS: usize = 20_000;

/// The log's keys and tree, for proofs and signing.
pub struct Integrity {
    tree_path: PathBuf,
    keyring: Keyring,
    every_events: u64,
    every_seconds: u64,
    readers: Mutex<Vec<TreeFile>>,
    /// Witnesses whose cosignatures are kept (setting `accepted_witnesses`).
    accepted_witnesses: Vec<VerifierKey>,
    /// One signer at a time in this process (SQLite serialises other processes).
    signing: Mutex<Option<TreeFile>>,
}

impl std::fmt::Debug for Integrity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integrity").field("tree_path", &self.tree_path).finish_non_exhaustive()
    }
}

fn tree_error(error: TreeError) -> AppError {
    match error {
        TreeError::OutOfRange(why) => AppError::bad_request(why),
        other => AppError::internal(other),
    }
}

/// A signed checkpoint, as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckpointBody {
    /// How many events it covers.
    pub size: u64,
    /// The root of their tree, lower-case hex.
    pub root: String,
    /// When it was signed.
    pub signed_at: chrono::DateTime<Utc>,
    /// The C2SP signed note (checkpoint text, empty line, signature lines).
    pub note: String,
    /// Witnesses' cosignature lines of it.
    pub cosignatures: Vec<CosignatureBody>,
}

/// A witness's cosignature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CosignatureBody {
    /// The witness's key name.
    pub witness: String,
    /// When it cosigned (unix seconds).
    pub time: u64,
    /// The signature line to append to the note.
    pub line: String,
}

impl CheckpointBody {
    fn of(checkpoint: StoredCheckpoint, cosignatures: Vec<CosignatureBody>) -> Self {
        Self {
            size: checkpoint.size,
            root: hex(&checkpoint.root),
            signed_at: checkpoint.signed_at,
            note: checkpoint.note,
            cosignatures,
        }
    }
}

/// An inclusion proof.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InclusionBody {
    /// The event.
    pub event_id: String,
    /// Its leaf index.
    pub index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The leaf's bytes (the event's canonical JSON), as hashed.
    pub leaf: String,
    /// The leaf hash, hex.
    pub leaf_hash: String,
    /// The audit path, hex, leaf to root.
    pub proof: Vec<String>,
    /// The root of the tree of `tree_size`, hex.
    pub root: String,
    /// A signed checkpoint of exactly that size, when there is one.
    pub checkpoint: Option<String>,
}

/// A consistency proof.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct ConsistencyBody {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The older root, hex.
    pub from_root: String,
    /// The newer root, hex.
    pub to_root: String,
    /// The proof, hex.
    pub proof: Vec<String>,
}

/// The public keys, as `/.well-known/kirjuri/keys` answers them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeysBody {
    /// The log's origin.
    pub origin: String,
    /// Every signing key, the current one first.
    pub keys: Vec<KeyBody>,
}

/// One public key.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyBody {
    /// The verifier key, `<name>+<hash>+<base64 key>` (C2SP signed-note).
    pub vkey: String,
    /// `current` or `retired`.
    pub status: String,
    /// When it was made.
    pub created_at: chrono::DateTime<Utc>,
    /// When it was rotated out.
    pub retired_at: Option<chrono::DateTime<Utc>>,
}

impl From<&PublicKeys> for KeysBody {
    fn from(keys: &PublicKeys) -> Self {
        Self {
            origin: keys.origin.clone(),
            keys: keys
                .keys
                .iter()
                .map(|k| KeyBody {
                    vkey: k.vkey.clone(),
                    status: k.status.clone(),
                    created_at: k.created_at,
                    retired_at: k.retired_at,
                })
                .collect(),
        }
    }
}

impl Integrity {
    /// Opens the keys (making the first one if there is none) and the tree file of `settings`.
    pub fn open(settings: &Settings) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let keyring = Keyring::open_or_init(
            &settings.keys_dir(),
            settings.signing_key_file.as_deref(),
            settings.log_origin.as_deref(),
        )
        .context("opening the log's signing key")?;
        let accepted_witnesses = settings
            .accepted_witnesses
            .iter()
            .map(|k| VerifierKey::parse(k).with_context(|| format!("accepted_witnesses: {k}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let tree_path = settings.tree_path();
        // Creates the file and its tables before any reader opens it read-only.
        TreeFile::open(&tree_path).with_context(|| format!("opening {}", tree_path.display()))?;
        info!(origin = %keyring.public.origin, key = %keyring.signer.verifier().label(), "log signing key loaded");
        Ok(Self {
            tree_path,
            keyring,
            every_events: settings.checkpoint_every_events,
            every_seconds: settings.checkpoint_every_seconds,
            readers: Mutex::new(Vec::new()),
            accepted_witnesses,
            signing: Mutex::new(None),
        })
    }

    /// The public keys.
    pub fn public_keys(&self) -> &PublicKeys {
        &self.keyring.public
    }

    /// Every public key as a verifier.
    pub fn verifiers(&self) -> Vec<VerifierKey> {
        self.keyring.verifiers().unwrap_or_else(|_| vec![self.keyring.signer.verifier()])
    }

    /// Runs `f` on a read-only tree connection from the pool, on a blocking thread.
    async fn with_tree<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut TreeFile) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let pooled = this.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
            let mut tree = match pooled {
                Some(mut tree) => {
                    tree.refresh().map_err(tree_error)?;
                    tree
                }
                None => TreeFile::open_read_only(&this.tree_path).map_err(tree_error)?,
            };
            let answer = f(&mut tree);
            let mut idle = this.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(tree);
            }
            answer
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Runs `f` on the tree file's write connection (the signer's), one caller at a time.
    fn on_writer<T>(&self, f: impl FnOnce(&mut TreeFile) -> Result<T, TreeError>) -> Result<T, TreeError> {
        let mut writer = self.signing.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tree = match writer.as_mut() {
            Some(tree) => {
                tree.refresh()?;
                tree
            }
            None => writer.insert(TreeFile::open(&self.tree_path)?),
        };
        f(tree)
    }

    /// [`Integrity::on_writer`] on a blocking thread.
    pub async fn with_writer<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut TreeFile) -> Result<T, TreeError> + Send + 'static,
    ) -> Result<T, TreeError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.on_writer(f))
            .await
            .map_err(|e| TreeError::Damaged(format!("a tree task failed: {e}")))?
    }

    /// This instance's cosignature line of another log's checkpoint text, at `time` (unix seconds).
    pub fn cosign(&self, checkpoint_text: &str, time: u64) -> String {
        self.keyring.signer.cosign(checkpoint_text, time)
    }

    /// The witnesses whose cosignatures this log keeps.
    pub fn accepted_witnesses(&self) -> &[VerifierKey] {
        &self.accepted_witnesses
    }

    /// Signs a checkpoint now if one is due (or `force`d and the tree moved); answers it.
    pub fn sign(&self, force: bool) -> Result<Option<StoredCheckpoint>, TreeError> {
        let now = Utc::now();
        self.on_writer(|tree| {
            if force {
                tree.sign(&self.keyring.signer, now)
            } else {
                tree.sign_if_due(&self.keyring.signer, now, self.every_events, self.every_seconds)
            }
        })
    }

    /// Signs checkpoints as they fall due until `stop` turns true; woken once a second.
    pub async fn run_checkpointer(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let tick = Duration::from_secs(1).min(Duration::from_secs(self.every_seconds.max(1)));
        loop {
            tokio::select! {
                _ = stop.changed() => {}
                () = tokio::time::sleep(tick) => {}
            }
            let stopping = *stop.borrow();
            let this = Arc::clone(&self);
            // At shutdown the tree's last events are signed too.
            match tokio::task::spawn_blocking(move || this.sign(stopping)).await {
                Ok(Ok(Some(checkpoint))) => {
                    info!(size = checkpoint.size, root = %hex(&checkpoint.root), "checkpoint signed");
                }
                Ok(Ok(None)) => {}
                Ok(Err(error)) => warn!(%error, "signing a checkpoint failed; retrying"),
                Err(error) => warn!(%error, "the checkpoint signer panicked; retrying"),
            }
            if stopping {
                break;
            }
        }
    }

    /// The latest signed checkpoint, signing one first if the tree moved since (so what the
    /// API answers always covers what the tree holds).
    pub async fn latest(self: &Arc<Self>) -> Result<CheckpointBody, AppError> {
        let this = Arc::clone(self);
        let signed = tokio::task::spawn_blocking(move || this.sign(true)).await.map_err(AppError::internal)?;
        let checkpoint = signed.map_err(tree_error)?.ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, "the log is empty (or not yet hashed): no checkpoint is signed")
        })?;
        let cosignatures = self.cosignatures_of(checkpoint.size).await?;
        Ok(CheckpointBody::of(checkpoint, cosignatures))
    }

    async fn cosignatures_of(self: &Arc<Self>, size: u64) -> Result<Vec<CosignatureBody>, AppError> {
        self.with_tree(move |tree| {
            Ok(tree
                .cosignatures()
                .map_err(tree_error)?
                .into_iter()
                .filter(|c| c.size == size)
                .map(|c| CosignatureBody { witness: c.witness, time: c.time, line: c.line })
                .collect())
        })
        .await
    }

    /// The signed checkpoint of exactly `size`, or the smallest covering it.
    pub async fn checkpoint(self: &Arc<Self>, size: u64) -> Result<CheckpointBody, AppError> {
        let checkpoint = self
            .with_tree(move |tree| {
                tree.checkpoint_covering(size).map_err(tree_error)?.ok_or_else(|| {
                    AppError::new(ErrorCode::NotFound, format!("no signed checkpoint covers {size} events yet"))
                })
            })
            .await?;
        let cosignatures = self.cosignatures_of(checkpoint.size).await?;
        Ok(CheckpointBody::of(checkpoint, cosignatures))
    }

    /// Every checkpoint's cosignatures and the witnesses' alarms, for the auditor's pages.
    pub async fn witness_report(
        self: &Arc<Self>,
    ) -> Result<(Vec<kirjuri_integrity::tree::StoredCosignature>, Vec<kirjuri_integrity::tree::Alarm>), AppError> {
        self.with_tree(|tree| Ok((tree.cosignatures().map_err(tree_error)?, tree.alarms().map_err(tree_error)?))).await
    }

    /// The proof that event `id` is in the tree of `size` (default: the latest signed checkpoint).
    pub async fn inclusion(
        self: &Arc<Self>,
        store: &dyn EventStore,
        principal: &Principal,
        id: EventId,
        size: Option<u64>,
    ) -> Result<InclusionBody, AppError> {
        authorize(principal, Action::ReadAudit, &Resource::of(principal.municipality)).map_err(AppError::denied)?;
        let not_found = || AppError::new(ErrorCode::NotFound, format!("no event {id} in the log's tree"));
        let leaf = self.with_tree(move |tree| tree.leaf_of(id).map_err(tree_error)).await?.ok_or_else(not_found)?;
        let event = store
            .read_all(ReadAllOptions::forward(1).from(leaf.position))
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .next()
            .filter(|e| e.id == id)
            .ok_or_else(not_found)?;
        if event.metadata.tenant.as_deref() != Some(principal.municipality.to_string().as_str()) {
            return Err(not_found());
        }
        let size = match size {
            Some(size) => size,
            None => self.latest().await?.size,
        };
        if size == 0 || leaf.index >= size {
            return Err(AppError::bad_request(format!(
                "size: event {id} is leaf {} and is not in a tree of {size} events; ask for a size above {}",
                leaf.index, leaf.index
            )));
        }
        let leaf_bytes = kirjuri_integrity::leaf::leaf_bytes(&event).map_err(AppError::internal)?;
        let index = leaf.index;
        let (proof, root, checkpoint) = self
            .with_tree(move |tree| {
                let proof = tree.inclusion_proof(index, size).map_err(tree_error)?;
                let root = tree.root_at(size).map_err(tree_error)?;
                let checkpoint = tree.checkpoint_at(size).map_err(tree_error)?.map(|c| c.note);
                Ok((proof, root, checkpoint))
            })
            .await?;
        Ok(InclusionBody {
            event_id: id.to_string(),
            index,
            tree_size: size,
            leaf_hash: hex(&kirjuri_integrity::merkle::leaf_hash(leaf_bytes.as_bytes())),
            leaf: leaf_bytes,
            proof: proof.iter().map(hex).collect(),
            root: hex(&root),
            checkpoint,
        })
    }

    /// The proof that the tree of `to` extends the tree of `from`.
    pub async fn consistency(
        self: &Arc<Self>,
        principal: &Principal,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyBody, AppError> {
        authorize(principal, Action::ReadAudit, &Resource::of(principal.municipality)).map_err(AppError::denied)?;
        self.consistency_unchecked(from, to).await
    }

    /// [`Integrity::consistency`] for a witness (the proof reveals only sizes and hashes).
    pub async fn consistency_unchecked(self: &Arc<Self>, from: u64, to: u64) -> Result<ConsistencyBody, AppError> {
        if from == 0 || from > to {
            return Err(AppError::bad_request(format!(
                "from, to: a consistency proof needs 0 < from ≤ to, got from={from} and to={to}"
            )));
        }
        self.with_tree(move |tree| {
            let proof = tree.consistency_proof(from, to).map_err(tree_error)?;
            Ok(ConsistencyBody {
                from,
                to,
                from_root: hex(&tree.root_at(from).map_err(tree_error)?),
                to_root: hex(&tree.root_at(to).map_err(tree_error)?),
                proof: proof.iter().map(hex).collect(),
            })
        })
        .await
    }

    /// A bundle of `events` about `subject`, under a checkpoint signed now if the latest does
    /// not cover them all.
    pub async fn bundle(self: &Arc<Self>, events: Vec<RecordedEvent>, subject: Subject) -> Result<Bundle, AppError> {
        if events.is_empty() {
            return Err(AppError::new(ErrorCode::NotFound, "no events to bundle"));
        }
        let this = Arc::clone(self);
        let checkpoint = tokio::task::spawn_blocking(move || this.sign(true))
            .await
            .map_err(AppError::internal)?
            .map_err(tree_error)?
            .ok_or_else(|| AppError::new(ErrorCode::StoreUnavailable, "the tree is empty; try again in a moment"))?;
        let keys = self.verifiers();
        self.with_tree(move |tree| {
            make_bundle(tree, &events, &checkpoint, &keys, subject, Utc::now()).map_err(|error| match error {
                MakeError::NotInTree(_) => AppError::new(ErrorCode::StoreUnavailable, error.to_string()),
                other => AppError::internal(other),
            })
        })
        .await
    }
}

/// The events of `streams` (in `$all` order), leaving out those holding personal data; answers
/// them and how many were left out.
pub async fn events_of_streams(
    store: &dyn EventStore,
    streams: &[kirjuri_events::StreamName],
) -> Result<(Vec<RecordedEvent>, usize), AppError> {
    let mut events = Vec::new();
    let mut withheld = 0;
    for stream in streams {
        let read = store
            .read_stream(stream, ReadStreamOptions::forward(MAX_BUNDLE_EVENTS))
            .await
            .map_err(AppError::internal)?;
        for event in read {
            let mut data: serde_json::Value = serde_json::from_str(event.data.as_str()).unwrap_or_default();
            if crate::redaction::redact_personal(&mut data) > 0 {
                withheld += 1;
            } else {
                events.push(event);
            }
        }
        if events.len() > MAX_BUNDLE_EVENTS {
            return Err(AppError::bad_request(format!("a bundle holds at most {MAX_BUNDLE_EVENTS} events")));
        }
    }
    events.sort_by_key(|e| e.position);
    events.dedup_by_key(|e| e.id);
    Ok((events, withheld))
}

// ---------------------------------------------------------------------------------------------
// The read use cases, as the API's routes and the pages call them: parameters parsed, the
// caller authorised, the answer made.

fn size_parameter(name: &str, value: &str) -> Result<u64, AppError> {
    value.trim().parse::<u64>().map_err(|_| {
        AppError::bad_request(format!("{name}: `{}` is not a whole number of events", crate::queries::printable(value)))
    })
}

fn only(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, AppError> {
    let pairs = crate::queries::pairs(raw);
    for (name, _) in &pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(AppError::bad_request(format!(
                "{}: unknown parameter; use {}",
                crate::queries::printable(name),
                allowed.join(", ")
            )));
        }
    }
    Ok(pairs)
}

fn audit_reader(principal: &Principal) -> Result<(), AppError> {
    authorize(principal, Action::ReadAudit, &Resource::of(principal.municipality)).map_err(AppError::denied)
}

/// `GET /api/v1/integrity/checkpoint`: the latest signed checkpoint.
pub async fn latest_checkpoint(state: &crate::AppState, principal: &Principal) -> Result<CheckpointBody, AppError> {
    audit_reader(principal)?;
    state.integrity()?.latest().await
}

/// `GET /api/v1/integrity/checkpoints?size=`: the signed checkpoint of `size` (or the smallest
/// covering it).
pub async fn checkpoint_of_size(
    state: &crate::AppState,
    principal: &Principal,
    raw: Option<&str>,
) -> Result<CheckpointBody, AppError> {
    audit_reader(principal)?;
    let mut size = None;
    for (name, value) in only(raw, &["size"])? {
        if name == "size" {
            size = Some(size_parameter("size", &value)?);
        }
    }
    let size = size.ok_or_else(|| AppError::bad_request("size: required, a whole number of events"))?;
    state.integrity()?.checkpoint(size).await
}

/// `GET /api/v1/integrity/proofs/inclusion?event=&size=`.
pub async fn inclusion_proof(
    state: &crate::AppState,
    principal: &Principal,
    raw: Option<&str>,
) -> Result<InclusionBody, AppError> {
    audit_reader(principal)?;
    let (mut event, mut size) = (None, None);
    for (name, value) in only(raw, &["event", "size"])? {
        match name.as_str() {
            "event" => event = Some(EventId(crate::queries::uuid_parameter("event", &value)?)),
            _ => size = Some(size_parameter("size", &value)?),
        }
    }
    let event = event.ok_or_else(|| AppError::bad_request("event: required, an event id"))?;
    state.integrity()?.inclusion(state.store.as_ref(), principal, event, size).await
}

/// `GET /api/v1/integrity/proofs/consistency?from=&to=`.
pub async fn consistency_proof(
    state: &crate::AppState,
    principal: &Principal,
    raw: Option<&str>,
) -> Result<ConsistencyBody, AppError> {
    audit_reader(principal)?;
    let (from, to) = from_to(raw)?;
    state.integrity()?.consistency(principal, from, to).await
}

/// Reads `from` and `to`, both required.
pub fn from_to(raw: Option<&str>) -> Result<(u64, u64), AppError> {
    let (mut from, mut to) = (None, None);
    for (name, value) in only(raw, &["from", "to"])? {
        match name.as_str() {
            "from" => from = Some(size_parameter("from", &value)?),
            _ => to = Some(size_parameter("to", &value)?),
        }
    }
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(AppError::bad_request("from, to: both required, whole numbers of events with 0 < from ≤ to")),
    }
}

/// The streams a bundle about `kind`/`id` holds: the record's own, and for a practice the
/// records it cites (transitively) and their outcomes' experiments.
/// [`bundle_streams`] for the command line (no caller to authorise: the operator).
pub fn bundle_streams_for(
    reader: &kirjuri_views::ViewsReader,
    kind: kirjuri_views::EntityKind,
    id: uuid::Uuid,
) -> Result<Vec<kirjuri_events::StreamName>, AppError> {
    bundle_streams(reader, kind, id)
}

fn bundle_streams(
    reader: &kirjuri_views::ViewsReader,
    kind: kirjuri_views::EntityKind,
    id: uuid::Uuid,
) -> Result<Vec<kirjuri_events::StreamName>, AppError> {
    use kirjuri_views::GraphNode;
    let stream = |category: &str, id: uuid::Uuid| {
        kirjuri_events::StreamCategory::parse(category)
            .map(|c| kirjuri_events::StreamName::new(&c, id))
            .map_err(AppError::internal)
    };
    let mut streams = vec![stream(kind.as_str(), id)?];
    if kind == kirjuri_views::EntityKind::Practice {
        let node = GraphNode::Practice(kirjuri_events::domain::PracticeId(id));
        for reach in reader.cites_transitively(&node).map_err(crate::queries::views_error)? {
            let (category, key) = match reach.node {
                GraphNode::Outcome(experiment, _) => ("experiment", experiment.0),
                GraphNode::Practice(p) => ("practice", p.0),
                GraphNode::Experiment(x) => ("experiment", x.0),
                GraphNode::Lesson(l) => ("lesson", l.0),
                GraphNode::Observation(o) => ("observation", o.0),
                GraphNode::Campaign(c) => ("campaign", c.0),
                GraphNode::Engagement(g) => ("engagement", g.0),
                GraphNode::Communication(c) => ("communication", c.0),
            };
            streams.push(stream(category, key)?);
        }
    }
    streams.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    streams.dedup();
    Ok(streams)
}

/// `GET /api/v1/integrity/bundles/{kind}/{id}`: an evidence bundle of a record's whole history
/// (a practice's with the evidence it cites), for someone who may read its audit trail. Events
/// holding personal data are left out (the summary says how many).
pub async fn record_bundle(
    state: &crate::AppState,
    principal: Principal,
    kind: &str,
    id: &str,
) -> Result<Bundle, AppError> {
    let (kind, id) = crate::audit::entity_path(kind, id)?;
    audit_reader(&principal)?;
    let municipality = principal.municipality.to_string();
    let integrity = state.integrity()?;
    let streams = crate::queries::with_views(state, move |reader| {
        Ok(crate::audit::authorize_entity(reader, &principal, Action::ReadAudit, kind, id)
            .and_then(|()| bundle_streams(reader, kind, id)))
    })
    .await??;
    let (mut events, withheld) = events_of_streams(state.store.as_ref(), &streams).await?;
    // Evidence another municipality recorded (a practice shared with this one may cite it) is
    // theirs to prove: only this municipality's own events go in.
    let before = events.len();
    events.retain(|e| e.metadata.tenant.as_deref() == Some(municipality.as_str()));
    let foreign = before - events.len();
    let own = streams.first().cloned();
    let title = events
        .iter()
        .find(|e| Some(&e.stream) == own.as_ref())
        .and_then(|e| title_of(e.data.as_str()))
        .map_or_else(|| format!("{} {id}", kind.as_str()), |t| format!("{t} ({})", kind.as_str()));
    let mut bundle =
        integrity.bundle(events, Subject { kind: kind.as_str().to_owned(), id: id.to_string(), title }).await?;
    if withheld > 0 {
        bundle
            .summary
            .fi
            .push_str(&format!("\n\n{withheld} henkilötietoja sisältävää tapahtumaa jätettiin pois paketista."));
        bundle
            .summary
            .en
            .push_str(&format!("\n\n{withheld} events holding personal data were left out of the bundle."));
    }
    if foreign > 0 {
        let summary = &mut bundle.summary;
        summary.fi.push_str(&format!("\n\n{foreign} toisen kunnan kirjaamaa tapahtumaa jätettiin pois paketista."));
        summary.en.push_str(&format!("\n\n{foreign} events recorded by other municipalities were left out."));
    }
    Ok(bundle)
}

/// A record's name from its first event's data: `title` or `name`, Finnish first.
fn title_of(data: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    ["title", "name"].iter().find_map(|field| match value.get(field)? {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Object(texts) => ["fi", "sv", "en"]
            .iter()
            .find_map(|lang| texts.get(*lang).and_then(serde_json::Value::as_str).map(str::to_owned)),
        _ => None,
    })
}
