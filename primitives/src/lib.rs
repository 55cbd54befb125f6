//! Wire formats of ArchiveChain: hashes, accounts, keys and signatures, headers, blocks,
//! extrinsics v4 with their signed extensions, storage-key hashing and the state-trie layout.
//!
//! Everything here is pure and deterministic: no I/O, no clocks, no OS randomness. The encodings
//! follow Substrate's (SCALE, blake2_256 block hashes, `twox128 ++ twox128 ++ hasher(key)` storage
//! keys) so that py-substrate-interface, @polkadot/api and subxt can talk to the node unchanged;
//! accounts and signatures are Ethereum-style (`AccountId20`, 65-byte secp256k1 over keccak-256).
//!
//! ```
//! use archive_primitives::{hashing::twox_128, AccountId20};
//! let alith: AccountId20 = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac".parse().unwrap();
//! assert_eq!(alith.to_string(), "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac");
//! assert_eq!(twox_128(b"System").len(), 16);
//! ```

pub mod account;
pub mod arithmetic;
pub mod crypto;
pub mod error;
pub mod extensions;
pub mod generic;
pub mod hash;
pub mod hashing;
pub mod storage_key;
pub mod trie;
pub mod version;

pub use account::AccountId20;
pub use arithmetic::Perbill;
pub use crypto::{EthereumSignature, Pair};
pub use error::Error;
pub use generic::{
    digest::{Digest, DigestItem},
    era::Era,
    header::{Block, Header},
    unchecked_extrinsic::{AdditionalSigned, SignedExtra, UncheckedExtrinsic},
};
pub use hash::H256;
pub use version::RuntimeVersion;

/// Block numbers are 32-bit, as in Substrate's default runtimes (clients decode `Compact<u32>`).
pub type BlockNumber = u32;
/// Account nonces are `u32`: py-substrate-interface decodes `AccountNonceApi` results strictly as u32.
pub type Nonce = u32;
/// Token amounts in the smallest unit (1 ARC = 10^18 units).
pub type Balance = u128;
/// Hash of a block or an extrinsic (blake2_256).
pub type Hash = H256;

/// Token decimals: 1 ARC = 10^18 units.
pub const TOKEN_DECIMALS: u8 = 18;
/// One whole ARC in units.
pub const ARC: Balance = 1_000_000_000_000_000_000;
/// Token symbol reported by `system_properties`.
pub const TOKEN_SYMBOL: &str = "ARC";

/// Raw storage as sorted `(key, value)` pairs (genesis storage, state dumps).
pub type StoragePairs = Vec<(Vec<u8>, Vec<u8>)>;
