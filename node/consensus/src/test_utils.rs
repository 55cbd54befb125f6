//! Helpers shared by the unit tests.

use archive_primitives::{crypto::dev, Digest, DigestItem, Header, Pair, H256};
use parity_scale_codec::Encode;

use crate::{
    slots::{SlotPreDigest, ENGINE_ID},
    validators::ValidatorSet,
};

/// A recognisable hash: `n` in the last 8 bytes.
pub(crate) fn h(n: u64) -> H256 {
    let mut b = [0u8; 32];
    b[24..].copy_from_slice(&n.to_be_bytes());
    H256(b)
}

/// `n` distinct key pairs: the dev accounts first, then fixed secrets.
pub(crate) fn keys(n: usize) -> Vec<Pair> {
    let mut out: Vec<Pair> = dev::all().into_iter().map(|(_, p)| p).take(n).collect();
    let mut seed = 1u8;
    while out.len() < n {
        out.push(Pair::from_secret(&[seed; 32]).expect("valid secret"));
        seed += 1;
    }
    out
}

/// The set of these keys' accounts, in order.
pub(crate) fn validator_set(keys: &[Pair]) -> ValidatorSet {
    ValidatorSet::new(keys.iter().map(Pair::account).collect()).expect("distinct keys")
}

/// A header for `slot` claimed and sealed by `pair`, as `archive-client` builds them; `salt`
/// varies the content (state root) so one slot can get different headers.
pub(crate) fn sealed_header(pair: &Pair, slot: u64, number: u32, parent: H256, salt: u8) -> Header {
    let claim = SlotPreDigest { slot, author: pair.account() };
    let mut header = Header {
        parent_hash: parent,
        number,
        state_root: H256([salt; 32]),
        extrinsics_root: H256::zero(),
        digest: Digest { logs: vec![DigestItem::PreRuntime(ENGINE_ID, claim.encode())] },
    };
    let sig = pair.sign_prehashed(&header.hash().0);
    header.digest.logs.push(DigestItem::Seal(ENGINE_ID, sig.0.to_vec()));
    header
}
