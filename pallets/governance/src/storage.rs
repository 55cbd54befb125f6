//! The governance pallet's storage items (prefix "Governance").

use archive_primitives::AccountId20;
use archive_support::storage::{
    Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap, StorageValue, Twox64Concat,
};

use crate::types::{AccountVote, ProposalInfo, VoteLock};

macro_rules! instance {
    ($name:ident, $item:literal) => {
        #[doc = concat!("Storage instance `Governance.", $item, "`.")]
        pub struct $name;
        impl StorageInstance for $name {
            const PALLET: &'static str = "Governance";
            const ITEM: &'static str = $item;
        }
    };
}

instance!(ProposalCountP, "ProposalCount");
instance!(ProposalsP, "Proposals");
instance!(VotingOfP, "VotingOf");
instance!(LocksP, "Locks");
instance!(LiveP, "Live");

/// Proposals ever submitted; the next proposal's index.
pub type ProposalCount = StorageValue<ProposalCountP, u32>;
/// Every proposal by index (kept after it ends, as history). Indices are assigned by the chain,
/// so the cheaper `Twox64Concat` is safe.
pub type Proposals = StorageMap<ProposalsP, Twox64Concat, u32, ProposalInfo>;
/// The vote of an account on a proposal (kept after the proposal ends, as history).
pub type VotingOf = StorageMap<VotingOfP, Blake2_128Concat, (u32, AccountId20), AccountVote>;
/// Per account, the votes that still lock its balance: `(proposal, balance, unlock_at)`.
pub type Locks = StorageMap<LocksP, Blake2_128Concat, AccountId20, Vec<VoteLock>>;
/// Indices of the proposals that are `Ongoing` or `Approved`, ascending: all that the block
/// hook looks at. At most [`crate::MAX_LIVE`].
pub type Live = StorageValue<LiveP, Vec<u32>>;

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        ProposalCount::info(Some(0), &[" Proposals ever submitted; the next proposal's index."]),
        Proposals::info(None, &[" Every proposal by index, kept after it ends."]),
        VotingOf::info(None, &[" The vote of an account on a proposal."]),
        Locks::info(
            Some(Vec::new()),
            &[" Votes that still lock an account's balance: (proposal, balance, unlock_at)."],
        ),
        Live::info(Some(Vec::new()), &[" Proposals still ongoing or waiting for enactment, ascending."]),
    ]
}
