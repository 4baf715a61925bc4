//! The pages, as pure functions from what a page shows to its HTML: no I/O, unit-tested here.
//!
//! Every page is drawn inside [`layout`]: `<html lang>`, a skip link, a header with the
//! navigation and the language switch, `<main id="content">`, and a footer. The strings come
//! from [`Texts`]; text whose language differs from the page's carries its own `lang`.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use kirjuri_events::domain::LocalizedText;

use super::i18n::{Lang, Texts};

/// A record's text as a page of `lang` shows it: in the page's language where it is written in
/// it, else in Finnish, with the `lang` attribute it then needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Its `lang`, when it differs from the page's.
    pub lang: Option<&'static str>,
}

impl Text {
    /// `finnish`, or `english` on an English page when it is written.
    pub fn pick(lang: Lang, finnish: &str, english: Option<&str>) -> Self {
        match english.filter(|text| lang == Lang::En && !text.trim().is_empty()) {
            Some(text) => Self { text: text.to_owned(), lang: None },
            None => Self::finnish(lang, finnish),
        }
    }

    /// A localized text of a record.
    pub fn of(lang: Lang, text: &LocalizedText) -> Self {
        Self::pick(lang, &text.fi, text.en.as_deref())
    }

    /// A text written only in Finnish (a unit's name, a tag).
    pub fn finnish(lang: Lang, text: &str) -> Self {
        Self { text: text.to_owned(), lang: (lang != Lang::Fi).then_some("fi") }
    }
}

/// What every page's frame needs to know.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The page's language.
    pub lang: Lang,
    /// The path and query of this page (where the language switch comes back to).
    pub here: String,
    /// The signed-in person, with the CSRF token of their forms, if someone is signed in.
    pub signed_in: Option<SignedIn>,
}

/// Who is signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// A name to show.
    pub name: String,
    /// The CSRF token of this session's forms.
    pub csrf: String,
    /// Whether the navigation offers the auditor's pages (the timeline, the access log).
    pub audits: bool,
    /// Whether the navigation offers the forms (the person may issue some command).
    pub records: bool,
}

impl Frame {
    fn texts(&self) -> &'static Texts {
        self.lang.texts()
    }
}

/// The frame around every page.
pub fn layout(frame: &Frame, title: &str, content: Markup) -> Markup {
    let texts = frame.texts();
    html! {
        (DOCTYPE)
        html lang=(frame.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – kirjuri" }
                link rel="stylesheet" href=(super::STYLE_PATH.path());
                script src=(super::SCRIPT_PATH.path()) defer {}
            }
            body {
                a.skip-link href="#content" { (texts.skip_to_content) }
                header.site-header {
                    a.brand href="/" { "kirjuri" }
                    nav aria-label=(texts.main_navigation) {
                        ul {
                            @if let Some(signed_in) = &frame.signed_in {
                                li { a href="/" { (texts.nav_picture) } }
                                li { a href="/search" { (texts.search) } }
                                li { a href="/practices" { (texts.nav_practices) } }
                                li { a href="/experiments" { (texts.nav_experiments) } }
                                @if signed_in.audits {
                                    li { a href="/timeline" { (texts.nav_timeline) } }
                                }
                                @if signed_in.records {
                                    li { a href="/record" { (texts.nav_record) } }
                                }
                            }
                            @for lang in Lang::ALL {
                                @if lang != frame.lang {
                                    li {
                                        a href=(language_switch_href(lang, &frame.here)) lang=(lang.code()) hreflang=(lang.code()) {
                                            (lang.texts().language_name)
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(signed_in) = &frame.signed_in {
                        form.sign-out method="post" action="/sign-out" {
                            span { (texts.signed_in_as) " " (signed_in.name) }
                            input type="hidden" name="csrf" value=(signed_in.csrf);
                            button type="submit" { (texts.sign_out) }
                        }
                    }
                }
                main id="content" tabindex="-1" {
                    (content)
                }
                @if frame.signed_in.is_some() {
                    // Filled by the script when a `data-live-refresh` list refreshes itself.
                    p #live-status.visually-hidden role="status" aria-live="polite" data-updated=(texts.live_updated) {}
                }
                footer.site-footer { p { (texts.app_tagline) } }
            }
        }
    }
}

/// The link that switches to `lang` and comes back to `here`.
pub fn language_switch_href(lang: Lang, here: &str) -> String {
    let back: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    format!("/language/{}?back={back}", lang.code())
}

/// One search result as the page shows it.
#[derive(Debug, Clone)]
pub struct ResultView {
    /// The document kind (`lesson`, …).
    pub kind: String,
    /// Its title (Finnish), if it has one.
    pub title: Option<String>,
    /// Where it opens, if it has a page yet.
    pub href: Option<String>,
    /// HTML from the search read model: matches in `<mark>`, everything else escaped.
    pub snippet_html: String,
    /// Its date, `YYYY-MM-DD`.
    pub date: String,
}

/// One facet value as a filter link.
#[derive(Debug, Clone)]
pub struct FacetValueView {
    /// What it shows.
    pub label: String,
    /// How many results have it.
    pub count: u64,
    /// The search with this value added as a filter.
    pub href: String,
}

/// A facet with its values.
#[derive(Debug, Clone)]
pub struct FacetView {
    /// Its name, shown.
    pub label: &'static str,
    /// Its values, largest first.
    pub values: Vec<FacetValueView>,
}

/// An active filter and the link that removes it.
#[derive(Debug, Clone)]
pub struct ActiveFilterView {
    /// What it shows (`Tyyppi: Oppi`).
    pub label: String,
    /// The search without it.
    pub remove_href: String,
}

/// What the search page shows.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    /// What was typed.
    pub query: String,
    /// The active filters as hidden `name=value` fields, so a new search keeps them.
    pub hidden_filters: Vec<(String, String)>,
    /// The active filters, each removable.
    pub active_filters: Vec<ActiveFilterView>,
    /// `Tulokset 1–10, yhteensä 42`.
    pub summary: String,
    /// This page's results.
    pub results: Vec<ResultView>,
    /// The facets.
    pub facets: Vec<FacetView>,
    /// A corrected query and the search for it.
    pub did_you_mean: Option<(String, String)>,
    /// The previous page's search, if there is one.
    pub previous_href: Option<String>,
    /// The next page's search, if there is one.
    pub next_href: Option<String>,
}

/// The search page.
pub fn search_page(frame: &Frame, view: &SearchView) -> Markup {
    let texts = frame.texts();
    // Titles are Finnish: marked so on a page of another language.
    let title_lang = (frame.lang != Lang::Fi).then_some("fi");
    layout(
        frame,
        texts.search,
        html! {
            h1 { (texts.search) }
            form.search role="search" method="get" action="/search" {
                label for="q" { (texts.search_label) }
                div.search-row {
                    input id="q" name="q" type="search" value=(view.query) autocomplete="off";
                    @for (name, value) in &view.hidden_filters {
                        input type="hidden" name=(name) value=(value);
                    }
                    button type="submit" { (texts.search_button) }
                }
            }
            @if let Some((suggestion, href)) = &view.did_you_mean {
                p.did-you-mean { (texts.did_you_mean) " " a href=(href) lang="fi" { (suggestion) } "?" }
            }
            div.search-layout {
                section.results aria-labelledby="results-heading" {
                    h2 id="results-heading" { (texts.results) }
                    p.summary role="status" { (view.summary) }
                    @if !view.active_filters.is_empty() {
                        h3.visually-hidden { (texts.active_filters) }
                        ul.active-filters {
                            @for filter in &view.active_filters {
                                li { a href=(filter.remove_href) {
                                    span.visually-hidden { (texts.remove_filter) ": " }
                                    (filter.label) " ×"
                                } }
                            }
                        }
                    }
                    @if view.results.is_empty() {
                        p { (texts.no_results) }
                    } @else {
                        ol.result-list {
                            @for result in &view.results {
                                li.result {
                                    h3 lang=[title_lang] {
                                        @let title = result.title.as_deref().unwrap_or(texts.untitled);
                                        @if let Some(href) = &result.href { a href=(href) { (title) } } @else { (title) }
                                    }
                                    p.meta { ((texts.kind_name)(&result.kind)) " · " time datetime=(result.date) { (result.date) } }
                                    p.snippet { (PreEscaped(&result.snippet_html)) }
                                }
                            }
                        }
                    }
                    @if view.previous_href.is_some() || view.next_href.is_some() {
                        nav.pagination aria-label=(texts.pages) {
                            @if let Some(href) = &view.previous_href { a rel="prev" href=(href) { "← " (texts.previous) } }
                            @if let Some(href) = &view.next_href { a rel="next" href=(href) { (texts.next) " →" } }
                        }
                    }
                }
                @if view.facets.iter().any(|facet| !facet.values.is_empty()) {
                    aside.facets aria-labelledby="facets-heading" {
                        h2 id="facets-heading" { (texts.narrow) }
                        @for facet in view.facets.iter().filter(|facet| !facet.values.is_empty()) {
                            h3 { (facet.label) }
                            ul {
                                @for value in &facet.values {
                                    li { a href=(value.href) { (value.label) " " span.count { "(" (value.count) ")" } } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What the lesson page shows.
#[derive(Debug, Clone, Default)]
pub struct LessonView {
    /// The title in the page's language when there is one, else in Finnish.
    pub title: String,
    /// The title's language code, when it differs from the page's.
    pub title_lang: Option<&'static str>,
    /// Its status word.
    pub status: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was recorded, `YYYY-MM-DD`.
    pub recorded: String,
    /// The unit it concerns (its id, and the search within it), if one.
    pub unit: Option<(String, String)>,
    /// The experiment it comes from (its id, and the search within it), if any.
    pub experiment: Option<(String, String)>,
}

/// A lesson with its sources.
pub fn lesson_page(frame: &Frame, view: &LessonView) -> Markup {
    let texts = frame.texts();
    layout(
        frame,
        &view.title,
        html! {
            p { a href="/search" { "← " (texts.back_to_search) } }
            h1 lang=[view.title_lang] { (view.title) }
            dl.fields {
                dt { (texts.status) } dd { (view.status) }
                dt { (texts.recorded) } dd { time datetime=(view.recorded) { (view.recorded) } }
                dt { (texts.tags) }
                dd {
                    @if view.tags.is_empty() { (texts.none) }
                    @else { ul.tags { @for tag in &view.tags { li lang="fi" { (tag) } } } }
                }
            }
            h2 { (texts.sources) }
            ul.sources {
                @if let Some((unit, href)) = &view.unit {
                    li { (texts.unit) ": " a href=(href) { code { (unit) } } }
                }
                @if let Some((experiment, href)) = &view.experiment {
                    li { (texts.experiment) ": " a href=(href) { code { (experiment) } } }
                }
                @if view.unit.is_none() && view.experiment.is_none() { li { (texts.none) } }
            }
        },
    )
}

/// A page saying what went wrong.
pub fn error_page(frame: &Frame, heading: &str, detail: Option<&str>) -> Markup {
    layout(
        frame,
        heading,
        html! {
            h1 { (heading) }
            @if let Some(detail) = detail { p lang="en" { (detail) } }
            p { a href="/search" { (frame.texts().back_to_search) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(lang: Lang) -> Frame {
        Frame {
            lang,
            here: "/search?q=kotihoito".to_owned(),
            signed_in: Some(SignedIn {
                name: "Maija".to_owned(),
                csrf: "c5rf".to_owned(),
                audits: false,
                records: true,
            }),
        }
    }

    #[test]
    fn the_layout_has_the_language_a_skip_link_landmarks_and_a_switch_that_comes_back() {
        let page = layout(&frame(Lang::En), "T", html! { p { "x" } }).into_string();
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{page}");
        assert!(page.contains("<a class=\"skip-link\" href=\"#content\">Skip to content</a>"));
        assert!(page.contains("<main id=\"content\""));
        assert!(page.contains("<nav aria-label=\"Main navigation\">"));
        assert!(page.contains("href=\"/language/fi?back=%2Fsearch%3Fq%3Dkotihoito\""), "{page}");
        assert!(page.contains("name=\"csrf\" value=\"c5rf\""));
        assert!(!page.contains("/language/en"));
    }

    #[test]
    fn snippets_keep_their_marks_and_everything_else_is_escaped() {
        let view = SearchView {
            query: "\"><script>".to_owned(),
            results: vec![ResultView {
                kind: "lesson".to_owned(),
                title: Some("<b>Kotihoito</b>".to_owned()),
                href: Some("/lessons/1".to_owned()),
                snippet_html: "<mark>kotihoito</mark> &amp; muu".to_owned(),
                date: "2026-01-02".to_owned(),
            }],
            ..SearchView::default()
        };
        let page = search_page(&frame(Lang::En), &view).into_string();
        assert!(page.contains("<mark>kotihoito</mark> &amp; muu"));
        assert!(page.contains("&lt;b&gt;Kotihoito&lt;/b&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("<h3 lang=\"fi\">"), "a Finnish title on the English page is marked");
        let finnish = search_page(&frame(Lang::Fi), &view).into_string();
        assert!(finnish.contains("<h3><a"), "no lang on a Finnish page's Finnish title");
        assert!(finnish.contains("Oppi"));
    }
}
