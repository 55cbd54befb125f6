//! archive-pallet-balances: the ARC token — transfers, the existential deposit, fee withdrawal,
//! reserves and locks for the other pallets, and total issuance.
//!
//! Balances live in `System.Account[who].data` ([`archive_pallet_system::AccountData`]): free,
//! reserved and frozen (the largest lock). Storage of its own (prefix "Balances"):
//! `TotalIssuance`, `Locks` (Blake2_128Concat AccountId20 → Vec<BalanceLock>).
//!
//! Guarantees: every successful operation conserves `TotalIssuance` except `mint`/`burn`-like
//! ones that say so (fee burning, dust removal, `force_set_balance`); an account whose total
//! balance falls below the existential deposit is removed (its dust burned, `DustLost`); a
//! transfer never touches frozen (locked) funds.

mod currency;
#[cfg(test)]
mod mock;
pub mod pallet;
pub mod storage;
#[cfg(test)]
mod tests;

pub use currency::{
    deposit_creating, free_balance, remove_lock, reserve, reserved_balance, set_lock, slash, slash_reserved,
    total_issuance, transfer, unreserve, usable_balance, withdraw, ExistenceRequirement,
};
pub use pallet::{dispatch, Call, Error, Event};
pub use storage::BalanceLock;

use archive_primitives::Balance;

/// Configuration of the balances pallet.
pub trait Config: archive_pallet_system::Config {
    /// The pallet's index in the runtime.
    const INDEX: u8;
    /// The minimum balance an account must keep to exist.
    const EXISTENTIAL_DEPOSIT: Balance;
    /// Maximum number of locks per account.
    const MAX_LOCKS: u32;
}
