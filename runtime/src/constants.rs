//! Chain parameters fixed in the runtime (each with its unit and reason).

use archive_primitives::{Balance, ARC};
use archive_support::Weight;

/// Runtime spec version (bumped on any state-transition change).
pub const SPEC_VERSION: u32 = 1;
/// Transaction version (bumped on extrinsic-format or call-index changes).
pub const TRANSACTION_VERSION: u32 = 1;

/// Pallet indices (first byte of calls/events/errors): wire format, never reuse.
pub const SYSTEM_INDEX: u8 = 0;
/// See [`SYSTEM_INDEX`]. The validator set (storage only).
pub const SESSION_INDEX: u8 = 5;
/// See [`SYSTEM_INDEX`]. 10, as Moonbeam, to leave room for core pallets.
pub const BALANCES_INDEX: u8 = 10;
/// The parameters pallet's index (storage only: governable chain parameters).
pub const PARAMETERS_INDEX: u8 = 8;
/// The identity pallet's index (identities and roles). Fixed: the pallet reports
/// `MissingRole` under this index (`archive_pallet_identity::PALLET_INDEX`).
pub const IDENTITY_INDEX: u8 = archive_pallet_identity::PALLET_INDEX;
/// The staking pallet's index.
pub const STAKING_INDEX: u8 = 30;
/// The governance pallet's index.
pub const GOVERNANCE_INDEX: u8 = 40;
/// The archive pallet's index.
pub const ARCHIVE_INDEX: u8 = 50;

/// Block hashes kept for mortality checks: 2400 blocks (80 min at 2 s), Substrate's default.
pub const BLOCK_HASH_COUNT: u32 = 2400;
/// Reported by `System.SS58Prefix` (unused by Ethereum-style addresses; clients read it).
pub const SS58_PREFIX: u16 = 42;

/// Smallest balance an account may hold: 0.001 ARC (prevents dust accounts bloating state).
pub const EXISTENTIAL_DEPOSIT: Balance = ARC / 1_000;
/// Locks per account (staking, governance, and room for more).
pub const MAX_LOCKS: u32 = 50;

/// Weight of one second of computation on the reference machine, in picoseconds.
pub const WEIGHT_REF_TIME_PER_SECOND: u64 = 1_000_000_000_000;
/// Block weight limit: 2 s of computation (the dev slot is 2 s; import must keep up). Proof
/// size is unlimited: a solo chain ships no storage proofs (as Substrate solo chains configure).
pub const MAX_BLOCK_WEIGHT: Weight = Weight::from_parts(2 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX);
/// Share of block weight and length ordinary transactions may use (the rest is operational).
pub const NORMAL_DISPATCH_RATIO_PERCENT: u64 = 75;
/// Block length limit: 5 MiB.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// Weight charged for every extrinsic on top of its call: decoding, one secp256k1 recovery
/// (~70 µs with k256 on one core), nonce and fee bookkeeping.
pub const EXTRINSIC_BASE_WEIGHT: Weight = Weight::from_parts(80_000_000, 0);

// Fee rates are governance parameters (`Parameter::WeightFeePerRefTime`, default 10^6 per
// ref-time unit, so the base weight costs 0.00008 ARC; `Parameter::LengthFeePerByte`, default
// 0.000001 ARC per byte; a transfer is ~150 bytes).

/// Highest nonce ahead of an account's next nonce the pool accepts (limits future-queue spam).
pub const MAX_NONCE_AHEAD: u32 = 64;

/// The normal-class share of the block weight.
pub fn max_normal_weight() -> Weight {
    Weight::from_parts(
        MAX_BLOCK_WEIGHT.ref_time / 100 * NORMAL_DISPATCH_RATIO_PERCENT,
        MAX_BLOCK_WEIGHT.proof_size / 100 * NORMAL_DISPATCH_RATIO_PERCENT,
    )
}

/// The normal-class share of the block length.
pub fn max_normal_length() -> u32 {
    (MAX_BLOCK_LENGTH as u64 * NORMAL_DISPATCH_RATIO_PERCENT / 100) as u32
}
