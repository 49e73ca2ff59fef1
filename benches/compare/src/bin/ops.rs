//! Runs one operation of the benches `n` times, for counting instructions under valgrind, a
//! measure the load of a shared machine does not move:
//!
//! ```sh
//! cd benches/compare && bash instructions.sh      # every op, jose-ring and floor
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!   target/release/ops jwt_decode lib HS256 10000
//! ```
//!
//! `ops GROUP WHO ALG N` with GROUP in sign, verify, jwt_decode, parse; WHO in lib, borrowed
//! (jwt_decode only), floor; and, for HS256 sign and jwt_decode and ES256/EdDSA sign, WHO in
//! jsonwebtoken9, jsonwebtoken11. The fixtures are built before the loop and also for `N = 0`, so
//! the instructions of one operation are `(count(N) - count(0)) / N`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring tool")]

#[path = "../../../shared/mod.rs"]
#[allow(dead_code, reason = "shared with the benches, which use all of it")]
mod shared;

use std::hint::black_box;

use jose_ring::jwt::{self, SystemClock, Validation};
use jose_ring::{jwa, jws};

use shared::{BorrowedClaims, Claims, Floor, LibKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, group, who, alg, n] = args.as_slice() else {
        panic!("usage: ops GROUP WHO ALG N");
    };
    let alg: &'static jwa::Algorithm = shared::ALGS
        .iter()
        .copied()
        .find(|a| a.name() == alg)
        .expect("a benchmarked algorithm");
    let n: u64 = n.parse().expect("a count");
    let claims = Claims::typical();
    let lib = LibKey::load(alg);
    let floor = Floor::load(alg);
    let token = shared::lib_sign(&lib, &claims);
    let rules = Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer(shared::ISS)
        .with_audience(shared::AUD);
    let mut buffer = Vec::new();
    let peers =
        matches!(who.as_str(), "jsonwebtoken9" | "jsonwebtoken11").then(|| Peers::load(alg));
    for _ in 0..n {
        let token = black_box(token.as_str());
        match (group.as_str(), who.as_str(), &lib) {
            ("sign", "lib", LibKey::Hmac(k)) => drop(black_box(jwt::encode(&claims, k).unwrap())),
            ("sign", "lib", LibKey::Pair(k, _)) => {
                drop(black_box(jwt::encode(&claims, k).unwrap()));
            }
            ("sign", "floor", _) => drop(black_box(floor.sign(&claims).unwrap())),
            ("verify", "lib", LibKey::Hmac(k)) => drop(black_box(jws::verify(token, k).unwrap())),
            ("verify", "lib", LibKey::Pair(_, v)) => {
                drop(black_box(jws::verify(token, v).unwrap()));
            }
            ("verify", "floor", _) => drop(black_box(floor.verify_jws(token).unwrap())),
            ("jwt_decode", "lib", LibKey::Hmac(k)) => {
                drop(black_box(
                    jwt::decode::<Claims, _>(token, k, &rules).unwrap(),
                ));
            }
            ("jwt_decode", "lib", LibKey::Pair(_, v)) => {
                drop(black_box(
                    jwt::decode::<Claims, _>(token, v, &rules).unwrap(),
                ));
            }
            ("jwt_decode", "borrowed", LibKey::Hmac(k)) => {
                let v =
                    jwt::decode_borrowed::<BorrowedClaims<'_>, _>(token, k, &rules, &mut buffer)
                        .unwrap();
                black_box(v.claims().exp);
            }
            ("jwt_decode", "borrowed", LibKey::Pair(_, key)) => {
                let v =
                    jwt::decode_borrowed::<BorrowedClaims<'_>, _>(token, key, &rules, &mut buffer)
                        .unwrap();
                black_box(v.claims().exp);
            }
            ("jwt_decode", "floor", _) => {
                drop(black_box(floor.decode(token, shared::now()).unwrap()));
            }
            ("parse", "lib", _) => drop(black_box(jws::Unverified::parse(token).unwrap())),
            ("parse", "floor", _) => drop(black_box(Floor::parse(token).unwrap())),
            (g, "jsonwebtoken9" | "jsonwebtoken11", _) => {
                peers.as_ref().unwrap().run(g, who, token, &claims);
            }
            (g, w, _) => panic!("no op {g} {w}"),
        }
    }
}

/// jsonwebtoken 9 and 11, for the targets that name them (HS256 sign and decode, ES256 and
/// EdDSA sign):
/// jsonwebtoken 9 and 11 keep the key as DER and hand it to the crypto library at every call.
struct Peers {
    name: &'static str,
    jt9: (
        jsonwebtoken9::EncodingKey,
        jsonwebtoken9::DecodingKey,
        jsonwebtoken9::Validation,
    ),
    jt11: (
        jsonwebtoken11::EncodingKey,
        jsonwebtoken11::DecodingKey,
        jsonwebtoken11::Validation,
    ),
}

impl Peers {
    fn load(alg: &'static jwa::Algorithm) -> Self {
        let name = alg.name();
        let secret = shared::HMAC_SECRET.as_slice();
        macro_rules! jt {
            ($jt:ident, $a:ident) => {{
                let (enc, dec) = match shared::pem_pair(alg) {
                    None => (
                        $jt::EncodingKey::from_secret(secret),
                        $jt::DecodingKey::from_secret(secret),
                    ),
                    Some((s, p)) if name == "ES256" => (
                        $jt::EncodingKey::from_ec_pem(s).unwrap(),
                        $jt::DecodingKey::from_ec_pem(p).unwrap(),
                    ),
                    Some((s, p)) => (
                        $jt::EncodingKey::from_ed_pem(s).unwrap(),
                        $jt::DecodingKey::from_ed_pem(p).unwrap(),
                    ),
                };
                let mut rules = $jt::Validation::new($jt::Algorithm::$a);
                rules.set_issuer(&[shared::ISS]);
                rules.set_audience(&[shared::AUD]);
                rules.validate_nbf = true;
                rules.leeway = 0;
                (enc, dec, rules)
            }};
        }
        let (jt9, jt11) = match name {
            "HS256" => (jt!(jsonwebtoken9, HS256), jt!(jsonwebtoken11, HS256)),
            "ES256" => (jt!(jsonwebtoken9, ES256), jt!(jsonwebtoken11, ES256)),
            "EdDSA" => (jt!(jsonwebtoken9, EdDSA), jt!(jsonwebtoken11, EdDSA)),
            other => panic!("peers are counted for HS256, ES256 and EdDSA, not {other}"),
        };
        Self { name, jt9, jt11 }
    }

    fn run(&self, group: &str, who: &str, token: &str, claims: &Claims) {
        let alg9 = self.jt9.2.algorithms[0];
        let alg11 = self.jt11.2.algorithms[0];
        match (group, who) {
            ("sign", "jsonwebtoken9") => drop(black_box(
                jsonwebtoken9::encode(&jsonwebtoken9::Header::new(alg9), claims, &self.jt9.0)
                    .unwrap(),
            )),
            ("sign", "jsonwebtoken11") => drop(black_box(
                jsonwebtoken11::encode(&jsonwebtoken11::Header::new(alg11), claims, &self.jt11.0)
                    .unwrap(),
            )),
            ("jwt_decode", "jsonwebtoken9") => drop(black_box(
                jsonwebtoken9::decode::<Claims>(token, &self.jt9.1, &self.jt9.2).unwrap(),
            )),
            ("jwt_decode", "jsonwebtoken11") => drop(black_box(
                jsonwebtoken11::decode::<Claims>(token, &self.jt11.1, &self.jt11.2).unwrap(),
            )),
            (g, w) => panic!("no peer op {g} {w} for {}", self.name),
        }
    }
}
