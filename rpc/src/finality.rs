//! `finality_*`: finality proofs (the signed votes that finalized a block), so a client can
//! check finality against the validator set itself.

use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::Value;

use crate::module::{Module, RpcContext, RpcResult};
use crate::params::{self, Positional};

/// Registers the `finality_*` methods.
pub(crate) fn register(m: &mut Module) -> Result<(), RegisterMethodError> {
    m.register_method("finality_proveFinality", |p, ctx, _| prove(&p, ctx))?;
    Ok(())
}

/// `finality_proveFinality [hash | number]`: for a finalized block, the justification that
/// finalized it or its nearest justified descendant on the canonical chain (votes count for
/// ancestors): `{block, number, justifiedBlock, justifiedNumber, round, votes: [{voter,
/// targetHash, targetNumber, round, stage: "precommit", signature}], justification:
/// "0x<SCALE>"}`; `null` if the block is not (yet) finalized. Each signature is the voter's
/// ECDSA signature of `blake2_256("arcv" ++ genesis_hash ++ SCALE(vote))`, the vote being
/// `(targetHash, targetNumber as u32 LE, round as u64 LE, stage as one byte: 1 precommit)`.
fn prove(p: &Params<'_>, ctx: &RpcContext) -> RpcResult<Value> {
    let p = Positional::parse(p)?;
    let hash = match p.raw(0) {
        None | Some(Value::Null) => ctx.backend.finalized_hash(),
        Some(Value::Number(_)) => {
            let n = p.required(0, "block", params::block_number)?;
            match ctx.backend.block_hash(n)? {
                Some(h) => h,
                None => return Ok(Value::Null),
            }
        }
        Some(_) => p.required(0, "block", params::hash)?,
    };
    Ok(ctx.backend.finality_proof(&hash)?.unwrap_or(Value::Null))
}
