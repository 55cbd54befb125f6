//! Tests against a real server on `127.0.0.1:0`: HTTP framing errors, limits, CORS, rate limit,
//! safe mode, WebSocket notifications and a stock jsonrpsee client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use archive_primitives::H256;
use archive_txpool::TransactionStatus;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::http_client::HttpClientBuilder;
use jsonrpsee::rpc_params;
use serde_json::{json, Value};

use super::fake::{FakeBackend, BLOCK1_XT};
use super::hex;
use super::ws::{http, post, RawWs};
use crate::{start_server, Error, RpcConfig, RpcHandle, RpcMethods};

fn local_config() -> RpcConfig {
    RpcConfig { addr: SocketAddr::from(([127, 0, 0, 1], 0)), ..RpcConfig::default() }
}

async fn start(config: RpcConfig) -> (Arc<FakeBackend>, RpcHandle) {
    let backend = Arc::new(FakeBackend::new(3));
    let handle = start_server(config, backend.clone()).await.expect("server starts");
    (backend, handle)
}

fn body(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

#[tokio::test]
async fn garbage_and_oversized_requests_are_rejected_and_the_server_keeps_serving() {
    let (_, server) = start(RpcConfig { max_request_size_bytes: 1024, ..local_config() }).await;
    let addr = server.local_addr();

    let garbage = post(addr, "{this is not json").await;
    // jsonrpsee answers parse errors with HTTP 200 and a JSON-RPC error object.
    assert_eq!(garbage.json()["error"]["code"], -32700, "{garbage:?}");

    let not_a_request = post(addr, r#"{"jsonrpc":"2.0","id":1,"params":[]}"#).await;
    assert_eq!(not_a_request.json()["error"]["code"], -32600, "{}", not_a_request.body);

    let unknown = post(addr, &body("no_suchMethod", json!([]))).await;
    assert_eq!(unknown.json()["error"]["code"], -32601);

    let fine = post(addr, &body("system_chain", json!([]))).await;
    assert_eq!((fine.status, fine.json()["result"].clone()), (200, json!("ArchiveChain Development")));

    let huge = body("state_getStorage", json!([format!("0x{}", "00".repeat(2048))]));
    let oversized = post(addr, &huge).await;
    assert_eq!(oversized.status, 413);
    assert_eq!(oversized.json()["error"]["code"], -32007);

    let batch = format!("[{},{}]", body("system_name", json!([])), body("system_chainType", json!([])));
    let batch = post(addr, &batch).await.json();
    assert_eq!(batch.as_array().map(Vec::len), Some(2), "{batch}");

    let still_fine = post(addr, &body("chain_getBlockHash", json!([0]))).await;
    assert_eq!(still_fine.status, 200);
    assert!(still_fine.json()["result"].is_string());
    server.stop();
}

#[tokio::test]
async fn stock_jsonrpsee_http_client_works() {
    let (backend, server) = start(local_config()).await;
    let client = HttpClientBuilder::default().build(format!("http://{}", server.local_addr())).expect("client");
    let chain: String = client.request("system_chain", rpc_params![]).await.expect("system_chain");
    assert_eq!(chain, "ArchiveChain Development");
    let genesis: H256 = client.request("chain_getBlockHash", rpc_params![0]).await.expect("genesis");
    assert_eq!(genesis, backend.hash_of(0));
    let header: Value = client.request("chain_getHeader", rpc_params![genesis]).await.expect("header");
    assert_eq!(header["number"], "0x0");
}

#[tokio::test]
async fn websocket_new_head_notifications_use_substrate_names_and_string_ids() {
    let (backend, server) = start(local_config()).await;
    let mut ws = RawWs::connect(server.local_addr()).await;
    ws.send(&body("chain_subscribeNewHead", json!([]))).await;
    let reply = ws.recv().await;
    let id = reply["result"].clone();
    assert!(id.is_string(), "subscription id must be a string: {reply}");

    let first = ws.recv().await;
    assert_eq!(first["method"], "chain_newHead", "{first}");
    assert_eq!(first["params"]["subscription"], id);
    assert_eq!(first["params"]["result"]["number"], "0x3");

    let b4 = backend.append_block(1, &[]);
    let next = ws.recv().await;
    assert_eq!(next["method"], "chain_newHead");
    assert_eq!(next["params"]["result"]["parentHash"], json!(b4.parent_hash.to_string()));
    assert_eq!(next["params"]["result"]["number"], "0x4");

    ws.send(&json!({"jsonrpc":"2.0","id":2,"method":"chain_unsubscribeNewHead","params":[id]}).to_string()).await;
    assert_eq!(ws.recv().await, json!({"jsonrpc":"2.0","id":2,"result":true}));
}

#[tokio::test]
async fn websocket_submit_and_watch_reaches_finalized_then_closes() {
    let (backend, server) = start(local_config()).await;
    let block = H256([0x42; 32]);
    backend.set_watch_script(vec![
        TransactionStatus::Ready,
        TransactionStatus::InBlock(block),
        TransactionStatus::Finalized(block),
        TransactionStatus::Ready,
    ]);
    let mut ws = RawWs::connect(server.local_addr()).await;
    ws.send(&body("author_submitAndWatchExtrinsic", json!([hex(&BLOCK1_XT)]))).await;
    let id = ws.recv().await["result"].clone();
    assert!(id.is_string());
    let statuses = [json!("ready"), json!({"inBlock": block.to_string()}), json!({"finalized": block.to_string()})];
    for expected in statuses {
        let n = ws.recv().await;
        assert_eq!(n["method"], "author_extrinsicUpdate", "{n}");
        assert_eq!(n["params"], json!({"subscription": id, "result": expected}));
    }
    // The server drops the watch after the final status: unwatching finds nothing, and the
    // fourth scripted status never arrives (the next message is the unwatch reply).
    let mut closed = false;
    for attempt in 0..40 {
        ws.send(
            &json!({"jsonrpc":"2.0","id":100 + attempt,"method":"author_unwatchExtrinsic","params":[id]}).to_string(),
        )
        .await;
        let reply = ws.recv().await;
        assert_eq!(reply["id"], 100 + attempt, "unexpected message {reply}");
        if reply["result"] == json!(false) {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(closed, "watch still open after the final status");
}

#[tokio::test]
async fn safe_mode_denies_unsafe_methods_over_http() {
    let (_, server) = start(RpcConfig { methods: RpcMethods::Safe, ..local_config() }).await;
    let denied = post(server.local_addr(), &body("system_peers", json!([]))).await.json();
    assert_eq!(denied["error"], json!({"code": -32601, "message": "RPC call is unsafe to be called externally"}));
    // Auto on loopback allows them.
    let (_, auto) = start(local_config()).await;
    let allowed = post(auto.local_addr(), &body("system_peers", json!([]))).await.json();
    assert!(allowed["result"].is_array(), "{allowed}");
}

#[tokio::test]
async fn cors_policy_is_enforced() {
    let json_ct = ("Content-Type", "application/json");
    let call = body("system_name", json!([]));
    let (_, open) = start(local_config()).await;
    let any = http(open.local_addr(), "POST", &[json_ct, ("Origin", "https://a.example")], call.as_bytes()).await;
    assert_eq!(any.status, 200);
    assert_eq!(any.headers.get("access-control-allow-origin").map(String::as_str), Some("*"));

    let config = RpcConfig { cors: Some(vec!["https://polkadot.js.org".into()]), ..local_config() };
    let (_, strict) = start(config).await;
    let addr = strict.local_addr();
    let evil = http(addr, "POST", &[json_ct, ("Origin", "https://evil.example")], call.as_bytes()).await;
    assert_eq!(evil.status, 403);
    let good = http(addr, "POST", &[json_ct, ("Origin", "https://polkadot.js.org")], call.as_bytes()).await;
    assert_eq!(good.status, 200);
    assert_eq!(good.headers.get("access-control-allow-origin").map(String::as_str), Some("https://polkadot.js.org"));
    assert_eq!(good.json()["result"], "archivechain");
    let preflight =
        http(addr, "OPTIONS", &[("Origin", "https://polkadot.js.org"), ("Access-Control-Request-Method", "POST")], b"")
            .await;
    assert_eq!(preflight.status, 200);
    assert!(preflight.headers.get("access-control-allow-methods").is_some_and(|m| m.contains("POST")));
    // No Origin header: not a browser, always served.
    assert_eq!(post(addr, &call).await.status, 200);
}

#[tokio::test]
async fn rate_limit_applies_per_ip_across_connections() {
    let (_, server) = start(RpcConfig { rate_limit_per_minute: Some(3), ..local_config() }).await;
    let addr = server.local_addr();
    for _ in 0..3 {
        assert!(post(addr, &body("system_name", json!([]))).await.json()["result"].is_string());
    }
    let limited = post(addr, &body("system_name", json!([]))).await.json();
    assert_eq!(limited["error"], json!({"code": -32999, "message": "RPC rate limit exceeded"}));
}

#[tokio::test]
async fn bind_errors_are_clear_and_stop_works() {
    let (_, server) = start(local_config()).await;
    let addr = server.local_addr();
    match start_server(RpcConfig { addr, ..local_config() }, Arc::new(FakeBackend::new(0))).await {
        Err(Error::Bind { addr: reported, .. }) => assert_eq!(reported, addr),
        Err(other) => panic!("expected a bind error, got {other}"),
        Ok(_) => panic!("two servers bound the same port"),
    }
    let zero = start_server(RpcConfig { max_connections: 0, ..local_config() }, Arc::new(FakeBackend::new(0))).await;
    assert!(matches!(zero, Err(Error::InvalidConfig { .. })));

    server.stop();
    super::within(server.stopped()).await;
    let mut refused = false;
    for _ in 0..40 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(refused, "server still accepting after stop");
}
