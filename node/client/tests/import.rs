//! Build blocks on one database and import them, re-executed, into another.

use std::time::{Duration, Instant};

use archive_chain_spec::ChainSpec;
use archive_client::{Client, Error};
use archive_primitives::{crypto::dev, AccountId20, AdditionalSigned, Era, SignedExtra, UncheckedExtrinsic, ARC};
use archive_runtime::RuntimeCall;
use archive_storage::{Database, DatabaseConfig};
use parity_scale_codec::Encode;

fn open(dir: &std::path::Path) -> std::sync::Arc<Client> {
    let db = Database::open(&DatabaseConfig::new(dir)).expect("db");
    Client::new(db, ChainSpec::dev()).expect("client")
}

fn transfer(client: &Client, from: &str, nonce: u32, to: AccountId20, value: u128) -> Vec<u8> {
    let pair = dev::pair(from).expect("dev key");
    let genesis = client.info().genesis_hash;
    let call = RuntimeCall::Balances(archive_pallet_balances::Call::transfer_keep_alive { dest: to, value });
    let additional =
        AdditionalSigned { spec_version: 1, transaction_version: 1, genesis_hash: genesis, era_block_hash: genesis };
    UncheckedExtrinsic::new_signed(call, &pair, SignedExtra { era: Era::Immortal, nonce, tip: 0 }, &additional).encode()
}

fn free(client: &Client, who: &AccountId20) -> u128 {
    let best = client.info().best_hash;
    let key = archive_primitives::storage_key::map_key(
        "System",
        "Account",
        archive_primitives::storage_key::Hasher::Blake2_128Concat,
        &who.encode(),
    );
    let raw = client.state_at(&best).expect("state").get(&key).expect("read").expect("account exists");
    let acc: archive_pallet_system::Account = parity_scale_codec::Decode::decode(&mut &raw[..]).expect("decode");
    acc.data.free
}

#[test]
fn blocks_built_on_one_node_import_on_another() {
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let author = open(a.path());
    let follower = open(b.path());
    assert_eq!(author.info().genesis_hash, follower.info().genesis_hash);
    let alith = dev::pair("alith").expect("alith");
    let dest = AccountId20([7u8; 20]);
    let deadline = || Instant::now() + Duration::from_secs(5);
    let mut xts: Vec<Vec<u8>> = (0..20).map(|n| transfer(&author, "baltathar", n, dest, ARC)).collect();
    // An invalid one (stale nonce) must be rejected, not included.
    xts.push(transfer(&author, "baltathar", 0, dest, ARC));
    let built = author.build_block(&author.info().best_hash, 1, &alith, xts, deadline()).expect("build");
    assert_eq!(built.included.len(), 20);
    assert_eq!(built.rejected.len(), 1);
    let block = built.block.clone();
    author.import_built(built, true).expect("import own");
    let imported = follower.import_block(block.clone(), None, true).expect("import");
    assert!(imported.is_new_best);
    assert_eq!(follower.info().best_hash, author.info().best_hash);
    assert_eq!(free(&follower, &dest), 20 * ARC);

    // A tampered state root is refused and nothing is written.
    let built2 = author.build_block(&author.info().best_hash, 2, &alith, vec![], deadline()).expect("build");
    let mut bad = built2.block.clone();
    bad.header.state_root.0[0] ^= 1;
    assert!(matches!(follower.import_block(bad, None, true), Err(Error::BadSeal { .. })));
    // Re-seal the tampered header properly so the seal passes and the state root check fails.
    let mut bad = built2.block.clone();
    bad.header.digest.logs.pop();
    bad.header.state_root.0[0] ^= 1;
    archive_client::seal_header(&mut bad.header, &alith);
    assert!(matches!(follower.import_block(bad, None, true), Err(Error::InvalidBlock { .. })));
    assert_eq!(follower.info().best_number, 1);
    // Wrong author for the slot.
    let balt = dev::pair("baltathar").expect("b");
    let wrong = author.build_block(&author.info().best_hash, 3, &balt, vec![], deadline()).expect("build");
    assert!(matches!(follower.import_block(wrong.block, None, true), Err(Error::BadSeal { .. })));
    // The good block still imports.
    follower.import_block(built2.block, None, true).expect("good block");
    assert_eq!(follower.info().best_number, 2);
}

#[test]
fn reopening_resumes_at_the_same_head_and_foreign_genesis_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let head = {
        let c = open(dir.path());
        let alith = dev::pair("alith").expect("alith");
        let b =
            c.build_block(&c.info().best_hash, 1, &alith, vec![], Instant::now() + Duration::from_secs(5)).expect("b");
        c.import_built(b, true).expect("import");
        c.info()
    };
    let c = open(dir.path());
    assert_eq!(c.info(), head);
    drop(c);
    let db = Database::open(&DatabaseConfig::new(dir.path())).expect("db");
    let mut other = ChainSpec::dev();
    other.genesis = archive_chain_spec::Genesis::Runtime(archive_chain_spec::RuntimeGenesisJson {
        // The validator keeps its endowment (it bonds at genesis); one more account differs.
        balances: vec![
            (dev::pair("alith").expect("alith").account(), (10_000 * ARC).to_string()),
            (AccountId20([9; 20]), ARC.to_string()),
        ],
        ..Default::default()
    });
    assert!(matches!(Client::new(db, other), Err(Error::GenesisMismatch { .. })));
}

#[test]
fn a_chain_longer_than_the_pruning_window_reopens() {
    // The genesis state is pruned once the chain outgrows the window; opening the database
    // again must not need it (it once did, and every node older than 256 blocks failed to
    // restart).
    let dir = tempfile::tempdir().expect("tmp");
    let config = DatabaseConfig {
        path: dir.path().to_path_buf(),
        state_pruning: archive_storage::StatePruning::KeepBlocks(4),
        cache_size_mb: 16,
    };
    let alith = dev::pair("alith").expect("alith");
    let head = {
        let c = Client::new(Database::open(&config).expect("db"), ChainSpec::dev()).expect("client");
        for slot in 1..=12 {
            let b = c
                .build_block(&c.info().best_hash, slot, &alith, vec![], Instant::now() + Duration::from_secs(5))
                .expect("build");
            c.import_built(b, true).expect("import");
        }
        let genesis_root = c.header(&c.info().genesis_hash).expect("read").expect("genesis header").state_root;
        assert!(c.db().state(&genesis_root).get(b"anything").is_err(), "the genesis state should be pruned by now");
        c.info()
    };
    let c = Client::new(Database::open(&config).expect("db"), ChainSpec::dev()).expect("reopen after pruning");
    assert_eq!(c.info(), head);
    // And it keeps building on the head.
    let b = c.build_block(&head.best_hash, 13, &alith, vec![], Instant::now() + Duration::from_secs(5)).expect("build");
    c.import_built(b, true).expect("import");
    assert_eq!(c.info().best_number, 13);
}

#[test]
fn longest_chain_wins_reorg_routes_and_finality_is_never_reverted() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = open(dir.path());
    let alith = dev::pair("alith").expect("alith");
    let genesis = c.info().genesis_hash;
    let deadline = || Instant::now() + Duration::from_secs(5);
    let build = |parent: &archive_primitives::H256, slot: u64| {
        let b = c.build_block(parent, slot, &alith, vec![], deadline()).expect("build");
        let hash = b.block.hash();
        c.import_built(b, false).expect("import");
        hash
    };
    let a1 = build(&genesis, 1);
    assert_eq!(c.info().best_hash, a1);
    let b1 = build(&genesis, 2);
    assert_eq!(c.info().best_hash, a1, "equal height: the first seen stays best");
    let b2 = build(&b1, 3);
    assert_eq!(c.info().best_hash, b2, "the longer fork becomes best");
    assert_eq!(c.hash_at(1).expect("read"), Some(b1), "canonical index follows the re-org");
    let (retracted, enacted) = c.tree_route(&a1, &b2).expect("route");
    assert_eq!(retracted, vec![a1]);
    assert_eq!(enacted, vec![b1, b2]);
    c.finalize(&b2, None).expect("finalize");
    // A block on the abandoned fork can no longer be imported.
    let a2 = c.build_block(&a1, 4, &alith, vec![], deadline()).expect("build").block;
    match c.import_block(a2, None, false) {
        Err(Error::InvalidBlock { reason, .. }) => assert!(reason.contains("finalized"), "{reason}"),
        other => panic!("expected refusal, got {other:?}"),
    }
    assert_eq!(c.ancestor_at(&b2, 1).expect("read"), Some(b1));
}

#[test]
fn a_block_must_claim_a_later_slot_than_its_parent() {
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let author = open(a.path());
    let follower = open(b.path());
    let alith = dev::pair("alith").expect("alith");
    let deadline = || Instant::now() + Duration::from_secs(5);
    let first = author.build_block(&author.info().best_hash, 5, &alith, vec![], deadline()).expect("build");
    let first_hash = first.block.hash();
    follower.import_block(first.block.clone(), None, false).expect("import #1");
    author.import_built(first, false).expect("import #1");
    // The author refuses to build in the same (or an earlier) slot.
    for slot in [4, 5] {
        assert!(matches!(
            author.build_block(&first_hash, slot, &alith, vec![], deadline()),
            Err(Error::InvalidBlock { reason, .. }) if reason.contains("does not follow the parent's slot 5")
        ));
    }
    // A peer's block that stacks a second block into slot 5 is refused on import, although its
    // state and seal are valid: re-claim slot 5 in a correctly built slot-6 block and re-seal.
    let mut stacked = author.build_block(&first_hash, 6, &alith, vec![], deadline()).expect("build").block;
    stacked.header.digest.logs.clear();
    let pre = archive_client::SlotPreDigest { slot: 5, author: alith.account() };
    stacked
        .header
        .digest
        .logs
        .push(archive_primitives::DigestItem::PreRuntime(archive_client::ENGINE_ID, pre.encode()));
    archive_client::seal_header(&mut stacked.header, &alith);
    match follower.import_block(stacked, None, false) {
        Err(Error::InvalidBlock { reason, .. }) => assert!(reason.contains("parent's slot 5"), "{reason}"),
        other => panic!("expected refusal, got {other:?}"),
    }
}
