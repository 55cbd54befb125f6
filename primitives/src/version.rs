//! `RuntimeVersion`: what `Core_version` returns (SCALE) and `state_getRuntimeVersion` shows (JSON).

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// An 8-byte runtime-API identifier: blake2_64 of the API's trait name.
pub type ApiId = [u8; 8];

/// The runtime's version, encoded like Substrate's `sp_version::RuntimeVersion` (field order is
/// wire format: subxt decodes `Core_version` positionally).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RuntimeVersion {
    /// Identifies the runtime family ("archivechain").
    pub spec_name: String,
    /// Identifies the implementation.
    pub impl_name: String,
    /// Version of the authorship interface.
    pub authoring_version: u32,
    /// Bumped on any change of the state-transition function.
    pub spec_version: u32,
    /// Bumped on implementation-only changes.
    pub impl_version: u32,
    /// Runtime APIs and their versions.
    pub apis: Vec<(ApiId, u32)>,
    /// Bumped when extrinsic encoding or signed extensions change.
    pub transaction_version: u32,
    /// State-trie version (Substrate's `state_version`); always 1 here.
    pub state_version: u8,
}

/// JSON shape used by `state_getRuntimeVersion` / `state_runtimeVersion` notifications.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersionJson {
    pub spec_name: String,
    pub impl_name: String,
    pub authoring_version: u32,
    pub spec_version: u32,
    pub impl_version: u32,
    /// `[["0x<8-byte id>", version], ...]`
    pub apis: Vec<(String, u32)>,
    pub transaction_version: u32,
    pub state_version: u8,
}

impl From<&RuntimeVersion> for RuntimeVersionJson {
    fn from(v: &RuntimeVersion) -> Self {
        RuntimeVersionJson {
            spec_name: v.spec_name.clone(),
            impl_name: v.impl_name.clone(),
            authoring_version: v.authoring_version,
            spec_version: v.spec_version,
            impl_version: v.impl_version,
            apis: v.apis.iter().map(|(id, ver)| (crate::error::to_hex(id), *ver)).collect(),
            transaction_version: v.transaction_version,
            state_version: v.state_version,
        }
    }
}
