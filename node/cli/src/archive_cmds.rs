//! `archivechain archive search|captures|verify|export` and `query archive`: the archive from
//! the command line. Search and lookups talk JSON-RPC (`archive_*`); export reads the node's
//! WARC store directly (stop the node first: the store has one writer).

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use archive_pallet_archive::{storage as st, ArchiveRecord};
use clap::{Args, Subcommand};
use parity_scale_codec::Decode;
use serde_json::{json, Value};

use crate::{
    client_cmds::{self, RpcArgs},
    output,
    rpc_client::RpcClient,
};

/// `archivechain archive …`.
#[derive(Subcommand, Debug)]
pub enum ArchiveCmd {
    /// Full-text search over the node's captures (ranked, with snippets and on-chain status).
    Search(SearchArgs),
    /// Captures of one URL (Wayback-style), oldest first.
    Captures {
        /// The URL.
        #[arg(value_name = "URL")]
        page: String,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// Re-hash the node's copy of a capture and compare with the chain.
    Verify {
        /// The content hash (0x + 64 hex digits).
        #[arg(value_parser = client_cmds::parse_hash)]
        content_hash: archive_primitives::H256,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// Make the node crawl a site now: every page is stored as WARC, indexed and submitted on
    /// chain with the node's key (needs `--rpc-methods unsafe` on the node). Shows progress.
    Crawl {
        /// The seed URL.
        #[arg(value_name = "SEED_URL")]
        seed: String,
        /// Link depth (0–5).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=5))]
        depth: u32,
        /// At most this many pages.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        max_pages: u32,
        /// host (same host), prefix (URLs under the seed) or domain (subdomains too).
        #[arg(long, default_value = "host", value_parser = ["host", "prefix", "domain"])]
        scope: String,
        /// Give up waiting after this many seconds (the crawl goes on in the node).
        #[arg(long, default_value_t = 600)]
        timeout: u64,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// Write the node's captures as one WARC (`--warc out.warc.gz`) or a WACZ (`--wacz out.wacz`).
    /// Reads the store under the base path: stop the node first.
    Export(ExportArgs),
}

/// `archive search`.
#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The query ("…" for a phrase).
    query: String,
    /// Only these hosts.
    #[arg(long)]
    host: Vec<String>,
    /// Only captures with these tags.
    #[arg(long)]
    tag: Vec<String>,
    /// Only this language (en, fr).
    #[arg(long)]
    language: Option<String>,
    /// Results per page (1–100).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,
    /// Page number (from 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// `archive export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write a WARC file (gzip, one member per record).
    #[arg(long, value_name = "FILE", conflicts_with = "wacz", required_unless_present = "wacz")]
    warc: Option<PathBuf>,
    /// Write a WACZ package.
    #[arg(long, value_name = "FILE")]
    wacz: Option<PathBuf>,
    /// Only captures at or after this unix time in milliseconds.
    #[arg(long, value_name = "UNIX_MS")]
    since: Option<u64>,
    #[command(flatten)]
    chain: crate::node::ChainArgs,
}

/// Runs an `archive` subcommand.
///
/// # Errors
/// RPC failures, a node without an archive, unreadable stores.
pub fn run(cmd: ArchiveCmd) -> anyhow::Result<()> {
    match cmd {
        ArchiveCmd::Export(args) => export(args),
        other => client_cmds::block_on(online(other))?,
    }
}

async fn online(cmd: ArchiveCmd) -> anyhow::Result<()> {
    match cmd {
        ArchiveCmd::Search(a) => {
            let json_out = a.rpc.json;
            let rpc = a.rpc.connect().await?;
            let q = json!({ "text": a.query, "hosts": a.host, "tags": a.tag, "language": a.language,
                             "offset": (a.page - 1) * a.limit, "limit": a.limit });
            let res: Value = rpc.call("archive_search", vec![q]).await.map_err(|e| anyhow!("archive_search: {e}"))?;
            if json_out {
                output::print_json(&res);
                return Ok(());
            }
            let hits = res["hits"].as_array().cloned().unwrap_or_default();
            println!("{} result(s)", res["total"]);
            for h in hits {
                println!();
                println!("{}  [{}]", h["title"].as_str().unwrap_or("(untitled)"), h["status"].as_str().unwrap_or("?"));
                println!("  {}", h["url"].as_str().unwrap_or_default());
                println!("  captured {}  hash {}", h["capturedAtMs"], h["contentHash"].as_str().unwrap_or_default());
                let snippet =
                    h["snippetHtml"].as_str().unwrap_or_default().replace("<b>", "\x1b[1m").replace("</b>", "\x1b[0m");
                println!("  {snippet}");
            }
        }
        ArchiveCmd::Captures { page: url, rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let res: Value =
                rpc.call("archive_captures", vec![json!(url)]).await.map_err(|e| anyhow!("archive_captures: {e}"))?;
            if json_out {
                output::print_json(&res);
            } else {
                for c in res.as_array().cloned().unwrap_or_default() {
                    println!(
                        "{}  {}  {}  {}  on chain: {}",
                        c["capturedAt"],
                        c["status"],
                        c["contentHash"].as_str().unwrap_or_default(),
                        c["url"].as_str().unwrap_or_default(),
                        c["onChain"].as_str().unwrap_or("no")
                    );
                }
            }
        }
        ArchiveCmd::Verify { content_hash, rpc } => {
            let rpc = rpc.connect().await?;
            let res: Value = rpc
                .call("archive_verify", vec![json!(content_hash.to_string())])
                .await
                .map_err(|e| anyhow!("archive_verify: {e}"))?;
            output::print_json(&res);
            if res["verified"] != json!(true) {
                bail!("the local copy does not verify against the chain");
            }
        }
        ArchiveCmd::Crawl { seed, depth, max_pages, scope, timeout, rpc } => {
            if let Err(e) = archive_pallet_archive::validate_url(seed.as_bytes()) {
                bail!("cannot crawl {seed:?}: {e:?} (http:// or https:// URLs only)");
            }
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let started: Value = rpc
                .call(
                    "archive_crawl",
                    vec![json!({"seed": seed, "depth": depth, "maxPages": max_pages, "scope": scope})],
                )
                .await
                .map_err(|e| anyhow!("archive_crawl: {e}"))?;
            let job = started["job"].as_u64().ok_or_else(|| anyhow!("the node answered {started}"))?;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout);
            let state = loop {
                let s: Value = rpc.call("archive_crawlStatus", vec![json!(job)]).await.map_err(|e| anyhow!("{e}"))?;
                if !json_out {
                    eprint!(
                        "\r[crawl {job}] {} pages, {} captures, {} KiB, {} queued, {} errors   ",
                        s["pages"],
                        s["captures"].as_u64().unwrap_or(0),
                        s["bytes"].as_u64().unwrap_or(0) / 1024,
                        s["queued"].as_u64().unwrap_or(0),
                        s["errors"].as_array().map(Vec::len).or(s["errors"].as_u64().map(|n| n as usize)).unwrap_or(0)
                    );
                }
                if s["state"] != json!("running") {
                    break s;
                }
                if std::time::Instant::now() > deadline {
                    bail!("still crawling after {timeout} s (job {job}; the node goes on)");
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            };
            if !json_out {
                eprintln!();
            }
            if json_out {
                output::print_json(&state);
            } else {
                output::print_fields(&[
                    ("job", job.to_string()),
                    ("state", state["state"].as_str().unwrap_or_default().to_string()),
                    ("pages", state["pages"].to_string()),
                    ("submitted", state["submitted"].as_array().map(Vec::len).unwrap_or(0).to_string()),
                    ("stopped because", state["stop"].as_str().unwrap_or_default().to_string()),
                ]);
                for h in state["submitted"].as_array().cloned().unwrap_or_default() {
                    println!("  submitted {}", h.as_str().unwrap_or_default());
                }
                for f in state["failures"].as_array().cloned().unwrap_or_default() {
                    println!("  failed {}", f.as_str().unwrap_or_default());
                }
            }
            if state["state"] == json!("failed") {
                bail!("the crawl failed: {}", state["error"]);
            }
        }
        ArchiveCmd::Export(_) => unreachable!("handled offline"),
    }
    Ok(())
}

fn export(args: ExportArgs) -> anyhow::Result<()> {
    let spec = args.chain.spec()?;
    let dir = args.chain.base_path()?.join("chains").join(&spec.id).join("archive").join("warc");
    anyhow::ensure!(dir.is_dir(), "no archive at {} (has this node archived anything?)", dir.display());
    let mut store = archive_warc::WarcStore::open(&dir, archive_warc::StoreConfig::default())
        .with_context(|| format!("opening the WARC store {}", dir.display()))?;
    let summary = match (&args.warc, &args.wacz) {
        (Some(out), _) => store.export_warc(out, args.since)?,
        (None, Some(out)) => store.export_wacz(out, args.since)?,
        (None, None) => bail!("pass --warc FILE or --wacz FILE"),
    };
    eprintln!("exported {summary:?}");
    Ok(())
}

/// `query archive <content hash | url>`: the on-chain record(s), attestations and status.
///
/// # Errors
/// RPC failures or undecodable storage.
pub async fn query(what: String, rpc: RpcArgs) -> anyhow::Result<()> {
    let json_out = rpc.json;
    let rpc = rpc.connect().await?;
    let hashes: Vec<[u8; 32]> = if let Ok(h) = client_cmds::parse_hash(&what) {
        vec![h.0]
    } else {
        let key = st::ByUrl::key(&archive_primitives::hashing::blake2_256(what.as_bytes()));
        read(&rpc, &key).await?.unwrap_or_default()
    };
    let mut out = Vec::new();
    for h in hashes {
        let Some(r) = read::<ArchiveRecord>(&rpc, &st::Records::key(&h)).await? else { continue };
        let attesters: Vec<(archive_primitives::AccountId20, bool)> =
            read(&rpc, &st::Attesters::key(&h)).await?.unwrap_or_default();
        out.push(json!({
            "contentHash": format!("0x{}", hex::encode(h)),
            "url": String::from_utf8_lossy(&r.url),
            "archiver": r.archiver.to_string(),
            "status": format!("{:?}", r.status),
            "size": r.size,
            "mime": String::from_utf8_lossy(&r.mime),
            "capturedAt": r.captured_at,
            "block": r.block,
            "request": r.request,
            "attestations": attesters.iter().map(|(a, ok)| json!({"attester": a.to_string(), "agrees": ok})).collect::<Vec<_>>(),
        }));
    }
    if out.is_empty() {
        bail!("no archive record for {what}");
    }
    if json_out {
        output::print_json(&Value::Array(out));
    } else {
        for r in out {
            output::print_fields(&[
                ("content hash", r["contentHash"].as_str().unwrap_or_default().to_string()),
                ("url", r["url"].as_str().unwrap_or_default().to_string()),
                ("status", r["status"].as_str().unwrap_or_default().to_string()),
                ("archiver", r["archiver"].as_str().unwrap_or_default().to_string()),
                ("size", r["size"].to_string()),
                ("captured at", r["capturedAt"].to_string()),
                ("attestations", r["attestations"].to_string()),
            ]);
            println!();
        }
    }
    Ok(())
}

async fn read<T: Decode>(rpc: &RpcClient, key: &[u8]) -> anyhow::Result<Option<T>> {
    match rpc.storage(key, None).await? {
        Some(b) => Ok(Some(T::decode(&mut &b[..]).map_err(|e| anyhow!("undecodable storage: {e}"))?)),
        None => Ok(None),
    }
}
