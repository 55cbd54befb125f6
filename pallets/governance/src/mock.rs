//! Test runtime for the governance pallet: a `Test` type configuring system, balances, identity
//! and governance, genesis helpers, event decoding, dispatch exactly as the runtime's executive
//! runs it, and a block driver that calls the hook.

use archive_pallet_balances as balances;
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter, TREASURY};
use archive_pallet_system as system;
use archive_primitives::{AccountId20, Balance, BlockNumber};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin};

use crate::{AccountVote, Call, Config, Event, Proposal};
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

impl identity::Config for Test {
    const INDEX: u8 = identity::PALLET_INDEX;
}

impl Config for Test {
    const INDEX: u8 = 40;
}

/// The existential deposit of [`Test`].
pub const ED: Balance = 100;
/// `System`'s index in [`Test`].
pub const SYSTEM: u8 = <Test as system::Config>::INDEX;
/// `Balances`' index in [`Test`].
pub const BALANCES: u8 = <Test as balances::Config>::INDEX;
/// `Identity`'s index in [`Test`].
pub const IDENTITY: u8 = <Test as identity::Config>::INDEX;
/// `Governance`'s index in [`Test`].
pub const GOVERNANCE: u8 = <Test as Config>::INDEX;

/// Genesis balances of [`default_backend`].
pub const ALICE_FREE: Balance = 10_000;
pub const BOB_FREE: Balance = 20_000;
pub const CHARLIE_FREE: Balance = 30_000;
pub const DAVE_FREE: Balance = 5_000;
pub const EVE_FREE: Balance = 1_000;
pub const TREASURY_FREE: Balance = 50_000;
/// Total issuance of [`default_backend`].
pub const ISSUANCE: Balance = ALICE_FREE + BOB_FREE + CHARLIE_FREE + DAVE_FREE + EVE_FREE + TREASURY_FREE;

/// Genesis parameters of [`default_backend`] (chosen to fit the small balances above).
pub const MIN_DEPOSIT: Balance = 100;
pub const VOTING_PERIOD: BlockNumber = 20;
pub const ENACTMENT_DELAY: BlockNumber = 5;
/// 10 % in parts per billion: [`ISSUANCE`] / 10 = 11_600 must turn out.
pub const QUORUM: u128 = 100_000_000;
/// Turnout that meets the quorum in [`default_backend`].
pub const QUORUM_TURNOUT: Balance = ISSUANCE / 10;
/// The block [`default_backend`] starts at.
pub const START: BlockNumber = 1;

pub fn alice() -> AccountId20 {
    account(1)
}
pub fn bob() -> AccountId20 {
    account(2)
}
pub fn charlie() -> AccountId20 {
    account(3)
}
pub fn dave() -> AccountId20 {
    account(4)
}
/// Holds the identity `Admin` role in [`default_backend`].
pub fn eve() -> AccountId20 {
    account(5)
}
/// Never endowed.
pub fn ferdie() -> AccountId20 {
    account(6)
}

/// Genesis: the accounts above and the treasury endowed, Eve an `Admin`, the parameters above,
/// block number [`START`].
pub fn default_backend() -> MemoryBackend {
    build_on(&MemoryBackend::default(), |ext| {
        let endowed = [
            (alice(), ALICE_FREE),
            (bob(), BOB_FREE),
            (charlie(), CHARLIE_FREE),
            (dave(), DAVE_FREE),
            (eve(), EVE_FREE),
            (TREASURY, TREASURY_FREE),
        ];
        for (who, free) in endowed {
            balances::deposit_creating::<Test>(ext, &who, free).expect("genesis endowment is at least ED");
        }
        identity::grant_role::<Test>(ext, &eve(), Role::Admin, None).expect("eve is not an admin yet");
        for (p, v) in [
            (Parameter::MinProposalDeposit, MIN_DEPOSIT),
            (Parameter::VotingPeriod, u128::from(VOTING_PERIOD)),
            (Parameter::EnactmentDelay, u128::from(ENACTMENT_DELAY)),
            (Parameter::Quorum, QUORUM),
        ] {
            parameters::set(ext, p, v).expect("genesis parameter in range");
        }
        system::storage::Number::put(ext, &START);
        ext.take_events();
    })
}

/// The runtime's `RuntimeEvent` as far as these four pallets go.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TestEvent {
    System(system::Event),
    Balances(balances::Event),
    Identity(identity::Event),
    Governance(Event),
}

/// Decodes one recorded event: `pallet_index ++ SCALE(pallet event)`.
pub fn decode_event(raw: &[u8]) -> TestEvent {
    match raw.split_first() {
        Some((&SYSTEM, rest)) => TestEvent::System(decode_all(rest)),
        Some((&BALANCES, rest)) => TestEvent::Balances(decode_all(rest)),
        Some((&IDENTITY, rest)) => TestEvent::Identity(decode_all(rest)),
        Some((&GOVERNANCE, rest)) => TestEvent::Governance(decode_all(rest)),
        other => panic!("event of an unknown pallet: {other:?}"),
    }
}

/// Every event recorded in `ext`, decoded, in order.
pub fn events(ext: &Ext<'_>) -> Vec<TestEvent> {
    ext.events().iter().map(|r| decode_event(&r.event)).collect()
}

/// Only the governance events recorded in `ext`.
pub fn gov_events(ext: &Ext<'_>) -> Vec<Event> {
    events(ext)
        .into_iter()
        .filter_map(|e| match e {
            TestEvent::Governance(e) => Some(e),
            _ => None,
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

/// The dispatch error of a governance `Error`.
pub fn gov_error(e: crate::Error) -> DispatchError {
    e.into_dispatch(GOVERNANCE)
}

/// The dispatch error of a balances `Error`.
pub fn balances_error(e: balances::Error) -> DispatchError {
    e.into_dispatch(BALANCES)
}

/// The dispatch error of an identity `Error`.
pub fn identity_error(e: identity::Error) -> DispatchError {
    e.into_dispatch(IDENTITY)
}

/// Asserts that `call` from `origin` on `base` fails with `expected`, emits nothing and writes
/// nothing at all (not even unchanged values), so every storage item is as it was.
pub fn assert_noop(base: &MemoryBackend, origin: RawOrigin, call: Call, expected: DispatchError) {
    archive_support::testing::assert_noop(base, dispatch, events, origin, call, expected);
}

/// The block being built.
pub fn now(ext: &Ext<'_>) -> BlockNumber {
    system::pallet::block_number(ext)
}

/// Starts every block after the current one up to and including `n`, running the hook in each
/// (as the executive's `initialize_block` does).
pub fn run_to(ext: &mut Ext<'_>, n: BlockNumber) {
    for b in now(ext) + 1..=n {
        system::storage::Number::put(ext, &b);
        crate::on_initialize::<Test>(ext, b);
    }
}

/// `propose` with the minimum deposit.
pub fn propose(proposal: Proposal) -> Call {
    Call::propose { proposal, deposit: MIN_DEPOSIT }
}

/// `SetParameter { MaxValidators, value }`.
pub fn set_max_validators(value: u128) -> Proposal {
    Proposal::SetParameter { parameter: Parameter::MaxValidators, value }
}

/// `vote` on `index`.
pub fn vote(index: u32, aye: bool, conviction: u8, balance: Balance) -> Call {
    Call::vote { index, vote: AccountVote { aye, conviction, balance } }
}

/// `default_backend` with Alice's proposal 0 (`max_validators = 7`) submitted at [`START`].
pub fn with_proposal() -> MemoryBackend {
    build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, alice(), propose(set_max_validators(7))), Ok(()));
        ext.take_events();
    })
}

/// Free balance of `who`.
pub fn free(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    balances::free_balance(ext, who)
}

/// Reserved balance of `who`.
pub fn reserved(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    balances::reserved_balance(ext, who)
}

/// Frozen (largest lock) balance of `who`.
pub fn frozen(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    system::pallet::account(ext, who).data.frozen
}

/// The `govvote ` balance lock of `who`, if any.
pub fn vote_lock(ext: &Ext<'_>, who: &AccountId20) -> Option<Balance> {
    balances::storage::Locks::get_or_default(ext, who)
        .into_iter()
        .find(|l| l.id == crate::VOTE_LOCK_ID)
        .map(|l| l.amount)
}
