//! `chain_*`: headers, blocks, block hashes and the head subscriptions (`chain_newHead`,
//! `chain_allHead`, `chain_finalizedHead`), plus `chainSpec_v1_*`.

use archive_primitives::{Header, H256};
use jsonrpsee::core::{RegisterMethodError, SubscriptionResult};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::PendingSubscriptionSink;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::error::invalid_param;
use crate::json::{signed_block_json, HeaderJson};
use crate::module::{send_json, Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Registers the `chain_*` and `chainSpec_v1_*` methods.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("chain_getHeader", |p, ctx, _| get_header(&p, ctx))?;
    m.register_method("chain_getBlock", |p, ctx, _| get_block(&p, ctx))?;
    m.register_method("chain_getBlockHash", |p, ctx, _| get_block_hash(&p, ctx))?;
    m.register_alias("chain_getHead", "chain_getBlockHash")?;
    m.register_method("chain_getFinalizedHead", |_, ctx, _| ctx.backend.finalized_hash().to_string())?;
    m.register_alias("chain_getFinalisedHead", "chain_getFinalizedHead")?;

    m.register_subscription(
        "chain_subscribeNewHeads",
        "chain_newHead",
        "chain_unsubscribeNewHeads",
        |_, pending, ctx, _| {
            let rx = ctx.backend.best_notifications();
            let current = ctx.backend.header(&ctx.backend.best_hash());
            pipe_headers(pending, current, rx)
        },
    )?;
    m.register_alias("chain_subscribeNewHead", "chain_subscribeNewHeads")?;
    m.register_alias("subscribe_newHead", "chain_subscribeNewHeads")?;
    m.register_alias("chain_unsubscribeNewHead", "chain_unsubscribeNewHeads")?;
    m.register_alias("unsubscribe_newHead", "chain_unsubscribeNewHeads")?;

    m.register_subscription(
        "chain_subscribeAllHeads",
        "chain_allHead",
        "chain_unsubscribeAllHeads",
        |_, pending, ctx, _| {
            let rx = ctx.backend.import_notifications();
            let current = ctx.backend.header(&ctx.backend.best_hash());
            pipe_headers(pending, current, rx)
        },
    )?;

    m.register_subscription(
        "chain_subscribeFinalizedHeads",
        "chain_finalizedHead",
        "chain_unsubscribeFinalizedHeads",
        |_, pending, ctx, _| {
            let rx = ctx.backend.finality_notifications();
            let current = ctx.backend.header(&ctx.backend.finalized_hash());
            pipe_headers(pending, current, rx)
        },
    )?;
    m.register_alias("chain_subscribeFinalisedHeads", "chain_subscribeFinalizedHeads")?;
    m.register_alias("chain_unsubscribeFinalisedHeads", "chain_unsubscribeFinalizedHeads")?;

    m.register_method("chainSpec_v1_genesisHash", |_, ctx, _| ctx.backend.genesis_hash().to_string())?;
    m.register_method("chainSpec_v1_chainName", |_, ctx, _| ctx.backend.system_info().chain)?;
    m.register_method("chainSpec_v1_properties", |_, ctx, _| Value::Object(ctx.backend.system_info().properties))?;
    Ok(())
}

/// `chain_getHeader [hash?]`: the header of `hash` (best if omitted), `null` if unknown.
fn get_header(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Option<HeaderJson>> {
    let at = Positional::parse(p)?.optional(0, "hash", params::hash)?;
    let hash = at.unwrap_or_else(|| ctx.backend.best_hash());
    Ok(ctx.backend.header(&hash)?.as_ref().map(HeaderJson::from))
}

/// `chain_getBlock [hash?]`: the signed block of `hash` (best if omitted), `null` if unknown.
fn get_block(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let at = Positional::parse(p)?.optional(0, "hash", params::hash)?;
    let hash = at.unwrap_or_else(|| ctx.backend.best_hash());
    Ok(ctx.backend.block(&hash)?.as_ref().map(signed_block_json).unwrap_or(Value::Null))
}

/// `chain_getBlockHash [n? | [n, ..]]`: best hash with no number; the hash of each number (as JSON
/// number or `0x` hex), `null` past the head; a list in gives a list out.
fn get_block_hash(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let one = |n: u32| -> RpcResult<Value> {
        Ok(ctx.backend.block_hash(n)?.map(|h| Value::String(h.to_string())).unwrap_or(Value::Null))
    };
    match p.raw(0) {
        None => Ok(Value::String(ctx.backend.best_hash().to_string())),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let n = params::block_number(item)
                    .map_err(|reason| invalid_param(0, "blockNumber", format!("item {i}: {reason}")))?;
                one(n)
            })
            .collect::<RpcResult<Vec<_>>>()
            .map(Value::Array),
        Some(_) => one(p.required(0, "blockNumber", params::block_number)?),
    }
}

/// Accepts the subscription, sends `current` (if any), then each header from `rx` until the
/// client unsubscribes or the source closes. Consecutive duplicates are skipped; a lagging
/// receiver skips the headers it missed.
async fn pipe_headers(
    pending: PendingSubscriptionSink,
    current: Result<Option<Header>, crate::backend::BackendError>,
    mut rx: broadcast::Receiver<Header>,
) -> SubscriptionResult {
    let current = match current {
        Ok(current) => current,
        Err(e) => {
            pending.reject(ErrorObjectOwned::from(e)).await;
            return Ok(());
        }
    };
    let sink = pending.accept().await?;
    let mut last: Option<H256> = None;
    if let Some(header) = current {
        if !send_json(&sink, &HeaderJson::from(&header)).await {
            return Ok(());
        }
        last = Some(header.hash());
    }
    loop {
        tokio::select! {
            _ = sink.closed() => return Ok(()),
            next = rx.recv() => match next {
                Ok(header) => {
                    let hash = header.hash();
                    if last == Some(hash) {
                        continue;
                    }
                    last = Some(hash);
                    if !send_json(&sink, &HeaderJson::from(&header)).await {
                        return Ok(());
                    }
                }
                Err(RecvError::Lagged(skipped)) => {
                    tracing::debug!(method = sink.method_name(), skipped, "head subscriber lagged");
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}
