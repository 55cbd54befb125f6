//! `payment_*`: fee estimates via the runtime's `TransactionPaymentApi`.
//!
//! Both methods call the runtime with `xt ++ (len(xt) as u32 LE)`, where `xt` is the encoded
//! extrinsic including its length prefix, and decode the SCALE result into Substrate's JSON.

use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use parity_scale_codec::{Decode, DecodeAll, Encode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{invalid_param, runtime_decode};
use crate::json::hex_number;
use crate::module::{Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Runtime API returning `RuntimeDispatchInfo`.
pub const QUERY_INFO: &str = "TransactionPaymentApi_query_info";
/// Runtime API returning `FeeDetails`.
pub const QUERY_FEE_DETAILS: &str = "TransactionPaymentApi_query_fee_details";

/// `sp_weights::Weight` as SCALE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Weight {
    /// Computation time in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// `pallet_transaction_payment::RuntimeDispatchInfo<u128, Weight>` as SCALE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct RuntimeDispatchInfo {
    /// Weight of the call.
    pub weight: Weight,
    /// Dispatch class: 0 normal, 1 operational, 2 mandatory.
    pub class: u8,
    /// The fee without the tip.
    pub partial_fee: u128,
}

/// `pallet_transaction_payment::InclusionFee<u128>` as SCALE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct InclusionFee {
    /// Minimum fee of any transaction.
    pub base_fee: u128,
    /// Fee for the encoded length.
    pub len_fee: u128,
    /// Weight fee after the fee multiplier.
    pub adjusted_weight_fee: u128,
}

/// `pallet_transaction_payment::FeeDetails<u128>` as SCALE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct FeeDetails {
    /// `None` for unsigned transactions, which pay no inclusion fee.
    pub inclusion_fee: Option<InclusionFee>,
    /// The tip.
    pub tip: u128,
}

/// Registers `payment_queryInfo` and `payment_queryFeeDetails`.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_blocking_method("payment_queryInfo", |p, ctx, _| query_info(&p, &ctx))?;
    m.register_blocking_method("payment_queryFeeDetails", |p, ctx, _| query_fee_details(&p, &ctx))?;
    Ok(())
}

/// Parses `[xt, at?]` and calls `method` with `xt ++ len(xt) as u32`.
fn call_with_len(p: &Params<'_>, ctx: &RpcContext, method: &str) -> RpcResult<Vec<u8>> {
    let p = Positional::parse(p)?;
    let xt = p.required(0, "extrinsic", params::bytes)?;
    let len = u32::try_from(xt.len()).map_err(|_| invalid_param(0, "extrinsic", "longer than u32::MAX bytes"))?;
    let at = ctx.resolve_at(p.optional(1, "at", params::hash)?)?;
    let mut data = xt;
    len.encode_to(&mut data);
    Ok(ctx.backend.call(&at, method, &data)?)
}

/// JSON of `RuntimeDispatchInfo`: `{"weight":n,"class":"normal","partialFee":"<decimal>"}`.
///
/// `weight` is the `ref_time` as a plain number: @polkadot/api decodes this RPC's result as
/// `RuntimeDispatchInfoV1` (weight `u64`) and rejects an object. Clients that need the proof size
/// use the runtime API (`state_call TransactionPaymentApi_query_info`), as @polkadot/api's
/// `tx.paymentInfo` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchInfoJson {
    /// `ref_time` (picoseconds).
    pub weight: u64,
    /// `"normal"`, `"operational"` or `"mandatory"`.
    pub class: &'static str,
    /// Decimal string (Substrate's `serde_balance`).
    pub partial_fee: String,
}

impl DispatchInfoJson {
    /// Converts the decoded runtime value.
    ///
    /// # Errors
    /// The unknown class index, for a class other than 0, 1, 2.
    pub fn try_from_info(info: &RuntimeDispatchInfo) -> Result<Self, u8> {
        let class = match info.class {
            0 => "normal",
            1 => "operational",
            2 => "mandatory",
            other => return Err(other),
        };
        Ok(DispatchInfoJson { weight: info.weight.ref_time, class, partial_fee: info.partial_fee.to_string() })
    }
}

/// JSON of `FeeDetails`: `{"inclusionFee":{"baseFee","lenFee","adjustedWeightFee"}|null,"tip"}`,
/// amounts as minimal `0x` hex (Substrate's `NumberOrHex`).
pub fn fee_details_json(d: &FeeDetails) -> Value {
    json!({
        "inclusionFee": d.inclusion_fee.map(|f| json!({
            "baseFee": hex_number(f.base_fee),
            "lenFee": hex_number(f.len_fee),
            "adjustedWeightFee": hex_number(f.adjusted_weight_fee),
        })),
        "tip": hex_number(d.tip),
    })
}

/// `payment_queryInfo [xt, at?]`.
fn query_info(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<DispatchInfoJson> {
    let raw = call_with_len(p, ctx, QUERY_INFO)?;
    let info = RuntimeDispatchInfo::decode_all(&mut &raw[..]).map_err(|e| runtime_decode(QUERY_INFO, e))?;
    DispatchInfoJson::try_from_info(&info)
        .map_err(|class| runtime_decode(QUERY_INFO, format!("unknown dispatch class {class}")))
}

/// `payment_queryFeeDetails [xt, at?]`.
fn query_fee_details(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let raw = call_with_len(p, ctx, QUERY_FEE_DETAILS)?;
    let details = FeeDetails::decode_all(&mut &raw[..]).map_err(|e| runtime_decode(QUERY_FEE_DETAILS, e))?;
    Ok(fee_details_json(&details))
}
