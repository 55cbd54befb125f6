//! Node configuration, built by the CLI.

use archive_chain_spec::ChainSpec;
use archive_primitives::Pair;
use archive_rpc::RpcConfig;
use archive_storage::DatabaseConfig;

use crate::Authoring;

/// Everything `new_full` needs.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The chain.
    pub chain_spec: ChainSpec,
    /// Database location and pruning.
    pub database: DatabaseConfig,
    /// RPC server settings.
    pub rpc: RpcConfig,
    /// The validator key, if this node authors blocks.
    pub author: Option<Pair>,
    /// How blocks are authored.
    pub authoring: Authoring,
    /// Node name shown by `system_name`-style reporting.
    pub node_name: String,
    /// Whether this node is a validator (`system_nodeRoles`).
    pub validator: bool,
    /// Peer-to-peer settings; `None` runs without networking (a lone dev node).
    pub network: Option<archive_network::NetworkConfig>,
    /// The archive (WARC store, search index, off-chain worker); `None` keeps none.
    pub archive: Option<crate::archive::ArchiveConfig>,
    /// Prometheus metrics endpoint; `None` serves none.
    pub metrics: Option<crate::metrics::MetricsConfig>,
}
