//! Calls, events, errors, stored types and storage layout pinned byte for byte.

use super::*;
use crate::storage::{Attestations, ByUrl, Records, Requests, Stats};
use archive_primitives::{hashing::blake2_256, storage_key::storage_prefix};
use archive_support::ModuleError;
use parity_scale_codec::{Decode, DecodeAll, Encode};

/// `http://a.io`: 11 bytes, compact length `2c`.
const SHORT_URL: &[u8] = b"http://a.io";
const SHORT_URL_HEX: &str = "2c687474703a2f2f612e696f";

fn acc(byte: u8) -> AccountId20 {
    AccountId20([byte; 20])
}
fn acc_hex(byte: u8) -> String {
    format!("{byte:02x}").repeat(20)
}
fn hash_hex(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}
/// u128 little-endian, as events encode balances.
fn le128(v: u128) -> String {
    hex::encode(v.to_le_bytes())
}

/// Asserts `value` encodes to `expected_hex` and decodes back from it with nothing left over.
fn assert_pinned<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: T, expected_hex: &str) {
    assert_eq!(hex::encode(value.encode()), expected_hex, "{value:?}");
    let bytes = hex::decode(expected_hex).expect("valid hex");
    assert_eq!(T::decode_all(&mut &bytes[..]), Ok(value));
}

// ---- calls ----

#[test]
fn request_archive_call_encoding_is_pinned() {
    // index 0 ++ url ++ depth u8 ++ max_pages u32 ++ compact(bounty); compact(500) = d107.
    let call = Call::request_archive { url: SHORT_URL.to_vec(), depth: 2, max_pages: 300, bounty: 500 };
    assert_pinned(call, &format!("00{SHORT_URL_HEX}022c010000d107"));
    // compact(0) = 00; compact(10^18) = 13 ++ 8 bytes.
    let call = Call::request_archive { url: SHORT_URL.to_vec(), depth: 0, max_pages: 1, bounty: 0 };
    assert_pinned(call, &format!("00{SHORT_URL_HEX}000100000000"));
    let call = Call::request_archive { url: SHORT_URL.to_vec(), depth: 5, max_pages: 10_000, bounty: 10u128.pow(18) };
    assert_pinned(call, &format!("00{SHORT_URL_HEX}05{}13000064a7b3b6e00d", "10270000"));
}

#[test]
fn submit_archive_call_encoding_is_pinned() {
    let call = Call::submit_archive {
        url: SHORT_URL.to_vec(),
        content_hash: [0x11; 32],
        metadata_hash: [0x22; 32],
        size: 4_096,
        mime: b"text/html".to_vec(),
        captured_at: 1_700_000_000_000,
        tags: vec![b"news".to_vec(), b"de".to_vec()],
        request: Some(7),
    };
    // size u64 ++ compact(9) "text/html" ++ captured_at u64 (0x018bcfe56800) ++ compact(2) tags
    // (compact(4) "news", compact(2) "de") ++ Some(7u64).
    let expected = format!(
        "01{SHORT_URL_HEX}{}{}0010000000000000 24746578742f68746d6c 0068e5cf8b010000 08 106e657773 086465 01 0700000000000000",
        hash_hex(0x11),
        hash_hex(0x22),
    );
    assert_pinned(call, &expected.replace(' ', ""));
    let bare = Call::submit_archive {
        url: SHORT_URL.to_vec(),
        content_hash: [0x11; 32],
        metadata_hash: [0x22; 32],
        size: 1,
        mime: Vec::new(),
        captured_at: 0,
        tags: Vec::new(),
        request: None,
    };
    let expected =
        format!("01{SHORT_URL_HEX}{}{}0100000000000000 00 0000000000000000 00 00", hash_hex(0x11), hash_hex(0x22));
    assert_pinned(bare, &expected.replace(' ', ""));
}

#[test]
fn attest_and_cancel_call_encodings_are_pinned() {
    assert_pinned(Call::attest { content_hash: [0x33; 32], verdict: true }, &format!("02{}01", hash_hex(0x33)));
    assert_pinned(Call::attest { content_hash: [0x33; 32], verdict: false }, &format!("02{}00", hash_hex(0x33)));
    // compact(70) = 1901; compact(0) = 00; compact(2^32) = 0700 00 00 00 01.
    assert_pinned(Call::cancel_request { id: 70 }, "031901");
    assert_pinned(Call::cancel_request { id: 0 }, "0300");
    assert_pinned(Call::cancel_request { id: 1 << 32 }, "03070000000001");
}

#[test]
fn unknown_call_indices_do_not_decode() {
    for bytes in [vec![4u8], vec![0xff]] {
        assert!(Call::decode(&mut &bytes[..]).is_err(), "{bytes:?}");
    }
}

// ---- events ----

#[test]
fn event_encodings_are_pinned() {
    let cases = [
        (
            Event::ArchiveRequested { id: 1, requester: acc(0x11), url: SHORT_URL.to_vec(), bounty: 500, expires: 21 },
            format!("000100000000000000{}{SHORT_URL_HEX}{}15000000", acc_hex(0x11), le128(500)),
        ),
        (
            Event::ArchiveSubmitted {
                content_hash: [0x44; 32],
                archiver: acc(0x22),
                url: SHORT_URL.to_vec(),
                request: Some(2),
            },
            format!("01{}{}{SHORT_URL_HEX}010200000000000000", hash_hex(0x44), acc_hex(0x22)),
        ),
        (
            Event::ArchiveSubmitted {
                content_hash: [0x44; 32],
                archiver: acc(0x22),
                url: SHORT_URL.to_vec(),
                request: None,
            },
            format!("01{}{}{SHORT_URL_HEX}00", hash_hex(0x44), acc_hex(0x22)),
        ),
        (
            Event::Attested { content_hash: [0x44; 32], attester: acc(0x33), verdict: false },
            format!("02{}{}00", hash_hex(0x44), acc_hex(0x33)),
        ),
        (
            Event::ArchiveVerified {
                content_hash: [0x44; 32],
                archiver: acc(0x22),
                attesters: vec![acc(0x33), acc(0x55)],
            },
            format!("03{}{}08{}{}", hash_hex(0x44), acc_hex(0x22), acc_hex(0x33), acc_hex(0x55)),
        ),
        (
            Event::ArchiveRejected { content_hash: [0x44; 32], archiver: acc(0x22), attesters: vec![acc(0x66)] },
            format!("04{}{}04{}", hash_hex(0x44), acc_hex(0x22), acc_hex(0x66)),
        ),
        (
            Event::BountyPaid { request: 3, archiver: acc(0x22), amount: 500 },
            format!("050300000000000000{}{}", acc_hex(0x22), le128(500)),
        ),
        (
            Event::RequestCancelled { id: 4, requester: acc(0x11), bounty: 0 },
            format!("060400000000000000{}{}", acc_hex(0x11), le128(0)),
        ),
        (
            Event::RequestExpired { id: 5, requester: acc(0x11), bounty: 1 },
            format!("070500000000000000{}{}", acc_hex(0x11), le128(1)),
        ),
    ];
    for (event, expected) in cases {
        assert_pinned(event, &expected);
    }
}

#[test]
fn recorded_events_carry_the_pallet_index() {
    let backend = with_request();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 0 }), Ok(()));
    let raw = &ext.events().last().expect("RequestCancelled recorded").event;
    // Pallet 50 = 0x32.
    assert_eq!(hex::encode(raw), format!("32060000000000000000{}{}", acc_hex(0x01), le128(500)));
}

// ---- errors ----

#[test]
fn error_indices_are_pinned() {
    let all = [
        Error::MalformedUrl,
        Error::UnsupportedScheme,
        Error::UrlTooLong,
        Error::InvalidDepth,
        Error::InvalidMaxPages,
        Error::BountyTooLow,
        Error::InsufficientBalance,
        Error::TooManyOpenRequests,
        Error::ZeroSize,
        Error::MimeTooLong,
        Error::TooManyTags,
        Error::InvalidTag,
        Error::DuplicateSubmission,
        Error::UnknownRequest,
        Error::RequestClosed,
        Error::RequestMismatch,
        Error::TooManyPending,
        Error::NotAttester,
        Error::UnknownRecord,
        Error::SelfAttestation,
        Error::AlreadyAttested,
        Error::AlreadyDecided,
        Error::NotRequester,
        Error::RequestHasPendingSubmission,
    ];
    for (index, e) in all.into_iter().enumerate() {
        let index = index as u8;
        assert_eq!(e.encode(), vec![index], "{e:?}");
        assert_eq!(archive_error(e), DispatchError::Module(ModuleError { index: ARCHIVE, error: [index, 0, 0, 0] }));
    }
    // DispatchError::Module (3) ++ pallet 50 (0x32) ++ [12, 0, 0, 0].
    assert_eq!(hex::encode(archive_error(Error::DuplicateSubmission).encode()), "03320c000000");
}

// ---- stored types ----

#[test]
fn stored_request_encoding_is_pinned() {
    let req = ArchiveRequest {
        requester: acc(0x11),
        url: SHORT_URL.to_vec(),
        depth: 1,
        max_pages: 10,
        bounty: 500,
        created: 1,
        expires: 21,
        fulfilled_by: Some([0x44; 32]),
    };
    let expected = format!("{}{SHORT_URL_HEX}010a000000d1070100000015000000 01{}", acc_hex(0x11), hash_hex(0x44));
    assert_pinned(req, &expected.replace(' ', ""));
}

#[test]
fn stored_record_encoding_is_pinned() {
    let record = ArchiveRecord {
        content_hash: [0x44; 32],
        url: SHORT_URL.to_vec(),
        metadata_hash: [0x55; 32],
        archiver: acc(0x22),
        size: 2,
        mime: b"a/b".to_vec(),
        captured_at: 3,
        tags: vec![b"x".to_vec()],
        block: 4,
        request: None,
        attestations_ok: 5,
        attestations_bad: 6,
        status: RecordStatus::Verified,
    };
    let expected = format!(
        "{}{SHORT_URL_HEX}{}{} 0200000000000000 0c612f62 0300000000000000 04 0478 04000000 00 05000000 06000000 01",
        hash_hex(0x44),
        hash_hex(0x55),
        acc_hex(0x22),
    );
    assert_pinned(record, &expected.replace(' ', ""));
    for (status, expected) in
        [(RecordStatus::Pending, "00"), (RecordStatus::Verified, "01"), (RecordStatus::Rejected, "02")]
    {
        assert_pinned(status, expected);
    }
}

#[test]
fn stored_stats_encoding_is_pinned() {
    let stats = ArchiverStats { submitted: 1, verified: 2, rejected: 3, attestations: 4, agreeing: 5 };
    assert_pinned(stats, "0100000002000000030000000400000005000000");
}

// ---- storage ----

#[test]
fn storage_items_and_keys() {
    let names: Vec<&str> = crate::entries().iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "NextRequestId",
            "Requests",
            "OpenRequests",
            "Records",
            "ByUrl",
            "Attestations",
            "Attesters",
            "PendingRecords",
            "Stats"
        ]
    );
    assert_eq!(Requests::prefix(), storage_prefix("Archive", "Requests"));
    // Twox64Concat: 8 hash bytes, then the id itself.
    assert_eq!(&Requests::key(&7)[40..], &7u64.to_le_bytes());
    // Identity: the URL hash itself.
    assert_eq!(&ByUrl::key(&blake2_256(URL))[32..], &blake2_256(URL));
    // Blake2_128Concat over the submitter-chosen content hash and over accounts.
    let key = Records::key(&[0x44; 32]);
    assert_eq!(&key[..32], &storage_prefix("Archive", "Records"));
    assert_eq!(&key[32..48], &archive_primitives::hashing::blake2_128(&[0x44; 32]));
    assert_eq!(&key[48..], &[0x44; 32]);
    assert_eq!(&Stats::key(&acc(0x22))[48..], &acc(0x22).0);
    assert_eq!(&Attestations::key(&([0x44; 32], acc(0x22)))[48..], &[[0x44; 32].as_slice(), &acc(0x22).0].concat()[..]);
}

#[test]
fn weights_are_nonzero_and_the_hook_bound_holds() {
    for call in [request(URL, 500), submit(1, None), attest(1, true), Call::cancel_request { id: 0 }] {
        let w = crate::call_weight(&call);
        assert!(w.ref_time > 0 && w.proof_size > 0, "{call:?}");
    }
    let max = crate::weights::on_initialize_max();
    assert!(!crate::weights::on_initialize(crate::MAX_EXPIRIES_PER_BLOCK as u64).any_gt(max));
    assert!(crate::weights::on_initialize(1).any_gt(crate::weights::on_initialize(0)));
    assert_eq!(crate::MAX_ATTESTATION_THRESHOLD, 100);
}
