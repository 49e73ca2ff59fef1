#!/usr/bin/env bash
# Instructions per operation (valgrind callgrind), jose-ring against the floor: a measure that
# the load of a shared machine does not move. Prints a TSV: group, alg, who, instructions/op.
# Usage: bash instructions.sh [ALG...]   (default: every benchmarked algorithm)
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --bin ops >&2
ops=target/release/ops
irefs() { # group who alg n
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$ops" "$@" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
algs=("${@:-HS256 HS384 HS512 RS256 PS256 ES256 ES384 EdDSA}")
for alg in ${algs[*]}; do
  case $alg in RS256|PS256|ES384) n=200 ;; ES256|EdDSA) n=1000 ;; *) n=10000 ;; esac
  for group in sign verify jwt_decode parse; do
    whos="lib floor"; [ "$group" = jwt_decode ] && whos="lib borrowed floor"
    for who in $whos; do
      base=$(irefs "$group" "$who" "$alg" 0)
      full=$(irefs "$group" "$who" "$alg" "$n")
      printf '%s\t%s\t%s\t%d\n' "$group" "$alg" "$who" $(( (full - base) / n ))
    done
  done
done
