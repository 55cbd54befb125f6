//! Assembles the namespaces into one [`RpcModule`] and provides what they share: the context,
//! the safe/unsafe gate, `at` resolution and subscription sending.

use std::sync::Arc;

use archive_primitives::H256;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{RpcModule, SubscriptionSink};
use serde::Serialize;

use crate::backend::{BackendError, ChainBackend};
use crate::error::unsafe_denied;

/// Shared by every method: the node backend and whether unsafe methods are refused.
pub(crate) struct RpcContext {
    pub(crate) backend: Arc<dyn ChainBackend>,
    pub(crate) deny_unsafe: bool,
}

/// The module type each namespace registers into.
pub(crate) type Module = RpcModule<RpcContext>;

/// Result of a method.
pub(crate) type RpcResult<T> = Result<T, ErrorObjectOwned>;

impl RpcContext {
    /// `Err(-32601 "RPC call is unsafe to be called externally")` when unsafe methods are denied.
    pub(crate) fn ensure_unsafe_allowed(&self) -> RpcResult<()> {
        if self.deny_unsafe {
            Err(unsafe_denied())
        } else {
            Ok(())
        }
    }

    /// The block `at` names (best when `None`), checked to exist.
    ///
    /// # Errors
    /// `4000 "Client error: Unknown block 0x.."` for an unknown hash.
    pub(crate) fn resolve_at(&self, at: Option<H256>) -> RpcResult<H256> {
        let hash = at.unwrap_or_else(|| self.backend.best_hash());
        match self.backend.header(&hash)? {
            Some(_) => Ok(hash),
            None => Err(BackendError::UnknownBlock { block: hash.to_string() }.into()),
        }
    }
}

/// Serializes `value` and sends it on the subscription; `false` when the subscriber is gone (or
/// the value cannot be serialized, which would be a bug and is logged).
pub(crate) async fn send_json(sink: &SubscriptionSink, value: &impl Serialize) -> bool {
    let raw = match serde_json::value::to_raw_value(value) {
        Ok(raw) => raw,
        Err(e) => {
            tracing::error!(method = sink.method_name(), error = %e, "cannot serialize subscription item");
            return false;
        }
    };
    sink.send(raw).await.is_ok()
}

/// Builds the complete RPC surface: `system_*`, `chain_*`, `state_*`, `author_*`, `payment_*`,
/// `chainSpec_v1_*` and `rpc_methods`, with Substrate's aliases.
///
/// With `deny_unsafe`, unsafe methods stay registered (and listed by `rpc_methods`, like
/// Substrate) but answer `-32601 "RPC call is unsafe to be called externally"`.
/// The module can be served by [`crate::start_server`] or called in-process
/// (`module.call(..)`, `module.subscribe_unbounded(..)`).
pub fn build_module(backend: Arc<dyn ChainBackend>, deny_unsafe: bool) -> RpcModule<()> {
    let mut module = RpcModule::new(RpcContext { backend, deny_unsafe });
    // Names are distinct string constants; a clash is a programming error caught by every test.
    let registered = crate::system::register(&mut module)
        .and_then(|()| crate::chain::register(&mut module))
        .and_then(|()| crate::state::register(&mut module))
        .and_then(|()| crate::author::register(&mut module))
        .and_then(|()| crate::payment::register(&mut module))
        .and_then(|()| crate::finality::register(&mut module))
        .and_then(|()| crate::archive::register(&mut module));
    registered.expect("RPC method names are unique constants");

    let mut names: Vec<&'static str> = module.method_names().collect();
    names.push(RPC_METHODS);
    names.sort_unstable();
    let listing = serde_json::json!({ "methods": names });
    module.register_method(RPC_METHODS, move |_, _, _| listing.clone()).expect("rpc_methods is registered once");
    module.remove_context()
}

/// Name of the method listing all methods.
const RPC_METHODS: &str = "rpc_methods";
