//! The strings of the best-practice pages (`/practices`, `/practices/{id}`).

use kirjuri_events::domain::practice::PracticePhase;

use super::Lang;

/// The strings of the best-practice pages in one language.
#[derive(Debug)]
pub struct PracticesTexts {
    /// The list's heading and title.
    pub heading: &'static str,
    /// What the list is.
    pub intro: &'static str,
    /// The filter form's heading.
    pub filters: &'static str,
    /// Status field.
    pub status: &'static str,
    /// Any value (an empty select option).
    pub any: &'static str,
    /// Body field (the body that decided).
    pub body: &'static str,
    /// The body a practice was submitted to.
    pub submitted_to: &'static str,
    /// From-date field.
    pub from: &'static str,
    /// To-date field.
    pub to: &'static str,
    /// The dates' hint.
    pub dates_hint: &'static str,
    /// Tag field.
    pub tag: &'static str,
    /// Apply the filters.
    pub apply: &'static str,
    /// Clear the filters.
    pub clear: &'static str,
    /// The table's caption.
    pub caption: &'static str,
    /// Column: title.
    pub title: &'static str,
    /// Column: last decision.
    pub last_decision: &'static str,
    /// Column: tags.
    pub tags: &'static str,
    /// Column: progress.
    pub progress: &'static str,
    /// No decision yet.
    pub no_decision: &'static str,
    /// No practices match.
    pub none_found: &'static str,
    /// The marker of a practice shared by a partner.
    pub shared: &'static str,
    /// The longer note of a shared practice's page.
    pub shared_note: &'static str,
    /// Pagination's label.
    pub pages: &'static str,
    /// The first page.
    pub first_page: &'static str,
    /// The next page.
    pub next_page: &'static str,
    /// Back to the list.
    pub back_to_list: &'static str,
    /// The summary heading (the current text).
    pub summary: &'static str,
    /// Context (the problem).
    pub context: &'static str,
    /// Options considered.
    pub options: &'static str,
    /// The chosen option.
    pub chosen: &'static str,
    /// Consequences that improve things.
    pub positive: &'static str,
    /// Consequences that cost something.
    pub negative: &'static str,
    /// Version.
    pub version: &'static str,
    /// The history's heading.
    pub history: &'static str,
    /// The evidence heading inside the drafted step.
    pub evidence: &'static str,
    /// What cites this practice.
    pub cited_by: &'static str,
    /// Nothing cites it.
    pub nothing_cites: &'static str,
    /// Supersession heading.
    pub supersession: &'static str,
    /// It replaced these.
    pub replaces: &'static str,
    /// It was replaced by these.
    pub replaced_by: &'static str,
    /// The audit record's label.
    pub audit_record: &'static str,
    /// Event id.
    pub event: &'static str,
    /// Actor.
    pub actor: &'static str,
    /// Recorded at.
    pub recorded: &'static str,
    /// Unknown actor.
    pub unknown_actor: &'static str,
    /// Case number.
    pub case_number: &'static str,
    /// Section of the minutes.
    pub section: &'static str,
    /// Meeting date.
    pub meeting: &'static str,
    /// Resolution.
    pub resolution: &'static str,
    /// Motion.
    pub motion: &'static str,
    /// Decision text.
    pub decision: &'static str,
    /// Rationale.
    pub rationale: &'static str,
    /// Owner unit.
    pub owner_unit: &'static str,
    /// Effective from.
    pub effective_from: &'static str,
    /// Reference.
    pub reference: &'static str,
    /// What changed.
    pub what_changed: &'static str,
    /// Why.
    pub reason: &'static str,
    /// Partners.
    pub partners: &'static str,
    /// A note.
    pub note: &'static str,
    /// The heading of each step kind.
    pub step: fn(&str) -> &'static str,
    /// A status code's name.
    pub status_name: fn(PracticePhase) -> &'static str,
    /// A resolution code's name.
    pub resolution_name: fn(&str) -> &'static str,
    /// An anchoring's kind.
    pub anchor_kind: fn(&str) -> &'static str,
    /// An adoption status's name.
    pub adoption_status: fn(&str) -> &'static str,
    /// An evidence kind's name.
    pub evidence_kind: fn(&str) -> &'static str,
    /// An experiment's criterion.
    pub criterion: fn(&str) -> &'static str,
    /// "version n".
    pub version_n: fn(u32) -> String,
    /// "n % implemented".
    pub percent_done: fn(u8) -> String,
    /// "§ n".
    pub section_n: fn(u32) -> String,
    /// "n practices on this page".
    pub shown: fn(usize) -> String,
}

/// The strings of `lang`.
pub fn texts(lang: Lang) -> &'static PracticesTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}

/// Finnish.
pub static FI: PracticesTexts = PracticesTexts {
    heading: "Hyvät käytännöt",
    intro: "Ohjelman hyvät käytännöt ja kumppaneiden jakamat käytännöt, uusin ensin. Jokaisen käytännön historia näyttää, mihin näyttöön se perustuu ja kuka siitä päätti.",
    filters: "Rajaa käytäntöjä",
    status: "Tila",
    any: "Kaikki",
    body: "Päättänyt toimielin",
    submitted_to: "Toimielin",
    from: "Päätetty aikaisintaan",
    to: "Päätetty viimeistään",
    dates_hint: "Kokouspäivä muodossa VVVV-KK-PP.",
    tag: "Avainsana",
    apply: "Rajaa",
    clear: "Poista rajaukset",
    caption: "Hyvät käytännöt",
    title: "Käytäntö",
    last_decision: "Viimeisin päätös",
    tags: "Avainsanat",
    progress: "Toimeenpano",
    no_decision: "Ei päätöstä",
    none_found: "Rajauksia vastaavia käytäntöjä ei löytynyt.",
    shared: "Kumppanin jakama",
    shared_note: "Tämä on kumppanikunnan käytäntö, joka on jaettu kunnallenne. Voitte lukea sen, mutta ette muuttaa sitä.",
    pages: "Sivut",
    first_page: "Ensimmäinen sivu",
    next_page: "Seuraava sivu",
    back_to_list: "Takaisin käytäntöihin",
    summary: "Käytäntö lyhyesti",
    context: "Tilanne",
    options: "Harkitut vaihtoehdot",
    chosen: "Valittu vaihtoehto",
    positive: "Hyödyt",
    negative: "Haitat",
    version: "Versio",
    history: "Historia",
    evidence: "Näyttö",
    cited_by: "Mihin käytäntöön viitataan",
    nothing_cites: "Mikään ei vielä viittaa tähän käytäntöön.",
    supersession: "Korvaavuus",
    replaces: "Korvaa käytännöt",
    replaced_by: "Korvattu käytännöllä",
    audit_record: "Kirjaus",
    event: "Tapahtuma",
    actor: "Tekijä",
    recorded: "Kirjattu",
    unknown_actor: "tuntematon",
    case_number: "Diaarinumero",
    section: "Pykälä",
    meeting: "Kokous",
    resolution: "Päätös",
    motion: "Päätösehdotus",
    decision: "Päätösteksti",
    rationale: "Perustelu",
    owner_unit: "Vastuuyksikkö",
    effective_from: "Voimassa alkaen",
    reference: "Viite",
    what_changed: "Mikä muuttui",
    reason: "Miksi",
    partners: "Kumppanit",
    note: "Huomio",
    step: |kind| match kind {
        "drafted" => "Laadittu",
        "submitted" => "Esitetty päätettäväksi",
        "decided" => "Päätetty",
        "anchored" => "Vakiinnutettu",
        "progressed" => "Toimeenpano edennyt",
        "revised" => "Päivitetty",
        "superseded" => "Korvattu",
        "retired" => "Poistettu käytöstä",
        "shared" => "Jaettu kumppaneille",
        "adoption" => "Kumppani raportoi käyttöönotosta",
        _ => "Muu tapahtuma",
    },
    status_name: |status| match status {
        PracticePhase::Draft => "Luonnos",
        PracticePhase::Submitted => "Päätettävänä",
        PracticePhase::Passed => "Hyväksytty",
        PracticePhase::Rejected => "Hylätty",
        PracticePhase::Returned => "Palautettu valmisteluun",
        PracticePhase::Tabled => "Pöydällä",
        PracticePhase::Noted => "Merkitty tiedoksi",
        PracticePhase::Superseded => "Korvattu",
        PracticePhase::Retired => "Poistettu käytöstä",
    },
    resolution_name: |resolution| match resolution {
        "passed" => "Hyväksyttiin",
        "passed_as_amended" => "Hyväksyttiin muutettuna",
        "passed_after_vote" => "Hyväksyttiin äänestyksen jälkeen",
        "rejected" => "Hylättiin",
        "returned" => "Palautettiin uudelleen valmisteltavaksi",
        "tabled" => "Jätettiin pöydälle",
        "noted" => "Merkittiin tiedoksi",
        _ => "Tuntematon päätös",
    },
    anchor_kind: |kind| match kind {
        "unit" => "Yksikkö",
        "process" => "Prosessi",
        "guideline" => "Ohje",
        "strategy_item" => "Strategian kohta",
        _ => "Rakenne",
    },
    adoption_status: |status| match status {
        "considering" => "Harkitsee",
        "piloting" => "Kokeilee",
        "adopted" => "Ottanut käyttöön",
        "rejected" => "Päättänyt olla ottamatta käyttöön",
        _ => "Tuntematon",
    },
    evidence_kind: |kind| match kind {
        "lesson" => "Oppi",
        "experiment" => "Kokeilu",
        "outcome" => "Kokeilun tulos",
        "practice" => "Käytäntö",
        "campaign" => "Arviointikierros",
        "observation" => "Havainto",
        "engagement" => "Valmennus",
        "communication" => "Tiedote",
        _ => "Muu",
    },
    criterion: |criterion| match criterion {
        "effectiveness" => "vaikuttavuus",
        "wellbeing_at_work" => "työhyvinvointi",
        "productivity" => "tuottavuus",
        _ => "muu mittari",
    },
    version_n: |n| format!("versio {n}"),
    percent_done: |percent| format!("{percent} % toteutettu"),
    section_n: |n| format!("{n} §"),
    shown: |n| match n {
        0 => "Ei käytäntöjä tällä sivulla".to_owned(),
        1 => "1 käytäntö tällä sivulla".to_owned(),
        n => format!("{n} käytäntöä tällä sivulla"),
    },
};

/// English.
pub static EN: PracticesTexts = PracticesTexts {
    heading: "Best practices",
    intro: "The programme's best practices and those partners shared with you, newest first. Each practice's history shows the evidence it rests on and who decided on it.",
    filters: "Filter practices",
    status: "Status",
    any: "Any",
    body: "Decided by",
    submitted_to: "Body",
    from: "Decided on or after",
    to: "Decided on or before",
    dates_hint: "A meeting date as YYYY-MM-DD.",
    tag: "Tag",
    apply: "Filter",
    clear: "Clear the filters",
    caption: "Best practices",
    title: "Practice",
    last_decision: "Last decision",
    tags: "Tags",
    progress: "Implementation",
    no_decision: "No decision",
    none_found: "No practices match the filters.",
    shared: "Shared by a partner",
    shared_note: "This is a partner municipality's practice, shared with yours. You can read it but not change it.",
    pages: "Pages",
    first_page: "First page",
    next_page: "Next page",
    back_to_list: "Back to the practices",
    summary: "The practice in brief",
    context: "Context",
    options: "Options considered",
    chosen: "Chosen option",
    positive: "Benefits",
    negative: "Drawbacks",
    version: "Version",
    history: "History",
    evidence: "Evidence",
    cited_by: "What cites this practice",
    nothing_cites: "Nothing cites this practice yet.",
    supersession: "Supersession",
    replaces: "Replaces",
    replaced_by: "Replaced by",
    audit_record: "Audit record",
    event: "Event",
    actor: "Actor",
    recorded: "Recorded",
    unknown_actor: "unknown",
    case_number: "Case number",
    section: "Section",
    meeting: "Meeting",
    resolution: "Resolution",
    motion: "Motion",
    decision: "Decision",
    rationale: "Rationale",
    owner_unit: "Owner unit",
    effective_from: "Effective from",
    reference: "Reference",
    what_changed: "What changed",
    reason: "Why",
    partners: "Partners",
    note: "Note",
    step: |kind| match kind {
        "drafted" => "Drafted",
        "submitted" => "Submitted for decision",
        "decided" => "Decided",
        "anchored" => "Anchored",
        "progressed" => "Implementation progressed",
        "revised" => "Revised",
        "superseded" => "Superseded",
        "retired" => "Retired",
        "shared" => "Shared with partners",
        "adoption" => "A partner reported adoption",
        _ => "Other event",
    },
    status_name: |status| match status {
        PracticePhase::Draft => "Draft",
        PracticePhase::Submitted => "Submitted",
        PracticePhase::Passed => "Passed",
        PracticePhase::Rejected => "Rejected",
        PracticePhase::Returned => "Returned for preparation",
        PracticePhase::Tabled => "Tabled",
        PracticePhase::Noted => "Noted",
        PracticePhase::Superseded => "Superseded",
        PracticePhase::Retired => "Retired",
    },
    resolution_name: |resolution| match resolution {
        "passed" => "Passed",
        "passed_as_amended" => "Passed as amended",
        "passed_after_vote" => "Passed after a vote",
        "rejected" => "Rejected",
        "returned" => "Returned for further preparation",
        "tabled" => "Tabled",
        "noted" => "Noted",
        _ => "Unknown resolution",
    },
    anchor_kind: |kind| match kind {
        "unit" => "Unit",
        "process" => "Process",
        "guideline" => "Guideline",
        "strategy_item" => "Strategy item",
        _ => "Structure",
    },
    adoption_status: |status| match status {
        "considering" => "Considering",
        "piloting" => "Piloting",
        "adopted" => "Adopted",
        "rejected" => "Decided not to adopt",
        _ => "Unknown",
    },
    evidence_kind: |kind| match kind {
        "lesson" => "Lesson",
        "experiment" => "Experiment",
        "outcome" => "Experiment outcome",
        "practice" => "Practice",
        "campaign" => "Assessment campaign",
        "observation" => "Observation",
        "engagement" => "Coaching engagement",
        "communication" => "Communication",
        _ => "Other",
    },
    criterion: |criterion| match criterion {
        "effectiveness" => "effectiveness",
        "wellbeing_at_work" => "wellbeing at work",
        "productivity" => "productivity",
        _ => "other criterion",
    },
    version_n: |n| format!("version {n}"),
    percent_done: |percent| format!("{percent} % implemented"),
    section_n: |n| format!("§ {n}"),
    shown: |n| match n {
        0 => "No practices on this page".to_owned(),
        1 => "1 practice on this page".to_owned(),
        n => format!("{n} practices on this page"),
    },
};
