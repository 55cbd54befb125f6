//! Errors of the service.

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Database could not be opened.
    #[error("database: {0}")]
    Storage(#[from] archive_storage::Error),
    /// Chain could not be opened (genesis mismatch, bad spec).
    #[error("{0}")]
    Client(#[from] archive_client::Error),
    /// Networking could not start (port in use, bad boot node, node key).
    #[error("network: {0}")]
    Network(#[from] archive_network::Error),
    /// RPC server could not start.
    #[error("RPC server: {0}")]
    Rpc(#[from] archive_rpc::Error),
    /// The Prometheus metrics endpoint could not start.
    #[error("Prometheus metrics: {reason}")]
    Metrics {
        /// Why.
        reason: String,
    },
    /// The archive (WARC store) could not be opened.
    #[error("archive: {reason}")]
    Archive {
        /// Why.
        reason: String,
    },
}
