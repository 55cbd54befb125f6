//! Signing and submitting the node's own transactions (equivocation reports, archive
//! submissions and attestations) to the local pool, with the node's key.

use archive_client::Client;
use archive_primitives::{AdditionalSigned, Era, Pair, SignedExtra, H256};
use archive_runtime::{RuntimeCall, UncheckedExtrinsic};
use parity_scale_codec::{Decode, Encode};

use crate::TxPool;

/// Mortality of the node's own transactions (blocks).
const ERA_PERIOD: u64 = 64;

/// Signs `call` with `key` (mortal, next free nonce) and puts it in the pool. Returns the
/// encoded extrinsic for gossip.
///
/// # Errors
/// A description: unreadable state, or the pool's refusal.
pub(crate) fn sign_and_submit(
    client: &Client,
    pool: &TxPool,
    key: &Pair,
    call: RuntimeCall,
) -> Result<Vec<u8>, String> {
    let info = client.info();
    let best = info.best_hash;
    let nonce = next_nonce(client, pool, key, &best)?;
    let era = Era::mortal(ERA_PERIOD, u64::from(info.best_number));
    let birth = u32::try_from(era.birth(u64::from(info.best_number))).map_err(|e| e.to_string())?;
    let era_block_hash =
        client.hash_at(birth).map_err(|e| e.to_string())?.ok_or("no hash for the era's birth block")?;
    let version = archive_runtime::version();
    let additional = AdditionalSigned {
        spec_version: version.spec_version,
        transaction_version: version.transaction_version,
        genesis_hash: info.genesis_hash,
        era_block_hash,
    };
    let xt = UncheckedExtrinsic::new_signed(call, key, SignedExtra { era, nonce, tip: 0 }, &additional).encode();
    pool.submit(&best, xt.clone()).map_err(|e| e.to_string())?;
    Ok(xt)
}

/// The key's next nonce: its account nonce at `best`, past its transactions in the pool.
fn next_nonce(client: &Client, pool: &TxPool, key: &Pair, best: &H256) -> Result<u32, String> {
    let who = key.account();
    let raw = client.call(best, "AccountNonceApi_account_nonce", &who.encode()).map_err(|e| e.to_string())?;
    let mut nonce = u32::decode(&mut &raw[..]).map_err(|e| e.to_string())?;
    let pending: std::collections::BTreeSet<u32> = pool
        .pending()
        .iter()
        .filter_map(|x| UncheckedExtrinsic::decode(&mut &x[..]).ok())
        .filter_map(|x| x.signature.filter(|(s, _, _)| *s == who).map(|(_, _, e)| e.nonce))
        .collect();
    while pending.contains(&nonce) {
        nonce += 1;
    }
    Ok(nonce)
}
