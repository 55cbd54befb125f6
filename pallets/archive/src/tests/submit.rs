//! `submit_archive`: success and every error path.

use super::*;
use crate::storage::{ByUrl, PendingRecords, Stats};
use archive_pallet_identity::{self as identity, Role};
use archive_primitives::hashing::blake2_256;

fn record_1(request: Option<u64>) -> ArchiveRecord {
    ArchiveRecord {
        content_hash: hash(1),
        url: URL.to_vec(),
        metadata_hash: [0xaa; 32],
        archiver: bob(),
        size: 4_096,
        mime: b"text/html".to_vec(),
        captured_at: 1_700_000_000_000,
        tags: vec![b"news".to_vec()],
        block: START,
        request,
        attestations_ok: 0,
        attestations_bad: 0,
        status: RecordStatus::Pending,
    }
}

/// [`submit`] with `edit` applied to its fields.
fn submit_with(edit: impl FnOnce(&mut u64, &mut Vec<u8>, &mut Vec<Vec<u8>>)) -> Call {
    match submit(1, None) {
        Call::submit_archive {
            url,
            content_hash,
            metadata_hash,
            mut size,
            mut mime,
            captured_at,
            mut tags,
            request,
        } => {
            edit(&mut size, &mut mime, &mut tags);
            Call::submit_archive { url, content_hash, metadata_hash, size, mime, captured_at, tags, request }
        }
        other => other,
    }
}

#[test]
fn submit_records_a_pending_capture() {
    let backend = with_request();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), submit(1, Some(0))), Ok(()));
    let expected =
        Event::ArchiveSubmitted { content_hash: hash(1), archiver: bob(), url: URL.to_vec(), request: Some(0) };
    assert_eq!(events(&ext), vec![arc(expected)]);
    assert_eq!(crate::record(&ext, &hash(1)), Some(record_1(Some(0))));
    assert_eq!(ByUrl::get(&ext, &blake2_256(URL)), Some(vec![hash(1)]));
    assert_eq!(PendingRecords::get(&ext), Some(vec![hash(1)]));
    assert_eq!(crate::stats(&ext, &bob()), ArchiverStats { submitted: 1, ..Default::default() });
    assert_eq!(crate::captures_of(&ext, URL), vec![record_1(Some(0))]);
    assert_eq!(crate::pending_records(&ext), vec![record_1(Some(0))]);
    // Submitting does not touch the request or any balance.
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), None);
    assert_eq!((free(&ext, &bob()), reserved(&ext, &alice())), (BOB_FREE, 500));
}

#[test]
fn captures_of_a_url_accumulate_oldest_first() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), submit(1, None)), Ok(()));
    run_to(&mut ext, 3);
    assert_eq!(signed(&mut ext, charlie(), submit(2, None)), Ok(()));
    assert_eq!(signed(&mut ext, bob(), submit_url(b"https://example.org/other", 3, None)), Ok(()));
    let captures: Vec<_> =
        crate::captures_of(&ext, URL).into_iter().map(|r| (r.content_hash, r.archiver, r.block)).collect();
    assert_eq!(captures, vec![(hash(1), bob(), START), (hash(2), charlie(), 3)]);
    assert_eq!(PendingRecords::get(&ext), Some(vec![hash(1), hash(2), hash(3)]));
    assert_eq!(crate::stats(&ext, &bob()).submitted, 2);
    assert_eq!(crate::captures_of(&ext, b"https://example.org/nothing"), vec![]);
}

#[test]
fn an_admin_may_submit_as_an_archiver() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, grace(), submit(1, None)), Ok(()));
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.archiver), Some(grace()));
}

#[test]
fn submit_accepts_the_limits_exactly() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let call = submit_with(|size, mime, tags| {
        *size = u64::MAX;
        *mime = vec![b'm'; crate::MAX_MIME_LEN];
        *tags = vec![vec![b't'; crate::MAX_TAG_LEN]; crate::MAX_TAGS];
    });
    assert_eq!(signed(&mut ext, bob(), call), Ok(()));
    let empty = submit_with(|size, mime, tags| {
        *size = 1;
        mime.clear();
        tags.clear();
    });
    let Call::submit_archive { url, metadata_hash, size, mime, captured_at, tags, request, .. } = empty else {
        unreachable!("submit_with returns submit_archive")
    };
    let call =
        Call::submit_archive { url, content_hash: hash(2), metadata_hash, size, mime, captured_at, tags, request };
    assert_eq!(signed(&mut ext, bob(), call), Ok(()));
}

#[test]
fn submit_without_the_archiver_role_fails() {
    let backend = default_backend();
    let missing = identity_error(identity::Error::MissingRole);
    // No role, a Validator only, and no account at all.
    for who in [alice(), dave(), ferdie()] {
        assert_noop(&backend, RawOrigin::Signed(who), submit(1, None), missing);
    }
    // A revoked archiver.
    let revoked = build_on(&backend, |ext| {
        assert_eq!(identity::revoke_role::<Test>(ext, &bob(), Role::Archiver, None), Ok(()));
    });
    assert_noop(&revoked, RawOrigin::Signed(bob()), submit(1, None), missing);
}

#[test]
fn submit_with_an_invalid_url_fails() {
    let backend = default_backend();
    let cases: [(&[u8], Error); 4] = [
        (b"file:///home/user/page.html", Error::UnsupportedScheme),
        (b"data:text/html,<b>hi</b>", Error::UnsupportedScheme),
        (b"https://example.org/a\tb", Error::MalformedUrl),
        (b"https://user:secret@example.org/", Error::MalformedUrl),
    ];
    for (url, e) in cases {
        assert_signed_noop(&backend, bob(), submit_url(url, 1, None), e);
    }
    let too_long = [b"https://example.org/".as_slice(), &[b'a'; crate::MAX_URL_LEN]].concat();
    assert_signed_noop(&backend, bob(), submit_url(&too_long, 1, None), Error::UrlTooLong);
}

#[test]
fn submit_with_invalid_fields_fails() {
    let backend = default_backend();
    let cases = [
        (submit_with(|size, _, _| *size = 0), Error::ZeroSize),
        (submit_with(|_, mime, _| *mime = vec![b'm'; crate::MAX_MIME_LEN + 1]), Error::MimeTooLong),
        (submit_with(|_, _, tags| *tags = vec![b"t".to_vec(); crate::MAX_TAGS + 1]), Error::TooManyTags),
        (submit_with(|_, _, tags| tags.push(Vec::new())), Error::InvalidTag),
        (submit_with(|_, _, tags| tags.push(vec![b't'; crate::MAX_TAG_LEN + 1])), Error::InvalidTag),
    ];
    for (call, e) in cases {
        assert_signed_noop(&backend, bob(), call, e);
    }
}

#[test]
fn a_duplicate_content_hash_fails_whatever_its_status() {
    let backend = with_submission();
    // Another archiver, another URL, same content hash.
    assert_signed_noop(
        &backend,
        charlie(),
        submit_url(b"https://mirror.example/", 1, None),
        Error::DuplicateSubmission,
    );
    assert_signed_noop(&backend, bob(), submit(1, None), Error::DuplicateSubmission);
    let rejected = attested(&backend, 1, &[(charlie(), false), (dave(), false), (eve(), false)]);
    assert_signed_noop(&rejected, charlie(), submit(1, None), Error::DuplicateSubmission);
}

#[test]
fn a_claim_on_an_unknown_request_fails() {
    let backend = with_request();
    assert_signed_noop(&backend, bob(), submit(1, Some(1)), Error::UnknownRequest);
    assert_signed_noop(&backend, bob(), submit(1, Some(u64::MAX)), Error::UnknownRequest);
}

#[test]
fn a_claim_for_another_url_fails() {
    let backend = with_request();
    for url in [b"https://example.org/page/".as_slice(), b"http://example.org/page", b"https://example.org/Page"] {
        assert_signed_noop(&backend, bob(), submit_url(url, 1, Some(0)), Error::RequestMismatch);
    }
}

#[test]
fn a_claim_on_a_closed_request_fails() {
    let backend = with_request();
    let cancelled = build_on(&backend, |ext| assert_eq!(signed(ext, alice(), Call::cancel_request { id: 0 }), Ok(())));
    assert_signed_noop(&cancelled, bob(), submit(1, Some(0)), Error::RequestClosed);
    // At `expires`, before the hook ran.
    let past = build_on(&backend, |ext| {
        archive_pallet_system::storage::Number::put(ext, &(START + REQUEST_EXPIRY));
    });
    assert_signed_noop(&past, bob(), submit(1, Some(0)), Error::RequestClosed);
    // Fulfilled.
    let fulfilled = attested(&with_submission(), 1, &[(charlie(), true), (dave(), true), (eve(), true)]);
    assert_signed_noop(&fulfilled, charlie(), submit(2, Some(0)), Error::RequestClosed);
    // The last open block still accepts a claim; so does a second claim on an open request.
    let last = build_on(&with_submission(), |ext| run_to(ext, START + REQUEST_EXPIRY - 1));
    let mut ext = Ext::new(&last);
    assert_eq!(signed(&mut ext, charlie(), submit(2, Some(0))), Ok(()));
}

#[test]
fn an_archiver_may_have_at_most_its_share_of_pending_records() {
    let url = b"https://example.org/feed";
    let max = crate::MAX_PENDING_PER_ARCHIVER;
    let backend = build_on(&default_backend(), |ext| {
        for n in 0..max {
            assert_eq!(signed(ext, bob(), submit_n(url, n)), Ok(()));
        }
        ext.take_events();
    });
    assert_signed_noop(&backend, bob(), submit_n(url, max), Error::TooManyPending);
    // Others are not affected; a decision frees a slot.
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), submit_n(url, max)), Ok(()));
    for who in [charlie(), dave(), eve()] {
        assert_eq!(signed(&mut ext, who, Call::attest { content_hash: hash_n(0), verdict: false }), Ok(()));
    }
    assert_eq!(Stats::get(&ext, &bob()).map(|s| s.pending()), Some(max - 1));
    assert_eq!(signed(&mut ext, bob(), submit_n(url, max + 1)), Ok(()));
}

#[test]
fn at_most_max_pending_records_in_all() {
    let per = crate::MAX_PENDING_PER_ARCHIVER;
    let archivers = (crate::MAX_PENDING_RECORDS as u32).div_ceil(per);
    let backend = build_on(&default_backend(), |ext| {
        let mut n = 0;
        for a in 0..archivers {
            let who = account(100 + a as u8);
            assert_eq!(identity::grant_role::<Test>(ext, &who, Role::Archiver, None), Ok(()));
            for _ in 0..per {
                assert_eq!(signed(ext, who, submit_n(URL, n)), Ok(()));
                n += 1;
            }
        }
        ext.take_events();
    });
    assert_eq!(PendingRecords::get_or_default(&Ext::new(&backend)).len(), crate::MAX_PENDING_RECORDS);
    assert_signed_noop(&backend, bob(), submit(1, None), Error::TooManyPending);
}

#[test]
fn by_url_keeps_the_newest_captures() {
    let max = crate::MAX_CAPTURES_PER_URL as u32;
    let backend = build_on(&default_backend(), |ext| {
        for n in 0..max {
            let who = if n % 2 == 0 { bob() } else { charlie() };
            assert_eq!(signed(ext, who, submit_n(URL, n)), Ok(()));
        }
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(ByUrl::get_or_default(&ext, &blake2_256(URL)).len(), max as usize);
    assert_eq!(signed(&mut ext, bob(), submit_n(URL, max)), Ok(()));
    let indexed = ByUrl::get_or_default(&ext, &blake2_256(URL));
    assert_eq!(indexed, (1..=max).map(hash_n).collect::<Vec<_>>());
    // The oldest capture left the index, not the chain.
    assert_eq!(crate::record(&ext, &hash_n(0)).map(|r| r.status), Some(RecordStatus::Pending));
    assert_eq!(crate::captures_of(&ext, URL).first().map(|r| r.content_hash), Some(hash_n(1)));
}
