//! Lessons: observations from experiments, coaching and assessments, the lessons identified
//! from them, the actions assigned, and lessons learned (NATO/NASA LLIS style).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CampaignId, EngagementId, ExperimentId, LessonId, LocalizedText, MunicipalityId, ObservationId, UnitId};
use crate::event_family;

vocabulary! {
    /// Where a lesson stands, as the lists, the API's `status` filter and the pages name it.
    pub enum LessonPhase {
        /// Identified: not yet acted on.
        Identified => "identified",
        /// An action was assigned.
        Acting => "acting",
        /// Learned: the change it called for is in place.
        Learned => "learned",
    }
}

/// Where an observation or lesson comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum LessonSource {
    /// A service experiment.
    Experiment(ExperimentId),
    /// A coaching engagement.
    Engagement(EngagementId),
    /// An assessment campaign.
    Campaign(CampaignId),
}

/// Someone noticed something worth learning from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObservationSubmitted {
    /// The observation.
    pub observation: ObservationId,
    /// The municipality it belongs to.
    pub municipality: MunicipalityId,
    /// Where it was seen.
    pub source: LessonSource,
    /// What was observed.
    pub text: LocalizedText,
    /// Under which conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<LocalizedText>,
}

/// A lesson was identified from observations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonIdentified {
    /// The lesson.
    pub lesson: LessonId,
    /// The municipality it belongs to.
    pub municipality: MunicipalityId,
    /// The unit it concerns most, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    /// A short title.
    pub title: LocalizedText,
    /// What happened that taught it.
    pub driving_event: LocalizedText,
    /// The lesson itself.
    pub lesson_text: LocalizedText,
    /// What to do differently.
    #[serde(default)]
    pub recommendations: Vec<LocalizedText>,
    /// The observations it rests on.
    #[serde(default)]
    pub observations: Vec<ObservationId>,
    /// Where it comes from.
    pub sources: Vec<LessonSource>,
    /// Free tags for search and facets.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Someone was made responsible for acting on a lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonActionAssigned {
    /// The lesson.
    pub lesson: LessonId,
    /// Who acts (a unit).
    pub unit: UnitId,
    /// What they do.
    pub action: LocalizedText,
    /// By when.
    pub due: NaiveDate,
}

/// A lesson was shown to have changed how things are done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonLearned {
    /// The lesson.
    pub lesson: LessonId,
    /// What shows the change took hold.
    pub evidence: LocalizedText,
}

event_family! {
    /// What happens in an `observation` stream.
    pub enum ObservationEvent {
        Submitted(ObservationSubmitted) = ("ObservationSubmitted", 1),
    }
}

event_family! {
    /// What happens in a `lesson` stream.
    #[allow(clippy::large_enum_variant, reason = "events are decoded, decided and dropped one at a time; boxing would only add allocations")]
    pub enum LessonEvent {
        Identified(LessonIdentified) = ("LessonIdentified", 2),
        ActionAssigned(LessonActionAssigned) = ("LessonActionAssigned", 1),
        Learned(LessonLearned) = ("LessonLearned", 1),
    }
}

/// `LessonIdentified` v1 held `title`, `driving_event` and `lesson` as plain Finnish strings;
/// v2 makes them multilingual and renames `lesson` (text) to `lesson_text` so that `lesson` is
/// the id, as in every other lesson event. v1 stored the id as `lesson_id`.
pub fn lesson_identified_v1_to_v2(mut data: Value) -> Result<Value, String> {
    let object = data.as_object_mut().ok_or("expected a JSON object")?;
    let id = object.remove("lesson_id").ok_or("missing `lesson_id`")?;
    let text = object.remove("lesson").ok_or("missing `lesson`")?;
    object.insert("lesson".into(), id);
    object.insert("lesson_text".into(), finnish_only(text)?);
    for field in ["title", "driving_event"] {
        let value = object.remove(field).ok_or_else(|| format!("missing `{field}`"))?;
        object.insert(field.into(), finnish_only(value)?);
    }
    Ok(data)
}

fn finnish_only(value: Value) -> Result<Value, String> {
    match value {
        Value::String(text) => Ok(serde_json::json!({ "fi": text })),
        other => Err(format!("expected a string, found {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_lesson_reads_as_v2_with_its_finnish_text() {
        let v1 = serde_json::json!({
            "lesson_id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "municipality": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a50",
            "title": "Etävastaanotto vapautti aikaa",
            "driving_event": "Kokeilussa puolet käynneistä hoidettiin etänä.",
            "lesson": "Etävastaanotto sopii seurantakäynteihin.",
            "sources": [{ "kind": "experiment", "id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a51" }]
        });
        let decoded = LessonEvent::decode("LessonIdentified", 1, &v1.to_string()).expect("upcasts");
        let LessonEvent::Identified(lesson) = decoded else { panic!("wrong variant") };
        assert_eq!(lesson.title.fi, "Etävastaanotto vapautti aikaa");
        assert_eq!(lesson.lesson_text.fi, "Etävastaanotto sopii seurantakäynteihin.");
        assert_eq!(lesson.lesson.0.to_string(), "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        assert!(lesson.recommendations.is_empty());
        let broken = serde_json::json!({ "lesson_id": "x", "title": 5 });
        assert!(LessonEvent::decode("LessonIdentified", 1, &broken.to_string()).is_err());
    }
}
