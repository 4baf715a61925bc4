//! The forms that record work (`/record`, `/record/<command>`): an assessment response, a
//! coaching note, a measurement, an outcome, a lesson and a practice decision.
//!
//! A form's fields are named as the command's fields (`title.fi`, `period.from`, `sources`),
//! and a submitted form becomes the same JSON body the API's `POST /api/v1/commands/<command>`
//! takes ([`command_body`]), parsed by the same parser and run by the same use case
//! ([`kirjuri_app::commands::run`]): no rule is written twice. A refusal is typed: the field
//! by its whole path and the rule as an enum variant, which [`refusal_of`] says in the page's
//! language ([`crate::i18n::refusals`]) next to the input of that name. What only the JSON
//! parser would refuse (a required input left empty, a number or a date that is not one) the
//! page checks first ([`input_problems`]), naming every such input at once. Who may use a form is the access table's answer for the command's
//! group. Each render carries a fresh idempotency key (and the ids of the record it creates
//! derive from it), so a double submit records once.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use kirjuri_domain::assessment::{CampaignCommand, CampaignState, SubmitResponse};
use kirjuri_domain::coaching::{EngagementCommand, EngagementState, RecordNote};
use kirjuri_domain::experiment::{AssessOutcome, ExperimentCommand, ExperimentState, RecordMeasurement};
use kirjuri_domain::lesson::{IdentifyLesson, LessonCommand, LessonState};
use kirjuri_domain::practice::{DecidePractice, PracticeCommand, PracticeState};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_views::{EntityKind, ExperimentFilter, ListRequest, PageRequest, PracticeFilter, ViewsError, ViewsReader};
use maud::{Markup, html};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::i18n::Lang;
use super::i18n::forms::{FormsTexts, texts};
use super::pages::{Frame, layout};
use super::session::{SESSION_COOKIE, cookie_value};
use super::{Staff, WebError, cookies, form_pairs, html_response, read_views, see_other};
use crate::WebState;
use kirjuri_app::commands::{CommandFailure, CommandRequest, run};
use kirjuri_app::usecases::Executed;
use kirjuri_app::{AppError, ErrorCode};
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, CommandGroup, Resource, authorize};

/// The UUIDv5 namespace of the ids of records a form creates, derived from its idempotency key.
const FORM_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_4944_8000_666f_726d_7321);
/// The hidden field carrying the CSRF token.
const CSRF_FIELD: &str = "csrf";
/// The hidden field carrying the idempotency key.
const KEY_FIELD: &str = "idempotency_key";
/// How long a successful form waits for the read models to show its record before redirecting.
const READ_YOUR_WRITE: std::time::Duration = std::time::Duration::from_secs(2);

/// The form routes.
pub fn routes() -> Router<WebState> {
    Router::new().route("/record", get(forms_list)).route("/record/{form}", get(form_page).post(submit))
}

/// One record a form may refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The record's id.
    pub id: Uuid,
    /// What to show (a name in Finnish, or a date and a code).
    pub label: String,
    /// The record the command also names with it (a campaign's framework, a session's
    /// engagement, a measurement's experiment).
    pub parent: Option<Uuid>,
}

/// What a municipality's forms offer in their selects, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormChoices {
    /// Its units.
    pub units: Vec<Choice>,
    /// Its campaigns not closed (`parent`: the framework).
    pub open_campaigns: Vec<Choice>,
    /// Its experiments.
    pub experiments: Vec<Choice>,
    /// Its decision-making bodies.
    pub bodies: Vec<Choice>,
    /// Its own practices.
    pub practices: Vec<Choice>,
    /// Coaching sessions held in its engagements (`parent`: the engagement).
    pub sessions: Vec<Choice>,
    /// Measurements recorded in its experiments (`parent`: the experiment).
    pub measurements: Vec<Choice>,
}

/// The most records of one list a select offers.
const MAX_CHOICES: usize = 100;

/// The data of `municipality`'s newest events of `types` (from the audit trail's read model).
fn recorded(
    views: &ViewsReader,
    municipality: MunicipalityId,
    kind: EntityKind,
    types: &[&str],
) -> Result<Vec<Value>, ViewsError> {
    let mut rows = views.recent_of_kind(kind, types, &municipality.to_string(), PageRequest::MAX_LIMIT)?;
    rows.reverse(); // oldest first, as the lists were built
    Ok(rows.iter().filter_map(|row| row.data.decode::<Value>().ok()).collect())
}

fn uuid_in(data: &Value, pointer: &str) -> Option<Uuid> {
    data.pointer(pointer).and_then(Value::as_str).and_then(|text| Uuid::try_parse(text).ok())
}

fn text_in<'a>(data: &'a Value, pointer: &str) -> &'a str {
    data.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

impl FormKind {
    /// Whether one of the form's selects offers records of `list` (measurements are labelled
    /// with their experiment; a lesson's sources are experiments and campaigns).
    fn offers(self, list: Source) -> bool {
        self.fields().iter().any(|spec| match spec.input {
            Input::Select(source) | Input::Boxes(source) => {
                source == list
                    || (source == Source::LessonSources && matches!(list, Source::Experiments | Source::OpenCampaigns))
                    || (source == Source::Measurements && list == Source::Experiments)
            }
            _ => false,
        })
    }
}

/// What `municipality`'s form `kind` offers in its selects (only the lists it has): the lists'
/// read models where there is a list (experiments, bodies, practices), the audit trail's
/// events for the rest.
pub fn form_choices(
    views: &ViewsReader,
    municipality: MunicipalityId,
    kind: FormKind,
) -> Result<FormChoices, ViewsError> {
    let first = ListRequest::first(MAX_CHOICES);
    let choice = |id, label: String, parent| Choice { id, label, parent };
    let mut choices = FormChoices::default();
    if kind.offers(Source::Experiments) {
        choices.experiments = views
            .experiments(municipality, &ExperimentFilter::default(), first)?
            .items
            .into_iter()
            .map(|row| choice(row.experiment.0, row.title_fi, None))
            .collect();
    }
    if kind.offers(Source::Bodies) {
        choices.bodies = views
            .bodies(municipality, None, first)?
            .items
            .into_iter()
            .map(|row| choice(row.body.0, row.name_fi, None))
            .collect();
    }
    if kind.offers(Source::Practices) {
        choices.practices = views
            .practices(municipality, &PracticeFilter::default(), first)?
            .items
            .into_iter()
            .filter(|row| !row.shared)
            .map(|row| choice(row.practice.0, row.title_fi, None))
            .collect();
    }
    if kind.offers(Source::Units) {
        choices.units = recorded(views, municipality, EntityKind::Unit, &["UnitEstablished"])?
            .iter()
            .filter_map(|data| Some(choice(uuid_in(data, "/unit")?, text_in(data, "/name/fi").to_owned(), None)))
            .take(MAX_CHOICES)
            .collect();
    }
    if kind.offers(Source::OpenCampaigns) {
        let campaign_events =
            recorded(views, municipality, EntityKind::Campaign, &["CampaignOpened", "CampaignClosed"])?;
        let closed: Vec<Uuid> = campaign_events
            .iter()
            .filter(|data| data.get("framework").is_none())
            .filter_map(|data| uuid_in(data, "/campaign"))
            .collect();
        choices.open_campaigns = campaign_events
            .iter()
            .filter_map(|data| {
                let campaign = uuid_in(data, "/campaign")?;
                let framework = uuid_in(data, "/framework")?;
                (!closed.contains(&campaign))
                    .then(|| choice(campaign, text_in(data, "/title/fi").to_owned(), Some(framework)))
            })
            .take(MAX_CHOICES)
            .collect();
    }
    if kind.offers(Source::Sessions) {
        choices.sessions = recorded(views, municipality, EntityKind::Engagement, &["SessionHeld"])?
            .iter()
            .filter_map(|data| {
                let topics: Vec<&str> = data
                    .get("topics")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let label = format!("{} · {}", text_in(data, "/date"), topics.join(", "));
                Some(choice(uuid_in(data, "/session")?, label, Some(uuid_in(data, "/engagement")?)))
            })
            .take(MAX_CHOICES)
            .collect();
    }
    if kind.offers(Source::Measurements) {
        choices.measurements = recorded(views, municipality, EntityKind::Experiment, &["MeasurementRecorded"])?
            .iter()
            .filter_map(|data| {
                let label = format!(
                    "{} {}–{}",
                    text_in(data, "/metric"),
                    text_in(data, "/period/from"),
                    text_in(data, "/period/to")
                );
                Some(choice(uuid_in(data, "/measurement")?, label, Some(uuid_in(data, "/experiment")?)))
            })
            .take(MAX_CHOICES)
            .collect();
    }
    Ok(choices)
}

/// One of the forms, named as its command's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// `submit-response`.
    SubmitResponse,
    /// `record-note`.
    RecordNote,
    /// `record-measurement`.
    RecordMeasurement,
    /// `assess-outcome`.
    AssessOutcome,
    /// `identify-lesson`.
    IdentifyLesson,
    /// `decide-practice`.
    DecidePractice,
}

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// One line of text.
    Text,
    /// Free text.
    Area,
    /// A day.
    Date,
    /// A decimal number.
    Decimal,
    /// A whole number.
    Integer,
    /// One of a list.
    Select(Source),
    /// Any of a list (check boxes).
    Boxes(Source),
    /// One Finnish text per line (a list of localised texts).
    Lines,
    /// Comma-separated words.
    Tags,
    /// `code = value` per line (an assessment's answers).
    Answers,
    /// Personal free text (a coaching note's classified part).
    Personal,
}

/// Where a select's options come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Units,
    OpenCampaigns,
    Experiments,
    Bodies,
    Practices,
    Sessions,
    Measurements,
    /// Experiments and campaigns, as `kind:id`.
    LessonSources,
    Criteria,
    Verdicts,
    Resolutions,
}

/// One field of a form.
#[derive(Debug, Clone, Copy)]
struct FieldSpec {
    /// The command's field (`title.fi`), also the input's name.
    name: &'static str,
    input: Input,
    required: bool,
}

const fn required(name: &'static str, input: Input) -> FieldSpec {
    FieldSpec { name, input, required: true }
}

const fn optional(name: &'static str, input: Input) -> FieldSpec {
    FieldSpec { name, input, required: false }
}

const SUBMIT_RESPONSE: &[FieldSpec] = &[
    required("campaign", Input::Select(Source::OpenCampaigns)),
    required("unit", Input::Select(Source::Units)),
    required("respondent", Input::Text),
    required("submitted_on", Input::Date),
    required("answers", Input::Answers),
];
const RECORD_NOTE: &[FieldSpec] = &[
    required("session", Input::Select(Source::Sessions)),
    required("author", Input::Text),
    required("planned.fi", Input::Area),
    required("happened.fi", Input::Area),
    required("why_different.fi", Input::Area),
    required("keep_or_change.fi", Input::Area),
    optional("personal", Input::Personal),
];
const RECORD_MEASUREMENT: &[FieldSpec] = &[
    required("experiment", Input::Select(Source::Experiments)),
    required("metric", Input::Text),
    required("period.from", Input::Date),
    required("period.to", Input::Date),
    required("value", Input::Decimal),
    required("n", Input::Integer),
    optional("data_source", Input::Text),
];
const ASSESS_OUTCOME: &[FieldSpec] = &[
    required("experiment", Input::Select(Source::Experiments)),
    required("criterion", Input::Select(Source::Criteria)),
    required("verdict", Input::Select(Source::Verdicts)),
    optional("effect", Input::Decimal),
    optional("evidence", Input::Boxes(Source::Measurements)),
    required("summary.fi", Input::Area),
    required("assessed", Input::Date),
];
const IDENTIFY_LESSON: &[FieldSpec] = &[
    required("title.fi", Input::Text),
    optional("title.en", Input::Text),
    optional("unit", Input::Select(Source::Units)),
    required("driving_event.fi", Input::Area),
    required("lesson_text.fi", Input::Area),
    optional("recommendations", Input::Lines),
    required("sources", Input::Boxes(Source::LessonSources)),
    optional("tags", Input::Tags),
];
const DECIDE_PRACTICE: &[FieldSpec] = &[
    required("practice", Input::Select(Source::Practices)),
    required("body", Input::Select(Source::Bodies)),
    required("meeting_date", Input::Date),
    required("section", Input::Integer),
    required("motion.fi", Input::Area),
    required("decision.fi", Input::Area),
    required("resolution", Input::Select(Source::Resolutions)),
    optional("rationale.fi", Input::Area),
];

impl FormKind {
    /// Every form, in the order the list shows them.
    pub const ALL: [Self; 6] = [
        Self::SubmitResponse,
        Self::RecordNote,
        Self::RecordMeasurement,
        Self::AssessOutcome,
        Self::IdentifyLesson,
        Self::DecidePractice,
    ];

    /// The command's route name (`identify-lesson`), also the form's path segment.
    pub fn name(self) -> &'static str {
        match self {
            Self::SubmitResponse => "submit-response",
            Self::RecordNote => "record-note",
            Self::RecordMeasurement => "record-measurement",
            Self::AssessOutcome => "assess-outcome",
            Self::IdentifyLesson => "identify-lesson",
            Self::DecidePractice => "decide-practice",
        }
    }

    /// The form named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The command's group in the access table (who may use the form).
    pub fn group(self) -> CommandGroup {
        match self {
            Self::SubmitResponse => CommandGroup::Responses,
            Self::RecordNote => CommandGroup::Coaching,
            Self::RecordMeasurement | Self::AssessOutcome => CommandGroup::Experiments,
            Self::IdentifyLesson => CommandGroup::Lessons,
            Self::DecidePractice => CommandGroup::PracticeDecisions,
        }
    }

    fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::SubmitResponse => SUBMIT_RESPONSE,
            Self::RecordNote => RECORD_NOTE,
            Self::RecordMeasurement => RECORD_MEASUREMENT,
            Self::AssessOutcome => ASSESS_OUTCOME,
            Self::IdentifyLesson => IDENTIFY_LESSON,
            Self::DecidePractice => DECIDE_PRACTICE,
        }
    }

    /// The command's field holding the id of the record it creates, if it creates one.
    fn new_id_field(self) -> Option<&'static str> {
        match self {
            Self::SubmitResponse => Some("response"),
            Self::RecordNote => Some("note"),
            Self::RecordMeasurement => Some("measurement"),
            Self::IdentifyLesson => Some("lesson"),
            Self::AssessOutcome | Self::DecidePractice => None,
        }
    }

    /// Fields the form fills in itself, and the input a refusal of one is shown at.
    fn derived_field_input(self, field: &str) -> Option<&'static str> {
        match (self, field) {
            (Self::SubmitResponse, "framework") => Some("campaign"),
            (Self::RecordNote, "engagement") => Some("session"),
            _ => None,
        }
    }

    /// Whether `principal` may use this form (the access table's rule for the command's group).
    pub fn allowed(self, principal: &Principal) -> bool {
        authorize(principal, Action::Command(self.group()), &Resource::of(principal.municipality)).is_ok()
    }
}

/// The id of the record a form creates: the same for the same tenant, key and field, so a
/// repeated submit names the same record (and the use case answers it as a repeat).
pub fn new_record_id(tenant: MunicipalityId, idempotency_key: &str, field: &str) -> Uuid {
    Uuid::new_v5(&FORM_ID_NAMESPACE, format!("{tenant}\n{idempotency_key}\n{field}").as_bytes())
}

/// The values a form was submitted (or is pre-filled) with: every value of each name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(BTreeMap<String, Vec<String>>);

impl Values {
    /// The values of a form body's pairs.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in pairs {
            values.entry(name.clone()).or_default().push(value.clone());
        }
        Self(values)
    }

    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).and_then(|values| values.first()).map_or("", String::as_str)
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    fn set(&mut self, name: &str, value: String) {
        self.0.insert(name.to_owned(), vec![value]);
    }
}

/// Puts `value` at the dotted `path` of `object` (`period.from` → `{"period": {"from": …}}`).
fn put(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = object.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                put(inner, rest, value);
            }
        }
    }
}

/// A number as typed (a decimal comma allowed), or the text itself so the parser names the rule.
fn number(text: &str, integer: bool) -> Value {
    let normalised = text.trim().replace(',', ".");
    if integer {
        if let Ok(whole) = normalised.parse::<i64>() {
            return json!(whole);
        }
    } else if let Ok(decimal) = normalised.parse::<f64>()
        && decimal.is_finite()
    {
        return json!(decimal);
    }
    Value::String(text.to_owned())
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty())
}

fn find<'a>(choices: &'a [Choice], id: &str) -> Option<&'a Choice> {
    Uuid::try_parse(id.trim()).ok().and_then(|id| choices.iter().find(|choice| choice.id == id))
}

/// The JSON body the API's command route would take for this form: the fields as typed (the
/// command's parser judges them), the municipality and the new record's id filled in.
pub fn command_body(
    kind: FormKind,
    values: &Values,
    choices: &FormChoices,
    municipality: MunicipalityId,
    idempotency_key: &str,
) -> Value {
    let mut body = Map::new();
    if let Some(field) = kind.new_id_field() {
        body.insert(field.to_owned(), json!(new_record_id(municipality, idempotency_key, field)));
    }
    if kind == FormKind::IdentifyLesson {
        body.insert("municipality".to_owned(), json!(municipality));
        body.insert("observations".to_owned(), json!([]));
    }
    for spec in kind.fields() {
        let text = values.get(spec.name);
        let empty = text.trim().is_empty();
        let value = match spec.input {
            Input::Text | Input::Area if empty && !spec.required => None,
            Input::Text | Input::Area => Some(Value::String(text.to_owned())),
            Input::Personal if empty => None,
            Input::Personal => Some(json!({ "text": text, "classification": "personal" })),
            Input::Date | Input::Select(_) if empty => None,
            Input::Date | Input::Select(_) => Some(Value::String(text.trim().to_owned())),
            Input::Decimal | Input::Integer if empty => None,
            Input::Decimal => Some(number(text, false)),
            Input::Integer => Some(number(text, true)),
            Input::Boxes(Source::LessonSources) => Some(Value::Array(
                values
                    .all(spec.name)
                    .iter()
                    .map(|source| match source.split_once(':') {
                        Some((kind, id)) => json!({ "kind": kind, "id": id }),
                        None => json!({ "kind": source }),
                    })
                    .collect(),
            )),
            Input::Boxes(_) => Some(json!(values.all(spec.name))),
            Input::Lines => Some(Value::Array(lines(text).map(|line| json!({ "fi": line })).collect())),
            Input::Tags => {
                Some(json!(text.split(',').map(str::trim).filter(|tag| !tag.is_empty()).collect::<Vec<_>>()))
            }
            Input::Answers => Some(Value::Array(
                lines(text)
                    .map(|line| match line.split_once('=') {
                        Some((item, answer)) => json!({ "item": item.trim(), "value": number(answer, true) }),
                        None => json!({ "item": line, "value": null }),
                    })
                    .collect(),
            )),
        };
        if let Some(value) = value {
            put(&mut body, spec.name, value);
        }
    }
    // The record a choice belongs to, which the command names too.
    match kind {
        FormKind::SubmitResponse => {
            if let Some(framework) = find(&choices.open_campaigns, values.get("campaign")).and_then(|c| c.parent) {
                body.insert("framework".to_owned(), json!(framework));
            }
        }
        FormKind::RecordNote => {
            if let Some(engagement) = find(&choices.sessions, values.get("session")).and_then(|c| c.parent) {
                body.insert("engagement".to_owned(), json!(engagement));
            }
        }
        _ => {}
    }
    Value::Object(body)
}

/// The input a refused field is shown at: the field itself, the input it is derived from, or
/// the nearest enclosing field (`answers[2].value` → `answers`, `title` → `title.fi`).
fn input_for(kind: FormKind, field: &str) -> Option<&'static str> {
    let mut candidate = field;
    loop {
        if let Some(spec) = kind.fields().iter().find(|spec| spec.name == candidate) {
            return Some(spec.name);
        }
        if let Some(input) = kind.derived_field_input(candidate) {
            return Some(input);
        }
        let prefix = format!("{candidate}.");
        if let Some(spec) = kind.fields().iter().find(|spec| spec.name.starts_with(&prefix)) {
            return Some(spec.name);
        }
        candidate = &candidate[..candidate.rfind(['.', '['])?];
    }
}

/// A message as shown: its text, and the `lang` of the text when it is not the page's (a
/// problem only the API words, in English).
pub type Said = (String, Option<&'static str>);

/// Why a form was refused: messages at inputs, and the rest for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusal {
    /// Input name → what is wrong with it.
    pub at_fields: BTreeMap<&'static str, Said>,
    /// What is not about one input (e.g. the state of the record).
    pub general: Vec<Said>,
}

impl Refusal {
    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.at_fields.is_empty() && self.general.is_empty()
    }

    /// Puts `text` at the input `field` names, or in the summary (named) when no input does.
    fn place(&mut self, kind: FormKind, field: Option<&str>, text: String, lang: Option<&'static str>) {
        match field.filter(|field| !field.is_empty()).map(|field| (field, input_for(kind, field))) {
            Some((_, Some(input))) => {
                self.at_fields.entry(input).or_insert((text, lang));
            }
            Some((field, None)) => self.general.push((format!("{field}: {text}"), lang)),
            None => self.general.push((text, lang)),
        }
    }
}

/// What a form's input can be before the command's parser sees it (the page's own checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputProblem {
    /// A required input left empty.
    Required,
    /// Not a number (a decimal comma is fine).
    Number,
    /// Not a whole number.
    WholeNumber,
    /// Not a day (`2025-03-31`, as a date input sends it).
    Date,
}

impl InputProblem {
    /// Every problem, for the test that each is said in every language.
    pub const ALL: [Self; 4] = [Self::Required, Self::Number, Self::WholeNumber, Self::Date];
}

/// The inputs of `values` that the command's parser would refuse for their form alone: every
/// required choice, day or number left empty, every number and day that is not one.
pub fn input_problems(kind: FormKind, values: &Values, lang: Lang) -> Refusal {
    let texts = texts(lang);
    let mut refusal = Refusal::default();
    for spec in kind.fields() {
        let text = values.get(spec.name).trim();
        // Text, lists and boxes reach the command as typed (empty too), and its rules judge
        // them; a single value left empty is not sent at all, so it is the page's to name.
        let sent_when_empty = matches!(
            spec.input,
            Input::Text | Input::Area | Input::Lines | Input::Tags | Input::Answers | Input::Boxes(_)
        );
        let problem = match spec.input {
            _ if sent_when_empty => None,
            _ if text.is_empty() && spec.required => Some(InputProblem::Required),
            _ if text.is_empty() => None,
            Input::Decimal => number(text, false).is_string().then_some(InputProblem::Number),
            Input::Integer => number(text, true).is_string().then_some(InputProblem::WholeNumber),
            Input::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err().then_some(InputProblem::Date),
            _ => None,
        };
        if let Some(problem) = problem {
            refusal.at_fields.insert(spec.name, ((texts.problem)(problem).to_owned(), None));
        }
    }
    refusal
}

/// Why `failure` refused the form `kind`, said in `lang` at the inputs it names; `None` when it
/// is not about the form (not allowed, the store away): that is an error page.
pub fn refusal_of(kind: FormKind, lang: Lang, failure: &CommandFailure) -> Option<Refusal> {
    let mut refusal = Refusal::default();
    match failure {
        CommandFailure::Refused(error) => {
            let (field, text) = crate::i18n::refusals::refusal(lang, error);
            refusal.place(kind, field.as_deref(), text, None);
        }
        CommandFailure::Invalid(body) => match &body.rule {
            Some(error) => {
                let (field, text) = crate::i18n::refusals::refusal(lang, error);
                refusal.place(kind, field.as_deref(), text, None);
            }
            // What the page's own checks did not catch, as the parser says it.
            None => {
                let english = (lang != Lang::En).then_some("en");
                let rule = body.detail.strip_prefix(&format!("{}: ", body.field)).unwrap_or(&body.detail).to_owned();
                refusal.place(kind, Some(&body.field), rule, english);
            }
        },
        CommandFailure::Other(error) if error.code() == ErrorCode::IdempotencyKeyReused => {
            refusal.general.push((texts(lang).key_reused.to_owned(), None));
        }
        CommandFailure::Other(_) => return None,
    }
    Some(refusal)
}

/// One option of a select or a box of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionView {
    /// Its value.
    pub value: String,
    /// What it shows.
    pub label: String,
    /// The label's language when it differs from the page's (names are Finnish).
    pub lang: Option<&'static str>,
}

/// How a field is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlView {
    /// `<input type=text|date>` or a number field (`inputmode`).
    Line {
        /// `text` or `date`.
        input_type: &'static str,
        /// `decimal`, `numeric`, or none.
        inputmode: Option<&'static str>,
    },
    /// `<textarea>`.
    Area,
    /// `<select>`; the first option is "choose" (required) or "none" (optional).
    Select(Vec<OptionView>),
    /// Check boxes in a fieldset.
    Boxes(Vec<OptionView>),
}

/// One field as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldView {
    /// Its name (the command's field).
    pub name: &'static str,
    /// Its element id.
    pub id: String,
    /// Its label.
    pub label: &'static str,
    /// Its hint.
    pub hint: Option<&'static str>,
    /// Whether it must be filled.
    pub required: bool,
    /// How it is drawn.
    pub control: ControlView,
    /// What it holds (every value, for boxes).
    pub values: Vec<String>,
    /// What is wrong with it, and that message's language if it is not the page's.
    pub error: Option<(String, Option<&'static str>)>,
}

/// What a form page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormView {
    /// Which form.
    pub kind: FormKind,
    /// The session's CSRF token.
    pub csrf: String,
    /// The idempotency key of this render.
    pub idempotency_key: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
    /// Errors not about one field.
    pub general_errors: Vec<(String, Option<&'static str>)>,
}

/// The element id of the input named `name`.
fn element_id(name: &str) -> String {
    format!("field-{}", name.replace(['.', '_'], "-"))
}

fn named(choices: &[Choice], lang: Lang) -> Vec<OptionView> {
    let label_lang = (lang != Lang::Fi).then_some("fi");
    choices
        .iter()
        .map(|choice| OptionView { value: choice.id.to_string(), label: choice.label.clone(), lang: label_lang })
        .collect()
}

fn fixed(texts: &FormsTexts, list: &str, values: &[&str]) -> Vec<OptionView> {
    values
        .iter()
        .map(|value| OptionView {
            value: (*value).to_owned(),
            label: (texts.option)(&format!("{list}:{value}")).to_owned(),
            lang: None,
        })
        .collect()
}

fn options(source: Source, choices: &FormChoices, lang: Lang) -> Vec<OptionView> {
    let texts = texts(lang);
    match source {
        Source::Units => named(&choices.units, lang),
        Source::OpenCampaigns => named(&choices.open_campaigns, lang),
        Source::Experiments => named(&choices.experiments, lang),
        Source::Bodies => named(&choices.bodies, lang),
        Source::Practices => named(&choices.practices, lang),
        Source::Sessions => named(&choices.sessions, lang),
        Source::Measurements => {
            let experiment_name = |id: Option<Uuid>| {
                id.and_then(|id| choices.experiments.iter().find(|e| e.id == id)).map(|e| e.label.as_str())
            };
            let mut measured = named(&choices.measurements, lang);
            for (option, choice) in measured.iter_mut().zip(&choices.measurements) {
                if let Some(experiment) = experiment_name(choice.parent) {
                    option.label = format!("{} · {experiment}", option.label);
                }
            }
            measured
        }
        Source::LessonSources => {
            let mut sources = Vec::new();
            for (kind, list) in [("experiment", &choices.experiments), ("campaign", &choices.open_campaigns)] {
                for mut option in named(list, lang) {
                    option.label = format!("{}: {}", (texts.source_kind)(kind), option.label);
                    option.value = format!("{kind}:{}", option.value);
                    sources.push(option);
                }
            }
            sources
        }
        Source::Criteria => fixed(texts, "criterion", &["effectiveness", "wellbeing_at_work", "productivity"]),
        Source::Verdicts => fixed(texts, "verdict", &["improved", "no_change", "worse", "inconclusive"]),
        Source::Resolutions => fixed(
            texts,
            "resolution",
            &["passed", "passed_as_amended", "passed_after_vote", "rejected", "returned", "tabled", "noted"],
        ),
    }
}

/// What the form `kind` shows with `values` typed, `refusal` placed at its fields.
pub fn form_view(
    lang: Lang,
    kind: FormKind,
    values: &Values,
    choices: &FormChoices,
    refusal: &Refusal,
    csrf: String,
    idempotency_key: String,
) -> FormView {
    let texts = texts(lang);
    let fields = kind
        .fields()
        .iter()
        .map(|spec| {
            let control = match spec.input {
                Input::Text | Input::Tags => ControlView::Line { input_type: "text", inputmode: None },
                Input::Date => ControlView::Line { input_type: "date", inputmode: None },
                Input::Decimal => ControlView::Line { input_type: "text", inputmode: Some("decimal") },
                Input::Integer => ControlView::Line { input_type: "text", inputmode: Some("numeric") },
                Input::Area | Input::Lines | Input::Answers | Input::Personal => ControlView::Area,
                Input::Select(source) => ControlView::Select(options(source, choices, lang)),
                Input::Boxes(source) => ControlView::Boxes(options(source, choices, lang)),
            };
            FieldView {
                name: spec.name,
                id: element_id(spec.name),
                label: (texts.label)(spec.name),
                hint: (texts.hint)(spec.name),
                required: spec.required,
                control,
                values: values.all(spec.name).to_vec(),
                error: refusal.at_fields.get(spec.name).cloned(),
            }
        })
        .collect();
    FormView { kind, csrf, idempotency_key, fields, general_errors: refusal.general.clone() }
}

/// The forms list: the forms `allowed` lets the person use; `recorded` a notice of the form
/// just saved.
pub fn forms_list_page(frame: &Frame, allowed: &[FormKind], recorded: Option<FormKind>) -> Markup {
    let texts = texts(frame.lang);
    layout(
        frame,
        texts.heading,
        html! {
            h1 { (texts.heading) }
            @if let Some(kind) = recorded {
                p.notice role="status" { ((texts.recorded)(kind.name())) }
            }
            p { (texts.intro) }
            @if allowed.is_empty() {
                p { (texts.none_available) }
            } @else {
                ul.form-list {
                    @for kind in allowed {
                        li {
                            h2.form-title { a href=(format!("/record/{}", kind.name())) { ((texts.form_title)(kind.name())) } }
                            p { ((texts.form_intro)(kind.name())) }
                        }
                    }
                }
            }
        },
    )
}

fn described_by(field: &FieldView) -> Option<String> {
    let hint = field.hint.map(|_| format!("{}-hint", field.id));
    let error = field.error.as_ref().map(|_| format!("{}-error", field.id));
    let ids: Vec<String> = hint.into_iter().chain(error).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn field_markup(texts: &FormsTexts, field: &FieldView) -> Markup {
    let value = field.values.first().map_or("", String::as_str);
    let invalid = field.error.as_ref().map(|_| "true");
    let required = field.required.then_some("true");
    let marker = html! {
        @if field.required { " " span.required aria-hidden="true" { "*" } span.visually-hidden { " (" (texts.required) ")" } }
    };
    let hint = html! { @if let Some(hint) = field.hint { p.hint id=(format!("{}-hint", field.id)) { (hint) } } };
    let error = html! {
        @if let Some((message, lang)) = &field.error {
            p.error id=(format!("{}-error", field.id)) { span lang=[*lang] { (message) } }
        }
    };
    match &field.control {
        ControlView::Boxes(options) => html! {
            fieldset.field aria-describedby=[described_by(field)] {
                legend { (field.label) (marker) }
                (hint) (error)
                @if options.is_empty() { p { (texts.nothing_to_choose) } }
                @for (index, option) in options.iter().enumerate() {
                    @let id = format!("{}-{index}", field.id);
                    div.checkbox {
                        input type="checkbox" id=(id) name=(field.name) value=(option.value)
                            checked[field.values.contains(&option.value)] aria-invalid=[invalid];
                        label for=(id) lang=[option.lang] { (option.label) }
                    }
                }
            }
        },
        control => html! {
            div.field {
                label for=(field.id) { (field.label) (marker) }
                (hint) (error)
                @match control {
                    ControlView::Line { input_type, inputmode } => {
                        input id=(field.id) name=(field.name) type=(input_type) value=(value) inputmode=[*inputmode]
                            aria-required=[required] aria-invalid=[invalid] aria-describedby=[described_by(field)];
                    }
                    ControlView::Area => {
                        textarea id=(field.id) name=(field.name) rows="4"
                            aria-required=[required] aria-invalid=[invalid] aria-describedby=[described_by(field)] { (value) }
                    }
                    ControlView::Select(options) => {
                        select id=(field.id) name=(field.name)
                            aria-required=[required] aria-invalid=[invalid] aria-describedby=[described_by(field)] {
                            option value="" { (if field.required { texts.choose } else { texts.choose_none }) }
                            @for option in options {
                                option value=(option.value) selected[option.value == value] lang=[option.lang] { (option.label) }
                            }
                        }
                        @if options.is_empty() { p.hint { (texts.nothing_to_choose) } }
                    }
                    ControlView::Boxes(_) => {}
                }
            }
        },
    }
}

/// Where the error summary's link for `field` goes: the input, or a group's first box.
fn error_target(field: &FieldView) -> String {
    match &field.control {
        ControlView::Boxes(options) if !options.is_empty() => format!("#{}-0", field.id),
        _ => format!("#{}", field.id),
    }
}

/// A form page.
pub fn form_page_markup(frame: &Frame, view: &FormView) -> Markup {
    let texts = texts(frame.lang);
    let title = (texts.form_title)(view.kind.name());
    let with_errors: Vec<&FieldView> = view.fields.iter().filter(|field| field.error.is_some()).collect();
    let has_errors = !with_errors.is_empty() || !view.general_errors.is_empty();
    layout(
        frame,
        title,
        html! {
            p { a href="/record" { "← " (texts.back_to_forms) } }
            h1.form-title { (title) }
            p { ((texts.form_intro)(view.kind.name())) }
            @if has_errors {
                div.error-summary role="alert" aria-labelledby="error-summary-heading" tabindex="-1" {
                    h2 id="error-summary-heading" { (texts.error_summary) }
                    ul {
                        @for (message, lang) in &view.general_errors { li lang=[*lang] { (message) } }
                        @for field in &with_errors {
                            @if let Some((message, lang)) = &field.error {
                                li { a href=(error_target(field)) { (field.label) ": " span lang=[*lang] { (message) } } }
                            }
                        }
                    }
                }
            }
            p.hint { (texts.required_legend) }
            form.record-form method="post" action=(format!("/record/{}", view.kind.name())) novalidate {
                input type="hidden" name=(CSRF_FIELD) value=(view.csrf);
                input type="hidden" name=(KEY_FIELD) value=(view.idempotency_key);
                @for field in &view.fields { (field_markup(texts, field)) }
                button type="submit" { (texts.submit) }
            }
        },
    )
}

/// `GET /record`.
async fn forms_list(staff: Staff, RawQuery(raw): RawQuery) -> Response {
    let allowed: Vec<FormKind> = FormKind::ALL.into_iter().filter(|kind| kind.allowed(&staff.principal)).collect();
    let pairs = form_pairs(raw.unwrap_or_default().as_bytes());
    let recorded = super::field(&pairs, "recorded");
    let recorded = FormKind::parse(recorded).filter(|kind| allowed.contains(kind));
    html_response(StatusCode::OK, forms_list_page(&staff.frame, &allowed, recorded))
}

/// The form named in the path, if the person may use it: 404 for no such form, 403 for a role
/// that may not issue its command.
fn permitted_form(staff: &Staff, form: &str) -> Result<FormKind, WebError> {
    let lang = staff.frame.lang;
    let kind = FormKind::parse(form).ok_or_else(|| {
        let detail = format!(
            "form: `{}` is not one of {}",
            kirjuri_app::queries::printable(form),
            FormKind::ALL.map(FormKind::name).join(", ")
        );
        WebError::new(lang, StatusCode::NOT_FOUND, Some(detail))
    })?;
    authorize(&staff.principal, Action::Command(kind.group()), &Resource::of(staff.principal.municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    Ok(kind)
}

fn fresh_key(lang: Lang) -> Result<String, WebError> {
    super::session::random_bytes::<16>().map(|bytes| super::session::hex(&bytes)).map_err(|error| {
        tracing::error!(%error, "no idempotency key for a form");
        WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
    })
}

async fn choices_of(state: &WebState, staff: &Staff, kind: FormKind) -> Result<FormChoices, WebError> {
    let municipality = staff.principal.municipality;
    read_views(state, staff.frame.lang, move |views| form_choices(views, municipality, kind)).await
}

/// `GET /record/{form}`: the empty form (today's date in its date of recording).
async fn form_page(
    State(state): State<WebState>,
    staff: Staff,
    Path(form): Path<String>,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let kind = permitted_form(&staff, &form)?;
    let choices = choices_of(&state, &staff, kind).await?;
    let mut values = Values::default();
    let today = chrono::Utc::now().date_naive().to_string();
    for day in ["submitted_on", "assessed"] {
        values.set(day, today.clone());
    }
    let csrf = staff.frame.signed_in.as_ref().map(|signed_in| signed_in.csrf.clone()).unwrap_or_default();
    let view = form_view(lang, kind, &values, &choices, &Refusal::default(), csrf, fresh_key(lang)?);
    Ok(html_response(StatusCode::OK, form_page_markup(&staff.frame, &view)))
}

/// Runs the form's command as the API's route for it would.
async fn run_form(
    state: &WebState,
    principal: &Principal,
    kind: FormKind,
    body: Value,
    key: &str,
) -> Result<Executed, CommandFailure> {
    let group = kind.group();
    match kind {
        FormKind::SubmitResponse => {
            let request = CommandRequest::<SubmitResponse>::from_json(body, key, None)?;
            run::<CampaignState, _>(state, principal, group, request, None, CampaignCommand::SubmitResponse).await
        }
        FormKind::RecordNote => {
            let request = CommandRequest::<RecordNote>::from_json(body, key, None)?;
            run::<EngagementState, _>(state, principal, group, request, None, EngagementCommand::RecordNote).await
        }
        FormKind::RecordMeasurement => {
            let request = CommandRequest::<RecordMeasurement>::from_json(body, key, None)?;
            run::<ExperimentState, _>(state, principal, group, request, None, ExperimentCommand::RecordMeasurement)
                .await
        }
        FormKind::AssessOutcome => {
            let request = CommandRequest::<AssessOutcome>::from_json(body, key, None)?;
            run::<ExperimentState, _>(state, principal, group, request, None, ExperimentCommand::AssessOutcome).await
        }
        FormKind::IdentifyLesson => {
            let request = CommandRequest::<IdentifyLesson>::from_json(body, key, None)?;
            let tenant = Some(principal.municipality);
            run::<LessonState, _>(state, principal, group, request, tenant, LessonCommand::Identify).await
        }
        FormKind::DecidePractice => {
            let request = CommandRequest::<DecidePractice>::from_json(body, key, None)?;
            run::<PracticeState, _>(state, principal, group, request, None, PracticeCommand::Decide).await
        }
    }
}

/// Where a recorded form goes: the lesson's page, the decided practice's page, or the forms
/// list with a notice.
fn recorded_location(kind: FormKind, municipality: MunicipalityId, key: &str, values: &Values) -> String {
    let practice = Uuid::try_parse(values.get("practice").trim()).ok();
    match (kind, practice) {
        (FormKind::IdentifyLesson, _) => format!("/lessons/{}", new_record_id(municipality, key, "lesson")),
        (FormKind::DecidePractice, Some(practice)) => format!("/practices/{practice}"),
        (other, _) => format!("/record?recorded={}", other.name()),
    }
}

/// `POST /record/{form}`: CSRF checked (403, nothing recorded), the role checked (403), the
/// command run; recorded → 303 to its page once the read models show it; refused → 422 with
/// the form as typed and each error at its field.
async fn submit(
    State(state): State<WebState>,
    staff: Staff,
    Path(form): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let pairs = form_pairs(&body);
    let cookie = cookies(&headers).and_then(|header| cookie_value(header, SESSION_COOKIE)).unwrap_or_default();
    if !state.web_sessions.csrf_holds(cookie, super::field(&pairs, CSRF_FIELD)) {
        let detail = "csrf: the form's token does not belong to this session; reload the page and try again";
        return Err(WebError::new(lang, StatusCode::FORBIDDEN, Some(detail.to_owned())));
    }
    let kind = permitted_form(&staff, &form)?;
    let typed_key = super::field(&pairs, KEY_FIELD).trim();
    let key_is_usable = !typed_key.is_empty()
        && typed_key.len() <= 200
        && typed_key.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    let key = if key_is_usable { typed_key.to_owned() } else { fresh_key(lang)? };
    let values = Values::from_pairs(&pairs);
    let choices = choices_of(&state, &staff, kind).await?;
    let refused = |refusal: &Refusal, key: String| {
        let csrf = staff.frame.signed_in.as_ref().map(|signed_in| signed_in.csrf.clone()).unwrap_or_default();
        let view = form_view(lang, kind, &values, &choices, refusal, csrf, key);
        html_response(StatusCode::UNPROCESSABLE_ENTITY, form_page_markup(&staff.frame, &view))
    };
    let problems = input_problems(kind, &values, lang);
    if !problems.is_empty() {
        return Ok(refused(&problems, key));
    }
    let municipality = staff.principal.municipality;
    let command = command_body(kind, &values, &choices, municipality, &key);
    match run_form(&state, &staff.principal, kind, command, &key).await {
        Ok(executed) => {
            if let (Some(position), Ok(read_side)) = (executed.position, state.read_side())
                && let Err(error) = read_side.wait_until_caught_up(position, READ_YOUR_WRITE).await
            {
                tracing::warn!(%error, "the read models did not show a form's record in time");
            }
            Ok(see_other(&recorded_location(kind, municipality, &key, &values)))
        }
        Err(failure) => match refusal_of(kind, lang, &failure) {
            Some(refusal) => Ok(refused(&refusal, key)),
            None => Err(WebError::from_api(lang, &AppError::from(failure))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kirjuri_app::commands::BodyError;

    use crate::i18n::forms::{EN, FI};
    use crate::pages::SignedIn;

    fn frame(lang: Lang) -> Frame {
        Frame {
            lang,
            here: "/record/identify-lesson".to_owned(),
            signed_in: Some(SignedIn {
                name: "Maija".to_owned(),
                csrf: "c5rf".to_owned(),
                audits: false,
                records: true,
            }),
        }
    }

    fn values(pairs: &[(&str, &str)]) -> Values {
        Values::from_pairs(&pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect::<Vec<_>>())
    }

    fn choices() -> FormChoices {
        let choice = |n: u128, label: &str, parent: Option<u128>| Choice {
            id: Uuid::from_u128(n),
            label: label.to_owned(),
            parent: parent.map(Uuid::from_u128),
        };
        FormChoices {
            units: vec![choice(1, "Kotihoito", None)],
            open_campaigns: vec![choice(2, "DigComp 2026", Some(20))],
            experiments: vec![choice(3, "Etäkotihoito", None)],
            sessions: vec![choice(4, "2026-03-01 · Valmennus", Some(40))],
            measurements: vec![choice(5, "visits 2026-01-01–2026-01-31", Some(3))],
            ..FormChoices::default()
        }
    }

    #[test]
    fn a_lesson_form_becomes_the_apis_command_body() {
        let municipality = MunicipalityId(Uuid::from_u128(9));
        let typed = values(&[
            ("title.fi", "Etäkäynnit säästävät aikaa"),
            ("title.en", ""),
            ("unit", ""),
            ("driving_event.fi", "Kokeilu"),
            ("lesson_text.fi", "Oppi"),
            ("recommendations", "Yksi\n\n Kaksi "),
            ("sources", &format!("experiment:{}", Uuid::from_u128(3))),
            ("tags", "kotihoito, , etäpalvelu"),
        ]);
        let body = command_body(FormKind::IdentifyLesson, &typed, &choices(), municipality, "k1");
        assert_eq!(
            body["title"],
            json!({ "fi": "Etäkäynnit säästävät aikaa" }),
            "an empty optional language is left out"
        );
        assert_eq!(body.get("unit"), None);
        assert_eq!(body["recommendations"], json!([{ "fi": "Yksi" }, { "fi": "Kaksi" }]));
        assert_eq!(body["sources"], json!([{ "kind": "experiment", "id": Uuid::from_u128(3).to_string() }]));
        assert_eq!(body["tags"], json!(["kotihoito", "etäpalvelu"]));
        assert_eq!(body["municipality"], json!(municipality));
        assert_eq!(body["lesson"], json!(new_record_id(municipality, "k1", "lesson")));
        assert_ne!(new_record_id(municipality, "k1", "lesson"), new_record_id(municipality, "k2", "lesson"));
        let parsed: Result<IdentifyLesson, _> = serde_json::from_value(body);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn numbers_take_a_decimal_comma_and_derived_references_are_filled_in() {
        let typed =
            values(&[("value", "3,5"), ("n", "12"), ("period.from", "2026-01-01"), ("period.to", "2026-01-31")]);
        let body = command_body(FormKind::RecordMeasurement, &typed, &choices(), MunicipalityId(Uuid::nil()), "k");
        assert_eq!((body["value"].clone(), body["n"].clone()), (json!(3.5), json!(12)));
        assert_eq!(body["period"], json!({ "from": "2026-01-01", "to": "2026-01-31" }));
        let typed = values(&[("value", "paljon")]);
        let body = command_body(FormKind::RecordMeasurement, &typed, &choices(), MunicipalityId(Uuid::nil()), "k");
        assert_eq!(body["value"], json!("paljon"), "left for the parser to refuse");
        let typed = values(&[("session", &Uuid::from_u128(4).to_string()), ("answers", "1.1 = 4")]);
        let note = command_body(FormKind::RecordNote, &typed, &choices(), MunicipalityId(Uuid::nil()), "k");
        assert_eq!(note["engagement"], json!(Uuid::from_u128(40)));
        let typed = values(&[("campaign", &Uuid::from_u128(2).to_string()), ("answers", "1.1 = 4\n1.2=x")]);
        let response = command_body(FormKind::SubmitResponse, &typed, &choices(), MunicipalityId(Uuid::nil()), "k");
        assert_eq!(response["framework"], json!(Uuid::from_u128(20)));
        assert_eq!(response["answers"], json!([{ "item": "1.1", "value": 4 }, { "item": "1.2", "value": "x" }]));
    }

    fn invalid(field: &str, rule: impl Into<kirjuri_domain::InputRule>) -> CommandFailure {
        let rule = kirjuri_domain::DomainError::invalid(field, rule);
        CommandFailure::Invalid(Box::new(BodyError {
            field: field.to_owned(),
            detail: rule.to_string(),
            rule: Some(rule),
        }))
    }

    #[test]
    fn a_refusal_is_placed_at_the_input_it_names_in_the_pages_language() {
        use kirjuri_domain::{DomainError, ExperimentStep, InputRule, StateRule};
        use kirjuri_events::domain::ShapeRule;
        let at = |kind, lang, failure: &CommandFailure| {
            refusal_of(kind, lang, failure).map(|refusal| refusal.at_fields.into_iter().collect::<Vec<_>>())
        };
        let empty_title = invalid("title.fi", ShapeRule::Empty);
        let empty = kirjuri_domain::DomainError::invalid("title.fi", ShapeRule::Empty);
        let (_, finnish) = crate::i18n::refusals::refusal(Lang::Fi, &empty);
        assert_eq!(at(FormKind::IdentifyLesson, Lang::Fi, &empty_title), Some(vec![("title.fi", (finnish, None))]));
        assert_eq!(
            at(FormKind::IdentifyLesson, Lang::En, &empty_title),
            Some(vec![("title.fi", (ShapeRule::Empty.to_string(), None))])
        );
        let twice = invalid("answers[2].value", InputRule::ListedTwice);
        assert_eq!(at(FormKind::SubmitResponse, Lang::En, &twice).map(|at| at[0].0), Some("answers"));
        let derived = invalid("framework", InputRule::NoAnswers);
        assert_eq!(at(FormKind::SubmitResponse, Lang::En, &derived).map(|at| at[0].0), Some("campaign"));
        // A rule about the record's state goes to the summary, said in the page's language.
        let concluded = DomainError::not_allowed(StateRule::ExperimentConcluded { what: ExperimentStep::Outcome });
        let general = refusal_of(FormKind::AssessOutcome, Lang::Fi, &CommandFailure::Refused(concluded.clone()))
            .unwrap_or_default();
        assert!(general.at_fields.is_empty());
        assert_eq!(general.general, [(crate::i18n::refusals::refusal(Lang::Fi, &concluded).1, None)]);
        assert_ne!(general.general[0].0, concluded.to_string(), "said in Finnish, not English");
        // Not about the form at all: an error page instead.
        let denied = CommandFailure::Other(kirjuri_app::AppError::new(ErrorCode::Forbidden, "no"));
        assert_eq!(refusal_of(FormKind::AssessOutcome, Lang::Fi, &denied), None);
    }

    #[test]
    fn the_page_names_every_empty_required_input_and_every_number_or_day_that_is_not_one() {
        let typed = values(&[("value", "12,5x"), ("period.from", "31.3.2025"), ("period.to", "2025-03-31")]);
        let problems = input_problems(FormKind::RecordMeasurement, &typed, Lang::Fi);
        let said = |name: &str| problems.at_fields.get(name).map(|(text, _)| text.as_str());
        assert_eq!(said("value"), Some((FI.problem)(InputProblem::Number)));
        assert_eq!(said("period.from"), Some((FI.problem)(InputProblem::Date)));
        assert_eq!(said("period.to"), None, "a day as a date input sends it");
        assert_eq!(said("experiment"), Some((FI.problem)(InputProblem::Required)));
        assert_eq!(said("n"), Some((FI.problem)(InputProblem::Required)));
        assert_eq!(said("metric"), None, "typed text is the command's to judge");
        let fine = values(&[("value", "12,5"), ("period.from", "2025-03-01"), ("period.to", "2025-03-31")]);
        let problems = input_problems(FormKind::RecordMeasurement, &fine, Lang::En);
        assert!(!problems.at_fields.contains_key("value") && !problems.at_fields.contains_key("period.from"));
    }

    #[test]
    fn every_input_problem_is_said_in_both_languages() {
        for problem in InputProblem::ALL {
            let (fi, en) = ((FI.problem)(problem), (EN.problem)(problem));
            assert!(!fi.is_empty() && !en.is_empty() && fi != en, "{problem:?}");
        }
        assert_ne!(FI.key_reused, EN.key_reused);
    }

    #[test]
    fn a_refused_form_keeps_what_was_typed_and_describes_each_error_at_its_field() {
        use kirjuri_events::domain::ShapeRule;
        let typed = values(&[("title.fi", "  "), ("lesson_text.fi", "<script>x</script>"), ("tags", "a, b")]);
        let refusal =
            refusal_of(FormKind::IdentifyLesson, Lang::Fi, &invalid("title.fi", ShapeRule::Empty)).unwrap_or_default();
        let view =
            form_view(Lang::Fi, FormKind::IdentifyLesson, &typed, &choices(), &refusal, "c5rf".into(), "key1".into());
        let page = form_page_markup(&frame(Lang::Fi), &view).into_string();
        assert!(page.contains("role=\"alert\""));
        assert!(page.contains("<a href=\"#field-title-fi\">Otsikko: <span>ei saa olla tyhjä</span></a>"), "{page}");
        assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"field-title-fi-error\""), "{page}");
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;</textarea>"), "typed text is kept, escaped");
        assert!(!page.contains("<script>x"));
        assert!(page.contains("value=\"a, b\""));
        assert!(page.contains("name=\"idempotency_key\" value=\"key1\""));
        assert!(page.contains("name=\"csrf\" value=\"c5rf\""));
        assert!(page.contains("<label for=\"field-sources-0\">Kokeilu: Etäkotihoito</label>"), "{page}");
    }

    #[test]
    fn names_from_the_records_are_marked_finnish_on_an_english_page_and_the_parsers_own_words_english_on_a_finnish_one()
    {
        // What only the JSON parser says (no kirjuri rule behind it) stays in its English.
        let untyped = CommandFailure::Invalid(Box::new(BodyError {
            field: "sources".into(),
            rule: None,
            detail: "sources: invalid type: map, expected a sequence".into(),
        }));
        let refusal = refusal_of(FormKind::IdentifyLesson, Lang::Fi, &untyped).unwrap_or_default();
        let en = form_view(
            Lang::En,
            FormKind::IdentifyLesson,
            &Values::default(),
            &choices(),
            &refusal,
            String::new(),
            "k".into(),
        );
        let page = form_page_markup(&frame(Lang::En), &en).into_string();
        assert!(page.contains("<label for=\"field-sources-0\" lang=\"fi\">"), "{page}");
        assert!(page.contains("<html lang=\"en\">"));
        let fi = form_view(
            Lang::Fi,
            FormKind::IdentifyLesson,
            &Values::default(),
            &choices(),
            &refusal,
            String::new(),
            "k".into(),
        );
        let page = form_page_markup(&frame(Lang::Fi), &fi).into_string();
        assert!(page.contains("<span lang=\"en\">invalid type: map, expected a sequence</span>"), "{page}");
        assert!(page.contains("href=\"#field-sources-0\""));
    }

    #[test]
    fn the_list_offers_only_the_allowed_forms_and_says_what_was_saved() {
        let page = forms_list_page(&frame(Lang::Fi), &[FormKind::IdentifyLesson], Some(FormKind::IdentifyLesson))
            .into_string();
        assert!(page.contains("href=\"/record/identify-lesson\""));
        assert!(!page.contains("/record/decide-practice"));
        assert!(page.contains("Tallennettu: opittu asia."));
        let none = forms_list_page(&frame(Lang::En), &[], None).into_string();
        assert!(none.contains("Your role does not let you record anything"));
    }

    #[test]
    fn a_form_reads_only_the_lists_its_selects_offer() {
        let lesson = FormKind::IdentifyLesson;
        assert!(
            lesson.offers(Source::Experiments) && lesson.offers(Source::OpenCampaigns) && lesson.offers(Source::Units)
        );
        assert!(!lesson.offers(Source::Bodies) && !lesson.offers(Source::Sessions));
        assert!(FormKind::AssessOutcome.offers(Source::Experiments), "measurements are labelled with their experiment");
        assert!(!FormKind::DecidePractice.offers(Source::Units));
    }

    #[test]
    fn every_form_and_field_has_its_strings_in_both_languages() {
        for lang in Lang::ALL {
            let texts = texts(lang);
            for kind in FormKind::ALL {
                assert_ne!((texts.form_title)(kind.name()), "Lomake");
                assert_ne!((texts.form_title)(kind.name()), "Form");
                for spec in kind.fields() {
                    assert!(!["Kenttä", "Field"].contains(&(texts.label)(spec.name)), "{}", spec.name);
                }
            }
        }
    }
}
