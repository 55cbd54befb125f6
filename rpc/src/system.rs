//! `system_*`: node identity, health, network, sync state and account nonces.

use archive_primitives::AccountId20;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::{json, Value};

use crate::backend::PeerInfo;
use crate::module::{Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Registers the `system_*` methods (and the `account_nextIndex` alias).
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("system_name", |_, ctx, _| ctx.backend.system_info().node_name)?;
    m.register_method("system_version", |_, ctx, _| ctx.backend.system_info().node_version)?;
    m.register_method("system_chain", |_, ctx, _| ctx.backend.system_info().chain)?;
    m.register_method("system_chainType", |_, ctx, _| ctx.backend.system_info().chain_type)?;
    m.register_method("system_properties", |_, ctx, _| Value::Object(ctx.backend.system_info().properties))?;
    m.register_method("system_health", |_, ctx, _| json!(ctx.backend.health()))?;
    m.register_method("system_localPeerId", |_, ctx, _| ctx.backend.network().local_peer_id)?;
    m.register_method("system_localListenAddresses", |_, ctx, _| ctx.backend.network().listen_addresses)?;
    m.register_method("system_nodeRoles", |_, ctx, _| ctx.backend.system_info().roles)?;
    m.register_method("system_syncState", |_, ctx, _| {
        let s = ctx.backend.sync_state();
        // Substrate prints `highestBlock` as a number; with no peer information it is our best.
        json!({
            "startingBlock": s.starting_block,
            "currentBlock": s.current_block,
            "highestBlock": s.highest_block.unwrap_or(s.current_block),
        })
    })?;
    m.register_method("system_accountNextIndex", |p, ctx, _| account_next_index(&p, ctx))?;
    m.register_alias("account_nextIndex", "system_accountNextIndex")?;

    m.register_method("system_peers", |_, ctx, _| -> RpcResult<Vec<PeerInfo>> {
        ctx.ensure_unsafe_allowed()?;
        Ok(ctx.backend.network().peers)
    })?;
    m.register_method("system_networkState", |_, ctx, _| -> RpcResult<Value> {
        ctx.ensure_unsafe_allowed()?;
        Ok(network_state(ctx))
    })?;
    m.register_method("system_addReservedPeer", |p, ctx, _| -> RpcResult<()> {
        ctx.ensure_unsafe_allowed()?;
        let addr = Positional::parse(&p)?.required(0, "peer", params::string)?;
        Ok(ctx.backend.add_reserved_peer(&addr)?)
    })?;
    m.register_method("system_removeReservedPeer", |p, ctx, _| -> RpcResult<()> {
        ctx.ensure_unsafe_allowed()?;
        let peer_id = Positional::parse(&p)?.required(0, "peerId", params::string)?;
        Ok(ctx.backend.remove_reserved_peer(&peer_id)?)
    })?;
    m.register_method("system_reservedPeers", |_, ctx, _| -> RpcResult<Vec<String>> {
        ctx.ensure_unsafe_allowed()?;
        Ok(ctx.backend.reserved_peers())
    })?;
    Ok(())
}

/// `system_accountNextIndex [address]`: the pool-aware next nonce of a `0x` + 40-hex account.
fn account_next_index(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<u32> {
    let who = Positional::parse(p)?.required(0, "accountId", |v| {
        let s = params::string(v)?;
        s.parse::<AccountId20>().map_err(|e| format!("expected a 0x-prefixed 20-byte account address: {e}"))
    })?;
    Ok(ctx.backend.account_next_index(&who)?)
}

/// `system_networkState` (unsafe): a summary in the shape of Substrate's network state.
fn network_state(ctx: &RpcContext) -> Value {
    let net = ctx.backend.network();
    let connected: serde_json::Map<String, Value> = net
        .peers
        .iter()
        .map(|p| (p.peer_id.clone(), json!({ "roles": p.roles, "bestHash": p.best_hash, "bestNumber": p.best_number })))
        .collect();
    json!({
        "peerId": net.local_peer_id,
        "listenedAddresses": net.listen_addresses,
        "externalAddresses": [],
        "connectedPeers": connected,
        "notConnectedPeers": {},
        "peerset": { "reservedPeers": ctx.backend.reserved_peers() },
    })
}
