//! jose-ring (work in progress)
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod b64;
mod error;
mod json;
mod key;
mod limits;
mod secret;

pub mod jwa;
pub mod jwk;
pub mod jws;
pub mod jwt;

pub use error::{
    CritProblem, Error, JsonProblem, KeyRejected, Malformed, NoKey, UnencodedProblem, Unsupported,
};
pub use key::{HmacKey, KeyRef, KeySource, Signer, SigningKey, VerifyingKey};
pub use limits::Limits;
pub use secret::Secret;
