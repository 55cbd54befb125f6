//! Balance operations used by dispatch, fee payment and other pallets. Each checks everything
//! first and writes only when it will succeed, so callers need no rollback for these errors.

use archive_pallet_system::{self as system, Account};
use archive_primitives::{AccountId20, Balance};
use archive_support::{dispatch::PalletError, DispatchError, Ext};

use crate::{
    pallet::{deposit_event, Error, Event},
    storage::{BalanceLock, Locks, TotalIssuance},
    Config,
};

/// Whether an operation may remove the account it debits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExistenceRequirement {
    /// The account must keep at least the existential deposit.
    KeepAlive,
    /// The account may be reaped.
    AllowDeath,
}

/// Total issuance.
pub fn total_issuance(ext: &Ext<'_>) -> Balance {
    TotalIssuance::get(ext).unwrap_or(0)
}

/// Free balance of `who`.
pub fn free_balance(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    system::pallet::account(ext, who).data.free
}

/// Reserved balance of `who`.
pub fn reserved_balance(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    system::pallet::account(ext, who).data.reserved
}

/// Free balance not frozen by locks.
pub fn usable_balance(ext: &Ext<'_>, who: &AccountId20) -> Balance {
    system::pallet::account(ext, who).data.usable()
}

fn err<T: Config>(e: Error) -> DispatchError {
    e.into_dispatch(<T as Config>::INDEX)
}

/// Writes `acc` back, reaping it if its total fell below the existential deposit.
/// Returns the dust burned.
fn store<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, mut acc: Account) -> Balance {
    let mut dust = 0;
    if acc.data.total() < T::EXISTENTIAL_DEPOSIT && acc.data.reserved == 0 && acc.data.frozen == 0 {
        dust = acc.data.free;
        acc.data.free = 0;
        if acc.providers > 0 {
            acc.providers -= 1;
        }
        if dust > 0 {
            TotalIssuance::put(ext, &total_issuance(ext).saturating_sub(dust));
            deposit_event::<T>(ext, Event::DustLost { account: *who, amount: dust });
        }
        if acc.providers == 0 && acc.consumers == 0 {
            // Nonce is lost with the account, as in Substrate (replay is prevented by mortality
            // and by the account needing ED again to act).
            acc = Account::default();
        }
    }
    system::pallet::put_account::<T>(ext, who, &acc);
    dust
}

fn credit<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Result<Account, DispatchError> {
    let mut acc = system::pallet::account(ext, who);
    let new_free = acc
        .data
        .free
        .checked_add(amount)
        .ok_or(DispatchError::Arithmetic(archive_support::ArithmeticError::Overflow))?;
    if acc.providers == 0 {
        if new_free < T::EXISTENTIAL_DEPOSIT {
            return Err(err::<T>(Error::ExistentialDeposit));
        }
        acc.providers = 1;
    }
    acc.data.free = new_free;
    Ok(acc)
}

/// Moves `value` from `from`'s usable balance to `to`.
///
/// # Errors
/// `InsufficientBalance` if `from`'s usable balance is short; `LiquidityRestrictions` if only
/// locked funds would cover it; `Expendability` if `KeepAlive` and `from` would fall below the
/// existential deposit; `ExistentialDeposit` if `to` is new and `value` is below it.
pub fn transfer<T: Config>(
    ext: &mut Ext<'_>,
    from: &AccountId20,
    to: &AccountId20,
    value: Balance,
    req: ExistenceRequirement,
) -> Result<(), DispatchError> {
    if value == 0 {
        deposit_event::<T>(ext, Event::Transfer { from: *from, to: *to, amount: value });
        return Ok(());
    }
    let mut src = system::pallet::account(ext, from);
    if src.data.free < value {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    if src.data.usable() < value {
        return Err(err::<T>(Error::LiquidityRestrictions));
    }
    let remaining = src.data.free - value;
    if req == ExistenceRequirement::KeepAlive && remaining + src.data.reserved < T::EXISTENTIAL_DEPOSIT {
        return Err(err::<T>(Error::Expendability));
    }
    // A transfer to oneself moves nothing, but only funds the sender could send may be "sent"
    // (as Substrate's `fungible::Mutate::transfer`, which checks before short-circuiting).
    if from == to {
        deposit_event::<T>(ext, Event::Transfer { from: *from, to: *to, amount: value });
        return Ok(());
    }
    let dst = credit::<T>(ext, to, value)?;
    src.data.free = remaining;
    let dest_is_new = !system::storage::Account::contains(ext, to);
    system::pallet::put_account::<T>(ext, to, &dst);
    if dest_is_new {
        deposit_event::<T>(ext, Event::Endowed { account: *to, free_balance: value });
    }
    store::<T>(ext, from, src);
    deposit_event::<T>(ext, Event::Transfer { from: *from, to: *to, amount: value });
    Ok(())
}

/// Sets `who`'s free balance (root's `force_set_balance`) and adjusts total issuance by the
/// difference. As in Substrate, a balance below the existential deposit is wiped out to zero,
/// which reaps the account unless something else keeps it alive. Returns the balance set.
pub(crate) fn force_set_free<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, new_free: Balance) -> Balance {
    let new_free = if new_free < T::EXISTENTIAL_DEPOSIT { 0 } else { new_free };
    let mut acc = system::pallet::account(ext, who);
    let is_new = !system::storage::Account::contains(ext, who);
    let old = acc.data.free;
    if acc.providers == 0 && new_free > 0 {
        acc.providers = 1;
    }
    acc.data.free = new_free;
    TotalIssuance::put(ext, &total_issuance(ext).saturating_sub(old).saturating_add(new_free));
    store::<T>(ext, who, acc);
    if is_new && new_free > 0 {
        deposit_event::<T>(ext, Event::Endowed { account: *who, free_balance: new_free });
    }
    new_free
}

/// Removes `amount` from `who`'s usable balance (fees); the tokens leave circulation.
///
/// # Errors
/// `InsufficientBalance` / `LiquidityRestrictions` / `Expendability` as for [`transfer`].
pub fn withdraw<T: Config>(
    ext: &mut Ext<'_>,
    who: &AccountId20,
    amount: Balance,
    req: ExistenceRequirement,
) -> Result<(), DispatchError> {
    if amount == 0 {
        return Ok(());
    }
    let mut acc = system::pallet::account(ext, who);
    if acc.data.free < amount {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    if acc.data.usable() < amount {
        return Err(err::<T>(Error::LiquidityRestrictions));
    }
    let remaining = acc.data.free - amount;
    if req == ExistenceRequirement::KeepAlive && remaining + acc.data.reserved < T::EXISTENTIAL_DEPOSIT {
        return Err(err::<T>(Error::Expendability));
    }
    acc.data.free = remaining;
    TotalIssuance::put(ext, &total_issuance(ext).saturating_sub(amount));
    store::<T>(ext, who, acc);
    deposit_event::<T>(ext, Event::Withdraw { who: *who, amount });
    Ok(())
}

/// Adds newly issued `amount` to `who` (rewards, fee payout to authors, genesis).
///
/// # Errors
/// `ExistentialDeposit` if `who` does not exist and `amount` is below the existential deposit.
pub fn deposit_creating<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Result<(), DispatchError> {
    if amount == 0 {
        return Ok(());
    }
    let is_new = !system::storage::Account::contains(ext, who);
    let acc = credit::<T>(ext, who, amount)?;
    TotalIssuance::put(ext, &total_issuance(ext).saturating_add(amount));
    system::pallet::put_account::<T>(ext, who, &acc);
    if is_new {
        deposit_event::<T>(ext, Event::Endowed { account: *who, free_balance: amount });
    }
    deposit_event::<T>(ext, Event::Deposit { who: *who, amount });
    Ok(())
}

/// Moves `amount` from free to reserved.
///
/// # Errors
/// `InsufficientBalance` if the usable balance is short.
pub fn reserve<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Result<(), DispatchError> {
    let mut acc = system::pallet::account(ext, who);
    if acc.data.usable() < amount {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    acc.data.free -= amount;
    acc.data.reserved = acc.data.reserved.saturating_add(amount);
    system::pallet::put_account::<T>(ext, who, &acc);
    deposit_event::<T>(ext, Event::Reserved { who: *who, amount });
    Ok(())
}

/// Moves up to `amount` from reserved back to free; returns what was not unreserved.
pub fn unreserve<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Balance {
    let mut acc = system::pallet::account(ext, who);
    let actual = amount.min(acc.data.reserved);
    if actual == 0 {
        return amount;
    }
    acc.data.reserved -= actual;
    acc.data.free = acc.data.free.saturating_add(actual);
    system::pallet::put_account::<T>(ext, who, &acc);
    deposit_event::<T>(ext, Event::Unreserved { who: *who, amount: actual });
    amount - actual
}

/// Burns up to `amount` of reserved balance (slashing); returns what was actually slashed.
pub fn slash_reserved<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Balance {
    let mut acc = system::pallet::account(ext, who);
    let actual = amount.min(acc.data.reserved);
    if actual == 0 {
        return 0;
    }
    acc.data.reserved -= actual;
    TotalIssuance::put(ext, &total_issuance(ext).saturating_sub(actual));
    store::<T>(ext, who, acc);
    deposit_event::<T>(ext, Event::Slashed { who: *who, amount: actual });
    actual
}

/// Removes up to `amount` from `who`'s free balance, locked (frozen) funds included, and takes
/// it out of circulation (slashing a bond: the caller then shrinks its lock). Returns what was
/// actually slashed (at most the free balance). An account left below the existential deposit
/// with no locks or reserves is reaped as by any debit.
pub fn slash<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Balance {
    let mut acc = system::pallet::account(ext, who);
    let actual = amount.min(acc.data.free);
    if actual == 0 {
        return 0;
    }
    acc.data.free -= actual;
    TotalIssuance::put(ext, &total_issuance(ext).saturating_sub(actual));
    store::<T>(ext, who, acc);
    deposit_event::<T>(ext, Event::Slashed { who: *who, amount: actual });
    actual
}

/// Sets (or replaces) lock `id` on `who` to `amount`; `frozen` becomes the largest lock.
///
/// # Errors
/// `TooManyLocks` above `MAX_LOCKS`.
pub fn set_lock<T: Config>(
    ext: &mut Ext<'_>,
    id: [u8; 8],
    who: &AccountId20,
    amount: Balance,
) -> Result<(), DispatchError> {
    let mut locks = Locks::get_or_default(ext, who);
    match locks.iter_mut().find(|l| l.id == id) {
        Some(l) => l.amount = amount,
        None => {
            if locks.len() as u32 >= T::MAX_LOCKS {
                return Err(err::<T>(Error::TooManyLocks));
            }
            locks.push(BalanceLock { id, amount, reasons: 1 });
        }
    }
    update_locks::<T>(ext, who, locks);
    Ok(())
}

/// Removes lock `id` from `who`.
pub fn remove_lock<T: Config>(ext: &mut Ext<'_>, id: [u8; 8], who: &AccountId20) {
    let mut locks = Locks::get_or_default(ext, who);
    locks.retain(|l| l.id != id);
    update_locks::<T>(ext, who, locks);
}

fn update_locks<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, locks: Vec<BalanceLock>) {
    let frozen = locks.iter().map(|l| l.amount).max().unwrap_or(0);
    let mut acc = system::pallet::account(ext, who);
    acc.data.frozen = frozen;
    system::pallet::put_account::<T>(ext, who, &acc);
    if locks.is_empty() {
        Locks::remove(ext, who);
    } else {
        Locks::insert(ext, who, &locks);
    }
}
