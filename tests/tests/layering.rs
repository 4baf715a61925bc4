//! The pure core stays pure: the event vocabulary and the domain pull in no I/O crates.

use std::process::Command;

const IO_CRATES: &[&str] = &["axum", "tantivy", "rusqlite", "kurrentdb", "tokio", "hyper", "reqwest"];

fn normal_dependencies(package: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn the_event_vocabulary_and_the_domain_depend_on_no_io_crate() {
    for package in ["kirjuri-events", "kirjuri-domain"] {
        let dependencies = normal_dependencies(package);
        assert!(dependencies.iter().any(|d| d == "serde"), "{package}: cargo tree listed {dependencies:?}");
        for io_crate in IO_CRATES {
            assert!(!dependencies.iter().any(|d| d == io_crate), "{package} depends on {io_crate}");
        }
    }
}
