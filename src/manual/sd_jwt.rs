//! # How-tos: SD-JWT (RFC 9901) for each role
//!
//! An issuer signs claims a holder can disclose one by one; a verifier checks what it was
//! shown, and, when its policy says so, that the holder holds the key the issuer bound the
//! SD-JWT to. The threats and what the crate does about them are in
//! [`threat_model`](super::threat_model#beyond-rfc-8725-sd-jwt-rfc-9901).
//!
//! ## Issuer: choose what is selectively disclosable
//!
//! Name the claims with JSON Pointers; everything else stays visible. Keep visible what a
//! verifier needs to judge the credential (`iss`, `exp`, `nbf`, `cnf`: RFC 9901 §9.7) with
//! [`with_visible`](crate::sd_jwt::Issuer::with_visible), so a mistaken pointer fails at
//! issuance rather than at every verifier. Nested pointers make recursive disclosures: the
//! holder can then show the address without the street. Add decoys where the number of
//! claims says something (a membership number present only for members: §10.4).
//!
//! ```
//! use jose_ring::{jwa, jwk::Jwk, jws::Header, sd_jwt, SigningKey, Error, Misuse};
//! let issuer_key = SigningKey::generate(&jwa::ES256)?.with_kid("issuer-2026");
//! let holder_public = Jwk::from_signing_key(&SigningKey::generate(&jwa::ES256)?)?.to_public()?;
//! let claims = serde_json::json!({
//!     "iss": "https://issuer.example", "exp": 1_900_000_000, "given_name": "Erika",
//!     "address": {"street_address": "Heidestraße 17", "locality": "Köln"},
//!     "nationalities": ["DE", "FR"],
//! });
//! let issuer = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
//!     .with_visible("iss").with_visible("exp")
//!     .with_disclosable("/given_name")
//!     .with_disclosable("/address")
//!     .with_disclosable("/address/street_address")
//!     .with_disclosable("/nationalities/1")
//!     .with_decoys("", 2)
//!     .with_holder_key(&holder_public)?
//!     .with_header(Header::new().with_typ("example+sd-jwt"));
//! let issued = issuer.clone().sign(&issuer_key)?;
//! assert_eq!(issued.matches('~').count(), 5);
//! // `exp` was to stay visible: naming it is a mistake, caught here.
//! assert_eq!(
//!     issuer.with_disclosable("/exp").sign(&issuer_key).map(|_| ()),
//!     Err(Error::Misuse(Misuse::SdClaims))
//! );
//! # Ok::<(), Error>(())
//! ```
//!
//! For an SD-JWT VC, [`Issuer::with_vct`](crate::sd_jwt::Issuer::with_vct) sets `vct`, the
//! `dc+sd-jwt` type, and keeps the claims the draft never discloses visible. Publish the
//! issuer's keys in its JWT VC Issuer Metadata (`/.well-known/jwt-vc-issuer`) and sign with a
//! `kid` the set has. Issue each holder a batch of credentials, each with its own holder key,
//! if verifiers must not be able to link presentations (§10.1).
//!
//! ## Holder: disclose, and bind to the verifier
//!
//! [`Unverified::present`](crate::sd_jwt::Unverified::present) takes the pointers of the
//! claims to show, as [`unverified_claims`](crate::sd_jwt::Unverified::unverified_claims)
//! shows them (verify the SD-JWT when you receive it, with the issuer's keys:
//! [`Unverified::verify`](crate::sd_jwt::Unverified::verify)). A disclosure inside another
//! brings that one with it; nothing below the pointer is shown. When the verifier asks for key
//! binding (OpenID4VP always does), sign a KB-JWT for its `aud` and `nonce`: it covers this
//! very set of disclosures, so nobody on the way can add or drop one.
//!
//! ```
//! use jose_ring::{jwa, jwk::Jwk, jwt::NumericDate, sd_jwt, SigningKey};
//! # let issuer_key = SigningKey::generate(&jwa::ES256)?;
//! let holder_key = SigningKey::generate(&jwa::ES256)?;
//! # let claims = serde_json::json!({"given_name": "Erika", "address": {"street_address": "Heidestraße 17", "locality": "Köln"}});
//! # let issued = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
//! #     .with_disclosable("/given_name").with_disclosable("/address").with_disclosable("/address/street_address")
//! #     .with_holder_key(&Jwk::from_signing_key(&holder_key)?)?.sign(&issuer_key)?;
//! let sd_jwt = sd_jwt::Unverified::parse(&issued)?;
//! assert_eq!(sd_jwt.unverified_claims()?["address"]["locality"], "Köln");
//! let presentation = sd_jwt.present(&["/address/locality"])?; // the address, not the street
//! assert_eq!(presentation.disclosures().count(), 1);
//! let now = NumericDate::from_seconds(1_800_000_000);
//! let binding = sd_jwt::KeyBinding::new("https://verifier.example", "n-0S6_WzA2Mj", now);
//! let sent = presentation.with_key_binding(&binding, &holder_key)?;
//! assert!(!sent.ends_with('~')); // an SD-JWT+KB ends with its KB-JWT
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! ## Verifier: decide key binding first, then verify
//!
//! Whether key binding is required is the verifier's policy for the use case, fixed before
//! the presentation is seen (§7.3 step 1, §9.5): a presentation without a KB-JWT is not a
//! weaker kind of valid presentation, it is refused where binding is required, and a
//! presentation with one is refused where it is not (the verifier would not check it). Give
//! the issuer's keys as any [`KeySource`](crate::KeySource) (a key, a
//! [`KeyRing`](crate::jwk::KeyRing), a [`KeySetCache`](crate::jwks::KeySetCache)'s ring), the
//! claims rules as a [`jwt::Validation`](crate::jwt::Validation) (they run on the processed
//! payload: an `exp` that came in a disclosure is checked too), and a fresh nonce per
//! transaction; then remember the nonce as used.
//!
//! ```
//! use jose_ring::{jwa, jwk::Jwk, jwt::{self, NumericDate}, sd_jwt, Error, SdJwt, SigningKey};
//! # let issuer_key = SigningKey::generate(&jwa::ES256)?;
//! # let holder_key = SigningKey::generate(&jwa::ES256)?;
//! # let claims = serde_json::json!({"iss": "https://issuer.example", "exp": 1_900_000_000, "given_name": "Erika"});
//! # let issued = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
//! #     .with_disclosable("/given_name").with_holder_key(&Jwk::from_signing_key(&holder_key)?)?.sign(&issuer_key)?;
//! let now = NumericDate::from_seconds(1_800_000_000);
//! # let binding = sd_jwt::KeyBinding::new("https://verifier.example", "n-0S6_WzA2Mj", now);
//! # let sent = sd_jwt::Unverified::parse(&issued)?.present(&["/given_name"])?.with_key_binding(&binding, &holder_key)?;
//! let rules = sd_jwt::Validation::new(jwt::Validation::new(now).with_issuer("https://issuer.example"))
//!     .with_key_binding("https://verifier.example", "n-0S6_WzA2Mj");
//! let verified = sd_jwt::verify(&sent, &issuer_key.verifying_key(), &rules)?;
//! assert_eq!(verified.claims()["given_name"], "Erika");
//!
//! // The same SD-JWT with its KB-JWT stripped: refused, whatever it discloses.
//! let stripped = &sent[..=sent.rfind('~').unwrap_or_default()];
//! assert_eq!(
//!     sd_jwt::verify(stripped, &issuer_key.verifying_key(), &rules).map(|_| ()),
//!     Err(Error::SdJwt(SdJwt::MissingKeyBinding))
//! );
//! # Ok::<(), Error>(())
//! ```
//!
//! For SD-JWT VC add [`with_vct`](crate::sd_jwt::Validation::with_vct) (type `dc+sd-jwt`,
//! `vct`, the never-disclosable claims), and take the issuer's keys from its metadata:
//! [`vc::metadata_uri`](crate::sd_jwt::vc::metadata_uri) of the unverified `iss` (that is
//! all the unverified `iss` is used for), [`vc::IssuerMetadata`](crate::sd_jwt::vc::IssuerMetadata)
//! checked against the issuers you trust, and its key set kept fresh by a
//! [`KeySetCache`](crate::jwks::KeySetCache); name the issuer in the claims rules
//! (`with_issuer`) so that a key of one issuer never vouches for another's `iss`.
//!
//! From a shell, the same three roles are `jose sd-jwt issue`, `jose sd-jwt present` and
//! `jose sd-jwt verify`.
