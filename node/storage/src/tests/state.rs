//! State trie: roots, reads, iteration, unavailable states.

use archive_primitives::trie::{empty_root, trie_root};

use super::*;
use crate::Error;

/// A key from a small alphabet so that keys share prefixes and trie branches.
/// A random key of 2–7 bytes; length-prefixed, so no key is a prefix of another (as with the
/// runtime's keys; see `runtime_shaped_keys_…` and `prefix_keys_are_an_error_not_a_crash`).
fn key(rng: &mut Rng) -> Vec<u8> {
    let len = 1 + rng.below(6) as usize;
    let mut k = vec![len as u8];
    k.extend((0..len).map(|_| b"abcd\x00\xff"[rng.below(6) as usize]));
    k
}

#[test]
fn update_roots_match_trie_root_and_old_states_stay_readable_in_archive_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let mut rng = Rng::new(7);
    let mut model = Model::new();
    let mut history: Vec<(H256, Model)> = Vec::new();
    let mut parent: Option<archive_primitives::Header> = None;
    for n in 0..8 {
        let mut changes: Changes = Vec::new();
        for _ in 0..120 {
            let len = [0usize, 1, 5, 31, 32, 33, 100][rng.below(7) as usize];
            changes.push((key(&mut rng), Some(rng.bytes(len))));
        }
        // Deletions of existing keys, of absent keys, and a set-then-delete in one update.
        let existing: Vec<Vec<u8>> = model.keys().cloned().collect();
        for _ in 0..existing.len().min(40) {
            changes.push((existing[rng.below(existing.len() as u64) as usize].clone(), None));
        }
        changes.push((b"zz-absent".to_vec(), None));
        changes.push((b"zz-temp".to_vec(), Some(b"x".to_vec())));
        changes.push((b"zz-temp".to_vec(), None));
        apply(&mut model, &changes);

        let update = db
            .compute_state_update(&parent.as_ref().map_or_else(empty_root, |p| p.state_root), changes.clone())
            .unwrap();
        assert_eq!(update.root, trie_root(model.iter()), "block {n}");
        // Computing does not write: the new root is not readable until committed.
        if n > 0 {
            assert!(!db.has_state(&update.root).unwrap());
        }
        let header = commit(&db, block(&db, parent.as_ref(), changes, 0));
        assert_eq!(header.state_root, update.root);
        assert!(model.len() > 50, "the test should keep a few hundred keys around");
        history.push((header.state_root, model.clone()));
        parent = Some(header);
    }
    for (root, model) in &history {
        assert!(db.has_state(root).unwrap());
        assert_state(&db, root, model);
        assert_eq!(db.state(root).get(b"zz-temp").unwrap(), None);
    }
    // Removing everything gives the empty root.
    let all: Changes = model.keys().map(|k| (k.clone(), None)).collect();
    assert_eq!(db.compute_state_update(&history[7].0, all).unwrap().root, empty_root());
}

#[test]
fn keys_paged_filters_orders_and_paginates() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let mut changes: Changes = Vec::new();
    for i in 0..50u8 {
        changes.push((vec![b'p', b'/', i.wrapping_mul(37)], Some(vec![i; 40])));
        changes.push((vec![b'q', i], Some(vec![i])));
    }
    changes.push((b"p".to_vec(), Some(b"exact prefix".to_vec())));
    changes.push((b"o".to_vec(), Some(b"below".to_vec())));
    let g = commit(&db, block(&db, None, changes.clone(), 0));
    let view = db.state(&g.state_root);

    let mut expected: Vec<Vec<u8>> = changes.iter().map(|(k, _)| k.clone()).filter(|k| k.starts_with(b"p/")).collect();
    expected.sort();
    assert_eq!(view.keys_paged(b"p/", 1000, None).unwrap(), expected);

    // Pages of 7, each continuing strictly after the previous page's last key.
    let mut paged = Vec::new();
    let mut last: Option<Vec<u8>> = None;
    loop {
        let page = view.keys_paged(b"p/", 7, last.as_deref()).unwrap();
        assert!(page.len() <= 7);
        if page.is_empty() {
            break;
        }
        last = page.last().cloned();
        paged.extend(page);
    }
    assert_eq!(paged, expected);

    // start_after between keys, below the prefix, above the prefix range.
    let after = view.keys_paged(b"p/", 3, Some(&[b'p', b'/', 100][..])).unwrap();
    let want: Vec<_> = expected.iter().filter(|k| k.as_slice() > &[b'p', b'/', 100][..]).take(3).cloned().collect();
    assert_eq!(after, want);
    assert_eq!(view.keys_paged(b"p/", 2, Some(b"a")).unwrap(), expected[..2].to_vec());
    assert_eq!(view.keys_paged(b"p/", 5, Some(b"p0")).unwrap(), Vec::<Vec<u8>>::new());
    assert_eq!(view.keys_paged(b"p/", 0, None).unwrap(), Vec::<Vec<u8>>::new());

    // The empty prefix lists everything in order; `p` includes the key equal to the prefix.
    let all = view.keys_paged(&[], 1000, None).unwrap();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), 102);
    assert_eq!(view.keys_paged(b"p", 1, None).unwrap(), vec![b"p".to_vec()]);
    assert_eq!(view.keys_paged(b"p", 2, Some(b"p")).unwrap(), expected[..2].to_vec());

    let pairs = view.pairs(b"q").unwrap();
    assert_eq!(pairs.len(), 50);
    assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(pairs.iter().all(|(k, v)| k[0] == b'q' && v == &vec![k[1]]));
    assert_eq!(view.pairs(b"nothing").unwrap(), vec![]);
}

#[test]
fn unknown_roots_are_state_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    commit(&db, block(&db, None, vec![(b"k".to_vec(), Some(vec![1; 40]))], 0));
    let root = H256([0xab; 32]);
    let view = db.state(&root);
    assert_eq!(view.root(), root);
    let unavailable = |r: Result<_, Error>| matches!(r, Err(Error::StateUnavailable { root: r }) if r == root);
    assert!(unavailable(view.get(b"k").map(|_| ())));
    assert!(unavailable(view.keys_paged(b"", 10, None).map(|_| ())));
    assert!(unavailable(view.keys_paged(b"a", 10, Some(b"b")).map(|_| ())));
    assert!(unavailable(view.pairs(b"").map(|_| ())));
    assert!(unavailable(db.compute_state_update(&root, vec![(b"k".to_vec(), None)]).map(|_| ())));
    assert!(unavailable(db.compute_state_update(&root, vec![]).map(|_| ())));
    assert!(!db.has_state(&root).unwrap());
    assert!(db.has_state(&empty_root()).unwrap());
    // Views are shareable across threads.
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<crate::StateView>();
    assert_send_sync::<Database>();
}

/// Runtime keys are never prefixes of one another (twox128 ++ twox128 ++ hasher(key)); with
/// such keys of several lengths, removals must work (trie-db's no-extension branch collapse).
#[test]
fn runtime_shaped_keys_insert_and_remove_across_many_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let mut rng = Rng::new(11);
    let mut model = Model::new();
    let mut parent: Option<archive_primitives::Header> = None;
    // Fixed-length keys per "item": 32 (values), 48, 68, 77 bytes (maps), distinct prefixes.
    let items: [(u8, usize); 4] = [(1, 32), (2, 48), (3, 68), (4, 77)];
    let mk = |rng: &mut Rng| {
        let (tag, len) = items[rng.below(4) as usize];
        let mut k = vec![tag; 32];
        k.extend((32..len).map(|_| rng.below(256) as u8));
        if len == 32 {
            k[31] = rng.below(4) as u8;
        }
        k
    };
    for n in 0..12 {
        let mut changes: Changes = (0..80).map(|_| (mk(&mut rng), Some(rng.bytes(8)))).collect();
        let existing: Vec<Vec<u8>> = model.keys().cloned().collect();
        for _ in 0..existing.len().min(60) {
            changes.push((existing[rng.below(existing.len() as u64) as usize].clone(), None));
        }
        apply(&mut model, &changes);
        let root = parent.as_ref().map_or_else(empty_root, |p| p.state_root);
        let update = db.compute_state_update(&root, changes.clone()).unwrap();
        assert_eq!(update.root, trie_root(model.iter()), "block {n}");
        parent = Some(commit(&db, block(&db, parent.as_ref(), changes, 0)));
    }
}

/// A key that is a prefix of another, removed so that its branch collapses, trips trie-db;
/// the update is refused with an error (the node keeps running), never a panic.
#[test]
fn prefix_keys_are_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive);
    let mut parent: Option<archive_primitives::Header> = None;
    let mut rng = Rng::new(3);
    for _ in 0..30 {
        let mut changes: Changes = Vec::new();
        for _ in 0..40 {
            let len = 1 + rng.below(4) as usize;
            let k: Vec<u8> = (0..len).map(|_| b"ab"[rng.below(2) as usize]).collect();
            let v = if rng.below(2) == 0 { None } else { Some(rng.bytes(3)) };
            changes.push((k, v));
        }
        let root = parent.as_ref().map_or_else(empty_root, |p| p.state_root);
        match db.compute_state_update(&root, changes.clone()) {
            Ok(_) => parent = Some(commit(&db, block(&db, parent.as_ref(), changes, 0))),
            Err(e) => assert!(matches!(e, Error::TrieUpdate { .. }), "{e}"),
        }
    }
}
