//! `KeepBlocks` pruning: the window of readable states, refcounts, abandoned forks, leaks.

use archive_primitives::Header;

use super::*;
use crate::Error;

fn unavailable(db: &Database, root: &H256) -> bool {
    matches!(db.state(root).get(b"x"), Err(Error::StateUnavailable { root: r }) if r == *root)
}

fn kv(key: &[u8], value: &[u8]) -> Changes {
    vec![(key.to_vec(), Some(value.repeat(40)))]
}

#[test]
fn keep_blocks_window_and_a_value_returning_to_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::KeepBlocks(2));
    let mut chain: Vec<(Header, Model)> = Vec::new();
    let mut model = Model::new();
    let mut push = |db: &Database, changes: Changes, chain: &mut Vec<(Header, Model)>| {
        apply(&mut model, &changes);
        let header = commit(db, block(db, chain.last().map(|(h, _)| h), changes, 0));
        chain.push((header, model.clone()));
    };
    let mut genesis = kv(b"x", b"A");
    genesis.extend(kv(b"pad", b"P"));
    push(&db, genesis, &mut chain);
    push(&db, kv(b"x", b"B"), &mut chain);
    push(&db, kv(b"x", b"A"), &mut chain);
    // x went A -> B -> A: block 2's state is block 0's state, root node and all.
    assert_eq!(chain[2].0.state_root, chain[0].0.state_root);
    for n in 3..10u8 {
        push(&db, kv(b"y", &[n]), &mut chain);
        let best = chain.len() - 1;
        let kept: Vec<H256> = chain[best - 2..].iter().map(|(h, _)| h.state_root).collect();
        for (k, (header, model)) in chain.iter().enumerate() {
            if k + 2 >= best || kept.contains(&header.state_root) {
                assert_state(&db, &header.state_root, model);
            } else {
                assert!(unavailable(&db, &header.state_root), "state {k} should be pruned at best {best}");
            }
        }
        assert_eq!(db.state(&chain[best].0.state_root).get(b"x").unwrap(), Some(b"A".repeat(40)));
        assert_nodes_exactly(&db, &kept);
    }
    // Reopening keeps the pruning position; pruning continues where it stopped.
    drop(db);
    let db = open(dir.path(), StatePruning::KeepBlocks(2));
    let last = chain.last().unwrap().0.clone();
    let next = commit(&db, block(&db, Some(&last), kv(b"y", b"z"), 0));
    assert!(unavailable(&db, &chain[chain.len() - 3].0.state_root));
    assert_state(&db, &chain[chain.len() - 2].0.state_root, &chain[chain.len() - 2].1);
    assert_nodes_exactly(&db, &[chain[chain.len() - 2].0.state_root, last.state_root, next.state_root]);
}

#[test]
fn abandoned_forks_are_pruned_without_leaks() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::KeepBlocks(2));
    let g = commit(&db, block(&db, None, kv(b"g", b"G"), 0));
    let b1 = commit(&db, block(&db, Some(&g), kv(b"x", b"1"), 0));
    let b2 = commit(&db, block(&db, Some(&b1), kv(b"x", b"2"), 0));
    // A side branch 2' -> 3' with its own nodes, never best.
    let mut c = block(&db, Some(&b1), kv(b"side", b"S"), 1);
    c.set_best = false;
    let s2 = commit(&db, c);
    let mut c = block(&db, Some(&s2), kv(b"side", b"T"), 1);
    c.set_best = false;
    let s3 = commit(&db, c);
    // Prepared now, committed once height 2 is below the horizon.
    let mut late = block(&db, Some(&b1), kv(b"late", b"L"), 2);
    late.set_best = false;
    let mut late_best = block(&db, Some(&b1), kv(b"late", b"M"), 3);
    late_best.set_best = true;

    let b3 = commit(&db, block(&db, Some(&b2), kv(b"x", b"3"), 0));
    assert_state(
        &db,
        &s3.state_root,
        &[(b"g".to_vec(), b"G".repeat(40)), (b"side".to_vec(), b"T".repeat(40)), (b"x".to_vec(), b"1".repeat(40))]
            .into_iter()
            .collect(),
    );
    let b4 = commit(&db, block(&db, Some(&b3), kv(b"x", b"4"), 0));
    // Height 2 is pruned: the side block there is abandoned with its state.
    assert!(unavailable(&db, &s2.state_root));
    assert_state(
        &db,
        &b2.state_root,
        &[(b"g".to_vec(), b"G".repeat(40)), (b"x".to_vec(), b"2".repeat(40))].into_iter().collect(),
    );
    let b5 = commit(&db, block(&db, Some(&b4), kv(b"x", b"5"), 0));
    assert!(unavailable(&db, &s3.state_root));
    assert!(unavailable(&db, &b2.state_root));
    assert_nodes_exactly(&db, &[b3.state_root, b4.state_root, b5.state_root]);

    // A block arriving below the horizon is kept without state, and cannot become best.
    let late_hash = late.header.hash();
    db.commit_block(late).unwrap();
    assert!(db.header(&late_hash).unwrap().is_some());
    assert_nodes_exactly(&db, &[b3.state_root, b4.state_root, b5.state_root]);
    let err = db.commit_block(late_best).unwrap_err();
    assert!(matches!(err, Error::ReorgBelowPruningHorizon { pruned_up_to: 3, .. }), "{err}");
    assert_eq!(db.best(), Some((b5.hash(), 5)));
}

#[test]
fn reorg_inside_the_window_keeps_the_new_branch_and_prunes_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::KeepBlocks(3));
    let g = commit(&db, block(&db, None, kv(b"g", b"G"), 0));
    let a1 = commit(&db, block(&db, Some(&g), kv(b"x", b"1"), 0));
    let a2 = commit(&db, block(&db, Some(&a1), kv(b"x", b"2"), 0));
    let a3 = commit(&db, block(&db, Some(&a2), kv(b"x", b"3"), 0));
    let a4 = commit(&db, block(&db, Some(&a3), kv(b"x", b"4"), 0));
    // Branch from a2 overtakes: b3, b4 (not best), then b5 best.
    let mut c = block(&db, Some(&a2), kv(b"y", b"3"), 1);
    c.set_best = false;
    let b3 = commit(&db, c);
    let mut c = block(&db, Some(&b3), kv(b"y", b"4"), 1);
    c.set_best = false;
    let b4 = commit(&db, c);
    let b5 = commit(&db, block(&db, Some(&b4), kv(b"y", b"5"), 1));
    assert_eq!(db.hash_at(3).unwrap(), Some(b3.hash()));
    let b6 = commit(&db, block(&db, Some(&b5), kv(b"y", b"6"), 1));
    let b7 = commit(&db, block(&db, Some(&b6), kv(b"y", b"7"), 1));
    // Heights 3 and 4 are pruned with b3/b4 canonical: a3 and a4 are gone.
    assert!(unavailable(&db, &a3.state_root));
    assert!(unavailable(&db, &a4.state_root));
    let mut model = Model::new();
    for c in [kv(b"g", b"G"), kv(b"x", b"2"), kv(b"y", b"7")] {
        apply(&mut model, &c);
    }
    assert_state(&db, &b7.state_root, &model);
    assert_nodes_exactly(&db, &[b4.state_root, b5.state_root, b6.state_root, b7.state_root]);
}

#[test]
fn update_on_a_state_pruned_before_commit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::KeepBlocks(1));
    let g = commit(&db, block(&db, None, kv(b"g", b"G"), 0));
    let b1 = commit(&db, block(&db, Some(&g), kv(b"x", b"1"), 0));
    let mut c = block(&db, Some(&g), kv(b"side", b"S"), 1);
    c.set_best = false;
    let s1 = commit(&db, c);
    // Computed while the side block's state exists...
    let mut on_side = block(&db, Some(&s1), kv(b"side", b"T"), 1);
    on_side.set_best = false;
    // ...which is abandoned when height 1 is pruned.
    let b2 = commit(&db, block(&db, Some(&b1), kv(b"x", b"2"), 0));
    assert!(unavailable(&db, &s1.state_root));
    let err = db.commit_block(on_side).unwrap_err();
    assert!(matches!(err, Error::StateUnavailable { root } if root == s1.state_root), "{err}");
    assert_nodes_exactly(&db, &[b1.state_root, b2.state_root]);
}
