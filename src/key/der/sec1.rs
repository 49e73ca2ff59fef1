//! Reading SEC1 EC keys: the `ECParameters` of RFC 5480 (named curves only), uncompressed
//! points, and `ECPrivateKey` (RFC 5915 §3, version 1).

use super::reader::{Reader, Tag, bit_string, nested, single, small_integer};
use super::{bad_public_key, der_error, oid};
use crate::error::{Error, KeyRejected, Unsupported};
use crate::jwa::Curve;

/// The fields of an `ECPrivateKey` (RFC 5915 §3).
pub(super) struct EcPrivateKey<'a> {
    /// The private scalar, as stored (its length is checked by the caller).
    pub(super) d: &'a [u8],
    /// The curve named by `[0] parameters`, if present.
    pub(super) curve: Option<Curve>,
    /// The public point in `[1] publicKey`, if present (not checked yet).
    pub(super) point: Option<&'a [u8]>,
}

/// Reads an `ECPrivateKey` (RFC 5915 §3, version 1).
pub(super) fn ec_private_key(der: &[u8]) -> Result<EcPrivateKey<'_>, Error> {
    nested(der, Tag::Sequence, |reader| {
        if small_integer(reader.expect(Tag::Integer)?)? != 1 {
            return Err(der_error());
        }
        let d = reader.expect(Tag::OctetString)?;
        let curve = match reader.optional(Tag::ContextSpecificConstructed0)? {
            Some(params) => {
                let mut params = Reader::new(params);
                let (tag, value) = params.any()?;
                params.finish()?;
                Some(named_curve(tag, value)?)
            }
            None => None,
        };
        let point = match reader.optional(Tag::ContextSpecificConstructed1)? {
            Some(public) => Some(bit_string(single(public, Tag::BitString)?)?),
            None => None,
        };
        Ok(EcPrivateKey { d, curve, point })
    })
}

/// Reads the EC domain parameters of an `id-ecPublicKey` key (RFC 5480 `ECParameters`), given
/// as the tag and value of the element: only named curves are read.
pub(super) fn named_curve(tag: u8, value: &[u8]) -> Result<Curve, Error> {
    let unsupported = |name| Err(Error::Unsupported(Unsupported::Curve(name)));
    if tag == Tag::Oid.byte() {
        if let Some(curve) = Curve::ALL.into_iter().find(|c| c.oid() == value) {
            return Ok(curve);
        }
        match value {
            oid::P521 => unsupported("P-521"),
            oid::SECP256K1 => unsupported("secp256k1"),
            [] => Err(der_error()),
            _ => unsupported("unknown"),
        }
    } else if tag == Tag::Sequence.byte() {
        // `specifiedCurve`: explicit parameters are not accepted, whatever the curve.
        unsupported("explicit parameters")
    } else {
        Err(der_error())
    }
}

/// Checks that `point` is an uncompressed SEC1 point of `curve`'s length.
pub(super) fn ec_point(curve: Curve, point: &[u8]) -> Result<&[u8], Error> {
    if point.len() == curve.point_len() && point.first() == Some(&0x04) {
        Ok(point)
    } else {
        Err(bad_public_key())
    }
}

/// Checks that `d` is a private scalar of `curve`'s length (RFC 5915 §3; ring needs it exact).
pub(super) fn ec_scalar(curve: Curve, d: &[u8]) -> Result<&[u8], Error> {
    if d.len() == curve.coordinate_len() {
        Ok(d)
    } else {
        Err(KeyRejected::InvalidComponent("d").into())
    }
}
