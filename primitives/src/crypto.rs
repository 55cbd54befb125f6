//! secp256k1 keys and 65-byte Ethereum-style signatures (`r ++ s ++ v`, v ∈ {0,1}) over keccak-256.

use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{error::Error, hashing::keccak_256, AccountId20};

/// A 65-byte recoverable signature: `r (32) ++ s (32) ++ v (1)`. SCALE: the 65 raw bytes.
///
/// Metadata path `account::EthereumSignature`, a composite (not an enum), so clients write no
/// signature-type byte — as Moonbeam/Frontier do.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub struct EthereumSignature(pub [u8; 65]);

impl TypeInfo for EthereumSignature {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("EthereumSignature", "account"))
            .composite(scale_info::build::Fields::unnamed().field(|f| f.ty::<[u8; 65]>().type_name("[u8; 65]")))
    }
}

impl std::fmt::Debug for EthereumSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::error::to_hex(&self.0))
    }
}

impl EthereumSignature {
    /// Recovers the signer's account from a 32-byte message hash.
    ///
    /// Accepts `v` as 0/1 or 27/28. Rejects high-`s` signatures (malleable: a second valid
    /// signature would give the same transaction a second hash).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if the bytes are not a valid, recoverable, low-s signature.
    pub fn recover_prehashed(&self, prehash: &[u8; 32]) -> Result<AccountId20, Error> {
        let sig = Signature::from_slice(&self.0[..64]).map_err(|_| Error::InvalidSignature)?;
        if sig.normalize_s().is_some() {
            return Err(Error::InvalidSignature);
        }
        let v = match self.0[64] {
            v @ 0..=1 => v,
            v @ 27..=28 => v - 27,
            _ => return Err(Error::InvalidSignature),
        };
        let rid = RecoveryId::from_byte(v).ok_or(Error::InvalidSignature)?;
        let key = VerifyingKey::recover_from_prehash(prehash, &sig, rid).map_err(|_| Error::InvalidSignature)?;
        Ok(account_of(&key))
    }

    /// Recovers the signer of `message` (signed as keccak256(message)).
    ///
    /// # Errors
    /// As [`EthereumSignature::recover_prehashed`].
    pub fn recover(&self, message: &[u8]) -> Result<AccountId20, Error> {
        self.recover_prehashed(&keccak_256(message))
    }
}

fn account_of(key: &VerifyingKey) -> AccountId20 {
    let point = key.to_encoded_point(false);
    let mut bytes = [0u8; 65];
    bytes.copy_from_slice(point.as_bytes());
    AccountId20::from_uncompressed_pubkey(&bytes)
}

/// A secp256k1 key pair with its account.
#[derive(Clone)]
pub struct Pair {
    key: SigningKey,
    account: AccountId20,
}

impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pair({})", self.account)
    }
}

impl Pair {
    /// Builds a pair from a 32-byte secret.
    ///
    /// # Errors
    /// [`Error::InvalidSecretKey`] if the secret is zero or not below the curve order.
    pub fn from_secret(secret: &[u8; 32]) -> Result<Pair, Error> {
        let key = SigningKey::from_slice(secret).map_err(|_| Error::InvalidSecretKey)?;
        let account = account_of(key.verifying_key());
        Ok(Pair { key, account })
    }

    /// Builds a pair from a `0x`-prefixed hex secret.
    ///
    /// # Errors
    /// [`Error::InvalidHex`], [`Error::InvalidLength`] or [`Error::InvalidSecretKey`].
    pub fn from_hex_secret(s: &str) -> Result<Pair, Error> {
        let bytes = crate::error::from_hex(s)?;
        let arr: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| Error::InvalidLength { expected: 32, got: bytes.len() })?;
        Pair::from_secret(&arr)
    }

    /// The account of this key.
    pub fn account(&self) -> AccountId20 {
        self.account
    }

    /// The 32-byte secret (handle with care).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes().into()
    }

    /// Signs a 32-byte message hash (deterministic RFC 6979 nonce, low-s).
    pub fn sign_prehashed(&self, prehash: &[u8; 32]) -> EthereumSignature {
        let (sig, rid) =
            self.key.sign_prehash_recoverable(prehash).expect("signing a 32-byte prehash with a valid key cannot fail");
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&sig.to_bytes());
        out[64] = rid.to_byte();
        EthereumSignature(out)
    }

    /// Signs keccak256(message).
    pub fn sign(&self, message: &[u8]) -> EthereumSignature {
        self.sign_prehashed(&keccak_256(message))
    }
}

/// The well-known Ethereum-style development accounts (Moonbeam's), funded in dev/local specs only.
pub mod dev {
    use super::Pair;

    /// (name, secret key hex) of each dev account; Alith is the dev validator.
    pub const DEV_ACCOUNTS: [(&str, &str); 6] = [
        ("alith", "0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133"),
        ("baltathar", "0x8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b"),
        ("charleth", "0x0b6e18cafb6ed99687ec547bd28139cafdd2bffe70e6b688025de6b445aa5c5b"),
        ("dorothy", "0x39539ab1876910bbf3a223d84a29e28f1cb4e2e456503e7e91ed39b2e7223d68"),
        ("ethan", "0x7dce9bc8babb68fec1409be38c8e1a52650206a7ed90ff956ae8a6d15eeaaef4"),
        ("faith", "0xb9d2ea9a615f3165812e8d44de0d24da9bbd164b65c4f0573e1ce2c8dbd9c8df"),
    ];

    /// The dev key pair with this (case-insensitive) name, e.g. "alith".
    pub fn pair(name: &str) -> Option<Pair> {
        DEV_ACCOUNTS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).and_then(|(_, s)| Pair::from_hex_secret(s).ok())
    }

    /// All dev pairs, in table order.
    pub fn all() -> Vec<(&'static str, Pair)> {
        DEV_ACCOUNTS.iter().filter_map(|(n, s)| Pair::from_hex_secret(s).ok().map(|p| (*n, p))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_derive_their_published_addresses() {
        let expected = [
            "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac",
            "0x3Cd0A705a2DC65e5b1E1205896BaA2be8A07c6e0",
            "0x798d4Ba9baf0064Ec19eB4F0a1a45785ae9D6DFc",
            "0x773539d4Ac0e786233D90A233654ccEE26a613D9",
            "0xFf64d3F6efE2317EE2807d223a0Bdc4c0c49dfDB",
            "0xC0F0f4ab324C46e55D02D0033343B4Be8A55532d",
        ];
        let all = dev::all();
        assert_eq!(all.len(), 6);
        for ((_, p), e) in all.iter().zip(expected) {
            assert_eq!(p.account().to_string(), e);
        }
    }

    #[test]
    fn sign_recover_roundtrip_and_rejections() {
        let alith = dev::pair("alith").expect("dev key");
        let bob = dev::pair("baltathar").expect("dev key");
        let sig = alith.sign(b"hello");
        assert_eq!(sig.recover(b"hello"), Ok(alith.account()));
        assert_ne!(sig.recover(b"hellp"), Ok(alith.account()));
        assert_ne!(bob.sign(b"hello").recover(b"hello"), Ok(alith.account()));
        let mut bad_v = sig;
        bad_v.0[64] = 7;
        assert_eq!(bad_v.recover(b"hello"), Err(Error::InvalidSignature));
        assert_eq!(EthereumSignature([0u8; 65]).recover(b"hello"), Err(Error::InvalidSignature));
        assert!(Pair::from_secret(&[0u8; 32]).is_err());
    }

    #[test]
    fn high_s_is_rejected() {
        let alith = dev::pair("alith").expect("dev key");
        let sig = alith.sign(b"m");
        let parsed = Signature::from_slice(&sig.0[..64]).expect("valid");
        // Flip s to n - s: the mathematically equivalent, malleated signature.
        let (r, s) = parsed.split_scalars();
        let flipped = Signature::from_scalars(r, -*s).expect("valid scalars");
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&flipped.to_bytes());
        bytes[64] = sig.0[64] ^ 1;
        assert_eq!(EthereumSignature(bytes).recover(b"m"), Err(Error::InvalidSignature));
    }
}
