//! The instance's secrets, kept outside the event store: the log's Ed25519 signing key and the
//! web sessions' MAC key, in a directory of files readable by the service's user only.
//!
//! ```text
//! <data_dir>/keys/signing.pk8   the current signing key, PKCS#8, mode 0600
//! <data_dir>/keys/session.key   32 random bytes keying web session MACs, mode 0600
//! <data_dir>/keys/public.json   every signing key's public half: the current one and the retired
//! ```
//!
//! A retired key's private half is deleted when it is rotated out; its public half stays, so
//! checkpoints it signed still verify. The log's origin (the checkpoints' first line and the
//! keys' name) is chosen once, at `init`, and kept with the public keys.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::note::{Signer, VerifierKey, valid_name};

const SIGNING_FILE: &str = "signing.pk8";
const SESSION_FILE: &str = "session.key";
const PUBLIC_FILE: &str = "public.json";

/// Why the keys could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A key file holds something else.
    #[error("{path}: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// `init` found keys already there.
    #[error("{0} already holds a signing key; use `kirjuri keys rotate` to replace it")]
    Exists(PathBuf),
    /// No key was made yet.
    #[error("{0} holds no signing key; run `kirjuri keys init` (a server makes one when it starts)")]
    Missing(PathBuf),
    /// A readable-by-others key file.
    #[error("{path} is readable by other users (mode {mode:o}); chmod 600 it")]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its mode.
        mode: u32,
    },
}

/// One signing key's public half and its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyRecord {
    /// The verifier key, `<name>+<hash>+<key>`.
    pub vkey: String,
    /// `current` or `retired`.
    pub status: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was rotated out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<DateTime<Utc>>,
}

/// What `public.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    /// The log's origin.
    pub origin: String,
    /// Every key, the current one first.
    pub keys: Vec<PublicKeyRecord>,
}

impl PublicKeys {
    /// Reads `<dir>/public.json`.
    pub fn read(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(PUBLIC_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                KeyError::Missing(dir.to_owned())
            } else {
                KeyError::Io { what: "reading", path: path.clone(), source }
            }
        })?;
        serde_json::from_str(&text).map_err(|e| KeyError::Invalid { path, why: e.to_string() })
    }

    /// Every key as a verifier (current and retired).
    pub fn verifiers(&self) -> Result<Vec<VerifierKey>, KeyError> {
        self.keys
            .iter()
            .map(|k| {
                VerifierKey::parse(&k.vkey)
                    .map_err(|e| KeyError::Invalid { path: PathBuf::from(PUBLIC_FILE), why: e.to_string() })
            })
            .collect()
    }

    fn write(&self, dir: &Path) -> Result<(), KeyError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| KeyError::Invalid { path: dir.join(PUBLIC_FILE), why: e.to_string() })?;
        write_file(&dir.join(PUBLIC_FILE), text.as_bytes(), 0o644)
    }
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |what| move |source| KeyError::Io { what, path: path.to_owned(), source };
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&temporary).map_err(io("creating"))?;
    file.write_all(bytes).map_err(io("writing"))?;
    file.sync_all().map_err(io("syncing"))?;
    std::fs::rename(&temporary, path).map_err(io("renaming into place"))?;
    if let Some(parent) = path.parent()
        && let Ok(directory) = std::fs::File::open(parent)
    {
        let _ = directory.sync_all();
    }
    Ok(())
}

fn read_secret(path: &Path) -> Result<Option<Vec<u8>>, KeyError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(path)
                    .map_err(|source| KeyError::Io { what: "inspecting", path: path.to_owned(), source })?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    return Err(KeyError::TooOpen { path: path.to_owned(), mode: mode & 0o777 });
                }
            }
            Ok(Some(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KeyError::Io { what: "reading", path: path.to_owned(), source }),
    }
}

fn create_dir(dir: &Path) -> Result<(), KeyError> {
    std::fs::create_dir_all(dir).map_err(|source| KeyError::Io { what: "creating", path: dir.to_owned(), source })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|source| KeyError::Io {
            what: "restricting",
            path: dir.to_owned(),
            source,
        })?;
    }
    Ok(())
}

/// The signing key of an instance and the public keys it has used.
#[derive(Debug)]
pub struct Keyring {
    /// The current signing key.
    pub signer: Signer,
    /// The origin and every public key.
    pub public: PublicKeys,
}

impl Keyring {
    /// Makes the first signing key in `dir`; refuses if one is there. `origin` names the log
    /// (default `kirjuri/<8 hex digits of the first key>`).
    pub fn init(dir: &Path, origin: Option<&str>) -> Result<Self, KeyError> {
        if dir.join(SIGNING_FILE).exists() || dir.join(PUBLIC_FILE).exists() {
            return Err(KeyError::Exists(dir.to_owned()));
        }
        create_dir(dir)?;
        let pkcs8 = Signer::generate_pkcs8().map_err(|e| KeyError::Invalid { path: dir.into(), why: e.to_string() })?;
        let origin = match origin {
            Some(origin) if valid_name(origin) => origin.to_owned(),
            Some(origin) => {
                return Err(KeyError::Invalid {
                    path: dir.into(),
                    why: format!("the log origin {origin:?} must be non-empty, without spaces or '+'"),
                });
            }
            None => {
                let probe = Signer::from_pkcs8("kirjuri", &pkcs8)
                    .map_err(|e| KeyError::Invalid { path: dir.into(), why: e.to_string() })?;
                let hash: String = probe.verifier().key_hash().iter().map(|b| format!("{b:02x}")).collect();
                format!("kirjuri/{hash}")
            }
        };
        let signer = Signer::from_pkcs8(&origin, &pkcs8)
            .map_err(|e| KeyError::Invalid { path: dir.into(), why: e.to_string() })?;
        write_file(&dir.join(SIGNING_FILE), &pkcs8, 0o600)?;
        let public = PublicKeys {
            origin,
            keys: vec![PublicKeyRecord {
                vkey: signer.verifier().encode(),
                status: "current".into(),
                created_at: Utc::now(),
                retired_at: None,
            }],
        };
        public.write(dir)?;
        Ok(Self { signer, public })
    }

    /// Opens the keys in `dir`; `key_file` replaces `<dir>/signing.pk8` when given (a PKCS#8
    /// file the settings name, e.g. on a mounted secret volume).
    pub fn open(dir: &Path, key_file: Option<&Path>) -> Result<Self, KeyError> {
        let public = PublicKeys::read(dir)?;
        let path = key_file.map_or_else(|| dir.join(SIGNING_FILE), Path::to_owned);
        let pkcs8 = read_secret(&path)?.ok_or_else(|| KeyError::Missing(path.clone()))?;
        let signer = Signer::from_pkcs8(&public.origin, &pkcs8)
            .map_err(|e| KeyError::Invalid { path: path.clone(), why: e.to_string() })?;
        let vkey = signer.verifier().encode();
        if !public.keys.iter().any(|k| k.vkey == vkey && k.status == "current") {
            return Err(KeyError::Invalid {
                path,
                why: format!("this key ({vkey}) is not the current key in {}", dir.join(PUBLIC_FILE).display()),
            });
        }
        Ok(Self { signer, public })
    }

    /// Opens the keys in `dir`, making them first if there are none.
    pub fn open_or_init(dir: &Path, key_file: Option<&Path>, origin: Option<&str>) -> Result<Self, KeyError> {
        match Self::open(dir, key_file) {
            Err(KeyError::Missing(_)) if key_file.is_none() && !dir.join(PUBLIC_FILE).exists() => {
                Self::init(dir, origin)
            }
            other => other,
        }
    }

    /// Replaces the signing key with a new one; the old one's public half is kept as retired
    /// and its private half deleted.
    pub fn rotate(dir: &Path) -> Result<Self, KeyError> {
        let mut current = Self::open(dir, None)?;
        let pkcs8 = Signer::generate_pkcs8().map_err(|e| KeyError::Invalid { path: dir.into(), why: e.to_string() })?;
        let signer = Signer::from_pkcs8(&current.public.origin, &pkcs8)
            .map_err(|e| KeyError::Invalid { path: dir.into(), why: e.to_string() })?;
        let now = Utc::now();
        for key in &mut current.public.keys {
            if key.status == "current" {
                key.status = "retired".into();
                key.retired_at = Some(now);
            }
        }
        current.public.keys.insert(
            0,
            PublicKeyRecord {
                vkey: signer.verifier().encode(),
                status: "current".into(),
                created_at: now,
                retired_at: None,
            },
        );
        // The public half first: a crash between the two leaves a key that is listed but unused,
        // never a signing key whose checkpoints nobody could verify.
        current.public.write(dir)?;
        write_file(&dir.join(SIGNING_FILE), &pkcs8, 0o600)?;
        Ok(Self { signer, public: current.public })
    }

    /// Every public key, current and retired, as verifiers.
    pub fn verifiers(&self) -> Result<Vec<VerifierKey>, KeyError> {
        self.public.verifiers()
    }
}

/// The web sessions' MAC key in `dir` (`session.key`), made on first use.
pub fn session_key(dir: &Path) -> Result<[u8; 32], KeyError> {
    session_key_at(&dir.join(SESSION_FILE))
}

/// The web sessions' MAC key in the file at `path`, made (32 random bytes, mode 0600, its
/// directory 0700) on first use. Instances serving one store share it by naming one file.
pub fn session_key_at(path: &Path) -> Result<[u8; 32], KeyError> {
    let path = path.to_owned();
    if let Some(bytes) = read_secret(&path)? {
        return bytes.try_into().map_err(|_| KeyError::Invalid { path, why: "not 32 bytes".into() });
    }
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut key = [0u8; 32];
    aws_lc_rs::rand::fill(&mut key)
        .map_err(|e| KeyError::Invalid { path: path.clone(), why: format!("no randomness: {e}") })?;
    write_file(&path, &key, 0o600)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_open_and_rotate_keep_every_public_key_and_only_the_current_private_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = dir.path().join("keys");
        let first = Keyring::init(&keys, Some("kirjuri.example/kuopio")).expect("inits");
        assert!(matches!(Keyring::init(&keys, None), Err(KeyError::Exists(_))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(keys.join(SIGNING_FILE)).expect("exists").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let opened = Keyring::open(&keys, None).expect("opens");
        assert_eq!(opened.signer.verifier(), first.signer.verifier());
        let rotated = Keyring::rotate(&keys).expect("rotates");
        assert_ne!(rotated.signer.verifier(), first.signer.verifier());
        let verifiers = rotated.verifiers().expect("parses");
        assert_eq!(verifiers, vec![rotated.signer.verifier(), first.signer.verifier()]);
        assert_eq!(rotated.public.keys[1].status, "retired");
        assert_eq!(Keyring::open(&keys, None).expect("reopens").signer.verifier(), rotated.signer.verifier());
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        Keyring::init(dir.path(), None).expect("inits");
        std::fs::set_permissions(dir.path().join(SIGNING_FILE), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(Keyring::open(dir.path(), None), Err(KeyError::TooOpen { .. })));
    }

    #[test]
    fn the_session_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = session_key(dir.path()).expect("makes");
        assert_eq!(session_key(dir.path()).expect("reads"), first);
    }
}
