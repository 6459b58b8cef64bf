//! Arbitrary bytes as an nTSecurityDescriptor: parsing must never panic, whatever parses must
//! re-encode to the same descriptor, its SDDL must read back to the same SDDL, and the access
//! check must run for every right. The same bytes read as SDDL text exercise the SDDL parser.

#![no_main]

use libfuzzer_sys::fuzz_target;
use resetlens::security::access::{check, Effect, Principal, Right};
use resetlens::security::{SecurityDescriptor, Sid};

fuzz_target!(|data: &[u8]| {
    let domain: Sid = "S-1-5-21-1004336348-1177238915-682003330"
        .parse()
        .expect("constant SID");
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(sd) = SecurityDescriptor::from_sddl(text, Some(&domain)) {
            let again = SecurityDescriptor::from_sddl(&sd.to_sddl(Some(&domain)), Some(&domain));
            assert_eq!(again.as_ref(), Ok(&sd), "SDDL text round trip");
        }
    }
    let Ok(sd) = SecurityDescriptor::parse(data) else {
        return;
    };

    let reparsed = SecurityDescriptor::parse(&sd.to_bytes()).expect("to_bytes output parses");
    assert_eq!(reparsed, sd, "binary round trip");

    let sddl = sd.to_sddl(Some(&domain));
    if let Ok(back) = SecurityDescriptor::from_sddl(&sddl, Some(&domain)) {
        assert_eq!(back.to_sddl(Some(&domain)), sddl, "SDDL round trip");
    }

    // Hold every SID the DACL names, so the checks reach the matching logic.
    let token: Vec<Sid> = sd
        .dacl
        .iter()
        .flat_map(|acl| acl.aces.iter().filter_map(|ace| ace.sid.clone()))
        .collect();
    let account = domain.with_rid(1105);
    for is_self in [false, true] {
        let principal = Principal::account(&account, &token, is_self);
        for right in Right::ALL {
            let decision = check(&sd, &principal, right, Some(&domain), &|s| s.to_string());
            if let Some(ace) = decision.deciding_ace {
                assert_eq!(decision.allowed, ace.effect == Effect::Allow);
            }
        }
    }
});
