//! Setting and clearing identities, with their deposits.

use archive_pallet_balances as balances;
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{AccountId20, Balance};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext};

use crate::{
    pallet::{deposit_event, Error, Event},
    roles::err,
    storage::IdentityOf,
    Config, IdentityInfo, Registration,
};

/// The identity `who` registered, with its deposit.
pub fn identity(ext: &Ext<'_>, who: &AccountId20) -> Option<Registration> {
    IdentityOf::get(ext, who)
}

/// Reserves `amount` from `who`, reporting a short balance as this pallet's error.
fn reserve<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> DispatchResult {
    let short = balances::Error::InsufficientBalance.into_dispatch(<T as balances::Config>::INDEX);
    balances::reserve::<T>(ext, who, amount)
        .map_err(|e| if e == short { err::<T>(Error::InsufficientBalance) } else { e })
}

/// Registers or replaces `who`'s identity. The deposit held afterwards is the current
/// `IdentityDeposit`; only the difference to the deposit already held is reserved or unreserved.
///
/// # Errors
/// `DisplayInvalid` / `WebInvalid` for `info` outside the limits; `InsufficientBalance` if the
/// (additional) deposit cannot be reserved. Nothing is written on error.
pub(crate) fn set_identity<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, info: IdentityInfo) -> DispatchResult {
    info.validate().map_err(err::<T>)?;
    let held = IdentityOf::get(ext, who).map_or(0, |r| r.deposit);
    let deposit = parameters::get(ext, Parameter::IdentityDeposit);
    if deposit > held {
        reserve::<T>(ext, who, deposit - held)?;
    } else if held > deposit {
        // Less can come back only if something else already took reserved funds (a slash);
        // the registration then records the new deposit regardless.
        balances::unreserve::<T>(ext, who, held - deposit);
    }
    IdentityOf::insert(ext, who, &Registration { info, deposit });
    deposit_event::<T>(ext, Event::IdentitySet { who: *who });
    Ok(())
}

/// Removes `who`'s identity and unreserves its deposit; returns the deposit.
///
/// # Errors
/// `NoIdentity` if `who` has none.
pub(crate) fn clear_identity<T: Config>(ext: &mut Ext<'_>, who: &AccountId20) -> Result<Balance, DispatchError> {
    let Some(registration) = IdentityOf::get(ext, who) else {
        return Err(err::<T>(Error::NoIdentity));
    };
    let deposit = registration.deposit;
    balances::unreserve::<T>(ext, who, deposit);
    IdentityOf::remove(ext, who);
    deposit_event::<T>(ext, Event::IdentityCleared { who: *who, deposit });
    Ok(deposit)
}
