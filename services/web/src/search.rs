//! The search page: the query string is the API's (`q`, `kind`, `tag`, `language`, `year`, …,
//! `offset`), read by the same parser and always within the reader's municipality; the view is
//! built from the read model's answer by [`search_view`], a pure function.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kirjuri_search::SearchResults;
use kirjuri_views::LessonRow;

use super::i18n::{Lang, Texts};
use super::pages::{ActiveFilterView, FacetValueView, FacetView, LessonView, ResultView, SearchView};
use super::{Staff, WebError, html_response, pages};
use crate::WebState;
use kirjuri_auth::access::{Action, Resource, authorize};

/// The facets offered as filter links, in order. (Units and experiments need names before
/// they are offered; their ids are accepted in the URL.)
const FACETS: [&str; 4] = ["kind", "tag", "language", "year"];
/// How many values of one facet are offered.
const FACET_VALUES: usize = 8;
/// The parameters that are not filters.
const NOT_FILTERS: [&str; 4] = ["q", "sort", "offset", "limit"];
/// The last offset the read model pages to.
const MAX_OFFSET: usize = 10_000;

/// `GET /search`.
pub async fn search(
    State(state): State<WebState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    authorize(&staff.principal, Action::Read, &Resource::of(staff.principal.municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let request = kirjuri_app::queries::search_request(raw.as_deref(), &staff.principal.municipality.to_string())
        .map_err(|error| WebError::from_api(lang, &error))?;
    let (offset, limit) = (request.offset, request.limit);
    let index = state.read_side().map_err(|error| WebError::from_api(lang, &error))?.search();
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|error| {
            tracing::error!(%error, "the search panicked");
            WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
        })?
        .map_err(|error| WebError::from_api(lang, &kirjuri_app::queries::search_error(error)))?;
    let pairs = kirjuri_app::queries::pairs(raw.as_deref());
    let view = search_view(lang.texts(), &pairs, &results, offset, limit);
    Ok(html_response(StatusCode::OK, pages::search_page(&staff.frame, &view)))
}

/// `/search?` with `pairs`.
fn search_href(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    format!("/search?{}", serializer.finish())
}

/// `pairs` without paging (a changed search starts at its first page).
fn without_offset(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs.iter().filter(|(name, _)| name != "offset").cloned().collect()
}

fn facet_label(texts: &Texts, facet: &str) -> &'static str {
    match facet {
        "kind" => texts.facet_kind,
        "tag" => texts.facet_tag,
        "language" => texts.facet_language,
        _ => texts.facet_year,
    }
}

fn value_label(texts: &Texts, facet: &str, value: &str) -> String {
    if facet == "kind" { (texts.kind_name)(value).to_owned() } else { value.to_owned() }
}

/// The page a hit opens, if it has one yet (lessons do).
fn hit_href(kind: &str, entity: &str) -> Option<String> {
    let id = entity.rsplit(':').next().unwrap_or(entity);
    (kind == "lesson" && uuid::Uuid::try_parse(id).is_ok()).then(|| format!("/lessons/{id}"))
}

/// What the search page shows for `results` of the search `pairs` (the query string) at `offset`.
pub fn search_view(
    texts: &Texts,
    pairs: &[(String, String)],
    results: &SearchResults,
    offset: usize,
    limit: usize,
) -> SearchView {
    let base = without_offset(pairs);
    let query = pairs.iter().rev().find(|(name, _)| name == "q").map(|(_, value)| value.clone()).unwrap_or_default();
    let filters: Vec<(String, String)> =
        base.iter().filter(|(name, _)| !NOT_FILTERS.contains(&name.as_str())).cloned().collect();
    let hidden_filters: Vec<(String, String)> = base.iter().filter(|(name, _)| name != "q").cloned().collect();
    let active_filters = filters
        .iter()
        .map(|(name, value)| {
            let rest: Vec<(String, String)> =
                base.iter().filter(|(n, v)| !(n == name && v == value)).cloned().collect();
            let label = if FACETS.contains(&name.as_str()) {
                format!("{}: {}", facet_label(texts, name), value_label(texts, name, value))
            } else {
                format!("{name}: {value}")
            };
            ActiveFilterView { label, remove_href: search_href(&rest) }
        })
        .collect();
    let facets = FACETS
        .iter()
        .map(|facet| FacetView {
            label: facet_label(texts, facet),
            values: results
                .facets
                .get(*facet)
                .into_iter()
                .flatten()
                .filter(|count| !filters.iter().any(|(n, v)| n == facet && *v == count.value))
                .take(FACET_VALUES)
                .map(|count| {
                    let mut narrowed = base.clone();
                    narrowed.push(((*facet).to_owned(), count.value.clone()));
                    FacetValueView {
                        label: value_label(texts, facet, &count.value),
                        count: count.count,
                        href: search_href(&narrowed),
                    }
                })
                .collect(),
        })
        .collect();
    let results_view: Vec<ResultView> = results
        .hits
        .iter()
        .map(|hit| {
            let kind =
                serde_json::to_value(hit.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            ResultView {
                href: hit_href(&kind, &hit.entity),
                kind,
                title: hit.title.clone(),
                snippet_html: hit.snippet.clone(),
                date: hit.date.format("%Y-%m-%d").to_string(),
            }
        })
        .collect();
    let paged = |to: usize| {
        let mut paged = base.clone();
        if to > 0 {
            paged.push(("offset".to_owned(), to.to_string()));
        }
        search_href(&paged)
    };
    let shown_to = offset + results_view.len();
    let next_offset = offset + limit;
    let did_you_mean = results.did_you_mean.as_ref().map(|suggestion| {
        let mut corrected: Vec<(String, String)> = base.iter().filter(|(name, _)| name != "q").cloned().collect();
        corrected.insert(0, ("q".to_owned(), suggestion.clone()));
        (suggestion.clone(), search_href(&corrected))
    });
    SearchView {
        query,
        hidden_filters,
        active_filters,
        summary: (texts.results_range)(offset + 1, shown_to, results.total),
        results: results_view,
        facets,
        did_you_mean,
        previous_href: (offset > 0).then(|| paged(offset.saturating_sub(limit))),
        next_href: (shown_to < results.total && next_offset <= MAX_OFFSET).then(|| paged(next_offset)),
    }
}

/// What the lesson page shows of `lesson` to a reader of `lang`.
pub fn lesson_view(lang: Lang, lesson: &LessonRow) -> LessonView {
    let super::pages::Text { text: title, lang: title_lang } =
        super::pages::Text::pick(lang, &lesson.title_fi, lesson.title_en.as_deref());
    let within = |name: &str, id: uuid::Uuid| (id.to_string(), search_href(&[(name.to_owned(), id.to_string())]));
    LessonView {
        title,
        title_lang,
        status: (super::i18n::experiments::texts(lang).lesson_status_name)(lesson.status).to_owned(),
        tags: lesson.tags.clone(),
        recorded: lesson.recorded_at.format("%Y-%m-%d").to_string(),
        unit: lesson.unit.map(|unit| within("unit", unit.0)),
        experiment: lesson.experiment.map(|experiment| within("experiment", experiment.0)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kirjuri_search::{FacetCount, SearchHit};

    use super::*;
    use crate::i18n::EN;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes()).into_owned().collect()
    }

    #[test]
    fn a_lesson_s_status_is_named_in_the_page_s_language_not_by_its_code() {
        let lesson = LessonRow {
            lesson: kirjuri_events::domain::LessonId(uuid::Uuid::from_u128(1)),
            municipality: kirjuri_events::domain::MunicipalityId(uuid::Uuid::from_u128(2)),
            title_fi: "Etäneuvonta toimii".to_owned(),
            title_en: None,
            unit: None,
            experiment: None,
            status: kirjuri_events::domain::lesson::LessonPhase::Acting,
            tags: vec![],
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(lesson_view(Lang::Fi, &lesson).status, "toimenpiteet käynnissä");
        assert_eq!(lesson_view(Lang::En, &lesson).status, "being acted on");
    }

    fn results(total: usize, hits: usize) -> SearchResults {
        let hit = |n: usize| SearchHit {
            id: format!("lesson:{n}"),
            kind: kirjuri_search::DocumentKind::Lesson,
            entity: uuid::Uuid::from_u128(n as u128).to_string(),
            title: Some(format!("Oppi {n}")),
            snippet: "<mark>kotihoito</mark>".to_owned(),
            score: Some(1.0),
            date: chrono::DateTime::UNIX_EPOCH,
        };
        let facets = BTreeMap::from([
            ("kind".to_owned(), vec![FacetCount { value: "lesson".to_owned(), count: 7 }]),
            (
                "tag".to_owned(),
                vec![
                    FacetCount { value: "kotihoito".to_owned(), count: 5 },
                    FacetCount { value: "etäpalvelu".to_owned(), count: 2 },
                ],
            ),
        ]);
        SearchResults { total, hits: (0..hits).map(hit).collect(), facets, did_you_mean: Some("kotihoito".to_owned()) }
    }

    #[test]
    fn a_facet_link_adds_its_filter_to_the_search_and_starts_again_at_the_first_page() {
        let view = search_view(&EN, &pairs("q=koti&tag=kotihoito&offset=10"), &results(30, 10), 10, 10);
        let tags = &view.facets[1];
        assert_eq!(tags.values.len(), 1, "the active tag is not offered again");
        assert_eq!(tags.values[0].href, "/search?q=koti&tag=kotihoito&tag=et%C3%A4palvelu");
        assert_eq!(view.facets[0].values[0].label, "Lesson");
        assert_eq!(view.active_filters[0].label, "Tag: kotihoito");
        assert_eq!(view.active_filters[0].remove_href, "/search?q=koti");
        assert_eq!(view.hidden_filters, vec![("tag".to_owned(), "kotihoito".to_owned())]);
    }

    #[test]
    fn paging_keeps_the_search_and_stops_at_the_ends() {
        let middle = search_view(&EN, &pairs("q=koti&kind=lesson&offset=10"), &results(25, 10), 10, 10);
        assert_eq!(middle.summary, "Results 11–20 of 25");
        assert_eq!(middle.previous_href.as_deref(), Some("/search?q=koti&kind=lesson"));
        assert_eq!(middle.next_href.as_deref(), Some("/search?q=koti&kind=lesson&offset=20"));
        let last = search_view(&EN, &pairs("q=koti&offset=20"), &results(25, 5), 20, 10);
        assert_eq!(last.next_href, None);
        let none = search_view(&EN, &pairs("q=zzz"), &results(0, 0), 0, 10);
        assert_eq!((none.previous_href, none.next_href, none.summary.as_str()), (None, None, "No results"));
    }

    #[test]
    fn lessons_link_to_their_page_and_did_you_mean_keeps_the_filters() {
        let view = search_view(&EN, &pairs("q=kotihoitto&kind=lesson"), &results(1, 1), 0, 10);
        assert_eq!(view.results[0].href, Some(format!("/lessons/{}", uuid::Uuid::from_u128(0))));
        assert_eq!(view.did_you_mean, Some(("kotihoito".to_owned(), "/search?q=kotihoito&kind=lesson".to_owned())));
        assert_eq!(hit_href("practice", &uuid::Uuid::nil().to_string()), None);
    }
}
