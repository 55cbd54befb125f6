//! Node commands: run, build-spec, purge-chain, and the shared chain/database options.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{bail, Context};
use archive_chain_spec::ChainSpec;
use archive_primitives::{crypto::dev, Pair};
use archive_rpc::{RpcConfig, RpcMethods};
use archive_service::{Authoring, NodeConfig};
use archive_storage::{DatabaseConfig, StatePruning};
use clap::Args;

/// Substrate's default Prometheus port.
const DEFAULT_PROMETHEUS_PORT: u16 = 9615;

/// Options that locate a chain's database.
#[derive(Args, Debug, Clone)]
pub struct ChainArgs {
    /// Development chain: `--chain dev`, Alith authors, throw-away-friendly defaults.
    #[arg(long)]
    pub dev: bool,
    /// Chain to use: `dev`, `local`, or a chain-spec JSON file.
    #[arg(long, value_name = "CHAIN")]
    pub chain: Option<String>,
    /// Where chains are stored (default: the user's data dir, e.g. ~/.local/share/archivechain).
    #[arg(long, short = 'd', value_name = "PATH", env = "ARCHIVECHAIN_BASE_PATH")]
    pub base_path: Option<PathBuf>,
}

impl ChainArgs {
    /// The chain spec selected by `--dev` / `--chain`.
    pub fn spec(&self) -> anyhow::Result<ChainSpec> {
        let chain = match (&self.chain, self.dev) {
            (Some(c), _) => c.as_str(),
            (None, true) => "dev",
            (None, false) => "dev",
        };
        Ok(ChainSpec::load(chain)?)
    }

    /// The base path (default under the user's data directory).
    pub fn base_path(&self) -> anyhow::Result<PathBuf> {
        match &self.base_path {
            Some(p) => Ok(p.clone()),
            None => {
                Ok(dirs::data_dir().context("no data directory for this user: pass --base-path")?.join("archivechain"))
            }
        }
    }
}

/// The database directory of `spec` under `base`.
pub fn db_path(base: &std::path::Path, spec: &ChainSpec) -> PathBuf {
    base.join("chains").join(&spec.id).join("db")
}

/// `archivechain [run]` options.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Use a temporary base path, deleted on exit.
    #[arg(long)]
    pub tmp: bool,
    /// JSON-RPC port (HTTP and WebSocket on one port).
    #[arg(long, default_value_t = 9944)]
    pub rpc_port: u16,
    /// Listen for RPC on all interfaces instead of 127.0.0.1 (unsafe methods are then refused
    /// unless --rpc-methods unsafe).
    #[arg(long)]
    pub rpc_external: bool,
    /// Which RPC methods to expose: `safe` (default: unsafe ones such as `author_removeExtrinsic`
    /// or `system_addReservedPeer` are refused with -32601), `unsafe`, or `auto` (unsafe only
    /// when listening on loopback, as Substrate's default).
    #[arg(long, default_value = "safe", value_parser = ["auto", "safe", "unsafe"])]
    pub rpc_methods: String,
    /// Maximum simultaneous RPC connections.
    #[arg(long, default_value_t = 100)]
    pub rpc_max_connections: u32,
    /// Maximum RPC request size in MiB.
    #[arg(long, default_value_t = 15)]
    pub rpc_max_request_size: u32,
    /// Allowed browser origins for RPC (comma-separated, or `all`).
    #[arg(long, value_delimiter = ',')]
    pub rpc_cors: Option<Vec<String>>,
    /// Peer-to-peer TCP port (default 30333). A `--dev` chain runs without networking unless
    /// `--port` or `--bootnodes` is given.
    #[arg(long)]
    pub port: Option<u16>,
    /// Interface for peer-to-peer connections.
    #[arg(long, default_value = "0.0.0.0")]
    pub listen_addr: std::net::IpAddr,
    /// Boot nodes: multiaddrs ending in /p2p/<peer id> (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub bootnodes: Vec<String>,
    /// Only connect to reserved peers (the boot nodes, and those added over RPC).
    #[arg(long)]
    pub reserved_only: bool,
    /// Maximum number of peers.
    #[arg(long, default_value_t = 50)]
    pub max_peers: usize,
    /// File with this node's ed25519 network key (default: <base>/chains/<id>/network/secret_ed25519;
    /// created on first start so the peer id stays the same).
    #[arg(long)]
    pub node_key_file: Option<PathBuf>,
    /// Author a block as soon as a transaction is ready (tests) instead of every slot.
    #[arg(long)]
    pub instant_seal: bool,
    /// TEST ONLY: author a second, different block in every owned slot (an equivocation that
    /// gets this validator reported and slashed). For multi-node tests of slashing.
    #[arg(long, hide = true)]
    pub unsafe_double_sign: bool,
    /// Author blocks (implied by --dev).
    #[arg(long)]
    pub validator: bool,
    /// Validator key: a dev account name (`alith`, …; dev/local chains only).
    #[arg(long, value_name = "NAME")]
    pub dev_key: Option<String>,
    /// State pruning: `archive` or the number of recent blocks whose state is kept.
    #[arg(long, default_value = "256")]
    pub state_pruning: StatePruning,
    /// Prometheus metrics port (`GET /metrics`). If the default port is taken (another node on
    /// this machine) the node starts without metrics and says so; a port given here must bind.
    #[arg(long, value_name = "PORT")]
    pub prometheus_port: Option<u16>,
    /// Serve metrics on all interfaces instead of 127.0.0.1.
    #[arg(long)]
    pub prometheus_external: bool,
    /// Serve no Prometheus metrics.
    #[arg(long, conflicts_with_all = ["prometheus_port", "prometheus_external"])]
    pub no_prometheus: bool,
    /// Keep no archive: no WARC store, no search index, no crawling or attesting, and
    /// `archive_*` RPC calls are refused.
    #[arg(long)]
    pub no_archive: bool,
    /// Let the off-chain crawler fetch loopback and private addresses (tests, intranets).
    /// Off by default: a request for an internal address is refused.
    #[arg(long)]
    pub archive_allow_private: bool,
    /// Delay between two requests to one host while crawling, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub crawl_politeness_ms: u64,
    /// Node name.
    #[arg(long, default_value = "archivechain-node")]
    pub name: String,
    /// Log filter (tracing env-filter syntax), e.g. `info,archive_client=debug`.
    #[arg(long, short = 'l', default_value = "info", env = "RUST_LOG")]
    pub log: String,
}

/// Sets up logging to stderr.
pub fn init_logging(filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .try_init();
}

fn validator_key(args: &RunArgs, spec: &ChainSpec) -> anyhow::Result<Option<Pair>> {
    let name = match (&args.dev_key, args.chain.dev || spec.chain_type == archive_chain_spec::ChainType::Development) {
        (Some(n), _) => Some(n.clone()),
        (None, true) => Some("alith".to_string()),
        (None, false) if args.validator => {
            bail!("--validator needs a key: pass --dev-key <alith|baltathar|…> (dev/local chains)")
        }
        (None, false) => None,
    };
    let Some(name) = name else { return Ok(None) };
    if spec.chain_type == archive_chain_spec::ChainType::Live {
        bail!("--dev-key is only allowed on development and local chains: dev keys are public");
    }
    let pair = dev::pair(&name).with_context(|| {
        format!("unknown dev key {name:?}: use alith, baltathar, charleth, dorothy, ethan or faith")
    })?;
    Ok(Some(pair))
}

/// Runs a node until Ctrl-C / SIGTERM.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    init_logging(&args.log);
    let spec = args.chain.spec()?;
    let tmp = if args.tmp { Some(tempfile::Builder::new().prefix("archivechain-").tempdir()?) } else { None };
    let base = match &tmp {
        Some(t) => t.path().to_path_buf(),
        None => args.chain.base_path()?,
    };
    let author = validator_key(&args, &spec)?;
    let ip = if args.rpc_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
    let methods = match args.rpc_methods.as_str() {
        "safe" => RpcMethods::Safe,
        "unsafe" => RpcMethods::Unsafe,
        _ => RpcMethods::Auto,
    };
    let rpc = RpcConfig {
        addr: SocketAddr::from((ip, args.rpc_port)),
        methods,
        max_connections: args.rpc_max_connections,
        max_request_size_bytes: args.rpc_max_request_size.saturating_mul(1024 * 1024),
        cors: args.rpc_cors.clone().filter(|c| !c.iter().any(|o| o == "all")),
        ..RpcConfig::default()
    };
    let database =
        DatabaseConfig { path: db_path(&base, &spec), state_pruning: args.state_pruning, cache_size_mb: 128 };
    let networking = args.port.is_some()
        || !args.bootnodes.is_empty()
        || spec.chain_type != archive_chain_spec::ChainType::Development;
    let network = if networking {
        let key_file = args
            .node_key_file
            .clone()
            .unwrap_or_else(|| base.join("chains").join(&spec.id).join("network").join("secret_ed25519"));
        let mut net = archive_network::NetworkConfig::new(key_file, genesis_hash(&spec)?);
        net.port = args.port.unwrap_or(30333);
        net.listen_addr = args.listen_addr;
        net.boot_nodes = args.bootnodes.clone();
        net.boot_nodes.extend(spec.boot_nodes.iter().cloned());
        net.reserved_only = args.reserved_only;
        net.max_peers = args.max_peers;
        Some(net)
    } else {
        None
    };
    let archive_dir = base.join("chains").join(&spec.id).join("archive");
    let config = NodeConfig {
        chain_spec: spec,
        database,
        rpc,
        validator: author.is_some(),
        author,
        authoring: if args.unsafe_double_sign {
            tracing::warn!("--unsafe-double-sign: this validator will equivocate and be slashed (tests only)");
            Authoring::DoubleSign
        } else if args.instant_seal {
            Authoring::InstantSeal
        } else {
            Authoring::Slots
        },
        node_name: args.name.clone(),
        network,
        metrics: (!args.no_prometheus).then(|| archive_service::metrics::MetricsConfig {
            addr: SocketAddr::from((
                if args.prometheus_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] },
                args.prometheus_port.unwrap_or(DEFAULT_PROMETHEUS_PORT),
            )),
            required: args.prometheus_port.is_some(),
        }),
        archive: (!args.no_archive).then_some(archive_service::archive::ArchiveConfig {
            dir: archive_dir,
            allow_private_addresses: args.archive_allow_private,
            politeness_ms: args.crawl_politeness_ms,
        }),
    };
    tracing::info!(base = %base.display(), "starting archivechain {}", env!("CARGO_PKG_VERSION"));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let node = archive_service::new_full(config).await?;
        node.run_until_shutdown().await;
        Ok::<_, anyhow::Error>(())
    })?;
    drop(tmp);
    Ok(())
}

/// The genesis hash of `spec` (computed without a database).
fn genesis_hash(spec: &ChainSpec) -> anyhow::Result<archive_primitives::H256> {
    let storage = spec.genesis_storage()?;
    let root = archive_primitives::trie::trie_root(storage);
    Ok(archive_primitives::Header {
        parent_hash: archive_primitives::H256::zero(),
        number: 0,
        state_root: root,
        extrinsics_root: archive_primitives::trie::ordered_trie_root::<Vec<u8>>(&[]),
        digest: Default::default(),
    }
    .hash())
}

/// `build-spec` options.
#[derive(Args, Debug)]
pub struct BuildSpecArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Write the genesis as raw storage.
    #[arg(long)]
    pub raw: bool,
}

/// Prints a chain spec.
pub fn build_spec(args: BuildSpecArgs) -> anyhow::Result<()> {
    let spec = args.chain.spec()?;
    let spec = if args.raw { spec.to_raw()? } else { spec };
    println!("{}", spec.to_json());
    Ok(())
}

/// `purge-chain` options.
#[derive(Args, Debug)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// Deletes the chain database.
pub fn purge_chain(args: PurgeArgs) -> anyhow::Result<()> {
    let spec = args.chain.spec()?;
    let path = db_path(&args.chain.base_path()?, &spec);
    if !path.exists() {
        println!("{} does not exist; nothing to purge", path.display());
        return Ok(());
    }
    if !args.yes {
        eprint!("Delete the database of {} at {}? [y/N] ", spec.name, path.display());
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("aborted");
            return Ok(());
        }
    }
    std::fs::remove_dir_all(&path).with_context(|| format!("cannot delete {}", path.display()))?;
    println!("deleted {}", path.display());
    Ok(())
}

/// Opens the chain's client for offline commands (export/import).
pub fn open_client(chain: &ChainArgs, pruning: StatePruning) -> anyhow::Result<std::sync::Arc<archive_client::Client>> {
    let spec = chain.spec()?;
    let path = db_path(&chain.base_path()?, &spec);
    let db = archive_storage::Database::open(&DatabaseConfig { path, state_pruning: pruning, cache_size_mb: 128 })?;
    Ok(archive_client::Client::new(db, spec)?)
}
