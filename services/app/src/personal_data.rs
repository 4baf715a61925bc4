//! Personal data: a coaching engagement's notes, whose personal text goes only to the
//! engagement's coach and coachees, and the access log every such read is written to first.
//!
//! [`read_coaching_notes`] loads the engagement from the event store through the domain
//! (`EngagementState::evolve` over its stream), never from a read model, so who may read is
//! decided on the engagement as it is now. The caller needs [`Action::Read`] on the
//! engagement's municipality to see the notes' shareable parts; their personal text is
//! included only when [`authorize`] allows [`Action::ReadPersonalText`] on it as personal to
//! the coach and coachees. A read that includes personal text is appended to the access log
//! ([`PersonalDataRead`]) before it is returned: if the append fails, the read fails, so no
//! personal text is ever sent unlogged.

use chrono::{DateTime, NaiveDate, Utc};
use kirjuri_domain::Aggregate;
use kirjuri_domain::coaching::EngagementState;
use kirjuri_events::domain::access_log::{AccessLogEvent, PersonalData, PersonalDataRead, Purpose};
use kirjuri_events::domain::coaching::{EngagementEvent, NoteId, NoteRecorded, PersonalText};
use kirjuri_events::domain::{AccessLogId, DecodeError, EngagementId, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Revision, StreamName};
use kirjuri_integrity::personal::{Opened, SubjectKeys, open_sealed};
use kirjuri_store::{EventStore, ReadStreamOptions, StoreError};

use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Denied, Resource, authorize};

/// Events read per page while loading an engagement.
const LOAD_PAGE: usize = 1_000;

/// An engagement's notes as one caller may see them.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachingNotes {
    /// The engagement.
    pub engagement: EngagementId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The engagement stream's revision the notes were read at.
    pub revision: Revision,
    /// Whether the caller is the coach or a coachee, so personal text is included.
    pub personal_text_included: bool,
    /// The notes, in the order they were recorded; `personal` is `None` when withheld.
    pub notes: Vec<CoachingNote>,
    /// The access-log entry written for this read, when personal text was included.
    pub logged: Option<EventId>,
}

/// One note: its shareable review and, for the coach and coachees, its personal text.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachingNote {
    /// The recorded note (its `personal` already removed when withheld).
    pub note: NoteRecorded,
    /// The date of the session it is about.
    pub session_date: Option<NaiveDate>,
    /// Whether the note had personal text that was withheld from this caller.
    pub personal_withheld: bool,
    /// Whether the note's personal text was erased (a person it is about had their data erased):
    /// it is gone for everyone, for good.
    pub personal_erased: bool,
}

/// Why the notes cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PersonalDataError {
    /// No such engagement.
    #[error("no such engagement")]
    NotFound,
    /// [`authorize`] refused (another municipality's engagement is [`Denied::OtherTenant`]).
    #[error(transparent)]
    Denied(Denied),
    /// A stored event of the engagement does not decode.
    #[error("`{stream}` holds an event that cannot be read: {source}")]
    Undecodable {
        /// The stream.
        stream: StreamName,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// Sealed personal text does not open (its key store is damaged, or the text was altered).
    #[error("sealed personal text does not open: {0}")]
    Sealed(String),
    /// The store failed: reading the engagement or logging the read (then nothing is sent).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The engagement's state and its notes with their sessions' dates, as stored.
struct LoadedEngagement {
    state: EngagementState,
    revision: Option<Revision>,
    /// Each note with the id of the event that recorded it (sealed text is bound to it).
    notes: Vec<(NoteRecorded, EventId)>,
}

async fn load_engagement(store: &dyn EventStore, stream: &StreamName) -> Result<LoadedEngagement, PersonalDataError> {
    let mut loaded = LoadedEngagement { state: EngagementState::default(), revision: None, notes: Vec::new() };
    loop {
        let from = loaded.revision.map_or(Revision(0), Revision::next);
        let page = store.read_stream(stream, ReadStreamOptions::forward(LOAD_PAGE).from(from)).await?;
        for recorded in &page {
            let event = EngagementState::decode(recorded)
                .map_err(|source| PersonalDataError::Undecodable { stream: stream.clone(), source })?;
            loaded.state.evolve(&event);
            if let EngagementEvent::NoteRecorded(note) = event {
                loaded.notes.push((note, recorded.id));
            }
            loaded.revision = Some(recorded.revision);
        }
        if page.len() < LOAD_PAGE {
            return Ok(loaded);
        }
    }
}

/// Reads `engagement`'s notes for `principal`, logging the read first when it includes personal
/// text; `now` is the moment recorded as the read's time.
pub async fn read_coaching_notes(
    store: &dyn EventStore,
    keys: Option<&SubjectKeys>,
    principal: &Principal,
    engagement: EngagementId,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<CoachingNotes, PersonalDataError> {
    let loaded = load_engagement(store, &engagement.stream()).await?;
    let (Some(municipality), Some(revision)) = (loaded.state.municipality, loaded.revision) else {
        return Err(PersonalDataError::NotFound);
    };
    authorize(principal, Action::Read, &Resource::of(municipality)).map_err(PersonalDataError::Denied)?;
    let participants = loaded.state.coach.iter().chain(&loaded.state.coachees).map(|p| p.as_str().to_owned());
    let personal_text_included =
        authorize(principal, Action::ReadPersonalText, &Resource::of(municipality).personal_to(participants)).is_ok();

    let sessions = &loaded.state.sessions;
    let mut notes = Vec::with_capacity(loaded.notes.len());
    let mut read_personal: Vec<NoteId> = Vec::new();
    for (mut note, event) in loaded.notes {
        let session_date = sessions.get(&note.session).copied();
        let had_personal = note.personal.is_some();
        let mut personal_erased = false;
        let mut personal_withheld = had_personal && !personal_text_included;
        if personal_text_included {
            match note.personal.take().map(|personal| open_personal(personal, keys, event)).transpose()? {
                Some(Some(opened)) => {
                    note.personal = Some(opened);
                    read_personal.push(note.note);
                }
                Some(None) if keys.is_some() => personal_erased = true,
                // No key store on this server: the text cannot be opened here.
                Some(None) => personal_withheld = true,
                None => {}
            }
        } else {
            note.personal = None::<PersonalText>;
        }
        notes.push(CoachingNote { note, session_date, personal_withheld, personal_erased });
    }

    let logged = if read_personal.is_empty() {
        None
    } else {
        let what = PersonalData::CoachingNotes { engagement, notes: read_personal };
        Some(log_read(store, principal, municipality, what, purpose, now).await?)
    };
    Ok(CoachingNotes { engagement, municipality, revision, personal_text_included, notes, logged })
}

/// The note's personal text opened with its subjects' keys: `None` when it was erased (or no key
/// store is at hand); text stored in the clear by an older kirjuri is answered as it is.
fn open_personal(
    mut personal: PersonalText,
    keys: Option<&SubjectKeys>,
    event: EventId,
) -> Result<Option<PersonalText>, PersonalDataError> {
    let Some(sealed) = personal.sealed.take() else {
        return Ok(Some(personal));
    };
    let Some(keys) = keys else { return Ok(None) };
    let subjects: Vec<String> = personal.subjects.iter().map(|s| s.as_str().to_owned()).collect();
    match open_sealed(&sealed, &subjects, event, "/personal", keys) {
        Ok(Opened::Text(text)) => {
            personal.text = text;
            Ok(Some(personal))
        }
        Ok(Opened::Erased) => Ok(None),
        Err(error) => Err(PersonalDataError::Sealed(error.to_string())),
    }
}

/// Appends one read to the reader's access-log stream of the day (`Any`: never a conflict).
async fn log_read(
    store: &dyn EventStore,
    principal: &Principal,
    municipality: MunicipalityId,
    data: PersonalData,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<EventId, PersonalDataError> {
    let event = AccessLogEvent::PersonalDataRead(PersonalDataRead {
        municipality,
        reader: principal.subject.clone(),
        reader_person: principal.person.clone(),
        data,
        purpose,
        read_at: now,
    });
    let metadata = EventMetadata {
        actor: Some(principal.subject.clone()),
        tenant: Some(municipality.to_string()),
        ..EventMetadata::default()
    };
    // Every read is its own fact: a fresh id, so reading twice is logged twice.
    let id = EventId(uuid::Uuid::new_v4());
    let new_event = event.to_new_event(id, metadata).map_err(|error| StoreError::InvalidArgument {
        field: "event",
        rule: format!("could not be encoded: {error}"),
    })?;
    let stream = AccessLogId::of_reader_on(municipality, &principal.subject, now.date_naive()).stream();
    store.append(&stream, ExpectedRevision::Any, vec![new_event]).await?;
    Ok(id)
}
