//! From bytes as served to text: content-decoding (with a size cap) and charset detection.
//!
//! Charset order (WHATWG "encoding sniffing", simplified): BOM, then the `Content-Type`
//! charset, then `<meta charset>`/`http-equiv` in the first 1024 bytes (HTML only), then a
//! statistical guess (chardetng). A **UTF-8 label on bytes that are not UTF-8** (a common
//! mislabelling) is overridden by the guess. Decoding never fails: invalid sequences become
//! U+FFFD.

use std::borrow::Cow;
use std::io::Read;

use encoding_rs::Encoding;
use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};

use crate::capture::CharsetSource;

/// WHATWG prescan window for `<meta charset>`.
const META_PRESCAN_BYTES: usize = 1024;
/// Read granularity while decompressing.
const DECODE_CHUNK: usize = 64 * 1024;

/// Why a body could not be decompressed for parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Output passed the cap.
    TooLarge,
    /// Unknown coding (e.g. `br`, `zstd`: not decoded in this version).
    Unsupported(String),
    /// Corrupt stream.
    Corrupt(String),
}

/// Undo the `Content-Encoding` (comma-separated list, applied in order, so undone in reverse).
///
/// `lenient` (for truncated bodies) keeps the bytes decoded before a stream error.
pub(crate) fn decompress<'a>(
    body: &'a [u8],
    content_encoding: Option<&str>,
    limit: u64,
    lenient: bool,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let codings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    let mut data: Cow<'a, [u8]> = Cow::Borrowed(body);
    for coding in codings.iter().rev() {
        let out = match coding.as_str() {
            "gzip" | "x-gzip" => read_capped(GzDecoder::new(&data[..]), limit, lenient)?,
            "deflate" => {
                // RFC 9110 says zlib-wrapped; some servers send raw deflate.
                match read_capped(ZlibDecoder::new(&data[..]), limit, false) {
                    Ok(out) => out,
                    Err(DecodeError::TooLarge) => return Err(DecodeError::TooLarge),
                    Err(_) => read_capped(DeflateDecoder::new(&data[..]), limit, lenient)?,
                }
            }
            other => return Err(DecodeError::Unsupported(other.to_string())),
        };
        data = Cow::Owned(out);
    }
    if data.len() as u64 > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok(data)
}

fn read_capped<R: Read>(mut reader: R, limit: u64, lenient: bool) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; DECODE_CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                if (out.len() + n) as u64 > limit {
                    return Err(DecodeError::TooLarge);
                }
                out.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                if lenient && !out.is_empty() {
                    return Ok(out);
                }
                return Err(DecodeError::Corrupt(e.to_string()));
            }
        }
    }
}

/// `charset=` parameter of a Content-Type value.
pub(crate) fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!v.is_empty()).then(|| v.to_string())
        } else {
            None
        }
    })
}

/// HTML rule: a meta label of UTF-16 means UTF-8 (the bytes were ASCII-compatible to be read),
/// and x-user-defined means windows-1252.
fn meta_encoding(label: &[u8]) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label)?;
    Some(if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
        encoding_rs::UTF_8
    } else if enc == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        enc
    })
}

/// Find a charset declared in `<meta>` within the first 1024 bytes.
pub(crate) fn prescan_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let window = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let lower: Vec<u8> = window.iter().map(u8::to_ascii_lowercase).collect();
    let mut pos = 0;
    while let Some(off) = find(&lower[pos..], b"<meta") {
        let start = pos + off + 5;
        let end = lower[start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| start + e);
        let attrs = parse_attrs(&lower[start..end]);
        let get = |name: &[u8]| attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice());
        if let Some(cs) = get(b"charset") {
            if let Some(enc) = meta_encoding(cs) {
                return Some(enc);
            }
        }
        if get(b"http-equiv") == Some(b"content-type".as_slice()) {
            if let Some(content) = get(b"content") {
                let content = String::from_utf8_lossy(content);
                if let Some(enc) = charset_param(&content).and_then(|l| meta_encoding(l.as_bytes())) {
                    return Some(enc);
                }
            }
        }
        pos = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Crude attribute parser over an already lower-cased tag body.
fn parse_attrs(s: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && (s[*i].is_ascii_whitespace() || s[*i] == b'/') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= s.len() {
            return out;
        }
        let name_start = i;
        while i < s.len() && !s[i].is_ascii_whitespace() && s[i] != b'=' && s[i] != b'/' {
            i += 1;
        }
        let name = s[name_start..i].to_vec();
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = Vec::new();
        if i < s.len() && s[i] == b'=' {
            i += 1;
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < s.len() && (s[i] == b'"' || s[i] == b'\'') {
                let q = s[i];
                i += 1;
                let vs = i;
                while i < s.len() && s[i] != q {
                    i += 1;
                }
                value = s[vs..i].to_vec();
                i += 1;
            } else {
                let vs = i;
                while i < s.len() && !s[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = s[vs..i].to_vec();
            }
        }
        if name.is_empty() {
            i += 1;
        } else {
            out.push((name, value.trim_ascii().to_vec()));
        }
    }
}

/// Choose the encoding for `bytes`.
pub(crate) fn detect(bytes: &[u8], header_charset: Option<&str>, is_html: bool) -> (&'static Encoding, CharsetSource) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, CharsetSource::Bom);
    }
    let labelled = header_charset
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| is_html.then(|| prescan_meta(bytes)).flatten().map(|e| (e, CharsetSource::Meta)));
    match labelled {
        // A UTF-8 label is checked: Latin-1 bytes labelled UTF-8 are common.
        Some((enc, _)) if enc == encoding_rs::UTF_8 && !is_utf8_prefix(bytes) => (guess(bytes), CharsetSource::Guess),
        Some(found) => found,
        None => (guess(bytes), CharsetSource::Guess),
    }
}

/// Valid UTF-8, allowing one incomplete sequence at the very end (a body cut mid-character).
fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    if is_utf8_prefix(bytes) {
        return encoding_rs::UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// Decode with `enc`; never fails (invalid input becomes U+FFFD; a BOM is removed).
pub(crate) fn decode(bytes: &[u8], enc: &'static Encoding) -> String {
    let (text, _, _) = enc.decode(bytes);
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).expect("in-memory write");
        e.finish().expect("in-memory gzip")
    }

    #[test]
    fn gzip_round_trip_and_bomb_cap() {
        let body = gz(b"hello world");
        assert_eq!(decompress(&body, Some("gzip"), 1000, false).as_deref(), Ok(&b"hello world"[..]));
        assert_eq!(decompress(b"plain", None, 1000, false).as_deref(), Ok(&b"plain"[..]));
        assert_eq!(decompress(b"plain", Some("identity"), 1000, false).as_deref(), Ok(&b"plain"[..]));
        let bomb = gz(&vec![0u8; 4 << 20]);
        assert!(bomb.len() < 10_000);
        assert_eq!(decompress(&bomb, Some("gzip"), 1 << 20, false), Err(DecodeError::TooLarge));
        assert_eq!(decompress(b"plain", None, 3, false), Err(DecodeError::TooLarge));
    }

    #[test]
    fn corrupt_truncated_and_unsupported_codings() {
        assert!(matches!(decompress(b"not gzip", Some("gzip"), 1000, false), Err(DecodeError::Corrupt(_))));
        assert!(matches!(decompress(b"x", Some("br"), 1000, false), Err(DecodeError::Unsupported(ref c)) if c == "br"));
        let text = "abcdefghij".repeat(20_000);
        let full = gz(text.as_bytes());
        let cut = &full[..full.len() / 2];
        let partial = decompress(cut, Some("gzip"), 1 << 20, true).expect("lenient keeps the prefix");
        assert!(!partial.is_empty() && text.as_bytes().starts_with(&partial));
        assert!(decompress(cut, Some("gzip"), 1 << 20, false).is_err());
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(b"zlib body").expect("in-memory write");
        let z = z.finish().expect("in-memory zlib");
        assert_eq!(decompress(&z, Some("deflate"), 100, false).as_deref(), Ok(&b"zlib body"[..]));
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
        r.write_all(b"raw body").expect("in-memory write");
        let r = r.finish().expect("in-memory deflate");
        assert_eq!(decompress(&r, Some("deflate"), 100, false).as_deref(), Ok(&b"raw body"[..]));
    }

    #[test]
    fn charset_params() {
        assert_eq!(charset_param("text/html; charset=ISO-8859-1").as_deref(), Some("ISO-8859-1"));
        assert_eq!(charset_param("text/html;Charset=\"utf-8\"").as_deref(), Some("utf-8"));
        assert_eq!(charset_param("text/html"), None);
    }

    #[test]
    fn detection_order() {
        let latin1 = b"<html><body>caf\xe9</body></html>";
        let (e, s) = detect(latin1, Some("iso-8859-1"), true);
        assert_eq!((e.name(), s), ("windows-1252", CharsetSource::Header));
        assert_eq!(decode(latin1, e), "<html><body>café</body></html>");

        let meta = b"<html><head><meta charset=\"windows-1251\"></head><body>\xcf\xf0\xe8</body></html>";
        let (e, s) = detect(meta, None, true);
        assert_eq!((e.name(), s), ("windows-1251", CharsetSource::Meta));

        let equiv = b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-15'>";
        assert_eq!(detect(equiv, None, true).0.name(), "ISO-8859-15");
        assert_eq!(detect(equiv, None, false).1, CharsetSource::Guess, "no meta for text/plain");

        let bom = b"\xef\xbb\xbfhello";
        assert_eq!(detect(bom, Some("iso-8859-1"), true), (encoding_rs::UTF_8, CharsetSource::Bom));
        assert_eq!(decode(bom, encoding_rs::UTF_8), "hello");

        let utf8 = "prix : 10 €".as_bytes();
        assert_eq!(detect(utf8, None, true), (encoding_rs::UTF_8, CharsetSource::Guess));
    }

    #[test]
    fn utf8_label_on_latin1_bytes_is_overridden() {
        let body = b"<p>Le caf\xe9 est tr\xe8s bon, d\xe9j\xe0 servi \xe0 la fen\xeatre.</p>";
        let (e, s) = detect(body, Some("utf-8"), true);
        assert_eq!(s, CharsetSource::Guess);
        assert_eq!(e.name(), "windows-1252");
        assert!(decode(body, e).contains("café est très bon, déjà servi à la fenêtre"));
        // A UTF-16 meta label means UTF-8 in HTML; garbage never panics.
        assert_eq!(prescan_meta(b"<meta charset=utf-16>"), Some(encoding_rs::UTF_8));
        assert_eq!(prescan_meta(b"<meta charset=\"no-such-charset\"><meta"), None);
        let _ = decode(&[0xff, 0xfe, 0xfd, 0x80], encoding_rs::UTF_8);
    }
}
