//! `benchmark import`: block import of pre-signed transfers on real RocksDB, reported as a
//! ratio to this machine's single-core k256 public-key recovery rate measured in the same run.

use std::time::{Duration, Instant};

use anyhow::Context;
use archive_chain_spec::{ChainSpec, Genesis, RuntimeGenesisJson};
use archive_client::Client;
use archive_primitives::{
    crypto::dev, hashing::keccak_256, AdditionalSigned, Block, Era, Pair, SignedExtra, UncheckedExtrinsic, ARC,
};
use archive_runtime::RuntimeCall;
use archive_storage::{Database, DatabaseConfig, StatePruning};
use clap::{Args, Subcommand};
use parity_scale_codec::Encode;

/// Benchmarks.
#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Import blocks of pre-signed transfers; compare with single-core signature recovery.
    Import(ImportBench),
    /// A fresh node syncs a chain of transfer blocks from one peer over loopback libp2p.
    Sync(SyncBench),
    /// Time from a block's arrival to its finality, watched on a running node (e.g. the
    /// 4-node testnet), in slots.
    Finality(FinalityBench),
}

/// `benchmark sync` options.
#[derive(Args, Debug)]
pub struct SyncBench {
    /// Blocks in the chain to sync.
    #[arg(long, default_value_t = 10_000)]
    pub blocks: u32,
    /// Transfers per block.
    #[arg(long, default_value_t = 20)]
    pub txs: u32,
    /// Signatures recovered for the calibration.
    #[arg(long, default_value_t = 2000)]
    pub calibration: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `benchmark finality` options.
#[derive(Args, Debug)]
pub struct FinalityBench {
    /// Node to watch (WebSocket).
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub url: String,
    /// Blocks to measure.
    #[arg(long, default_value_t = 30)]
    pub blocks: u32,
    /// Slot duration in milliseconds (the `local` spec: 3000).
    #[arg(long, default_value_t = 3000)]
    pub slot_ms: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `benchmark import` options.
#[derive(Args, Debug)]
pub struct ImportBench {
    /// Transfers per block.
    #[arg(long, default_value_t = 2000)]
    pub txs: u32,
    /// Blocks to import.
    #[arg(long, default_value_t = 5)]
    pub blocks: u32,
    /// Signatures recovered for the calibration.
    #[arg(long, default_value_t = 2000)]
    pub calibration: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs a benchmark.
pub fn run(cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::Import(args) => import(args),
        BenchCmd::Sync(args) => sync(args),
        BenchCmd::Finality(args) => finality(args),
    }
}

fn account(i: u32) -> anyhow::Result<Pair> {
    let mut seed = keccak_256(&i.to_le_bytes());
    seed[0] &= 0x7f; // stay below the curve order
    Ok(Pair::from_secret(&seed)?)
}

/// Single-core recoveries per second, measured on this thread.
fn recover_rate(n: u32) -> anyhow::Result<f64> {
    let pair = account(u32::MAX)?;
    let msgs: Vec<([u8; 32], archive_primitives::EthereumSignature)> = (0..n)
        .map(|i| {
            let h = keccak_256(&i.to_le_bytes());
            (h, pair.sign_prehashed(&h))
        })
        .collect();
    let start = Instant::now();
    for (h, s) in &msgs {
        let who = s.recover_prehashed(h).ok().context("calibration signature did not recover")?;
        anyhow::ensure!(who == pair.account(), "calibration recovered the wrong signer");
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn open(dir: &std::path::Path, spec: &ChainSpec) -> anyhow::Result<std::sync::Arc<Client>> {
    let db = Database::open(&DatabaseConfig {
        path: dir.to_path_buf(),
        state_pruning: StatePruning::KeepBlocks(256),
        cache_size_mb: 256,
    })?;
    Ok(Client::new(db, spec.clone())?)
}

/// A dev spec whose genesis funds `senders`.
fn funded_spec(senders: &[Pair]) -> ChainSpec {
    let mut spec = ChainSpec::dev();
    spec.genesis = Genesis::Runtime(RuntimeGenesisJson {
        // The senders, and the validator (which bonds its stake at genesis).
        balances: senders
            .iter()
            .map(|p| (p.account(), (1000 * ARC).to_string()))
            .chain(spec.consensus.validators.iter().map(|v| (*v, (1_000_000 * ARC).to_string())))
            .collect(),
        ..Default::default()
    });
    spec
}

/// One block's worth of pre-signed transfers: sender i pays sender i+1, nonce `nonce`.
fn transfers(senders: &[Pair], nonce: u32, genesis: archive_primitives::H256) -> Vec<Vec<u8>> {
    senders
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let dest = senders[(i + 1) % senders.len()].account();
            let call = RuntimeCall::Balances(archive_pallet_balances::Call::transfer_keep_alive { dest, value: ARC });
            let additional = AdditionalSigned {
                spec_version: archive_runtime::constants::SPEC_VERSION,
                transaction_version: archive_runtime::constants::TRANSACTION_VERSION,
                genesis_hash: genesis,
                era_block_hash: genesis,
            };
            UncheckedExtrinsic::new_signed(call, p, SignedExtra { era: Era::Immortal, nonce, tip: 0 }, &additional)
                .encode()
        })
        .collect()
}

fn sync(args: SyncBench) -> anyhow::Result<()> {
    crate::node::init_logging(&std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()));
    let senders: Vec<Pair> = (0..args.txs.max(1)).map(account).collect::<anyhow::Result<_>>()?;
    let spec = funded_spec(&senders);
    let alith = dev::pair("alith").context("dev key")?;
    let tmp = tempfile::tempdir()?;
    let source_dir = tmp.path().join("source");
    {
        let author = open(&source_dir.join("chains").join(&spec.id).join("db"), &spec)?;
        let genesis = author.info().genesis_hash;
        eprintln!("building {} blocks of {} transfers…", args.blocks, args.txs);
        for b in 0..args.blocks {
            let xts = if args.txs == 0 { Vec::new() } else { transfers(&senders, b, genesis) };
            let built = author.build_block(
                &author.info().best_hash,
                u64::from(b) + 1,
                &alith,
                xts,
                Instant::now() + Duration::from_secs(600),
            )?;
            anyhow::ensure!(built.rejected.is_empty(), "benchmark transaction rejected: {:?}", built.rejected.first());
            author.import_built(built, true)?;
        }
    }
    let recover = recover_rate(args.calibration)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (elapsed, best) = runtime.block_on(async {
        let node = |dir: std::path::PathBuf, boot: Vec<String>| {
            let mut net = archive_network::NetworkConfig::new(dir.join("node_key"), archive_primitives::H256::zero());
            net.port = 0;
            net.listen_addr = std::net::IpAddr::from([127, 0, 0, 1]);
            net.boot_nodes = boot;
            archive_service::NodeConfig {
                chain_spec: spec.clone(),
                database: DatabaseConfig {
                    path: dir.join("chains").join(&spec.id).join("db"),
                    state_pruning: StatePruning::KeepBlocks(256),
                    cache_size_mb: 256,
                },
                rpc: archive_rpc::RpcConfig {
                    addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                    ..archive_rpc::RpcConfig::default()
                },
                author: None,
                authoring: archive_service::Authoring::Slots,
                node_name: "bench".into(),
                validator: false,
                network: Some(net),
                archive: None,
                metrics: None,
            }
        };
        let mut source_config = node(source_dir.clone(), vec![]);
        let genesis =
            archive_client::Client::new(Database::open(&source_config.database)?, spec.clone())?.info().genesis_hash;
        if let Some(n) = source_config.network.as_mut() {
            n.genesis_hash = genesis;
        }
        let source = archive_service::new_full(source_config).await?;
        let target_best = source.client.info().best_number;
        let mut addr = None;
        for _ in 0..100 {
            if let Some(a) = source.network.as_ref().and_then(|n| n.listen_addresses().into_iter().next()) {
                addr = Some(a);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let addr = addr.context("source node did not start listening")?;
        let mut sink_config = node(tmp.path().join("sink"), vec![addr]);
        if let Some(n) = sink_config.network.as_mut() {
            n.genesis_hash = genesis;
        }
        let start = Instant::now();
        let sink = archive_service::new_full(sink_config).await?;
        let mut last_report = Instant::now();
        loop {
            let best = sink.client.info().best_number;
            if best >= target_best {
                break;
            }
            anyhow::ensure!(
                start.elapsed() < Duration::from_secs(3600),
                "sync did not finish within an hour (at #{best})"
            );
            if last_report.elapsed() >= Duration::from_secs(5) {
                eprintln!("synced #{best}/{target_best}");
                last_report = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        let best = sink.client.info().best_number;
        sink.stop().await;
        source.stop().await;
        Ok::<_, anyhow::Error>((elapsed, best))
    })?;
    let blocks_per_s = f64::from(best) / elapsed;
    let tx_per_s = blocks_per_s * f64::from(args.txs);
    let ratio = tx_per_s / recover;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"blocks": best, "txs_per_block": args.txs, "seconds": elapsed, "blocks_per_s": blocks_per_s,
                "tx_per_s": tx_per_s, "recover_per_s_single_core": recover, "ratio": ratio})
        );
    } else {
        println!("synced {best} blocks in {elapsed:.1}s");
        println!("blocks_per_s               {blocks_per_s:.0}");
        println!("tx_per_s                   {tx_per_s:.0}");
        println!("recover_per_s_single_core  {recover:.0}");
        println!("ratio                      {ratio:.2}   (goal >= 1.0)");
    }
    Ok(())
}

fn finality(args: FinalityBench) -> anyhow::Result<()> {
    use std::collections::HashMap;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let lags: Vec<f64> = runtime.block_on(async {
        let client = crate::rpc_client::RpcClient::connect(&args.url).await?;
        let mut heads = client.subscribe("chain_subscribeNewHeads", vec![], "chain_unsubscribeNewHeads").await?;
        let mut finals =
            client.subscribe("chain_subscribeFinalizedHeads", vec![], "chain_unsubscribeFinalizedHeads").await?;
        let number = |v: &serde_json::Value| {
            v.get("number")
                .and_then(|n| n.as_str())
                .and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
        };
        let mut seen: HashMap<u32, Instant> = HashMap::new();
        let mut first: Option<u32> = None;
        let mut finalized_up_to = 0u32;
        let mut lags = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(args.slot_ms * u64::from(args.blocks) * 4 + 60_000);
        while (lags.len() as u32) < args.blocks {
            anyhow::ensure!(Instant::now() < deadline, "finality did not advance enough before the deadline");
            tokio::select! {
                h = heads.next() => {
                    let Some(Ok(h)) = h else { anyhow::bail!("head subscription ended") };
                    if let Some(n) = number(&h) {
                        seen.entry(n).or_insert_with(Instant::now);
                        first.get_or_insert(n + 1);
                    }
                }
                f = finals.next() => {
                    let Some(Ok(f)) = f else { anyhow::bail!("finality subscription ended") };
                    let Some(n) = number(&f) else { continue };
                    let now = Instant::now();
                    // A finalized head finalizes every ancestor at once; measure blocks whose
                    // arrival we saw (those after the first head, which may be old).
                    for m in finalized_up_to.max(first.unwrap_or(u32::MAX))..=n {
                        if let Some(t) = seen.get(&m) {
                            lags.push(now.duration_since(*t).as_secs_f64() * 1000.0 / args.slot_ms as f64);
                        }
                    }
                    finalized_up_to = finalized_up_to.max(n + 1);
                }
            }
        }
        Ok::<_, anyhow::Error>(lags)
    })?;
    let mut sorted = lags.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
    let (median, p90, max) = (pct(0.5), pct(0.9), pct(1.0));
    if args.json {
        println!(
            "{}",
            serde_json::json!({"blocks": sorted.len(), "median_slots": median, "p90_slots": p90, "max_slots": max})
        );
    } else {
        println!(
            "time to finality over {} blocks: median {median:.2} slots, p90 {p90:.2}, max {max:.2} (goal: median <= 3)",
            sorted.len()
        );
    }
    Ok(())
}

fn import(args: ImportBench) -> anyhow::Result<()> {
    let senders: Vec<Pair> = (0..args.txs).map(account).collect::<anyhow::Result<_>>()?;
    let spec = funded_spec(&senders);
    let alith = dev::pair("alith").context("dev key")?;
    let tmp = tempfile::tempdir()?;
    let author = open(&tmp.path().join("author"), &spec)?;
    let genesis = author.info().genesis_hash;
    eprintln!("building {} blocks of {} pre-signed transfers…", args.blocks, args.txs);
    let mut blocks: Vec<Block> = Vec::new();
    for b in 0..args.blocks {
        let xts = transfers(&senders, b, genesis);
        let parent = author.info().best_hash;
        let built =
            author.build_block(&parent, u64::from(b) + 1, &alith, xts, Instant::now() + Duration::from_secs(600))?;
        anyhow::ensure!(built.rejected.is_empty(), "benchmark transaction rejected: {:?}", built.rejected.first());
        blocks.push(built.block.clone());
        author.import_built(built, true)?;
    }
    let importer = open(&tmp.path().join("importer"), &spec)?;
    let recover_single = recover_rate(args.calibration)?;
    let start = Instant::now();
    let mut phases = archive_client::ImportTimings::default();
    for block in &blocks {
        let t = importer.import_block(block.clone(), None, true)?.timings;
        phases.verify += t.verify;
        phases.execute += t.execute;
        phases.state_root += t.state_root;
        phases.commit += t.commit;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let per_tx_us = |d: Duration| d.as_secs_f64() * 1e6 / (f64::from(args.txs) * f64::from(args.blocks));
    let total = f64::from(args.txs) * f64::from(args.blocks);
    let import_tx_per_s = total / elapsed;
    let recover_after = recover_rate(args.calibration)?;
    let recover = (recover_single + recover_after) / 2.0;
    let ratio = import_tx_per_s / recover;
    let threads = rayon::current_num_threads();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "import_tx_per_s": import_tx_per_s,
                "recover_per_s_single_core": recover,
                "ratio": ratio,
                "txs": total,
                "blocks": args.blocks,
                "threads": threads,
                "seconds": elapsed,
                "us_per_tx": {
                    "verify": per_tx_us(phases.verify),
                    "execute": per_tx_us(phases.execute),
                    "state_root": per_tx_us(phases.state_root),
                    "commit": per_tx_us(phases.commit),
                },
            })
        );
    } else {
        println!("import_tx_per_s            {import_tx_per_s:.0}");
        println!("recover_per_s_single_core  {recover:.0}");
        println!(
            "ratio                      {ratio:.2}   (goal >= 1.0; {threads} threads, {total} txs in {elapsed:.2}s)"
        );
        println!(
            "µs per tx: verify {:.1} (parallel), execute {:.1}, state root {:.1}, commit {:.1}",
            per_tx_us(phases.verify),
            per_tx_us(phases.execute),
            per_tx_us(phases.state_root),
            per_tx_us(phases.commit)
        );
    }
    Ok(())
}
