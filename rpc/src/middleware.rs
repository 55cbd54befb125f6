//! Server middleware: CORS (HTTP layer), per-IP rate limiting (RPC layer) and the remote-address
//! tag that connects them to the accepting socket.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{header, HeaderValue, Method, StatusCode};
use jsonrpsee::core::BoxError;
use jsonrpsee::server::middleware::rpc::{Batch, BatchEntry, BatchEntryErr, Notification, Request, RpcServiceT};
use jsonrpsee::server::{HttpBody, HttpResponse, MethodResponse};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};
use parking_lot::Mutex;

use crate::error::codes;

/// The peer address of the TCP connection a request arrived on (request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RemoteAddr(pub(crate) SocketAddr);

/// Tags every request of one connection with its [`RemoteAddr`].
#[derive(Debug, Clone)]
pub(crate) struct WithRemoteAddr<S> {
    pub(crate) inner: S,
    pub(crate) addr: SocketAddr,
}

impl<S, B> tower::Service<http::Request<B>> for WithRemoteAddr<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        req.extensions_mut().insert(RemoteAddr(self.addr));
        self.inner.call(req)
    }
}

// ---------------------------------------------------------------------------------------------
// CORS

/// Origins a browser may call from: any, or an explicit list.
#[derive(Debug, Clone)]
pub(crate) struct CorsLayer {
    /// `None`: every origin (`*`). `Some`: exact origins.
    allowed: Option<Arc<Vec<String>>>,
}

impl CorsLayer {
    /// A list containing `"*"` or `"all"` allows every origin, like `None`.
    pub(crate) fn new(origins: Option<Vec<String>>) -> Self {
        let allowed = origins.filter(|list| !list.iter().any(|o| o == "*" || o == "all")).map(Arc::new);
        CorsLayer { allowed }
    }

    /// What to put in `Access-Control-Allow-Origin` for this `Origin`; `None` if refused.
    fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        match &self.allowed {
            None => Some(HeaderValue::from_static("*")),
            Some(list) => {
                let origin_str = origin.to_str().ok()?;
                list.iter().any(|o| o.trim_end_matches('/') == origin_str.trim_end_matches('/')).then(|| origin.clone())
            }
        }
    }
}

impl<S> tower::Layer<S> for CorsLayer {
    type Service = Cors<S>;
    fn layer(&self, inner: S) -> Cors<S> {
        Cors { inner, policy: self.clone() }
    }
}

/// The CORS service (see [`CorsLayer`]): answers preflights, refuses unknown origins with 403,
/// and adds `Access-Control-Allow-Origin` to responses for allowed ones.
#[derive(Debug, Clone)]
pub(crate) struct Cors<S> {
    inner: S,
    policy: CorsLayer,
}

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "3600";

fn plain_response(status: StatusCode, body: &'static str) -> HttpResponse {
    let mut resp = HttpResponse::new(HttpBody::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

impl<S, B> tower::Service<http::Request<B>> for Cors<S>
where
    S: tower::Service<http::Request<B>, Response = HttpResponse, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
            // Not a browser request: CORS does not apply.
            return Box::pin(self.inner.call(req));
        };
        let Some(allow) = self.policy.allow_origin(&origin) else {
            tracing::debug!(origin = ?origin, "refusing RPC request from a disallowed origin");
            return Box::pin(std::future::ready(Ok(plain_response(
                StatusCode::FORBIDDEN,
                "Origin of the request is not allowed (see --rpc-cors)\n",
            ))));
        };
        let vary = allow != "*";
        let add_headers = move |resp: &mut HttpResponse| {
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow.clone());
            if vary {
                h.insert(header::VARY, HeaderValue::from_static("origin"));
            }
        };
        if req.method() == Method::OPTIONS {
            let requested = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
            let mut resp = plain_response(StatusCode::OK, "");
            add_headers(&mut resp);
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET, OPTIONS"));
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                requested.unwrap_or_else(|| HeaderValue::from_static("content-type")),
            );
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE_SECS));
            return Box::pin(std::future::ready(Ok(resp)));
        }
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut resp = fut.await?;
            add_headers(&mut resp);
            Ok(resp)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limiting

/// Buckets idle this long are full again and can be forgotten.
const BUCKET_IDLE: Duration = Duration::from_secs(60);

/// A token bucket per IP address: `per_minute` calls of burst, refilled continuously.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    state: Mutex<RateState>,
}

#[derive(Debug)]
struct RateState {
    buckets: HashMap<IpAddr, Bucket>,
    last_prune: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` calls per IP (must be > 0; see `RpcConfig::validate`).
    pub(crate) fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute, state: Mutex::new(RateState { buckets: HashMap::new(), last_prune: Instant::now() }) }
    }

    /// Takes one token for `ip` at time `now`; `false` when the bucket is empty.
    pub(crate) fn try_acquire(&self, ip: IpAddr, now: Instant) -> bool {
        let capacity = f64::from(self.per_minute);
        let mut state = self.state.lock();
        if now.saturating_duration_since(state.last_prune) >= BUCKET_IDLE {
            state.buckets.retain(|_, b| now.saturating_duration_since(b.updated) < BUCKET_IDLE);
            state.last_prune = now;
        }
        let bucket = state.buckets.entry(ip).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * capacity / 60.0).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The error answered to calls over the limit.
fn rate_limited() -> ErrorObjectOwned {
    ErrorObject::owned(codes::RATE_LIMITED, "RPC rate limit exceeded", None::<()>)
}

/// RPC middleware layer applying a shared [`RateLimiter`] keyed by [`RemoteAddr`].
#[derive(Debug, Clone)]
pub(crate) struct RateLimitLayer(Arc<RateLimiter>);

impl RateLimitLayer {
    pub(crate) fn new(per_minute: u32) -> Self {
        RateLimitLayer(Arc::new(RateLimiter::new(per_minute)))
    }
}

impl<S> tower::Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit { inner, limiter: self.0.clone() }
    }
}

/// See [`RateLimitLayer`]. Calls without a [`RemoteAddr`] (in-process) are not limited.
#[derive(Debug, Clone)]
pub(crate) struct RateLimit<S> {
    inner: S,
    limiter: Arc<RateLimiter>,
}

impl<S> RateLimit<S> {
    fn allowed(&self, ext: &http::Extensions) -> bool {
        match ext.get::<RemoteAddr>() {
            Some(RemoteAddr(addr)) => self.limiter.try_acquire(addr.ip(), Instant::now()),
            None => true,
        }
    }
}

impl<S> RpcServiceT for RateLimit<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, req: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let allowed = self.allowed(req.extensions());
        let inner = self.inner.clone();
        async move {
            if allowed {
                inner.call(req).await
            } else {
                MethodResponse::error(req.id, rate_limited())
            }
        }
    }

    fn batch<'a>(&self, mut batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        for entry in batch.iter_mut() {
            let refused = match entry {
                Ok(BatchEntry::Call(req)) if !self.allowed(req.extensions()) => Some(req.id.clone()),
                _ => None,
            };
            if let Some(id) = refused {
                *entry = Err(BatchEntryErr::new(id, rate_limited()));
            }
        }
        let inner = self.inner.clone();
        async move { inner.batch(batch).await }
    }

    fn notification<'a>(&self, n: Notification<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let inner = self.inner.clone();
        async move { inner.notification(n).await }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_bucket_limits_per_ip_and_refills() {
        let limiter = RateLimiter::new(3);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.try_acquire(a, t0)));
        assert!(!limiter.try_acquire(a, t0), "fourth call within the minute is refused");
        assert!(limiter.try_acquire(b, t0), "other IPs have their own bucket");
        // 3 per minute = one token every 20 s.
        assert!(!limiter.try_acquire(a, t0 + Duration::from_secs(19)));
        assert!(limiter.try_acquire(a, t0 + Duration::from_secs(21)));
    }

    #[test]
    fn cors_policy() {
        let any = CorsLayer::new(None);
        let origin = HeaderValue::from_static("https://evil.example");
        assert_eq!(any.allow_origin(&origin), Some(HeaderValue::from_static("*")));
        let list = CorsLayer::new(Some(vec!["https://polkadot.js.org".into()]));
        assert_eq!(list.allow_origin(&origin), None);
        let ok = HeaderValue::from_static("https://polkadot.js.org");
        assert_eq!(list.allow_origin(&ok), Some(ok.clone()));
        assert!(CorsLayer::new(Some(vec!["all".into()])).allow_origin(&origin).is_some());
    }
}
