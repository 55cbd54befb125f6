//! Bonding, unbonding and intentions: the bodies of the calls other than
//! `report_equivocation`, and the ledger/lock/candidate bookkeeping the hooks share.
//!
//! Each call checks everything before its first write, except where a balances function
//! fails after checks of its own; [`crate::dispatch`] runs inside a storage transaction, so
//! even then nothing is left behind.

use archive_pallet_balances as balances;
use archive_pallet_identity::Role;
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{AccountId20, Balance, Perbill};
use archive_support::{DispatchError, DispatchResult, Ext};

use crate::{
    pallet::{deposit_event, err, Error, Event},
    storage::{list_insert, list_remove, Ledger, NominatorList, Nominators, ValidatorList, Validators},
    types::{Nominations, StakingLedger, UnlockChunk, ValidatorPrefs},
    Config, MAX_NOMINATIONS, MAX_UNLOCKING_CHUNKS, STAKING_ID,
};

/// The least non-zero bond: the existential deposit (at least 1).
fn min_bond<T: Config>() -> Balance {
    <T as balances::Config>::EXISTENTIAL_DEPOSIT.max(1)
}

/// `MinValidatorBond` (at least 1: a candidate always has some stake).
pub(crate) fn min_validator_bond(ext: &Ext<'_>) -> Balance {
    parameters::get(ext, Parameter::MinValidatorBond).max(1)
}

/// What `who` could still bond on top of `bonded`: free balance minus `bonded` minus the
/// largest lock other pallets hold (locks are not stacked on top of staking's).
fn stakeable(ext: &Ext<'_>, who: &AccountId20, bonded: Balance) -> Balance {
    let others = balances::storage::Locks::get_or_default(ext, who)
        .iter()
        .filter(|l| l.id != STAKING_ID)
        .map(|l| l.amount)
        .max()
        .unwrap_or(0);
    balances::free_balance(ext, who).saturating_sub(bonded).saturating_sub(others)
}

/// The bond of `who`, or `NotBonded`.
fn ledger_of<T: Config>(ext: &Ext<'_>, who: &AccountId20) -> Result<StakingLedger, DispatchError> {
    Ledger::get(ext, who).ok_or_else(|| err::<T>(Error::NotBonded))
}

/// Stores `ledger` and sets the staking lock to its total; a ledger with nothing left is
/// removed with its lock, and its stash chilled.
///
/// # Errors
/// `TooManyLocks` from balances if the stash had no staking lock and no room for one.
pub(crate) fn put_ledger<T: Config>(ext: &mut Ext<'_>, ledger: &StakingLedger) -> DispatchResult {
    if ledger.total == 0 {
        Ledger::remove(ext, &ledger.stash);
        balances::remove_lock::<T>(ext, STAKING_ID, &ledger.stash);
        if chill(ext, &ledger.stash) {
            deposit_event::<T>(ext, Event::Chilled { who: ledger.stash });
        }
        return Ok(());
    }
    balances::set_lock::<T>(ext, STAKING_ID, &ledger.stash, ledger.total)?;
    Ledger::insert(ext, &ledger.stash, ledger);
    Ok(())
}

/// Registers `who` as a candidate with `prefs` (no checks).
pub(crate) fn set_candidate(ext: &mut Ext<'_>, who: &AccountId20, prefs: &ValidatorPrefs) {
    Validators::insert(ext, who, prefs);
    let mut list = ValidatorList::get_or_default(ext);
    list_insert(&mut list, *who);
    ValidatorList::put(ext, &list);
}

/// Stops `who` validating; returns whether it was a candidate.
pub(crate) fn remove_candidate(ext: &mut Ext<'_>, who: &AccountId20) -> bool {
    if !Validators::contains(ext, who) {
        return false;
    }
    Validators::remove(ext, who);
    let mut list = ValidatorList::get_or_default(ext);
    list_remove(&mut list, who);
    ValidatorList::put(ext, &list);
    true
}

/// Stops `who` nominating; returns whether it was a nominator.
pub(crate) fn remove_nominator(ext: &mut Ext<'_>, who: &AccountId20) -> bool {
    if !Nominators::contains(ext, who) {
        return false;
    }
    Nominators::remove(ext, who);
    let mut list = NominatorList::get_or_default(ext);
    list_remove(&mut list, who);
    NominatorList::put(ext, &list);
    true
}

/// Stops `who` validating and nominating; returns whether it did either (no event).
pub(crate) fn chill(ext: &mut Ext<'_>, who: &AccountId20) -> bool {
    let was_candidate = remove_candidate(ext, who);
    let was_nominator = remove_nominator(ext, who);
    was_candidate || was_nominator
}

/// `bond`: see [`crate::Call::bond`].
pub(crate) fn bond<T: Config>(ext: &mut Ext<'_>, who: AccountId20, value: Balance) -> DispatchResult {
    if Ledger::contains(ext, &who) {
        return Err(err::<T>(Error::AlreadyBonded));
    }
    if value < min_bond::<T>() {
        return Err(err::<T>(Error::InsufficientBond));
    }
    if value > stakeable(ext, &who, 0) {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    put_ledger::<T>(ext, &StakingLedger::new(who, value))?;
    deposit_event::<T>(ext, Event::Bonded { stash: who, amount: value });
    Ok(())
}

/// `bond_extra`: see [`crate::Call::bond_extra`].
pub(crate) fn bond_extra<T: Config>(ext: &mut Ext<'_>, who: AccountId20, max_additional: Balance) -> DispatchResult {
    let mut ledger = ledger_of::<T>(ext, &who)?;
    let extra = max_additional.min(stakeable(ext, &who, ledger.total));
    if extra == 0 {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    // extra ≤ free − total, so neither sum can overflow.
    ledger.total = ledger.total.saturating_add(extra);
    ledger.active = ledger.active.saturating_add(extra);
    put_ledger::<T>(ext, &ledger)?;
    deposit_event::<T>(ext, Event::Bonded { stash: who, amount: extra });
    Ok(())
}

/// `unbond`: see [`crate::Call::unbond`].
pub(crate) fn unbond<T: Config>(ext: &mut Ext<'_>, who: AccountId20, value: Balance) -> DispatchResult {
    let mut ledger = ledger_of::<T>(ext, &who)?;
    if value == 0 {
        return Err(err::<T>(Error::ZeroAmount));
    }
    if value > ledger.active {
        return Err(err::<T>(Error::NotEnoughBonded));
    }
    // A rest below the existential deposit is not worth keeping bonded.
    let value = if ledger.active - value < min_bond::<T>() { ledger.active } else { value };
    let new_active = ledger.active - value;
    if new_active != 0 && new_active < min_validator_bond(ext) && Validators::contains(ext, &who) {
        return Err(err::<T>(Error::InsufficientBond));
    }
    let era = crate::current_era(ext).saturating_add(parameters::get_u32(ext, Parameter::UnbondingEras));
    let chunks = ledger.unlocking.len();
    match ledger.unlocking.last_mut() {
        Some(last) if last.era == era => last.value = last.value.saturating_add(value),
        _ if chunks >= MAX_UNLOCKING_CHUNKS => return Err(err::<T>(Error::NoMoreChunks)),
        _ => ledger.unlocking.push(UnlockChunk { value, era }),
    }
    ledger.active = new_active;
    Ledger::insert(ext, &who, &ledger);
    deposit_event::<T>(ext, Event::Unbonded { stash: who, amount: value });
    if new_active == 0 && chill(ext, &who) {
        deposit_event::<T>(ext, Event::Chilled { who });
    }
    Ok(())
}

/// `withdraw_unbonded`: see [`crate::Call::withdraw_unbonded`].
pub(crate) fn withdraw_unbonded<T: Config>(ext: &mut Ext<'_>, who: AccountId20) -> DispatchResult {
    let mut ledger = ledger_of::<T>(ext, &who)?;
    let current = crate::current_era(ext);
    let released: Balance = ledger.unlocking.iter().filter(|c| c.era <= current).map(|c| c.value).sum();
    if released == 0 {
        return Err(err::<T>(Error::NothingToWithdraw));
    }
    ledger.unlocking.retain(|c| c.era > current);
    ledger.total = ledger.total.saturating_sub(released);
    put_ledger::<T>(ext, &ledger)?;
    deposit_event::<T>(ext, Event::Withdrawn { stash: who, amount: released });
    Ok(())
}

/// `validate`: see [`crate::Call::validate`].
pub(crate) fn validate<T: Config>(ext: &mut Ext<'_>, who: AccountId20, prefs: ValidatorPrefs) -> DispatchResult {
    let ledger = ledger_of::<T>(ext, &who)?;
    if !archive_pallet_identity::has_role(ext, &who, Role::Validator) {
        return Err(err::<T>(Error::MissingValidatorRole));
    }
    if ledger.active < min_validator_bond(ext) {
        return Err(err::<T>(Error::InsufficientBond));
    }
    if prefs.commission.deconstruct() > Perbill::ACCURACY {
        return Err(err::<T>(Error::CommissionTooHigh));
    }
    remove_nominator(ext, &who);
    set_candidate(ext, &who, &prefs);
    deposit_event::<T>(ext, Event::ValidatorPrefsSet { stash: who, prefs });
    Ok(())
}

/// `nominate`: see [`crate::Call::nominate`].
pub(crate) fn nominate<T: Config>(ext: &mut Ext<'_>, who: AccountId20, targets: Vec<AccountId20>) -> DispatchResult {
    ledger_of::<T>(ext, &who)?;
    if targets.is_empty() {
        return Err(err::<T>(Error::EmptyTargets));
    }
    if targets.len() > MAX_NOMINATIONS {
        return Err(err::<T>(Error::TooManyTargets));
    }
    let mut sorted = targets.clone();
    sorted.sort();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(err::<T>(Error::DuplicateTarget));
    }
    let previous = Nominators::get(ext, &who).map(|n| n.targets).unwrap_or_default();
    for target in &targets {
        let prefs = match Validators::get(ext, target) {
            Some(prefs) if *target != who => prefs,
            _ => return Err(err::<T>(Error::NotValidator)),
        };
        if prefs.blocked && !previous.contains(target) {
            return Err(err::<T>(Error::TargetBlocked));
        }
    }
    remove_candidate(ext, &who);
    Nominators::insert(ext, &who, &Nominations { targets: targets.clone(), submitted_in: crate::current_era(ext) });
    let mut list = NominatorList::get_or_default(ext);
    list_insert(&mut list, who);
    NominatorList::put(ext, &list);
    deposit_event::<T>(ext, Event::Nominated { stash: who, targets });
    Ok(())
}

/// `chill`: see [`crate::Call::chill`]. `Chilled` only if there was something to stop.
pub(crate) fn chill_call<T: Config>(ext: &mut Ext<'_>, who: AccountId20) -> DispatchResult {
    ledger_of::<T>(ext, &who)?;
    if chill(ext, &who) {
        deposit_event::<T>(ext, Event::Chilled { who });
    }
    Ok(())
}

/// `rebond`: see [`crate::Call::rebond`].
pub(crate) fn rebond<T: Config>(ext: &mut Ext<'_>, who: AccountId20, value: Balance) -> DispatchResult {
    let mut ledger = ledger_of::<T>(ext, &who)?;
    if value == 0 {
        return Err(err::<T>(Error::ZeroAmount));
    }
    if ledger.unlocking.is_empty() {
        return Err(err::<T>(Error::NoUnlockChunk));
    }
    let mut moved: Balance = 0;
    while moved < value {
        let Some(chunk) = ledger.unlocking.last_mut() else { break };
        let take = chunk.value.min(value - moved);
        chunk.value -= take;
        moved += take;
        if chunk.value == 0 {
            ledger.unlocking.pop();
        }
    }
    ledger.active = ledger.active.saturating_add(moved);
    if ledger.active < min_bond::<T>() {
        return Err(err::<T>(Error::InsufficientBond));
    }
    Ledger::insert(ext, &who, &ledger);
    deposit_event::<T>(ext, Event::Bonded { stash: who, amount: moved });
    Ok(())
}
