//! Test runtime for the identity pallet: a `Test` type configuring system, balances and identity,
//! genesis helpers, event decoding and dispatch exactly as the runtime's executive runs it.

use archive_pallet_balances as balances;
use archive_pallet_system as system;
use archive_primitives::{AccountId20, Balance, ARC};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin};

use crate::{Call, Config, Event, IdentityInfo, Role};
use archive_support::testing::decode_all;
pub use archive_support::testing::{account, build_on};

/// The test runtime.
pub struct Test;

impl system::Config for Test {
    const INDEX: u8 = 0;
    const BLOCK_HASH_COUNT: u32 = 10;
}

impl balances::Config for Test {
    const INDEX: u8 = 10;
    const EXISTENTIAL_DEPOSIT: Balance = ED;
    const MAX_LOCKS: u32 = 3;
}

impl Config for Test {
    const INDEX: u8 = crate::PALLET_INDEX;
}

/// The existential deposit of [`Test`].
pub const ED: Balance = ARC / 100;
/// The default `IdentityDeposit` parameter.
pub const DEPOSIT: Balance = ARC;
/// `System`'s index in [`Test`].
pub const SYSTEM: u8 = <Test as system::Config>::INDEX;
/// `Balances`' index in [`Test`].
pub const BALANCES: u8 = <Test as balances::Config>::INDEX;
/// `Identity`'s index in [`Test`].
pub const IDENTITY: u8 = <Test as Config>::INDEX;

/// Genesis balances of [`default_backend`].
pub const ALICE_FREE: Balance = 100 * ARC;
pub const BOB_FREE: Balance = 50 * ARC;
/// Less than [`DEPOSIT`].
pub const CHARLIE_FREE: Balance = ARC / 2;

/// Governance's admin in [`default_backend`].
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

/// Alice, Bob and Charlie endowed with [`ALICE_FREE`], [`BOB_FREE`], [`CHARLIE_FREE`]; Alice is
/// an `Admin` (granted at genesis).
pub fn default_backend() -> MemoryBackend {
    build_on(&MemoryBackend::default(), |ext| {
        for (who, free) in [(alice(), ALICE_FREE), (bob(), BOB_FREE), (charlie(), CHARLIE_FREE)] {
            balances::deposit_creating::<Test>(ext, &who, free).expect("genesis endowment is at least ED");
        }
        let genesis = crate::GenesisConfig { roles: vec![(alice(), Role::Admin)] };
        crate::build_genesis::<Test>(ext, &genesis).expect("genesis roles are valid");
    })
}

/// The runtime's `RuntimeEvent` as far as these three pallets go.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TestEvent {
    System(system::Event),
    Balances(balances::Event),
    Identity(Event),
}

/// Decodes one recorded event: `pallet_index ++ SCALE(pallet event)`.
pub fn decode_event(raw: &[u8]) -> TestEvent {
    match raw.split_first() {
        Some((&SYSTEM, rest)) => TestEvent::System(decode_all(rest)),
        Some((&BALANCES, rest)) => TestEvent::Balances(decode_all(rest)),
        Some((&IDENTITY, rest)) => TestEvent::Identity(decode_all(rest)),
        other => panic!("event of an unknown pallet: {other:?}"),
    }
}

/// Every event recorded in `ext`, decoded, in order.
pub fn events(ext: &Ext<'_>) -> Vec<TestEvent> {
    ext.events().iter().map(|r| decode_event(&r.event)).collect()
}

/// Dispatches `call` inside a storage transaction, exactly as the executive does.
pub fn dispatch(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    ext.transactional(|ext| crate::dispatch::<Test>(ext, origin, call))
}

/// Dispatches signed by `who`.
pub fn signed(ext: &mut Ext<'_>, who: AccountId20, call: Call) -> DispatchResult {
    dispatch(ext, RawOrigin::Signed(who), call)
}

/// The dispatch error of an identity `Error`.
pub fn identity_error(e: crate::Error) -> DispatchError {
    e.into_dispatch(IDENTITY)
}

/// Asserts that `call` from `origin` on `base` fails with `expected`, emits nothing and leaves
/// every storage entry as it was (Substrate's `assert_noop`, on a full-state snapshot).
pub fn assert_noop(base: &MemoryBackend, origin: RawOrigin, call: Call, expected: DispatchError) {
    archive_support::testing::assert_noop(base, dispatch, events, origin, call, expected);
}

/// An identity with only a display name.
pub fn named(display: &str) -> IdentityInfo {
    IdentityInfo { display: display.as_bytes().to_vec(), web: None, email_hash: None }
}

/// `set_identity` with [`named`].
pub fn set_named(display: &str) -> Call {
    Call::set_identity { info: named(display) }
}

/// Free balance of `who`.
pub fn free(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    balances::free_balance(ext, who)
}

/// Reserved balance of `who`.
pub fn reserved(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    balances::reserved_balance(ext, who)
}

/// Sets the `IdentityDeposit` parameter (as an enacted governance proposal would).
pub fn set_deposit(ext: &mut Ext<'_>, value: Balance) {
    archive_pallet_parameters::set(ext, archive_pallet_parameters::Parameter::IdentityDeposit, value)
        .expect("deposit inside the parameter's range");
}
