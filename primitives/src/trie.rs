//! The state-trie layout: an Ethereum-style Merkle-Patricia trie (branch, extension and leaf
//! nodes) with keccak-256 node hashing, as implemented by `trie-db` with `reference-trie`'s
//! `ExtensionLayout` codec.
//!
//! The same layout roots a block's extrinsics (`extrinsics_root`), keyed by `Compact(index)`.

use parity_scale_codec::{Compact, Encode};
use trie_db::TrieLayout;

use crate::H256;

/// The trie layout used for state and extrinsics roots.
pub type Layout = reference_trie::ExtensionLayout;
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
    H256(reference_trie::calc_root::<Layout, _, _, _>(input))
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
}
