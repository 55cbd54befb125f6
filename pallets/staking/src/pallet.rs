//! Calls, events and errors of the staking pallet (metadata path `pallet_staking::pallet::*`).

use archive_consensus::Equivocation;
use archive_primitives::{AccountId20, Balance};
use archive_support::{dispatch::PalletError, DispatchError, DispatchResult, Ext, RawOrigin, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{
    ledger, slashing,
    types::{EraIndex, OffenceKind, ValidatorPrefs},
    weights, Config,
};

/// Calls (indices are Substrate's where the call exists there; wire format: append only).
///
/// Every call's origin is a signed stash (the stash is its own controller); each returns
/// `BadOrigin` for any other origin.
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub enum Call {
    /// Bond `value` of the sender's free balance (locked as `b"staking "`). O(1).
    /// Errors: AlreadyBonded, InsufficientBond (below the existential deposit),
    /// InsufficientBalance (more than the free balance not locked by other pallets).
    #[codec(index = 0)]
    bond {
        #[codec(compact)]
        value: Balance,
    },
    /// Bond up to `max_additional` more (capped at what is unlocked). O(1).
    /// Errors: NotBonded, InsufficientBalance (nothing to add).
    #[codec(index = 1)]
    bond_extra {
        #[codec(compact)]
        max_additional: Balance,
    },
    /// Schedule `value` of the active bond for withdrawal after `UnbondingEras` eras; a rest
    /// below the existential deposit is unbonded too; unbonding everything chills. O(chunks).
    /// Errors: NotBonded, ZeroAmount, NotEnoughBonded, NoMoreChunks, InsufficientBond (a
    /// candidate left below `MinValidatorBond` but above zero).
    #[codec(index = 2)]
    unbond {
        #[codec(compact)]
        value: Balance,
    },
    /// Release every unlocking chunk whose era has come; an emptied ledger is removed with its
    /// lock. `num_slashing_spans` is ignored (Substrate compatibility). O(chunks).
    /// Errors: NotBonded, NothingToWithdraw.
    #[codec(index = 3)]
    withdraw_unbonded { num_slashing_spans: u32 },
    /// Become a validator candidate for the next elections (stops nominating). O(1).
    /// Errors: NotBonded, MissingValidatorRole, InsufficientBond, CommissionTooHigh.
    #[codec(index = 4)]
    validate { prefs: ValidatorPrefs },
    /// Nominate 1 to [`crate::MAX_NOMINATIONS`] distinct candidates (stops validating). O(targets).
    /// Errors: NotBonded, EmptyTargets, TooManyTargets, DuplicateTarget, NotValidator,
    /// TargetBlocked.
    #[codec(index = 5)]
    nominate { targets: Vec<AccountId20> },
    /// Stop validating and nominating. O(1). Errors: NotBonded.
    #[codec(index = 6)]
    chill,
    /// Move up to `value` of the newest unlocking chunks back to the active bond. O(chunks).
    /// Errors: NotBonded, ZeroAmount, NoUnlockChunk, InsufficientBond (active would stay below
    /// the existential deposit).
    #[codec(index = 19)]
    rebond {
        #[codec(compact)]
        value: Balance,
    },
    /// Report an equivocation; the offender and its nominators are slashed, the reporter
    /// rewarded. O(eras × signature checks + nominators). Errors: SelfReport, InvalidEvidence,
    /// DuplicateReport.
    #[codec(index = 40)]
    report_equivocation { evidence: Box<Equivocation> },
}

/// Events (indices are Substrate's where the event exists there; append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub enum Event {
    /// The era reward of `era` was paid; `total` was minted.
    #[codec(index = 0)]
    EraPaid { era: EraIndex, total: Balance },
    /// `stash` was paid a reward (block, era or reporter reward).
    #[codec(index = 1)]
    Rewarded { stash: AccountId20, amount: Balance },
    /// `who`'s bond was slashed by `amount`.
    #[codec(index = 2)]
    Slashed { who: AccountId20, amount: Balance },
    /// `stash` bonded `amount` (bond, bond_extra, rebond).
    #[codec(index = 6)]
    Bonded { stash: AccountId20, amount: Balance },
    /// `stash` scheduled `amount` for withdrawal.
    #[codec(index = 7)]
    Unbonded { stash: AccountId20, amount: Balance },
    /// `stash` withdrew `amount` of unbonded funds.
    #[codec(index = 8)]
    Withdrawn { stash: AccountId20, amount: Balance },
    /// No candidate qualified at the end of `era`; the validator set was kept.
    #[codec(index = 10)]
    ElectionFailed { era: EraIndex },
    /// `who` stopped validating or nominating (by itself, for downtime or for an offence).
    #[codec(index = 11)]
    Chilled { who: AccountId20 },
    /// `stash` became (or stays) a candidate with `prefs`.
    #[codec(index = 13)]
    ValidatorPrefsSet { stash: AccountId20, prefs: ValidatorPrefs },
    /// `stash` nominated `targets`.
    #[codec(index = 20)]
    Nominated { stash: AccountId20, targets: Vec<AccountId20> },
    /// Era `era` started with `validators` (in slot order).
    #[codec(index = 21)]
    NewEra { era: EraIndex, validators: Vec<AccountId20> },
    /// An offence of `offender` was reported and punished.
    #[codec(index = 22)]
    OffenceReported { offender: AccountId20, kind: OffenceKind, reporter: AccountId20 },
}

/// Errors (append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_staking", "pallet_staking"))]
pub enum Error {
    /// The sender has no bond.
    #[codec(index = 0)]
    NotBonded,
    /// The sender already has a bond (use `bond_extra`).
    #[codec(index = 1)]
    AlreadyBonded,
    /// Not enough free, unlocked balance.
    #[codec(index = 2)]
    InsufficientBalance,
    /// The bond would be below the required minimum (existential deposit, or `MinValidatorBond`
    /// for a candidate).
    #[codec(index = 3)]
    InsufficientBond,
    /// The amount must not be zero.
    #[codec(index = 4)]
    ZeroAmount,
    /// More than the active bond was asked to unbond.
    #[codec(index = 5)]
    NotEnoughBonded,
    /// Too many unlocking chunks; withdraw or rebond first.
    #[codec(index = 6)]
    NoMoreChunks,
    /// Nothing is unlocking.
    #[codec(index = 7)]
    NoUnlockChunk,
    /// Nothing to withdraw: everything unbonded is still in the unbonding period.
    #[codec(index = 8)]
    NothingToWithdraw,
    /// The sender lacks the identity pallet's Validator role.
    #[codec(index = 9)]
    MissingValidatorRole,
    /// Commission above 100 %.
    #[codec(index = 10)]
    CommissionTooHigh,
    /// No nomination targets.
    #[codec(index = 11)]
    EmptyTargets,
    /// More than `MAX_NOMINATIONS` targets.
    #[codec(index = 12)]
    TooManyTargets,
    /// A target appears twice.
    #[codec(index = 13)]
    DuplicateTarget,
    /// A target is not a validator candidate.
    #[codec(index = 14)]
    NotValidator,
    /// A target refuses new nominations.
    #[codec(index = 15)]
    TargetBlocked,
    /// The evidence does not prove an equivocation by a validator of a recent era.
    #[codec(index = 16)]
    InvalidEvidence,
    /// This offence was already reported.
    #[codec(index = 17)]
    DuplicateReport,
    /// A validator cannot report its own offence.
    #[codec(index = 18)]
    SelfReport,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

/// The dispatch error of `e` for the runtime `T`.
pub(crate) fn err<T: Config>(e: Error) -> DispatchError {
    e.into_dispatch(<T as Config>::INDEX)
}

/// Records a staking event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(<T as Config>::INDEX, &e);
}

/// The weight of `call` (see [`weights`]).
pub fn call_weight(call: &Call) -> Weight {
    match call {
        Call::bond { .. } | Call::bond_extra { .. } => weights::BOND,
        Call::unbond { .. } | Call::rebond { .. } => weights::UNBOND,
        Call::withdraw_unbonded { .. } => weights::WITHDRAW_UNBONDED,
        Call::validate { .. } => weights::VALIDATE,
        Call::nominate { targets } => weights::nominate(targets.len()),
        Call::chill => weights::CHILL,
        Call::report_equivocation { .. } => weights::REPORT_EQUIVOCATION,
    }
}

/// Dispatches a call. Runs inside the caller's storage transaction: an error may leave
/// partial writes that the transaction rolls back.
///
/// # Errors
/// `BadOrigin` unless signed, else the call's errors listed on [`Call`].
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    let who = origin.ensure_signed()?;
    match call {
        Call::bond { value } => ledger::bond::<T>(ext, who, value),
        Call::bond_extra { max_additional } => ledger::bond_extra::<T>(ext, who, max_additional),
        Call::unbond { value } => ledger::unbond::<T>(ext, who, value),
        Call::withdraw_unbonded { num_slashing_spans: _ } => ledger::withdraw_unbonded::<T>(ext, who),
        Call::validate { prefs } => ledger::validate::<T>(ext, who, prefs),
        Call::nominate { targets } => ledger::nominate::<T>(ext, who, targets),
        Call::chill => ledger::chill_call::<T>(ext, who),
        Call::rebond { value } => ledger::rebond::<T>(ext, who, value),
        Call::report_equivocation { evidence } => slashing::report_equivocation::<T>(ext, who, &evidence),
    }
}
