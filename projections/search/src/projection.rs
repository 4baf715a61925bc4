//! [`SearchProjection`]: folds domain events into search documents and commits them with the
//! checkpoint.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kirjuri_events::RecordedEvent;
use kirjuri_events::domain::LocalizedText;
use kirjuri_events::domain::catalogue::AnyDomainEvent;
use kirjuri_events::domain::coaching::{CommunicationEvent, CommunicationLink, EngagementEvent};
use kirjuri_events::domain::experiment::{Criterion, ExperimentEvent};
use kirjuri_events::domain::lesson::{LessonEvent, LessonSource, ObservationEvent};
use kirjuri_events::domain::practice::{EvidenceLink, PracticeEvent};
use kirjuri_events::{Position, domain};
use kirjuri_projections::{Projection, ProjectionError};
use kirjuri_store::EventFilter;
use tantivy::IndexWriter;

use crate::document::{DocumentKind, SearchDocument};
use crate::{SearchError, SearchIndex};

/// The search read model as a projection (name `search`). Holds the index's only writer.
pub struct SearchProjection {
    index: SearchIndex,
    writer: IndexWriter,
}

impl std::fmt::Debug for SearchProjection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchProjection").field("index", &self.index).finish_non_exhaustive()
    }
}

fn storage(error: SearchError) -> ProjectionError {
    ProjectionError::storage("updating the search index", error)
}

impl SearchProjection {
    /// Takes the index's writer (fails if another process holds it).
    pub fn new(index: SearchIndex) -> Result<Self, SearchError> {
        let writer = index.writer()?;
        Ok(Self { index, writer })
    }

    /// The index this projection writes (clone it for searching).
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn commit(&mut self, documents: BTreeMap<String, SearchDocument>, position: Position) -> Result<(), SearchError> {
        for (id, document) in &documents {
            let tantivy_doc = self.index.to_tantivy(document)?;
            self.writer.delete_term(self.index.id_term(id));
            self.writer.add_document(tantivy_doc).map_err(SearchError::storage("adding a document"))?;
        }
        let mut prepared = self.writer.prepare_commit().map_err(SearchError::storage("preparing the commit"))?;
        prepared.set_payload(&SearchIndex::payload(position));
        prepared.commit().map_err(SearchError::storage("committing"))?;
        self.index.reload()
    }
}

impl Projection for SearchProjection {
    fn name(&self) -> &'static str {
        "search"
    }

    fn filter(&self) -> EventFilter {
        EventFilter::streams([
            domain::LessonId::CATEGORY,
            domain::EngagementId::CATEGORY,
            domain::ExperimentId::CATEGORY,
            domain::PracticeId::CATEGORY,
            domain::ObservationId::CATEGORY,
            domain::CommunicationId::CATEGORY,
        ])
    }

    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError> {
        self.index.checkpoint().map_err(|e| ProjectionError::storage("reading the search checkpoint", e))
    }

    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = batch.last() else { return Ok(()) };
        let mut folder = Folder { index: &self.index, pending: BTreeMap::new() };
        for event in batch {
            let decoded =
                AnyDomainEvent::from_recorded(event).map_err(|e| ProjectionError::poison(event, e.to_string()))?;
            folder.fold(event, decoded)?;
        }
        let pending = folder.pending;
        if let Err(error) = self.commit(pending, last.position) {
            // Nothing of the batch may stay staged in the writer for the next commit.
            if let Err(rollback) = self.writer.rollback() {
                tracing::error!(error = %rollback, "rolling the search index writer back failed");
            }
            return Err(storage(error));
        }
        Ok(())
    }
}

/// Folds a batch's events into the documents they change, reading earlier state from the
/// batch's own pending documents first, then from the index.
struct Folder<'a> {
    index: &'a SearchIndex,
    pending: BTreeMap<String, SearchDocument>,
}

fn when(event: &RecordedEvent) -> DateTime<Utc> {
    event.metadata.occurred_at.unwrap_or(event.recorded_at)
}

fn criterion_title(criterion: Criterion) -> LocalizedText {
    let (fi, sv, en) = match criterion {
        Criterion::Effectiveness => ("vaikuttavuus", "effektivitet", "effectiveness"),
        Criterion::WellbeingAtWork => ("työhyvinvointi", "arbetshälsa", "wellbeing at work"),
        Criterion::Productivity => ("tuottavuus", "produktivitet", "productivity"),
    };
    LocalizedText { fi: fi.into(), sv: Some(sv.into()), en: Some(en.into()) }
}

impl Folder<'_> {
    fn existing(&mut self, event: &RecordedEvent, id: &str) -> Result<SearchDocument, ProjectionError> {
        if let Some(document) = self.pending.get(id) {
            return Ok(document.clone());
        }
        match self.index.document(id) {
            Ok(Some(document)) => Ok(document),
            Ok(None) => {
                Err(ProjectionError::poison(event, format!("`{id}` is not indexed: its first event is missing")))
            }
            Err(error) => Err(storage(error)),
        }
    }

    /// The document `id` if it is indexed (for context a document borrows but can do without).
    fn optional(&mut self, id: &str) -> Result<Option<SearchDocument>, ProjectionError> {
        if let Some(document) = self.pending.get(id) {
            return Ok(Some(document.clone()));
        }
        self.index.document(id).map_err(storage)
    }

    /// Applies `change` to the document `id` (which must exist).
    fn update(
        &mut self,
        event: &RecordedEvent,
        id: &str,
        change: impl FnOnce(&mut SearchDocument),
    ) -> Result<(), ProjectionError> {
        let mut document = self.existing(event, id)?;
        change(&mut document);
        self.pending.insert(id.to_owned(), document);
        Ok(())
    }

    fn put(&mut self, document: SearchDocument) {
        self.pending.insert(document.id.clone(), document);
    }

    fn fold(&mut self, event: &RecordedEvent, decoded: AnyDomainEvent) -> Result<(), ProjectionError> {
        match decoded {
            AnyDomainEvent::LessonEvent(lesson) => self.fold_lesson(event, lesson),
            AnyDomainEvent::EngagementEvent(engagement) => self.fold_engagement(event, engagement),
            AnyDomainEvent::ExperimentEvent(experiment) => self.fold_experiment(event, experiment),
            AnyDomainEvent::PracticeEvent(practice) => self.fold_practice(event, practice),
            AnyDomainEvent::ObservationEvent(observation) => self.fold_observation(event, observation),
            AnyDomainEvent::CommunicationEvent(communication) => self.fold_communication(communication),
            _ => Ok(()),
        }
    }

    fn fold_lesson(&mut self, event: &RecordedEvent, lesson: LessonEvent) -> Result<(), ProjectionError> {
        match lesson {
            LessonEvent::Identified(e) => {
                let experiment = e.sources.iter().find_map(|s| match s {
                    LessonSource::Experiment(id) => Some(id.to_string()),
                    _ => None,
                });
                let mut document = SearchDocument {
                    id: format!("lesson:{}", e.lesson),
                    kind: DocumentKind::Lesson,
                    entity: e.lesson.to_string(),
                    municipality: Some(e.municipality.to_string()),
                    units: e.unit.map(|u| vec![u.to_string()]).unwrap_or_default(),
                    experiment,
                    tags: Vec::new(),
                    date: when(event),
                    title: Some(e.title),
                    sections: std::iter::once(e.driving_event)
                        .chain(std::iter::once(e.lesson_text))
                        .chain(e.recommendations)
                        .collect(),
                };
                for tag in &e.tags {
                    document.add_tag(tag);
                }
                self.put(document);
                Ok(())
            }
            LessonEvent::ActionAssigned(e) => self.update(event, &format!("lesson:{}", e.lesson), |d| {
                d.add_unit(e.unit.to_string());
                d.sections.push(e.action);
            }),
            LessonEvent::Learned(e) => {
                self.update(event, &format!("lesson:{}", e.lesson), |d| d.sections.push(e.evidence))
            }
        }
    }

    fn fold_engagement(&mut self, event: &RecordedEvent, engagement: EngagementEvent) -> Result<(), ProjectionError> {
        match engagement {
            EngagementEvent::Started(e) => {
                self.put(SearchDocument {
                    id: format!("engagement:{}", e.engagement),
                    kind: DocumentKind::Engagement,
                    entity: e.engagement.to_string(),
                    municipality: Some(e.municipality.to_string()),
                    units: e.unit.map(|u| vec![u.to_string()]).unwrap_or_default(),
                    experiment: e.experiment.map(|x| x.to_string()),
                    tags: Vec::new(),
                    date: SearchDocument::day(e.started),
                    title: None,
                    sections: Vec::new(),
                });
                Ok(())
            }
            EngagementEvent::NoteRecorded(e) => {
                let context = self.existing(event, &format!("engagement:{}", e.engagement))?;
                // Only the structured, shareable review; `e.personal` is never read here.
                self.put(SearchDocument {
                    id: format!("note:{}", e.note),
                    kind: DocumentKind::Note,
                    entity: e.note.to_string(),
                    municipality: context.municipality,
                    units: context.units,
                    experiment: context.experiment,
                    tags: Vec::new(),
                    date: when(event),
                    title: None,
                    sections: vec![e.planned, e.happened, e.why_different, e.keep_or_change],
                });
                Ok(())
            }
            EngagementEvent::SessionHeld(_)
            | EngagementEvent::ActionAgreed(_)
            | EngagementEvent::ActionCompleted(_)
            | EngagementEvent::Closed(_) => Ok(()),
        }
    }

    fn fold_experiment(&mut self, event: &RecordedEvent, experiment: ExperimentEvent) -> Result<(), ProjectionError> {
        let key = |id: &domain::ExperimentId| format!("experiment:{id}");
        match experiment {
            ExperimentEvent::Proposed(e) => {
                let mut document = SearchDocument {
                    id: key(&e.experiment),
                    kind: DocumentKind::Experiment,
                    entity: e.experiment.to_string(),
                    municipality: Some(e.municipality.to_string()),
                    units: e.units.iter().map(ToString::to_string).collect(),
                    experiment: Some(e.experiment.to_string()),
                    tags: Vec::new(),
                    date: SearchDocument::day(e.proposed),
                    title: Some(e.name),
                    sections: vec![e.problem, e.hypothesis],
                };
                for theme in &e.themes {
                    document.add_tag(theme);
                }
                self.put(document);
                Ok(())
            }
            ExperimentEvent::Approved(e) => self.update(event, &key(&e.experiment), |d| {
                d.sections.extend([e.scope.group, e.scope.place, e.decision.decision_text]);
            }),
            ExperimentEvent::StageChanged(e) => match e.reason {
                Some(reason) => self.update(event, &key(&e.experiment), |d| d.sections.push(reason)),
                None => Ok(()),
            },
            ExperimentEvent::Concluded(e) => self.update(event, &key(&e.experiment), |d| d.sections.push(e.summary)),
            ExperimentEvent::OutcomeAssessed(e) => {
                let parent = self.existing(event, &key(&e.experiment))?;
                let criterion = criterion_title(e.criterion);
                let title = parent.title.as_ref().map(|name| LocalizedText {
                    fi: format!("{} – {}", name.fi, criterion.fi),
                    sv: name.sv.as_ref().map(|sv| format!("{sv} – {}", criterion.sv.as_deref().unwrap_or_default())),
                    en: name.en.as_ref().map(|en| format!("{en} – {}", criterion.en.as_deref().unwrap_or_default())),
                });
                self.put(SearchDocument {
                    id: format!("outcome:{}:{}", e.experiment, e.criterion),
                    kind: DocumentKind::Outcome,
                    entity: e.experiment.to_string(),
                    municipality: parent.municipality,
                    units: parent.units,
                    experiment: Some(e.experiment.to_string()),
                    tags: parent.tags,
                    date: SearchDocument::day(e.assessed),
                    title,
                    sections: vec![e.summary],
                });
                Ok(())
            }
            ExperimentEvent::ProtocolDefined(_)
            | ExperimentEvent::BaselineEstablished(_)
            | ExperimentEvent::MeasurementRecorded(_) => Ok(()),
        }
    }

    fn fold_observation(
        &mut self,
        event: &RecordedEvent,
        observation: ObservationEvent,
    ) -> Result<(), ProjectionError> {
        let ObservationEvent::Submitted(e) = observation;
        // An observation takes its unit, experiment and themes from where it was seen, when that
        // is indexed: an experiment, or a coaching engagement (as its notes do).
        let context = match &e.source {
            LessonSource::Experiment(id) => self.optional(&format!("experiment:{id}"))?,
            LessonSource::Engagement(id) => self.optional(&format!("engagement:{id}"))?,
            LessonSource::Campaign(_) => None,
        };
        let experiment = match &e.source {
            LessonSource::Experiment(id) => Some(id.to_string()),
            _ => context.as_ref().and_then(|c| c.experiment.clone()),
        };
        let (units, tags) = context.map(|c| (c.units, c.tags)).unwrap_or_default();
        self.put(SearchDocument {
            id: format!("observation:{}", e.observation),
            kind: DocumentKind::Observation,
            entity: e.observation.to_string(),
            municipality: Some(e.municipality.to_string()),
            units,
            experiment,
            tags,
            date: when(event),
            title: None,
            sections: std::iter::once(e.text).chain(e.conditions).collect(),
        });
        Ok(())
    }

    fn fold_communication(&mut self, communication: CommunicationEvent) -> Result<(), ProjectionError> {
        let CommunicationEvent::Published(e) = communication;
        // The first experiment it tells about is its experiment; its units and themes come
        // from that experiment's document when it is indexed.
        let experiment = e.links.iter().find_map(|link| match link {
            CommunicationLink::Experiment(id) => Some(*id),
            CommunicationLink::Lesson(_) | CommunicationLink::Practice(_) => None,
        });
        let context = match &experiment {
            Some(id) => self.optional(&format!("experiment:{id}"))?,
            None => None,
        };
        let (units, tags) = context.map(|c| (c.units, c.tags)).unwrap_or_default();
        self.put(SearchDocument {
            id: format!("communication:{}", e.communication),
            kind: DocumentKind::Communication,
            entity: e.communication.to_string(),
            municipality: Some(e.municipality.to_string()),
            units,
            experiment: experiment.map(|id| id.to_string()),
            tags,
            date: SearchDocument::day(e.published),
            title: Some(e.title),
            sections: vec![e.body],
        });
        Ok(())
    }

    fn fold_practice(&mut self, event: &RecordedEvent, practice: PracticeEvent) -> Result<(), ProjectionError> {
        let key = format!("practice:{}", practice.practice());
        match practice {
            PracticeEvent::Drafted(e) => {
                let experiment = e.evidence.iter().find_map(|link| match link {
                    EvidenceLink::Outcome { experiment, .. } | EvidenceLink::Experiment { experiment } => {
                        Some(experiment.to_string())
                    }
                    _ => None,
                });
                let mut sections = vec![e.context];
                sections.extend(e.options_considered);
                sections.push(e.chosen_option);
                sections.extend(e.consequences.positive);
                sections.extend(e.consequences.negative);
                let mut document = SearchDocument {
                    id: key,
                    kind: DocumentKind::Practice,
                    entity: e.practice.to_string(),
                    municipality: Some(e.municipality.to_string()),
                    units: Vec::new(),
                    experiment,
                    tags: Vec::new(),
                    date: when(event),
                    title: Some(e.title),
                    sections,
                };
                for tag in &e.tags {
                    document.add_tag(tag.as_str());
                }
                self.put(document);
                Ok(())
            }
            PracticeEvent::Decided(e) => {
                let parent = self.existing(event, &key)?;
                let mut sections = vec![e.motion, e.decision];
                sections.extend(e.rationale);
                self.put(SearchDocument {
                    id: format!("decision:{}:v{}:{}:{}", e.practice, e.version, e.meeting_date, e.section.get()),
                    kind: DocumentKind::Decision,
                    entity: e.practice.to_string(),
                    municipality: parent.municipality,
                    units: parent.units,
                    experiment: parent.experiment,
                    tags: parent.tags,
                    date: SearchDocument::day(e.meeting_date),
                    title: parent.title,
                    sections,
                });
                Ok(())
            }
            PracticeEvent::Revised(e) => self.update(event, &key, |d| d.sections.extend([e.what_changed, e.reason])),
            PracticeEvent::Anchored(e) => self.update(event, &key, |d| {
                d.add_unit(e.owner_unit.to_string());
                d.sections.push(e.target);
            }),
            PracticeEvent::ImplementationProgressed(e) => match e.note {
                Some(note) => self.update(event, &key, |d| d.sections.push(note)),
                None => Ok(()),
            },
            PracticeEvent::Retired(e) => self.update(event, &key, |d| d.sections.push(e.reason)),
            PracticeEvent::AdoptionReported(e) => match e.note {
                Some(note) => self.update(event, &key, |d| d.sections.push(note)),
                None => Ok(()),
            },
            PracticeEvent::Submitted(_) | PracticeEvent::Superseded(_) | PracticeEvent::Shared(_) => Ok(()),
        }
    }
}
