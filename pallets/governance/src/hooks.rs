//! The block hook: tallies proposals whose voting period ended and enacts approved ones.

use archive_pallet_balances::{self as balances, ExistenceRequirement};
use archive_pallet_identity as identity;
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::BlockNumber;
use archive_support::{DispatchError, DispatchResult, Ext, Weight};

use crate::{
    pallet::{deposit_event, err, Error, Event},
    storage::{Live, Proposals},
    types::{Proposal, ProposalInfo, ProposalStatus},
    weights, Config,
};

/// Runs at the start of block `now`, before any extrinsic. Looks only at the proposals in
/// `Live` (at most [`crate::MAX_LIVE`]), in ascending index order:
/// - an `Ongoing` proposal with `voting_end ≤ now` is tallied: it passes iff
///   `turnout ≥ Quorum × total issuance` and `ayes > nays`, becoming
///   `Approved { enact_at: now + EnactmentDelay }` (`Passed`), else `Rejected` (`Rejected`);
///   either way the deposit is returned;
/// - an `Approved` proposal with `enact_at ≤ now` is enacted in its own storage transaction:
///   `Enacted { ok: true }` (`Enacted`) or, if it fails, `Enacted { ok: false }` with none of its
///   effects kept (`EnactmentFailed`).
///
/// Finished proposals leave `Live`. Never fails; returns the weight used.
pub fn on_initialize<T: Config>(ext: &mut Ext<'_>, now: BlockNumber) -> Weight {
    let live = Live::get_or_default(ext);
    let mut still_live = Vec::with_capacity(live.len());
    let (mut tallied, mut enacted) = (0u64, 0u64);
    for &index in &live {
        // A missing record cannot happen (records are never deleted); drop the index if it does.
        let Some(mut info) = Proposals::get(ext, &index) else { continue };
        match info.status {
            ProposalStatus::Ongoing if info.voting_end <= now => {
                tally::<T>(ext, index, &mut info, now);
                tallied += 1;
            }
            ProposalStatus::Approved { enact_at } if enact_at <= now => {
                enact::<T>(ext, index, &mut info);
                enacted += 1;
            }
            _ => {}
        }
        if info.status.is_live() {
            still_live.push(index);
        }
    }
    if still_live != live {
        Live::put(ext, &still_live);
    }
    weights::on_initialize(live.len() as u64, tallied, enacted)
}

/// Closes the vote on `info` and records the outcome.
fn tally<T: Config>(ext: &mut Ext<'_>, index: u32, info: &mut ProposalInfo, now: BlockNumber) {
    let quorum = parameters::get_perbill(ext, Parameter::Quorum).mul_floor(balances::total_issuance(ext));
    let t = info.tally;
    let passed = t.turnout >= quorum && t.ayes > t.nays;
    if info.deposit > 0 {
        balances::unreserve::<T>(ext, &info.proposer, info.deposit);
    }
    if passed {
        let enact_at = now.saturating_add(parameters::get_u32(ext, Parameter::EnactmentDelay));
        info.status = ProposalStatus::Approved { enact_at };
        Proposals::insert(ext, &index, info);
        deposit_event::<T>(ext, Event::Passed { index, enact_at });
    } else {
        info.status = ProposalStatus::Rejected;
        Proposals::insert(ext, &index, info);
        deposit_event::<T>(ext, Event::Rejected { index, ayes: t.ayes, nays: t.nays, turnout: t.turnout });
    }
}

/// Enacts `info` and records whether it worked.
fn enact<T: Config>(ext: &mut Ext<'_>, index: u32, info: &mut ProposalInfo) {
    let result: DispatchResult = ext.transactional(|ext| execute::<T>(ext, &info.proposal));
    match result {
        Ok(()) => {
            info.status = ProposalStatus::Enacted { ok: true };
            Proposals::insert(ext, &index, info);
            deposit_event::<T>(ext, Event::Enacted { index });
        }
        Err(error) => {
            info.status = ProposalStatus::Enacted { ok: false };
            Proposals::insert(ext, &index, info);
            deposit_event::<T>(ext, Event::EnactmentFailed { index, error });
        }
    }
}

/// Carries out `proposal` (with root's authority).
fn execute<T: Config>(ext: &mut Ext<'_>, proposal: &Proposal) -> Result<(), DispatchError> {
    match *proposal {
        Proposal::SetParameter { parameter, value } => {
            let old = parameters::get(ext, parameter);
            parameters::set(ext, parameter, value).map_err(|_| err::<T>(Error::ValueOutOfRange))?;
            deposit_event::<T>(ext, Event::ParameterChanged { parameter, old, new: value });
            Ok(())
        }
        Proposal::GrantRole { who, role } => identity::grant_role::<T>(ext, &who, role, None),
        Proposal::RevokeRole { who, role } => identity::revoke_role::<T>(ext, &who, role, None),
        Proposal::TreasurySpend { to, amount } => {
            balances::transfer::<T>(ext, &parameters::TREASURY, &to, amount, ExistenceRequirement::AllowDeath)
        }
    }
}
