//! Embeds the bundled question bank (`data/*.toml`, `rubrics/*.toml`) into the binary, so an
//! installed `sobes` works from any directory.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut generated = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for dir in ["data", "rubrics"] {
        let path = Path::new(&root).join(dir);
        println!("cargo:rerun-if-changed={}", path.display());
        let mut names: Vec<_> = fs::read_dir(&path)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for file in names {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            writeln!(
                generated,
                "    ({:?}, include_str!({:?})),",
                format!("{dir}/{name}"),
                file.display().to_string()
            )
            .unwrap();
        }
    }
    generated.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_bank.rs");
    fs::write(out, generated).expect("write the bundled bank index");
}
