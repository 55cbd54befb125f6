//! archive-pallet-governance: stake-weighted conviction voting on proposals that change chain
//! parameters, grant or revoke roles, and spend from the treasury.
//!
//! # What it owns
//! Storage (prefix "Governance", see [`storage`]): `ProposalCount`, `Proposals` (u32 →
//! [`ProposalInfo`]), `VotingOf` ((u32, AccountId20) → [`AccountVote`]), `Locks` (AccountId20 →
//! `Vec<(proposal, balance, unlock_at)>`) and `Live` (the indices the block hook looks at).
//! It also holds one balance lock per voter (id [`VOTE_LOCK_ID`] = `b"govvote "`) and the
//! proposers' deposits (as reserved balance).
//!
//! # Data flow
//! 1. `propose` (signed) reserves a deposit ≥ `MinProposalDeposit`, checks the proposal can be
//!    enacted as written, and opens voting until `voting_end = now + VotingPeriod`.
//! 2. `vote` (signed) counts `AccountVote { aye, conviction, balance }` until block
//!    `voting_end − 1`, locking `balance` (not spending it).
//! 3. [`on_initialize`] at block `voting_end` tallies; an approved proposal is enacted at the
//!    start of block `voting_end + EnactmentDelay` with root's authority, each enactment in its
//!    own storage transaction.
//! 4. `unlock` (anyone, for any account) releases vote locks once they expire.
//!
//! # Rules
//! - **Proposals**: `SetParameter` (value inside [`Parameter::range`](archive_pallet_parameters::Parameter::range),
//!   else `ValueOutOfRange`), `GrantRole`/`RevokeRole` (not `Guest`, else `InvalidRole`),
//!   `TreasurySpend` (amount > 0, else `ZeroAmount`). At most [`MAX_LIVE`] proposals are
//!   ongoing or waiting for enactment at once (`TooManyProposals`).
//! - **Vote weight** (stake-weighted; the balance may be bonded by staking too, since locks
//!   overlap): `balance ≤ free balance` (`InsufficientFunds`), `balance > 0` (`ZeroAmount`),
//!   conviction 0..=6 (`InvalidConviction`).
//!
//!   | conviction | weight          | locked after `voting_end` for |
//!   |-----------:|-----------------|-------------------------------|
//!   | 0          | balance / 10    | 0 blocks                      |
//!   | 1          | 1 × balance     | 1 × EnactmentDelay            |
//!   | 2          | 2 × balance     | 2 × EnactmentDelay            |
//!   | 3          | 3 × balance     | 4 × EnactmentDelay            |
//!   | 4          | 4 × balance     | 8 × EnactmentDelay            |
//!   | 5          | 5 × balance     | 16 × EnactmentDelay           |
//!   | 6          | 6 × balance     | 32 × EnactmentDelay           |
//!
//!   The lock lasts for every vote, whatever the outcome, and uses the `EnactmentDelay` in force
//!   when the vote was cast: a vote's `unlock_at = voting_end + EnactmentDelay × 2^(c−1)`
//!   (`voting_end` for c = 0) is fixed when it is cast, so the tally has no per-voter work. A vote
//!   on a proposal that is cancelled or killed stops locking at once.
//! - **Duplicate votes**: repeating the account's current vote exactly is `DuplicateVote`; any
//!   different vote replaces it: the old contribution is removed from the tally, the new one
//!   added (`VoteChanged`).
//! - **Locks**: the `govvote ` balance lock of an account is the largest balance among its
//!   `Locks` entries. `vote` drops entries whose `unlock_at` has passed; `unlock` also drops
//!   those of cancelled or killed proposals. An account may hold at most
//!   [`MAX_VOTES_PER_ACCOUNT`] locking votes (`TooManyVotes`).
//! - **Tally**: a proposal passes iff `turnout ≥ Quorum × total issuance` (rounded down) and
//!   `ayes > nays`; `ayes`/`nays` are conviction-weighted, `turnout` is the raw balance of every
//!   vote. Passed or rejected, the deposit is returned.
//! - **Cancel / kill**: only while `Ongoing`. `cancel` (the proposer) returns the deposit;
//!   `kill` (root or an identity `Admin`) slashes it to the treasury ([`TREASURY`]).
//! - **Enactment**: `SetParameter` → `parameters::set` (+ `ParameterChanged`);
//!   `GrantRole`/`RevokeRole` → identity's `grant_role`/`revoke_role` with `by = None`;
//!   `TreasurySpend` → a transfer from [`TREASURY`] that may reap it. A failure is recorded as
//!   `Enacted { ok: false }` with an `EnactmentFailed` event; it never aborts the block.
//! - Proposals and votes are kept after they end, as history.
//!
//! # Example
//! The runtime dispatches calls inside a storage transaction
//! (`ext.transactional(|ext| dispatch::<Runtime>(ext, origin, call))`) and runs
//! [`on_initialize`] before a block's extrinsics. The conviction rules are plain functions:
//! ```
//! use archive_pallet_governance::{unlock_at, vote_weight};
//! assert_eq!(vote_weight(1_000, 0), 100); // a tenth without conviction
//! assert_eq!(vote_weight(1_000, 3), 3_000);
//! // Voting ends at block 21, EnactmentDelay is 5: conviction 3 locks until 21 + 5 × 4.
//! assert_eq!(unlock_at(21, 3, 5), 41);
//! ```
//!
//! [`TREASURY`]: archive_pallet_parameters::TREASURY

mod hooks;
mod locks;
#[cfg(test)]
mod mock;
pub mod pallet;
pub mod storage;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use hooks::on_initialize;
pub use pallet::{deposit_event, dispatch, Call, Error, Event};
pub use types::{
    lock_periods, unlock_at, vote_weight, AccountVote, Proposal, ProposalInfo, ProposalStatus, Tally, VoteLock,
    MAX_CONVICTION,
};
pub use weights::call_weight;

use archive_primitives::AccountId20;
use archive_support::Ext;

/// Configuration of the governance pallet.
pub trait Config: archive_pallet_identity::Config {
    /// The pallet's index in the runtime.
    const INDEX: u8;
}

/// Most proposals live (ongoing or approved and waiting for enactment) at once: bounds the work
/// of [`on_initialize`] and the size of `Live`.
pub const MAX_LIVE: usize = 100;

/// Most vote locks (`Locks` entries) one account may hold: bounds `unlock`. Room for a vote on
/// every live proposal plus the conviction tails of recently ended ones.
pub const MAX_VOTES_PER_ACCOUNT: usize = 128;

/// The balance lock id under which votes are locked.
pub const VOTE_LOCK_ID: [u8; 8] = *b"govvote ";

/// The proposal at `index`, if any.
pub fn proposal(ext: &Ext<'_>, index: u32) -> Option<ProposalInfo> {
    storage::Proposals::get(ext, &index)
}

/// Every proposal: the live ones first (ascending), then the finished ones (ascending). For
/// RPC and the CLI; reads every proposal ever made.
pub fn proposals(ext: &Ext<'_>) -> Vec<(u32, ProposalInfo)> {
    let live = storage::Live::get_or_default(ext);
    let count = storage::ProposalCount::get_or_default(ext);
    let mut out: Vec<(u32, ProposalInfo)> =
        live.iter().filter_map(|&i| storage::Proposals::get(ext, &i).map(|p| (i, p))).collect();
    out.extend(
        (0..count).filter(|i| !live.contains(i)).filter_map(|i| storage::Proposals::get(ext, &i).map(|p| (i, p))),
    );
    out
}

/// `who`'s vote on proposal `index`, if any.
pub fn vote_of(ext: &Ext<'_>, index: u32, who: &AccountId20) -> Option<AccountVote> {
    storage::VotingOf::get(ext, &(index, *who))
}

/// `who`'s vote locks `(proposal, balance, unlock_at)`, including expired ones not yet dropped.
pub fn locks_of(ext: &Ext<'_>, who: &AccountId20) -> Vec<VoteLock> {
    storage::Locks::get_or_default(ext, who)
}
