//! Search over HTTP, black-box: what one municipality wrote never shows through another's
//! search — not in hits, not in "did you mean", not in facets. One municipality's lessons hold
//! a thousand made-up words; the other searches a one-letter misspelling of each.

use std::collections::HashSet;

use futures::StreamExt;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_search::AnalysisSettings;
use kirjuri_search::analysis::{Analysis, FI_LEMMA};
use kirjuri_tests::{TestApp, spawn_app};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// The seed of the planted words: the same thousand words on every run.
const SEED: u64 = 2026;
const PLANTED_WORDS: usize = 1_000;
const WORDS_PER_LESSON: usize = 20;
const CONSONANTS: &[u8] = b"hjklmnprstv";
const VOWELS: &[u8] = b"aeiou";
/// Planted words differ from each other in at least this many edits, so that a one-letter
/// misspelling of one is beyond typo tolerance (2 edits) of every other.
const MIN_DISTANCE_BETWEEN_WORDS: usize = 5;

fn id() -> String {
    Uuid::new_v4().to_string()
}

fn fi(text: &str) -> Value {
    json!({ "fi": text })
}

/// Issues a command that must succeed.
async fn done(app: &TestApp, name: &str, body: Value) {
    let response = app.post_command(name, &format!("isolation-{}", Uuid::new_v4()), &body).await;
    let status = response.status();
    assert!(status.is_success(), "{name} answered {status}: {}", response.text().await.unwrap_or_default());
}

fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != right);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// A word of 9 to 12 letters: consonant-vowel syllables ending in a vowel, after a leading
/// vowel when the length is odd.
fn nonsense_word(rng: &mut StdRng) -> String {
    let letters = rng.random_range(9..=12usize);
    let mut word = String::with_capacity(letters);
    if letters % 2 == 1 {
        word.push(char::from(VOWELS[rng.random_range(0..VOWELS.len())]));
    }
    while word.len() < letters {
        word.push(char::from(CONSONANTS[rng.random_range(0..CONSONANTS.len())]));
        word.push(char::from(VOWELS[rng.random_range(0..VOWELS.len())]));
    }
    word
}

/// `word` with one letter in its middle part replaced by another of the same class.
fn misspelt(word: &str, rng: &mut StdRng) -> String {
    let mut bytes = word.as_bytes().to_vec();
    let at = rng.random_range(2..bytes.len() - 2);
    let class = if VOWELS.contains(&bytes[at]) { VOWELS } else { CONSONANTS };
    let others: Vec<u8> = class.iter().copied().filter(|letter| *letter != bytes[at]).collect();
    bytes[at] = others[rng.random_range(0..others.len())];
    String::from_utf8(bytes).expect("ASCII letters")
}

/// Whether the index keeps `word` as itself (Voikko does not know it, nothing stems it away).
fn survives_analysis(analysis: &Analysis, word: &str) -> bool {
    analysis.terms(FI_LEMMA, word) == [word] && !analysis.is_known(word)
}

/// The planted words, each with its misspelling, from a fixed seed.
fn planted_words(analysis: &Analysis) -> Vec<(String, String)> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut planted: Vec<(String, String)> = Vec::with_capacity(PLANTED_WORDS);
    while planted.len() < PLANTED_WORDS {
        let word = nonsense_word(&mut rng);
        if planted
            .iter()
            .any(|(other, _)| edit_distance(other.as_bytes(), word.as_bytes()) < MIN_DISTANCE_BETWEEN_WORDS)
        {
            continue;
        }
        let typo = misspelt(&word, &mut rng);
        if survives_analysis(analysis, &word) && survives_analysis(analysis, &typo) {
            planted.push((word, typo));
        }
    }
    planted
}

/// `GET /api/v1/search?q=<text>` as `token`, answered 200 with a JSON body.
async fn search(app: &TestApp, token: &str, text: &str) -> Value {
    let response = app.get_as(token, &format!("/api/v1/search?q={text}&limit=5")).await;
    assert_eq!(response.status(), StatusCode::OK, "{text}");
    response.json().await.expect("a JSON body")
}

/// Every facet value of a search answer.
fn facet_values(body: &Value) -> Vec<String> {
    let Some(facets) = body["facets"].as_object() else { return Vec::new() };
    facets
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|count| count["value"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_municipalitys_words_never_show_through_did_you_mean_hits_or_facets() {
    let analysis = Analysis::new(&AnalysisSettings::default());
    let planted = planted_words(&analysis);
    let planted_set: HashSet<&str> = planted.iter().map(|(word, _)| word.as_str()).collect();

    let app = spawn_app().await;
    let (holder, other) = (id(), id());
    for (municipality, code, name) in [(&holder, "297", "Kuopio"), (&other, "564", "Oulu")] {
        done(&app, "register-municipality", json!({ "municipality": municipality, "code": code, "name": fi(name) }))
            .await;
    }
    let mut experiments = Vec::new();
    for municipality in [&holder, &other] {
        let (unit, experiment) = (id(), id());
        done(
            &app,
            "establish-unit",
            json!({ "unit": unit, "municipality": municipality, "name": fi("Kotihoito"), "sector": "wellbeing_promotion" }),
        )
        .await;
        done(
            &app,
            "propose-experiment",
            json!({
                "experiment": experiment, "municipality": municipality, "name": fi("Etäkäynnit"),
                "problem": fi("Jonot"), "hypothesis": fi("Jonot lyhenevät"), "units": [unit], "themes": [],
                "proposed": "2025-01-10"
            }),
        )
        .await;
        experiments.push(experiment);
    }
    let lesson = |municipality: &str, experiment: &str, title: &str, text: &str, tags: &[&str]| {
        json!({
            "lesson": id(), "municipality": municipality, "title": fi(title), "driving_event": fi("Kokeilu"),
            "lesson_text": fi(text), "recommendations": [], "observations": [],
            "sources": [{ "kind": "experiment", "id": experiment }], "tags": tags
        })
    };
    for words in planted.chunks(WORDS_PER_LESSON) {
        let text: Vec<&str> = words.iter().map(|(word, _)| word.as_str()).collect();
        let body = lesson(&holder, &experiments[0], "Opittua", &text.join(" "), &[text[0]]);
        done(&app, "identify-lesson", body).await;
    }
    for (title, text) in [
        ("Aamukäynnit", "Kotihoidon aamukäynnit siirtyivät etäkäynneiksi."),
        ("Kirjasto", "Kirjaston aukioloajat pitenivät iltaisin."),
        ("Ajanvaraus", "Sähköinen ajanvaraus lyhensi jonoja."),
    ] {
        done(&app, "identify-lesson", lesson(&other, &experiments[1], title, text, &["kotihoito"])).await;
    }
    app.wait_for_projections().await;

    let holder_token = app.token_for(MunicipalityId(Uuid::parse_str(&holder).expect("an id")));
    let other_token = app.token_for(MunicipalityId(Uuid::parse_str(&other).expect("an id")));

    // The control: in the municipality that wrote them, a misspelling finds the word.
    for (word, typo) in planted.iter().step_by(PLANTED_WORDS / 20) {
        let own = search(&app, &holder_token, typo).await;
        assert_eq!(own["did_you_mean"].as_str(), Some(word.as_str()), "{typo} in the holder's search: {own}");
        assert_eq!(own["total"], 1, "{typo} in the holder's search: {own}");
    }
    let everything = search(&app, &holder_token, "").await;
    assert!(facet_values(&everything).iter().any(|value| planted_set.contains(value.as_str())), "{everything}");

    // The other municipality: nothing of them, for any of the thousand.
    let answers: Vec<(&str, Value)> = futures::stream::iter(&planted)
        .map(|(_, typo)| {
            let (app, token) = (&app, &other_token);
            async move { (typo.as_str(), search(app, token, typo).await) }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut leaks = Vec::new();
    for (typo, answer) in &answers {
        let suggested_planted = answer["did_you_mean"]
            .as_str()
            .is_some_and(|suggestion| suggestion.split_whitespace().any(|word| planted_set.contains(word)));
        let faceted_planted = facet_values(answer).iter().any(|value| planted_set.contains(value.as_str()));
        if suggested_planted || faceted_planted || answer["total"] != 0 {
            leaks.push(format!("{typo}: {answer}"));
        }
    }
    assert_eq!(answers.len(), PLANTED_WORDS);
    assert!(
        leaks.is_empty(),
        "{} of {PLANTED_WORDS} searches leaked, e.g. {:?}",
        leaks.len(),
        &leaks[..leaks.len().min(3)]
    );
    let everything = search(&app, &other_token, "").await;
    assert_eq!(everything["total"], 4, "its three lessons and its experiment: {everything}");
    assert!(!facet_values(&everything).iter().any(|value| planted_set.contains(value.as_str())), "{everything}");
}
