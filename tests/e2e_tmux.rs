//! The real binary in a real terminal: tmux runs `resetlens demo`, the test types like a person
//! (send-keys) and reads the screen (capture-pane). A flow: search `bob`, open him, see the verdict
//! (inheritance disabled), open Permissions, see the blocking point, quit with `q`, and find the
//! terminal restored (main screen, cursor shown, no mouse capture).
//!
//! Needs tmux (installed by scripts/build-deps.sh). Each test runs its own tmux server on a private
//! socket and kills only that server. The live test needs the lab's Samba AD DC
//! (`.ci/samba-lab.sh start`) and fails with instructions without it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long to wait for something to appear (the live test reads every user of the lab DC) before failing with the screen as it was.
const PATIENCE: Duration = Duration::from_secs(30);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, cmd: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("resetlens-e2e-{}-{name}", std::process::id()),
        };
        let status = Command::new("tmux")
            .args([
                "-L",
                &tmux.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
            ])
            .args(["-e", "TERM=xterm-256color"])
            .arg(cmd)
            .status()
            .expect("tmux must be installed for the end-to-end console tests (apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-l", text]);
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what:?}; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn flag(&self, name: &str) -> String {
        self.run(&["display-message", "-p", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Runs `args` under tmux, then keeps the pane open to show how the program left the terminal.
fn launch(name: &str, args: &str) -> Tmux {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_resetlens"));
    Tmux::start(
        name,
        &format!("{} {args}; echo RESETLENS_EXIT=$?; sleep 60", shell_quote(&bin)),
    )
}

/// The flow of the issue for `who`, whose DACL is protected, on whatever `launch` started.
fn protected_user_flow(tmux: &Tmux, who: &str) {
    tmux.wait_for("Find a user");
    // Typed while the directory may still be loading: the query waits for it.
    tmux.type_text(who);
    tmux.wait_for(&format!("› {who}"));
    // The user's row (the table pads cells, the search box does not).
    tmux.wait_for(&format!("{who}  "));
    tmux.keys(&["Enter"]);
    let verdict = tmux.wait_for("Writeback will fail");
    assert!(
        verdict.to_lowercase().contains("inheritance"),
        "bob's verdict names inheritance:\n{verdict}"
    );
    assert!(
        verdict.contains("✘"),
        "the verdict carries a symbol, not just colour:\n{verdict}"
    );
    tmux.keys(&["2"]);
    let permissions = tmux.wait_for("BLOCKED HERE");
    assert!(permissions.contains("inheritance disabled"), "{permissions}");
    assert!(permissions.to_lowercase().contains(who), "{permissions}");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("RESETLENS_EXIT=");
    assert!(after.contains("RESETLENS_EXIT=0"), "clean exit:\n{after}");
    assert!(
        !after.contains("Find a user") && !after.contains("BLOCKED HERE"),
        "TUI left on screen:\n{after}"
    );
    assert_eq!(tmux.flag("alternate_on"), "0", "still on the alternate screen");
    assert_eq!(tmux.flag("cursor_flag"), "1", "cursor left hidden");
    assert_eq!(tmux.flag("mouse_any_flag"), "0", "mouse capture left on");
    assert_eq!(tmux.flag("keypad_flag"), "0", "keypad mode left on");
}

/// The fixture tenant written as demo data (snapshot, no event logs): Bob's DACL is protected.
#[test]
fn demo_on_a_data_folder_bob_verdict_permissions_and_clean_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file =
        std::fs::File::create(dir.path().join("contoso-directory.snapshot.json")).expect("snapshot file");
    resetlens::directory::snapshot::write(
        &resetlens::testkit::console::directory(),
        std::io::BufWriter::new(file),
    )
    .expect("write snapshot");
    let tmux = launch("fixture", &format!("demo --data {}", shell_quote(dir.path())));
    protected_user_flow(&tmux, "bob");
}

/// The demo as someone who installed the binary starts it: a copy alone in its folder, run from
/// an empty directory, so nothing of the source tree is beside it. The built-in tenant is written
/// into a private temporary directory (under the test's own TMPDIR, to see it) and removed on exit.
#[test]
fn a_copied_binary_runs_the_demo_from_an_empty_directory_and_cleans_up() {
    let root = tempfile::tempdir().expect("tempdir");
    let (bin_dir, cwd, tmp) = (
        root.path().join("bin"),
        root.path().join("empty"),
        root.path().join("tmp"),
    );
    for d in [&bin_dir, &cwd, &tmp] {
        std::fs::create_dir(d).expect("mkdir");
    }
    let bin = bin_dir.join("resetlens");
    std::fs::copy(env!("CARGO_BIN_EXE_resetlens"), &bin).expect("copy the binary");
    let tmux = Tmux::start(
        "copied",
        &format!(
            "cd {} && TMPDIR={} {} demo; echo RESETLENS_EXIT=$?; sleep 60",
            shell_quote(&cwd),
            shell_quote(&tmp),
            shell_quote(&bin)
        ),
    );
    tmux.wait_for("Find a user");
    let generated: Vec<PathBuf> = std::fs::read_dir(&tmp)
        .expect("read TMPDIR")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        matches!(generated.as_slice(), [d] if d.join("sample-logs/contoso-directory.snapshot.json").is_file()),
        "the demo tenant is generated into one private directory under TMPDIR: {generated:?}"
    );
    protected_user_flow(&tmux, "bob");
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("read TMPDIR").collect();
    assert!(
        left.is_empty(),
        "the generated demo tenant is removed on exit: {left:?}"
    );
    assert_eq!(
        std::fs::read_dir(&cwd).expect("read cwd").count(),
        0,
        "nothing written to the working directory"
    );
}

/// A bug that panics inside the console: the terminal comes back (main screen, cursor, no raw
/// mode), one report line says what happened, and the exit code is 3. The panic is forced by
/// `RESETLENS_TEST_PANIC`, which only debug builds honour.
#[test]
fn a_panic_in_the_console_restores_the_terminal_and_exits_3() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_resetlens"));
    let tmux = Tmux::start(
        "panic",
        &format!(
            "RESETLENS_TEST_PANIC=ui {} demo; echo RESETLENS_EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e -echo -e echo; echo STTY_DONE; sleep 60",
            shell_quote(&bin)
        ),
    );
    let screen = tmux.wait_for("RESETLENS_EXIT=");
    assert!(screen.contains("RESETLENS_EXIT=3"), "{screen}");
    assert!(
        screen.contains("internal error (a bug, please report it): forced by RESETLENS_TEST_PANIC"),
        "{screen}"
    );
    assert!(
        !screen.contains("panicked at"),
        "the default panic message leaked: {screen}"
    );
    let screen = tmux.wait_for("STTY_DONE");
    let modes: Vec<&str> = screen
        .lines()
        .map(str::trim)
        .filter(|l| matches!(*l, "icanon" | "-icanon" | "echo" | "-echo"))
        .collect();
    assert_eq!(modes, ["icanon", "echo"], "raw mode left on: {screen}");
    assert_eq!(tmux.flag("alternate_on"), "0", "still on the alternate screen");
    assert_eq!(tmux.flag("cursor_flag"), "1", "cursor left hidden");
    assert_eq!(tmux.flag("mouse_any_flag"), "0", "mouse capture left on");
}

/// Opens bob on the demo started by `launch` and waits for his verdict: by then the event logs
/// were read (the diagnosis waits for them), so whatever the ingest job did has happened.
fn open_bob_verdict(tmux: &Tmux) -> String {
    tmux.wait_for("Find a user");
    tmux.type_text("bob");
    tmux.wait_for("bob  ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Writeback will fail")
}

/// A panic contained on a background thread (as the reader does when the evtx crate trips over a
/// damaged chunk during the console's ingest) leaves the terminal alone: the console goes on in
/// raw mode on the alternate screen. The console's panic hook used to restore the terminal on any
/// panic, before the contained check.
#[test]
fn a_contained_panic_in_the_background_ingest_leaves_the_console_running() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_resetlens"));
    let tmux = Tmux::start(
        "contained",
        &format!(
            "RESETLENS_TEST_PANIC=contained {} demo; echo RESETLENS_EXIT=$?; sleep 60",
            shell_quote(&bin)
        ),
    );
    let screen = open_bob_verdict(&tmux);
    assert!(!screen.contains("forced by"), "{screen}");
    assert_eq!(tmux.flag("alternate_on"), "1", "the console lost its screen");
    // Raw mode: a key acts at once, without Enter.
    tmux.keys(&["2"]);
    tmux.wait_for("BLOCKED HERE");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("RESETLENS_EXIT=");
    assert!(after.contains("RESETLENS_EXIT=0"), "{after}");
    assert_eq!(tmux.flag("alternate_on"), "0");
}

/// A bug in a background job (here the event-log ingest) is one failure on the console's banner,
/// not a spinner that turns for ever nor a terminal restored under a running console; `r` runs
/// the job again.
#[test]
fn a_background_job_that_panics_shows_the_failure_and_r_retries() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_resetlens"));
    let tmux = Tmux::start(
        "job-panic",
        &format!(
            "RESETLENS_TEST_PANIC=ingest {} demo; echo RESETLENS_EXIT=$?; sleep 60",
            shell_quote(&bin)
        ),
    );
    let screen =
        tmux.wait_for("internal error (a bug, please report it): forced by RESETLENS_TEST_PANIC=ingest");
    assert!(screen.contains("event logs:"), "{screen}");
    assert!(!screen.contains("panicked at"), "{screen}");
    assert_eq!(tmux.flag("alternate_on"), "1", "the console lost its screen");
    // `r` retries from the list (in the search box it is a letter).
    tmux.keys(&["Tab"]);
    tmux.keys(&["r"]);
    let verdict = open_bob_verdict(&tmux);
    assert!(!verdict.contains("internal error"), "{verdict}");
    tmux.keys(&["3"]);
    tmux.wait_for("31001");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("RESETLENS_EXIT=");
    assert!(after.contains("RESETLENS_EXIT=0"), "{after}");
}

#[test]
fn a_missing_demo_folder_is_a_clear_error_without_touching_the_terminal() {
    let tmux = launch("missing", "demo --data /nonexistent/resetlens-demo");
    let screen = tmux.wait_for("RESETLENS_EXIT=");
    assert!(screen.contains("RESETLENS_EXIT=2"), "{screen}");
    assert!(screen.contains("no demo data"), "{screen}");
    assert_eq!(tmux.flag("alternate_on"), "0");
}

/// Live against the lab DC over LDAPS: a fresh user whose DACL is protected, found by typing, with
/// the blocking point on the user itself.
#[test]
fn live_dc_protected_user_verdict_permissions_and_clean_exit() {
    let lab = support::lab::Lab::get();
    let sam = support::lab::Lab::unique("tuiprot");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let dn = runtime.block_on(async {
        let mut admin = lab.admin().await;
        admin.create_user(&sam, &lab.staff_ou).await
    });
    lab.set_dacl(&dn, support::lab::PROTECTED_USER_DACL);
    let args = format!(
        "--ldap-url {} --bind-dn {} --password-file {} --ca-cert {} --connector {} --timeout 20",
        lab.ldaps_url,
        lab.admin_upn,
        shell_quote(&lab.admin_password_file),
        shell_quote(&lab.ca_cert),
        lab.connector
    );
    let tmux = launch("live", &args);
    protected_user_flow(&tmux, &sam.to_lowercase());
}

/// The DC stops while the console is open (a relay between them is cut; the shared DC runs on):
/// re-reading the directory says so in one banner with `r` to retry, the console keeps its
/// screen, and once the DC is back `r` reads it again. The terminal is restored at the end.
#[test]
fn live_dc_stopped_mid_console_says_so_and_r_reads_again_once_it_is_back() {
    let lab = support::lab::Lab::get();
    let relay = support::lab::CuttableProxy::start(usize::MAX, false);
    let args = format!(
        "--ldap-url ldaps://{}:{} --bind-dn {} --password-file {} --ca-cert {} --connector {} --timeout 10",
        lab.host,
        relay.port,
        lab.admin_upn,
        shell_quote(&lab.admin_password_file),
        shell_quote(&lab.ca_cert),
        lab.connector
    );
    let tmux = launch("dc-stopped", &args);
    tmux.wait_for("Find a user");
    // The user list's header: the directory is read.
    tmux.wait_for("sAMAccountName");
    relay.set_down(true);
    tmux.keys(&["Tab"]);
    tmux.type_text(":reload");
    tmux.keys(&["Enter"]);
    let banner = tmux.wait_for("retry · Esc dismiss");
    assert!(banner.contains("✘ directory: cannot reach"), "{banner}");
    assert!(
        banner.contains(&format!("{}:{}", lab.host, relay.port)),
        "{banner}"
    );
    assert_eq!(tmux.flag("alternate_on"), "1");
    relay.set_down(false);
    let before = relay.relayed.load(std::sync::atomic::Ordering::SeqCst);
    tmux.keys(&["r"]);
    let start = Instant::now();
    loop {
        let screen = tmux.screen();
        let read_again = relay.relayed.load(std::sync::atomic::Ordering::SeqCst) > before;
        if read_again
            && !screen.contains("✘ directory")
            && !screen.contains("loading directory")
            && screen.contains("sAMAccountName")
        {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the retry did not read the DC again:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["q"]);
    let after = tmux.wait_for("RESETLENS_EXIT=");
    assert!(after.contains("RESETLENS_EXIT=0"), "{after}");
    assert_eq!(tmux.flag("alternate_on"), "0", "still on the alternate screen");
    assert_eq!(tmux.flag("cursor_flag"), "1", "cursor left hidden");
}

/// A live source diagnoses from the directory as it is when a user is opened: an admin protects
/// the user's DACL on the DC while the console is open, and reopening the user shows the new
/// verdict (no `:reload`). With the DC stopped (the relay cut), reopening shows the verdict of
/// the loaded copy marked with its time and the failure.
#[test]
fn live_a_dacl_changed_on_the_dc_while_the_console_is_open_shows_on_reopening() {
    let lab = support::lab::Lab::get();
    let sam = support::lab::Lab::unique("tuifresh");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let dn = runtime.block_on(async {
        let mut admin = lab.admin().await;
        admin.create_user(&sam, &lab.staff_ou).await
    });
    let relay = support::lab::CuttableProxy::start(usize::MAX, false);
    let args = format!(
        "--ldap-url ldaps://{}:{} --bind-dn {} --password-file {} --ca-cert {} --connector {} --timeout 10",
        lab.host,
        relay.port,
        lab.admin_upn,
        shell_quote(&lab.admin_password_file),
        shell_quote(&lab.ca_cert),
        lab.connector
    );
    let tmux = launch("fresh", &args);
    let who = sam.to_lowercase();
    tmux.wait_for("sAMAccountName");
    tmux.type_text(&who);
    tmux.wait_for(&format!("{who}  "));
    tmux.keys(&["Enter"]);
    let first = tmux.wait_for("directory read ");
    assert!(!first.contains("Inheritance is disabled"), "{first}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Find a user");
    lab.set_dacl(&dn, support::lab::PROTECTED_USER_DACL);
    tmux.keys(&["Enter"]);
    let again = tmux.wait_for("Writeback will fail");
    assert!(again.contains("Inheritance is disabled"), "{again}");
    assert!(again.contains("directory read "), "{again}");
    // The DC stops: the copy decides, and says from when.
    tmux.keys(&["Escape"]);
    tmux.wait_for("Find a user");
    relay.set_down(true);
    tmux.keys(&["Enter"]);
    let stale = tmux.wait_for("re-reading this user failed");
    assert!(stale.contains("from the copy read "), "{stale}");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("RESETLENS_EXIT=");
    assert!(after.contains("RESETLENS_EXIT=0"), "{after}");
    assert_eq!(tmux.flag("alternate_on"), "0", "still on the alternate screen");
}
