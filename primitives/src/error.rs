//! Errors of the primitives crate.

/// What can go wrong when parsing or verifying primitive values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A hex string was malformed.
    #[error("invalid hex: {reason}")]
    InvalidHex { reason: String },
    /// A value had the wrong number of bytes.
    #[error("expected {expected} bytes, got {got}")]
    InvalidLength { expected: usize, got: usize },
    /// An address with mixed case failed its EIP-55 checksum.
    #[error("address checksum (EIP-55) mismatch")]
    BadChecksum,
    /// A secret key was not a valid secp256k1 scalar.
    #[error("invalid secret key")]
    InvalidSecretKey,
    /// A signature could not be parsed or recovered.
    #[error("invalid signature")]
    InvalidSignature,
    /// SCALE decoding failed.
    #[error("cannot decode {what}: {reason}")]
    Decode { what: &'static str, reason: String },
}

/// Parses `0x`-prefixed (or bare) hex into bytes.
///
/// # Errors
/// [`Error::InvalidHex`] if the string is not valid hex.
pub fn from_hex(s: &str) -> Result<Vec<u8>, Error> {
    let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    hex::decode(s).map_err(|e| Error::InvalidHex { reason: e.to_string() })
}

/// Formats bytes as `0x`-prefixed lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}
