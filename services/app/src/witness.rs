//! Partner witnesses: this instance watches other instances' logs and cosigns their checkpoints
//! (C2SP `tlog-cosignature`), and accepts other instances' cosignatures of its own.
//!
//! Witnessing a log, every `witness_every_seconds`:
//! 1. fetch its latest checkpoint (`GET /.well-known/kirjuri/checkpoint`) and check its
//!    signature with the log's key from the settings;
//! 2. compare it with the last one this instance cosigned: a smaller tree, another root for the
//!    same size, or a failed consistency proof (`GET /.well-known/kirjuri/consistency`) is a
//!    **fork** — an alarm (kept in the tree file, counted in `/metrics`, logged, shown on the
//!    auditor's pages) and no cosignature;
//! 3. otherwise cosign it with this instance's key and post the cosignature back
//!    (`POST /.well-known/kirjuri/cosignature`), and remember it.
//!
//! The first checkpoint seen is trusted as it is (trust on first use); from then on the log can
//! only grow. A log that cannot be reached is logged and tried again, not an alarm.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kirjuri_integrity::SignedNote;
use kirjuri_integrity::merkle::{Hash, from_hex, hex, verify_consistency};
use kirjuri_integrity::note::{VerifierKey, open_checkpoint};
use kirjuri_integrity::tree::StoredCosignature;
use serde::{Deserialize, Serialize};
use tracing::{info, warn};
use utoipa::ToSchema;

use crate::error::{AppError, ErrorCode};
use crate::integrity::Integrity;
use crate::settings::WitnessedLog;

/// A cosignature posted back to a log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CosignatureRequest {
    /// The size of the checkpoint cosigned.
    pub size: u64,
    /// The cosignature line (`— <witness> <base64(key hash ‖ time ‖ signature)>`), newline-terminated.
    pub line: String,
}

/// What one round of witnessing a log did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witnessed {
    /// Cosigned the checkpoint of this size (and posted it back).
    Cosigned(u64),
    /// Nothing new since the last cosigned checkpoint.
    Unchanged(u64),
    /// An inconsistency: an alarm was raised and nothing cosigned.
    Alarm(String),
}

/// One round of witnessing `log` for `integrity`'s instance.
pub async fn witness_once(
    integrity: &Arc<Integrity>,
    client: &reqwest::Client,
    log: &WitnessedLog,
) -> anyhow::Result<Witnessed> {
    use anyhow::Context as _;
    let key = VerifierKey::parse(&log.vkey).context("the witnessed log's key")?;
    let keys = [key];
    let note = client
        .get(format!("{}/.well-known/kirjuri/checkpoint", log.url))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("fetching {}'s checkpoint", log.url))?
        .text()
        .await?;
    let origin = keys[0].name.clone();
    let alarm = |what: String| {
        let integrity = Arc::clone(integrity);
        let origin = origin.clone();
        async move {
            warn!(log = %origin, alarm = %what, "witness alarm: not cosigning");
            let recorded = integrity.with_writer(move |tree| tree.raise_alarm(&origin, &what).map(|()| what)).await;
            recorded.map(Witnessed::Alarm).map_err(anyhow::Error::from)
        }
    };
    let checkpoint = match open_checkpoint(&note, &keys) {
        Ok((checkpoint, _)) => checkpoint,
        Err(error) => return alarm(format!("its checkpoint does not verify: {error}")).await,
    };
    let last = {
        let origin = origin.clone();
        integrity.with_writer(move |tree| tree.witnessed(&origin)).await?
    };
    if let Some((size, root, _)) = &last {
        if checkpoint.size < *size {
            return alarm(format!("its tree shrank from {size} to {} events", checkpoint.size)).await;
        }
        if checkpoint.size == *size {
            if checkpoint.root != *root {
                return alarm(format!(
                    "a fork: two roots for {size} events ({} cosigned, {} now)",
                    hex(root),
                    hex(&checkpoint.root)
                ))
                .await;
            }
            return Ok(Witnessed::Unchanged(*size));
        }
        let proof: crate::integrity::ConsistencyBody = client
            .get(format!("{}/.well-known/kirjuri/consistency?from={size}&to={}", log.url, checkpoint.size))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .context("fetching a consistency proof")?
            .json()
            .await
            .context("reading the consistency proof")?;
        let Some(hashes) = proof.proof.iter().map(|h| from_hex(h)).collect::<Option<Vec<Hash>>>() else {
            return alarm("its consistency proof is malformed".into()).await;
        };
        if let Err(error) = verify_consistency(*size, checkpoint.size, root, &checkpoint.root, &hashes) {
            return alarm(format!("a fork: {} events do not extend the {size} cosigned ({error})", checkpoint.size))
                .await;
        }
    }
    let signed = SignedNote::parse(&note).context("the checkpoint's note")?;
    let line = integrity.cosign(&signed.text, u64::try_from(Utc::now().timestamp()).unwrap_or(0));
    let posted = client
        .post(format!("{}/.well-known/kirjuri/cosignature", log.url))
        .json(&CosignatureRequest { size: checkpoint.size, line })
        .send()
        .await
        .context("posting the cosignature")?;
    if !posted.status().is_success() {
        let status = posted.status();
        let body = posted.text().await.unwrap_or_default();
        anyhow::bail!("{} refused the cosignature ({status}): {body}", log.url);
    }
    let size = checkpoint.size;
    let note_kept = note.clone();
    integrity.with_writer(move |tree| tree.set_witnessed(&origin, &checkpoint, &note_kept)).await?;
    info!(log = %log.url, size, "witnessed and cosigned");
    Ok(Witnessed::Cosigned(size))
}

/// Witnesses every log in `logs` every `every`, until `stop` turns true.
pub async fn run_witness(
    integrity: Arc<Integrity>,
    logs: Vec<WitnessedLog>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(30)).build() {
        Ok(client) => client,
        Err(error) => {
            warn!(%error, "the witness's HTTP client cannot be made; not witnessing");
            return;
        }
    };
    loop {
        for log in &logs {
            if let Err(error) = witness_once(&integrity, &client, log).await {
                warn!(log = %log.url, error = %format!("{error:#}"), "witnessing failed; trying again later");
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Keeps a witness's cosignature of one of this log's checkpoints, if it is by an accepted
/// witness and verifies over the checkpoint of that size.
pub async fn accept_cosignature(
    integrity: &Arc<Integrity>,
    witnesses: &[VerifierKey],
    request: CosignatureRequest,
) -> Result<(), AppError> {
    if request.line.len() > 1_000 || !request.line.ends_with('\n') || request.line.matches('\n').count() != 1 {
        return Err(AppError::bad_request("line: one cosignature line ending in a newline"));
    }
    let size = request.size;
    let checkpoint =
        integrity.with_writer(move |tree| tree.checkpoint_at(size)).await.map_err(AppError::internal)?.ok_or_else(
            || AppError::new(ErrorCode::NotFound, format!("size: no checkpoint of {size} events was signed")),
        )?;
    let note = format!("{}{}", checkpoint.note, request.line);
    let signed = SignedNote::parse(&note).map_err(|e| AppError::bad_request(format!("line: {e}")))?;
    let found = signed.cosignatures(witnesses).map_err(|e| AppError::bad_request(format!("line: {e}")))?;
    let Some((witness, time)) = found.first() else {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "line: not a cosignature by a witness this log accepts (setting accepted_witnesses)",
        ));
    };
    let cosignature =
        StoredCosignature { size, witness: witness.name.clone(), time: *time, line: request.line.clone() };
    integrity.with_writer(move |tree| tree.add_cosignature(&cosignature)).await.map_err(AppError::internal)?;
    Ok(())
}
