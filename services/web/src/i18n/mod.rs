//! Every string the web pages show, one table per language ([`FI`], [`EN`]), and how a
//! request's language is chosen: the `kirjuri_lang` cookie, else `Accept-Language`, else Finnish.
//!
//! The strings of the frame and the search are here; each further area of pages keeps its own
//! table in a submodule of this one (`i18n::<area>`: a struct of strings, a `FI` and an `EN`
//! static, and `texts(lang)`), so every string still lives under `i18n`, one table per
//! language, and the areas do not edit each other's tables.

pub mod audit;
pub mod auth;
pub mod experiments;
pub mod forms;
pub mod picture;
pub mod practices;
pub mod refusals;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Finnish (the default).
    Fi,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Self; 2] = [Self::Fi, Self::En];

    /// The BCP 47 code, as in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fi => "fi",
            Self::En => "en",
        }
    }

    /// The language with `code`, if the pages are written in it.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|lang| lang.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The strings of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Self::Fi => &FI,
            Self::En => &EN,
        }
    }

    /// The preferred language of an `Accept-Language` header (highest `q`, first on ties), if
    /// it names one the pages are written in (`fi-FI` counts as `fi`).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = Self::parse(primary) else { continue };
            if quality > 0.0 && best.is_none_or(|(best_quality, _)| quality > best_quality) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// The strings of one language.
#[derive(Debug)]
pub struct Texts {
    /// The language's own name, as the switch shows it.
    pub language_name: &'static str,
    /// The skip link.
    pub skip_to_content: &'static str,
    /// The product's name and what it is.
    pub app_tagline: &'static str,
    /// The main navigation's label.
    pub main_navigation: &'static str,
    /// The search page's name.
    pub search: &'static str,
    /// The situational picture's name in the navigation (the home page).
    pub nav_picture: &'static str,
    /// The best practices' name in the navigation.
    pub nav_practices: &'static str,
    /// The experiments' name in the navigation.
    pub nav_experiments: &'static str,
    /// The auditor's timeline's name in the navigation.
    pub nav_timeline: &'static str,
    /// The forms' name in the navigation.
    pub nav_record: &'static str,
    /// Said (to screen readers too) when a list refreshed itself because something new arrived.
    pub live_updated: &'static str,
    /// Sign in.
    pub sign_in: &'static str,
    /// Sign out.
    pub sign_out: &'static str,
    /// Signed in as (followed by a name).
    pub signed_in_as: &'static str,
    /// The token field's label.
    pub token_label: &'static str,
    /// How to get a token.
    pub token_help: &'static str,
    /// The token was not accepted.
    pub token_refused: &'static str,
    /// The form was stale (CSRF check failed).
    pub form_expired: &'static str,
    /// The search box's label.
    pub search_label: &'static str,
    /// The search button.
    pub search_button: &'static str,
    /// The results heading.
    pub results: &'static str,
    /// No results.
    pub no_results: &'static str,
    /// "Did you mean".
    pub did_you_mean: &'static str,
    /// The facets' heading.
    pub narrow: &'static str,
    /// The active filters' heading.
    pub active_filters: &'static str,
    /// "Remove filter" (before the filter's name, for screen readers).
    pub remove_filter: &'static str,
    /// Pagination's label.
    pub pages: &'static str,
    /// Previous page.
    pub previous: &'static str,
    /// Next page.
    pub next: &'static str,
    /// A result without a title.
    pub untitled: &'static str,
    /// The lesson page's field names.
    pub status: &'static str,
    /// Tags.
    pub tags: &'static str,
    /// Recorded.
    pub recorded: &'static str,
    /// Sources.
    pub sources: &'static str,
    /// The unit.
    pub unit: &'static str,
    /// The experiment.
    pub experiment: &'static str,
    /// None (an empty field).
    pub none: &'static str,
    /// Back to the search.
    pub back_to_search: &'static str,
    /// A page that does not exist.
    pub not_found: &'static str,
    /// A request the server cannot answer as asked.
    pub bad_request: &'static str,
    /// A fault of the server.
    pub server_error: &'static str,
    /// Facet names.
    pub facet_kind: &'static str,
    /// Tag facet.
    pub facet_tag: &'static str,
    /// Language facet.
    pub facet_language: &'static str,
    /// Year facet.
    pub facet_year: &'static str,
    /// "n results" and "results a–b of n".
    pub results_range: fn(usize, usize, usize) -> String,
    /// A document kind's name.
    pub kind_name: fn(&str) -> &'static str,
}

/// Finnish.
pub static FI: Texts = Texts {
    language_name: "Suomeksi",
    skip_to_content: "Siirry sisältöön",
    app_tagline: "kirjuri – digitalisaatio-ohjelman tietämys ja päätökset",
    main_navigation: "Päävalikko",
    search: "Haku",
    nav_picture: "Tilannekuva",
    nav_practices: "Hyvät käytännöt",
    nav_experiments: "Kokeilut",
    nav_timeline: "Aikajana",
    nav_record: "Kirjaa",
    live_updated: "Lista päivittyi: uusia tapahtumia.",
    sign_in: "Kirjaudu sisään",
    sign_out: "Kirjaudu ulos",
    signed_in_as: "Kirjautuneena:",
    token_label: "API-tunniste",
    token_help: "Liitä ylläpitäjältä saamasi tunniste (kirjuri token create). Se alkaa kirjuri_.",
    token_refused: "Tunnistetta ei hyväksytty: se on tuntematon, vanhentunut tai peruttu.",
    form_expired: "Lomake oli vanhentunut. Yritä uudelleen.",
    search_label: "Hae oppeja, kokeiluja ja käytäntöjä",
    search_button: "Hae",
    results: "Tulokset",
    no_results: "Ei tuloksia.",
    did_you_mean: "Tarkoititko",
    narrow: "Rajaa",
    active_filters: "Rajaukset",
    remove_filter: "Poista rajaus",
    pages: "Sivut",
    previous: "Edellinen",
    next: "Seuraava",
    untitled: "(nimetön)",
    status: "Tila",
    tags: "Avainsanat",
    recorded: "Kirjattu",
    sources: "Lähteet",
    unit: "Yksikkö",
    experiment: "Kokeilu",
    none: "–",
    back_to_search: "Takaisin hakuun",
    not_found: "Sivua ei löydy.",
    bad_request: "Pyyntöä ei voi käsitellä",
    server_error: "Palvelussa tapahtui virhe. Se on kirjattu.",
    facet_kind: "Tyyppi",
    facet_tag: "Avainsana",
    facet_language: "Kieli",
    facet_year: "Vuosi",
    results_range: |first, last, total| {
        if total == 0 { "Ei tuloksia".to_owned() } else { format!("Tulokset {first}–{last}, yhteensä {total}") }
    },
    kind_name: |kind| match kind {
        "lesson" => "Oppi",
        "note" => "Valmennusmuistiinpano",
        "outcome" => "Tulos",
        "experiment" => "Kokeilu",
        "practice" => "Hyvä käytäntö",
        "decision" => "Päätös",
        "observation" => "Havainto",
        "communication" => "Viestintä",
        "engagement" => "Valmennus",
        _ => "Muu",
    },
};

/// English.
pub static EN: Texts = Texts {
    language_name: "In English",
    skip_to_content: "Skip to content",
    app_tagline: "kirjuri – knowledge and decisions of the digital-transformation programme",
    main_navigation: "Main navigation",
    search: "Search",
    nav_picture: "Situational picture",
    nav_practices: "Best practices",
    nav_experiments: "Experiments",
    nav_timeline: "Timeline",
    nav_record: "Record",
    live_updated: "The list was updated: something new arrived.",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    token_label: "API token",
    token_help: "Paste the token your administrator gave you (kirjuri token create). It starts with kirjuri_.",
    token_refused: "The token was not accepted: it is unknown, expired or revoked.",
    form_expired: "The form had expired. Please try again.",
    search_label: "Search lessons, experiments and practices",
    search_button: "Search",
    results: "Results",
    no_results: "No results.",
    did_you_mean: "Did you mean",
    narrow: "Narrow down",
    active_filters: "Filters",
    remove_filter: "Remove filter",
    pages: "Pages",
    previous: "Previous",
    next: "Next",
    untitled: "(untitled)",
    status: "Status",
    tags: "Tags",
    recorded: "Recorded",
    sources: "Sources",
    unit: "Unit",
    experiment: "Experiment",
    none: "–",
    back_to_search: "Back to the search",
    not_found: "There is no such page.",
    bad_request: "The request cannot be answered",
    server_error: "The server failed. The failure has been logged.",
    facet_kind: "Kind",
    facet_tag: "Tag",
    facet_language: "Language",
    facet_year: "Year",
    results_range: |first, last, total| {
        if total == 0 { "No results".to_owned() } else { format!("Results {first}–{last} of {total}") }
    },
    kind_name: |kind| match kind {
        "lesson" => "Lesson",
        "note" => "Coaching note",
        "outcome" => "Outcome",
        "experiment" => "Experiment",
        "practice" => "Best practice",
        "decision" => "Decision",
        "observation" => "Observation",
        "communication" => "Communication",
        "engagement" => "Coaching engagement",
        _ => "Other",
    },
};

/// Why `authorize` refused, in `lang` (an exhaustive match: a new refusal cannot be added
/// without its words). Role names stay as the access table spells them.
pub fn denied(lang: Lang, denied: &kirjuri_auth::access::Denied) -> String {
    use kirjuri_auth::access::Denied;
    match (lang, denied) {
        (Lang::En, other) => other.to_string(),
        (Lang::Fi, Denied::Role { needed, held }) => {
            format!("tähän tarvitaan jokin rooleista {needed}; sinun roolisi: {held}")
        }
        (Lang::Fi, Denied::OtherTenant) => "ei löydy".to_owned(),
        (Lang::Fi, Denied::Personal) => {
            "tämän muistiinpanon teksti on henkilökohtainen: sen lukevat vain valmentaja ja valmennettavat".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_accept_language_by_quality_else_none() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("sv;q=1, en;q=0.5, fi-FI;q=0.8"), Some(Lang::Fi));
        assert_eq!(Lang::from_accept_language("de, sv"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn every_language_parses_back_from_its_code() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
        }
        assert_eq!(Lang::parse("sv"), None);
    }
}

#[cfg(test)]
mod denied_tests {
    use kirjuri_auth::access::Denied;

    use super::{Lang, denied};

    #[test]
    fn every_refusal_of_access_is_said_in_finnish_and_in_english() {
        let all =
            [Denied::Role { needed: "auditor".into(), held: "staff".into() }, Denied::OtherTenant, Denied::Personal];
        for refusal in &all {
            let (fi, en) = (denied(Lang::Fi, refusal), denied(Lang::En, refusal));
            assert!(!fi.is_empty() && !en.is_empty() && fi != en, "{refusal:?}");
            assert_eq!(en, refusal.to_string());
        }
        // Exhaustive: a new kind of refusal makes this list (and `denied`) incomplete.
        for refusal in &all {
            match refusal {
                Denied::Role { .. } | Denied::OtherTenant | Denied::Personal => {}
            }
        }
    }
}
