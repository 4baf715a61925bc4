//! The verifiable log, tried as an auditor and as an attacker would: the demo's log verifies;
//! one changed byte of an event's data, metadata or type, a deleted event, two swapped events
//! and a store replaced together with a recomputed tree are each caught and named; proofs over
//! HTTP verify against the signed checkpoint and the published keys; a bundle checks out offline
//! (with kirjuri's verifier and with an independent one in Python) and fails with one byte changed.

use std::path::Path;

use kirjuri::Settings;
use kirjuri::integrity_cli::{VerifyArgs, verify};
use kirjuri_integrity::merkle::{Hash, leaf_hash, verify_consistency, verify_inclusion};
use kirjuri_integrity::note::open_checkpoint;
use kirjuri_integrity::verify::{Finding, VerifyReport};
use kirjuri_integrity::{TreeFile, VerifierKey};
use kirjuri_store::{EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use kirjuri_tests::spawn_app_with_demo;
use tempfile::TempDir;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creates");
    for entry in std::fs::read_dir(from).expect("reads") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies");
        }
    }
}

/// The demo written, its read models and tree caught up, a checkpoint signed over all of it,
/// and the server stopped: the data directory, the signed note and the city's id.
async fn signed_demo() -> (TempDir, String, kirjuri_events::domain::MunicipalityId, Vec<VerifierKey>) {
    let (mut app, kuopio) = spawn_app_with_demo().await;
    let token = app.token_for(kuopio);
    // The token is an event too: the tree holds it before the checkpoint is asked for.
    app.wait_for_projections().await;
    let response = app.get_as(&token, "/api/v1/integrity/checkpoint").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let note = body["note"].as_str().expect("a note").to_owned();
    let keys: serde_json::Value = app.get("/.well-known/kirjuri/keys").await.json().await.expect("JSON");
    let keys: Vec<VerifierKey> = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| VerifierKey::parse(k["vkey"].as_str().expect("a vkey")).expect("parses"))
        .collect();
    let dir = std::mem::replace(&mut app.data_dir, tempfile::tempdir().expect("a temp dir"));
    app.stop().await.expect("stops cleanly");
    (dir, note, kuopio, keys)
}

fn settings_of(dir: &Path) -> Settings {
    Settings { data_dir: dir.to_path_buf(), ..Settings::default() }
}

async fn verify_dir(dir: &Path, against: &[std::path::PathBuf]) -> VerifyReport {
    let args = VerifyArgs { against: against.to_vec(), key: Vec::new(), json: true };
    verify(&settings_of(dir), &args).await.expect("verify runs")
}

/// A copy of `dir` with `sql` run on its event store.
fn tampered(dir: &Path, sql: &str) -> TempDir {
    let copy = tempfile::tempdir().expect("a temp dir");
    copy_dir(dir, copy.path());
    let connection = rusqlite::Connection::open(copy.path().join("events.sqlite")).expect("opens");
    let changed = connection.execute_batch(sql);
    changed.expect("the tampering applies");
    drop(connection);
    copy
}

fn first_finding(report: &VerifyReport) -> &Finding {
    assert!(!report.healthy, "tampering went unnoticed: {report:?}");
    &report.findings[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_log_verifies_and_every_kind_of_tampering_is_named() {
    let (dir, _, _, _) = signed_demo().await;
    let intact = verify_dir(dir.path(), &[]).await;
    assert!(intact.healthy, "{intact:?}");
    assert!(intact.events > 100, "{intact:?}");
    assert!(!intact.checkpoints.is_empty() && intact.checkpoints.iter().all(|c| c.matches), "{intact:?}");
    assert_eq!(intact.unsigned_events, 0);
    assert_eq!(intact.tree_size, Some(intact.events));

    // One byte of a decision's data: the first letter of its first string value.
    let decided = "(SELECT min(position) FROM events WHERE event_type = 'PracticeDecided')";
    let report = verify_dir(
        tampered(
            dir.path(),
            &format!(
                "UPDATE events SET data = substr(data, 1, instr(data, ':\"') + 1) || 'X' || substr(data, instr(data, ':\"') + 3)
                 WHERE position = {decided}"
            ),
        )
        .path(),
        &[],
    )
    .await;
    match first_finding(&report) {
        Finding::Changed { fields, stream, .. } => {
            assert_eq!(fields, &["data"]);
            assert!(stream.starts_with("practice-"), "{stream}");
        }
        other => panic!("expected a changed event, got {other:?}"),
    }
    assert!(
        report.findings.iter().any(|f| matches!(f, Finding::CheckpointMismatch { .. })),
        "the signed checkpoint no longer matches either: {report:?}"
    );

    for (sql, field) in [
        (format!("UPDATE events SET actor = 'user:mallory' WHERE position = {decided}"), "metadata"),
        (format!("UPDATE events SET event_type = 'PracticeRejected' WHERE position = {decided}"), "type"),
    ] {
        let report = verify_dir(tampered(dir.path(), &sql).path(), &[]).await;
        match first_finding(&report) {
            Finding::Changed { fields, .. } => assert_eq!(fields, &[field], "{sql}"),
            other => panic!("expected a changed {field}, got {other:?}"),
        }
    }

    let report =
        verify_dir(tampered(dir.path(), &format!("DELETE FROM events WHERE position = {decided}")).path(), &[]).await;
    assert!(matches!(first_finding(&report), Finding::Removed { .. }), "{report:?}");

    // Two neighbouring events of different streams change places.
    let report = verify_dir(
        tampered(
            dir.path(),
            "UPDATE events SET position = -1 WHERE position = 40;
             UPDATE events SET position = 40 WHERE position = 41;
             UPDATE events SET position = 41 WHERE position = -1;",
        )
        .path(),
        &[],
    )
    .await;
    assert!(matches!(first_finding(&report), Finding::Reordered { index: 39, kept_index: 40, .. }), "{report:?}");

    // An event slipped in at the end of the log, after everything was signed.
    let report = verify_dir(
        tampered(
            dir.path(),
            "INSERT INTO events (position, stream, revision, id, event_type, schema_version, recorded_at, data)
             SELECT position + 1, stream, revision + 1000, randomblob(16), event_type, schema_version, recorded_at, data
             FROM events WHERE position = (SELECT max(position) FROM events)",
        )
        .path(),
        &[],
    )
    .await;
    // Nothing signed covers it, and the tree never held it: it is counted as unsigned, and the
    // report says so; the tree file still ends before it.
    assert_eq!(report.unsigned_events, 1, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_replaced_with_a_recomputed_tree_is_caught_by_the_signed_checkpoint_or_a_kept_one() {
    let (dir, note, _, _) = signed_demo().await;
    let decided = "(SELECT min(position) FROM events WHERE event_type = 'PracticeDecided')";
    let forged = tampered(dir.path(), &format!("UPDATE events SET actor = 'user:mallory' WHERE position = {decided}"));
    // The attacker rebuilds the tree file from the altered events, so every leaf matches, but
    // cannot sign: the old checkpoints are kept (or dropped, below).
    let tree_path = forged.path().join("integrity/tree.sqlite");
    let old = TreeFile::open_read_only(&tree_path).expect("opens");
    let checkpoints = old.checkpoints().expect("reads");
    drop(old);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tree_path.display()));
    }
    let store = SqliteStore::open(SqliteStoreOptions::new(forged.path().join("events.sqlite"))).expect("opens");
    let events = store.read_all(ReadAllOptions::forward(100_000)).await.expect("reads");
    drop(store);
    let mut tree = TreeFile::open(&tree_path).expect("creates");
    tree.append(&events).expect("hashes");
    drop(tree);
    let connection = rusqlite::Connection::open(&tree_path).expect("opens");
    for checkpoint in &checkpoints {
        connection
            .execute(
                "INSERT INTO checkpoints (size, root, signed_at, note) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    checkpoint.size as i64,
                    checkpoint.root.as_slice(),
                    checkpoint.signed_at.timestamp_micros(),
                    checkpoint.note
                ],
            )
            .expect("copies the checkpoint");
    }
    let report = verify_dir(forged.path(), &[]).await;
    assert!(!report.healthy);
    assert!(
        report.findings.iter().all(|f| matches!(f, Finding::CheckpointMismatch { .. })),
        "every leaf matches the forged tree; only the signatures catch it: {report:?}"
    );

    // With the checkpoints dropped too, a checkpoint kept elsewhere (a witness's, a backup's) catches it.
    connection.execute("DELETE FROM checkpoints", []).expect("drops them");
    drop(connection);
    assert!(verify_dir(forged.path(), &[]).await.healthy, "with nothing signed left, the forgery looks whole");
    let kept = forged.path().join("kept-checkpoint.txt");
    std::fs::write(&kept, &note).expect("writes");
    let report = verify_dir(forged.path(), std::slice::from_ref(&kept)).await;
    assert!(matches!(first_finding(&report), Finding::CheckpointMismatch { .. }), "{report:?}");
    // And the untouched store agrees with the kept checkpoint.
    assert!(verify_dir(dir.path(), &[kept]).await.healthy);
}

fn hashes(values: &serde_json::Value) -> Vec<Hash> {
    values
        .as_array()
        .expect("a list")
        .iter()
        .map(|h| kirjuri_integrity::merkle::from_hex(h.as_str().expect("hex")).expect("32 bytes of hex"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_over_http_verify_against_the_signed_checkpoint_and_bad_requests_are_named() {
    let (app, kuopio) = spawn_app_with_demo().await;
    app.wait_for_projections().await;
    let token = app.token_for(kuopio);
    let keys: serde_json::Value = app.get("/.well-known/kirjuri/keys").await.json().await.expect("JSON");
    let keys = vec![VerifierKey::parse(keys["keys"][0]["vkey"].as_str().expect("a vkey")).expect("parses")];
    assert_eq!(keys[0].name, app_origin(&keys));

    let checkpoint: serde_json::Value =
        app.get_as(&token, "/api/v1/integrity/checkpoint").await.json().await.expect("JSON");
    let (signed, _) = open_checkpoint(checkpoint["note"].as_str().expect("a note"), &keys).expect("verifies");

    // A Kuopio event's inclusion proof leads to the signed root.
    let events = app.store.read_all(ReadAllOptions::forward(200)).await.expect("reads");
    let own = events
        .iter()
        .find(|e| e.metadata.tenant.as_deref() == Some(kuopio.to_string().as_str()))
        .expect("a Kuopio event");
    let proof: serde_json::Value = app
        .get_as(&token, &format!("/api/v1/integrity/proofs/inclusion?event={}&size={}", own.id, signed.size))
        .await
        .json()
        .await
        .expect("JSON");
    let leaf = proof["leaf"].as_str().expect("the leaf");
    assert_eq!(leaf, kirjuri_integrity::leaf::leaf_bytes(own).expect("encodes"));
    verify_inclusion(
        &leaf_hash(leaf.as_bytes()),
        proof["index"].as_u64().expect("an index"),
        signed.size,
        &hashes(&proof["proof"]),
        &signed.root,
    )
    .expect("the proof verifies against the signed root");

    // Another municipality's event is not found, as if it did not exist.
    if let Some(foreign) = events.iter().find(|e| e.metadata.tenant.as_deref().is_some_and(|t| t != kuopio.to_string()))
    {
        let response = app.get_as(&token, &format!("/api/v1/integrity/proofs/inclusion?event={}", foreign.id)).await;
        assert_eq!(response.status(), 404);
    }

    // The log grows; the new checkpoint extends the old one.
    app.register_municipality(kirjuri_events::domain::MunicipalityId::random()).await;
    app.wait_for_projections().await;
    let later: serde_json::Value = app.get_as(&token, "/api/v1/integrity/checkpoint").await.json().await.expect("JSON");
    let (later, _) = open_checkpoint(later["note"].as_str().expect("a note"), &keys).expect("verifies");
    assert!(later.size > signed.size);
    let consistency: serde_json::Value = app
        .get_as(&token, &format!("/api/v1/integrity/proofs/consistency?from={}&to={}", signed.size, later.size))
        .await
        .json()
        .await
        .expect("JSON");
    verify_consistency(signed.size, later.size, &signed.root, &later.root, &hashes(&consistency["proof"]))
        .expect("the later tree extends the earlier one");

    // Malformed or impossible requests: a 400 naming the parameter, never a 500.
    for (path, named) in [
        ("/api/v1/integrity/proofs/consistency?from=0&to=5", "from"),
        (&format!("/api/v1/integrity/proofs/consistency?from=5&to={}", later.size + 1000), "beyond"),
        ("/api/v1/integrity/proofs/consistency?from=9&to=3", "from"),
        ("/api/v1/integrity/proofs/consistency?from=x&to=3", "from"),
        ("/api/v1/integrity/proofs/inclusion?event=not-an-id", "event"),
        ("/api/v1/integrity/proofs/inclusion", "event"),
        (&format!("/api/v1/integrity/proofs/inclusion?event={}&size=0", own.id), "size"),
        ("/api/v1/integrity/checkpoints?size=-1", "size"),
        ("/api/v1/integrity/checkpoints?colour=blue", "colour"),
    ] {
        let response = app.get_as(&token, path).await;
        assert_eq!(response.status(), 400, "{path}");
        let problem: serde_json::Value = response.json().await.expect("a problem document");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(named), "{path}: {detail}");
    }
    let response = app.get("/api/v1/integrity/checkpoint").await;
    assert_eq!(response.status(), 401, "proofs need sign-in like the audit trail");
}

fn app_origin(keys: &[VerifierKey]) -> String {
    keys[0].name.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practice_bundle_checks_out_offline_and_fails_with_one_byte_changed() {
    let (app, kuopio) = spawn_app_with_demo().await;
    app.wait_for_projections().await;
    let token = app.token_for(kuopio);
    let practice = app.first_entity("practice", kuopio).expect("a practice");
    let response = app.get_as(&token, &format!("/api/v1/integrity/bundles/practice/{practice}")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(".bundle.json")),
        "downloads as a file"
    );
    let text = response.text().await.expect("a body");
    let keys: serde_json::Value = app.get("/.well-known/kirjuri/keys").await.json().await.expect("JSON");
    let vkey = keys["keys"][0]["vkey"].as_str().expect("a vkey").to_owned();
    let pinned = [VerifierKey::parse(&vkey).expect("parses")];
    let report = kirjuri_integrity::bundle::verify_bundle(&text, Some(&pinned)).expect("the bundle checks out");
    assert!(report.events >= 2, "{report:?}");
    assert!(report.key_pinned);
    let bundle: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(bundle["summary"]["fi"].as_str().is_some_and(|s| s.contains("Todistepaketti")));
    assert!(bundle["summary"]["en"].as_str().is_some_and(|s| s.contains("Evidence bundle")));

    // One byte of one event's leaf changed: the proof no longer leads to the signed root.
    let leaf = bundle["events"][0]["leaf"].as_str().expect("a leaf");
    let at = leaf.find("\"type\":\"").expect("a type") + 8;
    let mut altered = leaf.to_owned();
    altered.replace_range(at..=at, if &leaf[at..=at] == "X" { "Y" } else { "X" });
    let mut changed = bundle.clone();
    changed["events"][0]["leaf"] = serde_json::Value::String(altered);
    let changed_text = serde_json::to_string(&changed).expect("encodes");
    let error = kirjuri_integrity::bundle::verify_bundle(&changed_text, Some(&pinned)).expect_err("caught");
    assert!(error.to_string().contains("event 1"), "{error}");
    // Signed by a key the verifier does not trust.
    let stranger = kirjuri_integrity::Signer::from_pkcs8(
        &pinned[0].name,
        &kirjuri_integrity::Signer::generate_pkcs8().expect("generates"),
    )
    .expect("reads");
    assert!(kirjuri_integrity::bundle::verify_bundle(&text, Some(&[stranger.verifier()])).is_err());

    // An independent verifier, sharing no code with kirjuri, agrees.
    if !python_verifier_available() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/verify_bundle.py");
    let dir = tempfile::tempdir().expect("a temp dir");
    let good = dir.path().join("good.bundle.json");
    let bad = dir.path().join("bad.bundle.json");
    std::fs::write(&good, &text).expect("writes");
    std::fs::write(&bad, &changed_text).expect("writes");
    let run = |file: &Path| {
        std::process::Command::new("python3")
            .arg(&script)
            .arg(file)
            .args(["--key", &vkey])
            .output()
            .expect("python3 runs")
    };
    let accepted = run(&good);
    assert!(accepted.status.success(), "{}", String::from_utf8_lossy(&accepted.stdout));
    let refused = run(&bad);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
}

fn checkpoint_cosignatures(body: &serde_json::Value) -> Vec<serde_json::Value> {
    body["cosignatures"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_witnesses_the_log_and_a_forked_log_raises_an_alarm_instead_of_a_cosignature() {
    use kirjuri::settings::WitnessedLog;
    // The witness's key first, so that the log can name it among its accepted witnesses.
    let witness_dir = tempfile::Builder::new().prefix("kirjuri-witness-").tempdir().expect("a temp dir");
    let witness_key =
        kirjuri_integrity::Keyring::init(&witness_dir.path().join("keys"), Some("kirjuri.espoo.example/log"))
            .expect("makes the witness's key")
            .signer
            .verifier();
    let log = kirjuri_tests::spawn_app_with(|s| {
        s.accepted_witnesses = vec![witness_key.encode()];
        s.log_origin = Some("kirjuri.kuopio.example/log".into());
    })
    .await;
    let kuopio = kirjuri_events::domain::MunicipalityId::random();
    log.register_municipality(kuopio).await;
    let token = log.token_for(kuopio);
    log.wait_for_projections().await;
    let keys: serde_json::Value = log.get("/.well-known/kirjuri/keys").await.json().await.expect("JSON");
    let log_vkey = keys["keys"][0]["vkey"].as_str().expect("a vkey").to_owned();
    assert!(log_vkey.starts_with("kirjuri.kuopio.example/log+"), "{log_vkey}");

    // The partner instance witnesses it every second: a cosignature arrives and is kept.
    let witness_settings = Settings {
        data_dir: witness_dir.path().to_path_buf(),
        bind: ([127, 0, 0, 1], 0).into(),
        witness_logs: vec![WitnessedLog { url: log.address.clone(), vkey: log_vkey.clone() }],
        witness_every_seconds: 1,
        ..Settings::default()
    };
    let witness = kirjuri_tests::spawn_app_in(witness_dir, witness_settings.clone()).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let checkpoint = loop {
        let body: serde_json::Value =
            log.get_as(&token, "/api/v1/integrity/checkpoint").await.json().await.expect("JSON");
        let size = body["size"].as_u64().expect("a size");
        let cosigned = checkpoint_cosignatures(&body);
        if !cosigned.is_empty() {
            break body;
        }
        assert!(std::time::Instant::now() < deadline, "no cosignature of size {size} arrived: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let cosignature = &checkpoint_cosignatures(&checkpoint)[0];
    assert_eq!(cosignature["witness"], "kirjuri.espoo.example/log");
    // Anyone can check the cosignature with the witness's key.
    let note =
        format!("{}{}", checkpoint["note"].as_str().expect("a note"), cosignature["line"].as_str().expect("a line"));
    let signed = kirjuri_integrity::SignedNote::parse(&note).expect("parses");
    assert_eq!(signed.cosignatures(std::slice::from_ref(&witness_key)).expect("verifies").len(), 1);
    let metrics = log.get("/metrics").await.text().await.expect("text");
    assert!(
        metrics.contains("kirjuri_log_cosignatures 1") || metrics.contains("kirjuri_log_cosignatures 2"),
        "{metrics}"
    );

    // A forged or unknown cosignature is refused with the reason, never kept.
    let size = checkpoint["size"].as_u64().expect("a size");
    for (body, status) in [
        (serde_json::json!({"size": size, "line": "\u{2014} kirjuri.espoo.example/log AAAA\n"}), 400),
        (serde_json::json!({"size": size, "line": "not a signature line\n"}), 400),
        (serde_json::json!({"size": size + 999, "line": cosignature["line"]}), 404),
        (serde_json::json!({"size": size}), 400),
    ] {
        let response =
            log.client.post(log.url("/.well-known/kirjuri/cosignature")).json(&body).send().await.expect("sent");
        assert_eq!(response.status(), status, "{body}");
    }
    let stranger = kirjuri_integrity::Signer::from_pkcs8(
        "stranger.example",
        &kirjuri_integrity::Signer::generate_pkcs8().expect("a key"),
    )
    .expect("reads");
    let text = kirjuri_integrity::SignedNote::parse(checkpoint["note"].as_str().expect("a note")).expect("parses").text;
    let forged = serde_json::json!({"size": size, "line": stranger.cosign(&text, 1_765_000_000)});
    let response =
        log.client.post(log.url("/.well-known/kirjuri/cosignature")).json(&forged).send().await.expect("sent");
    assert_eq!(response.status(), 403, "a witness the log does not accept");

    // A fork: an instance holding the same key and origin, with another history.
    let fork_dir = tempfile::Builder::new().prefix("kirjuri-fork-").tempdir().expect("a temp dir");
    copy_dir(&log.data_dir().join("keys"), &fork_dir.path().join("keys"));
    let fork_settings =
        Settings { data_dir: fork_dir.path().to_path_buf(), bind: ([127, 0, 0, 1], 0).into(), ..Settings::default() };
    let fork = kirjuri_tests::spawn_app_in(fork_dir, fork_settings).await;
    for _ in 0..3 {
        fork.register_municipality(kirjuri_events::domain::MunicipalityId::random()).await;
    }
    fork.wait_for_projections().await;
    // The witness's own keys and tree, as its background round uses them.
    let integrity = std::sync::Arc::new(kirjuri_app_integrity(&witness_settings));
    let client = reqwest::Client::new();
    let outcome = kirjuri::witness::witness_once(
        &integrity,
        &client,
        &WitnessedLog { url: fork.address.clone(), vkey: log_vkey.clone() },
    )
    .await
    .expect("the round runs");
    assert!(matches!(outcome, kirjuri::witness::Witnessed::Alarm(_)), "{outcome:?}");
    let metrics = witness.get("/metrics").await.text().await.expect("text");
    assert!(metrics.contains("kirjuri_witness_alarms_total 1"), "{metrics}");
    // The honest log, witnessed again, is still consistent with what was cosigned.
    log.register_municipality(kirjuri_events::domain::MunicipalityId::random()).await;
    log.wait_for_projections().await;
    let outcome =
        kirjuri::witness::witness_once(&integrity, &client, &WitnessedLog { url: log.address.clone(), vkey: log_vkey })
            .await
            .expect("the round runs");
    assert!(
        matches!(outcome, kirjuri::witness::Witnessed::Cosigned(_) | kirjuri::witness::Witnessed::Unchanged(_)),
        "{outcome:?}"
    );
}

fn kirjuri_app_integrity(settings: &Settings) -> kirjuri::integrity::Integrity {
    kirjuri::integrity::Integrity::open(settings).expect("opens the witness's keys and tree")
}

/// Whether python3 with `cryptography` is here; without it the Python checks fail saying what to
/// install, unless `KIRJURI_SKIP_PYTHON=1` says to skip them (then they say "skipped").
fn python_verifier_available() -> bool {
    let python = std::process::Command::new("python3").args(["-c", "import cryptography"]).output();
    if python.is_ok_and(|o| o.status.success()) {
        return true;
    }
    if std::env::var("KIRJURI_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!(
            "skipped: KIRJURI_SKIP_PYTHON=1 (the independent bundle verifier needs python3 and python3-cryptography)"
        );
        return false;
    }
    panic!(
        "the independent bundle verifier needs python3 and its cryptography package: apt-get install python3-cryptography (or set KIRJURI_SKIP_PYTHON=1 to skip it)"
    );
}

#[test]
fn the_independent_python_verifier_passes_its_own_adversarial_vectors() {
    if !python_verifier_available() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/verify_bundle_selftest.py");
    let output = std::process::Command::new("python3").arg(&script).output().expect("python3 runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
