//! Tests of the archive pallet: requests, cancellation and expiry (`requests`), submissions
//! (`submit`), attestations and decisions (`attest`), whole life cycles with payouts, issuance
//! and statistics (`lifecycle`), and the wire encodings of calls, events, errors and stored
//! types (`encoding`).

use archive_pallet_balances as balances;
use archive_primitives::{AccountId20, Perbill};
use archive_support::{DispatchError, Ext, MemoryBackend, RawOrigin};

use crate::{mock::*, ArchiveRecord, ArchiveRequest, ArchiverStats, Call, Error, Event, RecordStatus};

/// Attestations and decisions.
mod attest;
/// Calls, events, errors, stored types and storage layout pinned byte for byte.
mod encoding;
/// Whole life cycles: bounty payouts, rewards, issuance, statistics and quality.
mod lifecycle;
/// `request_archive`, `cancel_request` and the expiry hook.
mod requests;
/// `submit_archive`.
mod submit;

fn arc(e: Event) -> TestEvent {
    TestEvent::Archive(e)
}
fn bal(e: balances::Event) -> TestEvent {
    TestEvent::Balances(e)
}

/// A content hash for index `n` (distinct for every `n`).
fn hash_n(n: u32) -> [u8; 32] {
    let mut h = [0xcc; 32];
    h[..4].copy_from_slice(&n.to_le_bytes());
    h
}

/// `submit_archive` of `url` with content [`hash_n`]`(n)` and no request.
fn submit_n(url: &[u8], n: u32) -> Call {
    match submit_url(url, 0, None) {
        Call::submit_archive { url, metadata_hash, size, mime, captured_at, tags, request, .. } => {
            Call::submit_archive { url, content_hash: hash_n(n), metadata_hash, size, mime, captured_at, tags, request }
        }
        other => other,
    }
}

/// Sets a parameter (as an enacted governance proposal would).
fn set_param(ext: &mut Ext<'_>, p: archive_pallet_parameters::Parameter, v: u128) {
    archive_pallet_parameters::set(ext, p, v).expect("value inside the parameter's range");
}

/// `base` with the attestations `(attester, verdict)` on `hash(byte)` made in order (events dropped).
fn attested(base: &MemoryBackend, byte: u8, attesters: &[(AccountId20, bool)]) -> MemoryBackend {
    build_on(base, |ext| {
        for &(who, verdict) in attesters {
            assert_eq!(signed(ext, who, attest(byte, verdict)), Ok(()), "{who:?}");
        }
        ext.take_events();
    })
}
