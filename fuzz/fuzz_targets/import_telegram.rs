//! The Telegram importers on any text: the Desktop JSON export and the plain-text dump.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sobes::import::telegram_json::parse(text, "result.json");
        let _ = sobes::import::telegram_text::parse_file(text, "dump.txt");
    }
});
