//! The crate's error types.
//!
//! One enum per concern, each with named fields so callers can match on them, plus [`Error`],
//! which wraps them all for callers that just want `?`.

use archive_primitives::{AccountId20, H256};

/// Any error of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A validator set could not be built.
    #[error(transparent)]
    ValidatorSet(#[from] ValidatorSetError),
    /// A header's slot claim or seal is invalid.
    #[error(transparent)]
    Slot(#[from] SlotError),
    /// The fork tree refused an operation.
    #[error(transparent)]
    ForkTree(#[from] ForkTreeError),
    /// A finality vote was refused.
    #[error(transparent)]
    Vote(#[from] VoteError),
    /// A justification does not prove finality.
    #[error(transparent)]
    Justification(#[from] JustificationError),
    /// Equivocation evidence does not prove an equivocation.
    #[error(transparent)]
    Equivocation(#[from] EquivocationError),
}

/// Why a list of accounts is not a validator set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorSetError {
    /// No validators at all: no slot has an author and nothing can be finalized.
    #[error("the validator set is empty")]
    Empty,
    /// An account appears twice; it would count twice towards the finality threshold.
    #[error("validator {account} appears more than once in the set")]
    Duplicate {
        /// The repeated account.
        account: AccountId20,
    },
}

/// Why a slot computation or a header's slot claim and seal is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// A slot duration of zero milliseconds.
    #[error("slot duration must be at least 1 ms")]
    ZeroSlotDuration,
    /// The last digest item is not an `arcp` seal.
    #[error("header has no seal as its last digest item")]
    MissingSeal,
    /// No decodable `arcp` pre-runtime digest.
    #[error("header has no slot pre-digest")]
    MissingPreDigest,
    /// The seal is not 65 bytes.
    #[error("seal is {len} bytes, expected 65")]
    BadSealLength {
        /// Its length.
        len: usize,
    },
    /// The pre-digest names someone other than the slot's author.
    #[error("slot {slot} belongs to {expected}, not {claimed}")]
    WrongAuthor {
        /// The slot.
        slot: u64,
        /// `validators[slot % n]`.
        expected: AccountId20,
        /// The author named by the pre-digest.
        claimed: AccountId20,
    },
    /// The seal is not a valid signature.
    #[error("seal signature is invalid")]
    BadSeal,
    /// The seal is valid but signed by another key than the slot's author.
    #[error("seal signed by {signer}, not by the slot author {author}")]
    SealSignerMismatch {
        /// Who signed.
        signer: AccountId20,
        /// Who should have.
        author: AccountId20,
    },
    /// The header's slot is more than [`crate::MAX_DRIFT_SLOTS`] ahead of the local slot.
    #[error(
        "header is from the future: slot {slot}, local slot {local_slot}, at most {max_drift} slots ahead allowed"
    )]
    FromTheFuture {
        /// The header's slot.
        slot: u64,
        /// The local slot when it was checked.
        local_slot: u64,
        /// The allowed drift in slots.
        max_drift: u64,
    },
}

/// Why the fork tree refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkTreeError {
    /// The parent is neither the finalized block nor a known non-finalized block (not yet
    /// received, or pruned because it conflicts with finality).
    #[error("block {hash} has unknown parent {parent}")]
    UnknownParent {
        /// The block being inserted.
        hash: H256,
        /// Its parent.
        parent: H256,
    },
    /// The number is not the parent's plus one.
    #[error("block {hash} has number {got}, expected {expected}")]
    BadNumber {
        /// The block being inserted.
        hash: H256,
        /// Parent's number + 1.
        expected: u32,
        /// The number given.
        got: u32,
    },
    /// The hash is already known with another parent or number.
    #[error("block {hash} is already known with another parent or number")]
    Inconsistent {
        /// The block.
        hash: H256,
    },
    /// The block is neither the finalized block nor a known non-finalized block.
    #[error("block {hash} is not in the fork tree")]
    UnknownBlock {
        /// The block.
        hash: H256,
    },
}

/// Why a finality vote was refused (a refused vote changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    /// The vote is for another round than this tracker's.
    #[error("vote is for round {got}, this tracker counts round {expected}")]
    WrongRound {
        /// The tracker's round.
        expected: u64,
        /// The vote's round.
        got: u64,
    },
    /// The vote is of the other stage than this tracker's (a prevote among precommits or the
    /// other way round).
    #[error("vote is a {got}, this tracker counts {expected}s")]
    WrongStage {
        /// The tracker's stage.
        expected: crate::vote::Stage,
        /// The vote's stage.
        got: crate::vote::Stage,
    },
    /// The voter is not in the validator set.
    #[error("{voter} is not a validator")]
    UnknownVoter {
        /// The claimed voter.
        voter: AccountId20,
    },
    /// The signature is invalid or made by another key than the claimed voter's.
    #[error("vote signature is not {voter}'s")]
    BadSignature {
        /// The claimed voter.
        voter: AccountId20,
    },
    /// The round is older than the voter keeps (the current round and the one before).
    #[error("vote for round {round} is stale (current round {current})")]
    StaleRound {
        /// The vote's round.
        round: u64,
        /// The voter's current round.
        current: u64,
    },
    /// The round is more than [`crate::MAX_ROUNDS_AHEAD`] ahead of the current round.
    #[error("vote for round {round} is too far ahead (current round {current})")]
    RoundTooFarAhead {
        /// The vote's round.
        round: u64,
        /// The voter's current round.
        current: u64,
    },
    /// The vote targets a block above the finalized one that the fork tree does not know (yet):
    /// import the block, then the vote again.
    #[error("vote targets unknown block #{number} {hash}")]
    UnknownTarget {
        /// The target's hash.
        hash: H256,
        /// The target's claimed number.
        number: u32,
    },
}

/// Why a justification does not prove that its target is final.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationError {
    /// A vote is for another round than the justification's.
    #[error("vote by {voter} is for round {vote_round}, the justification is for round {round}")]
    WrongRound {
        /// The voter.
        voter: AccountId20,
        /// The vote's round.
        vote_round: u64,
        /// The justification's round.
        round: u64,
    },
    /// A voter is not in the validator set.
    #[error("{voter} is not a validator")]
    UnknownVoter {
        /// The voter.
        voter: AccountId20,
    },
    /// A vote is a prevote: only precommits finalize.
    #[error("the vote by {voter} is a prevote; a justification holds precommits")]
    NotPrecommit {
        /// The voter.
        voter: AccountId20,
    },
    /// A voter appears twice.
    #[error("{voter} votes more than once")]
    DuplicateVoter {
        /// The voter.
        voter: AccountId20,
    },
    /// A vote's signature is invalid or not the voter's.
    #[error("vote signature is not {voter}'s")]
    BadSignature {
        /// The claimed voter.
        voter: AccountId20,
    },
    /// A vote is for a block that is neither the target nor a known descendant of it.
    #[error("vote by {voter} for #{number} {hash} is not for the target or a descendant of it")]
    NotDescendant {
        /// The voter.
        voter: AccountId20,
        /// The vote's target.
        hash: H256,
        /// The vote's target number.
        number: u32,
    },
    /// The target is above the finalized block and not known: import it, then the
    /// justification again.
    #[error("justification target #{number} {hash} is unknown")]
    UnknownTarget {
        /// The target's hash.
        hash: H256,
        /// Its number.
        number: u32,
    },
    /// Fewer valid votes than the threshold.
    #[error("{got} votes, {need} needed")]
    TooFewVotes {
        /// Valid votes.
        got: usize,
        /// `n - (n - 1) / 3`.
        need: usize,
    },
}

/// Why equivocation evidence does not prove an equivocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EquivocationError {
    /// The two votes or headers are the same.
    #[error("the two items are identical")]
    Identical,
    /// The two votes are from different voters or rounds, or the evidence's fields do not
    /// match the votes.
    #[error("the votes are not both from {voter} in round {round} at one stage")]
    VoteMismatch {
        /// The accused voter.
        voter: AccountId20,
        /// The round of the evidence.
        round: u64,
    },
    /// The two headers are not both sealed by the accused author for the slot.
    #[error("the headers are not both {author}'s for slot {slot}")]
    BlockMismatch {
        /// The accused author.
        author: AccountId20,
        /// The slot of the evidence.
        slot: u64,
    },
    /// A vote in the evidence is invalid.
    #[error(transparent)]
    Vote(#[from] VoteError),
    /// A header in the evidence is invalid.
    #[error(transparent)]
    Slot(#[from] SlotError),
}
