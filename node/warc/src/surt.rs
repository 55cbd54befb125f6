//! URL splitting and SURT canonicalisation (the CDXJ sort key).
//!
//! [`surt`] follows the IA/pywb canonicaliser closely enough that keys sort and match as pywb
//! expects (the unit tests pin keys produced by the Python `surt` library): scheme, user info
//! and fragment dropped, host lower-cased, a leading `www`/`wwwN` label dropped, default ports
//! dropped, host labels reversed and comma-joined (IPv4 addresses too, as that library does),
//! percent-escapes decoded and only control bytes, space, non-ASCII, `#` and `%` re-escaped,
//! `.`/`..`/empty path segments removed, path and query lower-cased, query parameters sorted.
//! Session-id stripping is not done.

/// The parts of an absolute `scheme://authority/path?query#fragment` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedUrl {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Host as written (IPv6 literals keep their brackets).
    pub host: String,
    /// Explicit port, if any.
    pub port: Option<u16>,
    /// Path, `/` when empty.
    pub path: String,
    /// Query without the `?`.
    pub query: Option<String>,
}

impl ParsedUrl {
    /// The HTTP request-target (origin form): path plus `?query`.
    pub fn request_target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The `Host` header value: host plus the port when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        match self.port {
            Some(p) if Some(p) != default_port(&self.scheme) => format!("{}:{p}", self.host),
            _ => self.host.clone(),
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// Splits an absolute URL; `None` when it has no `scheme://host`.
pub(crate) fn parse_url(url: &str) -> Option<ParsedUrl> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic() || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (inner, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(p.parse().ok()?),
            _ if after.is_empty() || after == ":" => None,
            _ => return None,
        };
        (format!("[{inner}]"), port)
    } else {
        match host_port.rsplit_once(':') {
            Some((h, "")) => (h.to_string(), None),
            Some((h, p)) => (h.to_string(), Some(p.parse().ok()?)),
            None => (host_port.to_string(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (tail, None),
    };
    Some(ParsedUrl {
        scheme: scheme.to_ascii_lowercase(),
        host,
        port,
        path: if path.is_empty() { "/".into() } else { path.into() },
        query,
    })
}

fn strip_www(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix("www") {
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if let Some(after) = rest[digits_end..].strip_prefix('.') {
            if !after.is_empty() {
                return after;
            }
        }
    }
    host
}

/// Decodes `%XX` escapes repeatedly, then escapes only control bytes, space, non-ASCII, `#`
/// and `%` (as Google's URL canonicaliser, used by the Python `surt` library, does).
fn normalize_escapes(s: &str) -> String {
    /// Rounds of unescaping (`%2541` → `%41` → `A`); the Python library loops until stable.
    const MAX_ROUNDS: usize = 4;
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut bytes = s.as_bytes().to_vec();
    for _ in 0..MAX_ROUNDS {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let pair = bytes.get(i + 1).copied().and_then(hex).zip(bytes.get(i + 2).copied().and_then(hex));
            match (bytes[i], pair) {
                (b'%', Some((h, l))) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        if out == bytes {
            break;
        }
        bytes = out;
    }
    let mut escaped = String::with_capacity(bytes.len());
    for b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            escaped.push_str(&format!("%{b:02x}"));
        } else {
            escaped.push(char::from(b));
        }
    }
    escaped
}

/// Drops empty and `.` segments and applies `..`; always starts with `/`, never ends with one
/// (except for the root).
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The SURT key of `url`, e.g. `surt("https://www.Example.com:443/a?b=1") == "com,example)/a?b=1"`.
///
/// Never fails: a string that is not an absolute `scheme://host…` URL is returned trimmed and
/// lower-cased, so such captures still get a stable key.
pub fn surt(url: &str) -> String {
    let Some(p) = parse_url(url) else {
        return url.trim().to_ascii_lowercase();
    };
    let host = p.host.to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.');
    let mut key = strip_www(host).split('.').rev().collect::<Vec<_>>().join(",");
    if let Some(port) = p.port {
        if Some(port) != default_port(&p.scheme) {
            key.push_str(&format!(":{port}"));
        }
    }
    key.push(')');
    key.push_str(&normalize_path(&normalize_escapes(&p.path)).to_ascii_lowercase());
    if let Some(q) = p.query.filter(|q| !q.is_empty()) {
        let q = normalize_escapes(&q).to_ascii_lowercase();
        let mut params: Vec<&str> = q.split('&').collect();
        params.sort_by(|a, b| {
            let ka = a.split_once('=').unwrap_or((a, ""));
            let kb = b.split_once('=').unwrap_or((b, ""));
            ka.cmp(&kb)
        });
        key.push('?');
        key.push_str(&params.join("&"));
    }
    key
}

/// Resolves a `Location` value against the URL it was served for (absolute, scheme-relative,
/// host-relative or path-relative; dot segments are left as written).
pub(crate) fn resolve(base: &str, reference: &str) -> String {
    let reference = reference.trim();
    if parse_url(reference).is_some() {
        return reference.to_string();
    }
    let Some(b) = parse_url(base) else {
        return reference.to_string();
    };
    let port = match b.port {
        Some(p) if Some(p) != default_port(&b.scheme) => format!(":{p}"),
        _ => String::new(),
    };
    if let Some(rest) = reference.strip_prefix("//") {
        format!("{}://{rest}", b.scheme)
    } else if reference.starts_with('/') {
        format!("{}://{}{port}{reference}", b.scheme, b.host)
    } else if reference.starts_with('?') {
        format!("{}://{}{port}{}{reference}", b.scheme, b.host, b.path)
    } else {
        let dir = &b.path[..b.path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}://{}{port}{dir}{reference}", b.scheme, b.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_cases() {
        // Expected keys produced by the Python `surt` 0.3 library (pywb's canonicaliser).
        let cases = [
            ("https://www.Example.com:443/a?b=1", "com,example)/a?b=1"),
            ("http://example.com", "com,example)/"),
            ("http://example.com/", "com,example)/"),
            ("http://example.com:80/", "com,example)/"),
            ("http://example.com:8080/x", "com,example:8080)/x"),
            ("https://example.com:80/x", "com,example:80)/x"),
            ("http://www2.sub.Example.org/Path/", "org,example,sub)/path"),
            ("http://example.com/a?z=1&a=2&m", "com,example)/a?a=2&m&z=1"),
            ("http://example.com/a?", "com,example)/a"),
            ("http://example.com/a?&&", "com,example)/a?&&"),
            ("http://example.com/a#frag", "com,example)/a"),
            ("http://example.com/a?b=1#frag", "com,example)/a?b=1"),
            ("http://user:pw@example.com/", "com,example)/"),
            ("http://192.168.0.1:8000/x", "1,0,168,192:8000)/x"),
            ("http://[::1]:8080/", "::1:8080)/"),
            ("http://[2001:db8::1]/x", "2001:db8::1)/x"),
            ("http://example.com./", "com,example)/"),
            ("http://www.com/", "com)/"),
            ("HTTP://EXAMPLE.COM/", "com,example)/"),
            ("dns:example.com", "dns:example.com"),
            ("http://example.com/a?b=2&b=1&a", "com,example)/a?a&b=1&b=2"),
            ("http://example.com/%7Efoo", "com,example)/~foo"),
            ("http://example.com/a?B=1&a=2", "com,example)/a?a=2&b=1"),
            ("http://example.com/a%2Fb%20c%41", "com,example)/a/b%20ca"),
            ("http://example.com/a?x=%7e&y=%2F", "com,example)/a?x=~&y=/"),
            ("http://example.com/a/?", "com,example)/a"),
            ("http://example.com/?a", "com,example)/?a"),
            ("http://example.com//a//", "com,example)/a"),
        ];
        for (url, want) in cases {
            assert_eq!(surt(url), want, "{url}");
        }
    }

    #[test]
    fn parses_request_target_and_host() {
        let p = parse_url("https://a.example:8443/p/q?x=1#f").expect("valid url");
        assert_eq!(p.request_target(), "/p/q?x=1");
        assert_eq!(p.host_header(), "a.example:8443");
        let p = parse_url("https://a.example:443").expect("valid url");
        assert_eq!(p.request_target(), "/");
        assert_eq!(p.host_header(), "a.example");
        assert!(parse_url("not a url").is_none());
        assert!(parse_url("http://:80/").is_none());
        assert!(parse_url("http://h:99999/").is_none());
        assert!(parse_url("1http://h/").is_none());
    }

    #[test]
    fn resolves_locations() {
        let base = "https://e.example:8443/a/b?q=1";
        assert_eq!(resolve(base, "http://o.example/x"), "http://o.example/x");
        assert_eq!(resolve(base, "//o.example/x"), "https://o.example/x");
        assert_eq!(resolve(base, "/x"), "https://e.example:8443/x");
        assert_eq!(resolve(base, "c"), "https://e.example:8443/a/c");
        assert_eq!(resolve(base, "?z"), "https://e.example:8443/a/b?z");
    }
}
