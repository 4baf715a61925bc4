//! The strings of the experiments' list and page.

use kirjuri_events::domain::experiment::ExperimentPhase;
use kirjuri_events::domain::lesson::LessonPhase;

use super::Lang;

/// The experiments' strings in one language.
#[derive(Debug)]
pub struct ExperimentsTexts {
    /// The list's heading.
    pub title: &'static str,
    /// What the list shows.
    pub intro: &'static str,
    /// The filter form's label.
    pub filters: &'static str,
    /// The status field.
    pub status_label: &'static str,
    /// Any status.
    pub any_status: &'static str,
    /// The unit field.
    pub unit_label: &'static str,
    /// Every unit.
    pub all_units: &'static str,
    /// The "proposed from" field.
    pub from_label: &'static str,
    /// The "proposed to" field.
    pub to_label: &'static str,
    /// The date fields' hint.
    pub date_hint: &'static str,
    /// The filter button.
    pub filter: &'static str,
    /// The link that clears the filters.
    pub clear: &'static str,
    /// The list table's caption.
    pub list_caption: &'static str,
    /// No experiments.
    pub none_found: &'static str,
    /// The name column.
    pub name: &'static str,
    /// The status column.
    pub status: &'static str,
    /// The units column.
    pub units: &'static str,
    /// The proposed column.
    pub proposed: &'static str,
    /// The period column.
    pub period: &'static str,
    /// Pagination's label.
    pub pages: &'static str,
    /// The first page.
    pub first_page: &'static str,
    /// The next page.
    pub next_page: &'static str,
    /// Back to the list.
    pub back_to_list: &'static str,
    /// The problem.
    pub problem: &'static str,
    /// The hypothesis.
    pub hypothesis: &'static str,
    /// The themes.
    pub themes: &'static str,
    /// The approval's heading.
    pub approval: &'static str,
    /// Not approved yet.
    pub not_approved: &'static str,
    /// The decision (body, date, §).
    pub decision: &'static str,
    /// The group it involves.
    pub group: &'static str,
    /// The place.
    pub place: &'static str,
    /// The budget.
    pub budget: &'static str,
    /// The protocol's heading.
    pub protocol: &'static str,
    /// No protocol yet.
    pub no_protocol: &'static str,
    /// The evaluation design.
    pub design: &'static str,
    /// The stages' heading.
    pub stages: &'static str,
    /// No stage changes yet.
    pub no_stages: &'static str,
    /// The criteria's heading.
    pub criteria: &'static str,
    /// "Metric" (before its name).
    pub metric: &'static str,
    /// The baseline.
    pub baseline: &'static str,
    /// No baseline.
    pub no_baseline: &'static str,
    /// "Higher is better".
    pub higher_is_better: &'static str,
    /// "Lower is better".
    pub lower_is_better: &'static str,
    /// No measurements.
    pub no_measurements: &'static str,
    /// The measurements table's period column.
    pub measured_period: &'static str,
    /// The value column.
    pub value: &'static str,
    /// The observations column.
    pub observations: &'static str,
    /// The "change from the baseline" column.
    pub change: &'static str,
    /// The data source column.
    pub source: &'static str,
    /// The outcome's heading.
    pub outcome: &'static str,
    /// No outcome yet.
    pub no_outcome: &'static str,
    /// The effect.
    pub effect: &'static str,
    /// Assessed on.
    pub assessed: &'static str,
    /// The conclusion's heading.
    pub conclusion: &'static str,
    /// The success rating.
    pub rating: &'static str,
    /// The lessons' heading.
    pub lessons: &'static str,
    /// No lessons.
    pub no_lessons: &'static str,
    /// The "measurements as a table" disclosure.
    pub as_table: &'static str,
    /// A status's name.
    pub status_name: fn(ExperimentPhase) -> &'static str,
    /// An end state's name.
    pub end_state_name: fn(&str) -> &'static str,
    /// A stage's name.
    pub stage_name: fn(&str) -> &'static str,
    /// A criterion's name.
    pub criterion_name: fn(&str) -> &'static str,
    /// A verdict's name.
    pub verdict_name: fn(&str) -> &'static str,
    /// An evaluation design's name.
    pub design_name: fn(&str) -> &'static str,
    /// A lesson status's name.
    pub lesson_status_name: fn(LessonPhase) -> &'static str,
    /// A chart's accessible name: metric, unit, how many measurements, baseline.
    pub chart_label: fn(&str, &str, usize, Option<&str>) -> String,
    /// "stage A → B".
    pub stage_change: fn(&str, &str) -> String,
    /// "§ 12".
    pub section: fn(u32) -> String,
}

/// Finnish.
pub static FI: ExperimentsTexts = ExperimentsTexts {
    title: "Kokeilut",
    intro: "Kunnan kokeilut uusimmasta alkaen: vaihe, mukana olevat yksiköt ja ajankohta.",
    filters: "Rajaa kokeiluja",
    status_label: "Tila",
    any_status: "Kaikki tilat",
    unit_label: "Yksikkö",
    all_units: "Kaikki yksiköt",
    from_label: "Ehdotettu aikaisintaan",
    to_label: "Ehdotettu viimeistään",
    date_hint: "Muoto VVVV-KK-PP.",
    filter: "Rajaa",
    clear: "Poista rajaukset",
    list_caption: "Kokeilut, uusin ensin",
    none_found: "Kokeiluja ei löytynyt.",
    name: "Nimi",
    status: "Tila",
    units: "Yksiköt",
    proposed: "Ehdotettu",
    period: "Kesto",
    pages: "Sivut",
    first_page: "Ensimmäinen sivu",
    next_page: "Seuraava sivu",
    back_to_list: "Takaisin kokeiluihin",
    problem: "Ongelma",
    hypothesis: "Oletus",
    themes: "Teemat",
    approval: "Hyväksyntä",
    not_approved: "Kokeilua ei ole vielä hyväksytty.",
    decision: "Päätös",
    group: "Kohderyhmä",
    place: "Paikka",
    budget: "Budjetti",
    protocol: "Arviointisuunnitelma",
    no_protocol: "Arviointisuunnitelmaa ei ole vielä määritelty.",
    design: "Arviointiasetelma",
    stages: "Vaiheet",
    no_stages: "Vaihe ei ole vielä vaihtunut.",
    criteria: "Arviointikriteerit ja mittaukset",
    metric: "Mittari",
    baseline: "Lähtötaso",
    no_baseline: "Lähtötasoa ei ole kirjattu.",
    higher_is_better: "suurempi on parempi",
    lower_is_better: "pienempi on parempi",
    no_measurements: "Mittauksia ei ole vielä kirjattu.",
    measured_period: "Jakso",
    value: "Arvo",
    observations: "Havaintoja",
    change: "Muutos lähtötasosta",
    source: "Lähde",
    outcome: "Tulos",
    no_outcome: "Tulosta ei ole vielä arvioitu.",
    effect: "Vaikutus",
    assessed: "Arvioitu",
    conclusion: "Päättyminen",
    rating: "Onnistumisen arvio (1–10)",
    lessons: "Opit",
    no_lessons: "Kokeilusta ei ole vielä kirjattu oppeja.",
    as_table: "Mittaukset taulukkona",
    status_name: |status| match status {
        ExperimentPhase::Proposed => "Ehdotettu",
        ExperimentPhase::Approved => "Hyväksytty, valmistelussa",
        ExperimentPhase::Running => "Käynnissä",
        ExperimentPhase::Evaluating => "Arvioitavana",
        ExperimentPhase::Concluded => "Päättynyt",
    },
    end_state_name: |state| match state {
        "completed" => "vietiin loppuun",
        "stopped" => "keskeytettiin",
        "pivoted" => "suunnattiin uudelleen",
        _ => "tuntematon",
    },
    stage_name: |stage| match stage {
        "planning" => "valmistelu",
        "running" => "käynnissä",
        "evaluating" => "arviointi",
        _ => "tuntematon",
    },
    criterion_name: |criterion| match criterion {
        "effectiveness" => "Vaikuttavuus",
        "wellbeing_at_work" => "Työhyvinvointi",
        "productivity" => "Tuottavuus",
        _ => "Muu",
    },
    verdict_name: |verdict| match verdict {
        "improved" => "Parani",
        "no_change" => "Ei muutosta",
        "worse" => "Heikkeni",
        "inconclusive" => "Ei voida arvioida",
        _ => "Tuntematon",
    },
    design_name: |design| match design {
        "before_after" => "ennen–jälkeen-vertailu",
        "comparison_group" => "vertailuryhmä",
        "time_series" => "aikasarja",
        _ => "muu",
    },
    lesson_status_name: |status| match status {
        LessonPhase::Identified => "tunnistettu",
        LessonPhase::Acting => "toimenpiteet käynnissä",
        LessonPhase::Learned => "opittu",
    },
    chart_label: |metric, unit, count, baseline| match baseline {
        Some(baseline) => format!("{metric} ({unit}): {count} mittausta, lähtötaso {baseline}"),
        None => format!("{metric} ({unit}): {count} mittausta, ei lähtötasoa"),
    },
    stage_change: |from, to| format!("{from} → {to}"),
    section: |section| format!("§ {section}"),
};

/// English.
pub static EN: ExperimentsTexts = ExperimentsTexts {
    title: "Experiments",
    intro: "The municipality's experiments, newest first: their stage, the units taking part and when.",
    filters: "Narrow the experiments",
    status_label: "Status",
    any_status: "Any status",
    unit_label: "Unit",
    all_units: "Every unit",
    from_label: "Proposed on or after",
    to_label: "Proposed on or before",
    date_hint: "Format YYYY-MM-DD.",
    filter: "Filter",
    clear: "Clear the filters",
    list_caption: "Experiments, newest first",
    none_found: "No experiments found.",
    name: "Name",
    status: "Status",
    units: "Units",
    proposed: "Proposed",
    period: "Period",
    pages: "Pages",
    first_page: "First page",
    next_page: "Next page",
    back_to_list: "Back to the experiments",
    problem: "Problem",
    hypothesis: "Hypothesis",
    themes: "Themes",
    approval: "Approval",
    not_approved: "The experiment has not been approved yet.",
    decision: "Decision",
    group: "Group",
    place: "Place",
    budget: "Budget",
    protocol: "Evaluation protocol",
    no_protocol: "No evaluation protocol has been defined yet.",
    design: "Evaluation design",
    stages: "Stages",
    no_stages: "The stage has not changed yet.",
    criteria: "Criteria and measurements",
    metric: "Metric",
    baseline: "Baseline",
    no_baseline: "No baseline recorded.",
    higher_is_better: "higher is better",
    lower_is_better: "lower is better",
    no_measurements: "No measurements recorded yet.",
    measured_period: "Period",
    value: "Value",
    observations: "Observations",
    change: "Change from baseline",
    source: "Source",
    outcome: "Outcome",
    no_outcome: "No outcome assessed yet.",
    effect: "Effect",
    assessed: "Assessed",
    conclusion: "Conclusion",
    rating: "Success rating (1–10)",
    lessons: "Lessons",
    no_lessons: "No lessons recorded from this experiment yet.",
    as_table: "The measurements as a table",
    status_name: |status| match status {
        ExperimentPhase::Proposed => "Proposed",
        ExperimentPhase::Approved => "Approved, being planned",
        ExperimentPhase::Running => "Running",
        ExperimentPhase::Evaluating => "Being evaluated",
        ExperimentPhase::Concluded => "Concluded",
    },
    end_state_name: |state| match state {
        "completed" => "completed",
        "stopped" => "stopped early",
        "pivoted" => "pivoted",
        _ => "unknown",
    },
    stage_name: |stage| match stage {
        "planning" => "planning",
        "running" => "running",
        "evaluating" => "evaluating",
        _ => "unknown",
    },
    criterion_name: |criterion| match criterion {
        "effectiveness" => "Effectiveness",
        "wellbeing_at_work" => "Wellbeing at work",
        "productivity" => "Productivity",
        _ => "Other",
    },
    verdict_name: |verdict| match verdict {
        "improved" => "Improved",
        "no_change" => "No change",
        "worse" => "Worse",
        "inconclusive" => "Inconclusive",
        _ => "Unknown",
    },
    design_name: |design| match design {
        "before_after" => "before and after",
        "comparison_group" => "comparison group",
        "time_series" => "time series",
        _ => "other",
    },
    lesson_status_name: |status| match status {
        LessonPhase::Identified => "identified",
        LessonPhase::Acting => "being acted on",
        LessonPhase::Learned => "learned",
    },
    chart_label: |metric, unit, count, baseline| match baseline {
        Some(baseline) => format!("{metric} ({unit}): {count} measurements, baseline {baseline}"),
        None => format!("{metric} ({unit}): {count} measurements, no baseline"),
    },
    stage_change: |from, to| format!("{from} → {to}"),
    section: |section| format!("§ {section}"),
};

/// The experiments' strings in `lang`.
pub fn texts(lang: Lang) -> &'static ExperimentsTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}
