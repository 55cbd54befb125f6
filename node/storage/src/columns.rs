//! On-disk layout: column families, meta keys, key and value encodings.
//!
//! | column           | key                           | value                                   |
//! |------------------|-------------------------------|-----------------------------------------|
//! | `meta`           | see the `META_*` constants    | magic, version, genesis, best, ...      |
//! | `headers`        | block hash                    | SCALE `Header`                          |
//! | `bodies`         | block hash                    | SCALE `Vec<Vec<u8>>`                    |
//! | `justifications` | block hash                    | raw justification bytes                 |
//! | `canonical`      | block number (u32 big-endian) | block hash                              |
//! | `tx_index`       | extrinsic hash                | SCALE `(block hash, u32 index)`         |
//! | `trie_nodes`     | node hash                     | u32 little-endian refcount ++ node      |
//! | `prune_journal`  | number (BE) ++ block hash     | SCALE [`crate::pruning::JournalRecord`] |
//! | `offchain`       | caller's key                  | caller's value                          |

use archive_primitives::{BlockNumber, H256};

/// Database metadata: magic, format version and chain pointers.
pub(crate) const META: &str = "meta";
/// Block hash → SCALE header.
pub(crate) const HEADERS: &str = "headers";
/// Block hash → SCALE `Vec<Vec<u8>>` of opaque extrinsics.
pub(crate) const BODIES: &str = "bodies";
/// Block hash → justification bytes.
pub(crate) const JUSTIFICATIONS: &str = "justifications";
/// Big-endian block number → hash of the best chain's block at that height.
pub(crate) const CANONICAL: &str = "canonical";
/// Extrinsic hash → SCALE `(block hash, index)`.
pub(crate) const TX_INDEX: &str = "tx_index";
/// Trie node hash → refcount ++ encoded node.
pub(crate) const TRIE_NODES: &str = "trie_nodes";
/// Block number ++ hash → the nodes that block inserted and made unreferenced.
pub(crate) const PRUNE_JOURNAL: &str = "prune_journal";
/// Off-chain worker storage.
pub(crate) const OFFCHAIN: &str = "offchain";

/// Every column family the database owns.
pub(crate) const ALL: [&str; 9] =
    [META, HEADERS, BODIES, JUSTIFICATIONS, CANONICAL, TX_INDEX, TRIE_NODES, PRUNE_JOURNAL, OFFCHAIN];

/// Identifies a database written by this crate.
pub(crate) const MAGIC: &[u8] = b"archivechain-storage";
/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// `meta` key of [`MAGIC`].
pub(crate) const META_MAGIC: &[u8] = b"magic";
/// `meta` key of the format version (u32 little-endian).
pub(crate) const META_VERSION: &[u8] = b"version";
/// `meta` key of the genesis hash.
pub(crate) const META_GENESIS: &[u8] = b"genesis";
/// `meta` key of the best block, SCALE `(H256, u32)`.
pub(crate) const META_BEST: &[u8] = b"best";
/// `meta` key of the finalized block, SCALE `(H256, u32)`.
pub(crate) const META_FINALIZED: &[u8] = b"finalized";
/// `meta` key of the highest block number whose prune journal was applied, SCALE `u32`.
pub(crate) const META_PRUNED_UP_TO: &[u8] = b"pruned_up_to";

/// Key of the canonical-index entry for `number`: big-endian, so keys sort by number.
pub(crate) fn number_key(number: BlockNumber) -> [u8; 4] {
    number.to_be_bytes()
}

/// Key of a prune-journal record: big-endian number, then the block hash.
pub(crate) fn journal_key(number: BlockNumber, hash: &H256) -> [u8; 36] {
    let mut key = [0u8; 36];
    key[..4].copy_from_slice(&number.to_be_bytes());
    key[4..].copy_from_slice(&hash.0);
    key
}

/// Encodes a trie-node value: refcount (u32 LE) followed by the node bytes.
pub(crate) fn encode_node(refcount: u32, node: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(4 + node.len());
    value.extend_from_slice(&refcount.to_le_bytes());
    value.extend_from_slice(node);
    value
}

/// Splits a trie-node value into refcount and node bytes; `None` if it is too short.
pub(crate) fn decode_node(value: &[u8]) -> Option<(u32, &[u8])> {
    let (rc, node) = value.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*rc), node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_encoding_round_trips_and_rejects_short_values() {
        let v = encode_node(7, b"node");
        assert_eq!(decode_node(&v), Some((7, &b"node"[..])));
        assert_eq!(decode_node(&[1, 2, 3]), None);
    }

    #[test]
    fn number_keys_sort_by_number() {
        assert!(number_key(255) < number_key(256));
        assert!(journal_key(1, &H256([0xff; 32])) < journal_key(2, &H256::zero()));
    }
}
