//! Findings and the verdict: directory facts and correlated events in, a `Diagnosis` out.
