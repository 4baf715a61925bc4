//! What one searchable entity looks like: its key, kind, facets, date and text, kept as JSON in
//! the index so a later event can rebuild the document without reading the event log.

use chrono::{DateTime, NaiveDate, Utc};
use kirjuri_events::domain::LocalizedText;
use serde::{Deserialize, Serialize};

use crate::analysis::{TextLanguage, detect_language_cached};

/// The kinds of documents search holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A lesson (identified, acted on, learned).
    Lesson,
    /// The shareable, structured part of a coaching note (never its personal free text).
    Note,
    /// An experiment's assessed outcome on one criterion.
    Outcome,
    /// An experiment.
    Experiment,
    /// A best practice.
    Practice,
    /// A body's decision on a version of a practice.
    Decision,
    /// An observation someone submitted (what was seen, under which conditions).
    Observation,
    /// A published communication (its title and text).
    Communication,
    /// Context of a coaching engagement (municipality, unit, experiment) its notes inherit;
    /// never returned by a search.
    Engagement,
}

impl DocumentKind {
    /// Every kind a search can return.
    pub const SEARCHABLE: [Self; 8] = [
        Self::Lesson,
        Self::Note,
        Self::Outcome,
        Self::Experiment,
        Self::Practice,
        Self::Decision,
        Self::Observation,
        Self::Communication,
    ];

    /// The stable name used in filters and facets.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lesson => "lesson",
            Self::Note => "note",
            Self::Outcome => "outcome",
            Self::Experiment => "experiment",
            Self::Practice => "practice",
            Self::Decision => "decision",
            Self::Observation => "observation",
            Self::Communication => "communication",
            Self::Engagement => "engagement",
        }
    }

    /// The searchable kinds' names, comma-separated (for error messages).
    pub fn searchable_names() -> String {
        Self::SEARCHABLE.map(Self::as_str).join(", ")
    }

    /// Reads a searchable kind's name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::SEARCHABLE.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether searches return this kind.
    pub fn is_searchable(self) -> bool {
        self != Self::Engagement
    }
}

/// One searchable entity, as indexed and as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// The document's key, e.g. `lesson:<uuid>` or `outcome:<uuid>:productivity`.
    pub id: String,
    /// Its kind.
    pub kind: DocumentKind,
    /// The entity it is about (the lesson, experiment, practice, note ...).
    pub entity: String,
    /// The municipality (tenant) it belongs to.
    pub municipality: Option<String>,
    /// Units it concerns.
    #[serde(default)]
    pub units: Vec<String>,
    /// The experiment it concerns, if one.
    pub experiment: Option<String>,
    /// Free tags and themes.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it happened (shown, sorted on, and the `year` facet).
    pub date: DateTime<Utc>,
    /// Its title, Finnish first.
    pub title: Option<LocalizedText>,
    /// Its text, section by section.
    #[serde(default)]
    pub sections: Vec<LocalizedText>,
}

/// A document's text split by language, as it goes into the index's fields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RoutedText {
    pub title_fi: String,
    pub fi: Vec<String>,
    pub sv: Vec<String>,
    pub en: Vec<String>,
}

impl RoutedText {
    /// The languages the routed text is in.
    pub(crate) fn languages(&self) -> Vec<TextLanguage> {
        let mut languages = Vec::new();
        if !self.title_fi.is_empty() || !self.fi.is_empty() {
            languages.push(TextLanguage::Fi);
        }
        if !self.sv.is_empty() {
            languages.push(TextLanguage::Sv);
        }
        if !self.en.is_empty() {
            languages.push(TextLanguage::En);
        }
        languages
    }
}

impl SearchDocument {
    /// The document's date as a day at midnight UTC.
    pub fn day(date: NaiveDate) -> DateTime<Utc> {
        date.and_hms_opt(0, 0, 0).map_or_else(Utc::now, |t| t.and_utc())
    }

    /// Adds a unit once.
    pub fn add_unit(&mut self, unit: String) {
        if !self.units.contains(&unit) {
            self.units.push(unit);
        }
    }

    /// Adds a tag once, lowercased.
    pub fn add_tag(&mut self, tag: &str) {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
    }

    /// Routes every text into the Finnish, Swedish or English fields: the `fi` slot by
    /// detected language (people do write English there), `sv` and `en` as labelled.
    pub(crate) fn routed_text(&self) -> RoutedText {
        let mut routed = RoutedText::default();
        let route = |text: &LocalizedText, routed: &mut RoutedText, is_title: bool| {
            match detect_language_cached(&text.fi) {
                TextLanguage::Fi => {
                    if is_title {
                        routed.title_fi = text.fi.clone();
                    } else {
                        routed.fi.push(text.fi.clone());
                    }
                }
                TextLanguage::Sv => routed.sv.push(text.fi.clone()),
                TextLanguage::En => routed.en.push(text.fi.clone()),
            }
            if let Some(sv) = &text.sv {
                routed.sv.push(sv.clone());
            }
            if let Some(en) = &text.en {
                routed.en.push(en.clone());
            }
        };
        if let Some(title) = &self.title {
            route(title, &mut routed, true);
        }
        for section in &self.sections {
            route(section, &mut routed, false);
        }
        routed
    }

    /// The languages its text is in.
    pub fn languages(&self) -> Vec<TextLanguage> {
        self.routed_text().languages()
    }
}
