//! Renderers of a `Diagnosis` (text, markdown, JSON) and of scan results.
