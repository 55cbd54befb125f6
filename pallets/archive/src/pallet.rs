//! Calls, events and errors of the archive pallet (metadata path `pallet_archive::pallet::*`),
//! and the request and submission calls.

use archive_pallet_balances as balances;
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{hashing::blake2_256, AccountId20, Balance, BlockNumber};
use archive_support::{dispatch::PalletError, ArithmeticError, DispatchError, DispatchResult, Ext, RawOrigin};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{
    storage::{ByUrl, NextRequestId, OpenRequests, PendingRecords, Records, Requests, Stats},
    types::{ArchiveRecord, ArchiveRequest, RecordStatus},
    validate_url, Config, MAX_CAPTURES_PER_URL, MAX_DEPTH, MAX_MIME_LEN, MAX_OPEN_REQUESTS, MAX_PAGES,
    MAX_PENDING_PER_ARCHIVER, MAX_PENDING_RECORDS, MAX_TAGS, MAX_TAG_LEN,
};

/// Calls (wire format: append only).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub enum Call {
    /// Ask for `url` to be archived `depth` links deep (≤ 5), at most `max_pages` pages
    /// (1..=10_000), reserving `bounty` (≥ `MinBounty`, and 0 or ≥ the existential deposit).
    /// The request is open until `now + RequestExpiry`. Origin: signed (anyone).
    /// Complexity: O(open requests + URL length).
    /// Errors: UrlTooLong, MalformedUrl, UnsupportedScheme, InvalidDepth, InvalidMaxPages,
    /// BountyTooLow, TooManyOpenRequests, InsufficientBalance.
    #[codec(index = 0)]
    request_archive {
        url: Vec<u8>,
        depth: u8,
        max_pages: u32,
        #[codec(compact)]
        bounty: Balance,
    },
    /// Record a capture of `url` whose content hashes to `content_hash`, optionally claiming
    /// open request `request`. The record waits for attestations. Origin: signed by an account
    /// with the identity `Archiver` role. Complexity: O(URL length + tags + pending records).
    /// Errors: identity's MissingRole, UrlTooLong, MalformedUrl, UnsupportedScheme, ZeroSize,
    /// MimeTooLong, TooManyTags, InvalidTag, DuplicateSubmission, UnknownRequest,
    /// RequestClosed, RequestMismatch, TooManyPending.
    #[codec(index = 1)]
    submit_archive {
        url: Vec<u8>,
        content_hash: [u8; 32],
        metadata_hash: [u8; 32],
        size: u64,
        mime: Vec<u8>,
        captured_at: u64,
        tags: Vec<Vec<u8>>,
        request: Option<u64>,
    },
    /// Judge the pending record `content_hash`: `verdict = true` if the capture is faithful.
    /// The attestation that brings either side to `AttestationThreshold` decides the record
    /// (see the crate docs for the payouts). Origin: signed by an account with the identity
    /// `Archiver` or `Validator` role, not the record's archiver.
    /// Complexity: O(AttestationThreshold) (the deciding attestation pays every agreeing attester).
    /// Errors: NotAttester, UnknownRecord, AlreadyDecided, SelfAttestation, AlreadyAttested.
    #[codec(index = 2)]
    attest { content_hash: [u8; 32], verdict: bool },
    /// Withdraw open request `id` and get its bounty back. Origin: signed by the requester.
    /// Complexity: O(captures of the request's URL) (it checks none of them is a pending claim).
    /// Errors: UnknownRequest, RequestClosed, NotRequester, RequestHasPendingSubmission.
    #[codec(index = 3)]
    cancel_request {
        #[codec(compact)]
        id: u64,
    },
}

/// Events (wire format: append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub enum Event {
    /// An archive request was made; its bounty is reserved until `expires`.
    #[codec(index = 0)]
    ArchiveRequested { id: u64, requester: AccountId20, url: Vec<u8>, bounty: Balance, expires: BlockNumber },
    /// An archiver submitted a capture, pending attestation.
    #[codec(index = 1)]
    ArchiveSubmitted { content_hash: [u8; 32], archiver: AccountId20, url: Vec<u8>, request: Option<u64> },
    /// An attester judged a pending record.
    #[codec(index = 2)]
    Attested { content_hash: [u8; 32], attester: AccountId20, verdict: bool },
    /// A record was verified; `attesters` are those who agreed (each was paid `AttestationReward`).
    #[codec(index = 3)]
    ArchiveVerified { content_hash: [u8; 32], archiver: AccountId20, attesters: Vec<AccountId20> },
    /// A record was rejected; `attesters` are those who found it false (each was paid
    /// `AttestationReward`).
    #[codec(index = 4)]
    ArchiveRejected { content_hash: [u8; 32], archiver: AccountId20, attesters: Vec<AccountId20> },
    /// A verified record fulfilled request `request`; `amount` of its bounty went to `archiver`.
    #[codec(index = 5)]
    BountyPaid { request: u64, archiver: AccountId20, amount: Balance },
    /// The requester withdrew a request; its bounty was returned.
    #[codec(index = 6)]
    RequestCancelled { id: u64, requester: AccountId20, bounty: Balance },
    /// A request expired unfulfilled; its bounty was returned.
    #[codec(index = 7)]
    RequestExpired { id: u64, requester: AccountId20, bounty: Balance },
}

/// Errors (wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_archive", "pallet_archive"))]
pub enum Error {
    /// The URL is not UTF-8, is empty, has whitespace or control characters, has no valid
    /// scheme, no `//`, no host, a bad port, user info or a backslash in its authority.
    #[codec(index = 0)]
    MalformedUrl = 0,
    /// The URL's scheme is not exactly `http` or `https`.
    #[codec(index = 1)]
    UnsupportedScheme = 1,
    /// The URL is longer than 2048 bytes.
    #[codec(index = 2)]
    UrlTooLong = 2,
    /// `depth` above 5.
    #[codec(index = 3)]
    InvalidDepth = 3,
    /// `max_pages` is 0 or above 10_000.
    #[codec(index = 4)]
    InvalidMaxPages = 4,
    /// The bounty is below `MinBounty`, or non-zero and below the existential deposit.
    #[codec(index = 5)]
    BountyTooLow = 5,
    /// The requester's usable balance cannot cover the bounty.
    #[codec(index = 6)]
    InsufficientBalance = 6,
    /// [`crate::MAX_OPEN_REQUESTS`] requests are already open.
    #[codec(index = 7)]
    TooManyOpenRequests = 7,
    /// A capture of size 0.
    #[codec(index = 8)]
    ZeroSize = 8,
    /// The MIME type is longer than 255 bytes.
    #[codec(index = 9)]
    MimeTooLong = 9,
    /// More than 16 tags.
    #[codec(index = 10)]
    TooManyTags = 10,
    /// A tag is empty or longer than 64 bytes.
    #[codec(index = 11)]
    InvalidTag = 11,
    /// A record with this content hash exists already (whatever its status).
    #[codec(index = 12)]
    DuplicateSubmission = 12,
    /// No request was ever made with this id.
    #[codec(index = 13)]
    UnknownRequest = 13,
    /// The request is not open: fulfilled, cancelled, expired, or past its `expires` block.
    #[codec(index = 14)]
    RequestClosed = 14,
    /// The submitted URL differs from the request's.
    #[codec(index = 15)]
    RequestMismatch = 15,
    /// The archiver already has 100 pending records, or 1000 records are pending in all.
    #[codec(index = 16)]
    TooManyPending = 16,
    /// Attesting needs the identity `Archiver` or `Validator` role.
    #[codec(index = 17)]
    NotAttester = 17,
    /// No record has this content hash.
    #[codec(index = 18)]
    UnknownRecord = 18,
    /// An archiver cannot attest its own record.
    #[codec(index = 19)]
    SelfAttestation = 19,
    /// The account has already attested this record.
    #[codec(index = 20)]
    AlreadyAttested = 20,
    /// The record is already verified or rejected.
    #[codec(index = 21)]
    AlreadyDecided = 21,
    /// Only the requester may cancel a request.
    #[codec(index = 22)]
    NotRequester = 22,
    /// A pending record claims the request: it cannot be cancelled until that record is
    /// decided or the request expires.
    #[codec(index = 23)]
    RequestHasPendingSubmission = 23,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

/// The dispatch error of `e` in pallet `T`.
pub(crate) fn err<T: Config>(e: Error) -> DispatchError {
    e.into_dispatch(<T as Config>::INDEX)
}

/// Records an archive event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(<T as Config>::INDEX, &e);
}

/// Dispatches a call. Runs inside the caller's storage transaction: checks first, then writes,
/// then the event; an error may leave partial writes for the transaction to roll back.
///
/// # Errors
/// `BadOrigin` unless signed, else the errors listed on each [`Call`] variant.
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    let who = origin.ensure_signed()?;
    match call {
        Call::request_archive { url, depth, max_pages, bounty } => {
            do_request::<T>(ext, who, url, depth, max_pages, bounty)
        }
        Call::submit_archive { url, content_hash, metadata_hash, size, mime, captured_at, tags, request } => {
            let submission = Submission { url, content_hash, metadata_hash, size, mime, captured_at, tags, request };
            do_submit::<T>(ext, who, submission)
        }
        Call::attest { content_hash, verdict } => crate::attest::do_attest::<T>(ext, who, content_hash, verdict),
        Call::cancel_request { id } => do_cancel::<T>(ext, who, id),
    }
}

/// Whether `req` is open at block `now` (see [`ArchiveRequest`]).
pub(crate) fn is_open(req: &ArchiveRequest, now: BlockNumber) -> bool {
    req.fulfilled_by.is_none() && now < req.expires
}

/// The request `id` if it is open at `now`.
///
/// # Errors
/// `UnknownRequest` for an id never issued; `RequestClosed` if it is not open.
fn open_request<T: Config>(ext: &Ext<'_>, id: u64, now: BlockNumber) -> Result<ArchiveRequest, DispatchError> {
    if id >= NextRequestId::get_or_default(ext) {
        return Err(err::<T>(Error::UnknownRequest));
    }
    match Requests::get(ext, &id) {
        Some(req) if is_open(&req, now) => Ok(req),
        _ => Err(err::<T>(Error::RequestClosed)),
    }
}

/// Takes request `id` out of `OpenRequests` (no-op if absent).
pub(crate) fn remove_open(ext: &mut Ext<'_>, id: u64) {
    let mut open = OpenRequests::get_or_default(ext);
    open.retain(|(i, _)| *i != id);
    OpenRequests::put(ext, &open);
}

fn do_request<T: Config>(
    ext: &mut Ext<'_>,
    who: AccountId20,
    url: Vec<u8>,
    depth: u8,
    max_pages: u32,
    bounty: Balance,
) -> DispatchResult {
    validate_url(&url).map_err(err::<T>)?;
    if depth > MAX_DEPTH {
        return Err(err::<T>(Error::InvalidDepth));
    }
    if !(1..=MAX_PAGES).contains(&max_pages) {
        return Err(err::<T>(Error::InvalidMaxPages));
    }
    let below_ed = bounty > 0 && bounty < <T as balances::Config>::EXISTENTIAL_DEPOSIT;
    if bounty < parameters::get(ext, Parameter::MinBounty) || below_ed {
        return Err(err::<T>(Error::BountyTooLow));
    }
    let mut open = OpenRequests::get_or_default(ext);
    if open.len() >= MAX_OPEN_REQUESTS {
        return Err(err::<T>(Error::TooManyOpenRequests));
    }
    if balances::usable_balance(ext, &who) < bounty {
        return Err(err::<T>(Error::InsufficientBalance));
    }
    let id = NextRequestId::get_or_default(ext);
    let next = id.checked_add(1).ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    let now = archive_pallet_system::pallet::block_number(ext);
    let expires = now.saturating_add(parameters::get_u32(ext, Parameter::RequestExpiry));

    if bounty > 0 {
        balances::reserve::<T>(ext, &who, bounty)?;
    }
    NextRequestId::put(ext, &next);
    let request = ArchiveRequest {
        requester: who,
        url: url.clone(),
        depth,
        max_pages,
        bounty,
        created: now,
        expires,
        fulfilled_by: None,
    };
    Requests::insert(ext, &id, &request);
    // Ids only grow, so pushing keeps `OpenRequests` ascending.
    open.push((id, expires));
    OpenRequests::put(ext, &open);
    deposit_event::<T>(ext, Event::ArchiveRequested { id, requester: who, url, bounty, expires });
    Ok(())
}

/// The fields of `submit_archive`.
struct Submission {
    url: Vec<u8>,
    content_hash: [u8; 32],
    metadata_hash: [u8; 32],
    size: u64,
    mime: Vec<u8>,
    captured_at: u64,
    tags: Vec<Vec<u8>>,
    request: Option<u64>,
}

fn do_submit<T: Config>(ext: &mut Ext<'_>, who: AccountId20, s: Submission) -> DispatchResult {
    identity::ensure_role(ext, &who, Role::Archiver)?;
    validate_url(&s.url).map_err(err::<T>)?;
    if s.size == 0 {
        return Err(err::<T>(Error::ZeroSize));
    }
    if s.mime.len() > MAX_MIME_LEN {
        return Err(err::<T>(Error::MimeTooLong));
    }
    if s.tags.len() > MAX_TAGS {
        return Err(err::<T>(Error::TooManyTags));
    }
    if s.tags.iter().any(|t| t.is_empty() || t.len() > MAX_TAG_LEN) {
        return Err(err::<T>(Error::InvalidTag));
    }
    if Records::contains(ext, &s.content_hash) {
        return Err(err::<T>(Error::DuplicateSubmission));
    }
    let now = archive_pallet_system::pallet::block_number(ext);
    if let Some(id) = s.request {
        let req = open_request::<T>(ext, id, now)?;
        if req.url != s.url {
            return Err(err::<T>(Error::RequestMismatch));
        }
    }
    let mut stats = Stats::get_or_default(ext, &who);
    let mut pending = PendingRecords::get_or_default(ext);
    if stats.pending() >= MAX_PENDING_PER_ARCHIVER || pending.len() >= MAX_PENDING_RECORDS {
        return Err(err::<T>(Error::TooManyPending));
    }

    let record = ArchiveRecord {
        content_hash: s.content_hash,
        url: s.url.clone(),
        metadata_hash: s.metadata_hash,
        archiver: who,
        size: s.size,
        mime: s.mime,
        captured_at: s.captured_at,
        tags: s.tags,
        block: now,
        request: s.request,
        attestations_ok: 0,
        attestations_bad: 0,
        status: RecordStatus::Pending,
    };
    Records::insert(ext, &s.content_hash, &record);
    let url_key = blake2_256(&s.url);
    let mut captures = ByUrl::get_or_default(ext, &url_key);
    if captures.len() >= MAX_CAPTURES_PER_URL {
        // Keep the newest: the oldest capture stays in `Records`, only its URL index entry goes.
        captures.drain(..=captures.len() - MAX_CAPTURES_PER_URL);
    }
    captures.push(s.content_hash);
    ByUrl::insert(ext, &url_key, &captures);
    pending.push(s.content_hash);
    PendingRecords::put(ext, &pending);
    stats.submitted = stats.submitted.saturating_add(1);
    Stats::insert(ext, &who, &stats);
    deposit_event::<T>(
        ext,
        Event::ArchiveSubmitted { content_hash: s.content_hash, archiver: who, url: s.url, request: s.request },
    );
    Ok(())
}

fn do_cancel<T: Config>(ext: &mut Ext<'_>, who: AccountId20, id: u64) -> DispatchResult {
    let now = archive_pallet_system::pallet::block_number(ext);
    let req = open_request::<T>(ext, id, now)?;
    if req.requester != who {
        return Err(err::<T>(Error::NotRequester));
    }
    // Only records of the same URL can claim the request, and they are all indexed under it.
    let claimed = ByUrl::get_or_default(ext, &blake2_256(&req.url)).iter().any(|hash| {
        Records::get(ext, hash).is_some_and(|r| r.status == RecordStatus::Pending && r.request == Some(id))
    });
    if claimed {
        return Err(err::<T>(Error::RequestHasPendingSubmission));
    }

    if req.bounty > 0 {
        balances::unreserve::<T>(ext, &who, req.bounty);
    }
    Requests::remove(ext, &id);
    remove_open(ext, id);
    deposit_event::<T>(ext, Event::RequestCancelled { id, requester: who, bounty: req.bounty });
    Ok(())
}
