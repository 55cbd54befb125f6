//! The state-trie layout: a Merkle-Patricia trie with keccak-256 node hashing, as implemented by
//! `trie-db` with `reference-trie`'s `NoExtensionLayout` codec (Substrate's node format: branch
//! nodes carry the shared partial key, so there are no extension nodes, and a partial key may
//! hold up to 65 535 nibbles).
//!
//! Why not the extension layout: its node header stores a partial key's length in one byte,
//! so a leaf whose remaining key exceeds 125 nibbles cannot be encoded (trie-db panics). Any
//! pallet holding a single map entry with a 64-byte key (e.g. `Identity.Roles`) hits that.
//!
//! The same layout roots a block's extrinsics (`extrinsics_root`), keyed by `Compact(index)`.

use parity_scale_codec::{Compact, Encode};
use trie_db::TrieLayout;

use crate::H256;

/// The trie layout used for state and extrinsics roots.
pub type Layout = reference_trie::NoExtensionLayout;
/// The trie node hasher (keccak-256).
pub type Hasher = keccak_hasher::KeccakHasher;

/// Root of the empty trie.
pub fn empty_root() -> H256 {
    trie_root(Vec::<(Vec<u8>, Vec<u8>)>::new())
}

/// Root of a trie built from the given key/value pairs (order does not matter).
pub fn trie_root<I, K, V>(input: I) -> H256
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<[u8]> + Ord + std::fmt::Debug,
    V: AsRef<[u8]> + std::fmt::Debug,
{
    // The builder needs its input sorted by key and unique (it walks the trie left to right);
    // the last value of a repeated key wins.
    let sorted: std::collections::BTreeMap<K, V> = input.into_iter().collect();
    H256(reference_trie::calc_root::<Layout, _, _, _>(sorted))
}

/// Root of the trie that maps `Compact(i)` to the i-th item (Substrate's `ordered_trie_root`).
pub fn ordered_trie_root<V: AsRef<[u8]> + std::fmt::Debug>(items: &[V]) -> H256 {
    trie_root(items.iter().enumerate().map(|(i, v)| (Compact(i as u32).encode(), v.as_ref().to_vec())))
}

/// The layout's hash output is 32 bytes; this fails to compile otherwise.
const _: fn(<<Layout as TrieLayout>::Hash as hash_db::Hasher>::Out) -> [u8; 32] = |h| h;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_stable_and_ordered_root_depends_on_order() {
        assert_eq!(empty_root(), empty_root());
        assert_ne!(empty_root(), trie_root([(b"k".to_vec(), b"v".to_vec())]));
        let a = ordered_trie_root(&[b"x".to_vec(), b"y".to_vec()]);
        let b = ordered_trie_root(&[b"y".to_vec(), b"x".to_vec()]);
        assert_ne!(a, b);
    }

    #[test]
    fn input_order_does_not_matter_even_past_64_items() {
        // Compact(64) = 0x0101 sorts before Compact(1) = 0x04: the builder must get sorted keys.
        let items: Vec<Vec<u8>> = (0..200u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let root = ordered_trie_root(&items);
        let pairs: Vec<(Vec<u8>, Vec<u8>)> =
            items.iter().enumerate().map(|(i, v)| (Compact(i as u32).encode(), v.clone())).rev().collect();
        assert_eq!(trie_root(pairs), root);
    }

    #[test]
    fn a_lone_long_key_has_a_root() {
        // One 100-byte key: its leaf keeps all 200 nibbles as its partial key.
        let long = vec![0xab; 100];
        assert_ne!(trie_root([(long.clone(), b"v".to_vec())]), empty_root());
        assert_ne!(trie_root([(long, b"v".to_vec()), (vec![0xab; 99], b"w".to_vec())]), empty_root());
    }
}
