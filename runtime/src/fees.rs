//! Transaction fees: `weight × weight_fee_per_ref_time + length × length_fee_per_byte + tip`,
//! both rates governance parameters (`archive-pallet-parameters`). Fees (and tips) are
//! withdrawn before dispatch and burned; authors are paid by the staking pallet's block reward.

use archive_primitives::Balance;
use archive_support::{DispatchClass, Weight};
use parity_scale_codec::{Decode, Encode};

use archive_pallet_parameters::{self as parameters, Parameter};
use archive_support::Ext;

use crate::constants::EXTRINSIC_BASE_WEIGHT;

/// Fee breakdown (Substrate's `FeeDetails.inclusion_fee`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct InclusionFee {
    /// Fee for the per-extrinsic base weight.
    pub base_fee: Balance,
    /// Fee for the length.
    pub len_fee: Balance,
    /// Fee for the call's weight.
    pub adjusted_weight_fee: Balance,
}

impl InclusionFee {
    /// Sum of the parts.
    pub fn total(&self) -> Balance {
        self.base_fee.saturating_add(self.len_fee).saturating_add(self.adjusted_weight_fee)
    }
}

/// What `TransactionPaymentApi_query_info` returns (`RuntimeDispatchInfo`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RuntimeDispatchInfo {
    /// Total weight (base + call).
    pub weight: Weight,
    /// Dispatch class.
    pub class: DispatchClass,
    /// The fee without tip.
    pub partial_fee: Balance,
}

/// What `TransactionPaymentApi_query_fee_details` returns (`FeeDetails`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct FeeDetails {
    /// The inclusion fee (None for unsigned).
    pub inclusion_fee: Option<InclusionFee>,
    /// The tip.
    pub tip: Balance,
}

/// The inclusion fee of an extrinsic of `len` bytes whose call weighs `call_weight`, at the
/// fee rates in `ext`'s state.
pub fn inclusion_fee(ext: &Ext<'_>, len: u32, call_weight: Weight) -> InclusionFee {
    let per_ref_time = parameters::get(ext, Parameter::WeightFeePerRefTime);
    let per_byte = parameters::get(ext, Parameter::LengthFeePerByte);
    InclusionFee {
        base_fee: Balance::from(EXTRINSIC_BASE_WEIGHT.ref_time).saturating_mul(per_ref_time),
        len_fee: Balance::from(len).saturating_mul(per_byte),
        adjusted_weight_fee: Balance::from(call_weight.ref_time).saturating_mul(per_ref_time),
    }
}

/// The total amount withdrawn from the sender: inclusion fee plus tip.
pub fn total_fee(ext: &Ext<'_>, len: u32, call_weight: Weight, tip: Balance) -> Balance {
    inclusion_fee(ext, len, call_weight).total().saturating_add(tip)
}
