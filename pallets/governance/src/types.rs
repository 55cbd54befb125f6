//! Proposals, votes, tallies and the conviction rules (metadata path `pallet_governance::types::*`).

use archive_pallet_identity::Role;
use archive_pallet_parameters::Parameter;
use archive_primitives::{AccountId20, Balance, BlockNumber};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// What an approved proposal does when enacted (codec indices are wire format: append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub enum Proposal {
    /// Set a chain parameter; `value` must lie inside [`Parameter::range`].
    #[codec(index = 0)]
    SetParameter { parameter: Parameter, value: u128 },
    /// Grant `role` to `who` (any role but `Guest`, which everyone has).
    #[codec(index = 1)]
    GrantRole { who: AccountId20, role: Role },
    /// Revoke `role` from `who` (any role but `Guest`).
    #[codec(index = 2)]
    RevokeRole { who: AccountId20, role: Role },
    /// Pay `amount` (> 0) from the treasury to `to`.
    #[codec(index = 3)]
    TreasurySpend {
        to: AccountId20,
        #[codec(compact)]
        amount: Balance,
    },
}

/// One account's vote on one proposal.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub struct AccountVote {
    /// `true` for aye, `false` for nay.
    pub aye: bool,
    /// 0..=[`MAX_CONVICTION`]: see [`vote_weight`] and [`lock_periods`].
    pub conviction: u8,
    /// The balance voted with (locked, not spent); at most the voter's free balance.
    #[codec(compact)]
    pub balance: Balance,
}

/// Votes counted on a proposal.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub struct Tally {
    /// Conviction-weighted aye votes.
    pub ayes: Balance,
    /// Conviction-weighted nay votes.
    pub nays: Balance,
    /// Raw balance of every vote, aye or nay (conviction ignored): compared with the quorum.
    pub turnout: Balance,
}

impl Tally {
    /// Adds `vote`'s contribution (saturating; balances are bounded by total issuance).
    pub fn add(&mut self, vote: &AccountVote) {
        let weight = vote_weight(vote.balance, vote.conviction);
        if vote.aye {
            self.ayes = self.ayes.saturating_add(weight);
        } else {
            self.nays = self.nays.saturating_add(weight);
        }
        self.turnout = self.turnout.saturating_add(vote.balance);
    }

    /// Removes a contribution previously made by [`Tally::add`] with the same `vote`.
    pub fn remove(&mut self, vote: &AccountVote) {
        let weight = vote_weight(vote.balance, vote.conviction);
        if vote.aye {
            self.ayes = self.ayes.saturating_sub(weight);
        } else {
            self.nays = self.nays.saturating_sub(weight);
        }
        self.turnout = self.turnout.saturating_sub(vote.balance);
    }
}

/// Where a proposal is in its life cycle (codec indices are wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub enum ProposalStatus {
    /// Open for votes until `voting_end`.
    #[codec(index = 0)]
    Ongoing,
    /// Passed; enacted at the start of block `enact_at`.
    #[codec(index = 1)]
    Approved { enact_at: BlockNumber },
    /// Failed the quorum or had no aye majority.
    #[codec(index = 2)]
    Rejected,
    /// Withdrawn by its proposer; the deposit was returned.
    #[codec(index = 3)]
    Cancelled,
    /// Removed as spam by root or an admin; the deposit went to the treasury.
    #[codec(index = 4)]
    Killed,
    /// Enacted; `ok` is `false` if the enactment failed (see `EnactmentFailed`).
    #[codec(index = 5)]
    Enacted { ok: bool },
}

impl ProposalStatus {
    /// Whether the proposal is still in `Live` (waiting for its tally or its enactment).
    pub fn is_live(self) -> bool {
        matches!(self, ProposalStatus::Ongoing | ProposalStatus::Approved { .. })
    }

    /// Whether the proposal was withdrawn before its tally (its votes carry no conviction lock).
    pub fn is_withdrawn(self) -> bool {
        matches!(self, ProposalStatus::Cancelled | ProposalStatus::Killed)
    }
}

/// Everything stored about a proposal.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub struct ProposalInfo {
    /// Who proposed it (and reserved the deposit).
    pub proposer: AccountId20,
    /// What it does.
    pub proposal: Proposal,
    /// The reserved deposit.
    #[codec(compact)]
    pub deposit: Balance,
    /// The block it was submitted in.
    pub submitted: BlockNumber,
    /// Votes are accepted in blocks `submitted..voting_end`; the tally runs at the start of
    /// block `voting_end`.
    pub voting_end: BlockNumber,
    /// Where it is in its life cycle.
    pub status: ProposalStatus,
    /// The votes counted so far.
    pub tally: Tally,
}

/// The highest conviction.
pub const MAX_CONVICTION: u8 = 6;

/// Conviction 0 counts a tenth of the balance voted.
const NO_CONVICTION_DIVISOR: Balance = 10;

/// The weight of a vote of `balance` at `conviction`: 0 → `balance / 10` (rounded down),
/// c ≥ 1 → `c × balance` (saturating).
pub fn vote_weight(balance: Balance, conviction: u8) -> Balance {
    match conviction {
        0 => balance / NO_CONVICTION_DIVISOR,
        c => balance.saturating_mul(Balance::from(c)),
    }
}

/// How many enactment delays a vote at `conviction` stays locked after its proposal's voting
/// period: 0 → 0, c ≥ 1 → 2^(c−1) (1, 2, 4, 8, 16, 32).
pub fn lock_periods(conviction: u8) -> u32 {
    match conviction {
        0 => 0,
        // Callers bound conviction by MAX_CONVICTION; saturate rather than overflow regardless.
        c => 1u32.checked_shl(u32::from(c) - 1).unwrap_or(u32::MAX),
    }
}

/// The block from which a vote at `conviction` on a proposal whose voting ends at `voting_end`
/// no longer locks its balance: `voting_end + enactment_delay × lock_periods(conviction)`
/// (saturating).
pub fn unlock_at(voting_end: BlockNumber, conviction: u8, enactment_delay: BlockNumber) -> BlockNumber {
    voting_end.saturating_add(enactment_delay.saturating_mul(lock_periods(conviction)))
}

/// One entry of `Locks`: `(proposal, balance locked, unlock_at)`.
pub type VoteLock = (u32, Balance, BlockNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conviction_table() {
        let expected =
            [(0, 100, 0), (1, 1_000, 1), (2, 2_000, 2), (3, 3_000, 4), (4, 4_000, 8), (5, 5_000, 16), (6, 6_000, 32)];
        for (c, weight, periods) in expected {
            assert_eq!(vote_weight(1_000, c), weight, "conviction {c}");
            assert_eq!(lock_periods(c), periods, "conviction {c}");
            assert_eq!(unlock_at(20, c, 5), 20 + 5 * periods, "conviction {c}");
        }
        assert_eq!(vote_weight(9, 0), 0, "a tenth rounds down");
        assert_eq!(vote_weight(u128::MAX, 6), u128::MAX, "saturates");
        assert_eq!(lock_periods(200), u32::MAX);
        assert_eq!(unlock_at(u32::MAX - 1, 6, 5), u32::MAX);
    }

    #[test]
    fn tally_remove_undoes_add() {
        let mut t = Tally::default();
        let a = AccountVote { aye: true, conviction: 3, balance: 70 };
        let n = AccountVote { aye: false, conviction: 0, balance: 55 };
        t.add(&a);
        t.add(&n);
        assert_eq!(t, Tally { ayes: 210, nays: 5, turnout: 125 });
        t.remove(&a);
        assert_eq!(t, Tally { ayes: 0, nays: 5, turnout: 55 });
    }
}
