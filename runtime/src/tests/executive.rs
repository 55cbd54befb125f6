//! The executive's checks and effects, on an in-memory state.

use archive_primitives::{Digest, Era, H256};
use archive_support::Ext;
use parity_scale_codec::Decode;

use super::*;
use crate::{
    executive::{validate_transaction, BlockBuilder, DirectVerifier},
    InvalidTransaction as I, RuntimeEvent, TransactionValidityError as E,
};

const GENESIS: H256 = H256([0xab; 32]);

/// Executes blocks 1..=n (empty) so mortal eras have history; returns the hashes used.
fn chain(backend: &mut MemoryBackend, n: u32) -> Vec<H256> {
    let mut hashes = vec![GENESIS];
    for number in 1..=n {
        let parent = *hashes.last().expect("parent");
        let outcome = BlockBuilder::new(backend, parent, number, &Digest::default()).finalize();
        apply(backend, outcome.changes);
        hashes.push(H256([number as u8; 32]));
    }
    hashes
}

fn validate(backend: &MemoryBackend, parent: H256, number: u32, xt: &[u8]) -> Result<crate::ValidTransaction, E> {
    validate_transaction(backend, parent, number, xt, &DirectVerifier)
}

fn kind(r: Result<crate::ValidTransaction, E>) -> I {
    match r {
        Err(E::Invalid { kind, .. }) => kind,
        other => panic!("expected an invalid transaction, got {other:?}"),
    }
}

fn detail(r: Result<crate::ValidTransaction, E>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn transfer_applies_charges_fee_and_emits_events() {
    let mut b = genesis();
    let (alith, balt) = (pair("alith"), pair("baltathar"));
    let xt = sign(transfer_call(balt.account(), 5 * ARC), &alith, 0, Era::Immortal, GENESIS, GENESIS);
    let v = validate(&b, GENESIS, 0, &xt).expect("valid");
    assert_eq!(v.provides.len(), 1);
    assert!(v.requires.is_empty());
    let before = free(&b, &alith.account());
    let mut builder = BlockBuilder::new(&b, GENESIS, 1, &Digest::default());
    let out = builder.apply(&xt, &DirectVerifier).expect("applies");
    assert_eq!(out.result, Ok(()));
    let outcome = builder.finalize();
    apply(&mut b, outcome.changes);
    let fee = crate::fees::total_fee(
        &Ext::new(&b),
        xt.len() as u32,
        crate::RuntimeCall::weight(&transfer_call(balt.account(), 0)),
        0,
    );
    assert_eq!(free(&b, &alith.account()), before - 5 * ARC - fee);
    assert_eq!(free(&b, &balt.account()), 1_000_005 * ARC);
    let ext = Ext::new(&b);
    assert_eq!(archive_pallet_system::pallet::account_nonce(&ext, &alith.account()), 1);
    let raw = ext.get(&archive_pallet_system::storage::events_key()).expect("events");
    let events = crate::metadata::EventRecords::decode(&mut &raw[..]).expect("decode");
    let names: Vec<String> =
        events.iter().map(|e| format!("{:?}", e.event).split('(').take(2).collect::<Vec<_>>().join("(")).collect();
    assert!(
        events
            .iter()
            .any(|e| matches!(e.event, RuntimeEvent::Balances(archive_pallet_balances::Event::Transfer { .. }))),
        "{names:?}"
    );
    assert!(matches!(
        events.last().map(|e| &e.event),
        Some(RuntimeEvent::System(archive_pallet_system::Event::ExtrinsicSuccess { .. }))
    ));
    // Replaying the same extrinsic is refused as stale.
    assert_eq!(kind(validate(&b, H256([1; 32]), 1, &xt)), I::Stale);
}

#[test]
fn failed_dispatch_still_charges_and_rolls_back_the_call() {
    let b = genesis();
    let alith = pair("alith");
    let dest = archive_primitives::AccountId20([9; 20]);
    // Below the existential deposit to a new account: dispatch fails, fee and nonce stay charged.
    let xt = sign(transfer_call(dest, 1), &alith, 0, Era::Immortal, GENESIS, GENESIS);
    let mut builder = BlockBuilder::new(&b, GENESIS, 1, &Digest::default());
    let out = builder.apply(&xt, &DirectVerifier).expect("valid");
    assert!(out.result.is_err());
    let outcome = builder.finalize();
    let mut b2 = b.clone();
    apply(&mut b2, outcome.changes);
    assert_eq!(free(&b2, &dest), 0);
    assert!(free(&b2, &alith.account()) < free(&b, &alith.account()));
    assert_eq!(archive_pallet_system::pallet::account_nonce(&Ext::new(&b2), &alith.account()), 1);
}

#[test]
fn bad_inputs_are_refused_with_named_problems() {
    let mut b = genesis();
    let hashes = chain(&mut b, 10);
    let (parent, number) = (hashes[10], 10);
    let (alith, balt) = (pair("alith"), pair("baltathar"));
    let call = || transfer_call(balt.account(), ARC);
    let ok = sign(call(), &alith, 0, Era::Immortal, GENESIS, GENESIS);
    assert!(validate(&b, parent, number, &ok).is_ok());

    // Malformed SCALE, truncation, wrong version byte, unknown call.
    assert!(matches!(validate(&b, parent, number, &[0x01, 0x02]), Err(E::BadFormat(_))));
    assert!(matches!(validate(&b, parent, number, &ok[..ok.len() - 3]), Err(E::BadFormat(_))));
    let mut v5 = ok.clone();
    v5[2] = 0x85;
    assert!(detail(validate(&b, parent, number, &v5)).contains("version"));
    let mut unknown = ok.clone();
    unknown[91] = 0x63;
    let d = detail(validate(&b, parent, number, &unknown));
    assert!(d.contains("unknown pallet/call index 99/3"), "{d}");
    // Garbage signature, another key's signature.
    let mut garbage = ok.clone();
    garbage[23..88].copy_from_slice(&[0x42; 65]);
    assert!(matches!(kind(validate(&b, parent, number, &garbage)), I::BadProof));
    let mut forged = sign(call(), &balt, 0, Era::Immortal, GENESIS, GENESIS);
    forged[3..23].copy_from_slice(&alith.account().0);
    assert_eq!(kind(validate(&b, parent, number, &forged)), I::BadProof);
    // Wrong genesis, spec version, transaction version.
    let wrong_genesis = sign(call(), &alith, 0, Era::Immortal, H256([1; 32]), H256([1; 32]));
    assert_eq!(kind(validate(&b, parent, number, &wrong_genesis)), I::BadProof);
    for (spec, tx) in [(2, 1), (1, 2)] {
        let add = archive_primitives::AdditionalSigned {
            spec_version: spec,
            transaction_version: tx,
            genesis_hash: GENESIS,
            era_block_hash: GENESIS,
        };
        let xt = crate::UncheckedExtrinsic::new_signed(
            call(),
            &alith,
            archive_primitives::SignedExtra { era: Era::Immortal, nonce: 0, tip: 0 },
            &add,
        );
        let d = detail(validate(&b, parent, number, &parity_scale_codec::Encode::encode(&xt)));
        assert!(d.contains("spec_version 1") && d.contains("bad signature"), "{d}");
    }
    // Mortal era: valid when born at a known block, expired later, unknown when in the future.
    let era = Era::mortal(4, 8);
    let mortal = sign(call(), &alith, 0, era, GENESIS, hashes[8]);
    assert!(validate(&b, parent, number, &mortal).is_ok());
    let mut later = b.clone();
    let more = chain_from(&mut later, &hashes, 14);
    let d = detail(validate(&later, more, 14, &mortal));
    assert!(d.contains("expired"), "{d}");
    let future = sign(call(), &alith, 0, Era::Mortal(64, 40), GENESIS, H256([40; 32]));
    let d = detail(validate(&b, parent, number, &future));
    assert!(d.contains("does not exist yet"), "{d}");
    // Nonces.
    let far = sign(call(), &alith, 65, Era::Immortal, GENESIS, GENESIS);
    assert!(detail(validate(&b, parent, number, &far)).contains("too far in the future"));
    let ahead = sign(call(), &alith, 3, Era::Immortal, GENESIS, GENESIS);
    let v = validate(&b, parent, number, &ahead).expect("future nonce is kept for later");
    assert_eq!(v.requires.len(), 1);
    let mut builder = BlockBuilder::new(&b, parent, number + 1, &Digest::default());
    assert_eq!(kind_apply(builder.apply(&ahead, &DirectVerifier)), I::Future);
    // Fee larger than the balance.
    let poor = archive_primitives::Pair::from_secret(&[7; 32]).expect("key");
    let broke = sign(call(), &poor, 0, Era::Immortal, GENESIS, GENESIS);
    let d = detail(validate(&b, parent, number, &broke));
    assert!(d.contains("cannot pay the fee"), "{d}");
    // Over the block length limit.
    let huge = sign(
        crate::RuntimeCall::System(archive_pallet_system::Call::remark { remark: vec![0; 4 * 1024 * 1024] }),
        &alith,
        0,
        Era::Immortal,
        GENESIS,
        GENESIS,
    );
    assert_eq!(kind(validate(&b, parent, number, &huge)), I::ExhaustsResources);
    // Unsigned extrinsics have no validator.
    let unsigned = parity_scale_codec::Encode::encode(&crate::UncheckedExtrinsic::new_unsigned(call()));
    assert!(matches!(validate(&b, parent, number, &unsigned), Err(E::Unknown { .. })));
}

fn kind_apply(r: Result<crate::executive::ApplyOutcome, E>) -> I {
    match r {
        Err(E::Invalid { kind, .. }) => kind,
        other => panic!("expected invalid, got {other:?}"),
    }
}

/// Continues `chain` up to block `to`; returns the hash of the last block.
fn chain_from(backend: &mut MemoryBackend, hashes: &[H256], to: u32) -> H256 {
    let mut parent = *hashes.last().expect("parent");
    for number in hashes.len() as u32..=to {
        let outcome = BlockBuilder::new(backend, parent, number, &Digest::default()).finalize();
        apply(backend, outcome.changes);
        parent = H256([number as u8; 32]);
    }
    parent
}

#[test]
fn block_hash_window_makes_genesis_hash_visible_to_validation() {
    let b = genesis();
    // Validating at genesis (parent GENESIS, number 0) must see BlockHash[0] = GENESIS.
    let xt =
        sign(transfer_call(pair("baltathar").account(), ARC), &pair("alith"), 0, Era::mortal(64, 0), GENESIS, GENESIS);
    assert!(validate(&b, GENESIS, 0, &xt).is_ok());
}
