//! The strings of the forms that record work (`/record`, `/record/<command>`).

use super::Lang;
use crate::forms::InputProblem;

/// The forms' strings in one language.
#[derive(Debug)]
pub struct FormsTexts {
    /// The forms list's heading (and the navigation's name for it).
    pub heading: &'static str,
    /// What the list is for.
    pub intro: &'static str,
    /// The person may use no form.
    pub none_available: &'static str,
    /// What the required marker means.
    pub required_legend: &'static str,
    /// The required marker's text for screen readers.
    pub required: &'static str,
    /// The submit button.
    pub submit: &'static str,
    /// The error summary's heading.
    pub error_summary: &'static str,
    /// The first option of a select that is not chosen yet.
    pub choose: &'static str,
    /// The first option of an optional select: nothing chosen.
    pub choose_none: &'static str,
    /// A select or a list of boxes with nothing to choose from.
    pub nothing_to_choose: &'static str,
    /// Back to the forms list.
    pub back_to_forms: &'static str,
    /// A form's name.
    pub form_title: fn(&str) -> &'static str,
    /// What a form records, one sentence.
    pub form_intro: fn(&str) -> &'static str,
    /// A field's label.
    pub label: fn(&str) -> &'static str,
    /// A field's hint, if it has one.
    pub hint: fn(&str) -> Option<&'static str>,
    /// The name of an option of a fixed list (`criterion:effectiveness`, `resolution:passed`, …).
    pub option: fn(&str) -> &'static str,
    /// A source's kind before its name (`experiment`, `campaign`).
    pub source_kind: fn(&str) -> &'static str,
    /// What is wrong with an input before the command's parser sees it.
    pub problem: fn(InputProblem) -> &'static str,
    /// The form's idempotency key was used for another form (a stale page sent twice).
    pub key_reused: &'static str,
    /// The notice after a form was recorded.
    pub recorded: fn(&str) -> String,
}

/// The forms' strings in `lang`.
pub fn texts(lang: Lang) -> &'static FormsTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}

/// Finnish.
pub static FI: FormsTexts = FormsTexts {
    heading: "Kirjaa",
    intro: "Kirjaa tehty työ: valitse lomake. Näet ne lomakkeet, joita roolisi sallii käyttää.",
    none_available: "Roolisi ei salli kirjata mitään näillä lomakkeilla.",
    required_legend: "Tähdellä (*) merkityt kentät ovat pakollisia.",
    required: "pakollinen",
    submit: "Tallenna",
    error_summary: "Lomaketta ei tallennettu: korjaa nämä kohdat",
    choose: "– valitse –",
    choose_none: "– ei mikään –",
    nothing_to_choose: "Ei valittavaa vielä.",
    back_to_forms: "Takaisin lomakkeisiin",
    form_title: |form| match form {
        "submit-response" => "Arviointivastaus",
        "record-note" => "Valmennusmuistiinpano",
        "record-measurement" => "Mittaustulos",
        "assess-outcome" => "Kokeilun tulos",
        "identify-lesson" => "Opittu asia",
        "decide-practice" => "Päätös hyvästä käytännöstä",
        _ => "Lomake",
    },
    form_intro: |form| match form {
        "submit-response" => "Kirjaa yhden vastaajan vastaukset avoimeen arviointikierrokseen.",
        "record-note" => {
            "Kirjaa muistiinpano pidetystä valmennustapaamisesta: mitä suunniteltiin, mitä tapahtui ja mitä jatkossa."
        }
        "record-measurement" => "Kirjaa kokeilun mittarin arvo yhdeltä jaksolta.",
        "assess-outcome" => "Arvioi kokeilun tulos yhdellä arviointikriteerillä mittausten perusteella.",
        "identify-lesson" => "Kirjaa kokeilusta tai arvioinnista opittu asia ja suositukset.",
        "decide-practice" => "Kirjaa toimielimen päätös hyvästä käytännöstä pöytäkirjan mukaan.",
        _ => "",
    },
    label: |field| match field {
        "campaign" => "Arviointikierros",
        "unit" => "Yksikkö",
        "respondent" => "Vastaajan pseudonyymi",
        "submitted_on" => "Vastauspäivä",
        "answers" => "Vastaukset",
        "session" => "Valmennustapaaminen",
        "author" => "Kirjoittaja (pseudonyymi)",
        "planned.fi" => "Mitä suunniteltiin",
        "happened.fi" => "Mitä tapahtui",
        "why_different.fi" => "Miksi toteutus poikkesi suunnitellusta",
        "keep_or_change.fi" => "Mitä säilytetään tai muutetaan",
        "personal" => "Henkilökohtainen muistiinpano",
        "experiment" => "Kokeilu",
        "metric" => "Mittari",
        "period.from" => "Jakson alku",
        "period.to" => "Jakson loppu",
        "value" => "Arvo",
        "n" => "Havaintojen määrä",
        "data_source" => "Tietolähde",
        "criterion" => "Arviointikriteeri",
        "verdict" => "Arvio",
        "effect" => "Muutos lähtötasoon (%)",
        "evidence" => "Mittaukset näyttönä",
        "summary.fi" => "Arvio sanallisesti",
        "assessed" => "Arviointipäivä",
        "title.fi" => "Otsikko",
        "title.en" => "Otsikko englanniksi",
        "driving_event.fi" => "Mitä tapahtui",
        "lesson_text.fi" => "Opittu asia",
        "recommendations" => "Suositukset",
        "sources" => "Lähteet",
        "tags" => "Asiasanat",
        "practice" => "Hyvä käytäntö",
        "body" => "Toimielin",
        "meeting_date" => "Kokouspäivä",
        "section" => "Pykälä (§)",
        "motion.fi" => "Päätösehdotus",
        "decision.fi" => "Päätös",
        "resolution" => "Käsittelyn tulos",
        "rationale.fi" => "Perustelu",
        _ => "Kenttä",
    },
    hint: |field| match field {
        "respondent" => {
            Some("Tunniste, ei nimi eikä sähköpostiosoite: r- ja vähintään 8 heksadesimaalinumeroa, esim. r-1a2b3c4d.")
        }
        "answers" => Some("Yksi vastaus riville muodossa koodi = arvo, esim. 1.1 = 4."),
        "author" => Some("Valmentajan tai valmennettavan tunniste, esim. hlo-7f3a2c."),
        "personal" => Some("Vain kirjoittajalle ja valmennettaville näkyvä teksti; ei tule hakuun."),
        "metric" => Some("Kokeilun mittarin koodi, kuten se on kokeilun arviointisuunnitelmassa."),
        "value" => Some("Luku; desimaalierottimeksi käy pilkku tai piste."),
        "n" => Some("Kuinka monesta havainnosta arvo on laskettu (vähintään 1)."),
        "effect" => Some("Esim. 12,5 tai -3. Jätä tyhjäksi, jos muutosta ei voi laskea."),
        "evidence" => Some("Vähintään yksi tämän kriteerin mittaus, ellei arvio ole ”ei voida arvioida”."),
        "recommendations" => Some("Yksi suositus riville."),
        "sources" => Some("Vähintään yksi kokeilu tai arviointikierros, josta asia opittiin."),
        "tags" => Some("Pilkuilla erotettuina, esim. kotihoito, etäpalvelu."),
        "section" => Some("Pöytäkirjan pykälän numero."),
        "rationale.fi" => Some("Pakollinen, jos asia hylättiin tai palautettiin valmisteluun."),
        _ => None,
    },
    option: |option| match option {
        "criterion:effectiveness" => "Vaikuttavuus",
        "criterion:wellbeing_at_work" => "Työhyvinvointi",
        "criterion:productivity" => "Tuottavuus",
        "verdict:improved" => "Parani",
        "verdict:no_change" => "Ei muutosta",
        "verdict:worse" => "Heikkeni",
        "verdict:inconclusive" => "Ei voida arvioida",
        "resolution:passed" => "Hyväksyttiin esityksen mukaisesti",
        "resolution:passed_as_amended" => "Hyväksyttiin muutettuna",
        "resolution:passed_after_vote" => "Hyväksyttiin äänestyksen jälkeen",
        "resolution:rejected" => "Hylättiin",
        "resolution:returned" => "Palautettiin uudelleen valmisteltavaksi",
        "resolution:tabled" => "Pantiin pöydälle",
        "resolution:noted" => "Merkittiin tiedoksi",
        _ => "–",
    },
    source_kind: |kind| match kind {
        "experiment" => "Kokeilu",
        "campaign" => "Arviointikierros",
        _ => "Lähde",
    },
    problem: |problem| match problem {
        InputProblem::Required => "on pakollinen",
        InputProblem::Number => "pitää olla luku",
        InputProblem::WholeNumber => "pitää olla kokonaisluku",
        InputProblem::Date => "pitää olla päivämäärä",
    },
    key_reused: "Lomake lähetettiin jo toisin tiedoin: lataa sivu uudelleen ja täytä lomake uudestaan.",
    recorded: |form| format!("Tallennettu: {}.", (FI.form_title)(form).to_lowercase()),
};

/// English.
pub static EN: FormsTexts = FormsTexts {
    heading: "Record",
    intro: "Record work done: choose a form. You see the forms your role lets you use.",
    none_available: "Your role does not let you record anything with these forms.",
    required_legend: "Fields marked with an asterisk (*) are required.",
    required: "required",
    submit: "Save",
    error_summary: "The form was not saved: correct these",
    choose: "– choose –",
    choose_none: "– none –",
    nothing_to_choose: "Nothing to choose from yet.",
    back_to_forms: "Back to the forms",
    form_title: |form| match form {
        "submit-response" => "Assessment response",
        "record-note" => "Coaching note",
        "record-measurement" => "Measurement",
        "assess-outcome" => "Experiment outcome",
        "identify-lesson" => "Lesson",
        "decide-practice" => "Decision on a best practice",
        _ => "Form",
    },
    form_intro: |form| match form {
        "submit-response" => "Record one respondent's answers to an open assessment campaign.",
        "record-note" => "Record a note on a coaching session held: what was planned, what happened and what next.",
        "record-measurement" => "Record the value of an experiment's metric for one period.",
        "assess-outcome" => "Assess an experiment's outcome on one criterion from its measurements.",
        "identify-lesson" => "Record a lesson from an experiment or an assessment, with recommendations.",
        "decide-practice" => "Record a body's decision on a best practice as the minutes state it.",
        _ => "",
    },
    label: |field| match field {
        "campaign" => "Assessment campaign",
        "unit" => "Unit",
        "respondent" => "Respondent's pseudonym",
        "submitted_on" => "Date of the answers",
        "answers" => "Answers",
        "session" => "Coaching session",
        "author" => "Author (pseudonym)",
        "planned.fi" => "What was planned",
        "happened.fi" => "What happened",
        "why_different.fi" => "Why it differed from the plan",
        "keep_or_change.fi" => "What to keep or change",
        "personal" => "Personal note",
        "experiment" => "Experiment",
        "metric" => "Metric",
        "period.from" => "Period starts",
        "period.to" => "Period ends",
        "value" => "Value",
        "n" => "Number of observations",
        "data_source" => "Data source",
        "criterion" => "Criterion",
        "verdict" => "Verdict",
        "effect" => "Change against the baseline (%)",
        "evidence" => "Measurements as evidence",
        "summary.fi" => "The assessment in words",
        "assessed" => "Date of the assessment",
        "title.fi" => "Title",
        "title.en" => "Title in English",
        "driving_event.fi" => "What happened",
        "lesson_text.fi" => "The lesson",
        "recommendations" => "Recommendations",
        "sources" => "Sources",
        "tags" => "Tags",
        "practice" => "Best practice",
        "body" => "Decision-making body",
        "meeting_date" => "Date of the meeting",
        "section" => "Section (§)",
        "motion.fi" => "Motion",
        "decision.fi" => "Decision",
        "resolution" => "Resolution",
        "rationale.fi" => "Rationale",
        _ => "Field",
    },
    hint: |field| match field {
        "respondent" => {
            Some("An identifier, never a name or an e-mail address: r- and at least 8 hex digits, e.g. r-1a2b3c4d.")
        }
        "answers" => Some("One answer a line as code = value, e.g. 1.1 = 4."),
        "author" => Some("The coach's or a coachee's identifier, e.g. hlo-7f3a2c."),
        "personal" => Some("Text only its author and the coachees see; never searchable."),
        "metric" => Some("The metric's code as the experiment's protocol declares it."),
        "value" => Some("A number; a comma or a point as the decimal separator."),
        "n" => Some("How many observations the value is computed from (at least 1)."),
        "effect" => Some("E.g. 12.5 or -3. Leave empty if no change can be computed."),
        "evidence" => Some("At least one measurement of this criterion unless the verdict is inconclusive."),
        "recommendations" => Some("One recommendation a line."),
        "sources" => Some("At least one experiment or assessment campaign the lesson comes from."),
        "tags" => Some("Separated by commas, e.g. kotihoito, etäpalvelu."),
        "section" => Some("The number of the section in the minutes."),
        "rationale.fi" => Some("Required when the case was rejected or returned for preparation."),
        _ => None,
    },
    option: |option| match option {
        "criterion:effectiveness" => "Effectiveness",
        "criterion:wellbeing_at_work" => "Wellbeing at work",
        "criterion:productivity" => "Productivity",
        "verdict:improved" => "Improved",
        "verdict:no_change" => "No change",
        "verdict:worse" => "Worse",
        "verdict:inconclusive" => "Inconclusive",
        "resolution:passed" => "Passed as proposed",
        "resolution:passed_as_amended" => "Passed as amended",
        "resolution:passed_after_vote" => "Passed after a vote",
        "resolution:rejected" => "Rejected",
        "resolution:returned" => "Returned for further preparation",
        "resolution:tabled" => "Tabled",
        "resolution:noted" => "Noted",
        _ => "–",
    },
    source_kind: |kind| match kind {
        "experiment" => "Experiment",
        "campaign" => "Assessment campaign",
        _ => "Source",
    },
    problem: |problem| match problem {
        InputProblem::Required => "is required",
        InputProblem::Number => "must be a number",
        InputProblem::WholeNumber => "must be a whole number",
        InputProblem::Date => "must be a date",
    },
    key_reused: "The form was already sent with other values: reload the page and fill the form in again.",
    recorded: |form| format!("Saved: {}.", (EN.form_title)(form).to_lowercase()),
};
