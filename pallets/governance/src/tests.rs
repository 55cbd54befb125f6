//! Tests of the governance pallet: every call's success and error paths, the block hook's
//! tally and enactment, conviction weights and locks, and the wire encodings of calls, events,
//! errors and stored proposals.

use archive_pallet_balances as balances;
use archive_pallet_identity::Role;
use archive_pallet_parameters::Parameter;
use archive_primitives::AccountId20;
use archive_support::{DispatchError, Ext, ModuleError, RawOrigin};
use parity_scale_codec::{Decode, Encode};

use crate::{mock::*, AccountVote, Call, Error, Event, Proposal, ProposalInfo, ProposalStatus, Tally};

/// `cancel`, `kill` and `unlock`.
mod admin;
/// `propose` and `vote`.
mod calls;
/// The block hook: tallies, enactments, conviction weights and lock durations.
mod lifecycle;

fn gov(e: Event) -> TestEvent {
    TestEvent::Governance(e)
}
fn bal(e: balances::Event) -> TestEvent {
    TestEvent::Balances(e)
}
fn acc(byte: u8) -> AccountId20 {
    AccountId20([byte; 20])
}
fn u128_le(v: u128) -> String {
    hex::encode(v.to_le_bytes())
}

/// Asserts that `value` encodes to `expected` hex and decodes back to itself.
fn assert_encoding<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: &T, expected: &str) {
    assert_eq!(hex::encode(value.encode()), expected, "{value:?}");
    assert_eq!(T::decode(&mut &value.encode()[..]).as_ref(), Ok(value), "{value:?} round trip");
}

// ---- wire formats ----

#[test]
fn propose_call_encodings_are_pinned() {
    // call 0 ++ Proposal index ++ fields ++ compact(deposit); compact(100) = 0x0191 LE.
    let set = Call::propose { proposal: set_max_validators(7), deposit: 100 };
    assert_encoding(&set, &format!("000000{}9101", u128_le(7)));
    let grant = Call::propose { proposal: Proposal::GrantRole { who: acc(0x11), role: Role::Archiver }, deposit: 100 };
    assert_encoding(&grant, &format!("0001{}029101", "11".repeat(20)));
    let revoke = Call::propose { proposal: Proposal::RevokeRole { who: acc(0x22), role: Role::Admin }, deposit: 1_000 };
    assert_encoding(&revoke, &format!("0002{}03a10f", "22".repeat(20)));
    // compact(5) = 0x14, compact(0) = 0x00.
    let spend = Call::propose { proposal: Proposal::TreasurySpend { to: acc(0x33), amount: 5 }, deposit: 0 };
    assert_encoding(&spend, &format!("0003{}1400", "33".repeat(20)));
}

#[test]
fn other_call_encodings_are_pinned() {
    // compact(3) = 0x0c; aye = 01; conviction 02; compact(1000) = 0x0fa1 LE.
    assert_encoding(&vote(3, true, 2, 1_000), "010c0102a10f");
    // compact(70) = (70 << 2 | 1) = 0x0119 LE.
    assert_encoding(&Call::cancel { index: 70 }, "021901");
    assert_encoding(&Call::kill { index: 0 }, "0300");
    assert_encoding(&Call::unlock { target: acc(0x44) }, &format!("04{}", "44".repeat(20)));
}

#[test]
fn event_encodings_are_pinned() {
    let module = DispatchError::Module(ModuleError { index: 10, error: [2, 0, 0, 0] });
    let cases = [
        (
            Event::Proposed { index: 1, proposer: acc(0x11), deposit: 100 },
            format!("0001000000{}{}", "11".repeat(20), u128_le(100)),
        ),
        (
            Event::Voted { who: acc(0x22), index: 2, vote: AccountVote { aye: false, conviction: 0, balance: 10 } },
            format!("01{}02000000000028", "22".repeat(20)),
        ),
        (
            Event::VoteChanged {
                who: acc(0x22),
                index: 2,
                vote: AccountVote { aye: true, conviction: 6, balance: 64 },
            },
            format!("02{}0200000001060101", "22".repeat(20)),
        ),
        (Event::Cancelled { index: 5 }, "0305000000".to_string()),
        (Event::Killed { index: 5, slashed: 100 }, format!("0405000000{}", u128_le(100))),
        (Event::Passed { index: 1, enact_at: 26 }, "05010000001a000000".to_string()),
        (
            Event::Rejected { index: 1, ayes: 3, nays: 2, turnout: 1 },
            format!("0601000000{}{}{}", u128_le(3), u128_le(2), u128_le(1)),
        ),
        (Event::Enacted { index: 1 }, "0701000000".to_string()),
        (Event::EnactmentFailed { index: 1, error: module }, "0801000000030a02000000".to_string()),
        (
            Event::ParameterChanged { parameter: Parameter::MaxValidators, old: 4, new: 7 },
            format!("0900{}{}", u128_le(4), u128_le(7)),
        ),
        (Event::Unlocked { who: acc(0x44), locked: 0 }, format!("0a{}{}", "44".repeat(20), u128_le(0))),
    ];
    for (event, expected) in cases {
        assert_encoding(&event, &expected);
    }
}

#[test]
fn event_as_recorded_carries_the_pallet_index() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), propose(set_max_validators(7))), Ok(()));
    let raw = &ext.events().last().expect("Proposed recorded").event;
    assert_eq!(hex::encode(raw), format!("280000000000{}{}", "01".repeat(20), u128_le(MIN_DEPOSIT)));
}

#[test]
fn error_indices_are_pinned() {
    let all = [
        Error::ProposalNotFound,
        Error::DepositTooLow,
        Error::InsufficientFunds,
        Error::ValueOutOfRange,
        Error::InvalidRole,
        Error::ZeroAmount,
        Error::VotingClosed,
        Error::InvalidConviction,
        Error::DuplicateVote,
        Error::NotProposer,
        Error::NotOngoing,
        Error::TooManyProposals,
        Error::TooManyVotes,
        Error::NothingToUnlock,
    ];
    for (index, e) in all.into_iter().enumerate() {
        let index = index as u8;
        assert_eq!(e.encode(), vec![index], "{e:?}");
        assert_eq!(gov_error(e), DispatchError::Module(ModuleError { index: GOVERNANCE, error: [index, 0, 0, 0] }));
    }
    // DispatchError::Module (3) ++ pallet 40 (0x28) ++ [8, 0, 0, 0].
    assert_eq!(hex::encode(gov_error(Error::DuplicateVote).encode()), "032808000000");
}

#[test]
fn stored_proposal_encoding_is_pinned() {
    let info = ProposalInfo {
        proposer: acc(0x11),
        proposal: set_max_validators(7),
        deposit: 100,
        submitted: 1,
        voting_end: 21,
        status: ProposalStatus::Approved { enact_at: 26 },
        tally: Tally { ayes: 1, nays: 0, turnout: 2 },
    };
    let expected = format!(
        "{}0000{}9101010000001500000001{}{}{}{}",
        "11".repeat(20),
        u128_le(7),
        "1a000000",
        u128_le(1),
        u128_le(0),
        u128_le(2)
    );
    assert_encoding(&info, &expected);
    let statuses = [
        (ProposalStatus::Ongoing, "00"),
        (ProposalStatus::Rejected, "02"),
        (ProposalStatus::Cancelled, "03"),
        (ProposalStatus::Killed, "04"),
        (ProposalStatus::Enacted { ok: true }, "0501"),
        (ProposalStatus::Enacted { ok: false }, "0500"),
    ];
    for (status, expected) in statuses {
        assert_encoding(&status, expected);
    }
}

#[test]
fn storage_items_and_keys() {
    let names: Vec<_> = crate::storage::entries().iter().map(|e| e.name).collect();
    assert_eq!(names, ["ProposalCount", "Proposals", "VotingOf", "Locks", "Live"]);
    let prefix = archive_primitives::storage_key::storage_prefix("Governance", "Proposals");
    assert_eq!(crate::storage::Proposals::prefix(), prefix);
    // Twox64Concat: 8 hash bytes, then the index itself.
    assert_eq!(&crate::storage::Proposals::key(&7)[40..], &7u32.to_le_bytes());
}

#[test]
fn weights_are_nonzero_and_the_hook_bound_holds() {
    for call in [
        propose(set_max_validators(7)),
        vote(0, true, 1, 1),
        Call::cancel { index: 0 },
        Call::kill { index: 0 },
        Call::unlock { target: alice() },
    ] {
        let w = crate::call_weight(&call);
        assert!(w.ref_time > 0 && w.proof_size > 0, "{call:?}");
    }
    let n = crate::MAX_LIVE as u64;
    assert!(!crate::weights::on_initialize(n, n, 0).any_gt(crate::weights::on_initialize_max()));
    assert!(!crate::weights::on_initialize(n, 0, n).any_gt(crate::weights::on_initialize_max()));
}
