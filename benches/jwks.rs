//! Criterion benches of remote key sets (issue 16): key selection in a 1,000-key ring against
//! a 1-key ring, parsing and binding a 100-key mixed JWKS, the shared cache's per-verification
//! overhead over a plain `KeyRing`, and verification throughput through the shared cache from
//! 2 threads against 1.
//!
//! ```sh
//! cargo bench --bench jwks -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The 100-key JWKS is `test-vectors/jwks/mixed100.json` (34 RSA-2048, 22 P-256, 11 P-384,
//! 33 Ed25519), written once by `test-vectors/jwks/make_mixed100.py`. The threads group
//! times `iters` verifications on each of 1 or 2 threads: the ratio of throughputs is
//! `2 * t(1 thread) / t(2 threads)`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs,
    reason = "a benchmark: a panic is a failed fixture"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jose_ring::jwk::{Jwk, JwkSet, KeyRing};
use jose_ring::jwks::{Request, Response, SharedKeySet};
use jose_ring::{KeySource, SigningKey, jwa, jws};

const MIXED100: &[u8] = include_bytes!("../test-vectors/jwks/mixed100.json");

/// A ring of `n` ES256 keys with kids `key-0000`, ... (all of one length), and the signer of
/// the key in the middle.
fn ring(n: usize) -> (KeyRing, SigningKey) {
    let mut ring = KeyRing::new();
    let mut middle = None;
    for i in 0..n {
        let signer = SigningKey::generate(&jwa::ES256)
            .unwrap()
            .with_kid(format!("key-{i:04}"));
        ring = ring.with_verifying_key(signer.verifying_key());
        if i == n / 2 {
            middle = Some(signer);
        }
    }
    (ring, middle.unwrap())
}

fn selection(c: &mut Criterion) {
    let mut group = c.benchmark_group("select");
    for n in [1, 1000] {
        let (ring, signer) = ring(n);
        let kid = String::from(signer.kid().unwrap());
        assert!(ring.select("ES256", Some(&kid)).is_ok());
        group.bench_function(format!("ring_{n}"), |b| {
            b.iter(|| {
                black_box(&ring)
                    .select(black_box("ES256"), black_box(Some(kid.as_str())))
                    .is_ok()
            });
        });
    }
    group.finish();
}

fn parse_and_bind(c: &mut Criterion) {
    let algs = [&jwa::RS256, &jwa::ES256, &jwa::ES384, &jwa::EdDSA];
    let ring = JwkSet::from_json(MIXED100).unwrap().key_ring(&algs);
    assert_eq!((ring.len(), ring.skipped().len()), (100, 0));
    let mut group = c.benchmark_group("jwks");
    group.bench_function("parse_bind_mixed100", |b| {
        b.iter(|| {
            JwkSet::from_json(black_box(MIXED100))
                .unwrap()
                .key_ring(&algs)
        });
    });
    group.bench_function("parse_mixed100", |b| {
        b.iter(|| JwkSet::from_json(black_box(MIXED100)).unwrap());
    });
    group.finish();
}

/// A shared set serving `signer`'s key, fetched once.
fn shared(signer: &SigningKey) -> SharedKeySet<impl Fn(&Request) -> Result<Response, ()> + Sync> {
    let body = JwkSet::from_iter([Jwk::from_verifying_key(&signer.verifying_key())])
        .to_json()
        .unwrap();
    let fetch = move |_: &Request| {
        Ok(Response::new(200, body.clone().into_bytes()).with_cache_control("max-age=3600"))
    };
    let shared = SharedKeySet::new("https://idp.example/jwks", fetch, &[&jwa::ES256]);
    shared.keys().unwrap();
    shared
}

fn overhead(c: &mut Criterion) {
    let signer = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    let ring = KeyRing::new().with_verifying_key(signer.verifying_key());
    let shared = shared(&signer);
    let token = jws::sign(b"payload", &jws::Header::new(), &signer).unwrap();
    let mut group = c.benchmark_group("cache_overhead");
    // The per-verification work that differs: choosing the key.
    group.bench_function("select_keyring", |b| {
        b.iter(|| black_box(&ring).select("ES256", Some("k1")).is_ok());
    });
    // With the time the caller's validation already read...
    let now = jose_ring::jwt::NumericDate::now();
    group.bench_function("select_shared_at", |b| {
        b.iter(|| {
            let keys = black_box(&shared).keys_at(black_box(now)).unwrap();
            keys.select("ES256", Some("k1")).is_ok()
        });
    });
    // ...and reading the system clock itself.
    group.bench_function("select_shared_clock", |b| {
        b.iter(|| {
            let keys = black_box(&shared).keys().unwrap();
            keys.select("ES256", Some("k1")).is_ok()
        });
    });
    group.bench_function("system_clock", |b| {
        b.iter(jose_ring::jwt::NumericDate::now);
    });
    // The whole verification, for scale.
    group.bench_function("verify_keyring", |b| {
        b.iter(|| jws::verify(black_box(&token), &ring).unwrap());
    });
    group.bench_function("verify_shared", |b| {
        b.iter(|| jws::verify(black_box(&token), &shared.keys().unwrap()).unwrap());
    });
    group.finish();
}

/// `iters` runs of `verify` on each of `threads` threads, released together.
fn timed(verify: &(dyn Fn() + Sync), threads: usize, iters: u64) -> Duration {
    let barrier = std::sync::Barrier::new(threads);
    let start = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        verify();
                    }
                    start
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .min()
            .unwrap()
    });
    start.elapsed()
}

fn threads(c: &mut Criterion) {
    let signer = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    let shared = shared(&signer);
    let ring = KeyRing::new().with_verifying_key(signer.verifying_key());
    let token = jws::sign(b"payload", &jws::Header::new(), &signer).unwrap();
    let through_shared = || {
        jws::verify(black_box(&token), &shared.keys().unwrap()).unwrap();
    };
    // The same work with a plain ring: what the machine gives 2 threads, cache or not.
    let through_ring = || {
        jws::verify(black_box(&token), &ring).unwrap();
    };
    let mut group = c.benchmark_group("shared_threads");
    for n in [1, 2] {
        group.bench_function(format!("verify_{n}_threads"), |b| {
            b.iter_custom(|iters| timed(&through_shared, n, iters));
        });
        group.bench_function(format!("keyring_{n}_threads"), |b| {
            b.iter_custom(|iters| timed(&through_ring, n, iters));
        });
    }
    group.finish();
}

criterion_group!(benches, selection, parse_and_bind, overhead, threads);
criterion_main!(benches);
