//! `resetlens man [COMMAND]`: the manual page in roff, generated from the clap definitions:
//! resetlens(1), or resetlens-COMMAND(1) for one subcommand (as git does), since each subcommand
//! has options of its own. Read it with `resetlens man | man -l -`.

use std::io;

use anyhow::anyhow;
use clap::CommandFactory;
use clap_mangen::Man;

use super::{CommandError, Outcome};
use crate::cli::{Cli, ManArgs};

/// Sections clap has no place for, in roff. Fixed text: nothing here needs escaping.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
0
nothing blocks writeback (diagnose, scan), or the command finished
.TP
1
at least one blocking finding (diagnose, scan)
.TP
2
usage or input error: unknown or ambiguous user, unreadable file, bind failure
.TP
3
internal error (a bug; please report it)
.SH EXAMPLES
.TP
resetlens demo
the console on the built-in demo tenant; no domain controller needed
.TP
resetlens diagnose bob --snapshot contoso.snapshot.json --evtx logs/
one user from a snapshot and exported event logs
.TP
resetlens diagnose alice@contoso.example --ldap-url ldaps://dc01.contoso.example --bind-dn svc-resetlens@contoso.example --format markdown
live over LDAPS; the password is prompted for without echo, never taken on the command line
.TP
resetlens scan --snapshot contoso.snapshot.json --format csv
every user who would fail writeback, and why
"#;

pub fn run(args: &ManArgs) -> Result<Outcome, CommandError> {
    // `help` is not a page of its own.
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Built so that subcommands carry their full names (resetlens-diagnose) and the global flags.
    cli.build();
    let page = match &args.command {
        None => top_page(cli),
        Some(name) => {
            let sub = cli.find_subcommand(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = cli.get_subcommands().map(|s| s.get_name()).collect();
                CommandError::Input(anyhow!(
                    "no command {:?}; one of: {}",
                    crate::sanitize::line(name),
                    names.join(", ")
                ))
            })?;
            let source = format!("resetlens {}", env!("CARGO_PKG_VERSION"));
            render(|w| Man::new(sub).source(source).render(w))
        }
    }
    .map_err(|e| CommandError::Internal(e.into()))?;
    super::print(&page)
}

fn top_page(cli: clap::Command) -> io::Result<Vec<u8>> {
    let man = Man::new(cli);
    render(|w| {
        man.render_title(w)?;
        man.render_name_section(w)?;
        man.render_synopsis_section(w)?;
        man.render_description_section(w)?;
        man.render_options_section(w)?;
        man.render_subcommands_section(w)?;
        w.extend_from_slice(EXIT_STATUS.as_bytes());
        man.render_version_section(w)
    })
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<Vec<u8>> {
    let mut page = Vec::new();
    f(&mut page)?;
    Ok(page)
}
