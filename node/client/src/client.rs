//! The [`Client`]: genesis, import, building, queries and notifications.

use std::{sync::Arc, time::Instant};

use archive_chain_spec::ChainSpec;
use archive_primitives::{
    hashing::blake2_256, trie, AccountId20, Block, BlockNumber, Digest, DigestItem, Header, Pair, H256,
};
use archive_runtime::{
    apis::{self, CallAt},
    executive, BlockBuilder, TransactionValidityError, ValidTransaction,
};
use archive_storage::{BlockCommit, Database, StateUpdate, StateView};
use parity_scale_codec::Encode;
use parking_lot::Mutex;
use tokio::sync::broadcast;

use crate::{
    seal::{seal_header, slot_of, verify_seal_with, SlotPreDigest, ENGINE_ID},
    state::StateAdapter,
    verifier::SignatureCache,
    Error,
};

/// Capacity of each notification channel; slow subscribers lose the oldest (and are told so).
const NOTIFICATION_CAPACITY: usize = 256;

/// Where a block came from (own authoring skips re-execution: it was just executed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockOrigin {
    /// Authored by this node.
    Own,
    /// Read from a file (`import-blocks`).
    File,
    /// Received from a peer.
    Network,
}

/// Heads of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    /// Genesis hash.
    pub genesis_hash: H256,
    /// Best block hash.
    pub best_hash: H256,
    /// Best block number.
    pub best_number: BlockNumber,
    /// Last finalized hash.
    pub finalized_hash: H256,
    /// Last finalized number.
    pub finalized_number: BlockNumber,
}

/// A block built by [`Client::build_block`], not yet imported.
pub struct BuiltBlock {
    /// The sealed block.
    pub block: Block,
    /// Its state changes.
    pub state: StateUpdate,
    /// Hashes of the included extrinsics.
    pub included: Vec<H256>,
    /// Extrinsics that could not be included, with the reason.
    pub rejected: Vec<(H256, TransactionValidityError)>,
}

/// Where an import spent its time (zero for phases that did not run, e.g. own blocks).
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportTimings {
    /// Seal check and signature recovery (parallel).
    pub verify: std::time::Duration,
    /// Executing the extrinsics.
    pub execute: std::time::Duration,
    /// Computing the new state root (trie updates).
    pub state_root: std::time::Duration,
    /// Writing the block (one RocksDB batch).
    pub commit: std::time::Duration,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct ImportedBlock {
    /// The block hash.
    pub hash: H256,
    /// The header.
    pub header: Header,
    /// Whether it became the new best block.
    pub is_new_best: bool,
    /// Its extrinsic hashes.
    pub extrinsic_hashes: Vec<H256>,
    /// Time spent per phase.
    pub timings: ImportTimings,
}

/// The chain: database, execution, notifications.
pub struct Client {
    db: Database,
    spec: ChainSpec,
    genesis_hash: H256,
    signatures: Arc<SignatureCache>,
    import_lock: Mutex<()>,
    imported: broadcast::Sender<Header>,
    best: broadcast::Sender<Header>,
    finalized: broadcast::Sender<Header>,
}

fn xt_hash(xt_without_prefix: &[u8]) -> H256 {
    H256(blake2_256(&xt_without_prefix.encode()))
}

impl Client {
    /// Opens the chain in `db`, writing genesis from `spec` if the database is empty.
    ///
    /// # Errors
    /// [`Error::GenesisMismatch`] if the database holds another chain; storage/spec errors.
    pub fn new(db: Database, spec: ChainSpec) -> Result<Arc<Client>, Error> {
        let storage = spec.genesis_storage()?;
        // The validator set lives in the genesis state; a spec whose consensus section says
        // otherwise (e.g. a hand-edited raw spec) would author and finalize with the wrong set.
        // Checked on the spec's own genesis storage: the database's genesis state is pruned
        // once the chain is longer than the pruning window.
        let key = archive_pallet_session::Validators::key();
        let on_chain: Option<Vec<AccountId20>> = storage
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, raw)| parity_scale_codec::Decode::decode(&mut &raw[..]).ok());
        if let Some(set) = on_chain {
            if !set.is_empty() && set != spec.consensus.validators {
                return Err(Error::Spec(archive_chain_spec::Error::Invalid {
                    path: spec.id.clone(),
                    reason: "consensus.validators differ from the genesis state's Session.Validators".into(),
                }));
            }
        }
        let update = db.compute_state_update(&trie::empty_root(), storage.into_iter().map(|(k, v)| (k, Some(v))))?;
        let header = Header {
            parent_hash: H256::zero(),
            number: 0,
            state_root: update.root,
            extrinsics_root: trie::ordered_trie_root::<Vec<u8>>(&[]),
            digest: Digest::default(),
        };
        let genesis_hash = header.hash();
        match db.genesis_hash() {
            Some(h) if h != genesis_hash => return Err(Error::GenesisMismatch { in_db: h, from_spec: genesis_hash }),
            Some(_) => {}
            None => {
                db.commit_block(BlockCommit {
                    header,
                    body: vec![],
                    extrinsic_hashes: vec![],
                    justification: None,
                    state: update,
                    set_best: true,
                    finalized: true,
                })?;
                tracing::info!(genesis = %genesis_hash, "initialized genesis");
            }
        }
        let (imported, _) = broadcast::channel(NOTIFICATION_CAPACITY);
        let (best, _) = broadcast::channel(NOTIFICATION_CAPACITY);
        let (finalized, _) = broadcast::channel(NOTIFICATION_CAPACITY);
        Ok(Arc::new(Client {
            db,
            spec,
            genesis_hash,
            signatures: Arc::new(SignatureCache::default()),
            import_lock: Mutex::new(()),
            imported,
            best,
            finalized,
        }))
    }

    /// The chain spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The signature cache shared with the transaction pool.
    pub fn signatures(&self) -> &SignatureCache {
        &self.signatures
    }

    /// Current heads.
    pub fn info(&self) -> ChainInfo {
        let (best_hash, best_number) = self.db.best().unwrap_or((self.genesis_hash, 0));
        let (finalized_hash, finalized_number) = self.db.finalized().unwrap_or((self.genesis_hash, 0));
        ChainInfo { genesis_hash: self.genesis_hash, best_hash, best_number, finalized_hash, finalized_number }
    }

    /// A header by hash.
    ///
    /// # Errors
    /// Storage errors.
    pub fn header(&self, hash: &H256) -> Result<Option<Header>, Error> {
        Ok(self.db.header(hash)?)
    }

    /// A block by hash.
    ///
    /// # Errors
    /// Storage errors.
    pub fn block(&self, hash: &H256) -> Result<Option<Block>, Error> {
        let Some(header) = self.db.header(hash)? else { return Ok(None) };
        let extrinsics = self.db.body(hash)?.unwrap_or_default();
        Ok(Some(Block { header, extrinsics }))
    }

    /// The canonical hash at `number`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn hash_at(&self, number: BlockNumber) -> Result<Option<H256>, Error> {
        Ok(self.db.hash_at(number)?)
    }

    /// The state after block `hash`.
    ///
    /// # Errors
    /// [`Error::UnknownBlock`].
    pub fn state_at(&self, hash: &H256) -> Result<StateView, Error> {
        let header = self.db.header(hash)?.ok_or(Error::UnknownBlock { hash: *hash })?;
        Ok(self.db.state(&header.state_root))
    }

    /// Executes runtime API `method` on the state after `hash`.
    ///
    /// # Errors
    /// Unknown block, unknown method, bad parameters, unavailable state.
    pub fn call(&self, hash: &H256, method: &str, data: &[u8]) -> Result<Vec<u8>, Error> {
        let header = self.db.header(hash)?.ok_or(Error::UnknownBlock { hash: *hash })?;
        let adapter = StateAdapter::new(self.db.state(&header.state_root));
        let out = apis::call(&adapter, CallAt { hash: *hash, number: header.number }, method, data)?;
        if let Some(e) = adapter.take_error() {
            return Err(Error::StateUnavailable { hash: *hash, reason: e.to_string() });
        }
        Ok(out)
    }

    /// Validates a transaction (full encoding) against the best block, for the pool.
    ///
    /// # Errors
    /// The runtime's verdict; `Unknown` if the state cannot be read.
    pub fn validate_transaction(&self, at: &H256, xt: &[u8]) -> Result<ValidTransaction, TransactionValidityError> {
        let unknown = |detail: String| TransactionValidityError::Unknown {
            kind: archive_runtime::UnknownTransaction::CannotLookup,
            detail,
        };
        let header = self
            .db
            .header(at)
            .map_err(|e| unknown(e.to_string()))?
            .ok_or_else(|| unknown(format!("unknown block {at}")))?;
        let adapter = StateAdapter::new(self.db.state(&header.state_root));
        let r = executive::validate_transaction(&adapter, *at, header.number, xt, &*self.signatures);
        if let Some(e) = adapter.take_error() {
            return Err(unknown(e.to_string()));
        }
        r
    }

    /// The validator set in force after block `at`: `Session.Validators` in its state (the
    /// staking pallet rotates it each era). It seals the children of `at` (the author of slot
    /// `s` is `set[s % len]`) and signs their justifications. Falls back to the chain spec's set
    /// where the state holds none.
    ///
    /// # Errors
    /// Unknown block or unreadable state (e.g. pruned).
    pub fn validators_at(&self, at: &H256) -> Result<Vec<AccountId20>, Error> {
        let header = self.db.header(at)?.ok_or(Error::UnknownBlock { hash: *at })?;
        self.validators_in(&header)
    }

    /// The validator set after block `at` with its id (`Session.SetId`: how many times the set
    /// changed since genesis).
    ///
    /// # Errors
    /// As [`Client::validators_at`].
    pub fn validator_set_at(&self, at: &H256) -> Result<(u64, Vec<AccountId20>), Error> {
        let header = self.db.header(at)?.ok_or(Error::UnknownBlock { hash: *at })?;
        let raw = self.db.state(&header.state_root).get(&archive_pallet_session::SetId::key())?;
        let id: u64 = raw.and_then(|r| parity_scale_codec::Decode::decode(&mut &r[..]).ok()).unwrap_or(0);
        Ok((id, self.validators_in(&header)?))
    }

    fn validators_in(&self, header: &Header) -> Result<Vec<AccountId20>, Error> {
        let raw = self.db.state(&header.state_root).get(&archive_pallet_session::Validators::key())?;
        let set: Vec<AccountId20> =
            raw.and_then(|r| parity_scale_codec::Decode::decode(&mut &r[..]).ok()).unwrap_or_default();
        Ok(if set.is_empty() { self.spec.consensus.validators.clone() } else { set })
    }

    /// The validator set after the best block (see [`Client::validators_at`]); the chain
    /// spec's set if the best block's state cannot be read.
    pub fn validators(&self) -> Vec<AccountId20> {
        self.validators_at(&self.info().best_hash).unwrap_or_else(|_| self.spec.consensus.validators.clone())
    }

    /// Builds and seals a block on `parent` for `slot`, including as many of `candidates`
    /// (full encodings, in order) as fit before `deadline`.
    ///
    /// # Errors
    /// Unknown parent or unreadable state.
    pub fn build_block(
        &self,
        parent: &H256,
        slot: u64,
        author: &Pair,
        candidates: impl IntoIterator<Item = Vec<u8>>,
        deadline: Instant,
    ) -> Result<BuiltBlock, Error> {
        self.build_block_with(parent, slot, author, candidates, deadline, Vec::new())
    }

    /// [`Client::build_block`] with `extra` digest items after the pre-digest (e.g. to make a
    /// second, different block for the same slot: the node's test-only double-sign switch).
    ///
    /// # Errors
    /// As [`Client::build_block`].
    pub fn build_block_with(
        &self,
        parent: &H256,
        slot: u64,
        author: &Pair,
        candidates: impl IntoIterator<Item = Vec<u8>>,
        deadline: Instant,
        extra: Vec<DigestItem>,
    ) -> Result<BuiltBlock, Error> {
        let parent_header = self.db.header(parent)?.ok_or(Error::UnknownBlock { hash: *parent })?;
        let number = parent_header.number + 1;
        if let Some(parent_slot) = slot_of(&parent_header) {
            if slot <= parent_slot {
                return Err(Error::InvalidBlock {
                    hash: H256::default(),
                    number,
                    reason: format!("slot {slot} does not follow the parent's slot {parent_slot}"),
                });
            }
        }
        let pre = SlotPreDigest { slot, author: author.account() };
        let mut logs = vec![DigestItem::PreRuntime(ENGINE_ID, pre.encode())];
        logs.extend(extra);
        let digest = Digest { logs };
        let adapter = StateAdapter::new(self.db.state(&parent_header.state_root));
        let mut builder = BlockBuilder::new(&adapter, *parent, number, &digest);
        let (mut included, mut rejected) = (Vec::new(), Vec::new());
        for xt in candidates {
            if Instant::now() >= deadline {
                break;
            }
            let hash = H256(blake2_256(&xt));
            match builder.apply(&xt, &*self.signatures) {
                Ok(_) => included.push(hash),
                Err(e) => {
                    let full = matches!(
                        &e,
                        TransactionValidityError::Invalid {
                            kind: archive_runtime::InvalidTransaction::ExhaustsResources,
                            ..
                        }
                    );
                    rejected.push((hash, e));
                    if full {
                        break;
                    }
                }
            }
        }
        let outcome = builder.finalize();
        if let Some(e) = adapter.take_error() {
            return Err(Error::StateUnavailable { hash: *parent, reason: e.to_string() });
        }
        let state = self.db.compute_state_update(&parent_header.state_root, outcome.changes)?;
        let mut header = Header {
            parent_hash: *parent,
            number,
            state_root: state.root,
            extrinsics_root: outcome.extrinsics_root,
            digest,
        };
        seal_header(&mut header, author);
        let extrinsics = outcome.extrinsics.iter().map(|x| strip_prefix(x)).collect();
        Ok(BuiltBlock { block: Block { header, extrinsics }, state, included, rejected })
    }

    /// Imports a block this node built (no re-execution).
    ///
    /// # Errors
    /// Storage errors.
    pub fn import_built(&self, built: BuiltBlock, finalize: bool) -> Result<ImportedBlock, Error> {
        let _guard = self.import_lock.lock();
        let BuiltBlock { block, state, .. } = built;
        self.commit(block, state, None, finalize)
    }

    /// Verifies, re-executes and imports a block from a peer or a file.
    ///
    /// # Errors
    /// [`Error::UnknownParent`], [`Error::BadSeal`], [`Error::InvalidBlock`] (bad extrinsic,
    /// extrinsics-root or state-root mismatch); storage errors. Nothing is written on error.
    pub fn import_block(
        &self,
        block: Block,
        justification: Option<Vec<u8>>,
        finalize: bool,
    ) -> Result<ImportedBlock, Error> {
        let _guard = self.import_lock.lock();
        let hash = block.hash();
        let number = block.header.number;
        if self.db.header(&hash)?.is_some() {
            // Known header: the body must still be the one the header commits to.
            let full: Vec<Vec<u8>> = block.extrinsics.iter().map(|x| x.encode()).collect();
            if trie::ordered_trie_root(&full) != block.header.extrinsics_root {
                return Err(Error::InvalidBlock {
                    hash,
                    number,
                    reason:
                        "known block with a different body: its extrinsics do not match the header's extrinsics root"
                            .into(),
                });
            }
            let is_best = self.db.best().map(|b| b.0) == Some(hash);
            let extrinsic_hashes = block.extrinsics.iter().map(|x| xt_hash(x)).collect();
            return Ok(ImportedBlock {
                hash,
                header: block.header,
                is_new_best: is_best,
                extrinsic_hashes,
                timings: ImportTimings::default(),
            });
        }
        let parent = self
            .db
            .header(&block.header.parent_hash)?
            .ok_or(Error::UnknownParent { parent: block.header.parent_hash, number })?;
        let invalid = |reason: String| Error::InvalidBlock { hash, number, reason };
        let mut timings = ImportTimings::default();
        let t = Instant::now();
        self.check_descends_from_finalized(&block.header)?;
        if parent.number + 1 != number {
            return Err(invalid(format!("number does not follow parent #{}", parent.number)));
        }
        let validators = self.validators_in(&parent)?;
        let (pre_header, claim) = verify_seal_with(&block.header, &validators, &*self.signatures)
            .map_err(|reason| Error::BadSeal { reason })?;
        // Slots strictly increase along a chain: an author cannot stack blocks in one slot.
        if let Some(parent_slot) = slot_of(&parent) {
            if claim.slot <= parent_slot {
                return Err(invalid(format!("slot {} does not follow the parent's slot {parent_slot}", claim.slot)));
            }
        }
        let pre_digest = pre_header.digest.clone();
        let full: Vec<Vec<u8>> = block.extrinsics.iter().map(|x| x.encode()).collect();
        let adapter = StateAdapter::new(self.db.state(&parent.state_root));
        let jobs = executive::signature_jobs(&adapter, parent.hash(), number, &full);
        timings.verify = t.elapsed();
        let t = Instant::now();
        // Recover signatures on the rayon pool while this thread executes the block in order;
        // execution recovers whatever the pool has not reached yet (see `recover_all`). Not
        // waited for: the pool may still be busy with a sync batch's pre-pass.
        if jobs.iter().flatten().nth(1).is_some() {
            self.signatures.recover_in_background(jobs);
        }
        let mut builder = BlockBuilder::new(&adapter, parent.hash(), number, &pre_digest);
        for (i, xt) in full.iter().enumerate() {
            builder.apply(xt, &*self.signatures).map_err(|e| invalid(format!("extrinsic {i}: {e}")))?;
        }
        let outcome = builder.finalize();
        if let Some(e) = adapter.take_error() {
            return Err(Error::StateUnavailable { hash: parent.hash(), reason: e.to_string() });
        }
        timings.execute = t.elapsed();
        let t = Instant::now();
        if outcome.extrinsics_root != block.header.extrinsics_root {
            return Err(invalid(format!(
                "extrinsics root {} does not match the extrinsics ({})",
                block.header.extrinsics_root, outcome.extrinsics_root
            )));
        }
        let state = self.db.compute_state_update(&parent.state_root, outcome.changes)?;
        if state.root != block.header.state_root {
            return Err(invalid(format!(
                "state root {} does not match execution ({})",
                block.header.state_root, state.root
            )));
        }
        timings.state_root = t.elapsed();
        let mut imported = self.commit(block, state, justification, finalize)?;
        imported.timings = ImportTimings { commit: imported.timings.commit, ..timings };
        tracing::debug!(
            number,
            verify_ms = timings.verify.as_millis() as u64,
            execute_ms = timings.execute.as_millis() as u64,
            state_root_ms = timings.state_root.as_millis() as u64,
            commit_ms = imported.timings.commit.as_millis() as u64,
            "import timings"
        );
        Ok(imported)
    }

    /// Refuses a block that does not extend the finalized chain: a finalized block is never
    /// reverted, so such a block can never become best.
    fn check_descends_from_finalized(&self, header: &Header) -> Result<(), Error> {
        let (fin_hash, fin_number) = self.db.finalized().unwrap_or((self.genesis_hash, 0));
        let hash = header.hash();
        if header.number <= fin_number {
            return Err(Error::InvalidBlock {
                hash,
                number: header.number,
                reason: format!("at or below the finalized block #{fin_number}"),
            });
        }
        match self.ancestor_at(&header.parent_hash, fin_number)? {
            Some(a) if a == fin_hash => Ok(()),
            Some(_) => Err(Error::InvalidBlock {
                hash,
                number: header.number,
                reason: format!("does not descend from the finalized block #{fin_number} {fin_hash}"),
            }),
            None => Err(Error::UnknownParent { parent: header.parent_hash, number: header.number }),
        }
    }

    /// The ancestor of `hash` (inclusive) at height `number`, walking parent links; `None` if a
    /// link is missing.
    ///
    /// # Errors
    /// Storage errors.
    pub fn ancestor_at(&self, hash: &H256, number: BlockNumber) -> Result<Option<H256>, Error> {
        let mut current = *hash;
        loop {
            let Some(h) = self.db.header(&current)? else { return Ok(None) };
            if h.number == number {
                return Ok(Some(current));
            }
            if h.number < number {
                return Ok(None);
            }
            // Canonical shortcut: once on the canonical chain, the index answers directly.
            if self.db.hash_at(h.number)? == Some(current) {
                return Ok(self.db.hash_at(number)?);
            }
            current = h.parent_hash;
        }
    }

    /// The blocks to retract (from `from` down to, excluding, the common ancestor) and to
    /// enact (from after the common ancestor up to `to`, in ascending order).
    ///
    /// # Errors
    /// [`Error::UnknownBlock`] if either chain has a missing link.
    pub fn tree_route(&self, from: &H256, to: &H256) -> Result<(Vec<H256>, Vec<H256>), Error> {
        let header = |h: &H256| -> Result<Header, Error> { self.db.header(h)?.ok_or(Error::UnknownBlock { hash: *h }) };
        let (mut a, mut b) = (header(from)?, header(to)?);
        let (mut ha, mut hb) = (*from, *to);
        let (mut retracted, mut enacted) = (Vec::new(), Vec::new());
        while a.number > b.number {
            retracted.push(ha);
            ha = a.parent_hash;
            a = header(&ha)?;
        }
        while b.number > a.number {
            enacted.push(hb);
            hb = b.parent_hash;
            b = header(&hb)?;
        }
        while ha != hb {
            retracted.push(ha);
            enacted.push(hb);
            ha = a.parent_hash;
            hb = b.parent_hash;
            a = header(&ha)?;
            b = header(&hb)?;
        }
        enacted.reverse();
        Ok((retracted, enacted))
    }

    fn commit(
        &self,
        block: Block,
        state: StateUpdate,
        justification: Option<Vec<u8>>,
        finalize: bool,
    ) -> Result<ImportedBlock, Error> {
        let hash = block.hash();
        let best_number = self.info().best_number;
        let is_new_best = block.header.number > best_number;
        let extrinsic_hashes: Vec<H256> = block.extrinsics.iter().map(|x| xt_hash(x)).collect();
        let header = block.header.clone();
        let t = Instant::now();
        self.db.commit_block(BlockCommit {
            header: block.header,
            body: block.extrinsics,
            extrinsic_hashes: extrinsic_hashes.clone(),
            justification,
            state,
            set_best: is_new_best,
            finalized: finalize && is_new_best,
        })?;
        tracing::debug!(number = header.number, %hash, txs = extrinsic_hashes.len(), best = is_new_best, "imported block");
        let _ = self.imported.send(header.clone());
        if is_new_best {
            let _ = self.best.send(header.clone());
            if finalize {
                let _ = self.finalized.send(header.clone());
            }
        }
        let timings = ImportTimings { commit: t.elapsed(), ..Default::default() };
        Ok(ImportedBlock { hash, header, is_new_best, extrinsic_hashes, timings })
    }

    /// Starts recovering the signers of every signed extrinsic of `blocks` (consecutive blocks
    /// of one chain, e.g. a sync batch) into the signature cache on the rayon pool, from the
    /// last block backwards, so that importing them from the first block on finds most
    /// signatures recovered; returns once the work is queued. Needs no state: an era's
    /// birth-block hash is the chain's canonical hash at that height, taken from `blocks` or
    /// the database. Malformed extrinsics are skipped (import reports them).
    pub fn prerecover_signatures(&self, blocks: &[Block]) {
        use parity_scale_codec::Decode;
        let genesis = self.genesis_hash;
        let in_batch: std::collections::HashMap<BlockNumber, H256> =
            blocks.iter().map(|b| (b.header.number, b.hash())).collect();
        let hash_at = |n: u64| -> Option<H256> {
            let n = BlockNumber::try_from(n).ok()?;
            if n == 0 {
                return Some(genesis);
            }
            in_batch.get(&n).copied().or_else(|| self.db.hash_at(n).ok().flatten())
        };
        let mut jobs = Vec::new();
        for block in blocks {
            // The author's seal: the signature over the pre-seal header hash.
            let mut pre = block.header.clone();
            if let Some(archive_primitives::DigestItem::Seal(_, seal)) = pre.digest.logs.pop() {
                if let Ok(sig) = <[u8; 65]>::try_from(seal.as_slice()) {
                    jobs.push(Some((pre.hash().0, archive_primitives::EthereumSignature(sig))));
                }
            }
            let number = u64::from(block.header.number);
            for xt in &block.extrinsics {
                let full = xt.encode();
                let Ok(ux) = archive_runtime::UncheckedExtrinsic::decode(&mut &full[..]) else { continue };
                let Some((_, sig, extra)) = ux.signature else { continue };
                let birth_hash = match extra.era {
                    archive_primitives::Era::Immortal => Some(genesis),
                    era => hash_at(era.birth(number)),
                };
                if let Some(birth_hash) = birth_hash {
                    let prehash = executive::signing_prehash(&ux.function.encode(), &extra, birth_hash, genesis);
                    jobs.push(Some((prehash, sig)));
                }
            }
        }
        self.signatures.recover_in_background(jobs);
    }

    /// Marks `hash` (and its ancestors) final.
    ///
    /// # Errors
    /// Unknown block, storage errors.
    pub fn finalize(&self, hash: &H256, justification: Option<Vec<u8>>) -> Result<(), Error> {
        let header = self.db.header(hash)?.ok_or(Error::UnknownBlock { hash: *hash })?;
        self.db.set_finalized(hash, justification)?;
        let _ = self.finalized.send(header);
        Ok(())
    }

    /// Every imported block.
    pub fn import_notifications(&self) -> broadcast::Receiver<Header> {
        self.imported.subscribe()
    }

    /// Every new best block.
    pub fn best_notifications(&self) -> broadcast::Receiver<Header> {
        self.best.subscribe()
    }

    /// Every newly finalized block.
    pub fn finality_notifications(&self) -> broadcast::Receiver<Header> {
        self.finalized.subscribe()
    }
}

/// Strips the SCALE length prefix of a full extrinsic encoding (the block body stores the
/// inner bytes; `Vec<u8>` encoding puts the prefix back).
fn strip_prefix(full: &[u8]) -> Vec<u8> {
    let mut rd = full;
    match <parity_scale_codec::Compact<u32> as parity_scale_codec::Decode>::decode(&mut rd) {
        Ok(_) => rd.to_vec(),
        Err(_) => full.to_vec(),
    }
}
