//! archive-pallet-system: accounts and nonces, block number and hash history, events, and the
//! `remark`/storage-administration calls.
//!
//! Storage (prefix "System"): `Account` (Blake2_128Concat AccountId20 → [`AccountInfo`]),
//! `Number`, `ParentHash`, `BlockHash` (Twox64Concat u32 → H256, the last
//! `BLOCK_HASH_COUNT` blocks: mortal transactions are checked against it), `Digest`, `Events`,
//! `EventCount`, `ExtrinsicCount`, `AllExtrinsicsLen`, `BlockWeight`.
//!
//! Guarantees: `Events` at block N holds exactly N's events (rewritten in `finalize`); the
//! `BlockHash` window always contains every block a valid mortal transaction may be born at.

#[cfg(test)]
mod mock;
pub mod pallet;
pub mod storage;
#[cfg(test)]
mod tests;
pub mod types;

pub use pallet::{Call, Error, Event};
pub use types::{AccountData, ExtraFlags};

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Per-account information (`frame_system::AccountInfo<Nonce, AccountData>`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "frame_system"))]
pub struct AccountInfo<Nonce, AccountData> {
    /// Number of transactions sent.
    pub nonce: Nonce,
    /// Modules that depend on this account existing.
    pub consumers: u32,
    /// Reasons this account may exist (a balance ≥ existential deposit is one).
    pub providers: u32,
    /// Self-sufficient references (unused).
    pub sufficients: u32,
    /// Balances.
    pub data: AccountData,
}

/// The concrete account record stored in `System.Account`.
pub type Account = AccountInfo<archive_primitives::Nonce, AccountData>;

/// Configuration of the system pallet.
pub trait Config {
    /// The pallet's index in the runtime (first byte of its calls, events and errors).
    const INDEX: u8;
    /// How many recent block hashes are kept (bounds mortal-transaction periods).
    const BLOCK_HASH_COUNT: u32;
}
