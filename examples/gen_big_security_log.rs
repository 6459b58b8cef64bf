//! Writes a large DC Security log (default 400,000 records: 99% 4624, 1% 4724) for the ingestion
//! benchmark. `cargo run --release --example gen_big_security_log -- OUT.evtx [RECORDS]`

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let out = args
        .next()
        .context("usage: gen_big_security_log OUT.evtx [RECORDS]")?;
    let records = match args.next() {
        Some(n) => n
            .to_str()
            .and_then(|s| s.parse().ok())
            .context("RECORDS must be a number")?,
        None => resetlens::testkit::big_log::BIG_LOG_RECORDS,
    };
    let resets = resetlens::testkit::big_log::write_big_security_log(out.as_ref(), records)?;
    let size = std::fs::metadata(&out)?.len();
    println!(
        "{}: {records} records ({resets} x 4724), {size} bytes",
        out.to_string_lossy()
    );
    Ok(())
}
