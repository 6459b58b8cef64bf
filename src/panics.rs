//! Panics are bugs: the user gets one sanitized line and exit code 3, never a Rust backtrace
//! dump. Code that runs a third-party parser on hostile bytes contains its panics itself and
//! reports them as input problems, so those stay quiet here.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use crate::sanitize::line;

thread_local! {
    /// Set while `contained` runs: its caller reports the failure in its own words.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Replaces the default panic message with a one-line report (what and where). Hooks installed
/// later (the console's, which restores the terminal first) run before it.
pub fn report_panics() {
    panic::set_hook(Box::new(|info| {
        if CONTAINED.get() {
            return;
        }
        let message = message(info.payload());
        let at = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "resetlens: internal error (a bug, please report it): {}",
            line(&format!("{message}{at}"))
        );
    }));
}

/// The text a panic was raised with.
pub fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

/// Whether the current thread runs inside `contained` (for hooks installed before this one's).
pub fn is_contained() -> bool {
    CONTAINED.get()
}

/// Runs `f`, turning a panic into `Err` without a report: for callers that say themselves what
/// failed (a damaged chunk the evtx crate tripped over).
pub fn contained<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    let outer = CONTAINED.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINED.set(outer);
    result
}

/// Runs `f`; a panic comes back as `None` once reported (see `report_panics`).
pub fn caught<R>(f: impl FnOnce() -> R) -> Option<R> {
    panic::catch_unwind(AssertUnwindSafe(f)).ok()
}

/// Panics once at `place` when `RESETLENS_TEST_PANIC` names it: the end-to-end tests force bugs
/// where real ones would hurt most (the console's thread, a background job, a parser). Debug
/// builds only; once per process, so a retry shows the console recovering.
#[cfg(debug_assertions)]
pub fn forced(place: &str) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if std::env::var("RESETLENS_TEST_PANIC").is_ok_and(|v| v == place)
        && !DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        panic!("forced by RESETLENS_TEST_PANIC={place}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_panics_come_back_as_errors_and_the_flag_is_restored() {
        let r = contained(|| -> u8 { panic!("inside") });
        assert!(r.is_err());
        assert!(!is_contained());
        assert!(contained(is_contained).unwrap());
        let payload = contained(|| -> u8 { panic!("with {}", "text") }).unwrap_err();
        assert_eq!(message(payload.as_ref()), "with text");
        assert_eq!(contained(|| 7).ok(), Some(7));
        assert_eq!(caught(|| 8), Some(8));
        assert_eq!(caught(|| -> u8 { panic!("bug") }), None);
    }
}
