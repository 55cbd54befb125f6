//! `AccountId20`: an Ethereum-style 20-byte account (EIP-55 checksummed in text).

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{
    error::{from_hex, Error},
    hashing::keccak_256,
};

/// An account: the last 20 bytes of keccak256 of the uncompressed secp256k1 public key
/// (without its 0x04 prefix). Metadata path `account::AccountId20` (Moonbeam's), which makes
/// @polkadot/api and py-substrate-interface treat addresses as 20-byte Ethereum addresses.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, MaxEncodedLen)]
pub struct AccountId20(pub [u8; 20]);

impl TypeInfo for AccountId20 {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("AccountId20", "account"))
            .composite(scale_info::build::Fields::unnamed().field(|f| f.ty::<[u8; 20]>().type_name("[u8; 20]")))
    }
}

impl AccountId20 {
    /// Derives the account of an uncompressed public key (65 bytes, 0x04 prefix) .
    pub fn from_uncompressed_pubkey(pubkey: &[u8; 65]) -> Self {
        let h = keccak_256(&pubkey[1..]);
        let mut out = [0u8; 20];
        out.copy_from_slice(&h[12..]);
        AccountId20(out)
    }

    /// The EIP-55 mixed-case checksummed form, `0x`-prefixed.
    pub fn to_checksum(&self) -> String {
        let lower = hex::encode(self.0);
        let h = keccak_256(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (h[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

impl From<[u8; 20]> for AccountId20 {
    fn from(b: [u8; 20]) -> Self {
        AccountId20(b)
    }
}

impl std::fmt::Display for AccountId20 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl std::fmt::Debug for AccountId20 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl std::str::FromStr for AccountId20 {
    type Err = Error;
    /// Accepts `0x` + 40 hex digits. All-lower or all-upper case is accepted unchecked; mixed
    /// case must carry a valid EIP-55 checksum.
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = from_hex(s)?;
        let arr: [u8; 20] =
            bytes.as_slice().try_into().map_err(|_| Error::InvalidLength { expected: 20, got: bytes.len() })?;
        let id = AccountId20(arr);
        let digits = s.trim_start_matches("0x").trim_start_matches("0X");
        let has_lower = digits.chars().any(|c| c.is_ascii_lowercase());
        let has_upper = digits.chars().any(|c| c.is_ascii_uppercase());
        if has_lower && has_upper && id.to_checksum()[2..] != *digits {
            return Err(Error::BadChecksum);
        }
        Ok(id)
    }
}

impl serde::Serialize for AccountId20 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_checksum())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId20 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_roundtrip_and_rejects_bad_checksum() {
        let s = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";
        let a: AccountId20 = s.parse().expect("valid");
        assert_eq!(a.to_string(), s);
        assert!("0xf24ff3a9cf04c71dbc94d0b566f7a27b94566cac".parse::<AccountId20>().is_ok());
        assert_eq!("0xF24FF3a9CF04c71Dbc94D0b566f7A27B94566cac".parse::<AccountId20>(), Err(Error::BadChecksum));
        assert!("0x1234".parse::<AccountId20>().is_err());
    }
}
