//! Test runtime for the balances pallet: a `Test` type configuring system and balances, genesis
//! helpers, event decoding and dispatch exactly as the runtime's executive runs it.

use archive_pallet_system::{self as system, Account};
use archive_primitives::{AccountId20, Balance};
use archive_support::{DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin};

use crate::{storage::TotalIssuance, Call, Config, Event};
use archive_support::testing::decode_all;
pub use archive_support::testing::{account, apply, build_on};

/// The test runtime.
pub struct Test;

impl system::Config for Test {
    const INDEX: u8 = 0;
    const BLOCK_HASH_COUNT: u32 = 10;
}

impl Config for Test {
    const INDEX: u8 = 10;
    const EXISTENTIAL_DEPOSIT: Balance = 100;
    const MAX_LOCKS: u32 = 3;
}

/// The existential deposit of [`Test`].
pub const ED: Balance = 100;
/// `System`'s index in [`Test`].
pub const SYSTEM: u8 = <Test as system::Config>::INDEX;
/// `Balances`' index in [`Test`].
pub const BALANCES: u8 = <Test as Config>::INDEX;

/// Genesis balances of [`default_backend`].
pub const ALICE_FREE: Balance = 10_000;
pub const BOB_FREE: Balance = 5_000;
pub const CHARLIE_FREE: Balance = 1_000;

pub fn alice() -> AccountId20 {
    account(1)
}
pub fn bob() -> AccountId20 {
    account(2)
}
pub fn charlie() -> AccountId20 {
    account(3)
}
/// Never endowed.
pub fn dave() -> AccountId20 {
    account(4)
}

/// All accounts the tests use (for issuance checks).
pub fn everyone() -> [AccountId20; 4] {
    [alice(), bob(), charlie(), dave()]
}

/// Genesis state with each `(who, free)` endowed through `deposit_creating`.
pub fn new_backend(endowed: &[(AccountId20, Balance)]) -> MemoryBackend {
    let empty = MemoryBackend::default();
    let mut ext = Ext::new(&empty);
    for (who, free) in endowed {
        crate::deposit_creating::<Test>(&mut ext, who, *free).expect("genesis endowment is at least ED");
    }
    apply(&empty, ext.into_changes())
}

/// Alice, Bob and Charlie endowed with [`ALICE_FREE`], [`BOB_FREE`], [`CHARLIE_FREE`].
pub fn default_backend() -> MemoryBackend {
    new_backend(&[(alice(), ALICE_FREE), (bob(), BOB_FREE), (charlie(), CHARLIE_FREE)])
}

/// The runtime's `RuntimeEvent` as far as these two pallets go.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TestEvent {
    System(system::Event),
    Balances(Event),
}

/// Decodes one recorded event: `pallet_index ++ SCALE(pallet event)`.
pub fn decode_event(raw: &[u8]) -> TestEvent {
    match raw.split_first() {
        Some((&SYSTEM, rest)) => TestEvent::System(decode_all(rest)),
        Some((&BALANCES, rest)) => TestEvent::Balances(decode_all(rest)),
        other => panic!("event of an unknown pallet: {other:?}"),
    }
}

/// Every event recorded in `ext`, decoded, in order.
pub fn events(ext: &Ext<'_>) -> Vec<TestEvent> {
    ext.events().iter().map(|r| decode_event(&r.event)).collect()
}

/// Only the balances events recorded in `ext`.
pub fn balances_events(ext: &Ext<'_>) -> Vec<Event> {
    events(ext)
        .into_iter()
        .filter_map(|e| match e {
            TestEvent::Balances(e) => Some(e),
            TestEvent::System(_) => None,
        })
        .collect()
}

/// Dispatches `call` inside a storage transaction, exactly as the executive does.
pub fn dispatch(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    ext.transactional(|ext| crate::dispatch::<Test>(ext, origin, call))
}

/// Dispatches signed by `who`.
pub fn signed(ext: &mut Ext<'_>, who: AccountId20, call: Call) -> DispatchResult {
    dispatch(ext, RawOrigin::Signed(who), call)
}

/// The dispatch error of a balances `Error`.
pub fn balances_error(e: crate::Error) -> DispatchError {
    archive_support::dispatch::PalletError::into_dispatch(e, BALANCES)
}

/// Asserts that `call` from `origin` on `base` fails with `expected`, writes nothing and emits
/// nothing (Substrate's `assert_noop`).
pub fn assert_noop(base: &MemoryBackend, origin: RawOrigin, call: Call, expected: DispatchError) {
    archive_support::testing::assert_noop(base, dispatch, events, origin, call, expected);
}

/// `who`'s account record.
pub fn info(ext: &Ext<'_>, who: &AccountId20) -> Account {
    system::pallet::account(ext, who)
}

/// Free balance of `who`.
pub fn free(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    crate::free_balance(ext, who)
}

/// `TotalIssuance`, required to be set.
pub fn issuance(ext: &Ext<'_>) -> Balance {
    TotalIssuance::get(ext).expect("TotalIssuance is set")
}

/// Asserts that total issuance equals the sum of every test account's free + reserved.
pub fn assert_issuance_is_sum(ext: &Ext<'_>) {
    let sum: Balance = everyone().iter().map(|who| info(ext, who).data.total()).sum();
    assert_eq!(issuance(ext), sum, "TotalIssuance differs from the sum of balances");
}
