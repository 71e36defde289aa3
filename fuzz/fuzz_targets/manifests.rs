//! `cargo +nightly fuzz run manifests`: the manifest parser must never panic, whatever the bytes,
//! and every error must carry a line within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape::manifests::{Limits, Origin, parse_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1) + 1;
    for origin in [Origin::File("fuzz.yaml".into()), Origin::File("fuzz.json".into()), Origin::Stdin] {
        for result in parse_text(&origin, text, Limits::default()) {
            if let Err(error) = result {
                assert!(error.line.is_none_or(|line| line >= 1 && line <= lines), "{error}");
            }
        }
    }
});
