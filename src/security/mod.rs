//! Windows security primitives: SIDs, GUIDs, self-relative security descriptors, SDDL rendering and
//! the AD effective-access check the diagnosis relies on. Knows nothing of LDAP, events or the UI.

pub mod access;
pub mod descriptor;
pub mod guid;
pub mod names;
pub mod sddl;
pub mod sid;

pub use descriptor::{Ace, AceType, Acl, SecurityDescriptor};
pub use guid::Guid;
pub use sid::Sid;

/// Why a SID, GUID or security descriptor could not be read. Offsets are relative to the start of
/// the structure being parsed, so a report can point at the byte that lied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdError {
    #[error("truncated {what} at offset {offset}")]
    Truncated { what: &'static str, offset: usize },
    #[error("malformed SID at offset {offset}: {reason}")]
    BadSid { offset: usize, reason: &'static str },
    #[error("not a SID: '{0}'")]
    BadSidString(String),
    #[error("not a GUID: '{0}'")]
    BadGuidString(String),
    #[error("malformed security descriptor at offset {offset}: {reason}")]
    Malformed { offset: usize, reason: String },
    #[error("bad SDDL at character {offset}: {reason}")]
    BadSddl { offset: usize, reason: String },
}

impl SdError {
    /// Moves a byte offset that was relative to an inner structure (a SID inside an ACE, a GUID
    /// inside an object ACE) so that it counts from the start of the enclosing buffer.
    pub(crate) fn shifted(self, base: usize) -> SdError {
        match self {
            SdError::Truncated { what, offset } => SdError::Truncated {
                what,
                offset: offset + base,
            },
            SdError::BadSid { offset, reason } => SdError::BadSid {
                offset: offset + base,
                reason,
            },
            SdError::Malformed { offset, reason } => SdError::Malformed {
                offset: offset + base,
                reason,
            },
            other => other,
        }
    }
}
