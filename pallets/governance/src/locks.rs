//! Vote locks: the `Locks` bookkeeping and the single balance lock (`govvote `) it drives.
//!
//! **Invariant**: the `govvote ` balance lock of an account equals the largest balance among its
//! `Locks` entries, and is absent when it has none.

use archive_pallet_balances as balances;
use archive_primitives::{AccountId20, Balance, BlockNumber};
use archive_support::{DispatchError, Ext};

use crate::{
    storage::{Locks, Proposals},
    types::VoteLock,
    Config, VOTE_LOCK_ID,
};

/// Whether `lock` no longer holds funds at block `now`: its unlock block has come, or its
/// proposal was withdrawn (cancelled or killed) or is unknown.
fn expired(ext: &Ext<'_>, lock: &VoteLock, now: BlockNumber) -> bool {
    lock.2 <= now || Proposals::get(ext, &lock.0).is_none_or(|p| p.status.is_withdrawn())
}

/// `who`'s `Locks` entries whose unlock block is after `now`, in stored order (no proposal
/// reads: what `vote` uses to keep the list short cheaply).
pub(crate) fn unexpired_by_time(ext: &Ext<'_>, who: &AccountId20, now: BlockNumber) -> Vec<VoteLock> {
    let mut locks = Locks::get_or_default(ext, who);
    locks.retain(|l| l.2 > now);
    locks
}

/// `who`'s `Locks` entries that still hold funds at `now` (see [`expired`]), in stored order.
pub(crate) fn unexpired(ext: &Ext<'_>, who: &AccountId20, now: BlockNumber) -> Vec<VoteLock> {
    let mut locks = Locks::get_or_default(ext, who);
    locks.retain(|l| !expired(ext, l, now));
    locks
}

/// Stores `locks` as `who`'s entries and sets the balance lock to their largest balance
/// (removing both when empty). Returns the amount now locked.
///
/// # Errors
/// balances' `TooManyLocks` if the account has no `govvote ` lock yet and no room for one;
/// nothing is written then.
pub(crate) fn apply<T: Config>(
    ext: &mut Ext<'_>,
    who: &AccountId20,
    locks: &[VoteLock],
) -> Result<Balance, DispatchError> {
    let Some(max) = locks.iter().map(|l| l.1).max() else {
        balances::remove_lock::<T>(ext, VOTE_LOCK_ID, who);
        Locks::remove(ext, who);
        return Ok(0);
    };
    balances::set_lock::<T>(ext, VOTE_LOCK_ID, who, max)?;
    Locks::insert(ext, who, &locks.to_vec());
    Ok(max)
}
