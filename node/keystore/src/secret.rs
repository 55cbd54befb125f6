//! [`SecretKey`]: a decrypted secp256k1 secret that wipes itself on drop.

use archive_primitives::AccountId20;
use k256::ecdsa::SigningKey;
use zeroize::Zeroize;

use crate::Error;

/// A valid secp256k1 secret key (a non-zero scalar below the group order) with its account.
///
/// The bytes are zeroed when the value is dropped (the [`SigningKey`] inside zeroes its own
/// copy too). `Debug` prints the address only, never the secret.
pub struct SecretKey {
    bytes: [u8; 32],
    signing_key: SigningKey,
    address: AccountId20,
}

impl SecretKey {
    /// Checks `secret` is a valid secp256k1 scalar and wraps a copy of it.
    ///
    /// # Errors
    /// [`Error::InvalidSecretKey`] for zero or a value not below the group order.
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self, Error> {
        let signing_key = SigningKey::from_bytes(secret.into()).map_err(|_| Error::InvalidSecretKey)?;
        let address = address_of_signing_key(&signing_key)?;
        Ok(SecretKey { bytes: *secret, signing_key, address })
    }

    /// The 32 big-endian secret bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The account (Ethereum address) of this key.
    pub fn address(&self) -> AccountId20 {
        self.address
    }

    /// The k256 signing key, for callers that sign with it directly.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey").field("address", &self.address).finish_non_exhaustive()
    }
}

/// The account of a secret key: the last 20 bytes of keccak256 of its uncompressed public key.
///
/// # Errors
/// [`Error::InvalidSecretKey`] if `secret` is not a valid secp256k1 scalar.
pub fn address_of(secret: &[u8; 32]) -> Result<AccountId20, Error> {
    let signing_key = SigningKey::from_bytes(secret.into()).map_err(|_| Error::InvalidSecretKey)?;
    address_of_signing_key(&signing_key)
}

fn address_of_signing_key(key: &SigningKey) -> Result<AccountId20, Error> {
    let point = key.verifying_key().to_encoded_point(false);
    let uncompressed: &[u8; 65] = point.as_bytes().try_into().map_err(|_| Error::InvalidSecretKey)?;
    Ok(AccountId20::from_uncompressed_pubkey(uncompressed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alith, the first Moonbeam/Frontier dev account.
    const ALITH_SECRET: &str = "5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133";

    fn alith() -> [u8; 32] {
        hex::decode(ALITH_SECRET).expect("hex").try_into().expect("32 bytes")
    }

    #[test]
    fn alith_address() {
        let addr = address_of(&alith()).expect("valid");
        assert_eq!(addr.to_string(), "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac");
        let key = SecretKey::from_bytes(&alith()).expect("valid");
        assert_eq!(key.address(), addr);
        assert_eq!(key.bytes(), &alith());
    }

    #[test]
    fn rejects_invalid_scalars() {
        assert!(matches!(address_of(&[0u8; 32]), Err(Error::InvalidSecretKey)));
        assert!(matches!(SecretKey::from_bytes(&[0xff; 32]), Err(Error::InvalidSecretKey)));
        // The group order n itself is not a valid scalar.
        let n: [u8; 32] = hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .expect("hex")
            .try_into()
            .expect("32 bytes");
        assert!(matches!(address_of(&n), Err(Error::InvalidSecretKey)));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let key = SecretKey::from_bytes(&alith()).expect("valid");
        let shown = format!("{key:?}");
        assert!(!shown.to_lowercase().contains(ALITH_SECRET), "{shown}");
        assert!(!shown.contains("5fb92d6e"), "{shown}");
        assert!(shown.contains("0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac"), "{shown}");
    }
}
