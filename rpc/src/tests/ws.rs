//! Minimal raw HTTP/1.1 and WebSocket clients, so tests see exactly what goes over the wire
//! (status codes, headers, notification method names) rather than what a client library exposes.

use std::collections::HashMap;
use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::within;

/// A raw HTTP response.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: u16,
    /// Header names lower-cased.
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: String,
}

impl HttpReply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn decode_chunked(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(body, b"\r\n") {
        let size_text = String::from_utf8_lossy(&body[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
    out
}

/// Sends one HTTP/1.1 request on a fresh connection and reads the whole response.
pub(crate) async fn http(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpReply {
    within(async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut head =
            format!("{method} / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        // The server may answer (e.g. 413) and close before reading an oversized body.
        let _ = stream.write_all(body).await;
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw).await;
        let split = find(&raw, b"\r\n\r\n").unwrap_or_else(|| panic!("no HTTP head in {raw:?}"));
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.split("\r\n");
        let status =
            lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("status line");
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            body = decode_chunked(&body);
        }
        HttpReply { status, headers, body: String::from_utf8_lossy(&body).to_string() }
    })
    .await
}

/// POSTs a JSON-RPC body with `Content-Type: application/json`.
pub(crate) async fn post(addr: SocketAddr, body: &str) -> HttpReply {
    http(addr, "POST", &[("Content-Type", "application/json")], body.as_bytes()).await
}

/// A WebSocket connection speaking text frames.
pub(crate) struct RawWs {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawWs {
    /// Connects and completes the opening handshake.
    pub(crate) async fn connect(addr: SocketAddr) -> RawWs {
        within(async {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let handshake = format!(
                "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            );
            stream.write_all(handshake.as_bytes()).await.expect("write handshake");
            let mut buf = Vec::new();
            let end = loop {
                if let Some(end) = find(&buf, b"\r\n\r\n") {
                    break end;
                }
                let mut chunk = [0u8; 1024];
                let n = stream.read(&mut chunk).await.expect("read handshake");
                assert!(n > 0, "connection closed during handshake");
                buf.extend_from_slice(&chunk[..n]);
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            assert!(head.starts_with("HTTP/1.1 101"), "handshake refused: {head}");
            let rest = buf.split_off(end + 4);
            RawWs { stream, buf: rest }
        })
        .await
    }

    async fn take(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            let mut chunk = [0u8; 4096];
            let read = self.stream.read(&mut chunk).await.expect("read frame");
            assert!(read > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..read]);
        }
        let rest = self.buf.split_off(n);
        std::mem::replace(&mut self.buf, rest)
    }

    /// Sends a masked text frame.
    pub(crate) async fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= usize::from(u16::MAX) => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        within(self.stream.write_all(&frame)).await.expect("write frame");
    }

    /// Receives the next text message as JSON (skipping pings).
    pub(crate) async fn recv(&mut self) -> Value {
        within(async {
            let mut message = Vec::new();
            loop {
                let head = self.take(2).await;
                let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
                let len = match head[1] & 0x7f {
                    126 => {
                        let b = self.take(2).await;
                        u64::from(u16::from_be_bytes([b[0], b[1]]))
                    }
                    127 => {
                        let b = self.take(8).await;
                        u64::from_be_bytes(b.try_into().expect("8 bytes"))
                    }
                    n => u64::from(n),
                };
                let payload = self.take(len as usize).await;
                match opcode {
                    0x8 => panic!("server closed the WebSocket"),
                    0x9 | 0xA => continue,
                    _ => message.extend_from_slice(&payload),
                }
                if fin {
                    break;
                }
            }
            serde_json::from_slice(&message).expect("text frame is JSON")
        })
        .await
    }
}
