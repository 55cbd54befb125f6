//! archive-client: the chain as the node sees it — genesis, block import (seal check,
//! parallel signature recovery, re-execution, state-root check, one atomic commit), block
//! building for the author, state queries and runtime-API calls, and import/finality
//! notifications.
//!
//! Data flow: `import_block` → verify seal → recover signatures in parallel (rayon, cached) →
//! execute with [`archive_runtime::BlockBuilder`] over the parent's [`archive_storage::StateView`]
//! → compare extrinsics and state roots → `Database::commit_block` → notify subscribers.
//!
//! Guarantees: a block is stored only if its state root and extrinsics root match its
//! re-execution; a signature recovered once (by the pool or an earlier import) is not recovered
//! again; imports are serialized, queries are concurrent.

mod client;
mod error;
mod seal;
mod state;
mod verifier;

pub use client::{BlockOrigin, BuiltBlock, ChainInfo, Client, ImportTimings, ImportedBlock};
pub use error::Error;
pub use seal::{seal_header, slot_of, verify_seal, verify_seal_with, SlotPreDigest, ENGINE_ID};
pub use state::StateAdapter;
pub use verifier::SignatureCache;
