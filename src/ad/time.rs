//! AD time encodings: FILETIME instants (pwdLastSet, lockoutTime) and negative 100-ns intervals
//! (minPwdAge, lockoutDuration), with their sentinels.

use chrono::{DateTime, Duration, Utc};

/// 100-ns ticks between 1601-01-01 and 1970-01-01.
const EPOCH_DIFF_TICKS: i64 = 116_444_736_000_000_000;
/// `0x7FFF_FFFF_FFFF_FFFF`: "never" in accountExpires and similar.
pub const FILETIME_NEVER: i64 = i64::MAX;
/// `0x8000_0000_0000_0000`: an interval meaning "forever" / "never expires".
pub const INTERVAL_FOREVER: i64 = i64::MIN;

/// What a stored FILETIME instant means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTime {
    /// 0: unset (for pwdLastSet: must change at next logon; for lockoutTime: not locked).
    Zero,
    /// 0x7FFF...: never.
    Never,
    At(DateTime<Utc>),
}

impl FileTime {
    pub fn from_raw(raw: i64) -> FileTime {
        match raw {
            0 => FileTime::Zero,
            FILETIME_NEVER | -1 => FileTime::Never,
            // A corrupt or hostile value near i64::MIN must not overflow: treat it like any other
            // instant chrono cannot represent.
            r => r
                .checked_sub(EPOCH_DIFF_TICKS)
                .and_then(|unix| {
                    DateTime::from_timestamp(
                        unix.div_euclid(10_000_000),
                        (unix.rem_euclid(10_000_000) * 100) as u32,
                    )
                })
                .map_or(FileTime::Never, FileTime::At),
        }
    }

    pub fn instant(self) -> Option<DateTime<Utc>> {
        match self {
            FileTime::At(t) => Some(t),
            _ => None,
        }
    }
}

/// Encodes an instant as FILETIME ticks.
pub fn to_filetime(t: DateTime<Utc>) -> i64 {
    t.timestamp() * 10_000_000 + i64::from(t.timestamp_subsec_nanos() / 100) + EPOCH_DIFF_TICKS
}

/// A stored interval (negative 100-ns ticks) as a duration; `None` for "forever".
/// Positive values are read as their magnitude, because some tools write them unsigned.
pub fn interval(raw: i64) -> Option<Duration> {
    if raw == INTERVAL_FOREVER {
        return None;
    }
    let ticks = raw.checked_abs()?;
    Some(Duration::seconds(ticks / 10_000_000) + Duration::nanoseconds((ticks % 10_000_000) * 100))
}

/// Encodes a duration as a stored (negative) interval.
pub fn to_interval(d: Duration) -> i64 {
    -(d.num_seconds() * 10_000_000 + i64::from(d.subsec_nanos() / 100))
}

/// A duration in words a helpdesk reads ("2 h 5 min", "3 d").
pub fn human_duration(d: Duration) -> String {
    let s = d.num_seconds().abs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_round_trip_and_sentinels() {
        let t = DateTime::parse_from_rfc3339("2026-11-24T08:15:30Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(FileTime::from_raw(to_filetime(t)), FileTime::At(t));
        assert_eq!(FileTime::from_raw(0), FileTime::Zero);
        assert_eq!(FileTime::from_raw(i64::MAX), FileTime::Never);
        assert_eq!(FileTime::from_raw(-1), FileTime::Never);
        assert_eq!(FileTime::from_raw(i64::MIN + 1), FileTime::Never);
        // 2013-05-01 16:34:08 UTC, a value seen in real exports.
        assert_eq!(
            FileTime::from_raw(130_118_996_480_000_000)
                .instant()
                .unwrap()
                .to_rfc3339(),
            "2013-05-01T16:34:08+00:00"
        );
    }

    #[test]
    fn intervals() {
        assert_eq!(interval(-864_000_000_000), Some(Duration::days(1)));
        assert_eq!(interval(-18_000_000_000), Some(Duration::minutes(30)));
        assert_eq!(interval(0), Some(Duration::zero()));
        assert_eq!(interval(INTERVAL_FOREVER), None);
        assert_eq!(to_interval(Duration::days(1)), -864_000_000_000);
        assert_eq!(human_duration(Duration::minutes(125)), "2 h 5 min");
    }
}
