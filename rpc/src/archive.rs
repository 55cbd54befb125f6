//! `archive_*`: search and Wayback-style lookup over the node's archive (captures it stored or
//! fetched), with each capture's on-chain status. Parameters are checked here; the node
//! answers through [`ChainBackend::archive`] (a node without an archive answers "unsupported").

use archive_primitives::H256;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde::Serialize;
use serde_json::Value;

use crate::backend::BackendError;
use crate::module::{Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Longest query text accepted (characters).
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Most hits per page.
pub const MAX_LIMIT: u32 = 100;
/// Default and largest payload `archive_content` returns (bytes).
pub const DEFAULT_CONTENT_BYTES: u32 = 1 << 20;
/// Largest payload `archive_content` returns (bytes).
pub const MAX_CONTENT_BYTES: u32 = 16 << 20;

/// A search request (`archive_search`'s first parameter, an object).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SearchRequest {
    /// Free text; `"…"` for phrases.
    pub text: String,
    /// Only these hosts.
    pub hosts: Vec<String>,
    /// Only captures with all these tags.
    pub tags: Vec<String>,
    /// `en`, `fr`, …
    pub language: Option<String>,
    /// Captured at or after (unix ms).
    pub from: Option<u64>,
    /// Captured at or before (unix ms).
    pub to: Option<u64>,
    /// Hits to skip.
    pub offset: u32,
    /// Hits to return (1..=100, default 10).
    pub limit: u32,
}

/// What the node is asked (see [`ChainBackend::archive`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveCall {
    /// Ranked captures for a query.
    Search(SearchRequest),
    /// Completions of a query prefix.
    Suggest {
        /// The prefix typed so far.
        prefix: String,
        /// At most this many.
        limit: u32,
    },
    /// Captures of one URL, oldest first, optionally within a time range (unix ms).
    Captures {
        /// The URL.
        url: String,
        /// From.
        from: Option<u64>,
        /// To.
        to: Option<u64>,
    },
    /// The archived payload and original HTTP headers of a capture, capped.
    Content {
        /// SHA-256 of the payload.
        hash: [u8; 32],
        /// Payload bytes returned at most.
        max_bytes: u32,
    },
    /// Re-hash the local copy and compare with the chain.
    Verify {
        /// SHA-256 of the payload.
        hash: [u8; 32],
    },
    /// Start a crawl by this node (captures stored, indexed and submitted with the node's
    /// archiver key); answers `{job}` at once.
    Crawl {
        /// The seed URL.
        seed: String,
        /// Link depth.
        depth: u32,
        /// Page limit.
        max_pages: u32,
        /// `host`, `prefix` or `domain`.
        scope: String,
    },
    /// Progress of a crawl job.
    CrawlStatus {
        /// The job id `archive_crawl` returned.
        job: u64,
    },
}

/// Registers the `archive_*` methods.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("archive_search", |p, ctx, _| search(&p, ctx))?;
    m.register_method("archive_suggest", |p, ctx, _| suggest(&p, ctx))?;
    m.register_method("archive_captures", |p, ctx, _| captures(&p, ctx))?;
    m.register_method("archive_content", |p, ctx, _| content(&p, ctx))?;
    m.register_method("archive_verify", |p, ctx, _| verify(&p, ctx))?;
    m.register_method("archive_crawl", |p, ctx, _| crawl(&p, ctx))?;
    m.register_method("archive_crawlStatus", |p, ctx, _| -> RpcResult<Value> {
        let p = Positional::parse(&p)?;
        let job = p.required(0, "job", |v| v.as_u64().ok_or_else(|| "expected a job id".to_string()))?;
        call(ctx, ArchiveCall::CrawlStatus { job })
    })?;
    Ok(())
}

fn call(ctx: &RpcContext, c: ArchiveCall) -> RpcResult<Value> {
    Ok(ctx.backend.archive(c)?)
}

fn content_hash(v: &Value) -> Result<[u8; 32], String> {
    params::hash(v).map(|h: H256| h.0)
}

fn opt_u64(v: &Value) -> Result<u64, String> {
    v.as_u64().ok_or_else(|| "expected a non-negative integer (unix milliseconds)".to_string())
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => {
            a.iter().map(|x| x.as_str().map(str::to_owned).ok_or_else(|| format!("{what} must be strings"))).collect()
        }
        _ => Err(format!("{what} must be a string or a list of strings")),
    }
}

/// Parses `archive_search`'s parameter: a string (the query text) or an object
/// `{text, hosts?, tags?, language?, from?, to?, offset?, limit?}`.
fn search_request(v: &Value) -> Result<SearchRequest, String> {
    let mut r = SearchRequest { limit: 10, ..SearchRequest::default() };
    match v {
        Value::String(s) => r.text = s.clone(),
        Value::Object(o) => {
            for key in o.keys() {
                if !["text", "hosts", "tags", "language", "from", "to", "offset", "limit"].contains(&key.as_str()) {
                    return Err(format!("unknown field {key:?}"));
                }
            }
            r.text = match o.get("text") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err("text must be a string".into()),
            };
            r.hosts = o.get("hosts").map(|v| strings(v, "hosts")).transpose()?.unwrap_or_default();
            r.tags = o.get("tags").map(|v| strings(v, "tags")).transpose()?.unwrap_or_default();
            r.language = match o.get("language") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.to_ascii_lowercase()),
                Some(_) => return Err("language must be a string".into()),
            };
            r.from = o.get("from").filter(|v| !v.is_null()).map(opt_u64).transpose()?;
            r.to = o.get("to").filter(|v| !v.is_null()).map(opt_u64).transpose()?;
            if let Some(v) = o.get("offset").filter(|v| !v.is_null()) {
                r.offset = v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or("offset must be a small integer")?;
            }
            if let Some(v) = o.get("limit").filter(|v| !v.is_null()) {
                r.limit = v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or("limit must be a small integer")?;
            }
        }
        _ => {
            return Err(
                "expected the query text or an object {text, hosts, tags, language, from, to, offset, limit}".into()
            )
        }
    }
    if r.text.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("query longer than {MAX_QUERY_CHARS} characters"));
    }
    if r.limit == 0 || r.limit > MAX_LIMIT {
        return Err(format!("limit must be 1..={MAX_LIMIT}"));
    }
    if let (Some(f), Some(t)) = (r.from, r.to) {
        if f > t {
            return Err("from is after to".into());
        }
    }
    Ok(r)
}

fn search(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let r = p.required(0, "query", search_request)?;
    call(ctx, ArchiveCall::Search(r))
}

fn suggest(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let prefix = p.required(0, "prefix", params::string)?;
    if prefix.chars().count() > MAX_QUERY_CHARS {
        return Err(BackendError::InvalidInput { reason: "prefix too long".into() }.into());
    }
    let limit = p.optional(1, "limit", params::u32_number)?.unwrap_or(10).clamp(1, MAX_LIMIT);
    call(ctx, ArchiveCall::Suggest { prefix, limit })
}

fn captures(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let url = p.required(0, "url", params::string)?;
    if url.len() > 2048 {
        return Err(BackendError::InvalidInput { reason: "url longer than 2048 bytes".into() }.into());
    }
    let from = p.optional(1, "from", opt_u64)?;
    let to = p.optional(2, "to", opt_u64)?;
    call(ctx, ArchiveCall::Captures { url, from, to })
}

fn content(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let hash = p.required(0, "contentHash", content_hash)?;
    let max_bytes =
        p.optional(1, "maxBytes", params::u32_number)?.unwrap_or(DEFAULT_CONTENT_BYTES).min(MAX_CONTENT_BYTES);
    call(ctx, ArchiveCall::Content { hash, max_bytes })
}

/// `archive_crawl({seed, depth?, maxPages?, scope?})` (unsafe: it makes the node fetch URLs
/// and spend its key's fees): depth ≤ 5, pages 1..=10000, scope host|prefix|domain.
fn crawl(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    ctx.ensure_unsafe_allowed()?;
    let p = Positional::parse(p)?;
    let req = p.required(0, "crawl", |v| {
        let o = v.as_object().ok_or("expected {seed, depth, maxPages, scope}")?;
        let seed = o.get("seed").and_then(Value::as_str).ok_or("seed (a URL) is required")?.to_string();
        if seed.len() > 2048 {
            return Err("seed longer than 2048 bytes".to_string());
        }
        let depth = o.get("depth").and_then(Value::as_u64).unwrap_or(0);
        let max_pages = o.get("maxPages").and_then(Value::as_u64).unwrap_or(10);
        let scope = o.get("scope").and_then(Value::as_str).unwrap_or("host").to_ascii_lowercase();
        if depth > 5 || !(1..=10_000).contains(&max_pages) || !["host", "prefix", "domain"].contains(&scope.as_str()) {
            return Err("depth ≤ 5, maxPages 1..=10000, scope host|prefix|domain".to_string());
        }
        Ok(ArchiveCall::Crawl { seed, depth: depth as u32, max_pages: max_pages as u32, scope })
    })?;
    call(ctx, req)
}

fn verify(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let hash = p.required(0, "contentHash", content_hash)?;
    call(ctx, ArchiveCall::Verify { hash })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_requests_parse_and_bad_ones_are_refused() {
        let r = search_request(&json!("archives numériques")).expect("text");
        assert_eq!((r.text.as_str(), r.limit), ("archives numériques", 10));
        let r = search_request(&json!({"text": "x", "hosts": "a.example", "tags": ["t"], "language": "FR",
            "from": 1, "to": 2, "offset": 20, "limit": 5}))
        .expect("object");
        assert_eq!(r.hosts, vec!["a.example"]);
        assert_eq!(r.language.as_deref(), Some("fr"));
        assert_eq!((r.offset, r.limit), (20, 5));
        for bad in [
            json!({"text": "x", "limit": 0}),
            json!({"text": "x", "limit": 101}),
            json!({"text": "x", "from": 5, "to": 1}),
            json!({"text": "x", "nope": 1}),
            json!({"text": 7}),
            json!(12),
            json!({"text": "x".repeat(MAX_QUERY_CHARS + 1)}),
        ] {
            assert!(search_request(&bad).is_err(), "{bad}");
        }
    }
}
