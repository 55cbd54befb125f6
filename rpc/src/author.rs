//! `author_*`: transaction submission (plain and watched), the pending pool, and the key-management
//! methods (registered for compatibility, answered with a clear "not supported").

use std::sync::Arc;

use archive_primitives::{error::to_hex, hashing::blake2_256, H256};
use futures::StreamExt;
use jsonrpsee::core::{RegisterMethodError, SubscriptionResult};
use jsonrpsee::types::Params;
use jsonrpsee::PendingSubscriptionSink;
use serde_json::Value;

use crate::error::{invalid_param, unsupported};
use crate::json::tx_status_json;
use crate::module::{send_json, Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Hint given by the unsupported key-management methods.
const KEYS_HINT: &str = "node keys are managed offline with `archivechain key`";

/// Registers the `author_*` methods and the `author_extrinsicUpdate` subscription.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("author_submitExtrinsic", |p, ctx, _| submit(&p, ctx))?;
    m.register_method("author_pendingExtrinsics", |_, ctx, _| {
        ctx.backend.pending_extrinsics().iter().map(|x| to_hex(x)).collect::<Vec<_>>()
    })?;
    m.register_method("author_removeExtrinsic", |p, ctx, _| remove_extrinsic(&p, ctx))?;
    for name in ["author_insertKey", "author_rotateKeys", "author_hasKey", "author_hasSessionKeys"] {
        m.register_method(name, move |_, ctx, _| -> RpcResult<()> {
            ctx.ensure_unsafe_allowed()?;
            Err(unsupported(name, KEYS_HINT))
        })?;
    }
    m.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_extrinsicUpdate",
        "author_unwatchExtrinsic",
        |p, pending, ctx, _| submit_and_watch(p, pending, ctx),
    )?;
    Ok(())
}

/// `author_submitExtrinsic [xt]` → the transaction hash; pool errors verbatim.
fn submit(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<H256> {
    let xt = Positional::parse(p)?.required(0, "extrinsic", params::bytes)?;
    Ok(ctx.backend.submit(xt)?)
}

/// `author_removeExtrinsic [[item, ..]]` (unsafe), each item `{"hash": h}`, `{"extrinsic": x}`
/// (Substrate's `ExtrinsicOrHash`) or a plain hash string → the hashes removed.
fn remove_extrinsic(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<H256>> {
    ctx.ensure_unsafe_allowed()?;
    let p = Positional::parse(p)?;
    let items = p.required(0, "bytesOrHash", |v| {
        v.as_array().cloned().ok_or_else(|| "expected an array of {\"hash\"} / {\"extrinsic\"} items".to_owned())
    })?;
    let hashes = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            extrinsic_or_hash(item).map_err(|reason| invalid_param(0, "bytesOrHash", format!("item {i}: {reason}")))
        })
        .collect::<RpcResult<Vec<_>>>()?;
    Ok(ctx.backend.remove_extrinsics(&hashes))
}

/// One `ExtrinsicOrHash` item as a transaction hash.
fn extrinsic_or_hash(item: &Value) -> Result<H256, String> {
    match item {
        Value::String(_) => params::hash(item),
        Value::Object(map) => match (map.get("hash"), map.get("extrinsic")) {
            (Some(h), None) => params::hash(h),
            (None, Some(x)) => params::bytes(x).map(|x| H256(blake2_256(&x))),
            _ => Err("expected exactly one of `hash` or `extrinsic`".to_owned()),
        },
        _ => Err("expected {\"hash\": ..}, {\"extrinsic\": ..} or a hash string".to_owned()),
    }
}

/// `author_submitAndWatchExtrinsic [xt]`: rejects with the pool's error, otherwise streams
/// `author_extrinsicUpdate` statuses and ends the subscription after a final one.
async fn submit_and_watch(
    p: Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) -> SubscriptionResult {
    let xt = match Positional::parse(&p).and_then(|p| p.required(0, "extrinsic", params::bytes)) {
        Ok(xt) => xt,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let (hash, mut statuses) = match ctx.backend.submit_and_watch(xt) {
        Ok(watch) => watch,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let sink = pending.accept().await?;
    loop {
        tokio::select! {
            _ = sink.closed() => return Ok(()),
            status = statuses.next() => match status {
                Some(status) => {
                    if !send_json(&sink, &tx_status_json(&status)).await || status.is_final() {
                        tracing::trace!(tx = %hash, ?status, "watch ended");
                        return Ok(());
                    }
                }
                None => return Ok(()),
            },
        }
    }
}
