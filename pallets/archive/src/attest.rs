//! `attest` and what happens when an attestation decides a record: status, statistics,
//! attestation rewards and the bounty payout.

use archive_pallet_balances::{self as balances, ExistenceRequirement};
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{AccountId20, Balance};
use archive_support::{DispatchResult, Ext};

use crate::{
    pallet::{deposit_event, err, is_open, remove_open, Error, Event},
    storage::{Attestations, Attesters, PendingRecords, Records, Requests, Stats},
    types::{ArchiveRecord, ArchiveRequest, RecordStatus},
    Config,
};

pub(crate) fn do_attest<T: Config>(
    ext: &mut Ext<'_>,
    who: AccountId20,
    content_hash: [u8; 32],
    verdict: bool,
) -> DispatchResult {
    if !identity::has_role(ext, &who, Role::Archiver) && !identity::has_role(ext, &who, Role::Validator) {
        return Err(err::<T>(Error::NotAttester));
    }
    let mut record = Records::get(ext, &content_hash).ok_or_else(|| err::<T>(Error::UnknownRecord))?;
    if record.status != RecordStatus::Pending {
        return Err(err::<T>(Error::AlreadyDecided));
    }
    if record.archiver == who {
        return Err(err::<T>(Error::SelfAttestation));
    }
    if Attestations::contains(ext, &(content_hash, who)) {
        return Err(err::<T>(Error::AlreadyAttested));
    }

    if verdict {
        record.attestations_ok = record.attestations_ok.saturating_add(1);
    } else {
        record.attestations_bad = record.attestations_bad.saturating_add(1);
    }
    Attestations::insert(ext, &(content_hash, who), &verdict);
    let mut attesters = Attesters::get_or_default(ext, &content_hash);
    attesters.push((who, verdict));
    Attesters::insert(ext, &content_hash, &attesters);

    record.status = outcome(
        record.attestations_ok,
        record.attestations_bad,
        parameters::get_u32(ext, Parameter::AttestationThreshold),
    );
    Records::insert(ext, &content_hash, &record);
    deposit_event::<T>(ext, Event::Attested { content_hash, attester: who, verdict });
    if record.status != RecordStatus::Pending {
        decide::<T>(ext, &record, &attesters);
    }
    Ok(())
}

/// The status of a record with `ok` and `bad` attestations under threshold `k`: a side wins
/// once it has at least `k` attestations and more than the other. While `k` is unchanged the
/// first side to reach `k` wins; the "more than" matters only after governance lowered `k`
/// under a pending record's counts (a tie then waits for the next attestation).
pub fn outcome(ok: u32, bad: u32, k: u32) -> RecordStatus {
    if ok >= k && ok > bad {
        RecordStatus::Verified
    } else if bad >= k && bad > ok {
        RecordStatus::Rejected
    } else {
        RecordStatus::Pending
    }
}

/// Settles a record that was just verified or rejected.
fn decide<T: Config>(ext: &mut Ext<'_>, record: &ArchiveRecord, attesters: &[(AccountId20, bool)]) {
    let verified = record.status == RecordStatus::Verified;
    let hash = record.content_hash;

    let mut pending = PendingRecords::get_or_default(ext);
    pending.retain(|h| *h != hash);
    PendingRecords::put(ext, &pending);

    let mut stats = Stats::get_or_default(ext, &record.archiver);
    if verified {
        stats.verified = stats.verified.saturating_add(1);
    } else {
        stats.rejected = stats.rejected.saturating_add(1);
    }
    let received = record.attestations_ok.saturating_add(record.attestations_bad);
    stats.attestations = stats.attestations.saturating_add(received);
    stats.agreeing = stats.agreeing.saturating_add(record.attestations_ok);
    Stats::insert(ext, &record.archiver, &stats);

    // Attesters on the winning side, in attestation order, each paid newly minted
    // `AttestationReward`. Minting fails only for an account that does not exist when the
    // reward is below the existential deposit: that attester is then simply not paid.
    let agreeing: Vec<AccountId20> = attesters.iter().filter(|(_, v)| *v == verified).map(|(a, _)| *a).collect();
    let reward = parameters::get(ext, Parameter::AttestationReward);
    if reward > 0 {
        for attester in &agreeing {
            let _ = balances::deposit_creating::<T>(ext, attester, reward);
        }
    }

    if !verified {
        deposit_event::<T>(
            ext,
            Event::ArchiveRejected { content_hash: hash, archiver: record.archiver, attesters: agreeing },
        );
        return;
    }
    let now = archive_pallet_system::pallet::block_number(ext);
    let fulfilled =
        record.request.and_then(|id| Requests::get(ext, &id).map(|req| (id, req))).filter(|(_, req)| is_open(req, now));
    let payout = fulfilled.map(|(id, mut req)| {
        req.fulfilled_by = Some(hash);
        Requests::insert(ext, &id, &req);
        remove_open(ext, id);
        (id, pay_bounty::<T>(ext, &req, &record.archiver))
    });
    deposit_event::<T>(
        ext,
        Event::ArchiveVerified { content_hash: hash, archiver: record.archiver, attesters: agreeing },
    );
    if let Some((request, amount)) = payout {
        deposit_event::<T>(ext, Event::BountyPaid { request, archiver: record.archiver, amount });
    }
}

/// Moves `req`'s reserved bounty to `to`; returns the amount paid. Never fails, so a
/// requester cannot block verification:
/// 1. unreserve and transfer (events `Unreserved`, `Transfer`);
/// 2. if that fails (the requester's locks now exceed its free balance, which only a slash can
///    cause), it is undone and the reserved bounty is slashed from the requester and minted to
///    `to` instead (events `Slashed`, `Deposit`): total issuance is unchanged either way;
/// 3. if that also fails (the reserve no longer holds the bounty and what is left is below the
///    existential deposit of a non-existent `to`), the bounty is unreserved back to the
///    requester and 0 is paid.
fn pay_bounty<T: Config>(ext: &mut Ext<'_>, req: &ArchiveRequest, to: &AccountId20) -> Balance {
    let amount = req.bounty;
    if amount == 0 {
        return 0;
    }
    let from = req.requester;
    let transferred: DispatchResult = ext.transactional(|ext| {
        if balances::unreserve::<T>(ext, &from, amount) > 0 {
            return Err(archive_support::DispatchError::Corruption);
        }
        balances::transfer::<T>(ext, &from, to, amount, ExistenceRequirement::AllowDeath)
    });
    if transferred.is_ok() {
        return amount;
    }
    let repatriated: Result<Balance, archive_support::DispatchError> = ext.transactional(|ext| {
        let slashed = balances::slash_reserved::<T>(ext, &from, amount);
        balances::deposit_creating::<T>(ext, to, slashed).map(|()| slashed)
    });
    repatriated.unwrap_or_else(|_| {
        balances::unreserve::<T>(ext, &from, amount);
        0
    })
}
