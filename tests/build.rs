//! Whether a KurrentDB server was named for the tests: `KIRJURI_TEST_KURRENTDB` set at build
//! time turns on `cfg(kirjuri_kurrentdb)`, without which the KurrentDB conformance checks are
//! ignored (counted as skipped) instead of passing without having run.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kirjuri_kurrentdb)");
    println!("cargo::rerun-if-env-changed=KIRJURI_TEST_KURRENTDB");
    if std::env::var_os("KIRJURI_TEST_KURRENTDB").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=kirjuri_kurrentdb");
    }
}
