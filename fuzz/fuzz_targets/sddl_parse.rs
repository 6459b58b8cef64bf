//! Arbitrary text as SDDL (what an admin pastes, what reports quote): parsing must never panic,
//! and whatever parses must read back the same from its own SDDL and from its binary form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use resetlens::security::{SecurityDescriptor, Sid};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let domain: Sid = "S-1-5-21-1004336348-1177238915-682003330"
        .parse()
        .expect("constant SID");
    for dom in [Some(&domain), None] {
        let Ok(sd) = SecurityDescriptor::from_sddl(text, dom) else {
            continue;
        };
        let sddl = sd.to_sddl(dom);
        assert_eq!(
            SecurityDescriptor::from_sddl(&sddl, dom).as_ref(),
            Ok(&sd),
            "SDDL round trip"
        );
        assert_eq!(
            SecurityDescriptor::parse(&sd.to_bytes()).as_ref(),
            Ok(&sd),
            "binary round trip"
        );
    }
});
