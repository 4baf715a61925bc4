//! A fake OIDC identity provider for black-box tests: RSA keys made at test time, a JWKS served
//! by a small axum server on a free port (counting its fetches), and tokens signed here with
//! aws-lc-rs directly, so the server's verifier is not also the tests' signer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::Json;
use axum::extract::State;
use axum::routing::get;
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

#[derive(Clone, Default)]
struct Published {
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
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
        let published = Published::default();
        published.keys.lock().unwrap_or_else(PoisonError::into_inner).push(key.jwk());
        let router = axum::Router::new().route("/keys", get(serve_keys)).with_state(published.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("the JWKS server binds");
        let address = listener.local_addr().expect("a bound address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            issuer: "https://login.example.test/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0".to_owned(),
            key,
            jwks_url: format!("http://{address}/keys"),
            published,
            server,
        }
    }

    /// Where its JWKS is served.
    pub fn jwks_url(&self) -> &str {
        &self.jwks_url
    }

    /// How many times the JWKS has been fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
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
