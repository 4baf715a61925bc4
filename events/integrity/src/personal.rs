//! Personal data that can be forgotten without breaking the proof: crypto-shredding.
//!
//! Every object in an event's data marked `"classification": "personal"` is stored sealed: its
//! `text` is replaced by `sealed` (AES-256-GCM) before the event is appended, so the log, its
//! Merkle leaves, every read model and every backup hold only ciphertext. The key is derived
//! from the keys of *every* data subject the object names (`subjects`): each subject's key gives a
//! share, `HMAC-SHA256(subject key, "kirjuri-personal/v1\n" ‖ event id ‖ "\n" ‖ path)`, and the
//! data key is all shares XORed — so erasing any one subject's key makes the text unreadable for
//! good, while the ciphertext, and so every proof over it, stays as it was.
//!
//! Sealing is deterministic (the nonce is `HMAC(data key, text)`, as in SIV): an identical retry
//! of an append seals to identical bytes, so the store still recognises it as a retry, and two
//! different texts never share a nonce under one key.
//!
//! The subjects' keys live in a key store outside the log (`<data_dir>/keys/subjects.sqlite`,
//! [`SubjectKeys`]), written with `secure_delete` and a truncated journal so an erased key's bytes
//! are overwritten in the file. An erased subject keeps a row (when, why, on what legal basis),
//! without its key; new personal text about them is refused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use kirjuri_events::{EventId, EventPayload, ExpectedRevision, NewEvent, RecordedEvent, Revision, StreamName};
use kirjuri_store::{
    AppendResult, EventFilter, EventStore, ReadAllOptions, ReadStreamOptions, StoreError, SubscribeFrom, Subscription,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

/// The key store's file inside the keys directory.
pub const SUBJECT_KEYS_FILE: &str = "subjects.sqlite";

const SHARE_LABEL: &str = "kirjuri-personal/v1";

/// Why personal data could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum PersonalError {
    /// The key store failed.
    #[error("the personal-data key store {path}: {source}")]
    KeyStore {
        /// Its file.
        path: PathBuf,
        /// The error.
        #[source]
        source: rusqlite::Error,
    },
    /// Personal text names no data subject.
    #[error("{path}: personal text must name the people it is about (`subjects`)")]
    NoSubjects {
        /// Where in the data.
        path: String,
    },
    /// Personal text about someone whose data was erased.
    #[error("{path}: {subject}'s personal data was erased on {erased_at}; no new personal text about them is kept")]
    Erased {
        /// Where in the data.
        path: String,
        /// The person.
        subject: String,
        /// When.
        erased_at: DateTime<Utc>,
    },
    /// The data is not JSON, or the crypto failed.
    #[error("{0}")]
    Malformed(String),
}

/// A subject's key, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectKey {
    /// The key.
    Present([u8; 32]),
    /// Erased then.
    Erased(DateTime<Utc>),
    /// Never made.
    Absent,
}

/// One erased subject, as the key store remembers them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erasure {
    /// The person reference.
    pub subject: String,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// On what legal basis.
    pub legal_basis: String,
}

/// The data subjects' keys, in a SQLite file outside the log.
pub struct SubjectKeys {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for SubjectKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectKeys").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SubjectKeys {
    /// Opens (creating, mode 0600) the key store `<keys_dir>/subjects.sqlite`.
    pub fn open(keys_dir: &Path) -> Result<Self, PersonalError> {
        let path = keys_dir.join(SUBJECT_KEYS_FILE);
        let error = |source| PersonalError::KeyStore { path: path.clone(), source };
        std::fs::create_dir_all(keys_dir)
            .map_err(|e| PersonalError::Malformed(format!("{}: {e}", keys_dir.display())))?;
        let connection = Connection::open(&path).map_err(error)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        connection
            .execute_batch(
                "PRAGMA journal_mode = TRUNCATE;
                 PRAGMA secure_delete = ON;
                 PRAGMA synchronous = FULL;
                 PRAGMA busy_timeout = 10000;
                 CREATE TABLE IF NOT EXISTS subject_keys (
                     subject     TEXT PRIMARY KEY,
                     key         BLOB,
                     created_at  INTEGER NOT NULL,
                     erased_at   INTEGER,
                     reason      TEXT,
                     legal_basis TEXT
                 ) STRICT;",
            )
            .map_err(error)?;
        Ok(Self { path, connection: Mutex::new(connection) })
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> PersonalError + '_ {
        |source| PersonalError::KeyStore { path: self.path.clone(), source }
    }

    /// `subject`'s key as it stands.
    pub fn key(&self, subject: &str) -> Result<SubjectKey, PersonalError> {
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let row: Option<(Option<Vec<u8>>, Option<i64>)> = connection
            .query_row("SELECT key, erased_at FROM subject_keys WHERE subject = ?1", [subject], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.sql())?;
        Ok(match row {
            None => SubjectKey::Absent,
            Some((_, Some(erased))) => SubjectKey::Erased(DateTime::from_timestamp_micros(erased).unwrap_or_default()),
            Some((Some(key), None)) => SubjectKey::Present(
                key.try_into().map_err(|_| PersonalError::Malformed(format!("{subject}'s key is not 32 bytes")))?,
            ),
            Some((None, None)) => SubjectKey::Absent,
        })
    }

    /// `subject`'s key, made now if they have none; refused if they were erased.
    fn key_or_make(&self, subject: &str, path: &str) -> Result<[u8; 32], PersonalError> {
        match self.key(subject)? {
            SubjectKey::Present(key) => return Ok(key),
            SubjectKey::Erased(erased_at) => {
                return Err(PersonalError::Erased { path: path.to_owned(), subject: subject.to_owned(), erased_at });
            }
            SubjectKey::Absent => {}
        }
        let mut key = [0u8; 32];
        aws_lc_rs::rand::fill(&mut key).map_err(|_| PersonalError::Malformed("no randomness for a key".into()))?;
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another writer may have made one first: theirs wins and is read back.
        connection
            .execute(
                "INSERT OR IGNORE INTO subject_keys (subject, key, created_at) VALUES (?1, ?2, ?3)",
                params![subject, key.as_slice(), Utc::now().timestamp_micros()],
            )
            .map_err(self.sql())?;
        drop(connection);
        match self.key(subject)? {
            SubjectKey::Present(key) => Ok(key),
            SubjectKey::Erased(erased_at) => {
                Err(PersonalError::Erased { path: path.to_owned(), subject: subject.to_owned(), erased_at })
            }
            SubjectKey::Absent => Err(PersonalError::Malformed(format!("{subject}'s key could not be kept"))),
        }
    }

    /// Destroys `subject`'s key for good, keeping when, why and on what basis. Answers whether
    /// they had a key (false: already erased, or never had personal data kept).
    pub fn erase(
        &self,
        subject: &str,
        reason: &str,
        legal_basis: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, PersonalError> {
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let had = connection
            .query_row("SELECT key IS NOT NULL FROM subject_keys WHERE subject = ?1", [subject], |r| {
                r.get::<_, bool>(0)
            })
            .optional()
            .map_err(self.sql())?
            .unwrap_or(false);
        connection
            .execute(
                "INSERT INTO subject_keys (subject, key, created_at, erased_at, reason, legal_basis)
                 VALUES (?1, NULL, ?2, ?2, ?3, ?4)
                 ON CONFLICT (subject) DO UPDATE SET key = NULL, erased_at = excluded.erased_at,
                   reason = excluded.reason, legal_basis = excluded.legal_basis",
                params![subject, now.timestamp_micros(), reason, legal_basis],
            )
            .map_err(self.sql())?;
        // secure_delete overwrote the old key in the file; the truncated journal holds nothing.
        connection.execute_batch("VACUUM").map_err(self.sql())?;
        Ok(had)
    }

    /// Every erased subject.
    pub fn erasures(&self) -> Result<Vec<Erasure>, PersonalError> {
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut statement = connection
            .prepare("SELECT subject, erased_at, reason, legal_basis FROM subject_keys WHERE erased_at IS NOT NULL ORDER BY erased_at")
            .map_err(self.sql())?;
        statement
            .query_map([], |r| {
                Ok(Erasure {
                    subject: r.get(0)?,
                    erased_at: DateTime::from_timestamp_micros(r.get(1)?).unwrap_or_default(),
                    reason: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    legal_basis: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(self.sql())
    }
}

fn share(subject_key: &[u8; 32], event: EventId, path: &str) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, subject_key);
    let tag = hmac::sign(&key, format!("{SHARE_LABEL}\n{}\n{path}", event.0).as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

fn data_key(keys: &[[u8; 32]], event: EventId, path: &str) -> [u8; 32] {
    keys.iter().map(|k| share(k, event, path)).fold([0u8; 32], |mut acc, s| {
        acc.iter_mut().zip(s).for_each(|(a, b)| *a ^= b);
        acc
    })
}

fn aead(key: &[u8; 32]) -> Result<LessSafeKey, PersonalError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| PersonalError::Malformed("the AES-256-GCM key could not be made".into()))
}

fn is_personal(object: &Map<String, Value>) -> bool {
    object.get("classification").and_then(Value::as_str) == Some("personal")
}

fn subjects_of(object: &Map<String, Value>, path: &str) -> Result<Vec<String>, PersonalError> {
    let subjects: Vec<String> = object
        .get("subjects")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if subjects.is_empty() {
        return Err(PersonalError::NoSubjects { path: path.to_owned() });
    }
    Ok(subjects)
}

/// Seals every personal `text` in `data` (an event's JSON) under its subjects' keys; answers the
/// new JSON, or `None` when there was nothing to seal (the data is then kept byte for byte).
pub fn seal_data(data: &str, event: EventId, keys: &SubjectKeys) -> Result<Option<String>, PersonalError> {
    if !data.contains("\"personal\"") {
        return Ok(None);
    }
    let mut value: Value = serde_json::from_str(data).map_err(|e| PersonalError::Malformed(e.to_string()))?;
    let mut sealed = 0;
    seal_value(&mut value, "", event, keys, &mut sealed)?;
    if sealed == 0 {
        return Ok(None);
    }
    serde_json::to_string(&value).map(Some).map_err(|e| PersonalError::Malformed(e.to_string()))
}

fn seal_value(
    value: &mut Value,
    path: &str,
    event: EventId,
    keys: &SubjectKeys,
    sealed: &mut usize,
) -> Result<(), PersonalError> {
    match value {
        Value::Object(object) if is_personal(object) => {
            let Some(Value::String(text)) = object.get("text").cloned() else {
                return Ok(());
            };
            let subjects = subjects_of(object, path)?;
            let subject_keys = subjects.iter().map(|s| keys.key_or_make(s, path)).collect::<Result<Vec<_>, _>>()?;
            let key = data_key(&subject_keys, event, path);
            let nonce_tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), text.as_bytes());
            let mut nonce = [0u8; 12];
            nonce.copy_from_slice(&nonce_tag.as_ref()[..12]);
            let mut in_out = text.into_bytes();
            aead(&key)?
                .seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(format!("{}\n{path}", event.0).as_bytes()),
                    &mut in_out,
                )
                .map_err(|_| PersonalError::Malformed("sealing failed".into()))?;
            object.remove("text");
            let mut sealed_object = Map::new();
            sealed_object.insert("alg".into(), Value::String("A256GCM".into()));
            sealed_object.insert("nonce".into(), Value::String(B64.encode(nonce)));
            sealed_object.insert("ciphertext".into(), Value::String(B64.encode(in_out)));
            object.insert("sealed".into(), Value::Object(sealed_object));
            *sealed += 1;
            Ok(())
        }
        Value::Object(object) => {
            for (name, member) in object.iter_mut() {
                seal_value(member, &format!("{path}/{name}"), event, keys, sealed)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                seal_value(item, &format!("{path}/{i}"), event, keys, sealed)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// What opening sealed text gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The text.
    Text(String),
    /// A subject's key was erased: the text is gone for good.
    Erased,
}

/// Opens the sealed personal text at `path` of `event`'s data, about `subjects`.
pub fn open_sealed(
    sealed: &Value,
    subjects: &[String],
    event: EventId,
    path: &str,
    keys: &SubjectKeys,
) -> Result<Opened, PersonalError> {
    let mut subject_keys = Vec::with_capacity(subjects.len());
    for subject in subjects {
        match keys.key(subject)? {
            SubjectKey::Present(key) => subject_keys.push(key),
            SubjectKey::Erased(_) | SubjectKey::Absent => return Ok(Opened::Erased),
        }
    }
    if subject_keys.is_empty() {
        return Err(PersonalError::NoSubjects { path: path.to_owned() });
    }
    let field = |name: &str| {
        sealed
            .get(name)
            .and_then(Value::as_str)
            .and_then(|text| B64.decode(text).ok())
            .ok_or_else(|| PersonalError::Malformed(format!("{path}: sealed text without {name}")))
    };
    let nonce: [u8; 12] =
        field("nonce")?.try_into().map_err(|_| PersonalError::Malformed(format!("{path}: a nonce is 12 bytes")))?;
    let mut in_out = field("ciphertext")?;
    let key = data_key(&subject_keys, event, path);
    let plain = aead(&key)?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(format!("{}\n{path}", event.0).as_bytes()),
            &mut in_out,
        )
        .map_err(|_| PersonalError::Malformed(format!("{path}: the sealed text does not open (altered?)")))?;
    String::from_utf8(plain.to_vec()).map(Opened::Text).map_err(|e| PersonalError::Malformed(e.to_string()))
}

/// Personal `text` still in the clear anywhere in `data` (for the migration and its check).
pub fn has_unsealed(data: &str) -> bool {
    fn walk(value: &Value) -> bool {
        match value {
            Value::Object(object) if is_personal(object) => object.contains_key("text"),
            Value::Object(object) => object.values().any(walk),
            Value::Array(items) => items.iter().any(walk),
            _ => false,
        }
    }
    data.contains("\"personal\"") && serde_json::from_str::<Value>(data).is_ok_and(|v| walk(&v))
}

/// What [`seal_existing_sqlite`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SealReport {
    /// Events whose personal text was sealed in place.
    pub sealed: u64,
    /// Events with clear personal text left as they were, because the log's tree already covers them.
    pub left_in_clear: u64,
}

/// The people an engagement's personal text is about: its coach and coachees, from the first
/// event of its stream (today the only place personal text is kept).
fn participants(connection: &Connection, stream: &str) -> Result<Vec<String>, rusqlite::Error> {
    let first: Option<String> = connection
        .query_row("SELECT data FROM events WHERE stream = ?1 ORDER BY revision LIMIT 1", [stream], |r| r.get(0))
        .optional()?;
    let value: Value = first.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let mut people: Vec<String> = value.get("coach").and_then(Value::as_str).map(str::to_owned).into_iter().collect();
    if let Some(coachees) = value.get("coachees").and_then(Value::as_array) {
        people.extend(coachees.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    people.sort();
    people.dedup();
    Ok(people)
}

fn add_subjects(value: &mut Value, subjects: &[String]) {
    match value {
        Value::Object(object) if is_personal(object) && !object.contains_key("subjects") => {
            object.insert("subjects".into(), Value::Array(subjects.iter().cloned().map(Value::String).collect()));
        }
        Value::Object(object) if is_personal(object) => {}
        Value::Object(object) => object.values_mut().for_each(|v| add_subjects(v, subjects)),
        Value::Array(items) => items.iter_mut().for_each(|v| add_subjects(v, subjects)),
        _ => {}
    }
}

/// The one-time step for stores written before personal text was sealed: seals, in place in the
/// embedded store's file, every personal text still in the clear (naming as its subjects the
/// engagement's coach and coachees when it names none) — but only while the log's tree at
/// `tree` has never been computed, since the tree's proofs must cover the sealed form. A store
/// whose tree already covers clear text is left as it is and counted.
pub fn seal_existing_sqlite(events: &Path, tree: &Path, keys: &SubjectKeys) -> Result<SealReport, PersonalError> {
    let sql = |source| PersonalError::KeyStore { path: events.to_owned(), source };
    let tree_started = tree.is_file() && crate::TreeFile::open_read_only(tree).is_ok_and(|t| t.size() > 0);
    let mut connection = Connection::open(events).map_err(sql)?;
    connection.execute_batch("PRAGMA busy_timeout = 10000;").map_err(sql)?;
    let candidates: Vec<(i64, String, Vec<u8>, String)> = {
        let mut statement = connection
            .prepare("SELECT position, stream, id, data FROM events WHERE data LIKE '%\"personal\"%' ORDER BY position")
            .map_err(sql)?;
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql)?
    };
    let mut report = SealReport::default();
    let transaction = connection.transaction().map_err(sql)?;
    for (position, stream, id, data) in candidates {
        if !has_unsealed(&data) {
            continue;
        }
        if tree_started {
            report.left_in_clear += 1;
            continue;
        }
        let event = EventId(uuid::Uuid::from_slice(&id).map_err(|e| PersonalError::Malformed(e.to_string()))?);
        let mut value: Value = serde_json::from_str(&data).map_err(|e| PersonalError::Malformed(e.to_string()))?;
        add_subjects(&mut value, &participants(&transaction, &stream).map_err(sql)?);
        let mut sealed = 0;
        seal_value(&mut value, "", event, keys, &mut sealed)?;
        let text = serde_json::to_string(&value).map_err(|e| PersonalError::Malformed(e.to_string()))?;
        transaction.execute("UPDATE events SET data = ?1 WHERE position = ?2", params![text, position]).map_err(sql)?;
        report.sealed += 1;
    }
    transaction.commit().map_err(sql)?;
    if report.sealed > 0 {
        // The clear text's old pages are overwritten and the log compacted, so its bytes are gone
        // from the file and its write-ahead log, not only unreferenced.
        connection
            .execute_batch(
                "PRAGMA secure_delete = ON; PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .map_err(sql)?;
    }
    Ok(report)
}

/// An event store that seals personal text before anything is appended: whatever writes to
/// the log (the server, the demo, the CLI), only ciphertext reaches it.
pub struct SealingStore {
    inner: Arc<dyn EventStore>,
    keys: Arc<SubjectKeys>,
}

impl SealingStore {
    /// Seals appends to `inner` with `keys`.
    pub fn new(inner: Arc<dyn EventStore>, keys: Arc<SubjectKeys>) -> Self {
        Self { inner, keys }
    }

    /// The key store.
    pub fn keys(&self) -> &Arc<SubjectKeys> {
        &self.keys
    }
}

#[async_trait]
impl EventStore for SealingStore {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        mut events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        if events.iter().any(|e| e.data.as_str().contains("\"personal\"")) {
            let keys = Arc::clone(&self.keys);
            events = tokio::task::spawn_blocking(move || {
                for event in &mut events {
                    if let Some(sealed) = seal_data(event.data.as_str(), event.id, &keys)
                        .map_err(|e| StoreError::InvalidArgument { field: "data", rule: e.to_string() })?
                    {
                        event.data = EventPayload::from_stored(sealed);
                    }
                }
                Ok::<_, StoreError>(events)
            })
            .await
            .map_err(|e| StoreError::InvalidArgument { field: "data", rule: format!("sealing failed: {e}") })??;
        }
        self.inner.append(stream, expected, events).await
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        options: ReadStreamOptions,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_stream(stream, options).await
    }

    async fn read_all(&self, options: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(options).await
    }

    async fn subscribe_all(&self, from: SubscribeFrom, filter: EventFilter) -> Result<Subscription, StoreError> {
        self.inner.subscribe_all(from, filter).await
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<Option<Revision>, StoreError> {
        self.inner.stream_revision(stream).await
    }

    async fn head_position(&self) -> Result<Option<kirjuri_events::Position>, StoreError> {
        self.inner.head_position().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str, subjects: &[&str]) -> String {
        serde_json::json!({
            "note": "n1",
            "personal": {"text": text, "classification": "personal", "subjects": subjects},
        })
        .to_string()
    }

    #[test]
    fn personal_text_is_sealed_deterministically_and_opens_until_any_subject_is_erased() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let keys = SubjectKeys::open(dir.path()).expect("opens");
        let event = EventId::random();
        let data = note("Kertoi väsymyksestä.", &["hlo-coach", "hlo-anna"]);
        let sealed = seal_data(&data, event, &keys).expect("seals").expect("something to seal");
        assert!(!sealed.contains("väsymyksestä"), "{sealed}");
        assert_eq!(
            seal_data(&data, event, &keys).expect("seals").as_deref(),
            Some(sealed.as_str()),
            "a retry seals alike"
        );
        assert!(!has_unsealed(&sealed) && has_unsealed(&data));
        let value: Value = serde_json::from_str(&sealed).expect("JSON");
        let subjects = vec!["hlo-anna".to_owned(), "hlo-coach".to_owned()];
        let opened = open_sealed(&value["personal"]["sealed"], &subjects, event, "/personal", &keys).expect("opens");
        assert_eq!(opened, Opened::Text("Kertoi väsymyksestä.".into()));
        // Another event's id or path does not open it.
        assert!(open_sealed(&value["personal"]["sealed"], &subjects, EventId::random(), "/personal", &keys).is_err());
        assert!(keys.erase("hlo-anna", "pyyntö", "GDPR art. 17(1)(a)", Utc::now()).expect("erases"));
        let opened = open_sealed(&value["personal"]["sealed"], &subjects, event, "/personal", &keys).expect("answers");
        assert_eq!(opened, Opened::Erased);
        assert!(matches!(seal_data(&data, EventId::random(), &keys), Err(PersonalError::Erased { .. })));
        assert_eq!(keys.erasures().expect("reads")[0].subject, "hlo-anna");
        let file = std::fs::read(dir.path().join(SUBJECT_KEYS_FILE)).expect("reads");
        assert!(!file.is_empty());
    }

    #[test]
    fn personal_text_without_subjects_is_refused_and_data_without_any_is_kept_byte_for_byte() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let keys = SubjectKeys::open(dir.path()).expect("opens");
        assert!(matches!(seal_data(&note("x", &[]), EventId::random(), &keys), Err(PersonalError::NoSubjects { .. })));
        assert_eq!(seal_data(r#"{ "a": 1 }"#, EventId::random(), &keys).expect("fine"), None);
    }
}
