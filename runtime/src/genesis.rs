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
    /// The genesis validator set, in slot order. Each gets the Validator role.
    #[serde(default)]
    pub validators: Vec<AccountId20>,
    /// Parameters that differ from their defaults (`archive-pallet-parameters`).
    #[serde(default)]
    pub parameters: Vec<(archive_pallet_parameters::Parameter, u128)>,
    /// Explicit roles (admins, archivers…); the validators' Validator role is implied.
    #[serde(default)]
    pub roles: Vec<(AccountId20, archive_pallet_identity::Role)>,
    /// Stake each validator bonds at genesis (locked from its endowment).
    #[serde(default)]
    pub validator_bond: Balance,
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
    /// A parameter value outside its range.
    #[error("genesis parameter {0}")]
    Parameter(String),
    /// A validator cannot bond its stake (e.g. not endowed enough).
    #[error("genesis staking: {0} (is every validator endowed with more than its bond?)")]
    Staking(String),
    /// An invalid role grant (duplicate, or the guest role).
    #[error("genesis role of {account}: {reason}")]
    Role { account: AccountId20, reason: String },
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
    for (p, v) in &config.parameters {
        archive_pallet_parameters::set(&mut ext, *p, *v).map_err(|e| GenesisError::Parameter(e.to_string()))?;
    }
    archive_pallet_session::set_validators(&mut ext, &config.validators);
    let mut roles = config.roles.clone();
    for v in &config.validators {
        if !roles.contains(&(*v, archive_pallet_identity::Role::Validator)) {
            roles.push((*v, archive_pallet_identity::Role::Validator));
        }
    }
    for (who, role) in roles {
        let one = archive_pallet_identity::GenesisConfig { roles: vec![(who, role)] };
        archive_pallet_identity::build_genesis::<Runtime>(&mut ext, &one)
            .map_err(|e| GenesisError::Role { account: who, reason: format!("{role}: {e:?}") })?;
    }
    if config.validator_bond > 0 {
        let stakers = config.validators.iter().map(|v| (*v, config.validator_bond)).collect();
        archive_pallet_staking::build_genesis::<Runtime>(&mut ext, &archive_pallet_staking::GenesisConfig { stakers })
            .map_err(|e| GenesisError::Staking(format!("{e:?}")))?;
    }
    // Substrate's placeholder for block 0's hash until block 1 records the real one.
    system::storage::BlockHash::insert(&mut ext, &0, &H256([69u8; 32]));
    system::storage::Number::put(&mut ext, &0);
    system::storage::ParentHash::put(&mut ext, &H256::zero());
    // Genesis has no events.
    ext.take_events();
    Ok(ext.into_changes().into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect())
}
