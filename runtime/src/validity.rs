//! Why a transaction is refused, with Substrate's categories (so RPC errors keep their codes)
//! and a detail message naming the problem.

use archive_support::Weight;
use parity_scale_codec::{Decode, Encode};

/// Substrate's `InvalidTransaction` categories (same order, same Display texts).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum InvalidTransaction {
    /// The call is not allowed (unknown or malformed call).
    Call,
    /// Cannot pay the fee.
    Payment,
    /// Nonce too high: valid in the future.
    Future,
    /// Nonce already used or era expired.
    Stale,
    /// Bad signature.
    BadProof,
    /// The era's birth block is not known.
    AncientBirthBlock,
    /// Would exceed the block's weight or length limit.
    ExhaustsResources,
    /// Application-specific.
    Custom(u8),
    /// A mandatory dispatch failed.
    BadMandatory,
    /// A mandatory dispatch was submitted as a transaction.
    MandatoryValidation,
    /// The signer is not acceptable.
    BadSigner,
}

impl InvalidTransaction {
    /// Substrate's message for the category.
    pub fn message(&self) -> &'static str {
        match self {
            InvalidTransaction::Call => "Transaction call is not expected",
            InvalidTransaction::Payment => "Inability to pay some fees (e.g. account balance too low)",
            InvalidTransaction::Future => "Transaction will be valid in the future",
            InvalidTransaction::Stale => "Transaction is outdated",
            InvalidTransaction::BadProof => "Transaction has a bad signature",
            InvalidTransaction::AncientBirthBlock => "Transaction has an ancient birth block",
            InvalidTransaction::ExhaustsResources => "Transaction would exhaust the block limits",
            InvalidTransaction::Custom(_) => "InvalidTransaction custom error",
            InvalidTransaction::BadMandatory => "A call was labelled as mandatory, but resulted in an Error.",
            InvalidTransaction::MandatoryValidation => {
                "Transaction dispatch is mandatory; transactions must not be validated."
            }
            InvalidTransaction::BadSigner => "Invalid signing address",
        }
    }
}

/// Substrate's `UnknownTransaction` categories.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum UnknownTransaction {
    /// Could not look up some information.
    CannotLookup,
    /// No validator for unsigned transactions.
    NoUnsignedValidator,
    /// Application-specific.
    Custom(u8),
}

/// A refused transaction.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TransactionValidityError {
    /// The bytes are not an extrinsic of this runtime (RPC code 1001: bad format).
    #[error("Extrinsic has invalid format: {0}")]
    BadFormat(String),
    /// Definitely invalid (RPC 1010); the pool bans it.
    #[error("{}: {detail}", kind.message())]
    Invalid {
        /// Category.
        kind: InvalidTransaction,
        /// What exactly is wrong.
        detail: String,
    },
    /// Validity cannot be determined (RPC 1011).
    #[error("Could not determine validity: {detail}")]
    Unknown {
        /// Category.
        kind: UnknownTransaction,
        /// What exactly is unknown.
        detail: String,
    },
}

impl TransactionValidityError {
    /// Shorthand for an `Invalid` error.
    pub fn invalid(kind: InvalidTransaction, detail: impl Into<String>) -> Self {
        TransactionValidityError::Invalid { kind, detail: detail.into() }
    }
}

/// What the pool needs to know about a valid transaction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ValidTransaction {
    /// Higher goes first (from the tip).
    pub priority: u64,
    /// Tags that must be provided first (the sender's previous nonce).
    pub requires: Vec<Vec<u8>>,
    /// Tags this provides (sender, nonce).
    pub provides: Vec<Vec<u8>>,
    /// Blocks for which it stays valid (era).
    pub longevity: u64,
    /// Whether to gossip it.
    pub propagate: bool,
    /// The signer.
    pub signer: archive_primitives::AccountId20,
    /// Weight the extrinsic will be charged.
    pub weight: Weight,
}
