//! URL normalisation, link resolution, scope rules and the private-address guard.
//!
//! Normalisation (what makes two spellings one frontier entry):
//! - scheme and host lower case, IDN hosts in punycode, default ports (80/443) dropped, empty
//!   path becomes `/`, `.`/`..` segments removed (all by the WHATWG URL parser);
//! - the fragment is dropped and an empty query (`?` alone) removed;
//! - percent-escapes are upper-cased (`%2f` → `%2F`);
//! - the query is kept **as is, in its original order**: reordering parameters would merge URLs
//!   that some servers treat differently, and an archive must fetch what the page links to.
//!
//! Only `http` and `https` are crawled; links with other schemes (`mailto:`, `javascript:`,
//! `tel:`, `data:`, `ftp:`, `file:` …) are ignored, and such seeds are refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::config::Scope;
use crate::error::CrawlError;

/// Parse and normalise an absolute URL (a seed, or a stored frontier entry).
///
/// # Errors
/// [`CrawlError::InvalidUrl`] when it does not parse, [`CrawlError::UnsupportedScheme`] for
/// anything but http(s).
pub fn normalize(url: &str) -> Result<Url, CrawlError> {
    let parsed =
        Url::parse(url.trim()).map_err(|e| CrawlError::InvalidUrl { url: url.to_string(), reason: e.to_string() })?;
    if !is_crawlable_scheme(parsed.scheme()) {
        return Err(CrawlError::UnsupportedScheme { url: url.to_string(), scheme: parsed.scheme().to_string() });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(CrawlError::InvalidUrl { url: url.to_string(), reason: "no host".to_string() });
    }
    Ok(canonicalize(parsed))
}

/// Resolve a link (`href`) against a base URL and normalise it.
///
/// Returns `None` for links that are not crawled: other schemes, unparsable text, empty hosts.
pub fn resolve_link(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let joined = base.join(href).ok()?;
    if !is_crawlable_scheme(joined.scheme()) || joined.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(canonicalize(joined))
}

/// Whether the scheme is fetched at all.
pub(crate) fn is_crawlable_scheme(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

/// Final normalisation steps on a parsed http(s) URL.
fn canonicalize(mut url: Url) -> Url {
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    if has_lowercase_escape(url.as_str()) {
        let upper = uppercase_escapes(url.as_str());
        if let Ok(reparsed) = Url::parse(&upper) {
            url = reparsed;
        }
    }
    url
}

fn has_lowercase_escape(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).any(|w| {
        w[0] == b'%'
            && w[1].is_ascii_hexdigit()
            && w[2].is_ascii_hexdigit()
            && (w[1].is_ascii_lowercase() || w[2].is_ascii_lowercase())
    })
}

fn uppercase_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            out.push('%');
            out.push(char::from(b[i + 1].to_ascii_uppercase()));
            out.push(char::from(b[i + 2].to_ascii_uppercase()));
            i += 3;
        } else {
            // Valid UTF-8 input: copy the whole char.
            let ch_len = utf8_len(b[i]);
            out.push_str(&s[i..(i + ch_len).min(s.len())]);
            i += ch_len;
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// `scheme://host[:port]`, the key robots.txt rules belong to.
pub(crate) fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The host name, the key politeness applies to.
pub(crate) fn host_key(url: &Url) -> String {
    url.host_str().unwrap_or("").to_string()
}

/// `path?query`, the part robots.txt rules match.
pub(crate) fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_string(),
    }
}

/// The scope of one crawl, derived from its seeds.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRules {
    scope: Scope,
    /// Host names (Host), URL prefixes (Prefix) or domains (Domain).
    keys: Vec<String>,
}

impl ScopeRules {
    pub(crate) fn new(scope: Scope, seeds: &[Url]) -> Self {
        let mut keys: Vec<String> = seeds
            .iter()
            .map(|s| match scope {
                Scope::Host => host_key(s),
                Scope::Prefix => s.as_str().to_string(),
                Scope::Domain => {
                    let h = host_key(s);
                    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
                }
            })
            .collect();
        keys.sort();
        keys.dedup();
        Self { scope, keys }
    }

    pub(crate) fn allows(&self, url: &Url) -> bool {
        match self.scope {
            Scope::Host => {
                let h = url.host_str().unwrap_or("");
                self.keys.iter().any(|k| k == h)
            }
            Scope::Prefix => self.keys.iter().any(|k| url.as_str().starts_with(k.as_str())),
            Scope::Domain => {
                let h = url.host_str().unwrap_or("");
                self.keys.iter().any(|d| {
                    h == d
                        || (h.len() > d.len() && h.ends_with(d.as_str()) && h.as_bytes()[h.len() - d.len() - 1] == b'.')
                })
            }
        }
    }
}

/// Refuse a target before any connection: wrong scheme, or an IP-literal host that is not
/// public while private addresses are not allowed. Host names are checked after DNS resolution
/// by the client's resolver (see `fetch`), which also defeats DNS rebinding.
pub(crate) fn check_target(url: &Url, allow_private: bool) -> Result<(), CrawlError> {
    if !is_crawlable_scheme(url.scheme()) {
        return Err(CrawlError::UnsupportedScheme { url: url.to_string(), scheme: url.scheme().to_string() });
    }
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    match ip {
        Some(ip) if is_forbidden_ip(ip) => {
            Err(CrawlError::ForbiddenAddress { url: url.to_string(), addr: ip.to_string() })
        }
        _ => Ok(()),
    }
}

/// Whether an address must not be crawled unless `allow_private_addresses` is on: unspecified,
/// loopback, private (RFC 1918), shared/CGNAT (RFC 6598), link-local, unique-local (fc00::/7),
/// multicast, broadcast, documentation/benchmark and reserved ranges; IPv4-mapped and NAT64
/// IPv6 addresses are judged by their IPv4 part.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // 0.0.0.0/8 "this network"
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10 shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24 IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15 benchmarking
        || a >= 240 // 240.0.0.0/4 reserved
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let seg = ip.segments();
    // 64:ff9b::/96 NAT64: judge the embedded IPv4 address.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        let [a, b] = seg[6].to_be_bytes();
        let [c, d] = seg[7].to_be_bytes();
        return is_forbidden_v4(Ipv4Addr::new(a, b, c, d));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (seg[0] & 0xffc0) == 0xfe80 // fe80::/10 link local
        || (seg[0] & 0xffc0) == 0xfec0 // fec0::/10 deprecated site local
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // 2001:db8::/32 documentation
        || seg[..6] == [0, 0, 0, 0, 0, 0] // ::/96 IPv4-compatible (deprecated) and ::1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize(s).map(|u| u.to_string()).unwrap_or_else(|e| format!("ERR {e}"))
    }

    fn base() -> Url {
        Url::parse("http://example.org/a/b/page.html?x=1").expect("static URL")
    }

    #[test]
    fn normalisation_lowercases_drops_default_port_fragment_and_dots() {
        assert_eq!(n("HTTP://Example.ORG:80/a/./b/../c#frag"), "http://example.org/a/c");
        assert_eq!(n("https://example.org:443"), "https://example.org/");
        assert_eq!(n("https://example.org:8443/x"), "https://example.org:8443/x");
        assert_eq!(n("http://example.org/p?"), "http://example.org/p");
        assert_eq!(n("http://example.org/a%2fb?q=%c3%a9"), "http://example.org/a%2Fb?q=%C3%A9");
        assert_eq!(n("http://bücher.example/"), "http://xn--bcher-kva.example/");
        assert_eq!(n("  http://example.org/  "), "http://example.org/");
    }

    #[test]
    fn query_order_is_kept() {
        assert_eq!(n("http://example.org/s?b=2&a=1"), "http://example.org/s?b=2&a=1");
        assert_ne!(n("http://example.org/s?b=2&a=1"), n("http://example.org/s?a=1&b=2"));
    }

    #[test]
    fn refused_seeds() {
        assert!(matches!(
            normalize("file:///etc/passwd"),
            Err(CrawlError::UnsupportedScheme { ref scheme, .. }) if scheme == "file"
        ));
        assert!(matches!(normalize("ftp://example.org/"), Err(CrawlError::UnsupportedScheme { .. })));
        assert!(matches!(normalize("data:text/html,hi"), Err(CrawlError::UnsupportedScheme { .. })));
        assert!(matches!(normalize("not a url"), Err(CrawlError::InvalidUrl { .. })));
    }

    #[test]
    fn relative_links_resolve_against_base() {
        let b = base();
        let r = |h: &str| resolve_link(&b, h).map(|u| u.to_string());
        assert_eq!(r("c.html").as_deref(), Some("http://example.org/a/b/c.html"));
        assert_eq!(r("../up.html").as_deref(), Some("http://example.org/a/up.html"));
        assert_eq!(r("/root#top").as_deref(), Some("http://example.org/root"));
        assert_eq!(r("?y=2").as_deref(), Some("http://example.org/a/b/page.html?y=2"));
        assert_eq!(r("//other.example/x").as_deref(), Some("http://other.example/x"));
        assert_eq!(r(" https://EXAMPLE.org:443/z ").as_deref(), Some("https://example.org/z"));
        for skipped in ["mailto:a@b.c", "javascript:void(0)", "tel:+331", "data:,x", "#only", "", "ftp://x/"] {
            assert_eq!(r(skipped), None, "{skipped}");
        }
    }

    #[test]
    fn scope_rules() {
        let seeds = [Url::parse("http://www.example.org/docs/").expect("static URL")];
        let u = |s: &str| Url::parse(s).expect("static URL");
        let host = ScopeRules::new(Scope::Host, &seeds);
        assert!(host.allows(&u("https://www.example.org:8080/other")));
        assert!(!host.allows(&u("http://example.org/docs/")));
        let prefix = ScopeRules::new(Scope::Prefix, &seeds);
        assert!(prefix.allows(&u("http://www.example.org/docs/a")));
        assert!(!prefix.allows(&u("http://www.example.org/blog/")));
        assert!(!prefix.allows(&u("https://www.example.org/docs/a")));
        let domain = ScopeRules::new(Scope::Domain, &seeds);
        assert!(domain.allows(&u("http://example.org/")));
        assert!(domain.allows(&u("http://cdn.example.org/")));
        assert!(!domain.allows(&u("http://badexample.org/")));
        assert!(!domain.allows(&u("http://example.org.evil.net/")));
    }

    #[test]
    fn private_addresses_are_refused() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc12::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = bad.parse().expect("static address");
            assert!(is_forbidden_ip(ip), "{bad}");
        }
        for good in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8", "64:ff9b::808:808"] {
            let ip: IpAddr = good.parse().expect("static address");
            assert!(!is_forbidden_ip(ip), "{good}");
        }
        let u = Url::parse("http://127.0.0.1:8080/").expect("static URL");
        assert!(matches!(check_target(&u, false), Err(CrawlError::ForbiddenAddress { .. })));
        assert_eq!(check_target(&u, true), Ok(()));
        let v6 = Url::parse("http://[::1]/").expect("static URL");
        assert!(matches!(check_target(&v6, false), Err(CrawlError::ForbiddenAddress { .. })));
        let named = Url::parse("http://example.org/").expect("static URL");
        assert_eq!(check_target(&named, false), Ok(()), "names are checked after DNS");
    }
}
