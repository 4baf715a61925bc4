//! kirjuri's verifiable log.
//!
//! Every event in `$all` is a leaf of an RFC 9162 Merkle tree ([`merkle`]); a leaf is the
//! canonical JSON of the event ([`leaf`], [`canonical`]). The tree is kept by a projection in
//! its own file ([`tree`]) and its head is signed, every N events or T seconds, as a C2SP
//! checkpoint ([`note`]) with an Ed25519 key kept outside the store ([`keys`]). Anyone holding
//! a checkpoint can check that an event is in the log (an inclusion proof) and that a later
//! log extends an earlier one (a consistency proof); `verify` recomputes the whole tree from
//! the events and names the first one that differs ([`verify`]); an evidence bundle carries
//! events, their proofs, a checkpoint and the keys in one file anyone can check offline
//! ([`bundle`]). Personal text is sealed before it reaches the log, under keys per data subject
//! kept outside it, so erasing a person leaves every proof valid ([`personal`]).

pub mod bundle;
pub mod canonical;
pub mod keys;
pub mod leaf;
pub mod merkle;
pub mod note;
pub mod personal;
pub mod tree;
pub mod verify;

pub use keys::{KeyError, Keyring, PublicKeyRecord, PublicKeys, session_key};
pub use merkle::{Hash, ProofError};
pub use note::{Checkpoint, NoteError, SignedNote, Signer, VerifierKey};
pub use tree::{StoredCheckpoint, TreeError, TreeFile, TreeProjection};
