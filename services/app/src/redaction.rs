//! Personal data never leaves through the general read routes: the one function that takes it
//! out of event data before it is shown.
//!
//! Personal text travels in the events' JSON as an object marked
//! `"classification": "personal"` (see
//! [`kirjuri_events::domain::coaching::PersonalText`]). [`redact_personal`] replaces every
//! such object, wherever it sits and whatever field holds it, by [`redaction_marker`]; so a
//! personal field added later is covered by its marker, not by a list of field names. (States
//! printed with `Debug`, as the as-of views show them, are covered by `PersonalText`'s own
//! `Debug`, which never prints the text.) Only a dedicated, logged route for the note's coach
//! and coachees may show the text itself.

use kirjuri_events::domain::coaching::Classification;
use serde_json::{Map, Value};

/// The `classification` value that marks personal data, as the events' JSON writes it.
fn personal_marker() -> Value {
    serde_json::to_value(Classification::Personal).unwrap_or_else(|_| Value::String("personal".to_owned()))
}

/// What stands in for redacted personal data: `{"redacted": "personal"}`.
pub fn redaction_marker() -> Value {
    let mut marker = Map::new();
    marker.insert("redacted".to_owned(), personal_marker());
    Value::Object(marker)
}

/// Replaces every object marked `"classification": "personal"` in `value` (at any depth) by
/// [`redaction_marker`]; returns how many were replaced.
pub fn redact_personal(value: &mut Value) -> usize {
    let personal = personal_marker();
    redact_with(value, &personal)
}

fn redact_with(value: &mut Value, personal: &Value) -> usize {
    match value {
        Value::Object(fields) if fields.get("classification") == Some(personal) => {
            *value = redaction_marker();
            1
        }
        Value::Object(fields) => fields.values_mut().map(|field| redact_with(field, personal)).sum(),
        Value::Array(items) => items.iter_mut().map(|item| redact_with(item, personal)).sum(),
        _ => 0,
    }
}

/// Fields of event data that hold a hash of a credential: a user's argon2id password hash
/// (which an attacker could try to crack offline) and an API token's SHA-256. They are only for
/// checking a credential and never leave the server.
pub const CREDENTIAL_FIELDS: [&str; 2] = ["password_hash", "secret_hash"];

/// What stands in for a credential hash: `{"redacted": "credential"}`.
pub fn credential_marker() -> Value {
    let mut marker = Map::new();
    marker.insert("redacted".to_owned(), Value::String("credential".to_owned()));
    Value::Object(marker)
}

/// Replaces the value of every [`CREDENTIAL_FIELDS`] field in `value` (at any depth) by
/// [`credential_marker`]; returns how many were replaced.
pub fn redact_credentials(value: &mut Value) -> usize {
    match value {
        Value::Object(fields) => fields
            .iter_mut()
            .map(|(name, field)| {
                if CREDENTIAL_FIELDS.contains(&name.as_str()) {
                    *field = credential_marker();
                    1
                } else {
                    redact_credentials(field)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(redact_credentials).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::coaching::PersonalText;
    use serde_json::json;

    use super::*;

    #[test]
    fn personal_text_is_replaced_wherever_it_sits_and_nothing_else_changes() {
        let personal = PersonalText::parse("personal", "Kertoi väsymyksestä.").expect("valid");
        let mut data = json!({
            "note": "n-1",
            "planned": { "fi": "Suunnitelma" },
            "personal": personal,
            "later": [{ "deeper": { "text": "Toinen salaisuus", "classification": "personal" } }],
            "classification": "public",
        });
        assert_eq!(redact_personal(&mut data), 2);
        let text = data.to_string();
        assert!(!text.contains("väsymyksestä") && !text.contains("salaisuus"), "{text}");
        assert_eq!(data["personal"], json!({ "redacted": "personal" }));
        assert_eq!(data["later"][0]["deeper"], redaction_marker());
        assert_eq!(data["planned"]["fi"], "Suunnitelma");
        assert_eq!(data["classification"], "public", "an unrelated classification is left alone");
    }

    #[test]
    fn data_without_personal_text_is_left_as_it_was() {
        let original = json!({ "lesson": "l-1", "tags": ["a", "b"], "n": 3, "none": null });
        let mut data = original.clone();
        assert_eq!(redact_personal(&mut data), 0);
        assert_eq!(data, original);
    }

    #[test]
    fn credential_hashes_are_replaced_and_other_fields_kept() {
        let mut data = json!({
            "username": "anna",
            "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "nested": [{"secret_hash": "ba7816bf"}],
        });
        assert_eq!(redact_credentials(&mut data), 2);
        assert_eq!(
            data,
            json!({
                "username": "anna",
                "password_hash": {"redacted": "credential"},
                "nested": [{"secret_hash": {"redacted": "credential"}}],
            })
        );
    }
}
