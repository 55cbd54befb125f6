//! Transaction fees: `weight × WEIGHT_FEE_PER_REF_TIME + length × LENGTH_FEE_PER_BYTE + tip`.
//! Fees (and tips) are withdrawn before dispatch and burned; rewarding authors comes with staking.

use archive_primitives::Balance;
use archive_support::{DispatchClass, Weight};
use parity_scale_codec::{Decode, Encode};

use crate::constants::{EXTRINSIC_BASE_WEIGHT, LENGTH_FEE_PER_BYTE, WEIGHT_FEE_PER_REF_TIME};

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

/// The inclusion fee of an extrinsic of `len` bytes whose call weighs `call_weight`.
pub fn inclusion_fee(len: u32, call_weight: Weight) -> InclusionFee {
    InclusionFee {
        base_fee: Balance::from(EXTRINSIC_BASE_WEIGHT.ref_time).saturating_mul(WEIGHT_FEE_PER_REF_TIME),
        len_fee: Balance::from(len).saturating_mul(LENGTH_FEE_PER_BYTE),
        adjusted_weight_fee: Balance::from(call_weight.ref_time).saturating_mul(WEIGHT_FEE_PER_REF_TIME),
    }
}

/// The total amount withdrawn from the sender: inclusion fee plus tip.
pub fn total_fee(len: u32, call_weight: Weight, tip: Balance) -> Balance {
    inclusion_fee(len, call_weight).total().saturating_add(tip)
}
