//! The slot pre-digest and the author's seal in header digests.
//!
//! `PreRuntime(ENGINE_ID, SCALE(SlotPreDigest))` names the slot and author; the last item is
//! `Seal(ENGINE_ID, 65-byte ECDSA signature of the pre-seal header hash)`.

use archive_primitives::{AccountId20, DigestItem, EthereumSignature, Header, Pair};
use parity_scale_codec::{Decode, Encode};

/// Consensus engine id of ArchiveChain's slot authoring ("Proof of Archive").
pub const ENGINE_ID: [u8; 4] = *b"arcp";

/// The slot of a block and its author.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SlotPreDigest {
    /// Slot number: milliseconds since the epoch divided by the slot duration.
    pub slot: u64,
    /// The author.
    pub author: AccountId20,
}

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
    let slot = pre
        .digest
        .logs
        .iter()
        .find_map(|d| match d {
            DigestItem::PreRuntime(id, data) if *id == ENGINE_ID => SlotPreDigest::decode(&mut &data[..]).ok(),
            _ => None,
        })
        .ok_or("header has no slot pre-digest")?;
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
