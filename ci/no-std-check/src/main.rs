//! The firmware image that proves jose-ring links and runs on a microcontroller without `std`:
//! what a board must supply (an entry point, a global allocator, a panic handler and a
//! randomness source for ring's getrandom 0.2) around the checks in `lib.rs`. Built for
//! riscv32imac-unknown-none-elf with the layout of QEMU's `virt` board (`qemu-virt.x`), and run
//! there by `.ci/run`: `qemu-system-riscv32 -machine virt -cpu rv32,zkr=true -bios none -kernel`,
//! whose exit status is the checks' result. A real board's runtime crate (riscv-rt,
//! cortex-m-rt) adds the trap vector, .data/.bss set-up and its memory map.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

/// Elsewhere (a host or wasm32-wasip1, where `cargo test` builds every binary) there is no
/// firmware to build.
#[cfg(not(target_os = "none"))]
fn main() {}

#[cfg(all(target_os = "none", target_arch = "riscv32"))]
mod firmware {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use core::sync::atomic::{AtomicUsize, Ordering};

    // QEMU's `virt` board (qemu-system-riscv32 -machine virt -bios none) starts at the base of
    // RAM, where `qemu-virt.x` puts this: set the stack pointer, then run the checks. QEMU's
    // loader has zeroed .bss.
    core::arch::global_asm!(
        ".section .text.boot, \"ax\"",
        ".global _start",
        "_start:",
        "la sp, _stack_top",
        "call firmware_main",
        "1: j 1b",
    );

    /// The SiFive test device of QEMU's `virt` board: a write ends the emulation, with exit
    /// status 0 for `PASS` and `code` for `FAIL | code << 16`.
    const TEST_DEVICE: usize = 0x10_0000;
    const PASS: u32 = 0x5555;
    const FAIL: u32 = 0x3333;

    fn exit(value: u32) -> ! {
        // SAFETY: the test device's register, mapped on the `virt` board this image is for.
        unsafe { core::ptr::write_volatile(TEST_DEVICE as *mut u32, value) };
        loop {
            core::hint::spin_loop();
        }
    }

    #[unsafe(no_mangle)]
    extern "C" fn firmware_main() -> ! {
        match jose_ring_no_std_check::run() {
            Ok(()) => exit(PASS),
            Err(_) => exit(FAIL | 1 << 16),
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        exit(FAIL | 2 << 16)
    }

    // ring asks getrandom 0.2 for randomness to generate keys and to sign with ECDSA or RSA, and
    // jose-ring asks for it once per P-256/P-384 public key it builds (its point check is an ECDH
    // agreement with a throw-away key): `run` needs it for the ES256 key of its JWK Set. Without
    // a source, EC keys are rejected (`KeyRejected::Rng`).
    getrandom::register_custom_getrandom!(board_random);

    /// The RISC-V entropy source (Zkr's `seed` CSR, QEMU `-cpu rv32,zkr=true`), conditioned as
    /// its specification asks: 256 samples of 16 bits hashed with SHA-256 for each 32 bytes. A
    /// chip without Zkr reads its own TRNG here, and one without any must return an error.
    fn board_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
        for (counter, chunk) in (0u32..).zip(buf.chunks_mut(32)) {
            let mut context = ring::digest::Context::new(&ring::digest::SHA256);
            context.update(&counter.to_le_bytes());
            let mut samples = 0;
            let mut tries = 0u32;
            while samples < 256 {
                tries += 1;
                if tries > 1_000_000 {
                    return Err(getrandom::Error::UNSUPPORTED);
                }
                let seed: u32;
                // SAFETY: reads (and, as the CSR requires, writes zero to) `seed`, 0x015.
                unsafe { core::arch::asm!("csrrw {0}, 0x015, x0", out(reg) seed) };
                match seed >> 30 {
                    0b10 => {
                        context.update(&seed.to_le_bytes()[..2]);
                        samples += 1;
                    }
                    0b11 => return Err(getrandom::Error::UNSUPPORTED),
                    _ => {} // BIST or WAIT: try again.
                }
            }
            let digest = context.finish();
            chunk.copy_from_slice(&digest.as_ref()[..chunk.len()]);
        }
        Ok(())
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
