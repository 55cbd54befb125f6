//! SHA-256 digests in the forms WARC, CDXJ and WACZ use.

use data_encoding::{BASE32, BASE32_NOPAD, HEXLOWER_PERMISSIVE};
use sha2::{Digest, Sha256};

/// Label prefix of SHA-256 digests (a hashlib name, as warcio requires).
pub const SHA256_LABEL: &str = "sha256:";

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// `sha256:<BASE32>` (RFC 4648 upper-case alphabet, padded, as Python's `b32encode` writes it):
/// the form of `WARC-Block-Digest`, `WARC-Payload-Digest` and the CDXJ `digest` field.
pub fn warc_digest(hash: &[u8; 32]) -> String {
    format!("{SHA256_LABEL}{}", BASE32.encode(hash))
}

/// `sha256:<lowercase hex>`: the form of WACZ `datapackage.json` hashes.
pub fn hex_digest(hash: &[u8; 32]) -> String {
    format!("{SHA256_LABEL}{}", data_encoding::HEXLOWER.encode(hash))
}

/// Parses a `sha256:` digest whose value is base32 (padded or not) or hex. Returns `None` for
/// other algorithms or malformed values.
pub fn parse_sha256_digest(label: &str) -> Option<[u8; 32]> {
    let (algo, value) = label.trim().split_once(':')?;
    if !algo.eq_ignore_ascii_case("sha256") && !algo.eq_ignore_ascii_case("sha-256") {
        return None;
    }
    let value = value.trim();
    let decoded = if value.len() == 64 {
        HEXLOWER_PERMISSIVE.decode(value.as_bytes()).ok()?
    } else if value.ends_with('=') {
        BASE32.decode(value.to_ascii_uppercase().as_bytes()).ok()?
    } else {
        BASE32_NOPAD.decode(value.to_ascii_uppercase().as_bytes()).ok()?
    };
    decoded.try_into().ok()
}

/// True when `label` is a `sha256:` digest equal to the SHA-256 of `data`.
pub fn digest_matches(label: &str, data: &[u8]) -> bool {
    parse_sha256_digest(label) == Some(sha256(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // sha256("") — base32 from Python: base64.b32encode(hashlib.sha256(b"").digest()).
        let empty = sha256(b"");
        assert_eq!(hex_digest(&empty), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(warc_digest(&empty), "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====");
    }

    #[test]
    fn parses_all_encodings() {
        let h = sha256(b"payload");
        assert_eq!(parse_sha256_digest(&warc_digest(&h)), Some(h));
        assert_eq!(parse_sha256_digest(&hex_digest(&h)), Some(h));
        let nopad = warc_digest(&h).trim_end_matches('=').to_string();
        assert_eq!(parse_sha256_digest(&nopad), Some(h));
        assert_eq!(parse_sha256_digest("sha1:ABC"), None);
        assert_eq!(parse_sha256_digest("sha256:!!!"), None);
        assert_eq!(parse_sha256_digest("sha256"), None);
        assert!(digest_matches(&warc_digest(&h), b"payload"));
        assert!(!digest_matches(&warc_digest(&h), b"other"));
    }
}
