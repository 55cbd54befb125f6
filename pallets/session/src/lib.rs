//! archive-pallet-session: the validator set on chain.
//!
//! Storage (prefix "Session"): `Validators` — the accounts whose slots and finality votes
//! count, in slot order (the author of slot `s` is `Validators[s % len]`) — and `SetId`, which
//! counts the changes of that set (0 at genesis). Set at genesis from the chain spec; the
//! staking pallet rotates it each era (and removes offenders). No calls: nobody changes it
//! directly.
//!
//! The node numbers finality rounds per set from `SetId` (rounds of set `s` start at
//! `s << 32`), so every node starts the new set's voting in the same round, and no vote of one
//! set can be mistaken for a conflicting vote of another.
//!
//! Guarantee: the set is part of the genesis state, so two chains with different validator
//! sets have different genesis hashes (and transactions of one are invalid on the other).

use archive_primitives::AccountId20;
use archive_support::{
    storage::{StorageEntryInfo, StorageInstance, StorageValue},
    Ext,
};

/// Storage instance `Session.Validators`.
pub struct ValidatorsP;
impl StorageInstance for ValidatorsP {
    const PALLET: &'static str = "Session";
    const ITEM: &'static str = "Validators";
}

/// The current validator set.
pub type Validators = StorageValue<ValidatorsP, Vec<AccountId20>>;

/// Storage instance `Session.SetId`.
pub struct SetIdP;
impl StorageInstance for SetIdP {
    const PALLET: &'static str = "Session";
    const ITEM: &'static str = "SetId";
}

/// How many times the validator set changed since genesis.
pub type SetId = StorageValue<SetIdP, u64>;

/// The current set id.
pub fn set_id(ext: &Ext<'_>) -> u64 {
    SetId::get_or_default(ext)
}

/// The current validator set (empty if unset).
pub fn validators(ext: &Ext<'_>) -> Vec<AccountId20> {
    Validators::get_or_default(ext)
}

/// Sets the validator set (genesis, era rotation, offender removal). A different non-empty
/// set replacing a non-empty one bumps `SetId`; writing the same set changes nothing.
pub fn set_validators(ext: &mut Ext<'_>, validators: &[AccountId20]) {
    let old = Validators::get_or_default(ext);
    if old == validators {
        return;
    }
    if !old.is_empty() {
        SetId::put(ext, &set_id(ext).saturating_add(1));
    }
    Validators::put(ext, &validators.to_vec());
}

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        Validators::info(Some(Vec::new()), &[" The current validator set, in slot order."]),
        SetId::info(Some(0), &[" How many times the validator set changed since genesis."]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use archive_support::MemoryBackend;

    #[test]
    fn validators_round_trip_under_substrate_style_key() {
        let b = MemoryBackend::default();
        let mut ext = Ext::new(&b);
        assert!(validators(&ext).is_empty());
        let set = vec![AccountId20([1; 20]), AccountId20([2; 20])];
        set_validators(&mut ext, &set);
        assert_eq!(validators(&ext), set);
        assert_eq!(Validators::key(), archive_primitives::storage_key::storage_prefix("Session", "Validators"));
        assert_eq!(set_id(&ext), 0, "the first set is set 0");
        set_validators(&mut ext, &set);
        assert_eq!(set_id(&ext), 0, "the same set again is no change");
        set_validators(&mut ext, &set[..1]);
        assert_eq!(set_id(&ext), 1);
    }
}
