//! Test support for transport security: CURVE key pairs and their files, a
//! real server started with CURVE and an authorized-keys file, and a TCP
//! proxy that records every byte it forwards.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{TempDir, free_port_pair, server_image};

/// A CURVE key pair in Z85 text.
#[derive(Debug, Clone)]
pub struct Keys {
    pub public: String,
    pub secret: String,
}

impl Keys {
    pub fn generate() -> Self {
        let pair = zmq::CurveKeyPair::new().expect("libzmq has CURVE");
        Self {
            public: zmq::z85_encode(&pair.public_key).unwrap(),
            secret: zmq::z85_encode(&pair.secret_key).unwrap(),
        }
    }

    /// Writes the secret key file `stui keygen` writes, with `mode`.
    pub fn write_secret(&self, path: &Path, mode: u32) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let text = format!(
            "# STUI CURVE secret key (test)\npublic_key = \"{}\"\nsecret_key = \"{}\"\n",
            self.public, self.secret
        );
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// The OpenSSH-style fingerprint the docs specify, computed by Python
    /// (an oracle outside this project).
    pub fn fingerprint(&self) -> String {
        let raw = zmq::z85_decode(&self.public).unwrap();
        let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let script = "import sys, hashlib, base64\n\
            digest = hashlib.sha256(bytes.fromhex(sys.argv[1])).digest()\n\
            print('SHA256:' + base64.b64encode(digest).decode().rstrip('='))";
        let output = Command::new("python3")
            .args(["-c", script, &hex])
            .output()
            .expect("python3 runs (scripts/install-deps.sh installs it)");
        assert!(output.status.success(), "python3 computes a fingerprint");
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }
}

/// One line of an authorized-keys file.
pub fn authorized_line(keys: &Keys, role: &str, comment: &str) -> String {
    format!("{} {role} {comment}\n", keys.public)
}

/// A real server with CURVE on: its key pair, authorized-keys file and
/// audit log live in its own directory. Killed on drop.
pub struct CurveServer {
    pub address: String,
    pub keys: Keys,
    pub log_file: PathBuf,
    pub audit_log: PathBuf,
    pub authorized_keys: PathBuf,
    child: Child,
    dir: TempDir,
}

impl CurveServer {
    /// A server on a free loopback port that authorizes `lines` (see
    /// [`authorized_line`]); `extra` are further server options.
    pub fn start(lines: &[String], extra: &[&str]) -> Self {
        Self::start_bound(
            &format!("tcp://127.0.0.1:{}", free_port_pair()),
            lines,
            extra,
        )
    }

    /// As [`start`], bound to `endpoint`; clients connect through 127.0.0.1.
    pub fn start_bound(endpoint: &str, lines: &[String], extra: &[&str]) -> Self {
        let dir = TempDir::new("curve-server");
        let keys = Keys::generate();
        let key_file = dir.path().join("server.key");
        keys.write_secret(&key_file, 0o600);
        let authorized_keys = dir.path().join("authorized_keys");
        std::fs::write(&authorized_keys, lines.concat()).unwrap();
        let log_file = dir.path().join("server.log");
        let audit_log = dir.path().join("audit.log");
        let mut args = key_args(&key_file, &authorized_keys);
        args.extend(["--audit-log".into(), audit_log.display().to_string()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = spawn_gst(endpoint, &log_file, &args);
        let port = endpoint.rsplit(':').next().unwrap();
        let mut server = Self {
            address: format!("tcp://127.0.0.1:{port}"),
            keys,
            log_file,
            audit_log,
            authorized_keys,
            child,
            dir,
        };
        server.wait_until_serving();
        server
    }

    fn wait_until_serving(&mut self) {
        let started = Instant::now();
        let own = self.keys.clone();
        while curve_ping(
            &self.address,
            &self.keys.public,
            &own,
            Duration::from_millis(300),
        )
        .is_none()
        {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the CURVE server exited during start-up: {status}; log:\n{}",
                    std::fs::read_to_string(&self.log_file).unwrap_or_default()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the CURVE server did not answer within 30 s"
            );
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    pub fn audit(&self) -> String {
        std::fs::read_to_string(&self.audit_log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn port(&self) -> u16 {
        self.address.rsplit(':').next().unwrap().parse().unwrap()
    }
}

impl Drop for CurveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// gst running the saved server image on `endpoint` with `args`.
pub fn spawn_gst(endpoint: &str, log_file: &Path, args: &[String]) -> Child {
    let image = server_image();
    Command::new("gst")
        .arg("-g")
        .arg("-I")
        .arg(&image.image)
        .arg(&image.start_file)
        .arg("-a")
        .args(["--endpoint", endpoint, "--log-file"])
        .arg(log_file)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gst runs (scripts/install-deps.sh installs it)")
}

/// A REQ socket connected to `address` with CURVE: `client`'s keys and
/// the server key `server_public`.
pub fn curve_socket(
    context: &zmq::Context,
    address: &str,
    server_public: &str,
    client: &Keys,
) -> zmq::Socket {
    let socket = context.socket(zmq::REQ).unwrap();
    socket.set_linger(0).unwrap();
    set_curve(&socket, server_public, client);
    socket.connect(address).unwrap();
    socket
}

/// Makes `socket` a CURVE client with `client`'s keys of `server_public`.
pub fn set_curve(socket: &zmq::Socket, server_public: &str, client: &Keys) {
    let key = |text: &str| zmq::z85_decode(text).unwrap();
    socket.set_curve_serverkey(&key(server_public)).unwrap();
    socket.set_curve_publickey(&key(&client.public)).unwrap();
    socket.set_curve_secretkey(&key(&client.secret)).unwrap();
}

/// One raw request on a CURVE REQ socket: the reply text, or None when
/// none came within `wait` (refused in the handshake, or no server).
pub fn curve_request(
    address: &str,
    server_public: &str,
    client: &Keys,
    body: &str,
    wait: Duration,
) -> Option<String> {
    let context = zmq::Context::new();
    let socket = curve_socket(&context, address, server_public, client);
    socket.send(body.as_bytes(), 0).unwrap();
    if socket.poll(zmq::POLLIN, wait.as_millis() as i64).unwrap() == 0 {
        return None;
    }
    socket.recv_string(0).unwrap().ok()
}

/// The server options of a key file and an authorized-keys file.
pub fn key_args(key_file: &Path, authorized_keys: &Path) -> Vec<String> {
    vec![
        "--server-key".into(),
        key_file.display().to_string(),
        "--authorized-keys".into(),
        authorized_keys.display().to_string(),
    ]
}

/// A request body of `kind` with `params` in `session`.
pub fn body(session: &str, kind: &str, params: serde_json::Value) -> String {
    serde_json::json!({"stui": 1, "id": uuid::Uuid::new_v4().to_string(),
        "session": session, "type": kind, "params": params})
    .to_string()
}

pub fn curve_ping(
    address: &str,
    server_public: &str,
    client: &Keys,
    wait: Duration,
) -> Option<String> {
    curve_request(
        address,
        server_public,
        client,
        &body("probe", "ping", serde_json::json!({})),
        wait,
    )
}

/// A TCP proxy on a loopback port that forwards to `upstream` and keeps
/// every byte it forwards, both ways.
pub struct RecordingProxy {
    pub address: String,
    recorded: Arc<Mutex<Vec<u8>>>,
}

impl RecordingProxy {
    pub fn start(upstream: &str) -> Self {
        let target = upstream.trim_start_matches("tcp://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("tcp://{}", listener.local_addr().unwrap());
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let tape = recorded.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                pipe(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    tape.clone(),
                );
                pipe(server, client, tape.clone());
            }
        });
        Self { address, recorded }
    }

    /// Everything forwarded so far, both directions.
    pub fn bytes(&self) -> Vec<u8> {
        self.recorded.lock().unwrap().clone()
    }

    /// Whether `text` appears anywhere in what was forwarded.
    pub fn saw(&self, text: &str) -> bool {
        let bytes = self.bytes();
        bytes
            .windows(text.len())
            .any(|window| window == text.as_bytes())
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, tape: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16384];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 || to.write_all(&buffer[..n]).is_err() {
                break;
            }
            tape.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
