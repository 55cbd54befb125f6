//! `attest`: success, every error path and the decision rule.

use super::*;
use crate::{outcome, storage::Attestations};
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::Parameter;

#[test]
fn an_attestation_is_counted_and_recorded() {
    let backend = with_submission();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, dave(), attest(1, true)), Ok(()));
    assert_eq!(events(&ext), vec![arc(Event::Attested { content_hash: hash(1), attester: dave(), verdict: true })]);
    assert_eq!(signed(&mut ext, charlie(), attest(1, false)), Ok(()));
    let record = crate::record(&ext, &hash(1));
    assert_eq!(record.map(|r| (r.attestations_ok, r.attestations_bad, r.status)), Some((1, 1, RecordStatus::Pending)));
    assert_eq!(crate::attestation_of(&ext, &hash(1), &dave()), Some(true));
    assert_eq!(crate::attestation_of(&ext, &hash(1), &charlie()), Some(false));
    assert_eq!(crate::attestation_of(&ext, &hash(1), &eve()), None);
    assert_eq!(crate::attesters_of(&ext, &hash(1)), vec![(dave(), true), (charlie(), false)]);
    // Pending: no payout, no statistics, still listed.
    assert_eq!(crate::stats(&ext, &bob()), ArchiverStats { submitted: 1, ..Default::default() });
    assert_eq!(crate::pending_records(&ext).len(), 1);
    assert_eq!(balances::total_issuance(&ext), ISSUANCE);
}

#[test]
fn archivers_validators_and_admins_may_attest() {
    let backend = with_submission();
    for who in [charlie(), dave(), grace()] {
        let mut ext = Ext::new(&backend);
        assert_eq!(signed(&mut ext, who, attest(1, true)), Ok(()), "{who:?}");
    }
}

#[test]
fn attest_without_an_attester_role_fails() {
    let backend = with_submission();
    for who in [alice(), ferdie()] {
        assert_signed_noop(&backend, who, attest(1, true), Error::NotAttester);
    }
    // A User (identity registered) is not enough.
    let user = build_on(&backend, |ext| {
        assert_eq!(identity::grant_role::<Test>(ext, &alice(), Role::User, None), Ok(()));
    });
    assert_signed_noop(&user, alice(), attest(1, true), Error::NotAttester);
}

#[test]
fn attest_on_an_unknown_capture_fails() {
    let backend = with_submission();
    assert_signed_noop(&backend, dave(), attest(2, true), Error::UnknownRecord);
    // The role is checked first.
    assert_signed_noop(&backend, alice(), attest(2, true), Error::NotAttester);
}

#[test]
fn an_archiver_cannot_attest_its_own_record() {
    for verdict in [true, false] {
        assert_signed_noop(&with_submission(), bob(), attest(1, verdict), Error::SelfAttestation);
    }
}

#[test]
fn a_second_attestation_by_the_same_account_fails() {
    let backend = attested(&with_submission(), 1, &[(dave(), true)]);
    for verdict in [true, false] {
        assert_signed_noop(&backend, dave(), attest(1, verdict), Error::AlreadyAttested);
    }
    assert!(Attestations::contains(&Ext::new(&backend), &(hash(1), dave())));
}

#[test]
fn attest_on_a_decided_record_fails() {
    let verified = attested(&with_submission(), 1, &[(charlie(), true), (dave(), true), (eve(), true)]);
    assert_signed_noop(&verified, grace(), attest(1, true), Error::AlreadyDecided);
    assert_signed_noop(&verified, dave(), attest(1, false), Error::AlreadyDecided);
    let rejected = attested(&with_submission(), 1, &[(charlie(), false), (dave(), false), (eve(), false)]);
    assert_signed_noop(&rejected, grace(), attest(1, false), Error::AlreadyDecided);
}

#[test]
fn the_decision_rule() {
    let cases = [
        ((0, 0, 1), RecordStatus::Pending),
        ((1, 0, 1), RecordStatus::Verified),
        ((0, 1, 1), RecordStatus::Rejected),
        ((2, 2, 3), RecordStatus::Pending),
        ((3, 2, 3), RecordStatus::Verified),
        ((2, 3, 3), RecordStatus::Rejected),
        // Only after k was lowered: a side needs the lead too.
        ((2, 2, 1), RecordStatus::Pending),
        ((3, 2, 1), RecordStatus::Verified),
        ((2, 3, 1), RecordStatus::Rejected),
    ];
    for ((ok, bad, k), expected) in cases {
        assert_eq!(outcome(ok, bad, k), expected, "ok {ok}, bad {bad}, k {k}");
    }
}

#[test]
fn a_lowered_threshold_decides_at_the_next_attestation() {
    let backend = build_on(&with_submission(), |ext| {
        for (who, verdict) in [(charlie(), true), (dave(), true), (grace(), false)] {
            assert_eq!(signed(ext, who, attest(1, verdict)), Ok(()));
        }
        set_param(ext, Parameter::AttestationThreshold, 1);
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Pending));
    // Even a dissenting attestation: 2 ok ≥ 1 and 2 > 2 bad fails, so still pending…
    assert_eq!(signed(&mut ext, eve(), attest(1, false)), Ok(()));
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Pending));
    // …until the tie breaks.
    let extra = account(8);
    assert_eq!(identity::grant_role::<Test>(&mut ext, &extra, Role::Validator, None), Ok(()));
    assert_eq!(signed(&mut ext, extra, attest(1, false)), Ok(()));
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Rejected));
    let rejected = archive_events(&ext).pop();
    assert_eq!(
        rejected,
        Some(Event::ArchiveRejected { content_hash: hash(1), archiver: bob(), attesters: vec![grace(), eve(), extra] })
    );
}

#[test]
fn a_raised_threshold_needs_more_attestations() {
    let backend = build_on(&with_submission(), |ext| set_param(ext, Parameter::AttestationThreshold, 4));
    let mut ext = Ext::new(&backend);
    for who in [charlie(), dave(), eve()] {
        assert_eq!(signed(&mut ext, who, attest(1, true)), Ok(()));
    }
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Pending));
    assert_eq!(signed(&mut ext, grace(), attest(1, true)), Ok(()));
    assert_eq!(crate::record(&ext, &hash(1)).map(|r| r.status), Some(RecordStatus::Verified));
}
