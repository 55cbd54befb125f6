//! URL validation shared by the pallet, the CLI and the node (a pure function: no I/O, no
//! name resolution).

use crate::Error;

/// Longest URL accepted, in bytes (the de-facto limit of browsers and search engines).
pub const MAX_URL_LEN: usize = 2048;

/// The schemes that may be archived (lower-case, compared exactly).
pub const URL_SCHEMES: [&str; 2] = ["http", "https"];

/// Checks that `url` is something the network can archive:
/// - at most [`MAX_URL_LEN`] bytes (`UrlTooLong`), non-empty valid UTF-8 without whitespace or
///   control characters (`MalformedUrl`);
/// - `scheme ":"` first, where the scheme is exactly `http` or `https` (lower-case; `file:`,
///   `ftp:`, `javascript:`, `HTTP:` … are `UnsupportedScheme`); a missing or syntactically
///   invalid scheme is `MalformedUrl`;
/// - then `//` and an authority (up to the first `/`, `?` or `#`) with a non-empty host, an
///   optional `:port` of 1 to 5 digits up to 65535, no user info (`@`: credentials would be
///   published on chain) and no backslash (`MalformedUrl`). An IPv6 host is written `[…]`.
///
/// Refusing internal addresses (`localhost`, private ranges) is the node's configuration, not
/// this function's: the chain cannot resolve names.
///
/// # Errors
/// [`Error::UrlTooLong`], [`Error::MalformedUrl`] or [`Error::UnsupportedScheme`], checked in
/// that order.
pub fn validate_url(url: &[u8]) -> Result<(), Error> {
    if url.len() > MAX_URL_LEN {
        return Err(Error::UrlTooLong);
    }
    let s = core::str::from_utf8(url).map_err(|_| Error::MalformedUrl)?;
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::MalformedUrl);
    }
    let (scheme, rest) = s.split_once(':').ok_or(Error::MalformedUrl)?;
    if !is_scheme(scheme) {
        return Err(Error::MalformedUrl);
    }
    if !URL_SCHEMES.contains(&scheme) {
        return Err(Error::UnsupportedScheme);
    }
    let rest = rest.strip_prefix("//").ok_or(Error::MalformedUrl)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority_is_valid(authority) {
        Ok(())
    } else {
        Err(Error::MalformedUrl)
    }
}

/// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn authority_is_valid(authority: &str) -> bool {
    if authority.contains(['@', '\\']) {
        return false;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        // `[address]` optionally followed by `:port`.
        let Some((address, after)) = v6.split_once(']') else { return false };
        if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.')) {
            return false;
        }
        match after {
            "" => (address, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None => return false,
            },
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    !host.is_empty() && port.is_none_or(port_is_valid)
}

fn port_is_valid(port: &str) -> bool {
    (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65_535)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_web_urls() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN - "https://example.org/".len()));
        for url in [
            "http://example.org",
            "https://example.org/",
            "https://example.org:8443/a/b?q=1#frag",
            "https://sub.example.co.uk/path/with%20escape",
            "http://192.0.2.7/",
            "http://[2001:db8::1]:8080/x",
            "http://[::1]",
            "https://例え.jp/ページ",
            "https://example.org?q",
            "https://example.org#top",
            long.as_str(),
        ] {
            assert_eq!(validate_url(url.as_bytes()), Ok(()), "{url}");
        }
    }

    #[test]
    fn refuses_other_schemes() {
        for url in [
            "file:///etc/passwd",
            "ftp://example.org/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "mailto:a@example.org",
            "HTTP://example.org",
            "Https://example.org",
            "httpx://example.org",
            "localhost:8080/x",
        ] {
            assert_eq!(validate_url(url.as_bytes()), Err(Error::UnsupportedScheme), "{url}");
        }
    }

    #[test]
    fn refuses_malformed_urls() {
        for url in [
            "",
            "example.org",
            "//example.org/",
            ":example",
            "1http://example.org",
            "http:example.org",
            "http:/example.org",
            "http://",
            "http:///path",
            "http://?q",
            "http://:80/",
            "http://exa mple.org/",
            "http://example.org/a b",
            " http://example.org",
            "http://example.org/\n",
            "http://example.org/\t",
            "http://example.org/\u{7f}",
            "http://user:pass@example.org/",
            "http://evil.example\\@good.example/",
            "http://example.org:/",
            "http://example.org:http/",
            "http://example.org:65536/",
            "http://example.org:000080/",
            "http://[::1/",
            "http://[]/",
            "http://[::1]x/",
            "http://[zz::1]/",
        ] {
            assert_eq!(validate_url(url.as_bytes()), Err(Error::MalformedUrl), "{url:?}");
        }
        assert_eq!(validate_url(&[b'h', b't', b't', b'p', b':', b'/', b'/', 0xff]), Err(Error::MalformedUrl));
    }

    #[test]
    fn length_is_limited_in_bytes() {
        let url = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(validate_url(url.as_bytes()), Err(Error::UrlTooLong));
        // Too long is reported before anything else.
        assert_eq!(validate_url(&[0xff; MAX_URL_LEN + 1]), Err(Error::UrlTooLong));
        // Multi-byte characters count by their bytes.
        let wide = format!("https://e.jp/{}", "档".repeat(679));
        assert_eq!(wide.len(), 13 + 3 * 679);
        assert_eq!(validate_url(wide.as_bytes()), Err(Error::UrlTooLong));
        assert_eq!(validate_url(&wide.as_bytes()[..wide.len() - 3]), Ok(()));
    }
}
