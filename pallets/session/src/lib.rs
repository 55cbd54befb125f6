//! archive-pallet-session: the validator set on chain.
//!
//! Storage (prefix "Session"): `Validators` — the accounts whose slots and finality votes
//! count, in slot order (the author of slot `s` is `Validators[s % len]`). Set at genesis from
//! the chain spec; the staking pallet will rotate it each era. No calls: nobody changes it
//! directly.
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

/// The current validator set (empty if unset).
pub fn validators(ext: &Ext<'_>) -> Vec<AccountId20> {
    Validators::get_or_default(ext)
}

/// Sets the validator set (genesis; later, era rotation).
pub fn set_validators(ext: &mut Ext<'_>, validators: &[AccountId20]) {
    Validators::put(ext, &validators.to_vec());
}

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![Validators::info(Some(Vec::new()), &[" The current validator set, in slot order."])]
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
    }
}
