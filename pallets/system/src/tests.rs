//! Tests of the system pallet: calls, the block lifecycle (block-hash window, events), account
//! records, and the wire encodings of events, account records and storage keys.

use archive_primitives::{
    hashing::{blake2_128, blake2_256},
    AccountId20, Digest, DigestItem, H256,
};
use archive_support::{
    dispatch::PalletError, DispatchClass, DispatchError, DispatchInfo, EventRecord, Ext, MemoryBackend, ModuleError,
    Pays, Phase, RawOrigin, Weight,
};
use parity_scale_codec::{Decode, Encode};

use crate::{mock::*, pallet, storage, Account, AccountData, Call, Error, Event, ExtraFlags};

const ALITH: &str = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";

fn alith() -> AccountId20 {
    ALITH.parse().expect("valid checksummed address")
}

fn funded(providers: u32) -> Account {
    Account { providers, data: AccountData { free: 1_000, ..Default::default() }, ..Default::default() }
}

// ---- wire formats ----

#[test]
fn account_storage_key_of_alith_is_pinned() {
    let who = alith();
    let key = storage::Account::key(&who);
    let prefix = "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9";
    let expected = format!("{prefix}{}{}", hex::encode(blake2_128(&who.0)), hex::encode(who.0));
    assert_eq!(hex::encode(&key), expected);
    // Snapshot (the well-known Moonbeam dev-account key).
    assert_eq!(
        hex::encode(&key),
        "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9\
         9dfefc73f89d24437a9c2dce5572808a\
         f24ff3a9cf04c71dbc94d0b566f7a27b94566cac"
    );
}

#[test]
fn account_info_encoding_is_pinned() {
    let acc = Account {
        nonce: 1,
        consumers: 2,
        providers: 3,
        sufficients: 4,
        data: AccountData { free: 5, reserved: 6, frozen: 7, flags: ExtraFlags::default() },
    };
    let u128_le = |v: u8| format!("{v:02x}{}", "00".repeat(15));
    let expected =
        format!("01000000020000000300000004000000{}{}{}{}80", u128_le(5), u128_le(6), u128_le(7), "00".repeat(15));
    assert_eq!(hex::encode(acc.encode()), expected);
    assert_eq!(acc.encode().len(), 4 * 4 + 4 * 16);
    assert_eq!(Account::decode(&mut &acc.encode()[..]), Ok(acc));
    // The flags default to Substrate's "new logic" bit.
    assert_eq!(ExtraFlags::default().0, 1u128 << 127);
    assert_eq!(Account::default().data.flags, ExtraFlags(1u128 << 127));
}

#[test]
fn extrinsic_success_event_encoding_is_pinned() {
    let info = DispatchInfo {
        weight: Weight::from_parts(30_000_000, 3_593),
        class: DispatchClass::Normal,
        pays_fee: Pays::Yes,
    };
    // variant 0 ++ compact(30_000_000) ++ compact(3_593) ++ Normal ++ Yes.
    assert_eq!(hex::encode(Event::ExtrinsicSuccess { dispatch_info: info }.encode()), "00020e270725380000");
    let failed = Event::ExtrinsicFailed {
        dispatch_error: DispatchError::Module(ModuleError { index: 10, error: [2, 0, 0, 0] }),
        dispatch_info: DispatchInfo { weight: Weight::zero(), class: DispatchClass::Operational, pays_fee: Pays::No },
    };
    assert_eq!(hex::encode(failed.encode()), "01030a0200000000000101");
}

#[test]
fn other_event_encodings_are_pinned() {
    let a = account(0x11);
    assert_eq!(hex::encode(Event::NewAccount { account: a }.encode()), format!("03{}", "11".repeat(20)));
    assert_eq!(hex::encode(Event::KilledAccount { account: a }.encode()), format!("04{}", "11".repeat(20)));
    let remarked = Event::Remarked { sender: a, hash: hash(0xab) };
    assert_eq!(hex::encode(remarked.encode()), format!("05{}{}", "11".repeat(20), "ab".repeat(32)));
}

#[test]
fn call_encodings_are_pinned() {
    assert_eq!(hex::encode(Call::remark { remark: vec![1, 2, 3] }.encode()), "000c010203");
    assert_eq!(hex::encode(Call::remark_with_event { remark: vec![1, 2, 3] }.encode()), "070c010203");
    let set = Call::set_storage { items: vec![(vec![0xaa], vec![0xbb, 0xcc])] };
    assert_eq!(hex::encode(set.encode()), "040404aa08bbcc");
    assert_eq!(hex::encode(Call::kill_storage { keys: vec![vec![0xaa]] }.encode()), "050404aa");
}

#[test]
fn error_indices_are_pinned() {
    for (e, index) in [(Error::EmptyRemark, 0u8), (Error::NonDefaultComposite, 1), (Error::NonZeroRefCount, 2)] {
        assert_eq!(e.encode(), vec![index]);
        assert_eq!(e.index(), index);
    }
    assert_eq!(
        Error::EmptyRemark.into_dispatch(0),
        DispatchError::Module(ModuleError { index: 0, error: [0, 0, 0, 0] })
    );
}

// ---- calls ----

#[test]
fn remark_is_signed_only_and_changes_nothing() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Signed(account(1)), Call::remark { remark: b"hi".to_vec() }), Ok(()));
    assert_eq!(dispatch(&mut ext, RawOrigin::Signed(account(1)), Call::remark { remark: vec![] }), Ok(()));
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&backend, origin, Call::remark { remark: b"hi".to_vec() }, DispatchError::BadOrigin);
    }
}

#[test]
fn remark_with_event_emits_remarked_with_blake2_256() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    let call = Call::remark_with_event { remark: b"hello".to_vec() };
    assert_eq!(dispatch(&mut ext, RawOrigin::Signed(account(1)), call), Ok(()));
    let expected = H256(blake2_256(b"hello"));
    assert_eq!(
        hex::encode(expected.0),
        "324dcf027dd4a30a932c441f365a25e86b173defa4b8e58948253471b81b72cf",
        "blake2b-256(\"hello\")"
    );
    assert_eq!(events(&ext), vec![Event::Remarked { sender: account(1), hash: expected }]);
    assert_eq!(ext.events()[0].event[0], 0, "recorded as System (pallet 0)");
    assert_eq!(ext.into_changes(), vec![]);
}

#[test]
fn remark_with_event_rejects_empty_and_unsigned() {
    let backend = MemoryBackend::default();
    let empty = DispatchError::Module(ModuleError { index: 0, error: [0, 0, 0, 0] });
    assert_noop(&backend, RawOrigin::Signed(account(1)), Call::remark_with_event { remark: vec![] }, empty);
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&backend, origin, Call::remark_with_event { remark: b"x".to_vec() }, DispatchError::BadOrigin);
    }
}

#[test]
fn set_storage_and_kill_storage_are_root_only() {
    let mut backend = MemoryBackend::default();
    backend.0.insert(b"old".to_vec(), b"1".to_vec());
    let set = Call::set_storage { items: vec![(b"k1".to_vec(), b"v1".to_vec()), (b"old".to_vec(), b"2".to_vec())] };
    let kill = Call::kill_storage { keys: vec![b"old".to_vec()] };
    for origin in [RawOrigin::Signed(account(1)), RawOrigin::None] {
        assert_noop(&backend, origin, set.clone(), DispatchError::BadOrigin);
        assert_noop(&backend, origin, kill.clone(), DispatchError::BadOrigin);
    }
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, set), Ok(()));
    assert!(ext.events().is_empty());
    assert_eq!(
        ext.into_changes(),
        vec![(b"k1".to_vec(), Some(b"v1".to_vec())), (b"old".to_vec(), Some(b"2".to_vec()))]
    );
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, kill), Ok(()));
    assert_eq!(ext.get(b"old"), None);
    assert_eq!(ext.into_changes(), vec![(b"old".to_vec(), None)]);
}

#[test]
fn call_weights_grow_with_input() {
    let w = |c: &Call| pallet::call_weight(c).ref_time;
    assert_eq!(w(&Call::remark { remark: vec![] }), 2_000_000);
    assert_eq!(w(&Call::remark_with_event { remark: vec![0; 10] }), 2_010_000);
    assert_eq!(w(&Call::set_storage { items: vec![(vec![], vec![]); 2] }), 50_000_000);
    assert_eq!(w(&Call::kill_storage { keys: vec![vec![]; 3] }), 75_000_000);
}

// ---- block lifecycle ----

#[test]
fn initialize_records_the_block_and_resets_counters() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    pallet::note_applied_extrinsic(&mut ext, 10, Weight::from_parts(5, 1));
    pallet::note_applied_extrinsic(&mut ext, 20, Weight::from_parts(7, 2));
    assert_eq!(storage::ExtrinsicCount::get(&ext), Some(2));
    assert_eq!(storage::AllExtrinsicsLen::get(&ext), Some(30));
    assert_eq!(storage::BlockWeight::get(&ext), Some(Weight::from_parts(12, 3)));
    let digest = Digest { logs: vec![DigestItem::PreRuntime(*b"aura", vec![1, 2])] };
    pallet::initialize::<Test>(&mut ext, 7, hash(6), &digest);
    assert_eq!(pallet::block_number(&ext), 7);
    assert_eq!(storage::ParentHash::get(&ext), Some(hash(6)));
    assert_eq!(storage::DigestItems::get(&ext), Some(digest));
    assert_eq!(pallet::block_hash(&ext, 6), Some(hash(6)), "the parent's hash is recorded");
    assert_eq!(storage::ExtrinsicCount::get(&ext), None);
    assert_eq!(storage::AllExtrinsicsLen::get(&ext), None);
    assert_eq!(storage::BlockWeight::get(&ext), None);
}

#[test]
fn initialize_of_block_zero_records_no_hash() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    pallet::initialize::<Test>(&mut ext, 0, hash(9), &Digest::default());
    assert_eq!(pallet::block_hash(&ext, 0), None);
    assert_eq!(pallet::block_number(&ext), 0);
}

#[test]
fn block_hash_window_keeps_genesis_and_the_last_block_hash_count() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    // Block n's hash is `hash(n)`: block n + 1 records it as its parent.
    for n in 1..=3 * BLOCK_HASH_COUNT {
        pallet::initialize::<Test>(&mut ext, n, hash((n - 1) as u8), &Digest::default());
        pallet::finalize::<Test>(&mut ext);
        for k in 0..n {
            let kept = k == 0 || k + BLOCK_HASH_COUNT >= n;
            let expected = if kept { Some(hash(k as u8)) } else { None };
            assert_eq!(pallet::block_hash(&ext, k), expected, "hash of block {k} after block {n}");
        }
        assert_eq!(pallet::block_hash(&ext, n), None, "block {n}'s own hash is not known yet");
    }
    // The window at the end: genesis plus exactly BLOCK_HASH_COUNT recent hashes.
    let kept = (0..3 * BLOCK_HASH_COUNT).filter(|k| pallet::block_hash(&ext, *k).is_some()).count();
    assert_eq!(kept, 1 + BLOCK_HASH_COUNT as usize);
}

#[test]
fn finalize_writes_the_blocks_events_and_count() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    pallet::initialize::<Test>(&mut ext, 1, hash(0), &Digest::default());
    ext.set_phase(Phase::ApplyExtrinsic(0));
    pallet::deposit_event::<Test>(&mut ext, Event::NewAccount { account: account(1) });
    ext.set_phase(Phase::ApplyExtrinsic(1));
    let info = DispatchInfo { weight: Weight::from_parts(1, 2), class: DispatchClass::Normal, pays_fee: Pays::Yes };
    pallet::deposit_event::<Test>(&mut ext, Event::ExtrinsicSuccess { dispatch_info: info });
    ext.set_phase(Phase::Finalization);
    pallet::finalize::<Test>(&mut ext);
    assert!(ext.events().is_empty(), "finalize takes the pending events");
    assert_eq!(storage::EventCount::get(&ext), Some(2));
    let raw = ext.get(&storage::events_key()).expect("System.Events written");
    let records = Vec::<EventRecord<RuntimeEvent, H256>>::decode(&mut &raw[..]).expect("decodes as clients do");
    assert_eq!(
        records,
        vec![
            EventRecord {
                phase: Phase::ApplyExtrinsic(0),
                event: RuntimeEvent::System(Event::NewAccount { account: account(1) }),
                topics: vec![],
            },
            EventRecord {
                phase: Phase::ApplyExtrinsic(1),
                event: RuntimeEvent::System(Event::ExtrinsicSuccess { dispatch_info: info }),
                topics: vec![],
            },
        ]
    );
    // The next block replaces them: its (empty) event list only.
    pallet::initialize::<Test>(&mut ext, 2, hash(1), &Digest::default());
    pallet::finalize::<Test>(&mut ext);
    assert_eq!(ext.get(&storage::events_key()), Some(vec![0]));
    assert_eq!(storage::EventCount::get(&ext), Some(0));
}

#[test]
fn events_key_is_system_events() {
    assert_eq!(hex::encode(storage::events_key()), "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7");
}

// ---- accounts ----

#[test]
fn inc_nonce_counts_up_and_keeps_the_rest() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    let who = account(1);
    pallet::put_account::<Test>(&mut ext, &who, &funded(1));
    ext.take_events();
    assert_eq!(pallet::account_nonce(&ext, &who), 0);
    pallet::inc_nonce(&mut ext, &who);
    pallet::inc_nonce(&mut ext, &who);
    assert_eq!(pallet::account_nonce(&ext, &who), 2);
    assert_eq!(pallet::account(&ext, &who), Account { nonce: 2, ..funded(1) });
    assert!(ext.events().is_empty(), "nonces emit no events");
}

#[test]
fn put_account_announces_new_and_killed_accounts() {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    let who = account(1);
    pallet::put_account::<Test>(&mut ext, &who, &funded(1));
    assert_eq!(events(&ext), vec![Event::NewAccount { account: who }]);
    assert_eq!(storage::Account::get(&ext, &who), Some(funded(1)));
    // Updating an existing account announces nothing.
    ext.take_events();
    pallet::put_account::<Test>(&mut ext, &who, &Account { nonce: 3, ..funded(2) });
    assert!(ext.events().is_empty());
    assert_eq!(pallet::account(&ext, &who).providers, 2);
    // No references left: removed.
    pallet::put_account::<Test>(&mut ext, &who, &Account { nonce: 3, ..Default::default() });
    assert_eq!(events(&ext), vec![Event::KilledAccount { account: who }]);
    assert!(!storage::Account::contains(&ext, &who));
    assert_eq!(pallet::account(&ext, &who), Account::default());
    // An empty record for an account that does not exist: nothing at all.
    let mut ext = Ext::new(&backend);
    pallet::put_account::<Test>(&mut ext, &who, &Account::default());
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
}

#[test]
fn any_reference_keeps_an_account() {
    let backend = MemoryBackend::default();
    let who = account(1);
    let records = [
        Account { consumers: 1, ..Default::default() },
        Account { providers: 1, ..Default::default() },
        Account { sufficients: 1, ..Default::default() },
    ];
    for acc in records {
        let mut ext = Ext::new(&backend);
        pallet::put_account::<Test>(&mut ext, &who, &acc);
        assert_eq!(storage::Account::get(&ext, &who), Some(acc));
        assert_eq!(events(&ext), vec![Event::NewAccount { account: who }]);
    }
}
