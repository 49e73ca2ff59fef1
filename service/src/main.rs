//! `jose-service`: the reference API service. See `service/README.md`.

use std::process::ExitCode;

fn main() -> ExitCode {
    jose_ring_service::main()
}
