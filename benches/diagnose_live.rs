//! `diagnose` of one user on the live lab DC after the bind (the bar: under 100 ms on
//! loopback). N times: connect and bind (LDAPS, Administrator, the lab CA verified), then read
//! everything `resetlens diagnose alice` reads (rootDSE, domain, AdminSDHolder, PSOs, connector,
//! the user, her containers, trustee names) and diagnose her, timed from the end of the bind;
//! then the same again over the same connection (the DC's per-connection caches are warm, so the
//! first figure is the one the binary sees). Prints p50/p90/p99/max of each.
//!
//!     cargo bench --bench diagnose_live            # N = 100
//!     cargo bench --bench diagnose_live -- 50      # N = 50
//!
//! Needs the Samba lab DC (`.ci/samba-lab.sh start`): without it, it stops with instructions.
//! The whole binary, connect and bind included, is timed separately, e.g.
//! `hyperfine -N --warmup 3 'target/release/resetlens diagnose alice --ldap-url ... -i'`
//! (the README's performance table has the exact command).

#[path = "../tests/support/lab.rs"]
mod lab;

use std::time::{Duration, Instant};

use chrono::Utc;
use resetlens::config::SourceConfig;
use resetlens::diagnosis::{diagnose, DiagnosisInput};
use resetlens::directory::ldap::{self, Session};
use resetlens::directory::DirectorySource;

const DEFAULT_RUNS: usize = 100;
const USER: &str = "alice";

fn main() {
    let runs = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_RUNS);
    let lab = lab::Lab::get();
    let cfg = SourceConfig::resolve(&lab.admin_source_args()).expect("lab source flags resolve");
    let Some(DirectorySource::Ldap(ldap_cfg)) = &cfg.directory.source else {
        panic!("the lab source flags name no LDAP URL");
    };
    // The runtime `resetlens diagnose` uses (directory::block_on): two workers.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let query = [USER.to_string()];
    let mut binds = Vec::with_capacity(runs);
    let mut fresh = Vec::with_capacity(runs);
    let mut reused = Vec::with_capacity(runs);
    let mut verdict = "";
    rt.block_on(async {
        for _ in 0..runs {
            let started = Instant::now();
            let session = Session::connect(ldap_cfg)
                .await
                .unwrap_or_else(|e| panic!("cannot bind to the lab DC: {e}"));
            binds.push(started.elapsed());
            let (t, blocked) = diagnose_once(&session, &query).await;
            fresh.push(t);
            verdict = if blocked { "blocked" } else { "can succeed" };
            reused.push(diagnose_once(&session, &query).await.0);
        }
    });
    println!(
        "diagnose_live: {USER} on {} ({runs} runs, verdict: {verdict})",
        ldap_cfg.url
    );
    for (what, times) in [
        ("connect + bind", &mut binds),
        ("after the bind, new connection (as the binary)", &mut fresh),
        ("after the bind, same connection again", &mut reused),
    ] {
        times.sort();
        println!(
            "  {what}: p50 {}  p90 {}  p99 {}  max {}",
            ms(percentile(times, 50)),
            ms(percentile(times, 90)),
            ms(percentile(times, 99)),
            ms(times.last().copied().unwrap_or_default()),
        );
    }
}

/// Reads and diagnoses the user as `resetlens diagnose` does; the time taken and whether the
/// verdict is blocked.
async fn diagnose_once(session: &Session, query: &[String]) -> (Duration, bool) {
    let started = Instant::now();
    let dir = ldap::read_users(session, None, None, query)
        .await
        .unwrap_or_else(|e| panic!("reading {USER} from the lab DC failed: {e}"));
    let user = dir.find_user(USER).expect("the user just read");
    let d = diagnose(&DiagnosisInput {
        directory: &dir,
        user,
        events: &[],
        at: None,
        now: Utc::now(),
    });
    (started.elapsed(), d.is_blocked())
}

/// The nearest-rank percentile of sorted `times`.
fn percentile(times: &[Duration], p: usize) -> Duration {
    let rank = (times.len() * p).div_ceil(100).max(1);
    times.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
