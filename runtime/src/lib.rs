//! archive-runtime: the ArchiveChain state-transition function — the pallets composed into
//! `RuntimeCall`/`RuntimeEvent`, the [`executive`] that builds and checks blocks, transaction
//! validity for the pool, genesis, metadata V14 and the runtime APIs served by `state_call`.
//!
//! Data flow: the node hands the executive a [`archive_support::StateBackend`] over the parent
//! state, the block header fields and the extrinsics; it gets back the storage changes, the
//! events and the extrinsics root, computes the state root with its trie, and seals the block.
//!
//! Invariants: deterministic (no I/O, clock or randomness); every failure on external input is
//! a [`validity::TransactionValidityError`] or a dispatch error, never a panic.

pub mod apis;
pub mod constants;
pub mod executive;
pub mod fees;
pub mod genesis;
pub mod hooks;
pub mod metadata;
pub mod validity;

pub use executive::{BlockBuilder, BlockOutcome, DirectVerifier, SignatureVerifier};
pub use genesis::GenesisConfig;
pub use validity::{InvalidTransaction, TransactionValidityError, UnknownTransaction, ValidTransaction};

use archive_primitives::RuntimeVersion;

// Included, not a module: the outer enums' metadata paths must be `archive_runtime::RuntimeCall`
// and `archive_runtime::RuntimeEvent` (clients match `*_runtime::RuntimeCall`).
include!("call.rs");

/// The runtime type: implements every pallet's `Config`.
#[derive(Clone, Copy, Debug, scale_info::TypeInfo)]
pub struct Runtime;

/// The extrinsic type of this runtime.
pub type UncheckedExtrinsic = archive_primitives::UncheckedExtrinsic<RuntimeCall>;

impl archive_pallet_system::Config for Runtime {
    const INDEX: u8 = constants::SYSTEM_INDEX;
    const BLOCK_HASH_COUNT: u32 = constants::BLOCK_HASH_COUNT;
}

impl archive_pallet_balances::Config for Runtime {
    const INDEX: u8 = constants::BALANCES_INDEX;
    const EXISTENTIAL_DEPOSIT: archive_primitives::Balance = constants::EXISTENTIAL_DEPOSIT;
    const MAX_LOCKS: u32 = constants::MAX_LOCKS;
}

impl archive_pallet_identity::Config for Runtime {
    const INDEX: u8 = constants::IDENTITY_INDEX;
}

impl archive_pallet_staking::Config for Runtime {
    const INDEX: u8 = constants::STAKING_INDEX;
    /// Verified archives and attestation agreement, from the archive pallet.
    type ArchiveStats = archive_pallet_archive::ArchiveStatsProvider;
}

impl archive_pallet_archive::Config for Runtime {
    const INDEX: u8 = constants::ARCHIVE_INDEX;
}

impl archive_pallet_governance::Config for Runtime {
    const INDEX: u8 = constants::GOVERNANCE_INDEX;
}

/// The runtime's version. Bump `spec_version` on any change to the state transition,
/// `transaction_version` on any change to extrinsic encoding or call indices.
pub fn version() -> RuntimeVersion {
    RuntimeVersion {
        spec_name: "archivechain".into(),
        impl_name: "archivechain-node".into(),
        authoring_version: 1,
        spec_version: constants::SPEC_VERSION,
        impl_version: 1,
        apis: apis::runtime_api_versions(),
        transaction_version: constants::TRANSACTION_VERSION,
        state_version: 1,
    }
}

#[cfg(test)]
mod tests;
