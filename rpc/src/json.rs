//! Substrate's JSON shapes for headers, blocks, storage change sets and transaction statuses.
//!
//! These shapes are what the clients parse; they are pinned by snapshot tests.

use archive_primitives::{error::to_hex, Header, H256};
use archive_txpool::TransactionStatus;
use parity_scale_codec::Encode;
use serde::Serialize;
use serde_json::{json, Value};

use crate::backend::BlockData;

/// A number as Substrate's `NumberOrHex`/`U256` prints it: `0x` + lower-case hex without leading
/// zeros (`0x0` for zero).
pub fn hex_number(n: u128) -> String {
    format!("0x{n:x}")
}

/// Header JSON: `{"parentHash","number":"0x..","stateRoot","extrinsicsRoot","digest":{"logs":[..]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderJson {
    /// Parent block hash.
    pub parent_hash: H256,
    /// Block number as minimal `0x` hex.
    pub number: String,
    /// State root.
    pub state_root: H256,
    /// Extrinsics root.
    pub extrinsics_root: H256,
    /// Digest with each log as the hex of its SCALE encoding.
    pub digest: DigestJson,
}

/// Digest JSON: `{"logs":["0x<SCALE of DigestItem>", ...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestJson {
    /// Hex of each SCALE-encoded `DigestItem`.
    pub logs: Vec<String>,
}

impl From<&Header> for HeaderJson {
    fn from(h: &Header) -> Self {
        HeaderJson {
            parent_hash: h.parent_hash,
            number: hex_number(u128::from(h.number)),
            state_root: h.state_root,
            extrinsics_root: h.extrinsics_root,
            digest: DigestJson { logs: h.digest.logs.iter().map(|item| to_hex(&item.encode())).collect() },
        }
    }
}

/// `chain_getBlock` JSON: `{"block":{"header":{..},"extrinsics":["0x.."]},"justifications":..}`
/// where justifications are `null` or `[[[e,n,g,n],[bytes..]], ...]` (serde's tuple/array form,
/// as Substrate prints `Justifications`).
pub fn signed_block_json(block: &BlockData) -> Value {
    json!({
        "block": {
            "header": HeaderJson::from(&block.header),
            "extrinsics": block.extrinsics.iter().map(|x| to_hex(x)).collect::<Vec<_>>(),
        },
        "justifications": block.justifications,
    })
}

/// A storage change set: `{"block": hash, "changes": [[key, value|null], ...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageChangeSet {
    /// The block the values were read at.
    pub block: H256,
    /// `(key, value)` as hex; `None` for a missing key.
    pub changes: Vec<(String, Option<String>)>,
}

/// Transaction status JSON as Substrate prints `TransactionStatus`: `"future"`, `"ready"`,
/// `{"broadcast":[..]}`, `{"inBlock":h}`, `{"retracted":h}`, `{"finalityTimeout":h}`,
/// `{"finalized":h}`, `{"usurped":h}`, `"dropped"`, `"invalid"`.
pub fn tx_status_json(status: &TransactionStatus) -> Value {
    match status {
        TransactionStatus::Future => json!("future"),
        TransactionStatus::Ready => json!("ready"),
        TransactionStatus::Broadcast(peers) => json!({ "broadcast": peers }),
        TransactionStatus::InBlock(h) => json!({ "inBlock": h }),
        TransactionStatus::Retracted(h) => json!({ "retracted": h }),
        TransactionStatus::FinalityTimeout(h) => json!({ "finalityTimeout": h }),
        TransactionStatus::Finalized(h) => json!({ "finalized": h }),
        TransactionStatus::Usurped(h) => json!({ "usurped": h }),
        TransactionStatus::Dropped => json!("dropped"),
        TransactionStatus::Invalid => json!("invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archive_primitives::{Digest, DigestItem};

    #[test]
    fn hex_numbers_have_no_leading_zeros() {
        assert_eq!(hex_number(0), "0x0");
        assert_eq!(hex_number(255), "0xff");
        assert_eq!(hex_number(4096), "0x1000");
    }

    #[test]
    fn header_snapshot() {
        let header = Header {
            parent_hash: H256([1; 32]),
            number: 26,
            state_root: H256([2; 32]),
            extrinsics_root: H256([3; 32]),
            digest: Digest { logs: vec![DigestItem::PreRuntime(*b"aura", vec![1, 2]), DigestItem::Other(vec![])] },
        };
        let got = serde_json::to_value(HeaderJson::from(&header)).expect("serializable");
        let want = json!({
            "parentHash": format!("0x{}", "01".repeat(32)),
            "number": "0x1a",
            "stateRoot": format!("0x{}", "02".repeat(32)),
            "extrinsicsRoot": format!("0x{}", "03".repeat(32)),
            "digest": {"logs": ["0x0661757261080102", "0x0000"]},
        });
        assert_eq!(got, want);
    }

    #[test]
    fn tx_status_snapshots() {
        let h = H256([0xaa; 32]);
        let hs = format!("0x{}", "aa".repeat(32));
        let cases = [
            (TransactionStatus::Future, json!("future")),
            (TransactionStatus::Ready, json!("ready")),
            (TransactionStatus::Broadcast(vec!["p1".into()]), json!({"broadcast": ["p1"]})),
            (TransactionStatus::InBlock(h), json!({"inBlock": hs})),
            (TransactionStatus::Retracted(h), json!({"retracted": hs})),
            (TransactionStatus::FinalityTimeout(h), json!({"finalityTimeout": hs})),
            (TransactionStatus::Finalized(h), json!({"finalized": hs})),
            (TransactionStatus::Usurped(h), json!({"usurped": hs})),
            (TransactionStatus::Dropped, json!("dropped")),
            (TransactionStatus::Invalid, json!("invalid")),
        ];
        for (status, want) in cases {
            assert_eq!(tx_status_json(&status), want, "{status:?}");
        }
    }
}
