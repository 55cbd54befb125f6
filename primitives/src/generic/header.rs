//! Block header and block, encoded exactly as Substrate's `sp_runtime::generic::Header<u32, BlakeTwo256>`.

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use super::digest::Digest;
use crate::{hashing::blake2_256, BlockNumber, H256};

/// A block header: `parent_hash, Compact(number), state_root, extrinsics_root, digest`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "sp_runtime"))]
pub struct Header {
    /// Hash of the parent block.
    pub parent_hash: H256,
    /// Block height; genesis is 0.
    #[codec(compact)]
    pub number: BlockNumber,
    /// Root of the state trie after this block.
    pub state_root: H256,
    /// Root of the trie of this block's extrinsics (keyed by `Compact(index)`).
    pub extrinsics_root: H256,
    /// Consensus and runtime logs.
    pub digest: Digest,
}

impl Header {
    /// The block hash: blake2_256 of the SCALE-encoded header (what every client computes).
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.encode()))
    }
}

/// A block: header plus the opaque, SCALE-encoded extrinsics (each as submitted, with its length
/// prefix inside the `Vec<u8>` encoding, as Substrate's `OpaqueExtrinsic`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// Extrinsics, each the bytes of one `UncheckedExtrinsic` *without* its outer length prefix.
    pub extrinsics: Vec<Vec<u8>>,
}

impl Block {
    /// The block hash (the header's hash).
    pub fn hash(&self) -> H256 {
        self.header.hash()
    }
}
