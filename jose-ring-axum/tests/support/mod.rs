//! Real parts for the end-to-end tests: a mock identity provider ([`idp`]), the protected app
//! on a real socket and a real HTTP client ([`app`]), a clock the test moves ([`clock`]),
//! tokens and DPoP proofs ([`tokens`]).
#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a part of the support code"
)]

pub mod app;
pub mod clock;
pub mod example;
pub mod idp;
pub mod tokens;
