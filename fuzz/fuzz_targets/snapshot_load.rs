//! Arbitrary bytes as a snapshot file, which users take from anywhere: loading must never panic,
//! and whatever loads must write and load back to the same directory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use resetlens::directory::snapshot::{from_bytes, write};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = from_bytes(data, "fuzz.snapshot.json") else {
        return;
    };
    let mut out = Vec::new();
    write(&dir, &mut out).expect("a loaded directory writes");
    let again = from_bytes(&out, "again.snapshot.json").expect("a written snapshot loads");
    assert_eq!(again, dir, "snapshot round trip");
});
