//! In-process method tests: names, aliases, JSON shapes, parameters, errors, safe/unsafe.

use archive_primitives::hashing::blake2_256;
use serde_json::{json, Value};

use super::fake::{version, BAD_XT, BLOCK1_XT, KEY_CONST, KEY_MISSING, KEY_NUMBER};
use super::{call, err, hex, ok, setup};

/// Every method the server must expose, sorted (what `rpc_methods` returns).
const EXPECTED_METHODS: &[&str] = &[
    "account_nextIndex",
    "archive_captures",
    "archive_content",
    "archive_crawl",
    "archive_crawlStatus",
    "archive_search",
    "archive_suggest",
    "archive_verify",
    "author_hasKey",
    "author_hasSessionKeys",
    "author_insertKey",
    "author_pendingExtrinsics",
    "author_removeExtrinsic",
    "author_rotateKeys",
    "author_submitAndWatchExtrinsic",
    "author_submitExtrinsic",
    "author_unwatchExtrinsic",
    "chainSpec_v1_chainName",
    "chainSpec_v1_genesisHash",
    "chainSpec_v1_properties",
    "chain_getBlock",
    "chain_getBlockHash",
    "chain_getFinalisedHead",
    "chain_getFinalizedHead",
    "chain_getHead",
    "chain_getHeader",
    "chain_getRuntimeVersion",
    "chain_subscribeAllHeads",
    "chain_subscribeFinalisedHeads",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeNewHead",
    "chain_subscribeNewHeads",
    "chain_subscribeRuntimeVersion",
    "chain_unsubscribeAllHeads",
    "chain_unsubscribeFinalisedHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeNewHead",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeRuntimeVersion",
    "finality_proveFinality",
    "payment_queryFeeDetails",
    "payment_queryInfo",
    "rpc_methods",
    "state_call",
    "state_callAt",
    "state_getKeys",
    "state_getKeysPaged",
    "state_getKeysPagedAt",
    "state_getMetadata",
    "state_getPairs",
    "state_getRuntimeVersion",
    "state_getStorage",
    "state_getStorageAt",
    "state_getStorageHash",
    "state_getStorageHashAt",
    "state_getStorageSize",
    "state_getStorageSizeAt",
    "state_queryStorage",
    "state_queryStorageAt",
    "state_subscribeRuntimeVersion",
    "state_subscribeStorage",
    "state_unsubscribeRuntimeVersion",
    "state_unsubscribeStorage",
    "subscribe_newHead",
    "system_accountNextIndex",
    "system_addReservedPeer",
    "system_chain",
    "system_chainType",
    "system_health",
    "system_localListenAddresses",
    "system_localPeerId",
    "system_name",
    "system_networkState",
    "system_nodeRoles",
    "system_peers",
    "system_properties",
    "system_removeReservedPeer",
    "system_reservedPeers",
    "system_syncState",
    "system_version",
    "unsubscribe_newHead",
];

const ALITH: &str = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";

#[tokio::test]
async fn rpc_methods_lists_every_name_sorted_in_both_modes() {
    for deny_unsafe in [true, false] {
        let (_, m) = setup(deny_unsafe);
        let listed = ok(&m, "rpc_methods", json!([])).await;
        assert_eq!(listed, json!({ "methods": EXPECTED_METHODS }));
    }
}

#[tokio::test]
async fn aliases_answer_like_their_methods() {
    let (backend, m) = setup(false);
    let h1 = backend.hash_of(1).to_string();
    let cases = [
        ("chain_getHead", "chain_getBlockHash", json!([])),
        ("chain_getHead", "chain_getBlockHash", json!([2])),
        ("chain_getFinalisedHead", "chain_getFinalizedHead", json!([])),
        ("state_getStorageAt", "state_getStorage", json!([hex(&KEY_NUMBER), h1])),
        ("state_getStorageHashAt", "state_getStorageHash", json!([hex(&KEY_CONST)])),
        ("state_getStorageSizeAt", "state_getStorageSize", json!([hex(&KEY_CONST)])),
        ("state_getKeysPagedAt", "state_getKeysPaged", json!(["0xbb", 3])),
        ("state_callAt", "state_call", json!(["Echo_echo", "0x0102"])),
        ("chain_getRuntimeVersion", "state_getRuntimeVersion", json!([])),
        ("account_nextIndex", "system_accountNextIndex", json!([ALITH])),
    ];
    for (alias, method, params) in cases {
        let a = ok(&m, alias, params.clone()).await;
        let b = ok(&m, method, params).await;
        assert_eq!(a, b, "{alias} differs from {method}");
        assert!(!a.is_null(), "{alias} answered null");
    }
}

#[tokio::test]
async fn header_and_block_snapshots() {
    let (backend, m) = setup(true);
    let h0 = backend.hash_of(0).to_string();
    let h1 = backend.hash_of(1).to_string();
    let header1 = json!({
        "parentHash": h0,
        "number": "0x1",
        "stateRoot": hex(&[1; 32]),
        "extrinsicsRoot": hex(&[0x11; 32]),
        "digest": { "logs": ["0x06617572611001000000"] },
    });
    assert_eq!(ok(&m, "chain_getHeader", json!([h1])).await, header1);
    assert_eq!(
        ok(&m, "chain_getBlock", json!([h1])).await,
        json!({
            "block": { "header": header1, "extrinsics": [hex(&BLOCK1_XT)] },
            "justifications": [[[70, 82, 78, 75], [1, 2, 3]]],
        })
    );
    // Without a hash: the best block (3), which has no justifications.
    let best = ok(&m, "chain_getBlock", json!([])).await;
    assert_eq!(best["block"]["header"]["number"], "0x3");
    assert_eq!(best["block"]["extrinsics"], json!([]));
    assert_eq!(best["justifications"], Value::Null);
    assert_eq!(ok(&m, "chain_getHeader", json!([null])).await["number"], "0x3");
    // The header hash the client computes from the JSON fields is the block hash.
    assert_eq!(backend.header_of(1).hash().to_string(), h1);
    let unknown = hex(&[0x99; 32]);
    assert_eq!(ok(&m, "chain_getHeader", json!([unknown])).await, Value::Null);
    assert_eq!(ok(&m, "chain_getBlock", json!([unknown])).await, Value::Null);
    assert_eq!(ok(&m, "chain_getFinalizedHead", json!([])).await, json!(h1));
    assert_eq!(ok(&m, "chainSpec_v1_genesisHash", json!([])).await, json!(h0));
}

#[tokio::test]
async fn block_hash_variants() {
    let (backend, m) = setup(true);
    let h = |n| json!(backend.hash_of(n).to_string());
    assert_eq!(ok(&m, "chain_getBlockHash", json!([])).await, h(3));
    assert_eq!(ok(&m, "chain_getBlockHash", Value::Null).await, h(3));
    assert_eq!(ok(&m, "chain_getBlockHash", json!([null])).await, h(3));
    assert_eq!(ok(&m, "chain_getBlockHash", json!([0])).await, h(0));
    assert_eq!(ok(&m, "chain_getBlockHash", json!(["0x2"])).await, h(2));
    assert_eq!(ok(&m, "chain_getBlockHash", json!([99])).await, Value::Null);
    assert_eq!(ok(&m, "chain_getBlockHash", json!([[0, "0x1", 99]])).await, json!([h(0), h(1), null]));
    assert_eq!(ok(&m, "chain_getBlockHash", json!([[]])).await, json!([]));
    for bad in [json!([-1]), json!(["0x100000000"]), json!(["12"]), json!([1.5]), json!([[0, -1]])] {
        let (code, message) = err(&m, "chain_getBlockHash", bad.clone()).await;
        assert_eq!(code, -32602, "{bad}");
        assert!(message.contains("param 1 (`blockNumber`)"), "{bad}: {message}");
    }
    assert!(err(&m, "chain_getBlockHash", json!([[0, -1]])).await.1.contains("item 1"));
}

#[tokio::test]
async fn storage_reads() {
    let (backend, m) = setup(true);
    let h1 = backend.hash_of(1).to_string();
    assert_eq!(ok(&m, "state_getStorage", json!([hex(&KEY_NUMBER)])).await, json!("0x03000000"));
    assert_eq!(ok(&m, "state_getStorage", json!([hex(&KEY_NUMBER), h1])).await, json!("0x01000000"));
    assert_eq!(ok(&m, "state_getStorage", json!([hex(&KEY_MISSING)])).await, Value::Null);
    assert_eq!(ok(&m, "state_getStorageHash", json!([hex(&KEY_CONST)])).await, json!(hex(&blake2_256(b"const"))));
    assert_eq!(ok(&m, "state_getStorageHash", json!([hex(&KEY_MISSING)])).await, Value::Null);
    assert_eq!(ok(&m, "state_getStorageSize", json!([hex(&KEY_CONST)])).await, json!(5));
    assert_eq!(
        ok(&m, "state_queryStorageAt", json!([[hex(&KEY_NUMBER), hex(&KEY_MISSING)], h1])).await,
        json!([{ "block": h1, "changes": [["0xaa01", "0x01000000"], ["0xeeee", null]] }])
    );
    assert_eq!(ok(&m, "state_getMetadata", json!([])).await, json!("0x6d6574610e00"));
    assert_eq!(ok(&m, "state_call", json!(["Echo_echo", "0xc0ffee", h1])).await, json!("0xc0ffee"));
}

#[tokio::test]
async fn keys_paged() {
    let (_, m) = setup(true);
    assert_eq!(ok(&m, "state_getKeysPaged", json!(["0xbb", 2])).await, json!(["0xbb00", "0xbb01"]));
    assert_eq!(ok(&m, "state_getKeysPaged", json!(["0xbb", 2, "0xbb01"])).await, json!(["0xbb02", "0xbb03"]));
    assert_eq!(ok(&m, "state_getKeysPaged", json!([null, 1])).await, json!(["0xaa01"]));
    assert_eq!(ok(&m, "state_getKeysPaged", json!(["0xbb", 1000])).await.as_array().map(Vec::len), Some(5));
    assert_eq!(
        err(&m, "state_getKeysPaged", json!(["0xbb", 1001])).await,
        (4002, "count exceeds maximum value. value: 1001, max: 1000".to_owned())
    );
    let (code, message) = err(&m, "state_getKeysPaged", json!(["0xbb", "ten"])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("param 2 (`count`)"), "{message}");
}

#[tokio::test]
async fn query_storage_walks_the_range() {
    let (backend, m) = setup(false);
    let h = |n| backend.hash_of(n).to_string();
    assert_eq!(
        ok(&m, "state_queryStorage", json!([[hex(&KEY_NUMBER), hex(&KEY_CONST)], h(1), h(3)])).await,
        json!([
            { "block": h(1), "changes": [["0xaa01", "0x01000000"], ["0xaa02", "0x636f6e7374"]] },
            { "block": h(2), "changes": [["0xaa01", "0x02000000"]] },
            { "block": h(3), "changes": [["0xaa01", "0x03000000"]] },
        ])
    );
    let (code, message) = err(&m, "state_queryStorage", json!([[hex(&KEY_NUMBER)], h(3), h(1)])).await;
    assert_eq!(code, 4001, "{message}");
}

#[tokio::test]
async fn runtime_version_snapshot() {
    let (_, m) = setup(true);
    assert_eq!(
        ok(&m, "state_getRuntimeVersion", json!([])).await,
        json!({
            "specName": "archivechain",
            "implName": "archivechain-node",
            "authoringVersion": 1,
            "specVersion": 1,
            "implVersion": 0,
            "apis": [["0xdf6acb689907609b", 5]],
            "transactionVersion": 1,
            "stateVersion": 1,
        })
    );
    assert_eq!(version(1).spec_version, 1);
}

#[tokio::test]
async fn payment_snapshots_and_call_data() {
    let (backend, m) = setup(true);
    assert_eq!(
        ok(&m, "payment_queryInfo", json!([hex(&BLOCK1_XT)])).await,
        json!({
            "weight": 125_000_000u64,
            "class": "normal",
            "partialFee": "1234567890123456789",
        })
    );
    // The runtime receives the extrinsic (with its length prefix) followed by its length as u32 LE.
    let (method, data) = backend.last_call().expect("runtime was called");
    assert_eq!(method, "TransactionPaymentApi_query_info");
    assert_eq!(data, [&BLOCK1_XT[..], &4u32.to_le_bytes()[..]].concat());

    let h2 = backend.hash_of(2).to_string();
    assert_eq!(
        ok(&m, "payment_queryFeeDetails", json!([hex(&BLOCK1_XT), h2])).await,
        json!({
            "inclusionFee": { "baseFee": "0x3e8", "lenFee": "0xff", "adjustedWeightFee": "0x0" },
            "tip": "0x10",
        })
    );
    assert_eq!(backend.last_call().map(|c| c.0), Some("TransactionPaymentApi_query_fee_details".into()));
}

#[tokio::test]
async fn error_codes_name_the_problem() {
    let (_, m) = setup(true);
    let unknown = hex(&[0x99; 32]);
    assert_eq!(
        err(&m, "state_getStorage", json!([hex(&KEY_CONST), unknown])).await,
        (4000, format!("Client error: Unknown block {unknown}"))
    );
    assert_eq!(err(&m, "state_getRuntimeVersion", json!([unknown])).await.0, 4000);
    let (code, message) = err(&m, "state_call", json!(["Nope_nope", "0x"])).await;
    assert_eq!(code, 4003);
    assert!(message.contains("Nope_nope") && message.contains("function not found"), "{message}");

    let bad_params = [
        ("chain_getHeader", json!(["0x1234"]), "param 1 (`hash`)", "2 bytes"),
        ("state_getStorage", json!(["0xzz"]), "param 1 (`key`)", "hex"),
        ("state_getStorage", json!([]), "param 1 (`key`)", "missing"),
        ("state_getStorage", json!(["0x00", "latest"]), "param 2 (`at`)", "32-byte"),
        ("state_call", json!([5, "0x"]), "param 1 (`method`)", "string"),
        ("system_accountNextIndex", json!(["0x1234"]), "param 1 (`accountId`)", "20-byte"),
        ("author_submitExtrinsic", json!(["nothex"]), "param 1 (`extrinsic`)", "hex"),
        ("state_getStorage", json!({ "key": "0x00" }), "JSON array", "position"),
    ];
    for (method, params, which, why) in bad_params {
        let (code, message) = err(&m, method, params).await;
        assert_eq!(code, -32602, "{method}: {message}");
        assert!(message.contains(which) && message.contains(why), "{method}: {message}");
    }
}

#[tokio::test]
async fn submit_and_pool() {
    let (_, m) = setup(false);
    let hash = hex(&blake2_256(&BLOCK1_XT));
    assert_eq!(ok(&m, "author_submitExtrinsic", json!([hex(&BLOCK1_XT)])).await, json!(hash));
    assert_eq!(ok(&m, "author_submitExtrinsic", json!(["0x0401"])).await, json!(hex(&blake2_256(&[4, 1]))));
    assert_eq!(ok(&m, "author_pendingExtrinsics", json!([])).await, json!([hex(&BLOCK1_XT), "0x0401"]));

    // Pool errors are returned verbatim, data included.
    let req = super::request("author_submitExtrinsic", json!([hex(&BAD_XT)]));
    let (resp, _) = m.raw_json_request(&req, 1).await.expect("valid request");
    let resp: Value = serde_json::from_str(resp.get()).expect("json");
    assert_eq!(
        resp["error"],
        json!({ "code": 1010, "message": "Invalid Transaction", "data": "Transaction has a bad signature" })
    );

    let removed =
        ok(&m, "author_removeExtrinsic", json!([[{ "hash": hash }, { "extrinsic": "0x0401" }, hex(&[0x55; 32])]]))
            .await;
    assert_eq!(removed, json!([hash, hex(&blake2_256(&[4, 1]))]));
    assert_eq!(ok(&m, "author_pendingExtrinsics", json!([])).await, json!([]));
    let (code, message) = err(&m, "author_removeExtrinsic", json!([[{ "nope": 1 }]])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("item 0"), "{message}");
}

#[tokio::test]
async fn system_snapshots() {
    let (_, m) = setup(false);
    assert_eq!(ok(&m, "system_chain", json!([])).await, json!("ArchiveChain Development"));
    assert_eq!(ok(&m, "system_name", json!([])).await, json!("archivechain"));
    assert_eq!(ok(&m, "system_version", json!([])).await, json!("0.1.0"));
    assert_eq!(ok(&m, "system_chainType", json!([])).await, json!("Development"));
    assert_eq!(
        ok(&m, "system_properties", json!([])).await,
        json!({ "ss58Format": 42, "tokenDecimals": 18, "tokenSymbol": "ARC" })
    );
    assert_eq!(
        ok(&m, "system_health", json!([])).await,
        json!({ "peers": 2, "isSyncing": false, "shouldHavePeers": true })
    );
    assert_eq!(
        ok(&m, "system_syncState", json!([])).await,
        json!({ "startingBlock": 0, "currentBlock": 3, "highestBlock": 3 })
    );
    assert_eq!(ok(&m, "system_nodeRoles", json!([])).await, json!(["Authority"]));
    assert_eq!(ok(&m, "system_localPeerId", json!([])).await, json!("12D3KooWLocal"));
    assert_eq!(
        ok(&m, "system_localListenAddresses", json!([])).await,
        json!(["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWLocal"])
    );
    assert_eq!(
        ok(&m, "system_peers", json!([])).await,
        json!([{ "peerId": "12D3KooWPeer", "roles": "FULL", "bestHash": hex(&[7; 32]), "bestNumber": 3 }])
    );
    // The fake's nonce is the last address byte (0xac) + 7.
    assert_eq!(ok(&m, "system_accountNextIndex", json!([ALITH])).await, json!(0xac + 7));
    assert_eq!(ok(&m, "system_addReservedPeer", json!(["/ip4/1.2.3.4/tcp/1/p2p/12D3KooWNew"])).await, Value::Null);
    assert_eq!(
        ok(&m, "system_reservedPeers", json!([])).await,
        json!(["12D3KooWReserved", "/ip4/1.2.3.4/tcp/1/p2p/12D3KooWNew"])
    );
    let (code, message) = err(&m, "system_addReservedPeer", json!(["/ip4/1.2.3.4/tcp/1"])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("no /p2p/"), "{message}");
}

/// Unsafe methods with valid parameters.
fn unsafe_calls(h1: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("system_peers", json!([])),
        ("system_networkState", json!([])),
        ("system_addReservedPeer", json!(["/ip4/1.2.3.4/tcp/1/p2p/12D3KooWNew"])),
        ("system_removeReservedPeer", json!(["12D3KooWNew"])),
        ("system_reservedPeers", json!([])),
        ("state_getKeys", json!(["0xbb"])),
        ("state_getPairs", json!(["0xbb"])),
        ("state_queryStorage", json!([[hex(&KEY_NUMBER)], h1])),
        ("author_removeExtrinsic", json!([[]])),
        ("author_insertKey", json!(["aura", "//Alice", "0x00"])),
        ("author_rotateKeys", json!([])),
        ("author_hasKey", json!(["0x00", "aura"])),
        ("author_hasSessionKeys", json!(["0x00"])),
    ]
}

#[tokio::test]
async fn unsafe_methods_are_denied_in_safe_mode() {
    let (backend, m) = setup(true);
    for (method, params) in unsafe_calls(&backend.hash_of(1).to_string()) {
        assert_eq!(
            err(&m, method, params).await,
            (-32601, "RPC call is unsafe to be called externally".to_owned()),
            "{method}"
        );
    }
    // Safe methods still work.
    assert!(call(&m, "state_getKeysPaged", json!(["0xbb", 5])).await.is_ok());
}

#[tokio::test]
async fn unsafe_methods_are_allowed_in_unsafe_mode() {
    let (backend, m) = setup(false);
    for (method, params) in unsafe_calls(&backend.hash_of(1).to_string()) {
        match call(&m, method, params).await {
            Ok(_) => {}
            // Key management is registered but answers "not supported".
            Err((code, message)) => {
                assert_eq!(code, -32000, "{method}: {message}");
                assert!(message.contains("not supported"), "{method}: {message}");
            }
        }
    }
    assert_eq!(ok(&m, "state_getKeys", json!(["0xbb"])).await.as_array().map(Vec::len), Some(5));
    assert_eq!(ok(&m, "state_getPairs", json!(["0xaa02"])).await, json!([["0xaa02", "0x636f6e7374"]]));
    let state = ok(&m, "system_networkState", json!([])).await;
    assert_eq!(state["peerId"], "12D3KooWLocal");
    assert_eq!(state["connectedPeers"]["12D3KooWPeer"]["bestNumber"], 3);
}
