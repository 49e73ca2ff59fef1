//! JSON Web Signature (RFC 7515): sign and verify, compact serialization.
//!
//! ```
//! use jose_ring::{jwa, jws, HmacKey};
//! let key = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes")?;
//! let token = jws::sign(b"payload", &jws::Header::new(), &key)?;
//! assert_eq!(jws::verify(&token, &key)?.payload(), b"payload");
//! # Ok::<(), jose_ring::Error>(())
//! ```

mod compact;
mod header;

pub use compact::{
    Unverified, Verified, sign, sign_detached, sign_with_header_json, verify, verify_detached,
};
pub use header::Header;
