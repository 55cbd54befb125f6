//! Runtime tests: encoding snapshots, metadata shape, and the executive's checks.

mod executive;
mod snapshots;

use archive_primitives::{crypto::dev, AccountId20, AdditionalSigned, Era, Pair, SignedExtra, H256};
use archive_support::{Ext, MemoryBackend, StateBackend};
use parity_scale_codec::Encode;

use crate::{RuntimeCall, UncheckedExtrinsic};

pub(crate) const ARC: u128 = archive_primitives::ARC;

/// Genesis with the six dev accounts funded, plus the placeholder hash for block 0.
pub(crate) fn genesis() -> MemoryBackend {
    let balances = dev::all().into_iter().map(|(_, p)| (p.account(), 1_000_000 * ARC)).collect();
    let pairs =
        crate::genesis::build_storage(&crate::GenesisConfig { balances, ..Default::default() }).expect("genesis");
    MemoryBackend(pairs.into_iter().collect())
}

/// Applies block-building changes to a backend (to chain blocks in tests).
pub(crate) fn apply(backend: &mut MemoryBackend, changes: Vec<(Vec<u8>, Option<Vec<u8>>)>) {
    for (k, v) in changes {
        match v {
            Some(v) => backend.0.insert(k, v),
            None => backend.0.remove(&k),
        };
    }
}

pub(crate) fn pair(name: &str) -> Pair {
    dev::pair(name).expect("dev key")
}

pub(crate) fn transfer_call(dest: AccountId20, value: u128) -> RuntimeCall {
    RuntimeCall::Balances(archive_pallet_balances::Call::transfer_keep_alive { dest, value })
}

/// Signs `call` for the chain whose block 0 hash is `genesis`.
pub(crate) fn sign(call: RuntimeCall, who: &Pair, nonce: u32, era: Era, genesis: H256, era_hash: H256) -> Vec<u8> {
    let additional = AdditionalSigned {
        spec_version: crate::constants::SPEC_VERSION,
        transaction_version: crate::constants::TRANSACTION_VERSION,
        genesis_hash: genesis,
        era_block_hash: era_hash,
    };
    UncheckedExtrinsic::new_signed(call, who, SignedExtra { era, nonce, tip: 0 }, &additional).encode()
}

pub(crate) fn free(backend: &dyn StateBackend, who: &AccountId20) -> u128 {
    archive_pallet_system::pallet::account(&Ext::new(backend), who).data.free
}
