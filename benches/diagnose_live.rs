//! `diagnose` of one user on the live lab DC after the bind (the bar: under 100 ms on
//! loopback). Connects and binds once (LDAPS, Administrator, the lab CA verified), then N times
//! reads everything `resetlens diagnose alice` reads over that connection (rootDSE, domain,
//! AdminSDHolder, PSOs, connector, the user, her containers, trustee names) and diagnoses her.
//! Prints the bind time once and p50/p90/p99/max of the N runs.
//!
//!     cargo bench --bench diagnose_live            # N = 200
//!     cargo bench --bench diagnose_live -- 50      # N = 50
//!
//! Needs the Samba lab DC (`.ci/samba-lab.sh start`): without it, it stops with instructions.
//! The whole binary, connect and bind included, is timed separately, e.g.
//! `hyperfine -N --warmup 3 'target/release/resetlens diagnose alice --ldap-url ... -i'`
//! (the README's performance table has the exact command).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use resetlens::config::{DirectorySource, SourceConfig};
use resetlens::diagnosis::{diagnose, DiagnosisInput};
use resetlens::directory::ldap::{self, Session};

const DEFAULT_RUNS: usize = 200;
const USER: &str = "alice";

fn main() {
    let runs = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_RUNS);
    let lab = common::Lab::get();
    let cfg = SourceConfig::resolve(&lab.admin_source_args()).expect("lab source flags resolve");
    let Some(DirectorySource::Ldap(ldap_cfg)) = &cfg.directory else {
        panic!("the lab source flags name no LDAP URL");
    };
    // The runtime `resetlens diagnose` uses (directory::block_on): two workers.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let started = Instant::now();
        let session = Session::connect(ldap_cfg)
            .await
            .unwrap_or_else(|e| panic!("cannot bind to the lab DC: {e}"));
        let bind = started.elapsed();
        let query = [USER.to_string()];
        let mut times = Vec::with_capacity(runs);
        let mut blocked = false;
        for _ in 0..runs {
            let started = Instant::now();
            let dir = ldap::read_users(&session, None, None, &query)
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
            times.push(started.elapsed());
            blocked = d.is_blocked();
        }
        times.sort();
        println!(
            "diagnose_live: {USER} on {} ({runs} runs, one bind)",
            ldap_cfg.url
        );
        println!("  connect + bind (once): {}", ms(bind));
        println!(
            "  after the bind: p50 {}  p90 {}  p99 {}  max {}  (verdict: {})",
            ms(percentile(&times, 50)),
            ms(percentile(&times, 90)),
            ms(percentile(&times, 99)),
            ms(times.last().copied().unwrap_or_default()),
            if blocked { "blocked" } else { "can succeed" }
        );
    });
}

/// The nearest-rank percentile of sorted `times`.
fn percentile(times: &[Duration], p: usize) -> Duration {
    let rank = (times.len() * p).div_ceil(100).max(1);
    times.get(rank - 1).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
