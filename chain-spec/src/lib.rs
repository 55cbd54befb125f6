//! archive-chain-spec: the `dev` and `local` chain specifications and custom JSON specs —
//! chain identity, token properties, consensus parameters and the genesis state.
//!
//! A spec's genesis is either a runtime config (`genesis.runtime`: endowed balances) or raw
//! storage (`genesis.raw.top`: hex key → hex value), as `build-spec --raw` writes it. Both
//! produce identical genesis storage, hence the same genesis hash.

use std::path::Path;

use archive_primitives::{crypto::dev, AccountId20, Balance, ARC};
use archive_runtime::GenesisConfig;
use serde::{Deserialize, Serialize};

/// Errors loading or building a chain spec.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read chain spec {path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// The spec is not valid JSON of the expected shape.
    #[error("invalid chain spec {path}: {reason}")]
    Invalid { path: String, reason: String },
    /// The genesis configuration is invalid.
    #[error("invalid genesis: {0}")]
    Genesis(#[from] archive_runtime::genesis::GenesisError),
}

/// The kind of chain (`system_chainType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainType {
    /// A single-node development chain.
    Development,
    /// A local multi-node testnet.
    Local,
    /// A public network.
    Live,
}

/// Consensus parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsensusConfig {
    /// Slot duration in milliseconds (one block per slot at most).
    pub slot_duration_ms: u64,
    /// The genesis validator set; the author of slot `s` is `validators[s % len]`.
    pub validators: Vec<AccountId20>,
}

/// Genesis section: a runtime config or raw storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Genesis {
    /// Human-readable runtime configuration.
    Runtime(RuntimeGenesisJson),
    /// Raw storage.
    Raw(RawGenesis),
}

/// The runtime configuration, with balances as decimal strings (u128 does not fit JSON numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeGenesisJson {
    /// `[address, "amount in units"]` pairs.
    pub balances: Vec<(AccountId20, String)>,
    /// Chain parameters that differ from their defaults: `{"era_length": "10", …}` (names as
    /// `archivechain query gov parameters` lists them; values as decimal strings).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub parameters: std::collections::BTreeMap<String, String>,
    /// Explicit roles, `[address, "admin"|"archiver"|"user"|"validator"]`; every consensus
    /// validator also gets the validator role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<(AccountId20, archive_pallet_identity::Role)>,
    /// Bonded stake of each genesis validator (decimal units; default 1,000 ARC), locked from
    /// its balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator_bond: Option<String>,
}

/// Raw genesis storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawGenesis {
    /// Hex key → hex value.
    pub top: std::collections::BTreeMap<String, String>,
}

/// A chain specification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainSpec {
    /// Human name (`system_chain`). Deliberately not a py-substrate-interface preset name.
    pub name: String,
    /// Short id (used for the data directory).
    pub id: String,
    /// Kind of chain.
    pub chain_type: ChainType,
    /// Multiaddresses of boot nodes.
    #[serde(default)]
    pub boot_nodes: Vec<String>,
    /// Token properties (`system_properties`).
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Consensus parameters.
    pub consensus: ConsensusConfig,
    /// Genesis state.
    pub genesis: Genesis,
}

fn properties() -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("tokenSymbol".into(), archive_primitives::TOKEN_SYMBOL.into());
    m.insert("tokenDecimals".into(), archive_primitives::TOKEN_DECIMALS.into());
    m.insert("ss58Format".into(), archive_runtime::constants::SS58_PREFIX.into());
    m.insert("isEthereum".into(), true.into());
    m
}

/// Stake each genesis validator bonds unless the spec says otherwise: 1,000 ARC.
pub const DEFAULT_VALIDATOR_BOND: Balance = 1_000 * ARC;

/// Balance given to each dev account: 1,000,000 ARC.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * ARC;

fn dev_balances() -> Vec<(AccountId20, String)> {
    dev::all().into_iter().map(|(_, p)| (p.account(), DEV_ENDOWMENT.to_string())).collect()
}

fn dev_account(name: &str) -> AccountId20 {
    dev::pair(name).map(|p| p.account()).unwrap_or_default()
}

impl ChainSpec {
    /// Single-validator development chain: Alith authors a block every 2 s.
    pub fn dev() -> ChainSpec {
        ChainSpec {
            name: "ArchiveChain Development".into(),
            id: "archivechain_dev".into(),
            chain_type: ChainType::Development,
            boot_nodes: vec![],
            properties: properties(),
            consensus: ConsensusConfig { slot_duration_ms: 2000, validators: vec![dev_account("alith")] },
            genesis: Genesis::Runtime(RuntimeGenesisJson {
                balances: dev_balances(),
                roles: vec![(dev_account("alith"), archive_pallet_identity::Role::Admin)],
                ..Default::default()
            }),
        }
    }

    /// Local testnet: Alith, Baltathar, Charleth and Dorothy validate in 3 s slots.
    pub fn local() -> ChainSpec {
        ChainSpec {
            name: "ArchiveChain Local Testnet".into(),
            id: "archivechain_local".into(),
            chain_type: ChainType::Local,
            boot_nodes: vec![],
            properties: properties(),
            consensus: ConsensusConfig {
                slot_duration_ms: 3000,
                validators: ["alith", "baltathar", "charleth", "dorothy"].iter().map(|n| dev_account(n)).collect(),
            },
            genesis: Genesis::Runtime(RuntimeGenesisJson {
                balances: dev_balances(),
                roles: vec![(dev_account("alith"), archive_pallet_identity::Role::Admin)],
                // Eras of 100 blocks (five minutes): staking changes show within minutes, and
                // short multi-node experiments run within one era.
                parameters: [("era_length", "100")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                ..Default::default()
            }),
        }
    }

    /// `dev`, `local`, or the path of a JSON spec file.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Invalid`] for unreadable or malformed files.
    pub fn load(chain: &str) -> Result<ChainSpec, Error> {
        match chain {
            "dev" | "" => Ok(ChainSpec::dev()),
            "local" => Ok(ChainSpec::local()),
            path => ChainSpec::from_file(Path::new(path)),
        }
    }

    /// Reads a JSON spec file.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Invalid`].
    pub fn from_file(path: &Path) -> Result<ChainSpec, Error> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: p.clone(), source })?;
        let spec: ChainSpec =
            serde_json::from_str(&text).map_err(|e| Error::Invalid { path: p.clone(), reason: e.to_string() })?;
        if spec.consensus.validators.is_empty() {
            return Err(Error::Invalid { path: p, reason: "consensus.validators is empty".into() });
        }
        if spec.consensus.slot_duration_ms < 100 {
            return Err(Error::Invalid { path: p, reason: "consensus.slotDurationMs must be at least 100".into() });
        }
        Ok(spec)
    }

    /// The genesis storage, sorted by key.
    ///
    /// # Errors
    /// [`Error::Genesis`] for an invalid runtime config, [`Error::Invalid`] for bad raw hex.
    pub fn genesis_storage(&self) -> Result<archive_primitives::StoragePairs, Error> {
        match &self.genesis {
            Genesis::Runtime(rt) => {
                let mut balances = Vec::with_capacity(rt.balances.len());
                for (who, amount) in &rt.balances {
                    let amount: Balance = amount.parse().map_err(|_| Error::Invalid {
                        path: self.id.clone(),
                        reason: format!("balance of {who} is not a decimal integer: {amount:?}"),
                    })?;
                    balances.push((*who, amount));
                }
                let validators = self.consensus.validators.clone();
                let mut parameters = Vec::with_capacity(rt.parameters.len());
                for (name, value) in &rt.parameters {
                    let p = archive_pallet_parameters::Parameter::from_name(name).ok_or_else(|| Error::Invalid {
                        path: self.id.clone(),
                        reason: format!("unknown parameter {name:?}"),
                    })?;
                    let v: u128 = value.parse().map_err(|_| Error::Invalid {
                        path: self.id.clone(),
                        reason: format!("parameter {name} is not a decimal integer: {value:?}"),
                    })?;
                    parameters.push((p, v));
                }
                let validator_bond = match &rt.validator_bond {
                    None => DEFAULT_VALIDATOR_BOND,
                    Some(b) => b.parse().map_err(|_| Error::Invalid {
                        path: self.id.clone(),
                        reason: format!("validatorBond is not a decimal integer: {b:?}"),
                    })?,
                };
                Ok(archive_runtime::genesis::build_storage(&GenesisConfig {
                    balances,
                    validators,
                    parameters,
                    roles: rt.roles.clone(),
                    validator_bond,
                })?)
            }
            Genesis::Raw(raw) => raw
                .top
                .iter()
                .map(|(k, v)| {
                    let bad = |what: &str| Error::Invalid {
                        path: self.id.clone(),
                        reason: format!("raw genesis {what} is not hex: {k}"),
                    };
                    Ok((
                        archive_primitives::error::from_hex(k).map_err(|_| bad("key"))?,
                        archive_primitives::error::from_hex(v).map_err(|_| bad("value"))?,
                    ))
                })
                .collect(),
        }
    }

    /// This spec with its genesis converted to raw storage.
    ///
    /// # Errors
    /// As [`ChainSpec::genesis_storage`].
    pub fn to_raw(&self) -> Result<ChainSpec, Error> {
        let top = self
            .genesis_storage()?
            .into_iter()
            .map(|(k, v)| (archive_primitives::error::to_hex(&k), archive_primitives::error::to_hex(&v)))
            .collect();
        Ok(ChainSpec { genesis: Genesis::Raw(RawGenesis { top }), ..self.clone() })
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_runtime_genesis_agree_and_roundtrip_through_json() {
        let spec = ChainSpec::dev();
        let raw = spec.to_raw().expect("raw");
        assert_eq!(spec.genesis_storage().expect("g"), raw.genesis_storage().expect("g"));
        let back: ChainSpec = serde_json::from_str(&raw.to_json()).expect("json");
        assert_eq!(back, raw);
        assert_eq!(ChainSpec::local().consensus.validators.len(), 4);
        // Different validator sets give different genesis states (no replay across chains).
        assert_ne!(ChainSpec::dev().genesis_storage().expect("g"), ChainSpec::local().genesis_storage().expect("g"));
    }

    #[test]
    fn bad_specs_give_clear_errors() {
        let dir = std::env::temp_dir().join(format!("spec-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("bad.json");
        std::fs::write(&p, "{ not json").expect("write");
        assert!(matches!(ChainSpec::load(p.to_str().expect("utf8")), Err(Error::Invalid { .. })));
        assert!(matches!(ChainSpec::load("/nonexistent/spec.json"), Err(Error::Io { .. })));
        let mut spec = ChainSpec::dev();
        spec.genesis = Genesis::Runtime(RuntimeGenesisJson {
            balances: vec![(AccountId20([1; 20]), "12x".into())],
            ..Default::default()
        });
        assert!(spec.genesis_storage().is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
