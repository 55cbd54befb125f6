//! Errors: the crate's [`Error`] (server start-up) and the JSON-RPC error objects methods return.
//!
//! Codes are stable and follow Substrate where it has one (see [`codes`]); messages name the
//! problem (which parameter, which block, which runtime API).

use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};

use crate::backend::{BackendError, SubmitError};

/// JSON-RPC error codes returned by this server.
pub mod codes {
    /// Unsafe method called while unsafe methods are denied (Substrate's choice of code).
    pub const UNSAFE_RPC: i32 = -32601;
    /// A parameter is missing, malformed or out of range.
    pub const INVALID_PARAMS: i32 = -32602;
    /// Unexpected internal failure.
    pub const INTERNAL: i32 = -32603;
    /// Method exists for compatibility but this node does not support it.
    pub const UNSUPPORTED: i32 = -32000;
    /// Per-IP rate limit exceeded (Substrate's `--rpc-rate-limit` code).
    pub const RATE_LIMITED: i32 = -32999;
    /// Client error: unknown block, pruned state (Substrate's state error base).
    pub const CLIENT: i32 = 4000;
    /// `state_queryStorage`: `from` is not an ancestor of `to`, or the range is too long.
    pub const INVALID_BLOCK_RANGE: i32 = 4001;
    /// `state_getKeysPaged`: `count` above the maximum.
    pub const INVALID_COUNT: i32 = 4002;
    /// A runtime API call failed or returned undecodable bytes.
    pub const RUNTIME: i32 = 4003;
}

/// Message of the error returned by unsafe methods when they are denied (Substrate's wording).
pub const UNSAFE_RPC_MESSAGE: &str = "RPC call is unsafe to be called externally";

/// Failure to start the RPC server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be bound (port in use, permission denied, bad address).
    #[error("failed to bind the RPC server to {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: std::net::SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is inconsistent (see [`crate::RpcConfig::validate`]).
    #[error("invalid RPC configuration: {reason}")]
    InvalidConfig {
        /// Which setting is wrong and why.
        reason: String,
    },
}

/// `-32602`: parameter `index` (0-based) named `name` is unusable because of `reason`.
pub(crate) fn invalid_param(index: usize, name: &str, reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObject::owned(
        codes::INVALID_PARAMS,
        format!("Invalid params: param {} (`{name}`): {reason}", index + 1),
        None::<()>,
    )
}

/// `-32602` with a free-form reason.
pub(crate) fn invalid_params(reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObject::owned(codes::INVALID_PARAMS, format!("Invalid params: {reason}"), None::<()>)
}

/// `-32601` "RPC call is unsafe to be called externally".
pub(crate) fn unsafe_denied() -> ErrorObjectOwned {
    ErrorObject::owned(codes::UNSAFE_RPC, UNSAFE_RPC_MESSAGE, None::<()>)
}

/// `-32000`: the method is registered for compatibility but not supported.
pub(crate) fn unsupported(method: &str, hint: &str) -> ErrorObjectOwned {
    ErrorObject::owned(codes::UNSUPPORTED, format!("{method} is not supported by this node: {hint}"), None::<()>)
}

/// `4003`: the runtime returned bytes that do not decode as the expected type.
pub(crate) fn runtime_decode(method: &str, reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObject::owned(
        codes::RUNTIME,
        format!("Runtime API `{method}` returned an undecodable result: {reason}"),
        None::<()>,
    )
}

impl From<BackendError> for ErrorObjectOwned {
    fn from(e: BackendError) -> Self {
        let (code, message) = match &e {
            BackendError::UnknownBlock { .. } | BackendError::StateUnavailable { .. } => {
                (codes::CLIENT, format!("Client error: {e}"))
            }
            BackendError::Runtime { .. } => (codes::RUNTIME, format!("Client error: {e}")),
            BackendError::InvalidInput { .. } => (codes::INVALID_PARAMS, format!("Invalid params: {e}")),
            BackendError::Internal { .. } => (codes::INTERNAL, format!("Internal error: {e}")),
        };
        ErrorObject::owned(code, message, None::<()>)
    }
}

impl From<SubmitError> for ErrorObjectOwned {
    fn from(e: SubmitError) -> Self {
        ErrorObject::owned(e.code, e.message, e.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_errors_map_to_stable_codes() {
        let unknown: ErrorObjectOwned = BackendError::UnknownBlock { block: "0x01".into() }.into();
        assert_eq!((unknown.code(), unknown.message()), (4000, "Client error: Unknown block 0x01"));
        let runtime: ErrorObjectOwned =
            BackendError::Runtime { method: "Core_version".into(), reason: "trap".into() }.into();
        assert_eq!(runtime.code(), 4003);
        assert!(runtime.message().contains("Core_version") && runtime.message().contains("trap"));
        let pruned: ErrorObjectOwned = BackendError::StateUnavailable { block: "0x02".into() }.into();
        assert_eq!((pruned.code(), pruned.message()), (4000, "Client error: State already discarded for 0x02"));
    }

    #[test]
    fn submit_error_is_verbatim() {
        let e: ErrorObjectOwned =
            SubmitError { code: 1010, message: "Invalid Transaction".into(), data: Some("Stale".into()) }.into();
        assert_eq!(e.code(), 1010);
        assert_eq!(e.message(), "Invalid Transaction");
        assert_eq!(e.data().map(|d| d.get()), Some("\"Stale\""));
    }
}
