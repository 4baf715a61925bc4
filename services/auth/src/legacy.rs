//! The one-time import of `<data_dir>/api.sqlite`, where kirjuri kept local API tokens before
//! they became events, so nobody's token stops working on upgrade.
//!
//! Each row becomes `ApiTokenIssued` (and `ApiTokenRevoked` if it was revoked) in the stream
//! of its name, with its id, hash, tenant, roles, times and no person, appended with "no
//! stream" and event ids derived from the token id: a second import (another instance
//! starting at the same moment, or a crash before the file was renamed) appends nothing
//! twice. When every row is in the store, the file is renamed `api.sqlite.imported` and kept,
//! so the import runs once. A row whose name another token took meanwhile is not imported
//! and is named in a warning; the file then keeps its name so nothing is lost silently.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use chrono::DateTime;
use kirjuri_events::domain::api_token::{ApiTokenEvent, ApiTokenId, ApiTokenIssued, ApiTokenRevoked};
use kirjuri_events::domain::{ApiTokenStream, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, NewEvent};
use kirjuri_store::sqlite::file_format::{FileFormat, FormatError};
use kirjuri_store::{EventStore, StoreError};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use super::Role;
use super::tokens::{TokenHash, TokenStoreError};

/// The file format of `api.sqlite` (`application_id` "kira"; `user_version` 1).
const FORMAT: FileFormat = FileFormat {
    application_id: 0x6B69_7261,
    what: "API token database",
    migrations: &["CREATE TABLE api_token (
            id          TEXT    PRIMARY KEY,
            name        TEXT    NOT NULL UNIQUE,
            secret_hash BLOB    NOT NULL UNIQUE,
            tenant      TEXT    NOT NULL,
            roles       TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER,
            revoked_at  INTEGER
         ) STRICT;"],
};

/// Who the imported events name as their actor.
pub const IMPORT_ACTOR: &str = "kirjuri:import-api-sqlite";

/// The namespace of the event ids derived from imported token ids.
const IMPORT_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_696d_706f_7274_0001);

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Tokens now in the store (including ones an earlier, interrupted import wrote).
    pub imported: usize,
    /// Names of tokens not imported because another token has the name.
    pub name_taken: Vec<String>,
    /// Where the file went, when everything was imported.
    pub renamed_to: Option<PathBuf>,
}

/// Why the legacy file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum LegacyImportError {
    /// The file is foreign or from a newer kirjuri.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// SQLite failed reading it.
    #[error("reading {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// Writing the events failed.
    #[error(transparent)]
    Tokens(#[from] TokenStoreError),
    /// Renaming the imported file failed.
    #[error("renaming {path} after importing it: {source}")]
    Rename {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// One row of the legacy file.
struct LegacyRow {
    id: String,
    name: String,
    secret_hash: Vec<u8>,
    tenant: String,
    roles: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

fn read_rows(path: &Path) -> Result<Vec<LegacyRow>, LegacyImportError> {
    let sqlite = |source| LegacyImportError::Sqlite { path: path.to_path_buf(), source };
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(sqlite)?;
    connection.busy_timeout(std::time::Duration::from_secs(5)).map_err(sqlite)?;
    FORMAT.migrate(&connection)?;
    let mut statement = connection
        .prepare(
            "SELECT id, name, secret_hash, tenant, roles, created_at, expires_at, revoked_at
             FROM api_token ORDER BY created_at, id",
        )
        .map_err(sqlite)?;
    let rows = statement
        .query_map([], |row| {
            Ok(LegacyRow {
                id: row.get(0)?,
                name: row.get(1)?,
                secret_hash: row.get(2)?,
                tenant: row.get(3)?,
                roles: row.get(4)?,
                created_at: row.get(5)?,
                expires_at: row.get(6)?,
                revoked_at: row.get(7)?,
            })
        })
        .map_err(sqlite)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sqlite)
}

impl LegacyRow {
    /// The events this row becomes.
    fn events(&self) -> Result<Vec<NewEvent>, TokenStoreError> {
        let corrupt = |what: &str| TokenStoreError::Corrupt(format!("api.sqlite token {}: {what}", self.id));
        let time = |seconds: i64| DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt("a time out of range"));
        let token = ApiTokenId(Uuid::from_str(&self.id).map_err(|_| corrupt("an id that is not a UUID"))?);
        let tenant = MunicipalityId(Uuid::from_str(&self.tenant).map_err(|_| corrupt("a tenant that is not a UUID"))?);
        let hash = TokenHash::from_bytes(&self.secret_hash).ok_or_else(|| corrupt("a hash that is not 32 bytes"))?;
        let roles = self
            .roles
            .split(',')
            .map(|name| Role::parse(name).map(|role| role.as_str().to_owned()).map_err(|e| corrupt(&e.to_string())))
            .collect::<Result<_, _>>()?;
        let metadata = EventMetadata {
            actor: Some(IMPORT_ACTOR.to_owned()),
            tenant: Some(tenant.to_string()),
            ..EventMetadata::default()
        };
        let event_id = |what: &str| EventId(Uuid::new_v5(&IMPORT_NAMESPACE, format!("{token}:{what}").as_bytes()));
        let encode = |event: ApiTokenEvent, what: &str| {
            event
                .to_new_event(event_id(what), metadata.clone())
                .map_err(|error| corrupt(&format!("does not encode: {error}")))
        };
        let issued = ApiTokenIssued {
            token,
            name: self.name.clone(),
            secret_hash: hash.to_hex(),
            tenant,
            roles,
            person: None,
            issued_at: time(self.created_at)?,
            expires_at: self.expires_at.map(time).transpose()?,
        };
        let mut events = vec![encode(ApiTokenEvent::Issued(issued), "issued")?];
        if let Some(revoked_at) = self.revoked_at {
            let revoked = ApiTokenRevoked { token, at: time(revoked_at)? };
            events.push(encode(ApiTokenEvent::Revoked(revoked), "revoked")?);
        }
        Ok(events)
    }
}

/// Imports `path` (the legacy `api.sqlite`) into `store` if it exists; see the module docs.
pub async fn import(store: &dyn EventStore, path: &Path) -> Result<ImportReport, LegacyImportError> {
    if !path.is_file() {
        return Ok(ImportReport::default());
    }
    let rows = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || read_rows(&path))
            .await
            .map_err(|error| TokenStoreError::Corrupt(format!("the task reading api.sqlite failed: {error}")))??
    };
    let mut report = ImportReport::default();
    for row in &rows {
        let stream = ApiTokenStream::for_name(&row.name).stream();
        match store.append(&stream, ExpectedRevision::NoStream, row.events()?).await {
            Ok(_) => report.imported += 1,
            // The stream exists: imported before (and changed since), or another token's name.
            Err(StoreError::Conflict { .. }) | Err(StoreError::DuplicateEventId { .. }) => {
                let first = store
                    .read_stream(&stream, kirjuri_store::ReadStreamOptions::forward(1))
                    .await
                    .map_err(TokenStoreError::from)?;
                let ours = first.first().is_some_and(|event| {
                    matches!(ApiTokenEvent::from_recorded(event), Ok(ApiTokenEvent::Issued(issued)) if issued.token.0.to_string() == row.id)
                });
                if ours {
                    report.imported += 1;
                } else {
                    report.name_taken.push(row.name.clone());
                }
            }
            Err(error) => return Err(TokenStoreError::from(error).into()),
        }
    }
    if report.name_taken.is_empty() {
        let renamed = path.with_extension("sqlite.imported");
        std::fs::rename(path, &renamed)
            .map_err(|source| LegacyImportError::Rename { path: path.to_path_buf(), source })?;
        // A WAL left beside the file belongs to it: it moves with it.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", path.display()));
            if side.exists() {
                let moved = PathBuf::from(format!("{}{suffix}", renamed.display()));
                std::fs::rename(&side, moved)
                    .map_err(|source| LegacyImportError::Rename { path: side.clone(), source })?;
            }
        }
        report.renamed_to = Some(renamed);
    }
    Ok(report)
}
