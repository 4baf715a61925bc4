//! The crates depend on each other one way only, as `ARCHITECTURE.md` draws them: the pure core
//! pulls in no I/O crate, and the layers under the HTTP skins know nothing of HTTP.

use std::process::Command;

const IO_CRATES: &[&str] = &["axum", "tantivy", "rusqlite", "kurrentdb", "tokio", "hyper", "reqwest"];

/// The HTTP and page frameworks: only the skins and the composition root use them.
const WEB_FRAMEWORKS: &[&str] = &["axum", "maud", "utoipa-axum", "hyper", "hyper-util", "tower-http"];

/// Every workspace crate and the kirjuri crates it may use directly. A new edge is a decision:
/// it is made here, next to the others, or the test fails.
const ALLOWED: &[(&str, &[&str])] = &[
    ("kirjuri-events", &[]),
    ("kirjuri-store", &["kirjuri-events"]),
    // The verifiable log: pure hashing and signing, its tree file, and the tree's projection.
    ("kirjuri-integrity", &["kirjuri-events", "kirjuri-store", "kirjuri-projections"]),
    ("kirjuri-domain", &["kirjuri-events"]),
    ("kirjuri-projections", &["kirjuri-events", "kirjuri-store"]),
    ("kirjuri-search", &["kirjuri-events", "kirjuri-store", "kirjuri-projections"]),
    ("kirjuri-views", &["kirjuri-events", "kirjuri-store", "kirjuri-domain", "kirjuri-projections"]),
    ("kirjuri-auth", &["kirjuri-events", "kirjuri-store", "kirjuri-projections"]),
    (
        "kirjuri-app",
        &[
            "kirjuri-events",
            "kirjuri-store",
            "kirjuri-domain",
            "kirjuri-projections",
            "kirjuri-search",
            "kirjuri-views",
            "kirjuri-auth",
            "kirjuri-integrity",
        ],
    ),
    ("kirjuri-demo", &["kirjuri-events", "kirjuri-store", "kirjuri-domain", "kirjuri-auth", "kirjuri-app"]),
    (
        "kirjuri-bench",
        &[
            "kirjuri-events",
            "kirjuri-store",
            "kirjuri-domain",
            "kirjuri-projections",
            "kirjuri-search",
            "kirjuri-views",
            "kirjuri-app",
            "kirjuri-demo",
            "kirjuri-auth",
            "kirjuri-integrity",
        ],
    ),
    (
        "kirjuri-api",
        &[
            "kirjuri-events",
            "kirjuri-store",
            "kirjuri-domain",
            "kirjuri-projections",
            "kirjuri-search",
            "kirjuri-views",
            "kirjuri-auth",
            "kirjuri-app",
        ],
    ),
    // The pages never use the API: both are skins over kirjuri-app.
    (
        "kirjuri-web",
        &[
            "kirjuri-events",
            "kirjuri-store",
            "kirjuri-domain",
            "kirjuri-projections",
            "kirjuri-search",
            "kirjuri-views",
            "kirjuri-auth",
            "kirjuri-app",
        ],
    ),
    (
        "kirjuri",
        &[
            "kirjuri-events",
            "kirjuri-store",
            "kirjuri-domain",
            "kirjuri-projections",
            "kirjuri-auth",
            "kirjuri-app",
            "kirjuri-api",
            "kirjuri-web",
            "kirjuri-integrity",
            "kirjuri-views",
            "kirjuri-demo",
            "kirjuri-bench",
        ],
    ),
    (
        "kirjuri-tests",
        &["kirjuri", "kirjuri-events", "kirjuri-store", "kirjuri-projections", "kirjuri-search", "kirjuri-integrity"],
    ),
];

/// The packages `package` depends on through normal (not dev or build) edges; `direct` stops at
/// its own dependencies.
fn normal_dependencies(package: &str, direct: bool) -> Vec<String> {
    let mut args = vec!["tree", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}", "-p", package];
    if direct {
        args.extend(["--depth", "1"]);
    }
    let output = Command::new(env!("CARGO"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut found: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1) // the package itself
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_event_vocabulary_and_the_domain_depend_on_no_io_crate() {
    for package in ["kirjuri-events", "kirjuri-domain"] {
        let dependencies = normal_dependencies(package, false);
        assert!(dependencies.iter().any(|d| d == "serde"), "{package}: cargo tree listed {dependencies:?}");
        for io_crate in IO_CRATES {
            assert!(!dependencies.iter().any(|d| d == io_crate), "{package} depends on {io_crate}");
        }
    }
}

/// Authentication, the application layer, the demo, the benchmarks and the read side use no web
/// framework themselves. (The KurrentDB client's
/// gRPC stack brings axum in below the store, so this is about each crate's own edges.)
#[test]
fn the_layers_under_the_http_skins_use_no_web_framework() {
    for package in [
        "kirjuri-auth",
        "kirjuri-app",
        "kirjuri-demo",
        "kirjuri-bench",
        "kirjuri-integrity",
        "kirjuri-projections",
        "kirjuri-search",
        "kirjuri-views",
        "kirjuri-store",
    ] {
        let dependencies = normal_dependencies(package, true);
        assert!(
            dependencies.iter().any(|d| d.starts_with("kirjuri-")),
            "{package}: cargo tree listed {dependencies:?}"
        );
        for framework in WEB_FRAMEWORKS {
            assert!(!dependencies.iter().any(|d| d == framework), "{package} depends on {framework} directly");
        }
    }
}

/// Each skin keeps to its own kind: the API renders no pages (no maud), the pages describe no
/// API (no utoipa), and neither reaches the other.
#[test]
fn the_api_and_the_pages_keep_to_their_own_frameworks() {
    for (package, foreign) in
        [("kirjuri-api", &["maud", "kirjuri-web"][..]), ("kirjuri-web", &["utoipa", "utoipa-axum", "kirjuri-api"][..])]
    {
        let dependencies = normal_dependencies(package, true);
        assert!(dependencies.iter().any(|d| d == "axum"), "{package}: cargo tree listed {dependencies:?}");
        for crate_name in foreign {
            assert!(!dependencies.iter().any(|d| d == crate_name), "{package} depends on {crate_name} directly");
        }
    }
}

#[test]
fn every_crate_uses_only_the_kirjuri_crates_it_is_allowed() {
    for (package, allowed) in ALLOWED {
        let used: Vec<String> =
            normal_dependencies(package, true).into_iter().filter(|d| d.starts_with("kirjuri")).collect();
        for dependency in &used {
            assert!(
                allowed.contains(&dependency.as_str()),
                "{package} depends on {dependency}, which the layering does not allow (tests/it/layering.rs)"
            );
        }
    }
}

#[test]
fn the_layering_names_every_workspace_crate() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("a list of packages");
    assert!(packages.len() >= 14, "cargo metadata listed {} packages", packages.len());
    for package in packages {
        let name = package["name"].as_str().expect("a package name");
        assert!(
            ALLOWED.iter().any(|(known, _)| *known == name),
            "{name} is not in the layering (tests/it/layering.rs)"
        );
    }
}
