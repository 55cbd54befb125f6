//! Weights: the cost of a call in computation time and proof size (`sp_weights::weight_v2::Weight`).

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Computation time in picoseconds (`ref_time`) and proof size in bytes; both compact-encoded.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_weights"))]
pub struct Weight {
    /// Picoseconds of computation on the reference machine.
    #[codec(compact)]
    pub ref_time: u64,
    /// Bytes of storage proof.
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    /// The zero weight.
    pub const fn zero() -> Self {
        Weight { ref_time: 0, proof_size: 0 }
    }
    /// A weight of `ref_time` picoseconds and no proof.
    pub const fn from_parts(ref_time: u64, proof_size: u64) -> Self {
        Weight { ref_time, proof_size }
    }
    /// Component-wise saturating addition.
    pub const fn saturating_add(self, o: Weight) -> Self {
        Weight {
            ref_time: self.ref_time.saturating_add(o.ref_time),
            proof_size: self.proof_size.saturating_add(o.proof_size),
        }
    }
    /// Whether any component exceeds `limit`'s.
    pub const fn any_gt(self, limit: Weight) -> bool {
        self.ref_time > limit.ref_time || self.proof_size > limit.proof_size
    }
}
