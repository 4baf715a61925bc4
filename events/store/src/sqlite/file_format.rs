//! The rules every kirjuri SQLite file follows (the event store, the views database): an
//! `application_id` naming what it is, `user_version` counting applied migrations, forward
//! migration on open, and a refusal to touch a foreign file or one from a newer kirjuri.

use rusqlite::Connection;

/// What a kind of kirjuri SQLite file is.
#[derive(Debug, Clone, Copy)]
pub struct FileFormat {
    /// Its `PRAGMA application_id`.
    pub application_id: i64,
    /// What it is, in words ("event store", "views database").
    pub what: &'static str,
    /// Every migration in order: `migrations[n]` takes version `n` to `n + 1`.
    pub migrations: &'static [&'static str],
}

/// Why a file could not be brought to the current schema.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Written by a newer kirjuri.
    #[error("schema version {found} is newer than this kirjuri understands ({supported})")]
    Newer {
        /// The file's version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Not a file of this kind.
    #[error("an SQLite file but not a kirjuri {what} (application_id {application_id:#x}); refusing to touch it")]
    Foreign {
        /// What was expected.
        what: &'static str,
        /// The file's application id.
        application_id: i64,
    },
    /// SQLite failed.
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being done.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

impl FileFormat {
    /// The version the migrations lead to.
    pub fn current_version(&self) -> i64 {
        i64::try_from(self.migrations.len()).unwrap_or(i64::MAX)
    }

    /// Checks the file is of this kind (or empty) and applies the migrations it lacks, each in
    /// its own transaction.
    pub fn migrate(&self, connection: &Connection) -> Result<(), FormatError> {
        let sqlite = |context: &str| {
            let context = context.to_owned();
            move |source| FormatError::Sqlite { context, source }
        };
        let read_pragma = |name: &str| -> Result<i64, FormatError> {
            connection
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
                .map_err(sqlite("reading the schema version"))
        };
        let application_id = read_pragma("application_id")?;
        let version = read_pragma("user_version")?;
        let supported = self.current_version();
        if version > supported {
            return Err(FormatError::Newer { found: version, supported });
        }
        let table_count: i64 = connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(sqlite("reading the schema"))?;
        if application_id != self.application_id && (table_count > 0 || version > 0) {
            return Err(FormatError::Foreign { what: self.what, application_id });
        }
        for (from, migration) in self.migrations.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            let to = from + 1;
            let script = format!(
                "BEGIN IMMEDIATE;
                 {migration}
                 PRAGMA application_id = {};
                 PRAGMA user_version = {to};
                 COMMIT;",
                self.application_id
            );
            if let Err(error) = connection.execute_batch(&script) {
                let _ = connection.execute_batch("ROLLBACK");
                return Err(sqlite(&format!("migrating the {} schema from version {from} to {to}", self.what))(error));
            }
            tracing::info!(what = self.what, from, to, "schema migrated");
        }
        Ok(())
    }
}
