//! `resetlens snapshot --out FILE [--user U]...`: capture the directory (every user in scope, or
//! the named ones) into a snapshot file that `--snapshot FILE` reads back with no DC.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::flag_hints::directory_input;
use super::{CommandError, Outcome};
use crate::cli::{SnapshotArgs, SourceArgs};
use crate::directory::{self, snapshot, DirectorySource, Scope};

pub fn run(args: &SnapshotArgs, source: &SourceArgs) -> Result<Outcome, CommandError> {
    let cfg = super::source_config(source, true)?;
    if !matches!(cfg.directory.source, Some(DirectorySource::Ldap(_))) {
        return Err(CommandError::Input(anyhow::anyhow!(
            "a snapshot is taken from a domain controller: give --ldap-url (and --bind-dn or --kerberos)"
        )));
    }
    let scope = if args.user.is_empty() {
        Scope::All { base: None }
    } else {
        Scope::Users(args.user.clone())
    };
    let dir = directory::load_blocking(&cfg.directory, scope).map_err(directory_input)?;
    // Write next to the target and rename, so an interrupted capture never leaves half a file.
    let tmp = partial_path(&args.out);
    let written = std::fs::File::create(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            snapshot::write(&dir, &mut w)?;
            w.flush()?;
            Ok(())
        })
        .and_then(|()| {
            std::fs::rename(&tmp, &args.out).with_context(|| format!("cannot write {}", args.out.display()))
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(CommandError::Input(e));
    }
    eprintln!(
        "resetlens: wrote {} users, {} containers from {} to {}",
        dir.users.len(),
        dir.containers.len(),
        crate::sanitize::line(&dir.source),
        args.out.display()
    );
    Ok(Outcome::Clean)
}

/// `FILE.partial`: appended rather than replacing the extension, so it can neither be the target
/// itself (`--out x.partial`) nor clobber a sibling that shares the stem (`x.json` -> `x.partial`).
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_needs_a_domain_controller_as_its_source() {
        let args = SnapshotArgs {
            out: "out.json".into(),
            user: vec![],
        };
        let source = SourceArgs {
            snapshot: Some("old.json".into()),
            ..SourceArgs::default()
        };
        let err = run(&args, &source).unwrap_err();
        assert!(matches!(err, CommandError::Input(_)));
        assert!(err.to_string().contains("--ldap-url"), "{err}");
        assert!(!std::path::Path::new("out.json").exists());
    }

    #[test]
    fn partial_file_is_never_the_target_or_a_sibling() {
        assert_eq!(partial_path(Path::new("d/x.json")), Path::new("d/x.json.partial"));
        assert_ne!(partial_path(Path::new("x.partial")), Path::new("x.partial"));
    }
}
