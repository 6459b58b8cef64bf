//! Diagnosis speed: one user's full diagnosis (descriptor parse, five access checks, every rule,
//! the verdict), and an offline scan of a 100,000-user snapshot exactly as `resetlens scan` runs it
//! (read the snapshot, stream pages, diagnose each user, write a row). Goal: the scan under 2 s.
//!
//! Run: `cargo bench --bench diagnose`. With RESETLENS_BENCH_SNAPSHOT=FILE the 100k snapshot is
//! also written to FILE, so the release binary can be timed on it:
//! `time target/release/resetlens scan --snapshot FILE --format json > /dev/null`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use resetlens::diagnosis::{diagnose, DiagnosisInput, Scan};
use resetlens::directory::{
    block_on, snapshot, users_stream, ConnectorAccount, ConnectorLookup, Container, Directory,
    DirectoryConfig, Domain,
};
use resetlens::report::scan::{ScanFormat, ScanRow, ScanWriter};
use resetlens::security::{SecurityDescriptor, Sid};
use resetlens::testkit::UserBuilder;

const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";
const CONNECTOR: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";

/// A user's DACL as Samba's default user class and the lab's domain root leave it (36 ACEs), with
/// the connector's three grants inherited near the end.
fn user_sddl(protected: bool) -> String {
    let explicit = "(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)\
(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;AO)(A;;RPLCLORC;;;PS)(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)\
(OA;;CR;ab721a54-1e2f-11d0-9819-00aa0040529b;;PS)(OA;;CR;ab721a56-1e2f-11d0-9819-00aa0040529b;;PS)\
(OA;;RPWP;77b5b886-944a-11d1-aebd-0000f80367c1;;PS)(OA;;RPWP;e45795b2-9455-11d1-aebd-0000f80367c1;;PS)\
(OA;;RPWP;e45795b3-9455-11d1-aebd-0000f80367c1;;PS)(OA;;RP;037088f8-0ae1-11d2-b422-00a0c968f939;;RS)\
(OA;;RP;4c164200-20c0-11d0-a768-00aa006e0529;;RS)(OA;;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;;RS)\
(A;;RC;;;AU)(OA;;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;;AU)(OA;;RP;77b5b886-944a-11d1-aebd-0000f80367c1;;AU)\
(OA;;RP;e45795b3-9455-11d1-aebd-0000f80367c1;;AU)(OA;;RP;e48d0154-bcf8-11d1-8702-00c04fb96050;;AU)\
(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)(OA;;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;;RS)\
(OA;;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;;CA)(OA;;RP;46a9b11d-60ae-405a-b7e8-ff8a58d456d2;;S-1-5-32-560)\
(OA;;RPWP;6db69a1c-9422-11d1-aebd-0000f80367c1;;S-1-5-32-561)(OA;;RPWP;5805bc62-bdc9-4428-a5e2-856a0f4c185e;;S-1-5-32-561)";
    if protected {
        return format!("O:DAG:DAD:PAI{explicit}");
    }
    format!(
        "O:DAG:DAD:AI{explicit}\
(OA;CIID;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR})\
(OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR})\
(OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;{CONNECTOR})\
(OA;CIIOID;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)\
(OA;CIID;RP;4c164200-20c0-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIID;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)\
(OA;CIID;RPLCLORC;;bf967aba-0de6-11d0-a285-00aa003049e2;RU)(A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)\
(A;CIID;LC;;;RU)(A;CIID;RPWPCRCCLCLORCWOWDSDSW;;;BA)"
    )
}

fn sd(sddl: &str) -> Arc<[u8]> {
    SecurityDescriptor::sddl_to_bytes(sddl, &DOMAIN.parse().expect("SID")).expect("SDDL")
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

/// `n` users in 8 OUs: 98% inheriting with the connector's grants, 1% with inheritance disabled,
/// 0.5% disabled, 0.5% with adminCount left over.
fn domain_of(n: usize) -> Directory {
    let domain_sid: Sid = DOMAIN.parse().expect("SID");
    let inheriting = sd(&user_sddl(false));
    let protected = sd(&user_sddl(true));
    let users = (0..n)
        .map(|i| {
            let odd = i % 200;
            let descriptor = if odd < 3 && odd != 1 {
                &protected
            } else {
                &inheriting
            };
            let user = UserBuilder::new(
                format!("CN=User {i},OU=Site{},OU=Staff,DC=contoso,DC=test", i % 8),
                format!("user{i}"),
            )
            .upn(format!("user{i}@contoso.test"))
            .display_name(format!("User {i}"))
            .mail(format!("user{i}@contoso.test"))
            .sid(domain_sid.with_rid(5000 + i as u32))
            .uac(if odd == 1 { 0x202 } else { 0x200 })
            .uac_computed(0)
            .pwd_last_set(at("2026-10-01T08:00:00Z"))
            .bad_pwd_count(0)
            .member_of(vec!["CN=Staff,OU=Groups,DC=contoso,DC=test".into()])
            .token_groups(vec![domain_sid.with_rid(513)])
            .descriptor(descriptor.clone());
            if odd == 2 {
                user.admin_count(1).build()
            } else {
                user.build()
            }
        })
        .collect();
    let connector: Sid = CONNECTOR.parse().expect("SID");
    Directory {
        domain: Domain {
            security_descriptor: Some(sd("O:DAG:DAD:(A;;RPLCLORC;;;AU)(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)")),
            ..Domain::with_default_policy("DC=contoso,DC=test", "CONTOSO", domain_sid)
        },
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_abc123,CN=Users,DC=contoso,DC=test".into(),
            sam_account_name: "MSOL_abc123".into(),
            sid: connector.clone(),
            token_groups: vec![],
        }),
        containers: (0..8)
            .map(|i| Container {
                dn: format!("OU=Site{i},OU=Staff,DC=contoso,DC=test"),
                dacl_protected: false,
                security_descriptor: None,
            })
            .collect(),
        password_settings: vec![],
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::from([(connector, "CONTOSO\\MSOL_abc123".to_string())]),
        users,
        source: "bench".into(),
        captured_at: at("2026-11-25T12:00:00Z"),
    }
}

fn bench(c: &mut Criterion) {
    let one = domain_of(1);
    let now = at("2026-11-25T12:00:00Z");
    c.bench_function("diagnose one user", |b| {
        b.iter(|| {
            black_box(diagnose(&DiagnosisInput {
                directory: &one,
                user: &one.users[0],
                events: &[],
                at: None,
                now,
            }))
        })
    });

    const N: usize = 100_000;
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("RESETLENS_BENCH_SNAPSHOT")
        .map(Into::into)
        .unwrap_or_else(|| tmp.path().join("bench-100k.snapshot.json"));
    snapshot::write(&domain_of(N), std::fs::File::create(&path).expect("create")).expect("write snapshot");
    let cfg = DirectoryConfig::from_snapshot(path);
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("100k-user snapshot", |b| {
        b.iter(|| {
            let mut writer = ScanWriter::new(std::io::sink(), ScanFormat::Json).expect("sink");
            let mut scan = Scan::new(&[], None, now);
            block_on(async {
                let mut stream = users_stream(&cfg, None).await?;
                while let Some(page) = stream.next_page().await? {
                    for user in &page {
                        let d = scan.diagnose(stream.context(), user);
                        writer.row(&ScanRow::of(&d)).expect("sink");
                    }
                }
                Ok(())
            })
            .expect("scan");
            black_box(writer.finish().expect("sink"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
