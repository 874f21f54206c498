//! Embeds the Smalltalk server files listed in smalltalk/load-order.txt (and
//! gst/snapshot.st, which saves them as an image), so the `stui` binary can
//! start its bundled server from anywhere.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("smalltalk");
    let order = root.join("load-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    let listing = std::fs::read_to_string(&order)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", order.display()));
    let mut generated = String::from("pub const SERVER_FILES: &[(&str, &str)] = &[\n");
    for name in listing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let path = root.join(name);
        assert!(
            path.is_file(),
            "{} lists {name}, which does not exist",
            order.display()
        );
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            generated,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    generated.push_str("];\n");
    // Not in the load order: it saves an image of the loaded server.
    let snapshot = root.join("gst/snapshot.st");
    println!("cargo:rerun-if-changed={}", snapshot.display());
    writeln!(
        generated,
        "pub const SNAPSHOT_FILE: (&str, &str) = (\"gst/snapshot.st\", include_str!({:?}));",
        snapshot.display().to_string()
    )
    .unwrap();
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("server_files.rs");
    std::fs::write(out, generated).unwrap();
}
