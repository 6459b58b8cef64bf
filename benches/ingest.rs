//! Side-by-side benchmark: `resetlens events --id 4724 --format json` against the evtx crate's
//! own `evtx_dump -o jsonl` on the same large Security log, with the same thread count, in one
//! run. Reports wall time (median of alternating runs, each program timed on its own), CPU time
//! (user + system, the mean over a loop of runs under `/usr/bin/time`, whose per-process figures
//! have only 10 ms resolution), records/s, MB/s and peak RSS of each, and the speed-ups by wall
//! and by CPU time (the wall ratio moves with the load of a shared machine, the CPU ratio less).
//!
//! Inputs (environment):
//!   RESETLENS_BENCH_EVTX       the log (>= 400,000 records; see README "Performance")
//!   RESETLENS_BENCH_EVTX_DUMP  the Rust evtx_dump 0.15.1 (default: `evtx_dump` on PATH)
//!   RESETLENS_BENCH_THREADS    threads for both (default: the number of CPUs)
//!   RESETLENS_BENCH_RUNS       timed runs of each, alternating; also the CPU loop's length
//!                              (default 5)
//!   RESETLENS_BENCH_CACHE      `reread` (default): drop the file from the page cache and read
//!                              it once, the state of a file read from disk; `as-is`: read it
//!                              once as it is cached (e.g. as its writer left it)
//!
//! Both programs read the file from the page cache. How the kernel holds it there matters for
//! both, and most for the faster one: a file cached by readahead sits in large folios, one
//! written in 4 KB writes in 4 KB pages, and copying it out then costs about twice the kernel
//! time (README "Performance" has the figures for each state).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One tool: its program, arguments and environment.
struct Tool {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

impl Tool {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).stdout(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// One run on its own: wall time and stderr.
    fn timed_run(&self) -> Result<(Duration, String), String> {
        let start = Instant::now();
        let out = self
            .command()
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let wall = start.elapsed();
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}): {}",
                self.program.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok((wall, String::from_utf8_lossy(&out.stderr).into_owned()))
    }

    /// `runs` runs in a row under `/usr/bin/time` (through `sh`, which adds next to nothing):
    /// mean CPU time per run and the peak RSS of the largest. `None` without `/usr/bin/time`.
    fn usage(&self, runs: usize) -> Option<(Duration, u64)> {
        let time = Path::new("/usr/bin/time");
        if !time.exists() {
            return None;
        }
        let usage_file = std::env::temp_dir().join(format!("resetlens-bench-usage-{}", std::process::id()));
        let mut script = String::from("for i in $(seq ");
        script.push_str(&runs.to_string());
        script.push_str("); do \"$0\" \"$@\" >/dev/null 2>&1 || exit 1; done");
        let mut cmd = Command::new(time);
        cmd.arg("-f")
            .arg("%M %U %S")
            .arg("-o")
            .arg(&usage_file)
            .arg("sh")
            .arg("-c")
            .arg(script)
            .arg(&self.program)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let ok = cmd.status().is_ok_and(|s| s.success());
        let text = std::fs::read_to_string(&usage_file).unwrap_or_default();
        let _ = std::fs::remove_file(&usage_file);
        if !ok {
            return None;
        }
        let fields: Vec<f64> = text
            .trim()
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        match fields[..] {
            [rss_kb, user, sys] => Some((Duration::from_secs_f64((user + sys) / runs as f64), rss_kb as u64)),
            _ => None,
        }
    }
}

/// Drops the file's pages from the page cache; written pages are synced first, since only clean
/// ones can be dropped.
#[cfg(target_os = "linux")]
fn evict(path: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = File::open(path)?;
    file.sync_all()?;
    // SAFETY: a plain system call on a descriptor that `file` keeps open; no memory is shared.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(rc))
    }
}

/// Reads the whole file once, sequentially, so both programs then read it from memory.
#[cfg(not(target_os = "linux"))]
fn evict(_: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "only on Linux here; use RESETLENS_BENCH_CACHE=as-is",
    ))
}

fn read_through(path: &Path) -> std::io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        match file.read(&mut buf)? {
            0 => return Ok(total),
            n => total += n as u64,
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn fail(message: String) -> ! {
    eprintln!("ingest bench: {message}");
    std::process::exit(1);
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let Ok(input) = std::env::var("RESETLENS_BENCH_EVTX") else {
        eprintln!(
            "ingest bench: skipped: set RESETLENS_BENCH_EVTX to a large Security log \
             (generate one with `cargo run --release --example gen_big_security_log -- FILE`)"
        );
        return;
    };
    let input = PathBuf::from(input);
    let threads: usize = env_or(
        "RESETLENS_BENCH_THREADS",
        &std::thread::available_parallelism()
            .map_or(1, usize::from)
            .to_string(),
    )
    .parse()
    .unwrap_or(1);
    let runs: usize = env_or("RESETLENS_BENCH_RUNS", "5").parse().unwrap_or(5).max(1);
    let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    let path = input.display().to_string();
    let ours = Tool {
        program: PathBuf::from(env!("CARGO_BIN_EXE_resetlens")),
        args: ["events", "--evtx", &path, "--id", "4724", "--format", "json"]
            .map(String::from)
            .to_vec(),
        env: vec![("RESETLENS_THREADS", threads.to_string())],
    };
    let theirs = Tool {
        program: PathBuf::from(env_or("RESETLENS_BENCH_EVTX_DUMP", "evtx_dump")),
        args: ["-t", &threads.to_string(), "-o", "jsonl", &path]
            .map(String::from)
            .to_vec(),
        env: Vec::new(),
    };

    let cache = env_or("RESETLENS_BENCH_CACHE", "reread");
    match cache.as_str() {
        "reread" => {
            evict(&input).unwrap_or_else(|e| fail(format!("cannot drop {path} from the page cache: {e}")))
        }
        "as-is" => {}
        other => fail(format!(
            "RESETLENS_BENCH_CACHE={other}: expected `reread` or `as-is`"
        )),
    }
    // How fast the warming read went tells whether the drop took effect: from disk it is far
    // slower than from memory.
    let warming = Instant::now();
    let warmed = read_through(&input).unwrap_or_else(|e| fail(format!("cannot read {path}: {e}")));
    let warmed_at = warmed as f64 / 1e6 / warming.elapsed().as_secs_f64().max(1e-9);

    let mut ours_wall = Vec::new();
    let mut theirs_wall = Vec::new();
    let mut records = 0u64;
    for _ in 0..runs {
        let (wall, stderr) = ours.timed_run().unwrap_or_else(|e| fail(e));
        ours_wall.push(wall);
        records = stderr
            .lines()
            .filter(|l| l.contains(" records read, "))
            .filter_map(|l| l.split(": ").last())
            .filter_map(|l| l.split(' ').next().and_then(|n| n.parse::<u64>().ok()))
            .sum();
        let (wall, _) = theirs.timed_run().unwrap_or_else(|e| {
            fail(format!(
                "{e} (set RESETLENS_BENCH_EVTX_DUMP to the Rust evtx_dump 0.15.1)"
            ))
        });
        theirs_wall.push(wall);
    }
    let (ours_wall, theirs_wall) = (median(ours_wall), median(theirs_wall));
    let (ours_usage, theirs_usage) = (ours.usage(runs), theirs.usage(runs));

    println!(
        "input {} ({:.1} MB, {records} records), page cache {cache} (warmed at {warmed_at:.0} MB/s), {threads} thread(s), median wall of {runs} alternating runs",
        input.display(),
        size as f64 / 1e6
    );
    let row = |name: &str, wall: Duration, usage: Option<(Duration, u64)>| {
        let secs = wall.as_secs_f64().max(1e-9);
        let (cpu, rss) = match usage {
            Some((cpu, rss_kb)) => (
                format!("{:.3} s CPU", cpu.as_secs_f64()),
                format!("{:.1} MB peak RSS", rss_kb as f64 / 1024.0),
            ),
            None => ("CPU n/a".to_owned(), "peak RSS n/a".to_owned()),
        };
        println!(
            "{name:<42} {secs:>7.4} s wall {cpu:>13} {:>10.0} records/s {:>8.1} MB/s {rss:>17}",
            records as f64 / secs,
            size as f64 / 1e6 / secs,
        );
    };
    row("resetlens events --id 4724 --format json", ours_wall, ours_usage);
    row("evtx_dump -o jsonl", theirs_wall, theirs_usage);
    let cpu_ratio = match (ours_usage, theirs_usage) {
        (Some((o, _)), Some((t, _))) => format!("{:.1}x", t.as_secs_f64() / o.as_secs_f64().max(1e-9)),
        _ => "n/a".to_owned(),
    };
    println!(
        "speed-up: {:.1}x wall, {cpu_ratio} CPU time",
        theirs_wall.as_secs_f64() / ours_wall.as_secs_f64().max(1e-9),
    );
}
