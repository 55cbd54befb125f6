//! The base pool on its own: invariants under import and removal.

use std::sync::Arc;

use super::tag;
use crate::graph::{BasePool, ImportError, Limits, PoolTransaction};
use crate::Tag;
use archive_primitives::H256;

fn tx(id: u8, priority: u64, requires: Vec<Tag>, provides: Vec<Tag>) -> Arc<PoolTransaction> {
    Arc::new(PoolTransaction {
        hash: H256([id; 32]),
        data: vec![id; 10],
        priority,
        requires,
        provides,
        valid_till: u32::MAX,
        propagate: true,
        inserted_at: u64::from(id),
    })
}

fn order(p: &BasePool) -> Vec<u8> {
    p.ready_ordered().iter().map(|t| t.hash.0[0]).collect()
}

#[test]
fn diamond_waits_for_both_parents() {
    let mut p = BasePool::default();
    // 3 requires tags of 1 and 2.
    assert!(!p.import(tx(3, 100, vec![tag(1, 0), tag(2, 0)], vec![tag(3, 0)])).expect("import").ready);
    assert!(p.import(tx(1, 1, vec![], vec![tag(1, 0)])).expect("import").ready);
    assert_eq!(p.is_ready(&H256([3; 32])), Some(false));
    assert!(p.import(tx(2, 50, vec![], vec![tag(2, 0)])).expect("import").ready);
    assert_eq!(p.is_ready(&H256([3; 32])), Some(true));
    assert_eq!(order(&p), vec![2, 1, 3]);
    let mut flips = p.take_flips();
    flips.sort();
    assert_eq!(flips, vec![(H256([1; 32]), true), (H256([2; 32]), true), (H256([3; 32]), true)]);
    assert!(p.take_flips().is_empty());
}

#[test]
fn removal_demotes_transitively_and_keeps_accounting() {
    let mut p = BasePool::default();
    p.import(tx(1, 1, vec![], vec![tag(1, 0)])).expect("import");
    p.import(tx(2, 1, vec![tag(1, 0)], vec![tag(1, 1)])).expect("import");
    p.import(tx(3, 1, vec![tag(1, 1)], vec![tag(1, 2)])).expect("import");
    assert_eq!((p.ready_count(), p.ready_bytes()), (3, 30));
    p.take_flips();
    p.remove(&H256([1; 32])).expect("present");
    assert_eq!((p.ready_count(), p.future_count(), p.future_bytes(), p.ready_bytes()), (0, 2, 20, 0));
    let mut flips = p.take_flips();
    flips.sort();
    assert_eq!(flips, vec![(H256([2; 32]), false), (H256([3; 32]), false)]);
    // A replacement provider promotes the chain again.
    p.import(tx(4, 1, vec![], vec![tag(1, 0)])).expect("import");
    assert_eq!(order(&p), vec![4, 2, 3]);
}

#[test]
fn usurping_a_ready_tx_with_a_future_one_demotes_its_dependents() {
    let mut p = BasePool::default();
    p.import(tx(1, 1, vec![], vec![tag(1, 0)])).expect("import");
    p.import(tx(2, 1, vec![tag(1, 0)], vec![tag(1, 1)])).expect("import");
    // 3 provides (1, 0) with a higher priority but needs an unknown tag.
    let imported = p.import(tx(3, 9, vec![b"missing".to_vec()], vec![tag(1, 0)])).expect("import");
    assert!(!imported.ready);
    assert_eq!(imported.usurped.iter().map(|t| t.hash).collect::<Vec<_>>(), vec![H256([1; 32])]);
    assert_eq!(p.is_ready(&H256([2; 32])), Some(false));
    assert_eq!(p.ready_count(), 0);
    assert_eq!(p.import(tx(5, 9, vec![], vec![tag(1, 0)])).err(), Some(ImportError::TooLowPriority { old: 9, new: 9 }));
}

#[test]
fn longer_cycles_are_rejected_without_changes() {
    let mut p = BasePool::default();
    p.import(tx(1, 1, vec![b"c".to_vec()], vec![b"a".to_vec()])).expect("import");
    p.import(tx(2, 1, vec![b"a".to_vec()], vec![b"b".to_vec()])).expect("import");
    assert_eq!(p.import(tx(3, 1, vec![b"b".to_vec()], vec![b"c".to_vec()])).err(), Some(ImportError::CycleDetected));
    assert_eq!(p.import(tx(1, 1, vec![], vec![])).err(), Some(ImportError::AlreadyImported));
    assert_eq!((p.ready_count(), p.future_count()), (0, 2));
    assert!(p.take_flips().is_empty());
}

#[test]
fn limits_loop_until_within_bounds() {
    let mut p = BasePool::default();
    for id in 1..=5u8 {
        p.import(tx(id, u64::from(id), vec![], vec![vec![id]])).expect("import");
    }
    let evicted = p.enforce_limits(Limits { max_ready: 2, max_future: 0, max_bytes: usize::MAX });
    assert_eq!(evicted.iter().map(|t| t.hash.0[0]).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(order(&p), vec![5, 4]);
}
