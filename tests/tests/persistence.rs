//! Persistence across restarts: a clean shutdown (SIGTERM, the Ctrl-C path) keeps the chain and
//! its state exactly; `kill -9` in the middle of authoring a stream of transactions leaves a
//! database that opens, whose canonical chain has no gaps, whose state matches its blocks, which
//! still holds every block the node had reported as best, and on which the node keeps authoring.

use std::{
    thread,
    time::{Duration, Instant},
};

use archive_integration_tests::*;
use serde_json::json;

const VALUE: u128 = ONE_ARC;

/// Checks the canonical chain of a (restarted) node and returns (best number, best hash).
///
/// - `chain_getHeader` works and the best block's state is readable;
/// - `chain_getBlockHash(0..=best)` are all known, numbered right and linked by `parentHash`;
/// - the finalized head is canonical;
/// - the state at best agrees with the blocks: Alith's nonce is the number of her extrinsics in
///   the canonical chain, and `dest` holds `VALUE` per transfer to it.
fn check_chain(node: &Node, dest: AccountId20) -> (u32, H256) {
    let best_header = node.best_header();
    let best = header_number(&best_header);
    let best_hash = node.best_hash();
    let alith = dev_pair("alith").account();
    assert!(
        node.storage(&account_key(alith), Some(best_hash)).is_some(),
        "state of the best block #{best} is not readable"
    );
    let mut parent: Option<H256> = None;
    let (mut alith_xts, mut to_dest) = (0u32, 0u128);
    for n in 0..=best {
        let hash =
            node.block_hash(n).unwrap_or_else(|| panic!("gap in the canonical chain: no hash at #{n} (best #{best})"));
        let header = node.header(hash).unwrap_or_else(|| panic!("no header for canonical #{n} {hash}"));
        assert_eq!(header_number(&header), n, "header {hash} has the wrong number");
        if let Some(p) = parent {
            assert_eq!(parse_h256(&header["parentHash"]), p, "#{n} does not link to #{}", n - 1);
        }
        parent = Some(hash);
        for raw in node.block_extrinsics(hash) {
            let xt = decode_extrinsic(&raw);
            if xt.signature.map(|(who, _, _)| who) == Some(alith) {
                alith_xts += 1;
                if let RuntimeCall::Balances(
                    archive_pallet_balances::Call::transfer_keep_alive { dest: d, value }
                    | archive_pallet_balances::Call::transfer_allow_death { dest: d, value },
                ) = xt.function
                {
                    if d == dest {
                        to_dest += value;
                    }
                }
            }
        }
    }
    assert_eq!(parent, Some(best_hash), "chain_getBlockHash(best) is not the best hash");
    let finalized = parse_h256(&node.call("chain_getFinalizedHead", json!([])));
    let fin_number = header_number(&node.header(finalized).expect("finalized header"));
    assert!(fin_number <= best, "finalized #{fin_number} above best #{best}");
    assert_eq!(node.block_hash(fin_number), Some(finalized), "the finalized block is not canonical");
    let account = node.account(alith, Some(best_hash)).expect("Alith exists");
    assert_eq!(account.nonce, alith_xts, "Alith's nonce at #{best} disagrees with her extrinsics in the chain");
    assert_eq!(node.free_balance(dest, Some(best_hash)), to_dest, "recipient's balance disagrees with the chain");
    (best, best_hash)
}

#[test]
fn sigterm_keeps_the_chain_and_kill_9_while_authoring_never_corrupts_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let alith = dev_pair("alith");
    let dest = fresh_account("persistence recipient");

    // ---- Slot authoring (2 s blocks), clean shutdown ------------------------------------------
    let mut node = Node::start(dir.path(), &["--dev"]).expect("start node");
    let genesis = node.genesis_hash();
    let hashes = submit_all(&node, &[transfer(&node, &alith, 0, dest, VALUE), transfer(&node, &alith, 1, dest, VALUE)]);
    node.wait_for_block(3);
    for h in hashes {
        node.wait_for_extrinsic(h, 1, Duration::from_secs(30)).expect("transfer included");
    }
    let n = node.best_number();
    let hash = node.block_hash(n).expect("hash");
    let state_root = node.header(hash).expect("header")["stateRoot"].clone();
    let alith_at = node.account(alith.account(), Some(hash)).expect("alith");
    assert_eq!(node.free_balance(dest, Some(hash)), 2 * VALUE);

    node.send_sigterm();
    let status = node.wait_exit(Duration::from_secs(20)).expect("the node stops within 20 s of SIGTERM");
    assert!(status.success(), "SIGTERM exit status {status}\n{}", node.stderr_tail(20));
    assert!(node.stderr().contains("shutting down"), "no orderly shutdown:\n{}", node.stderr_tail(20));

    node.restart().expect("restart after SIGTERM");
    assert_eq!(node.genesis_hash(), genesis);
    assert!(node.best_number() >= n, "best went back from #{n} to #{}", node.best_number());
    assert_eq!(node.block_hash(n), Some(hash), "block #{n} is no longer canonical after restart");
    assert_eq!(node.header(hash).expect("header")["stateRoot"], state_root, "state root of #{n} changed");
    assert_eq!(node.account(alith.account(), Some(hash)).expect("alith"), alith_at);
    assert_eq!(node.free_balance(dest, Some(hash)), 2 * VALUE);
    // Slot authoring resumes.
    node.wait_for_block(node.best_number() + 1);
    check_chain(&node, dest);

    // SIGINT (Ctrl-C in a terminal) is an orderly shutdown too.
    let (n, hash) = (node.best_number(), node.best_hash());
    node.send_sigint();
    let status = node.wait_exit(Duration::from_secs(20)).expect("the node stops within 20 s of SIGINT");
    assert!(status.success(), "SIGINT exit status {status}\n{}", node.stderr_tail(20));
    node.restart().expect("restart after SIGINT");
    assert_eq!(node.block_hash(n), Some(hash), "block #{n} is no longer canonical after SIGINT + restart");
    check_chain(&node, dest);

    // ---- kill -9 while instant-sealing a stream of transfers -----------------------------------
    node.restart_with(&["--dev", "--instant-seal"]).expect("restart with instant seal");
    // Transfers go in one by one, 10 ms apart, so that the node authors a block every few of them
    // for about a second; each round kills it at a different point of that stream.
    for (round, delay_ms) in [10u64, 40, 90, 160, 250, 370, 520, 800].into_iter().enumerate() {
        let nonce = node.nonce(alith.account());
        let xts: Vec<Vec<u8>> = (0..50).map(|i| transfer(&node, &alith, nonce + i, dest, VALUE)).collect();
        let addr = node.addr();
        let submitter = thread::spawn(move || {
            let mut accepted = 0;
            for xt in &xts {
                match rpc_call(addr, "author_submitExtrinsic", json!([hex0x(xt)])) {
                    Ok(Ok(_)) => {
                        accepted += 1;
                        thread::sleep(Duration::from_millis(10));
                    }
                    Ok(Err(e)) => panic!("submission refused: {e}"),
                    Err(_) => break, // the node was killed
                }
            }
            accepted
        });
        thread::sleep(Duration::from_millis(delay_ms));
        // Whatever the node reported as best before dying must survive.
        let seen_hash = parse_h256(&node.call("chain_getBlockHash", json!([])));
        let seen = (header_number(&node.header(seen_hash).expect("best header")), seen_hash);
        node.kill9();
        let accepted = submitter.join().expect("submitter thread");

        let t = Instant::now();
        node.restart().unwrap_or_else(|e| panic!("round {round}: the node does not open after kill -9: {e:#}"));
        let (best, _) = check_chain(&node, dest);
        let (seen_n, seen_hash) = seen;
        assert!(best >= seen_n, "round {round}: best #{best} after restart is below #{seen_n} reported before kill -9");
        assert_eq!(node.block_hash(seen_n), Some(seen_hash), "round {round}: reported best #{seen_n} was lost");
        eprintln!(
            "round {round}: killed after {delay_ms} ms ({accepted} of 50 submitted), best #{best} after restart ({:?} to reopen)",
            t.elapsed()
        );
        // It keeps authoring: a new transfer lands in a new block.
        let next = node.nonce(alith.account());
        let h = node.submit(&transfer(&node, &alith, next, dest, VALUE)).expect("submit after restart");
        node.wait_for_extrinsic(h, best + 1, Duration::from_secs(30))
            .unwrap_or_else(|| panic!("round {round}: no block authored after restart\n{}", node.stderr_tail(20)));
    }
    check_chain(&node, dest);
    assert!(!node.stderr().contains("panicked"), "{}", node.stderr_tail(40));
}
