//! Builders for the model values tests make by hand: each starts from the least a value can be
//! (an enabled user with nothing else read, an event with no text and no fields) and a test
//! chains only what its case is about.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ad::time::to_filetime;
use crate::directory::DirectoryUser;
use crate::events::{AuditOutcome, Event, EventFields, EventKind, EventOrigin};
use crate::security::{Guid, Sid};

/// A `DirectoryUser`, built.
#[derive(Debug, Clone)]
#[must_use]
pub struct UserBuilder(DirectoryUser);

impl UserBuilder {
    /// An enabled account (userAccountControl NORMAL_ACCOUNT) known by its DN and sAMAccountName
    /// alone: every optional attribute unread, not locked, no groups, no descriptor.
    pub fn new(dn: impl Into<String>, sam: impl Into<String>) -> UserBuilder {
        UserBuilder(DirectoryUser {
            dn: dn.into(),
            sam_account_name: sam.into(),
            user_principal_name: None,
            display_name: None,
            mail: None,
            object_guid: None,
            object_sid: None,
            consistency_guid: None,
            user_account_control: crate::directory::uac::NORMAL_ACCOUNT,
            uac_computed: None,
            lockout_time: 0,
            pwd_last_set: None,
            bad_pwd_count: None,
            admin_count: None,
            member_of: Vec::new(),
            token_groups: None,
            resultant_pso: None,
            security_descriptor: None,
            when_changed: None,
            admin_description: None,
        })
    }

    pub fn upn(mut self, upn: impl Into<String>) -> Self {
        self.0.user_principal_name = Some(upn.into());
        self
    }

    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.0.display_name = Some(name.into());
        self
    }

    pub fn mail(mut self, mail: impl Into<String>) -> Self {
        self.0.mail = Some(mail.into());
        self
    }

    pub fn guid(mut self, guid: Guid) -> Self {
        self.0.object_guid = Some(guid);
        self
    }

    pub fn sid(mut self, sid: Sid) -> Self {
        self.0.object_sid = Some(sid);
        self
    }

    /// userAccountControl as stored.
    pub fn uac(mut self, uac: u32) -> Self {
        self.0.user_account_control = uac;
        self
    }

    /// msDS-User-Account-Control-Computed, read.
    pub fn uac_computed(mut self, bits: u32) -> Self {
        self.0.uac_computed = Some(bits);
        self
    }

    /// pwdLastSet as stored (FILETIME ticks; 0 is "must change at next logon").
    pub fn pwd_last_set_raw(mut self, ticks: i64) -> Self {
        self.0.pwd_last_set = Some(ticks);
        self
    }

    pub fn pwd_last_set(self, at: DateTime<Utc>) -> Self {
        self.pwd_last_set_raw(to_filetime(at))
    }

    pub fn bad_pwd_count(mut self, count: u32) -> Self {
        self.0.bad_pwd_count = Some(count);
        self
    }

    pub fn admin_count(mut self, count: u32) -> Self {
        self.0.admin_count = Some(count);
        self
    }

    pub fn member_of(mut self, groups: Vec<String>) -> Self {
        self.0.member_of = groups;
        self
    }

    /// tokenGroups, read (an empty list is "read, no groups").
    pub fn token_groups(mut self, sids: Vec<Sid>) -> Self {
        self.0.token_groups = Some(sids);
        self
    }

    pub fn descriptor(mut self, sd: Arc<[u8]>) -> Self {
        self.0.security_descriptor = Some(sd);
        self
    }

    pub fn when_changed(mut self, at: DateTime<Utc>) -> Self {
        self.0.when_changed = Some(at);
        self
    }

    pub fn build(self) -> DirectoryUser {
        self.0
    }
}

/// An `Event`, built.
#[derive(Debug, Clone)]
#[must_use]
pub struct EventBuilder(Event);

impl EventBuilder {
    /// Event `id` of `kind` at `time` and nothing else: no machine, channel, provider or text,
    /// no parsed fields, level 4 (information), record 1 of `test.evtx`.
    pub fn new(id: u32, kind: EventKind, time: DateTime<Utc>) -> EventBuilder {
        EventBuilder(Event {
            time,
            machine: String::new(),
            channel: String::new(),
            provider: String::new(),
            event_id: id,
            level: 4,
            audit: None,
            origin: EventOrigin {
                file: Arc::from("test.evtx"),
                record_id: 1,
                position: 1,
            },
            kind,
            message: String::new(),
            fields: EventFields::default(),
        })
    }

    pub fn machine(mut self, machine: impl Into<String>) -> Self {
        self.0.machine = machine.into();
        self
    }

    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.0.channel = channel.into();
        self
    }

    pub fn provider(mut self, provider: impl Into<String>) -> Self {
        self.0.provider = provider.into();
        self
    }

    pub fn level(mut self, level: u8) -> Self {
        self.0.level = level;
        self
    }

    pub fn audit(mut self, outcome: AuditOutcome) -> Self {
        self.0.audit = Some(outcome);
        self
    }

    /// Record `record` of `file`, as Windows wrote it (EventRecordID and header number equal).
    pub fn record(mut self, file: &str, record: u64) -> Self {
        self.0.origin = EventOrigin {
            file: Arc::from(file),
            record_id: record,
            position: record,
        };
        self
    }

    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.0.message = text.into();
        self
    }

    pub fn fields(mut self, fields: EventFields) -> Self {
        self.0.fields = fields;
        self
    }

    /// A PasswordResetService event's TrackingId and UPN, the two fields writeback correlation
    /// reads first.
    pub fn writeback_of(mut self, tracking_id: &str, upn: &str) -> Self {
        self.0.fields.tracking_id = Some(tracking_id.into());
        self.0.fields.user_principal_name = Some(upn.into());
        self
    }

    pub fn hresult(mut self, hr: u32) -> Self {
        self.0.fields.hresult = Some(hr);
        self
    }

    pub fn target_user(mut self, user: impl Into<String>) -> Self {
        self.0.fields.target_user = Some(user.into());
        self
    }

    pub fn build(self) -> Event {
        self.0
    }
}
