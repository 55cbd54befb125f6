//! Bad input over JSON-RPC: every malformed, mis-signed, mis-timed or oversized request gets the
//! documented error code and a message naming the problem, and none of them changes the chain
//! or brings the node down.
//!
//! One `--dev --instant-seal` node serves every test of this file (started by whichever test
//! comes first, kept in a static; it dies with the test process). Each case uses its own signer
//! or leaves all state alone, so cases may run in parallel; `zz_after_all_cases_…` runs last
//! (it waits for the others) and checks the node is healthy and Alith's account changed only by
//! the one included transaction (the existential-deposit case).

use std::{
    panic::{catch_unwind, resume_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex, OnceLock,
    },
    time::{Duration, Instant},
};

use archive_integration_tests::*;
use archive_support::{DispatchError, ModuleError, Phase};
use parity_scale_codec::Encode;
use serde_json::{json, Value};

/// Number of `#[test]` cases in this file, `zz_after_all_cases_…` excluded.
const CASES: usize = 19;

static STARTED: AtomicUsize = AtomicUsize::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);
/// Fees Alith paid for included transactions (the existential-deposit case), and their count.
static ALITH_SPENT: Mutex<(u128, u32)> = Mutex::new((0, 0));

struct Shared {
    node: Node,
    genesis: H256,
    /// Alith's account before any case ran.
    alith_before: AccountInfo,
    /// The block `alith_before` was read at (Alith, the dev author, earns a reward per block).
    alith_before_at: u32,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| setup().map_err(|e| format!("{e:#}")))
        .as_ref()
        .unwrap_or_else(|e| panic!("setup failed: {e}"))
}

/// What the dev author earns per block (the default `block_reward` parameter).
const BLOCK_REWARD: u128 = archive_pallet_parameters::Parameter::BlockReward.default_value();

fn setup() -> anyhow::Result<Shared> {
    let base = process_lifetime_dir("archivechain-it-bad-input");
    let node = Node::start(&base, &["--dev", "--instant-seal"])?;
    let genesis = node.genesis_hash();
    // A dozen blocks (for the era cases), all by Baltathar, so that Baltathar has used nonces
    // (stale-nonce case) and Alith has sent nothing.
    let balt = dev_pair("baltathar");
    for nonce in 0..12 {
        let xt = sign_call(&remark_call(format!("setup {nonce}").into_bytes()), &balt, &TxParams::new(genesis, nonce));
        let before = node.best_number();
        node.submit(&xt).map_err(|e| anyhow::anyhow!("setup remark {nonce}: {e}"))?;
        node.wait_for_block(before + 1);
    }
    anyhow::ensure!(node.nonce(balt.account()) == 12, "setup remarks were not all included");
    let alith_before_at = node.best_number();
    let at = node.block_hash(alith_before_at);
    let alith_before = node.account(dev_pair("alith").account(), at).expect("Alith exists");
    Ok(Shared { node, genesis, alith_before, alith_before_at })
}

struct DoneGuard;

impl Drop for DoneGuard {
    fn drop(&mut self) {
        DONE.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs one case against the shared node; on failure prints the node's stderr tail.
fn case(f: impl FnOnce(&Shared)) {
    STARTED.fetch_add(1, Ordering::SeqCst);
    let _done = DoneGuard;
    let s = shared();
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| f(s))) {
        eprintln!("---- node stderr (last lines) ----\n{}\n----", s.node.stderr_tail(40));
        resume_unwind(panic);
    }
}

#[track_caller]
fn expect_err(r: Result<H256, RpcError>, code: i64, what: &str) -> RpcError {
    match r {
        Ok(h) => panic!("{what}: expected error {code}, but it was accepted as {h}"),
        Err(e) => {
            assert_eq!(e.code, code, "{what}: wrong error code: {e}");
            e
        }
    }
}

#[track_caller]
fn assert_mentions(e: &RpcError, words: &[&str], what: &str) {
    let text = e.text_lower();
    for w in words {
        assert!(text.contains(&w.to_lowercase()), "{what}: error does not mention {w:?}: {e}");
    }
}

#[track_caller]
fn assert_mentions_any(e: &RpcError, words: &[&str], what: &str) {
    let text = e.text_lower();
    assert!(words.iter().any(|w| text.contains(&w.to_lowercase())), "{what}: error mentions none of {words:?}: {e}");
}

fn alith() -> Pair {
    dev_pair("alith")
}

/// A correctly signed transfer from Alith (what the tampering cases start from).
fn good_alith_transfer(s: &Shared, value: u128) -> Vec<u8> {
    let nonce = s.node.nonce(alith().account());
    sign_call(
        &transfer_keep_alive_call(fresh_account("bad-input dest"), value),
        &alith(),
        &TxParams::new(s.genesis, nonce),
    )
}

// ---- Malformed requests -----------------------------------------------------------------------

#[test]
fn malformed_hex_is_invalid_params_naming_the_param() {
    case(|s| {
        for bad in [json!("zz"), json!("0x123"), json!("0xzz00"), json!("0x 00"), json!(42), json!({"xt": "0x00"})] {
            let e = s.node.rpc("author_submitExtrinsic", json!([bad])).expect_err("malformed hex accepted");
            assert_eq!(e.code, -32602, "param {bad}: {e}");
            assert!(e.message.contains("param 1 (`extrinsic`)"), "param {bad}: message does not name the param: {e}");
        }
        let e = s.node.rpc("author_submitExtrinsic", json!([])).expect_err("missing param accepted");
        assert_eq!(e.code, -32602, "{e}");
        assert!(e.message.contains("`extrinsic`") && e.message.contains("missing"), "{e}");
    });
}

#[test]
fn garbage_scale_is_bad_format_1001() {
    case(|s| {
        let mut random = vec![0x84u8];
        random.extend((0u32..300).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let samples: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("zero length", vec![0x00]),
            ("deadbeef", vec![0xde, 0xad, 0xbe, 0xef]),
            ("prefix claims more than sent", vec![0xfc, 0x84, 0x00]),
            ("random body after a correct prefix", with_length_prefix(&random)),
        ];
        for (what, bytes) in samples {
            let e = expect_err(s.node.submit(&bytes), 1001, what);
            assert_eq!(e.message, "Extrinsic has invalid format", "{what}: {e}");
            assert!(e.data.is_some(), "{what}: 1001 without a detail in data: {e}");
        }
    });
}

#[test]
fn truncated_extrinsic_is_bad_format_1001() {
    case(|s| {
        let good = good_alith_transfer(s, ONE_ARC);
        // Cut the tail: the length prefix no longer matches.
        let cut = &good[..good.len() - 3];
        let e = expect_err(s.node.submit(cut), 1001, "truncated");
        assert_mentions(&e, &["length prefix"], "truncated");
        // Cut the tail and fix the prefix: the call no longer decodes.
        let body = strip_length_prefix(&good);
        let refixed = with_length_prefix(&body[..body.len() - 3]);
        let e = expect_err(s.node.submit(&refixed), 1001, "truncated, prefix fixed");
        assert_mentions(&e, &["decode"], "truncated, prefix fixed");
    });
}

#[test]
fn wrong_version_byte_is_bad_format_naming_the_version() {
    case(|s| {
        let mut body = strip_length_prefix(&good_alith_transfer(s, ONE_ARC));
        assert_eq!(body[0], 0x84);
        body[0] = 0x85;
        let e = expect_err(s.node.submit(&with_length_prefix(&body)), 1001, "version 0x85");
        assert_mentions(&e, &["version", "0x85"], "version 0x85");
    });
}

#[test]
fn unknown_pallet_or_call_index_is_bad_format_naming_it() {
    case(|s| {
        let p = TxParams::new(s.genesis, s.node.nonce(alith().account()));
        let e = expect_err(s.node.submit(&sign_raw_call(&[0x63, 0x00], &alith(), &p)), 1001, "pallet 0x63");
        assert_mentions(&e, &["unknown pallet/call index 99/0"], "pallet 0x63");
        // Known pallet (Balances = 10), unknown call.
        let e = expect_err(s.node.submit(&sign_raw_call(&[0x0a, 0x63], &alith(), &p)), 1001, "call 10/99");
        assert_mentions(&e, &["unknown pallet/call index 10/99"], "call 10/99");
    });
}

#[test]
fn garbage_json_rpc_body_is_parse_error() {
    case(|s| {
        for body in [&b"{not json"[..], b"\x00\xff\xfe", b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"] {
            let resp = s.node.post_raw(body).expect("HTTP answer");
            let v = resp.json().expect("JSON error body");
            let e = parse_rpc_response(&v).expect("JSON-RPC").expect_err("garbage accepted");
            assert_eq!(e.code, -32700, "body {:?}: {e}", String::from_utf8_lossy(body));
        }
    });
}

#[test]
fn unknown_method_is_method_not_found() {
    case(|s| {
        let e = s.node.rpc("author_doesNotExist", json!([])).expect_err("unknown method answered");
        assert_eq!(e.code, -32601, "{e}");
        assert_mentions(&e, &["method not found"], "unknown method");
    });
}

// ---- Signatures and signed data --------------------------------------------------------------

#[test]
fn random_signature_bytes_are_invalid_1010_then_banned() {
    case(|s| {
        let good = decode_extrinsic(&good_alith_transfer(s, ONE_ARC));
        let (signer, _, extra) = good.signature.expect("signed");
        let mut sig = [0u8; 65];
        for (i, b) in sig.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        sig[64] = 1;
        let xt = assemble_signed(signer, &sig, &extra, &good.function.encode());
        let e = expect_err(s.node.submit(&xt), 1010, "random signature");
        assert_eq!(e.message, "Invalid Transaction", "{e}");
        assert_mentions(&e, &["bad signature"], "random signature");
        // The pool remembers invalid transactions: the same bytes are now banned (1012).
        let e = expect_err(s.node.submit(&xt), 1012, "resubmitted invalid transaction");
        assert_mentions(&e, &["banned"], "resubmitted invalid transaction");
    });
}

#[test]
fn signature_by_another_key_is_bad_signature() {
    case(|s| {
        let p = TxParams::new(s.genesis, s.node.nonce(alith().account()));
        let call = transfer_keep_alive_call(fresh_account("bad-input dest"), ONE_ARC);
        // Baltathar signs, the extrinsic claims Alith.
        let by_balt = decode_extrinsic(&sign_call(&call, &dev_pair("baltathar"), &p));
        let (_, sig, extra) = by_balt.signature.expect("signed");
        let xt = assemble_signed(alith().account(), &sig.0, &extra, &call.encode());
        let e = expect_err(s.node.submit(&xt), 1010, "signed by another key");
        assert_mentions(&e, &["bad signature"], "signed by another key");
    });
}

fn check_wrong_signed_data(s: &Shared, what: &str, tweak: impl FnOnce(&mut TxParams)) {
    let mut p = TxParams::new(s.genesis, s.node.nonce(alith().account()));
    tweak(&mut p);
    let xt = sign_call(&transfer_keep_alive_call(fresh_account("bad-input dest"), ONE_ARC), &alith(), &p);
    let e = expect_err(s.node.submit(&xt), 1010, what);
    assert_mentions(&e, &["bad signature"], what);
}

#[test]
fn wrong_genesis_hash_is_invalid_1010() {
    case(|s| check_wrong_signed_data(s, "wrong genesis", |p| p.genesis_hash = H256([0x42; 32])));
}

#[test]
fn wrong_spec_version_is_invalid_1010() {
    case(|s| check_wrong_signed_data(s, "wrong spec_version", |p| p.spec_version += 1));
}

#[test]
fn wrong_transaction_version_is_invalid_1010() {
    case(|s| check_wrong_signed_data(s, "wrong transaction_version", |p| p.transaction_version += 1));
}

// ---- Mortality ---------------------------------------------------------------------------------

#[test]
fn expired_mortal_era_is_invalid_1010() {
    case(|s| {
        let n = &s.node;
        let call = transfer_keep_alive_call(fresh_account("bad-input dest"), ONE_ARC);
        let nonce = n.nonce(alith().account());
        // Control: the same construction with a fresh birth block is accepted (Dorothy, so that
        // Alith's account is untouched).
        let best = n.best_number();
        let dorothy = dev_pair("dorothy");
        let fresh = TxParams::new(s.genesis, n.nonce(dorothy.account())).mortal(
            64,
            best as u64,
            n.block_hash(best).expect("best"),
        );
        let control = n
            .submit(&sign_call(&remark_call(b"mortal control".to_vec()), &dorothy, &fresh))
            .unwrap_or_else(|e| panic!("a fresh mortal era must be accepted: {e}"));
        // Let it land first, so that the block numbers below stay put.
        n.wait_for_extrinsic(control, best + 1, Duration::from_secs(30)).expect("the control is included");

        // Period 4, born at best - 4: valid for blocks best-4 ..= best-1, so expired for the
        // block the pool validates for (best + 1), whose own period began at `best`, a known
        // block. The node can tell (it finds the previous period's birth block): "outdated,
        // mortal era expired"; blocks authored meanwhile may turn it into "bad signature".
        let best = n.best_number();
        let birth = best - 4;
        let p = TxParams::new(s.genesis, nonce).mortal(4, birth as u64, n.block_hash(birth).expect("birth"));
        assert_eq!(p.era.death(birth as u64), best as u64, "test construction: the era ends at best");
        let e = expect_err(n.submit(&sign_call(&call, &alith(), &p)), 1010, "era expired");
        eprintln!("era expired: {e}");
        assert_mentions_any(&e, &["expired", "signature"], "era expired");
        assert_mentions_any(&e, &["outdated", "bad signature"], "era expired");

        // Period 4, born far back (a block among #1..=#4, chosen so that the era's current
        // period began at best - 1, a known block, and the previous one at best - 5).
        let best = n.best_number();
        assert!(best >= 10);
        let far = (1..=4u32).find(|b| b % 4 == (best - 1) % 4).expect("one of four");
        let p = TxParams::new(s.genesis, nonce).mortal(4, far as u64, n.block_hash(far).expect("far"));
        let e = expect_err(n.submit(&sign_call(&call, &alith(), &p)), 1010, "era born far back");
        eprintln!("era born far back: {e}");
        assert_mentions_any(&e, &["expired", "signature"], "era born far back");
        assert_mentions(&e, &["era"], "era born far back");
    });
}

#[test]
fn future_mortal_era_is_invalid_naming_the_birth_block() {
    case(|s| {
        let best = s.node.best_number();
        assert!(best < 900, "test assumes a short chain");
        let mut p = TxParams::new(s.genesis, s.node.nonce(alith().account()));
        // Phase 1000 of period 1024: its first birth block, #1000, does not exist yet.
        p.era = Era::Mortal(1024, 1000);
        let xt = sign_call(&transfer_keep_alive_call(fresh_account("bad-input dest"), ONE_ARC), &alith(), &p);
        let e = expect_err(s.node.submit(&xt), 1010, "future era");
        assert_mentions(&e, &["era", "#1000"], "future era");
        assert_mentions_any(&e, &["does not exist", "birth"], "future era");
    });
}

// ---- Nonces and fees ---------------------------------------------------------------------------

#[test]
fn stale_nonce_is_outdated_1010() {
    case(|s| {
        let balt = dev_pair("baltathar");
        assert!(s.node.nonce(balt.account()) >= 1, "setup gave Baltathar used nonces");
        let xt = sign_call(
            &transfer_keep_alive_call(fresh_account("stale dest"), ONE_ARC),
            &balt,
            &TxParams::new(s.genesis, 0),
        );
        let e = expect_err(s.node.submit(&xt), 1010, "stale nonce");
        assert_mentions(&e, &["outdated"], "stale nonce");
    });
}

#[test]
fn nonce_more_than_64_ahead_is_refused_as_future() {
    case(|s| {
        let charleth = dev_pair("charleth");
        let next = s.node.nonce(charleth.account());
        let mk = |nonce| sign_call(&remark_call(b"far future".to_vec()), &charleth, &TxParams::new(s.genesis, nonce));
        // 64 ahead is the last one the pool keeps (in its future queue).
        let at_limit = mk(next + 64);
        s.node.submit(&at_limit).unwrap_or_else(|e| panic!("nonce next+64 must be queued: {e}"));
        let e = expect_err(s.node.submit(&at_limit), 1013, "same transaction twice");
        assert_mentions(&e, &["already imported"], "same transaction twice");
        let e = expect_err(s.node.submit(&mk(next + 65)), 1010, "nonce next+65");
        assert_mentions(&e, &["future"], "nonce next+65");
        let e = expect_err(s.node.submit(&mk(next + 1000)), 1010, "nonce next+1000");
        assert_mentions(&e, &["future"], "nonce next+1000");
    });
}

#[test]
fn fee_above_balance_of_unfunded_key_is_payment_error() {
    case(|s| {
        let poor = fresh_pair("bad-input unfunded signer");
        assert!(s.node.account(poor.account(), None).is_none());
        let xt = sign_call(&transfer_call(dev_pair("alith").account(), 1), &poor, &TxParams::new(s.genesis, 0));
        let e = expect_err(s.node.submit(&xt), 1010, "unfunded signer");
        assert_mentions(&e, &["pay"], "unfunded signer");
    });
}

#[test]
fn transfer_below_existential_deposit_to_new_account_fails_in_block() {
    case(|s| {
        let n = &s.node;
        let alith = alith();
        let dest = fresh_account("bad-input below-ED recipient");
        assert!(n.account(dest, None).is_none());
        let from_block = n.best_number() + 1;
        let nonce = n.nonce(alith.account());
        let xt = sign_call(&transfer_call(dest, EXISTENTIAL_DEPOSIT - 1), &alith, &TxParams::new(s.genesis, nonce));
        let hash = n.submit(&xt).unwrap_or_else(|e| panic!("a well-formed transfer must enter the pool: {e}"));
        let (block, index) = n
            .wait_for_extrinsic(hash, from_block, Duration::from_secs(30))
            .expect("the transfer is included in a block");
        {
            let mut spent = ALITH_SPENT.lock().unwrap_or_else(|e| e.into_inner());
            spent.0 += fee_of(&xt);
            spent.1 += 1;
        }
        let events: Vec<_> =
            n.events(block).into_iter().filter(|r| r.phase == Phase::ApplyExtrinsic(index)).map(|r| r.event).collect();
        let failed = events.iter().find_map(|e| match e {
            RuntimeEvent::System(archive_pallet_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                Some(*dispatch_error)
            }
            _ => None,
        });
        let existential_deposit_error = DispatchError::Module(ModuleError { index: 10, error: [3, 0, 0, 0] });
        assert_eq!(failed, Some(existential_deposit_error), "events of the extrinsic: {events:?}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, RuntimeEvent::Balances(archive_pallet_balances::Event::Transfer { .. }))),
            "a failed transfer emitted Transfer: {events:?}"
        );
        assert!(n.account(dest, Some(block)).is_none(), "the recipient was created");
        assert!(n.account(dest, None).is_none(), "the recipient exists at best");
        // The sender paid the fee and used the nonce, nothing else.
        let parent = n.block_hash(n.header(block).map(|h| header_number(&h)).expect("header") - 1).expect("parent");
        let (before, after) = (
            n.account(alith.account(), Some(parent)).expect("alith"),
            n.account(alith.account(), Some(block)).expect("alith"),
        );
        assert_eq!(after.nonce, before.nonce + 1);
        // (Alith also authored the block: the block reward.)
        assert_eq!(after.data.free, before.data.free - fee_of(&xt) + BLOCK_REWARD, "only the fee is charged");
    });
}

// ---- Size limits -------------------------------------------------------------------------------

#[test]
fn extrinsic_over_the_block_length_limit_is_refused_and_node_stays_up() {
    case(|s| {
        let n = &s.node;
        let nonce = n.nonce(alith().account());
        let p = TxParams::new(s.genesis, nonce);
        // 4 MiB: over the normal-class share of the block (75% of 5 MiB), under the pool's
        // 5 MiB transaction limit and the 15 MiB request limit (as hex, ~8 MiB): the runtime
        // refuses it as ExhaustsResources.
        let xt = sign_call(&remark_call(vec![0xab; 4 * 1024 * 1024]), &alith(), &p);
        let t = Instant::now();
        let e = expect_err(n.submit(&xt), 1010, "4 MiB remark");
        assert_mentions(&e, &["exhaust", "length"], "4 MiB remark");
        eprintln!("4 MiB remark refused in {:?}: {e}", t.elapsed());
        n.call("system_health", json!([]));

        // 6 MiB: over the pool's per-transaction limit (request ~12 MiB, still accepted by RPC).
        let xt = sign_call(&remark_call(vec![0xcd; 6 * 1024 * 1024]), &alith(), &p);
        let e = expect_err(n.submit(&xt), 1010, "6 MiB remark");
        assert_mentions(&e, &["exhaust"], "6 MiB remark");
        n.call("system_health", json!([]));

        // 8 MiB: the request itself (~16 MiB of hex) is over --rpc-max-request-size (15 MiB).
        let xt = sign_call(&remark_call(vec![0xef; 8 * 1024 * 1024]), &alith(), &p);
        let body = serde_json::to_vec(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "author_submitExtrinsic", "params": [hex0x(&xt)]}),
        )
        .expect("json");
        let resp = n.post_raw(&body).expect("the node answers an oversized request");
        // jsonrpsee answers HTTP 413 with a JSON-RPC error -32007 "Request is too big".
        assert_eq!(resp.status, 413, "body: {}", String::from_utf8_lossy(&resp.body));
        let v: Value = resp.json().expect("JSON body");
        let e = parse_rpc_response(&v).expect("JSON-RPC").expect_err("oversized request accepted");
        assert_eq!(e.code, -32007, "{e}");
        n.call("system_health", json!([]));
        assert!(n.account(alith().account(), None).is_some_and(|a| a.nonce >= nonce));
    });
}

// ---- After everything --------------------------------------------------------------------------

/// Sorted last by the test harness; with parallel threads it waits for the other cases.
#[test]
fn zz_after_all_cases_node_is_healthy_and_alith_changed_only_by_the_included_transfer() {
    let s = shared();
    // Wait until every case finished, or (when a filter left some out) until the started ones
    // finished and nothing new started for a few seconds.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut quiet_since = Instant::now();
    let mut last = (usize::MAX, usize::MAX);
    loop {
        let now = (STARTED.load(Ordering::SeqCst), DONE.load(Ordering::SeqCst));
        if now.1 >= CASES {
            break;
        }
        if now != last {
            last = now;
            quiet_since = Instant::now();
        }
        if now.0 == now.1 && quiet_since.elapsed() > Duration::from_secs(5) {
            break;
        }
        assert!(Instant::now() < deadline, "cases did not finish: {now:?} of {CASES}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let n = &s.node;
    let health = n.call("system_health", json!([]));
    assert_eq!(health["isSyncing"], json!(false), "{health}");
    n.call("chain_getHeader", json!([]));
    let alith = alith().account();
    let (spent, included) = *ALITH_SPENT.lock().unwrap_or_else(|e| e.into_inner());
    let now = n.best_number();
    let after = n.account(alith, n.block_hash(now)).expect("Alith exists");
    let rewards = BLOCK_REWARD * u128::from(now - s.alith_before_at);
    assert_eq!(after.nonce, s.alith_before.nonce + included, "Alith's nonce moved by refused transactions");
    assert_eq!(
        after.data.free,
        s.alith_before.data.free - spent + rewards,
        "Alith's balance moved by refused transactions (beyond fees and her block rewards)"
    );
    assert_eq!(after.data.reserved, s.alith_before.data.reserved);
    // Nothing refused was kept in the pool either.
    let pending = n.call("author_pendingExtrinsics", json!([]));
    for x in pending.as_array().expect("array") {
        let xt = decode_extrinsic(&from_hex(x.as_str().expect("hex")));
        assert_ne!(xt.signature.map(|(who, _, _)| who), Some(alith), "an Alith transaction is pending: {x}");
    }
}
