//! The blocking shared key set with real threads, a counting fetcher and a fake clock.
#![cfg(feature = "std")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwks::{Fetch, KeySetCache, Request, Response, SharedKeySet, UriPolicy, WellKnown};
use jose_ring::jwt::{Clock, NumericDate};
use jose_ring::{Error, KeySetError, NoKey, SigningKey, jwa, jws};

/// A clock the test moves.
#[derive(Clone, Default)]
struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    fn set(&self, seconds: i64) {
        self.0.store(seconds, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_seconds(self.0.load(Ordering::SeqCst))
    }
}

/// An identity provider that counts its requests, takes a while to answer, and can fail.
#[derive(Default)]
struct Provider {
    fetches: AtomicUsize,
    body: Mutex<Vec<u8>>,
    down: AtomicBool,
    conditional: Mutex<Vec<Option<String>>>,
}

impl Provider {
    fn publish(&self, keys: &[&SigningKey]) {
        let set: JwkSet = keys
            .iter()
            .map(|k| Jwk::from_verifying_key(&k.verifying_key()))
            .collect();
        *self.body.lock().unwrap() = set.to_json().unwrap().into_bytes();
    }

    fn count(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl Fetch for &Provider {
    type Error = &'static str;

    fn fetch(&self, request: &Request) -> Result<Response, &'static str> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if request.uri() == "https://idp.example/.well-known/openid-configuration" {
            let document =
                r#"{"issuer":"https://idp.example","jwks_uri":"https://idp.example/jwks"}"#;
            return Ok(Response::new(200, document.as_bytes().to_vec()));
        }
        assert_eq!(request.uri(), "https://idp.example/jwks");
        let if_none_match = request.if_none_match();
        self.conditional
            .lock()
            .unwrap()
            .push(if_none_match.map(String::from));
        // Long enough for every thread to pile up behind the fetch in flight.
        std::thread::sleep(Duration::from_millis(100));
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused");
        }
        Ok(Response::new(200, self.body.lock().unwrap().clone())
            .with_cache_control("max-age=600")
            .with_etag("\"e\""))
    }
}

fn signer(kid: &str) -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap().with_kid(kid)
}

fn token(key: &SigningKey) -> String {
    jws::sign(b"payload", &jws::Header::new(), key).unwrap()
}

fn verify<F: Fetch>(remote: &SharedKeySet<F>, token: &str) -> Result<(), Error> {
    jws::verify(token, &remote.keys()?).map(|_| ())
}

const THREADS: usize = 8;

/// Runs `work` on `THREADS` threads released at once.
fn all_at_once(work: impl Fn() + Sync) {
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                barrier.wait();
                work();
            });
        }
    });
}

#[test]
fn concurrent_first_use_makes_one_fetch() {
    let a = signer("a");
    let provider = Provider::default();
    provider.publish(&[&a]);
    let clock = FakeClock::default();
    let remote = SharedKeySet::new("https://idp.example/jwks", &provider, &[&jwa::ES256])
        .with_clock(Arc::new(clock.clone()));
    let token = token(&a);
    all_at_once(|| verify(&remote, &token).unwrap());
    assert_eq!(provider.count(), 1);
}

#[test]
fn concurrent_unknown_kids_make_one_fetch() {
    let (a, b) = (signer("a"), signer("b"));
    let provider = Provider::default();
    provider.publish(&[&a]);
    let clock = FakeClock::default();
    let remote = SharedKeySet::new("https://idp.example/jwks", &provider, &[&jwa::ES256])
        .with_clock(Arc::new(clock.clone()));
    verify(&remote, &token(&a)).unwrap();
    assert_eq!(provider.count(), 1);

    // The provider replaces a with b without announcing it; tokens signed with b arrive on
    // every thread at once, 10 s after the first fetch: one refetch for all of them.
    provider.publish(&[&b]);
    let rotated = token(&b);
    clock.set(10);
    all_at_once(|| verify(&remote, &rotated).unwrap());
    assert_eq!(provider.count(), 2);
    assert_eq!(
        *provider.conditional.lock().unwrap(),
        [None, Some(String::from("\"e\""))]
    );

    // A flood of made-up kids right after costs nothing.
    let forged = token(&signer("made-up"));
    all_at_once(|| assert_eq!(verify(&remote, &forged), Err(NoKey::UnknownKid.into())));
    assert_eq!(provider.count(), 2);
    // 30 s after the refetch the kids caused, one fetch for the whole flood.
    clock.set(39);
    all_at_once(|| assert_eq!(verify(&remote, &forged), Err(NoKey::UnknownKid.into())));
    assert_eq!(provider.count(), 2);
    clock.set(40);
    all_at_once(|| assert_eq!(verify(&remote, &forged), Err(NoKey::UnknownKid.into())));
    assert_eq!(provider.count(), 3);
}

#[test]
fn outage_serves_the_last_good_set_then_fails_closed() {
    let a = signer("a");
    let provider = Provider::default();
    provider.publish(&[&a]);
    let clock = FakeClock::default();
    let remote = SharedKeySet::new("https://idp.example/jwks", &provider, &[&jwa::ES256])
        .with_clock(Arc::new(clock.clone()));
    let token = token(&a);
    verify(&remote, &token).unwrap();

    provider.down.store(true, Ordering::SeqCst);
    // Due (the last quarter of 600 s): one verification tries a refresh, fails, serves.
    clock.set(451);
    verify(&remote, &token).unwrap();
    assert_eq!(provider.count(), 2);
    // Within the cooldown nobody retries; the snapshot serves without locking.
    clock.set(470);
    all_at_once(|| verify(&remote, &token).unwrap());
    assert_eq!(provider.count(), 2);
    assert_eq!(remote.refresh_if_due(), Ok(()));
    // Expired, within the hour of staleness: still serving.
    clock.set(600 + 3600);
    verify(&remote, &token).unwrap();
    // Beyond it: closed.
    clock.set(600 + 3600 + 1);
    assert_eq!(
        verify(&remote, &token),
        Err(KeySetError::Stale {
            age: 4201,
            max: 4200
        }
        .into())
    );
    // The provider comes back: the next fetch opens it again.
    provider.down.store(false, Ordering::SeqCst);
    clock.set(600 + 3600 + 40);
    verify(&remote, &token).unwrap();
}

#[test]
fn a_provider_down_at_start_is_a_typed_error() {
    let a = signer("a");
    let provider = Provider::default();
    provider.down.store(true, Ordering::SeqCst);
    let clock = FakeClock::default();
    let remote = SharedKeySet::new("https://idp.example/jwks", &provider, &[&jwa::ES256])
        .with_clock(Arc::new(clock.clone()));
    assert_eq!(
        remote.jwks_uri().as_deref(),
        Some("https://idp.example/jwks")
    );
    let token = token(&a);
    assert_eq!(
        verify(&remote, &token),
        Err(KeySetError::FetchFailed.into())
    );
    // In the cooldown: no new fetch, nothing to serve.
    assert_eq!(verify(&remote, &token), Err(KeySetError::NotFetched.into()));
    assert_eq!(provider.count(), 1);
    provider.down.store(false, Ordering::SeqCst);
    provider.publish(&[&a]);
    clock.set(30);
    assert_eq!(remote.refresh_if_due(), Ok(()));
    verify(&remote, &token).unwrap();
    assert_eq!(provider.count(), 2);
}

#[test]
fn a_closure_is_a_fetcher() {
    let a = signer("a");
    let body = JwkSet::from_iter([Jwk::from_verifying_key(&a.verifying_key())])
        .to_json()
        .unwrap();
    let fetch = move |_: &Request| Ok::<_, ()>(Response::new(200, body.clone().into_bytes()));
    let remote = SharedKeySet::new("https://idp.example/jwks", fetch, &[&jwa::ES256]);
    assert_eq!(
        remote.jwks_uri().as_deref(),
        Some("https://idp.example/jwks")
    );
    let keys = remote.keys().unwrap();
    assert_eq!(keys.ring().len(), 1);
    jws::verify(&token(&a), &keys).unwrap();
}

#[test]
fn an_issuer_is_discovered_then_its_keys_fetched_once_for_every_thread() {
    let a = signer("a");
    let provider = Provider::default();
    provider.publish(&[&a]);
    let cache = KeySetCache::discover(
        "https://idp.example",
        WellKnown::OpenIdConfiguration,
        UriPolicy::HttpsOnly,
        &jwa::ASYMMETRIC,
    )
    .unwrap();
    let clock = FakeClock::default();
    let remote = SharedKeySet::from_cache(cache, &provider).with_clock(Arc::new(clock.clone()));
    assert_eq!(remote.jwks_uri(), None);
    let token = token(&a);
    all_at_once(|| verify(&remote, &token).unwrap());
    // One discovery document and one key set, whatever the number of threads.
    assert_eq!(provider.count(), 2);
    assert_eq!(
        remote.jwks_uri().as_deref(),
        Some("https://idp.example/jwks")
    );
}
