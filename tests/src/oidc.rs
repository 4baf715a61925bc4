//! A fake OIDC identity provider for black-box tests: RSA keys made at test time, a JWKS served
//! by a small axum server on a free port (counting its fetches), and tokens signed here with
//! aws-lc-rs directly, so the server's verifier is not also the tests' signer.
//!
//! For the web UI's sign-in it also serves discovery (`<issuer>/.well-known/openid-configuration`),
//! an authorization endpoint that signs in whoever [`FakeIdentityProvider::sign_in_as`] names at
//! once (redirecting back with a one-time code) and a token endpoint that checks the code, the
//! client id, the redirect URI and the PKCE `code_verifier` (S256) before it returns an ID token
//! carrying the nonce. Its issuer is its own address, `http://127.0.0.1:<port>/<tenant>/v2.0`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// An RSA signing key with its key id.
#[derive(Clone)]
pub struct SigningKey {
    /// The `kid` it is published and used under.
    pub kid: String,
    pair: Arc<KeyPair>,
}

impl SigningKey {
    /// A fresh 2048-bit key.
    pub fn generate(kid: &str) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key is generated");
        Self { kid: kid.to_owned(), pair: Arc::new(pair) }
    }

    /// Its public half as a JWK.
    pub fn jwk(&self) -> Value {
        let components = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        })
    }

    /// `claims` signed with RS256 under this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(&json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}), claims)
    }

    /// `claims` signed with RS256 under an arbitrary `header`.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let signing_input = signing_input(header, claims);
        let mut signature = vec![0_u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .expect("the token is signed");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

fn signing_input(header: &Value, claims: &Value) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON encodes"));
    format!("{}.{}", encode(header), encode(claims))
}

/// An unsigned token (`alg: none`, empty signature).
pub fn unsigned_token(claims: &Value) -> String {
    format!("{}.", signing_input(&json!({"alg": "none", "typ": "JWT"}), claims))
}

/// A token signed with HS256 using `secret` (e.g. the public key, the classic confusion attack).
pub fn hs256_token(kid: &str, secret: &[u8], claims: &Value) -> String {
    let signing_input = signing_input(&json!({"alg": "HS256", "typ": "JWT", "kid": kid}), claims);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// The tenant in the fake issuer's path.
const ISSUER_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

#[derive(Clone)]
struct Published {
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    issuer: String,
    key: SigningKey,
    /// The claims of whoever signs in at the authorization endpoint.
    person: Arc<Mutex<Value>>,
    /// Codes handed out and not yet exchanged.
    codes: Arc<Mutex<HashMap<String, PendingCode>>>,
    exchanges: Arc<AtomicUsize>,
}

/// What an authorization request asked, kept under its code until the exchange.
#[derive(Clone)]
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    nonce: String,
    challenge: String,
}

/// A JWKS endpoint on `127.0.0.1:<free port>`; stops when dropped.
pub struct FakeIdentityProvider {
    /// The issuer its tokens name.
    pub issuer: String,
    /// The key published from the start.
    pub key: SigningKey,
    jwks_url: String,
    published: Published,
    server: JoinHandle<()>,
}

impl FakeIdentityProvider {
    /// Starts serving a JWKS holding one fresh key, `key-1`.
    pub async fn start() -> Self {
        let key = SigningKey::generate("key-1");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("the JWKS server binds");
        let address = listener.local_addr().expect("a bound address");
        let issuer = format!("http://{address}/{ISSUER_TENANT}/v2.0");
        let published = Published {
            keys: Arc::new(Mutex::new(vec![key.jwk()])),
            fetches: Arc::default(),
            issuer: issuer.clone(),
            key: key.clone(),
            person: Arc::new(Mutex::new(Value::Null)),
            codes: Arc::default(),
            exchanges: Arc::default(),
        };
        let router = axum::Router::new()
            .route("/keys", get(serve_keys))
            .route(&format!("/{ISSUER_TENANT}/v2.0/.well-known/openid-configuration"), get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(published.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { issuer, key, jwks_url: format!("http://{address}/keys"), published, server }
    }

    /// Where its JWKS is served.
    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    /// How many times the JWKS has been fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }

    /// Whoever signs in at the authorization endpoint from now on: `claims` such as `sub`, `tid`,
    /// `roles`, `name` (the ID token adds `iss`, `aud`, `nonce`, `iat` and `exp`).
    pub fn sign_in_as(&self, claims: Value) {
        *self.published.person.lock().unwrap_or_else(PoisonError::into_inner) = claims;
    }

    /// How many codes have been exchanged for ID tokens.
    pub fn token_exchanges(&self) -> usize {
        self.published.exchanges.load(Ordering::SeqCst)
    }

    /// Publishes `key` beside the others (a key rollover).
    pub fn publish(&self, key: &SigningKey) {
        self.published.keys.lock().unwrap_or_else(PoisonError::into_inner).push(key.jwk());
    }
}

impl Drop for FakeIdentityProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve_keys(State(published): State<Published>) -> Json<Value> {
    published.fetches.fetch_add(1, Ordering::SeqCst);
    let keys = published.keys.lock().unwrap_or_else(PoisonError::into_inner).clone();
    Json(json!({ "keys": keys }))
}

async fn discovery(State(published): State<Published>) -> Json<Value> {
    let base = published.issuer.split(&format!("/{ISSUER_TENANT}")).next().unwrap_or_default().to_owned();
    Json(json!({
        "issuer": published.issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/keys"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

fn bad_request(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

/// Signs in the configured person at once and sends the browser back with a code.
async fn authorize(State(published): State<Published>, Query(query): Query<HashMap<String, String>>) -> Response {
    let get = |name: &str| query.get(name).cloned().unwrap_or_default();
    let required = ["client_id", "redirect_uri", "state", "nonce", "code_challenge", "scope"];
    if get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || required.iter().any(|name| get(name).is_empty())
        || !get("scope").split(' ').any(|scope| scope == "openid")
    {
        return bad_request("invalid_request");
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    let pending = PendingCode {
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        nonce: get("nonce"),
        challenge: get("code_challenge"),
    };
    published.codes.lock().unwrap_or_else(PoisonError::into_inner).insert(code.clone(), pending);
    let mut back = reqwest::Url::parse(&get("redirect_uri")).expect("the redirect URI is a URL");
    back.query_pairs_mut().append_pair("code", &code).append_pair("state", &get("state"));
    (StatusCode::FOUND, [(axum::http::header::LOCATION, back.to_string())]).into_response()
}

/// Exchanges a code (once) for an ID token, checking the client, the redirect URI and PKCE.
async fn token(State(published): State<Published>, Form(form): Form<HashMap<String, String>>) -> Response {
    let get = |name: &str| form.get(name).cloned().unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return bad_request("unsupported_grant_type");
    }
    let Some(pending) = published.codes.lock().unwrap_or_else(PoisonError::into_inner).remove(&get("code")) else {
        return bad_request("invalid_grant");
    };
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, get("code_verifier").as_bytes());
    if URL_SAFE_NO_PAD.encode(digest.as_ref()) != pending.challenge
        || get("client_id") != pending.client_id
        || get("redirect_uri") != pending.redirect_uri
    {
        return bad_request("invalid_grant");
    }
    let now = chrono::Utc::now().timestamp();
    let mut claims = published.person.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(object) = claims.as_object_mut() {
        object.entry("iss").or_insert_with(|| json!(published.issuer));
        object.entry("aud").or_insert_with(|| json!(pending.client_id));
        object.entry("nonce").or_insert_with(|| json!(pending.nonce));
        object.entry("iat").or_insert_with(|| json!(now));
        object.entry("exp").or_insert_with(|| json!(now + 3600));
    }
    published.exchanges.fetch_add(1, Ordering::SeqCst);
    let id_token = published.key.sign(&claims);
    Json(json!({ "id_token": id_token, "access_token": "not-used", "token_type": "Bearer", "expires_in": 3600 }))
        .into_response()
}
