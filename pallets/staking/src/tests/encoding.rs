//! Wire formats of calls, events and errors; genesis.

use archive_consensus::{Equivocation, SignedVote, Stage, Vote};
use archive_primitives::{Digest, EthereumSignature, Header, H256};
use parity_scale_codec::{Decode, Encode};

use super::*;
use crate::{
    storage::{ActiveEra, CurrentEra, ErasStakers, ErasValidators, SeatStreak},
    ActiveEraInfo, Exposure, GenesisConfig, OffenceKind,
};

fn a(byte: u8) -> AccountId20 {
    AccountId20([byte; 20])
}
fn hexa(byte: u8) -> String {
    format!("{byte:02x}").repeat(20)
}
/// u128 little-endian, as events encode balances.
fn le128(v: u128) -> String {
    hex::encode(v.to_le_bytes())
}

fn assert_call(call: Call, expected: &str) {
    assert_eq!(hex::encode(call.encode()), expected, "{call:?}");
    assert_eq!(Call::decode(&mut &call.encode()[..]), Ok(call));
}

fn assert_event(event: Event, expected: &str) {
    assert_eq!(hex::encode(event.encode()), expected, "{event:?}");
    assert_eq!(Event::decode(&mut &event.encode()[..]), Ok(event));
}

#[test]
fn call_encodings_are_pinned() {
    // compact(1_000) = a10f; compact(10^18) = 13 ++ 8 little-endian bytes.
    assert_call(bond(1_000), "00a10f");
    assert_call(Call::bond_extra { max_additional: 1_000 }, "01a10f");
    assert_call(unbond(1_000_000_000_000_000_000), "0213000064a7b3b6e00d");
    assert_call(Call::withdraw_unbonded { num_slashing_spans: 7 }, "0307000000");
    // Perbill as a plain u32 (50_000_000 = 0x02faf080), then the bool.
    let prefs = ValidatorPrefs { commission: Perbill(50_000_000), blocked: true };
    assert_call(Call::validate { prefs }, "0480f0fa0201");
    assert_call(nominate(vec![a(0x11), a(0x22)]), &format!("0508{}{}", hexa(0x11), hexa(0x22)));
    assert_call(Call::chill, "06");
    assert_call(rebond(1), "1304");
}

#[test]
fn report_equivocation_encodings_are_pinned() {
    let signed = |target: u8| SignedVote {
        vote: Vote { target_hash: H256([target; 32]), target_number: 9, round: 5, stage: Stage::Precommit },
        voter: a(0x33),
        signature: EthereumSignature([0x55; 65]),
    };
    let vote = Equivocation::Vote { voter: a(0x33), round: 5, first: signed(0x44), second: signed(0x66) };
    let signed_hex = |target: &str| {
        format!("{}09000000{}01{}{}", target.repeat(32), "0500000000000000", hexa(0x33), "55".repeat(65))
    };
    let expected = format!("2800{}0500000000000000{}{}", hexa(0x33), signed_hex("44"), signed_hex("66"));
    assert_call(Call::report_equivocation { evidence: Box::new(vote) }, &expected);

    let header = |state: u8| Header {
        parent_hash: H256([1; 32]),
        number: 3,
        state_root: H256([state; 32]),
        extrinsics_root: H256([3; 32]),
        digest: Digest { logs: vec![] },
    };
    let block = Equivocation::Block { author: a(0x77), slot: 6, first: header(2), second: header(4) };
    // Header: parent, compact(3) = 0c, state root, extrinsics root, empty digest.
    let header_hex = |state: &str| format!("{}0c{}{}00", "01".repeat(32), state.repeat(32), "03".repeat(32));
    let expected = format!("2801{}0600000000000000{}{}", hexa(0x77), header_hex("02"), header_hex("04"));
    assert_call(Call::report_equivocation { evidence: Box::new(block) }, &expected);
}

#[test]
fn event_encodings_are_pinned() {
    assert_event(Event::EraPaid { era: 3, total: 1_000 }, &format!("0003000000{}", le128(1_000)));
    assert_event(Event::Rewarded { stash: a(0x11), amount: 10 }, &format!("01{}{}", hexa(0x11), le128(10)));
    assert_event(Event::Slashed { who: a(0x11), amount: 7 }, &format!("02{}{}", hexa(0x11), le128(7)));
    assert_event(Event::Bonded { stash: a(0x11), amount: 5 }, &format!("06{}{}", hexa(0x11), le128(5)));
    assert_event(Event::Unbonded { stash: a(0x11), amount: 5 }, &format!("07{}{}", hexa(0x11), le128(5)));
    assert_event(Event::Withdrawn { stash: a(0x11), amount: 5 }, &format!("08{}{}", hexa(0x11), le128(5)));
    assert_event(Event::ElectionFailed { era: 2 }, "0a02000000");
    assert_event(Event::Chilled { who: a(0x11) }, &format!("0b{}", hexa(0x11)));
    let prefs = ValidatorPrefs { commission: Perbill(1), blocked: false };
    assert_event(Event::ValidatorPrefsSet { stash: a(0x11), prefs }, &format!("0d{}0100000000", hexa(0x11)));
    assert_event(
        Event::Nominated { stash: a(0x11), targets: vec![a(0x22)] },
        &format!("14{}04{}", hexa(0x11), hexa(0x22)),
    );
    assert_event(
        Event::NewEra { era: 1, validators: vec![a(1), a(2)] },
        &format!("150100000008{}{}", hexa(1), hexa(2)),
    );
    let offence = Event::OffenceReported { offender: a(0x11), kind: OffenceKind::BlockEquivocation, reporter: a(0x22) };
    assert_event(offence, &format!("16{}01{}", hexa(0x11), hexa(0x22)));
    // As recorded in a block: staking's index first.
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), bond(1_000));
    assert_eq!(
        ext.events()[0].event,
        [vec![STAKING], Event::Bonded { stash: nom1(), amount: 1_000 }.encode()].concat()
    );
}

#[test]
fn error_indices_are_pinned() {
    let all = [
        Error::NotBonded,
        Error::AlreadyBonded,
        Error::InsufficientBalance,
        Error::InsufficientBond,
        Error::ZeroAmount,
        Error::NotEnoughBonded,
        Error::NoMoreChunks,
        Error::NoUnlockChunk,
        Error::NothingToWithdraw,
        Error::MissingValidatorRole,
        Error::CommissionTooHigh,
        Error::EmptyTargets,
        Error::TooManyTargets,
        Error::DuplicateTarget,
        Error::NotValidator,
        Error::TargetBlocked,
        Error::InvalidEvidence,
        Error::DuplicateReport,
        Error::SelfReport,
    ];
    for (i, e) in all.into_iter().enumerate() {
        assert_eq!(e.encode(), vec![i as u8], "{e:?}");
    }
    // DispatchError::Module (3) ++ pallet 30 ++ [2, 0, 0, 0].
    assert_eq!(hex::encode(staking_error(Error::InsufficientBalance).encode()), "031e02000000");
}

#[test]
fn stored_types_encode_like_substrate() {
    let ledger =
        StakingLedger { stash: a(0x11), total: 1_000, active: 1, unlocking: vec![UnlockChunk { value: 999, era: 2 }] };
    // Compact balances and eras: 1_000 = a10f, 1 = 04, 999 = 9d0f, 2 = 08.
    assert_eq!(hex::encode(ledger.encode()), format!("{}a10f04049d0f08", hexa(0x11)));
    let exposure = Exposure { total: 3, own: 1, others: vec![crate::IndividualExposure { who: a(0x22), value: 2 }] };
    assert_eq!(hex::encode(exposure.encode()), format!("0c0404{}08", hexa(0x22)));
}

// ---- genesis ----

#[test]
fn genesis_bonds_the_stakers_and_opens_era_zero() {
    let backend = default_backend();
    let ext = Ext::new(&backend);
    for v in genesis_set() {
        assert_eq!(ledger(&ext, &v), StakingLedger::new(v, GENESIS_BOND));
        assert_eq!(frozen(&ext, &v), GENESIS_BOND);
        assert_eq!(Validators::get(&ext, &v), Some(ValidatorPrefs::default()));
        let exposure = Exposure { total: GENESIS_BOND, own: GENESIS_BOND, others: vec![] };
        assert_eq!(ErasStakers::get(&ext, &(0, v)), Some(exposure));
        assert_eq!(SeatStreak::get(&ext, &v), Some(1));
    }
    assert_eq!(ValidatorList::get(&ext), Some(genesis_set()));
    assert_eq!((CurrentEra::get(&ext), ActiveEra::get(&ext)), (Some(0), Some(ActiveEraInfo { index: 0, start: 1 })));
    assert_eq!(crate::era(&ext), ActiveEraInfo { index: 0, start: 1 });
    assert_eq!(ErasValidators::get(&ext, &0), Some(genesis_set()));
    let listed: Vec<AccountId20> = crate::candidates(&ext).into_iter().map(|(who, _, _)| who).collect();
    assert_eq!(listed, genesis_set());
}

#[test]
fn genesis_refuses_invalid_stakers() {
    let base = build_on(&MemoryBackend::default(), |ext| {
        balances::deposit_creating::<Test>(ext, &alith(), 5_000).expect("endowment");
    });
    let cases = [
        (vec![(alith(), 1_000), (alith(), 1_000)], Error::AlreadyBonded),
        (vec![(alith(), 5_001)], Error::InsufficientBalance),
        (vec![(alith(), ED - 1)], Error::InsufficientBond),
    ];
    for (stakers, e) in cases {
        let mut ext = Ext::new(&base);
        let r = ext.transactional(|ext| crate::build_genesis::<Test>(ext, &GenesisConfig { stakers }));
        assert_eq!(r, Err(staking_error(e)));
    }
}

#[test]
fn genesis_config_json() {
    let json = format!(r#"{{"stakers":[["{}",1000]]}}"#, alith());
    let config: GenesisConfig = serde_json::from_str(&json).expect("valid");
    assert_eq!(config, GenesisConfig { stakers: vec![(alith(), 1_000)] });
    assert_eq!(
        serde_json::from_str::<GenesisConfig>(&serde_json::to_string(&config).expect("json")).ok(),
        Some(config)
    );
    assert_eq!(serde_json::from_str::<GenesisConfig>("{}").ok(), Some(GenesisConfig::default()));
    assert!(serde_json::from_str::<GenesisConfig>(r#"{"stakerz":[]}"#).is_err());
}

#[test]
fn storage_metadata_lists_every_item() {
    let names: Vec<&str> = crate::entries().iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        vec![
            "Ledger",
            "Validators",
            "ValidatorList",
            "Nominators",
            "NominatorList",
            "CurrentEra",
            "ActiveEra",
            "ErasStakers",
            "ErasValidators",
            "Scores",
            "SeatStreak",
            "Authored",
            "Assigned",
            "LastSlot",
            "Reported",
            "Slashes",
        ]
    );
}

#[test]
fn call_weights_are_documented_constants() {
    assert_eq!(crate::call_weight(&bond(1)), crate::weights::BOND);
    assert!(
        crate::call_weight(&nominate(vec![a(1); 16])).ref_time > crate::call_weight(&nominate(vec![a(1)])).ref_time
    );
    let evidence = Equivocation::Vote {
        voter: a(1),
        round: 0,
        first: SignedVote {
            vote: Vote { target_hash: H256::zero(), target_number: 0, round: 0, stage: Stage::Prevote },
            voter: a(1),
            signature: EthereumSignature([0; 65]),
        },
        second: SignedVote {
            vote: Vote { target_hash: H256::zero(), target_number: 0, round: 0, stage: Stage::Prevote },
            voter: a(1),
            signature: EthereumSignature([0; 65]),
        },
    };
    assert_eq!(
        crate::call_weight(&Call::report_equivocation { evidence: Box::new(evidence) }),
        crate::weights::REPORT_EQUIVOCATION
    );
}
