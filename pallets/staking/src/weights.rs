//! Weights of the staking calls and hooks.
//!
//! **Estimates, not yet benchmarks** (no `benchmarking.rs` run has produced these): each
//! storage read is counted as 5 µs and each write as 10 µs of ref time — the costs that
//! reproduce balances' measured `TRANSFER_WEIGHT` (2 reads + 2 writes ≈ 30 µs) — and each
//! secp256k1 public-key recovery as 100 µs. Proof sizes assume about 128 bytes per item read.
//! Replace with `archivechain benchmark` output when the pallet is benchmarked.

use archive_support::Weight;

use crate::{HISTORY_DEPTH, MAX_EXPOSED_NOMINATORS};

/// One storage read, in picoseconds.
const READ: u64 = 5_000_000;
/// One storage write, in picoseconds.
const WRITE: u64 = 10_000_000;
/// One ECDSA public-key recovery, in picoseconds.
const RECOVER: u64 = 100_000_000;
/// Proof bytes per item read.
const ITEM_PROOF: u64 = 128;

const fn weight(reads: u64, writes: u64) -> Weight {
    Weight::from_parts(reads * READ + writes * WRITE, reads * ITEM_PROOF)
}

/// `bond`, `bond_extra`: ledger, locks, account (twice), parameters; writes ledger, locks, account.
pub const BOND: Weight = weight(5, 3);
/// `unbond`, `rebond`: ledger, candidate, two parameters, lists; writes ledger, lists, intents.
pub const UNBOND: Weight = weight(6, 5);
/// `withdraw_unbonded`: as `bond` plus removing the ledger and intents.
pub const WITHDRAW_UNBONDED: Weight = weight(7, 6);
/// `validate`: ledger, identity, parameter, nominator, candidate list; writes four items.
pub const VALIDATE: Weight = weight(6, 4);
/// `chill`: ledger, both intents and lists; writes four items.
pub const CHILL: Weight = weight(5, 4);

/// `nominate` with `targets` targets: one read per target on top of the fixed part.
pub fn nominate(targets: usize) -> Weight {
    let t = u64::try_from(targets).unwrap_or(u64::MAX);
    weight(5u64.saturating_add(t), 4)
}

/// `report_equivocation`, worst case: two recoveries per recent era's set tried, then one
/// slash (5 reads, 5 writes) of the offender and of each of up to [`MAX_EXPOSED_NOMINATORS`]
/// exposed nominators, the set update and two payouts.
pub const REPORT_EQUIVOCATION: Weight = {
    let slashes = 1 + MAX_EXPOSED_NOMINATORS as u64;
    let base = weight(10 + 5 * slashes, 10 + 5 * slashes);
    Weight::from_parts(base.ref_time + 2 * HISTORY_DEPTH as u64 * RECOVER, base.proof_size)
};

/// `on_initialize` without slot accounting: the block reward (account, issuance) and `LastSlot`.
pub const ON_INITIALIZE_BASE: Weight = weight(5, 4);

/// Uptime accounting of `slots` counter updates (one read and one write each).
pub fn per_slot(slots: u64) -> Weight {
    Weight::from_parts(slots.saturating_mul(READ + WRITE), slots.saturating_mul(ITEM_PROOF))
}
