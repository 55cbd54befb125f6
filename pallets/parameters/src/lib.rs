//! archive-pallet-parameters: every chain parameter that governance may change — its name,
//! default, valid range and current on-chain value.
//!
//! Storage (prefix "Parameters"): `Values` (Blake2_128Concat [`Parameter`] → u128), holding
//! only values that differ from the default (set at genesis from the chain spec, later only by
//! enacted governance proposals). No calls: nothing but genesis and the governance pallet
//! writes here.
//!
//! Guarantees: [`get`] always returns a value inside the parameter's range; [`set`] refuses a
//! value outside it (so an enacted proposal cannot install an invalid parameter).
//!
//! Units: balances are in 10^-18 ARC, durations in blocks or eras as named, fractions
//! ([`Unit::Perbill`]) in parts per billion.

use archive_primitives::{AccountId20, Perbill, ARC};
use archive_support::{
    storage::{Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap},
    Ext,
};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The treasury: receives slashes and spam deposits, pays governance-approved spends. No key
/// controls it (the bytes spell `modlpy/trsry`, padded with zeros, as Substrate's PalletId does).
pub const TREASURY: AccountId20 = AccountId20(*b"modlpy/trsry\0\0\0\0\0\0\0\0");

/// What a parameter's number means (for display and CLI parsing).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unit {
    /// A plain count.
    Count,
    /// A number of blocks.
    Blocks,
    /// A number of eras.
    Eras,
    /// An amount in 10^-18 ARC.
    Balance,
    /// Parts per billion.
    Perbill,
}

/// A governable chain parameter (codec indices are wire format: append only). In JSON (chain
/// specs) it is its snake_case [`Parameter::name`].
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Hash,
    Encode,
    Decode,
    MaxEncodedLen,
    TypeInfo,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// Seats in the validator set chosen at each era change.
    #[codec(index = 0)]
    MaxValidators,
    /// Least active bond with which `validate` is accepted and a candidate is eligible.
    #[codec(index = 1)]
    MinValidatorBond,
    /// Eras an unbonded amount stays locked before `withdraw_unbonded` releases it.
    #[codec(index = 2)]
    UnbondingEras,
    /// Blocks per era (a change applies from the next era).
    #[codec(index = 3)]
    EraLength,
    /// Minted to each block's author.
    #[codec(index = 4)]
    BlockReward,
    /// Minted at each era end and shared by the era's validators and their nominators.
    #[codec(index = 5)]
    EraReward,
    /// Fraction of an equivocating validator's (and its nominators') bond that is slashed.
    #[codec(index = 6)]
    SlashFraction,
    /// Fraction of a slash paid to the reporter (the rest goes to the treasury).
    #[codec(index = 7)]
    ReporterReward,
    /// A validator whose uptime in an era (slots authored / slots assigned) falls below this is chilled.
    #[codec(index = 8)]
    DowntimeThreshold,
    /// Reserved while an identity is registered.
    #[codec(index = 9)]
    IdentityDeposit,
    /// Least deposit of a governance proposal.
    #[codec(index = 10)]
    MinProposalDeposit,
    /// Blocks a proposal is open for votes.
    #[codec(index = 11)]
    VotingPeriod,
    /// Blocks between a proposal passing and its enactment.
    #[codec(index = 12)]
    EnactmentDelay,
    /// Least turnout (fraction of total issuance) for a proposal to pass.
    #[codec(index = 13)]
    Quorum,
    /// Fee per byte of an extrinsic.
    #[codec(index = 14)]
    LengthFeePerByte,
    /// Fee per unit of ref-time weight.
    #[codec(index = 15)]
    WeightFeePerRefTime,
    /// Independent matching attestations that verify an archive (k).
    #[codec(index = 16)]
    AttestationThreshold,
    /// Blocks an archive request stays open.
    #[codec(index = 17)]
    RequestExpiry,
    /// Least bounty of an archive request.
    #[codec(index = 18)]
    MinBounty,
    /// Paid to each attester whose attestation agrees with a verified archive.
    #[codec(index = 19)]
    AttestationReward,
}

impl Parameter {
    /// Every parameter, in index order.
    pub const ALL: [Parameter; 20] = [
        Parameter::MaxValidators,
        Parameter::MinValidatorBond,
        Parameter::UnbondingEras,
        Parameter::EraLength,
        Parameter::BlockReward,
        Parameter::EraReward,
        Parameter::SlashFraction,
        Parameter::ReporterReward,
        Parameter::DowntimeThreshold,
        Parameter::IdentityDeposit,
        Parameter::MinProposalDeposit,
        Parameter::VotingPeriod,
        Parameter::EnactmentDelay,
        Parameter::Quorum,
        Parameter::LengthFeePerByte,
        Parameter::WeightFeePerRefTime,
        Parameter::AttestationThreshold,
        Parameter::RequestExpiry,
        Parameter::MinBounty,
        Parameter::AttestationReward,
    ];

    /// The snake_case name used by the CLI and chain specs (`max_validators`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Parameter::MaxValidators => "max_validators",
            Parameter::MinValidatorBond => "min_validator_bond",
            Parameter::UnbondingEras => "unbonding_eras",
            Parameter::EraLength => "era_length",
            Parameter::BlockReward => "block_reward",
            Parameter::EraReward => "era_reward",
            Parameter::SlashFraction => "slash_fraction",
            Parameter::ReporterReward => "reporter_reward",
            Parameter::DowntimeThreshold => "downtime_threshold",
            Parameter::IdentityDeposit => "identity_deposit",
            Parameter::MinProposalDeposit => "min_proposal_deposit",
            Parameter::VotingPeriod => "voting_period",
            Parameter::EnactmentDelay => "enactment_delay",
            Parameter::Quorum => "quorum",
            Parameter::LengthFeePerByte => "length_fee_per_byte",
            Parameter::WeightFeePerRefTime => "weight_fee_per_ref_time",
            Parameter::AttestationThreshold => "attestation_threshold",
            Parameter::RequestExpiry => "request_expiry",
            Parameter::MinBounty => "min_bounty",
            Parameter::AttestationReward => "attestation_reward",
        }
    }

    /// The parameter called `name` (see [`Parameter::name`]).
    pub fn from_name(name: &str) -> Option<Parameter> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// What the number means.
    pub const fn unit(self) -> Unit {
        match self {
            Parameter::MaxValidators | Parameter::AttestationThreshold => Unit::Count,
            Parameter::UnbondingEras => Unit::Eras,
            Parameter::EraLength | Parameter::VotingPeriod | Parameter::EnactmentDelay | Parameter::RequestExpiry => {
                Unit::Blocks
            }
            Parameter::SlashFraction | Parameter::ReporterReward | Parameter::DowntimeThreshold | Parameter::Quorum => {
                Unit::Perbill
            }
            Parameter::MinValidatorBond
            | Parameter::BlockReward
            | Parameter::EraReward
            | Parameter::IdentityDeposit
            | Parameter::MinProposalDeposit
            | Parameter::LengthFeePerByte
            | Parameter::WeightFeePerRefTime
            | Parameter::MinBounty
            | Parameter::AttestationReward => Unit::Balance,
        }
    }

    /// The value when neither genesis nor governance set one.
    pub const fn default_value(self) -> u128 {
        match self {
            Parameter::MaxValidators => 4,
            Parameter::MinValidatorBond => 100 * ARC,
            Parameter::UnbondingEras => 2,
            Parameter::EraLength => 20,
            Parameter::BlockReward => ARC,
            Parameter::EraReward => 10 * ARC,
            Parameter::SlashFraction => 100_000_000,
            Parameter::ReporterReward => 100_000_000,
            Parameter::DowntimeThreshold => 500_000_000,
            Parameter::IdentityDeposit => ARC,
            Parameter::MinProposalDeposit => 10 * ARC,
            Parameter::VotingPeriod => 20,
            Parameter::EnactmentDelay => 5,
            Parameter::Quorum => 10_000_000,
            Parameter::LengthFeePerByte => 1_000_000_000_000,
            Parameter::WeightFeePerRefTime => 1_000_000,
            Parameter::AttestationThreshold => 2,
            Parameter::RequestExpiry => 600,
            Parameter::MinBounty => 0,
            Parameter::AttestationReward => ARC / 10,
        }
    }

    /// The inclusive range of valid values.
    pub const fn range(self) -> (u128, u128) {
        const PERBILL: u128 = Perbill::ACCURACY as u128;
        match self {
            Parameter::MaxValidators => (1, 1_000),
            Parameter::UnbondingEras => (1, 1_000),
            Parameter::EraLength => (5, 1_000_000),
            Parameter::VotingPeriod => (2, 10_000_000),
            Parameter::EnactmentDelay => (1, 10_000_000),
            Parameter::RequestExpiry => (10, 10_000_000),
            Parameter::AttestationThreshold => (1, 100),
            Parameter::SlashFraction | Parameter::ReporterReward | Parameter::DowntimeThreshold | Parameter::Quorum => {
                (0, PERBILL)
            }
            Parameter::MinValidatorBond
            | Parameter::IdentityDeposit
            | Parameter::MinProposalDeposit
            | Parameter::MinBounty => (0, 1_000_000_000 * ARC),
            Parameter::BlockReward | Parameter::EraReward | Parameter::AttestationReward => (0, 1_000_000 * ARC),
            Parameter::LengthFeePerByte => (0, ARC),
            Parameter::WeightFeePerRefTime => (0, 1_000_000_000),
        }
    }

    /// Whether `value` is inside [`Parameter::range`].
    pub const fn accepts(self, value: u128) -> bool {
        let (lo, hi) = self.range();
        value >= lo && value <= hi
    }
}

impl core::fmt::Display for Parameter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A value outside a parameter's range.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OutOfRange {
    /// The parameter.
    pub parameter: Parameter,
    /// The refused value.
    pub value: u128,
}

impl core::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (lo, hi) = self.parameter.range();
        write!(f, "{} = {} is outside [{lo}, {hi}]", self.parameter, self.value)
    }
}

/// Storage instance `Parameters.Values`.
pub struct ValuesP;
impl StorageInstance for ValuesP {
    const PALLET: &'static str = "Parameters";
    const ITEM: &'static str = "Values";
}

/// Values that differ from the defaults.
pub type Values = StorageMap<ValuesP, Blake2_128Concat, Parameter, u128>;

/// The current value of `p` (the default when unset; always inside the range).
pub fn get(ext: &Ext<'_>, p: Parameter) -> u128 {
    match Values::get(ext, &p) {
        Some(v) if p.accepts(v) => v,
        _ => p.default_value(),
    }
}

/// [`get`] for a [`Unit::Perbill`] parameter.
pub fn get_perbill(ext: &Ext<'_>, p: Parameter) -> Perbill {
    Perbill::from_parts(u32::try_from(get(ext, p)).unwrap_or(Perbill::ACCURACY))
}

/// [`get`] for a count, block or era parameter (saturating at `u32::MAX`).
pub fn get_u32(ext: &Ext<'_>, p: Parameter) -> u32 {
    u32::try_from(get(ext, p)).unwrap_or(u32::MAX)
}

/// Sets `p` to `value` (genesis or an enacted governance proposal).
///
/// # Errors
/// [`OutOfRange`] if `value` is outside the parameter's range; nothing is written.
pub fn set(ext: &mut Ext<'_>, p: Parameter, value: u128) -> Result<(), OutOfRange> {
    if !p.accepts(value) {
        return Err(OutOfRange { parameter: p, value });
    }
    if value == p.default_value() {
        Values::remove(ext, &p);
    } else {
        Values::insert(ext, &p, &value);
    }
    Ok(())
}

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![Values::info(None, &[" Chain parameters that differ from their defaults; changed only by governance."])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use archive_support::MemoryBackend;

    #[test]
    fn names_round_trip_and_defaults_are_in_range() {
        for (i, p) in Parameter::ALL.into_iter().enumerate() {
            assert_eq!(p.encode(), vec![i as u8], "{p}: index order");
            assert_eq!(Parameter::from_name(p.name()), Some(p));
            assert!(p.accepts(p.default_value()), "{p}: default outside its range");
        }
        assert_eq!(Parameter::from_name("Max-Validators"), Some(Parameter::MaxValidators));
        assert_eq!(Parameter::from_name("no_such_thing"), None);
    }

    #[test]
    fn set_refuses_out_of_range_and_default_is_not_stored() {
        let b = MemoryBackend::default();
        let mut ext = Ext::new(&b);
        assert_eq!(get(&ext, Parameter::MaxValidators), 4);
        set(&mut ext, Parameter::MaxValidators, 7).expect("in range");
        assert_eq!(get(&ext, Parameter::MaxValidators), 7);
        let err = set(&mut ext, Parameter::MaxValidators, 0).expect_err("zero seats");
        assert_eq!(err.to_string(), "max_validators = 0 is outside [1, 1000]");
        assert_eq!(get(&ext, Parameter::MaxValidators), 7, "refused value not written");
        set(&mut ext, Parameter::MaxValidators, 4).expect("default");
        assert!(!Values::contains(&ext, &Parameter::MaxValidators));
        assert!(set(&mut ext, Parameter::SlashFraction, 1_000_000_001).is_err());
        assert_eq!(get_perbill(&ext, Parameter::SlashFraction), Perbill::from_percent(10));
    }

    #[test]
    fn treasury_is_the_padded_pallet_id() {
        assert_eq!(&TREASURY.0[..12], b"modlpy/trsry");
    }
}
