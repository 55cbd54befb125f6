//! A tiny HTTP/1.1 server on 127.0.0.1 for the crawler's tests and benchmark.
//!
//! Not part of the library: included with `#[path]` by `tests/` and `src/bin/crawl-bench.rs`.
//! It serves what a route handler returns, byte for byte: full bodies, chunked bodies, slow
//! drips and connections cut short; it keeps connections alive when it can and logs every
//! request (with its raw header names) so tests can check what the crawler sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Longest request head line accepted.
const MAX_LINE: usize = 16 * 1024;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// Header names exactly as sent (case kept), in order.
    pub headers: Vec<(String, String)>,
    pub at: Instant,
}

/// How a reply body goes on the wire.
#[derive(Debug, Clone)]
pub enum Body {
    /// `Content-Length` body.
    Full(Arc<Vec<u8>>),
    /// `Transfer-Encoding: chunked`, one chunk per part.
    Chunked(Vec<Vec<u8>>),
    /// `Content-Length` of the whole, sent one `chunk` every `interval`.
    Drip { chunk: Vec<u8>, interval: Duration, count: usize },
    /// Declares `declared` bytes, sends `sent`, then closes the connection.
    CutShort { sent: Vec<u8>, declared: usize },
}

/// A reply: status line, headers (written as given), body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    pub fn new(status: u16, reason: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            reason: reason.to_string(),
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: Body::Full(Arc::new(body.into())),
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, "OK", "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, reason: &str, body: &str) -> Self {
        Self::new(status, reason, "text/plain", body.as_bytes().to_vec())
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Self::new(status, "Moved", "text/html", b"moved".to_vec()).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running server; stops when dropped.
pub struct FixtureServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

impl FixtureServer {
    /// Serve `handler` on a free 127.0.0.1 port.
    pub async fn start(handler: Handler) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0", handler).await
    }

    /// Serve `handler` on `addr` (e.g. `127.0.0.1:8000`).
    pub async fn start_on(addr: &str, handler: Handler) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept_loop(listener, handler, log.clone()));
        Ok(Self { addr, log, task })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn hits(&self, target: &str) -> usize {
        self.requests().iter().filter(|r| r.target == target).count()
    }

    /// Run until the task ends (for `--serve-only`).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, handler: Handler, log: Arc<Mutex<Vec<Request>>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(stream, handler.clone(), log.clone()));
    }
}

async fn read_line(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut buf = Vec::new();
    let n = r.read_until(b'\n', &mut buf).await.ok()?;
    if n == 0 || buf.len() > MAX_LINE {
        return None;
    }
    Some(String::from_utf8_lossy(&buf).trim_end_matches(['\r', '\n']).to_string())
}

async fn serve_connection(stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Request>>>) {
    let (r, mut w) = stream.into_split();
    let mut reader = BufReader::new(r);
    loop {
        let Some(line) = read_line(&mut reader).await else {
            return;
        };
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut headers = Vec::new();
        loop {
            let Some(h) = read_line(&mut reader).await else {
                return;
            };
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.to_string(), v.trim().to_string()));
            }
        }
        let close =
            headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let req = Request { method, target, headers, at: Instant::now() };
        if let Ok(mut l) = log.lock() {
            l.push(req.clone());
        }
        let reply = handler(&req);
        match write_reply(&mut w, reply).await {
            Ok(true) if !close => {}
            _ => return,
        }
    }
}

/// Writes the reply; returns whether the connection may be reused.
async fn write_reply(w: &mut tokio::net::tcp::OwnedWriteHalf, reply: Reply) -> std::io::Result<bool> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reply.reason).into_bytes();
    let has = |name: &str| reply.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    for (n, v) in &reply.headers {
        head.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    match &reply.body {
        Body::Full(b) => {
            if !has("content-length") {
                head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", b.len()).as_bytes());
            } else {
                head.extend_from_slice(b"\r\n");
            }
            head.extend_from_slice(b);
            w.write_all(&head).await?;
            Ok(true)
        }
        Body::Chunked(parts) => {
            head.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            w.write_all(&head).await?;
            for p in parts {
                w.write_all(format!("{:x}\r\n", p.len()).as_bytes()).await?;
                w.write_all(p).await?;
                w.write_all(b"\r\n").await?;
                w.flush().await?;
            }
            w.write_all(b"0\r\n\r\n").await?;
            Ok(true)
        }
        Body::Drip { chunk, interval, count } => {
            head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", chunk.len() * count).as_bytes());
            w.write_all(&head).await?;
            for _ in 0..*count {
                w.write_all(chunk).await?;
                w.flush().await?;
                tokio::time::sleep(*interval).await;
            }
            Ok(false)
        }
        Body::CutShort { sent, declared } => {
            head.extend_from_slice(format!("Content-Length: {declared}\r\n\r\n").as_bytes());
            w.write_all(&head).await?;
            w.write_all(sent).await?;
            w.flush().await?;
            w.shutdown().await?;
            Ok(false)
        }
    }
}
