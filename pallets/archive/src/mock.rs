//! Test runtime for the archive pallet: a `Test` type configuring system, balances, identity
//! and archive, genesis helpers, event decoding, dispatch exactly as the runtime's executive
//! runs it, and a block driver that calls the hook.

use archive_pallet_balances as balances;
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_pallet_system as system;
use archive_primitives::{AccountId20, Balance, BlockNumber};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin};

use crate::{Call, Config, Event};
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
    const INDEX: u8 = 50;
}

/// The existential deposit of [`Test`].
pub const ED: Balance = 100;
/// `System`'s index in [`Test`].
pub const SYSTEM: u8 = <Test as system::Config>::INDEX;
/// `Balances`' index in [`Test`].
pub const BALANCES: u8 = <Test as balances::Config>::INDEX;
/// `Identity`'s index in [`Test`].
pub const IDENTITY: u8 = <Test as identity::Config>::INDEX;
/// `Archive`'s index in [`Test`].
pub const ARCHIVE: u8 = <Test as Config>::INDEX;

/// Genesis balances of [`default_backend`].
pub const ALICE_FREE: Balance = 10_000;
pub const BOB_FREE: Balance = 1_000;
pub const CHARLIE_FREE: Balance = 2_000;
pub const DAVE_FREE: Balance = 3_000;
pub const EVE_FREE: Balance = 4_000;
/// Total issuance of [`default_backend`].
pub const ISSUANCE: Balance = ALICE_FREE + BOB_FREE + CHARLIE_FREE + DAVE_FREE + EVE_FREE;

/// Genesis parameters of [`default_backend`].
pub const K: u32 = 3;
pub const REQUEST_EXPIRY: BlockNumber = 20;
pub const MIN_BOUNTY: Balance = 200;
pub const REWARD: Balance = 10;
/// The block [`default_backend`] starts at.
pub const START: BlockNumber = 1;

/// A requester with no role.
pub fn alice() -> AccountId20 {
    account(1)
}
/// An `Archiver`.
pub fn bob() -> AccountId20 {
    account(2)
}
/// An `Archiver`.
pub fn charlie() -> AccountId20 {
    account(3)
}
/// A `Validator`.
pub fn dave() -> AccountId20 {
    account(4)
}
/// A `Validator`.
pub fn eve() -> AccountId20 {
    account(5)
}
/// No role, never endowed.
pub fn ferdie() -> AccountId20 {
    account(6)
}
/// An `Admin` (so an `Archiver` by inheritance), never endowed.
pub fn grace() -> AccountId20 {
    account(7)
}

/// Genesis: the accounts above endowed and given their roles, the parameters above, block
/// number [`START`].
pub fn default_backend() -> MemoryBackend {
    build_on(&MemoryBackend::default(), |ext| {
        let endowed = [
            (alice(), ALICE_FREE),
            (bob(), BOB_FREE),
            (charlie(), CHARLIE_FREE),
            (dave(), DAVE_FREE),
            (eve(), EVE_FREE),
        ];
        for (who, free) in endowed {
            balances::deposit_creating::<Test>(ext, &who, free).expect("genesis endowment is at least ED");
        }
        let roles = vec![
            (bob(), Role::Archiver),
            (charlie(), Role::Archiver),
            (dave(), Role::Validator),
            (eve(), Role::Validator),
            (grace(), Role::Admin),
        ];
        identity::build_genesis::<Test>(ext, &identity::GenesisConfig { roles }).expect("genesis roles are valid");
        for (p, v) in [
            (Parameter::AttestationThreshold, u128::from(K)),
            (Parameter::RequestExpiry, u128::from(REQUEST_EXPIRY)),
            (Parameter::MinBounty, MIN_BOUNTY),
            (Parameter::AttestationReward, REWARD),
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
    Archive(Event),
}

/// Decodes one recorded event: `pallet_index ++ SCALE(pallet event)`.
pub fn decode_event(raw: &[u8]) -> TestEvent {
    match raw.split_first() {
        Some((&SYSTEM, rest)) => TestEvent::System(decode_all(rest)),
        Some((&BALANCES, rest)) => TestEvent::Balances(decode_all(rest)),
        Some((&IDENTITY, rest)) => TestEvent::Identity(decode_all(rest)),
        Some((&ARCHIVE, rest)) => TestEvent::Archive(decode_all(rest)),
        other => panic!("event of an unknown pallet: {other:?}"),
    }
}

/// Every event recorded in `ext`, decoded, in order.
pub fn events(ext: &Ext<'_>) -> Vec<TestEvent> {
    ext.events().iter().map(|r| decode_event(&r.event)).collect()
}

/// Only the archive events recorded in `ext`.
pub fn archive_events(ext: &Ext<'_>) -> Vec<Event> {
    events(ext)
        .into_iter()
        .filter_map(|e| match e {
            TestEvent::Archive(e) => Some(e),
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

/// The dispatch error of an archive `Error`.
pub fn archive_error(e: crate::Error) -> DispatchError {
    e.into_dispatch(ARCHIVE)
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

/// [`assert_noop`] signed by `who`.
pub fn assert_signed_noop(base: &MemoryBackend, who: AccountId20, call: Call, expected: crate::Error) {
    assert_noop(base, RawOrigin::Signed(who), call, archive_error(expected));
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

/// The URL most tests archive.
pub const URL: &[u8] = b"https://example.org/page";

/// A content hash made of one repeated byte.
pub fn hash(byte: u8) -> [u8; 32] {
    [byte; 32]
}

/// `request_archive` of `url`, depth 1, 10 pages.
pub fn request(url: &[u8], bounty: Balance) -> Call {
    Call::request_archive { url: url.to_vec(), depth: 1, max_pages: 10, bounty }
}

/// `submit_archive` of [`URL`] with content `hash(byte)` claiming `request`.
pub fn submit(byte: u8, request: Option<u64>) -> Call {
    submit_url(URL, byte, request)
}

/// `submit_archive` of `url` with content `hash(byte)` claiming `request`.
pub fn submit_url(url: &[u8], byte: u8, request: Option<u64>) -> Call {
    Call::submit_archive {
        url: url.to_vec(),
        content_hash: hash(byte),
        metadata_hash: [0xaa; 32],
        size: 4_096,
        mime: b"text/html".to_vec(),
        captured_at: 1_700_000_000_000,
        tags: vec![b"news".to_vec()],
        request,
    }
}

/// `attest` of `hash(byte)`.
pub fn attest(byte: u8, verdict: bool) -> Call {
    Call::attest { content_hash: hash(byte), verdict }
}

/// `default_backend` with Alice's request 0 for [`URL`] with a bounty of 500, made at [`START`].
pub fn with_request() -> MemoryBackend {
    build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, alice(), request(URL, 500)), Ok(()));
        ext.take_events();
    })
}

/// [`with_request`] plus Bob's record `hash(1)` claiming it.
pub fn with_submission() -> MemoryBackend {
    build_on(&with_request(), |ext| {
        assert_eq!(signed(ext, bob(), submit(1, Some(0))), Ok(()));
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
