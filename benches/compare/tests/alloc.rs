//! Heap allocations of a JWT decode, counted by a global allocator that counts (this crate is
//! outside the library, whose lints forbid the `unsafe impl GlobalAlloc` this needs).
//!
//! ```sh
//! cd benches/compare && cargo test --release --test alloc -- --nocapture
//! ```
#![allow(clippy::unwrap_used, reason = "a test")]

#[path = "../../shared/mod.rs"]
#[allow(dead_code, reason = "shared with the benches, which use all of it")]
mod shared;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use jose_ring::jwa;
use jose_ring::jwt::{self, SystemClock, Validation};

use shared::{BorrowedClaims, Claims, LibKey};

/// Counts `alloc`, `alloc_zeroed` and `realloc` calls made on a thread that asked to be counted.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static REALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn counting() -> bool {
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns (allocations, reallocations) made on this thread meanwhile.
fn count<R>(f: impl FnOnce() -> R) -> (usize, usize, R) {
    let (a0, r0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        REALLOCATIONS.load(Ordering::Relaxed),
    );
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    let a = ALLOCATIONS.load(Ordering::Relaxed) - a0;
    let r = REALLOCATIONS.load(Ordering::Relaxed) - r0;
    (a, r, out)
}

/// The caller's own claim strings in [`Claims`]: `sub`, `name`, `iss`, `aud`, `scope`.
const CLAIM_STRINGS: usize = 5;

#[test]
fn jwt_decode_allocations() {
    let key = match LibKey::load(&jwa::HS256) {
        LibKey::Hmac(k) => k,
        LibKey::Pair(..) => unreachable!(),
    };
    let claims = Claims::typical();
    let token = jwt::encode(&claims, &key).unwrap();
    let rules = Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer(shared::ISS)
        .with_audience(shared::AUD);
    println!("token: {} bytes", token.len());

    // Owned claims: everything the library allocates, plus the caller's five strings.
    let _ = jwt::decode::<Claims, _>(&token, &key, &rules).unwrap();
    let (allocs, reallocs, verified) =
        count(|| jwt::decode::<Claims, _>(&token, &key, &rules).unwrap());
    assert_eq!(verified.claims(), &claims);
    let library = allocs - CLAIM_STRINGS;
    println!(
        "jwt::decode::<Claims>: {allocs} allocations ({CLAIM_STRINGS} are the claims' strings, \
         {library} the library's), {reallocs} reallocations"
    );

    // Borrowed claims, buffer reused across calls (the second call is the steady state).
    let mut buffer = Vec::new();
    let _ =
        jwt::decode_borrowed::<BorrowedClaims<'_>, _>(&token, &key, &rules, &mut buffer).unwrap();
    let (borrowed, borrowed_re, exp) = count(|| {
        let v = jwt::decode_borrowed::<BorrowedClaims<'_>, _>(&token, &key, &rules, &mut buffer)
            .unwrap();
        v.claims().exp
    });
    assert_eq!(exp, shared::EXP);
    println!(
        "jwt::decode_borrowed::<BorrowedClaims> (buffer reused): {borrowed} allocations, {borrowed_re} reallocations"
    );

    // The floor, for reference: header and signature and payload on the stack.
    let floor = shared::Floor::load(&jwa::HS256);
    let (floor_allocs, floor_re, _) = count(|| floor.decode(&token, shared::now()).unwrap());
    println!(
        "floor decode: {floor_allocs} allocations ({CLAIM_STRINGS} are the claims' strings), {floor_re} reallocations"
    );

    // The issue's target is at most 3 heap allocations beyond the caller's own claim strings.
    // Both make none: the header JSON, the signature and (for `decode`, up to 2048 bytes) the
    // payload are decoded on the stack, and `typ: JWT` is a static string; `decode_borrowed`
    // decodes the payload into the caller's buffer. Held at exactly that, so that a regression
    // fails.
    assert_eq!(
        borrowed + borrowed_re,
        0,
        "decode_borrowed: {borrowed} + {borrowed_re}"
    );
    assert_eq!(
        library + reallocs,
        0,
        "decode: {library} + {reallocs} beyond the claims"
    );
}

#[test]
fn jwt_encode_allocations() {
    let key = match LibKey::load(&jwa::HS256) {
        LibKey::Hmac(k) => k.with_kid("key-1"),
        LibKey::Pair(..) => unreachable!(),
    };
    let claims = Claims::typical();
    let _ = jwt::encode(&claims, &key).unwrap();
    let (allocs, reallocs, token) = count(|| jwt::encode(&claims, &key).unwrap());
    println!("jwt::encode: {allocs} allocations, {reallocs} reallocations");
    // The token, allocated once at its final size.
    assert_eq!(token.len(), token.capacity());
    let floor = shared::Floor::load(&jwa::HS256);
    let (floor_allocs, floor_re, _) = count(|| floor.sign(&claims).unwrap());
    println!("floor sign: {floor_allocs} allocations, {floor_re} reallocations");
    // The claims JSON (`serde_json::to_vec` starts at 128 bytes and grows as it writes: its
    // reallocations are the floor's too) and the token; no header, no signature, no names.
    assert_eq!(allocs, 2, "jwt::encode: {allocs} allocations");
    assert_eq!(reallocs, floor_re, "jwt::encode: {reallocs} reallocations");
}
