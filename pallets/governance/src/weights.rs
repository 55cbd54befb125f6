//! Weights of the governance calls and block hook.
//!
//! **Not benchmarked yet**: every figure is an estimate counted from the storage accesses of the
//! worst case, priced by analogy with balances' measured transfer (`TRANSFER_WEIGHT`: two
//! reads, two writes and an event ≈ 30 µs), i.e. [`READ`] = 5 µs and [`WRITE`] = 10 µs. Proof
//! sizes add the largest encoded value of each item read (an account record is 3,593 bytes as
//! balances counts it). Replace with `benchmarking.rs` measurements when they exist.

use archive_support::Weight;

use crate::{pallet::Call, MAX_LIVE, MAX_VOTES_PER_ACCOUNT};

/// One storage read, in picoseconds (estimate, see the module docs).
pub const READ: u64 = 5_000_000;
/// One storage write, in picoseconds (estimate, see the module docs).
pub const WRITE: u64 = 10_000_000;
/// Proof bytes of one `System.Account` record (the figure balances uses).
pub const ACCOUNT_PROOF: u64 = 3_593;
/// Proof bytes of one `Governance.Proposals` record: a 60-byte key plus a `ProposalInfo` of at
/// most ~140 bytes.
pub const PROPOSAL_PROOF: u64 = 200;
/// Proof bytes of `Governance.Live`: up to [`MAX_LIVE`] indices of 4 bytes plus a key.
pub const LIVE_PROOF: u64 = 4 * MAX_LIVE as u64 + 40;
/// Proof bytes of one account's `Governance.Locks`: up to [`MAX_VOTES_PER_ACCOUNT`] entries of
/// 24 bytes plus a key.
pub const VOTE_LOCKS_PROOF: u64 = 24 * MAX_VOTES_PER_ACCOUNT as u64 + 80;
/// Proof bytes of a parameter value, a block number or a small balances item.
pub const SMALL_PROOF: u64 = 100;

/// `propose`: reads block number, two parameters, `Live`, the account, `ProposalCount`; writes
/// the account, `ProposalCount`, the proposal and `Live`.
pub const PROPOSE: Weight =
    Weight::from_parts(6 * READ + 4 * WRITE, ACCOUNT_PROOF + LIVE_PROOF + PROPOSAL_PROOF + 3 * SMALL_PROOF);
/// `vote`: reads the proposal, block number, a parameter, the account, the old vote, the vote
/// locks and balances' locks; writes the last five (vote locks pruned by time only, no reads).
pub const VOTE: Weight =
    Weight::from_parts(7 * READ + 5 * WRITE, ACCOUNT_PROOF + PROPOSAL_PROOF + VOTE_LOCKS_PROOF + 4 * SMALL_PROOF);
/// `cancel`: reads and writes the proposal, the proposer's account and `Live`.
pub const CANCEL: Weight = Weight::from_parts(3 * READ + 3 * WRITE, ACCOUNT_PROOF + PROPOSAL_PROOF + LIVE_PROOF);
/// `kill`: as `cancel`, plus the admin's role, the treasury account and total issuance (read
/// and written twice by slash and deposit).
pub const KILL: Weight =
    Weight::from_parts(6 * READ + 6 * WRITE, 2 * ACCOUNT_PROOF + PROPOSAL_PROOF + LIVE_PROOF + 2 * SMALL_PROOF);
/// `unlock`: reads block number, the vote locks, one proposal per lock (worst case
/// [`MAX_VOTES_PER_ACCOUNT`]), balances' locks and the account; writes the last three.
pub const UNLOCK: Weight = Weight::from_parts(
    (4 + MAX_VOTES_PER_ACCOUNT as u64) * READ + 3 * WRITE,
    ACCOUNT_PROOF + VOTE_LOCKS_PROOF + MAX_VOTES_PER_ACCOUNT as u64 * PROPOSAL_PROOF + 2 * SMALL_PROOF,
);

/// Hook base: reads and writes `Live`.
pub const HOOK_BASE: Weight = Weight::from_parts(READ + WRITE, LIVE_PROOF);
/// Hook, per live proposal: reads its record.
pub const HOOK_PER_LIVE: Weight = Weight::from_parts(READ, PROPOSAL_PROOF);
/// Hook, per tally: three parameters, total issuance, the proposer's account (read and
/// written), the proposal (written).
pub const HOOK_PER_TALLY: Weight = Weight::from_parts(5 * READ + 2 * WRITE, ACCOUNT_PROOF + 4 * SMALL_PROOF);
/// Hook, per enactment: the costliest effect is a treasury transfer (two accounts read and
/// written, like balances' `TRANSFER_WEIGHT`), plus writing the proposal.
pub const HOOK_PER_ENACTMENT: Weight = Weight::from_parts(2 * READ + 3 * WRITE, 2 * ACCOUNT_PROOF);

/// The weight of `call` (its worst case: weights are charged before dispatch).
pub fn call_weight(call: &Call) -> Weight {
    match call {
        Call::propose { .. } => PROPOSE,
        Call::vote { .. } => VOTE,
        Call::cancel { .. } => CANCEL,
        Call::kill { .. } => KILL,
        Call::unlock { .. } => UNLOCK,
    }
}

/// Scales `w` by `n` (saturating).
const fn times(w: Weight, n: u64) -> Weight {
    Weight::from_parts(w.ref_time.saturating_mul(n), w.proof_size.saturating_mul(n))
}

/// The weight of `on_initialize` that looked at `live` proposals, tallied `tallied` and enacted
/// `enacted` of them.
pub fn on_initialize(live: u64, tallied: u64, enacted: u64) -> Weight {
    HOOK_BASE
        .saturating_add(times(HOOK_PER_LIVE, live))
        .saturating_add(times(HOOK_PER_TALLY, tallied))
        .saturating_add(times(HOOK_PER_ENACTMENT, enacted))
}

const fn max(a: u64, b: u64) -> u64 {
    if a > b {
        a
    } else {
        b
    }
}

/// The most `on_initialize` can weigh: each of [`MAX_LIVE`] proposals tallied or enacted (never
/// both in one block, since `EnactmentDelay ≥ 1`), each priced at the dearer of the two.
pub const fn on_initialize_max() -> Weight {
    let n = MAX_LIVE as u64;
    let per = Weight::from_parts(
        max(HOOK_PER_TALLY.ref_time, HOOK_PER_ENACTMENT.ref_time),
        max(HOOK_PER_TALLY.proof_size, HOOK_PER_ENACTMENT.proof_size),
    );
    HOOK_BASE.saturating_add(times(HOOK_PER_LIVE, n)).saturating_add(times(per, n))
}
