//! The hash functions of the wire formats: blake2 (block/extrinsic hashes, map hashers),
//! xxhash "twox" (storage prefixes) and keccak-256 (trie nodes, addresses, signatures).

use blake2::digest::{consts::U16, consts::U32, Digest as _};
use sha3::Keccak256;

type Blake2b256 = blake2::Blake2b<U32>;
type Blake2b128 = blake2::Blake2b<U16>;

/// blake2b with a 32-byte output.
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    Blake2b256::digest(data).into()
}

/// blake2b with a 16-byte output.
pub fn blake2_128(data: &[u8]) -> [u8; 16] {
    Blake2b128::digest(data).into()
}

/// keccak-256 (Ethereum's, not NIST SHA3-256).
pub fn keccak_256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// xxhash64 with seed 0, little-endian.
pub fn twox_64(data: &[u8]) -> [u8; 8] {
    twox_hash::XxHash64::oneshot(0, data).to_le_bytes()
}

/// xxhash64 with seeds 0 and 1, each little-endian, concatenated (Substrate's `twox_128`).
pub fn twox_128(data: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&twox_hash::XxHash64::oneshot(0, data).to_le_bytes());
    out[8..].copy_from_slice(&twox_hash::XxHash64::oneshot(1, data).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twox_128_matches_substrate() {
        // Substrate's well-known `twox128("System")`.
        assert_eq!(hex::encode(twox_128(b"System")), "26aa394eea5630e07c48ae0c9558cef7");
        assert_eq!(hex::encode(twox_128(b"Account")), "b99d880ec681799c0cf30e8886371da9");
    }

    #[test]
    fn blake2_256_of_empty() {
        assert_eq!(hex::encode(blake2_256(b"")), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    }

    #[test]
    fn keccak_256_of_empty() {
        assert_eq!(hex::encode(keccak_256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }
}
