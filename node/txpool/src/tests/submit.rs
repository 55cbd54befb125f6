//! Submission: readiness, ordering, replacement, bans, duplicates, size, cycles, removal.

use std::time::Duration;

use super::*;
use crate::{Error, PoolStatus};

#[test]
fn nonce_chain_submitted_out_of_order_becomes_ready_in_order() {
    let f = fixture();
    let mut ready_rx = f.pool.ready_notifications();
    let (h2, mut w2) = f.watch(&TestTx::new(1, 2, 0));
    let (h1, mut w1) = f.watch(&TestTx::new(1, 1, 0));
    assert_eq!(f.pool.status().future, 2);
    assert!(f.ready_ids().is_empty());
    assert_eq!(drain(&mut w2), vec![TransactionStatus::Future]);
    assert_eq!(drain(&mut w1), vec![TransactionStatus::Future]);

    let h0 = f.submit(&TestTx::new(1, 0, 0));
    assert_eq!(f.ready_ids(), vec![(1, 0), (1, 1), (1, 2)]);
    assert_eq!(f.pool.status().ready, 3);
    assert_eq!(f.pool.status().future, 0);
    assert_eq!(drain(&mut w1), vec![TransactionStatus::Ready]);
    assert_eq!(drain(&mut w2), vec![TransactionStatus::Ready]);
    let mut announced = Vec::new();
    while let Ok(h) = ready_rx.try_recv() {
        announced.push(h);
    }
    announced.sort();
    let mut expected = vec![h0, h1, h2];
    expected.sort();
    assert_eq!(announced, expected);
}

#[test]
fn ready_order_is_dependencies_then_priority_then_arrival() {
    let f = fixture();
    f.submit(&TestTx::new(1, 0, 5));
    f.submit(&TestTx::new(1, 1, 100)); // high priority, but after (1, 0)
    f.submit(&TestTx::new(2, 0, 10));
    f.submit(&TestTx::new(3, 0, 1));
    f.submit(&TestTx::new(4, 0, 5)); // same priority as (1, 0), later
    assert_eq!(f.ready_ids(), vec![(2, 0), (1, 0), (1, 1), (4, 0), (3, 0)]);
    let pending: Vec<(u8, u32)> = f
        .pool
        .pending()
        .iter()
        .map(|d| {
            let t = TestTx::decode(&mut &d[..]).expect("decodes");
            (t.sender, t.nonce)
        })
        .collect();
    assert_eq!(pending, vec![(2, 0), (1, 0), (1, 1), (4, 0), (3, 0)]);
}

#[test]
fn pending_lists_future_after_ready() {
    let f = fixture();
    f.submit(&TestTx::new(1, 3, 0));
    let a = TestTx::new(2, 0, 0);
    f.submit(&a);
    assert_eq!(f.pool.pending(), vec![a.bytes(), xt(1, 3, 0)]);
}

#[test]
fn higher_tip_usurps_and_lower_or_equal_is_rejected() {
    let f = fixture();
    let (old, mut w_old) = f.watch(&TestTx::new(1, 0, 5));
    f.submit(&TestTx::new(1, 1, 5));
    let (new, mut w_new) = f.watch(&TestTx::new(1, 0, 10));
    assert_eq!(drain(&mut w_old), vec![TransactionStatus::Ready, TransactionStatus::Usurped(new)]);
    assert!(ended(&mut w_old));
    assert_eq!(drain(&mut w_new), vec![TransactionStatus::Ready]);
    assert!(!f.pool.contains(&old));
    assert!(f.pool.contains(&new));
    // The dependent stays ready: the replacement provides the same tag.
    assert_eq!(f.ready_ids(), vec![(1, 0), (1, 1)]);
    assert_eq!(f.pool.ready()[0].hash, new);

    let equal = TestTx { pad: vec![1], ..TestTx::new(1, 0, 10) };
    match f.pool.submit(&block(0), equal.bytes()) {
        Err(e @ Error::TooLowPriority { old: 10, new: 10 }) => assert_eq!(e.code(), 1014),
        other => panic!("expected TooLowPriority, got {other:?}"),
    }
    assert!(matches!(f.pool.submit(&block(0), xt(1, 0, 3)), Err(Error::TooLowPriority { old: 10, new: 3 })));
    assert!(f.pool.contains(&new));
    assert_eq!(f.pool.status().ready, 2);
}

#[test]
fn replacing_several_needs_more_than_their_sum() {
    let f = fixture();
    let a = TestTx { extra_provides: vec![b"x".to_vec()], ..TestTx::new(1, 0, 5) };
    let b = TestTx { extra_provides: vec![b"y".to_vec()], ..TestTx::new(2, 0, 5) };
    f.submit(&a);
    f.submit(&b);
    let both = TestTx { extra_provides: vec![b"x".to_vec(), b"y".to_vec()], ..TestTx::new(3, 0, 10) };
    assert!(matches!(f.pool.submit(&block(0), both.bytes()), Err(Error::TooLowPriority { old: 10, new: 10 })));
    let both = TestTx { tip: 11, ..both };
    let h = f.submit(&both);
    assert_eq!(f.ready_ids(), vec![(3, 0)]);
    assert!(f.pool.contains(&h));
}

#[test]
fn invalid_is_rejected_and_banned_unknown_is_not() {
    let f = fixture();
    let bad = TestTx { kind: Kind::BadProof, ..TestTx::new(1, 0, 0) };
    let h = hash_of(&bad.bytes());
    let err = f.pool.submit(&block(0), bad.bytes()).expect_err("invalid");
    assert!(matches!(err, Error::InvalidTransaction(TestError::BadProof)));
    assert_eq!(err.code(), 1010);
    assert_eq!(err.rpc_data().as_deref(), Some("bad proof"));
    assert!(f.pool.is_banned(&h));
    assert!(!f.pool.contains(&h));
    let calls = f.api().validations();
    let err = f.pool.submit(&block(0), bad.bytes()).expect_err("banned");
    assert!(matches!(err, Error::TemporarilyBanned));
    assert_eq!(err.code(), 1012);
    assert_eq!(f.api().validations(), calls, "a banned hash is not re-validated");

    let unknown = TestTx { kind: Kind::Unknown, ..TestTx::new(1, 0, 0) };
    let err = f.pool.submit(&block(0), unknown.bytes()).expect_err("unknown");
    assert!(matches!(err, Error::UnknownTransaction(TestError::CannotLookup)));
    assert_eq!(err.code(), 1011);
    assert!(!f.pool.is_banned(&hash_of(&unknown.bytes())));
    assert!(matches!(f.pool.submit(&block(0), unknown.bytes()), Err(Error::UnknownTransaction(_))));
    assert_eq!(f.pool.status(), PoolStatus::default());
}

#[test]
fn stale_nonce_is_invalid() {
    let f = fixture();
    f.api().set_nonce(block(0), 1, 3);
    assert!(matches!(f.pool.submit(&block(0), xt(1, 2, 0)), Err(Error::InvalidTransaction(TestError::Stale))));
    f.submit(&TestTx::new(1, 3, 0));
    assert_eq!(f.ready_ids(), vec![(1, 3)]);
}

#[test]
fn ban_expires_with_the_clock() {
    let f = fixture();
    let bad = TestTx { kind: Kind::BadProof, ..TestTx::new(1, 0, 0) };
    let h = hash_of(&bad.bytes());
    assert!(f.pool.submit(&block(0), bad.bytes()).is_err());
    f.clock.advance(Duration::from_secs(29 * 60));
    assert!(f.pool.is_banned(&h));
    assert!(matches!(f.pool.submit(&block(0), bad.bytes()), Err(Error::TemporarilyBanned)));
    f.clock.advance(Duration::from_secs(61));
    assert!(!f.pool.is_banned(&h));
    let calls = f.api().validations();
    assert!(matches!(f.pool.submit(&block(0), bad.bytes()), Err(Error::InvalidTransaction(_))));
    assert_eq!(f.api().validations(), calls + 1);
    assert!(f.pool.is_banned(&h), "banned again");
}

#[test]
fn ban_list_prunes_expired_entries() {
    let f = fixture();
    f.pool.ban([H256([1; 32])]);
    f.clock.advance(Duration::from_secs(31 * 60));
    f.pool.on_block_imported(&block(1), 1, &[]);
    assert_eq!(f.pool.banned.lock().len(), 0);
}

#[test]
fn duplicate_is_already_imported() {
    let f = fixture();
    let h = f.submit(&TestTx::new(1, 0, 0));
    let err = f.pool.submit(&block(0), xt(1, 0, 0)).expect_err("dup");
    assert!(matches!(err, Error::AlreadyImported { hash } if hash == h));
    assert_eq!(err.code(), 1013);
    let hf = f.submit(&TestTx::new(1, 5, 0));
    assert!(
        matches!(f.pool.submit_and_watch(&block(0), xt(1, 5, 0)), Err(Error::AlreadyImported { hash }) if hash == hf)
    );
    assert_eq!(f.pool.status().ready + f.pool.status().future, 2);
}

#[test]
fn oversized_transaction_is_rejected_before_validation() {
    let f = fixture_with(PoolConfig { max_tx_size: 100, ..PoolConfig::default() });
    let big = TestTx { pad: vec![0; 200], ..TestTx::new(1, 0, 0) };
    let size = big.bytes().len();
    let err = f.pool.submit(&block(0), big.bytes()).expect_err("too large");
    assert!(matches!(err, Error::TooLarge { size: s, max: 100 } if s == size));
    assert_eq!(err.code(), 1010);
    assert_eq!(f.api().validations(), 0);
    assert!(!f.pool.is_banned(&hash_of(&big.bytes())));
    let small = TestTx { pad: vec![0; 10], ..TestTx::new(1, 0, 0) };
    f.submit(&small);
}

#[test]
fn cycles_are_detected() {
    let f = fixture();
    let own =
        TestTx { extra_requires: vec![b"a".to_vec()], extra_provides: vec![b"a".to_vec()], ..TestTx::new(1, 0, 0) };
    let err = f.pool.submit(&block(0), own.bytes()).expect_err("self cycle");
    assert!(matches!(err, Error::CycleDetected));
    assert_eq!(err.code(), 1015);

    let x = TestTx { extra_requires: vec![b"b".to_vec()], extra_provides: vec![b"a".to_vec()], ..TestTx::new(2, 0, 0) };
    f.submit(&x);
    let y = TestTx { extra_requires: vec![b"a".to_vec()], extra_provides: vec![b"b".to_vec()], ..TestTx::new(3, 0, 0) };
    assert!(matches!(f.pool.submit(&block(0), y.bytes()), Err(Error::CycleDetected)));
    assert_eq!(f.pool.status().future, 1);
}

#[test]
fn remove_drops_bans_and_demotes_dependents() {
    let f = fixture();
    let (h0, mut w0) = f.watch(&TestTx::new(1, 0, 0));
    let (_, mut w1) = f.watch(&TestTx::new(1, 1, 0));
    assert_eq!(f.pool.remove(&[h0, H256([9; 32])]), vec![h0]);
    assert_eq!(drain(&mut w0), vec![TransactionStatus::Ready, TransactionStatus::Dropped]);
    assert!(ended(&mut w0));
    assert_eq!(drain(&mut w1), vec![TransactionStatus::Ready, TransactionStatus::Future]);
    assert!(f.pool.is_banned(&h0));
    assert_eq!(f.pool.status().future, 1);
    assert!(f.ready_ids().is_empty());
    // Another transaction with that nonce unlocks it again.
    f.submit(&TestTx::new(1, 0, 1));
    assert_eq!(f.ready_ids(), vec![(1, 0), (1, 1)]);
    assert_eq!(drain(&mut w1), vec![TransactionStatus::Ready]);
}

#[test]
fn broadcast_is_reported() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx::new(1, 0, 0));
    f.pool.on_broadcasted(&h, vec!["peer".into()]);
    assert_eq!(drain(&mut w), vec![TransactionStatus::Ready, TransactionStatus::Broadcast(vec!["peer".into()])]);
}

#[test]
fn error_codes_and_messages() {
    let cases: Vec<(Error<TestError>, i32)> = vec![
        (Error::InvalidTransaction(TestError::Stale), 1010),
        (Error::UnknownTransaction(TestError::CannotLookup), 1011),
        (Error::TemporarilyBanned, 1012),
        (Error::AlreadyImported { hash: H256::zero() }, 1013),
        (Error::TooLowPriority { old: 2, new: 1 }, 1014),
        (Error::CycleDetected, 1015),
        (Error::ImmediatelyDropped, 1016),
        (Error::TooLarge { size: 2, max: 1 }, 1010),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), code, "{e}");
    }
    assert_eq!(Error::<TestError>::TooLowPriority { old: 2, new: 1 }.rpc_message(), "Priority is too low: (2 vs 1)");
    assert_eq!(Error::InvalidTransaction(TestError::Stale).rpc_message(), "Invalid Transaction");
    assert_eq!(Error::InvalidTransaction(TestError::Stale).to_string(), "Invalid Transaction: stale nonce");
}

#[test]
fn concurrent_submissions_end_consistent() {
    let f = fixture();
    let threads: Vec<_> = (0..4u8)
        .map(|s| {
            let pool = f.pool.clone();
            std::thread::spawn(move || {
                for n in (0..50u32).rev() {
                    pool.submit(&block(0), xt(s, n, u64::from(n))).expect("submit");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let st = f.pool.status();
    assert_eq!((st.ready, st.future), (200, 0));
    let ids = f.ready_ids();
    for s in 0..4u8 {
        let nonces: Vec<u32> = ids.iter().filter(|(x, _)| *x == s).map(|(_, n)| *n).collect();
        assert_eq!(nonces, (0..50).collect::<Vec<_>>());
    }
}
