//! The contract's JSON report (`resetlens.diagnosis/1`): the `Diagnosis` serialized as is. JSON
//! escapes control characters itself, so no sanitizing is needed (or wanted: values stay exact).

use std::io::{self, Write};

use crate::diagnosis::Diagnosis;

pub fn render(d: &Diagnosis, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, d)?;
    writeln!(out)
}
