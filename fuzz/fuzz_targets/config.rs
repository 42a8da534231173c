//! The configuration loader on any file: parsed, merged over the defaults and validated.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sobes::config::{Config, ConfigRequest};

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("sobes-fuzz-config-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(path(), data).unwrap();
    let _ = Config::load(&ConfigRequest {
        file: Some(path().clone()),
        no_config: false,
        overrides: Vec::new(),
    });
});
