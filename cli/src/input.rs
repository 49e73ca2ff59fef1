//! Reading files, stdin, tokens and algorithm names.

use std::io::{self, Read};

use jose_ring::jwa::{self, Algorithm};
use zeroize::Zeroizing;

use crate::fail::Failure;

/// The most bytes read from a file or stdin (16 MiB): far above every library limit, small
/// enough that `jose decode /dev/zero` ends.
const MAX_INPUT: u64 = 16 << 20;

/// The bytes of `path`, or of stdin for `-`, in memory that is zeroized when dropped (a key
/// file holds secrets): the buffer is never grown in place, so no copy is left behind.
pub(crate) fn read(path: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let name = if path == "-" { "stdin" } else { path };
    let cannot = |e: io::Error| Failure::usage(format_args!("cannot read {name}"), e);
    let mut reader: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(cannot)?)
    };
    let mut bytes = Zeroizing::new(Vec::new());
    let mut chunk = Zeroizing::new([0u8; 8192]);
    loop {
        let n = match reader.read(&mut *chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        };
        let part = chunk.get(..n).unwrap_or_default();
        let len = bytes.len().saturating_add(n);
        if u64::try_from(len).unwrap_or(u64::MAX) > MAX_INPUT {
            return Err(Failure::Usage(format!(
                "{name} is larger than {MAX_INPUT} bytes"
            )));
        }
        if bytes.capacity() < len {
            let mut bigger = Zeroizing::new(Vec::with_capacity(
                len.max(bytes.capacity().saturating_mul(2)),
            ));
            bigger.extend_from_slice(&bytes);
            // The old buffer is zeroized as it is dropped here.
            bytes = bigger;
        }
        bytes.extend_from_slice(part);
    }
    Ok(bytes)
}

/// A token given as an argument, or read from stdin for `-`, without surrounding whitespace
/// (the newline of `echo` or of a file).
pub(crate) fn token(arg: &str) -> Result<String, Failure> {
    let text = if arg == "-" {
        let bytes = read("-")?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| Failure::Usage("stdin is not UTF-8 text".into()))?
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
