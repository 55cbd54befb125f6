//! A small JSON-RPC client for the node's Substrate-style API: WebSocket (`ws://`, `wss://`) for
//! everything, HTTP (`http://`, `https://`) for everything but subscriptions.
//!
//! Errors are [`RpcError`]s: a connection failure names the URL and suggests starting a node; a
//! JSON-RPC error keeps its code, message and data (the node's transaction-pool errors, e.g.
//! `1010 Invalid Transaction: Inability to pay some fees ...`, are shown verbatim).

use std::time::Duration;

use archive_primitives::{BlockNumber, Digest, DigestItem, Header, H256};
use jsonrpsee::core::client::{ClientT, Error as ClientError, Subscription, SubscriptionClientT};
use jsonrpsee::core::traits::ToRpcParams;
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee::ws_client::{WsClient, WsClientBuilder};
use parity_scale_codec::Decode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// The default node URL.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:9944";

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for one response.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A failed RPC interaction. `Display` is one line.
#[derive(Debug)]
pub enum RpcError {
    /// The URL is not usable.
    BadUrl { url: String, reason: String },
    /// Could not connect (or the connection broke).
    Connect { url: String, reason: String },
    /// The node answered with a JSON-RPC error.
    Call { method: String, code: i32, message: String, data: Option<String> },
    /// Transport-level failure during a call (connection lost, timeout, bad response).
    Transport { method: String, reason: String },
    /// A subscription was asked of an HTTP endpoint.
    NeedsWebSocket { url: String, what: String },
}

impl RpcError {
    /// `code message: data`, as the node reported it (for `Call`); `None` for other errors.
    pub fn rpc_summary(&self) -> Option<String> {
        match self {
            RpcError::Call { code, message, data, .. } => Some(match data {
                Some(d) if !d.is_empty() => format!("{code} {message}: {d}"),
                _ => format!("{code} {message}"),
            }),
            _ => None,
        }
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RpcError::BadUrl { url, reason } => write!(f, "invalid node URL `{url}`: {reason}"),
            RpcError::Connect { url, reason } => write!(
                f,
                "cannot connect to the node at {url}: {reason} (is a node running? start one with `archivechain --dev`, or pass --url)"
            ),
            RpcError::Call { method, .. } => {
                write!(f, "{method} failed: {}", self.rpc_summary().unwrap_or_default())
            }
            RpcError::Transport { method, reason } => write!(f, "{method} failed: {reason}"),
            RpcError::NeedsWebSocket { url, what } => {
                write!(f, "{what} needs a WebSocket URL (ws:// or wss://), not {url}")
            }
        }
    }
}

impl std::error::Error for RpcError {}

/// Positional parameters; no parameters at all is sent as no `params` field.
struct Params(Vec<Value>);

impl ToRpcParams for Params {
    fn to_rpc_params(self) -> Result<Option<Box<serde_json::value::RawValue>>, serde_json::Error> {
        if self.0.is_empty() {
            Ok(None)
        } else {
            serde_json::value::to_raw_value(&self.0).map(Some)
        }
    }
}

enum Transport {
    Ws(WsClient),
    Http(HttpClient),
}

/// A connection to a node.
pub struct RpcClient {
    transport: Transport,
    url: String,
}

impl std::fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcClient").field("url", &self.url).finish_non_exhaustive()
    }
}

/// A one-line description of a client error (the chain of causes joined with `: `).
fn describe(e: &ClientError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.replace('\n', " ")
}

impl RpcClient {
    /// Connects to `url` (WebSocket) or prepares an HTTP client (which connects on first use).
    ///
    /// # Errors
    /// [`RpcError::BadUrl`] for an unsupported scheme, [`RpcError::Connect`] if the node
    /// cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, RpcError> {
        let lower = url.to_ascii_lowercase();
        let transport = if lower.starts_with("ws://") || lower.starts_with("wss://") {
            let client = WsClientBuilder::default()
                .connection_timeout(CONNECT_TIMEOUT)
                .request_timeout(REQUEST_TIMEOUT)
                .max_response_size(64 * 1024 * 1024)
                .build(url)
                .await
                .map_err(|e| RpcError::Connect { url: url.to_owned(), reason: describe(&e) })?;
            Transport::Ws(client)
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            let client = HttpClientBuilder::default()
                .request_timeout(REQUEST_TIMEOUT)
                .max_response_size(64 * 1024 * 1024)
                .build(url)
                .map_err(|e| RpcError::BadUrl { url: url.to_owned(), reason: describe(&e) })?;
            Transport::Http(client)
        } else {
            return Err(RpcError::BadUrl {
                url: url.to_owned(),
                reason: "expected ws://, wss://, http:// or https://".to_owned(),
            });
        };
        let client = RpcClient { transport, url: url.to_owned() };
        if matches!(client.transport, Transport::Http(_)) {
            // HTTP connects lazily; probe now so a closed port is reported as such.
            client.call::<Value>("chain_getBlockHash", vec![Value::from(0)]).await.map_err(|e| match e {
                RpcError::Transport { reason, .. } => RpcError::Connect { url: url.to_owned(), reason },
                other => other,
            })?;
        }
        Ok(client)
    }

    /// The URL this client talks to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether subscriptions are available (WebSocket).
    pub fn can_subscribe(&self) -> bool {
        matches!(self.transport, Transport::Ws(_))
    }

    fn map_err(&self, method: &str, e: ClientError) -> RpcError {
        match e {
            ClientError::Call(obj) => RpcError::Call {
                method: method.to_owned(),
                code: obj.code(),
                message: obj.message().to_owned(),
                data: obj.data().map(|d| match serde_json::from_str::<Value>(d.get()) {
                    Ok(Value::String(s)) => s,
                    _ => d.get().to_owned(),
                }),
            },
            ClientError::RestartNeeded(_) => {
                RpcError::Connect { url: self.url.clone(), reason: "the connection was closed".to_owned() }
            }
            other => RpcError::Transport { method: method.to_owned(), reason: describe(&other) },
        }
    }

    /// Calls `method` with positional `params` and decodes the result.
    ///
    /// # Errors
    /// [`RpcError::Call`] for a JSON-RPC error, [`RpcError::Transport`] otherwise.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: Vec<Value>) -> Result<T, RpcError> {
        let result = match &self.transport {
            Transport::Ws(c) => c.request::<T, _>(method, Params(params)).await,
            Transport::Http(c) => c.request::<T, _>(method, Params(params)).await,
        };
        result.map_err(|e| self.map_err(method, e))
    }

    /// Subscribes to `method` (WebSocket only).
    ///
    /// # Errors
    /// [`RpcError::NeedsWebSocket`] over HTTP; a refused subscription is [`RpcError::Call`].
    pub async fn subscribe(
        &self,
        method: &str,
        params: Vec<Value>,
        unsubscribe: &str,
    ) -> Result<Subscription<Value>, RpcError> {
        match &self.transport {
            Transport::Ws(c) => {
                c.subscribe::<Value, _>(method, Params(params), unsubscribe).await.map_err(|e| self.map_err(method, e))
            }
            Transport::Http(_) => Err(RpcError::NeedsWebSocket { url: self.url.clone(), what: method.to_owned() }),
        }
    }

    // ---- typed helpers -------------------------------------------------------------------

    /// `chain_getBlockHash [n]`; `None` past the head.
    pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, RpcError> {
        self.call("chain_getBlockHash", vec![Value::from(number)]).await
    }

    /// The best block's hash (`chain_getBlockHash []`).
    pub async fn best_hash(&self) -> Result<H256, RpcError> {
        self.call("chain_getBlockHash", vec![]).await
    }

    /// The genesis hash.
    pub async fn genesis_hash(&self) -> Result<H256, RpcError> {
        self.block_hash(0).await?.ok_or_else(|| RpcError::Transport {
            method: "chain_getBlockHash".into(),
            reason: "the node returned no genesis hash".into(),
        })
    }

    /// `chain_getFinalizedHead`.
    pub async fn finalized_hash(&self) -> Result<H256, RpcError> {
        self.call("chain_getFinalizedHead", vec![]).await
    }

    /// `chain_getHeader [hash?]` (best if `None`); `None` for an unknown block.
    pub async fn header(&self, at: Option<H256>) -> Result<Option<Header>, RpcError> {
        let params = at.map(|h| vec![Value::String(h.to_string())]).unwrap_or_default();
        let json: Option<HeaderJson> = self.call("chain_getHeader", params).await?;
        json.map(|h| h.into_header().map_err(|reason| bad_response("chain_getHeader", reason))).transpose()
    }

    /// `chain_getBlock [hash?]`; `None` for an unknown block. Extrinsics are the full
    /// encodings, length prefix included.
    pub async fn block(&self, at: Option<H256>) -> Result<Option<RpcBlock>, RpcError> {
        let params = at.map(|h| vec![Value::String(h.to_string())]).unwrap_or_default();
        let json: Option<SignedBlockJson> = self.call("chain_getBlock", params).await?;
        let Some(json) = json else { return Ok(None) };
        let header = json.block.header.into_header().map_err(|reason| bad_response("chain_getBlock", reason))?;
        let extrinsics = json
            .block
            .extrinsics
            .iter()
            .map(|x| hex_bytes(x).map_err(|reason| bad_response("chain_getBlock", reason)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(RpcBlock { header, extrinsics }))
    }

    /// `state_getStorage [key, at?]`: the raw value, `None` if absent.
    pub async fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>, RpcError> {
        let mut params = vec![Value::String(format!("0x{}", hex::encode(key)))];
        if let Some(at) = at {
            params.push(Value::String(at.to_string()));
        }
        let value: Option<String> = self.call("state_getStorage", params).await?;
        value.map(|v| hex_bytes(&v).map_err(|reason| bad_response("state_getStorage", reason))).transpose()
    }

    /// `state_getRuntimeVersion [at?]`.
    pub async fn runtime_version(&self) -> Result<RuntimeVersionInfo, RpcError> {
        self.call("state_getRuntimeVersion", vec![]).await
    }

    /// `system_accountNextIndex [address]`: the pool-aware next nonce.
    pub async fn next_index(&self, who: &archive_primitives::AccountId20) -> Result<u32, RpcError> {
        self.call("system_accountNextIndex", vec![Value::String(who.to_string())]).await
    }
}

fn bad_response(method: &str, reason: impl std::fmt::Display) -> RpcError {
    RpcError::Transport { method: method.to_owned(), reason: format!("unexpected response: {reason}") }
}

/// Decodes `0x` hex.
pub fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let digits = s.strip_prefix("0x").ok_or_else(|| format!("expected 0x-prefixed hex, got `{s}`"))?;
    hex::decode(digits).map_err(|e| format!("invalid hex: {e}"))
}

/// A `0x` hex quantity (`"0x1a"`) or a plain JSON number.
fn hex_number(v: &Value) -> Result<u64, String> {
    match v {
        Value::String(s) => {
            let digits = s.strip_prefix("0x").ok_or_else(|| format!("expected a 0x hex number, got `{s}`"))?;
            u64::from_str_radix(digits, 16).map_err(|e| format!("invalid hex number `{s}`: {e}"))
        }
        Value::Number(n) => n.as_u64().ok_or_else(|| format!("invalid number {n}")),
        other => Err(format!("expected a number, got {other}")),
    }
}

/// A block as `chain_getBlock` returns it, decoded.
#[derive(Debug, Clone)]
pub struct RpcBlock {
    /// The header.
    pub header: Header,
    /// Each extrinsic's full encoding (with its length prefix).
    pub extrinsics: Vec<Vec<u8>>,
}

/// The parts of `state_getRuntimeVersion` the client needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersionInfo {
    /// Signed into every transaction.
    pub spec_version: u32,
    /// Signed into every transaction.
    pub transaction_version: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderJson {
    parent_hash: H256,
    number: Value,
    state_root: H256,
    extrinsics_root: H256,
    digest: DigestJson,
}

#[derive(Deserialize)]
struct DigestJson {
    logs: Vec<String>,
}

impl HeaderJson {
    fn into_header(self) -> Result<Header, String> {
        let number = hex_number(&self.number)?;
        let number = BlockNumber::try_from(number).map_err(|_| format!("block number {number} out of range"))?;
        let logs = self
            .digest
            .logs
            .iter()
            .map(|l| {
                let bytes = hex_bytes(l)?;
                DigestItem::decode(&mut &bytes[..]).map_err(|e| format!("cannot decode digest item {l}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Header {
            parent_hash: self.parent_hash,
            number,
            state_root: self.state_root,
            extrinsics_root: self.extrinsics_root,
            digest: Digest { logs },
        })
    }
}

#[derive(Deserialize)]
struct SignedBlockJson {
    block: BlockJson,
}

#[derive(Deserialize)]
struct BlockJson {
    header: HeaderJson,
    extrinsics: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_json_decodes_and_hashes_like_the_node() {
        let header = Header {
            parent_hash: H256([1; 32]),
            number: 26,
            state_root: H256([2; 32]),
            extrinsics_root: H256([3; 32]),
            digest: Digest { logs: vec![DigestItem::PreRuntime(*b"aura", vec![1, 2]), DigestItem::Other(vec![])] },
        };
        let json = serde_json::json!({
            "parentHash": format!("0x{}", "01".repeat(32)),
            "number": "0x1a",
            "stateRoot": format!("0x{}", "02".repeat(32)),
            "extrinsicsRoot": format!("0x{}", "03".repeat(32)),
            "digest": {"logs": ["0x0661757261080102", "0x0000"]},
        });
        let parsed: HeaderJson = serde_json::from_value(json).expect("valid json");
        let decoded = parsed.into_header().expect("valid header");
        assert_eq!(decoded, header);
        assert_eq!(decoded.hash(), header.hash());
    }

    #[test]
    fn rpc_error_summary_is_verbatim() {
        let e = RpcError::Call {
            method: "author_submitAndWatchExtrinsic".into(),
            code: 1010,
            message: "Invalid Transaction".into(),
            data: Some("Inability to pay some fees (e.g. account balance too low)".into()),
        };
        assert_eq!(
            e.rpc_summary().as_deref(),
            Some("1010 Invalid Transaction: Inability to pay some fees (e.g. account balance too low)")
        );
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(hex_bytes("0x0102"), Ok(vec![1, 2]));
        assert!(hex_bytes("0102").is_err());
        assert!(hex_bytes("0xzz").is_err());
        assert_eq!(hex_number(&Value::from("0x1a")), Ok(26));
        assert_eq!(hex_number(&Value::from(7)), Ok(7));
        assert!(hex_number(&Value::from("12")).is_err());
    }
}
