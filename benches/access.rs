//! Security descriptor parse + effective-access evaluation of all five writeback rights, on a
//! descriptor shaped like a default AD user's (explicit defaults from the user class, inherited
//! domain ACEs and the connector's grants near the end). Goal: >= 200,000 descriptors/s per core.
//!
//! Run: `cargo bench --bench access` (criterion prints descriptors/s as "elem/s").

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use resetlens::security::access::{check, Principal, Right};
use resetlens::security::{SecurityDescriptor, Sid};

const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

/// 31 ACEs: the user class's default DACL, then what a domain root and an OU pass down.
const USER_SDDL: &str = "O:DAG:DUD:AI\
(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)\
(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)\
(OA;;CR;ab721a54-1e2f-11d0-9819-00aa0040529b;;PS)\
(OA;;CR;ab721a56-1e2f-11d0-9819-00aa0040529b;;PS)\
(OA;;RPWP;77b5b886-944a-11d1-aebd-0000f80367c1;;PS)\
(OA;;RPWP;e45795b2-9455-11d1-aebd-0000f80367c1;;PS)\
(OA;;RPWP;e45795b3-9455-11d1-aebd-0000f80367c1;;PS)\
(OA;;RP;037088f8-0ae1-11d2-b422-00a0c968f939;;RS)\
(OA;;RP;4c164200-20c0-11d0-a768-00aa006e0529;;RS)\
(OA;;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;;RS)\
(A;;RC;;;AU)\
(OA;;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;;AU)\
(OA;;RP;77b5b886-944a-11d1-aebd-0000f80367c1;;AU)\
(OA;;RP;e45795b3-9455-11d1-aebd-0000f80367c1;;AU)\
(OA;;RP;e48d0154-bcf8-11d1-8702-00c04fb96050;;AU)\
(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)\
(A;;LCRPLORC;;;PS)\
(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)\
(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;AO)\
(OA;CIIOID;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)\
(OA;CIID;RP;4c164200-20c0-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIID;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIID;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIID;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIIOID;RP;b7c69e6d-2cc7-11d2-854e-00a0c983f608;bf967a86-0de6-11d0-a285-00aa003049e2;ED)\
(OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1004336348-1177238915-682003330-1105)\
(OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1004336348-1177238915-682003330-1105)\
(OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1004336348-1177238915-682003330-1105)\
(A;CIID;LC;;;RU)\
(A;CIID;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)\
(A;CIID;LCRPLORC;;;ED)";

fn bench_access(c: &mut Criterion) {
    let domain: Sid = DOMAIN.parse().expect("constant SID");
    let bytes = SecurityDescriptor::from_sddl(USER_SDDL, Some(&domain))
        .expect("benchmark SDDL parses")
        .to_bytes();
    let connector = Principal::account(
        &domain.with_rid(1105),
        &[domain.with_rid(513), domain.with_rid(1200), domain.with_rid(1201)],
        false,
    );
    let name = |s: &Sid| s.to_string();

    let mut group = c.benchmark_group("user_descriptor");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse", |b| {
        b.iter(|| SecurityDescriptor::parse(black_box(&bytes)).expect("parses"))
    });
    group.bench_function("parse_and_check_all_rights", |b| {
        b.iter(|| {
            let sd = SecurityDescriptor::parse(black_box(&bytes)).expect("parses");
            Right::ALL.map(|right| check(&sd, &connector, right, Some(&domain), &name))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_access);
criterion_main!(benches);
