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
pub const CALLS: &[(u8, &[u8])] = &[
    (constants::SYSTEM_INDEX, &[0, 4, 5, 7]),
    (constants::BALANCES_INDEX, &[0, 3, 4, 8]),
    (constants::IDENTITY_INDEX, &[1, 3, 20, 21]),
    (constants::STAKING_INDEX, &[0, 1, 2, 3, 4, 5, 6, 19, 40]),
    (constants::GOVERNANCE_INDEX, &[0, 1, 2, 3, 4]),
    (constants::ARCHIVE_INDEX, &[0, 1, 2, 3]),
];

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
    let mut pallets = vec![
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
        PalletMetadata {
            name: "Parameters",
            storage: storage("Parameters", archive_pallet_parameters::entries()),
            calls: None,
            event: None,
            constants: vec![],
            error: None,
            index: constants::PARAMETERS_INDEX,
        },
        PalletMetadata {
            name: "Identity",
            storage: storage("Identity", archive_pallet_identity::entries()),
            calls: Some(PalletCallMetadata { ty: meta_type::<archive_pallet_identity::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<archive_pallet_identity::Event>() }),
            constants: vec![],
            error: Some(PalletErrorMetadata { ty: meta_type::<archive_pallet_identity::Error>() }),
            index: constants::IDENTITY_INDEX,
        },
        PalletMetadata {
            name: "Staking",
            storage: storage("Staking", archive_pallet_staking::entries()),
            calls: Some(PalletCallMetadata { ty: meta_type::<archive_pallet_staking::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<archive_pallet_staking::Event>() }),
            constants: vec![],
            error: Some(PalletErrorMetadata { ty: meta_type::<archive_pallet_staking::Error>() }),
            index: constants::STAKING_INDEX,
        },
        PalletMetadata {
            name: "Governance",
            storage: storage("Governance", archive_pallet_governance::storage::entries()),
            calls: Some(PalletCallMetadata { ty: meta_type::<archive_pallet_governance::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<archive_pallet_governance::Event>() }),
            constants: vec![],
            error: Some(PalletErrorMetadata { ty: meta_type::<archive_pallet_governance::Error>() }),
            index: constants::GOVERNANCE_INDEX,
        },
        PalletMetadata {
            name: "Archive",
            storage: storage("Archive", archive_pallet_archive::entries()),
            calls: Some(PalletCallMetadata { ty: meta_type::<archive_pallet_archive::Call>() }),
            event: Some(PalletEventMetadata { ty: meta_type::<archive_pallet_archive::Event>() }),
            constants: vec![],
            error: Some(PalletErrorMetadata { ty: meta_type::<archive_pallet_archive::Error>() }),
            index: constants::ARCHIVE_INDEX,
        },
    ];
    pallets.sort_by_key(|p| p.index);
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

/// The pallet name, error name and docs of module error `error` of pallet `pallet`, from the
/// metadata (so every pallet's errors are described without a table per pallet).
pub fn error_info(pallet: u8, error: u8) -> Option<(String, String, String)> {
    static MD: OnceLock<Option<RuntimeMetadataV14>> = OnceLock::new();
    let md = MD
        .get_or_init(|| match build().1 {
            frame_metadata::RuntimeMetadata::V14(md) => Some(md),
            _ => None,
        })
        .as_ref()?;
    let p = md.pallets.iter().find(|p| p.index == pallet)?;
    let ty = md.types.resolve(p.error.as_ref()?.ty.id)?;
    let scale_info::TypeDef::Variant(v) = &ty.type_def else { return None };
    let var = v.variants.iter().find(|var| var.index == error)?;
    Some((p.name.clone(), var.name.clone(), var.docs.join(" ").trim().to_string()))
}
