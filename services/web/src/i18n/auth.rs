//! The sign-in page's strings beyond the frame's (`sign_in`, the token field's and the stale
//! form's are in the main table).

use super::Lang;

/// The sign-in page's strings of one language.
#[derive(Debug)]
pub struct AuthTexts {
    /// The password form's heading.
    pub password_heading: &'static str,
    /// The username field's label.
    pub username_label: &'static str,
    /// The password field's label.
    pub password_label: &'static str,
    /// Unknown user, wrong password or disabled account: one message, no hint which.
    pub credentials_refused: &'static str,
    /// Too many failed attempts for this username lately.
    pub too_many_attempts: &'static str,
    /// Every password check was busy: try again in a moment.
    pub busy: &'static str,
    /// The token form's heading.
    pub token_heading: &'static str,
    /// The OIDC sign-in's heading.
    pub oidc_heading: &'static str,
    /// What the OIDC button does.
    pub oidc_help: &'static str,
    /// The OIDC button.
    pub oidc_button: &'static str,
    /// The OIDC sign-in failed or was cancelled.
    pub oidc_failed: &'static str,
    /// The identity provider signed the person in, but kirjuri does not admit them (tenant, roles).
    pub oidc_refused: &'static str,
    /// The session ended because the account changed (disabled, new password).
    pub session_ended: &'static str,
}

/// Finnish.
pub static FI: AuthTexts = AuthTexts {
    password_heading: "Käyttäjätunnus ja salasana",
    username_label: "Käyttäjätunnus",
    password_label: "Salasana",
    credentials_refused: "Käyttäjätunnus tai salasana on väärä, tai tunnus ei ole käytössä.",
    too_many_attempts: "Tällä käyttäjätunnuksella on yritetty kirjautua liian monta kertaa. Yritä myöhemmin uudelleen.",
    busy: "Palvelu käsittelee juuri nyt monta kirjautumista. Yritä hetken kuluttua uudelleen.",
    token_heading: "API-tunnisteella",
    oidc_heading: "Organisaation tunnuksilla",
    oidc_help: "Kirjaudu kaupungin kertakirjautumisella (OpenID Connect).",
    oidc_button: "Kirjaudu organisaation tunnuksilla",
    oidc_failed: "Kirjautuminen tunnistuspalvelun kautta ei onnistunut. Yritä uudelleen.",
    oidc_refused: "Tunnistuspalvelu tunnisti sinut, mutta sinulla ei ole oikeutta kirjuriin. Ota yhteyttä ylläpitoon.",
    session_ended: "Istuntosi päättyi. Kirjaudu uudelleen.",
};

/// English.
pub static EN: AuthTexts = AuthTexts {
    password_heading: "Username and password",
    username_label: "Username",
    password_label: "Password",
    credentials_refused: "The username or password is wrong, or the account is not in use.",
    too_many_attempts: "Too many sign-in attempts for this username. Please try again later.",
    busy: "The service is handling many sign-ins right now. Please try again in a moment.",
    token_heading: "With an API token",
    oidc_heading: "With your organisation's account",
    oidc_help: "Sign in with the city's single sign-on (OpenID Connect).",
    oidc_button: "Sign in with your organisation's account",
    oidc_failed: "Signing in through the identity provider did not succeed. Please try again.",
    oidc_refused: "The identity provider recognised you, but you have no access to kirjuri. Please contact the administrators.",
    session_ended: "Your session ended. Please sign in again.",
};

/// The sign-in page's strings in `lang`.
pub fn texts(lang: Lang) -> &'static AuthTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::En => &EN,
    }
}
