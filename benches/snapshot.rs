//! Loading a 100,000-user snapshot (the bar: well under a second). Generates the snapshot
//! in memory once, then measures `snapshot::from_bytes` (JSON parse, descriptor table decode,
//! index resolution) and, for comparison, `snapshot::write`.
//!
//!     cargo bench --bench snapshot

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use resetlens::directory::snapshot;

const USERS: usize = 100_000;

fn bench(c: &mut Criterion) {
    let dir = resetlens::testkit::synthetic::directory(USERS);
    let mut bytes = Vec::new();
    snapshot::write(&dir, &mut bytes).expect("write");
    eprintln!("snapshot of {USERS} users: {:.1} MB", bytes.len() as f64 / 1e6);

    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.throughput(Throughput::Elements(USERS as u64));
    group.bench_function("read_100k_users", |b| {
        b.iter(|| snapshot::from_bytes(&bytes, "bench").expect("read"))
    });
    group.bench_function("write_100k_users", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes.len());
            snapshot::write(&dir, &mut out).expect("write");
            out
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
