//! Metadata V14 (frame-metadata + scale-info) with the type paths Substrate clients key on:
//! `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic<Address, Call, Signature,
//! Extra>`, `account::AccountId20`, `frame_system::EventRecord`, `archive_runtime::RuntimeCall`…

use std::sync::OnceLock;

use archive_pallet_balances as balances;
use archive_pallet_system as system;
use archive_primitives::{extensions, H256};
use archive_support::{
    storage::{StorageEntryInfo, StorageEntryKind},
    EventRecord,
};
use frame_metadata::{
    v14::{
        ExtrinsicMetadata, PalletCallMetadata, PalletConstantMetadata, PalletErrorMetadata, PalletEventMetadata,
        PalletMetadata, PalletStorageMetadata, RuntimeMetadataV14, SignedExtensionMetadata, StorageEntryMetadata,
        StorageEntryModifier, StorageEntryType, StorageHasher,
    },
    RuntimeMetadataPrefixed,
};
use parity_scale_codec::Encode;
use scale_info::{meta_type, MetaType};

use crate::{constants, Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};

/// The `System.Events` value type.
pub type EventRecords = Vec<EventRecord<RuntimeEvent, H256>>;

/// Every (pallet index, call index) this runtime dispatches; a test checks it against the enums.
pub const CALLS: &[(u8, &[u8])] =
    &[(constants::SYSTEM_INDEX, &[0, 4, 5, 7]), (constants::BALANCES_INDEX, &[0, 3, 4, 8])];

/// Whether `(pallet, call)` names a call of this runtime.
pub fn call_exists(pallet: u8, call: u8) -> bool {
    CALLS.iter().any(|(p, cs)| *p == pallet && cs.contains(&call))
}

fn hasher(h: archive_primitives::storage_key::Hasher) -> StorageHasher {
    use archive_primitives::storage_key::Hasher as H;
    match h {
        H::Blake2_128 => StorageHasher::Blake2_128,
        H::Blake2_256 => StorageHasher::Blake2_256,
        H::Blake2_128Concat => StorageHasher::Blake2_128Concat,
        H::Twox128 => StorageHasher::Twox128,
        H::Twox256 => StorageHasher::Twox256,
        H::Twox64Concat => StorageHasher::Twox64Concat,
        H::Identity => StorageHasher::Identity,
    }
}

fn storage(prefix: &'static str, entries: Vec<StorageEntryInfo>) -> Option<PalletStorageMetadata> {
    Some(PalletStorageMetadata {
        prefix,
        entries: entries
            .into_iter()
            .map(|e| StorageEntryMetadata {
                name: e.name,
                modifier: if e.value_query { StorageEntryModifier::Default } else { StorageEntryModifier::Optional },
                ty: match e.kind {
                    StorageEntryKind::Plain(ty) => StorageEntryType::Plain(ty),
                    StorageEntryKind::Map { hasher: h, key, value } => {
                        StorageEntryType::Map { hashers: vec![hasher(h)], key, value }
                    }
                },
                default: e.default,
                docs: e.docs,
            })
            .collect(),
    })
}

fn constant(name: &'static str, ty: MetaType, value: Vec<u8>, docs: &'static str) -> PalletConstantMetadata {
    PalletConstantMetadata { name, ty, value, docs: vec![docs] }
}

fn build() -> RuntimeMetadataPrefixed {
    let pallets = vec![
        PalletMetadata {
            name: "System",
            storage: storage("System", system::storage::entries(meta_type::<EventRecords>())),
            calls: Some(PalletCallMetadata { ty: meta_type::<system::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<system::Event>() }),
            constants: vec![
                constant(
                    "BlockHashCount",
                    meta_type::<u32>(),
                    constants::BLOCK_HASH_COUNT.encode(),
                    " Maximum number of block number to block hash mappings to keep (oldest pruned first).",
                ),
                constant(
                    "SS58Prefix",
                    meta_type::<u16>(),
                    constants::SS58_PREFIX.encode(),
                    " The SS58 prefix of this chain.",
                ),
            ],
            error: Some(PalletErrorMetadata { ty: meta_type::<system::Error>() }),
            index: constants::SYSTEM_INDEX,
        },
        PalletMetadata {
            name: "Session",
            storage: storage("Session", archive_pallet_session::entries()),
            calls: None,
            event: None,
            constants: vec![],
            error: None,
            index: constants::SESSION_INDEX,
        },
        PalletMetadata {
            name: "Balances",
            storage: storage("Balances", balances::storage::entries()),
            calls: Some(PalletCallMetadata { ty: meta_type::<balances::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<balances::Event>() }),
            constants: vec![
                constant(
                    "ExistentialDeposit",
                    meta_type::<u128>(),
                    constants::EXISTENTIAL_DEPOSIT.encode(),
                    " The minimum amount required to keep an account open.",
                ),
                constant(
                    "MaxLocks",
                    meta_type::<u32>(),
                    constants::MAX_LOCKS.encode(),
                    " The maximum number of locks per account.",
                ),
            ],
            error: Some(PalletErrorMetadata { ty: meta_type::<balances::Error>() }),
            index: constants::BALANCES_INDEX,
        },
    ];
    let ext_ty = |ids: usize| -> (MetaType, MetaType) {
        use extensions::*;
        use scale_info::meta_type as m;
        match ids {
            0 => (m::<CheckSpecVersion>(), m::<u32>()),
            1 => (m::<CheckTxVersion>(), m::<u32>()),
            2 => (m::<CheckGenesis>(), m::<H256>()),
            3 => (m::<CheckMortality>(), m::<H256>()),
            4 => (m::<CheckNonce>(), m::<()>()),
            5 => (m::<CheckWeight>(), m::<()>()),
            _ => (m::<ChargeTransactionPayment>(), m::<()>()),
        }
    };
    let signed_extensions = extensions::IDENTIFIERS
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (ty, additional_signed) = ext_ty(i);
            SignedExtensionMetadata { identifier: *id, ty, additional_signed }
        })
        .collect();
    let extrinsic = ExtrinsicMetadata { ty: meta_type::<UncheckedExtrinsic>(), version: 4, signed_extensions };
    // Make sure RuntimeCall is registered even if nothing else references it by that name.
    let _ = meta_type::<RuntimeCall>();
    RuntimeMetadataV14::new(pallets, extrinsic, meta_type::<Runtime>()).into()
}

/// The SCALE-encoded, prefixed (`"meta"` magic + version byte) metadata, built once.
pub fn metadata_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| build().encode())
}
