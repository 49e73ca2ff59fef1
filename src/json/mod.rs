//! Strict JSON, the one reader and the one writer of the crate: the entry points every JSON
//! text of the library goes through, and the limits they share.
//!
//! [`from_slice`] runs `serde_json`'s parser once over the input and deserializes any
//! `T: Deserialize` from it, and on the way enforces what RFC 7515 §5.2 and RFC 7519 §4 ask of
//! a JOSE JSON text and `serde_json` alone does not:
//!
//! * the top-level value is an object;
//! * no object, at any depth, has two members with the same name after unescaping, including
//!   objects inside values the target type ignores and inside `serde_json::Value`;
//! * arrays and objects nest at most [`MAX_DEPTH`] deep;
//! * nothing but whitespace follows the value;
//! * errors are [`JsonProblem`]s that carry no byte of the input, only positions, member names
//!   of the target type and kinds of values.
//!
//! [`to_vec`], [`to_string`] and [`to_member_value`] write only what [`from_slice`] would read
//! back.
//!
//! One file per job: `de.rs` reads, `error.rs` maps errors to [`JsonProblem`]s, `names.rs`
//! holds the duplicate-name set both directions use, `tap.rs` is the claims tap of
//! [`from_slice_tapped`] (and [`replay`], which shows a tap an object already read), and
//! `ser.rs` writes.

use serde::Deserialize;

use crate::JsonProblem;

mod de;
mod error;
mod names;
mod ser;
mod tap;
#[cfg(test)]
mod tests;

pub(crate) use ser::{array_to_vec, to_member_value, to_string, to_vec};
pub(crate) use tap::{Seen, Tap, replay};

/// The deepest nesting of arrays and objects accepted: the top-level object counts as 1.
///
/// This is the limit `serde_json`'s parser enforces itself (it counts down from 128 and fails
/// when it reaches 0, so 127 levels parse and 128 do not); it cannot be raised without
/// `serde_json`'s `unbounded_depth` feature. Exceeding it is reported as
/// [`JsonProblem::TooDeep`], whichever of the two checks notices first.
pub(crate) const MAX_DEPTH: usize = 127;

/// Deserializes one JSON object from `input` strictly.
///
/// # Errors
///
/// [`JsonProblem::NotObject`] if the top-level value is not an object,
/// [`JsonProblem::DuplicateMember`] if any object repeats a member name,
/// [`JsonProblem::TooDeep`] beyond [`MAX_DEPTH`] levels, [`JsonProblem::TrailingCharacters`]
/// after the value, [`JsonProblem::Syntax`] for anything that is not JSON, and
/// [`JsonProblem::MissingField`], [`JsonProblem::InvalidType`] or [`JsonProblem::InvalidValue`]
/// when the JSON does not fit `T`.
pub(crate) fn from_slice<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T, JsonProblem> {
    de::parse(input, None, de::Top::Object)
}

/// [`from_slice`] for a JSON text whose top-level value is an array (an SD-JWT disclosure,
/// RFC 9901 §4.2), with every other rule of [`from_slice`].
///
/// # Errors
///
/// [`JsonProblem::NotArray`] if the top-level value is not an array, and those of
/// [`from_slice`] otherwise.
pub(crate) fn array_from_slice<'de, T: Deserialize<'de>>(
    input: &'de [u8],
) -> Result<T, JsonProblem> {
    de::parse(input, None, de::Top::Array)
}

/// [`from_slice`], showing `tap` the values of the top-level members it asks for while `T`
/// deserializes, whether `T` reads those members or ignores them: one pass over `input` serves
/// both.
///
/// For each top-level member name, [`Tap::member`] says whether to observe the value; if so,
/// [`Tap::value`] sees it as a [`Seen`]: a scalar, or an array start followed by its elements.
/// Nested objects and arrays deeper than that are reported only by their kind.
///
/// `tap` sees values before `T` does; when `T` rejects a value, what `tap` saw up to that point
/// is still there for the caller.
///
/// # Errors
///
/// As [`from_slice`].
pub(crate) fn from_slice_tapped<'de, T: Deserialize<'de>>(
    input: &'de [u8],
    tap: &dyn Tap,
) -> Result<T, JsonProblem> {
    de::parse(input, Some(tap), de::Top::Object)
}

/// [`from_slice`], with its problem reported as [`crate::Malformed::Json`] for `part`
/// (`"header"`, `"payload"`, `"jwk"`, ...).
///
/// # Errors
///
/// [`crate::Error::Malformed`] with [`crate::Malformed::Json`], for the reasons [`from_slice`]
/// gives.
pub(crate) fn from_slice_in<'de, T: Deserialize<'de>>(
    input: &'de [u8],
    part: &'static str,
) -> Result<T, crate::Error> {
    from_slice(input).map_err(|problem| crate::Malformed::Json { part, problem }.into())
}

/// Whether `byte` is whitespace in JSON (RFC 8259 §2), which is what `serde_json` skips.
pub(crate) const fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// What follows JSON whitespace (RFC 8259 §2) at the start of `json`.
pub(crate) fn skip_whitespace(json: &[u8]) -> &[u8] {
    let start = json
        .iter()
        .position(|&b| !is_json_whitespace(b))
        .unwrap_or(json.len());
    json.get(start..).unwrap_or_default()
}
