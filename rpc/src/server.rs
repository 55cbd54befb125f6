//! The network server: binds one port for HTTP and WebSocket, runs the accept loop, and serves
//! each connection with the RPC module behind the CORS and rate-limit middleware.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{
    serve_with_graceful_shutdown, stop_channel, RandomStringIdProvider, Server, ServerConfig, ServerHandle,
};
use jsonrpsee::Methods;
use tokio::net::TcpListener;

use crate::backend::ChainBackend;
use crate::config::RpcConfig;
use crate::error::Error;
use crate::middleware::{CorsLayer, RateLimitLayer, WithRemoteAddr};
use crate::module::build_module;

/// Length of subscription ids; they are random alphanumeric strings, as Substrate's.
const SUBSCRIPTION_ID_LEN: usize = 16;
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// A running server. Dropping the handle stops the server, like calling [`RpcHandle::stop`].
#[derive(Debug)]
pub struct RpcHandle {
    local_addr: SocketAddr,
    handle: ServerHandle,
}

impl RpcHandle {
    /// The bound address (with the real port when the config asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections and closes the open ones once their in-flight calls end.
    /// Calling it again is a no-op.
    pub fn stop(&self) {
        let _already_stopped = self.handle.stop();
    }

    /// Completes once the server has stopped.
    pub async fn stopped(self) {
        self.handle.stopped().await
    }
}

/// Starts the JSON-RPC server (HTTP POST and WebSocket on `config.addr`) serving
/// [`build_module`]`(backend, config.deny_unsafe())`. Subscription ids are strings.
///
/// Must be called within a tokio runtime; the server runs on it until stopped.
///
/// # Errors
/// [`Error::InvalidConfig`] for a zero limit; [`Error::Bind`] when the address cannot be bound
/// (e.g. the port is in use).
pub async fn start_server(config: RpcConfig, backend: Arc<dyn ChainBackend>) -> Result<RpcHandle, Error> {
    config.validate()?;
    let deny_unsafe = config.deny_unsafe();
    let methods: Methods = build_module(backend, deny_unsafe).into();

    let listener = TcpListener::bind(config.addr).await.map_err(|source| Error::Bind { addr: config.addr, source })?;
    let local_addr = listener.local_addr().map_err(|source| Error::Bind { addr: config.addr, source })?;

    let server_config = ServerConfig::builder()
        .max_connections(config.max_connections)
        .max_request_body_size(config.max_request_size_bytes)
        .max_response_body_size(config.max_response_size_bytes)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_id_provider(RandomStringIdProvider::new(SUBSCRIPTION_ID_LEN))
        .build();
    let rpc_middleware = RpcServiceBuilder::new().option_layer(config.rate_limit_per_minute.map(RateLimitLayer::new));
    let http_middleware = tower::ServiceBuilder::new().layer(CorsLayer::new(config.cors.clone()));
    let service_builder = Server::builder()
        .set_config(server_config)
        .set_rpc_middleware(rpc_middleware)
        .set_http_middleware(http_middleware)
        .to_service_builder();

    let (stop_handle, handle) = stop_channel();
    tokio::spawn(async move {
        loop {
            let (socket, remote) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "failed to accept an RPC connection");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
                _ = stop_handle.clone().shutdown() => break,
            };
            let service = WithRemoteAddr {
                inner: service_builder.clone().build(methods.clone(), stop_handle.clone()),
                addr: remote,
            };
            let stop = stop_handle.clone();
            tokio::spawn(async move {
                if let Err(e) = serve_with_graceful_shutdown(socket, service, stop.shutdown()).await {
                    tracing::debug!(%remote, error = %e, "RPC connection ended with an error");
                }
            });
        }
        tracing::info!(addr = %local_addr, "JSON-RPC server stopped");
    });

    tracing::info!(addr = %local_addr, deny_unsafe, "JSON-RPC server listening (HTTP and WebSocket)");
    Ok(RpcHandle { local_addr, handle })
}
