//! What the store benchmark writes: lesson events of the city's programme (Finnish text, about
//! 500 bytes of JSON each, with actor, tenant and correlation metadata), and the streams they go to.

use chrono::Utc;
use kirjuri_events::{
    EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent, Revision, StreamCategory, StreamName,
};
use serde::Serialize;
use uuid::Uuid;

const TITLES: [&str; 8] = [
    "Digitaalisen asioinnin palvelupolun yhtenäistäminen",
    "Kokeilu: tekoälyavusteinen neuvonta pääkirjastossa",
    "Sähköisen ajanvarauksen käyttöönotto terveysasemilla",
    "Avoimen datan rajapinnan julkaiseminen kehittäjille",
    "Etäosallistumisen käytännöt lautakuntien kokouksissa",
    "Asukaspalautteen käsittelyn automatisointi",
    "Koulujen oppimisalustojen yhteiskäytön periaatteet",
    "Paperilomakkeiden korvaaminen saavutettavilla verkkolomakkeilla",
];

const BODIES: [&str; 6] = [
    "Kokeilussa huomattiin, että asukkaat keskeyttivät asioinnin useimmiten tunnistautumisen kohdalla. \
     Kun ohjeet kirjoitettiin selkokielellä ja vaiheet yhdistettiin, keskeytykset vähenivät selvästi.",
    "Henkilöstö tarvitsi koulutusta ennen käyttöönottoa; pelkkä ohjevideo ei riittänyt. Parhaiten toimi \
     vertaistuki, jossa kokeneempi työntekijä opasti uutta käyttäjää oman työn lomassa.",
    "Palvelun käyttöaste nousi vasta, kun siitä kerrottiin kirjastojen ja asukastalojen ilmoitustauluilla. \
     Verkkoviestintä yksin tavoitti lähinnä jo valmiiksi digitaitoiset asukkaat.",
    "Tietosuojan vaikutustenarviointi kannatti tehdä heti alussa. Myöhemmin tehtynä se olisi vaatinut \
     muutoksia jo hankittuun järjestelmään ja viivästyttänyt käyttöönottoa kuukausilla.",
    "Kokeilun mittarit sovittiin yhdessä palvelun omistajan kanssa ennen aloitusta, joten tuloksista ei \
     tarvinnut kiistellä jälkikäteen. Vertailuryhmänä käytettiin naapurikaupunginosan asiointia.",
    "Saavutettavuustestaus käyttäjien kanssa paljasti ongelmia, joita automaattinen tarkistus ei löytänyt: \
     ruudunlukijalla lomakkeen virheilmoitukset jäivät kuulematta ja painikkeiden nimet olivat epäselviä.",
];

const DEPARTMENTS: [&str; 5] = [
    "kasvatuksen ja koulutuksen toimiala",
    "sosiaali- ja terveystoimiala",
    "kulttuurin ja vapaa-ajan toimiala",
    "kaupunkiympäristön toimiala",
    "keskushallinto",
];

const TAGS: [&str; 7] = ["saavutettavuus", "asiointi", "tietosuoja", "koulutus", "kokeilu", "avoin data", "viestintä"];

const TENANTS: [&str; 8] = ["helsinki", "espoo", "tampere", "vantaa", "oulu", "turku", "kuopio", "jyvaskyla"];

const ACTORS: [&str; 5] =
    ["user:anna.virtanen", "user:mikko.korhonen", "user:aino.nieminen", "user:juha.makinen", "system:import"];

const EVENT_TYPES: [&str; 4] = ["LessonIdentified", "LessonRefined", "LessonShared", "LessonApplied"];

/// The data of one lesson event as a caller would serialise it.
#[derive(Serialize)]
struct LessonData<'a> {
    lesson_id: Uuid,
    sequence: u64,
    title: &'a str,
    body: &'a str,
    department: &'a str,
    tags: [&'a str; 2],
}

/// Makes lesson events one after another, varying text, type, tenant and actor.
pub struct LessonEvents {
    sequence: u64,
    category: StreamCategory,
    event_types: Vec<EventType>,
}

impl LessonEvents {
    /// A factory whose sequence numbers start at `first_sequence` (give each writer its own range).
    pub fn starting_at(first_sequence: u64) -> anyhow::Result<Self> {
        let event_types = EVENT_TYPES.iter().map(|name| EventType::parse(name)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { sequence: first_sequence, category: StreamCategory::parse("lesson")?, event_types })
    }

    /// The name of a fresh lesson stream (time-ordered id).
    pub fn new_stream(&self) -> StreamName {
        StreamName::new(&self.category, Uuid::now_v7())
    }

    /// The next event, caused by the command `command_id` (also its correlation id).
    pub fn next_event(&mut self, command_id: Uuid) -> anyhow::Result<NewEvent> {
        let sequence = self.sequence;
        self.sequence += 1;
        let pick = |len: usize, stride: u64| ((sequence / stride) % len as u64) as usize;
        let data = LessonData {
            lesson_id: command_id,
            sequence,
            title: TITLES[pick(TITLES.len(), 1)],
            body: BODIES[pick(BODIES.len(), 3)],
            department: DEPARTMENTS[pick(DEPARTMENTS.len(), 7)],
            tags: [TAGS[pick(TAGS.len(), 1)], TAGS[pick(TAGS.len(), 5)]],
        };
        let metadata = EventMetadata {
            actor: Some(ACTORS[pick(ACTORS.len(), 11)].to_owned()),
            tenant: Some(TENANTS[pick(TENANTS.len(), 13)].to_owned()),
            correlation_id: Some(command_id),
            causation_id: Some(command_id),
            occurred_at: Some(Utc::now()),
            request_digest: None,
        };
        let event_type = self.event_types[pick(self.event_types.len(), 1)].clone();
        Ok(NewEvent::new(EventId(Uuid::now_v7()), event_type, EventPayload::from_value(&data)?).with_metadata(metadata))
    }

    /// `count` events caused by one command, as one append carries them.
    pub fn batch(&mut self, count: usize) -> anyhow::Result<Vec<NewEvent>> {
        let command_id = Uuid::now_v7();
        (0..count).map(|_| self.next_event(command_id)).collect()
    }
}

/// A fixed set of streams written in turn, with each stream's last revision kept in memory so
/// that every append states its expected revision exactly, as a real caller does.
pub struct StreamRotation {
    streams: Vec<StreamName>,
    last_revisions: Vec<Option<Revision>>,
    next_slot: usize,
}

impl StreamRotation {
    /// `count` fresh streams, none written yet.
    pub fn new(lessons: &LessonEvents, count: usize) -> Self {
        let count = count.max(1);
        Self {
            streams: (0..count).map(|_| lessons.new_stream()).collect(),
            last_revisions: vec![None; count],
            next_slot: 0,
        }
    }

    /// The slot of the stream to write next.
    pub fn next_slot(&mut self) -> usize {
        let slot = self.next_slot;
        self.next_slot = (self.next_slot + 1) % self.streams.len();
        slot
    }

    /// The stream in `slot`.
    pub fn stream(&self, slot: usize) -> &StreamName {
        &self.streams[slot]
    }

    /// What an append to `slot` expects.
    pub fn expected(&self, slot: usize) -> ExpectedRevision {
        match self.last_revisions[slot] {
            Some(revision) => ExpectedRevision::Exact(revision),
            None => ExpectedRevision::NoStream,
        }
    }

    /// The revision the next event of `slot` gets.
    pub fn next_revision(&self, slot: usize) -> u64 {
        self.last_revisions[slot].map_or(0, |revision| revision.0 + 1)
    }

    /// Records that `slot`'s stream now ends at `last`.
    pub fn appended(&mut self, slot: usize, last: Revision) {
        self.last_revisions[slot] = Some(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_payloads_are_about_500_bytes_of_json_with_full_metadata() {
        let mut lessons = LessonEvents::starting_at(0).expect("valid names");
        for _ in 0..200 {
            let event = lessons.next_event(Uuid::now_v7()).expect("serialises");
            let size = event.encoded_len();
            assert!((400..=800).contains(&size), "event of {size} bytes");
            assert!((380..=620).contains(&event.data.len()), "payload of {} bytes", event.data.len());
            assert!(event.metadata.actor.is_some() && event.metadata.tenant.is_some());
            assert!(event.metadata.correlation_id.is_some());
        }
    }

    #[test]
    fn a_rotation_expects_no_stream_first_and_then_the_last_revision() {
        let lessons = LessonEvents::starting_at(0).expect("valid names");
        let mut rotation = StreamRotation::new(&lessons, 2);
        let first = rotation.next_slot();
        assert_eq!(rotation.expected(first), ExpectedRevision::NoStream);
        rotation.appended(first, Revision(4));
        assert_eq!(rotation.next_slot(), 1);
        assert_eq!(rotation.next_slot(), first);
        assert_eq!(rotation.expected(first), ExpectedRevision::Exact(Revision(4)));
        assert_eq!(rotation.next_revision(first), 5);
    }
}
