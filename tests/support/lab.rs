//! Shared helpers for integration tests against the lab's Samba AD DC (`.ci/samba-lab.sh start`).
//!
//! `Lab::get()` reads the env file the script writes (`$RESETLENS_LAB_ENV`, default
//! /tmp/resetlens-lab/lab.env) and panics with instructions when it or the DC is missing: tests
//! that need the DC never pass without it. The DC is shared by every test binary on the machine,
//! so each test creates its own uniquely named objects (`Lab::unique`) and never deletes or edits
//! the base objects (OU=Staff, alice, MSOL_abc123, Helpdesk, the domain root's ACEs).
//!
//! Set-up writes go through the DC as Administrator (ldap3 over LDAPS, and `ldbmodify` for
//! descriptors written as SDDL, which Samba's own tooling turns into binary so the set-up does not
//! depend on the code under test). Ground truth is the DC's own answer when the connector account
//! really resets a password (`connector_can_reset`).
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use resetlens::cli::SourceArgs;
use resetlens::security::Sid;

/// Password given to users the tests create (meets Samba's complexity rules).
pub const TEST_USER_PASSWORD: &str = "Te5t!User-Pass";
/// Reset Password extended right and the classes tests scope grants to.
pub const RESET_PASSWORD: &str = "00299570-246d-11d0-a768-00aa006e0529";
pub const CLASS_USER: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";
pub const CLASS_COMPUTER: &str = "bf967a86-0de6-11d0-a285-00aa003049e2";
pub const ATTR_PWD_LAST_SET: &str = "bf967a0a-0de6-11d0-a285-00aa003049e2";
/// A DACL that blocks inheritance and grants only what admins and readers need (no writeback ACE).
pub const PROTECTED_OU_DACL: &str =
    "D:P(A;CI;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;CI;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;CI;RPLCLORC;;;AU)";
/// The same for a single object (what "disable inheritance, remove inherited" leaves).
pub const PROTECTED_USER_DACL: &str =
    "D:P(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPLCLORC;;;AU)";

#[derive(Debug, Clone)]
pub struct Lab {
    pub dir: PathBuf,
    pub host: String,
    pub ldaps_url: String,
    pub ldap_url: String,
    pub ca_cert: PathBuf,
    pub base_dn: String,
    pub realm: String,
    pub netbios: String,
    pub admin_dn: String,
    pub admin_upn: String,
    pub admin_password_file: PathBuf,
    pub connector: String,
    pub connector_dn: String,
    pub connector_password_file: PathBuf,
    pub staff_ou: String,
    pub alice_dn: String,
    pub helpdesk_dn: String,
    pub krb5_config: PathBuf,
}

const HOW_TO_START: &str = "start the lab first: .ci/samba-lab.sh start (as root; see README)";

impl Lab {
    /// The running lab, or a panic saying how to start it.
    pub fn get() -> Lab {
        let path = std::env::var_os("RESETLENS_LAB_ENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp/resetlens-lab/lab.env"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "the Samba lab DC is required: cannot read {} ({e}); {HOW_TO_START}",
                path.display()
            )
        });
        let vars: HashMap<String, String> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('\'').to_string()))
            .collect();
        let get = |k: &str| {
            vars.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("{} lacks {k}; re-run .ci/samba-lab.sh start", path.display()))
        };
        let lab = Lab {
            dir: get("RESETLENS_LAB_DIR").into(),
            host: get("RESETLENS_LAB_HOST"),
            ldaps_url: get("RESETLENS_LAB_LDAPS_URL"),
            ldap_url: get("RESETLENS_LAB_LDAP_URL"),
            ca_cert: get("RESETLENS_LAB_CA_CERT").into(),
            base_dn: get("RESETLENS_LAB_BASE_DN"),
            realm: get("RESETLENS_LAB_REALM"),
            netbios: get("RESETLENS_LAB_NETBIOS"),
            admin_dn: get("RESETLENS_LAB_ADMIN_DN"),
            admin_upn: get("RESETLENS_LAB_ADMIN_UPN"),
            admin_password_file: get("RESETLENS_LAB_ADMIN_PASSWORD_FILE").into(),
            connector: get("RESETLENS_LAB_CONNECTOR"),
            connector_dn: get("RESETLENS_LAB_CONNECTOR_DN"),
            connector_password_file: get("RESETLENS_LAB_CONNECTOR_PASSWORD_FILE").into(),
            staff_ou: get("RESETLENS_LAB_STAFF_OU"),
            alice_dn: get("RESETLENS_LAB_ALICE_DN"),
            helpdesk_dn: get("RESETLENS_LAB_HELPDESK_DN"),
            krb5_config: get("KRB5_CONFIG").into(),
        };
        if std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], 636).into(), Duration::from_secs(3))
            .is_err()
        {
            panic!("the Samba lab DC is not listening on 127.0.0.1:636; {HOW_TO_START}");
        }
        lab
    }

    pub fn admin_password(&self) -> String {
        read_secret(&self.admin_password_file)
    }

    pub fn connector_password(&self) -> String {
        read_secret(&self.connector_password_file)
    }

    /// A name no other test (in this or another process) uses: `<prefix>-<pid>-<n>`, kept short
    /// because sAMAccountName allows 20 characters.
    pub fn unique(prefix: &str) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id() % 100_000;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() % 10_000)
            .unwrap_or(0);
        format!("{prefix}{pid}x{stamp}x{n}")
    }

    /// resetlens's source flags for LDAPS as Administrator, verifying with the lab CA.
    pub fn admin_source_args(&self) -> SourceArgs {
        SourceArgs {
            ldap_url: Some(self.ldaps_url.clone()),
            bind_dn: Some(self.admin_upn.clone()),
            password_file: Some(self.admin_password_file.clone()),
            ca_cert: Some(self.ca_cert.clone()),
            timeout: Some(20),
            ..SourceArgs::default()
        }
    }

    /// An LDAPS connection bound as `who`, verifying the lab CA.
    pub async fn bind(&self, who: &str, password: &str) -> ldap3::Ldap {
        let pem = std::fs::read(&self.ca_cert).expect("lab CA readable");
        let ca = native_tls::Certificate::from_pem(&pem).expect("lab CA is PEM");
        let tls = native_tls::TlsConnector::builder()
            .add_root_certificate(ca)
            .build()
            .expect("TLS connector");
        let settings = LdapConnSettings::new()
            .set_connector(tls)
            .set_conn_timeout(Duration::from_secs(20));
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.ldaps_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}; {HOW_TO_START}", self.ldaps_url));
        ldap3::drive!(conn);
        ldap.simple_bind(who, password)
            .await
            .and_then(|r| r.success())
            .unwrap_or_else(|e| panic!("bind as {who} failed: {e}"));
        ldap
    }

    pub async fn admin(&self) -> Admin {
        Admin {
            ldap: self.bind(&self.admin_upn, &self.admin_password()).await,
            lab: self.clone(),
        }
    }

    /// Ground truth: the connector account (MSOL_abc123) binds over LDAPS and really resets the
    /// user's password. `true` on success, `false` on "insufficient access rights" (50); anything
    /// else is a broken set-up and panics.
    pub async fn connector_can_reset(&self, user_dn: &str) -> bool {
        self.can_reset_as(&self.connector_upn(), &self.connector_password(), user_dn)
            .await
    }

    /// The same ground truth for any account that can bind (`who` is a UPN or DN).
    pub async fn can_reset_as(&self, who: &str, password: &str, user_dn: &str) -> bool {
        let mut ldap = self.bind(who, password).await;
        let new = format!("\"Rst!{}aA9\"", Lab::unique("p"));
        let utf16: Vec<u8> = new.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let result = ldap
            .modify(
                user_dn,
                vec![Mod::Replace(
                    b"unicodePwd".to_vec(),
                    [utf16].into_iter().collect(),
                )],
            )
            .await
            .expect("modify sent");
        let _ = ldap.unbind().await;
        match result.rc {
            0 => true,
            50 => false,
            rc => panic!(
                "ground-truth reset of {user_dn} gave LDAP {rc} {} (set-up error)",
                result.text
            ),
        }
    }

    pub fn connector_upn(&self) -> String {
        format!("{}@{}", self.connector, self.realm.to_ascii_lowercase())
    }

    /// The DACL of `dn` as SDDL, read through Samba's tooling.
    pub fn dacl_sddl(&self, dn: &str) -> String {
        let out = self.ldb(
            "ldbsearch",
            &[
                "-b",
                dn,
                "-s",
                "base",
                "--controls=sd_flags:1:4",
                "nTSecurityDescriptor",
            ],
            None,
        );
        let unfolded = out.replace("\n ", "");
        unfolded
            .lines()
            .find_map(|l| l.strip_prefix("nTSecurityDescriptor: "))
            .unwrap_or_else(|| panic!("no nTSecurityDescriptor for {dn} in: {out}"))
            .to_string()
    }

    /// Replaces the DACL of `dn` with `dacl` (SDDL starting with `D:`).
    pub fn set_dacl(&self, dn: &str, dacl: &str) {
        let ldif = format!(
            "dn: {dn}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: {dacl}\n-\n"
        );
        self.ldb("ldbmodify", &["--controls=sd_flags:1:4"], Some(&ldif));
    }

    /// Puts explicit `aces` (SDDL ACE strings) first in the DACL of `dn`, keeping its other
    /// explicit ACEs and flags; the DC recomputes the inherited ones.
    pub fn add_aces(&self, dn: &str, aces: &str) {
        let current = self.dacl_sddl(dn);
        let body = current.strip_prefix("D:").unwrap_or(&current);
        let (flags, list) = body.split_at(body.find('(').unwrap_or(body.len()));
        let explicit: String = list
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(")(")
            .filter(|a| !a.is_empty())
            .filter(|a| !a.split(';').nth(1).unwrap_or("").contains("ID"))
            .map(|a| format!("({a})"))
            .collect();
        self.set_dacl(dn, &format!("D:{flags}{aces}{explicit}"));
    }

    /// Deletes `dn` through Samba's `ldbdel` (usable in a `Drop`).
    pub fn ldb_delete(&self, dn: &str) {
        self.ldb("ldbdel", &[dn], None);
    }

    /// Applies an LDIF change through Samba's `ldbmodify` (usable where no runtime is, e.g. in a
    /// `Drop` that restores a shared object).
    pub fn ldb_modify(&self, ldif: &str) {
        self.ldb("ldbmodify", &[], Some(ldif));
    }

    fn ldb(&self, tool: &str, args: &[&str], stdin: Option<&str>) -> String {
        use std::io::Write;
        let mut cmd = Command::new(tool);
        cmd.args(["-H", "ldap://127.0.0.1", "-U", "Administrator"])
            .args(args)
            .env("PASSWD", self.admin_password())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if stdin.is_some() {
            cmd.stdin(std::process::Stdio::piped());
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {tool} (apt-get install ldb-tools): {e}"));
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).expect("write LDIF");
        }
        let out = child.wait_with_output().expect("ldb tool finished");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

/// Administrator's connection, for test set-up.
pub struct Admin {
    pub ldap: ldap3::Ldap,
    lab: Lab,
}

impl Admin {
    pub async fn add(&mut self, dn: &str, attrs: Vec<(&str, Vec<Vec<u8>>)>) {
        let attrs = attrs
            .into_iter()
            .map(|(k, vs)| (k.as_bytes().to_vec(), vs.into_iter().collect()))
            .collect();
        self.ldap
            .add(dn, attrs)
            .await
            .and_then(|r| r.success())
            .unwrap_or_else(|e| panic!("add {dn}: {e}"));
    }

    /// A new OU `OU=<name>,<parent>`.
    pub async fn create_ou(&mut self, name: &str, parent: &str) -> String {
        let dn = format!("OU={name},{parent}");
        self.add(&dn, vec![("objectClass", vec![b"organizationalUnit".to_vec()])])
            .await;
        dn
    }

    /// A new OU directly under the domain whose DACL is protected and grants no writeback right.
    pub async fn create_protected_ou(&mut self, name: &str) -> String {
        let base = self.lab.base_dn.clone();
        let dn = self.create_ou(name, &base).await;
        self.lab.set_dacl(&dn, PROTECTED_OU_DACL);
        dn
    }

    /// A new enabled user `CN=<sam>,<parent>` with `TEST_USER_PASSWORD`.
    pub async fn create_user(&mut self, sam: &str, parent: &str) -> String {
        let dn = format!("CN={sam},{parent}");
        let pw: Vec<u8> = format!("\"{TEST_USER_PASSWORD}\"")
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let upn = format!("{sam}@{}", self.lab.realm.to_ascii_lowercase());
        self.add(
            &dn,
            vec![
                ("objectClass", vec![b"user".to_vec()]),
                ("sAMAccountName", vec![sam.as_bytes().to_vec()]),
                ("userPrincipalName", vec![upn.into_bytes()]),
                ("unicodePwd", vec![pw]),
                ("userAccountControl", vec![b"512".to_vec()]),
            ],
        )
        .await;
        dn
    }

    /// A new global security group `CN=<name>,<parent>`.
    pub async fn create_group(&mut self, name: &str, parent: &str) -> String {
        let dn = format!("CN={name},{parent}");
        self.add(
            &dn,
            vec![
                ("objectClass", vec![b"group".to_vec()]),
                ("sAMAccountName", vec![name.as_bytes().to_vec()]),
            ],
        )
        .await;
        dn
    }

    pub async fn add_member(&mut self, group_dn: &str, member_dn: &str) {
        self.replace_or_add(group_dn, "member", member_dn.as_bytes(), false)
            .await;
    }

    pub async fn set_attr(&mut self, dn: &str, attr: &str, value: &str) {
        self.replace_or_add(dn, attr, value.as_bytes(), true).await;
    }

    pub async fn set_binary_attr(&mut self, dn: &str, attr: &str, value: &[u8]) {
        self.replace_or_add(dn, attr, value, true).await;
    }

    async fn replace_or_add(&mut self, dn: &str, attr: &str, value: &[u8], replace: bool) {
        let values = [value.to_vec()].into_iter().collect();
        let m = if replace {
            Mod::Replace(attr.as_bytes().to_vec(), values)
        } else {
            Mod::Add(attr.as_bytes().to_vec(), values)
        };
        self.ldap
            .modify(dn, vec![m])
            .await
            .and_then(|r| r.success())
            .unwrap_or_else(|e| panic!("modify {attr} of {dn}: {e}"));
    }

    pub async fn sid_of(&mut self, dn: &str) -> Sid {
        let (entries, _) = self
            .ldap
            .search(dn, Scope::Base, "(objectClass=*)", vec!["objectSid"])
            .await
            .and_then(|r| r.success())
            .unwrap_or_else(|e| panic!("read objectSid of {dn}: {e}"));
        let entry = SearchEntry::construct(entries.into_iter().next().expect("one entry"));
        let bytes = entry
            .bin_attrs
            .get("objectSid")
            .and_then(|v| v.first())
            .expect("objectSid present");
        Sid::from_bytes(bytes).expect("valid SID").0
    }
}

fn read_secret(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {HOW_TO_START}", path.display()))
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// A TCP relay to the lab DC's LDAPS port that the test can cut: after `limit` bytes from the DC it
/// either closes both sides (the DC "stops") or stops relaying while keeping the sockets open (the
/// DC "hangs"). `set_down` stops the DC for new connections (accepted, then closed at once) and
/// brings it back, without touching the shared DC.
pub struct CuttableProxy {
    pub port: u16,
    /// Bytes relayed from the DC so far, over all connections.
    pub relayed: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl CuttableProxy {
    pub fn start(limit: usize, hang: bool) -> CuttableProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let relayed = Arc::new(AtomicUsize::new(0));
        let down = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(AtomicBool::new(false));
        let (counter, is_down) = (relayed.clone(), down.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if is_down.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect("127.0.0.1:636") else {
                    return;
                };
                let pump = |mut from: TcpStream, mut to: TcpStream, count: bool| {
                    let (relayed, cut) = (relayed.clone(), cut.clone());
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 4096];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if count && relayed.fetch_add(n, Ordering::SeqCst) + n > limit {
                                cut.store(true, Ordering::SeqCst);
                            }
                            if cut.load(Ordering::SeqCst) {
                                if hang {
                                    std::thread::sleep(Duration::from_secs(120));
                                }
                                break;
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = from.shutdown(Shutdown::Both);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                };
                let (c2, s2) = (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                );
                pump(client, server, false);
                pump(s2, c2, true);
            }
        });
        CuttableProxy {
            port,
            relayed: counter,
            down,
        }
    }

    /// Stops (`true`) or restarts the DC as the relay's clients see it.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// A server on loopback that accepts connections and never answers, as a DC whose LDAP service
/// hangs does. The accepted sockets stay open while it lives.
pub struct SilentServer {
    pub port: u16,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind silent server");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for client in listener.incoming().flatten() {
                held.push(client);
            }
        });
        SilentServer { port }
    }
}
