//! Blocks, the canonical index, finality and off-chain storage.

use archive_primitives::{hashing::blake2_256, Header, H256};

use super::*;
use crate::Error;

struct Stored {
    header: Header,
    body: Vec<Vec<u8>>,
    xts: Vec<H256>,
    model: Model,
}

fn check_chain(db: &Database, chain: &[Stored]) {
    let last = chain.last().unwrap();
    assert_eq!(db.genesis_hash(), Some(chain[0].header.hash()));
    assert_eq!(db.best(), Some((last.header.hash(), last.header.number)));
    assert_eq!(db.finalized(), Some((chain[8].header.hash(), 8)));
    for (n, block) in chain.iter().enumerate() {
        let hash = block.header.hash();
        assert_eq!(db.hash_at(n as u32).unwrap(), Some(hash));
        assert_eq!(db.header(&hash).unwrap().as_ref(), Some(&block.header));
        assert_eq!(db.body(&hash).unwrap().as_ref(), Some(&block.body));
        for (i, xt) in block.xts.iter().enumerate() {
            assert_eq!(db.extrinsic_location(xt).unwrap(), Some((hash, i as u32)));
        }
        assert_state(db, &block.header.state_root, &block.model);
    }
    assert_eq!(db.hash_at(chain.len() as u32).unwrap(), None);
    assert_eq!(db.justification(&chain[5].header.hash()).unwrap(), Some(b"justification 5".to_vec()));
    assert_eq!(db.justification(&chain[8].header.hash()).unwrap(), Some(b"justification 8".to_vec()));
    assert_eq!(db.justification(&chain[7].header.hash()).unwrap(), None);
    assert_eq!(db.header(&H256([7; 32])).unwrap(), None);
    assert_eq!(db.body(&H256([7; 32])).unwrap(), None);
    assert_eq!(db.extrinsic_location(&H256([7; 32])).unwrap(), None);
}

#[test]
fn commit_chain_and_read_back_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain: Vec<Stored> = Vec::new();
    {
        let db = open(dir.path(), StatePruning::Archive);
        assert_eq!((db.genesis_hash(), db.best(), db.finalized()), (None, None, None));
        let mut rng = Rng::new(1);
        let mut model = Model::new();
        for n in 0..12u32 {
            let mut changes: Changes = (0..10).map(|_| (rng.bytes(4), Some(rng.bytes(40)))).collect();
            changes.push((b"block".to_vec(), Some(n.to_le_bytes().to_vec())));
            apply(&mut model, &changes);
            let mut c = block(&db, chain.last().map(|b| &b.header), changes, 0);
            if n == 5 {
                c.justification = Some(b"justification 5".to_vec());
                c.finalized = true;
                c.set_best = false; // implied by `finalized`
            }
            let (body, xts) = (c.body.clone(), c.extrinsic_hashes.clone());
            let header = commit(&db, c);
            assert_eq!(db.best(), Some((header.hash(), n)));
            chain.push(Stored { header, body, xts, model: model.clone() });
        }
        assert_eq!(db.finalized(), Some((chain[5].header.hash(), 5)));
        db.set_finalized(&chain[8].header.hash(), Some(b"justification 8".to_vec())).unwrap();
        check_chain(&db, &chain);
    }
    let db = open(dir.path(), StatePruning::Archive);
    check_chain(&db, &chain);
}

#[test]
fn canonical_index_follows_best_across_reorgs() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let kv = |n: u8| vec![(vec![n], Some(vec![n; 33]))];
    let g = commit(&db, block(&db, None, kv(0), 0));
    let b1 = commit(&db, block(&db, Some(&g), kv(1), 0));
    let b2 = commit(&db, block(&db, Some(&b1), kv(2), 0));
    let a3 = commit(&db, block(&db, Some(&b2), kv(3), 0));
    let a4 = commit(&db, block(&db, Some(&a3), kv(4), 0));
    let at = |n: u32| db.hash_at(n).unwrap();

    // Side blocks that are not best leave the index alone.
    let mut c = block(&db, Some(&b2), kv(30), 1);
    c.set_best = false;
    let b3 = commit(&db, c);
    let mut c = block(&db, Some(&b3), kv(40), 1);
    c.set_best = false;
    let b4 = commit(&db, c);
    assert_eq!(db.best(), Some((a4.hash(), 4)));
    assert_eq!((at(3), at(4)), (Some(a3.hash()), Some(a4.hash())));
    assert_eq!(db.header(&b4.hash()).unwrap(), Some(b4.clone()));

    // A longer side branch becoming best rewrites every height down to the fork point.
    let b5 = commit(&db, block(&db, Some(&b4), kv(50), 1));
    assert_eq!(db.best(), Some((b5.hash(), 5)));
    assert_eq!((at(2), at(3), at(4), at(5)), (Some(b2.hash()), Some(b3.hash()), Some(b4.hash()), Some(b5.hash())));

    // A sibling at the same height replaces it.
    let c5 = commit(&db, block(&db, Some(&b4), kv(51), 2));
    assert_eq!((at(4), at(5)), (Some(b4.hash()), Some(c5.hash())));

    // A shorter branch becoming best drops the old branch's higher entries.
    let d3 = commit(&db, block(&db, Some(&b2), kv(31), 3));
    assert_eq!(db.best(), Some((d3.hash(), 3)));
    assert_eq!((at(2), at(3), at(4), at(5)), (Some(b2.hash()), Some(d3.hash()), None, None));
    drop(db);

    let db = open(dir.path(), StatePruning::Archive);
    let at = |n: u32| db.hash_at(n).unwrap();
    assert_eq!(db.best(), Some((d3.hash(), 3)));
    assert_eq!((at(3), at(4)), (Some(d3.hash()), None));

    // Finalizing a block off the canonical chain makes it best.
    db.set_finalized(&b4.hash(), None).unwrap();
    assert_eq!(db.best(), Some((b4.hash(), 4)));
    assert_eq!(db.finalized(), Some((b4.hash(), 4)));
    assert_eq!((at(3), at(4), at(5)), (Some(b3.hash()), Some(b4.hash()), None));

    // Nothing may leave the finalized chain.
    let err = db.commit_block(block(&db, Some(&d3), kv(41), 4)).unwrap_err();
    assert!(matches!(err, Error::ConflictsWithFinalized { finalized_number: 4, .. }), "{err}");
    let err = db.set_finalized(&a3.hash(), None).unwrap_err();
    assert!(matches!(err, Error::ConflictsWithFinalized { .. }), "{err}");
    let err = db.set_finalized(&b2.hash(), None).unwrap_err();
    assert!(matches!(err, Error::ConflictsWithFinalized { .. }), "{err}");
    assert_eq!(db.best(), Some((b4.hash(), 4)));
    assert_eq!(at(3), Some(b3.hash()));
    // Re-finalizing the finalized block is fine; descendants extend the chain.
    db.set_finalized(&b4.hash(), Some(b"again".to_vec())).unwrap();
    assert_eq!(db.justification(&b4.hash()).unwrap(), Some(b"again".to_vec()));
    let c6 = commit(&db, block(&db, Some(&c5), kv(60), 2));
    assert_eq!((at(4), at(5), at(6)), (Some(b4.hash()), Some(c5.hash()), Some(c6.hash())));
    let mut model = Model::new();
    for n in [0u8, 1, 2, 30, 40, 51, 60] {
        apply(&mut model, &kv(n));
    }
    assert_state(&db, &c6.state_root, &model);
}

#[test]
fn invalid_commits_are_rejected_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::KeepBlocks(4));
    let kv = |n: u8| vec![(vec![n], Some(vec![n; 40]))];
    let genesis = block(&db, None, kv(0), 0);
    let g = commit(&db, genesis.clone());
    let nodes_before = stored_nodes(&db);

    let err = db.commit_block(genesis).unwrap_err();
    assert!(matches!(err, Error::BlockExists { .. }), "{err}");

    let err = db.commit_block(block(&db, None, kv(1), 1)).unwrap_err();
    assert!(matches!(err, Error::GenesisMismatch { stored, .. } if stored == g.hash()), "{err}");

    let mut unknown_parent = g.clone();
    unknown_parent.digest.logs.clear();
    let err = db.commit_block(block(&db, Some(&unknown_parent), kv(1), 0)).unwrap_err();
    assert!(matches!(err, Error::UnknownParent { parent, .. } if parent == unknown_parent.hash()), "{err}");

    let mut c = block(&db, Some(&g), kv(1), 0);
    c.header.state_root = H256::zero();
    let err = db.commit_block(c).unwrap_err();
    assert!(matches!(err, Error::StateRootMismatch { .. }), "{err}");

    // An update computed on the wrong parent state.
    let mut c = block(&db, Some(&g), kv(1), 0);
    c.state = db.compute_state_update(&archive_primitives::trie::empty_root(), kv(1)).unwrap();
    c.header.state_root = c.state.root;
    let err = db.commit_block(c).unwrap_err();
    assert!(matches!(err, Error::ParentStateMismatch { .. }), "{err}");

    let mut c = block(&db, Some(&g), kv(1), 0);
    c.extrinsic_hashes.pop();
    let err = db.commit_block(c).unwrap_err();
    assert!(matches!(err, Error::InvalidBlock { .. }), "{err}");

    let mut c = block(&db, Some(&g), kv(1), 0);
    c.header.number = 5;
    let err = db.commit_block(c).unwrap_err();
    assert!(matches!(err, Error::InvalidBlock { .. }), "{err}");

    let err = db.set_finalized(&H256([1; 32]), None).unwrap_err();
    assert!(matches!(err, Error::UnknownBlock { .. }), "{err}");

    assert_eq!(db.best(), Some((g.hash(), 0)));
    assert_eq!(db.hash_at(1).unwrap(), None);
    assert_eq!(stored_nodes(&db), nodes_before);
    // The database still accepts the valid block.
    commit(&db, block(&db, Some(&g), kv(1), 0));
}

#[test]
fn extrinsic_index_and_non_best_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let g = commit(&db, block(&db, None, vec![], 0));
    let mut c = block(&db, Some(&g), vec![(b"k".to_vec(), Some(b"v".to_vec()))], 7);
    c.set_best = false;
    let xt = H256(blake2_256(&c.body[1]));
    assert_eq!(c.extrinsic_hashes[1], xt);
    let side = commit(&db, c);
    assert_eq!(db.best(), Some((g.hash(), 0)));
    assert_eq!(db.hash_at(1).unwrap(), None);
    assert_eq!(db.extrinsic_location(&xt).unwrap(), Some((side.hash(), 1)));
    assert_eq!(db.state(&side.state_root).get(b"k").unwrap(), Some(b"v".to_vec()));
    // The empty genesis state is readable too.
    assert_eq!(db.state(&g.state_root).pairs(&[]).unwrap(), vec![]);
}

#[test]
fn offchain_storage_round_trips_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path(), StatePruning::default());
        assert_eq!(db.offchain_get(b"a").unwrap(), None);
        db.offchain_set(b"a", Some(b"1")).unwrap();
        db.offchain_set(b"b", Some(b"2")).unwrap();
        db.offchain_set(b"b", None).unwrap();
        assert_eq!(db.offchain_get(b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(db.offchain_get(b"b").unwrap(), None);
    }
    let db = open(dir.path(), StatePruning::default());
    assert_eq!(db.offchain_get(b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(db.offchain_get(b"b").unwrap(), None);
}
