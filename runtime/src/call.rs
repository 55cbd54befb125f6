// The runtime's outer enums (included into lib.rs). Variant index = pallet index: wire format.

/// Any call of any pallet.
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
pub enum RuntimeCall {
    /// System calls.
    #[codec(index = 0)]
    System(archive_pallet_system::Call),
    /// Balances calls.
    #[codec(index = 10)]
    Balances(archive_pallet_balances::Call),
}

/// Any event of any pallet (stored pre-encoded; this type describes and decodes them).
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
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
    pub fn weight(&self) -> archive_support::Weight {
        match self {
            RuntimeCall::System(c) => archive_pallet_system::pallet::call_weight(c),
            RuntimeCall::Balances(c) => archive_pallet_balances::pallet::call_weight(c),
        }
    }

    /// Dispatches to the pallet. The caller wraps this in a storage transaction.
    ///
    /// # Errors
    /// The pallet's dispatch error.
    pub fn dispatch(
        self,
        ext: &mut archive_support::Ext<'_>,
        origin: archive_support::RawOrigin,
    ) -> archive_support::DispatchResult {
        match self {
            RuntimeCall::System(c) => archive_pallet_system::pallet::dispatch::<Runtime>(ext, origin, c),
            RuntimeCall::Balances(c) => archive_pallet_balances::dispatch::<Runtime>(ext, origin, c),
        }
    }
}
