//! Runtime APIs, called by name through `state_call` (Substrate's names and encodings).

use archive_pallet_system as system;
use archive_primitives::{version::ApiId, AccountId20, BlockNumber, H256};
use archive_support::{DispatchClass, Ext, StateBackend};
use parity_scale_codec::{Decode, Encode};

use crate::{fees, UncheckedExtrinsic};

/// A failed runtime-API call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No such API method.
    #[error("runtime API method {method} is not supported (see state_getRuntimeVersion apis)")]
    UnknownMethod { method: String },
    /// The call's parameters did not decode.
    #[error("cannot decode parameters of {method}: {reason}")]
    BadParams { method: String, reason: String },
}

/// blake2_64 of an API trait name: its identifier in `RuntimeVersion.apis`.
pub fn api_id(name: &str) -> ApiId {
    use blake2::digest::{consts::U8, Digest};
    blake2::Blake2b::<U8>::digest(name.as_bytes()).into()
}

/// The APIs this runtime implements and their versions (as `Core_version` reports them).
pub fn runtime_api_versions() -> Vec<(ApiId, u32)> {
    vec![
        (api_id("Core"), 4),
        (api_id("Metadata"), 2),
        (api_id("AccountNonceApi"), 1),
        (api_id("TransactionPaymentApi"), 4),
    ]
}

/// Where a runtime API call executes: the state after block `hash` (number `number`). No API
/// needs it yet; it is part of the signature so APIs that do (block building) need no change.
#[derive(Clone, Copy, Debug)]
pub struct CallAt {
    /// The block's hash.
    pub hash: H256,
    /// The block's number.
    pub number: BlockNumber,
}

fn decode<T: Decode>(method: &str, data: &mut &[u8]) -> Result<T, ApiError> {
    T::decode(data).map_err(|e| ApiError::BadParams { method: method.into(), reason: e.to_string() })
}

/// Executes runtime API `method` with SCALE-encoded `data` on `backend`; returns SCALE output.
///
/// # Errors
/// [`ApiError`] for an unknown method or undecodable parameters.
pub fn call(backend: &dyn StateBackend, _at: CallAt, method: &str, data: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut input = data;
    let out = match method {
        "Core_version" => crate::version().encode(),
        "Metadata_metadata" => crate::metadata::metadata_bytes().to_vec().encode(),
        "Metadata_metadata_versions" => vec![14u32].encode(),
        "Metadata_metadata_at_version" => {
            let v: u32 = decode(method, &mut input)?;
            (v == 14).then(|| crate::metadata::metadata_bytes().to_vec()).encode()
        }
        "AccountNonceApi_account_nonce" => {
            let who: AccountId20 = decode(method, &mut input)?;
            let ext = Ext::new(backend);
            system::pallet::account_nonce(&ext, &who).encode()
        }
        "TransactionPaymentApi_query_info" | "TransactionPaymentApi_query_fee_details" => {
            let xt: UncheckedExtrinsic = decode(method, &mut input)?;
            let len: u32 = decode(method, &mut input)?;
            let call_weight = xt.function.weight();
            let signed = xt.signature.is_some();
            let inclusion = fees::inclusion_fee(&Ext::new(backend), len, call_weight);
            if method == "TransactionPaymentApi_query_info" {
                fees::RuntimeDispatchInfo {
                    weight: crate::constants::EXTRINSIC_BASE_WEIGHT.saturating_add(call_weight),
                    class: DispatchClass::Normal,
                    partial_fee: if signed { inclusion.total() } else { 0 },
                }
                .encode()
            } else {
                let tip = xt.signature.map(|s| s.2.tip).unwrap_or(0);
                fees::FeeDetails { inclusion_fee: signed.then_some(inclusion), tip }.encode()
            }
        }
        _ => return Err(ApiError::UnknownMethod { method: method.into() }),
    };
    Ok(out)
}
