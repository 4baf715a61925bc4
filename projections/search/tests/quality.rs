//! The retrieval quality harness on UD_Finnish-TDT dev: prints precision and recall for the
//! Snowball and Voikko modes and asserts the targets when Voikko is installed.

use kirjuri_search::{AnalysisSettings, quality};

#[test]
fn finnish_retrieval_meets_the_quality_targets() {
    let Some(corpus) = quality::locate_dev_corpus() else {
        println!("skipping the quality harness: {} is not there", quality::DEV_CORPUS);
        return;
    };
    let snowball = quality::run(&corpus, &AnalysisSettings::snowball_only()).expect("snowball run");
    println!("{snowball}");
    assert!(!snowball.voikko);
    assert!(snowball.lemma.recall > 0.3, "snowball recall collapsed: {snowball}");

    let voikko = quality::run(&corpus, &AnalysisSettings::default()).expect("voikko run");
    if !voikko.voikko {
        println!("libvoikko is not installed: the Voikko targets are not checked");
        return;
    }
    println!("{voikko}");
    assert!(voikko.meets_targets(), "below target:\n{voikko}");
}
