//! Genesis: the initial stakers, bonded and registered as candidates; era 0.

use archive_pallet_session as session;
use archive_primitives::{AccountId20, Balance};
use archive_support::{DispatchResult, Ext};
use serde::{Deserialize, Serialize};

use crate::{
    election, ledger,
    storage::{ActiveEra, CurrentEra, ErasStakers, ErasValidators, SeatStreak},
    types::{ActiveEraInfo, ValidatorPrefs},
    Config,
};

/// The staking part of a chain spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// Stashes bonded at genesis with the given amounts (units of 10^-18 ARC), each also a
    /// validator candidate with 0 % commission.
    #[serde(default)]
    pub stakers: Vec<(AccountId20, Balance)>,
}

/// Writes staking's genesis state. Run after balances (the stakers must be endowed) and after
/// `Session.Validators` is set: era 0 starts at block 1 with that set, its exposures are the
/// stakers' own bonds, and each of its validators has held its seat for one era
/// (`SeatStreak` 1). Genesis stakers skip the identity role check of `validate`, but they need
/// the Validator role (from identity's genesis) to stay eligible at the first election.
///
/// # Errors
/// As the `bond` call: `AlreadyBonded` (a staker listed twice), `InsufficientBond`,
/// `InsufficientBalance`; balances' `TooManyLocks`.
pub fn build_genesis<T: Config>(ext: &mut Ext<'_>, config: &GenesisConfig) -> DispatchResult {
    for (who, value) in &config.stakers {
        ledger::bond::<T>(ext, *who, *value)?;
        ledger::set_candidate(ext, who, &ValidatorPrefs::default());
    }
    CurrentEra::put(ext, &0);
    ActiveEra::put(ext, &ActiveEraInfo { index: 0, start: 1 });
    let set = session::validators(ext);
    for (v, exposure) in election::exposures(ext, &set) {
        ErasStakers::insert(ext, &(0, v), &exposure);
        SeatStreak::insert(ext, &v, &1);
    }
    ErasValidators::insert(ext, &0, &set);
    Ok(())
}
