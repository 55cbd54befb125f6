//! Storage keys: `twox128(pallet) ++ twox128(item) ++ hasher(key)`, as every Substrate client
//! derives them from metadata.

use crate::hashing::{blake2_128, blake2_256, twox_128, twox_64};

/// The key hashers of Substrate's metadata (`frame_metadata::StorageHasher`), same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hasher {
    Blake2_128,
    Blake2_256,
    Blake2_128Concat,
    Twox128,
    Twox256,
    Twox64Concat,
    Identity,
}

impl Hasher {
    /// Hashes an already SCALE-encoded key.
    pub fn hash(self, encoded_key: &[u8]) -> Vec<u8> {
        match self {
            Hasher::Blake2_128 => blake2_128(encoded_key).to_vec(),
            Hasher::Blake2_256 => blake2_256(encoded_key).to_vec(),
            Hasher::Blake2_128Concat => [&blake2_128(encoded_key)[..], encoded_key].concat(),
            Hasher::Twox128 => twox_128(encoded_key).to_vec(),
            Hasher::Twox256 => {
                let mut out = twox_128(encoded_key).to_vec();
                // Substrate's twox_256: seeds 0..4; the upper half uses seeds 2 and 3.
                out.extend_from_slice(&twox_hash::XxHash64::oneshot(2, encoded_key).to_le_bytes());
                out.extend_from_slice(&twox_hash::XxHash64::oneshot(3, encoded_key).to_le_bytes());
                out
            }
            Hasher::Twox64Concat => [&twox_64(encoded_key)[..], encoded_key].concat(),
            Hasher::Identity => encoded_key.to_vec(),
        }
    }

    /// How many leading bytes of a hashed key are the hash (the rest, for `*Concat` and
    /// `Identity`, is the original key). `None` for opaque hashers.
    pub fn concat_prefix_len(self) -> Option<usize> {
        match self {
            Hasher::Blake2_128Concat => Some(16),
            Hasher::Twox64Concat => Some(8),
            Hasher::Identity => Some(0),
            _ => None,
        }
    }
}

/// `twox128(pallet) ++ twox128(item)`: the key of a plain value and the prefix of a map.
pub fn storage_prefix(pallet: &str, item: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&twox_128(pallet.as_bytes()));
    out[16..].copy_from_slice(&twox_128(item.as_bytes()));
    out
}

/// The key of a map entry: `storage_prefix(pallet, item) ++ hasher(encoded_key)`.
pub fn map_key(pallet: &str, item: &str, hasher: Hasher, encoded_key: &[u8]) -> Vec<u8> {
    let mut k = storage_prefix(pallet, item).to_vec();
    k.extend(hasher.hash(encoded_key));
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_events_key_is_substrates() {
        assert_eq!(
            hex::encode(storage_prefix("System", "Events")),
            "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
        );
        assert_eq!(
            hex::encode(storage_prefix("System", "Number")),
            "26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac"
        );
    }
}
