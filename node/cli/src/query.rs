//! `archivechain query`: read balances, nonces, blocks, headers and transactions over JSON-RPC.

use anyhow::{anyhow, bail};
use archive_primitives::{
    storage_key::{map_key, Hasher},
    AccountId20, DigestItem, Header, H256,
};
use clap::{Args, Subcommand};
use parity_scale_codec::{Decode, Encode};
use serde_json::{json, Value};

use crate::{
    amount::format_arc,
    client_cmds::{self, BlockRef, ExtrinsicReport, RpcArgs},
    output,
    rpc_client::RpcClient,
};

/// `archivechain query ...`.
#[derive(Subcommand, Debug)]
pub enum QueryCmd {
    /// An account's balances (free, reserved, frozen) and nonce.
    Balance(BalanceArgs),
    /// An account's next nonce (counting its transactions already in the node's pool).
    Nonce(NonceArgs),
    /// A block: header fields and its extrinsics (default: the best block).
    Block(BlockArgs),
    /// A block header (default: the best block).
    Header(BlockArgs),
    /// Find an extrinsic by hash, searching back from the best block; shows its call and events.
    Tx(TxArgs),
    /// Staking: validators (with Proof-of-Archive scores), a ledger, the era.
    #[command(subcommand)]
    Staking(crate::query_pallets::StakingQuery),
    /// Governance: proposals, one proposal, chain parameters.
    #[command(subcommand)]
    Gov(crate::query_pallets::GovQuery),
    /// An archive record by content hash or URL: status, attestations.
    Archive {
        /// A content hash (0x…) or a URL.
        what: String,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// An account's identity and roles.
    Identity {
        /// The account.
        #[arg(value_parser = client_cmds::parse_address)]
        address: AccountId20,
        #[command(flatten)]
        rpc: RpcArgs,
    },
}

/// `query balance`.
#[derive(Args, Debug)]
pub struct BalanceArgs {
    /// The account (0x + 40 hex digits).
    #[arg(value_name = "ADDRESS", value_parser = client_cmds::parse_address)]
    address: AccountId20,
    /// Read at this block (hash or number) instead of the best block.
    #[arg(long, value_name = "BLOCK", value_parser = client_cmds::parse_block_ref)]
    at: Option<BlockRef>,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// `query nonce`.
#[derive(Args, Debug)]
pub struct NonceArgs {
    /// The account (0x + 40 hex digits).
    #[arg(value_name = "ADDRESS", value_parser = client_cmds::parse_address)]
    address: AccountId20,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// `query block` / `query header`.
#[derive(Args, Debug)]
pub struct BlockArgs {
    /// Block hash (0x + 64 hex digits) or number; default: the best block.
    #[arg(value_name = "HASH|NUMBER", value_parser = client_cmds::parse_block_ref)]
    block: Option<BlockRef>,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// `query tx`.
#[derive(Args, Debug)]
pub struct TxArgs {
    /// The extrinsic hash (blake2_256 of its encoding).
    #[arg(value_name = "HASH", value_parser = client_cmds::parse_hash)]
    hash: H256,
    /// How many blocks to search back from the best block.
    #[arg(long, value_name = "BLOCKS", default_value_t = 1000)]
    depth: u32,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// Runs a `query` subcommand.
pub fn run(cmd: QueryCmd) -> anyhow::Result<()> {
    client_cmds::block_on(async move {
        match cmd {
            QueryCmd::Balance(args) => balance(args).await,
            QueryCmd::Nonce(args) => nonce(args).await,
            QueryCmd::Block(args) => block(args).await,
            QueryCmd::Header(args) => header(args).await,
            QueryCmd::Tx(args) => tx(args).await,
            QueryCmd::Gov(cmd) => crate::query_pallets::gov(cmd).await,
            QueryCmd::Archive { what, rpc } => crate::archive_cmds::query(what, rpc).await,
            QueryCmd::Staking(cmd) => crate::query_pallets::staking(cmd).await,
            QueryCmd::Identity { address, rpc } => crate::query_pallets::identity(address, rpc).await,
        }
    })?
}

/// The `System.Account` storage key of `who`.
fn account_key(who: &AccountId20) -> Vec<u8> {
    map_key("System", "Account", Hasher::Blake2_128Concat, &who.encode())
}

/// The header of `hash`, or a clear error.
async fn header_of(rpc: &RpcClient, hash: H256) -> anyhow::Result<Header> {
    rpc.header(Some(hash)).await?.ok_or_else(|| anyhow!("unknown block {hash}"))
}

async fn balance(args: BalanceArgs) -> anyhow::Result<()> {
    let rpc = args.rpc.connect().await?;
    let at = client_cmds::resolve_block(&rpc, args.at).await?;
    let number = header_of(&rpc, at).await?.number;
    let raw = rpc.storage(&account_key(&args.address), Some(at)).await?;
    let exists = raw.is_some();
    let info = match raw {
        Some(bytes) => archive_pallet_system::Account::decode(&mut &bytes[..])
            .map_err(|e| anyhow!("cannot decode System.Account of {}: {e}", args.address))?,
        None => archive_pallet_system::Account::default(),
    };
    let data = info.data;
    let transferable = data.usable();
    if args.rpc.json {
        output::print_json(&json!({
            "address": args.address.to_string(),
            "block_hash": at,
            "block_number": number,
            "exists": exists,
            "free": output::balance_json(data.free),
            "reserved": output::balance_json(data.reserved),
            "frozen": output::balance_json(data.frozen),
            "transferable": output::balance_json(transferable),
            "nonce": info.nonce,
        }));
    } else {
        output::print_fields(&[
            ("address", args.address.to_string()),
            ("at", format!("#{number} {at}")),
            ("free", format_arc(data.free)),
            ("reserved", format_arc(data.reserved)),
            ("frozen", format_arc(data.frozen)),
            ("transferable", format_arc(transferable)),
            ("nonce", info.nonce.to_string()),
        ]);
    }
    Ok(())
}

async fn nonce(args: NonceArgs) -> anyhow::Result<()> {
    let rpc = args.rpc.connect().await?;
    let next = rpc.next_index(&args.address).await?;
    if args.rpc.json {
        output::print_json(&json!({ "address": args.address.to_string(), "nonce": next }));
    } else {
        output::print_fields(&[("address", args.address.to_string()), ("nonce", next.to_string())]);
    }
    Ok(())
}

/// A digest item as (kind, engine, data).
fn digest_parts(item: &DigestItem) -> (&'static str, Option<[u8; 4]>, Vec<u8>) {
    match item {
        DigestItem::PreRuntime(e, d) => ("PreRuntime", Some(*e), d.clone()),
        DigestItem::Consensus(e, d) => ("Consensus", Some(*e), d.clone()),
        DigestItem::Seal(e, d) => ("Seal", Some(*e), d.clone()),
        DigestItem::Other(d) => ("Other", None, d.clone()),
        DigestItem::RuntimeEnvironmentUpdated => ("RuntimeEnvironmentUpdated", None, Vec::new()),
    }
}

fn engine_text(e: [u8; 4]) -> String {
    if e.iter().all(|b| b.is_ascii_graphic()) {
        String::from_utf8_lossy(&e).into_owned()
    } else {
        format!("0x{}", hex::encode(e))
    }
}

fn header_json(hash: H256, h: &Header) -> Value {
    let digest: Vec<Value> = h
        .digest
        .logs
        .iter()
        .map(|item| {
            let (kind, engine, data) = digest_parts(item);
            json!({ "kind": kind, "engine": engine.map(engine_text), "data": format!("0x{}", hex::encode(data)) })
        })
        .collect();
    json!({
        "number": h.number,
        "hash": hash,
        "parent_hash": h.parent_hash,
        "state_root": h.state_root,
        "extrinsics_root": h.extrinsics_root,
        "digest": digest,
    })
}

fn header_rows(hash: H256, h: &Header) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("number", h.number.to_string()),
        ("hash", hash.to_string()),
        ("parent hash", h.parent_hash.to_string()),
        ("state root", h.state_root.to_string()),
        ("extrinsics root", h.extrinsics_root.to_string()),
    ];
    for item in &h.digest.logs {
        let (kind, engine, data) = digest_parts(item);
        let engine = engine.map(|e| format!(" {}", engine_text(e))).unwrap_or_default();
        rows.push(("digest", format!("{kind}{engine} 0x{}", hex::encode(data))));
    }
    rows
}

/// Warns if the node's header does not hash to the hash we asked for.
fn check_hash(hash: H256, h: &Header) {
    if h.hash() != hash {
        output::warn(format!("the header the node returned for {hash} hashes to {}", h.hash()));
    }
}

async fn header(args: BlockArgs) -> anyhow::Result<()> {
    let rpc = args.rpc.connect().await?;
    let hash = client_cmds::resolve_block(&rpc, args.block).await?;
    let h = header_of(&rpc, hash).await?;
    check_hash(hash, &h);
    if args.rpc.json {
        output::print_json(&header_json(hash, &h));
    } else {
        output::print_fields(&header_rows(hash, &h));
    }
    Ok(())
}

async fn block(args: BlockArgs) -> anyhow::Result<()> {
    let rpc = args.rpc.connect().await?;
    let hash = client_cmds::resolve_block(&rpc, args.block).await?;
    let b = client_cmds::fetch_block(&rpc, hash).await?;
    check_hash(hash, &b.header);
    let xts: Vec<(H256, Option<archive_runtime::UncheckedExtrinsic>)> = b
        .extrinsics
        .iter()
        .map(|x| (client_cmds::extrinsic_hash(x), archive_runtime::UncheckedExtrinsic::decode(&mut &x[..]).ok()))
        .collect();
    if args.rpc.json {
        let mut out = header_json(hash, &b.header);
        out["extrinsic_count"] = Value::from(xts.len());
        out["extrinsics"] = xts
            .iter()
            .enumerate()
            .map(|(i, (h, x))| {
                json!({
                    "index": i,
                    "hash": h,
                    "signer": x.as_ref().and_then(|x| x.signature.as_ref().map(|s| s.0.to_string())),
                    "call": x.as_ref().map(|x| client_cmds::call_json(&x.function)),
                })
            })
            .collect();
        output::print_json(&out);
    } else {
        let mut rows = header_rows(hash, &b.header);
        rows.push(("extrinsics", xts.len().to_string()));
        output::print_fields(&rows);
        for (i, (h, x)) in xts.iter().enumerate() {
            let detail = match x {
                Some(x) => {
                    let who = x.signature.as_ref().map(|s| s.0.to_string()).unwrap_or_else(|| "unsigned".to_owned());
                    format!("{who} {}", output::call_view(&x.function).text())
                }
                None => "(does not decode)".to_owned(),
            };
            println!("  #{i} {h} {detail}");
        }
    }
    Ok(())
}

async fn tx(args: TxArgs) -> anyhow::Result<()> {
    let rpc = args.rpc.connect().await?;
    // In the pool, not yet in a block?
    if let Ok(pending) = rpc.call::<Vec<String>>("author_pendingExtrinsics", vec![]).await {
        let in_pool = pending.iter().any(|x| {
            crate::rpc_client::hex_bytes(x).map(|b| client_cmds::extrinsic_hash(&b) == args.hash).unwrap_or(false)
        });
        if in_pool {
            if args.rpc.json {
                output::print_json(&json!({ "hash": args.hash, "status": "pending" }));
            } else {
                output::print_fields(&[
                    ("extrinsic", args.hash.to_string()),
                    ("status", "pending in the node's pool (not in a block yet)".to_owned()),
                ]);
            }
            return Ok(());
        }
    }

    let best = rpc.best_hash().await?;
    let mut hash = best;
    let mut searched = 0u32;
    let mut first_number = None;
    let mut last_number = None;
    while searched < args.depth {
        let b = client_cmds::fetch_block(&rpc, hash).await?;
        first_number.get_or_insert(b.header.number);
        last_number = Some(b.header.number);
        searched += 1;
        if let Some(index) = b.extrinsics.iter().position(|x| client_cmds::extrinsic_hash(x) == args.hash) {
            let report = ExtrinsicReport::load(&rpc, &b, hash, index).await?;
            let finalized_number = match rpc.finalized_hash().await {
                Ok(f) => rpc.header(Some(f)).await.ok().flatten().map(|h| h.number),
                Err(_) => None,
            };
            let finalized = finalized_number.map(|f| report.block_number <= f);
            if args.rpc.json {
                let mut out = report.json();
                out["status"] = Value::from(match finalized {
                    Some(true) => "finalized",
                    _ => "in_block",
                });
                out["finalized"] = finalized.map(Value::Bool).unwrap_or(Value::Null);
                output::print_json(&out);
            } else {
                report.print_human();
                if let Some(f) = finalized {
                    println!("finalized: {}", if f { "yes" } else { "not yet" });
                }
            }
            return Ok(());
        }
        if b.header.number == 0 {
            break;
        }
        hash = b.header.parent_hash;
    }
    match (first_number, last_number) {
        (Some(hi), Some(lo)) => bail!(
            "extrinsic {} not found in blocks #{lo}..=#{hi} ({searched} blocks searched back from the best block; use --depth to search further)",
            args.hash
        ),
        _ => bail!("extrinsic {} not found (no blocks searched: --depth is 0)", args.hash),
    }
}

/// The free balance of `who` at the best block (0 if the account does not exist).
///
/// # Errors
/// RPC failure or an undecodable account.
pub async fn free_balance(rpc: &RpcClient, who: &AccountId20) -> anyhow::Result<archive_primitives::Balance> {
    match rpc.storage(&account_key(who), None).await? {
        Some(bytes) => Ok(archive_pallet_system::Account::decode(&mut &bytes[..])
            .map_err(|e| anyhow!("cannot decode System.Account of {who}: {e}"))?
            .data
            .free),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_key_is_system_account() {
        let who = AccountId20([1; 20]);
        let key = account_key(&who);
        assert_eq!(hex::encode(&key[..32]), "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9");
        assert_eq!(key.len(), 32 + 16 + 20);
        assert_eq!(&key[48..], &who.0);
    }
}
