//! The firmware image that proves jose-ring links on a microcontroller without `std`: what a
//! board must supply (an entry point, a global allocator, a panic handler and a randomness
//! source for ring's getrandom 0.2) around the checks in `lib.rs`. Built for a bare-metal
//! target (`target_os = "none"`); linked, measured and not run (see `.ci/run`). A real
//! board's runtime crate (cortex-m-rt, riscv-rt) adds the vector table, the reset code and the
//! memory layout; they are a few hundred bytes and change nothing about what jose-ring needs.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

/// Elsewhere (a host or wasm32-wasip1, where `cargo test` builds every binary) there is no
/// firmware to build.
#[cfg(not(target_os = "none"))]
fn main() {}

#[cfg(target_os = "none")]
mod firmware {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// The entry point the linker looks for.
    #[unsafe(no_mangle)]
    pub extern "C" fn _start() -> ! {
        let passed = jose_ring_no_std_check::run().is_ok();
        loop {
            // A board would report `passed` (a LED, a debugger); keep it observable.
            core::hint::black_box(passed);
            core::hint::spin_loop();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {
            core::hint::spin_loop();
        }
    }

    // ring asks getrandom 0.2 for randomness to generate keys and to sign with ECDSA or RSA, and
    // jose-ring asks for it once per P-256/P-384 public key it builds (its point check is an ECDH
    // agreement with a throw-away key): `run` needs it for the ES256 key of its JWK Set. A board
    // reads its hardware RNG in this function; without one, it must fail rather than return
    // predictable bytes, and EC keys are then rejected (`KeyRejected::Rng`). This image is
    // linked, not run, so it has none.
    getrandom::register_custom_getrandom!(board_random);

    fn board_random(_buf: &mut [u8]) -> Result<(), getrandom::Error> {
        Err(getrandom::Error::UNSUPPORTED)
    }

    /// Size of the heap: enough for a JWK Set, its key ring and a few tokens.
    const HEAP_SIZE: usize = 32 * 1024;

    /// A bump allocator over a static array: allocation moves a cursor forward, freeing does
    /// nothing. Enough for a check; a firmware that runs for long uses a real allocator
    /// (`embedded-alloc`, for one).
    struct Bump {
        heap: UnsafeCell<[u8; HEAP_SIZE]>,
        used: AtomicUsize,
    }

    // SAFETY: `used` is only advanced by compare-and-swap, so no two allocations overlap.
    unsafe impl Sync for Bump {}

    // SAFETY: every pointer returned lies inside `heap`, is aligned as asked, and no two live
    // allocations share a byte; null is returned when the heap is exhausted.
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let base = self.heap.get().cast::<u8>();
            let mut used = self.used.load(Ordering::Relaxed);
            loop {
                let start_addr = (base as usize + used).next_multiple_of(layout.align());
                let start = start_addr - base as usize;
                let Some(end) = start
                    .checked_add(layout.size())
                    .filter(|&end| end <= HEAP_SIZE)
                else {
                    return core::ptr::null_mut();
                };
                match self.used.compare_exchange_weak(
                    used,
                    end,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    // SAFETY: `start + size <= HEAP_SIZE`, so the pointer stays in `heap`.
                    Ok(_) => return unsafe { base.add(start) },
                    Err(now) => used = now,
                }
            }
        }

        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    #[global_allocator]
    static HEAP: Bump = Bump {
        heap: UnsafeCell::new([0; HEAP_SIZE]),
        used: AtomicUsize::new(0),
    };
}
