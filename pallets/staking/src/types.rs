//! The staking pallet's stored and evented types (metadata path `pallet_staking::types::*`).

use archive_primitives::{AccountId20, Balance, BlockNumber, Perbill};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// An era index.
pub type EraIndex = u32;

/// Part of a bond scheduled to become withdrawable (`pallet_staking::UnlockChunk`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct UnlockChunk {
    /// Amount to be unlocked.
    #[codec(compact)]
    pub value: Balance,
    /// The era from which `withdraw_unbonded` may release it.
    #[codec(compact)]
    pub era: EraIndex,
}

/// A stash's bond (`pallet_staking::StakingLedger`, without the legacy reward list; the stash
/// is its own controller).
///
/// **Invariant:** `total == active + Σ unlocking.value`, and the stash's `b"staking "` lock in
/// balances equals `total`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct StakingLedger {
    /// The bonded account.
    pub stash: AccountId20,
    /// Everything locked by staking: active plus unlocking.
    #[codec(compact)]
    pub total: Balance,
    /// The part that counts for elections, rewards and slashes first.
    #[codec(compact)]
    pub active: Balance,
    /// Unbonded parts waiting for their era, oldest first (at most [`crate::MAX_UNLOCKING_CHUNKS`]).
    pub unlocking: Vec<UnlockChunk>,
}

impl StakingLedger {
    /// A ledger with `value` bonded and nothing unlocking.
    pub fn new(stash: AccountId20, value: Balance) -> Self {
        StakingLedger { stash, total: value, active: value, unlocking: Vec::new() }
    }
}

/// A validator candidate's preferences (`pallet_staking::ValidatorPrefs`; `commission` is a
/// plain `u32` here, not compact).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct ValidatorPrefs {
    /// Share of the validator's era reward paid to it before the rest is shared by stake.
    pub commission: Perbill,
    /// Whether new nominations are refused (existing nominators may keep it).
    pub blocked: bool,
}

/// A nominator's targets (`pallet_staking::Nominations`, without `suppressed`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct Nominations {
    /// The nominated candidates (1 to [`crate::MAX_NOMINATIONS`], distinct).
    pub targets: Vec<AccountId20>,
    /// The era the nomination was made in.
    pub submitted_in: EraIndex,
}

/// The era in progress (`pallet_staking::ActiveEraInfo`, with a block number as `start`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct ActiveEraInfo {
    /// The era's index.
    pub index: EraIndex,
    /// Its first block.
    pub start: BlockNumber,
}

/// One nominator's stake behind a validator (`pallet_staking::IndividualExposure`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct IndividualExposure {
    /// The nominator.
    pub who: AccountId20,
    /// Its stake behind this validator.
    #[codec(compact)]
    pub value: Balance,
}

/// The stake behind a validator in one era (`pallet_staking::Exposure`), fixed at its election.
///
/// **Invariant:** `total == own + Σ others.value`; `others` sorted by account.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct Exposure {
    /// Own plus nominated stake.
    #[codec(compact)]
    pub total: Balance,
    /// The validator's own active bond.
    #[codec(compact)]
    pub own: Balance,
    /// The nominators' parts.
    pub others: Vec<IndividualExposure>,
}

/// A candidate's Proof-of-Archive score at the last election; each part is normalised to
/// `[0, 1]` by the largest value among the candidates (see the crate docs for the formula).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct PoaScore {
    /// Verified archives, normalised (weight 30 %).
    pub archives: Perbill,
    /// Archive quality, normalised (weight 40 %).
    pub quality: Perbill,
    /// Own plus nominated stake, normalised (weight 20 %).
    pub stake: Perbill,
    /// Slots authored / slots assigned in the ending era, normalised (weight 10 %).
    pub uptime: Perbill,
    /// The weighted sum.
    pub total: Perbill,
    /// The era the score was computed for (the era that the election opened).
    pub era: EraIndex,
}

/// What kind of equivocation an offence was; the same index as `archive_consensus::Equivocation`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub enum OffenceKind {
    /// Two different finality votes in one round.
    #[codec(index = 0)]
    VoteEquivocation,
    /// Two different headers for one slot.
    #[codec(index = 1)]
    BlockEquivocation,
}

/// One slash of one account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub struct SlashRecord {
    /// The era the offence was reported in.
    pub era: EraIndex,
    /// What was taken.
    #[codec(compact)]
    pub amount: Balance,
    /// Who reported the offence.
    pub reporter: AccountId20,
    /// The offence.
    pub kind: OffenceKind,
}
