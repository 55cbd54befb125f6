//! In-process subscription tests: notification names, initial items, updates, unsubscribe
//! aliases, and the end of a watched transaction.

use archive_primitives::H256;
use archive_txpool::TransactionStatus;
use serde_json::json;

use super::fake::{BAD_XT, BLOCK1_XT, KEY_CONST, KEY_MISSING, KEY_NUMBER};
use super::{err, hex, ok, setup, subscribe};

#[tokio::test]
async fn new_heads_and_aliases() {
    let (backend, m) = setup(true);
    for (sub_name, unsub_name) in [
        ("chain_subscribeNewHeads", "chain_unsubscribeNewHeads"),
        ("chain_subscribeNewHead", "chain_unsubscribeNewHead"),
        ("subscribe_newHead", "unsubscribe_newHead"),
    ] {
        let mut sub = subscribe(&m, sub_name, json!([])).await.expect("subscribed");
        let (method, first) = sub.next().await;
        assert_eq!(method, "chain_newHead", "{sub_name}");
        let best = backend.header_of(backend.best_number());
        assert_eq!(first["number"], json!(format!("0x{:x}", best.number)));
        assert_eq!(first["parentHash"], json!(best.parent_hash.to_string()));

        let new = backend.append_block(1, &[]);
        let (method, next) = sub.next().await;
        assert_eq!(method, "chain_newHead");
        assert_eq!(next["number"], json!(format!("0x{:x}", new.number)));

        assert_eq!(ok(&m, unsub_name, json!([sub.id.clone()])).await, json!(true), "{unsub_name}");
        backend.append_block(1, &[]);
        sub.expect_end().await;
        assert_eq!(ok(&m, unsub_name, json!([sub.id])).await, json!(false), "already unsubscribed");
    }
}

#[tokio::test]
async fn all_heads_and_finalized_heads() {
    let (backend, m) = setup(true);
    let mut all = subscribe(&m, "chain_subscribeAllHeads", json!([])).await.expect("subscribed");
    assert_eq!(all.next().await, ("chain_allHead".to_owned(), json!(super::header_json(&backend.header_of(3)))));
    let b4 = backend.append_block(1, &[]);
    assert_eq!(all.next().await.1["number"], "0x4");
    assert_eq!(ok(&m, "chain_unsubscribeAllHeads", json!([all.id.clone()])).await, json!(true));

    for (sub_name, unsub_name) in [
        ("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads"),
        ("chain_subscribeFinalisedHeads", "chain_unsubscribeFinalisedHeads"),
    ] {
        let mut fin = subscribe(&m, sub_name, json!([])).await.expect("subscribed");
        let (method, current) = fin.next().await;
        assert_eq!(method, "chain_finalizedHead", "{sub_name}");
        assert_eq!(current, json!(super::header_json(&backend.header_of(backend.finalized_number()))));
        let target = backend.finalized_number() + 1;
        backend.finalize(backend.hash_of(target));
        assert_eq!(fin.next().await.1["number"], json!(format!("0x{target:x}")));
        assert_eq!(ok(&m, unsub_name, json!([fin.id])).await, json!(true), "{unsub_name}");
    }
    assert_eq!(b4.number, 4);
}

#[tokio::test]
async fn runtime_version_updates_only_on_change() {
    let (backend, m) = setup(true);
    for (sub_name, unsub_name) in [
        ("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion"),
        ("chain_subscribeRuntimeVersion", "chain_unsubscribeRuntimeVersion"),
    ] {
        let mut sub = subscribe(&m, sub_name, json!([])).await.expect("subscribed");
        let (method, v) = sub.next().await;
        assert_eq!(method, "state_runtimeVersion", "{sub_name}");
        let current = v["specVersion"].as_u64().expect("specVersion");
        backend.append_block(current as u32, &[]);
        sub.expect_quiet().await;
        backend.append_block(current as u32 + 1, &[]);
        let (_, v) = sub.next().await;
        assert_eq!(v["specVersion"], json!(current + 1));
        assert_eq!(v["specName"], "archivechain");
        assert_eq!(ok(&m, unsub_name, json!([sub.id])).await, json!(true), "{unsub_name}");
    }
}

#[tokio::test]
async fn storage_subscription_sends_initial_values_then_changes() {
    let (backend, m) = setup(true);
    let keys = json!([[hex(&KEY_NUMBER), hex(&KEY_CONST), hex(&KEY_MISSING)]]);
    let mut sub = subscribe(&m, "state_subscribeStorage", keys).await.expect("subscribed");
    let (method, initial) = sub.next().await;
    assert_eq!(method, "state_storage");
    assert_eq!(
        initial,
        json!({
            "block": backend.hash_of(3).to_string(),
            "changes": [["0xaa01", "0x03000000"], ["0xaa02", "0x636f6e7374"], ["0xeeee", null]],
        })
    );
    let b4 = backend.append_block(1, &[(&KEY_MISSING, Some(&[1]))]);
    assert_eq!(
        sub.next().await.1,
        json!({ "block": b4.hash().to_string(), "changes": [["0xaa01", "0x04000000"], ["0xeeee", "0x01"]] })
    );
    let b5 = backend.append_block(1, &[(&KEY_MISSING, None)]);
    assert_eq!(
        sub.next().await.1,
        json!({ "block": b5.hash().to_string(), "changes": [["0xaa01", "0x05000000"], ["0xeeee", null]] })
    );

    // A key that never changes: only the initial value.
    let mut quiet = subscribe(&m, "state_subscribeStorage", json!([[hex(&KEY_CONST)]])).await.expect("subscribed");
    assert_eq!(quiet.next().await.1["changes"], json!([["0xaa02", "0x636f6e7374"]]));
    backend.append_block(1, &[]);
    quiet.expect_quiet().await;
    assert_eq!(ok(&m, "state_unsubscribeStorage", json!([quiet.id])).await, json!(true));
}

#[tokio::test]
async fn keyless_storage_subscription_is_refused() {
    let (_, safe) = setup(true);
    let (code, _) = match subscribe(&safe, "state_subscribeStorage", json!([])).await {
        Ok(_) => panic!("keyless subscription accepted in safe mode"),
        Err(e) => e,
    };
    assert_eq!(code, -32601);
    let (_, unsafe_module) = setup(false);
    match subscribe(&unsafe_module, "state_subscribeStorage", json!([null])).await {
        Ok(_) => panic!("keyless subscription accepted"),
        Err((code, message)) => assert!(code == -32000 && message.contains("not supported"), "{code} {message}"),
    }
}

#[tokio::test]
async fn watched_extrinsic_ends_after_final_status() {
    let (backend, m) = setup(true);
    let block = H256([0x42; 32]);
    // A status after the final one must never be delivered; the fake keeps the channel open, so
    // the stream ends only because the RPC layer closes it.
    backend.set_watch_script(vec![
        TransactionStatus::Ready,
        TransactionStatus::InBlock(block),
        TransactionStatus::Finalized(block),
        TransactionStatus::Ready,
    ]);
    let mut sub = subscribe(&m, "author_submitAndWatchExtrinsic", json!([hex(&BLOCK1_XT)])).await.expect("subscribed");
    let want = [json!("ready"), json!({ "inBlock": block.to_string() }), json!({ "finalized": block.to_string() })];
    for expected in want {
        assert_eq!(sub.next().await, ("author_extrinsicUpdate".to_owned(), expected));
    }
    sub.expect_end().await;
    assert_eq!(ok(&m, "author_unwatchExtrinsic", json!([sub.id])).await, json!(false), "already closed");

    backend.set_watch_script(vec![
        TransactionStatus::Future,
        TransactionStatus::Broadcast(vec!["12D3KooWPeer".into()]),
        TransactionStatus::Dropped,
    ]);
    let mut sub = subscribe(&m, "author_submitAndWatchExtrinsic", json!(["0x0401"])).await.expect("subscribed");
    assert_eq!(sub.next().await.1, json!("future"));
    assert_eq!(sub.next().await.1, json!({ "broadcast": ["12D3KooWPeer"] }));
    assert_eq!(sub.next().await.1, json!("dropped"));
    sub.expect_end().await;

    // A non-final status keeps the watch open until the client unwatches.
    backend.set_watch_script(vec![TransactionStatus::Ready]);
    let mut sub = subscribe(&m, "author_submitAndWatchExtrinsic", json!(["0x0402"])).await.expect("subscribed");
    assert_eq!(sub.next().await.1, json!("ready"));
    sub.expect_quiet().await;
    assert_eq!(ok(&m, "author_unwatchExtrinsic", json!([sub.id.clone()])).await, json!(true));
    sub.expect_end().await;
}

#[tokio::test]
async fn watched_submission_errors_are_verbatim() {
    let (_, m) = setup(true);
    match subscribe(&m, "author_submitAndWatchExtrinsic", json!([hex(&BAD_XT)])).await {
        Ok(_) => panic!("invalid extrinsic accepted"),
        Err(e) => assert_eq!(e, (1010, "Invalid Transaction".to_owned())),
    }
    let (code, message) = err(&m, "author_submitAndWatchExtrinsic", json!(["0xzz"])).await;
    assert_eq!(code, -32602, "{message}");
}
