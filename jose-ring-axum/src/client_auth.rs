//! How the guard authenticates to an authorization server's introspection endpoint (RFC
//! 7662 §2.1): `client_secret_basic` (RFC 6749 §2.3.1) or `private_key_jwt` (RFC 7523 §2.2,
//! OpenID Connect Core §9), the assertion signed with the library.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64ct::{Base64, Encoding};
use jose_ring::jwt::NumericDate;
use jose_ring::{SigningKey, dpop, jwt};
use serde::Serialize;

use crate::http::{FormPost, form_encode_into};

/// The assertion type of RFC 7523 §2.2.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: a minute (RFC 7523 §3 asks for a short `exp`; Okta's and
/// Keycloak's own clients use one minute or less).
const ASSERTION_LIFETIME: i64 = 60;

/// The guard's credentials at the introspection endpoint. `Debug` shows the method and the
/// client id only.
///
/// ```
/// use jose_ring::{jwa, SigningKey};
/// use jose_ring_axum::ClientAuth;
/// let basic = ClientAuth::secret_basic("resource-server", "s3cret");
/// let key = SigningKey::generate(&jwa::ES256)?.with_kid("rs-1");
/// let jwt = ClientAuth::private_key_jwt("resource-server", key);
/// assert_eq!(format!("{basic:?}"), r#"ClientAuth { method: "client_secret_basic", client_id: "resource-server", .. }"#);
/// assert_eq!(jwt.method(), "private_key_jwt");
/// # Ok::<(), jose_ring::Error>(())
/// ```
pub struct ClientAuth {
    client_id: String,
    how: How,
}

enum How {
    /// The `Authorization: Basic` value, written once.
    Basic(String),
    PrivateKeyJwt {
        key: Box<SigningKey>,
        audience: Option<String>,
    },
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("method", &self.method())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientAuth {
    /// `client_secret_basic` (RFC 6749 §2.3.1): `Authorization: Basic` with the client id and
    /// secret, each form-encoded first as §2.3.1 says. The default method of Okta, Keycloak
    /// and oidc-provider clients.
    #[must_use]
    pub fn secret_basic(client_id: impl Into<String>, secret: &str) -> Self {
        let client_id = client_id.into();
        let mut pair = String::new();
        form_encode_into(&mut pair, &client_id);
        pair.push(':');
        form_encode_into(&mut pair, secret);
        let value = format!("Basic {}", Base64::encode_string(pair.as_bytes()));
        Self {
            client_id,
            how: How::Basic(value),
        }
    }

    /// `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): each request carries a new
    /// assertion signed with `key` (give it the `kid` the server knows it by,
    /// [`SigningKey::with_kid`]): `iss` and `sub` the client id, `aud` the introspection
    /// endpoint's URL ([`with_assertion_audience`](Self::with_assertion_audience) for
    /// another), a fresh `jti`, `iat` now and `exp` a minute later.
    #[must_use]
    pub fn private_key_jwt(client_id: impl Into<String>, key: SigningKey) -> Self {
        Self {
            client_id: client_id.into(),
            how: How::PrivateKeyJwt {
                key: Box::new(key),
                audience: None,
            },
        }
    }

    /// The `aud` of `private_key_jwt` assertions: by default the URL of the endpoint they
    /// are sent to, which Okta requires and oidc-provider accepts; the issuer identifier for
    /// servers that want it (oidc-provider and Keycloak accept it; RFC 7523bis makes it the
    /// only value). No effect on `client_secret_basic`.
    #[must_use]
    pub fn with_assertion_audience(mut self, audience: impl Into<String>) -> Self {
        if let How::PrivateKeyJwt { audience: aud, .. } = &mut self.how {
            *aud = Some(audience.into());
        }
        self
    }

    /// `client_secret_basic` or `private_key_jwt`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        match self.how {
            How::Basic(_) => "client_secret_basic",
            How::PrivateKeyJwt { .. } => "private_key_jwt",
        }
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `post` with these credentials, at `now`.
    pub(crate) fn authenticate(
        &self,
        post: FormPost,
        now: NumericDate,
    ) -> Result<FormPost, jose_ring::Error> {
        match &self.how {
            How::Basic(value) => Ok(post.with_header("authorization", value.as_str())),
            How::PrivateKeyJwt { key, audience } => {
                let audience = audience.as_deref().unwrap_or(post.uri());
                let assertion = Assertion {
                    iss: &self.client_id,
                    sub: &self.client_id,
                    aud: audience,
                    jti: &fresh_jti(),
                    iat: now.as_seconds(),
                    exp: now.as_seconds().saturating_add(ASSERTION_LIFETIME),
                };
                let signed = jwt::encode(&assertion, &**key)?;
                Ok(post
                    .with_field("client_id", &self.client_id)
                    .with_field("client_assertion_type", JWT_BEARER)
                    .with_field("client_assertion", &signed))
            }
        }
    }
}

/// The claims of a client assertion (RFC 7523 §3).
#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: i64,
    exp: i64,
}

/// A `jti` no other assertion of this client has (RFC 7523 §3: the server may refuse a
/// second use): the SHA-256 (base64url, as DPoP's `ath`) of a per-process random seed (the
/// standard library's randomly keyed hasher), a counter and the time in nanoseconds.
fn fresh_jti() -> String {
    use std::hash::BuildHasher;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u8));
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    dpop::ath(&format!("{seed:016x}.{count}.{nanos}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_follows_rfc_6749_2_3_1_and_rfc_7617() {
        // RFC 7617 §2's example.
        let auth = ClientAuth::secret_basic("Aladdin", "open sesame");
        let post = auth
            .authenticate(
                FormPost::new("https://as.example/i", 10),
                NumericDate::from_seconds(0),
            )
            .unwrap();
        // RFC 6749 §2.3.1 form-encodes the space first: "Aladdin:open+sesame".
        assert_eq!(
            post.headers().collect::<Vec<_>>(),
            [("authorization", "Basic QWxhZGRpbjpvcGVuK3Nlc2FtZQ==")]
        );
        let auth = ClientAuth::secret_basic("rs", "a:b c");
        let post = auth
            .authenticate(
                FormPost::new("https://as.example/i", 10),
                NumericDate::from_seconds(0),
            )
            .unwrap();
        // "rs:a%3Ab+c"
        assert_eq!(
            post.headers().collect::<Vec<_>>(),
            [("authorization", "Basic cnM6YSUzQWIrYw==")]
        );
        assert_eq!(post.body(), "");
    }

    #[test]
    fn jtis_are_fresh() {
        let (a, b) = (fresh_jti(), fresh_jti());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
