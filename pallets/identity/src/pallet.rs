//! Calls, events and errors of the identity pallet (metadata path `pallet_identity::pallet::*`).

use archive_primitives::{AccountId20, Balance};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext, RawOrigin, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{registration, roles, Config, IdentityInfo, Role};

/// Calls (`set_identity`/`clear_identity` keep Substrate's indices; wire format: append only).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub enum Call {
    /// Register or replace the sender's identity, reserving the `IdentityDeposit` parameter (on
    /// a replacement only the difference to the deposit already held is reserved or returned).
    /// Origin: signed. Complexity: O(1) (inputs are bounded by the limits checked).
    /// Errors: DisplayInvalid, WebInvalid, InsufficientBalance.
    #[codec(index = 1)]
    set_identity { info: IdentityInfo },
    /// Remove the sender's identity and return its deposit. Origin: signed. Complexity: O(1).
    /// Errors: NoIdentity.
    #[codec(index = 3)]
    clear_identity,
    /// Grant `role` to `who`. Origin: root (governance), or a signed `Admin` acting on another
    /// account for any role but `Admin`. Complexity: O(1).
    /// Errors: CannotModifyOwnRoles, NotAuthorized, AdminRequiresGovernance, InvalidRole,
    /// RoleAlreadyGranted.
    #[codec(index = 20)]
    grant_role { who: AccountId20, role: Role },
    /// Revoke the explicitly granted `role` from `who`. Origin and errors as `grant_role`, with
    /// RoleNotGranted in place of RoleAlreadyGranted. Complexity: O(1).
    #[codec(index = 21)]
    revoke_role { who: AccountId20, role: Role },
}

/// Events (`IdentitySet`/`IdentityCleared` keep Substrate's indices; append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub enum Event {
    /// An identity was registered or replaced.
    #[codec(index = 0)]
    IdentitySet { who: AccountId20 },
    /// An identity was cleared and its deposit returned.
    #[codec(index = 1)]
    IdentityCleared { who: AccountId20, deposit: Balance },
    /// A role was granted; `by` is the granting admin, `None` for governance (root) or genesis.
    #[codec(index = 20)]
    RoleGranted { who: AccountId20, role: Role, by: Option<AccountId20> },
    /// A role was revoked; `by` as in `RoleGranted`.
    #[codec(index = 21)]
    RoleRevoked { who: AccountId20, role: Role, by: Option<AccountId20> },
}

/// Errors (indices are wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub enum Error {
    /// The display name is empty, longer than 32 bytes, not UTF-8 or has control characters.
    #[codec(index = 0)]
    DisplayInvalid = 0,
    /// The web address is longer than 100 bytes, not UTF-8, does not start with `http://` or
    /// `https://` followed by something, or has whitespace or control characters.
    #[codec(index = 1)]
    WebInvalid = 1,
    /// The account has no identity to clear.
    #[codec(index = 2)]
    NoIdentity = 2,
    /// The free (unlocked) balance cannot cover the identity deposit.
    #[codec(index = 3)]
    InsufficientBalance = 3,
    /// A signed caller that is not an `Admin` tried to grant or revoke a role.
    #[codec(index = 4)]
    NotAuthorized = 4,
    /// A signed caller tried to grant or revoke a role on its own account.
    #[codec(index = 5)]
    CannotModifyOwnRoles = 5,
    /// Only governance (root) may grant or revoke `Admin`.
    #[codec(index = 6)]
    AdminRequiresGovernance = 6,
    /// `Guest` is everyone's and cannot be granted or revoked.
    #[codec(index = 7)]
    InvalidRole = 7,
    /// The account already holds the role explicitly.
    #[codec(index = 8)]
    RoleAlreadyGranted = 8,
    /// The account does not hold the role explicitly (an inherited role cannot be revoked).
    #[codec(index = 9)]
    RoleNotGranted = 9,
    /// The account lacks a role another pallet requires (from [`crate::ensure_role`]).
    #[codec(index = 10)]
    MissingRole = 10,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

// Weights are estimates, not yet benchmarked: each is set by its storage work relative to
// balances' measured `TRANSFER_WEIGHT` (30_000_000 ps, 3_593 bytes for two account reads and
// writes and one event). Proof sizes add the largest encoded value of each item read:
// `System.Account` 3_593 as in balances, `Identity.IdentityOf` 320 (68-byte key + at most 33 +
// 102 + 33 + 16 bytes of value, rounded up), `Parameters.Values` 100, `Identity.Roles` 80.

/// `set_identity`: reads IdentityOf, Parameters.Values and System.Account, writes the account
/// and IdentityOf, two events; plus UTF-8 validation of at most 132 bytes.
pub const SET_IDENTITY_WEIGHT: Weight = Weight::from_parts(35_000_000, 3_593 + 320 + 100);
/// `clear_identity`: reads and deletes IdentityOf, reads and writes System.Account, two events.
pub const CLEAR_IDENTITY_WEIGHT: Weight = Weight::from_parts(30_000_000, 3_593 + 320);
/// `grant_role` / `revoke_role`: reads the caller's and the target's Roles, writes the target's,
/// one event.
pub const ROLE_WEIGHT: Weight = Weight::from_parts(20_000_000, 2 * 80);

/// The weight of `call`.
pub fn call_weight(call: &Call) -> Weight {
    match call {
        Call::set_identity { .. } => SET_IDENTITY_WEIGHT,
        Call::clear_identity => CLEAR_IDENTITY_WEIGHT,
        Call::grant_role { .. } | Call::revoke_role { .. } => ROLE_WEIGHT,
    }
}

/// Records an identity event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(<T as Config>::INDEX, &e);
}

/// Checks that `origin` may grant or revoke `role` on `who`; returns the acting admin (`None`
/// for root).
fn authorize<T: Config>(
    ext: &Ext<'_>,
    origin: RawOrigin,
    who: &AccountId20,
    role: Role,
) -> Result<Option<AccountId20>, DispatchError> {
    let caller = match origin {
        RawOrigin::Root => return Ok(None),
        RawOrigin::Signed(caller) => caller,
        RawOrigin::None => return Err(DispatchError::BadOrigin),
    };
    if caller == *who {
        return Err(roles::err::<T>(Error::CannotModifyOwnRoles));
    }
    if !roles::has_role(ext, &caller, Role::Admin) {
        return Err(roles::err::<T>(Error::NotAuthorized));
    }
    if role == Role::Admin {
        return Err(roles::err::<T>(Error::AdminRequiresGovernance));
    }
    Ok(Some(caller))
}

/// Dispatches a call. Runs inside the caller's storage transaction.
///
/// # Errors
/// `BadOrigin` for the wrong origin, else the errors documented on each [`Call`].
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    match call {
        Call::set_identity { info } => {
            let who = origin.ensure_signed()?;
            registration::set_identity::<T>(ext, &who, info)
        }
        Call::clear_identity => {
            let who = origin.ensure_signed()?;
            registration::clear_identity::<T>(ext, &who).map(|_| ())
        }
        Call::grant_role { who, role } => {
            let by = authorize::<T>(ext, origin, &who, role)?;
            roles::grant_role::<T>(ext, &who, role, by)
        }
        Call::revoke_role { who, role } => {
            let by = authorize::<T>(ext, origin, &who, role)?;
            roles::revoke_role::<T>(ext, &who, role, by)
        }
    }
}
