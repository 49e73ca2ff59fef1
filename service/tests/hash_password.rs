//! `jose-service hash-password`'s policy, on the real binary: at least 8 characters (15
//! recommended, said on standard error), the commonest passwords refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a panic is a failed test"
)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `hash-password` with `password` on standard input: exit success, stdout, stderr.
fn hash_password(password: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .args(["hash-password", "--username", "carol", "--iterations", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn too_short_and_common_passwords_are_refused() {
    assert_eq!(
        hash_password("hunter2"),
        (
            false,
            String::new(),
            "jose-service: the password has 7 characters: at least 8 are needed, 15 or more \
             recommended\n"
                .into()
        )
    );
    assert_eq!(
        hash_password("Password1"),
        (
            false,
            String::new(),
            "jose-service: the password is number 4 on the list of the commonest passwords: \
             choose another (a passphrase of 15 characters or more)\n"
                .into()
        )
    );
    assert_eq!(
        hash_password(""),
        (
            false,
            String::new(),
            "jose-service: the password has 0 characters: at least 8 are needed, 15 or more \
             recommended\n"
                .into()
        )
    );
}

#[test]
fn a_short_password_that_passes_gets_the_advice_a_long_one_does_not() {
    let (ok, entry, advice) = hash_password("tr0ub4dor&3");
    assert!(ok, "{advice}");
    assert_eq!(
        advice,
        "note: 15 characters or more are recommended (OWASP ASVS 5.0 6.2.1); this one has 11\n"
    );
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(entry["username"], "carol");
    assert_eq!(entry["password"]["alg"], "PBKDF2-HMAC-SHA256");

    let (ok, entry, advice) = hash_password("correct horse battery staple");
    assert!(ok);
    assert_eq!(advice, "");
    assert!(entry.starts_with("{\"username\":\"carol\""));
}
