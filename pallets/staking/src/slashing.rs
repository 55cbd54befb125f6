//! `report_equivocation`: checking evidence against recent validator sets, slashing the
//! offender and its nominators, paying the reporter and the treasury.

use archive_consensus::{Equivocation, ValidatorSet};
use archive_pallet_balances as balances;
use archive_pallet_parameters::{self as parameters, Parameter, TREASURY};
use archive_pallet_session as session;
use archive_primitives::{AccountId20, Balance};
use archive_support::{DispatchError, DispatchResult, Ext};

use crate::{
    era::reward,
    ledger::{chill, put_ledger},
    pallet::{deposit_event, err, Error, Event},
    storage::{ErasStakers, ErasValidators, Ledger, Reported, Slashes},
    types::{EraIndex, OffenceKind, SlashRecord},
    Config, HISTORY_DEPTH, MAX_SLASH_RECORDS,
};

/// The offence kind and its slot (block) or round (vote).
pub fn offence_of(evidence: &Equivocation) -> (OffenceKind, u64) {
    match evidence {
        Equivocation::Vote { round, .. } => (OffenceKind::VoteEquivocation, *round),
        Equivocation::Block { slot, .. } => (OffenceKind::BlockEquivocation, *slot),
    }
}

/// Whether `evidence` verifies against the validator set of one of the last
/// [`HISTORY_DEPTH`] eras (newest first), signed for this chain (block 0's hash).
pub fn verify_recent(ext: &Ext<'_>, evidence: &Equivocation) -> bool {
    let Some(genesis) = archive_pallet_system::pallet::block_hash(ext, 0) else { return false };
    let current = crate::current_era(ext);
    (0..HISTORY_DEPTH)
        .map_while(|back| current.checked_sub(back))
        .filter_map(|era| ErasValidators::get(ext, &era))
        .filter_map(|set| ValidatorSet::new(set).ok())
        .any(|set| evidence.verify(&set, &genesis).is_ok())
}

/// Takes up to `amount` of `who`'s bond (active first, then the newest unlocking chunks),
/// burns it from the free balance and shrinks the lock. Returns what was taken.
fn slash_stash<T: Config>(
    ext: &mut Ext<'_>,
    who: &AccountId20,
    amount: Balance,
    record: SlashRecord,
) -> Result<Balance, DispatchError> {
    let Some(mut ledger) = Ledger::get(ext, who) else { return Ok(0) };
    let actual = balances::slash::<T>(ext, who, amount.min(ledger.total));
    if actual == 0 {
        return Ok(0);
    }
    let from_active = actual.min(ledger.active);
    ledger.active -= from_active;
    let mut left = actual - from_active;
    while left > 0 {
        let Some(chunk) = ledger.unlocking.last_mut() else { break };
        let take = chunk.value.min(left);
        chunk.value -= take;
        left -= take;
        if chunk.value == 0 {
            ledger.unlocking.pop();
        }
    }
    ledger.total = ledger.total.saturating_sub(actual);
    put_ledger::<T>(ext, &ledger)?;
    let mut records = Slashes::get_or_default(ext, who);
    records.push(SlashRecord { amount: actual, ..record });
    if records.len() > MAX_SLASH_RECORDS {
        records.drain(..records.len() - MAX_SLASH_RECORDS);
    }
    Slashes::insert(ext, who, &records);
    deposit_event::<T>(ext, Event::Slashed { who: *who, amount: actual });
    Ok(actual)
}

/// `report_equivocation`: see [`crate::Call::report_equivocation`] and the crate docs.
pub(crate) fn report_equivocation<T: Config>(
    ext: &mut Ext<'_>,
    reporter: AccountId20,
    evidence: &Equivocation,
) -> DispatchResult {
    let offender = evidence.offender();
    if reporter == offender {
        return Err(err::<T>(Error::SelfReport));
    }
    if !verify_recent(ext, evidence) {
        return Err(err::<T>(Error::InvalidEvidence));
    }
    let (kind, at) = offence_of(evidence);
    let key = (kind, offender, at);
    if Reported::contains(ext, &key) {
        return Err(err::<T>(Error::DuplicateReport));
    }
    let era: EraIndex = crate::current_era(ext);
    Reported::insert(ext, &key, &era);
    deposit_event::<T>(ext, Event::OffenceReported { offender, kind, reporter });

    let fraction = parameters::get_perbill(ext, Parameter::SlashFraction);
    let record = SlashRecord { era, amount: 0, reporter, kind };
    let own = Ledger::get(ext, &offender).map(|l| l.active).unwrap_or(0);
    let mut slashed = slash_stash::<T>(ext, &offender, fraction.mul_floor(own), record)?;
    for backer in ErasStakers::get_or_default(ext, &(era, offender)).others {
        let taken = slash_stash::<T>(ext, &backer.who, fraction.mul_floor(backer.value), record)?;
        slashed = slashed.saturating_add(taken);
    }

    if chill(ext, &offender) {
        deposit_event::<T>(ext, Event::Chilled { who: offender });
    }
    let mut set = session::validators(ext);
    if set.len() > 1 && set.contains(&offender) {
        set.retain(|v| *v != offender);
        session::set_validators(ext, &set);
    }

    let to_reporter = parameters::get_perbill(ext, Parameter::ReporterReward).mul_floor(slashed);
    let paid = reward::<T>(ext, &reporter, to_reporter);
    // What the reporter could not receive goes to the treasury; what neither can is burned.
    let to_treasury = slashed - paid;
    if to_treasury > 0 {
        let _burned_if_below_ed = balances::deposit_creating::<T>(ext, &TREASURY, to_treasury);
    }
    Ok(())
}
