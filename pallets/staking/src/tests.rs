//! Tests of the staking pallet: every call's success and error paths (errors leave state and
//! events unchanged), the hooks (rewards, uptime, downtime, election, rotation), slashing with
//! real signed evidence, genesis, and the wire encodings of calls, events and errors.

use archive_pallet_balances as balances;
use archive_pallet_session as session;
use archive_primitives::{AccountId20, Balance, Perbill};
use archive_support::{DispatchError, Ext, MemoryBackend, RawOrigin};

use crate::{
    mock::*,
    storage::{Ledger, NominatorList, Nominators, ValidatorList, Validators},
    Call, Error, Event, Nominations, StakingLedger, UnlockChunk, ValidatorPrefs,
};

/// Bonding, unbonding, withdrawing and rebonding.
mod bonding;
/// Wire formats and genesis.
mod encoding;
/// The hooks: rewards, uptime, downtime, election, rotation.
mod era;
/// validate, nominate, chill.
mod intents;
/// report_equivocation.
mod slashing;

fn st(e: Event) -> TestEvent {
    TestEvent::Staking(e)
}
fn bal(e: balances::Event) -> TestEvent {
    TestEvent::Balances(e)
}
fn bond(value: Balance) -> Call {
    Call::bond { value }
}
fn unbond(value: Balance) -> Call {
    Call::unbond { value }
}
fn rebond(value: Balance) -> Call {
    Call::rebond { value }
}
fn withdraw() -> Call {
    Call::withdraw_unbonded { num_slashing_spans: 0 }
}
fn validate(commission: u32) -> Call {
    Call::validate { prefs: ValidatorPrefs { commission: Perbill::from_percent(commission), blocked: false } }
}
fn nominate(targets: Vec<AccountId20>) -> Call {
    Call::nominate { targets }
}

/// `who`'s ledger, required to exist.
fn ledger(ext: &Ext<'_>, who: &AccountId20) -> StakingLedger {
    Ledger::get(ext, who).expect("bonded")
}

/// The default backend after `f`.
fn with(f: impl FnOnce(&mut Ext<'_>)) -> MemoryBackend {
    build_on(&default_backend(), f)
}

#[test]
fn every_call_requires_a_signed_origin() {
    let backend = default_backend();
    let calls = [
        bond(1_000),
        Call::bond_extra { max_additional: 1 },
        unbond(1),
        withdraw(),
        validate(0),
        nominate(vec![alith()]),
        Call::chill,
        rebond(1),
    ];
    for call in calls {
        for origin in [RawOrigin::Root, RawOrigin::None] {
            assert_noop(&backend, origin, call.clone(), DispatchError::BadOrigin);
        }
    }
}
