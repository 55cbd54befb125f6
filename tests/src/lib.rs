//! Shared helpers of the multi-process integration tests (tests/tests/*.rs): they start the real
//! `archivechain` binary, talk JSON-RPC to it over plain HTTP, and build signed extrinsics with
//! arbitrary (also wrong) parameters.
//!
//! - [`Node`]: one node process on a free 127.0.0.1 port with a given base path and flags; waits
//!   for `system_health`, captures stderr to a file (its tail is printed when a test panics),
//!   and is killed on drop (SIGTERM, then SIGKILL after 10 s). Every child process is spawned
//!   with `PR_SET_PDEATHSIG = SIGKILL` from a thread that lives as long as the test process, so
//!   no node outlives the tests, even when the test binary itself is killed.
//! - [`Testnet`]: N nodes of `--chain local` (the first four validate with the dev keys) on free
//!   RPC and p2p ports, booting from node 0 or in a reserved-only full mesh; kill/restart by
//!   index, partitions via reserved peers, and a background monitor that checks every second
//!   that no two live nodes finalized different blocks at the same height.
//! - [`run_cli`]: one-shot commands (`export-blocks`, `build-spec`, a node expected to fail…)
//!   with a timeout.
//! - [`TxParams`], [`sign_call`], [`sign_raw_call`], [`assemble_signed`]: extrinsics.
//!
//! The binary is found at `$ARCHIVECHAIN_BIN`, next to the test executable's target directory,
//! `$CARGO_TARGET_DIR/debug/archivechain` or `<workspace>/target/debug/archivechain`; build it
//! with `cargo build -p archivechain` first.

use std::{
    fs::File,
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{mpsc, Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context};
pub use archive_primitives::{crypto::dev, AccountId20, Era, Pair, H256};
use archive_primitives::{
    generic::unchecked_extrinsic::signing_payload,
    hashing::blake2_256,
    storage_key::{map_key, storage_prefix, Hasher},
    AdditionalSigned, SignedExtra, ARC,
};
pub use archive_runtime::{RuntimeCall, RuntimeEvent};
use parity_scale_codec::{Compact, Decode, Encode};
use serde_json::{json, Value};

/// A System.Events record as clients decode it.
pub type EventRecord = archive_support::EventRecord<RuntimeEvent, H256>;
/// A System.Account record.
pub type AccountInfo = archive_pallet_system::Account;
/// The runtime's extrinsic type.
pub type Extrinsic = archive_runtime::UncheckedExtrinsic;

/// Existential deposit of the runtime (0.001 ARC).
pub const EXISTENTIAL_DEPOSIT: u128 = ARC / 1_000;
/// One ARC.
pub const ONE_ARC: u128 = ARC;
/// How long a node may take to answer `system_health` after starting.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long [`Node::stop`] waits after SIGTERM before SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

mod sys {
    //! The only unsafe code: `prctl(PR_SET_PDEATHSIG)` in the child before exec, and `kill(2)`.
    #![allow(unsafe_code)]

    use std::process::Command;

    /// Makes the child receive SIGKILL when the thread that spawned it exits (the spawner thread
    /// lives until the test process exits). No-op off Linux.
    pub(crate) fn kill_with_parent(cmd: &mut Command) {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            let parent = std::process::id() as libc::pid_t;
            // SAFETY: the closure runs between fork and exec and only calls async-signal-safe
            // functions (prctl, getppid); it allocates nothing.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    if libc::getppid() != parent {
                        // The test process already died: do not start an orphan.
                        return Err(std::io::Error::other("parent process exited"));
                    }
                    Ok(())
                });
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = cmd;
    }

    /// Sends `sig` to `pid`.
    pub(crate) fn signal(pid: u32, sig: i32) -> std::io::Result<()> {
        // SAFETY: kill(2) has no memory-safety preconditions.
        let rc = unsafe { libc::kill(pid as libc::pid_t, sig) };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    pub(crate) const SIGTERM: i32 = libc::SIGTERM;
    pub(crate) const SIGINT: i32 = libc::SIGINT;
    pub(crate) const SIGKILL: i32 = libc::SIGKILL;
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Spawns `cmd` from the long-lived spawner thread, with `PR_SET_PDEATHSIG = SIGKILL`.
fn spawn_child(mut cmd: Command) -> std::io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("archivechain-spawner".into())
            .spawn(move || {
                // Keeps running (blocked on recv) until the process exits: PDEATHSIG fires when
                // the *thread* that forked the child dies, so this thread must never return
                // while children may live. The sender lives in a static, so recv never fails.
                while let Ok((mut cmd, reply)) = rx.recv() {
                    let _ = reply.send(cmd.spawn());
                }
                loop {
                    std::thread::park();
                }
            })
            .expect("spawn the spawner thread");
        Mutex::new(tx)
    });
    sys::kill_with_parent(&mut cmd);
    let (reply_tx, reply_rx) = mpsc::channel();
    tx.lock().unwrap_or_else(|e| e.into_inner()).send((cmd, reply_tx)).map_err(std::io::Error::other)?;
    reply_rx.recv().map_err(std::io::Error::other)?
}

/// The `archivechain` binary to test.
///
/// # Errors
/// When it is nowhere to be found (build it with `cargo build -p archivechain`).
pub fn binary() -> anyhow::Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("ARCHIVECHAIN_BIN") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        bail!("ARCHIVECHAIN_BIN={} is not a file", p.display());
    }
    // <target>/debug/deps/<test-exe> → <target>/debug/archivechain
    if let Ok(exe) = std::env::current_exe() {
        if let Some(profile_dir) = exe.parent().and_then(Path::parent) {
            candidates.push(profile_dir.join("archivechain"));
        }
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(t).join("debug").join("archivechain"));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("debug").join("archivechain"));
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    bail!(
        "the archivechain binary was not found (looked at {}): run `cargo build -p archivechain` first or set ARCHIVECHAIN_BIN",
        candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )
}

/// A fresh `archivechain` command with a clean environment for logs (no colours, info level).
fn base_command() -> anyhow::Result<Command> {
    let mut cmd = Command::new(binary()?);
    cmd.env("NO_COLOR", "1").env_remove("RUST_LOG").env_remove("ARCHIVECHAIN_BASE_PATH").stdin(Stdio::null());
    Ok(cmd)
}

/// Picks a free TCP port on 127.0.0.1 (bind port 0, read it, release it).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// The last `lines` lines of a text file (empty when unreadable).
pub fn file_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The result of a one-shot command.
#[derive(Debug)]
pub struct CmdOutput {
    /// Exit status; `None` when it ran past the timeout (it was killed).
    pub status: Option<ExitStatus>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CmdOutput {
    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// stdout and stderr together (for "no panic anywhere" checks).
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Display for CmdOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.status, self.stdout, self.stderr)
    }
}

/// Runs `archivechain args…` to completion (killed after `timeout`), capturing its output.
///
/// # Errors
/// When the binary is missing or cannot be started.
pub fn run_cli(args: &[&str], timeout: Duration) -> anyhow::Result<CmdOutput> {
    let dir = tempfile::tempdir()?;
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut cmd = base_command()?;
    cmd.args(args).stdout(File::create(&out_path)?).stderr(File::create(&err_path)?);
    let mut child = spawn_child(cmd).context("cannot start archivechain")?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| std::fs::read(p).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    Ok(CmdOutput { status, stdout: read(&out_path), stderr: read(&err_path) })
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC over HTTP
// ---------------------------------------------------------------------------------------------

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// `error.code`.
    pub code: i64,
    /// `error.message`.
    pub message: String,
    /// `error.data`, if any.
    pub data: Option<Value>,
}

impl RpcError {
    /// `data` as text (a JSON string's content, or the JSON of anything else; "" if absent).
    pub fn data_text(&self) -> String {
        match &self.data {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        }
    }

    /// Message and data together, lower-cased (for "mentions X" checks).
    pub fn text_lower(&self) -> String {
        format!("{} {}", self.message, self.data_text()).to_lowercase()
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RPC error {}: {}", self.code, self.message)?;
        if let Some(d) = &self.data {
            write!(f, " (data: {d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

/// A raw HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The body parsed as JSON.
    ///
    /// # Errors
    /// When it is not JSON.
    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| format!("HTTP {} body is not JSON: {}", self.status, String::from_utf8_lossy(&self.body)))
    }
}

/// POSTs `body` as `application/json` to `http://addr/` with a tiny HTTP/1.1 client
/// (`Connection: close`), tolerating a server that answers before reading the whole body.
///
/// # Errors
/// Connection failures, or a response that is not HTTP.
pub fn http_post(addr: SocketAddr, body: &[u8], timeout: Duration) -> anyhow::Result<HttpResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let write_result =
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).and_then(|()| stream.flush());
    let mut raw = Vec::new();
    let read_result = stream.read_to_end(&mut raw);
    if raw.is_empty() {
        write_result.context("sending the HTTP request")?;
        read_result.context("reading the HTTP response")?;
        bail!("empty HTTP response");
    }
    parse_http_response(&raw)
}

fn parse_http_response(raw: &[u8]) -> anyhow::Result<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").context("no end of HTTP headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut rest = &raw[split + 4..];
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad HTTP status line {status_line:?}"))?;
    let mut chunked = false;
    let mut length = None;
    for l in lines {
        let Some((k, v)) = l.split_once(':') else { continue };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
            chunked = true;
        } else if k == "content-length" {
            length = v.parse::<usize>().ok();
        }
    }
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").context("bad chunk header")?;
            let size_text = String::from_utf8_lossy(&rest[..eol]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .with_context(|| format!("bad chunk size {size_text:?}"))?;
            rest = &rest[eol + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(rest.get(..size).context("truncated chunk")?);
            rest = rest.get(size + 2..).unwrap_or_default();
        }
        body
    } else {
        match length {
            Some(n) => rest.get(..n).context("truncated HTTP body")?.to_vec(),
            None => rest.to_vec(),
        }
    };
    Ok(HttpResponse { status, body })
}

/// Sends one JSON-RPC request and returns its `result` or its `error`.
///
/// # Errors
/// Outer: transport failures and non-JSON-RPC answers; inner: the JSON-RPC error object.
pub fn rpc_call(addr: SocketAddr, method: &str, params: Value) -> anyhow::Result<Result<Value, RpcError>> {
    let body = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))?;
    let resp = http_post(addr, &body, Duration::from_secs(120))?;
    let v = resp.json()?;
    parse_rpc_response(&v).with_context(|| format!("HTTP {} for {method}", resp.status))
}

/// Splits a JSON-RPC response into result / error.
///
/// # Errors
/// When it has neither.
pub fn parse_rpc_response(v: &Value) -> anyhow::Result<Result<Value, RpcError>> {
    if let Some(e) = v.get("error") {
        return Ok(Err(RpcError {
            code: e.get("code").and_then(Value::as_i64).context("error without code")?,
            message: e.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
            data: e.get("data").cloned(),
        }));
    }
    match v.get("result") {
        Some(r) => Ok(Ok(r.clone())),
        None => bail!("JSON-RPC response has neither result nor error: {v}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Node
// ---------------------------------------------------------------------------------------------

/// A running (or stopped) `archivechain` node process. Its stderr goes to
/// `<base>/test-logs/stderr-<start>.log`.
pub struct Node {
    child: Option<Child>,
    port: u16,
    base: PathBuf,
    flags: Vec<String>,
    log_path: PathBuf,
    starts: u32,
    _owned_base: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("pid", &self.pid())
            .field("port", &self.port)
            .field("base", &self.base)
            .field("flags", &self.flags)
            .finish()
    }
}

impl Node {
    /// Starts `archivechain --base-path <base> --rpc-port <free port> <flags…>` and waits until
    /// `system_health` answers.
    ///
    /// # Errors
    /// The binary is missing, the process exits, or RPC does not answer within 60 s (the error
    /// includes the tail of its stderr).
    pub fn start(base: &Path, flags: &[&str]) -> anyhow::Result<Node> {
        let mut node = Node {
            child: None,
            port: 0,
            base: base.to_path_buf(),
            flags: flags.iter().map(|s| (*s).to_owned()).collect(),
            log_path: PathBuf::new(),
            starts: 0,
            _owned_base: None,
        };
        node.launch()?;
        Ok(node)
    }

    /// Starts a node with `flags` on a fresh temporary base path owned by the node.
    ///
    /// # Errors
    /// As [`Node::start`].
    pub fn start_tmp(flags: &[&str]) -> anyhow::Result<Node> {
        let dir = tempfile::Builder::new().prefix("archivechain-base-").tempdir()?;
        let mut node = Node::start(dir.path(), flags)?;
        node._owned_base = Some(dir);
        Ok(node)
    }

    fn launch(&mut self) -> anyhow::Result<()> {
        self.launch_on(None)
    }

    /// Starts the process on `rpc_port` (a fresh free port when `None`).
    fn launch_on(&mut self, rpc_port: Option<u16>) -> anyhow::Result<()> {
        anyhow::ensure!(self.child.is_none(), "node is already running");
        let mut last_err = None;
        for _attempt in 0..3 {
            self.port = rpc_port.unwrap_or_else(free_port);
            self.starts += 1;
            // Logs live in the base path (outside `chains/`), so they go wherever it goes.
            let log_dir = self.base.join("test-logs");
            std::fs::create_dir_all(&log_dir).with_context(|| format!("cannot create {}", log_dir.display()))?;
            self.log_path = log_dir.join(format!("stderr-{}.log", self.starts));
            let mut cmd = base_command()?;
            cmd.arg("--base-path")
                .arg(&self.base)
                .arg("--rpc-port")
                .arg(self.port.to_string())
                .args(&self.flags)
                .stdout(Stdio::null())
                .stderr(File::create(&self.log_path)?);
            self.child = Some(spawn_child(cmd).context("cannot start archivechain")?);
            match self.wait_ready(STARTUP_TIMEOUT) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    let tail = self.stderr_tail(40);
                    self.kill9();
                    // Another process took the port between our probe and the node's bind.
                    let retry = tail.contains("Address already in use");
                    last_err = Some(e.context(format!("node stderr (tail):\n{tail}")));
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("node did not start")))
    }

    fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.as_mut().context("no process")?.try_wait()? {
                self.child = None;
                bail!("archivechain exited during start-up with {status}");
            }
            if let Ok(Ok(_)) = rpc_call(self.addr(), "system_health", json!([])) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("archivechain did not answer system_health within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Restarts the node on the same base path with the same flags (stopping it first with
    /// SIGTERM if it runs). It gets a new port.
    ///
    /// # Errors
    /// As [`Node::start`].
    pub fn restart(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            self.stop();
        }
        self.launch()
    }

    /// Restarts the node on the same base path, flags **and RPC port** (stopping it first with
    /// SIGTERM if it runs).
    ///
    /// # Errors
    /// As [`Node::start`].
    pub fn restart_same_port(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            self.stop();
        }
        self.launch_on(Some(self.port))
    }

    /// Restarts with other flags (same base path).
    ///
    /// # Errors
    /// As [`Node::start`].
    pub fn restart_with(&mut self, flags: &[&str]) -> anyhow::Result<()> {
        if self.child.is_some() {
            self.stop();
        }
        self.flags = flags.iter().map(|s| (*s).to_owned()).collect();
        self.launch()
    }

    /// The RPC address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The RPC port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base path.
    pub fn base_path(&self) -> &Path {
        &self.base
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still alive (reaps it if it exited).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.child = None;
                false
            }
            None => false,
        }
    }

    /// The last `lines` lines of the current process's stderr.
    pub fn stderr_tail(&self, lines: usize) -> String {
        file_tail(&self.log_path, lines)
    }

    /// Everything the current process wrote to stderr.
    pub fn stderr(&self) -> String {
        std::fs::read(&self.log_path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    }

    /// Sends SIGTERM (the Ctrl-C path) without waiting.
    pub fn send_sigterm(&self) {
        if let Some(pid) = self.pid() {
            let _ = sys::signal(pid, sys::SIGTERM);
        }
    }

    /// Sends SIGINT (what Ctrl-C in a terminal sends) without waiting.
    pub fn send_sigint(&self) {
        if let Some(pid) = self.pid() {
            let _ = sys::signal(pid, sys::SIGINT);
        }
    }

    /// Waits up to `timeout` for the process to exit; `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut()?;
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited after 10 s. Returns how it exited and whether
    /// SIGTERM was enough.
    pub fn stop(&mut self) -> Option<(ExitStatus, bool)> {
        self.child.as_ref()?;
        self.send_sigterm();
        if let Some(status) = self.wait_exit(STOP_GRACE) {
            return Some((status, true));
        }
        let child = self.child.as_mut()?;
        let _ = child.kill();
        let status = child.wait().ok();
        self.child = None;
        status.map(|s| (s, false))
    }

    /// `kill -9` and reap.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = sys::signal(child.id(), sys::SIGKILL);
            let _ = child.wait();
        }
    }

    // ---- RPC ------------------------------------------------------------------------------

    /// One JSON-RPC call; transport failures panic (with the node's stderr tail).
    pub fn rpc(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        match rpc_call(self.addr(), method, params.clone()) {
            Ok(r) => r,
            Err(e) => panic!(
                "{method}({params}) failed at the transport level: {e:#}\nnode stderr:\n{}",
                self.stderr_tail(30)
            ),
        }
    }

    /// One JSON-RPC call that must succeed.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.rpc(method, params.clone()).unwrap_or_else(|e| panic!("{method}({params}) returned {e}"))
    }

    /// POSTs a raw body (for malformed requests).
    ///
    /// # Errors
    /// Transport failures.
    pub fn post_raw(&self, body: &[u8]) -> anyhow::Result<HttpResponse> {
        http_post(self.addr(), body, Duration::from_secs(120))
    }

    /// `author_submitExtrinsic`.
    pub fn submit(&self, xt: &[u8]) -> Result<H256, RpcError> {
        self.rpc("author_submitExtrinsic", json!([hex0x(xt)])).map(|v| parse_h256(&v))
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> H256 {
        self.block_hash(0).expect("genesis hash")
    }

    /// The canonical hash at `n`, if any.
    pub fn block_hash(&self, n: u32) -> Option<H256> {
        let v = self.call("chain_getBlockHash", json!([n]));
        (!v.is_null()).then(|| parse_h256(&v))
    }

    /// The best header (JSON).
    pub fn best_header(&self) -> Value {
        self.call("chain_getHeader", json!([]))
    }

    /// A header (JSON), if known.
    pub fn header(&self, hash: H256) -> Option<Value> {
        let v = self.call("chain_getHeader", json!([hash.to_string()]));
        (!v.is_null()).then_some(v)
    }

    /// Best block number.
    pub fn best_number(&self) -> u32 {
        header_number(&self.best_header())
    }

    /// Best block hash.
    pub fn best_hash(&self) -> H256 {
        parse_h256(&self.call("chain_getBlockHash", json!([])))
    }

    /// The raw extrinsics of a block (with their length prefixes).
    pub fn block_extrinsics(&self, hash: H256) -> Vec<Vec<u8>> {
        let v = self.call("chain_getBlock", json!([hash.to_string()]));
        v["block"]["extrinsics"]
            .as_array()
            .unwrap_or_else(|| panic!("chain_getBlock({hash}) has no extrinsics array: {v}"))
            .iter()
            .map(|x| from_hex(x.as_str().expect("extrinsic hex")))
            .collect()
    }

    /// `state_getStorage(key, at)` as bytes.
    pub fn storage(&self, key: &[u8], at: Option<H256>) -> Option<Vec<u8>> {
        let at = at.map(|h| json!(h.to_string())).unwrap_or(Value::Null);
        let v = self.call("state_getStorage", json!([hex0x(key), at]));
        v.as_str().map(from_hex)
    }

    /// System.Account of `who` at `at` (best if `None`); `None` if the account does not exist.
    pub fn account(&self, who: AccountId20, at: Option<H256>) -> Option<AccountInfo> {
        self.storage(&account_key(who), at)
            .map(|raw| AccountInfo::decode(&mut &raw[..]).expect("System.Account decodes"))
    }

    /// Free balance of `who` (0 if it does not exist).
    pub fn free_balance(&self, who: AccountId20, at: Option<H256>) -> u128 {
        self.account(who, at).map(|a| a.data.free).unwrap_or(0)
    }

    /// On-chain nonce of `who` at the best block.
    pub fn nonce(&self, who: AccountId20) -> u32 {
        self.account(who, None).map(|a| a.nonce).unwrap_or(0)
    }

    /// `system_accountNextIndex` (pool-aware next nonce).
    pub fn next_index(&self, who: AccountId20) -> u32 {
        let v = self.call("system_accountNextIndex", json!([who.to_string()]));
        u32::try_from(v.as_u64().unwrap_or_else(|| panic!("accountNextIndex: {v}"))).expect("nonce fits u32")
    }

    /// System.Events at block `at`.
    pub fn events(&self, at: H256) -> Vec<EventRecord> {
        match self.storage(&storage_prefix("System", "Events"), Some(at)) {
            Some(raw) => Vec::<EventRecord>::decode(&mut &raw[..]).expect("System.Events decodes"),
            None => Vec::new(),
        }
    }

    /// Waits until the best block number is at least `n`; returns it.
    ///
    /// # Panics
    /// After 60 s.
    pub fn wait_for_block(&self, n: u32) -> u32 {
        self.wait_for_block_timeout(n, Duration::from_secs(60))
    }

    /// [`Node::wait_for_block`] with a timeout.
    pub fn wait_for_block_timeout(&self, n: u32, timeout: Duration) -> u32 {
        let mut best = 0;
        let ok = wait_until(timeout, || {
            best = self.best_number();
            best >= n
        });
        assert!(
            ok,
            "best block still #{best} after {timeout:?}, waiting for #{n}\nnode stderr:\n{}",
            self.stderr_tail(30)
        );
        best
    }

    /// Searches canonical blocks `from..=best` for the extrinsic with `xt_hash`; returns the
    /// block hash and index.
    pub fn find_extrinsic(&self, xt_hash: H256, from: u32) -> Option<(H256, u32)> {
        let best = self.best_number();
        for n in from..=best {
            let hash = self.block_hash(n)?;
            for (i, x) in self.block_extrinsics(hash).iter().enumerate() {
                if H256(blake2_256(x)) == xt_hash {
                    return Some((hash, i as u32));
                }
            }
        }
        None
    }

    /// Waits (up to `timeout`) for the extrinsic to be in a canonical block at or after `from`.
    pub fn wait_for_extrinsic(&self, xt_hash: H256, from: u32, timeout: Duration) -> Option<(H256, u32)> {
        let mut found = None;
        wait_until(timeout, || {
            found = self.find_extrinsic(xt_hash, from);
            found.is_some()
        });
        found
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "---- archivechain (port {}, base {}) stderr, last lines ----\n{}\n----",
                self.port,
                self.base.display(),
                self.stderr_tail(25)
            );
            self.kill9();
        } else {
            self.stop();
        }
    }
}

/// Polls `cond` every 50 ms until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------------------------

/// `0x`-prefixed lower-case hex.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Parses `0x` hex (panics on bad hex: only for node answers).
pub fn from_hex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// Parses a JSON hash string.
pub fn parse_h256(v: &Value) -> H256 {
    let s = v.as_str().unwrap_or_else(|| panic!("expected a hash string, got {v}"));
    s.parse().unwrap_or_else(|e| panic!("bad hash {s:?}: {e:?}"))
}

/// A header's `number` (hex string or number).
pub fn header_number(h: &Value) -> u32 {
    match &h["number"] {
        Value::String(s) => u32::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex block number"),
        Value::Number(n) => u32::try_from(n.as_u64().expect("number")).expect("u32"),
        other => panic!("header without number: {other} in {h}"),
    }
}

/// blake2_256 of an encoded extrinsic: its transaction hash.
pub fn xt_hash(xt: &[u8]) -> H256 {
    H256(blake2_256(xt))
}

/// The System.Account storage key of `who`.
pub fn account_key(who: AccountId20) -> Vec<u8> {
    map_key("System", "Account", Hasher::Blake2_128Concat, &who.encode())
}

/// A dev key by name (alith, baltathar, charleth, dorothy, ethan, faith).
pub fn dev_pair(name: &str) -> Pair {
    dev::pair(name).unwrap_or_else(|| panic!("no dev key {name}"))
}

/// A deterministic key that is not funded in any genesis (from a seed string).
pub fn fresh_pair(seed: &str) -> Pair {
    Pair::from_secret(&blake2_256(seed.as_bytes())).expect("valid secret")
}

/// A deterministic, never-funded account (from a seed string).
pub fn fresh_account(seed: &str) -> AccountId20 {
    fresh_pair(seed).account()
}

/// Everything that goes into signing an extrinsic, each settable to a wrong value.
#[derive(Clone, Copy, Debug)]
pub struct TxParams {
    /// The sender's nonce.
    pub nonce: u32,
    /// Tip.
    pub tip: u128,
    /// Mortality.
    pub era: Era,
    /// The era's birth-block hash that is signed (the genesis hash for immortal).
    pub era_block_hash: H256,
    /// Signed genesis hash.
    pub genesis_hash: H256,
    /// Signed spec version.
    pub spec_version: u32,
    /// Signed transaction version.
    pub transaction_version: u32,
}

impl TxParams {
    /// Correct parameters for an immortal transaction with `nonce` on the chain `genesis`.
    pub fn new(genesis: H256, nonce: u32) -> Self {
        TxParams {
            nonce,
            tip: 0,
            era: Era::Immortal,
            era_block_hash: genesis,
            genesis_hash: genesis,
            spec_version: archive_runtime::version().spec_version,
            transaction_version: archive_runtime::version().transaction_version,
        }
    }

    /// With a mortal era born at block `birth_number` (whose hash is `birth_hash`).
    pub fn mortal(mut self, period: u64, birth_number: u64, birth_hash: H256) -> Self {
        self.era = Era::mortal(period, birth_number);
        self.era_block_hash = birth_hash;
        self
    }

    /// The wire `extra`.
    pub fn extra(&self) -> SignedExtra {
        SignedExtra { era: self.era, nonce: self.nonce, tip: self.tip }
    }

    /// The signed-but-not-sent data.
    pub fn additional(&self) -> AdditionalSigned {
        AdditionalSigned {
            spec_version: self.spec_version,
            transaction_version: self.transaction_version,
            genesis_hash: self.genesis_hash,
            era_block_hash: self.era_block_hash,
        }
    }
}

/// A signed extrinsic of `call`, encoded (with its length prefix).
pub fn sign_call(call: &RuntimeCall, pair: &Pair, p: &TxParams) -> Vec<u8> {
    Extrinsic::new_signed(call.clone(), pair, p.extra(), &p.additional()).encode()
}

/// A signed extrinsic over arbitrary call bytes (e.g. an unknown pallet index), signed
/// correctly for those bytes.
pub fn sign_raw_call(call: &[u8], pair: &Pair, p: &TxParams) -> Vec<u8> {
    let sig = pair.sign(&signing_payload(call, &p.extra(), &p.additional()));
    assemble_signed(pair.account(), &sig.0, &p.extra(), call)
}

/// `Compact(len) ++ 0x84 ++ signer ++ signature ++ extra ++ call`, with any signature bytes.
pub fn assemble_signed(signer: AccountId20, signature: &[u8; 65], extra: &SignedExtra, call: &[u8]) -> Vec<u8> {
    let mut inner = vec![0x84u8];
    signer.encode_to(&mut inner);
    inner.extend_from_slice(signature);
    extra.encode_to(&mut inner);
    inner.extend_from_slice(call);
    with_length_prefix(&inner)
}

/// `Compact(len) ++ bytes`.
pub fn with_length_prefix(inner: &[u8]) -> Vec<u8> {
    let mut out = Compact(inner.len() as u32).encode();
    out.extend_from_slice(inner);
    out
}

/// Strips the compact length prefix of an encoded extrinsic.
pub fn strip_length_prefix(xt: &[u8]) -> Vec<u8> {
    let mut rd = xt;
    let _ = Compact::<u32>::decode(&mut rd).expect("length prefix");
    rd.to_vec()
}

/// Decodes an encoded extrinsic.
pub fn decode_extrinsic(xt: &[u8]) -> Extrinsic {
    Extrinsic::decode(&mut &xt[..]).expect("extrinsic decodes")
}

/// `Balances.transfer_allow_death`.
pub fn transfer_call(dest: AccountId20, value: u128) -> RuntimeCall {
    RuntimeCall::Balances(archive_pallet_balances::Call::transfer_allow_death { dest, value })
}

/// `Balances.transfer_keep_alive`.
pub fn transfer_keep_alive_call(dest: AccountId20, value: u128) -> RuntimeCall {
    RuntimeCall::Balances(archive_pallet_balances::Call::transfer_keep_alive { dest, value })
}

/// `System.remark`.
pub fn remark_call(remark: Vec<u8>) -> RuntimeCall {
    RuntimeCall::System(archive_pallet_system::Call::remark { remark })
}

/// The fee the runtime withdraws for an encoded extrinsic (inclusion fee plus tip) at the
/// default fee parameters (which the test chains keep).
pub fn fee_of(xt: &[u8]) -> u128 {
    let decoded = decode_extrinsic(xt);
    let tip = decoded.signature.map(|(_, _, e)| e.tip).unwrap_or(0);
    let defaults = archive_support::MemoryBackend::default();
    let ext = archive_support::Ext::new(&defaults);
    archive_runtime::fees::total_fee(&ext, xt.len() as u32, decoded.function.weight(), tip)
}

/// Signed immortal transfer from a dev account with the given nonce.
pub fn transfer(node: &Node, from: &Pair, nonce: u32, dest: AccountId20, value: u128) -> Vec<u8> {
    sign_call(&transfer_keep_alive_call(dest, value), from, &TxParams::new(node.genesis_hash(), nonce))
}

/// Submits a batch of extrinsics and returns their hashes (panics on any refusal).
pub fn submit_all(node: &Node, xts: &[Vec<u8>]) -> Vec<H256> {
    xts.iter().map(|x| node.submit(x).unwrap_or_else(|e| panic!("submit refused: {e}"))).collect()
}

/// Leaks a directory `<tmp>/<prefix>-<pid>` that lives as long as the test process (for nodes
/// kept in statics, which are never dropped); removes those left by dead processes first.
pub fn process_lifetime_dir(prefix: &str) -> PathBuf {
    let tmp = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&tmp) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix(&format!("{prefix}-")).and_then(|p| p.parse::<u32>().ok()) {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    let dir = tmp.join(format!("{prefix}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create process-lifetime dir");
    dir
}

// ---------------------------------------------------------------------------------------------
// Testnet: several nodes of the `local` chain talking to each other
// ---------------------------------------------------------------------------------------------

/// Dev keys of the `local` chain's validators, in validator-set order (the author of slot `s`
/// is `LOCAL_VALIDATORS[s % 4]`).
pub const LOCAL_VALIDATORS: [&str; 4] = ["alith", "baltathar", "charleth", "dorothy"];
/// Slot duration of the `local` chain.
pub const LOCAL_SLOT: Duration = Duration::from_secs(3);
/// How often the [`Testnet`]'s safety monitor samples every live node.
pub const SAFETY_SAMPLE_INTERVAL: Duration = Duration::from_secs(1);
/// How long [`Testnet`]'s drop waits for its nodes to exit after SIGTERM before SIGKILL.
pub const TESTNET_STOP_GRACE: Duration = Duration::from_secs(3);
/// Engine id of the slot pre-digest and seal.
pub const SLOT_ENGINE_ID: [u8; 4] = *b"arcp";

/// The slot and author of a header (JSON, as `chain_getHeader` returns it), read from its
/// first digest item `PreRuntime("arcp", SCALE{slot: u64, author: AccountId20})`.
///
/// # Panics
/// When the header has no such pre-digest (every authored block must have one).
pub fn slot_author(header: &Value) -> (u64, AccountId20) {
    let logs = header["digest"]["logs"].as_array().unwrap_or_else(|| panic!("header without digest logs: {header}"));
    let first = logs.first().and_then(Value::as_str).unwrap_or_else(|| panic!("header without digest items: {header}"));
    let item = archive_primitives::DigestItem::decode(&mut &from_hex(first)[..])
        .unwrap_or_else(|e| panic!("undecodable digest item {first}: {e}"));
    match item {
        archive_primitives::DigestItem::PreRuntime(id, data) if id == SLOT_ENGINE_ID => {
            <(u64, AccountId20)>::decode(&mut &data[..])
                .unwrap_or_else(|e| panic!("undecodable slot pre-digest {}: {e}", hex0x(&data)))
        }
        other => panic!("first digest item is not PreRuntime(\"arcp\", …): {other:?} in {header}"),
    }
}

/// The dev-key name of a `local` validator account (`None` if it is not one).
pub fn validator_name(who: AccountId20) -> Option<&'static str> {
    LOCAL_VALIDATORS.iter().copied().find(|n| dev_pair(n).account() == who)
}

/// One JSON-RPC call with a short timeout; `None` on any transport or JSON-RPC error (the
/// safety monitor must not hang on, or panic about, a node that was just killed).
fn quick_rpc(addr: SocketAddr, method: &str, params: Value) -> Option<Value> {
    let body = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})).ok()?;
    let resp = http_post(addr, &body, Duration::from_secs(5)).ok()?;
    parse_rpc_response(&resp.json().ok()?).ok()?.ok()
}

/// What the safety monitor has learned.
#[derive(Default)]
struct SafetyState {
    /// RPC address of each node while it runs.
    addrs: Vec<Option<SocketAddr>>,
    /// Per node: every height up to this one has been recorded in `finalized`.
    checked: Vec<u32>,
    /// Height → (hash, the node that first reported it as finalized).
    finalized: std::collections::BTreeMap<u32, (H256, usize)>,
    /// Safety violations seen (empty while all is well).
    violations: Vec<String>,
    /// Completed sampling rounds.
    rounds: u64,
}

impl SafetyState {
    /// Records that node `i` has finalized `hash` at `number`.
    fn record(&mut self, i: usize, number: u32, hash: H256) {
        match self.finalized.get(&number) {
            None => {
                self.finalized.insert(number, (hash, i));
            }
            Some((h, j)) if *h != hash => {
                let msg = format!(
                    "SAFETY VIOLATION: node {i} finalized {hash} at #{number}, node {j} finalized {h} at the same height"
                );
                eprintln!("{msg}");
                self.violations.push(msg);
            }
            Some(_) => {}
        }
    }
}

/// Samples every live node each [`SAFETY_SAMPLE_INTERVAL`]: walks each node's finalized chain
/// (parent links from `chain_getFinalizedHead`) down to what it checked before and records
/// every (height, hash); two nodes with different hashes at a height both finalized is a
/// violation. It also checks that each finalized head is the canonical block at its height.
struct SafetyMonitor {
    state: Arc<Mutex<SafetyState>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SafetyMonitor {
    fn start() -> Self {
        let state = Arc::new(Mutex::new(SafetyState::default()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("testnet-safety".into())
            .spawn(move || {
                while !st.load(std::sync::atomic::Ordering::Acquire) {
                    Self::sample(&s);
                    let until = Instant::now() + SAFETY_SAMPLE_INTERVAL;
                    while Instant::now() < until && !st.load(std::sync::atomic::Ordering::Acquire) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            })
            .expect("spawn the safety monitor");
        SafetyMonitor { state, stop, thread: Some(thread) }
    }

    fn lock(state: &Mutex<SafetyState>) -> std::sync::MutexGuard<'_, SafetyState> {
        state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_addr(&self, i: usize, addr: Option<SocketAddr>) {
        let mut s = Self::lock(&self.state);
        if s.addrs.len() <= i {
            s.addrs.resize(i + 1, None);
            s.checked.resize(i + 1, 0);
        }
        s.addrs[i] = addr;
    }

    /// One sampling round over all live nodes (the lock is not held during RPC calls).
    fn sample(state: &Mutex<SafetyState>) {
        let addrs: Vec<(usize, SocketAddr, u32)> = {
            let s = Self::lock(state);
            s.addrs.iter().enumerate().filter_map(|(i, a)| a.map(|a| (i, a, s.checked[i]))).collect()
        };
        for (i, addr, checked) in addrs {
            let Some(fin_hash) = quick_rpc(addr, "chain_getFinalizedHead", json!([])) else { continue };
            let Some(fin_hash) = fin_hash.as_str().and_then(|s| s.parse::<H256>().ok()) else { continue };
            let Some(header) = quick_rpc(addr, "chain_getHeader", json!([fin_hash.to_string()])) else { continue };
            let fin_number = header_number(&header);
            // The finalized head must be canonical (chain_getBlockHash at its height).
            if let Some(canon) = quick_rpc(addr, "chain_getBlockHash", json!([fin_number])) {
                let canon = canon.as_str().and_then(|s| s.parse::<H256>().ok());
                if canon != Some(fin_hash) {
                    // Re-read: the finalized head may have moved between the two calls.
                    let again = quick_rpc(addr, "chain_getFinalizedHead", json!([]));
                    if again.as_ref().and_then(Value::as_str).and_then(|s| s.parse::<H256>().ok()) == Some(fin_hash) {
                        let msg = format!(
                            "SAFETY VIOLATION: node {i}'s finalized head {fin_hash} (#{fin_number}) is not canonical: chain_getBlockHash({fin_number}) = {canon:?}"
                        );
                        eprintln!("{msg}");
                        Self::lock(state).violations.push(msg);
                    }
                }
            }
            // Walk the parent links down to the last checked height.
            let mut found = vec![(fin_number, fin_hash)];
            let mut parent = parse_h256(&header["parentHash"]);
            let mut n = fin_number;
            let mut complete = true;
            while n > checked + 1 {
                n -= 1;
                let Some(h) = quick_rpc(addr, "chain_getHeader", json!([parent.to_string()])) else {
                    complete = false;
                    break;
                };
                if h.is_null() || header_number(&h) != n {
                    let msg = format!(
                        "SAFETY VIOLATION: node {i}: finalized chain broken at #{n}: header of {parent} is {h}"
                    );
                    eprintln!("{msg}");
                    Self::lock(state).violations.push(msg);
                    complete = false;
                    break;
                }
                found.push((n, parent));
                parent = parse_h256(&h["parentHash"]);
            }
            let mut s = Self::lock(state);
            for (n, h) in &found {
                s.record(i, *n, *h);
            }
            if complete && fin_number > s.checked[i] {
                // The block below the walk must link to what we recorded there.
                if let Some((below, _)) = s.finalized.get(&n.saturating_sub(1)).copied() {
                    if n > 1 && below != parent {
                        let msg = format!(
                            "SAFETY VIOLATION: node {i}'s finalized #{n} has parent {parent}, but #{} was finalized as {below}",
                            n - 1
                        );
                        eprintln!("{msg}");
                        s.violations.push(msg);
                    }
                }
                s.checked[i] = fin_number;
            }
        }
        Self::lock(state).rounds += 1;
    }

    fn violations(&self) -> Vec<String> {
        Self::lock(&self.state).violations.clone()
    }

    fn rounds(&self) -> u64 {
        Self::lock(&self.state).rounds
    }

    fn heights(&self) -> usize {
        Self::lock(&self.state).finalized.len()
    }

    fn stop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How a [`Testnet`] is wired.
#[derive(Clone, Debug)]
pub struct TestnetConfig {
    /// Number of nodes; the first four validate with [`LOCAL_VALIDATORS`], the rest are full
    /// nodes.
    pub nodes: usize,
    /// `--reserved-only` with a full mesh of reserved peers (each node boots from all earlier
    /// ones, and every earlier node is told about it with `system_addReservedPeer`).
    /// Otherwise every node boots from node 0 (as `scripts/testnet.sh` does).
    pub reserved_only: bool,
    /// Chain parameters that differ from the local spec's (`("era_length", "10")`): the nodes
    /// then run a spec made with `build-spec --chain local` and these values.
    pub parameters: Vec<(&'static str, String)>,
    /// Dev keys of validator *candidates* started after the four genesis validators (node 4,
    /// 5, …): they run `--validator --dev-key <name>` and author once elected.
    pub candidates: Vec<&'static str>,
    /// Extra flags per node index (e.g. the test-only `--unsafe-double-sign`).
    pub node_flags: Vec<(usize, Vec<String>)>,
}

impl TestnetConfig {
    /// `n` nodes booting from node 0.
    pub fn star(nodes: usize) -> Self {
        TestnetConfig {
            nodes,
            reserved_only: false,
            parameters: Vec::new(),
            candidates: Vec::new(),
            node_flags: Vec::new(),
        }
    }

    /// `n` nodes in reserved-only mode, fully meshed.
    pub fn reserved_mesh(nodes: usize) -> Self {
        TestnetConfig { reserved_only: true, ..Self::star(nodes) }
    }
}

/// A testnet of `--chain local` nodes on 127.0.0.1 (what `scripts/testnet.sh` starts), each on
/// its own free RPC and p2p port and base path under one temporary directory. A background
/// safety-monitor thread checks finality safety across all live nodes every second;
/// [`Testnet::wait_until`] and [`Testnet::assert_safe`] fail the test on a violation.
/// Everything is killed on drop (the directory is kept, and its path printed, if the test
/// panicked).
pub struct Testnet {
    nodes: Vec<Node>,
    chain: String,
    candidates: Vec<&'static str>,
    node_flags: Vec<(usize, Vec<String>)>,
    p2p_ports: Vec<u16>,
    peer_ids: Vec<String>,
    reserved_only: bool,
    monitor: SafetyMonitor,
    started: Instant,
    dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Testnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Testnet").field("nodes", &self.nodes).field("p2p_ports", &self.p2p_ports).finish()
    }
}

impl Testnet {
    /// Starts the nodes (node 0 first, then the others booting from it, or from all earlier
    /// ones in reserved-only mode) and waits until each has its peers (all others in
    /// reserved-only mode, at least one otherwise).
    ///
    /// # Errors
    /// A node that does not start, or peers that do not connect within 60 s.
    pub fn start(config: TestnetConfig) -> anyhow::Result<Testnet> {
        remember_panic_messages();
        let dir = tempfile::Builder::new().prefix("archivechain-testnet-").tempdir()?;
        let chain = if config.parameters.is_empty() {
            "local".to_owned()
        } else {
            let out = Command::new(binary()?).args(["build-spec", "--chain", "local"]).output()?;
            anyhow::ensure!(out.status.success(), "build-spec failed: {}", String::from_utf8_lossy(&out.stderr));
            let mut spec: Value = serde_json::from_slice(&out.stdout).context("build-spec output")?;
            let params = &mut spec["genesis"]["runtime"]["parameters"];
            if !params.is_object() {
                *params = json!({});
            }
            for (k, v) in &config.parameters {
                params[*k] = Value::String(v.clone());
            }
            let path = dir.path().join("spec.json");
            std::fs::write(&path, serde_json::to_vec_pretty(&spec)?)?;
            path.display().to_string()
        };
        let mut net = Testnet {
            chain,
            candidates: config.candidates.clone(),
            node_flags: config.node_flags.clone(),
            nodes: Vec::new(),
            p2p_ports: Vec::new(),
            peer_ids: Vec::new(),
            reserved_only: config.reserved_only,
            monitor: SafetyMonitor::start(),
            started: Instant::now(),
            dir: Some(dir),
        };
        for _ in 0..config.nodes {
            net.spawn_node()?;
        }
        let want = if config.reserved_only { config.nodes.saturating_sub(1) } else { usize::from(config.nodes > 1) };
        let mut last = Vec::new();
        let ok = wait_until(Duration::from_secs(60), || {
            last = (0..net.len()).map(|i| net.peers(i)).collect();
            last.iter().all(|p| *p >= want)
        });
        if !ok {
            bail!("peers per node still {last:?} after 60 s (want ≥ {want} each)");
        }
        net.log(&format!("testnet of {} nodes up, peers {last:?}", config.nodes));
        Ok(net)
    }

    /// Starts the next node (index `len()`): a validator for the first four, a full node after.
    fn spawn_node(&mut self) -> anyhow::Result<usize> {
        let i = self.nodes.len();
        let base = self.dir.as_ref().context("testnet directory")?.path().join(format!("node{i}"));
        std::fs::create_dir_all(&base)?;
        let boot: Vec<String> = if self.reserved_only {
            (0..i).map(|j| self.multiaddr(j)).collect()
        } else if i > 0 {
            vec![self.multiaddr(0)]
        } else {
            Vec::new()
        };
        let mut last_err = None;
        for _attempt in 0..3 {
            let port = free_port();
            if self.p2p_ports.contains(&port) || self.nodes.iter().any(|n| n.port() == port) {
                continue;
            }
            let mut flags: Vec<String> = [
                "--chain",
                self.chain.as_str(),
                "--port",
                &port.to_string(),
                "--listen-addr",
                "127.0.0.1",
                "--name",
                &format!("node{i}"),
                "--rpc-methods",
                "unsafe",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            let key = LOCAL_VALIDATORS.get(i).or_else(|| self.candidates.get(i - LOCAL_VALIDATORS.len()));
            if let Some(key) = key {
                flags.extend(["--validator".to_owned(), "--dev-key".to_owned(), (*key).to_owned()]);
            }
            for (_, extra) in self.node_flags.iter().filter(|(n, _)| *n == i) {
                flags.extend(extra.iter().cloned());
            }
            if self.reserved_only {
                flags.push("--reserved-only".to_owned());
            }
            // For debugging a failing test: e.g. TESTNET_LOG=info,consensus=debug.
            if let Ok(filter) = std::env::var("TESTNET_LOG") {
                flags.extend(["--log".to_owned(), filter]);
            }
            if !boot.is_empty() {
                flags.extend(["--bootnodes".to_owned(), boot.join(",")]);
            }
            let refs: Vec<&str> = flags.iter().map(String::as_str).collect();
            match Node::start(&base, &refs) {
                Ok(node) => {
                    let id = node.call("system_localPeerId", json!([]));
                    let id = id.as_str().with_context(|| format!("system_localPeerId returned {id}"))?.to_owned();
                    self.monitor.set_addr(i, Some(node.addr()));
                    self.nodes.push(node);
                    self.p2p_ports.push(port);
                    self.peer_ids.push(id);
                    if self.reserved_only {
                        let me = self.multiaddr(i);
                        for j in 0..i {
                            self.nodes[j].call("system_addReservedPeer", json!([me]));
                        }
                    }
                    self.log(&format!(
                        "node{i} started: rpc {} p2p {port} peer {}",
                        self.nodes[i].addr(),
                        self.peer_ids[i]
                    ));
                    return Ok(i);
                }
                Err(e) => {
                    // The p2p port was taken between the probe and the bind: try another.
                    let retry = format!("{e:#}").contains("Address already in use");
                    last_err = Some(e);
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("no free p2p port")).context(format!("starting testnet node {i}")))
    }

    /// Adds a full node (no validator key) with a fresh base path, booting from node 0 (from
    /// every node, reserved, in reserved-only mode); returns its index.
    ///
    /// # Errors
    /// As [`Testnet::start`].
    pub fn add_full_node(&mut self) -> anyhow::Result<usize> {
        // Validator slots are the first four indices: pad so that the new node is not one.
        anyhow::ensure!(self.nodes.len() >= LOCAL_VALIDATORS.len(), "start the four validators first");
        self.spawn_node()
    }

    /// Prints a time-stamped line (seconds since the testnet started).
    pub fn log(&self, msg: &str) {
        eprintln!("[testnet +{:6.1}s] {msg}", self.started.elapsed().as_secs_f64());
    }

    /// Number of nodes (running or not).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node `i`.
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Node `i`, mutably.
    pub fn node_mut(&mut self, i: usize) -> &mut Node {
        &mut self.nodes[i]
    }

    /// Node `i`'s peer id.
    pub fn peer_id(&self, i: usize) -> &str {
        &self.peer_ids[i]
    }

    /// Node `i`'s p2p port.
    pub fn p2p_port(&self, i: usize) -> u16 {
        self.p2p_ports[i]
    }

    /// Node `i`'s full multiaddr `/ip4/127.0.0.1/tcp/<port>/p2p/<peer id>`.
    pub fn multiaddr(&self, i: usize) -> String {
        format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p_ports[i], self.peer_ids[i])
    }

    /// Indices of the nodes whose process runs.
    pub fn live(&mut self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|i| self.nodes[*i].is_running()).collect()
    }

    /// Finalized head of node `i`: (number, hash).
    pub fn finalized(&self, i: usize) -> (u32, H256) {
        let hash = parse_h256(&self.nodes[i].call("chain_getFinalizedHead", json!([])));
        let header =
            self.nodes[i].header(hash).unwrap_or_else(|| panic!("node {i} has no header of its finalized head"));
        (header_number(&header), hash)
    }

    /// Finalized number of node `i`.
    pub fn finalized_number(&self, i: usize) -> u32 {
        self.finalized(i).0
    }

    /// Best number of node `i`.
    pub fn best_number(&self, i: usize) -> u32 {
        self.nodes[i].best_number()
    }

    /// Canonical hash at `n` on node `i`.
    pub fn hash_at(&self, i: usize, n: u32) -> Option<H256> {
        self.nodes[i].block_hash(n)
    }

    /// `system_health.peers` of node `i`.
    pub fn peers(&self, i: usize) -> usize {
        let h = self.nodes[i].call("system_health", json!([]));
        usize::try_from(h["peers"].as_u64().unwrap_or_else(|| panic!("system_health without peers: {h}"))).unwrap_or(0)
    }

    /// Header (JSON) of the canonical block `n` on node `i`.
    pub fn header_at(&self, i: usize, n: u32) -> Value {
        let hash = self.hash_at(i, n).unwrap_or_else(|| panic!("node {i} has no block #{n}"));
        self.nodes[i].header(hash).unwrap_or_else(|| panic!("node {i} has no header for #{n} {hash}"))
    }

    /// Polls `cond` every 250 ms until it holds (true) or `timeout` passes (false); fails the
    /// test at once if the safety monitor has seen a violation.
    pub fn wait_until(&self, timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.assert_safe();
            if cond() {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Sleeps for `d`, still failing at once on a safety violation.
    pub fn sleep(&self, d: Duration) {
        self.wait_until(d, || false);
    }

    /// Panics if the safety monitor has seen two nodes disagree on a finalized block.
    pub fn assert_safe(&self) {
        let v = self.monitor.violations();
        assert!(v.is_empty(), "finality safety violated:\n{}", v.join("\n"));
    }

    /// Waits for one more full sampling round of the safety monitor, then [`Testnet::assert_safe`];
    /// also compares `chain_getBlockHash` of all nodes in `nodes` at every height up to the
    /// lowest of their finalized numbers. Returns that lowest finalized number.
    pub fn assert_agreement(&self, nodes: &[usize]) -> u32 {
        let r = self.monitor.rounds();
        let ok = wait_until(Duration::from_secs(30), || self.monitor.rounds() >= r + 2);
        assert!(ok, "the safety monitor stopped sampling");
        self.assert_safe();
        let min_fin = nodes.iter().map(|i| self.finalized_number(*i)).min().unwrap_or(0);
        for n in 0..=min_fin {
            let hashes: Vec<(usize, Option<H256>)> = nodes.iter().map(|i| (*i, self.hash_at(*i, n))).collect();
            let first = hashes[0].1;
            assert!(
                first.is_some() && hashes.iter().all(|(_, h)| *h == first),
                "nodes disagree on block #{n} (≤ their common finalized #{min_fin}): {hashes:?}"
            );
        }
        self.log(&format!(
            "nodes {nodes:?} agree up to #{min_fin}; safety monitor: {} sampling rounds, {} finalized heights cross-checked, no violation",
            self.monitor.rounds(),
            self.monitor.heights()
        ));
        min_fin
    }

    /// `kill -9` node `i` (the monitor stops sampling it).
    pub fn kill9(&mut self, i: usize) {
        self.monitor.set_addr(i, None);
        self.nodes[i].kill9();
        self.log(&format!("node{i} killed (SIGKILL)"));
    }

    /// Restarts node `i` on its base path, p2p port and RPC port. In reserved-only mode it is
    /// then told about every other node again (its reserved set lives in memory), so the mesh
    /// is whole again.
    ///
    /// # Errors
    /// As [`Node::start`].
    pub fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.monitor.set_addr(i, None);
        self.nodes[i].restart_same_port()?;
        self.monitor.set_addr(i, Some(self.nodes[i].addr()));
        if self.reserved_only {
            for j in (0..self.nodes.len()).filter(|j| *j != i) {
                self.nodes[i].call("system_addReservedPeer", json!([self.multiaddr(j)]));
            }
        }
        self.log(&format!("node{i} restarted"));
        Ok(())
    }

    /// Cuts the link between nodes `a` and `b`: each removes the other from its reserved peers
    /// (in reserved-only mode that disconnects it and keeps it out).
    pub fn disconnect(&self, a: usize, b: usize) {
        self.nodes[a].call("system_removeReservedPeer", json!([self.peer_ids[b]]));
        self.nodes[b].call("system_removeReservedPeer", json!([self.peer_ids[a]]));
    }

    /// Restores the link between `a` and `b`: each adds the other's multiaddr as reserved peer.
    pub fn connect(&self, a: usize, b: usize) {
        self.nodes[a].call("system_addReservedPeer", json!([self.multiaddr(b)]));
        self.nodes[b].call("system_addReservedPeer", json!([self.multiaddr(a)]));
    }

    /// Peer ids node `i` is connected to (`system_peers`).
    pub fn connected_peers(&self, i: usize) -> Vec<String> {
        let v = self.nodes[i].call("system_peers", json!([]));
        v.as_array()
            .unwrap_or_else(|| panic!("system_peers: {v}"))
            .iter()
            .filter_map(|p| p["peerId"].as_str().map(str::to_owned))
            .collect()
    }

    /// Index of the node with peer id `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.peer_ids.iter().position(|p| p == id)
    }
}

impl Drop for Testnet {
    fn drop(&mut self) {
        self.monitor.stop();
        let panicking = std::thread::panicking();
        if !panicking {
            // SIGTERM everything first so the nodes shut down in parallel, then reap each;
            // whatever has not exited after TESTNET_STOP_GRACE is killed.
            for n in &self.nodes {
                n.send_sigterm();
            }
            let deadline = Instant::now() + TESTNET_STOP_GRACE;
            for (i, n) in self.nodes.iter_mut().enumerate() {
                if n.pid().is_some() && n.wait_exit(deadline.saturating_duration_since(Instant::now())).is_none() {
                    eprintln!("[testnet] node{i} did not exit within {TESTNET_STOP_GRACE:?} of SIGTERM; SIGKILL");
                    n.kill9();
                }
            }
        }
        // (When panicking, each node's drop kills it and prints the tail of its log.)
        self.nodes.clear();
        if panicking {
            if let Some(dir) = self.dir.take() {
                let kept = dir.keep();
                eprintln!("testnet directory kept for inspection: {}", kept.display());
            }
            // Repeated after the (long) node logs, so a truncated CI log still shows why.
            let why = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "(unknown)".into());
            eprintln!("==== testnet test failed: {why}");
        }
    }
}

thread_local! {
    /// The message of the last panic on this thread (see [`remember_panic_messages`]).
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Installs (once) a panic hook that records each panic's message and location for
/// [`Testnet`]'s drop, then runs the default hook.
fn remember_panic_messages() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| info.payload().downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
            default(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_parsing_handles_chunked_and_length() {
        let r = parse_http_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").expect("parse");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{}"[..]));
        let r = parse_http_response(
            b"HTTP/1.1 413 Payload Too Large\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .expect("parse");
        assert_eq!((r.status, r.body.as_slice()), (413, &b"abcde"[..]));
    }

    #[test]
    fn raw_signed_call_matches_typed_signing() {
        let pair = dev_pair("alith");
        let p = TxParams::new(H256([1; 32]), 3);
        let call = remark_call(b"hi".to_vec());
        assert_eq!(sign_raw_call(&call.encode(), &pair, &p), sign_call(&call, &pair, &p));
    }
}
