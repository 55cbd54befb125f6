//! `state_*`: storage reads, key iteration, runtime calls, metadata, runtime version, and the
//! `state_runtimeVersion` / `state_storage` subscriptions.

use std::collections::HashMap;
use std::sync::Arc;

use archive_primitives::{error::to_hex, hashing::blake2_256, version::RuntimeVersionJson, Header, H256};
use jsonrpsee::core::{RegisterMethodError, SubscriptionResult};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned, Params};
use jsonrpsee::PendingSubscriptionSink;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::backend::{BackendError, ChainBackend};
use crate::error::{codes, invalid_param, unsupported};
use crate::json::StorageChangeSet;
use crate::module::{send_json, Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Largest `count` accepted by `state_getKeysPaged` (Substrate's limit).
pub const MAX_KEYS_PAGED_COUNT: u32 = 1000;
/// Most keys one `state_queryStorage*` call or `state_subscribeStorage` may name: each is read
/// at every block, so this bounds the work one request can cause.
pub const MAX_QUERY_KEYS: usize = 10_000;
/// Longest block range `state_queryStorage` walks (it reads every key at every block).
pub const MAX_QUERY_RANGE: u32 = 4096;

/// Registers the `state_*` methods and subscriptions with their aliases.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("state_getStorage", |p, ctx, _| get_storage(&p, ctx).map(|v| v.map(|v| to_hex(&v))))?;
    m.register_alias("state_getStorageAt", "state_getStorage")?;
    m.register_method("state_getStorageHash", |p, ctx, _| {
        get_storage(&p, ctx).map(|v| v.map(|v| H256(blake2_256(&v))))
    })?;
    m.register_alias("state_getStorageHashAt", "state_getStorageHash")?;
    m.register_method("state_getStorageSize", |p, ctx, _| get_storage(&p, ctx).map(|v| v.map(|v| v.len() as u64)))?;
    m.register_alias("state_getStorageSizeAt", "state_getStorageSize")?;
    m.register_method("state_getKeysPaged", |p, ctx, _| get_keys_paged(&p, ctx))?;
    m.register_alias("state_getKeysPagedAt", "state_getKeysPaged")?;
    m.register_blocking_method("state_getKeys", |p, ctx, _| get_keys(&p, &ctx))?;
    m.register_blocking_method("state_getPairs", |p, ctx, _| get_pairs(&p, &ctx))?;
    m.register_blocking_method("state_queryStorageAt", |p, ctx, _| query_storage_at(&p, &ctx))?;
    m.register_blocking_method("state_queryStorage", |p, ctx, _| query_storage(&p, &ctx))?;
    m.register_blocking_method("state_call", |p, ctx, _| call(&p, &ctx))?;
    m.register_alias("state_callAt", "state_call")?;
    m.register_blocking_method("state_getMetadata", |p, ctx, _| get_metadata(&p, &ctx))?;
    m.register_method("state_getRuntimeVersion", |p, ctx, _| get_runtime_version(&p, ctx))?;
    m.register_alias("chain_getRuntimeVersion", "state_getRuntimeVersion")?;

    m.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_runtimeVersion",
        "state_unsubscribeRuntimeVersion",
        |_, pending, ctx, _| runtime_version_subscription(pending, ctx),
    )?;
    m.register_alias("chain_subscribeRuntimeVersion", "state_subscribeRuntimeVersion")?;
    m.register_alias("chain_unsubscribeRuntimeVersion", "state_unsubscribeRuntimeVersion")?;
    m.register_subscription(
        "state_subscribeStorage",
        "state_storage",
        "state_unsubscribeStorage",
        |p, pending, ctx, _| storage_subscription(p, pending, ctx),
    )?;
    Ok(())
}

/// `[key, at?]` → the raw value.
fn get_storage(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Option<Vec<u8>>> {
    let p = Positional::parse(p)?;
    let key = p.required(0, "key", params::bytes)?;
    let at = ctx.resolve_at(p.optional(1, "at", params::hash)?)?;
    Ok(ctx.backend.storage(&at, &key)?)
}

/// `state_getKeysPaged [prefix?, count, startKey?, at?]`.
fn get_keys_paged(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<String>> {
    let p = Positional::parse(p)?;
    let prefix = p.optional(0, "prefix", params::bytes)?.unwrap_or_default();
    let count = p.required(1, "count", params::u32_number)?;
    if count > MAX_KEYS_PAGED_COUNT {
        return Err(ErrorObject::owned(
            codes::INVALID_COUNT,
            format!("count exceeds maximum value. value: {count}, max: {MAX_KEYS_PAGED_COUNT}"),
            None::<()>,
        ));
    }
    let start_key = p.optional(2, "startKey", params::bytes)?;
    let at = ctx.resolve_at(p.optional(3, "at", params::hash)?)?;
    let keys = ctx.backend.storage_keys_paged(&at, &prefix, count, start_key.as_deref())?;
    Ok(keys.iter().map(|k| to_hex(k)).collect())
}

/// `state_getKeys [prefix, at?]` (unsafe): every key under `prefix`.
fn get_keys(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<String>> {
    ctx.ensure_unsafe_allowed()?;
    let p = Positional::parse(p)?;
    let prefix = p.required(0, "prefix", params::bytes)?;
    let at = ctx.resolve_at(p.optional(1, "at", params::hash)?)?;
    let pairs = ctx.backend.storage_pairs(&at, &prefix)?;
    Ok(pairs.iter().map(|(k, _)| to_hex(k)).collect())
}

/// `state_getPairs [prefix, at?]` (unsafe): every `[key, value]` under `prefix`.
fn get_pairs(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<(String, String)>> {
    ctx.ensure_unsafe_allowed()?;
    let p = Positional::parse(p)?;
    let prefix = p.required(0, "prefix", params::bytes)?;
    let at = ctx.resolve_at(p.optional(1, "at", params::hash)?)?;
    let pairs = ctx.backend.storage_pairs(&at, &prefix)?;
    Ok(pairs.iter().map(|(k, v)| (to_hex(k), to_hex(v))).collect())
}

/// Parses a `keys` list parameter and bounds its length.
fn keys_param(p: &Positional, index: usize) -> RpcResult<Vec<Vec<u8>>> {
    let keys = p.required(index, "keys", params::bytes_list)?;
    if keys.len() > MAX_QUERY_KEYS {
        return Err(invalid_param(index, "keys", format!("at most {MAX_QUERY_KEYS} keys, got {}", keys.len())));
    }
    Ok(keys)
}

/// Reads `keys` at `at`.
fn read_keys(backend: &dyn ChainBackend, at: &H256, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, BackendError> {
    keys.iter().map(|k| backend.storage(at, k)).collect()
}

/// `(key, value)` pairs as hex.
fn hex_changes<'a>(changes: impl Iterator<Item = (&'a Vec<u8>, &'a Option<Vec<u8>>)>) -> Vec<(String, Option<String>)> {
    changes.map(|(k, v)| (to_hex(k), v.as_ref().map(|v| to_hex(v)))).collect()
}

/// `state_queryStorageAt [keys, at?]` → `[{"block", "changes": [[key, value|null], ..]}]`.
fn query_storage_at(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<StorageChangeSet>> {
    let p = Positional::parse(p)?;
    let keys = keys_param(&p, 0)?;
    let at = ctx.resolve_at(p.optional(1, "at", params::hash)?)?;
    let values = read_keys(&*ctx.backend, &at, &keys)?;
    Ok(vec![StorageChangeSet { block: at, changes: hex_changes(keys.iter().zip(values.iter())) }])
}

/// `state_queryStorage [keys, from, to?]` (unsafe): one change set per block of `from..=to` in
/// which a key changed; the first block lists every key.
fn query_storage(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Vec<StorageChangeSet>> {
    ctx.ensure_unsafe_allowed()?;
    let p = Positional::parse(p)?;
    let keys = keys_param(&p, 0)?;
    let from = ctx.resolve_at(Some(p.required(1, "fromBlock", params::hash)?))?;
    let to = ctx.resolve_at(p.optional(2, "toBlock", params::hash)?)?;
    let blocks = block_range(&*ctx.backend, from, to)?;

    let mut last: HashMap<&[u8], Option<Vec<u8>>> = HashMap::new();
    let mut sets = Vec::new();
    for block in blocks {
        let mut changes = Vec::new();
        for key in &keys {
            let value = ctx.backend.storage(&block, key)?;
            let changed = last.get(key.as_slice()).is_none_or(|prev| *prev != value);
            if changed {
                changes.push((to_hex(key), value.as_ref().map(|v| to_hex(v))));
            }
            last.insert(key.as_slice(), value);
        }
        if !changes.is_empty() {
            sets.push(StorageChangeSet { block, changes });
        }
    }
    Ok(sets)
}

/// Hashes of the blocks from `from` to `to` inclusive, ascending, following parent links.
fn block_range(backend: &dyn ChainBackend, from: H256, to: H256) -> RpcResult<Vec<H256>> {
    let header_of = |h: &H256| -> RpcResult<Header> {
        backend.header(h)?.ok_or_else(|| BackendError::UnknownBlock { block: h.to_string() }.into())
    };
    let from_number = header_of(&from)?.number;
    let mut hashes = vec![to];
    let mut cursor = header_of(&to)?;
    let range_error = |why: &str| -> ErrorObjectOwned {
        ErrorObject::owned(
            codes::INVALID_BLOCK_RANGE,
            format!("Invalid block range: from {from} to {to}: {why}"),
            None::<()>,
        )
    };
    if cursor.number < from_number {
        return Err(range_error("`from` is after `to`"));
    }
    if cursor.number - from_number >= MAX_QUERY_RANGE {
        return Err(range_error(&format!("range is longer than {MAX_QUERY_RANGE} blocks")));
    }
    while cursor.number > from_number {
        let parent = cursor.parent_hash;
        hashes.push(parent);
        cursor = header_of(&parent)?;
    }
    if hashes.last() != Some(&from) {
        return Err(range_error("`from` is not an ancestor of `to`"));
    }
    hashes.reverse();
    Ok(hashes)
}

/// `state_call [method, data, at?]` → hex of the runtime API's SCALE result.
fn call(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<String> {
    let p = Positional::parse(p)?;
    let method = p.required(0, "method", params::string)?;
    let data = p.required(1, "data", params::bytes)?;
    let at = ctx.resolve_at(p.optional(2, "at", params::hash)?)?;
    Ok(to_hex(&ctx.backend.call(&at, &method, &data)?))
}

/// `state_getMetadata [at?]` → hex of the prefixed V14 metadata.
fn get_metadata(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<String> {
    let at = ctx.resolve_at(Positional::parse(p)?.optional(0, "at", params::hash)?)?;
    Ok(to_hex(&ctx.backend.metadata(&at)?))
}

/// `state_getRuntimeVersion [at?]`.
fn get_runtime_version(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<RuntimeVersionJson> {
    let at = ctx.resolve_at(Positional::parse(p)?.optional(0, "at", params::hash)?)?;
    Ok(RuntimeVersionJson::from(&ctx.backend.runtime_version(&at)?))
}

/// Waits for the next new best block; `None` when the subscriber left or the source closed.
async fn next_best(sink: &jsonrpsee::SubscriptionSink, rx: &mut broadcast::Receiver<Header>) -> Option<Header> {
    loop {
        tokio::select! {
            _ = sink.closed() => return None,
            next = rx.recv() => match next {
                Ok(header) => return Some(header),
                // Only the newest state matters to these watchers; skipped blocks are harmless.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            },
        }
    }
}

/// Sends the runtime version at best now, then whenever a new best block changes it.
async fn runtime_version_subscription(pending: PendingSubscriptionSink, ctx: Arc<RpcContext>) -> SubscriptionResult {
    let mut rx = ctx.backend.best_notifications();
    let mut current = match ctx.backend.runtime_version(&ctx.backend.best_hash()) {
        Ok(v) => v,
        Err(e) => {
            pending.reject(ErrorObjectOwned::from(e)).await;
            return Ok(());
        }
    };
    let sink = pending.accept().await?;
    if !send_json(&sink, &RuntimeVersionJson::from(&current)).await {
        return Ok(());
    }
    while let Some(header) = next_best(&sink, &mut rx).await {
        let backend = ctx.backend.clone();
        let hash = header.hash();
        let version = match tokio::task::spawn_blocking(move || backend.runtime_version(&hash)).await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                tracing::debug!(block = %hash, error = %e, "runtime version unavailable for new best block");
                continue;
            }
            Err(_) => return Ok(()),
        };
        if version != current {
            current = version;
            if !send_json(&sink, &RuntimeVersionJson::from(&current)).await {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// `state_subscribeStorage [keys]`: the keys' values at best now, then on each new best block the
/// keys whose value changed. Without keys (all storage) it is unsafe and not supported.
async fn storage_subscription(
    p: Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) -> SubscriptionResult {
    let parsed = Positional::parse(&p).and_then(|p| match p.raw(0) {
        None => Err(ctx.ensure_unsafe_allowed().err().unwrap_or_else(|| {
            unsupported("state_subscribeStorage without keys", "pass the list of storage keys to watch")
        })),
        Some(_) => keys_param(&p, 0),
    });
    let keys = match parsed {
        Ok(keys) => Arc::new(keys),
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let mut rx = ctx.backend.best_notifications();
    let best = ctx.backend.best_hash();
    let mut last = match read_keys(&*ctx.backend, &best, &keys) {
        Ok(values) => values,
        Err(e) => {
            pending.reject(ErrorObjectOwned::from(e)).await;
            return Ok(());
        }
    };
    let sink = pending.accept().await?;
    let initial = StorageChangeSet { block: best, changes: hex_changes(keys.iter().zip(last.iter())) };
    if !send_json(&sink, &initial).await {
        return Ok(());
    }
    while let Some(header) = next_best(&sink, &mut rx).await {
        let (backend, keys2, hash) = (ctx.backend.clone(), keys.clone(), header.hash());
        let values = match tokio::task::spawn_blocking(move || read_keys(&*backend, &hash, &keys2)).await {
            Ok(Ok(values)) => values,
            Ok(Err(e)) => {
                tracing::debug!(block = %hash, error = %e, "storage unavailable for new best block");
                continue;
            }
            Err(_) => return Ok(()),
        };
        let changed = keys.iter().zip(values.iter()).zip(last.iter()).filter(|((_, new), old)| new != old);
        let changes = hex_changes(changed.map(|(kv, _)| kv));
        last = values;
        if !changes.is_empty() && !send_json(&sink, &StorageChangeSet { block: hash, changes }).await {
            return Ok(());
        }
    }
    Ok(())
}
