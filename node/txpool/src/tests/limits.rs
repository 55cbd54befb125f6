//! Pool limits: eviction of the least valuable transactions.

use super::*;
use crate::Error;

fn small(max_ready: usize, max_future: usize, max_bytes: usize) -> Fixture {
    fixture_with(PoolConfig { max_ready, max_future, max_bytes, ..PoolConfig::default() })
}

#[test]
fn ready_limit_evicts_lowest_priority_with_dropped() {
    let f = small(2, 10, usize::MAX);
    let (_, mut wa) = f.watch(&TestTx::new(1, 0, 5));
    f.submit(&TestTx::new(2, 0, 10));
    // The newcomer is the least valuable: refused.
    let err = f.pool.submit(&block(0), xt(3, 0, 1)).expect_err("dropped");
    assert!(matches!(err, Error::ImmediatelyDropped));
    assert_eq!(err.code(), 1016);
    assert!(!f.pool.contains(&hash_of(&xt(3, 0, 1))));
    // Equal priority: the newcomer loses too (first come, first kept).
    assert!(matches!(f.pool.submit(&block(0), xt(4, 0, 5)), Err(Error::ImmediatelyDropped)));
    // A more valuable one evicts the lowest.
    f.submit(&TestTx::new(5, 0, 20));
    assert_eq!(drain(&mut wa), vec![TransactionStatus::Ready, TransactionStatus::Dropped]);
    assert!(ended(&mut wa));
    assert_eq!(f.ready_ids(), vec![(5, 0), (2, 0)]);
    assert_eq!(f.pool.status().ready, 2);
}

#[test]
fn future_limit_evicts_lowest_priority_future() {
    let f = small(10, 1, usize::MAX);
    let (_, mut w) = f.watch(&TestTx::new(1, 1, 5));
    f.submit(&TestTx::new(2, 1, 10));
    assert_eq!(drain(&mut w), vec![TransactionStatus::Future, TransactionStatus::Dropped]);
    assert!(matches!(f.pool.submit(&block(0), xt(3, 1, 1)), Err(Error::ImmediatelyDropped)));
    // Ready ones are not affected by the future limit.
    f.submit(&TestTx::new(4, 0, 0));
    f.submit(&TestTx::new(5, 0, 0));
    let st = f.pool.status();
    assert_eq!((st.ready, st.future), (2, 1));
}

#[test]
fn byte_limit_evicts_future_before_ready() {
    let one = TestTx { pad: vec![0; 100], ..TestTx::new(1, 0, 1) };
    let size = one.bytes().len();
    let f = small(10, 10, 2 * size);
    let (_, mut w_ready) = f.watch(&one);
    // A future transaction with a much higher priority...
    let (_, mut w_future) = f.watch(&TestTx { pad: vec![0; 100], ..TestTx::new(2, 1, 1000) });
    // ...is still evicted first when the bytes overflow.
    f.submit(&TestTx { pad: vec![0; 100], ..TestTx::new(3, 0, 50) });
    assert_eq!(drain(&mut w_future), vec![TransactionStatus::Future, TransactionStatus::Dropped]);
    assert_eq!(drain(&mut w_ready), vec![TransactionStatus::Ready]);
    // No future left: the lowest-priority ready one goes.
    f.submit(&TestTx { pad: vec![0; 100], ..TestTx::new(4, 0, 60) });
    assert_eq!(drain(&mut w_ready), vec![TransactionStatus::Dropped]);
    assert_eq!(f.ready_ids(), vec![(4, 0), (3, 0)]);
    let st = f.pool.status();
    assert!(st.ready_bytes + st.future_bytes <= 2 * size);
    assert_eq!(st.ready_bytes, 2 * size);
}

#[test]
fn evicting_a_ready_dependency_demotes_its_dependents() {
    let f = small(2, 10, usize::MAX);
    f.submit(&TestTx::new(1, 0, 1));
    let (_, mut w) = f.watch(&TestTx::new(1, 1, 100));
    // (1, 0) is the least valuable ready one; (1, 1) loses its dependency.
    f.submit(&TestTx::new(2, 0, 50));
    assert_eq!(drain(&mut w), vec![TransactionStatus::Ready, TransactionStatus::Future]);
    assert_eq!(f.ready_ids(), vec![(2, 0)]);
    assert_eq!(f.pool.status().future, 1);
}

#[test]
fn ready_notifications_are_lossy_and_never_block() {
    let f = fixture();
    let mut rx = f.pool.ready_notifications();
    let n = crate::READY_NOTIFICATION_BUFFER as u32 + 50;
    for i in 0..n {
        f.submit(&TestTx::new(1, i, 0));
    }
    let mut got = 0;
    while rx.try_recv().is_ok() {
        got += 1;
    }
    assert!(got >= crate::READY_NOTIFICATION_BUFFER && got < n as usize, "{got}");
    // A dropped subscriber is forgotten without error.
    drop(rx);
    f.submit(&TestTx::new(2, 0, 0));
    let mut rx2 = f.pool.ready_notifications();
    let h = f.submit(&TestTx::new(3, 0, 0));
    assert_eq!(rx2.try_recv().ok(), Some(h));
}
