//! Role queries and grants used by dispatch, genesis and other pallets. Grants and revocations
//! check everything before they write, so callers need no rollback for their errors.

use archive_primitives::AccountId20;
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext};

use crate::{
    pallet::{deposit_event, Error, Event},
    storage::{IdentityOf, Roles},
    Config, Role, PALLET_INDEX,
};

/// Bits of every role that may be stored (all but `Guest`).
const GRANTABLE: u8 = Role::User.bit() | Role::Archiver.bit() | Role::Admin.bit() | Role::Validator.bit();

pub(crate) fn err<T: Config>(e: Error) -> DispatchError {
    e.into_dispatch(<T as Config>::INDEX)
}

/// The explicitly granted roles of `who` as stored (0 when none).
fn granted_bits(ext: &Ext<'_>, who: &AccountId20) -> u8 {
    Roles::get(ext, who).unwrap_or(0) & GRANTABLE
}

/// Whether an account with the granted-role bitset `bits` (as stored in `Identity.Roles`) and
/// an identity or not holds `role` — the inheritance rule of [`has_role`], for readers of raw
/// storage (the node's archive worker, the CLI).
pub fn holds_role(bits: u8, has_identity: bool, role: Role) -> bool {
    holds(bits & GRANTABLE, || has_identity, role)
}

/// Every role held with the granted bitset `bits` and an identity or not, sorted.
pub fn effective_roles(bits: u8, has_identity: bool) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| holds_role(bits, has_identity, *r)).collect()
}

/// Whether an account with `bits` granted (and an identity or not) holds `role`.
fn holds(bits: u8, has_identity: impl FnOnce() -> bool, role: Role) -> bool {
    match role {
        Role::Guest => true,
        Role::User => bits != 0 || has_identity(),
        Role::Archiver => bits & (Role::Archiver.bit() | Role::Admin.bit()) != 0,
        Role::Admin => bits & Role::Admin.bit() != 0,
        Role::Validator => bits & Role::Validator.bit() != 0,
    }
}

/// Whether `who` holds `role`, explicitly or by inheritance.
///
/// Inheritance: everyone is a `Guest`; `User` is held by any account with a registered identity
/// or any explicitly granted role; `Archiver` by an explicit `Archiver` or `Admin`; `Admin` only
/// by an explicit `Admin`; `Validator` only by an explicit `Validator` (not by `Admin`).
pub fn has_role(ext: &Ext<'_>, who: &AccountId20, role: Role) -> bool {
    holds(granted_bits(ext, who), || IdentityOf::contains(ext, who), role)
}

/// Every role `who` holds, inherited ones included, sorted (always starts with `Guest`).
pub fn roles(ext: &Ext<'_>, who: &AccountId20) -> Vec<Role> {
    let bits = granted_bits(ext, who);
    let has_identity = IdentityOf::contains(ext, who);
    Role::ALL.into_iter().filter(|r| holds(bits, || has_identity, *r)).collect()
}

/// The roles explicitly granted to `who` (what `grant_role` stored), sorted.
pub fn granted_roles(ext: &Ext<'_>, who: &AccountId20) -> Vec<Role> {
    let bits = granted_bits(ext, who);
    Role::ALL.into_iter().filter(|r| bits & r.bit() != 0).collect()
}

/// `Ok` if `who` holds `role` (see [`has_role`]).
///
/// # Errors
/// [`Error::MissingRole`], reported as an error of pallet [`PALLET_INDEX`] (this function has
/// no `Config`, so the runtime must give the pallet that index).
pub fn ensure_role(ext: &Ext<'_>, who: &AccountId20, role: Role) -> DispatchResult {
    if has_role(ext, who, role) {
        Ok(())
    } else {
        Err(Error::MissingRole.into_dispatch(PALLET_INDEX))
    }
}

/// Stores `role` in `who`'s granted set; no event.
fn add_role<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, role: Role) -> DispatchResult {
    if role == Role::Guest {
        return Err(err::<T>(Error::InvalidRole));
    }
    let bits = Roles::get(ext, who).unwrap_or(0);
    if bits & role.bit() != 0 {
        return Err(err::<T>(Error::RoleAlreadyGranted));
    }
    Roles::insert(ext, who, &(bits | role.bit()));
    Ok(())
}

/// Grants `role` to `who` and emits `RoleGranted { by }` (`by: None` = governance). Performs no
/// permission checks: for genesis, governance and dispatch after it has authorized the caller.
///
/// # Errors
/// `InvalidRole` for `Guest`; `RoleAlreadyGranted` if `who` already has `role` explicitly.
/// Nothing is written on error.
pub fn grant_role<T: Config>(
    ext: &mut Ext<'_>,
    who: &AccountId20,
    role: Role,
    by: Option<AccountId20>,
) -> DispatchResult {
    add_role::<T>(ext, who, role)?;
    deposit_event::<T>(ext, Event::RoleGranted { who: *who, role, by });
    Ok(())
}

/// Revokes the explicit `role` from `who` and emits `RoleRevoked { by }` (`by: None` =
/// governance); the entry is deleted when no role is left. Performs no permission checks.
///
/// # Errors
/// `InvalidRole` for `Guest`; `RoleNotGranted` if `who` does not have `role` explicitly
/// (an inherited role cannot be revoked). Nothing is written on error.
pub fn revoke_role<T: Config>(
    ext: &mut Ext<'_>,
    who: &AccountId20,
    role: Role,
    by: Option<AccountId20>,
) -> DispatchResult {
    if role == Role::Guest {
        return Err(err::<T>(Error::InvalidRole));
    }
    let bits = Roles::get(ext, who).unwrap_or(0);
    if bits & role.bit() == 0 {
        return Err(err::<T>(Error::RoleNotGranted));
    }
    let left = bits & !role.bit();
    if left == 0 {
        Roles::remove(ext, who);
    } else {
        Roles::insert(ext, who, &left);
    }
    deposit_event::<T>(ext, Event::RoleRevoked { who: *who, role, by });
    Ok(())
}

/// The pallet's part of the chain spec's genesis state.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// Roles granted at genesis, e.g. `[["0xf24F…", "admin"]]`.
    #[serde(default)]
    pub roles: Vec<(AccountId20, Role)>,
}

/// Writes `config` into genesis state: grants every role in order, emitting no events.
///
/// # Errors
/// `InvalidRole` for `Guest`, `RoleAlreadyGranted` for a duplicate pair; nothing is written then.
pub fn build_genesis<T: Config>(ext: &mut Ext<'_>, config: &GenesisConfig) -> DispatchResult {
    ext.transactional(|ext| config.roles.iter().try_for_each(|(who, role)| add_role::<T>(ext, who, *role)))
}
