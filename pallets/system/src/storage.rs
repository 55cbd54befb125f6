//! The system pallet's storage items.

use archive_primitives::{AccountId20, BlockNumber, Digest, H256};
use archive_support::{
    storage::{Blake2_128Concat, StorageEntryInfo, StorageInstance, StorageMap, StorageValue, Twox64Concat},
    Weight,
};

use crate::Account as AccountRecord;

macro_rules! instance {
    ($name:ident, $item:literal) => {
        #[doc = concat!("Storage instance `System.", $item, "`.")]
        pub struct $name;
        impl StorageInstance for $name {
            const PALLET: &'static str = "System";
            const ITEM: &'static str = $item;
        }
    };
}

instance!(AccountP, "Account");
instance!(NumberP, "Number");
instance!(ParentHashP, "ParentHash");
instance!(BlockHashP, "BlockHash");
instance!(DigestP, "Digest");
instance!(EventsP, "Events");
instance!(EventCountP, "EventCount");
instance!(ExtrinsicCountP, "ExtrinsicCount");
instance!(AllExtrinsicsLenP, "AllExtrinsicsLen");
instance!(BlockWeightP, "BlockWeight");

/// Account records.
pub type Account = StorageMap<AccountP, Blake2_128Concat, AccountId20, AccountRecord>;
/// The current block number (being built or last built).
pub type Number = StorageValue<NumberP, BlockNumber>;
/// The parent's hash.
pub type ParentHash = StorageValue<ParentHashP, H256>;
/// Recent block hashes by number.
pub type BlockHash = StorageMap<BlockHashP, Twox64Concat, BlockNumber, H256>;
/// The current block's digest.
pub type DigestItems = StorageValue<DigestP, Digest>;
/// Extrinsics applied so far in this block.
pub type ExtrinsicCount = StorageValue<ExtrinsicCountP, u32>;
/// Total length of extrinsics applied so far in this block.
pub type AllExtrinsicsLen = StorageValue<AllExtrinsicsLenP, u32>;
/// Weight used so far in this block (all classes together).
pub type BlockWeight = StorageValue<BlockWeightP, Weight>;
/// Number of events in the block.
pub type EventCount = StorageValue<EventCountP, u32>;

/// Raw key of `System.Events`.
pub fn events_key() -> [u8; 32] {
    archive_primitives::storage_key::storage_prefix("System", "Events")
}

/// Metadata for every item; `events_ty` is the runtime's `Vec<EventRecord<RuntimeEvent, H256>>`.
pub fn entries(events_ty: scale_info::MetaType) -> Vec<StorageEntryInfo> {
    use archive_support::storage::StorageEntryKind;
    vec![
        Account::info(Some(AccountRecord::default()), &[" The full account information for a particular account ID."]),
        ExtrinsicCount::info(None, &[" Total extrinsics count for the current block."]),
        BlockWeight::info(Some(Weight::zero()), &[" The current weight for the block."]),
        AllExtrinsicsLen::info(
            None,
            &[" Total length (in bytes) for all extrinsics put together, for the current block."],
        ),
        BlockHash::info(Some(H256::zero()), &[" Map of block numbers to block hashes."]),
        Number::info(Some(0), &[" The current block number being processed."]),
        ParentHash::info(Some(H256::zero()), &[" Hash of the previous block."]),
        DigestItems::info(Some(Digest::default()), &[" Digest of the current block, also part of the block header."]),
        StorageEntryInfo {
            name: "Events",
            kind: StorageEntryKind::Plain(events_ty),
            value_query: true,
            default: vec![0],
            docs: vec![" Events deposited for the current block."],
        },
        EventCount::info(Some(0), &[" The number of events in the `Events<T>` list."]),
    ]
}
