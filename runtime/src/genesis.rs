//! Genesis state: endowed accounts and the system pallet's initial values.

use archive_pallet_system::{self as system};
use archive_primitives::{AccountId20, Balance, H256};
use archive_support::{Ext, MemoryBackend};
use serde::{Deserialize, Serialize};

use crate::Runtime;

/// What a chain spec puts into the genesis state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// Endowed accounts and their free balances (units of 10^-18 ARC).
    pub balances: Vec<(AccountId20, Balance)>,
    /// The genesis validator set, in slot order.
    #[serde(default)]
    pub validators: Vec<AccountId20>,
}

/// Errors in a genesis configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// An endowment below the existential deposit.
    #[error("genesis balance of {account} ({amount}) is below the existential deposit ({min})")]
    BelowExistentialDeposit { account: AccountId20, amount: Balance, min: Balance },
    /// The same account endowed twice.
    #[error("account {account} is endowed twice in genesis")]
    Duplicate { account: AccountId20 },
}

/// Builds the genesis storage (sorted key/value pairs).
///
/// # Errors
/// [`GenesisError`] for an invalid configuration.
pub fn build_storage(config: &GenesisConfig) -> Result<archive_primitives::StoragePairs, GenesisError> {
    let backend = MemoryBackend::default();
    let mut ext = Ext::new(&backend);
    let mut seen = std::collections::BTreeSet::new();
    for (who, amount) in &config.balances {
        if !seen.insert(*who) {
            return Err(GenesisError::Duplicate { account: *who });
        }
        if *amount < crate::constants::EXISTENTIAL_DEPOSIT {
            return Err(GenesisError::BelowExistentialDeposit {
                account: *who,
                amount: *amount,
                min: crate::constants::EXISTENTIAL_DEPOSIT,
            });
        }
        archive_pallet_balances::deposit_creating::<Runtime>(&mut ext, who, *amount).map_err(|_| {
            GenesisError::BelowExistentialDeposit {
                account: *who,
                amount: *amount,
                min: crate::constants::EXISTENTIAL_DEPOSIT,
            }
        })?;
    }
    archive_pallet_session::set_validators(&mut ext, &config.validators);
    // Substrate's placeholder for block 0's hash until block 1 records the real one.
    system::storage::BlockHash::insert(&mut ext, &0, &H256([69u8; 32]));
    system::storage::Number::put(&mut ext, &0);
    system::storage::ParentHash::put(&mut ext, &H256::zero());
    // Genesis has no events.
    ext.take_events();
    Ok(ext.into_changes().into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect())
}
