//! The archive pallet's storage items (prefix "Archive").

use archive_primitives::{AccountId20, BlockNumber};
use archive_support::storage::{
    Blake2_128Concat, Identity, StorageEntryInfo, StorageInstance, StorageMap, StorageValue, Twox64Concat,
};

use crate::types::{ArchiveRecord, ArchiveRequest, ArchiverStats};

macro_rules! instance {
    ($name:ident, $item:literal) => {
        #[doc = concat!("Storage instance `Archive.", $item, "`.")]
        pub struct $name;
        impl StorageInstance for $name {
            const PALLET: &'static str = "Archive";
            const ITEM: &'static str = $item;
        }
    };
}

instance!(NextRequestIdP, "NextRequestId");
instance!(RequestsP, "Requests");
instance!(OpenRequestsP, "OpenRequests");
instance!(RecordsP, "Records");
instance!(ByUrlP, "ByUrl");
instance!(AttestationsP, "Attestations");
instance!(AttestersP, "Attesters");
instance!(PendingRecordsP, "PendingRecords");
instance!(StatsP, "Stats");

/// The id the next request gets (requests ever made).
pub type NextRequestId = StorageValue<NextRequestIdP, u64>;
/// Open and fulfilled requests by id; cancelled and expired ones are removed. Ids are assigned
/// by the chain, so the cheaper `Twox64Concat` is safe.
pub type Requests = StorageMap<RequestsP, Twox64Concat, u64, ArchiveRequest>;
/// `(id, expires)` of every request not yet fulfilled, cancelled or expired by the hook,
/// ascending by id; at most [`crate::MAX_OPEN_REQUESTS`]. Off-chain workers scan it instead of
/// iterating keys; the block hook finds expired requests in it without reading each one.
pub type OpenRequests = StorageValue<OpenRequestsP, Vec<(u64, BlockNumber)>>;
/// Every record ever submitted, by content hash. The hash is the submitter's claim, not computed
/// by the chain, so it is hashed again (`Blake2_128Concat`) to keep the trie balanced.
pub type Records = StorageMap<RecordsP, Blake2_128Concat, [u8; 32], ArchiveRecord>;
/// Content hashes of the captures of a URL, keyed by `blake2_256(url)` (a chain-computed hash,
/// so `Identity` is safe), oldest first; the newest [`crate::MAX_CAPTURES_PER_URL`] are kept.
pub type ByUrl = StorageMap<ByUrlP, Identity, [u8; 32], Vec<[u8; 32]>>;
/// The verdict of an attester on a record (`true`: the capture is faithful); kept as history.
pub type Attestations = StorageMap<AttestationsP, Blake2_128Concat, ([u8; 32], AccountId20), bool>;
/// Every attestation on a record, in the order made: `(attester, verdict)`. Bounded by about
/// `2 × AttestationThreshold` (a record is decided once a side reaches the threshold and leads),
/// so by 200 within the parameter's range.
pub type Attesters = StorageMap<AttestersP, Blake2_128Concat, [u8; 32], Vec<(AccountId20, bool)>>;
/// Content hashes of the records awaiting attestation, in submission order; at most
/// [`crate::MAX_PENDING_RECORDS`].
pub type PendingRecords = StorageValue<PendingRecordsP, Vec<[u8; 32]>>;
/// Per-archiver counters.
pub type Stats = StorageMap<StatsP, Blake2_128Concat, AccountId20, ArchiverStats>;

/// Metadata for every item.
pub fn entries() -> Vec<StorageEntryInfo> {
    vec![
        NextRequestId::info(Some(0), &[" The id the next archive request gets."]),
        Requests::info(None, &[" Open and fulfilled archive requests by id (cancelled and expired ones are removed)."]),
        OpenRequests::info(Some(Vec::new()), &[" (id, expires) of the open archive requests, ascending by id."]),
        Records::info(None, &[" Every archive record by content hash."]),
        ByUrl::info(Some(Vec::new()), &[" Content hashes of the captures of a URL by blake2_256(url), oldest first."]),
        Attestations::info(None, &[" The verdict of an attester on a record."]),
        Attesters::info(Some(Vec::new()), &[" The attestations on a record, in the order made."]),
        PendingRecords::info(Some(Vec::new()), &[" Records awaiting attestation, in submission order."]),
        Stats::info(
            Some(Default::default()),
            &[" Per-archiver counters: submitted, verified, rejected, attestations."],
        ),
    ]
}
