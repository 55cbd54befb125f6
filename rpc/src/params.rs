//! Positional parameter parsing with errors that name the parameter and the problem.
//!
//! Substrate methods take their parameters by position; optional trailing ones may be omitted or
//! `null`. Every parser here returns `-32602` with a message like
//! ``Invalid params: param 2 (`at`): expected a 0x-prefixed 32-byte hex hash, got 3 bytes``.
//! Parameters beyond those a method reads are ignored, as jsonrpsee's own parser does.

use archive_primitives::{error::from_hex, H256};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde_json::Value;

use crate::error::{invalid_param, invalid_params};

/// The parameters of one call, as a list of JSON values.
#[derive(Debug)]
pub(crate) struct Positional(Vec<Value>);

impl Positional {
    /// Parses the raw params: absent, `null` and `[]` are "no params"; an object is refused
    /// (Substrate methods are positional).
    pub(crate) fn parse(params: &Params<'_>) -> Result<Self, ErrorObjectOwned> {
        let Some(raw) = params.as_str() else { return Ok(Positional(Vec::new())) };
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(values)) => Ok(Positional(values)),
            Ok(Value::Null) => Ok(Positional(Vec::new())),
            Ok(_) => Err(invalid_params("parameters must be a JSON array (by position)")),
            Err(e) => Err(invalid_params(format!("parameters are not valid JSON: {e}"))),
        }
    }

    /// The value at `index`, `None` when absent or `null`.
    fn get(&self, index: usize) -> Option<&Value> {
        self.0.get(index).filter(|v| !v.is_null())
    }

    /// A required parameter.
    pub(crate) fn required<T>(
        &self,
        index: usize,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<T, ErrorObjectOwned> {
        let v = self.get(index).ok_or_else(|| invalid_param(index, name, "missing required parameter"))?;
        parse(v).map_err(|reason| invalid_param(index, name, reason))
    }

    /// An optional parameter (absent or `null` gives `None`).
    pub(crate) fn optional<T>(
        &self,
        index: usize,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<Option<T>, ErrorObjectOwned> {
        match self.get(index) {
            None => Ok(None),
            Some(v) => parse(v).map(Some).map_err(|reason| invalid_param(index, name, reason)),
        }
    }

    /// The raw value at `index` (for parameters with several accepted shapes).
    pub(crate) fn raw(&self, index: usize) -> Option<&Value> {
        self.get(index)
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string.
pub(crate) fn string(v: &Value) -> Result<String, String> {
    v.as_str().map(str::to_owned).ok_or_else(|| format!("expected a string, got {}", describe(v)))
}

/// `0x`-prefixed (or bare) hex bytes.
pub(crate) fn bytes(v: &Value) -> Result<Vec<u8>, String> {
    let s = v.as_str().ok_or_else(|| format!("expected a 0x-prefixed hex string, got {}", describe(v)))?;
    from_hex(s).map_err(|e| format!("expected a 0x-prefixed hex string: {e}"))
}

/// A 32-byte hash as hex.
pub(crate) fn hash(v: &Value) -> Result<H256, String> {
    let b = bytes(v).map_err(|_| format!("expected a 0x-prefixed 32-byte hex hash, got {}", show(v)))?;
    H256::from_slice(&b).map_err(|_| format!("expected a 0x-prefixed 32-byte hex hash, got {} bytes", b.len()))
}

/// A list of hex byte strings.
pub(crate) fn bytes_list(v: &Value) -> Result<Vec<Vec<u8>>, String> {
    let items = v.as_array().ok_or_else(|| format!("expected an array of hex strings, got {}", describe(v)))?;
    items.iter().enumerate().map(|(i, item)| bytes(item).map_err(|e| format!("item {i}: {e}"))).collect()
}

/// A non-negative integer that fits in `u32`.
pub(crate) fn u32_number(v: &Value) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("expected an integer between 0 and {}, got {}", u32::MAX, show(v)))
}

/// A block number: a JSON number or a `0x` hex string (Substrate's `NumberOrHex`), `<= u32::MAX`.
pub(crate) fn block_number(v: &Value) -> Result<u32, String> {
    match v {
        Value::Number(_) => {
            u32_number(v).map_err(|_| format!("block number must be an integer 0..={}, got {v}", u32::MAX))
        }
        Value::String(s) => {
            let digits = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .ok_or_else(|| format!("block number string must be 0x-prefixed hex, got {s:?}"))?;
            let digits = digits.trim_start_matches('0');
            if digits.is_empty() {
                return Ok(0);
            }
            if digits.len() > 8 {
                return Err(format!("block number {s} is larger than u32::MAX, the max block number"));
            }
            u32::from_str_radix(digits, 16).map_err(|e| format!("block number {s:?} is not valid hex: {e}"))
        }
        other => Err(format!("expected a block number (integer or 0x hex string), got {}", describe(other))),
    }
}

/// Shows a value briefly in an error message.
fn show(v: &Value) -> String {
    let s = v.to_string();
    const MAX: usize = 80;
    if s.len() > MAX {
        let cut = (0..=MAX).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_numbers() {
        assert_eq!(block_number(&json!(5)), Ok(5));
        assert_eq!(block_number(&json!("0x10")), Ok(16));
        assert_eq!(block_number(&json!("0x0")), Ok(0));
        assert_eq!(block_number(&json!("0x00000000000000ff")), Ok(255));
        assert!(block_number(&json!(-1)).is_err());
        assert!(block_number(&json!(1.5)).is_err());
        assert!(block_number(&json!("10")).is_err());
        assert!(block_number(&json!("0x100000000")).is_err());
        assert!(block_number(&json!("0xzz")).is_err());
        assert!(block_number(&json!(true)).is_err());
    }

    #[test]
    fn hashes() {
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(hash(&json!(h)).map(|h| h.0[0]), Ok(0xab));
        assert!(hash(&json!("0x1234")).is_err_and(|e| e.contains("2 bytes")));
        assert!(hash(&json!("0xgg")).is_err());
        assert!(hash(&json!(12)).is_err());
    }

    #[test]
    fn positional_shapes() {
        let p = Positional::parse(&Params::new(Some("[1, null]"))).expect("array");
        assert_eq!(p.optional(1, "at", hash), Ok(None));
        assert_eq!(p.optional(5, "x", hash), Ok(None));
        let missing = p.required(1, "at", hash).expect_err("null is missing");
        assert!(missing.message().contains("param 2 (`at`)"));
        assert!(Positional::parse(&Params::new(Some("{\"a\":1}"))).is_err());
        assert!(Positional::parse(&Params::new(None)).is_ok());
    }
}
