//! archive-service: wires the node together — database, client, transaction pool, block
//! authoring, and the JSON-RPC server — and owns every long-lived task.
//!
//! `new_full(config)` opens the database and chain, starts the pool maintenance task, the
//! authoring task (slots, or instant seal) and the RPC server, and returns a [`NodeHandle`];
//! `NodeHandle::run_until_shutdown` waits for Ctrl-C / SIGTERM and stops everything in order,
//! so the database is closed cleanly (a `kill -9` is also safe: every import is one atomic batch).

pub mod archive;
mod authoring;
mod backend;
mod config;
mod error;
mod finality;
pub mod metrics;
mod network;
mod offences;
mod pool;
mod submit;

pub use authoring::Authoring;
pub use backend::NodeBackend;
pub use config::NodeConfig;
pub use error::Error;
pub use finality::FinalityHandle;
pub use network::{ChainProvider, SyncStatus};
pub use pool::{submit_error, PoolApi, TxPool};

use std::sync::Arc;

use archive_client::Client;
use archive_storage::Database;
use tokio::task::JoinHandle;

/// A running node.
pub struct NodeHandle {
    /// The chain.
    pub client: Arc<Client>,
    /// The transaction pool.
    pub pool: Arc<TxPool>,
    /// The RPC server.
    pub rpc: archive_rpc::RpcHandle,
    /// The network, when enabled.
    pub network: Option<archive_network::NetworkHandle>,
    tasks: Vec<JoinHandle<()>>,
    /// The libp2p worker runs until every network handle is gone; it is stopped last.
    network_worker: Option<JoinHandle<()>>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

/// Opens the chain and starts pool maintenance, authoring and RPC.
///
/// # Errors
/// Database, genesis, key or RPC-bind errors, each naming what to fix.
pub async fn new_full(config: NodeConfig) -> Result<NodeHandle, Error> {
    let db = Database::open(&config.database)?;
    let client = Client::new(db, config.chain_spec.clone())?;
    let info = client.info();
    tracing::info!(
        chain = %config.chain_spec.name,
        best = info.best_number,
        best_hash = %info.best_hash,
        finalized = info.finalized_number,
        genesis = %info.genesis_hash,
        path = %config.database.path.display(),
        "chain opened"
    );
    // Bound first: an explicitly asked-for metrics port that is taken fails the start cleanly.
    let metrics_listener = match &config.metrics {
        Some(m) => metrics::bind(m).await?,
        None => None,
    };
    let pool = Arc::new(TxPool::new(
        archive_txpool::PoolConfig::default(),
        PoolApi::new(client.clone()),
        Arc::new(archive_txpool::SystemClock),
    ));
    let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
    let mut tasks = vec![tokio::spawn(pool::maintain(client.clone(), pool.clone(), shutdown_rx.clone()))];
    let sync = Arc::new(SyncStatus::default());
    let (finality, finality_task) = finality::new(client.clone(), config.author.clone());
    let archive = match &config.archive {
        Some(a) => Some(archive::Archive::open(a.clone()).map_err(|reason| Error::Archive { reason })?),
        None => None,
    };
    let mut network_worker = None;
    let net = match config.network.clone() {
        Some(net_config) => {
            let provider = Arc::new(ChainProvider::new(client.clone(), archive.clone()));
            let (handle, worker, events) = archive_network::build(net_config, provider)?;
            tracing::info!(peer_id = %handle.local_peer_id(), "peer-to-peer networking started");
            network_worker = Some(tokio::spawn(worker.run()));
            tasks.push(tokio::spawn(network::run(
                client.clone(),
                pool.clone(),
                handle.clone(),
                events,
                finality.clone(),
                sync.clone(),
                shutdown_rx.clone(),
            )));
            Some(handle)
        }
        None => None,
    };
    if let Some(task) = finality_task {
        let slot_ms = config.chain_spec.consensus.slot_duration_ms;
        tasks.push(tokio::spawn(task.run(net.clone(), slot_ms, shutdown_rx.clone())));
    }
    if let Some(author) = config.author.clone() {
        let slot_ms = config.chain_spec.consensus.slot_duration_ms;
        tasks.push(tokio::spawn(offences::run(
            client.clone(),
            pool.clone(),
            net.clone(),
            author.clone(),
            slot_ms,
            shutdown_rx.clone(),
        )));
        if let Some(archive) = &archive {
            archive.enable_crawls(archive::worker::CrawlContext {
                client: client.clone(),
                pool: pool.clone(),
                net: net.clone(),
                archive: Arc::downgrade(archive),
                key: author.clone(),
                runtime: tokio::runtime::Handle::current(),
            });
            tasks.push(tokio::spawn(archive::worker::run(
                client.clone(),
                pool.clone(),
                net.clone(),
                archive.clone(),
                author.clone(),
                slot_ms,
                shutdown_rx.clone(),
            )));
        }
        tasks.push(tokio::spawn(authoring::run(
            client.clone(),
            pool.clone(),
            author,
            config.authoring,
            net.clone(),
            sync.clone(),
            shutdown_rx.clone(),
        )));
    }
    if let Some(listener) = metrics_listener {
        tracing::info!(addr = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(), "Prometheus metrics at /metrics");
        let imported = Arc::new(std::sync::atomic::AtomicU64::new(0));
        tasks.push(tokio::spawn(metrics::count_imports(client.clone(), imported.clone(), shutdown_rx.clone())));
        let sources = metrics::Sources {
            client: client.clone(),
            pool: pool.clone(),
            network: net.clone(),
            sync: sync.clone(),
            archive: archive.clone(),
            imported,
            started_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        tasks.push(tokio::spawn(metrics::serve(listener, sources, shutdown_rx.clone())));
    }
    let backend = Arc::new(NodeBackend::new(client.clone(), pool.clone(), &config, net.clone(), sync, archive.clone()));
    let rpc = archive_rpc::start_server(config.rpc.clone(), backend).await?;
    tracing::info!(addr = %rpc.local_addr(), "JSON-RPC server listening (HTTP and WebSocket)");
    Ok(NodeHandle { client, pool, rpc, network: net, tasks, network_worker, shutdown })
}

impl NodeHandle {
    /// Stops all tasks and the RPC server.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.rpc.stop();
        for t in self.tasks {
            let _ = t.await;
        }
        if let Some(worker) = self.network_worker {
            // The RPC server may still hold a network handle while it winds down.
            worker.abort();
            let _ = worker.await;
        }
    }

    /// Runs until Ctrl-C or SIGTERM, then stops.
    pub async fn run_until_shutdown(self) {
        wait_for_signal().await;
        tracing::info!("shutting down");
        self.stop().await;
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
