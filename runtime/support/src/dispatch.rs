//! Origins, dispatch results and dispatch info (`frame_support::dispatch::*`).

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use archive_primitives::AccountId20;

use crate::{DispatchError, ModuleError, Weight};

/// Who is making a call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RawOrigin {
    /// The chain itself (governance enactment, genesis).
    Root,
    /// A signed extrinsic's sender.
    Signed(AccountId20),
    /// An unsigned extrinsic (inherent).
    None,
}

impl RawOrigin {
    /// The signer, or `BadOrigin`.
    ///
    /// # Errors
    /// [`DispatchError::BadOrigin`] unless signed.
    pub fn ensure_signed(self) -> Result<AccountId20, DispatchError> {
        match self {
            RawOrigin::Signed(who) => Ok(who),
            _ => Err(DispatchError::BadOrigin),
        }
    }

    /// `Ok` only for root.
    ///
    /// # Errors
    /// [`DispatchError::BadOrigin`] unless root.
    pub fn ensure_root(self) -> Result<(), DispatchError> {
        match self {
            RawOrigin::Root => Ok(()),
            _ => Err(DispatchError::BadOrigin),
        }
    }
}

/// The result of a dispatch.
pub type DispatchResult = Result<(), DispatchError>;

/// A pallet's error enum: gives the [`ModuleError`] index of each variant.
pub trait PalletError: Copy {
    /// The variant's index in the pallet's `Error` enum (its metadata order).
    fn index(self) -> u8;
    /// Converts to a dispatch error of pallet `pallet_index`.
    fn into_dispatch(self, pallet_index: u8) -> DispatchError {
        DispatchError::Module(ModuleError { index: pallet_index, error: [self.index(), 0, 0, 0] })
    }
}

/// The priority class of a dispatch (`frame_support::dispatch::DispatchClass`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_support", "frame_support"))]
pub enum DispatchClass {
    /// Ordinary transactions.
    Normal,
    /// Operational (may use the reserved part of the block).
    Operational,
    /// Must be included (inherents).
    Mandatory,
}

/// Whether the sender pays fees (`frame_support::dispatch::Pays`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_support", "frame_support"))]
pub enum Pays {
    /// Fees are charged.
    Yes,
    /// No fees.
    No,
}

/// What `System.ExtrinsicSuccess/Failed` report about a dispatch
/// (`frame_support::dispatch::DispatchInfo`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_support", "frame_support"))]
pub struct DispatchInfo {
    /// The weight charged.
    pub weight: Weight,
    /// The class.
    pub class: DispatchClass,
    /// Whether fees were paid.
    pub pays_fee: Pays,
}
