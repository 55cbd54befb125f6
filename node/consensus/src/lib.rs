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
//! use archive_consensus::{slot_at, ForkTree, Round, SignedVote, Stage, ValidatorSet, Vote};
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
//! let mut round = Round::new(1, set, genesis);
//! for stage in [Stage::Prevote, Stage::Precommit] {
//!     for key in &keys[..3] {
//!         let vote = Vote { target_hash: a2, target_number: 2, round: 1, stage };
//!         round.import_vote(SignedVote::sign(vote, key, &genesis)).unwrap();
//!     }
//! }
//! assert_eq!(round.prevote_ghost(&tree), Some((a2, 2))); // 3 prevotes of 4
//! assert_eq!(round.finalized(&tree), Some((a2, 2))); // 3 precommits of 4
//! assert!(round.is_completable(&tree));
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
//! **Votes.** `Vote { target_hash, target_number, round, stage }`, `stage` being a prevote or a
//! precommit ([`Stage`]), signed with
//! `Pair::sign_prehashed(blake2_256(b"arcv" ++ genesis_hash ++ SCALE(vote)))` ([`SignedVote`]).
//! A vote for block `B` counts for `B` and all its ancestors.
//!
//! **Rounds** (GRANDPA's, without primary proposals; [`Round`] has the definitions and the
//! argument). Rounds are numbered from 1; each validator casts at most one prevote and one
//! precommit per round. Per round, from the votes seen:
//! - a voter caught with two different signed votes of one stage is an equivocator: the
//!   evidence is kept ([`Equivocation::Vote`]) and the voter counts for *no* block in that
//!   stage's support (but as "unaccounted for" in the possibility test, and for *every* block
//!   in the prevote GHOST);
//! - *prevote GHOST* `g(V)` ([`Round::prevote_ghost`]): the highest block at least `t`
//!   prevoters voted for;
//! - *finalized in r* ([`Round::finalized`]): the highest block at least `t` counted
//!   *precommits* are for. These blocks form a chain (two sets of `t` voters overlap), so the
//!   highest is unique;
//! - *estimate of r* ([`Round::estimate`]): the highest block on `g(V)`'s ancestry that the
//!   precommits could still finalize in anyone's view (support plus unaccounted-for voters
//!   reaches `t − f`);
//! - *completable* ([`Round::is_completable`]): the estimate can no longer move — it is below
//!   `g(V)`, or no child of `g(V)` is possible; *complete* ([`Round::is_complete`]):
//!   completable and every precommit is in or the estimate is finalized.
//!
//! A [`Voter`] moves from round `r` to `r+1` when `r` is completable and either complete or its
//! timeout (an injected `now_ms`) has passed; a round that is not completable never ends,
//! because the voter cannot know what may have been finalized. It catches up by jumping past
//! any later round that is completable here (from votes of up to [`MAX_ROUNDS_AHEAD`] rounds
//! ahead); a [`Justification`] of a later round finalizes its block and moves the voter past
//! that round, without a base (no votes) unless the round is also completable here.
//!
//! **Voting rule** ([`Voter::next_vote`]). In round `r` an honest validator *prevotes* for the
//! best block among the descendants of the *base*: the highest of its last finalized block and
//! the estimate of round `r−1` (the two lie on one chain) — its best block when that descends
//! from the base, otherwise the longest chain through the base. It *precommits* to `g(V)` once
//! `g(V)` exists and descends from the base, when all prevotes are in, half the round timeout
//! has passed, or the round is already completable.
//!
//! **Justifications** ([`verify_justification`]): round, target and at least `t` precommits of
//! that round from distinct validators, each validly signed and for the target or a descendant.
//!
//! **Block equivocation**: two headers with different pre-seal hashes, both validly sealed by
//! the same author for the same slot ([`AuthorshipTracker`], [`Equivocation::Block`]).
//!
//! # Guarantees
//!
//! - **Safety** (Byzantine, asynchronous): while at most `f` validators misbehave in any way —
//!   equivocating, voting arbitrarily, showing different votes to different peers — and
//!   whatever the network does (delays, losses, partitions), no two conflicting blocks are ever
//!   finalized. Sketch (GRANDPA's Theorem 4.1; [`Round`] has the round-level lemma): if `B` is
//!   finalized in round `r`, every honest validator that completes `r` has an estimate
//!   descending from `B`; so every honest prevote and precommit of later rounds descends from
//!   `B`, every later `g(V)` and estimate lies on `B`'s chain, and a block conflicting with
//!   `B` cannot gather `t > f` precommits.
//! - **Accountability.** Two conflicting blocks finalized in the same round have `t`
//!   precommitters each; the two sets share at least `2t − n > n/3` validators, each of whom
//!   signed precommits for both branches: the two justifications are [`Equivocation::Vote`]
//!   evidence against more than a third of the set.
//! - **Liveness after a partition heals.** While no side of a partition holds `t` validators,
//!   no round ends and nothing is finalized (blocks are still authored). When the partition
//!   heals and the round's votes reach everyone, the round completes with the common estimate;
//!   the next round's votes all descend from it, and as soon as validators agree on the best
//!   chain (the longest one, which the next authored block settles) it is finalized.
//! - **Determinism and robustness.** No clock, randomness or I/O; iteration orders are fixed
//!   (B-tree maps, first-seen counters). No `unwrap` on any input; every refusal is an error
//!   value ([`Error`] and the per-concern enums).
//! - **Restart.** A validator must never sign two votes of one stage in a round. The node
//!   persists [`Voter::state`] (round, base, finalized block, own prevote and precommit of the
//!   round) before sending each vote and after each round change, and resumes with
//!   [`Voter::restore`], which re-counts its own votes instead of casting others; re-sending
//!   them lets a network that restarted as a whole finish the round. A voter started in a
//!   later round *without* that state casts no vote until it has learnt a round's estimate.
//!
//! Validator-set changes are the node's business: each set votes in its own range of round
//! numbers (`archive-service`), so no round is shared by two sets.

pub mod equivocation;
pub mod error;
pub mod fork_tree;
pub mod justification;
pub mod round;
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
pub use round::{Decision, Round};
pub use slots::{
    check_drift, pre_digest, slot_at, verify_header, verify_seal, SlotPreDigest, ENGINE_ID, MAX_DRIFT_SLOTS,
};
pub use tracker::{ImportResult, VoteTracker};
pub use validators::{threshold, ValidatorSet};
pub use vote::{SignedVote, Stage, Vote, VOTE_CONTEXT};
pub use voter::{CastVote, VoteOutcome, Voter, VoterState, MAX_ROUNDS_AHEAD};
