//! The strings of the situational picture (the home page).

use super::Lang;

/// The situational picture's strings in one language.
#[derive(Debug)]
pub struct PictureTexts {
    /// The page's heading.
    pub title: &'static str,
    /// What the page shows, under the heading.
    pub intro: &'static str,
    /// The filter form's label.
    pub filters: &'static str,
    /// The as-of date field's label.
    pub as_of_label: &'static str,
    /// The hint under the as-of field.
    pub as_of_hint: &'static str,
    /// The framework field's label.
    pub framework_label: &'static str,
    /// The unit field's label.
    pub unit_label: &'static str,
    /// "Every unit" (no unit filter).
    pub all_units: &'static str,
    /// The button that draws the picture.
    pub show: &'static str,
    /// The link back to today's picture.
    pub today: &'static str,
    /// "Drawn as of" (followed by a date).
    pub drawn_as_of: &'static str,
    /// "Drawn with everything recorded so far".
    pub drawn_now: &'static str,
    /// Nothing to draw.
    pub empty: &'static str,
    /// The heatmap's heading.
    pub heatmap_heading: &'static str,
    /// The municipality as a whole, as a heatmap row.
    pub whole_municipality: &'static str,
    /// A unit whose name is not known.
    pub unnamed_unit: &'static str,
    /// The legend's heading.
    pub legend: &'static str,
    /// A withheld figure (too few respondents), in a cell and the legend.
    pub withheld: &'static str,
    /// What "withheld" means.
    pub withheld_explained: &'static str,
    /// No figure (no campaign measured it).
    pub no_figure: &'static str,
    /// The "numbers as a table" disclosure.
    pub as_table: &'static str,
    /// The row header column of tables: unit.
    pub unit_column: &'static str,
    /// The trends' heading.
    pub trends_heading: &'static str,
    /// What the trends show.
    pub trends_intro: &'static str,
    /// The campaign close date column.
    pub campaign_closed: &'static str,
    /// The level column.
    pub level: &'static str,
    /// The respondents column.
    pub respondents: &'static str,
    /// The gaps' heading.
    pub gaps_heading: &'static str,
    /// What the gaps show.
    pub gaps_intro: &'static str,
    /// No targets set.
    pub no_targets: &'static str,
    /// The dimension column.
    pub dimension: &'static str,
    /// The latest level column.
    pub latest: &'static str,
    /// The target column.
    pub target: &'static str,
    /// The gap column.
    pub gap: &'static str,
    /// The due date column.
    pub due: &'static str,
    /// The heatmap's accessible name: framework title.
    pub heatmap_label: fn(&str) -> String,
    /// A legend entry: a range of levels.
    pub legend_range: fn(&str, &str) -> String,
    /// A trend's accessible name: dimension, first and last shown level, how many campaigns.
    pub trend_label: fn(&str, Option<&str>, Option<&str>, usize) -> String,
    /// A cell's tooltip: unit, dimension, level, respondents.
    pub cell_title: fn(&str, &str, &str, u32) -> String,
    /// The scale, "levels 1–8".
    pub scale: fn(u8, u8) -> String,
}

/// Finnish.
pub static FI: PictureTexts = PictureTexts {
    title: "Tilannekuva",
    intro: "Digiosaamisen ja digitaalisen kypsyyden taso yksiköittäin, kehitys kartoituksesta toiseen ja matka tavoitteisiin.",
    filters: "Rajaa tilannekuvaa",
    as_of_label: "Tilanne päivänä",
    as_of_hint: "Muoto VVVV-KK-PP. Tyhjä: kaikki tähän mennessä kirjattu.",
    framework_label: "Viitekehys",
    unit_label: "Yksikkö",
    all_units: "Kaikki yksiköt",
    show: "Näytä",
    today: "Näytä nykytilanne",
    drawn_as_of: "Tilanne päivänä",
    drawn_now: "Tilanne kaiken tähän mennessä kirjatun perusteella.",
    empty: "Tilannekuvaan ei ole vielä kartoitustuloksia tällä rajauksella.",
    heatmap_heading: "Taso yksiköittäin",
    whole_municipality: "Koko kunta",
    unnamed_unit: "(nimeämätön yksikkö)",
    legend: "Selite",
    withheld: "salattu",
    withheld_explained: "Salattu: vastaajia oli vähemmän kuin kartoituksen pienin sallittu ryhmä, joten tulosta ei näytetä.",
    no_figure: "ei tulosta",
    as_table: "Luvut taulukkona",
    unit_column: "Yksikkö",
    trends_heading: "Kehitys kartoituksittain",
    trends_intro: "Koko kunnan taso kussakin ulottuvuudessa viimeisimmissä kartoituksissa, vanhin ensin.",
    campaign_closed: "Kartoitus päättyi",
    level: "Taso",
    respondents: "Vastaajia",
    gaps_heading: "Matka tavoitteisiin",
    gaps_intro: "Yksiköiden tavoitteet ja viimeisin taso, suurin ero ensin.",
    no_targets: "Tavoitteita ei ole asetettu.",
    dimension: "Ulottuvuus",
    latest: "Viimeisin taso",
    target: "Tavoite",
    gap: "Ero tavoitteeseen",
    due: "Määräaika",
    heatmap_label: |framework| format!("Lämpökartta: {framework}, taso yksiköittäin ja ulottuvuuksittain"),
    legend_range: |from, to| format!("{from}–{to}"),
    trend_label: |dimension, first, last, campaigns| match (first, last) {
        (Some(first), Some(last)) => {
            format!("{dimension}: taso {first} → {last}, {campaigns} kartoitusta")
        }
        _ => format!("{dimension}: ei näytettäviä tuloksia"),
    },
    cell_title: |unit, dimension, level, count| format!("{unit}, {dimension}: {level} ({count} vastaajaa)"),
    scale: |min, max| format!("asteikko {min}–{max}"),
};

/// English.
pub static EN: PictureTexts = PictureTexts {
    title: "Situational picture",
    intro: "Digital competence and digital maturity by unit, their trend from one assessment campaign to the next, and the gaps to targets.",
    filters: "Narrow the picture",
    as_of_label: "As of",
    as_of_hint: "Format YYYY-MM-DD. Empty: everything recorded so far.",
    framework_label: "Framework",
    unit_label: "Unit",
    all_units: "Every unit",
    show: "Show",
    today: "Show the current picture",
    drawn_as_of: "As of",
    drawn_now: "Drawn from everything recorded so far.",
    empty: "There are no assessment results for this selection yet.",
    heatmap_heading: "Level by unit",
    whole_municipality: "Whole municipality",
    unnamed_unit: "(unnamed unit)",
    legend: "Legend",
    withheld: "withheld",
    withheld_explained: "Withheld: fewer people answered than the campaign's smallest group allowed, so the figure is not shown.",
    no_figure: "no figure",
    as_table: "The numbers as a table",
    unit_column: "Unit",
    trends_heading: "Trend by campaign",
    trends_intro: "The whole municipality's level on each dimension in the most recent campaigns, oldest first.",
    campaign_closed: "Campaign closed",
    level: "Level",
    respondents: "Respondents",
    gaps_heading: "Gaps to targets",
    gaps_intro: "The units' targets and latest levels, largest gap first.",
    no_targets: "No targets have been set.",
    dimension: "Dimension",
    latest: "Latest level",
    target: "Target",
    gap: "Gap to target",
    due: "Due",
    heatmap_label: |framework| format!("Heatmap: {framework}, level by unit and dimension"),
    legend_range: |from, to| format!("{from}–{to}"),
    trend_label: |dimension, first, last, campaigns| match (first, last) {
        (Some(first), Some(last)) => format!("{dimension}: level {first} → {last} over {campaigns} campaigns"),
        _ => format!("{dimension}: no figures to show"),
    },
    cell_title: |unit, dimension, level, count| format!("{unit}, {dimension}: {level} ({count} respondents)"),
    scale: |min, max| format!("scale {min}–{max}"),
};

/// The situational picture's strings in `lang`.
pub fn texts(lang: Lang) -> &'static PictureTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}
