//! archive-pallet-staking: bonding, nomination, the Proof-of-Archive validator election, block
//! and era rewards, downtime chills and equivocation slashing.
//!
//! # What this pallet owns
//!
//! Storage under prefix "Staking" (see [`storage`]): each stash's bond ([`StakingLedger`],
//! locked in balances as `b"staking "`), the validator candidates and nominators, the era
//! (`CurrentEra`, `ActiveEra`), per-era exposures and validator sets for the last
//! [`HISTORY_DEPTH`] eras, the last election's [`PoaScore`]s, seat streaks, the current era's
//! slot counters (`Authored`, `Assigned`, `LastSlot`), reported offences and slash records.
//! It writes `Session.Validators` — the consensus validator set, in slot order — once per era,
//! and removes a slashed offender from it immediately.
//!
//! # Data flow
//!
//! Calls ([`Call`], dispatched by [`dispatch`] inside the executive's storage transaction)
//! change bonds and intentions. The executive calls [`on_initialize`] at the start of every
//! block (block reward, uptime) and [`on_finalize`] at its end (era change on the era's last
//! block). Chain-spec genesis runs [`build_genesis`]. RPC and CLI read through [`ledger`],
//! [`candidates`] and [`era`].
//!
//! # Rules
//!
//! **Bonds.** A stash bonds at least the existential deposit of its free balance not locked by
//! other pallets (locks do not stack: staking only counts what no other lock holds). `unbond`
//! moves part of the active bond into an unlocking chunk for era `CurrentEra + UnbondingEras`
//! (at most [`MAX_UNLOCKING_CHUNKS`]; a chunk of the same era is merged); a rest below the
//! existential deposit is unbonded too; a candidate may not leave a non-zero active bond below
//! `MinValidatorBond`; unbonding everything chills. `withdraw_unbonded` releases chunks whose
//! era is ≤ `CurrentEra`; a ledger with nothing left is removed with its lock. `rebond` moves
//! the newest chunks back.
//!
//! **Intentions.** `validate` needs a bond, the identity pallet's Validator role and an active
//! bond ≥ `MinValidatorBond`; `nominate` takes 1 to [`MAX_NOMINATIONS`] distinct current
//! candidates (not oneself; a `blocked` candidate only if already nominated). Each replaces the
//! other; `chill` ends both.
//!
//! **Block hook.** `BlockReward` is minted to the author. Each slot after `LastSlot` up to the
//! block's slot counts as *assigned* to `Session.Validators[s % n]`; the block's slot counts as
//! *authored* by its author. The first block counts only its own slot; skipped stretches longer
//! than [`SKIPPED_SLOTS_LOOP_FACTOR`]·n are counted per validator by arithmetic.
//!
//! **Era end.** An era is `EraLength` blocks: era 0 starts at block 1, and the era whose
//! `ActiveEra.start` is `b` ends in [`on_finalize`] of block `b + EraLength − 1`:
//! 1. *Pay* `EraReward`, split among the era's validators still in `Session.Validators` in
//!    proportion to blocks authored this era (equally if nobody authored); of each part the
//!    validator takes its commission, the rest is shared by the era's exposure (own stake and
//!    nominators, pro rata, rounding down; remainders go to the validator). Rewards are minted
//!    to free balance (`Rewarded`), then `EraPaid { era, total }`.
//! 2. *Chill* each of the era's validators with `assigned ≥ 1` and `authored/assigned <
//!    DowntimeThreshold` (`Chilled`).
//! 3. *Elect* (see below) and write `Session.Validators` (sorted by account: the slot order),
//!    `ErasValidators`, `ErasStakers`, `Scores`, `SeatStreak` (+1 for each seat holder, reset
//!    for everyone else); reset `Authored`/`Assigned`; prune the era that left the
//!    [`HISTORY_DEPTH`] window; `CurrentEra`/`ActiveEra` become `{era + 1, start: now + 1}`;
//!    `NewEra { era, validators }`.
//!
//! **Election (Proof of Archive).** Candidates are the `Validators` entries whose active bond
//! is ≥ `MinValidatorBond` and who still hold the Validator role. For each candidate `c`:
//! * `stake(c)` = own active bond + for each nominator, its active bond divided equally (rounded
//!   down) among its targets that are candidates;
//! * `uptime(c)` = authored/assigned this era, or 100 % with no assigned slots;
//! * `archives(c)` (verified archives) and `quality(c)` from [`Config::ArchiveStats`].
//!
//! Each part is normalised to `[0, 1]` by dividing by its maximum among the candidates (0 if the
//! maximum is 0), as a [`Perbill`] rounded down, and
//! `total = (300_000_000·archives + 400_000_000·quality + 200_000_000·stake +
//! 100_000_000·uptime) / 10^9` parts per billion, rounded down once. Candidates are ordered by
//! `total` descending; **rotation:** among equal totals the one with the smaller `SeatStreak`
//! (consecutive eras seated) comes first, so a seat holder yields to an equally scored
//! candidate who waited; then the smaller account. The first `MaxValidators` are elected. If
//! no candidate qualifies, the current set is kept (`ElectionFailed`) and no scores are kept.
//! Exposure of an elected validator: its own active bond plus, from each nominator, the
//! nominator's active bond divided equally among its *elected* targets — only the
//! [`MAX_EXPOSED_NOMINATORS`] largest backers are exposed (rewarded and slashable).
//!
//! **Slashing.** `report_equivocation` takes consensus evidence ([`archive_consensus::Equivocation`]),
//! which must verify against one of the last [`HISTORY_DEPTH`] eras' validator sets (newest
//! first), signed for this chain (block 0's hash), name someone other than the reporter, and not
//! have been reported before (key: kind, offender, slot or round). Then `SlashFraction` of the
//! offender's active bond and of each exposure of a nominator to it in the current era is taken
//! (from the active bond first, then the newest unlocking chunks), burned from free balance and
//! unlocked; `ReporterReward` of the total is minted to the reporter and the rest to the
//! treasury ([`archive_pallet_parameters::TREASURY`]), so issuance is unchanged. The offender is
//! chilled and, unless it is the last one, removed from `Session.Validators` at once (it then
//! forfeits its era reward).
//!
//! ```
//! use archive_pallet_staking::{self as staking, Call, GenesisConfig};
//! use archive_primitives::{AccountId20, Balance};
//! use archive_support::{Ext, MemoryBackend, RawOrigin};
//!
//! struct Runtime;
//! impl archive_pallet_system::Config for Runtime { const INDEX: u8 = 0; const BLOCK_HASH_COUNT: u32 = 10; }
//! impl archive_pallet_balances::Config for Runtime {
//!     const INDEX: u8 = 10;
//!     const EXISTENTIAL_DEPOSIT: Balance = 1;
//!     const MAX_LOCKS: u32 = 4;
//! }
//! impl archive_pallet_identity::Config for Runtime { const INDEX: u8 = 20; }
//! impl staking::Config for Runtime { const INDEX: u8 = 30; type ArchiveStats = (); }
//!
//! let backend = MemoryBackend::default();
//! let mut ext = Ext::new(&backend);
//! let alith = AccountId20([1; 20]);
//! archive_pallet_balances::deposit_creating::<Runtime>(&mut ext, &alith, 1_000).unwrap();
//! archive_pallet_session::set_validators(&mut ext, &[alith]);
//! staking::build_genesis::<Runtime>(&mut ext, &GenesisConfig { stakers: vec![(alith, 500)] }).unwrap();
//!
//! // Block 1, slot 7: the executive runs the hooks around the extrinsics.
//! staking::on_initialize::<Runtime>(&mut ext, 1, 7, alith);
//! let call = Call::bond_extra { max_additional: 100 };
//! ext.transactional(|ext| staking::dispatch::<Runtime>(ext, RawOrigin::Signed(alith), call)).unwrap();
//! staking::on_finalize::<Runtime>(&mut ext, 1);
//! assert_eq!(staking::ledger(&ext, &alith).unwrap().active, 600);
//! assert_eq!(staking::era(&ext).index, 0); // era 0 lasts EraLength (20) blocks
//! ```

pub mod election;
mod era;
mod genesis;
mod ledger;
pub mod pallet;
pub mod slashing;
pub mod storage;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use era::{on_finalize, on_initialize};
pub use genesis::{build_genesis, GenesisConfig};
pub use pallet::{call_weight, dispatch, Call, Error, Event};
pub use storage::entries;
pub use types::{
    ActiveEraInfo, EraIndex, Exposure, IndividualExposure, Nominations, OffenceKind, PoaScore, SlashRecord,
    StakingLedger, UnlockChunk, ValidatorPrefs,
};

use archive_primitives::{AccountId20, Perbill};
use archive_support::Ext;

/// The balances lock id of bonds.
pub const STAKING_ID: [u8; 8] = *b"staking ";
/// Most unlocking chunks per ledger (Substrate's `MaxUnlockingChunks`).
pub const MAX_UNLOCKING_CHUNKS: usize = 32;
/// Most targets per nomination (Substrate's `MaxNominations` on small chains).
pub const MAX_NOMINATIONS: usize = 16;
/// Eras of validator sets and exposures kept: evidence of an offence is accepted for as long.
pub const HISTORY_DEPTH: u32 = 8;
/// Most nominators exposed per validator and era, bounding era payouts and slashes.
pub const MAX_EXPOSED_NOMINATORS: usize = 64;
/// Slash records kept per account.
pub const MAX_SLASH_RECORDS: usize = 32;
/// Up to this many times the set size, skipped slots are counted one by one; beyond it, by
/// arithmetic (same result, bounded work).
pub const SKIPPED_SLOTS_LOOP_FACTOR: u64 = 10;

/// Per-account archive statistics the election scores (provided by the archive pallet).
pub trait ArchiveStats {
    /// `who`'s number of verified archives and their quality.
    fn stats(ext: &Ext<'_>, who: &AccountId20) -> (u32, Perbill);
}

/// No archive pallet: everyone has no archives and zero quality.
impl ArchiveStats for () {
    fn stats(_ext: &Ext<'_>, _who: &AccountId20) -> (u32, Perbill) {
        (0, Perbill::zero())
    }
}

/// Configuration of the staking pallet.
pub trait Config: archive_pallet_identity::Config {
    /// The pallet's index in the runtime (30 in ArchiveChain's).
    const INDEX: u8;
    /// Where archive counts and quality come from.
    type ArchiveStats: ArchiveStats;
}

/// `who`'s bond, if bonded.
pub fn ledger(ext: &Ext<'_>, who: &AccountId20) -> Option<StakingLedger> {
    storage::Ledger::get(ext, who)
}

/// `who`'s nominations, if nominating.
pub fn nominations(ext: &Ext<'_>, who: &AccountId20) -> Option<Nominations> {
    storage::Nominators::get(ext, who)
}

/// Every validator candidate with its preferences and last election score, sorted by account.
pub fn candidates(ext: &Ext<'_>) -> Vec<(AccountId20, ValidatorPrefs, Option<PoaScore>)> {
    storage::validator_list(ext)
        .into_iter()
        .filter_map(|who| storage::Validators::get(ext, &who).map(|p| (who, p, storage::Scores::get(ext, &who))))
        .collect()
}

/// The active era (index 0 from block 1 if genesis did not set it).
pub fn era(ext: &Ext<'_>) -> ActiveEraInfo {
    storage::ActiveEra::get(ext).unwrap_or(ActiveEraInfo { index: 0, start: 1 })
}

/// The current era index.
pub fn current_era(ext: &Ext<'_>) -> EraIndex {
    storage::CurrentEra::get_or_default(ext)
}
