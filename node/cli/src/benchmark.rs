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

fn import(args: ImportBench) -> anyhow::Result<()> {
    let senders: Vec<Pair> = (0..args.txs).map(account).collect::<anyhow::Result<_>>()?;
    let mut spec = ChainSpec::dev();
    spec.genesis = Genesis::Runtime(RuntimeGenesisJson {
        balances: senders.iter().map(|p| (p.account(), (1000 * ARC).to_string())).collect(),
    });
    let alith = dev::pair("alith").context("dev key")?;
    let tmp = tempfile::tempdir()?;
    let author = open(&tmp.path().join("author"), &spec)?;
    let genesis = author.info().genesis_hash;
    eprintln!("building {} blocks of {} pre-signed transfers…", args.blocks, args.txs);
    let mut blocks: Vec<Block> = Vec::new();
    for b in 0..args.blocks {
        let xts: Vec<Vec<u8>> = senders
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let dest = senders[(i + 1) % senders.len()].account();
                let call =
                    RuntimeCall::Balances(archive_pallet_balances::Call::transfer_keep_alive { dest, value: ARC });
                let additional = AdditionalSigned {
                    spec_version: archive_runtime::constants::SPEC_VERSION,
                    transaction_version: archive_runtime::constants::TRANSACTION_VERSION,
                    genesis_hash: genesis,
                    era_block_hash: genesis,
                };
                UncheckedExtrinsic::new_signed(
                    call,
                    p,
                    SignedExtra { era: Era::Immortal, nonce: b, tip: 0 },
                    &additional,
                )
                .encode()
            })
            .collect();
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
