//! Sealing headers, and checking seals with the signature cache. The digest formats
//! (`PreRuntime(ENGINE_ID, SCALE(SlotPreDigest))`, then `Seal(ENGINE_ID, 65-byte ECDSA
//! signature of the pre-seal header hash)` last) are `archive-consensus`'s.

use archive_primitives::{AccountId20, DigestItem, EthereumSignature, Header, Pair};

pub use archive_consensus::{SlotPreDigest, ENGINE_ID};

/// Appends the author's seal to a header that carries its pre-digest.
pub fn seal_header(header: &mut Header, pair: &Pair) {
    let pre_hash = header.hash();
    let sig = pair.sign_prehashed(&pre_hash.0);
    header.digest.logs.push(DigestItem::Seal(ENGINE_ID, sig.0.to_vec()));
}

/// Checks a sealed header: the pre-digest names the slot's rightful author among
/// `validators`, and the seal is that author's signature. Returns the pre-seal header and the
/// pre-digest.
///
/// # Errors
/// A human-readable reason.
pub fn verify_seal(header: &Header, validators: &[AccountId20]) -> Result<(Header, SlotPreDigest), String> {
    verify_seal_with(header, validators, &archive_runtime::DirectVerifier)
}

/// [`verify_seal`] recovering the seal's signer through `verifier` (e.g. the signature cache,
/// which a sync batch fills in parallel ahead of import).
///
/// # Errors
/// As [`verify_seal`].
pub fn verify_seal_with(
    header: &Header,
    validators: &[AccountId20],
    verifier: &dyn archive_runtime::SignatureVerifier,
) -> Result<(Header, SlotPreDigest), String> {
    let mut pre = header.clone();
    let seal = match pre.digest.logs.pop() {
        Some(DigestItem::Seal(id, sig)) if id == ENGINE_ID => sig,
        _ => return Err("header has no seal as its last digest item".into()),
    };
    let slot = archive_consensus::pre_digest(&pre).map_err(|e| e.to_string())?;
    if validators.is_empty() {
        return Err("empty validator set".into());
    }
    let expected = validators[(slot.slot % validators.len() as u64) as usize];
    if slot.author != expected {
        return Err(format!("slot {} belongs to {expected}, not {}", slot.slot, slot.author));
    }
    let sig: [u8; 65] = seal.as_slice().try_into().map_err(|_| "seal is not 65 bytes".to_string())?;
    let signer = verifier.recover(&pre.hash().0, &EthereumSignature(sig)).ok_or("seal signature is invalid")?;
    if signer != slot.author {
        return Err(format!("seal signed by {signer}, not by the slot author {}", slot.author));
    }
    Ok((pre, slot))
}

/// The slot a sealed header claims; `None` for genesis, which has no pre-digest.
pub fn slot_of(header: &Header) -> Option<u64> {
    archive_consensus::pre_digest(header).ok().map(|p| p.slot)
}
