//! `archivechain tx`: sign transactions locally and submit them over JSON-RPC.
//!
//! Progress goes to stderr (`submitted 0x.. → ready → in block #N 0x.. → finalized`), the result
//! (events, outcome) to stdout; `--json` makes stdout one JSON document. The exit status is
//! non-zero if the node refuses the transaction, if it is dropped, invalid or usurped, if it
//! fails on chain (`System.ExtrinsicFailed`), or if waiting times out.

use std::{
    io::Write,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context};
use archive_primitives::{AccountId20, AdditionalSigned, Balance, Era, Pair, SignedExtra, H256};
use archive_runtime::{RuntimeCall, UncheckedExtrinsic};
use clap::{ArgAction, Args, Subcommand};
use parity_scale_codec::Encode;
use serde_json::{json, Value};

use crate::{
    amount::{format_arc, parse_amount_arg},
    client_cmds::{self, era_text, ExtrinsicReport, KeystoreArgs, RpcArgs},
    output,
    rpc_client::{RpcClient, RpcError},
};

/// `archivechain tx ...`.
#[derive(Subcommand, Debug)]
pub enum TxCmd {
    /// Transfer ARC from one of your keys (or a dev account) to an address.
    Transfer(TransferArgs),
    /// Identity and roles: set, clear, grant-role, revoke-role.
    #[command(subcommand)]
    Identity(crate::tx_pallets::IdentityCmd),
    /// Staking: bond, unbond, withdraw-unbonded, rebond, validate, nominate, chill.
    #[command(subcommand)]
    Staking(crate::tx_pallets::StakingCmd),
    /// Archive requests: request, cancel.
    #[command(subcommand)]
    Archive(crate::tx_pallets::ArchiveTxCmd),
    /// Governance: propose, vote, cancel.
    #[command(subcommand)]
    Gov(crate::tx_pallets::GovCmd),
}

/// `tx transfer`.
#[derive(Args, Debug)]
pub struct TransferArgs {
    /// The sender: an address in the keystore, a key file, or a dev account name (alith,
    /// baltathar, charleth, dorothy, ethan, faith).
    #[arg(long, value_name = "WHO")]
    from: String,
    /// The recipient's address (0x + 40 hex digits).
    #[arg(long, value_name = "ADDRESS", value_parser = client_cmds::parse_address)]
    to: AccountId20,
    /// How much: `1.5ARC`, `1.5 ARC`, `1.5` (ARC) or `1500000000000000000units`.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount_arg, allow_negative_numbers = true)]
    amount: Balance,
    /// A tip for the block author, raising priority (same syntax as --amount).
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount_arg, default_value = "0", allow_negative_numbers = true)]
    tip: Balance,
    /// `true`: transfer_keep_alive (fails rather than leave the sender below the existential
    /// deposit); `false`: transfer_allow_death.
    #[arg(long, value_name = "BOOL", action = ArgAction::Set, default_value_t = true)]
    keep_alive: bool,
    /// Valid forever instead of for --mortal-period blocks (not recommended: a dropped immortal
    /// transaction can be replayed while its nonce is unused).
    #[arg(long)]
    immortal: bool,
    /// Blocks the transaction stays valid for (rounded up to a power of two, 4..=65536).
    #[arg(long, value_name = "BLOCKS", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(4..=65536))]
    mortal_period: u64,
    /// Use this nonce instead of the node's `system_accountNextIndex`.
    #[arg(long, value_name = "N")]
    nonce: Option<u32>,
    /// Submit and exit at once (prints the transaction hash).
    #[arg(long, conflicts_with = "in_block")]
    no_wait: bool,
    /// Wait until the transaction is in a block, not until it is finalized.
    #[arg(long)]
    in_block: bool,
    /// Seconds to wait for the transaction to be finalized (or in a block with --in-block).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    keystore: KeystoreArgs,
}

/// Runs a `tx` subcommand.
pub fn run(cmd: TxCmd) -> anyhow::Result<()> {
    match cmd {
        TxCmd::Transfer(args) => client_cmds::block_on(transfer(args))?,
        TxCmd::Identity(cmd) => client_cmds::block_on(crate::tx_pallets::identity(cmd))?,
        TxCmd::Gov(cmd) => client_cmds::block_on(crate::tx_pallets::gov(cmd))?,
        TxCmd::Staking(cmd) => client_cmds::block_on(crate::tx_pallets::staking(cmd))?,
        TxCmd::Archive(cmd) => client_cmds::block_on(crate::tx_pallets::archive(cmd))?,
    }
}

/// A signed extrinsic ready to submit.
pub(crate) struct Signed {
    pub(crate) bytes: Vec<u8>,
    pub(crate) hash: H256,
    pub(crate) nonce: u32,
    pub(crate) era: Era,
}

/// Fetches what signing needs from the node and signs `call`.
pub(crate) async fn sign(
    rpc: &RpcClient,
    pair: &Pair,
    call: RuntimeCall,
    tip: Balance,
    nonce: Option<u32>,
    era: Option<u64>,
) -> anyhow::Result<Signed> {
    let genesis_hash = rpc.genesis_hash().await?;
    let version = rpc.runtime_version().await?;
    let nonce = match nonce {
        Some(n) => n,
        None => rpc.next_index(&pair.account()).await?,
    };
    let (era, era_block_hash) = match era {
        None => (Era::Immortal, genesis_hash),
        Some(period) => {
            let best = rpc.header(None).await?.ok_or_else(|| anyhow!("the node returned no best header"))?;
            let current = u64::from(best.number);
            let era = Era::mortal(period, current);
            let birth = era.birth(current);
            let birth_number = u32::try_from(birth).map_err(|_| anyhow!("era birth block #{birth} out of range"))?;
            let hash = rpc
                .block_hash(birth_number)
                .await?
                .ok_or_else(|| anyhow!("the node has no hash for block #{birth} (the era's birth block)"))?;
            (era, hash)
        }
    };
    let additional = AdditionalSigned {
        spec_version: version.spec_version,
        transaction_version: version.transaction_version,
        genesis_hash,
        era_block_hash,
    };
    let xt = UncheckedExtrinsic::new_signed(call, pair, SignedExtra { era, nonce, tip }, &additional);
    Ok(Signed { bytes: xt.encode(), hash: xt.hash(), nonce, era })
}

/// The estimated fee (`payment_queryInfo`), if the node answers.
pub(crate) async fn estimate_fee(rpc: &RpcClient, xt: &[u8]) -> Option<Balance> {
    let info: Value =
        rpc.call("payment_queryInfo", vec![Value::String(format!("0x{}", hex::encode(xt)))]).await.ok()?;
    match info.get("partialFee")? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64().map(Balance::from),
        _ => None,
    }
}

/// Progress on stderr: one line, ` → ` between steps.
struct Progress {
    started: bool,
}

impl Progress {
    fn step(&mut self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = if self.started { write!(err, " → {text}") } else { write!(err, "{text}") };
        let _ = err.flush();
        self.started = true;
    }

    fn end(&mut self) {
        if self.started {
            eprintln!();
            self.started = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end();
    }
}

/// How far the transaction got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reached {
    InBlock,
    Finalized,
}

impl Reached {
    fn word(self) -> &'static str {
        match self {
            Reached::InBlock => "in_block",
            Reached::Finalized => "finalized",
        }
    }
}

/// A refused submission as one line with the node's code, message and data.
fn refused(e: RpcError) -> anyhow::Error {
    match e.rpc_summary() {
        Some(summary) => anyhow!("transaction refused by the node: {summary}"),
        None => anyhow::Error::new(e),
    }
}

async fn transfer(args: TransferArgs) -> anyhow::Result<()> {
    client_cmds::check_signer(&args.from)?;
    let rpc = args.rpc.connect().await?;
    if !args.no_wait && !rpc.can_subscribe() {
        bail!(
            "watching a transaction needs a WebSocket URL (ws:// or wss://), not {}; use --no-wait to submit over HTTP",
            rpc.url()
        );
    }
    if args.amount == 0 {
        output::warn("transferring 0 ARC");
    }
    let pair = client_cmds::resolve_signer(&args.from, &args.keystore)?;
    let from = pair.account();
    let call = output::transfer_call(args.to, args.amount, args.keep_alive);
    let era = (!args.immortal).then_some(args.mortal_period);
    let signed = sign(&rpc, &pair, call, args.tip, args.nonce, era).await?;
    let fee = estimate_fee(&rpc, &signed.bytes).await;

    eprintln!(
        "transfer {} from {from} to {} (nonce {}, tip {}, {}{})",
        format_arc(args.amount),
        args.to,
        signed.nonce,
        format_arc(args.tip),
        era_text(signed.era),
        fee.map(|f| format!(", estimated fee {}", format_arc(f))).unwrap_or_default(),
    );
    let summary = json!({
        "hash": signed.hash,
        "from": from.to_string(),
        "to": args.to.to_string(),
        "amount": output::balance_json(args.amount),
        "tip": output::balance_json(args.tip),
        "nonce": signed.nonce,
        "era": era_text(signed.era),
        "keep_alive": args.keep_alive,
        "estimated_fee": fee.map(output::balance_json),
    });
    let wait = Wait { no_wait: args.no_wait, in_block: args.in_block, timeout: args.timeout, json: args.rpc.json };
    submit_and_watch(&rpc, &signed, summary, &wait).await
}

/// How long and for what a submitting command waits.
pub(crate) struct Wait {
    /// Submit and return at once.
    pub no_wait: bool,
    /// Stop at inclusion instead of finality.
    pub in_block: bool,
    /// Seconds to wait.
    pub timeout: u64,
    /// JSON output.
    pub json: bool,
}

/// Submits `signed` and, unless `wait.no_wait`, shows its progress until it is in a block or
/// finalized, then prints the block and the extrinsic's events (`summary` leads the JSON).
///
/// # Errors
/// Refusal by the node, a timeout, a dropped/invalid transaction, or a failed dispatch.
pub(crate) async fn submit_and_watch(
    rpc: &RpcClient,
    signed: &Signed,
    summary: Value,
    wait: &Wait,
) -> anyhow::Result<()> {
    let xt_hex = Value::String(format!("0x{}", hex::encode(&signed.bytes)));

    if wait.no_wait {
        let hash: H256 = rpc.call("author_submitExtrinsic", vec![xt_hex]).await.map_err(refused)?;
        if hash != signed.hash {
            output::warn(format!("the node reports hash {hash}, expected {}", signed.hash));
        }
        eprintln!("submitted {hash}");
        if wait.json {
            let mut out = summary;
            out["status"] = Value::from("submitted");
            output::print_json(&out);
        } else {
            println!("{hash}");
        }
        return Ok(());
    }

    let mut sub = rpc
        .subscribe("author_submitAndWatchExtrinsic", vec![xt_hex], "author_unwatchExtrinsic")
        .await
        .map_err(refused)?;
    let mut progress = Progress { started: false };
    progress.step(&format!("submitted {}", signed.hash));

    let deadline = Instant::now() + Duration::from_secs(wait.timeout);
    let mut report: Option<ExtrinsicReport> = None;
    let mut last_status = "submitted".to_owned();
    let reached: Result<Reached, anyhow::Error> = loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let next = match tokio::time::timeout(remaining, sub.next()).await {
            Ok(next) => next,
            Err(_) => {
                break Err(anyhow!(
                    "timed out after {} s waiting for the transaction to be {} (last status: {last_status})",
                    wait.timeout,
                    if wait.in_block { "included in a block" } else { "finalized" },
                ))
            }
        };
        let status = match next {
            Some(Ok(v)) => v,
            Some(Err(e)) => break Err(anyhow!("unexpected transaction status from the node: {e}")),
            None => {
                break Err(anyhow!(
                    "the node ended the watch before the transaction was {} (last status: {last_status})",
                    if wait.in_block { "included in a block" } else { "finalized" },
                ))
            }
        };
        match parse_status(&status) {
            Status::Future => {
                progress.step("future (waiting for an earlier nonce)");
                last_status = "future".into();
            }
            Status::Ready => {
                progress.step("ready");
                last_status = "ready".into();
            }
            Status::Broadcast => {}
            Status::InBlock(h) => {
                let r = load_report(rpc, h, signed.hash).await?;
                progress.step(&format!("in block #{} {h}", r.block_number));
                last_status = format!("in block #{} {h}", r.block_number);
                report = Some(r);
                if wait.in_block {
                    break Ok(Reached::InBlock);
                }
            }
            Status::Retracted(h) => {
                progress.step(&format!("retracted from {h}"));
                last_status = "retracted".into();
                report = None;
            }
            Status::Finalized(h) => {
                let r = match report.take() {
                    Some(r) if r.block_hash == h => r,
                    _ => load_report(rpc, h, signed.hash).await?,
                };
                progress.step(&format!("finalized #{} {h}", r.block_number));
                report = Some(r);
                break Ok(Reached::Finalized);
            }
            Status::FinalityTimeout(h) => {
                progress.step("finality timeout");
                break Err(anyhow!("the block {h} containing the transaction was not finalized in time"));
            }
            Status::Usurped(h) => {
                progress.step("usurped");
                break Err(anyhow!("the transaction was usurped by {h} (another transaction with the same nonce)"));
            }
            Status::Dropped => {
                progress.step("dropped");
                break Err(anyhow!("the transaction was dropped by the node's pool"));
            }
            Status::Invalid => {
                progress.step("invalid");
                break Err(anyhow!("the transaction became invalid (its nonce was used, or its era expired)"));
            }
            Status::Other(v) => progress.step(&v.to_string()),
        }
    };
    progress.end();

    // Show what we know even when waiting ended badly.
    let status_word = match &reached {
        Ok(r) => r.word(),
        Err(_) if report.is_some() => "in_block",
        Err(_) => "not_included",
    };
    if let Some(r) = &report {
        print_result(&summary, r, status_word, wait.json);
    } else if wait.json {
        let mut out = summary.clone();
        out["status"] = Value::from(status_word);
        output::print_json(&out);
    }
    reached?;
    let r = report.ok_or_else(|| anyhow!("the transaction's block could not be read"))?;
    if let Some(e) = &r.failure {
        bail!("the transaction failed: {e}");
    }
    Ok(())
}

/// The report of our extrinsic in block `block_hash`.
async fn load_report(rpc: &RpcClient, block_hash: H256, xt_hash: H256) -> anyhow::Result<ExtrinsicReport> {
    let block = client_cmds::fetch_block(rpc, block_hash)
        .await
        .with_context(|| format!("cannot read block {block_hash} containing the transaction"))?;
    let index = block
        .extrinsics
        .iter()
        .position(|x| client_cmds::extrinsic_hash(x) == xt_hash)
        .ok_or_else(|| anyhow!("transaction {xt_hash} not found in block {block_hash}"))?;
    ExtrinsicReport::load(rpc, &block, block_hash, index).await
}

fn print_result(summary: &Value, r: &ExtrinsicReport, status: &str, json_out: bool) {
    if json_out {
        let mut out = r.json();
        if let (Value::Object(o), Value::Object(s)) = (&mut out, summary) {
            for (k, v) in s {
                o.entry(k.clone()).or_insert_with(|| v.clone());
            }
            o.insert("status".into(), Value::from(status));
        }
        output::print_json(&out);
        return;
    }
    let result = match &r.failure {
        Some(e) => format!("failed: {e}"),
        None if r.success => "success".to_owned(),
        None => "unknown".to_owned(),
    };
    output::print_fields(&[
        ("extrinsic", r.hash.to_string()),
        ("status", status.replace('_', " ")),
        ("block", format!("#{} {}", r.block_number, r.block_hash)),
        ("index", r.index.to_string()),
        ("result", result),
    ]);
    println!("events:");
    if r.events.is_empty() {
        println!("  (none)");
    }
    for e in &r.events {
        println!("  {}", output::event_view(e).text());
    }
}

/// An `author_extrinsicUpdate` notification.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Future,
    Ready,
    Broadcast,
    InBlock(H256),
    Retracted(H256),
    FinalityTimeout(H256),
    Finalized(H256),
    Usurped(H256),
    Dropped,
    Invalid,
    Other(Value),
}

fn parse_status(v: &Value) -> Status {
    match v {
        Value::String(s) => match s.as_str() {
            "future" => Status::Future,
            "ready" => Status::Ready,
            "dropped" => Status::Dropped,
            "invalid" => Status::Invalid,
            _ => Status::Other(v.clone()),
        },
        Value::Object(map) if map.len() == 1 => {
            let Some((k, inner)) = map.iter().next() else { return Status::Other(v.clone()) };
            if k == "broadcast" {
                return Status::Broadcast;
            }
            let Some(h) = inner.as_str().and_then(|s| s.parse::<H256>().ok()) else {
                return Status::Other(v.clone());
            };
            match k.as_str() {
                "inBlock" => Status::InBlock(h),
                "retracted" => Status::Retracted(h),
                "finalityTimeout" => Status::FinalityTimeout(h),
                "finalized" => Status::Finalized(h),
                "usurped" => Status::Usurped(h),
                _ => Status::Other(v.clone()),
            }
        }
        _ => Status::Other(v.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse() {
        let h = H256([0xaa; 32]);
        let hs = format!("0x{}", "aa".repeat(32));
        assert_eq!(parse_status(&json!("ready")), Status::Ready);
        assert_eq!(parse_status(&json!("future")), Status::Future);
        assert_eq!(parse_status(&json!("dropped")), Status::Dropped);
        assert_eq!(parse_status(&json!("invalid")), Status::Invalid);
        assert_eq!(parse_status(&json!({"broadcast": ["p"]})), Status::Broadcast);
        assert_eq!(parse_status(&json!({"inBlock": hs})), Status::InBlock(h));
        assert_eq!(parse_status(&json!({"finalized": hs})), Status::Finalized(h));
        assert_eq!(parse_status(&json!({"retracted": hs})), Status::Retracted(h));
        assert_eq!(parse_status(&json!({"usurped": hs})), Status::Usurped(h));
        assert_eq!(parse_status(&json!({"finalityTimeout": hs})), Status::FinalityTimeout(h));
        assert!(matches!(parse_status(&json!({"inBlock": "0x12"})), Status::Other(_)));
        assert!(matches!(parse_status(&json!(42)), Status::Other(_)));
    }

    #[test]
    fn signed_transfer_recovers_to_the_signer() {
        let pair = archive_primitives::crypto::dev::pair("alith").expect("dev");
        let call = output::transfer_call(AccountId20([2; 20]), 5, true);
        let additional = AdditionalSigned {
            spec_version: 1,
            transaction_version: 1,
            genesis_hash: H256([1; 32]),
            era_block_hash: H256([1; 32]),
        };
        let extra = SignedExtra { era: Era::Immortal, nonce: 0, tip: 0 };
        let xt = UncheckedExtrinsic::new_signed(call.clone(), &pair, extra, &additional);
        let bytes = xt.encode();
        assert_eq!(client_cmds::extrinsic_hash(&bytes), xt.hash());
        let payload =
            archive_primitives::generic::unchecked_extrinsic::signing_payload(&call.encode(), &extra, &additional);
        let (who, sig, _) = xt.signature.expect("signed");
        assert_eq!(sig.recover(&payload), Ok(who));
        assert_eq!(who, pair.account());
    }
}
