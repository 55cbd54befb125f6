//! Finality votes and their signatures.

use archive_primitives::{hashing::blake2_256, AccountId20, EthereumSignature, Pair, H256};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::error::VoteError;

/// Domain separator of vote signatures, so a vote signature can never be mistaken for a seal or
/// a transaction signature.
pub const VOTE_CONTEXT: [u8; 4] = *b"arcv";

/// The two phases of a finality round (GRANDPA's): validators first *prevote* for their best
/// chain, then *precommit* to the highest block a supermajority prevoted for. Only precommits
/// finalize.
///
/// SCALE: one byte, `0` prevote, `1` precommit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, TypeInfo)]
pub enum Stage {
    /// "My best chain (through the previous round's estimate) ends at the target."
    #[codec(index = 0)]
    Prevote,
    /// "More than 2/3 prevoted for the target or its descendants, as far as I have seen."
    #[codec(index = 1)]
    Precommit,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Prevote => "prevote",
            Stage::Precommit => "precommit",
        })
    }
}

/// A finality vote: "in `round`, at `stage`, I vote for `target`". A vote for a block counts for
/// that block and all its ancestors.
///
/// SCALE: `target_hash` (32 bytes), `target_number` (u32 LE, not compact), `round` (u64 LE),
/// `stage` (one byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, TypeInfo)]
pub struct Vote {
    /// The voted block.
    pub target_hash: H256,
    /// Its number.
    pub target_number: u32,
    /// The round the vote is cast in.
    pub round: u64,
    /// Prevote or precommit.
    pub stage: Stage,
}

impl Vote {
    /// The 32 bytes that are signed: `blake2_256(b"arcv" ++ genesis_hash ++ SCALE(vote))`. The
    /// genesis hash binds the vote to one chain.
    pub fn signing_hash(&self, genesis_hash: &H256) -> [u8; 32] {
        let mut payload = Vec::with_capacity(4 + 32 + 45);
        payload.extend_from_slice(&VOTE_CONTEXT);
        payload.extend_from_slice(genesis_hash.as_bytes());
        self.encode_to(&mut payload);
        blake2_256(&payload)
    }
}

/// A vote with its voter and the voter's ECDSA signature of [`Vote::signing_hash`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SignedVote {
    /// The vote.
    pub vote: Vote,
    /// Who claims to have cast it.
    pub voter: AccountId20,
    /// `voter`'s signature (`Pair::sign_prehashed` of the signing hash).
    pub signature: EthereumSignature,
}

impl SignedVote {
    /// Signs `vote` with `pair` for the chain of `genesis_hash`.
    pub fn sign(vote: Vote, pair: &Pair, genesis_hash: &H256) -> Self {
        SignedVote { vote, voter: pair.account(), signature: pair.sign_prehashed(&vote.signing_hash(genesis_hash)) }
    }

    /// Checks that the signature is `voter`'s over this vote on the chain of `genesis_hash`.
    /// Does not check that the voter is a validator.
    ///
    /// # Errors
    /// [`VoteError::BadSignature`].
    pub fn verify_signature(&self, genesis_hash: &H256) -> Result<(), VoteError> {
        match self.signature.recover_prehashed(&self.vote.signing_hash(genesis_hash)) {
            Ok(signer) if signer == self.voter => Ok(()),
            _ => Err(VoteError::BadSignature { voter: self.voter }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{h, keys};

    #[test]
    fn vote_encoding_and_signing_hash_are_pinned() {
        let v = Vote { target_hash: h(1), target_number: 0x0102_0304, round: 5, stage: Stage::Precommit };
        let enc = v.encode();
        assert_eq!(enc.len(), 45);
        assert_eq!(&enc[..32], h(1).as_bytes());
        assert_eq!(&enc[32..36], &[4, 3, 2, 1]);
        assert_eq!(&enc[36..44], &[5, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(enc[44], 1);
        assert_eq!(Vote { stage: Stage::Prevote, ..v }.encode()[44], 0);
        let mut payload = b"arcv".to_vec();
        payload.extend_from_slice(h(7).as_bytes());
        payload.extend_from_slice(&enc);
        assert_eq!(v.signing_hash(&h(7)), blake2_256(&payload));
        assert_ne!(v.signing_hash(&h(7)), v.signing_hash(&h(8)), "bound to the chain");
        assert_ne!(v.signing_hash(&h(7)), Vote { stage: Stage::Prevote, ..v }.signing_hash(&h(7)), "and to the stage");
    }

    #[test]
    fn signature_roundtrip_and_rejections() {
        let k = keys(2);
        let genesis = h(7);
        let v = Vote { target_hash: h(1), target_number: 1, round: 1, stage: Stage::Prevote };
        let s = SignedVote::sign(v, &k[0], &genesis);
        assert_eq!(s.voter, k[0].account());
        assert_eq!(s.verify_signature(&genesis), Ok(()));
        assert_eq!(SignedVote::decode(&mut &s.encode()[..]), Ok(s));
        let bad = VoteError::BadSignature { voter: k[0].account() };
        assert_eq!(s.verify_signature(&h(8)), Err(bad.clone()), "other chain");
        let other_round = SignedVote { vote: Vote { round: 2, ..v }, ..s };
        assert_eq!(other_round.verify_signature(&genesis), Err(bad.clone()), "other content");
        let impostor = SignedVote { voter: k[1].account(), ..s };
        assert_eq!(impostor.verify_signature(&genesis), Err(VoteError::BadSignature { voter: k[1].account() }));
        let garbage = SignedVote { signature: EthereumSignature([0; 65]), ..s };
        assert_eq!(garbage.verify_signature(&genesis), Err(bad));
    }
}
