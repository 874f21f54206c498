//! The pyzmq stand-in server of the handshake tests (tests/curve_server.py).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The stand-in server, killed when dropped.
pub struct PyServer(Child);

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts tests/curve_server.py with `args`; None (and why, printed) when
/// python3 with pyzmq is missing.
pub fn py_server(args: &[&str]) -> Option<PyServer> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/curve_server.py");
    let spawned = Command::new("python3")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        eprintln!("skipped: python3 is not installed");
        return None;
    };
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    let _ = BufReader::new(stdout).read_line(&mut line);
    if line.trim() != "ready" {
        let _ = child.kill();
        let output = child.wait_with_output().expect("the server ran");
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(
            why.contains("No module named 'zmq'"),
            "the stand-in server did not start: {why}"
        );
        eprintln!("skipped: pyzmq is not installed");
        return None;
    }
    Some(PyServer(child))
}
