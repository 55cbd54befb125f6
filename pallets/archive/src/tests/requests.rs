//! `request_archive`, `cancel_request` and the expiry hook: success and every error path.

use super::*;
use crate::storage::{NextRequestId, OpenRequests, Requests};
use archive_pallet_parameters::Parameter;

const EXPIRES: u32 = START + REQUEST_EXPIRY;

fn request_0() -> ArchiveRequest {
    ArchiveRequest {
        requester: alice(),
        url: URL.to_vec(),
        depth: 1,
        max_pages: 10,
        bounty: 500,
        created: START,
        expires: EXPIRES,
        fulfilled_by: None,
    }
}

/// `default_backend` with `MinBounty` = 0.
fn free_requests() -> MemoryBackend {
    build_on(&default_backend(), |ext| set_param(ext, Parameter::MinBounty, 0))
}

// ---- request_archive ----

#[test]
fn request_reserves_the_bounty_and_opens_the_request() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), request(URL, 500)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Reserved { who: alice(), amount: 500 }),
            arc(Event::ArchiveRequested {
                id: 0,
                requester: alice(),
                url: URL.to_vec(),
                bounty: 500,
                expires: EXPIRES
            }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE - 500, 500));
    assert_eq!(crate::request(&ext, 0), Some(request_0()));
    assert_eq!(NextRequestId::get(&ext), Some(1));
    assert_eq!(OpenRequests::get(&ext), Some(vec![(0, EXPIRES)]));
    assert_eq!(crate::open_requests(&ext), vec![(0, request_0())]);
    // The next request gets the next id and joins `OpenRequests` in order; anyone may request.
    run_to(&mut ext, 5);
    let other = b"http://example.com/";
    let call = Call::request_archive { url: other.to_vec(), depth: 5, max_pages: 10_000, bounty: MIN_BOUNTY };
    assert_eq!(signed(&mut ext, dave(), call), Ok(()));
    assert_eq!(OpenRequests::get(&ext), Some(vec![(0, EXPIRES), (1, 5 + REQUEST_EXPIRY)]));
    let ids: Vec<u64> = crate::open_requests(&ext).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, vec![0, 1]);
    assert_eq!(
        crate::request(&ext, 1).map(|r| (r.requester, r.depth, r.max_pages, r.created)),
        Some((dave(), 5, 10_000, 5))
    );
    assert_eq!(balances::total_issuance(&ext), ISSUANCE, "a bounty is reserved, not spent");
}

#[test]
fn request_without_a_bounty_reserves_nothing() {
    let backend = free_requests();
    let mut ext = Ext::new(&backend);
    // Ferdie has no account at all.
    assert_eq!(signed(&mut ext, ferdie(), request(URL, 0)), Ok(()));
    let expected =
        Event::ArchiveRequested { id: 0, requester: ferdie(), url: URL.to_vec(), bounty: 0, expires: EXPIRES };
    assert_eq!(events(&ext), vec![arc(expected)]);
    assert_eq!(reserved(&ext, &ferdie()), 0);
    // The existential deposit is the least non-zero bounty.
    assert_eq!(signed(&mut ext, alice(), request(URL, ED)), Ok(()));
    assert_eq!(reserved(&ext, &alice()), ED);
}

#[test]
fn request_with_an_invalid_url_fails() {
    let backend = default_backend();
    let too_long = [b"https://example.org/".as_slice(), &[b'a'; crate::MAX_URL_LEN]].concat();
    let cases: [(&[u8], Error); 6] = [
        (b"file:///etc/passwd", Error::UnsupportedScheme),
        (b"javascript:alert(1)", Error::UnsupportedScheme),
        (b"ftp://example.org/", Error::UnsupportedScheme),
        (b"https://exa mple.org/", Error::MalformedUrl),
        (b"example.org", Error::MalformedUrl),
        (&too_long, Error::UrlTooLong),
    ];
    for (url, e) in cases {
        assert_signed_noop(&backend, alice(), request(url, 500), e);
    }
}

#[test]
fn request_with_invalid_depth_or_page_count_fails() {
    let backend = default_backend();
    for depth in [crate::MAX_DEPTH + 1, u8::MAX] {
        let call = Call::request_archive { url: URL.to_vec(), depth, max_pages: 1, bounty: 500 };
        assert_signed_noop(&backend, alice(), call, Error::InvalidDepth);
    }
    for max_pages in [0, crate::MAX_PAGES + 1, u32::MAX] {
        let call = Call::request_archive { url: URL.to_vec(), depth: 0, max_pages, bounty: 500 };
        assert_signed_noop(&backend, alice(), call, Error::InvalidMaxPages);
    }
    // The limits themselves are accepted.
    let mut ext = Ext::new(&backend);
    let call = Call::request_archive { url: URL.to_vec(), depth: 0, max_pages: 1, bounty: 500 };
    assert_eq!(signed(&mut ext, alice(), call), Ok(()));
}

#[test]
fn request_with_too_low_a_bounty_fails() {
    assert_signed_noop(&default_backend(), alice(), request(URL, MIN_BOUNTY - 1), Error::BountyTooLow);
    assert_signed_noop(&default_backend(), alice(), request(URL, 0), Error::BountyTooLow);
    // Without a minimum, a non-zero bounty must still reach the existential deposit.
    assert_signed_noop(&free_requests(), alice(), request(URL, ED - 1), Error::BountyTooLow);
    assert_signed_noop(&free_requests(), alice(), request(URL, 1), Error::BountyTooLow);
}

#[test]
fn request_without_funds_for_the_bounty_fails() {
    let backend = default_backend();
    assert_signed_noop(&backend, ferdie(), request(URL, MIN_BOUNTY), Error::InsufficientBalance);
    assert_signed_noop(&backend, alice(), request(URL, ALICE_FREE + 1), Error::InsufficientBalance);
    // Locked (e.g. bonded) funds cannot be reserved.
    let locked = build_on(&backend, |ext| {
        assert_eq!(balances::set_lock::<Test>(ext, *b"staking ", &alice(), ALICE_FREE - 499), Ok(()));
    });
    assert_signed_noop(&locked, alice(), request(URL, 500), Error::InsufficientBalance);
    let mut ext = Ext::new(&locked);
    assert_eq!(signed(&mut ext, alice(), request(URL, 499)), Ok(()));
}

#[test]
fn at_most_max_open_requests() {
    let backend = build_on(&free_requests(), |ext| {
        for _ in 0..crate::MAX_OPEN_REQUESTS {
            assert_eq!(signed(ext, alice(), request(URL, 0)), Ok(()));
        }
        ext.take_events();
    });
    assert_signed_noop(&backend, bob(), request(URL, 0), Error::TooManyOpenRequests);
    // A cancellation makes room.
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 7 }), Ok(()));
    assert_eq!(signed(&mut ext, bob(), request(URL, 0)), Ok(()));
    let open = OpenRequests::get_or_default(&ext);
    assert_eq!(open.len(), crate::MAX_OPEN_REQUESTS);
    assert!(open.windows(2).all(|w| w[0].0 < w[1].0), "ascending by id");
    assert_eq!(open.last(), Some(&(crate::MAX_OPEN_REQUESTS as u64, EXPIRES)));
}

#[test]
fn every_call_requires_a_signed_origin() {
    let backend = with_submission();
    let calls = [request(URL, 500), submit(2, None), attest(1, true), Call::cancel_request { id: 0 }];
    for call in calls {
        for origin in [RawOrigin::Root, RawOrigin::None] {
            assert_noop(&backend, origin, call.clone(), DispatchError::BadOrigin);
        }
    }
}

// ---- cancel_request ----

#[test]
fn cancel_returns_the_bounty_and_deletes_the_request() {
    let backend = with_request();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 0 }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: alice(), amount: 500 }),
            arc(Event::RequestCancelled { id: 0, requester: alice(), bounty: 500 }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
    assert_eq!(crate::request(&ext, 0), None);
    assert!(!Requests::contains(&ext, &0));
    assert_eq!(OpenRequests::get(&ext), Some(vec![]));
    assert_eq!(NextRequestId::get(&ext), Some(1), "ids are never reused");
    // Nothing is left for the hook.
    ext.take_events();
    run_to(&mut ext, EXPIRES + 1);
    assert_eq!(events(&ext), vec![]);
}

#[test]
fn cancel_by_anyone_but_the_requester_fails() {
    for who in [bob(), dave(), grace(), ferdie()] {
        assert_signed_noop(&with_request(), who, Call::cancel_request { id: 0 }, Error::NotRequester);
    }
}

#[test]
fn cancel_of_an_unknown_or_closed_request_fails() {
    let backend = with_request();
    assert_signed_noop(&backend, alice(), Call::cancel_request { id: 1 }, Error::UnknownRequest);
    assert_signed_noop(&backend, alice(), Call::cancel_request { id: u64::MAX }, Error::UnknownRequest);
    let cancelled = build_on(&backend, |ext| assert_eq!(signed(ext, alice(), Call::cancel_request { id: 0 }), Ok(())));
    assert_signed_noop(&cancelled, alice(), Call::cancel_request { id: 0 }, Error::RequestClosed);
    // Past `expires` it is closed even before the hook has returned the bounty.
    let past = build_on(&backend, |ext| archive_pallet_system::storage::Number::put(ext, &EXPIRES));
    assert!(Requests::contains(&Ext::new(&past), &0));
    assert_signed_noop(&past, alice(), Call::cancel_request { id: 0 }, Error::RequestClosed);
    // The last open block still accepts it.
    let last = build_on(&backend, |ext| run_to(ext, EXPIRES - 1));
    let mut ext = Ext::new(&last);
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 0 }), Ok(()));
}

#[test]
fn cancel_while_a_pending_record_claims_the_request_fails() {
    let backend = with_submission();
    assert_signed_noop(&backend, alice(), Call::cancel_request { id: 0 }, Error::RequestHasPendingSubmission);
    // Once the claim is rejected the requester may withdraw.
    let rejected = attested(&backend, 1, &[(charlie(), false), (dave(), false), (eve(), false)]);
    let mut ext = Ext::new(&rejected);
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Rejected));
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 0 }), Ok(()));
    assert_eq!(reserved(&ext, &alice()), 0);
}

#[test]
fn a_pending_capture_that_claims_nothing_does_not_block_cancel() {
    let backend = build_on(&with_request(), |ext| {
        assert_eq!(signed(ext, bob(), submit(1, None)), Ok(()));
        // A claim on another request of the same URL.
        assert_eq!(signed(ext, alice(), request(URL, 500)), Ok(()));
        assert_eq!(signed(ext, charlie(), submit(2, Some(1))), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::cancel_request { id: 0 }), Ok(()));
    assert_signed_noop(&backend, alice(), Call::cancel_request { id: 1 }, Error::RequestHasPendingSubmission);
}

// ---- expiry ----

#[test]
fn an_unfulfilled_request_expires_and_its_bounty_returns() {
    let backend = with_request();
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, EXPIRES - 1);
    assert_eq!(events(&ext), vec![]);
    assert_eq!(reserved(&ext, &alice()), 500);
    run_to(&mut ext, EXPIRES);
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: alice(), amount: 500 }),
            arc(Event::RequestExpired { id: 0, requester: alice(), bounty: 500 }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
    assert_eq!(crate::request(&ext, 0), None);
    assert_eq!(crate::open_requests(&ext), vec![]);
    assert_eq!(OpenRequests::get(&ext), Some(vec![]));
    assert_eq!(balances::total_issuance(&ext), ISSUANCE);
    // Closed for good.
    let expired = apply(&backend, ext.into_changes());
    assert_signed_noop(&expired, alice(), Call::cancel_request { id: 0 }, Error::RequestClosed);
    assert_signed_noop(&expired, bob(), submit(1, Some(0)), Error::RequestClosed);
}

#[test]
fn the_hook_expires_at_most_its_limit_per_block_in_id_order() {
    let n = crate::MAX_EXPIRIES_PER_BLOCK + 10;
    let backend = build_on(&free_requests(), |ext| {
        for _ in 0..n {
            assert_eq!(signed(ext, alice(), request(URL, ED)), Ok(()));
        }
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, EXPIRES - 1);
    archive_pallet_system::storage::Number::put(&mut ext, &EXPIRES);
    let weight = crate::on_initialize::<Test>(&mut ext, EXPIRES);
    assert_eq!(weight, crate::weights::on_initialize(crate::MAX_EXPIRIES_PER_BLOCK as u64));
    assert!(!weight.any_gt(crate::weights::on_initialize_max()));
    let expired: Vec<u64> = archive_events(&ext)
        .into_iter()
        .map(|e| match e {
            Event::RequestExpired { id, .. } => id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(expired, (0..crate::MAX_EXPIRIES_PER_BLOCK as u64).collect::<Vec<_>>());
    assert_eq!(OpenRequests::get_or_default(&ext).len(), 10);
    // The rest are already closed, and go in the next block.
    let last = (n - 1) as u64;
    let snapshot = build_on(&backend, |e| {
        archive_pallet_system::storage::Number::put(e, &EXPIRES);
        crate::on_initialize::<Test>(e, EXPIRES);
    });
    assert_signed_noop(&snapshot, alice(), Call::cancel_request { id: last }, Error::RequestClosed);
    ext.take_events();
    run_to(&mut ext, EXPIRES + 1);
    assert_eq!(archive_events(&ext).len(), 10);
    assert_eq!(OpenRequests::get(&ext), Some(vec![]));
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
}

#[test]
fn an_idle_hook_writes_nothing() {
    let backend = with_request();
    let mut ext = Ext::new(&backend);
    let weight = crate::on_initialize::<Test>(&mut ext, EXPIRES - 1);
    assert_eq!(weight, crate::weights::on_initialize(0));
    assert_eq!(events(&ext), vec![]);
    assert_eq!(ext.into_changes(), vec![]);
}

#[test]
fn requests_expire_by_their_own_expiry_even_after_the_parameter_changes() {
    let backend = build_on(&with_request(), |ext| {
        set_param(ext, Parameter::RequestExpiry, 10);
        assert_eq!(signed(ext, alice(), request(URL, 500)), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(OpenRequests::get(&ext), Some(vec![(0, EXPIRES), (1, START + 10)]));
    run_to(&mut ext, START + 10);
    assert_eq!(archive_events(&ext), vec![Event::RequestExpired { id: 1, requester: alice(), bounty: 500 }]);
    assert_eq!(OpenRequests::get(&ext), Some(vec![(0, EXPIRES)]));
}
