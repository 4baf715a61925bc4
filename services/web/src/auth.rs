//! Signing in to the web UI: the sign-in page (username and password first, then an API
//! token, then — where configured — the organisation's OIDC provider), the handlers that turn
//! each into a session cookie, and the check every page makes of the session it is given
//! ([`session_principal`]).
//!
//! - `POST /sign-in/password`: the user directory checks the password (argon2id on a blocking
//!   thread). An unknown username, a wrong password and a disabled account get one message; a
//!   refused form keeps the username. After [`kirjuri_auth::users::AttemptLimit`]'s failures
//!   (10 per 15 minutes per username, counted in memory per server instance) a username is
//!   refused unchecked with 429 until the window passes.
//! - `POST /sign-in`: a local API token (as before).
//! - `GET /sign-in/oidc` → the issuer's authorization endpoint with `state`, `nonce` and an S256
//!   `code_challenge`; the `state`, `nonce`, `code_verifier` and where to come back to are kept
//!   in a cookie MACed with the session key for [`OIDC_FLOW_SECONDS`]. `GET
//!   /sign-in/oidc/callback` checks `state`, exchanges the code with the verifier, verifies the
//!   ID token (signature, `iss`, `aud` = client id, `exp`, `nonce`), maps tenant and roles as the
//!   bearer path does and starts a session that ends with the ID token (at most 12 h).
//!
//! Both forms carry a CSRF token tied to a nonce cookie (there is no session yet).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::i18n::auth::{AuthTexts, texts as auth_texts};
use super::pages::{self, Frame};
use super::session::{self, SESSION_COOKIE, SIGN_IN_COOKIE, Session, SessionSubject, cookie_value, set_cookie};
use super::{WebError, cookies, field, form_pairs, html_response, local_path, over_https, see_other, with_cookie};
use crate::WebState;
use kirjuri_auth::oidc_client::Pkce;
use kirjuri_auth::users::SignInError;
use kirjuri_auth::{AuthError, AuthMethod, Principal};

/// The cookie holding the OIDC flow's state between the redirect and the callback.
pub const OIDC_FLOW_COOKIE: &str = "kirjuri_oidc";
/// How long an OIDC sign-in may take between leaving for the issuer and coming back.
pub const OIDC_FLOW_SECONDS: i64 = 600;
/// The purpose the OIDC flow cookie is MACed for.
const OIDC_FLOW_PURPOSE: &str = "oidc-flow";
/// The most characters of a refused username shown back in the form.
const MAX_USERNAME_ECHO: usize = 64;

/// The sign-in routes (pages, not in the OpenAPI document).
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in_with_token))
        .route("/sign-in/password", post(sign_in_with_password))
        .route("/sign-in/oidc", get(oidc_start))
        .route("/sign-in/oidc/callback", get(oidc_callback))
}

/// Which form a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Nothing went wrong.
    None,
    /// The password form's message.
    Password(&'static str),
    /// The token form's message.
    Token(&'static str),
    /// A message about the OIDC sign-in, at the top of the page.
    Oidc(&'static str),
}

/// What the sign-in page shows.
#[derive(Debug, Clone)]
pub struct SignInView {
    /// The forms' CSRF token.
    pub csrf: String,
    /// Where to go once signed in.
    pub next: String,
    /// The username of a refused password form (kept so it need not be typed again).
    pub username: String,
    /// What went wrong, and where it is shown.
    pub problem: Problem,
    /// Whether OIDC sign-in is offered.
    pub oidc: bool,
}

/// The sign-in page: username and password, then an API token, then OIDC if configured.
pub fn sign_in_page(frame: &Frame, view: &SignInView) -> Markup {
    let texts = frame.lang.texts();
    let auth: &AuthTexts = auth_texts(frame.lang);
    let password_error = match view.problem {
        Problem::Password(message) => Some(message),
        _ => None,
    };
    let token_error = match view.problem {
        Problem::Token(message) => Some(message),
        _ => None,
    };
    let next_query: String = form_urlencoded::byte_serialize(view.next.as_bytes()).collect();
    pages::layout(
        frame,
        texts.sign_in,
        html! {
            h1 { (texts.sign_in) }
            @if let Problem::Oidc(message) = view.problem {
                p.error role="alert" { (message) }
            }
            div.sign-in-options {
                section.sign-in-option aria-labelledby="password-heading" {
                    h2 id="password-heading" { (auth.password_heading) }
                    form.sign-in-password method="post" action="/sign-in/password" {
                        input type="hidden" name="csrf" value=(view.csrf);
                        input type="hidden" name="next" value=(view.next);
                        @if let Some(error) = password_error {
                            p.error id="password-error" role="alert" { (error) }
                        }
                        label for="username" { (auth.username_label) }
                        input id="username" name="username" type="text" autocomplete="username" required
                            autocapitalize="none" spellcheck="false" value=(view.username)
                            aria-describedby=[password_error.map(|_| "password-error")]
                            aria-invalid=[password_error.map(|_| "true")];
                        label for="password" { (auth.password_label) }
                        input id="password" name="password" type="password" autocomplete="current-password" required
                            aria-describedby=[password_error.map(|_| "password-error")]
                            aria-invalid=[password_error.map(|_| "true")];
                        button type="submit" { (texts.sign_in) }
                    }
                }
                section.sign-in-option aria-labelledby="token-heading" {
                    h2 id="token-heading" { (auth.token_heading) }
                    form.sign-in method="post" action="/sign-in" {
                        input type="hidden" name="csrf" value=(view.csrf);
                        input type="hidden" name="next" value=(view.next);
                        @if let Some(error) = token_error {
                            p.error id="token-error" role="alert" { (error) }
                        }
                        label for="token" { (texts.token_label) }
                        p.hint id="token-hint" { (texts.token_help) }
                        input id="token" name="token" type="password" autocomplete="off" required
                            aria-describedby=(if token_error.is_some() { "token-hint token-error" } else { "token-hint" })
                            aria-invalid=[token_error.map(|_| "true")];
                        button type="submit" { (texts.sign_in) }
                    }
                }
                @if view.oidc {
                    section.sign-in-option aria-labelledby="oidc-heading" {
                        h2 id="oidc-heading" { (auth.oidc_heading) }
                        p.hint { (auth.oidc_help) }
                        a.button.sign-in-oidc href={ "/sign-in/oidc?next=" (next_query) } { (auth.oidc_button) }
                    }
                }
            }
        },
    )
}

/// The session key is held (read or made: see [`session::SessionKey::ensure`]), or a 503 page.
pub(super) async fn key_ready(state: &WebState, headers: &HeaderMap) -> Result<(), Response> {
    state
        .web_sessions
        .ensure()
        .await
        .map_err(|_| WebError::new(super::request_lang(headers), StatusCode::SERVICE_UNAVAILABLE, None).into_response())
}

/// The sign-in page with a fresh nonce cookie unless the browser has one.
async fn sign_in_response(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    problem: Problem,
) -> Response {
    if let Err(unavailable) = key_ready(state, headers).await {
        return unavailable;
    }
    let lang = super::request_lang(headers);
    let existing = cookies(headers).and_then(|header| cookie_value(header, SIGN_IN_COOKIE)).map(str::to_owned);
    let nonce = match existing {
        Some(nonce) if !nonce.is_empty() && nonce.bytes().all(|byte| byte.is_ascii_hexdigit()) => nonce,
        _ => match session::random_bytes::<16>() {
            Ok(bytes) => session::hex(&bytes),
            Err(error) => {
                tracing::error!(%error, "no nonce for the sign-in form");
                return WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None).into_response();
            }
        },
    };
    let view = SignInView {
        csrf: state.web_sessions.sign_in_csrf_token(&nonce),
        next,
        username,
        problem,
        oidc: state.authenticator.oidc_client().is_some(),
    };
    let frame = Frame { lang, here: "/sign-in".to_owned(), signed_in: None };
    let response = html_response(status, sign_in_page(&frame, &view));
    with_cookie(response, &set_cookie(SIGN_IN_COOKIE, &nonce, 3600, over_https(headers)))
}

fn next_of(pairs: &[(String, String)]) -> String {
    local_path(field(pairs, "next")).unwrap_or("/search").to_owned()
}

/// `GET /sign-in`.
async fn sign_in_form(State(state): State<WebState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let pairs = form_pairs(raw.unwrap_or_default().as_bytes());
    sign_in_response(&state, &headers, StatusCode::OK, next_of(&pairs), String::new(), Problem::None).await
}

/// Whether the sign-in form's CSRF token matches the browser's nonce cookie.
fn sign_in_csrf_holds(state: &WebState, headers: &HeaderMap, pairs: &[(String, String)]) -> bool {
    let nonce = cookies(headers).and_then(|header| cookie_value(header, SIGN_IN_COOKIE)).unwrap_or_default();
    state.web_sessions.sign_in_csrf_holds(nonce, field(pairs, "csrf"))
}

/// A session for `subject` starts: its cookie is set, the sign-in nonce cleared, and the
/// browser sent on to `next`.
fn start_session(
    state: &WebState,
    headers: &HeaderMap,
    next: &str,
    subject: SessionSubject,
    ends_by: Option<DateTime<Utc>>,
) -> Response {
    let now = Utc::now();
    let session = Session::starting(subject, ends_by, now);
    let max_age = (session.expires_at - now).num_seconds().max(0);
    let secure = over_https(headers);
    let response =
        with_cookie(see_other(next), &set_cookie(SESSION_COOKIE, &state.web_sessions.seal(&session), max_age, secure));
    with_cookie(response, &set_cookie(SIGN_IN_COOKIE, "", 0, secure))
}

/// `POST /sign-in`: a local API token becomes a session.
async fn sign_in_with_token(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(unavailable) = key_ready(&state, &headers).await {
        return unavailable;
    }
    let texts = super::request_lang(&headers).texts();
    let pairs = form_pairs(&body);
    let next = next_of(&pairs);
    if !sign_in_csrf_holds(&state, &headers, &pairs) {
        let problem = Problem::Token(texts.form_expired);
        return sign_in_response(&state, &headers, StatusCode::FORBIDDEN, next, String::new(), problem).await;
    }
    let token = field(&pairs, "token").trim();
    match state.authenticator.authenticate_bearer(token).await {
        Ok(Principal { authenticated_by: AuthMethod::ApiToken { token_id }, .. }) => {
            start_session(&state, &headers, &next, SessionSubject::Token(token_id), None)
        }
        Ok(_) | Err(_) => {
            let problem = Problem::Token(texts.token_refused);
            sign_in_response(&state, &headers, StatusCode::UNAUTHORIZED, next, String::new(), problem).await
        }
    }
}

/// `POST /sign-in/password`: a local user's username and password become a session.
async fn sign_in_with_password(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(unavailable) = key_ready(&state, &headers).await {
        return unavailable;
    }
    let lang = super::request_lang(&headers);
    let auth = auth_texts(lang);
    let pairs = form_pairs(&body);
    let next = next_of(&pairs);
    let username = field(&pairs, "username").trim();
    let kept_username: String = username.chars().take(MAX_USERNAME_ECHO).collect();
    if !sign_in_csrf_holds(&state, &headers, &pairs) {
        let problem = Problem::Password(lang.texts().form_expired);
        return sign_in_response(&state, &headers, StatusCode::FORBIDDEN, next, kept_username, problem).await;
    }
    match state.authenticator.users().sign_in(username, field(&pairs, "password")).await {
        Ok((Principal { authenticated_by: AuthMethod::Password { user_id }, .. }, password_changes)) => {
            start_session(&state, &headers, &next, SessionSubject::User { id: user_id, password_changes }, None)
        }
        Ok(_) => {
            tracing::error!("a password sign-in yielded a principal of another kind");
            WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None).into_response()
        }
        Err(SignInError::InvalidCredentials | SignInError::Disabled) => {
            let problem = Problem::Password(auth.credentials_refused);
            sign_in_response(&state, &headers, StatusCode::UNAUTHORIZED, next, kept_username, problem).await
        }
        Err(SignInError::TooManyAttempts { retry_after }) => {
            let problem = Problem::Password(auth.too_many_attempts);
            let response =
                sign_in_response(&state, &headers, StatusCode::TOO_MANY_REQUESTS, next, kept_username, problem).await;
            with_retry_after(response, retry_after)
        }
        Err(SignInError::Busy { retry_after }) => {
            let problem = Problem::Password(auth.busy);
            let response =
                sign_in_response(&state, &headers, StatusCode::SERVICE_UNAVAILABLE, next, kept_username, problem).await;
            with_retry_after(response, retry_after)
        }
        Err(SignInError::Internal(error)) => {
            tracing::error!(%error, "a password sign-in failed");
            WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None).into_response()
        }
    }
}

/// `response` saying when to try again (`Retry-After`, whole seconds, at least one).
fn with_retry_after(mut response: Response, retry_after: std::time::Duration) -> Response {
    if let Ok(value) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// What the OIDC flow cookie holds between the redirect and the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OidcFlow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires_at: i64,
}

impl OidcFlow {
    fn encode(&self) -> String {
        let next: String = form_urlencoded::byte_serialize(self.next.as_bytes()).collect();
        format!("{}~{}~{}~{next}~{}", self.state, self.nonce, self.verifier, self.expires_at)
    }

    fn decode(text: &str, now: DateTime<Utc>) -> Option<Self> {
        let mut parts = text.split('~');
        let (Some(state), Some(nonce), Some(verifier), Some(next), Some(expires_at), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let expires_at: i64 = expires_at.parse().ok()?;
        let next: String = form_urlencoded::parse(format!("n={next}").as_bytes()).next()?.1.into_owned();
        let flow = Self {
            state: state.to_owned(),
            nonce: nonce.to_owned(),
            verifier: verifier.to_owned(),
            next: local_path(&next)?.to_owned(),
            expires_at,
        };
        (expires_at > now.timestamp()).then_some(flow)
    }
}

fn random_hex<const N: usize>() -> Result<String, session::RandomFailed> {
    Ok(session::hex(&session::random_bytes::<N>()?))
}

/// `GET /sign-in/oidc?next=…`: off to the issuer's authorization endpoint.
async fn oidc_start(State(state): State<WebState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    if let Err(unavailable) = key_ready(&state, &headers).await {
        return unavailable;
    }
    let lang = super::request_lang(&headers);
    let Some(client) = state.authenticator.oidc_client() else {
        return WebError::new(lang, StatusCode::NOT_FOUND, None).into_response();
    };
    let next = next_of(&form_pairs(raw.unwrap_or_default().as_bytes()));
    let randoms = (random_hex::<16>(), random_hex::<16>(), session::random_bytes::<32>());
    let (Ok(flow_state), Ok(nonce), Ok(verifier_bytes)) = randoms else {
        tracing::error!("no random numbers for the OIDC sign-in");
        return WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None).into_response();
    };
    let pkce = Pkce::from_random(&verifier_bytes);
    let url = match client.authorization_url(&flow_state, &nonce, &pkce).await {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(%error, "the OIDC sign-in cannot start");
            let problem = Problem::Oidc(auth_texts(lang).oidc_failed);
            return sign_in_response(&state, &headers, StatusCode::BAD_GATEWAY, next, String::new(), problem).await;
        }
    };
    let flow = OidcFlow {
        state: flow_state,
        nonce,
        verifier: pkce.verifier,
        next,
        expires_at: Utc::now().timestamp() + OIDC_FLOW_SECONDS,
    };
    let cookie = state.web_sessions.sign(OIDC_FLOW_PURPOSE, &flow.encode());
    with_cookie(see_other(&url), &set_cookie(OIDC_FLOW_COOKIE, &cookie, OIDC_FLOW_SECONDS, over_https(&headers)))
}

/// `GET /sign-in/oidc/callback?code=…&state=…`: back from the issuer.
async fn oidc_callback(State(state): State<WebState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    if let Err(unavailable) = key_ready(&state, &headers).await {
        return unavailable;
    }
    let lang = super::request_lang(&headers);
    let auth = auth_texts(lang);
    let (Some(client), Some(verifier)) = (state.authenticator.oidc_client(), state.authenticator.oidc()) else {
        return WebError::new(lang, StatusCode::NOT_FOUND, None).into_response();
    };
    let pairs = form_pairs(raw.unwrap_or_default().as_bytes());
    let flow = cookies(&headers)
        .and_then(|header| cookie_value(header, OIDC_FLOW_COOKIE))
        .and_then(|cookie| state.web_sessions.unsign(OIDC_FLOW_PURPOSE, cookie))
        .and_then(|text| OidcFlow::decode(text, Utc::now()));
    let secure = over_https(&headers);
    let refuse = |status: StatusCode, next: String, message: &'static str| {
        let (state, headers) = (&state, &headers);
        async move {
            let response = sign_in_response(state, headers, status, next, String::new(), Problem::Oidc(message)).await;
            with_cookie(response, &set_cookie(OIDC_FLOW_COOKIE, "", 0, secure))
        }
    };
    let Some(flow) = flow else {
        tracing::info!("an OIDC callback without a valid flow cookie (expired, or not started here)");
        return refuse(StatusCode::BAD_REQUEST, "/search".to_owned(), auth.oidc_failed).await;
    };
    if !field(&pairs, "error").is_empty() {
        tracing::info!(error = %kirjuri_app::queries::printable(field(&pairs, "error")), "the OIDC provider refused the sign-in");
        return refuse(StatusCode::UNAUTHORIZED, flow.next, auth.oidc_failed).await;
    }
    let state_matches =
        aws_lc_rs::constant_time::verify_slices_are_equal(field(&pairs, "state").as_bytes(), flow.state.as_bytes())
            .is_ok();
    let code = field(&pairs, "code");
    if !state_matches || code.is_empty() {
        tracing::info!(state_matches, "an OIDC callback with a wrong state or no code");
        return refuse(StatusCode::BAD_REQUEST, flow.next, auth.oidc_failed).await;
    }
    let id_token = match client.exchange(code, &flow.verifier).await {
        Ok(id_token) => id_token,
        Err(error) => {
            tracing::warn!(%error, "the OIDC code could not be exchanged");
            return refuse(StatusCode::BAD_GATEWAY, flow.next, auth.oidc_failed).await;
        }
    };
    match verifier.verify_id_token(&id_token, client.client_id(), &flow.nonce).await {
        Ok((identity, expires_at)) => {
            let response =
                start_session(&state, &headers, &flow.next, SessionSubject::Oidc(identity), Some(expires_at));
            with_cookie(response, &set_cookie(OIDC_FLOW_COOKIE, "", 0, secure))
        }
        Err(error @ (AuthError::NoRole | AuthError::InvalidJwt { .. })) if is_admission(&error) => {
            tracing::info!(%error, "an OIDC identity is not admitted");
            refuse(StatusCode::FORBIDDEN, flow.next, auth.oidc_refused).await
        }
        Err(error) => {
            tracing::warn!(%error, "an OIDC ID token was refused");
            refuse(StatusCode::UNAUTHORIZED, flow.next, auth.oidc_failed).await
        }
    }
}

/// Whether a refused ID token was valid but its person is not admitted (no role, another tenant).
fn is_admission(error: &AuthError) -> bool {
    match error {
        AuthError::NoRole => true,
        AuthError::InvalidJwt { detail, .. } => detail.contains("tenant"),
        _ => false,
    }
}

/// Why a session no longer stands.
#[derive(Debug)]
pub enum SessionRefused {
    /// Its token was revoked or expired, its user disabled or given a new password, its tenant
    /// no longer admitted: sign in again.
    Ended,
    /// The directories cannot be read now.
    Unavailable,
    /// A fault of the server.
    Failed,
}

/// The principal a session stands for now: not signed out of, its token, user or OIDC
/// identity checked again.
pub async fn session_principal(state: &WebState, session: &Session) -> Result<Principal, SessionRefused> {
    match state.web_session_ends.is_ended(session.id).await {
        Ok(false) => {}
        Ok(true) => return Err(SessionRefused::Ended),
        Err(error) => {
            tracing::warn!(%error, "the ended web sessions cannot be read");
            return Err(SessionRefused::Unavailable);
        }
    }
    let authenticator = &state.authenticator;
    match &session.subject {
        SessionSubject::Token(token_id) => match authenticator.authenticate_token_id(*token_id).await {
            Ok(principal) => Ok(principal),
            Err(AuthError::UnknownToken | AuthError::RevokedToken | AuthError::ExpiredToken) => {
                Err(SessionRefused::Ended)
            }
            Err(AuthError::TokensUnavailable(cause)) => {
                tracing::warn!(error = %cause, "the API tokens cannot be read for a web session");
                Err(SessionRefused::Unavailable)
            }
            Err(other) => {
                tracing::error!(error = %other, "a web session could not be checked");
                Err(SessionRefused::Failed)
            }
        },
        SessionSubject::User { id, password_changes } => match authenticator.users().current(*id).await {
            Ok(Some((record, changes))) if record.is_active() && changes == *password_changes => Ok(record.principal()),
            Ok(_) => Err(SessionRefused::Ended),
            Err(error) => {
                tracing::warn!(%error, "the user accounts cannot be read for a web session");
                Err(SessionRefused::Unavailable)
            }
        },
        SessionSubject::Oidc(identity) => {
            authenticator.oidc().and_then(|verifier| verifier.principal_of(identity).ok()).ok_or(SessionRefused::Ended)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn frame(lang: Lang) -> Frame {
        Frame { lang, here: "/sign-in".to_owned(), signed_in: None }
    }

    fn view(problem: Problem, oidc: bool) -> SignInView {
        SignInView {
            csrf: "c5rf".to_owned(),
            next: "/search?q=a&b".to_owned(),
            username: "\"><script>anna".to_owned(),
            problem,
            oidc,
        }
    }

    #[test]
    fn the_password_form_comes_first_and_a_refusal_keeps_the_username_escaped() {
        let message = auth_texts(Lang::Fi).credentials_refused;
        let page = sign_in_page(&frame(Lang::Fi), &view(Problem::Password(message), false)).into_string();
        let password_form = page.find("action=\"/sign-in/password\"").expect("a password form");
        let token_form = page.find("action=\"/sign-in\"").expect("a token form");
        assert!(password_form < token_form, "the password form comes first");
        assert!(page.contains(message));
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;anna\""), "the username is kept, escaped");
        assert!(!page.contains("<script>anna"));
        assert!(page.contains("<label for=\"username\">Käyttäjätunnus</label>"));
        assert!(page.contains("autocomplete=\"current-password\""));
        assert!(page.contains("aria-describedby=\"password-error\""));
        assert_eq!(page.matches("name=\"csrf\" value=\"c5rf\"").count(), 2, "both forms carry the CSRF token");
        assert!(!page.contains("/sign-in/oidc"), "no OIDC button when it is not configured");
    }

    #[test]
    fn a_token_refusal_is_shown_at_the_token_field_and_oidc_only_when_configured() {
        let message = Lang::En.texts().token_refused;
        let page = sign_in_page(&frame(Lang::En), &view(Problem::Token(message), true)).into_string();
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("id=\"token-error\" role=\"alert\""));
        assert!(!page.contains("id=\"password-error\""));
        assert!(page.contains("href=\"/sign-in/oidc?next=%2Fsearch%3Fq%3Da%26b\""));
        assert!(page.contains(auth_texts(Lang::En).oidc_button));
    }

    #[test]
    fn the_oidc_flow_round_trips_and_expires() {
        let now = Utc::now();
        let flow = OidcFlow {
            state: "s1".to_owned(),
            nonce: "n1".to_owned(),
            verifier: "v-_1".to_owned(),
            next: "/search?q=a~b&c=d".to_owned(),
            expires_at: now.timestamp() + 60,
        };
        assert_eq!(OidcFlow::decode(&flow.encode(), now), Some(flow.clone()));
        assert_eq!(OidcFlow::decode(&flow.encode(), now + chrono::Duration::seconds(61)), None);
        let elsewhere = OidcFlow { next: "//evil.example/".to_owned(), ..flow };
        assert_eq!(OidcFlow::decode(&elsewhere.encode(), now), None, "never back to another site");
        assert_eq!(OidcFlow::decode("a~b", now), None);
    }
}
