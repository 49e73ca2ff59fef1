//! Not a library: the benches (`benches/peers.rs`) and the allocation count (`tests/alloc.rs`)
//! comparing jose-ring with the floor and its peers. See `BENCHMARKS.md` at the repository root.
