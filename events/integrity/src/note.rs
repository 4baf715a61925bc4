//! Checkpoints as C2SP signed notes (`tlog-checkpoint`, `signed-note`), and witness
//! cosignatures (`tlog-cosignature`), signed and checked with Ed25519.
//!
//! A checkpoint's text is
//!
//! ```text
//! <origin>
//! <tree size>
//! <base64 root hash>
//! time <RFC 3339, UTC>
//! ```
//!
//! (the `time` line is an extension line: tooling that does not know it ignores it), and the
//! note is that text, an empty line, and one line per signature:
//! `— <key name> <base64(key hash ‖ signature)>`. A key's hash is the first 4 bytes of
//! `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)`; its verifier key is written
//! `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`, as `go/x/mod/sumdb/note` reads it.
//! A witness cosignature uses algorithm byte 0x04 and signs
//! `cosignature/v1\ntime <unix seconds>\n` followed by the checkpoint text; its signature
//! line holds `key hash ‖ 8-byte big-endian time ‖ signature`.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::merkle::{Hash, hex};

const ED25519_ALG: u8 = 0x01;
const COSIGNATURE_ALG: u8 = 0x04;
const SIGNATURE_DASH: &str = "\u{2014} ";

/// Why a note, key or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The text is not a well-formed note or checkpoint.
    #[error("malformed {what}: {why}")]
    Malformed {
        /// What was being read.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// No signature line was made by a known key.
    #[error("the note carries no signature by a known key (known: {known})")]
    UnknownKey {
        /// The known keys' names and hashes.
        known: String,
    },
    /// A known key's signature does not verify.
    #[error("the signature by {key} does not verify")]
    BadSignature {
        /// The key's name and hash.
        key: String,
    },
}

fn malformed(what: &'static str, why: impl Into<String>) -> NoteError {
    NoteError::Malformed { what, why: why.into() }
}

/// Whether `name` may name a key or a log: non-empty, no whitespace, no `+`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

fn key_hash(name: &str, algorithm: u8, public: &[u8]) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 2 + public.len());
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(algorithm);
    input.extend_from_slice(public);
    let full = digest(&SHA256, &input);
    let mut hash = [0; 4];
    hash.copy_from_slice(&full.as_ref()[..4]);
    hash
}

/// A public key that checks signatures: a log's signing key or a witness's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// The key's name (for a log, its origin).
    pub name: String,
    /// The raw 32-byte Ed25519 public key.
    pub public: [u8; 32],
}

impl VerifierKey {
    /// The 4-byte hash naming this key in signature lines (as a note signer).
    pub fn key_hash(&self) -> [u8; 4] {
        key_hash(&self.name, ED25519_ALG, &self.public)
    }

    /// The 4-byte hash naming this key in cosignature lines (as a witness).
    pub fn cosigner_hash(&self) -> [u8; 4] {
        key_hash(&self.name, COSIGNATURE_ALG, &self.public)
    }

    /// `<name>+<hex hash>+<base64(0x01 ‖ key)>`.
    pub fn encode(&self) -> String {
        let mut raw = vec![ED25519_ALG];
        raw.extend_from_slice(&self.public);
        let hash = self.key_hash();
        format!("{}+{}+{}", self.name, hash.iter().map(|b| format!("{b:02x}")).collect::<String>(), B64.encode(raw))
    }

    /// Reads `<name>+<hex hash>+<base64(0x01 ‖ key)>`, checking the hash.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let what = "verifier key";
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed(what, "expected <name>+<hash>+<key>"));
        };
        if !valid_name(name) {
            return Err(malformed(what, format!("{name:?} is not a valid key name")));
        }
        let raw = B64.decode(key).map_err(|e| malformed(what, format!("the key is not base64: {e}")))?;
        if raw.len() != 33 || raw[0] != ED25519_ALG {
            return Err(malformed(what, "the key is not an Ed25519 key (0x01 and 32 bytes)"));
        }
        let mut public = [0; 32];
        public.copy_from_slice(&raw[1..]);
        let parsed = Self { name: name.to_owned(), public };
        let expected: String = parsed.key_hash().iter().map(|b| format!("{b:02x}")).collect();
        if !hash.eq_ignore_ascii_case(&expected) {
            return Err(malformed(what, format!("its hash {hash} does not match the key (expected {expected})")));
        }
        Ok(parsed)
    }

    /// `name` and hex hash, for messages.
    pub fn label(&self) -> String {
        format!("{}+{}", self.name, self.key_hash().iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public).verify(message, signature).is_ok()
    }
}

/// An Ed25519 private key with its name.
pub struct Signer {
    name: String,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer from a PKCS#8 document.
    pub fn from_pkcs8(name: &str, pkcs8: &[u8]) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(malformed("key name", format!("{name:?} has whitespace or '+' or is empty")));
        }
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8))
            .map_err(|e| malformed("signing key", format!("not an Ed25519 PKCS#8 key: {e}")))?;
        Ok(Self { name: name.to_owned(), pair })
    }

    /// A new random key as a PKCS#8 document.
    pub fn generate_pkcs8() -> Result<Vec<u8>, NoteError> {
        let document = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new())
            .map_err(|e| malformed("signing key", format!("could not be generated: {e}")))?;
        Ok(document.as_ref().to_vec())
    }

    /// The public half.
    pub fn verifier(&self) -> VerifierKey {
        let mut public = [0; 32];
        public.copy_from_slice(self.pair.public_key().as_ref());
        VerifierKey { name: self.name.clone(), public }
    }

    /// Signs `text` (which must end in a newline) as a note.
    pub fn sign_note(&self, text: &str) -> String {
        let signature = self.pair.sign(text.as_bytes());
        let mut raw = self.verifier().key_hash().to_vec();
        raw.extend_from_slice(signature.as_ref());
        format!("{text}\n{SIGNATURE_DASH}{} {}\n", self.name, B64.encode(raw))
    }

    /// Cosigns a checkpoint as a witness at `time` (unix seconds): the signature line's value.
    pub fn cosign(&self, checkpoint_text: &str, time: u64) -> String {
        let message = cosigned_message(checkpoint_text, time);
        let signature = self.pair.sign(message.as_bytes());
        let mut raw = self.verifier().cosigner_hash().to_vec();
        raw.extend_from_slice(&time.to_be_bytes());
        raw.extend_from_slice(signature.as_ref());
        format!("{SIGNATURE_DASH}{} {}\n", self.name, B64.encode(raw))
    }
}

fn cosigned_message(checkpoint_text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_text}")
}

/// A tree head: the log's origin, its size and root, and when it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name.
    pub origin: String,
    /// How many leaves.
    pub size: u64,
    /// The root of the tree of `size` leaves.
    pub root: Hash,
    /// When it was made (whole seconds, UTC), from the `time` extension line.
    pub time: Option<DateTime<Utc>>,
}

impl Checkpoint {
    /// The checkpoint's text (the part a signature covers).
    pub fn text(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root));
        if let Some(time) = self.time {
            text.push_str(&format!("time {}\n", time.to_rfc3339_opts(SecondsFormat::Secs, true)));
        }
        text
    }

    /// Reads a checkpoint's text.
    pub fn parse_text(text: &str) -> Result<Self, NoteError> {
        let what = "checkpoint";
        let Some(body) = text.strip_suffix('\n') else {
            return Err(malformed(what, "the text does not end with a newline"));
        };
        let mut lines = body.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or_else(|| malformed(what, "no origin line"))?;
        let size_line = lines.next().ok_or_else(|| malformed(what, "no tree size line"))?;
        if size_line.is_empty() || (size_line.len() > 1 && size_line.starts_with('0')) {
            return Err(malformed(what, format!("tree size {size_line:?} is not a decimal without leading zeros")));
        }
        let size = size_line
            .parse::<u64>()
            .map_err(|_| malformed(what, format!("tree size {size_line:?} is not a decimal number")))?;
        let root_line = lines.next().ok_or_else(|| malformed(what, "no root hash line"))?;
        let raw = B64.decode(root_line).map_err(|_| malformed(what, "the root hash is not base64"))?;
        let root: Hash = raw.try_into().map_err(|_| malformed(what, "the root hash is not 32 bytes"))?;
        let mut time = None;
        for line in lines {
            if line.is_empty() {
                return Err(malformed(what, "an empty line inside the checkpoint text"));
            }
            if let Some(value) = line.strip_prefix("time ") {
                time = Some(
                    DateTime::parse_from_rfc3339(value)
                        .map_err(|e| malformed(what, format!("time {value:?}: {e}")))?
                        .with_timezone(&Utc),
                );
            }
        }
        Ok(Self { origin: origin.to_owned(), size, root, time })
    }
}

/// A signed note split into its text and signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline.
    pub text: String,
    /// `(key name, raw signature value)` per line.
    pub signatures: Vec<(String, Vec<u8>)>,
}

impl SignedNote {
    /// Splits a note into text and signatures.
    pub fn parse(note: &str) -> Result<Self, NoteError> {
        let what = "signed note";
        let Some(split) = note.rfind("\n\n") else {
            return Err(malformed(what, "no empty line between the text and the signatures"));
        };
        let text = &note[..split + 1];
        let signatures_block = &note[split + 2..];
        let Some(signatures_block) = signatures_block.strip_suffix('\n') else {
            return Err(malformed(what, "the note does not end with a newline"));
        };
        let mut signatures = Vec::new();
        for line in signatures_block.split('\n') {
            let Some(rest) = line.strip_prefix(SIGNATURE_DASH) else {
                return Err(malformed(what, format!("signature line {line:?} does not start with \"— \"")));
            };
            let Some((name, value)) = rest.split_once(' ') else {
                return Err(malformed(what, format!("signature line {line:?} has no key name and value")));
            };
            let raw = B64.decode(value).map_err(|_| malformed(what, format!("signature by {name} is not base64")))?;
            if raw.len() < 5 {
                return Err(malformed(what, format!("signature by {name} is too short")));
            }
            signatures.push((name.to_owned(), raw));
        }
        if signatures.is_empty() {
            return Err(malformed(what, "no signature lines"));
        }
        Ok(Self { text: text.to_owned(), signatures })
    }

    /// Checks the signatures by `keys` that the note carries; succeeds if at least one of them
    /// verifies and none by a known key fails. Answers the key that verified.
    pub fn verify<'k>(&self, keys: &'k [VerifierKey]) -> Result<&'k VerifierKey, NoteError> {
        let mut verified = None;
        for (name, raw) in &self.signatures {
            let Some(key) = keys.iter().find(|k| &k.name == name && raw[..4] == k.key_hash()) else {
                continue;
            };
            if !key.verifies(self.text.as_bytes(), &raw[4..]) {
                return Err(NoteError::BadSignature { key: key.label() });
            }
            verified.get_or_insert(key);
        }
        verified.ok_or_else(|| NoteError::UnknownKey {
            known: keys.iter().map(VerifierKey::label).collect::<Vec<_>>().join(", "),
        })
    }

    /// The witness cosignatures among the signature lines that `witnesses` made, each checked:
    /// `(witness, time)` per valid one; an invalid one by a known witness is an error.
    pub fn cosignatures<'k>(&self, witnesses: &'k [VerifierKey]) -> Result<Vec<(&'k VerifierKey, u64)>, NoteError> {
        let mut found = Vec::new();
        for (name, raw) in &self.signatures {
            let Some(key) = witnesses.iter().find(|k| &k.name == name && raw[..4] == k.cosigner_hash()) else {
                continue;
            };
            if raw.len() != 4 + 8 + 64 {
                return Err(NoteError::BadSignature { key: key.label() });
            }
            let mut time = [0; 8];
            time.copy_from_slice(&raw[4..12]);
            let time = u64::from_be_bytes(time);
            if !key.verifies(cosigned_message(&self.text, time).as_bytes(), &raw[12..]) {
                return Err(NoteError::BadSignature { key: key.label() });
            }
            found.push((key, time));
        }
        Ok(found)
    }
}

/// A signed checkpoint, read and verified by one of `keys`.
pub fn open_checkpoint<'k>(note: &str, keys: &'k [VerifierKey]) -> Result<(Checkpoint, &'k VerifierKey), NoteError> {
    let signed = SignedNote::parse(note)?;
    let key = signed.verify(keys)?;
    let checkpoint = Checkpoint::parse_text(&signed.text)?;
    if checkpoint.origin != key.name {
        return Err(malformed(
            "checkpoint",
            format!("its origin {:?} is not the signing key's name {:?}", checkpoint.origin, key.name),
        ));
    }
    Ok((checkpoint, key))
}

/// The checkpoint's root as lower-case hex, for messages.
pub fn root_hex(checkpoint: &Checkpoint) -> String {
    hex(&checkpoint.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str) -> Signer {
        Signer::from_pkcs8(name, &Signer::generate_pkcs8().expect("generates")).expect("reads its own key")
    }

    fn checkpoint(origin: &str, size: u64) -> Checkpoint {
        Checkpoint {
            origin: origin.into(),
            size,
            root: crate::merkle::leaf_hash(&size.to_be_bytes()),
            time: DateTime::from_timestamp(1_765_000_000, 0),
        }
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_and_reads_back() {
        let log = signer("kirjuri.example/kuopio");
        let cp = checkpoint("kirjuri.example/kuopio", 42);
        let note = log.sign_note(&cp.text());
        assert!(note.starts_with("kirjuri.example/kuopio\n42\n"));
        assert!(note.contains("\n\n\u{2014} kirjuri.example/kuopio "));
        let keys = [log.verifier()];
        let (opened, key) = open_checkpoint(&note, &keys).expect("verifies");
        assert_eq!(opened, cp);
        assert_eq!(key, &keys[0]);
    }

    #[test]
    fn a_verifier_key_round_trips_through_its_text_and_a_wrong_hash_is_refused() {
        let key = signer("log").verifier();
        let text = key.encode();
        assert_eq!(VerifierKey::parse(&text).expect("parses"), key);
        let (head, tail) = text.split_once('+').expect("has parts");
        let bad_hash = format!("{head}+00000000{}", &tail[8..]);
        assert!(VerifierKey::parse(&bad_hash).is_err());
        assert!(VerifierKey::parse("no-plus-signs").is_err());
    }

    #[test]
    fn a_changed_byte_an_unknown_key_and_a_foreign_origin_are_each_refused() {
        let log = signer("log-a");
        let note = log.sign_note(&checkpoint("log-a", 7).text());
        let keys = [log.verifier()];
        let tampered = note.replacen("\n7\n", "\n8\n", 1);
        assert!(matches!(open_checkpoint(&tampered, &keys), Err(NoteError::BadSignature { .. })));
        let other = [signer("log-a").verifier()];
        assert!(matches!(open_checkpoint(&note, &other), Err(NoteError::UnknownKey { .. })));
        let foreign = log.sign_note(&checkpoint("log-b", 7).text());
        assert!(matches!(open_checkpoint(&foreign, &keys), Err(NoteError::Malformed { .. })));
        assert!(open_checkpoint("log-a\n7\n", &keys).is_err());
        assert!(open_checkpoint("", &keys).is_err());
    }

    #[test]
    fn malformed_checkpoint_texts_are_refused() {
        for text in
            ["", "origin\n", "origin\n01\nAAAA\n", "origin\n-1\n", "origin\n1\nnot base64!\n", "origin\n1\nAAAA\n"]
        {
            assert!(Checkpoint::parse_text(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_witness_cosignature_verifies_and_a_forged_one_is_refused() {
        let log = signer("log");
        let witness = signer("witness.example/espoo");
        let text = checkpoint("log", 9).text();
        let mut note = log.sign_note(&text);
        note.push_str(&witness.cosign(&text, 1_765_000_123));
        let signed = SignedNote::parse(&note).expect("parses");
        signed.verify(&[log.verifier()]).expect("the log's signature still verifies");
        let witnesses = [witness.verifier()];
        let found = signed.cosignatures(&witnesses).expect("verifies");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 1_765_000_123);
        // The same cosignature moved onto another checkpoint does not verify.
        let other = checkpoint("log", 10).text();
        let moved = format!("{}{}", log.sign_note(&other), witness.cosign(&text, 1_765_000_123));
        let signed = SignedNote::parse(&moved).expect("parses");
        assert!(signed.cosignatures(&witnesses).is_err());
    }
}
