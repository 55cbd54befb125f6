//! Server configuration: address, safe/unsafe method policy, limits, CORS and rate limiting.

use std::net::{Ipv4Addr, SocketAddr};

use crate::error::Error;

/// Default JSON-RPC port (Substrate's).
pub const DEFAULT_PORT: u16 = 9944;
/// One mebibyte.
const MIB: u32 = 1024 * 1024;

/// Which methods are exposed (`--rpc-methods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RpcMethods {
    /// Unsafe methods only when listening on a loopback address.
    #[default]
    Auto,
    /// Unsafe methods answer `-32601 "RPC call is unsafe to be called externally"`.
    Safe,
    /// Everything is allowed.
    Unsafe,
}

/// Configuration of [`crate::start_server`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcConfig {
    /// Listening address; HTTP and WebSocket share it. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// Safe/unsafe policy.
    pub methods: RpcMethods,
    /// Simultaneous connections (HTTP requests in flight + open WebSockets).
    pub max_connections: u32,
    /// Largest request body / WebSocket message accepted, in bytes.
    pub max_request_size_bytes: u32,
    /// Largest response produced, in bytes; bigger responses become an error.
    pub max_response_size_bytes: u32,
    /// Subscriptions one WebSocket connection may hold.
    pub max_subscriptions_per_connection: u32,
    /// Allowed browser origins. `None` allows every origin (`Access-Control-Allow-Origin: *`),
    /// which suits local development; `Some(list)` answers only those (exact match, `"*"` or
    /// `"all"` matching every origin) and refuses other origins with HTTP 403. Requests without an
    /// `Origin` header (non-browser clients) are always served.
    pub cors: Option<Vec<String>>,
    /// Calls per minute allowed from one IP address; `None` for no limit. Excess calls get
    /// error `-32999 "RPC rate limit exceeded"`.
    pub rate_limit_per_minute: Option<u32>,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            methods: RpcMethods::Auto,
            max_connections: 100,
            max_request_size_bytes: 15 * MIB,
            max_response_size_bytes: 15 * MIB,
            max_subscriptions_per_connection: 1024,
            cors: None,
            rate_limit_per_minute: None,
        }
    }
}

impl RpcConfig {
    /// Whether unsafe methods are refused under this configuration.
    pub fn deny_unsafe(&self) -> bool {
        match self.methods {
            RpcMethods::Safe => true,
            RpcMethods::Unsafe => false,
            RpcMethods::Auto => !self.addr.ip().is_loopback(),
        }
    }

    /// Checks that every limit is usable.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first zero limit.
    pub fn validate(&self) -> Result<(), Error> {
        let zero = [
            ("max_connections", self.max_connections),
            ("max_request_size_bytes", self.max_request_size_bytes),
            ("max_response_size_bytes", self.max_response_size_bytes),
            ("max_subscriptions_per_connection", self.max_subscriptions_per_connection),
            ("rate_limit_per_minute", self.rate_limit_per_minute.unwrap_or(1)),
        ]
        .into_iter()
        .find(|(_, v)| *v == 0);
        match zero {
            Some((name, _)) => Err(Error::InvalidConfig { reason: format!("{name} must be greater than 0") }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_allows_unsafe_only_on_loopback() {
        let mut c = RpcConfig::default();
        assert!(!c.deny_unsafe());
        c.addr = "0.0.0.0:9944".parse().expect("addr");
        assert!(c.deny_unsafe());
        c.methods = RpcMethods::Unsafe;
        assert!(!c.deny_unsafe());
        c.addr = "127.0.0.1:9944".parse().expect("addr");
        c.methods = RpcMethods::Safe;
        assert!(c.deny_unsafe());
    }

    #[test]
    fn zero_limits_are_rejected() {
        assert!(RpcConfig::default().validate().is_ok());
        let c = RpcConfig { rate_limit_per_minute: Some(0), ..RpcConfig::default() };
        assert!(c.validate().is_err_and(|e| e.to_string().contains("rate_limit_per_minute")));
    }
}
