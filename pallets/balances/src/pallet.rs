//! Calls, events and errors of the balances pallet (metadata path `pallet_balances::pallet::*`).

use archive_primitives::{AccountId20, Balance};
use archive_support::{dispatch::PalletError, DispatchResult, Ext, RawOrigin, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{currency, Config, ExistenceRequirement};

/// Calls (indices are Substrate's; wire format: append only).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_balances", "pallet_balances"))]
pub enum Call {
    /// Transfer `value` to `dest`; the sender may be reaped if left below the existential
    /// deposit. Origin: signed. Errors: InsufficientBalance, LiquidityRestrictions, ExistentialDeposit.
    #[codec(index = 0)]
    transfer_allow_death {
        dest: AccountId20,
        #[codec(compact)]
        value: Balance,
    },
    /// As `transfer_allow_death`, but fails (Expendability) rather than reap the sender.
    #[codec(index = 3)]
    transfer_keep_alive {
        dest: AccountId20,
        #[codec(compact)]
        value: Balance,
    },
    /// Transfer all usable (unlocked) funds; with `keep_alive`, leave enough for the account to
    /// stay alive (free + reserved at least the existential deposit).
    #[codec(index = 4)]
    transfer_all { dest: AccountId20, keep_alive: bool },
    /// Set `who`'s free balance; below the existential deposit it becomes zero (the account is
    /// reaped). Total issuance follows. Origin: root (governance).
    #[codec(index = 8)]
    force_set_balance {
        who: AccountId20,
        #[codec(compact)]
        new_free: Balance,
    },
}

/// Events (indices are Substrate's; append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_balances", "pallet_balances"))]
pub enum Event {
    /// An account was created with some free balance.
    #[codec(index = 0)]
    Endowed { account: AccountId20, free_balance: Balance },
    /// An account was removed whose balance was non-zero but below the existential deposit.
    #[codec(index = 1)]
    DustLost { account: AccountId20, amount: Balance },
    /// Transfer succeeded.
    #[codec(index = 2)]
    Transfer { from: AccountId20, to: AccountId20, amount: Balance },
    /// A balance was set by root.
    #[codec(index = 3)]
    BalanceSet { who: AccountId20, free: Balance },
    /// Some balance was reserved (moved from free to reserved).
    #[codec(index = 4)]
    Reserved { who: AccountId20, amount: Balance },
    /// Some balance was unreserved (moved from reserved to free).
    #[codec(index = 5)]
    Unreserved { who: AccountId20, amount: Balance },
    /// Some amount was deposited (e.g. a reward).
    #[codec(index = 7)]
    Deposit { who: AccountId20, amount: Balance },
    /// Some amount was withdrawn from the account (e.g. a fee).
    #[codec(index = 8)]
    Withdraw { who: AccountId20, amount: Balance },
    /// Some amount was removed from the account (e.g. slashing).
    #[codec(index = 9)]
    Slashed { who: AccountId20, amount: Balance },
}

/// Errors (indices are Substrate's; append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_balances", "pallet_balances"))]
pub enum Error {
    /// Vesting balance too high to send value.
    #[codec(index = 0)]
    VestingBalance,
    /// Account liquidity restrictions prevent withdrawal (funds are locked).
    #[codec(index = 1)]
    LiquidityRestrictions,
    /// Balance too low to send value.
    #[codec(index = 2)]
    InsufficientBalance,
    /// Value too low to create account due to existential deposit.
    #[codec(index = 3)]
    ExistentialDeposit,
    /// Transfer/payment would kill account.
    #[codec(index = 4)]
    Expendability,
    /// A vesting schedule already exists for this account.
    #[codec(index = 5)]
    ExistingVestingSchedule,
    /// Beneficiary account must pre-exist.
    #[codec(index = 6)]
    DeadAccount,
    /// Number of named reserves exceed `MaxReserves`.
    #[codec(index = 7)]
    TooManyReserves,
    /// Number of locks exceeds `MaxLocks`.
    #[codec(index = 8)]
    TooManyLocks,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

/// Weight of a transfer: measured by `archivechain benchmark import` on the reference machine
/// (two account reads and writes, one event).
pub const TRANSFER_WEIGHT: Weight = Weight::from_parts(30_000_000, 3_593);

/// The weight of `call`.
pub fn call_weight(call: &Call) -> Weight {
    match call {
        Call::transfer_allow_death { .. } | Call::transfer_keep_alive { .. } | Call::transfer_all { .. } => {
            TRANSFER_WEIGHT
        }
        Call::force_set_balance { .. } => Weight::from_parts(15_000_000, 3_593),
    }
}

/// Records a balances event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(<T as Config>::INDEX, &e);
}

/// Dispatches a call. Runs inside the caller's storage transaction.
///
/// # Errors
/// `BadOrigin` for the wrong origin, else the errors of [`currency::transfer`].
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    match call {
        Call::transfer_allow_death { dest, value } => {
            let from = origin.ensure_signed()?;
            currency::transfer::<T>(ext, &from, &dest, value, ExistenceRequirement::AllowDeath)
        }
        Call::transfer_keep_alive { dest, value } => {
            let from = origin.ensure_signed()?;
            currency::transfer::<T>(ext, &from, &dest, value, ExistenceRequirement::KeepAlive)
        }
        Call::transfer_all { dest, keep_alive } => {
            let from = origin.ensure_signed()?;
            let acc = archive_pallet_system::pallet::account(ext, &from);
            // What must stay in `free`: the locked part, and with `keep_alive` also whatever of
            // the existential deposit `reserved` does not cover (the larger of the two; a lock
            // of at least the deposit already keeps the account alive).
            let (untouchable, req) = if keep_alive {
                let ed_part = T::EXISTENTIAL_DEPOSIT.saturating_sub(acc.data.reserved);
                (acc.data.frozen.max(ed_part), ExistenceRequirement::KeepAlive)
            } else {
                (acc.data.frozen, ExistenceRequirement::AllowDeath)
            };
            let value = acc.data.free.saturating_sub(untouchable);
            currency::transfer::<T>(ext, &from, &dest, value, req)
        }
        Call::force_set_balance { who, new_free } => {
            origin.ensure_root()?;
            let free = currency::force_set_free::<T>(ext, &who, new_free);
            deposit_event::<T>(ext, Event::BalanceSet { who, free });
            Ok(())
        }
    }
}
