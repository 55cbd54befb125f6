//! `H256`: a 32-byte hash with Substrate's encodings (SCALE: 32 raw bytes; JSON: `0x` hex).

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::error::{from_hex, to_hex, Error};

/// A 32-byte hash. Its metadata path is `primitive_types::H256`, as in Substrate.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, MaxEncodedLen)]
pub struct H256(pub [u8; 32]);

impl TypeInfo for H256 {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("H256", "primitive_types"))
            .composite(scale_info::build::Fields::unnamed().field(|f| f.ty::<[u8; 32]>().type_name("[u8; 32]")))
    }
}

impl H256 {
    /// The all-zero hash.
    pub const fn zero() -> Self {
        H256([0u8; 32])
    }
    /// Borrows the bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// Parses from a byte slice.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] unless `b` has exactly 32 bytes.
    pub fn from_slice(b: &[u8]) -> Result<Self, Error> {
        let arr: [u8; 32] = b.try_into().map_err(|_| Error::InvalidLength { expected: 32, got: b.len() })?;
        Ok(H256(arr))
    }
}

impl From<[u8; 32]> for H256 {
    fn from(b: [u8; 32]) -> Self {
        H256(b)
    }
}

impl AsRef<[u8]> for H256 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for H256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl std::fmt::Display for H256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl std::str::FromStr for H256 {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        H256::from_slice(&from_hex(s)?)
    }
}

impl serde::Serialize for H256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for H256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
