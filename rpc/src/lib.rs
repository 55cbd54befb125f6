//! Serve ArchiveChain over JSON-RPC with Substrate's method names, so py-substrate-interface,
//! @polkadot/api and subxt work unchanged.
//!
//! This crate owns the JSON-RPC surface: method names and aliases, positional parameter parsing,
//! Substrate's JSON shapes, error codes, subscriptions, and the HTTP + WebSocket server (one port,
//! default `127.0.0.1:9944`) with its limits, CORS and per-IP rate limit. It owns no chain data:
//! everything comes from a [`ChainBackend`] that the node service implements.
//!
//! Data flow: request → jsonrpsee (framing, `-32700`/`-32600`) → CORS / rate limit → the method
//! in its namespace module (`system`, `chain`, `state`, `author`, `payment`) → [`ChainBackend`] →
//! JSON shape ([`json`]) → response. Subscriptions pipe the backend's broadcast channels (new
//! best, imported, finalized headers) and the pool's status stream into notifications named
//! exactly as Substrate's (`chain_newHead`, `chain_allHead`, `chain_finalizedHead`,
//! `state_runtimeVersion`, `state_storage`, `author_extrinsicUpdate`).
//!
//! Safe/unsafe: unsafe methods (`system_peers`, `system_addReservedPeer`,
//! `system_removeReservedPeer`, `system_reservedPeers`, `system_networkState`,
//! `state_getKeys`, `state_getPairs`, `state_queryStorage`, `author_removeExtrinsic`,
//! `author_insertKey`/`rotateKeys`/`hasKey`/`hasSessionKeys`, keyless `state_subscribeStorage`) are
//! always registered and listed by `rpc_methods`; when denied they answer
//! `-32601 "RPC call is unsafe to be called externally"`.
//!
//! ```no_run
//! # async fn run(backend: std::sync::Arc<dyn archive_rpc::ChainBackend>) -> Result<(), archive_rpc::Error> {
//! let handle = archive_rpc::start_server(archive_rpc::RpcConfig::default(), backend).await?;
//! println!("RPC on {}", handle.local_addr());
//! handle.stopped().await;
//! # Ok(()) }
//! ```

pub mod archive;
mod author;
pub mod backend;
mod chain;
pub mod config;
pub mod error;
mod finality;
pub mod json;
mod middleware;
mod module;
mod params;
pub mod payment;
mod server;
pub mod state;
mod system;

#[cfg(test)]
mod tests;

pub use backend::{
    BackendError, BlockData, ChainBackend, Health, NetworkInfo, PeerInfo, StoragePair, SubmitError, SyncState,
    SystemInfo,
};
pub use config::{RpcConfig, RpcMethods};
pub use error::Error;
pub use module::build_module;
pub use server::{start_server, RpcHandle};
