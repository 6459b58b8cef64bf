//! The directory side of the evidence: the model of users, the domain and the connector account,
//! and the sources that fill it (live LDAP, snapshot files).

pub mod dn;
pub mod model;
pub mod time;

pub use model::{
    uac, ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain, PasswordSettings,
    UserLookupError,
};
