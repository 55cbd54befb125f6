//! Test runtime for the staking pallet: a `Test` type configuring system, balances, identity
//! and staking; genesis with three bonded validators; event decoding; dispatch exactly as the
//! executive runs it; and a block driver calling the hooks slot by slot.

use archive_pallet_balances as balances;
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_pallet_session as session;
use archive_pallet_system as system;
use archive_primitives::{crypto::dev, AccountId20, Balance, Pair, Perbill, H256};
use archive_support::{
    dispatch::PalletError,
    storage::{Blake2_128Concat, StorageInstance, StorageMap},
    DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin,
};

use crate::{ArchiveStats, Call, Config, Event, GenesisConfig};
use archive_support::testing::decode_all;
pub use archive_support::testing::{account, apply, build_on};

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
    const INDEX: u8 = 30;
    type ArchiveStats = TestStats;
}

/// Storage instance of the test-only archive statistics.
pub struct StatsP;
impl StorageInstance for StatsP {
    const PALLET: &'static str = "TestArchive";
    const ITEM: &'static str = "Stats";
}
/// Archive statistics the tests set per account.
pub type Stats = StorageMap<StatsP, Blake2_128Concat, AccountId20, (u32, Perbill)>;

/// [`ArchiveStats`] read from [`Stats`] (zero when unset).
pub struct TestStats;
impl ArchiveStats for TestStats {
    fn stats(ext: &Ext<'_>, who: &AccountId20) -> (u32, Perbill) {
        Stats::get(ext, who).unwrap_or((0, Perbill::zero()))
    }
}

/// The existential deposit of [`Test`].
pub const ED: Balance = 100;
pub const SYSTEM: u8 = <Test as system::Config>::INDEX;
pub const BALANCES: u8 = <Test as balances::Config>::INDEX;
pub const IDENTITY: u8 = <Test as identity::Config>::INDEX;
pub const STAKING: u8 = <Test as Config>::INDEX;

/// Parameters of [`default_backend`].
pub const MIN_VALIDATOR_BOND: Balance = 1_000;
pub const MAX_VALIDATORS: u128 = 3;
pub const ERA_LENGTH: u32 = 5;
pub const UNBONDING_ERAS: u32 = 2;
pub const BLOCK_REWARD: Balance = 10;
pub const ERA_REWARD: Balance = 1_000;
/// Genesis balances.
pub const VALIDATOR_FREE: Balance = 100_000;
pub const NOMINATOR_FREE: Balance = 50_000;
pub const REPORTER_FREE: Balance = 10_000;
pub const POOR_FREE: Balance = 500;
/// Genesis bond of each of the three genesis validators.
pub const GENESIS_BOND: Balance = 10_000;
/// The genesis hash evidence is signed for (`System.BlockHash[0]`).
pub const GENESIS_HASH: H256 = H256([7; 32]);

/// The key pair of dev account `name`.
pub fn pair(name: &str) -> Pair {
    dev::pair(name).expect("a dev account")
}
pub fn alith() -> AccountId20 {
    pair("alith").account()
}
pub fn baltathar() -> AccountId20 {
    pair("baltathar").account()
}
pub fn charleth() -> AccountId20 {
    pair("charleth").account()
}
/// Has the Validator role and funds but no bond at genesis.
pub fn dorothy() -> AccountId20 {
    pair("dorothy").account()
}
/// The reporter: funds, no role, no bond.
pub fn ethan() -> AccountId20 {
    pair("ethan").account()
}
/// Nominators (funded, unbonded).
pub fn nom1() -> AccountId20 {
    account(0x11)
}
pub fn nom2() -> AccountId20 {
    account(0x12)
}
/// Funded with less than [`MIN_VALIDATOR_BOND`].
pub fn poor() -> AccountId20 {
    account(0x13)
}
/// Never endowed.
pub fn nobody() -> AccountId20 {
    account(0x14)
}

/// Every endowed account (for issuance checks).
pub fn everyone() -> Vec<AccountId20> {
    vec![alith(), baltathar(), charleth(), dorothy(), ethan(), nom1(), nom2(), poor(), parameters::TREASURY]
}

/// `accounts` sorted ascending (the slot order of a set).
pub fn sorted(mut accounts: Vec<AccountId20>) -> Vec<AccountId20> {
    accounts.sort();
    accounts
}

/// The genesis validator set: alith, baltathar, charleth in account order.
pub fn genesis_set() -> Vec<AccountId20> {
    sorted(vec![alith(), baltathar(), charleth()])
}

/// Genesis as the runtime builds it: endowments, roles, session set, parameters, block 0's
/// hash, then staking's genesis with alith, baltathar and charleth bonded [`GENESIS_BOND`].
pub fn default_backend() -> MemoryBackend {
    build_on(&MemoryBackend::default(), |ext| {
        for who in [alith(), baltathar(), charleth(), dorothy()] {
            balances::deposit_creating::<Test>(ext, &who, VALIDATOR_FREE).expect("endowment");
            identity::grant_role::<Test>(ext, &who, Role::Validator, None).expect("role");
        }
        for (who, free) in
            [(ethan(), REPORTER_FREE), (nom1(), NOMINATOR_FREE), (nom2(), NOMINATOR_FREE), (poor(), POOR_FREE)]
        {
            balances::deposit_creating::<Test>(ext, &who, free).expect("endowment");
        }
        for (p, v) in [
            (Parameter::MinValidatorBond, MIN_VALIDATOR_BOND),
            (Parameter::MaxValidators, MAX_VALIDATORS),
            (Parameter::EraLength, u128::from(ERA_LENGTH)),
            (Parameter::UnbondingEras, u128::from(UNBONDING_ERAS)),
            (Parameter::BlockReward, BLOCK_REWARD),
            (Parameter::EraReward, ERA_REWARD),
        ] {
            parameters::set(ext, p, v).expect("in range");
        }
        session::set_validators(ext, &genesis_set());
        system::storage::BlockHash::insert(ext, &0, &GENESIS_HASH);
        let stakers = vec![(alith(), GENESIS_BOND), (baltathar(), GENESIS_BOND), (charleth(), GENESIS_BOND)];
        crate::build_genesis::<Test>(ext, &GenesisConfig { stakers }).expect("valid genesis");
        ext.take_events();
    })
}

/// The runtime's `RuntimeEvent` as far as these pallets go.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TestEvent {
    System(system::Event),
    Balances(balances::Event),
    Identity(identity::Event),
    Staking(Event),
}

/// Decodes one recorded event: `pallet_index ++ SCALE(pallet event)`.
pub fn decode_event(raw: &[u8]) -> TestEvent {
    match raw.split_first() {
        Some((&SYSTEM, rest)) => TestEvent::System(decode_all(rest)),
        Some((&BALANCES, rest)) => TestEvent::Balances(decode_all(rest)),
        Some((&IDENTITY, rest)) => TestEvent::Identity(decode_all(rest)),
        Some((&STAKING, rest)) => TestEvent::Staking(decode_all(rest)),
        other => panic!("event of an unknown pallet: {other:?}"),
    }
}

/// Every event recorded in `ext`, decoded, in order.
pub fn events(ext: &Ext<'_>) -> Vec<TestEvent> {
    ext.events().iter().map(|r| decode_event(&r.event)).collect()
}

/// Only the staking events recorded in `ext`.
pub fn staking_events(ext: &Ext<'_>) -> Vec<Event> {
    events(ext)
        .into_iter()
        .filter_map(|e| match e {
            TestEvent::Staking(e) => Some(e),
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

/// [`signed`], required to succeed.
pub fn ok(ext: &mut Ext<'_>, who: AccountId20, call: Call) {
    let shown = format!("{call:?}");
    assert_eq!(signed(ext, who, call), Ok(()), "{shown}");
}

/// The dispatch error of a staking `Error`.
pub fn staking_error(e: crate::Error) -> DispatchError {
    e.into_dispatch(STAKING)
}

/// Asserts that `call` from `origin` on `base` fails with `expected`, writes nothing and emits
/// nothing (Substrate's `assert_noop`).
pub fn assert_noop(base: &MemoryBackend, origin: RawOrigin, call: Call, expected: DispatchError) {
    archive_support::testing::assert_noop(base, dispatch, events, origin, call, expected);
}

/// [`assert_noop`] for a signed origin and a staking error.
pub fn assert_fails(base: &MemoryBackend, who: AccountId20, call: Call, e: crate::Error) {
    assert_noop(base, RawOrigin::Signed(who), call, staking_error(e));
}

/// Free balance of `who`.
pub fn free(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    balances::free_balance(ext, who)
}

/// `who`'s frozen (locked) balance.
pub fn frozen(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    system::pallet::account(ext, who).data.frozen
}

/// Total issuance.
pub fn issuance(ext: &Ext<'_>) -> Balance {
    balances::total_issuance(ext)
}

/// Asserts that total issuance equals the sum of every known account's balance.
pub fn assert_issuance_is_sum(ext: &Ext<'_>) {
    let sum: Balance = everyone().iter().map(|w| system::pallet::account(ext, w).data.total()).sum();
    assert_eq!(issuance(ext), sum, "TotalIssuance differs from the sum of balances");
}

/// Produces one block: the next slot whose author (`Session.Validators[s % n]`) is not in
/// `offline` is authored; slots of offline validators are skipped. Returns (block, slot).
pub fn next_block(ext: &mut Ext<'_>, offline: &[AccountId20]) -> (u32, u64) {
    let number = system::pallet::block_number(ext) + 1;
    system::storage::Number::put(ext, &number);
    let set = session::validators(ext);
    let n = set.len() as u64;
    let mut slot = crate::storage::LastSlot::get(ext).map_or(1, |s| s + 1);
    while offline.contains(&set[(slot % n) as usize]) {
        slot += 1;
    }
    let author = set[(slot % n) as usize];
    crate::on_initialize::<Test>(ext, number, slot, author);
    crate::on_finalize::<Test>(ext, number);
    (number, slot)
}

/// Produces blocks until block `target` (all validators online).
pub fn run_to_block(ext: &mut Ext<'_>, target: u32) {
    while system::pallet::block_number(ext) < target {
        next_block(ext, &[]);
    }
}

/// Produces blocks until the active era is `era` (its first block not yet produced), with
/// `offline` validators skipping their slots.
pub fn run_to_era(ext: &mut Ext<'_>, era: u32, offline: &[AccountId20]) {
    while crate::era(ext).index < era {
        next_block(ext, offline);
    }
}
