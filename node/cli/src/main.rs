//! `archivechain`: the ArchiveChain node and its command-line client.
//!
//! Node commands run the chain (`archivechain --dev`, `build-spec`, `purge-chain`,
//! `export-blocks`, `import-blocks`, `benchmark import`); client commands sign locally and talk
//! JSON-RPC to a node (`key`, `tx`, `query`). Every error is printed as one clear message with a
//! non-zero exit code — never a panic.

mod amount;
mod archive_cmds;
mod benchmark;
mod blocks;
mod client_cmds;
mod key;
mod node;
mod output;
mod query;
mod query_pallets;
mod rpc_client;
mod tx;
mod tx_pallets;

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
    /// The web archive: search, captures of a URL, verify, export WARC/WACZ.
    #[command(subcommand)]
    Archive(archive_cmds::ArchiveCmd),
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
    // `archivechain query … | head` must end quietly when the reader goes away, like other
    // Unix tools, instead of panicking on a failed print.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        None => node::run(cli.run),
        Some(Command::Run(args)) => node::run(args),
        Some(Command::Key(cmd)) => key::run(cmd),
        Some(Command::Tx(cmd)) => tx::run(cmd),
        Some(Command::Query(cmd)) => query::run(cmd),
        Some(Command::Archive(cmd)) => archive_cmds::run(cmd),
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks argument definitions only when a subcommand is first used; check them all
    /// here so a bad definition fails the tests, not a user.
    #[test]
    fn every_command_definition_is_valid() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn pallet_commands_parse() {
        use clap::Parser;
        for args in [
            &["archivechain", "tx", "gov", "vote", "3", "aye", "--conviction", "2", "--from", "alith"][..],
            &["archivechain", "tx", "gov", "propose", "max_validators", "5", "--deposit", "10ARC", "--from", "alith"],
            &[
                "archivechain",
                "tx",
                "staking",
                "nominate",
                "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac",
                "--from",
                "baltathar",
            ],
            &[
                "archivechain",
                "tx",
                "identity",
                "grant-role",
                "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac",
                "archiver",
                "--from",
                "alith",
            ],
            &["archivechain", "query", "staking", "ledger", "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac"],
            &["archivechain", "query", "gov", "parameters"],
        ] {
            assert!(super::Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
        for bad in [
            &["archivechain", "tx", "gov", "vote", "3", "maybe", "--from", "alith"][..],
            &["archivechain", "tx", "gov", "propose", "no_such_parameter", "5", "--deposit", "1", "--from", "alith"],
            &[
                "archivechain",
                "tx",
                "identity",
                "grant-role",
                "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac",
                "king",
                "--from",
                "alith",
            ],
            &["archivechain", "tx", "gov", "vote", "3", "aye", "--conviction", "7", "--from", "alith"],
        ] {
            assert!(super::Cli::try_parse_from(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
