//! Arbitrary bytes as the TOML config file, merged under no flags: resolving must never panic
//! (a bad file is an error naming it), and a password value in the file is always refused.

#![no_main]

use libfuzzer_sys::fuzz_target;
use resetlens::cli::SourceArgs;
use resetlens::config::SourceConfig;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("resetlens-fuzz-{}.toml", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let args = SourceArgs {
        config: Some(path),
        ..SourceArgs::default()
    };
    if let Ok(cfg) = SourceConfig::resolve(&args) {
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("Given("), "a password from the file: {shown}");
    }
});
