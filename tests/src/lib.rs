//! Shared helpers of the multi-process integration tests (tests/tests/*.rs): they start the real
//! `archivechain` binary, talk JSON-RPC to it over plain HTTP, and build signed extrinsics with
//! arbitrary (also wrong) parameters.
//!
//! - [`Node`]: one node process on a free 127.0.0.1 port with a given base path and flags; waits
//!   for `system_health`, captures stderr to a file (its tail is printed when a test panics),
//!   and is killed on drop (SIGTERM, then SIGKILL after 10 s). Every child process is spawned
//!   with `PR_SET_PDEATHSIG = SIGKILL` from a thread that lives as long as the test process, so
//!   no node outlives the tests, even when the test binary itself is killed.
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
    sync::{mpsc, Mutex, OnceLock},
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
        anyhow::ensure!(self.child.is_none(), "node is already running");
        let mut last_err = None;
        for _attempt in 0..3 {
            self.port = free_port();
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
                self.stderr_tail(60)
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

/// The fee the runtime withdraws for an encoded extrinsic (inclusion fee plus tip).
pub fn fee_of(xt: &[u8]) -> u128 {
    let decoded = decode_extrinsic(xt);
    let tip = decoded.signature.map(|(_, _, e)| e.tip).unwrap_or(0);
    archive_runtime::fees::total_fee(xt.len() as u32, decoded.function.weight(), tip)
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
