//! Errors of the reader as [`JsonProblem`]s: the error type the target type sees, and the
//! classification of `serde_json`'s own errors by their category and position (never by their
//! message, which may quote the input).

use alloc::string::ToString;
use core::fmt;

use serde::de::{self, Expected, Unexpected};
use serde_json::error::Category;

use super::is_json_whitespace;
use crate::JsonProblem;

/// The error type the target type sees: a [`JsonProblem`], never any byte of the input.
#[derive(Debug)]
pub(super) struct DeError(pub(super) JsonProblem);

impl DeError {
    /// The placeholder returned to the target when the real error is parked in a slot.
    ///
    /// Its problem is only seen if the target swallows the error and returns a different one.
    pub(super) const fn deferred() -> Self {
        Self(JsonProblem::InvalidValue)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl de::StdError for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        // Custom messages may quote the input: dropped.
        Self(JsonProblem::InvalidValue)
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidType {
            expected: exp.to_string().into_boxed_str(),
            found: kind_of(unexp),
        })
    }

    fn invalid_value(_unexp: Unexpected<'_>, _exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn invalid_length(_len: usize, _exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn unknown_variant(_variant: &str, _expected: &'static [&'static str]) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn unknown_field(_field: &str, _expected: &'static [&'static str]) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn missing_field(field: &'static str) -> Self {
        Self(JsonProblem::MissingField(field))
    }

    fn duplicate_field(_field: &'static str) -> Self {
        Self(JsonProblem::DuplicateMember)
    }
}

/// The kind of an unexpected value, without the value.
const fn kind_of(unexp: Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "integer",
        Unexpected::Float(_) => "floating point number",
        Unexpected::Char(_) => "character",
        Unexpected::Str(_) => "string",
        Unexpected::Bytes(_) => "byte array",
        Unexpected::Unit => "null",
        Unexpected::Option => "option",
        Unexpected::NewtypeStruct => "newtype struct",
        Unexpected::Seq => "array",
        Unexpected::Map => "object",
        Unexpected::Enum => "enum",
        Unexpected::UnitVariant => "unit variant",
        Unexpected::NewtypeVariant => "newtype variant",
        Unexpected::TupleVariant => "tuple variant",
        Unexpected::StructVariant => "struct variant",
        Unexpected::Other(_) => "other value",
    }
}

/// The problem of an input that holds only whitespace: `serde_json`'s end-of-input position.
pub(super) fn end_of_input(input: &[u8]) -> JsonProblem {
    match serde_json::from_slice::<de::IgnoredAny>(input) {
        Err(err) => JsonProblem::Syntax {
            line: err.line(),
            column: err.column(),
        },
        Ok(_) => JsonProblem::NotObject,
    }
}

/// The problem behind a `serde_json` error that reached the top of the reader.
///
/// `stashed` is the problem behind one of our placeholders, if one is unwinding; `limit_hit`
/// says whether `serde_json` failed on a value [`MAX_DEPTH`](super::MAX_DEPTH) levels deep (counted by the
/// reader, see [`opens_value_at`]).
pub(super) fn classify(
    err: &serde_json::Error,
    stashed: Option<JsonProblem>,
    limit_hit: bool,
    input: &[u8],
) -> JsonProblem {
    match err.classify() {
        // Our placeholders are data errors. `serde_json` raises none of its own through the
        // calls `Strict` makes; if it did, its message might quote the input.
        Category::Data => stashed.unwrap_or(JsonProblem::InvalidValue),
        // `serde_json`'s depth limit is a syntax error at the `[` or `{` it refused to enter.
        Category::Syntax if limit_hit && opens_value_at(input, err.line(), err.column()) => {
            JsonProblem::TooDeep
        }
        Category::Syntax | Category::Eof | Category::Io => JsonProblem::Syntax {
            line: err.line(),
            column: err.column(),
        },
    }
}

/// Whether the byte at `line` and `column` of `input` (1-based, as `serde_json` counts them)
/// starts an array or object in the place of a value: outside any string, right after the `[`,
/// `,` or `:` that precedes a value (whitespace aside).
///
/// For an error of a value [`MAX_DEPTH`](super::MAX_DEPTH) levels deep, this tells `serde_json`'s depth limit
/// apart from its other syntax errors. That limit stops exactly there, before reading
/// anything: its parser counts the levels as the reader does, so at that depth it refuses
/// every array and object, at its first byte. Any other error of such a value is inside a
/// scalar, so at a byte that follows a byte of the scalar (`-[`, `tru[`, `"\[`), or inside a
/// string (an invalid UTF-8 position, approximated by `serde_json` when the string has escape
/// sequences).
fn opens_value_at(input: &[u8], line: usize, column: usize) -> bool {
    let line_start = match line.checked_sub(2) {
        None => Some(0),
        Some(newlines) => input
            .iter()
            .enumerate()
            .filter(|&(_, byte)| *byte == b'\n')
            .nth(newlines)
            .and_then(|(at, _)| at.checked_add(1)),
    };
    let Some((before, rest)) = line_start
        .zip(column.checked_sub(1))
        .and_then(|(start, offset)| start.checked_add(offset))
        .and_then(|at| input.split_at_checked(at))
    else {
        return false;
    };
    matches!(rest.first(), Some(b'[' | b'{'))
        && matches!(
            before.iter().rev().find(|byte| !is_json_whitespace(**byte)),
            Some(b'[' | b',' | b':')
        )
        && !ends_inside_string(before)
}

/// Whether `prefix`, the start of a JSON text that `serde_json` has read without error, ends
/// inside a string.
fn ends_inside_string(prefix: &[u8]) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for &byte in prefix {
        if escaped {
            escaped = false;
        } else if inside && byte == b'\\' {
            escaped = true;
        } else if byte == b'"' {
            inside = !inside;
        }
    }
    inside
}
