//! Access and refresh tokens: a short-lived `at+jwt` for the API and a longer-lived
//! `refresh+jwt` that only the token endpoint accepts, so neither can stand in for the other.
//!
//! Run with `cargo run --example access_refresh`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use jose_ring::ClaimError;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, SigningKey, jwa, jws};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "https://auth.example";
const ACCESS_LIFETIME: u64 = 15 * 60;
const REFRESH_LIFETIME: u64 = 30 * 24 * 3600;

/// What the API reads from an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Access {
    #[serde(flatten)]
    registered: RegisteredClaims,
    scope: String,
    roles: Vec<String>,
}

fn issue(
    key: &SigningKey,
    user: &str,
    now: NumericDate,
    n: u32,
) -> Result<(String, String), Error> {
    let access = Access {
        registered: RegisteredClaims::new()
            .with_issuer(ISSUER)
            .with_subject(user)
            .with_audience("api")
            .with_lifetime(now, ACCESS_LIFETIME)
            .with_jwt_id(format!("at-{n}")),
        scope: "read:users write:users".into(),
        roles: vec!["admin".into()],
    };
    let access = jwt::encode_with_header(&access, &jws::Header::new().with_typ("at+jwt"), key)?;
    // The refresh token is for the token endpoint only: its own typ and audience.
    let refresh = RegisteredClaims::new()
        .with_issuer(ISSUER)
        .with_subject(user)
        .with_audience("token-endpoint")
        .with_lifetime(now, REFRESH_LIFETIME)
        .with_jwt_id(format!("rt-{n}"));
    let refresh =
        jwt::encode_with_header(&refresh, &jws::Header::new().with_typ("refresh+jwt"), key)?;
    Ok((access, refresh))
}

fn main() -> Result<(), Error> {
    let key = SigningKey::generate(&jwa::ES256)?.with_kid("auth-2024");
    let public = key.verifying_key();
    let login = NumericDate::from_seconds(1_700_000_000);

    // 1. Login: a pair of tokens.
    let (access, refresh) = issue(&key, "ada", login, 1)?;
    println!(
        "1. issued access token ({} bytes) and refresh token",
        access.len()
    );

    // 2. The API checks every request: typ at+jwt, issuer, audience, scope, role.
    let api = |now: NumericDate| {
        Validation::new(now)
            .with_typ("at+jwt")
            .with_issuer(ISSUER)
            .with_audience("api")
            .with_scope("write:users")
            .with_role("admin")
    };
    let verified: jwt::Verified<Access> =
        jwt::decode(&access, &public, &api(login.saturating_add(60)))?;
    println!(
        "2. API accepted the access token of {:?}",
        verified.claims().registered.sub
    );

    // 3. The refresh token is refused by the API, even though its signature is good.
    match jwt::decode::<Access, _>(&refresh, &public, &api(login.saturating_add(60))) {
        Err(Error::Claim(ClaimError::InvalidTyp)) => {
            println!("3. API refused the refresh token")
        }
        other => println!("3. BUG: {other:?}"),
    }

    // 4. Sixteen minutes later the access token has expired...
    let later = login.saturating_add(16 * 60);
    match jwt::decode::<Access, _>(&access, &public, &api(later)) {
        Err(error) => println!("4. {error}"),
        Ok(_) => println!("4. BUG: expired token accepted"),
    }

    // 5. ...so the client refreshes: the token endpoint accepts only refresh tokens, and only
    //    ones not yet used. "Used" is state: after the token verified, look its jti up in your
    //    store and record it there atomically (here a list; a shared store with several
    //    instances, such as Redis `SET NX`).
    let mut used = Vec::<String>::new();
    let endpoint = Validation::new(later)
        .with_typ("refresh+jwt")
        .with_issuer(ISSUER)
        .with_audience("token-endpoint")
        .with_required("jti");
    let mut redeem = |token: &str| -> Result<jwt::Verified<RegisteredClaims>, Error> {
        let verified: jwt::Verified<RegisteredClaims> = jwt::decode(token, &public, &endpoint)?;
        let jti = verified.claims().jti.clone().unwrap_or_default();
        if used.contains(&jti) {
            return Err(jose_ring::ClaimError::Revoked.into());
        }
        used.push(jti);
        Ok(verified)
    };
    let old = redeem(&refresh)?;
    let user = old.claims().sub.clone().unwrap_or_default();
    let (access, _refresh) = issue(&key, &user, later, 2)?;
    println!(
        "5. refreshed: new access token accepted: {}",
        jwt::decode::<Access, _>(&access, &public, &api(later)).is_ok()
    );

    // 6. Replaying the used refresh token fails; so does presenting the access token there.
    match redeem(&refresh) {
        Err(error) => println!("6. replayed refresh token: {error}"),
        Ok(_) => println!("6. BUG: replay accepted"),
    }
    match redeem(&access) {
        Err(error) => println!("   access token at the token endpoint: {error}"),
        Ok(_) => println!("   BUG: access token accepted as refresh token"),
    }
    Ok(())
}
