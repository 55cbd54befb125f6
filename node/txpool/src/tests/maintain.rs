//! Block events: inclusion, re-validation, expiry, finality and re-orgs.

use super::*;
use crate::{Error, FINALITY_TIMEOUT_BLOCKS};

#[test]
fn block_import_removes_included_drops_stale_and_promotes_future() {
    let f = fixture();
    let (a0, mut wa0) = f.watch(&TestTx::new(1, 0, 0));
    let (_, mut wa1) = f.watch(&TestTx::new(1, 1, 0));
    let (b1, mut wb1) = f.watch(&TestTx::new(2, 1, 0)); // waits for (2, 0), which we never see
    let (c0, mut wc0) = f.watch(&TestTx::new(3, 0, 0));
    assert_eq!(drain(&mut wb1), vec![TransactionStatus::Future]);
    drain(&mut wa0);
    drain(&mut wa1);
    drain(&mut wc0);
    let mut ready_rx = f.pool.ready_notifications();

    // Block 1 includes a0, some (2, 0) from elsewhere and another (3, 0).
    let b = block(1);
    f.api().set_nonce(b, 1, 1);
    f.api().set_nonce(b, 2, 1);
    f.api().set_nonce(b, 3, 1);
    f.pool.on_block_imported(&b, 1, &[a0]);

    assert_eq!(drain(&mut wa0), vec![TransactionStatus::InBlock(b)]);
    assert!(!ended(&mut wa0), "waits for finality");
    assert!(!f.pool.contains(&a0));
    assert_eq!(drain(&mut wa1), vec![], "still ready: no new update");
    assert_eq!(drain(&mut wb1), vec![TransactionStatus::Ready]);
    assert_eq!(drain(&mut wc0), vec![TransactionStatus::Invalid]);
    assert!(ended(&mut wc0));
    assert!(f.pool.is_banned(&c0));
    assert!(!f.pool.contains(&c0));
    assert_eq!(f.ready_ids(), vec![(1, 1), (2, 1)]);
    assert_eq!(f.pool.status().future, 0);
    assert_eq!(ready_rx.try_recv().ok(), Some(b1));
    assert!(ready_rx.try_recv().is_err(), "only the promoted one is announced");
    assert_eq!(f.pool.best_number(), 1);
}

#[test]
fn revalidation_takes_new_tags_and_keeps_unknown() {
    let f = fixture();
    f.submit(&TestTx::new(1, 2, 0));
    assert_eq!(f.pool.get(&hash_of(&xt(1, 2, 0))).map(|t| t.requires.clone()), Some(vec![tag(1, 1)]));
    let b = block(1);
    f.api().unknown_at(b);
    f.pool.on_block_imported(&b, 1, &[]);
    assert_eq!(f.pool.status().future, 1, "unknown validity: kept as is");
    let b2 = block(2);
    f.api().set_nonce(b2, 1, 2);
    f.pool.on_block_imported(&b2, 2, &[]);
    let tx = f.pool.get(&hash_of(&xt(1, 2, 0))).expect("kept");
    assert!(tx.requires.is_empty());
    assert_eq!(f.ready_ids(), vec![(1, 2)]);
}

#[test]
fn finalized_ends_watchers() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx::new(1, 0, 0));
    let b = block(1);
    f.api().set_nonce(b, 1, 1);
    f.pool.on_block_imported(&b, 1, &[h]);
    f.pool.on_block_finalized(&b, &[h]);
    assert_eq!(
        drain(&mut w),
        vec![TransactionStatus::Ready, TransactionStatus::InBlock(b), TransactionStatus::Finalized(b)]
    );
    assert!(ended(&mut w));
    assert_eq!(f.pool.inner.lock().listeners.watcher_count(), 0);
}

#[test]
fn finality_timeout_after_many_blocks() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx::new(1, 0, 0));
    f.pool.on_block_imported(&block(1), 1, &[h]);
    f.pool.on_block_imported(&block(FINALITY_TIMEOUT_BLOCKS), FINALITY_TIMEOUT_BLOCKS, &[]);
    assert!(!ended(&mut w));
    let last = block(1 + FINALITY_TIMEOUT_BLOCKS);
    f.pool.on_block_imported(&last, 1 + FINALITY_TIMEOUT_BLOCKS, &[]);
    assert_eq!(drain(&mut w), vec![TransactionStatus::FinalityTimeout(block(1))]);
    assert!(ended(&mut w));
}

#[test]
fn longevity_expiry_drops_with_invalid() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx { longevity: 3, ..TestTx::new(1, 0, 0) });
    assert_eq!(f.pool.get(&h).map(|t| t.valid_till), Some(3));
    f.pool.on_block_imported(&block(2), 2, &[]);
    assert!(f.pool.contains(&h));
    let calls = f.api().validations();
    f.pool.on_block_imported(&block_on(1, 9), 9, &[]);
    assert!(!f.pool.contains(&h));
    assert_eq!(f.api().validations(), calls, "expired before re-validation");
    assert_eq!(drain(&mut w), vec![TransactionStatus::Ready, TransactionStatus::Invalid]);
    assert!(ended(&mut w));
}

#[test]
fn longevity_counts_from_the_submission_block() {
    let f = fixture();
    let tx = TestTx { longevity: 3, ..TestTx::new(1, 0, 0) };
    let h = f.pool.submit(&block(10), tx.bytes()).expect("submit");
    assert_eq!(f.pool.get(&h).map(|t| t.valid_till), Some(13));
}

#[test]
fn retracted_transactions_come_back() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx::new(1, 0, 0));
    let (other, _) = f.watch(&TestTx::new(2, 0, 0));
    let b1 = block(1);
    f.api().set_nonce(b1, 1, 1);
    f.api().set_nonce(b1, 2, 1);
    // `other` was included elsewhere in block 1: it is stale and banned.
    f.pool.on_block_imported(&b1, 1, &[h]);
    assert!(f.pool.is_banned(&other));
    assert!(f.pool.status().ready == 0);

    // Re-org: block 1 is retracted in favour of 1' where neither is included.
    let b1p = block_on(1, 1);
    f.pool.on_block_retracted(&b1, vec![xt(1, 0, 0), xt(2, 0, 0)], &b1p);
    f.pool.on_block_imported(&b1p, 1, &[]);
    assert!(f.pool.contains(&h));
    assert!(f.pool.contains(&other), "ban lifted for retracted transactions");
    assert_eq!(
        drain(&mut w),
        vec![
            TransactionStatus::Ready,
            TransactionStatus::InBlock(b1),
            TransactionStatus::Retracted(b1),
            TransactionStatus::Ready
        ]
    );
    // Included again in 2', then finalized.
    let b2 = block_on(1, 2);
    f.api().set_nonce(b2, 1, 1);
    f.pool.on_block_imported(&b2, 2, &[h]);
    f.pool.on_block_finalized(&b2, &[h]);
    assert_eq!(drain(&mut w), vec![TransactionStatus::InBlock(b2), TransactionStatus::Finalized(b2)]);
    assert!(ended(&mut w));
}

#[test]
fn retracted_transaction_invalid_at_new_head_is_reported() {
    let f = fixture();
    let (h, mut w) = f.watch(&TestTx::new(1, 0, 0));
    let b1 = block(1);
    f.pool.on_block_imported(&b1, 1, &[h]);
    let b1p = block_on(1, 1);
    f.api().set_nonce(b1p, 1, 1); // the new head used nonce 0 with another transaction
    f.pool.on_block_retracted(&b1, vec![xt(1, 0, 0)], &b1p);
    assert_eq!(
        drain(&mut w),
        vec![
            TransactionStatus::Ready,
            TransactionStatus::InBlock(b1),
            TransactionStatus::Retracted(b1),
            TransactionStatus::Invalid
        ]
    );
    assert!(ended(&mut w));
    assert!(matches!(f.pool.submit(&b1p, xt(1, 0, 0)), Err(Error::TemporarilyBanned)));
}

#[test]
fn revalidation_respects_limits_and_keeps_arrival_order() {
    let f = fixture_with(PoolConfig { max_ready: 3, ..PoolConfig::default() });
    f.submit(&TestTx::new(1, 0, 1));
    f.submit(&TestTx::new(2, 0, 1));
    f.submit(&TestTx::new(3, 0, 1));
    f.pool.on_block_imported(&block(1), 1, &[]);
    assert_eq!(f.ready_ids(), vec![(1, 0), (2, 0), (3, 0)]);
    assert_eq!(f.pool.ready().iter().map(|t| t.inserted_at).collect::<Vec<_>>(), vec![0, 1, 2]);
}
