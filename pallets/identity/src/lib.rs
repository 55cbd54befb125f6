//! archive-pallet-identity: accounts' on-chain identities, held against a deposit, and the
//! roles (RBAC) other pallets check before they let an account act.
//!
//! Owns: who an account says it is (a display name, a web address, the hash of an e-mail
//! address) and which roles it has been granted. Other pallets ask [`has_role`] /
//! [`ensure_role`]; governance grants through [`grant_role`] (or the root-origin call).
//!
//! Storage (prefix "Identity"): `IdentityOf` (Blake2_128Concat AccountId20 → [`Registration`]:
//! the [`IdentityInfo`] and the deposit reserved for it) and `Roles` (Blake2_128Concat
//! AccountId20 → u8, the bitset `1 << role index` of explicitly granted roles; no entry when
//! none, `Guest` never stored).
//!
//! Roles and inheritance ([`Role`]): everyone is a `Guest`; `User` is held by any account with a
//! registered identity or any explicitly granted role; `Archiver` by an explicit `Archiver` or
//! `Admin`; `Admin` only by an explicit `Admin`; `Validator` only by an explicit `Validator` (it
//! does not come with `Admin`).
//!
//! Who may grant: root (governance) any role but `Guest`; a signed `Admin` any role but `Admin`
//! and `Guest`, never on its own account.
//!
//! Guarantees: a stored identity always satisfies [`IdentityInfo::validate`]; the deposit
//! recorded in a [`Registration`] is what this pallet reserved for it (brought to the current
//! `IdentityDeposit` parameter on every `set_identity` by reserving or unreserving only the
//! difference, and unreserved in full by `clear_identity`);
//! every failed call leaves state and events unchanged.
//!
//! ```
//! use archive_pallet_identity::Role;
//! assert_eq!(Role::from_name("Archiver"), Some(Role::Archiver));
//! assert_eq!(Role::Validator.name(), "validator");
//! ```

#[cfg(test)]
mod mock;
pub mod pallet;
mod registration;
mod roles;
pub mod storage;
#[cfg(test)]
mod tests;
pub mod types;

pub use pallet::{call_weight, deposit_event, dispatch, Call, Error, Event};
pub use registration::identity;
pub use roles::{
    build_genesis, effective_roles, ensure_role, grant_role, granted_roles, has_role, holds_role, revoke_role, roles,
    GenesisConfig,
};
pub use storage::entries;
pub use types::{email_hash, IdentityInfo, Registration, Role, MAX_DISPLAY_LEN, MAX_WEB_LEN, WEB_SCHEMES};

/// The pallet's index in the runtime. [`ensure_role`], which other pallets call without a
/// `Config`, reports `MissingRole` under it, so a runtime's [`Config::INDEX`] must equal it.
pub const PALLET_INDEX: u8 = 20;

/// Configuration of the identity pallet (deposits are reserved through balances).
pub trait Config: archive_pallet_balances::Config {
    /// The pallet's index in the runtime ([`PALLET_INDEX`]).
    const INDEX: u8;
}
