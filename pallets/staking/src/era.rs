//! The block hooks: block rewards and uptime accounting at the start of each block; at the
//! last block of an era, era rewards, downtime chills, the election and the switch to the
//! next era.

use archive_pallet_balances as balances;
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_pallet_session as session;
use archive_primitives::{arithmetic::mul_div, AccountId20, Balance, BlockNumber, Perbill};
use archive_support::{Ext, Weight};

use crate::{
    election,
    ledger::remove_candidate,
    pallet::{deposit_event, Event},
    storage::{
        ActiveEra, Assigned, Authored, CurrentEra, ErasStakers, ErasValidators, LastSlot, Scores, SeatStreak,
        Validators,
    },
    types::{ActiveEraInfo, EraIndex},
    weights, Config, HISTORY_DEPTH, SKIPPED_SLOTS_LOOP_FACTOR,
};

/// Mints `amount` to `who` with a `Rewarded` event; returns what was minted (nothing if the
/// amount is zero or cannot create the account because it is below the existential deposit).
pub(crate) fn reward<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, amount: Balance) -> Balance {
    if amount == 0 || balances::deposit_creating::<T>(ext, who, amount).is_err() {
        return 0;
    }
    deposit_event::<T>(ext, Event::Rewarded { stash: *who, amount });
    amount
}

fn add_assigned(ext: &mut Ext<'_>, who: &AccountId20, by: u32) {
    let n = Assigned::get_or_default(ext, who).saturating_add(by);
    Assigned::insert(ext, who, &n);
}

fn add_authored(ext: &mut Ext<'_>, who: &AccountId20, by: u32) {
    let n = Authored::get_or_default(ext, who).saturating_add(by);
    Authored::insert(ext, who, &n);
}

/// How many slots `s` in `[from, to]` have `s % n == i` (`i < n`).
pub(crate) fn slots_of(from: u64, to: u64, i: u64, n: u64) -> u64 {
    let (i, n) = (u128::from(i), u128::from(n.max(1)));
    // Slots in [0, x] with s % n == i (u128: `x + 1` cannot overflow).
    let upto = |x: u128| if x < i { 0 } else { (x - i) / n + 1 };
    let before = if from == 0 { 0 } else { upto(u128::from(from) - 1) };
    u64::try_from(upto(u128::from(to)).saturating_sub(before)).unwrap_or(u64::MAX)
}

/// Start of block `now` in `slot`, authored by `author` (called by the executive before any
/// extrinsic): mints `BlockReward` to the author, then counts uptime — every slot after
/// `LastSlot` up to `slot` is assigned to `Session.Validators[s % n]`, and `slot` is credited
/// to the author. The first block counts only its own slot; a slot not after `LastSlot` counts
/// nothing. A gap of more than `SKIPPED_SLOTS_LOOP_FACTOR · n` slots is counted per validator
/// arithmetically, so the work is bounded by the set size.
pub fn on_initialize<T: Config>(ext: &mut Ext<'_>, _now: BlockNumber, slot: u64, author: AccountId20) -> Weight {
    let mut weight = weights::ON_INITIALIZE_BASE;
    reward::<T>(ext, &author, parameters::get(ext, Parameter::BlockReward));
    let from = match LastSlot::get(ext) {
        None => slot,
        Some(last) if last < slot => last + 1,
        Some(_) => return weight,
    };
    let validators = session::validators(ext);
    let n = validators.len() as u64;
    if n > 0 {
        let span = slot - from + 1;
        if span <= SKIPPED_SLOTS_LOOP_FACTOR.saturating_mul(n) {
            for s in from..=slot {
                // s % n < n = validators.len().
                let who = validators[(s % n) as usize];
                add_assigned(ext, &who, 1);
            }
            weight = weight.saturating_add(weights::per_slot(span));
        } else {
            for (i, who) in validators.iter().enumerate() {
                let count = slots_of(from, slot, i as u64, n);
                add_assigned(ext, who, u32::try_from(count).unwrap_or(u32::MAX));
            }
            weight = weight.saturating_add(weights::per_slot(n));
        }
    }
    add_authored(ext, &author, 1);
    LastSlot::put(ext, &slot);
    weight
}

/// End of block `now` (called by the executive after the last extrinsic): if `now` is the
/// last block of the active era (`now + 1 ≥ start + EraLength`, so an era is `EraLength`
/// blocks long), ends it — see the crate docs for the steps.
pub fn on_finalize<T: Config>(ext: &mut Ext<'_>, now: BlockNumber) {
    let active = crate::era(ext);
    let length = parameters::get_u32(ext, Parameter::EraLength);
    if now.saturating_add(1) < active.start.saturating_add(length) {
        return;
    }
    end_era::<T>(ext, active.index, now);
}

/// Pays `part` of the era reward of validator `v`: its commission, then the rest by exposure
/// (rounding remainders to the validator). Returns what was minted.
fn pay_validator<T: Config>(ext: &mut Ext<'_>, era: EraIndex, v: &AccountId20, part: Balance) -> Balance {
    let commission = Validators::get(ext, v).map(|p| p.commission).unwrap_or_default().mul_floor(part);
    let rest = part - commission;
    let exposure = ErasStakers::get_or_default(ext, &(era, *v));
    let shares: Vec<(AccountId20, Balance)> =
        exposure.others.iter().map(|o| (o.who, mul_div(rest, o.value, exposure.total))).collect();
    let to_nominators: Balance = shares.iter().map(|(_, s)| *s).sum();
    let mut minted = reward::<T>(ext, v, part.saturating_sub(to_nominators));
    for (who, share) in shares {
        minted = minted.saturating_add(reward::<T>(ext, &who, share));
    }
    minted
}

/// Shares `EraReward` among `payees` by slots authored (equally if none authored anything).
fn pay_era<T: Config>(ext: &mut Ext<'_>, era: EraIndex, payees: &[AccountId20]) -> Balance {
    let total = parameters::get(ext, Parameter::EraReward);
    let Ok(n) = u128::try_from(payees.len()) else { return 0 };
    if n == 0 || total == 0 {
        return 0;
    }
    let authored: Vec<u128> = payees.iter().map(|v| u128::from(Authored::get_or_default(ext, v))).collect();
    let all: u128 = authored.iter().sum();
    let mut minted: Balance = 0;
    for (v, a) in payees.iter().zip(authored) {
        let part = if all == 0 { total / n } else { mul_div(total, a, all) };
        minted = minted.saturating_add(pay_validator::<T>(ext, era, v, part));
    }
    minted
}

/// Ends era `era` at block `now`: pay, chill the offline, elect, rotate.
fn end_era<T: Config>(ext: &mut Ext<'_>, era: EraIndex, now: BlockNumber) {
    let current_set = session::validators(ext);
    let era_set = ErasValidators::get(ext, &era).unwrap_or_else(|| current_set.clone());
    // (1) Rewards, to this era's validators still seated (one removed for an offence forfeits).
    let payees: Vec<AccountId20> = era_set.iter().filter(|v| current_set.contains(v)).copied().collect();
    let total = pay_era::<T>(ext, era, &payees);
    deposit_event::<T>(ext, Event::EraPaid { era, total });
    // (2) Downtime.
    let threshold = parameters::get_perbill(ext, Parameter::DowntimeThreshold);
    for v in &era_set {
        let assigned = Assigned::get_or_default(ext, v);
        let authored = Authored::get_or_default(ext, v);
        let up = Perbill::from_rational(u128::from(authored), u128::from(assigned));
        if assigned >= 1 && up < threshold && remove_candidate(ext, v) {
            deposit_event::<T>(ext, Event::Chilled { who: *v });
        }
    }
    // (3) Election.
    let next = era.saturating_add(1);
    let outcome = election::elect::<T>(ext, next);
    let set = match &outcome {
        Some(o) => {
            session::set_validators(ext, &o.elected);
            o.elected.clone()
        }
        None => {
            deposit_event::<T>(ext, Event::ElectionFailed { era });
            current_set
        }
    };
    let streaks: Vec<u32> = set.iter().map(|v| SeatStreak::get_or_default(ext, v).saturating_add(1)).collect();
    ext.clear_prefix(&SeatStreak::prefix());
    for (v, s) in set.iter().zip(streaks) {
        SeatStreak::insert(ext, v, &s);
    }
    ext.clear_prefix(&Scores::prefix());
    if let Some(o) = &outcome {
        for (who, score) in &o.scores {
            Scores::insert(ext, who, score);
        }
    }
    ext.clear_prefix(&Authored::prefix());
    ext.clear_prefix(&Assigned::prefix());
    for (v, exposure) in election::exposures(ext, &set) {
        ErasStakers::insert(ext, &(next, v), &exposure);
    }
    ErasValidators::insert(ext, &next, &set);
    if let Some(old) = next.checked_sub(HISTORY_DEPTH) {
        for v in ErasValidators::get_or_default(ext, &old) {
            ErasStakers::remove(ext, &(old, v));
        }
        ErasValidators::remove(ext, &old);
    }
    CurrentEra::put(ext, &next);
    ActiveEra::put(ext, &ActiveEraInfo { index: next, start: now.saturating_add(1) });
    deposit_event::<T>(ext, Event::NewEra { era: next, validators: set });
}
