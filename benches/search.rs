//! The console's user search at helpdesk scale: 100,000 synthetic users, one query typed a key at
//! a time. The console matches in slices (see `tui::search`), so each nucleo keystroke is timed
//! twice: from the new query to the first visible list (`Search::update`: one slice scored, the
//! best of it sorted, what the screen draws at once) and to the complete list (then `advance`
//! until every candidate is scored, which the console does between keystrokes). Each keystroke
//! completes before the next is typed. fuzzy-matcher's SkimMatcherV2, the baseline nucleo
//! replaced, is measured beside it, one-shot (its first list is its complete list). Before
//! criterion runs, the per-keystroke latencies of several typing sessions are printed as
//! p50 / p99 / max; the target is p99 <= 10 ms to the first visible list.
//!
//! Also timed: opening a user of the demo tenant, i.e. what the console's `Diagnose` command does
//! after Enter (the user's events picked out of the ingested logs, then the diagnosis).
//!
//! cargo bench --bench search

use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use resetlens::tui::search::{Search, SearchFields, SearchIndex};

const USERS: usize = 100_000;
const FIRST: [&str; 16] = [
    "Anna", "Bob", "Carlos", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "José", "Kofi", "Lena",
    "María", "Nils", "Olga", "Priya",
];
const LAST: [&str; 16] = [
    "Smith",
    "García",
    "Müller",
    "Nguyen",
    "Okafor",
    "Rossi",
    "Kowalski",
    "Dubois",
    "Tanaka",
    "Silva",
    "Johansson",
    "Haddad",
    "O'Brien",
    "Novák",
    "Jensen",
    "Cohen",
];
/// Typed one key at a time; from one that matches nearly everyone to one that matches nobody.
const SESSIONS: [&str; 5] = ["maria garcia", "jsmith4711", "contoso", "helpdesk", "zzqx"];

fn users() -> Vec<SearchFields> {
    (0..USERS)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            let sam = format!("{}{}{}", first.chars().next().unwrap_or('x'), last, i).to_lowercase();
            let domain = if i % 10 == 0 {
                "fabrikam.com"
            } else {
                "contoso.com"
            };
            SearchFields {
                sam_account_name: sam.clone(),
                user_principal_name: format!("{sam}@{domain}"),
                display_name: format!("{first} {last}"),
                mail: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
            }
        })
        .collect()
}

/// The skim baseline does what the console would do without nucleo: score every user's fields
/// on every keystroke, then sort.
fn skim_keystroke(matcher: &SkimMatcherV2, haystacks: &[String], query: &str) -> Vec<(i64, usize)> {
    let mut hits: Vec<(i64, usize)> = haystacks
        .iter()
        .enumerate()
        .filter_map(|(i, h)| matcher.fuzzy_match(h, query).map(|s| (s, i)))
        .collect();
    hits.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| {
        samples
            .get(((samples.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    (at(0.5), at(0.99), samples.last().copied().unwrap_or_default())
}

/// One keystroke's latency: to the first visible list, and to the complete one.
#[derive(Clone, Copy)]
struct Keystroke {
    first: Duration,
    complete: Duration,
}

/// Every keystroke of every session, five times over, as individual latencies with the query.
/// `per_key` handles one keystroke and returns when its first list was visible; the rest of its
/// work (if any) is timed up to its return.
fn keystroke_latencies(
    mut per_key: impl FnMut(&'static str, &str, Instant) -> Duration,
) -> Vec<(Keystroke, &'static str)> {
    let mut samples = Vec::new();
    for _ in 0..5 {
        for session in SESSIONS {
            for end in session.char_indices().map(|(i, c)| i + c.len_utf8()) {
                let query = &session[..end];
                let t = Instant::now();
                let first = per_key(session, query, t);
                samples.push((
                    Keystroke {
                        first,
                        complete: t.elapsed(),
                    },
                    query,
                ));
            }
        }
    }
    samples
}

/// Prints the percentiles and the slowest keystrokes of one measure, so a miss can be traced to
/// its query.
fn report_one(name: &str, mut samples: Vec<(Duration, &str)>) {
    let n = samples.len();
    let (p50, p99, max) = percentiles(samples.iter().map(|s| s.0).collect());
    println!("{name:<40} {n} keystrokes over {USERS} users: p50 {p50:?}  p99 {p99:?}  max {max:?}");
    samples.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
    let slowest: Vec<String> = samples
        .iter()
        .take(5)
        .map(|(d, q)| format!("{q:?} {d:?}"))
        .collect();
    println!("{:<40} slowest: {}", "", slowest.join(", "));
}

fn report(name: &str, samples: &[(Keystroke, &str)]) {
    report_one(
        &format!("{name}, to first visible list"),
        samples.iter().map(|(k, q)| (k.first, *q)).collect(),
    );
    report_one(
        &format!("{name}, to complete list"),
        samples.iter().map(|(k, q)| (k.complete, *q)).collect(),
    );
}

fn search(c: &mut Criterion) {
    let fields = users();
    let index = SearchIndex::from_fields(fields.clone());
    let haystacks: Vec<String> = fields
        .iter()
        .map(|f| {
            format!(
                "{}  {}  {}  {}",
                f.sam_account_name, f.user_principal_name, f.display_name, f.mail
            )
        })
        .collect();
    let skim = SkimMatcherV2::default();

    // Latency per keystroke, as the console sees it: one Search per typing session.
    let mut search = Search::default();
    let mut current = "";
    report(
        "nucleo (console, sliced)",
        &keystroke_latencies(|session, query, t| {
            if session != current {
                search = Search::default();
                current = session;
            }
            search.update(&index, query);
            black_box(search.hits().first());
            let first = t.elapsed();
            while search.advance(&index) {
                black_box(search.hits().first());
            }
            black_box(search.hits().len());
            first
        }),
    );
    report(
        "fuzzy-matcher skim (one-shot)",
        &keystroke_latencies(|_, query, t| {
            black_box(skim_keystroke(&skim, &haystacks, query).len());
            t.elapsed()
        }),
    );

    let mut group = c.benchmark_group("type a query, 100k users");
    group.sample_size(10);
    for session in SESSIONS {
        group.bench_function(format!("nucleo/{session}"), |b| {
            b.iter(|| {
                let mut s = Search::default();
                for end in session.char_indices().map(|(i, ch)| i + ch.len_utf8()) {
                    s.update(&index, &session[..end]);
                    while s.advance(&index) {}
                }
                black_box(s.hits().len())
            })
        });
        group.bench_function(format!("skim/{session}"), |b| {
            b.iter(|| {
                let mut n = 0;
                for end in session.char_indices().map(|(i, ch)| i + ch.len_utf8()) {
                    n += skim_keystroke(&skim, &haystacks, &session[..end]).len();
                }
                black_box(n)
            })
        });
    }
    group.finish();
    c.bench_function("prepare the index, 100k users", |b| {
        b.iter(|| black_box(SearchIndex::from_fields(fields.iter().cloned()).len()))
    });
}

fn open_user(c: &mut Criterion) {
    use resetlens::diagnosis::{diagnose, DiagnosisInput};
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let Ok(dir) = resetlens::directory::snapshot::read(&samples.join("contoso-directory.snapshot.json"))
    else {
        eprintln!("sample-logs/ missing: open-a-user benchmark skipped");
        return;
    };
    let report = resetlens::events::ingest::ingest(&[samples], &Default::default(), &|_| {});
    let Some(bob) = dir.users.iter().find(|u| u.sam_account_name == "bob") else {
        return;
    };
    c.bench_function("open bob on the demo tenant (events + diagnose)", |b| {
        b.iter(|| {
            let now = chrono::Utc::now();
            black_box(diagnose(&DiagnosisInput {
                directory: &dir,
                user: bob,
                events: &report.events,
                at: None,
                now,
            }))
        })
    });
}

criterion_group!(benches, search, open_user);
criterion_main!(benches);
