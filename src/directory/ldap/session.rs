//! One authenticated LDAP connection to a domain controller: TLS with verification, simple or
//! Kerberos bind, every operation bounded by the configured timeout, the SD flags control on every
//! search that reads nTSecurityDescriptor, and ldap3's errors turned into `DirectoryError`s a
//! helpdesk can act on.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::controls::RawControl;
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, SearchStream, StdStream};
use tokio::net::{lookup_host, TcpSocket};
use tokio::sync::Mutex;

use super::entry::Entry;
use crate::directory::{Auth, DirectoryError, LdapConfig, PasswordSource, Transport};

/// LDAP_SERVER_SD_FLAGS_OID: without it a non-admin gets no nTSecurityDescriptor at all and an
/// admin also gets the SACL.
const SD_FLAGS_OID: &str = "1.2.840.113556.1.4.801";
/// BER SEQUENCE { INTEGER 7 }: owner, group and DACL.
const SD_FLAGS_OWNER_GROUP_DACL: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x07];
/// Entries per page of a paged search (AD's MaxPageSize default is 1000).
const PAGE_SIZE: i32 = 1000;

/// sizeLimitExceeded: the DC stopped a search at its size limit.
pub const RC_SIZE_LIMIT_EXCEEDED: u32 = 4;
const RC_NO_SUCH_OBJECT: u32 = 32;
const RC_INVALID_CREDENTIALS: u32 = 49;

/// Cheap to clone: clones share the one connection, and ldap3 multiplexes operations issued from
/// several clones at once over it (each waits only for its own response).
#[derive(Clone)]
pub struct Session {
    ldap: ldap3::Ldap,
    /// Opens siblings: more connections to the same DC, bound as this one.
    dialer: Dialer,
    /// The configured URL, recorded as the directory's source.
    url: String,
    /// `host:port`, for messages.
    addr: String,
    timeout: Duration,
    /// Set on a connection Kerberos seals itself (no TLS): ldap3 0.12's SASL decoder drops
    /// replies that arrive in one buffer together with others, so there operations go one at a
    /// time instead of overlapping.
    one_at_a_time: Option<Arc<Mutex<()>>>,
}

/// A subtree search in progress, paged or not; yields entries in the order the DC sends them.
pub struct StreamedSearch {
    stream: SearchStream<'static, &'static str, Vec<&'static str>>,
    addr: String,
    timeout: Duration,
    base: String,
    /// "paged search under BASE" or "search under BASE", for messages.
    during: String,
}

/// What opening a connection needs, prepared once and shared by every connection to the DC: the
/// settings, the TLS connector (building one parses CA certificates) and the bind password (read,
/// or prompted for, at the first bind only).
#[derive(Clone)]
struct Dialer(Arc<DialerParts>);

struct DialerParts {
    cfg: LdapConfig,
    /// `None` for a Kerberos-sealed connection (no TLS).
    tls: Option<native_tls::TlsConnector>,
    password: std::sync::Mutex<Option<String>>,
}

impl Dialer {
    fn new(cfg: &LdapConfig) -> Result<Dialer, DirectoryError> {
        let tls = match cfg.transport {
            Transport::Sealed => None,
            Transport::Ldaps | Transport::StartTls => Some(tls_connector(cfg)?),
        };
        Ok(Dialer(Arc::new(DialerParts {
            cfg: cfg.clone(),
            tls,
            password: std::sync::Mutex::new(None),
        })))
    }

    /// Connects and binds.
    async fn connect(&self) -> Result<Session, DirectoryError> {
        let session = self.open().await?;
        session.bind().await?;
        Ok(session)
    }

    /// Connects (TLS included), without binding.
    async fn open(&self) -> Result<Session, DirectoryError> {
        let cfg = &self.0.cfg;
        let addr = format!("{}:{}", cfg.host, cfg.port);
        let secs = cfg.timeout.as_secs();
        // No ldap3 connect timeout: the one below bounds the TCP connect, TLS and StartTLS together.
        let mut settings = LdapConnSettings::new().set_starttls(cfg.transport == Transport::StartTls);
        if let Some(tls) = &self.0.tls {
            settings = settings.set_connector(tls.clone());
        }
        let url = match cfg.transport {
            Transport::Ldaps => format!("ldaps://{}", host_port(cfg)),
            Transport::StartTls | Transport::Sealed => format!("ldap://{}", host_port(cfg)),
        };
        let connecting = async {
            let settings = settings.set_std_stream(StdStream::Tcp(dial(&host_port(cfg)).await?));
            LdapConnAsync::with_settings(settings, &url).await
        };
        let (conn, ldap) = match tokio::time::timeout(cfg.timeout, connecting).await {
            Err(_) => {
                return Err(DirectoryError::Timeout {
                    addr,
                    secs,
                    during: "connect".into(),
                })
            }
            Ok(Err(e)) => return Err(connect_error(e, cfg, &addr)),
            Ok(Ok(pair)) => pair,
        };
        ldap3::drive!(conn);
        Ok(Session {
            ldap,
            dialer: self.clone(),
            url: cfg.url.clone(),
            addr,
            timeout: cfg.timeout,
            one_at_a_time: (cfg.transport == Transport::Sealed).then(|| Arc::new(Mutex::new(()))),
        })
    }

    /// The simple bind's password, read from its source once.
    fn password(&self, source: &PasswordSource, bind_dn: &str) -> Result<String, DirectoryError> {
        let mut known = self.0.password.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pw) = known.as_ref() {
            return Ok(pw.clone());
        }
        let pw = read_password(source, bind_dn)?;
        *known = Some(pw.clone());
        Ok(pw)
    }
}

impl Session {
    /// Connects and binds; every operation after this reuses the connection.
    pub async fn connect(cfg: &LdapConfig) -> Result<Session, DirectoryError> {
        Dialer::new(cfg)?.connect().await
    }

    /// Another connection to the same DC, bound as this one (same TLS connector, no new
    /// password prompt).
    pub async fn sibling(&self) -> Result<Session, DirectoryError> {
        self.dialer.connect().await
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    async fn bind(&self) -> Result<(), DirectoryError> {
        match &self.dialer.0.cfg.auth {
            Auth::Simple { bind_dn, password } => {
                let secret = self.dialer.password(password, bind_dn)?;
                let mut ldap = self.ldap.clone();
                let result = self
                    .bounded("bind", async move { ldap.simple_bind(bind_dn, &secret).await })
                    .await?;
                check_bind(result, bind_dn)
            }
            Auth::Kerberos { spn_host } => {
                // The GSSAPI library blocks (ticket cache, KDC round trips): keep it off the
                // runtime's worker threads.
                let mut ldap = self.ldap.clone();
                let host = spn_host.clone();
                let handle = tokio::runtime::Handle::current();
                let bind = tokio::task::spawn_blocking(move || {
                    handle.block_on(async move { ldap.sasl_gssapi_bind(&host).await })
                });
                let joined = tokio::time::timeout(self.timeout, bind)
                    .await
                    .map_err(|_| self.timeout_error("Kerberos bind"))?;
                let result = joined
                    .map_err(|e| DirectoryError::Kerberos {
                        spn_host: spn_host.clone(),
                        detail: e.to_string(),
                    })?
                    .map_err(|e| kerberos_error(e, spn_host))?;
                check_bind(result, &format!("Kerberos (ldap/{spn_host})"))
            }
        }
    }

    /// All entries of a search that fits in one response (base or one-level reads).
    pub async fn search(
        &self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&'static str],
    ) -> Result<Vec<Entry>, DirectoryError> {
        let mut ldap = self.ldap.clone();
        let attrs = attrs.to_vec();
        let during = format!("search under {base}");
        let result = self
            .bounded(&during, async move {
                if wants_descriptor(&attrs) {
                    ldap.with_controls(sd_flags_control());
                }
                ldap.search(base, scope, filter, attrs).await
            })
            .await?;
        let (entries, res) = (result.0, result.1);
        if res.rc != 0 {
            return Err(ldap_result_error(&during, base, res.rc, &res.text));
        }
        Ok(entries
            .into_iter()
            .filter(|e| !e.is_ref() && !e.is_intermediate())
            .map(|e| Entry::from(SearchEntry::construct(e)))
            .collect())
    }

    /// One object by DN; `None` if it does not exist.
    pub async fn read(&self, dn: &str, attrs: &[&'static str]) -> Result<Option<Entry>, DirectoryError> {
        match self.search(dn, Scope::Base, "(objectClass=*)", attrs).await {
            Ok(mut v) => Ok(v.pop()),
            Err(DirectoryError::Ldap {
                rc: RC_NO_SUCH_OBJECT,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Starts a paged subtree search; pull entries with [`StreamedSearch::next`].
    pub async fn paged(
        &self,
        base: &str,
        filter: &str,
        attrs: &[&'static str],
    ) -> Result<StreamedSearch, DirectoryError> {
        self.streamed(base, filter, attrs, true).await
    }

    /// Starts a subtree search without paging, its entries streamed as they come; a DC that caps
    /// such results (AD: MaxPageSize, 1000) ends it with sizeLimitExceeded
    /// ([`RC_SIZE_LIMIT_EXCEEDED`]) after that many.
    pub async fn unpaged(
        &self,
        base: &str,
        filter: &str,
        attrs: &[&'static str],
    ) -> Result<StreamedSearch, DirectoryError> {
        self.streamed(base, filter, attrs, false).await
    }

    async fn streamed(
        &self,
        base: &str,
        filter: &str,
        attrs: &[&'static str],
        paged: bool,
    ) -> Result<StreamedSearch, DirectoryError> {
        let mut adapters: Vec<Box<dyn Adapter<'static, &'static str, Vec<&'static str>>>> =
            vec![Box::new(EntriesOnly::new())];
        if paged {
            adapters.push(Box::new(PagedResults::new(PAGE_SIZE)));
        }
        let mut ldap = self.ldap.clone();
        let during = format!("{}search under {base}", if paged { "paged " } else { "" });
        let (b, f, a) = (base.to_string(), filter.to_string(), attrs.to_vec());
        let stream = self
            .bounded(&during, async move {
                if wants_descriptor(&a) {
                    ldap.with_controls(sd_flags_control());
                }
                ldap.streaming_search_with(adapters, &b, Scope::Subtree, &f, a)
                    .await
            })
            .await?;
        Ok(StreamedSearch {
            stream,
            addr: self.addr.clone(),
            timeout: self.timeout,
            base: base.to_string(),
            during,
        })
    }

    /// Runs one LDAP operation with the session's timeout and maps transport failures.
    async fn bounded<T>(
        &self,
        during: &str,
        op: impl std::future::Future<Output = Result<T, LdapError>>,
    ) -> Result<T, DirectoryError> {
        let _turn = match &self.one_at_a_time {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        match tokio::time::timeout(self.timeout, op).await {
            Err(_) => Err(self.timeout_error(during)),
            Ok(Err(e)) => Err(operation_error(e, &self.addr, during)),
            Ok(Ok(v)) => Ok(v),
        }
    }

    fn timeout_error(&self, during: &str) -> DirectoryError {
        DirectoryError::Timeout {
            addr: self.addr.clone(),
            secs: self.timeout.as_secs(),
            during: during.to_string(),
        }
    }
}

impl StreamedSearch {
    /// The next entry, or `None` at the end. Each wait for the DC is bounded by the timeout.
    pub async fn next(&mut self) -> Result<Option<Entry>, DirectoryError> {
        let during = &self.during;
        let item = match tokio::time::timeout(self.timeout, self.stream.next()).await {
            Err(_) => {
                return Err(DirectoryError::Timeout {
                    addr: self.addr.clone(),
                    secs: self.timeout.as_secs(),
                    during: during.clone(),
                })
            }
            Ok(r) => r.map_err(|e| operation_error(e, &self.addr, during))?,
        };
        match item {
            Some(raw) => Ok(Some(Entry::from(SearchEntry::construct(raw)))),
            None => {
                let res = self.stream.finish().await;
                if res.rc != 0 {
                    return Err(ldap_result_error(during, &self.base, res.rc, &res.text));
                }
                Ok(None)
            }
        }
    }
}

/// The TCP connection to the DC, for ldap3: each of the host's addresses in turn, as
/// `TcpStream::connect` tries them, on a socket from `ldap_socket`.
async fn dial(host_port: &str) -> std::io::Result<std::net::TcpStream> {
    let mut last = None;
    for addr in lookup_host(host_port).await? {
        match ldap_socket(&addr)?.connect(addr).await {
            Ok(tcp) => return tcp.into_std(),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no address for {host_port}"),
        )
    }))
}

/// A socket for one LDAP connection. LDAP requests are small and each waits for its answer: with
/// Nagle's algorithm on, the bind waited for the DC to acknowledge the TLS handshake's last
/// record, which Linux delays by 40 ms (ldapsearch turns it off too).
fn ldap_socket(addr: &SocketAddr) -> std::io::Result<TcpSocket> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_nodelay(true)?;
    Ok(socket)
}

fn wants_descriptor(attrs: &[&str]) -> bool {
    attrs
        .iter()
        .any(|a| a.eq_ignore_ascii_case("nTSecurityDescriptor"))
}

fn sd_flags_control() -> RawControl {
    RawControl {
        ctype: SD_FLAGS_OID.to_string(),
        crit: true,
        val: Some(SD_FLAGS_OWNER_GROUP_DACL.to_vec()),
    }
}

fn host_port(cfg: &LdapConfig) -> String {
    if cfg.host.contains(':') {
        format!("[{}]:{}", cfg.host, cfg.port)
    } else {
        format!("{}:{}", cfg.host, cfg.port)
    }
}

/// Verification on; with `--ca-cert`, its CAs are the only ones trusted (the system's are not
/// even loaded); off only with `--insecure-skip-tls-verify`.
fn tls_connector(cfg: &LdapConfig) -> Result<native_tls::TlsConnector, DirectoryError> {
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(path) = &cfg.ca_cert {
        let pem = std::fs::read(path).map_err(|e| DirectoryError::CaCertificate {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let certs = pem_certificates(&pem);
        if certs.is_empty() {
            return Err(DirectoryError::CaCertificate {
                path: path.clone(),
                reason: "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
            });
        }
        builder.disable_built_in_roots(true);
        for block in certs {
            let cert =
                native_tls::Certificate::from_pem(block).map_err(|e| DirectoryError::CaCertificate {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            builder.add_root_certificate(cert);
        }
    }
    if cfg.insecure_skip_tls_verify {
        // The edge has warned the person who asked for it (`commands`).
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    let built = if cfg.ca_cert.is_some() {
        without_system_bundle(|| builder.build())
    } else {
        builder.build()
    };
    built.map_err(|e| DirectoryError::Tls(e.to_string()))
}

/// Runs `build` with OpenSSL's CA file pointed at an empty one. native-tls (OpenSSL backend)
/// parses the system bundle twice while it builds a connector (OpenSSL's default paths, then the
/// file openssl-probe finds), about 35 ms on the lab machine, and only afterwards drops that store
/// for `disable_built_in_roots`; both loads read `SSL_CERT_FILE` when it names an existing file.
/// `/dev/null` holds no certificate, so nothing is parsed; the variable is restored at once, so a
/// later connector without `--ca-cert` loads the system's CAs again. Serialized: the environment
/// is the process's.
fn without_system_bundle<T>(build: impl FnOnce() -> T) -> T {
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());
    const VAR: &str = "SSL_CERT_FILE";
    let _only_us = ENV.lock().unwrap_or_else(|p| p.into_inner());
    let before = std::env::var_os(VAR);
    std::env::set_var(VAR, "/dev/null");
    let out = build();
    match before {
        Some(v) => std::env::set_var(VAR, v),
        None => std::env::remove_var(VAR),
    }
    out
}

/// Each `-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----` block of a PEM bundle.
fn pem_certificates(pem: &[u8]) -> Vec<&[u8]> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = find(rest, BEGIN) {
        let Some(end) = find(&rest[start..], END) else {
            break;
        };
        let stop = start + end + END.len();
        out.push(&rest[start..stop]);
        rest = &rest[stop..];
    }
    out
}

/// The password, from where the configuration says; never logged.
fn read_password(source: &PasswordSource, bind_dn: &str) -> Result<String, DirectoryError> {
    let pw = match source {
        PasswordSource::Env(var) => std::env::var(var).map_err(|_| {
            DirectoryError::Password(format!("environment variable {var} is not set (or not UTF-8)"))
        })?,
        PasswordSource::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| DirectoryError::Password(format!("cannot read {}: {e}", path.display())))?;
            text.lines().next().unwrap_or("").to_string()
        }
        PasswordSource::Given(secret) => secret.expose().to_string(),
        PasswordSource::Prompt => {
            if !std::io::stdin().is_terminal() {
                return Err(DirectoryError::NoTerminalForPassword);
            }
            rpassword::prompt_password(format!("Password for {bind_dn}: "))
                .map_err(|e| DirectoryError::Password(e.to_string()))?
        }
    };
    // An empty simple bind is an anonymous bind that "succeeds": refuse it here.
    if pw.is_empty() {
        return Err(DirectoryError::Password("the password is empty".into()));
    }
    Ok(pw)
}

fn check_bind(result: ldap3::LdapResult, who: &str) -> Result<(), DirectoryError> {
    match result.rc {
        0 => Ok(()),
        RC_INVALID_CREDENTIALS => Err(DirectoryError::InvalidCredentials {
            who: who.to_string(),
            detail: bind_detail(&result.text),
        }),
        rc => Err(DirectoryError::BindRefused {
            who: who.to_string(),
            rc,
            text: result.text,
        }),
    }
}

/// AD puts the reason in "data XXX" of the diagnostic text; name the common ones.
fn bind_detail(text: &str) -> String {
    let code = text
        .split("data ")
        .nth(1)
        .and_then(|t| t.split([',', ' ']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let why = match code.as_str() {
        "525" => "user not found",
        "52e" => "invalid credentials",
        "530" => "not permitted to log on at this time",
        "531" => "not permitted to log on at this workstation",
        "532" => "password expired",
        "533" => "account disabled",
        "701" => "account expired",
        "773" => "user must reset password",
        "775" => "account locked out",
        _ => return String::new(),
    };
    format!(", AD data {code}: {why}")
}

fn connect_error(e: LdapError, cfg: &LdapConfig, addr: &str) -> DirectoryError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("handshake") || lower.contains("self signed") {
        return DirectoryError::CertificateUntrusted {
            host: cfg.host.clone(),
            detail: text,
        };
    }
    match &e {
        LdapError::Timeout { .. } => DirectoryError::Timeout {
            addr: addr.to_string(),
            secs: cfg.timeout.as_secs(),
            during: "connect".into(),
        },
        LdapError::Io { source } => DirectoryError::Unreachable {
            addr: addr.to_string(),
            reason: match source.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "connection refused (is the DC running and listening on this port?)".into()
                }
                _ => source.to_string(),
            },
        },
        _ => DirectoryError::Unreachable {
            addr: addr.to_string(),
            reason: text,
        },
    }
}

/// Transport failures after connecting: a timeout, or the connection going away.
fn operation_error(e: LdapError, addr: &str, during: &str) -> DirectoryError {
    match e {
        LdapError::LdapResult { result } => ldap_result_error(during, "", result.rc, &result.text),
        other => DirectoryError::ConnectionLost {
            addr: addr.to_string(),
            during: during.to_string(),
            detail: match other {
                LdapError::OpSend { .. } | LdapError::ResultRecv { .. } | LdapError::EndOfStream => {
                    "the connection was closed".into()
                }
                o => o.to_string(),
            },
        },
    }
}

pub fn ldap_result_error(during: &str, dn: &str, rc: u32, text: &str) -> DirectoryError {
    DirectoryError::Ldap {
        during: during.to_string(),
        dn: dn.to_string(),
        rc,
        text: text.to_string(),
    }
}

fn kerberos_error(e: LdapError, spn_host: &str) -> DirectoryError {
    let detail = e.to_string();
    let lower = detail.to_ascii_lowercase();
    if lower.contains("no credentials")
        || lower.contains("no kerberos credentials")
        || lower.contains("expired")
    {
        return DirectoryError::NoKerberosTicket { detail };
    }
    let spn_host = spn_host.to_string();
    if lower.contains("server not found") {
        return DirectoryError::SpnNotFound { spn_host, detail };
    }
    DirectoryError::Kerberos { spn_host, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_to_the_dc_send_at_once() {
        // The socket before it connects: no network needed.
        let socket = ldap_socket(&"192.0.2.1:636".parse().expect("an address")).expect("a socket");
        assert!(
            socket.nodelay().expect("read TCP_NODELAY"),
            "Nagle's algorithm is off"
        );
        // Port 0 takes no connection on any host; no name to resolve either.
        assert!(
            dial("127.0.0.1:0").await.is_err(),
            "a refused connection is an error"
        );
    }

    #[test]
    fn bind_detail_names_ad_reasons() {
        let text = "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1";
        assert_eq!(bind_detail(text), ", AD data 52e: invalid credentials");
        assert_eq!(
            bind_detail("data 775, v4563"),
            ", AD data 775: account locked out"
        );
        assert_eq!(bind_detail("something else"), "");
    }

    #[test]
    fn pem_bundle_splits_into_certificates() {
        let one = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let mut two = one.to_vec();
        two.extend_from_slice(b"junk\n");
        two.extend_from_slice(one);
        assert_eq!(pem_certificates(&two).len(), 2);
        assert!(pem_certificates(b"not a pem").is_empty());
        assert!(pem_certificates(b"-----BEGIN CERTIFICATE-----\ntruncated").is_empty());
    }

    #[test]
    fn empty_and_missing_passwords_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "\nsecond line").unwrap();
        let err = read_password(&PasswordSource::File(path.clone()), "x").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        std::fs::write(&path, "s3cret\nignored").unwrap();
        assert_eq!(read_password(&PasswordSource::File(path), "x").unwrap(), "s3cret");
        let err = read_password(&PasswordSource::Env("RESETLENS_TEST_SURELY_UNSET".into()), "x").unwrap_err();
        assert!(err.to_string().contains("RESETLENS_TEST_SURELY_UNSET"), "{err}");
    }

    #[test]
    fn kerberos_errors_point_at_kinit() {
        let e = kerberos_error(
            LdapError::GssapiOperationError(
                "No credentials were supplied, or the credentials were unavailable".into(),
            ),
            "dc.contoso.test",
        );
        assert!(matches!(e, DirectoryError::NoKerberosTicket { .. }));
        assert!(e.to_string().contains("kinit"));
        let e = kerberos_error(
            LdapError::GssapiOperationError("Server not found in Kerberos database".into()),
            "127.0.0.1",
        );
        assert!(matches!(e, DirectoryError::SpnNotFound { .. }), "{e}");
        assert!(
            e.to_string().contains("the SPN host must be the DC's DNS name"),
            "{e}"
        );
    }
}
