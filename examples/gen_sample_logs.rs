//! Regenerates sample-logs/ (the demo tenant's EVTX files and directory snapshot) byte for byte.
//! `cargo run --release --example gen_sample_logs [-- OUT_DIR]`

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs"));
    for path in resetlens::demo_tenant::write_sample_logs(&dir)? {
        let size = std::fs::metadata(&path)?.len();
        println!("{} ({} bytes)", path.display(), size);
    }
    Ok(())
}
