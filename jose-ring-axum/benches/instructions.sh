#!/usr/bin/env bash
# Instructions per HS256 request through the guard's layer (valgrind callgrind), built
# without and with the `metrics` feature, and per `jwt::decode` alone: counts that the load of
# a shared machine does not move. Prints a TSV: what, instructions per request.
# Usage: bash jose-ring-axum/benches/instructions.sh [N]   (default 1000 requests)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
binary() { # features...
  cargo bench -p jose-ring-axum --bench instructions --no-run --message-format=json "$@" 2>/dev/null \
    | sed -n 's/.*"executable":"\([^"]*instructions[^"]*\)".*/\1/p' | tail -1
}
irefs() { # binary args...
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
plain=$(binary)
metrics=$(binary --features metrics)
per() { # label binary [jwt]
  local base full
  base=$(irefs "$2" 0 ${3:-})
  full=$(irefs "$2" "$n" ${3:-})
  printf '%s\t%d\n' "$1" $(( (full - base) / n ))
}
per "jwt::decode alone" "$plain" jwt
per "no layer (the handler alone)" "$plain" bare
per "layer, opaque token, introspection cache hit" "$plain" opaque
per "layer, without metrics" "$plain"
per "layer, with metrics" "$metrics"
