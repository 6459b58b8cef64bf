//! Side-by-side benchmark: `resetlens events --id 4724 --format json` against the evtx crate's
//! own `evtx_dump -o jsonl` on the same large Security log, with the same thread count, in one
//! run. Reports wall time and CPU time (user + system; medians), records/s, MB/s and peak RSS
//! of each, and the speed-ups by wall and by CPU time (the wall ratio moves with the load of a
//! shared machine, the CPU ratio much less).
//!
//! Inputs (environment):
//!   RESETLENS_BENCH_EVTX       the log (>= 400,000 records; see README "Performance")
//!   RESETLENS_BENCH_EVTX_DUMP  the Rust evtx_dump 0.15.1 (default: `evtx_dump` on PATH)
//!   RESETLENS_BENCH_THREADS    threads for both (default: the number of CPUs)
//!   RESETLENS_BENCH_RUNS       runs of each, alternating (default 5)
//! Wall time is timed on the program alone; peak RSS and CPU time come from a second run under
//! `/usr/bin/time -f '%M %U %S'` when it exists.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Measured {
    wall: Duration,
    peak_rss_kb: Option<u64>,
    cpu: Option<Duration>,
}

fn command(program: &Path, args: &[String], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `program args` twice with stdout discarded: once on its own for the wall time (a
/// wrapper's start-up would add the same constant to both tools and blur the ratio), once under
/// `/usr/bin/time` for CPU time and peak RSS. Returns the measures and the first run's stderr.
fn measure(program: &Path, args: &[String], env: &[(&str, String)]) -> Result<(Measured, String), String> {
    let start = Instant::now();
    let out = command(program, args, env)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let wall = start.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            program.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut measured = Measured {
        wall,
        peak_rss_kb: None,
        cpu: None,
    };
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let usage_file = std::env::temp_dir().join(format!("resetlens-bench-rss-{}", std::process::id()));
        let mut timed_args = vec!["-f".to_owned(), "%M %U %S".to_owned(), "-o".to_owned()];
        timed_args.push(usage_file.display().to_string());
        timed_args.push(program.display().to_string());
        timed_args.extend(args.iter().cloned());
        let _ = command(time, &timed_args, env).output();
        let times = std::fs::read_to_string(&usage_file).unwrap_or_default();
        let _ = std::fs::remove_file(&usage_file);
        let fields: Vec<&str> = times
            .trim()
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let seconds = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        measured.peak_rss_kb = fields.first().and_then(|f| f.parse().ok());
        measured.cpu = seconds(1)
            .zip(seconds(2))
            .map(|(user, sys)| Duration::from_secs_f64(user + sys));
    }
    Ok((measured, String::from_utf8_lossy(&out.stderr).into_owned()))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
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
    let dump = PathBuf::from(env_or("RESETLENS_BENCH_EVTX_DUMP", "evtx_dump"));
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
    let ours_bin = PathBuf::from(env!("CARGO_BIN_EXE_resetlens"));
    let path = input.display().to_string();
    let ours_args: Vec<String> = ["events", "--evtx", &path, "--id", "4724", "--format", "json"]
        .map(String::from)
        .to_vec();
    let dump_args: Vec<String> = ["-t", &threads.to_string(), "-o", "jsonl", &path]
        .map(String::from)
        .to_vec();
    let ours_env = [("RESETLENS_THREADS", threads.to_string())];

    // Warm the page cache so both read from memory.
    let _ = std::fs::read(&input).map(|b| b.len());

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut ours_cpu = Vec::new();
    let mut theirs_cpu = Vec::new();
    let mut ours_rss = 0;
    let mut theirs_rss = 0;
    let mut records = 0u64;
    for _ in 0..runs {
        match measure(&ours_bin, &ours_args, &ours_env) {
            Ok((m, stderr)) => {
                ours.push(m.wall);
                ours_cpu.extend(m.cpu);
                ours_rss = ours_rss.max(m.peak_rss_kb.unwrap_or(0));
                records = stderr
                    .lines()
                    .filter(|l| l.contains(" records read, "))
                    .filter_map(|l| l.split(": ").last())
                    .filter_map(|l| l.split(' ').next().and_then(|n| n.parse::<u64>().ok()))
                    .sum();
            }
            Err(e) => {
                eprintln!("ingest bench: {e}");
                std::process::exit(1);
            }
        }
        match measure(&dump, &dump_args, &[]) {
            Ok((m, _)) => {
                theirs.push(m.wall);
                theirs_cpu.extend(m.cpu);
                theirs_rss = theirs_rss.max(m.peak_rss_kb.unwrap_or(0));
            }
            Err(e) => {
                eprintln!("ingest bench: {e} (set RESETLENS_BENCH_EVTX_DUMP to the Rust evtx_dump 0.15.1)");
                std::process::exit(1);
            }
        }
    }
    let (ours, theirs) = (median(ours), median(theirs));
    let (ours_cpu, theirs_cpu) = (median(ours_cpu), median(theirs_cpu));
    let row = |name: &str, wall: Duration, cpu: Duration, rss: u64| {
        let secs = wall.as_secs_f64().max(1e-9);
        println!(
            "{name:<44} {:>7.3} s wall {:>7.3} s CPU {:>10.0} records/s {:>7.1} MB/s {:>6.1} MB peak RSS",
            secs,
            cpu.as_secs_f64(),
            records as f64 / secs,
            size as f64 / 1e6 / secs,
            rss as f64 / 1024.0
        );
    };
    println!(
        "input {} ({:.1} MB, {records} records), {threads} thread(s), median of {runs} runs",
        input.display(),
        size as f64 / 1e6
    );
    row(
        "resetlens events --id 4724 --format json",
        ours,
        ours_cpu,
        ours_rss,
    );
    row("evtx_dump -o jsonl", theirs, theirs_cpu, theirs_rss);
    println!(
        "speed-up: {:.1}x wall, {:.1}x CPU time",
        theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9),
        theirs_cpu.as_secs_f64() / ours_cpu.as_secs_f64().max(1e-9)
    );
}
