//! `cargo bench --bench arithmetic`: the speed of SmallInteger multiplication
//! in a tight loop, in GNU Smalltalk as Debian ships it and with each fix of
//! `smalltalk/gst/arithmetic.st` (the machine-code patch must stay within
//! 1.5x of stock; the send fallback is right but slower). Prints figures,
//! asserts nothing.

use std::path::PathBuf;
use std::process::Command;

const LOOP: &str = "Eval [ | y s | y := 3. s := 0. \
    Transcript showCr: 'ms ', (Time millisecondsToRun: [1 to: 10000000 do: [:i | s := i * y]]) printString. \
    Transcript showCr: 'fix ', ((Smalltalk at: #StuiGstArithmetic ifAbsent: [nil]) \
        ifNil: ['stock'] ifNotNil: [:a | a activeFix]) ]";

fn smalltalk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smalltalk")
}

/// The best of three runs: milliseconds and the fix that was active.
fn run(with_fix: bool, env: &[(&str, &str)]) -> Option<(u64, String)> {
    let dir = std::env::temp_dir().join(format!("stui-bench-arith-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let script = dir.join("loop.st");
    std::fs::write(&script, LOOP).ok()?;
    let mut best: Option<(u64, String)> = None;
    for _ in 0..3 {
        let mut command = Command::new("gst");
        if with_fix {
            let st = smalltalk_dir();
            command.args([
                st.join("gst/prelude.st"),
                st.join("gst/timer.st"),
                st.join("gst/arithmetic.st"),
            ]);
        }
        let output = command
            .arg(&script)
            .envs(env.iter().copied())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        let ms = text
            .lines()
            .find_map(|l| l.strip_prefix("ms "))?
            .trim()
            .parse()
            .ok()?;
        let fix = text
            .lines()
            .find_map(|l| l.strip_prefix("fix "))?
            .trim()
            .to_string();
        if best.as_ref().is_none_or(|(b, _)| ms < *b) {
            best = Some((ms, fix));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    best
}

fn main() {
    println!("10,000,000 SmallInteger products (i * y) in a loop, best of 3 runs of gst:");
    let Some((stock, _)) = run(false, &[]) else {
        println!("  gst did not run (scripts/install-deps.sh installs it)");
        return;
    };
    println!("  {:<34} {:>6} ms", "stock GNU Smalltalk 3.2.5", stock);
    for (label, env) in [
        ("machine-code fix", vec![]),
        (
            "send fallback (forced)",
            vec![("STUI_GST_ARITHMETIC_FIX", "send")],
        ),
    ] {
        match run(true, &env) {
            Some((ms, fix)) => println!(
                "  {:<34} {:>6} ms  {:.2}x stock  (active: {fix})",
                label,
                ms,
                ms as f64 / stock.max(1) as f64
            ),
            None => println!("  {label}: gst did not run"),
        }
    }
    println!("target: the machine-code fix within 1.5x of stock");
}
