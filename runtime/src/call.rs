//! The runtime's outer enums. Variant index = pallet index: wire format.

use archive_support::{DispatchResult, Ext, RawOrigin, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::Runtime;

/// Any call of any pallet.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum RuntimeCall {
    /// System calls.
    #[codec(index = 0)]
    System(archive_pallet_system::Call),
    /// Balances calls.
    #[codec(index = 10)]
    Balances(archive_pallet_balances::Call),
}

/// Any event of any pallet (stored pre-encoded; this type describes and decodes them).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum RuntimeEvent {
    /// System events.
    #[codec(index = 0)]
    System(archive_pallet_system::Event),
    /// Balances events.
    #[codec(index = 10)]
    Balances(archive_pallet_balances::Event),
}

impl RuntimeCall {
    /// The call's weight (without the per-extrinsic base).
    pub fn weight(&self) -> Weight {
        match self {
            RuntimeCall::System(c) => archive_pallet_system::pallet::call_weight(c),
            RuntimeCall::Balances(c) => archive_pallet_balances::pallet::call_weight(c),
        }
    }

    /// Dispatches to the pallet. The caller wraps this in a storage transaction.
    ///
    /// # Errors
    /// The pallet's dispatch error.
    pub fn dispatch(self, ext: &mut Ext<'_>, origin: RawOrigin) -> DispatchResult {
        match self {
            RuntimeCall::System(c) => archive_pallet_system::pallet::dispatch::<Runtime>(ext, origin, c),
            RuntimeCall::Balances(c) => archive_pallet_balances::dispatch::<Runtime>(ext, origin, c),
        }
    }
}
