//! Tests against an in-memory backend: in-process calls, subscriptions, and a real server over
//! HTTP and WebSocket.

mod fake;
mod methods;
mod server;
mod subscriptions;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use jsonrpsee::RpcModule;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::build_module;
use fake::FakeBackend;

/// How long any single await in a test may take.
const STEP: Duration = Duration::from_secs(5);

/// Awaits `f`, failing the test after [`STEP`].
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f).await.expect("test step timed out")
}

/// A fake chain of 4 blocks (0..=3) and the module over it.
fn setup(deny_unsafe: bool) -> (Arc<FakeBackend>, RpcModule<()>) {
    let backend = Arc::new(FakeBackend::new(3));
    let module = build_module(backend.clone(), deny_unsafe);
    (backend, module)
}

fn request(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

/// Splits a JSON-RPC response into `Ok(result)` or `Err((code, message))`.
fn outcome(response: &str) -> Result<Value, (i64, String)> {
    let v: Value = serde_json::from_str(response).expect("response is JSON");
    if let Some(err) = v.get("error") {
        let code = err["code"].as_i64().expect("error code");
        let message = err["message"].as_str().expect("error message").to_owned();
        return Err((code, message));
    }
    Ok(v.get("result").cloned().expect("result or error"))
}

/// Calls `method` in-process.
async fn call(m: &RpcModule<()>, method: &str, params: Value) -> Result<Value, (i64, String)> {
    let (resp, _) = within(m.raw_json_request(&request(method, params), 1)).await.expect("valid request");
    outcome(resp.get())
}

/// Calls `method` and returns the result, failing on an error.
async fn ok(m: &RpcModule<()>, method: &str, params: Value) -> Value {
    call(m, method, params).await.unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
}

/// Calls `method` expecting an error; returns `(code, message)`.
async fn err(m: &RpcModule<()>, method: &str, params: Value) -> (i64, String) {
    match call(m, method, params).await {
        Ok(v) => panic!("{method} unexpectedly succeeded with {v}"),
        Err(e) => e,
    }
}

/// An in-process subscription: the id and the raw notification stream.
struct Sub {
    id: Value,
    rx: mpsc::Receiver<Box<serde_json::value::RawValue>>,
}

async fn subscribe(m: &RpcModule<()>, method: &str, params: Value) -> Result<Sub, (i64, String)> {
    let (resp, rx) = within(m.raw_json_request(&request(method, params), 1024)).await.expect("valid request");
    outcome(resp.get()).map(|id| Sub { id, rx })
}

impl Sub {
    /// The next notification as `(method, result)`; fails if none comes in time.
    async fn next(&mut self) -> (String, Value) {
        let raw = within(self.rx.recv()).await.expect("subscription ended early");
        let v: Value = serde_json::from_str(raw.get()).expect("notification is JSON");
        assert_eq!(v["params"]["subscription"], self.id, "notification for another subscription: {v}");
        (v["method"].as_str().expect("method").to_owned(), v["params"]["result"].clone())
    }

    /// Asserts that the stream ends (the server dropped the subscription) without more items.
    async fn expect_end(&mut self) {
        if let Some(extra) = within(self.rx.recv()).await {
            panic!("expected the subscription to end, got {}", extra.get());
        }
    }

    /// Asserts nothing arrives for a short while.
    async fn expect_quiet(&mut self) {
        if let Ok(Some(extra)) = tokio::time::timeout(Duration::from_millis(200), self.rx.recv()).await {
            panic!("expected no notification, got {}", extra.get());
        }
    }
}

/// The JSON of a header, as `chain_getHeader` prints it.
fn header_json(h: &archive_primitives::Header) -> Value {
    serde_json::to_value(crate::json::HeaderJson::from(h)).expect("serializable")
}

/// `0x` hex of a hash-like byte array.
fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}
