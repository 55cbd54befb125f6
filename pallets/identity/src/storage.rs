//! The identity pallet's storage items (prefix "Identity").

use archive_primitives::AccountId20;
use archive_support::storage::{Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap};

use crate::Registration;

/// Storage instance `Identity.IdentityOf`.
pub struct IdentityOfP;
impl StorageInstance for IdentityOfP {
    const PALLET: &'static str = "Identity";
    const ITEM: &'static str = "IdentityOf";
}
/// Storage instance `Identity.Roles`.
pub struct RolesP;
impl StorageInstance for RolesP {
    const PALLET: &'static str = "Identity";
    const ITEM: &'static str = "Roles";
}

/// Registered identities and their deposits.
pub type IdentityOf = StorageMap<IdentityOfP, Blake2_128Concat, AccountId20, Registration>;
/// Explicitly granted roles: bit `1 << role index` per role; `Guest` is never stored and an
/// account with no granted role has no entry.
pub type Roles = StorageMap<RolesP, Blake2_128Concat, AccountId20, u8>;

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        IdentityOf::info(None, &[" Information that is pertinent to identify the entity behind an account."]),
        Roles::info(Some(0), &[" Roles explicitly granted to an account (bit `1 << role index`)."]),
    ]
}
