//! Archive requests, archive records and per-archiver statistics (metadata paths
//! `pallet_archive::types::*`).

use archive_primitives::{AccountId20, Balance, BlockNumber};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A request, with a bounty, that some archiver capture `url`.
///
/// A request is **open** at block `now` iff its entry exists in `Requests`, `fulfilled_by` is
/// `None` and `now < expires`. Cancelled and expired requests are removed from `Requests`;
/// fulfilled ones are kept (with `fulfilled_by` set) as the record of the payout.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub struct ArchiveRequest {
    /// Who asked (and reserved the bounty).
    pub requester: AccountId20,
    /// The page to capture; passed [`crate::validate_url`].
    pub url: Vec<u8>,
    /// How many links deep to follow from `url` (0 = the page alone; at most [`crate::MAX_DEPTH`]).
    pub depth: u8,
    /// Most pages to capture (1 to [`crate::MAX_PAGES`]).
    pub max_pages: u32,
    /// Reserved from the requester; paid to the archiver of the first record citing this
    /// request that is verified while the request is open.
    #[codec(compact)]
    pub bounty: Balance,
    /// The block the request was made in.
    pub created: BlockNumber,
    /// The request is open in blocks `created..expires`; the block hook returns the bounty from
    /// block `expires` on.
    pub expires: BlockNumber,
    /// The content hash of the verified record that was paid the bounty.
    pub fulfilled_by: Option<[u8; 32]>,
}

/// Where an archive record is in its life cycle (codec indices are wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub enum RecordStatus {
    /// Waiting for attestations.
    #[codec(index = 0)]
    Pending,
    /// `AttestationThreshold` attesters agreed that the capture is faithful.
    #[codec(index = 1)]
    Verified,
    /// `AttestationThreshold` attesters found the capture false.
    #[codec(index = 2)]
    Rejected,
}

/// A capture of a URL, as submitted by an archiver and judged by attesters (the seed's
/// `ArchiveRecord`: `submitArchive` / `verifyArchive` / `getArchiveRecord`). Kept forever,
/// whatever its status, keyed by `content_hash`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub struct ArchiveRecord {
    /// Hash of the captured content (the WARC payload); unique among all records.
    pub content_hash: [u8; 32],
    /// The captured URL; passed [`crate::validate_url`].
    pub url: Vec<u8>,
    /// Hash of the capture's metadata (headers, crawl log).
    pub metadata_hash: [u8; 32],
    /// Who submitted it (holds the Archiver role).
    pub archiver: AccountId20,
    /// Size of the content in bytes (> 0).
    pub size: u64,
    /// MIME type as reported by the server (at most [`crate::MAX_MIME_LEN`] bytes).
    pub mime: Vec<u8>,
    /// When the archiver says it captured the page, in Unix milliseconds (the archiver's claim;
    /// the runtime has no clock to check it against).
    pub captured_at: u64,
    /// Free-form labels (at most [`crate::MAX_TAGS`], each 1 to [`crate::MAX_TAG_LEN`] bytes).
    pub tags: Vec<Vec<u8>>,
    /// The block it was submitted in.
    pub block: BlockNumber,
    /// The request it claims to fulfil, if any.
    pub request: Option<u64>,
    /// Attestations that the capture is faithful.
    pub attestations_ok: u32,
    /// Attestations that the capture is false.
    pub attestations_bad: u32,
    /// Pending, verified or rejected.
    pub status: RecordStatus,
}

/// Per-archiver counters (what the Proof-of-Archive score reads through
/// [`crate::ArchiveStatsProvider`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub struct ArchiverStats {
    /// Records submitted (pending = `submitted − verified − rejected`).
    pub submitted: u32,
    /// Records verified.
    pub verified: u32,
    /// Records rejected.
    pub rejected: u32,
    /// Attestations received on its records, counted when a record is decided (verified or
    /// rejected): the record's `attestations_ok + attestations_bad`.
    pub attestations: u32,
    /// Of those, the ones that agreed the capture is faithful (`attestations_ok`).
    pub agreeing: u32,
}

impl ArchiverStats {
    /// Records still waiting for a decision.
    pub fn pending(&self) -> u32 {
        self.submitted.saturating_sub(self.verified).saturating_sub(self.rejected)
    }

    /// `agreeing / attestations` as a [`Perbill`](archive_primitives::Perbill), rounded down;
    /// 0 when no record has been decided.
    pub fn quality(&self) -> archive_primitives::Perbill {
        archive_primitives::Perbill::from_rational(u128::from(self.agreeing), u128::from(self.attestations))
    }
}
