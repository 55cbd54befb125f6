//! `archivechain`: the ArchiveChain node and its command-line client.
//!
//! Node commands run the chain (`archivechain --dev`, `build-spec`, `purge-chain`,
//! `export-blocks`, `import-blocks`, `benchmark import`); client commands sign locally and talk
//! JSON-RPC to a node (`key`, `tx`, `query`). Every error is printed as one clear message with a
//! non-zero exit code — never a panic.

mod amount;
mod benchmark;
mod blocks;
mod client_cmds;
mod key;
mod node;
mod output;
mod query;
mod rpc_client;
mod tx;

use clap::{Parser, Subcommand};

/// ArchiveChain: a decentralised web archive on a Substrate-compatible chain.
#[derive(Parser, Debug)]
#[command(name = "archivechain", version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: node::RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a node (the default when no subcommand is given).
    Run(node::RunArgs),
    /// Manage secp256k1 keys in the keystore (Ethereum keystore v3 files).
    #[command(subcommand)]
    Key(key::KeyCmd),
    /// Sign and submit transactions over JSON-RPC.
    #[command(subcommand)]
    Tx(tx::TxCmd),
    /// Read the chain over JSON-RPC.
    #[command(subcommand)]
    Query(query::QueryCmd),
    /// Print a chain specification as JSON.
    BuildSpec(node::BuildSpecArgs),
    /// Delete the chain database.
    PurgeChain(node::PurgeArgs),
    /// Export blocks to a file (SCALE, length-prefixed).
    ExportBlocks(blocks::ExportArgs),
    /// Import blocks from a file written by export-blocks (each block verified and re-executed).
    ImportBlocks(blocks::ImportArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Benchmark(benchmark::BenchCmd),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        None => node::run(cli.run),
        Some(Command::Run(args)) => node::run(args),
        Some(Command::Key(cmd)) => key::run(cmd),
        Some(Command::Tx(cmd)) => tx::run(cmd),
        Some(Command::Query(cmd)) => query::run(cmd),
        Some(Command::BuildSpec(args)) => node::build_spec(args),
        Some(Command::PurgeChain(args)) => node::purge_chain(args),
        Some(Command::ExportBlocks(args)) => blocks::export(args),
        Some(Command::ImportBlocks(args)) => blocks::import(args),
        Some(Command::Benchmark(cmd)) => benchmark::run(cmd),
    };
    if let Err(e) = result {
        eprintln!("Error: {}", error_chain(&e));
        std::process::exit(1);
    }
}

/// The error and its causes joined by ": ", skipping a cause whose text the previous message
/// already contains (wrapper errors often repeat their source).
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
