//! Encrypted secp256k1 account keys on disk, as Ethereum keystore v3 (Web3 Secret Storage) JSON.
//!
//! # What this crate owns
//!
//! - The key file format: [`encrypt_key`] writes scrypt + AES-128-CTR v3 JSON (the format geth,
//!   MetaMask and ethers use); [`decrypt_key_json`] / [`decrypt_key_file`] also read the
//!   `pbkdf2` (hmac-sha256) variant other wallets write, hex in either case, an optional `0x`
//!   on the address, and files without an `address` field.
//! - The keystore directory: [`Keystore`] generates, imports, lists, finds and unlocks keys,
//!   one file per key, named geth-style `UTC--<time>--<address>`.
//! - [`SecretKey`], the decrypted key, and [`address_of`], a secret's `AccountId20`.
//! - [`read_password_file`]. Where passwords come from otherwise (prompts, flags) is the CLI's job.
//!
//! # Guarantees
//!
//! - The keystore directory is created with mode `0700`, key files with mode `0600`.
//! - Key files are written atomically: a `0600` temporary file in the same directory is written
//!   and synced, then renamed into place. [`Keystore::list`] never sees a partial file.
//! - A wrong password gives [`Error::WrongPassword`] (the MAC is checked before decrypting);
//!   malformed files give [`Error::InvalidKeystore`]; neither panics.
//! - A decrypted key whose account differs from the file's `address` is refused
//!   ([`Error::AddressMismatch`]).
//! - Secret bytes held by [`SecretKey`] and intermediate buffers (derived keys, plaintext) are
//!   zeroed when dropped; `Debug` never prints a secret.
//! - Decryption refuses KDF parameters beyond 1 GiB of scrypt memory, scrypt `p` > 16 or more
//!   than 10 million PBKDF2 rounds, so a hostile file cannot exhaust the node.
//!
//! New keys use geth's standard scrypt cost ([`ScryptParams::default`], N = 2^18, about a
//! second and 256 MiB per encryption or unlock). [`ScryptParams::light`] is for tests only.
//!
//! # Example
//!
//! ```
//! use archive_keystore::{Keystore, ScryptParams};
//!
//! # fn main() -> Result<(), archive_keystore::Error> {
//! # let tmp = tempfile::tempdir().map_err(|e| archive_keystore::Error::Io {
//! #     op: "tempdir", path: std::env::temp_dir(), source: e })?;
//! # let dir = tmp.path().join("keystore");
//! // Light parameters keep the example fast; use the default for real keys.
//! let keystore = Keystore::open(&dir)?.with_scrypt_params(ScryptParams::light());
//! let address = keystore.generate("correct horse battery staple")?;
//! assert_eq!(keystore.list()?.len(), 1);
//!
//! let key = keystore.unlock(&address, "correct horse battery staple")?;
//! assert_eq!(key.address(), address);
//! assert!(matches!(
//!     keystore.unlock(&address, "wrong"),
//!     Err(archive_keystore::Error::WrongPassword)
//! ));
//! # Ok(())
//! # }
//! ```

mod error;
mod kdf;
mod secret;
mod store;
mod v3;

pub use error::Error;
pub use secret::{address_of, SecretKey};
pub use store::{decrypt_key_file, read_password_file, KeyInfo, Keystore};
pub use v3::{decrypt_key_json, encrypt_key, ScryptParams};
