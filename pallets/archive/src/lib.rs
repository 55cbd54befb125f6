//! archive-pallet-archive: archive requests with bounties, captures submitted by archivers,
//! k-of-n attestation that verifies or rejects them, and the per-archiver statistics that feed
//! the Proof-of-Archive validator election.
//!
//! # What it owns
//! Storage (prefix "Archive", see [`storage`]): `NextRequestId`, `Requests` (u64 →
//! [`ArchiveRequest`]), `OpenRequests` (`Vec<(id, expires)>`, for off-chain workers and the
//! block hook), `Records` ([u8; 32] → [`ArchiveRecord`]), `ByUrl` (`blake2_256(url)` → content
//! hashes of its captures), `Attestations` ((hash, account) → verdict), `Attesters` (hash →
//! `Vec<(account, verdict)>` in the order made), `PendingRecords` and `Stats` (account →
//! [`ArchiverStats`]). It also holds the requesters' bounties as reserved balance.
//!
//! # Data flow
//! 1. Anyone may `request_archive(url, depth, max_pages, bounty)`: the bounty is reserved and
//!    the request is open until `now + RequestExpiry`; off-chain workers see it in
//!    `OpenRequests` ([`open_requests`]).
//! 2. An account with the identity `Archiver` role captures the page and calls
//!    `submit_archive(url, content_hash, metadata_hash, size, mime, captured_at, tags, request)`;
//!    the record is `Pending`.
//! 3. Accounts with the `Archiver` or `Validator` role (other than the archiver) `attest(hash,
//!    verdict)`. When `AttestationThreshold` (k) attestations agree, the record is decided:
//!    `Verified` (k said faithful) or `Rejected` (k said false).
//! 4. On verification the bounty of the request the record claims is paid to the archiver;
//!    agreeing attesters are rewarded either way; [`ArchiveStatsProvider`] gives staking the
//!    archiver's verified count and quality.
//! 5. [`on_initialize`] returns the bounties of requests that expired unfulfilled.
//!
//! # Rules
//! - **URLs** ([`validate_url`], also used by the CLI and node): ≤ 2048 bytes of UTF-8 with no
//!   whitespace or control characters, scheme exactly `http` or `https`, `//` and a host, an
//!   optional numeric port, no user info. Refusing internal addresses is node configuration.
//! - **Requests**: `depth ≤ 5`, `1 ≤ max_pages ≤ 10_000`, `bounty ≥ MinBounty` and either 0 or
//!   at least the existential deposit (so paying it to a new account cannot fail), covered by
//!   the requester's usable balance. At most [`MAX_OPEN_REQUESTS`] are open at once. A request
//!   is **open** at block `now` while it is stored, unfulfilled and `now < expires`. Only the
//!   requester may cancel it, only while it is open and no pending record claims it (so a
//!   requester cannot take a capture and withdraw the bounty before attesters decide); the
//!   bounty is returned. Cancelled and expired requests are deleted; fulfilled ones are kept
//!   with `fulfilled_by` set.
//! - **Submissions**: the `Archiver` role (identity's `MissingRole` otherwise); a valid URL;
//!   `size > 0`; `mime` ≤ [`MAX_MIME_LEN`] bytes; ≤ [`MAX_TAGS`] tags of 1 to
//!   [`MAX_TAG_LEN`] bytes; a content hash never submitted before (whatever its status:
//!   `DuplicateSubmission`); a claimed request must be open (`UnknownRequest` /
//!   `RequestClosed`) and for the same URL, byte for byte (`RequestMismatch`). Several records
//!   may claim one request; the first verified while the request is open is paid. An archiver
//!   may have at most [`MAX_PENDING_PER_ARCHIVER`] pending records, and at most
//!   [`MAX_PENDING_RECORDS`] are pending in all (`TooManyPending`). `ByUrl` keeps the newest
//!   [`MAX_CAPTURES_PER_URL`] captures of a URL (older records stay in `Records`).
//!   `captured_at` is the archiver's claim (the runtime has no clock).
//! - **Attestations**: one per account and record, only on `Pending` records, never by the
//!   record's archiver. After each attestation the record is decided by [`outcome`] with the
//!   k in force then: `Verified` once `attestations_ok ≥ k` and `ok > bad`, `Rejected` once
//!   `attestations_bad ≥ k` and `bad > ok` (with k unchanged, the first side to reach k wins;
//!   after governance lowers k, a pending record is decided at its next attestation). A
//!   decision removes the record from `PendingRecords` and adds to the archiver's `Stats`:
//!   `verified` or `rejected` +1, `attestations += ok + bad`, `agreeing += ok`.
//! - **Attestation rewards** (inflationary, like block rewards): on either decision each
//!   attester on the deciding side is paid `AttestationReward`, newly minted with
//!   `deposit_creating` (total issuance grows by `reward ×` their number). Rewarding the
//!   rejecting side too keeps attesters from approving blindly and pays for clearing junk. An
//!   attester whose account does not exist is not paid if the reward is below the existential
//!   deposit.
//! - **Bounty** (not inflationary): when a record is verified and the request it claims is
//!   still open, the request is marked `fulfilled_by` the record, leaves `OpenRequests`, and its
//!   bounty moves from the requester's reserve to the archiver (unreserve + transfer; should
//!   the requester's locks block that, the reserve is repatriated by slash + mint instead: see
//!   `BountyPaid`). Payment never makes `attest` fail. A record verified after its request
//!   closed earns no bounty.
//! - **Expiry**: [`on_initialize`] expires at most [`MAX_EXPIRIES_PER_BLOCK`] requests per block
//!   (lowest ids first), unreserving their bounties; the rest follow in later blocks.
//! - **Quality** ([`ArchiveStatsProvider`]): `agreeing / attestations` over the archiver's
//!   decided records, as a [`Perbill`] rounded down (0 with no decided record); the archive
//!   count is `verified`.
//!
//! Every failed call leaves state and events unchanged (dispatch runs in a storage transaction;
//! all checks also precede all writes).
//!
//! # Example
//! The runtime dispatches calls inside a storage transaction
//! (`ext.transactional(|ext| dispatch::<Runtime>(ext, origin, call))`) and runs
//! [`on_initialize`] before a block's extrinsics. URL validation is a plain function:
//! ```
//! use archive_pallet_archive::{validate_url, Error};
//! assert_eq!(validate_url(b"https://example.org/page?q=1"), Ok(()));
//! assert_eq!(validate_url(b"file:///etc/passwd"), Err(Error::UnsupportedScheme));
//! assert_eq!(validate_url(b"https://exa mple.org"), Err(Error::MalformedUrl));
//! ```

mod attest;
mod hooks;
#[cfg(test)]
mod mock;
pub mod pallet;
pub mod storage;
#[cfg(test)]
mod tests;
pub mod types;
mod url;
pub mod weights;

pub use attest::outcome;
pub use hooks::on_initialize;
pub use pallet::{deposit_event, dispatch, Call, Error, Event};
pub use storage::entries;
pub use types::{ArchiveRecord, ArchiveRequest, ArchiverStats, RecordStatus};
pub use url::{validate_url, MAX_URL_LEN, URL_SCHEMES};
pub use weights::call_weight;

use archive_pallet_parameters::Parameter;
use archive_primitives::{hashing::blake2_256, AccountId20, Perbill};
use archive_support::Ext;

/// Configuration of the archive pallet (roles come from identity, bounties from balances).
pub trait Config: archive_pallet_identity::Config {
    /// The pallet's index in the runtime (50 in ArchiveChain's).
    const INDEX: u8;
}

/// Deepest link depth a request may ask for (beyond it a crawl explodes combinatorially).
pub const MAX_DEPTH: u8 = 5;
/// Most pages one request may ask for.
pub const MAX_PAGES: u32 = 10_000;
/// Longest MIME type, in bytes (RFC 6838 caps type and subtype at 127 each).
pub const MAX_MIME_LEN: usize = 255;
/// Most tags per record.
pub const MAX_TAGS: usize = 16;
/// Longest tag, in bytes.
pub const MAX_TAG_LEN: usize = 64;
/// Most requests open at once: bounds `OpenRequests`, which the block hook reads every block.
pub const MAX_OPEN_REQUESTS: usize = 1_000;
/// Most records pending at once: bounds `PendingRecords`.
pub const MAX_PENDING_RECORDS: usize = 1_000;
/// Most pending records per archiver, so one archiver cannot fill `PendingRecords`.
pub const MAX_PENDING_PER_ARCHIVER: u32 = 100;
/// Captures of one URL kept in `ByUrl` (newest): bounds `cancel_request`'s scan.
pub const MAX_CAPTURES_PER_URL: usize = 100;
/// Most requests the block hook expires per block: bounds its weight.
pub const MAX_EXPIRIES_PER_BLOCK: usize = 50;
/// The largest `AttestationThreshold` governance may set: bounds the rewards paid by one `attest`.
pub const MAX_ATTESTATION_THRESHOLD: u32 = Parameter::AttestationThreshold.range().1 as u32;

/// Request `id`, if open or fulfilled (cancelled and expired requests are deleted).
pub fn request(ext: &Ext<'_>, id: u64) -> Option<ArchiveRequest> {
    storage::Requests::get(ext, &id)
}

/// The requests in `OpenRequests`, ascending by id (may include some past their `expires` that
/// the block hook has not reached yet).
pub fn open_requests(ext: &Ext<'_>) -> Vec<(u64, ArchiveRequest)> {
    storage::OpenRequests::get_or_default(ext)
        .into_iter()
        .filter_map(|(id, _)| storage::Requests::get(ext, &id).map(|r| (id, r)))
        .collect()
}

/// The record with content hash `hash`, if any.
pub fn record(ext: &Ext<'_>, hash: &[u8; 32]) -> Option<ArchiveRecord> {
    storage::Records::get(ext, hash)
}

/// The captures of `url` still indexed (the newest [`MAX_CAPTURES_PER_URL`]), oldest first.
pub fn captures_of(ext: &Ext<'_>, url: &[u8]) -> Vec<ArchiveRecord> {
    storage::ByUrl::get_or_default(ext, &blake2_256(url)).iter().filter_map(|h| storage::Records::get(ext, h)).collect()
}

/// The records awaiting attestation, in submission order.
pub fn pending_records(ext: &Ext<'_>) -> Vec<ArchiveRecord> {
    storage::PendingRecords::get_or_default(ext).iter().filter_map(|h| storage::Records::get(ext, h)).collect()
}

/// `who`'s archiver statistics (all zero if it never submitted).
pub fn stats(ext: &Ext<'_>, who: &AccountId20) -> ArchiverStats {
    storage::Stats::get_or_default(ext, who)
}

/// `who`'s verdict on record `hash`, if it attested it.
pub fn attestation_of(ext: &Ext<'_>, hash: &[u8; 32], who: &AccountId20) -> Option<bool> {
    storage::Attestations::get(ext, &(*hash, *who))
}

/// Every attestation on record `hash`, `(attester, verdict)` in the order made.
pub fn attesters_of(ext: &Ext<'_>, hash: &[u8; 32]) -> Vec<(AccountId20, bool)> {
    storage::Attesters::get_or_default(ext, hash)
}

/// Staking's view of an archiver: `(verified records, quality)` where quality is
/// `agreeing / attestations` over its decided records (see [`ArchiverStats::quality`]).
/// The runtime sets it as `archive_pallet_staking::Config::ArchiveStats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArchiveStatsProvider;

impl archive_pallet_staking::ArchiveStats for ArchiveStatsProvider {
    fn stats(ext: &Ext<'_>, who: &AccountId20) -> (u32, Perbill) {
        let s = stats(ext, who);
        (s.verified, s.quality())
    }
}
