//! The transaction pool wired to the client: validation against the best block, and
//! maintenance after every import (prune included, re-validate the rest, report finality).

use std::sync::Arc;

use archive_client::Client;
use archive_primitives::{BlockNumber, H256};
use archive_runtime::TransactionValidityError;
use archive_txpool::{ChainApi, Pool, ValidTransaction, ValidationError};
use tokio::sync::{broadcast::error::RecvError, watch};

/// Validates transactions for the pool with the runtime.
pub struct PoolApi {
    client: Arc<Client>,
}

impl PoolApi {
    /// Wraps the client.
    pub fn new(client: Arc<Client>) -> Self {
        PoolApi { client }
    }
}

/// The node's pool type.
pub type TxPool = Pool<PoolApi>;

impl ChainApi for PoolApi {
    type Error = TransactionValidityError;

    fn validate(&self, at: &H256, xt: &[u8]) -> Result<ValidTransaction, ValidationError<Self::Error>> {
        match self.client.validate_transaction(at, xt) {
            Ok(v) => Ok(ValidTransaction {
                priority: v.priority,
                requires: v.requires,
                provides: v.provides,
                longevity: v.longevity,
                propagate: v.propagate,
            }),
            Err(e @ TransactionValidityError::Unknown { .. }) => Err(ValidationError::Unknown(e)),
            Err(e) => Err(ValidationError::Invalid(e)),
        }
    }

    fn block_number(&self, at: &H256) -> Option<BlockNumber> {
        self.client.header(at).ok().flatten().map(|h| h.number)
    }
}

/// Maps a pool error to the JSON-RPC error clients expect (Substrate's author codes; a
/// malformed extrinsic is 1001 "Extrinsic has invalid format").
pub fn submit_error(e: archive_txpool::Error<TransactionValidityError>) -> archive_rpc::SubmitError {
    if let archive_txpool::Error::InvalidTransaction(TransactionValidityError::BadFormat(detail)) = &e {
        return archive_rpc::SubmitError {
            code: 1001,
            message: "Extrinsic has invalid format".into(),
            data: Some(detail.clone()),
        };
    }
    archive_rpc::SubmitError { code: e.code(), message: e.rpc_message(), data: e.rpc_data() }
}

/// Keeps the pool in step with the chain: after each new best block, included transactions
/// leave (InBlock) and the rest are re-validated; on a re-org, the retracted blocks'
/// transactions go back to the pool first; finalized blocks (every one, in order) finalize
/// their transactions.
pub(crate) async fn maintain(client: Arc<Client>, pool: Arc<TxPool>, mut shutdown: watch::Receiver<bool>) {
    let mut best = client.best_notifications();
    let mut finalized = client.finality_notifications();
    let info = client.info();
    let mut last_best = info.best_hash;
    let mut last_finalized = info.finalized_number;
    loop {
        // Biased: the client announces a block as best before it announces it final, and the
        // pool must see them in that order (watchers expect InBlock before Finalized).
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            msg = best.recv() => match msg {
                Ok(header) => {
                    let (client, pool) = (client.clone(), pool.clone());
                    let from = last_best;
                    last_best = header.hash();
                    let _ = tokio::task::spawn_blocking(move || on_new_best(&client, &pool, from, &header)).await;
                }
                Err(RecvError::Lagged(n)) => tracing::warn!(missed = n, "pool maintenance lagged behind imports"),
                Err(RecvError::Closed) => break,
            },
            msg = finalized.recv() => match msg {
                Ok(header) => {
                    let (client, pool) = (client.clone(), pool.clone());
                    let from = last_finalized;
                    last_finalized = last_finalized.max(header.number);
                    let _ = tokio::task::spawn_blocking(move || {
                        for number in from + 1..=header.number {
                            let hash = if number == header.number { Some(header.hash()) } else { client.hash_at(number).ok().flatten() };
                            if let Some(hash) = hash {
                                pool.on_block_finalized(&hash, &block_extrinsics(&client, &hash));
                            }
                        }
                    })
                    .await;
                }
                Err(RecvError::Lagged(n)) => tracing::warn!(missed = n, "pool finality tracking lagged"),
                Err(RecvError::Closed) => break,
            },
        }
    }
}

fn on_new_best(client: &Client, pool: &TxPool, previous: H256, header: &archive_primitives::Header) {
    let hash = header.hash();
    let enacted = if header.parent_hash == previous {
        vec![hash]
    } else {
        match client.tree_route(&previous, &hash) {
            Ok((retracted, enacted)) => {
                tracing::info!(retracted = retracted.len(), enacted = enacted.len(), new_best = %hash, "re-org");
                for r in retracted {
                    if let Ok(Some(block)) = client.block(&r) {
                        use parity_scale_codec::Encode;
                        let xts = block.extrinsics.iter().map(|x| x.encode()).collect();
                        pool.on_block_retracted(&r, xts, &hash);
                    }
                }
                enacted
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot compute re-org route; treating the new best as a child");
                vec![hash]
            }
        }
    };
    for h in enacted {
        let number = client.header(&h).ok().flatten().map(|x| x.number).unwrap_or(header.number);
        pool.on_block_imported(&h, number, &block_extrinsics(client, &h));
    }
}

fn block_extrinsics(client: &Client, hash: &H256) -> Vec<H256> {
    use parity_scale_codec::Encode;
    match client.block(hash) {
        Ok(Some(b)) => {
            b.extrinsics.iter().map(|x| H256(archive_primitives::hashing::blake2_256(&x.encode()))).collect()
        }
        _ => Vec::new(),
    }
}
