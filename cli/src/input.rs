//! Reading files, stdin, tokens and algorithm names.

use std::io::Read;

use jose_ring::jwa::{self, Algorithm};

use crate::fail::Failure;

/// The most bytes read from a file or stdin (16 MiB): far above every library limit, small
/// enough that `jose decode /dev/zero` ends.
const MAX_INPUT: u64 = 16 << 20;

/// The bytes of `path`, or of stdin for `-`.
pub(crate) fn read(path: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT.saturating_add(1))
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_INPUT.saturating_add(1)).read_to_end(&mut bytes))
    };
    let name = if path == "-" { "stdin" } else { path };
    result.map_err(|e| Failure::usage(format_args!("cannot read {name}"), e))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_INPUT {
        return Err(Failure::Usage(format!(
            "{name} is larger than {MAX_INPUT} bytes"
        )));
    }
    Ok(bytes)
}

/// A token given as an argument, or read from stdin for `-`, without surrounding whitespace
/// (the newline of `echo` or of a file).
pub(crate) fn token(arg: &str) -> Result<String, Failure> {
    let text = if arg == "-" {
        let bytes = read("-")?;
        String::from_utf8(bytes).map_err(|_| Failure::Usage("stdin is not UTF-8 text".into()))?
    } else {
        arg.to_owned()
    };
    Ok(text.trim().to_owned())
}

/// Looks up algorithm names given on the command line.
pub(crate) fn algorithms(names: &[String]) -> Result<Vec<&'static Algorithm>, Failure> {
    names.iter().map(|name| algorithm(name)).collect()
}

/// Looks up one algorithm name given on the command line.
pub(crate) fn algorithm(name: &str) -> Result<&'static Algorithm, Failure> {
    Algorithm::from_name(name).map_err(|e| {
        let known: Vec<&str> = jwa::ALL.iter().map(|a| a.name()).collect();
        Failure::Usage(format!(
            "--alg {name}: {e} (this tool knows {})",
            known.join(", ")
        ))
    })
}

/// Checks that at most one of the inputs reads stdin.
pub(crate) fn one_stdin(paths: &[&str]) -> Result<(), Failure> {
    if paths.iter().filter(|p| **p == "-").count() > 1 {
        return Err(Failure::Usage(
            "only one input can be read from stdin (`-`)".into(),
        ));
    }
    Ok(())
}
