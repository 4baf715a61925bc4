//! The strings of the auditor's pages: the timeline (with its as-of moment and export), an
//! entity's audit trail, its state as of a moment, the difference between two moments, and the
//! personal-data access log.

use super::Lang;

/// The strings of the auditor's pages in one language.
#[derive(Debug)]
pub struct AuditTexts {
    /// The timeline page's title.
    pub timeline_title: &'static str,
    /// What the timeline is.
    pub timeline_intro: &'static str,
    /// The link downloading a record's evidence bundle.
    pub bundle_download: &'static str,
    /// The record's integrity section's heading.
    pub integrity_title: &'static str,
    /// The latest signed checkpoint: (events, time).
    pub integrity_checkpoint: fn(u64, &str) -> String,
    /// No checkpoint yet.
    pub integrity_none: &'static str,
    /// How to check it.
    pub integrity_how: &'static str,
    /// A witness's cosignature: (witness, events, time).
    pub integrity_cosigned: fn(&str, u64, &str) -> String,
    /// No witness has cosigned.
    pub integrity_no_witness: &'static str,
    /// An alarm raised while witnessing a partner: (partner, what, time).
    pub integrity_alarm: fn(&str, &str, &str) -> String,
    /// The filter form's heading.
    pub filters: &'static str,
    /// The entity kind filter.
    pub kind: &'static str,
    /// "Any" (an unset choice).
    pub any: &'static str,
    /// The event type filter.
    pub event_type: &'static str,
    /// Its hint.
    pub event_type_hint: &'static str,
    /// The actor filter.
    pub actor: &'static str,
    /// Its hint.
    pub actor_hint: &'static str,
    /// The unit filter.
    pub unit: &'static str,
    /// The experiment filter.
    pub experiment: &'static str,
    /// The hint of the id fields.
    pub id_hint: &'static str,
    /// Recorded from (a day).
    pub from_day: &'static str,
    /// Recorded until (a day).
    pub to_day: &'static str,
    /// Apply the filters.
    pub apply_filters: &'static str,
    /// Clear the filters.
    pub clear_filters: &'static str,
    /// The as-of section's heading.
    pub as_of_heading: &'static str,
    /// What as-of does.
    pub as_of_intro: &'static str,
    /// The as-of day field.
    pub as_of_day: &'static str,
    /// The slider's label.
    pub as_of_position: &'static str,
    /// "Show" (the as-of buttons).
    pub show: &'static str,
    /// The position the slider stands at, and the range it covers.
    pub position_range: fn(u64, u64, u64) -> String,
    /// The timeline shown as of a moment.
    pub showing_as_of: fn(&str) -> String,
    /// The timeline shown up to a position.
    pub showing_up_to_position: fn(u64) -> String,
    /// Back to the present.
    pub back_to_now: &'static str,
    /// The export links' heading.
    pub export: &'static str,
    /// Export as CSV.
    pub export_csv: &'static str,
    /// Export as JSON.
    pub export_json: &'static str,
    /// The events list's heading.
    pub events: &'static str,
    /// No events.
    pub no_events: &'static str,
    /// Position.
    pub position: &'static str,
    /// Recorded.
    pub recorded: &'static str,
    /// Entity.
    pub entity: &'static str,
    /// The user action (correlation).
    pub correlation: &'static str,
    /// Event id.
    pub event_id: &'static str,
    /// Its data.
    pub data: &'static str,
    /// The entity's state as of this event / the as-of moment.
    pub state_then: &'static str,
    /// Nobody (no actor recorded).
    pub nobody: &'static str,
    /// Paging's label.
    pub pages: &'static str,
    /// Earlier events.
    pub earlier: &'static str,
    /// Later events.
    pub later: &'static str,
    /// The oldest events.
    pub oldest: &'static str,
    /// The newest events.
    pub newest: &'static str,
    /// The audit trail page's title.
    pub trail_title: fn(&str) -> String,
    /// The trail's link from the other pages.
    pub trail: &'static str,
    /// The state page's title.
    pub state_title: fn(&str) -> String,
    /// The state page's moment field.
    pub as_of_field: &'static str,
    /// Its hint.
    pub as_of_hint: &'static str,
    /// The moment shown: now.
    pub now: &'static str,
    /// The state's fields (caption).
    pub fields_caption: fn(&str) -> String,
    /// Field.
    pub field: &'static str,
    /// Value.
    pub value: &'static str,
    /// Revision and event count.
    pub revision_summary: fn(u64, usize) -> String,
    /// The entity did not exist yet.
    pub did_not_exist: &'static str,
    /// The difference page's title.
    pub diff_title: fn(&str) -> String,
    /// Compare with now.
    pub compare_with_now: &'static str,
    /// From (a moment).
    pub diff_from: &'static str,
    /// To (a moment).
    pub diff_to: &'static str,
    /// The to field's hint.
    pub diff_to_hint: &'static str,
    /// Compare.
    pub compare: &'static str,
    /// Choose two moments.
    pub choose_moments: &'static str,
    /// The changes' caption.
    pub changes_caption: &'static str,
    /// Before.
    pub before: &'static str,
    /// After.
    pub after: &'static str,
    /// Nothing changed.
    pub no_changes: &'static str,
    /// The events between.
    pub events_between: &'static str,
    /// More events than shown.
    pub more_events: &'static str,
    /// No value.
    pub empty_value: &'static str,
    /// The access log's title.
    pub access_log_title: &'static str,
    /// What the access log is.
    pub access_log_intro: &'static str,
    /// The reader filter.
    pub reader: &'static str,
    /// Its hint.
    pub reader_hint: &'static str,
    /// The access log table's caption.
    pub access_log_caption: &'static str,
    /// Read at.
    pub read_at: &'static str,
    /// The reader's pseudonymous person.
    pub reader_person: &'static str,
    /// What was read.
    pub what_was_read: &'static str,
    /// Why.
    pub purpose: &'static str,
    /// No reads.
    pub no_reads: &'static str,
    /// Older reads.
    pub older: &'static str,
    /// The coaching notes of an engagement (n notes).
    pub coaching_notes: fn(usize) -> String,
    /// An entity kind's name.
    pub kind_name: fn(&str) -> &'static str,
}

/// The strings of `lang`.
pub fn texts(lang: Lang) -> &'static AuditTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}

/// Finnish.
pub static FI: AuditTexts = AuditTexts {
    timeline_title: "Aikajana",
    timeline_intro: "Ohjelman kaikki kirjaukset järjestyksessä: kuka teki mitä ja milloin.",
    bundle_download: "Lataa todistepaketti",
    integrity_title: "Kirjauksen eheys",
    integrity_checkpoint: |events, at| {
        format!("Viimeisin allekirjoitettu tarkistuspiste kattaa {events} tapahtumaa ({at}).")
    },
    integrity_none: "Tarkistuspistettä ei ole vielä allekirjoitettu.",
    integrity_how: "Tarkista kirjaus komennolla kirjuri verify; todistepaketin kohteesta saa sen kirjausketjun sivulta tai rajapinnasta.",
    integrity_cosigned: |witness, events, at| format!("{witness} todisti {events} tapahtuman tarkistuspisteen ({at})."),
    integrity_no_witness: "Yksikään kumppanikunta ei ole vielä todistanut tarkistuspisteitä.",
    integrity_alarm: |partner, what, at| {
        format!(
            "HÄLYTYS: kumppanin {partner} kirjaus ei ole eheä: {what} ({at}). Tarkistuspistettä ei allekirjoitettu."
        )
    },
    filters: "Rajaa aikajanaa",
    kind: "Kohteen tyyppi",
    any: "Kaikki",
    event_type: "Tapahtuman tyyppi",
    event_type_hint: "Esimerkiksi PracticeDecided",
    actor: "Tekijä",
    actor_hint: "Esimerkiksi token:anna",
    unit: "Yksikkö",
    experiment: "Kokeilu",
    id_hint: "Tunniste (UUID)",
    from_day: "Kirjattu alkaen",
    to_day: "Kirjattu asti",
    apply_filters: "Rajaa",
    clear_filters: "Poista rajaukset",
    as_of_heading: "Näytä tilanne hetkellä",
    as_of_intro: "Aikajana näytetään valittuun hetkeen asti, ja kohteiden tilat sellaisina kuin ne silloin olivat.",
    as_of_day: "Päivä",
    as_of_position: "Sijainti tapahtumavirrassa",
    show: "Näytä",
    position_range: |value, min, max| format!("Sijainti {value} (välillä {min}–{max})"),
    showing_as_of: |moment| format!("Näytetään tilanne hetkellä {moment}."),
    showing_up_to_position: |position| format!("Näytetään tilanne tapahtumavirran sijaintiin {position} asti."),
    back_to_now: "Takaisin nykyhetkeen",
    export: "Vie näytetyt tapahtumat",
    export_csv: "CSV-tiedostona",
    export_json: "JSON-tiedostona",
    events: "Tapahtumat",
    no_events: "Ei tapahtumia näillä rajauksilla.",
    position: "Sijainti",
    recorded: "Kirjattu",
    entity: "Kohde",
    correlation: "Toimenpide",
    event_id: "Tapahtuman tunniste",
    data: "Tiedot",
    state_then: "Tila silloin",
    nobody: "(ei kirjattu)",
    pages: "Sivut",
    earlier: "Aiemmat",
    later: "Myöhemmät",
    oldest: "Vanhimmat",
    newest: "Uusimmat",
    trail_title: |entity| format!("Kirjausketju: {entity}"),
    trail: "Kirjausketju",
    state_title: |entity| format!("Tila: {entity}"),
    as_of_field: "Hetki",
    as_of_hint: "Päivä (2025-03-31), aikaleima (RFC 3339) tai sijainti (1234.1234). Tyhjä: nyt.",
    now: "nyt",
    fields_caption: |moment| format!("Kentät hetkellä {moment}"),
    field: "Kenttä",
    value: "Arvo",
    revision_summary: |revision, count| format!("Versio {revision}, {count} tapahtumaa"),
    did_not_exist: "Kohdetta ei ollut vielä olemassa tuolla hetkellä.",
    diff_title: |entity| format!("Muutokset: {entity}"),
    compare_with_now: "Vertaa nykyhetkeen",
    diff_from: "Alkaen",
    diff_to: "Asti",
    diff_to_hint: "Tyhjä: nyt.",
    compare: "Vertaa",
    choose_moments: "Valitse kaksi hetkeä: päivä (2025-03-31), aikaleima tai sijainti (1234.1234).",
    changes_caption: "Muuttuneet kentät",
    before: "Ennen",
    after: "Jälkeen",
    no_changes: "Mikään kenttä ei muuttunut.",
    events_between: "Tapahtumat välillä",
    more_events: "Tapahtumia on enemmän kuin tässä näytetään; kaikki ovat kirjausketjussa.",
    empty_value: "(tyhjä)",
    access_log_title: "Henkilötietojen käyttöloki",
    access_log_intro: "Kuka luki mitäkin henkilötietoja, milloin ja miksi.",
    reader: "Lukija",
    reader_hint: "Esimerkiksi token:anna",
    access_log_caption: "Henkilötietojen luvut, uusimmat ensin",
    read_at: "Luettu",
    reader_person: "Henkilö",
    what_was_read: "Mitä luettiin",
    purpose: "Peruste",
    no_reads: "Ei lukuja näillä rajauksilla.",
    older: "Vanhemmat",
    coaching_notes: |count| {
        if count == 1 { "1 valmennusmuistiinpano".to_owned() } else { format!("{count} valmennusmuistiinpanoa") }
    },
    kind_name: |kind| match kind {
        "municipality" => "Kunta",
        "unit" => "Yksikkö",
        "body" => "Toimielin",
        "framework" => "Arviointikehys",
        "campaign" => "Arviointikierros",
        "engagement" => "Valmennus",
        "communication" => "Viestintä",
        "experiment" => "Kokeilu",
        "observation" => "Havainto",
        "lesson" => "Oppi",
        "practice" => "Hyvä käytäntö",
        "access_log" => "Käyttöloki",
        "apitoken" | "api_token" => "API-tunniste",
        "user" => "Käyttäjä",
        _ => "Muu",
    },
};

/// English.
pub static EN: AuditTexts = AuditTexts {
    timeline_title: "Timeline",
    timeline_intro: "Everything recorded in the programme, in order: who did what, and when.",
    bundle_download: "Download the evidence bundle",
    integrity_title: "Integrity of the record",
    integrity_checkpoint: |events, at| format!("The latest signed checkpoint covers {events} events ({at})."),
    integrity_none: "No checkpoint has been signed yet.",
    integrity_how: "Check the record with kirjuri verify; a record's evidence bundle is on its audit trail page or in the API.",
    integrity_cosigned: |witness, events, at| format!("{witness} witnessed the checkpoint of {events} events ({at})."),
    integrity_no_witness: "No partner municipality has witnessed a checkpoint yet.",
    integrity_alarm: |partner, what, at| {
        format!("ALARM: partner {partner}'s record is not consistent: {what} ({at}). Its checkpoint was not cosigned.")
    },
    filters: "Filter the timeline",
    kind: "Kind of record",
    any: "Any",
    event_type: "Event type",
    event_type_hint: "For example PracticeDecided",
    actor: "Actor",
    actor_hint: "For example token:anna",
    unit: "Unit",
    experiment: "Experiment",
    id_hint: "An id (UUID)",
    from_day: "Recorded from",
    to_day: "Recorded until",
    apply_filters: "Filter",
    clear_filters: "Clear the filters",
    as_of_heading: "Show as of a moment",
    as_of_intro: "The timeline up to the chosen moment, and records as they stood then.",
    as_of_day: "Day",
    as_of_position: "Position in the event stream",
    show: "Show",
    position_range: |value, min, max| format!("Position {value} (of {min}–{max})"),
    showing_as_of: |moment| format!("Showing the programme as of {moment}."),
    showing_up_to_position: |position| format!("Showing the programme up to position {position} of the event stream."),
    back_to_now: "Back to the present",
    export: "Export the events shown",
    export_csv: "as CSV",
    export_json: "as JSON",
    events: "Events",
    no_events: "No events match these filters.",
    position: "Position",
    recorded: "Recorded",
    entity: "Record",
    correlation: "User action",
    event_id: "Event id",
    data: "Data",
    state_then: "State then",
    nobody: "(not recorded)",
    pages: "Pages",
    earlier: "Earlier",
    later: "Later",
    oldest: "Oldest",
    newest: "Newest",
    trail_title: |entity| format!("Audit trail: {entity}"),
    trail: "Audit trail",
    state_title: |entity| format!("State: {entity}"),
    as_of_field: "Moment",
    as_of_hint: "A day (2025-03-31), a time (RFC 3339) or a position (1234.1234). Empty: now.",
    now: "now",
    fields_caption: |moment| format!("Fields as of {moment}"),
    field: "Field",
    value: "Value",
    revision_summary: |revision, count| format!("Revision {revision}, {count} events"),
    did_not_exist: "The record did not exist yet at that moment.",
    diff_title: |entity| format!("Changes: {entity}"),
    compare_with_now: "Compare with now",
    diff_from: "From",
    diff_to: "To",
    diff_to_hint: "Empty: now.",
    compare: "Compare",
    choose_moments: "Choose two moments: a day (2025-03-31), a time or a position (1234.1234).",
    changes_caption: "Fields that changed",
    before: "Before",
    after: "After",
    no_changes: "No field changed.",
    events_between: "Events in between",
    more_events: "There are more events than shown here; the audit trail has them all.",
    empty_value: "(empty)",
    access_log_title: "Personal-data access log",
    access_log_intro: "Who read which personal data, when and why.",
    reader: "Reader",
    reader_hint: "For example token:anna",
    access_log_caption: "Reads of personal data, newest first",
    read_at: "Read at",
    reader_person: "Person",
    what_was_read: "What was read",
    purpose: "Purpose",
    no_reads: "No reads match these filters.",
    older: "Older",
    coaching_notes: |count| if count == 1 { "1 coaching note".to_owned() } else { format!("{count} coaching notes") },
    kind_name: |kind| match kind {
        "municipality" => "Municipality",
        "unit" => "Unit",
        "body" => "Decision-making body",
        "framework" => "Assessment framework",
        "campaign" => "Assessment campaign",
        "engagement" => "Coaching engagement",
        "communication" => "Communication",
        "experiment" => "Experiment",
        "observation" => "Observation",
        "lesson" => "Lesson",
        "practice" => "Best practice",
        "access_log" => "Access log",
        "apitoken" | "api_token" => "API token",
        "user" => "User",
        _ => "Other",
    },
};
