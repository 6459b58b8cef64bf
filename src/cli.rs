//! The command line, as fixed by the contract (shared/contracts/cli-and-report.md). Raw values
//! only; `config` merges them with the config file into what the commands use.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::scan::ScanFormat;

#[derive(Debug, Parser)]
#[command(
    name = "resetlens",
    version,
    about = "Why did this user's password writeback fail? With evidence.",
    long_about = "Why did this user's password writeback fail? With evidence.\n\n\
        resetlens reads the directory (live over LDAP, or a snapshot file) and the exported event \
        logs of the Entra Connect server and the domain controllers, and names why a \
        self-service password reset did not reach Active Directory: the cause, the deciding ACE \
        or event, and the fix. It never writes to the directory.\n\n\
        With no subcommand it opens the console on the configured sources; `resetlens demo` \
        opens it on a built-in sample tenant."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub console: ConsoleArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console on the built-in demo tenant (no DC, no files needed).
    Demo(DemoArgs),
    /// Diagnose one user, print a report, exit.
    Diagnose(DiagnoseArgs),
    /// Audit every user in scope: who would fail writeback, and why.
    Scan(ScanArgs),
    /// Print the normalized, correlated event timeline.
    Events(EventsArgs),
    /// Capture a directory snapshot for offline use.
    Snapshot(SnapshotArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page in roff: `resetlens man | man -l -`.
    Man(ManArgs),
}

/// Where the directory and the event logs come from. Every data-reading subcommand accepts these.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// ldaps://host[:port] or ldap://host[:port] (ldap:// uses StartTLS unless --no-starttls).
    #[arg(long, global = true, value_name = "URL")]
    pub ldap_url: Option<String>,
    /// Simple bind identity (DN or UPN).
    #[arg(long, global = true, value_name = "DN")]
    pub bind_dn: Option<String>,
    /// Read the bind password from this environment variable.
    #[arg(long, global = true, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Read the bind password from this file (first line).
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// SASL/GSSAPI bind with the current Kerberos ticket cache.
    #[arg(long, global = true)]
    pub kerberos: bool,
    /// Kerberos service host for the ldap/<host> SPN when it differs from the URL's host.
    #[arg(long, global = true, value_name = "HOST")]
    pub kerberos_host: Option<String>,
    /// Trust this CA (PEM) for LDAPS/StartTLS.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (prints a warning; never the default).
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,
    /// With ldap://, do not upgrade with StartTLS (only useful with --kerberos, which seals itself).
    #[arg(long, global = true)]
    pub no_starttls: bool,
    /// Default: the rootDSE defaultNamingContext.
    #[arg(long, global = true, value_name = "DN")]
    pub base_dn: Option<String>,
    /// The AD DS connector account (sAMAccountName, UPN, DN or SID); default: discovered (MSOL_*).
    #[arg(long, global = true, value_name = "ACCOUNT")]
    pub connector: Option<String>,
    /// Read the directory from a snapshot file instead of LDAP.
    #[arg(long, global = true, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// An .evtx file or a directory of them; repeatable.
    #[arg(long, global = true, value_name = "PATH")]
    pub evtx: Vec<PathBuf>,
    /// Evaluate time-dependent rules at this instant (RFC 3339).
    #[arg(long, global = true, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Seconds to wait for the DC on connect and on each operation.
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Config file (TOML); default: $XDG_CONFIG_HOME/resetlens/config.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Markdown,
    Json,
}

/// The scan's formats are the report's own type; the command line only spells them.
impl ValueEnum for ScanFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ScanFormat::Text,
            ScanFormat::Markdown,
            ScanFormat::Json,
            ScanFormat::Csv,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            ScanFormat::Text => "text",
            ScanFormat::Markdown => "markdown",
            ScanFormat::Json => "json",
            ScanFormat::Csv => "csv",
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum EventsFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ConsoleArgs {
    /// Enable mouse capture in the console (off by default; never over SSH unless asked).
    #[arg(long, global = true)]
    pub mouse: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// A folder with a snapshot and .evtx files (default: the built-in tenant, the same data as
    /// the source tree's sample-logs/, generated into a temporary directory).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DiagnoseArgs {
    /// sAMAccountName, userPrincipalName, mail, DN, objectGUID or objectSid.
    pub user: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Only users under this DN.
    #[arg(long, value_name = "DN")]
    pub base: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ScanFormat,
}

#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// Correlate to one user (anchors and SIDs need a directory source; else names only).
    #[arg(long)]
    pub user: Option<String>,
    /// Only these event IDs; repeatable.
    #[arg(long = "id", value_name = "N")]
    pub ids: Vec<u32>,
    /// Only events at or after this instant (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
    /// Only events before this instant (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: EventsFormat,
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    /// Where to write the snapshot.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only these users (repeatable); default: every user in scope.
    #[arg(long)]
    pub user: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// A subcommand, for its own page (resetlens-diagnose(1)); default: resetlens(1).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}
