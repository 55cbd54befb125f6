//! archive-consensus: ArchiveChain's consensus rules as pure, deterministic functions — slot
//! authorship, fork choice, finality votes and justifications, equivocation detection.
//!
//! # What this crate owns
//!
//! The *rules*, not the plumbing: which validator may author a slot and whether a header's slot
//! claim and seal are valid ([`slots`]), which block is best ([`ForkTree`]), how finality votes
//! are signed, counted and turned into [`Justification`]s ([`Vote`], [`VoteTracker`],
//! [`verify_justification`]), how an honest validator votes and moves through rounds
//! ([`Voter`]), and what counts as an equivocation ([`Equivocation`], [`AuthorshipTracker`]).
//! There is no networking, no async runtime, no clock and no database here: time enters as
//! explicit `unix_ms`/slot/`now_ms` arguments, blocks as hashes and numbers, so every rule is
//! tested deterministically. The node (service, network, storage) feeds the inputs and applies
//! the outputs: gossip the votes a [`Voter`] casts, call [`ForkTree::finalize`] and store the
//! [`Justification`] for each block it reports final, submit the evidence.
//!
//! ```
//! use archive_consensus::{slot_at, ForkTree, SignedVote, ValidatorSet, Vote, VoteTracker};
//! use archive_primitives::{crypto::dev, H256};
//!
//! let keys: Vec<_> = dev::all().into_iter().map(|(_, p)| p).take(4).collect();
//! let set = ValidatorSet::new(keys.iter().map(|k| k.account()).collect()).unwrap();
//! assert_eq!(set.slot_author(slot_at(7_500, 2_000).unwrap()), keys[3].account()); // slot 3
//!
//! let genesis = H256([0; 32]);
//! let (a1, a2) = (H256([1; 32]), H256([2; 32]));
//! let mut tree = ForkTree::new(genesis, 0);
//! tree.insert(a1, genesis, 1).unwrap();
//! tree.insert(a2, a1, 2).unwrap();
//! assert_eq!(tree.best(), (a2, 2));
//!
//! let mut round = VoteTracker::new(1, set, genesis);
//! for key in &keys[..3] {
//!     let vote = Vote { target_hash: a2, target_number: 2, round: 1 };
//!     round.import_vote(SignedVote::sign(vote, key, &genesis)).unwrap();
//! }
//! assert_eq!(round.finalizable(&tree), Some((a2, 2))); // 3 votes of 4
//! let proof = round.justification(&tree).unwrap();
//! assert_eq!(proof.votes.len(), 3);
//! tree.finalize(a2).unwrap();
//! ```
//!
//! # The rules
//!
//! Notation: `n` validators (a [`ValidatorSet`], chain-spec order), `f = ⌊(n−1)/3⌋`,
//! `t = n − f` ([`threshold`]: more than two thirds; 4 → 3). Validators count one each (no stake
//! weight yet).
//!
//! **Slots.** `slot = unix_ms / slot_duration_ms` ([`slot_at`]); the author of slot `s` is
//! `validators[s % n]`. A header carries `PreRuntime(b"arcp", SCALE(SlotPreDigest{slot, author}))`
//! and, last, `Seal(b"arcp", author's ECDSA signature of the pre-seal header hash)` — the formats
//! `archive-client` writes. A header whose slot is more than [`MAX_DRIFT_SLOTS`] (2) ahead of
//! the local slot is rejected as from the future ([`verify_header`]).
//!
//! **Fork choice.** Among the known blocks that are, or descend from, the last finalized block,
//! the best is the highest; among equally high blocks, the one seen first (no re-org to a block
//! of the same height). [`ForkTree`] holds exactly those blocks: a block conflicting with
//! finality cannot be inserted, and finalizing prunes every branch not containing the
//! finalized block, however long. [`ForkTree::route`] gives the retracted and enacted blocks of
//! a re-org.
//!
//! **Votes.** `Vote { target_hash, target_number, round }`, signed with
//! `Pair::sign_prehashed(blake2_256(b"arcv" ++ genesis_hash ++ SCALE(vote)))` ([`SignedVote`]).
//! A vote for block `B` counts for `B` and all its ancestors.
//!
//! **Rounds.** Rounds are numbered from 1; each validator casts at most one vote per round.
//! In round `r`, per round-`r` votes seen ([`VoteTracker`]):
//! - a voter caught with two different signed votes in the round is an equivocator: the
//!   evidence is kept ([`Equivocation::Vote`]) and the voter counts for *no* block in that round;
//! - *finalized in r* ([`VoteTracker::finalizable`]): the highest block that at least `t`
//!   counted votes are for (itself or a descendant). These blocks form a chain (two sets of `t`
//!   voters overlap), so the highest is unique;
//! - *estimate of r* ([`VoteTracker::estimate`]), defined once at least `t` counted votes with
//!   known targets are in: with `w = n − that count` validators unaccounted for, the highest
//!   block whose support plus `w` reaches `t` — the highest block that could have been
//!   finalized in `r` in *anyone's* view. (Not "the highest block with more than 2/3 support
//!   here": a voter who saw 2 of 4 votes for `B` while `B` was finalized elsewhere with a vote
//!   it missed would then build on a conflicting branch.)
//! - round `r` is *complete* ([`VoteTracker::is_complete`]) when it has an estimate and either
//!   all `n` validators were heard from or the estimate is finalized in `r`.
//!
//! A [`Voter`] moves from round `r` to `r+1` when `r` is complete, or when its timeout (an
//! injected `now_ms`) has passed *and* `r` has an estimate; without `t` votes a round never
//! ends, because the voter cannot know what may have been finalized. It catches up by jumping
//! past any later round that has an estimate (from votes of up to [`MAX_ROUNDS_AHEAD`] rounds
//! ahead, or from a [`Justification`]).
//!
//! **Voting rule** ([`Voter::next_vote`]). In round `r` an honest validator votes for the best
//! block among the descendants of the *base*: the highest of its last finalized block and the
//! estimate of round `r−1` (the two lie on one chain). That is its best block when the best
//! block descends from the base, otherwise the longest chain through the base.
//!
//! **Justifications** ([`verify_justification`]): round, target and at least `t` votes of that
//! round from distinct validators, each validly signed and for the target or a descendant.
//!
//! **Block equivocation**: two headers with different pre-seal hashes, both validly sealed by
//! the same author for the same slot ([`AuthorshipTracker`], [`Equivocation::Block`]).
//!
//! # Guarantees
//!
//! - **Same-round accountable safety.** Two conflicting blocks finalized in the same round
//!   have `t` voters each; the two sets share at least `2t − n = n − 2f > n/3` validators, and
//!   each of them signed votes for both branches in that round. The two justifications
//!   together are evidence ([`Equivocation::Vote`]) against more than a third of the set.
//! - **Safety across rounds** when no validator equivocates, whatever the network does
//!   (delays, losses, partitions) and even if up to `f` validators vote for arbitrary blocks.
//!   Let `B` be finalized in round `r` by voter set `S`, `|S| ≥ t`. Any view of round `r` with
//!   `k ≥ t` counted votes misses `w = n − k` validators and sees every other member of `S`
//!   voting as it did, so `B` has support at least `t − w` there: `B` could have been finalized,
//!   and the estimate — the top of the chain of such blocks — descends from `B`. Every honest
//!   vote of round `r+1` therefore descends from `B`; in any view of round `r+1` at most `f`
//!   counted votes do not, so again `B` "could have been finalized" and the estimate descends
//!   from `B`; by induction no honest validator ever votes for a block conflicting with `B`,
//!   and such a block cannot gather `t > f` votes.
//! - **Limit (known, documented):** votes have a single phase. A validator that signs two
//!   votes in one round and shows each to different peers can make an honest validator's
//!   estimate miss a finalized block, and a *later* round could then finalize a conflicting
//!   block with fewer than `n/3` equivocators. The evidence exists wherever both votes are seen.
//!   Full Byzantine safety across rounds needs GRANDPA's two phases (prevote, then precommit
//!   after seeing a prevote supermajority); that would add a stage to [`Vote`].
//! - **Liveness after a partition heals.** While no side of a partition holds `t` validators,
//!   no round ends and nothing is finalized (blocks are still authored). When the partition
//!   heals and the round's votes reach everyone, the round completes with the common estimate;
//!   the next round's votes all descend from it, and as soon as validators agree on the best
//!   chain (the longest one, which the next authored block settles) it is finalized.
//! - **Determinism and robustness.** No clock, randomness or I/O; iteration orders are fixed
//!   (B-tree maps, first-seen counters). No `unwrap` on any input; every refusal is an error
//!   value ([`Error`] and the per-concern enums).
//! - **Restart.** A validator must never vote twice in a round. The node persists
//!   [`Voter::state`] (round, base, finalized block, own vote of the round) before sending each
//!   vote and after each round change, and resumes with [`Voter::restore`], which re-counts its
//!   own vote instead of casting another; re-sending it lets a network that restarted as a
//!   whole finish the round. A voter started in a later round *without* that state casts no
//!   vote until it has learnt a round's estimate.
//!
//! Validator-set changes (eras) are not handled yet: a new set would start again at round 1
//! with its own [`ValidatorSet`], and the signing payload would then need a set id.

pub mod equivocation;
pub mod error;
pub mod fork_tree;
pub mod justification;
pub mod slots;
pub mod tracker;
pub mod validators;
pub mod vote;
pub mod voter;

#[cfg(test)]
mod test_utils;

pub use equivocation::{AuthorshipTracker, Equivocation};
pub use error::{EquivocationError, Error, ForkTreeError, JustificationError, SlotError, ValidatorSetError, VoteError};
pub use fork_tree::{Ancestry, ForkTree};
pub use justification::{verify_justification, Justification};
pub use slots::{
    check_drift, pre_digest, slot_at, verify_header, verify_seal, SlotPreDigest, ENGINE_ID, MAX_DRIFT_SLOTS,
};
pub use tracker::{ImportResult, VoteTracker};
pub use validators::{threshold, ValidatorSet};
pub use vote::{SignedVote, Vote, VOTE_CONTEXT};
pub use voter::{CastVote, VoteOutcome, Voter, VoterState, MAX_ROUNDS_AHEAD};
