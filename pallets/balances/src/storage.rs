//! The balances pallet's storage items.

use archive_primitives::{AccountId20, Balance};
use archive_support::storage::{Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap, StorageValue};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A lock on part of an account's free balance (`pallet_balances::types::BalanceLock`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_balances", "pallet_balances"))]
pub struct BalanceLock {
    /// Who holds the lock (e.g. `b"staking "`).
    pub id: [u8; 8],
    /// How much is locked.
    pub amount: Balance,
    /// Reasons (1 = all; kept for Substrate compatibility).
    pub reasons: u8,
}

/// Storage instance `Balances.TotalIssuance`.
pub struct TotalIssuanceP;
impl StorageInstance for TotalIssuanceP {
    const PALLET: &'static str = "Balances";
    const ITEM: &'static str = "TotalIssuance";
}
/// Storage instance `Balances.Locks`.
pub struct LocksP;
impl StorageInstance for LocksP {
    const PALLET: &'static str = "Balances";
    const ITEM: &'static str = "Locks";
}

/// All tokens in existence.
pub type TotalIssuance = StorageValue<TotalIssuanceP, Balance>;
/// Locks per account.
pub type Locks = StorageMap<LocksP, Blake2_128Concat, AccountId20, Vec<BalanceLock>>;

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        TotalIssuance::info(Some(0), &[" The total units issued in the system."]),
        Locks::info(Some(Vec::new()), &[" Any liquidity locks on some account balances."]),
    ]
}
