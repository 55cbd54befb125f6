//! Slots: which slot a time falls in, who authors it, and whether a header's slot claim and
//! seal are valid.
//!
//! The header formats are the ones `archive-client` writes (`node/client/src/seal.rs`):
//! `PreRuntime(b"arcp", SCALE(SlotPreDigest { slot: u64, author: AccountId20 }))` somewhere in
//! the digest, and `Seal(b"arcp", 65-byte ECDSA signature of the pre-seal header hash)` last.

use archive_primitives::{AccountId20, DigestItem, EthereumSignature, Header};
use parity_scale_codec::{Decode, Encode};

use crate::{error::SlotError, validators::ValidatorSet};

/// Engine id of slot authoring ("Proof of Archive"), in the pre-digest and the seal.
pub const ENGINE_ID: [u8; 4] = *b"arcp";

/// How many slots a header may be ahead of the local slot (clock skew between validators).
/// A header whose slot is more than this ahead is rejected as from the future; one exactly
/// this far ahead is accepted.
pub const MAX_DRIFT_SLOTS: u64 = 2;

/// The slot of a block and its author; the same type and encoding as `archive-client`'s
/// (`slot` as 8 little-endian bytes, then the 20 account bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SlotPreDigest {
    /// Slot number: milliseconds since the Unix epoch divided by the slot duration.
    pub slot: u64,
    /// The author.
    pub author: AccountId20,
}

/// The slot that `unix_ms` falls in: `unix_ms / slot_duration_ms`.
///
/// # Errors
/// [`SlotError::ZeroSlotDuration`].
pub fn slot_at(unix_ms: u64, slot_duration_ms: u64) -> Result<u64, SlotError> {
    unix_ms.checked_div(slot_duration_ms).ok_or(SlotError::ZeroSlotDuration)
}

/// Rejects a header slot more than [`MAX_DRIFT_SLOTS`] ahead of `local_slot`. Slots in the past
/// are not this check's business (fork choice and finality decide about old blocks).
///
/// # Errors
/// [`SlotError::FromTheFuture`].
pub fn check_drift(slot: u64, local_slot: u64) -> Result<(), SlotError> {
    if slot > local_slot.saturating_add(MAX_DRIFT_SLOTS) {
        return Err(SlotError::FromTheFuture { slot, local_slot, max_drift: MAX_DRIFT_SLOTS });
    }
    Ok(())
}

/// The header's slot pre-digest (the first decodable `arcp` pre-runtime item).
///
/// # Errors
/// [`SlotError::MissingPreDigest`].
pub fn pre_digest(header: &Header) -> Result<SlotPreDigest, SlotError> {
    header
        .digest
        .logs
        .iter()
        .find_map(|d| match d {
            DigestItem::PreRuntime(id, data) if *id == ENGINE_ID => SlotPreDigest::decode(&mut &data[..]).ok(),
            _ => None,
        })
        .ok_or(SlotError::MissingPreDigest)
}

/// Checks a sealed header's slot claim and seal against `validators` (the same rules as
/// `archive-client`'s `verify_seal`): the pre-digest names `validators[slot % n]` and the last
/// digest item is that author's signature of the pre-seal header hash. Returns the pre-seal
/// header and the pre-digest. Does not look at the clock; see [`verify_header`].
///
/// # Errors
/// A [`SlotError`] naming the first problem found.
pub fn verify_seal(header: &Header, validators: &ValidatorSet) -> Result<(Header, SlotPreDigest), SlotError> {
    let mut pre = header.clone();
    let seal = match pre.digest.logs.pop() {
        Some(DigestItem::Seal(id, sig)) if id == ENGINE_ID => sig,
        _ => return Err(SlotError::MissingSeal),
    };
    let claim = pre_digest(&pre)?;
    let expected = validators.slot_author(claim.slot);
    if claim.author != expected {
        return Err(SlotError::WrongAuthor { slot: claim.slot, expected, claimed: claim.author });
    }
    let sig: [u8; 65] = seal.as_slice().try_into().map_err(|_| SlotError::BadSealLength { len: seal.len() })?;
    let signer = EthereumSignature(sig).recover_prehashed(&pre.hash().0).map_err(|_| SlotError::BadSeal)?;
    if signer != claim.author {
        return Err(SlotError::SealSignerMismatch { signer, author: claim.author });
    }
    Ok((pre, claim))
}

/// [`verify_seal`] plus the future check: the header's slot may be at most [`MAX_DRIFT_SLOTS`]
/// ahead of `local_slot` (the caller's `slot_at(now)`).
///
/// # Errors
/// As [`verify_seal`] and [`check_drift`].
pub fn verify_header(
    header: &Header,
    validators: &ValidatorSet,
    local_slot: u64,
) -> Result<(Header, SlotPreDigest), SlotError> {
    // The cheap check first: a far-future header is refused without an ECDSA recovery.
    check_drift(pre_digest(header)?.slot, local_slot)?;
    verify_seal(header, validators)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{keys, sealed_header, validator_set};

    #[test]
    fn slot_is_time_divided_by_duration() {
        assert_eq!(slot_at(0, 2000), Ok(0));
        assert_eq!(slot_at(1999, 2000), Ok(0));
        assert_eq!(slot_at(2000, 2000), Ok(1));
        assert_eq!(slot_at(1_700_000_001_234, 6000), Ok(283_333_333));
        assert_eq!(slot_at(5, 0), Err(SlotError::ZeroSlotDuration));
    }

    #[test]
    fn pre_digest_encoding_is_slot_le_then_author() {
        let d = SlotPreDigest { slot: 0x0102, author: AccountId20([7; 20]) };
        let mut expected = vec![2, 1, 0, 0, 0, 0, 0, 0];
        expected.extend([7; 20]);
        assert_eq!(d.encode(), expected);
    }

    #[test]
    fn drift_of_two_slots_is_accepted_three_is_from_the_future() {
        assert_eq!(check_drift(12, 10), Ok(()));
        assert_eq!(check_drift(3, 10), Ok(()));
        assert_eq!(check_drift(13, 10), Err(SlotError::FromTheFuture { slot: 13, local_slot: 10, max_drift: 2 }));
        assert_eq!(check_drift(u64::MAX, u64::MAX), Ok(()));
    }

    #[test]
    fn valid_header_passes_and_each_bad_part_is_named() {
        let keys = keys(4);
        let set = validator_set(&keys);
        // Slot 5 belongs to validators[1].
        let h = sealed_header(&keys[1], 5, 1, Default::default(), 0);
        let (pre, claim) = verify_header(&h, &set, 5).expect("valid");
        assert_eq!(claim, SlotPreDigest { slot: 5, author: keys[1].account() });
        assert_eq!(pre.digest.logs.len(), h.digest.logs.len() - 1);

        assert_eq!(
            verify_header(&h, &set, 2),
            Err(SlotError::FromTheFuture { slot: 5, local_slot: 2, max_drift: MAX_DRIFT_SLOTS })
        );
        assert!(verify_header(&h, &set, 3).is_ok());

        // Claiming someone else's slot.
        let wrong = sealed_header(&keys[2], 5, 1, Default::default(), 0);
        assert!(matches!(verify_seal(&wrong, &set), Err(SlotError::WrongAuthor { slot: 5, .. })));

        // Right claim, sealed with another key.
        let mut forged = pre.clone();
        forged.digest.logs.push(DigestItem::Seal(ENGINE_ID, keys[0].sign_prehashed(&pre.hash().0).0.to_vec()));
        assert!(matches!(verify_seal(&forged, &set), Err(SlotError::SealSignerMismatch { .. })));

        // Tampered content after sealing.
        let mut tampered = h.clone();
        tampered.number = 2;
        assert!(matches!(verify_seal(&tampered, &set), Err(SlotError::SealSignerMismatch { .. } | SlotError::BadSeal)));

        let mut unsealed = pre.clone();
        assert_eq!(verify_seal(&unsealed, &set), Err(SlotError::MissingSeal));
        unsealed.digest.logs.push(DigestItem::Seal(ENGINE_ID, vec![0; 64]));
        assert_eq!(verify_seal(&unsealed, &set), Err(SlotError::BadSealLength { len: 64 }));

        let mut no_claim = Header { digest: Default::default(), ..pre };
        no_claim.digest.logs.push(DigestItem::Seal(ENGINE_ID, vec![0; 65]));
        assert_eq!(verify_seal(&no_claim, &set), Err(SlotError::MissingPreDigest));
    }
}
