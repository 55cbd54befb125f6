//! Weights of the archive calls and block hook.
//!
//! **Not benchmarked yet**: every figure is an estimate counted from the storage accesses of the
//! worst case, priced by analogy with balances' measured transfer (`TRANSFER_WEIGHT`: two
//! reads, two writes and an event ≈ 30 µs), i.e. [`READ`] = 5 µs and [`WRITE`] = 10 µs, as the
//! governance pallet does. Proof sizes add the largest encoded value of each item read.
//! Replace with `benchmarking.rs` measurements when they exist.

use archive_support::Weight;

use crate::{
    pallet::Call, MAX_ATTESTATION_THRESHOLD, MAX_CAPTURES_PER_URL, MAX_EXPIRIES_PER_BLOCK, MAX_OPEN_REQUESTS,
    MAX_PENDING_RECORDS,
};

/// One storage read, in picoseconds (estimate, see the module docs).
pub const READ: u64 = 5_000_000;
/// One storage write, in picoseconds (estimate, see the module docs).
pub const WRITE: u64 = 10_000_000;
/// Proof bytes of one `System.Account` record (the figure balances uses).
pub const ACCOUNT_PROOF: u64 = 3_593;
/// Proof bytes of one `Archive.Requests` entry: a 56-byte key plus a request with a URL of at
/// most 2048 bytes and ~90 bytes of other fields.
pub const REQUEST_PROOF: u64 = 2_200;
/// Proof bytes of one `Archive.Records` entry: a 80-byte key plus a URL (2048), MIME type (255),
/// 16 tags of 64 bytes and ~180 bytes of fixed fields.
pub const RECORD_PROOF: u64 = 3_600;
/// Proof bytes of `Archive.OpenRequests`: up to [`MAX_OPEN_REQUESTS`] entries of 12 bytes.
pub const OPEN_REQUESTS_PROOF: u64 = 12 * MAX_OPEN_REQUESTS as u64 + 40;
/// Proof bytes of `Archive.PendingRecords`: up to [`MAX_PENDING_RECORDS`] hashes.
pub const PENDING_PROOF: u64 = 32 * MAX_PENDING_RECORDS as u64 + 40;
/// Proof bytes of one `Archive.ByUrl` entry: up to [`MAX_CAPTURES_PER_URL`] hashes.
pub const BY_URL_PROOF: u64 = 32 * MAX_CAPTURES_PER_URL as u64 + 70;
/// Proof bytes of one `Archive.Attesters` entry: up to about `2 × MAX_ATTESTATION_THRESHOLD`
/// entries of 21 bytes (see [`MAX_REWARDS_PER_DECISION`]; a lowered k may add a few).
pub const ATTESTERS_PROOF: u64 = 21 * (4 * MAX_ATTESTATION_THRESHOLD as u64) + 90;
/// Proof bytes of a parameter, a role, a block number, an attestation or a stats entry.
pub const SMALL_PROOF: u64 = 100;

/// `request_archive`: reads two parameters, `OpenRequests`, the account, `NextRequestId`, the
/// block number; writes the account, `NextRequestId`, the request and `OpenRequests`.
pub const REQUEST_ARCHIVE: Weight =
    Weight::from_parts(6 * READ + 4 * WRITE, ACCOUNT_PROOF + OPEN_REQUESTS_PROOF + 4 * SMALL_PROOF);
/// `submit_archive`: reads the roles, the record (absent), the block number, `NextRequestId`,
/// the request, the stats, `PendingRecords`, `ByUrl`; writes the record, `ByUrl`,
/// `PendingRecords` and the stats.
pub const SUBMIT_ARCHIVE: Weight = Weight::from_parts(
    8 * READ + 4 * WRITE,
    RECORD_PROOF + REQUEST_PROOF + PENDING_PROOF + BY_URL_PROOF + 4 * SMALL_PROOF,
);
/// `attest`, fixed part (worst case: the deciding, verifying attestation): reads two roles, the
/// record, the attestation, `Attesters`, two parameters, `PendingRecords`, the stats, the block
/// number, the request, `OpenRequests`; writes the record, the attestation, `Attesters`,
/// `PendingRecords`, the stats, the request and `OpenRequests`; plus the bounty transfer (two
/// accounts read and written).
pub const ATTEST_BASE: Weight = Weight::from_parts(
    14 * READ + 9 * WRITE,
    RECORD_PROOF
        + REQUEST_PROOF
        + ATTESTERS_PROOF
        + PENDING_PROOF
        + OPEN_REQUESTS_PROOF
        + 2 * ACCOUNT_PROOF
        + 6 * SMALL_PROOF,
);
/// `attest`, per agreeing attester paid on a decision: the account and total issuance read and
/// written.
pub const ATTEST_PER_REWARD: Weight = Weight::from_parts(2 * READ + 2 * WRITE, ACCOUNT_PROOF + SMALL_PROOF);
/// Most attesters one decision pays: the deciding side has k attestations, or fewer than
/// `2 × k` if governance lowered k under a pending record; k ≤ [`MAX_ATTESTATION_THRESHOLD`].
pub const MAX_REWARDS_PER_DECISION: u64 = 2 * MAX_ATTESTATION_THRESHOLD as u64;
/// `attest`, worst case: [`MAX_REWARDS_PER_DECISION`] attesters paid.
pub const ATTEST: Weight = ATTEST_BASE.saturating_add(times(ATTEST_PER_REWARD, MAX_REWARDS_PER_DECISION));
/// `cancel_request`: reads `NextRequestId`, the request, the block number, `ByUrl`, one record
/// per capture of the URL (at most [`MAX_CAPTURES_PER_URL`]), the account and `OpenRequests`;
/// writes the account, the request and `OpenRequests`.
pub const CANCEL_REQUEST: Weight = Weight::from_parts(
    (6 + MAX_CAPTURES_PER_URL as u64) * READ + 3 * WRITE,
    REQUEST_PROOF + BY_URL_PROOF + MAX_CAPTURES_PER_URL as u64 * RECORD_PROOF + ACCOUNT_PROOF + OPEN_REQUESTS_PROOF,
);

/// Hook base: reads `OpenRequests`.
pub const HOOK_BASE: Weight = Weight::from_parts(READ, OPEN_REQUESTS_PROOF);
/// Hook, when something expired: writes `OpenRequests`.
pub const HOOK_WRITE: Weight = Weight::from_parts(WRITE, 0);
/// Hook, per expired request: reads and removes the request, reads and writes the account.
pub const HOOK_PER_EXPIRY: Weight = Weight::from_parts(2 * READ + 2 * WRITE, REQUEST_PROOF + ACCOUNT_PROOF);

/// The weight of `call` (its worst case: weights are charged before dispatch).
pub fn call_weight(call: &Call) -> Weight {
    match call {
        Call::request_archive { .. } => REQUEST_ARCHIVE,
        Call::submit_archive { .. } => SUBMIT_ARCHIVE,
        Call::attest { .. } => ATTEST,
        Call::cancel_request { .. } => CANCEL_REQUEST,
    }
}

/// Scales `w` by `n` (saturating).
const fn times(w: Weight, n: u64) -> Weight {
    Weight::from_parts(w.ref_time.saturating_mul(n), w.proof_size.saturating_mul(n))
}

/// The weight of `on_initialize` that expired `expired` requests.
pub fn on_initialize(expired: u64) -> Weight {
    if expired == 0 {
        return HOOK_BASE;
    }
    HOOK_BASE.saturating_add(HOOK_WRITE).saturating_add(times(HOOK_PER_EXPIRY, expired))
}

/// The most `on_initialize` can weigh: [`MAX_EXPIRIES_PER_BLOCK`] expiries.
pub const fn on_initialize_max() -> Weight {
    HOOK_BASE.saturating_add(HOOK_WRITE).saturating_add(times(HOOK_PER_EXPIRY, MAX_EXPIRIES_PER_BLOCK as u64))
}
