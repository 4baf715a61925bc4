//! The situational picture, the home page (`/`): a heatmap of units × dimensions of one
//! framework (DigComp areas or maturity dimensions, with a switch when both have results),
//! the whole municipality's trend per dimension across campaigns, and the units' gaps to their
//! targets — SVG drawn here, every number also in a table — now or as of a day.
//!
//! The query string is the API's (`as_of`, `unit`, `framework`), read by the same parser, so a
//! bad `as_of` is the same 400 naming it. The page reads the whole picture as of the day once
//! (the switch and the unit filter need every framework and unit) and narrows it in
//! [`picture_view`], a pure function; the frameworks' names, scales and dimension titles come
//! from their published definitions, replayed as of now.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Router, response::IntoResponse as _};
use kirjuri_events::domain::assessment::{FrameworkDefinition, FrameworkKind};
use kirjuri_events::domain::{FrameworkId, UnitId};
use kirjuri_views::{AggregateState, AsOf, EntityKind, Figure, PictureQuery, PictureSubject, SituationalPicture};
use maud::{Markup, html};

use super::i18n::Lang;
use super::i18n::picture::{PictureTexts, texts};
use super::pages::{Frame, Text, layout};
use super::{Staff, WebError, html_response, read_views};
use crate::WebState;
use kirjuri_auth::access::{Action, Resource, authorize};

/// The picture's page.
pub fn routes() -> Router<WebState> {
    Router::new().route("/", get(home))
}

/// `GET /`: the situational picture of the signed-in person's municipality.
async fn home(State(state): State<WebState>, staff: Staff, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let municipality = staff.principal.municipality;
    authorize(&staff.principal, Action::Read, &Resource::of(municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let query = kirjuri_app::queries::picture_query(municipality, Some(&super::filled_query(raw.as_deref())))
        .map_err(|error| WebError::from_api(lang, &error))?;
    let whole = PictureQuery { unit: None, framework: None, ..query.clone() };
    let (picture, frameworks, units) = read_views(&state, lang, move |views| {
        let picture = views.situational_picture(&whole)?;
        let mut frameworks = Vec::new();
        let ids: std::collections::BTreeSet<FrameworkId> = picture.rows.iter().map(|row| row.framework).collect();
        for framework in ids {
            let replayed = views.entity_state(EntityKind::Framework, framework.0, AsOf::Moment(chrono::Utc::now()))?;
            if let AggregateState::Framework(state) = replayed.state
                && let Some(published) = state.published
            {
                frameworks.push((framework, published.definition));
            }
        }
        let units = views.unit_names(municipality)?;
        Ok::<_, kirjuri_views::ViewsError>((picture, frameworks, units))
    })
    .await?;
    let view = picture_view(lang, &query, &picture, &frameworks, &units);
    Ok(html_response(StatusCode::OK, picture_page(&staff.frame, &view)).into_response())
}

/// A number as the page's language writes it: `4,2` in Finnish, `4.2` in English.
pub fn decimal(lang: Lang, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match lang {
        Lang::Fi => text.replace('.', ",").replace('-', "−"),
        Lang::En => text.replace('-', "−"),
    }
}

/// One option of a select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Its value.
    pub value: String,
    /// What it shows.
    pub label: Text,
    /// Whether it is chosen.
    pub selected: bool,
}

/// One heatmap cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A figure: the level, as shown, its colour step (0–4) and how many answered.
    Level {
        /// The level, written in the page's language.
        text: String,
        /// Its colour step, 0 (lowest fifth of the scale) to 4.
        step: usize,
        /// How many responses it rests on.
        respondents: u32,
    },
    /// Withheld: too few respondents.
    Withheld,
    /// No figure.
    Empty,
}

/// One heatmap row: a unit (or the whole municipality) and its cells, one per dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatRow {
    /// Whom it describes.
    pub label: Text,
    /// One cell per column.
    pub cells: Vec<Cell>,
}

/// One point of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPointView {
    /// The campaign's close date, `YYYY-MM-DD`.
    pub date: String,
    /// The level (`None` when withheld).
    pub level: Option<f64>,
    /// The level as written, or "withheld".
    pub text: String,
    /// How many answered (when shown).
    pub respondents: Option<u32>,
}

/// One dimension's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendView {
    /// The dimension.
    pub dimension: Text,
    /// Its points, oldest first.
    pub points: Vec<TrendPointView>,
}

/// One unit's gap to its target on one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct GapView {
    /// The unit.
    pub unit: Text,
    /// The dimension.
    pub dimension: Text,
    /// The latest level, written.
    pub latest: Option<String>,
    /// The target, written.
    pub target: String,
    /// The gap (target minus latest), for sorting and the bar.
    pub gap: Option<f64>,
    /// The gap, written.
    pub gap_text: Option<String>,
    /// When the target is due, `YYYY-MM-DD`.
    pub due: String,
}

/// What the situational picture page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PictureView {
    /// The as-of day asked for, `YYYY-MM-DD`.
    pub as_of: Option<String>,
    /// The frameworks with results, one chosen.
    pub frameworks: Vec<Choice>,
    /// The units, one chosen if filtered.
    pub units: Vec<Choice>,
    /// The chosen framework's name.
    pub framework: Option<Text>,
    /// Its scale, written ("scale 1–8").
    pub scale: Option<String>,
    /// Its scale's lowest and highest value (the trends are drawn on it).
    pub range: (f64, f64),
    /// The dimensions (the heatmap's columns and the trends' order).
    pub dimensions: Vec<Text>,
    /// The heatmap's rows.
    pub rows: Vec<HeatRow>,
    /// The legend: each colour step's range, written.
    pub legend: Vec<String>,
    /// Whether some cell is withheld.
    pub has_withheld: bool,
    /// The trend per dimension.
    pub trends: Vec<TrendView>,
    /// The gaps to targets, largest first.
    pub gaps: Vec<GapView>,
}

/// How many colour steps the heatmap has.
const STEPS: usize = 5;

/// The colour step of `level` on a scale from `min` to `max`: five equal fifths.
pub fn step(level: f64, min: f64, max: f64) -> usize {
    if max <= min {
        return 0;
    }
    let fraction = ((level - min) / (max - min)).clamp(0.0, 1.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "clamped to 0..=5 above")]
    let raw = (fraction * STEPS as f64).floor() as usize;
    raw.min(STEPS - 1)
}

/// The page `query` asks for, drawn from the whole `picture` as of its day, the `frameworks`'
/// definitions and the municipality's `units`.
pub fn picture_view(
    lang: Lang,
    query: &PictureQuery,
    picture: &SituationalPicture,
    frameworks: &[(FrameworkId, FrameworkDefinition)],
    units: &[(UnitId, String)],
) -> PictureView {
    let t = texts(lang);
    // Competence (DigComp) first, then maturity; the query's choice if it has results.
    let mut ordered: Vec<&(FrameworkId, FrameworkDefinition)> = frameworks.iter().collect();
    ordered
        .sort_by_key(|(id, definition)| (matches!(definition.kind, FrameworkKind::Maturity), definition.label(), *id));
    let chosen = ordered
        .iter()
        .find(|(id, _)| Some(*id) == query.framework)
        .or_else(|| ordered.first())
        .map(|(id, definition)| (*id, definition));
    let framework_choices = ordered
        .iter()
        .map(|(id, definition)| Choice {
            value: id.0.to_string(),
            label: Text::of(lang, &definition.title),
            selected: chosen.is_some_and(|(chosen, _)| chosen == *id),
        })
        .collect();
    let unit_choices = units
        .iter()
        .map(|(id, name)| Choice {
            value: id.0.to_string(),
            label: Text::finnish(lang, name),
            selected: query.unit == Some(*id),
        })
        .collect();
    let mut view = PictureView {
        as_of: query.as_of.map(|day| day.to_string()),
        frameworks: framework_choices,
        units: unit_choices,
        ..PictureView::default()
    };
    let Some((framework, definition)) = chosen else { return view };
    let (min, max) = (f64::from(definition.scale.min), f64::from(definition.scale.max));
    view.framework = Some(Text::of(lang, &definition.title));
    view.scale = Some((t.scale)(definition.scale.min, definition.scale.max));
    view.range = (min, max);
    let width = (max - min) / STEPS as f64;
    view.legend = (0..STEPS)
        .map(|i| {
            #[allow(clippy::cast_precision_loss, reason = "i < 5")]
            let from = min + width * i as f64;
            (t.legend_range)(&decimal(lang, from, 1), &decimal(lang, from + width, 1))
        })
        .collect();
    let codes: Vec<&str> = definition.dimensions.iter().map(|d| d.code.as_str()).collect();
    view.dimensions = definition.dimensions.iter().map(|d| Text::of(lang, &d.title)).collect();
    let dimension_title = |code: &str| {
        definition
            .dimensions
            .iter()
            .find(|d| d.code == code)
            .map_or_else(|| Text { text: code.to_owned(), lang: None }, |d| Text::of(lang, &d.title))
    };
    let unit_name = |unit: UnitId, fallback: Option<&String>| {
        units
            .iter()
            .find(|(id, _)| *id == unit)
            .map(|(_, name)| name)
            .or(fallback)
            .map_or_else(|| Text { text: t.unnamed_unit.to_owned(), lang: None }, |name| Text::finnish(lang, name))
    };
    let wanted = |subject: &PictureSubject| match (subject, query.unit) {
        (_, None) => true,
        (PictureSubject::Unit(unit), Some(only)) => *unit == only,
        (PictureSubject::Municipality(_), Some(_)) => true,
    };
    // Heatmap rows: the whole municipality first, then units by name.
    let mut by_subject: BTreeMap<(bool, String, PictureSubject), Vec<Cell>> = BTreeMap::new();
    for row in picture.rows.iter().filter(|row| {
        row.framework == framework && row.granularity == "dimension" && wanted(&row.subject) && !row.trend.is_empty()
    }) {
        let Some(column) = codes.iter().position(|code| *code == row.dimension) else { continue };
        let (is_unit, name) = match row.subject {
            PictureSubject::Municipality(_) => (false, t.whole_municipality.to_owned()),
            PictureSubject::Unit(unit) => (true, unit_name(unit, row.unit_name.as_ref()).text),
        };
        let cells = by_subject.entry((is_unit, name, row.subject)).or_insert_with(|| vec![Cell::Empty; codes.len()]);
        // The latest campaign's figure: withheld if that is what it was, else the latest shown.
        let last = row.trend.last().map(|point| point.figure);
        cells[column] = match (last, &row.latest) {
            (Some(Figure::Suppressed { .. }), _) => Cell::Withheld,
            (_, Some(point)) => match point.figure {
                Figure::Shown { level, response_count, .. } => Cell::Level {
                    text: decimal(lang, level, 1),
                    step: step(level, min, max),
                    respondents: response_count,
                },
                Figure::Suppressed { .. } => Cell::Withheld,
            },
            (_, None) => Cell::Empty,
        };
    }
    view.has_withheld = by_subject.values().flatten().any(|cell| matches!(cell, Cell::Withheld));
    view.rows = by_subject
        .into_iter()
        .map(|((is_unit, name, _), cells)| HeatRow {
            label: if is_unit { Text::finnish(lang, &name) } else { Text { text: name, lang: None } },
            cells,
        })
        .collect();
    // Trends: the whole municipality's (or the chosen unit's) rows, in the framework's order.
    let trend_subject = |subject: &PictureSubject| match (subject, query.unit) {
        (PictureSubject::Municipality(_), None) => true,
        (PictureSubject::Unit(unit), Some(only)) => *unit == only,
        _ => false,
    };
    let mut trends: Vec<(usize, TrendView)> = picture
        .rows
        .iter()
        .filter(|row| row.framework == framework && row.granularity == "dimension" && trend_subject(&row.subject))
        .filter(|row| !row.trend.is_empty())
        .map(|row| {
            let order = codes.iter().position(|code| *code == row.dimension).unwrap_or(usize::MAX);
            let points = row
                .trend
                .iter()
                .map(|point| match point.figure {
                    Figure::Shown { level, response_count, .. } => TrendPointView {
                        date: point.close_date.to_string(),
                        level: Some(level),
                        text: decimal(lang, level, 1),
                        respondents: Some(response_count),
                    },
                    Figure::Suppressed { .. } => TrendPointView {
                        date: point.close_date.to_string(),
                        level: None,
                        text: t.withheld.to_owned(),
                        respondents: None,
                    },
                })
                .collect();
            (order, TrendView { dimension: dimension_title(&row.dimension), points })
        })
        .collect();
    trends.sort_by_key(|(order, _)| *order);
    view.trends = trends.into_iter().map(|(_, trend)| trend).collect();
    // Gaps: every unit target of this framework, largest gap first (no level yet: last).
    let mut gaps: Vec<GapView> = picture
        .rows
        .iter()
        .filter(|row| row.framework == framework && wanted(&row.subject))
        .filter_map(|row| {
            let target = row.target?;
            let PictureSubject::Unit(unit) = row.subject else { return None };
            let latest = row.latest.as_ref().and_then(|point| point.figure.level());
            Some(GapView {
                unit: unit_name(unit, row.unit_name.as_ref()),
                dimension: dimension_title(&row.dimension),
                latest: latest.map(|level| decimal(lang, level, 1)),
                target: decimal(lang, target.level, 1),
                gap: row.gap,
                gap_text: row.gap.map(|gap| decimal(lang, gap, 1)),
                due: target.due.to_string(),
            })
        })
        .collect();
    gaps.sort_by(|a, b| {
        let key = |gap: &GapView| gap.gap.unwrap_or(f64::NEG_INFINITY);
        key(b).total_cmp(&key(a)).then_with(|| a.unit.text.cmp(&b.unit.text))
    });
    view.gaps = gaps;
    view
}

/// The colours of the five steps (light to dark blue) and the text colour on each (AA contrast).
const PALETTE: [(&str, &str); STEPS] = [
    ("#eff3ff", "#1a1a1a"),
    ("#c6dbef", "#1a1a1a"),
    ("#6baed6", "#1a1a1a"),
    ("#2171b5", "#ffffff"),
    ("#08306b", "#ffffff"),
];

/// The SVG heatmap: a row per subject, a column per dimension, the level written in each cell.
fn heatmap_svg(t: &PictureTexts, view: &PictureView) -> Markup {
    const LABEL: usize = 230;
    const CELL_W: usize = 84;
    const CELL_H: usize = 34;
    const HEAD: usize = 130;
    // Room on the right for the last column's slanted name.
    const SLANT: usize = 150;
    let width = LABEL + CELL_W * view.dimensions.len().max(1) + SLANT;
    let height = HEAD + CELL_H * view.rows.len();
    let framework = view.framework.as_ref().map(|f| f.text.as_str()).unwrap_or_default();
    let value_y = |y: usize| y + CELL_H / 2 + 5;
    html! {
        svg class="heatmap" viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height) role="img"
            aria-labelledby="heatmap-title" {
            title id="heatmap-title" { ((t.heatmap_label)(framework)) }
            @for (column, dimension) in view.dimensions.iter().enumerate() {
                @let x = LABEL + CELL_W * column + CELL_W / 2;
                text x=(x) y=(HEAD - 8) transform=(format!("rotate(-35 {x} {})", HEAD - 8)) class="heat-col" {
                    (shorten(&dimension.text, 24))
                }
            }
            @for (index, row) in view.rows.iter().enumerate() {
                @let y = HEAD + CELL_H * index;
                text x=(LABEL - 8) y=(value_y(y)) text-anchor="end" class="heat-row" { (shorten(&row.label.text, 30)) }
                @for (column, cell) in row.cells.iter().enumerate() {
                    @let x = LABEL + CELL_W * column;
                    @let dimension = view.dimensions.get(column).map(|d| d.text.as_str()).unwrap_or_default();
                    @match cell {
                        Cell::Level { text: level, step, respondents } => {
                            @let (fill, ink) = PALETTE[(*step).min(STEPS - 1)];
                            g {
                                title { ((t.cell_title)(&row.label.text, dimension, level, *respondents)) }
                                rect x=(x) y=(y) width=(CELL_W) height=(CELL_H) fill=(fill) stroke="#ffffff" stroke-width="2" {}
                                text x=(x + CELL_W / 2) y=(value_y(y)) text-anchor="middle" fill=(ink) class="heat-value" { (level) }
                            }
                        }
                        Cell::Withheld => {
                            g {
                                title { (t.withheld_explained) }
                                rect x=(x) y=(y) width=(CELL_W) height=(CELL_H) fill="url(#withheld)" stroke="#ffffff" stroke-width="2" {}
                                text x=(x + CELL_W / 2) y=(value_y(y)) text-anchor="middle" fill="#1a1a1a" class="heat-withheld" {
                                    (t.withheld)
                                }
                            }
                        }
                        Cell::Empty => {
                            rect x=(x) y=(y) width=(CELL_W) height=(CELL_H) fill="#ffffff" stroke="#d0d0d0" {}
                            text x=(x + CELL_W / 2) y=(value_y(y)) text-anchor="middle" fill="#4a4a4a" class="heat-empty" { "–" }
                        }
                    }
                }
            }
            defs {
                pattern id="withheld" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="8" height="8" fill="#f2f2f2" {}
                    line x1="0" y1="0" x2="0" y2="8" stroke="#c8c8c8" stroke-width="3" {}
                }
            }
        }
    }
}

/// A sparkline of one trend: the shown levels joined, withheld points left out, on the scale.
fn sparkline_svg(trend: &TrendView, label: &str, scale: (f64, f64)) -> Markup {
    const W: f64 = 220.0;
    const H: f64 = 56.0;
    const PAD: f64 = 6.0;
    let (min, max) = scale;
    let count = trend.points.len();
    #[allow(clippy::cast_precision_loss, reason = "a few dozen points")]
    let x = |i: usize| if count <= 1 { W / 2.0 } else { PAD + (W - 2.0 * PAD) * i as f64 / (count - 1) as f64 };
    let y = |level: f64| {
        let span = if max > min { max - min } else { 1.0 };
        H - PAD - (H - 2.0 * PAD) * ((level - min) / span).clamp(0.0, 1.0)
    };
    let shown: Vec<(f64, f64)> =
        trend.points.iter().enumerate().filter_map(|(i, point)| point.level.map(|level| (x(i), y(level)))).collect();
    let line: String = shown
        .iter()
        .enumerate()
        .map(|(n, (px, py))| format!("{}{px:.1},{py:.1}", if n == 0 { 'M' } else { 'L' }))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        svg class="sparkline" viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) role="img" aria-label=(label) {
            line x1="0" y1=(H) x2=(W) y2=(H) stroke="#8a8a8a" {}
            path d=(line) fill="none" stroke="#08519c" stroke-width="2" {}
            g fill="#08519c" {
                @for (cx, cy) in &shown {
                    circle cx=(crate::svg_number(*cx)) cy=(crate::svg_number(*cy)) r="3" {}
                }
            }
        }
    }
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(chars.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// The situational picture page.
pub fn picture_page(frame: &Frame, view: &PictureView) -> Markup {
    let t = texts(frame.lang);
    let scale = view.scale.as_deref().unwrap_or_default();
    let largest_gap = view.gaps.iter().filter_map(|gap| gap.gap).fold(0.0_f64, f64::max);
    layout(
        frame,
        t.title,
        html! {
            h1 { (t.title) }
            p.lead { (t.intro) }
            form.picture-filters method="get" action="/" aria-label=(t.filters) {
                div.field {
                    label for="as_of" { (t.as_of_label) }
                    input id="as_of" name="as_of" type="date" value=[view.as_of.as_deref()] aria-describedby="as_of-hint";
                    p.hint id="as_of-hint" { (t.as_of_hint) }
                }
                @if !view.frameworks.is_empty() {
                    div.field {
                        label for="framework" { (t.framework_label) }
                        select id="framework" name="framework" {
                            @for choice in &view.frameworks {
                                option value=(choice.value) selected[choice.selected] lang=[choice.label.lang] { (choice.label.text) }
                            }
                        }
                    }
                }
                div.field {
                    label for="unit" { (t.unit_label) }
                    select id="unit" name="unit" {
                        option value="" { (t.all_units) }
                        @for choice in &view.units {
                            option value=(choice.value) selected[choice.selected] lang=[choice.label.lang] { (choice.label.text) }
                        }
                    }
                }
                div.actions {
                    button type="submit" { (t.show) }
                    @if view.as_of.is_some() { a href="/" { (t.today) } }
                }
            }
            p.as-of role="status" {
                @if let Some(day) = &view.as_of { (t.drawn_as_of) " " time datetime=(day) { (day) } "." }
                @else { (t.drawn_now) }
            }
            @if view.rows.is_empty() {
                p.empty { (t.empty) }
            } @else {
                section.heatmap-section aria-labelledby="heatmap-heading" {
                    h2 id="heatmap-heading" {
                        (t.heatmap_heading) ": "
                        @if let Some(framework) = &view.framework { span lang=[framework.lang] { (framework.text) } }
                        " (" (scale) ")"
                    }
                    div.chart-scroll tabindex="0" role="region" aria-labelledby="heatmap-heading" {
                        (heatmap_svg(t, view))
                    }
                    div.legend {
                        h3 { (t.legend) }
                        ul {
                            @for (index, range) in view.legend.iter().enumerate() {
                                li { span.swatch class=(format!("step-{index}")) aria-hidden="true" {} (range) }
                            }
                            @if view.has_withheld {
                                li { span.swatch.withheld aria-hidden="true" {} (t.withheld_explained) }
                            }
                            li { span.swatch.empty aria-hidden="true" {} "– " (t.no_figure) }
                        }
                    }
                    details {
                        summary { (t.as_table) }
                        div.table-scroll tabindex="0" role="region" aria-label=(t.as_table) {
                            table {
                                caption { (t.heatmap_heading) }
                                thead { tr {
                                    th scope="col" { (t.unit_column) }
                                    @for dimension in &view.dimensions { th scope="col" lang=[dimension.lang] { (dimension.text) } }
                                } }
                                tbody {
                                    @for row in &view.rows {
                                        tr {
                                            th scope="row" lang=[row.label.lang] { (row.label.text) }
                                            @for cell in &row.cells {
                                                @match cell {
                                                    Cell::Level { text, respondents, .. } => td.num { (text) " " span.count { "(n=" (respondents) ")" } },
                                                    Cell::Withheld => td { (t.withheld) },
                                                    Cell::Empty => td { "–" },
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section.trends aria-labelledby="trends-heading" {
                    h2 id="trends-heading" { (t.trends_heading) }
                    p { (t.trends_intro) }
                    ul.trend-list {
                        @for trend in &view.trends {
                            @let shown: Vec<&TrendPointView> = trend.points.iter().filter(|p| p.level.is_some()).collect();
                            @let label = (t.trend_label)(&trend.dimension.text, shown.first().map(|p| p.text.as_str()), shown.last().map(|p| p.text.as_str()), trend.points.len());
                            li.trend {
                                h3 lang=[trend.dimension.lang] { (trend.dimension.text) }
                                (sparkline_svg(trend, &label, view.range))
                                p.latest { (t.latest) ": " strong { (shown.last().map_or("–", |p| p.text.as_str())) } }
                                details {
                                    summary { (t.as_table) }
                                    table {
                                        caption.visually-hidden lang=[trend.dimension.lang] { (trend.dimension.text) }
                                        thead { tr { th scope="col" { (t.campaign_closed) } th scope="col" { (t.level) } th scope="col" { (t.respondents) } } }
                                        tbody {
                                            @for point in &trend.points {
                                                tr {
                                                    th scope="row" { time datetime=(point.date) { (point.date) } }
                                                    td.num { (point.text) }
                                                    td.num { (point.respondents.map_or_else(|| "–".to_owned(), |n| n.to_string())) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.gaps aria-labelledby="gaps-heading" {
                h2 id="gaps-heading" { (t.gaps_heading) }
                @if view.gaps.is_empty() {
                    p { (t.no_targets) }
                } @else {
                    p { (t.gaps_intro) }
                    div.table-scroll tabindex="0" role="region" aria-labelledby="gaps-heading" {
                        table.gap-table {
                            caption.visually-hidden { (t.gaps_heading) }
                            thead { tr {
                                th scope="col" { (t.unit_column) }
                                th scope="col" { (t.dimension) }
                                th scope="col" { (t.latest) }
                                th scope="col" { (t.target) }
                                th scope="col" { (t.gap) }
                                th scope="col" { (t.due) }
                            } }
                            tbody {
                                @for gap in &view.gaps {
                                    tr {
                                        th scope="row" lang=[gap.unit.lang] { (gap.unit.text) }
                                        td lang=[gap.dimension.lang] { (gap.dimension.text) }
                                        td.num { (gap.latest.as_deref().unwrap_or("–")) }
                                        td.num { (gap.target) }
                                        td.num.gap-cell {
                                            (gap_bar(gap.gap, largest_gap))
                                            (gap.gap_text.as_deref().unwrap_or("–"))
                                        }
                                        td { time datetime=(gap.due) { (gap.due) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A bar as long as `gap` relative to the `largest` (nothing for a met or unknown gap); the
/// number beside it says the same, so the bar is hidden from screen readers.
fn gap_bar(gap: Option<f64>, largest: f64) -> Markup {
    let Some(gap) = gap.filter(|gap| *gap > 0.0 && largest > 0.0) else { return html! {} };
    let width = (gap / largest * 80.0).clamp(2.0, 80.0);
    html! {
        svg class="gap-bar" viewBox="0 0 80 12" width="80" height="12" aria-hidden="true" focusable="false" {
            rect width=(crate::svg_number(width)) height="12" fill="#b35806" {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_fall_into_five_equal_steps_of_the_scale_and_stay_inside_it() {
        assert_eq!(step(1.0, 1.0, 8.0), 0);
        assert_eq!(step(8.0, 1.0, 8.0), 4);
        assert_eq!(step(4.5, 1.0, 8.0), 2);
        assert_eq!(step(-3.0, 1.0, 8.0), 0);
        assert_eq!(step(99.0, 1.0, 8.0), 4);
        assert_eq!(step(3.0, 3.0, 3.0), 0, "a scale of one point does not divide by zero");
    }

    #[test]
    fn a_form_s_empty_fields_are_no_filters() {
        assert_eq!(super::super::filled_query(Some("as_of=&unit=&framework=f%20x")), "framework=f+x");
        assert_eq!(super::super::filled_query(None), "");
    }

    #[test]
    fn numbers_are_written_the_way_the_page_language_writes_them() {
        assert_eq!(decimal(Lang::Fi, 4.25, 1), "4,2");
        assert_eq!(decimal(Lang::En, 4.26, 1), "4.3");
        assert_eq!(decimal(Lang::Fi, -0.5, 1), "−0,5");
    }

    fn sample(lang: Lang) -> PictureView {
        PictureView {
            as_of: Some("2025-06-30".to_owned()),
            frameworks: vec![Choice {
                value: "f".to_owned(),
                label: Text { text: "DigComp 2.2".to_owned(), lang: None },
                selected: true,
            }],
            units: vec![Choice {
                value: "u".to_owned(),
                label: Text::finnish(lang, "Kotihoito <Pohjoinen>"),
                selected: false,
            }],
            framework: Some(Text { text: "DigComp 2.2".to_owned(), lang: None }),
            scale: Some("scale 1–8".to_owned()),
            range: (1.0, 8.0),
            dimensions: vec![Text::finnish(lang, "Tieto- ja datalukutaito"), Text::finnish(lang, "Viestintä")],
            rows: vec![HeatRow {
                label: Text::finnish(lang, "Kotihoito <Pohjoinen>"),
                cells: vec![Cell::Level { text: "4.2".to_owned(), step: 2, respondents: 12 }, Cell::Withheld],
            }],
            legend: vec!["1.0–2.4".to_owned(); 5],
            has_withheld: true,
            trends: vec![TrendView {
                dimension: Text::finnish(lang, "Viestintä"),
                points: vec![
                    TrendPointView {
                        date: "2024-05-31".to_owned(),
                        level: Some(3.9),
                        text: "3.9".to_owned(),
                        respondents: Some(40),
                    },
                    TrendPointView {
                        date: "2025-05-31".to_owned(),
                        level: Some(4.4),
                        text: "4.4".to_owned(),
                        respondents: Some(44),
                    },
                ],
            }],
            gaps: vec![GapView {
                unit: Text::finnish(lang, "Kotihoito <Pohjoinen>"),
                dimension: Text::finnish(lang, "Viestintä"),
                latest: Some("4.4".to_owned()),
                target: "5.0".to_owned(),
                gap: Some(0.6),
                gap_text: Some("0.6".to_owned()),
                due: "2026-12-31".to_owned(),
            }],
        }
    }

    fn frame(lang: Lang) -> Frame {
        Frame { lang, here: "/".to_owned(), signed_in: None }
    }

    #[test]
    fn the_page_escapes_names_marks_finnish_names_on_an_english_page_and_keeps_the_as_of_day() {
        let html = picture_page(&frame(Lang::En), &sample(Lang::En)).into_string();
        assert!(!html.contains("<Pohjoinen>"), "names are escaped");
        assert!(html.contains("Kotihoito &lt;Pohjoinen&gt;"));
        assert!(html.contains(r#"<th scope="row" lang="fi">Kotihoito &lt;Pohjoinen&gt;</th>"#), "{html}");
        assert!(html.contains(r#"name="as_of" type="date" value="2025-06-30""#));
        assert!(html.contains(r#"<time datetime="2025-06-30">"#));
        assert!(html.contains(r#"role="img" aria-labelledby="heatmap-title""#));
        assert!(html.contains("withheld"), "a withheld cell says so in words");
        assert!(html.contains("<caption>Level by unit</caption>"));
        assert!(html.contains(r#"aria-label="Viestintä: level 3.9 → 4.4 over 2 campaigns""#), "{html}");
        // The charts are markup like the rest: their texts escaped, every shape closed.
        assert!(html.contains(r#"class="heat-row">Kotihoito &lt;Pohjoinen&gt;</text>"#), "{html}");
        for shape in ["rect", "line", "path", "circle"] {
            let opened = html.matches(&format!("<{shape} ")).count();
            assert!(opened > 0, "the charts draw a {shape}");
            assert_eq!(opened, html.matches(&format!("</{shape}>")).count(), "every {shape} is closed");
        }
    }

    #[test]
    fn the_finnish_page_needs_no_lang_on_finnish_names_and_says_withheld_in_finnish() {
        let html = picture_page(&frame(Lang::Fi), &sample(Lang::Fi)).into_string();
        assert!(html.contains(r#"<th scope="row">Kotihoito &lt;Pohjoinen&gt;</th>"#));
        assert!(html.contains("salattu"));
        assert!(html.contains("Matka tavoitteisiin"));
    }

    #[test]
    fn an_empty_picture_says_so_instead_of_drawing_an_empty_chart() {
        let view = PictureView::default();
        let html = picture_page(&frame(Lang::Fi), &view).into_string();
        assert!(html.contains(FI_EMPTY));
        assert!(!html.contains("<svg class=\"heatmap\""));
    }

    const FI_EMPTY: &str = "Tilannekuvaan ei ole vielä kartoitustuloksia tällä rajauksella.";
}
