//! PEM (RFC 7468) for key documents: a lax reader and a strict writer.
//!
//! The reader follows RFC 7468 §3's lax parsing: LF or CRLF line endings, spaces and tabs at
//! line ends and inside base64 lines, blank lines, and explanatory text outside the
//! encapsulation boundaries (the `Bag Attributes` of `openssl pkcs12`, the text of
//! `openssl pkey -text`). It reads exactly one key block; an `EC PARAMETERS` block before an
//! `EC PRIVATE KEY` block, as `openssl ecparam -genkey` writes, is skipped. The body is
//! standard base64 with padding, decoded in constant time into a zeroized buffer.
//!
//! The writer follows RFC 7468's strict form: 64-character lines, LF endings, a final LF.

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::error::{Error, KeyRejected};
use crate::secret::Secret;

/// The largest PEM document read, in bytes.
pub(crate) const MAX_PEM_LEN: usize = 1 << 20;

/// The label of the `EC PARAMETERS` block that may come before an `EC PRIVATE KEY` block.
const EC_PARAMETERS: &[u8] = b"EC PARAMETERS";
/// The label of an encrypted PKCS#8 document.
const ENCRYPTED_PRIVATE_KEY: &[u8] = b"ENCRYPTED PRIVATE KEY";

/// The PEM labels of the key documents this crate reads and writes.
#[allow(
    clippy::enum_variant_names,
    reason = "the variants spell the PEM labels, which all end in KEY"
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    /// `PRIVATE KEY`: PKCS#8 `PrivateKeyInfo` or `OneAsymmetricKey` (RFC 5958).
    PrivateKey,
    /// `PUBLIC KEY`: `SubjectPublicKeyInfo` (RFC 5280).
    PublicKey,
    /// `RSA PRIVATE KEY`: PKCS#1 `RSAPrivateKey` (RFC 8017).
    RsaPrivateKey,
    /// `RSA PUBLIC KEY`: PKCS#1 `RSAPublicKey` (RFC 8017).
    RsaPublicKey,
    /// `EC PRIVATE KEY`: SEC1 `ECPrivateKey` (RFC 5915).
    EcPrivateKey,
}

impl Label {
    /// The label as written between `-----BEGIN ` and `-----`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::PrivateKey => "PRIVATE KEY",
            Self::PublicKey => "PUBLIC KEY",
            Self::RsaPrivateKey => "RSA PRIVATE KEY",
            Self::RsaPublicKey => "RSA PUBLIC KEY",
            Self::EcPrivateKey => "EC PRIVATE KEY",
        }
    }

    /// The label spelled `label`, if it is one of these.
    fn from_bytes(label: &[u8]) -> Option<Self> {
        [
            Self::PrivateKey,
            Self::PublicKey,
            Self::RsaPrivateKey,
            Self::RsaPublicKey,
            Self::EcPrivateKey,
        ]
        .into_iter()
        .find(|l| l.as_str().as_bytes() == label)
    }
}

/// A decoded PEM key block.
#[derive(Debug)]
pub(crate) struct Pem {
    /// The block's label.
    pub(crate) label: Label,
    /// The DER document of the block, zeroized on drop whatever it holds.
    pub(crate) der: Secret,
}

/// The error for text that is not a PEM document this module reads.
const fn pem_error() -> Error {
    Error::KeyRejected(KeyRejected::Pem)
}

/// `line` without the CR, spaces and tabs at its end.
fn trim_end(mut line: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = line.split_last() {
        if matches!(last, b'\r' | b' ' | b'\t') {
            line = rest;
        } else {
            break;
        }
    }
    line
}

/// The label of a `-----BEGIN label-----` line, if `line` is one.
fn begin_label(line: &[u8]) -> Option<&[u8]> {
    line.strip_prefix(b"-----BEGIN ")?.strip_suffix(b"-----")
}

/// Reads the lines of a block up to its `-----END label-----` line and decodes its base64.
///
/// `capacity` bounds the body's length (the document's length will do), so the buffer holding
/// the base64 text never grows and leaves no copy behind.
fn read_block<'a>(
    lines: &mut impl Iterator<Item = &'a [u8]>,
    label: &[u8],
    capacity: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut body = Zeroizing::new(Vec::with_capacity(capacity));
    loop {
        let line = lines.next().ok_or_else(pem_error)?;
        if let Some(end) = line.strip_prefix(b"-----END ") {
            if end.strip_suffix(b"-----") == Some(label) {
                break;
            }
            return Err(pem_error());
        }
        if line.starts_with(b"-----") {
            return Err(pem_error());
        }
        if line.contains(&b':') {
            // An RFC 1421 header: `Proc-Type: 4,ENCRYPTED` marks a legacy encrypted key
            // (`openssl ec -aes256`, `openssl rsa -aes256`); no other header is expected.
            if line.starts_with(b"Proc-Type:") && line.ends_with(b"ENCRYPTED") {
                return Err(KeyRejected::Encrypted.into());
            }
            return Err(pem_error());
        }
        body.extend(line.iter().copied().filter(|b| !matches!(b, b' ' | b'\t')));
    }
    // Padded base64 decodes to at most 3 bytes per 4 characters.
    let max = body.len().checked_div(4).unwrap_or(0).saturating_mul(3);
    let mut der = Zeroizing::new(alloc::vec![0u8; max]);
    let len = Base64::decode(&*body, &mut der)
        .map_err(|_| pem_error())?
        .len();
    der.truncate(len);
    if der.is_empty() {
        return Err(pem_error());
    }
    Ok(der)
}

/// Reads a PEM document holding one key block.
///
/// # Errors
///
/// [`Error::TooLarge`] for a document over [`MAX_PEM_LEN`] bytes; [`KeyRejected::Encrypted`]
/// for an `ENCRYPTED PRIVATE KEY` block or a block with a `Proc-Type: 4,ENCRYPTED` header;
/// [`KeyRejected::Pem`] for no key block, two key blocks, a label not listed in [`Label`], an
/// `END` line whose label differs, a missing `END` line, other headers, a body that is not
/// padded standard base64 or is empty, or an `EC PARAMETERS` block not followed by an
/// `EC PRIVATE KEY` block.
pub(crate) fn parse(text: &[u8]) -> Result<Pem, Error> {
    if text.len() > MAX_PEM_LEN {
        return Err(Error::TooLarge {
            what: "PEM document",
            limit: MAX_PEM_LEN,
        });
    }
    let mut lines = text.split(|&b| b == b'\n').map(trim_end);
    let mut key: Option<Pem> = None;
    let mut ec_parameters = false;
    while let Some(line) = lines.next() {
        let Some(label) = begin_label(line) else {
            if line.starts_with(b"-----") {
                // A stray END line or a malformed boundary.
                return Err(pem_error());
            }
            // Explanatory text.
            continue;
        };
        if label == ENCRYPTED_PRIVATE_KEY {
            return Err(KeyRejected::Encrypted.into());
        }
        if label == EC_PARAMETERS {
            if ec_parameters || key.is_some() {
                return Err(pem_error());
            }
            read_block(&mut lines, label, text.len())?;
            ec_parameters = true;
            continue;
        }
        let label_kind = Label::from_bytes(label).ok_or_else(pem_error)?;
        if key.is_some() {
            return Err(pem_error());
        }
        let mut der = read_block(&mut lines, label, text.len())?;
        key = Some(Pem {
            label: label_kind,
            der: Secret::new(core::mem::take(&mut *der)),
        });
    }
    let key = key.ok_or_else(pem_error)?;
    if ec_parameters && key.label != Label::EcPrivateKey {
        return Err(pem_error());
    }
    Ok(key)
}

/// Writes `der` as a PEM document with `label`: RFC 7468 strict form, 64-character base64
/// lines, LF endings and a final LF.
///
/// The returned string holds the key as it is; callers exporting a private key hand it over
/// as it is, or wrap it in `Zeroizing`.
pub(crate) fn encode(label: Label, der: &[u8]) -> String {
    let name = label.as_str();
    let body = Base64::encoded_len(der);
    let lines = body.div_ceil(64);
    let capacity = name
        .len()
        .saturating_mul(2)
        .saturating_add(b"-----BEGIN -----\n-----END -----\n".len())
        .saturating_add(body)
        .saturating_add(lines);
    let mut out = String::with_capacity(capacity);
    out.push_str("-----BEGIN ");
    out.push_str(name);
    out.push_str("-----\n");
    let mut buf = Zeroizing::new([0u8; 64]);
    for chunk in der.chunks(48) {
        // 48 bytes encode to exactly 64 characters, so this cannot fail.
        if let Ok(line) = Base64::encode(chunk, &mut *buf) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("-----END ");
    out.push_str(name);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::ToOwned;
    use alloc::vec;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../test-vectors/keys/", $name)).as_slice()
        };
    }

    /// Single-block documents as openssl wrote them, with their label.
    const OPENSSL_PEMS: &[(&[u8], Label)] = &[
        (fixture!("rsa2048.pkcs8.pem"), Label::PrivateKey),
        (fixture!("rsa2048.pkcs1.pem"), Label::RsaPrivateKey),
        (fixture!("rsa2048.spki.pem"), Label::PublicKey),
        (fixture!("rsa2048.pkcs1-public.pem"), Label::RsaPublicKey),
        (fixture!("rsa2044.pkcs8.pem"), Label::PrivateKey),
        (fixture!("rsa2044.spki.pem"), Label::PublicKey),
        (fixture!("rsa4096.pkcs8.pem"), Label::PrivateKey),
        (fixture!("rsa4096.spki.pem"), Label::PublicKey),
        (fixture!("rsa3prime.pkcs8.pem"), Label::PrivateKey),
        (fixture!("rsa3prime.pkcs1.pem"), Label::RsaPrivateKey),
        (fixture!("rsapss.pkcs8.pem"), Label::PrivateKey),
        (fixture!("rsapss.spki.pem"), Label::PublicKey),
        (fixture!("p256.pkcs8.pem"), Label::PrivateKey),
        (fixture!("p256.sec1.pem"), Label::EcPrivateKey),
        (fixture!("p256.sec1-nopub.pem"), Label::EcPrivateKey),
        (fixture!("p256.sec1-explicit.pem"), Label::EcPrivateKey),
        (fixture!("p256.spki.pem"), Label::PublicKey),
        (fixture!("p256.spki-explicit.pem"), Label::PublicKey),
        (fixture!("p384.pkcs8.pem"), Label::PrivateKey),
        (fixture!("p384.sec1.pem"), Label::EcPrivateKey),
        (fixture!("p384.spki.pem"), Label::PublicKey),
        (fixture!("p521.pkcs8.pem"), Label::PrivateKey),
        (fixture!("p521.spki.pem"), Label::PublicKey),
        (fixture!("secp256k1.pkcs8.pem"), Label::PrivateKey),
        (fixture!("secp256k1.spki.pem"), Label::PublicKey),
        (fixture!("ed25519.pkcs8.pem"), Label::PrivateKey),
        (fixture!("ed25519.spki.pem"), Label::PublicKey),
        (fixture!("ed448.spki.pem"), Label::PublicKey),
        (fixture!("x25519.spki.pem"), Label::PublicKey),
        (fixture!("x448.spki.pem"), Label::PublicKey),
    ];

    fn pem_err() -> Error {
        Error::KeyRejected(KeyRejected::Pem)
    }

    fn text(s: &str) -> Result<Pem, Error> {
        parse(s.as_bytes())
    }

    #[test]
    fn openssl_documents_parse_and_encode_back() {
        for (fixture, label) in OPENSSL_PEMS {
            let pem = parse(fixture).unwrap();
            assert_eq!(pem.label, *label);
            assert_eq!(encode(pem.label, pem.der.expose()).as_bytes(), *fixture);
        }
    }

    #[test]
    fn der_fixtures_are_the_pem_bodies() {
        for (pem_text, der) in [
            (fixture!("rsa2048.pkcs8.pem"), fixture!("rsa2048.pkcs8.der")),
            (fixture!("rsa2048.spki.pem"), fixture!("rsa2048.spki.der")),
            (fixture!("p256.pkcs8.pem"), fixture!("p256.pkcs8.der")),
            (fixture!("p256.spki.pem"), fixture!("p256.spki.der")),
        ] {
            assert_eq!(parse(pem_text).unwrap().der.expose(), der);
        }
    }

    #[test]
    fn ec_parameters_block_is_skipped() {
        for (with_params, without) in [
            (fixture!("p256.sec1-params.pem"), fixture!("p256.sec1.pem")),
            (fixture!("p384.sec1-params.pem"), fixture!("p384.sec1.pem")),
        ] {
            let pem = parse(with_params).unwrap();
            assert_eq!(pem.label, Label::EcPrivateKey);
            assert_eq!(pem.der, parse(without).unwrap().der);
        }
        // Only before an EC PRIVATE KEY block, only once, never alone.
        let params =
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        let pkcs8 = core::str::from_utf8(fixture!("p256.pkcs8.pem")).unwrap();
        let sec1 = core::str::from_utf8(fixture!("p256.sec1.pem")).unwrap();
        assert_eq!(text(params).err(), Some(pem_err()));
        assert_eq!(text(&(params.to_owned() + pkcs8)).err(), Some(pem_err()));
        assert_eq!(text(&(sec1.to_owned() + params)).err(), Some(pem_err()));
        assert_eq!(
            text(&(params.to_owned() + params + sec1)).err(),
            Some(pem_err())
        );
    }

    #[test]
    fn explanatory_text_is_ignored() {
        let expected = parse(fixture!("p256.pkcs8.pem")).unwrap();
        // `openssl pkcs12 -nodes` writes Bag Attributes before the block.
        let bag = parse(fixture!("p256.bag-attributes.pem")).unwrap();
        assert_eq!(bag.label, Label::PrivateKey);
        assert_eq!(bag.der, expected.der);
        // `openssl pkey -text` writes the key's fields after it.
        let with_text = parse(fixture!("p256.pkcs8-text.pem")).unwrap();
        assert_eq!(with_text.der, expected.der);
    }

    #[test]
    fn line_endings_and_whitespace_are_lax() {
        let original = core::str::from_utf8(fixture!("p256.pkcs8.pem")).unwrap();
        let expected = parse(original.as_bytes()).unwrap();
        let crlf = original.replace('\n', "\r\n");
        let trailing = original.replace('\n', " \t\n");
        let no_final_newline = original.trim_end();
        let blank_lines = original.replace("-----\n", "-----\n\n");
        let mut body_spaces = original.replacen("MIG", " MI G\t", 1);
        body_spaces.insert_str(0, "\n\n");
        for variant in [
            &crlf,
            &trailing,
            no_final_newline,
            &blank_lines,
            &body_spaces,
        ] {
            assert_eq!(text(variant).unwrap().der, expected.der, "{variant:?}");
        }
    }

    #[test]
    fn encrypted_documents_are_reported() {
        for fixture in [
            fixture!("p256.encrypted-pkcs8.pem"),
            fixture!("p256.sec1-legacy-encrypted.pem"),
        ] {
            assert_eq!(
                parse(fixture).err(),
                Some(Error::KeyRejected(KeyRejected::Encrypted))
            );
        }
    }

    #[test]
    fn malformed_documents_are_rejected() {
        let good = core::str::from_utf8(fixture!("p256.spki.pem")).unwrap();
        let other = core::str::from_utf8(fixture!("ed25519.spki.pem")).unwrap();
        let cases = [
            // Wrong END label.
            good.replace("END PUBLIC KEY", "END PRIVATE KEY"),
            // Two key blocks.
            good.to_owned() + other,
            good.to_owned() + good,
            // A label not read here.
            good.replace("PUBLIC KEY", "CERTIFICATE"),
            good.replace("PUBLIC KEY", "public key"),
            // A certificate besides the key.
            good.to_owned() + &other.replace("PUBLIC KEY", "CERTIFICATE"),
            // No END line; a stray END line; a broken boundary.
            good.replace("-----END PUBLIC KEY-----\n", ""),
            "-----END PUBLIC KEY-----\n".to_owned() + good,
            good.replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY----"),
            // Headers other than Proc-Type.
            good.replace("-----\n", "-----\nComment: hello\n\n"),
            // Base64 without its padding, with a bad character, or empty.
            good.replace('=', ""),
            good.replacen('A', "*", 1),
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".to_owned(),
            // Nothing at all.
            String::new(),
            "just text\n".to_owned(),
        ];
        for case in &cases {
            assert_eq!(text(case).err(), Some(pem_err()), "{case:?}");
        }
    }

    #[test]
    fn truncations_fail_without_panic() {
        for (fixture, _) in OPENSSL_PEMS {
            // Dropping the final LF leaves a valid document; anything shorter is not.
            for len in 0..fixture.len() - 1 {
                assert!(parse(&fixture[..len]).is_err(), "prefix of {len} bytes");
            }
        }
    }

    #[test]
    fn size_is_bounded() {
        let mut big = fixture!("p256.spki.pem").to_vec();
        big.resize(MAX_PEM_LEN, b'\n');
        assert!(parse(&big).is_ok());
        big.push(b'\n');
        assert_eq!(
            parse(&big).err(),
            Some(Error::TooLarge {
                what: "PEM document",
                limit: MAX_PEM_LEN
            })
        );
    }

    #[test]
    fn encode_is_strict() {
        for len in [0usize, 1, 47, 48, 49, 96, 1000] {
            let der = vec![0xa5u8; len];
            let out = encode(Label::PrivateKey, &der);
            assert!(out.starts_with("-----BEGIN PRIVATE KEY-----\n"));
            assert!(out.ends_with("\n-----END PRIVATE KEY-----\n"));
            assert!(out.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
            assert_eq!(out.len(), out.capacity());
            if len > 0 {
                assert_eq!(parse(out.as_bytes()).unwrap().der.expose(), der);
            }
        }
    }
}
