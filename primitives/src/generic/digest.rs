//! Header digest: `sp_runtime::generic::digest::{Digest, DigestItem}`, same variant indices.

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// An item of the header digest. Variant indices are Substrate's, so clients decode it.
///
/// Consensus data lives here: the slot author's pre-digest (`PreRuntime`) and seal (`Seal`, last).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "sp_runtime"))]
pub enum DigestItem {
    /// Opaque data from the runtime for the consensus engine, before the block is built.
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    /// A message from the runtime to the consensus engine.
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    /// The block author's seal; always the last item of a sealed header.
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    /// Anything else.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// Runtime code or heap pages changed.
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

/// The list of digest items of a header.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_primitives", "sp_runtime"))]
pub struct Digest {
    /// The items, in order.
    pub logs: Vec<DigestItem>,
}
