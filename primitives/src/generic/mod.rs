//! Substrate's `sp_runtime::generic` types, with the same encodings and metadata paths
//! (`archive_primitives::generic::*` is renamed to `sp_runtime::generic::*` in metadata).

pub mod digest;
pub mod era;
pub mod header;
pub mod unchecked_extrinsic;
