//! The commands: `serve`, `hash-password`, `rotate-key`.

use std::io::{BufRead, Write};
use std::num::NonZeroU32;

use jose_ring::jwt::NumericDate;

use crate::config::{Cli, Command, HashPassword, RotateKey, Serve};
use crate::error::Fatal;
use crate::keys;
use crate::passwords::{self, RECOMMENDED_CHARS};
use crate::users::{MAX_PASSWORD, PasswordHash, User};

/// Runs the command.
///
/// # Errors
///
/// What stopped it, as one line for standard error.
pub fn run(cli: Cli) -> Result<(), Fatal> {
    match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(options)) => serve(options),
        Some(Command::HashPassword(options)) => hash_password(&options),
        Some(Command::RotateKey(options)) => rotate_key(&options),
    }
}

fn serve(options: Serve) -> Result<(), Fatal> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::serve::serve(options))
}

fn hash_password(options: &HashPassword) -> Result<(), Fatal> {
    let iterations =
        NonZeroU32::new(options.iterations).ok_or("--iterations must be at least 1")?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.len() > MAX_PASSWORD {
        return Err("the password must be at most 1024 bytes".into());
    }
    passwords::check(password)?;
    if password.chars().count() < RECOMMENDED_CHARS {
        #[allow(
            clippy::print_stderr,
            reason = "advice beside the entry, which goes to standard output"
        )]
        {
            eprintln!(
                "note: {RECOMMENDED_CHARS} characters or more are recommended (OWASP ASVS 5.0 \
                 6.2.1); this one has {}",
                password.chars().count()
            );
        }
    }
    let user = User {
        username: options.username.clone(),
        password: PasswordHash::new(password.as_bytes(), iterations)
            .map_err(|_| "system random source failed")?,
        scope: options.scope.clone(),
        roles: options.roles.clone(),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &user)?;
    writeln!(out)?;
    Ok(())
}

fn rotate_key(options: &RotateKey) -> Result<(), Fatal> {
    let lead = keys::activation_lead(options.jwks_max_age, options.key_reload);
    let activate_in = options.activate_in.unwrap_or(lead);
    if activate_in < lead && keys::has_keys(&options.key_dir) {
        return Err(format!(
            "--activate-in {activate_in} is shorter than --jwks-max-age + --key-reload \
             ({lead} s): a cache that fetched the key set just before the new key was \
             published would not know it when it signs"
        )
        .into());
    }
    let now = NumericDate::now();
    // `now` is whole seconds, up to one behind the clock: a second more keeps the lead whole.
    let rounding = u64::from(activate_in > 0);
    let activation =
        now.saturating_add(i64::try_from(activate_in.saturating_add(rounding)).unwrap_or(i64::MAX));
    let retain = keys::retention(options.refresh_lifetime, options.key_reload);
    let kid = keys::add_key(&options.key_dir, activation)?;
    let removed = keys::prune(&options.key_dir, now, retain)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "added key {kid}, signing from {} (in {activate_in} s); removed {removed} retired key \
         file(s)",
        activation.as_seconds(),
    )?;
    Ok(())
}
