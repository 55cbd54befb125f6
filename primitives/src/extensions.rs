//! Type descriptions of the signed extensions, for metadata. Their wire data is
//! [`crate::SignedExtra`] / [`crate::generic::unchecked_extrinsic::AdditionalSigned`]; these
//! marker types only give metadata the Substrate-shaped types clients expect.

use parity_scale_codec::Compact;
use scale_info::TypeInfo;

use crate::{Balance, Era, Nonce};

/// Checks `spec_version` (additional: u32).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckSpecVersion;
/// Checks `transaction_version` (additional: u32).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckTxVersion;
/// Checks the genesis hash (additional: H256).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckGenesis;
/// Mortality (extra: Era; additional: birth block hash).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckMortality(pub Era);
/// The sender's nonce (extra: Compact<u32>).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckNonce(pub Compact<Nonce>);
/// Block weight and length limits (no data).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "frame_system"))]
pub struct CheckWeight;
/// Fee payment with a tip (extra: Compact<u128>).
#[derive(TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "pallet_transaction_payment"))]
pub struct ChargeTransactionPayment(pub Compact<Balance>);

/// The `Extra` type parameter of `UncheckedExtrinsic`: all extensions, in order.
pub type SignedExtensions =
    (CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckMortality, CheckNonce, CheckWeight, ChargeTransactionPayment);

/// Extension identifiers, in order (what metadata lists and clients match on).
pub const IDENTIFIERS: [&str; 7] = [
    "CheckSpecVersion",
    "CheckTxVersion",
    "CheckGenesis",
    "CheckMortality",
    "CheckNonce",
    "CheckWeight",
    "ChargeTransactionPayment",
];
