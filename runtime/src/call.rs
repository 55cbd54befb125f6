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
    /// Identity and role calls.
    #[codec(index = 20)]
    Identity(archive_pallet_identity::Call),
    /// Staking calls.
    #[codec(index = 30)]
    Staking(archive_pallet_staking::Call),
    /// Governance calls.
    #[codec(index = 40)]
    Governance(archive_pallet_governance::Call),
    /// Archive calls (requests, submissions, attestations).
    #[codec(index = 50)]
    Archive(archive_pallet_archive::Call),
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
    /// Identity and role events.
    #[codec(index = 20)]
    Identity(archive_pallet_identity::Event),
    /// Staking events.
    #[codec(index = 30)]
    Staking(archive_pallet_staking::Event),
    /// Governance events.
    #[codec(index = 40)]
    Governance(archive_pallet_governance::Event),
    /// Archive events.
    #[codec(index = 50)]
    Archive(archive_pallet_archive::Event),
}

impl RuntimeCall {
    /// The call's weight (without the per-extrinsic base).
    pub fn weight(&self) -> archive_support::Weight {
        match self {
            RuntimeCall::System(c) => archive_pallet_system::pallet::call_weight(c),
            RuntimeCall::Balances(c) => archive_pallet_balances::pallet::call_weight(c),
            RuntimeCall::Identity(c) => archive_pallet_identity::call_weight(c),
            RuntimeCall::Governance(c) => archive_pallet_governance::call_weight(c),
            RuntimeCall::Staking(c) => archive_pallet_staking::call_weight(c),
            RuntimeCall::Archive(c) => archive_pallet_archive::call_weight(c),
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
            RuntimeCall::Identity(c) => archive_pallet_identity::dispatch::<Runtime>(ext, origin, c),
            RuntimeCall::Governance(c) => archive_pallet_governance::dispatch::<Runtime>(ext, origin, c),
            RuntimeCall::Staking(c) => archive_pallet_staking::dispatch::<Runtime>(ext, origin, c),
            RuntimeCall::Archive(c) => archive_pallet_archive::dispatch::<Runtime>(ext, origin, c),
        }
    }
}
