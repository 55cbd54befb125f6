//! The staking pallet's storage items (prefix "Staking").
//!
//! The support layer cannot enumerate a map, so the two maps that must be walked (candidates
//! and nominators) each have a sorted index (`ValidatorList`, `NominatorList`) kept in step by
//! [`crate::ledger`]; per-era maps that are reset wholesale (`Authored`, `Assigned`, `Scores`,
//! `SeatStreak`) are cleared by prefix.

use archive_primitives::AccountId20;
use archive_support::{
    storage::{Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap, StorageValue, Twox64Concat},
    Ext,
};

use crate::types::{
    ActiveEraInfo, EraIndex, Exposure, Nominations, OffenceKind, PoaScore, SlashRecord, StakingLedger, ValidatorPrefs,
};

macro_rules! instance {
    ($name:ident, $item:literal) => {
        #[doc = concat!("Storage instance `Staking.", $item, "`.")]
        pub struct $name;
        impl StorageInstance for $name {
            const PALLET: &'static str = "Staking";
            const ITEM: &'static str = $item;
        }
    };
}

instance!(LedgerP, "Ledger");
instance!(ValidatorsP, "Validators");
instance!(ValidatorListP, "ValidatorList");
instance!(NominatorsP, "Nominators");
instance!(NominatorListP, "NominatorList");
instance!(CurrentEraP, "CurrentEra");
instance!(ActiveEraP, "ActiveEra");
instance!(ErasStakersP, "ErasStakers");
instance!(ErasValidatorsP, "ErasValidators");
instance!(ScoresP, "Scores");
instance!(SeatStreakP, "SeatStreak");
instance!(AuthoredP, "Authored");
instance!(AssignedP, "Assigned");
instance!(LastSlotP, "LastSlot");
instance!(ReportedP, "Reported");
instance!(SlashesP, "Slashes");

/// Bonds by stash.
pub type Ledger = StorageMap<LedgerP, Blake2_128Concat, AccountId20, StakingLedger>;
/// Validator candidates (stashes that called `validate`) and their preferences.
pub type Validators = StorageMap<ValidatorsP, Twox64Concat, AccountId20, ValidatorPrefs>;
/// The keys of `Validators`, sorted ascending.
pub type ValidatorList = StorageValue<ValidatorListP, Vec<AccountId20>>;
/// Nominators and their targets.
pub type Nominators = StorageMap<NominatorsP, Twox64Concat, AccountId20, Nominations>;
/// The keys of `Nominators`, sorted ascending.
pub type NominatorList = StorageValue<NominatorListP, Vec<AccountId20>>;
/// The latest era (equal to `ActiveEra.index`: eras start as soon as they are elected).
pub type CurrentEra = StorageValue<CurrentEraP, EraIndex>;
/// The era in progress.
pub type ActiveEra = StorageValue<ActiveEraP, ActiveEraInfo>;
/// Exposure of each validator in each of the last [`crate::HISTORY_DEPTH`] eras.
pub type ErasStakers = StorageMap<ErasStakersP, Twox64Concat, (EraIndex, AccountId20), Exposure>;
/// The validator set of each of the last [`crate::HISTORY_DEPTH`] eras.
pub type ErasValidators = StorageMap<ErasValidatorsP, Twox64Concat, EraIndex, Vec<AccountId20>>;
/// Every candidate's score at the last election.
pub type Scores = StorageMap<ScoresP, Twox64Concat, AccountId20, PoaScore>;
/// Consecutive eras each current validator has held its seat.
pub type SeatStreak = StorageMap<SeatStreakP, Twox64Concat, AccountId20, u32>;
/// Slots authored in the current era, by validator.
pub type Authored = StorageMap<AuthoredP, Twox64Concat, AccountId20, u32>;
/// Slots assigned in the current era, by validator.
pub type Assigned = StorageMap<AssignedP, Twox64Concat, AccountId20, u32>;
/// The slot of the last block (uptime accounting counts the slots after it).
pub type LastSlot = StorageValue<LastSlotP, u64>;
/// Offences already punished: (kind, offender, slot or round) → the era it was reported in.
/// (The era is stored rather than `()` so that no entry has an empty value.)
pub type Reported = StorageMap<ReportedP, Blake2_128Concat, (OffenceKind, AccountId20, u64), EraIndex>;
/// Slashes suffered, oldest first (the last [`crate::MAX_SLASH_RECORDS`]).
pub type Slashes = StorageMap<SlashesP, Blake2_128Concat, AccountId20, Vec<SlashRecord>>;

/// Adds `who` to a sorted account list (no-op if present).
pub(crate) fn list_insert(list: &mut Vec<AccountId20>, who: AccountId20) {
    if let Err(pos) = list.binary_search(&who) {
        list.insert(pos, who);
    }
}

/// Removes `who` from a sorted account list (no-op if absent).
pub(crate) fn list_remove(list: &mut Vec<AccountId20>, who: &AccountId20) {
    if let Ok(pos) = list.binary_search(who) {
        list.remove(pos);
    }
}

/// The sorted candidate list.
pub fn validator_list(ext: &Ext<'_>) -> Vec<AccountId20> {
    ValidatorList::get_or_default(ext)
}

/// The sorted nominator list.
pub fn nominator_list(ext: &Ext<'_>) -> Vec<AccountId20> {
    NominatorList::get_or_default(ext)
}

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        Ledger::info(None, &[" Map from all stashes to their bond."]),
        Validators::info(Some(ValidatorPrefs::default()), &[" The validator candidates and their preferences."]),
        ValidatorList::info(Some(Vec::new()), &[" The candidates' accounts, sorted (an index of `Validators`)."]),
        Nominators::info(None, &[" The nominators and their targets."]),
        NominatorList::info(Some(Vec::new()), &[" The nominators' accounts, sorted (an index of `Nominators`)."]),
        CurrentEra::info(None, &[" The current era index."]),
        ActiveEra::info(None, &[" The active era: its index and first block."]),
        ErasStakers::info(Some(Exposure::default()), &[" Exposure of each validator in each recent era."]),
        ErasValidators::info(Some(Vec::new()), &[" The validator set of each recent era."]),
        Scores::info(None, &[" Proof-of-Archive score of every candidate at the last election."]),
        SeatStreak::info(Some(0), &[" Consecutive eras each validator has held its seat."]),
        Authored::info(Some(0), &[" Slots authored in the current era."]),
        Assigned::info(Some(0), &[" Slots assigned in the current era."]),
        LastSlot::info(None, &[" Slot of the last block."]),
        Reported::info(None, &[" Offences already reported: (kind, offender, slot or round) to the era."]),
        Slashes::info(Some(Vec::new()), &[" Recent slashes of each account."]),
    ]
}
