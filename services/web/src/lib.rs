//! kirjuri's web UI: server-rendered pages outside `/api/v1` (`/`, `/sign-in…` ([`auth`]),
//! `/search`, `/lessons/{id}`, `/language/{code}`, `/static/…`), for people rather than programs.
//! It never imports the API: a page and its API route are two skins over the same use case or
//! query of [`kirjuri_app`].
//!
//! Shape: a page handler parses its input, checks the session ([`Staff`]), authorises with
//! [`kirjuri_auth::access::authorize`] (or calls a read use case that does), makes one
//! read-model call, and hands a view struct to a pure render function in [`pages`]. Pages are written with maud (compiled,
//! type-checked templates in Rust, escaping by default; no template files to ship). Every
//! string is in [`i18n`]; sessions and CSRF tokens are in [`session`]. Reading needs no
//! JavaScript; CSS and the small progressive-enhancement script are embedded in the binary and
//! served under content-hashed names with a year's cache.

pub mod audit;
pub mod auth;
pub mod experiments;
pub mod forms;
pub mod i18n;
pub mod pages;
pub mod picture;
pub mod practices;
pub mod search;
pub mod session;

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use kirjuri_events::domain::LessonId;
use maud::Markup;

use i18n::{Lang, Texts};
use kirjuri_app::AppState;
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Denied, Resource, authorize};
use pages::{Frame, SignedIn};
use session::{LANG_COOKIE, SESSION_COOKIE, SessionSubject, cookie_value, set_cookie};

/// What every page handler can reach: the application, and the key that signs the pages'
/// session cookies and CSRF tokens with the sessions signed out of. Derefs to [`AppState`], so
/// a page reaches the store and the read side as the API does.
#[derive(Clone)]
pub struct WebState {
    /// The application the pages show.
    pub app: AppState,
    /// Signs the web UI's session cookies and CSRF tokens.
    pub web_sessions: Arc<session::SessionKey>,
    /// The web sessions signed out of, following the store.
    pub web_session_ends: Arc<session::SessionEnds>,
}

impl WebState {
    /// The pages' state over `app`, with the session key's bytes (kept outside the store) and the
    /// sign-outs kept in `app`'s store.
    pub async fn for_app(app: AppState, session_key: &[u8]) -> Self {
        let web_sessions = Arc::new(session::SessionKey::from_bytes(session_key));
        let web_session_ends = Arc::new(session::SessionEnds::for_store(Arc::clone(&app.store)));
        Self { app, web_sessions, web_session_ends }
    }
}

impl Deref for WebState {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.app
    }
}

/// The stylesheet, embedded.
const STYLE: &str = include_str!("static/style.css");
/// The progressive-enhancement script, embedded.
const SCRIPT: &str = include_str!("static/enhance.js");

/// Where the stylesheet is served: its name carries a digest of its content, so it can be cached for a year.
pub static STYLE_PATH: StaticPath = StaticPath::new("style", "css", STYLE);
/// Where the script is served, named like [`STYLE_PATH`].
pub static SCRIPT_PATH: StaticPath = StaticPath::new("enhance", "js", SCRIPT);

/// A static file's path, named after a digest of its content (computed once).
pub struct StaticPath {
    stem: &'static str,
    extension: &'static str,
    content: &'static str,
    path: OnceLock<String>,
}

impl StaticPath {
    const fn new(stem: &'static str, extension: &'static str, content: &'static str) -> Self {
        Self { stem, extension, content, path: OnceLock::new() }
    }

    /// `/static/<stem>.<first 12 hex digits of its SHA-256>.<extension>`.
    pub fn path(&self) -> &str {
        self.path.get_or_init(|| {
            use sha2::Digest as _;
            let digest = session::hex(&sha2::Sha256::digest(self.content.as_bytes()));
            format!("/static/{}.{}.{}", self.stem, &digest[..12], self.extension)
        })
    }
}

/// Every page route (none is in the OpenAPI document: they answer HTML, not the API).
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/sign-out", post(sign_out))
        .route("/search", get(search::search))
        .route("/lessons/{lesson}", get(lesson))
        .route("/language/{code}", get(switch_language))
        .route("/static/{file}", get(static_file))
        .merge(picture::routes())
        .merge(experiments::routes())
        .route("/live", get(live))
        .merge(practices::routes())
        .merge(audit::routes())
        .merge(forms::routes())
        .merge(auth::routes())
}

/// Whether `path` is a page's (for people) rather than a program's: everything outside the
/// API, the health checks and the metrics.
pub fn is_page_path(path: &str) -> bool {
    !["/api/", "/health/", "/metrics"]
        .iter()
        .any(|prefix| path.starts_with(prefix) || path == prefix.trim_end_matches('/'))
}

/// The page for a path nothing answers, in the reader's language.
pub fn not_found_page(headers: &HeaderMap) -> Response {
    WebError::new(request_lang(headers), StatusCode::NOT_FOUND, None).into_response()
}

/// `GET /live`: the API's live announcements (`/api/v1/live`: what happened to which entity,
/// never its data) for a signed-in page, so lists marked `data-live-refresh` can refresh
/// themselves. The same filter as the API's: the person's municipality; reads of personal data
/// only for those who may read the access log.
async fn live(State(state): State<WebState>, staff: Staff, headers: HeaderMap) -> Response {
    use kirjuri_app::live::{announcements, filter_for, parse_last_event_id};
    let lang = staff.frame.lang;
    let filter = match filter_for(&staff.principal) {
        Ok(filter) => filter,
        Err(error) => return WebError::from_api(lang, &error).into_response(),
    };
    let after = match headers.get("last-event-id").map(|value| value.to_str().ok().map(parse_last_event_id)) {
        None => None,
        Some(Some(Ok(position))) => Some(position),
        Some(_) => {
            let detail = "Last-Event-ID: must be an event position like 1234.1234".to_owned();
            return WebError::new(lang, StatusCode::BAD_REQUEST, Some(detail)).into_response();
        }
    };
    // The stream ends when the session does: signed out, expired, or its token, user or
    // identity no longer holding (checked as every page checks it).
    let cookie =
        cookies(&headers).and_then(|header| cookie_value(header, SESSION_COOKIE)).unwrap_or_default().to_owned();
    let checking = state.clone();
    let session_holds = move || {
        let (state, cookie) = (checking.clone(), cookie.clone());
        async move {
            let Some(session) = state.web_sessions.open(&cookie, Utc::now()) else { return false };
            !matches!(auth::session_principal(&state, &session).await, Err(auth::SessionRefused::Ended))
        }
    };
    match announcements(&*state.store, filter, after, state.shutting_down.clone(), session_holds).await {
        Ok(announced) => {
            use axum::response::sse::{Event, KeepAlive, Sse};
            use futures::StreamExt as _;
            let events = announced.map(|announcement| {
                let data = serde_json::to_string(&announcement).unwrap_or_default();
                Ok::<_, std::convert::Infallible>(
                    Event::default().id(announcement.position.clone()).event("event").data(data),
                )
            });
            Sse::new(events).keep_alive(KeepAlive::new().interval(LIVE_KEEP_ALIVE)).into_response()
        }
        Err(error) => WebError::from_api(lang, &error).into_response(),
    }
}

/// How often an idle live stream sends a comment to keep proxies from closing it.
const LIVE_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// The language of a request: the `kirjuri_lang` cookie, else `Accept-Language`, else Finnish.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    let from_cookie = cookies(headers).and_then(|header| cookie_value(header, LANG_COOKIE)).and_then(Lang::parse);
    let from_header =
        || headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()).and_then(Lang::from_accept_language);
    from_cookie.or_else(from_header).unwrap_or(Lang::Fi)
}

fn cookies(headers: &HeaderMap) -> Option<&str> {
    headers.get(COOKIE).and_then(|value| value.to_str().ok())
}

/// Whether the request reached us over https (directly or, as `X-Forwarded-Proto` says, through
/// a proxy that terminates TLS): cookies are then `Secure`.
fn over_https(parts_headers: &HeaderMap) -> bool {
    parts_headers.get("x-forwarded-proto").is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// A local path to come back to: starts with one `/`, never `//` or a backslash (no open redirect).
fn local_path(candidate: &str) -> Option<&str> {
    let safe = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate.chars().any(char::is_control);
    safe.then_some(candidate)
}

fn path_and_query(parts: &Parts) -> String {
    parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// A signed-in person with a role that may read pages: the session cookie opened, its token,
/// user or OIDC identity checked again ([`auth::session_principal`]: revocation, disabling or
/// a new password ends the session), its CSRF token, the language.
pub struct Staff {
    /// Who it is.
    pub principal: Principal,
    /// The frame of the pages it sees.
    pub frame: Frame,
}

/// Why a page was not reached: not signed in (to the sign-in page), or an error page.
pub enum PageRejection {
    /// To the sign-in page, coming back to `next`.
    SignIn {
        /// Where to come back to.
        next: String,
    },
    /// An error page.
    Error(WebError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn { next } => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                see_other(&format!("/sign-in?next={next}"))
            }
            Self::Error(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<WebState> for Staff {
    type Rejection = PageRejection;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let lang = request_lang(&parts.headers);
        let here = path_and_query(parts);
        let sign_in = || PageRejection::SignIn { next: here.clone() };
        let cookie =
            cookies(&parts.headers).and_then(|header| cookie_value(header, SESSION_COOKIE)).ok_or_else(sign_in)?;
        if state.web_sessions.ensure().await.is_err() {
            return Err(PageRejection::Error(WebError::new(lang, StatusCode::SERVICE_UNAVAILABLE, None)));
        }
        let session = state.web_sessions.open(cookie, Utc::now()).ok_or_else(sign_in)?;
        let principal = match auth::session_principal(state, &session).await {
            Ok(principal) => principal,
            Err(auth::SessionRefused::Ended) => return Err(sign_in()),
            Err(auth::SessionRefused::Unavailable) => {
                return Err(PageRejection::Error(WebError::new(lang, StatusCode::SERVICE_UNAVAILABLE, None)));
            }
            Err(auth::SessionRefused::Failed) => {
                return Err(PageRejection::Error(WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)));
            }
        };
        let name = principal.display_name.clone().unwrap_or_else(|| principal.subject.clone());
        let own = Resource::of(principal.municipality);
        let audits = authorize(&principal, Action::ReadAudit, &own).is_ok();
        let records = kirjuri_auth::access::CommandGroup::ALL
            .into_iter()
            .any(|group| authorize(&principal, Action::Command(group), &own).is_ok());
        let signed_in = SignedIn { name, csrf: state.web_sessions.csrf_token(cookie), audits, records };
        Ok(Self { principal, frame: Frame { lang, here, signed_in: Some(signed_in) } })
    }
}

/// An error shown as a page in the reader's language: the status decides the heading; a
/// detail (from the API's rules, in English) says which parameter and which rule.
#[derive(Debug)]
pub struct WebError {
    lang: Lang,
    status: StatusCode,
    detail: Option<String>,
}

impl WebError {
    /// An error page with `status`.
    pub fn new(lang: Lang, status: StatusCode, detail: Option<String>) -> Self {
        Self { lang, status, detail }
    }

    /// A refusal by [`authorize`]: another municipality's record is not found (as in the API).
    pub fn denied(lang: Lang, denied: &Denied) -> Self {
        match denied {
            Denied::OtherTenant => Self::new(lang, StatusCode::NOT_FOUND, None),
            other => Self::new(lang, StatusCode::FORBIDDEN, Some(i18n::denied(lang, other))),
        }
    }

    /// An [`kirjuri_app::AppError`] of a shared parser or read model, shown as a page.
    pub fn from_api(lang: Lang, error: &kirjuri_app::AppError) -> Self {
        let status = StatusCode::from_u16(error.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %error.detail(), "a page failed");
            return Self::new(lang, status, None);
        }
        Self::new(lang, status, Some(error.detail().to_owned()))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let texts: &Texts = self.lang.texts();
        let heading = match self.status {
            StatusCode::NOT_FOUND => texts.not_found,
            status if status.is_server_error() => texts.server_error,
            _ => texts.bad_request,
        };
        let frame = Frame { lang: self.lang, here: "/search".to_owned(), signed_in: None };
        html_response(self.status, pages::error_page(&frame, heading, self.detail.as_deref()))
    }
}

/// An HTML page: never cached (pages show a person's own municipality's records), framed by
/// no one, scripts and styles from this origin only.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
}

/// `POST /sign-out`: ends the session — recorded in the store, so its cookie opens nothing on
/// any instance from then on, even if a copy was kept — and clears the cookie (the token or
/// account itself stays valid).
async fn sign_out(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(unavailable) = auth::key_ready(&state, &headers).await {
        return unavailable;
    }
    let lang = request_lang(&headers);
    let pairs = form_pairs(&body);
    let cookie = cookies(&headers).and_then(|header| cookie_value(header, SESSION_COOKIE)).unwrap_or_default();
    if cookie.is_empty() || !state.web_sessions.csrf_holds(cookie, field(&pairs, "csrf")) {
        let detail = "csrf: the form's token does not belong to this session; reload the page and try again";
        return WebError::new(lang, StatusCode::FORBIDDEN, Some(detail.to_owned())).into_response();
    }
    if let Some(session) = state.web_sessions.open(cookie, Utc::now()) {
        let actor = match &session.subject {
            SessionSubject::Token(id) => format!("token:{id}"),
            SessionSubject::User { id, .. } => format!("user:{id}"),
            SessionSubject::Oidc(identity) => identity.subject.clone(),
        };
        if let Err(error) = state.web_session_ends.end(&session, &actor, Utc::now()).await {
            // Not recorded, so not ended: say so rather than pretend.
            tracing::error!(%error, "a sign-out could not be recorded");
            return WebError::new(lang, StatusCode::SERVICE_UNAVAILABLE, None).into_response();
        }
    }
    with_cookie(see_other("/sign-in"), &set_cookie(SESSION_COOKIE, "", 0, over_https(&headers)))
}

/// `GET /language/{code}?back=/path`: remembers the language in a cookie and goes back.
async fn switch_language(Path(code): Path<String>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        let detail = format!("language: `{}` is not one of fi, en", kirjuri_app::queries::printable(&code));
        return WebError::new(request_lang(&headers), StatusCode::NOT_FOUND, Some(detail)).into_response();
    };
    let pairs = form_pairs(raw.unwrap_or_default().as_bytes());
    let back = local_path(field(&pairs, "back")).unwrap_or("/search");
    with_cookie(see_other(back), &set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, over_https(&headers)))
}

/// `GET /static/{file}`: the embedded CSS and script, cached for a year (their names change with them).
async fn static_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let requested = format!("/static/{file}");
    let (content, content_type) = if requested == STYLE_PATH.path() {
        (STYLE, "text/css; charset=utf-8")
    } else if requested == SCRIPT_PATH.path() {
        (SCRIPT, "text/javascript; charset=utf-8")
    } else {
        return WebError::new(request_lang(&headers), StatusCode::NOT_FOUND, None).into_response();
    };
    let mut response = content.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

/// `GET /lessons/{lesson}`: one lesson with its sources, within the reader's municipality.
async fn lesson(State(state): State<WebState>, staff: Staff, Path(lesson): Path<String>) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let id = uuid::Uuid::try_parse(lesson.trim()).map_err(|_| {
        let detail = format!("lesson: `{}` is not an id (a UUID)", kirjuri_app::queries::printable(&lesson));
        WebError::new(lang, StatusCode::BAD_REQUEST, Some(detail))
    })?;
    let found = read_views(&state, lang, move |views| views.lesson(LessonId(id)))
        .await?
        .ok_or_else(|| WebError::new(lang, StatusCode::NOT_FOUND, None))?;
    authorize(&staff.principal, Action::Read, &Resource::of(found.item.municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let view = search::lesson_view(lang, &found.item);
    Ok(html_response(StatusCode::OK, pages::lesson_page(&staff.frame, &view)))
}

/// A query string's pairs without the empty ones: a GET form sends every field, filled or not,
/// and on a page an untouched field (`unit=`) means "no filter" — where the API, asked by a
/// program, would call it malformed. The one place for that rule.
pub fn filled_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    kirjuri_app::queries::pairs(raw).into_iter().filter(|(_, value)| !value.trim().is_empty()).collect()
}

/// [`filled_pairs`] encoded again as a query string, for the API's parsers.
pub fn filled_query(raw: Option<&str>) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(filled_pairs(raw)).finish()
}

/// Runs `query` on a pooled views reader on a blocking thread: the one way a page reads the
/// views. A fault (no read side, a failed or panicked query) is a logged 500/503 page.
pub async fn read_views<T, E>(
    state: &WebState,
    lang: Lang,
    query: impl FnOnce(&kirjuri_views::ViewsReader) -> Result<T, E> + Send + 'static,
) -> Result<T, WebError>
where
    T: Send + 'static,
    E: std::fmt::Display + From<kirjuri_views::ViewsError> + Send + 'static,
{
    let read_side = state.read_side().map_err(|error| WebError::from_api(lang, &error))?;
    tokio::task::spawn_blocking(move || {
        let views = read_side.views()?;
        query(&views)
    })
    .await
    .map_err(|error| {
        tracing::error!(%error, "a page's query panicked");
        WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
    })?
    .map_err(|error| {
        tracing::error!(%error, "a page's query failed");
        WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
    })
}

/// A coordinate or length in a chart, to a tenth (the charts are built with `html!`, so every
/// text in them is escaped by construction).
pub(crate) fn svg_number(value: f64) -> String {
    format!("{value:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_come_back_to() {
        assert_eq!(local_path("/search?q=a"), Some("/search?q=a"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/\\evil.example"), None);
        assert_eq!(local_path(""), None);
    }

    #[test]
    fn the_language_cookie_wins_over_accept_language_and_finnish_is_the_default() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_lang(&headers), Lang::Fi);
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en-US,en;q=0.8"));
        assert_eq!(request_lang(&headers), Lang::En);
        headers.insert(COOKIE, HeaderValue::from_static("kirjuri_lang=fi"));
        assert_eq!(request_lang(&headers), Lang::Fi);
    }

    #[test]
    fn static_files_are_named_after_their_content() {
        assert!(STYLE_PATH.path().starts_with("/static/style."));
        assert!(STYLE_PATH.path().ends_with(".css"));
        assert_ne!(STYLE_PATH.path(), SCRIPT_PATH.path());
    }
}
