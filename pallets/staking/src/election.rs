//! The Proof-of-Archive election: who is a candidate, how each is scored, who gets the seats,
//! and the stake exposed behind each seat. Reads state only; [`crate::era`] writes the result.

use std::{cmp::Reverse, collections::BTreeMap};

use archive_pallet_identity::Role;
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{AccountId20, Balance, Perbill};
use archive_support::Ext;

use crate::{
    ledger::min_validator_bond,
    storage::{nominator_list, validator_list, Assigned, Authored, Ledger, Nominators, SeatStreak, Validators},
    types::{EraIndex, Exposure, IndividualExposure, PoaScore},
    ArchiveStats, Config, MAX_EXPOSED_NOMINATORS,
};

/// Weight of the archives part, in parts per billion (30 %).
pub const ARCHIVES_WEIGHT: u32 = 300_000_000;
/// Weight of the quality part (40 %).
pub const QUALITY_WEIGHT: u32 = 400_000_000;
/// Weight of the stake part (20 %).
pub const STAKE_WEIGHT: u32 = 200_000_000;
/// Weight of the uptime part (10 %). The four weights sum to exactly one billion.
pub const UPTIME_WEIGHT: u32 = 100_000_000;

/// A candidate's raw measurements before normalisation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RawScore {
    /// The candidate.
    pub who: AccountId20,
    /// Verified archives (from [`ArchiveStats`]).
    pub archives: u32,
    /// Archive quality (from [`ArchiveStats`]).
    pub quality: Perbill,
    /// Own active bond plus the nominators' equal shares.
    pub stake: Balance,
    /// Authored / assigned slots in the ending era (one with no assigned slots).
    pub uptime: Perbill,
    /// Consecutive eras the candidate has held its seat.
    pub streak: u32,
}

/// The outcome of an election.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// Every candidate's score, sorted by account.
    pub scores: Vec<(AccountId20, PoaScore)>,
    /// The elected validators, sorted by account (the slot order).
    pub elected: Vec<AccountId20>,
}

/// `x / max` as a fraction (0 when `max` is 0).
fn normalise(x: u128, max: u128) -> Perbill {
    Perbill::from_rational(x, max)
}

/// The weighted sum `0.3·archives + 0.4·quality + 0.2·stake + 0.1·uptime`, rounded down once.
pub fn weighted_total(archives: Perbill, quality: Perbill, stake: Perbill, uptime: Perbill) -> Perbill {
    let parts =
        [(archives, ARCHIVES_WEIGHT), (quality, QUALITY_WEIGHT), (stake, STAKE_WEIGHT), (uptime, UPTIME_WEIGHT)];
    let sum: u128 = parts.iter().map(|(p, w)| u128::from(p.deconstruct()) * u128::from(*w)).sum();
    // sum ≤ 10^9 · 10^9, so the quotient ≤ 10^9 fits in u32.
    Perbill::from_parts(u32::try_from(sum / u128::from(Perbill::ACCURACY)).unwrap_or(Perbill::ACCURACY))
}

/// Normalises each part by its maximum among `raw` and weights them (pure; see the crate docs).
pub fn score(raw: &[RawScore], era: EraIndex) -> Vec<PoaScore> {
    let max_archives = raw.iter().map(|r| u128::from(r.archives)).max().unwrap_or(0);
    let max_quality = raw.iter().map(|r| u128::from(r.quality.deconstruct())).max().unwrap_or(0);
    let max_stake = raw.iter().map(|r| r.stake).max().unwrap_or(0);
    let max_uptime = raw.iter().map(|r| u128::from(r.uptime.deconstruct())).max().unwrap_or(0);
    raw.iter()
        .map(|r| {
            let archives = normalise(u128::from(r.archives), max_archives);
            let quality = normalise(u128::from(r.quality.deconstruct()), max_quality);
            let stake = normalise(r.stake, max_stake);
            let uptime = normalise(u128::from(r.uptime.deconstruct()), max_uptime);
            PoaScore { archives, quality, stake, uptime, total: weighted_total(archives, quality, stake, uptime), era }
        })
        .collect()
}

/// Picks `seats` of the scored candidates: highest total first; among equal totals the smaller
/// seat streak first (rotation: a seat holder yields to an equal candidate who waited), then
/// the smaller account. Returns the winners sorted by account.
pub fn select(raw: &[RawScore], scores: &[PoaScore], seats: usize) -> Vec<AccountId20> {
    let mut order: Vec<(Reverse<Perbill>, u32, AccountId20)> =
        raw.iter().zip(scores).map(|(r, s)| (Reverse(s.total), r.streak, r.who)).collect();
    order.sort();
    let mut elected: Vec<AccountId20> = order.into_iter().take(seats).map(|(_, _, who)| who).collect();
    elected.sort();
    elected
}

/// Slots authored / assigned in the current era; full uptime without assigned slots.
pub fn uptime(ext: &Ext<'_>, who: &AccountId20) -> Perbill {
    let assigned = Assigned::get_or_default(ext, who);
    if assigned == 0 {
        return Perbill::one();
    }
    Perbill::from_rational(u128::from(Authored::get_or_default(ext, who)), u128::from(assigned))
}

/// The eligible candidates, sorted: in `Validators`, active bond ≥ `MinValidatorBond`, and
/// holding the identity Validator role.
pub fn eligible<T: Config>(ext: &Ext<'_>) -> Vec<AccountId20> {
    let min = min_validator_bond(ext);
    validator_list(ext)
        .into_iter()
        .filter(|c| Validators::contains(ext, c))
        .filter(|c| Ledger::get(ext, c).is_some_and(|l| l.active >= min))
        .filter(|c| archive_pallet_identity::has_role(ext, c, Role::Validator))
        .collect()
}

/// Each nominator's active bond split equally among its targets that are in `among`:
/// `(nominator, per-target share, targets in among)`, nominators in account order.
fn nominator_shares(ext: &Ext<'_>, among: &[AccountId20]) -> Vec<(AccountId20, Balance, Vec<AccountId20>)> {
    let mut out = Vec::new();
    for n in nominator_list(ext) {
        let (Some(noms), Some(ledger)) = (Nominators::get(ext, &n), Ledger::get(ext, &n)) else { continue };
        let targets: Vec<AccountId20> = noms.targets.into_iter().filter(|t| among.binary_search(t).is_ok()).collect();
        let Ok(k) = u128::try_from(targets.len()) else { continue };
        if k == 0 || ledger.active == 0 {
            continue;
        }
        out.push((n, ledger.active / k, targets));
    }
    out
}

/// Runs the election that opens era `era`; `None` if no candidate is eligible.
pub fn elect<T: Config>(ext: &Ext<'_>, era: EraIndex) -> Option<Outcome> {
    let candidates = eligible::<T>(ext);
    if candidates.is_empty() {
        return None;
    }
    let mut stake: BTreeMap<AccountId20, Balance> =
        candidates.iter().map(|c| (*c, Ledger::get(ext, c).map(|l| l.active).unwrap_or(0))).collect();
    for (_, share, targets) in nominator_shares(ext, &candidates) {
        for t in targets {
            if let Some(s) = stake.get_mut(&t) {
                *s = s.saturating_add(share);
            }
        }
    }
    let raw: Vec<RawScore> = candidates
        .iter()
        .map(|c| {
            let (archives, quality) = T::ArchiveStats::stats(ext, c);
            RawScore {
                who: *c,
                archives,
                quality,
                stake: stake.get(c).copied().unwrap_or(0),
                uptime: uptime(ext, c),
                streak: SeatStreak::get_or_default(ext, c),
            }
        })
        .collect();
    let scores = score(&raw, era);
    let seats = usize::try_from(parameters::get_u32(ext, Parameter::MaxValidators)).unwrap_or(usize::MAX);
    let elected = select(&raw, &scores, seats);
    Some(Outcome { scores: candidates.into_iter().zip(scores).collect(), elected })
}

/// The stake behind each member of `set` (any order): its own active bond, and each
/// nominator's active bond split equally among the nominator's targets in `set`; only the
/// [`MAX_EXPOSED_NOMINATORS`] largest nominators of a validator are exposed (ties: smaller
/// account), listed by account.
pub fn exposures(ext: &Ext<'_>, set: &[AccountId20]) -> Vec<(AccountId20, Exposure)> {
    let mut sorted = set.to_vec();
    sorted.sort();
    let mut others: BTreeMap<AccountId20, Vec<IndividualExposure>> = BTreeMap::new();
    for (who, value, targets) in nominator_shares(ext, &sorted) {
        if value == 0 {
            continue;
        }
        for t in targets {
            others.entry(t).or_default().push(IndividualExposure { who, value });
        }
    }
    sorted
        .into_iter()
        .map(|v| {
            let own = Ledger::get(ext, &v).map(|l| l.active).unwrap_or(0);
            let mut backers = others.remove(&v).unwrap_or_default();
            backers.sort_by_key(|b| (Reverse(b.value), b.who));
            backers.truncate(MAX_EXPOSED_NOMINATORS);
            backers.sort_by_key(|b| b.who);
            let total = backers.iter().fold(own, |t, b| t.saturating_add(b.value));
            (v, Exposure { total, own, others: backers })
        })
        .collect()
}
