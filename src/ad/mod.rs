//! Active Directory's own encodings that both sources read: distinguished names (the directory's
//! objects, the DNs events name) and FILETIME instants and intervals (the directory's pwdLastSet
//! and lockoutTime, the event records' timestamps). They sit below `directory` and `events` so
//! neither source imports the other; SIDs and GUIDs are `security`'s.

pub mod dn;
pub mod time;
