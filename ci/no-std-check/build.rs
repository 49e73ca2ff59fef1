//! Links the bare-metal RISC-V firmware with `qemu-virt.x` (QEMU's `virt` board layout).
fn main() {
    println!("cargo:rerun-if-changed=qemu-virt.x");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "none" && arch == "riscv32" {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-T{dir}/qemu-virt.x");
    }
}
