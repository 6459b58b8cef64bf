//! A large DC Security log for the ingestion benchmark: the demo tenant's users logging on
//! (99% 4624) with a password reset by the connector account every 100th record (1% 4724).
//! Records are made and written one at a time, so memory stays at one chunk whatever the size.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::demo_tenant::people::{self, CONNECTOR_SAM};
use crate::demo_tenant::rng::Rng;
use crate::demo_tenant::security_events::{self as sec, Dc, Subject, Workstation};
use crate::demo_tenant::{fixed_time, write_evtx, DemoError, LOG_START, NETBIOS};

/// The benchmark's default size.
pub const BIG_LOG_RECORDS: u64 = 400_000;
const SEED: u64 = 0xB16_106;

/// Writes `records` Security records of DC01 to a new file at `path`; returns how many were 4724s.
pub fn write_big_security_log(path: &Path, records: u64) -> Result<u64, DemoError> {
    let mut rng = Rng::new(SEED);
    let start: DateTime<Utc> = fixed_time(LOG_START);
    let directory = people::build_directory(&mut rng, start)?;
    let users = &directory.users;
    let connector = Subject {
        sid: people::connector_sid(),
        name: CONNECTOR_SAM.to_string(),
        domain: NETBIOS.to_string(),
        logon_id: 0x01F3_A2B7,
    };
    let mut resets = 0;
    let records = (0..records).filter_map(|n| {
        let time = start + Duration::milliseconds(n as i64 * 400 + rng.below(400) as i64);
        let user = users.get(rng.below(users.len() as u64) as usize)?;
        let thread = 500 + 4 * rng.below(2000) as u32;
        let mut record = if n % 100 == 99 {
            resets += 1;
            sec::reset_password(Dc::Dc01, time, user, &connector, true, thread)
        } else {
            let ws = 100 + rng.below(400);
            let (name, ip) = (
                format!("WS{ws:03}"),
                format!("10.20.{}.{}", ws / 100, ws % 100 + 10),
            );
            let from = Workstation {
                name: &name,
                ip: &ip,
                port: 49152 + rng.below(16000) as u16,
            };
            let logon_id = 0x0300_0000 + rng.below(0x00FF_FFFF);
            sec::logon(Dc::Dc01, time, user, &from, logon_id, rng.guid(), thread)
        };
        record.record_id = n + 1;
        Some(record)
    });
    write_evtx(path, records)?;
    Ok(resets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_in_a_hundred_is_a_reset_and_the_file_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.evtx");
        assert_eq!(write_big_security_log(&path, 1000).unwrap(), 10);
        let mut parser = evtx::EvtxParser::from_path(&path).unwrap();
        let ids: Vec<u64> = parser.records().map(|r| r.unwrap().event_record_id).collect();
        assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
    }
}
