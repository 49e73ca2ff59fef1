//! Runs the built `jose` binary: the help of every command, and arguments it refuses (exit 2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::{generated, jose};

#[test]
fn every_command_has_help_with_an_example() {
    let commands: [&[&str]; 10] = [
        &["decode"],
        &["verify"],
        &["sign"],
        &["jws", "sign"],
        &["jws", "verify"],
        &["key", "generate"],
        &["key", "public"],
        &["key", "thumbprint"],
        &["key", "convert"],
        &["jwks", "select"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let run = jose(&args, b"").ok();
        assert!(
            run.text().contains("Example:"),
            "{command:?}: {}",
            run.text()
        );
    }
    let top = jose(&["--help"], b"").ok();
    assert!(top.text().contains("Exit codes:"));
    assert!(top.text().contains("2  the input you gave is unusable"));
}

#[test]
fn bad_arguments_exit_2() {
    jose(&[], b"").expect(2, "Usage");
    jose(&["frobnicate"], b"").expect(2, "unrecognized subcommand");
    jose(&["verify", "token"], b"").expect(2, "--key <FILE>");
    jose(&["key", "thumbprint", "x", "--hash", "md5"], b"").expect(2, "invalid value 'md5'");
    jose(&["key", "generate", "--alg", "HS1"], b"").expect(2, "--alg HS1: unsupported");
    jose(&["key", "generate", "--alg", "none"], b"").expect(2, "alg none) is never accepted");
    jose(&["key", "generate", "--alg", "ES512"], b"").expect(2, "unsupported: algorithm ES512");
    let (private, _) = generated("ES256");
    jose(&["verify", "--key", "-", "-"], b"").expect(2, "only one input can be read from stdin");
    jose(
        &["sign", "--key", &private, "--alg", "ES256", "--json"],
        b"",
    )
    .expect(2, "unexpected argument");
}
