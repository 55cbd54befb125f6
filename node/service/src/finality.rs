//! Finality: this node's voter (rounds of signed prevotes for the best chain and precommits to
//! what more than 2/3 prevoted; a block with precommits from more than 2/3 of the validators
//! is final), justifications from peers and sync, and the finalized-block bookkeeping. The
//! voting rules live in `archive-consensus`; this task owns the state and does the I/O.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use archive_client::Client;
use archive_consensus::{verify_justification, ForkTree, Justification, SignedVote, ValidatorSet, VoteError, Voter};
use archive_network::NetworkHandle;
use archive_primitives::{Pair, H256};
use parity_scale_codec::{Decode, Encode};
use tokio::sync::{broadcast::error::RecvError, mpsc, watch};

/// Offchain-storage key of the voter's persisted state (round, base, own prevote and
/// precommit): written before a vote leaves this node and after each round change, so a
/// restart never votes twice in a round and knows what its next vote must build on. (`/2`:
/// the two-phase format; a state of the single-phase format is not read back.)
const VOTER_STATE_KEY: &[u8] = b"finality/voter_state/2";
/// Offchain-storage key of the equivocation evidence seen so far (SCALE `Vec<Equivocation>`).
const EVIDENCE_KEY: &[u8] = b"finality/equivocations";
/// Votes buffered for blocks not imported yet.
const MAX_PENDING_VOTES: usize = 1024;
/// Our current votes are gossiped again every this many ticks (a tick is a quarter slot).
const REBROADCAST_TICKS: u64 = 4;
/// Commands queued to the task.
const COMMAND_CHANNEL: usize = 1024;

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Why a gossiped vote was not taken.
#[derive(Debug)]
pub struct VoteRejection {
    reason: String,
    misbehaviour: bool,
}

impl VoteRejection {
    /// Whether the sender deserves a report (undecodable or forged).
    pub fn is_misbehaviour(&self) -> bool {
        self.misbehaviour
    }
}

impl std::fmt::Display for VoteRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

enum Command {
    Vote(SignedVote),
    Justification(Justification),
}

/// Reaches the finality task; cheap to clone.
#[derive(Clone)]
pub struct FinalityHandle {
    client: Arc<Client>,
    genesis: H256,
    commands: Option<mpsc::Sender<Command>>,
}

/// The validator set that finalizes the children of the finalized block `at` (see
/// [`Client::validators_at`]): the set of the current voter.
pub(crate) fn finalizing_set(client: &Client, at: &H256) -> Option<ValidatorSet> {
    client.validators_at(at).ok().and_then(|v| ValidatorSet::new(v).ok())
}

/// [`finalizing_set`] with its set id (`Session.SetId`).
fn finalizing_set_with_id(client: &Client, at: &H256) -> Option<(u64, ValidatorSet)> {
    let (id, v) = client.validator_set_at(at).ok()?;
    Some((id, ValidatorSet::new(v).ok()?))
}

/// The first finality round of set `set_id`: rounds of set `s` are `s << 32` and up (set 0
/// starts at 1), the same on every node, and never shared by two sets, so a validator in both
/// sets cannot appear to sign two votes in one round.
pub(crate) fn first_round(set_id: u64) -> u64 {
    (set_id << 32).max(1)
}

/// Whether `round` belongs to set `set_id`.
fn round_of_set(round: u64, set_id: u64) -> bool {
    round >> 32 == set_id
}

impl FinalityHandle {
    /// Checks a vote's form and signature and queues it for counting. The gossip message is
    /// SCALE `(SignedVote, sent_at_ms: u64)`.
    ///
    /// # Errors
    /// Undecodable or wrongly signed votes (misbehaviour); a full queue (not misbehaviour).
    pub fn import_vote(&self, data: Vec<u8>) -> Result<(), VoteRejection> {
        let bad = |reason: String| VoteRejection { reason, misbehaviour: true };
        let (vote, _sent_at) =
            <(SignedVote, u64)>::decode(&mut &data[..]).map_err(|e| bad(format!("undecodable vote: {e}")))?;
        vote.verify_signature(&self.genesis).map_err(|e| bad(e.to_string()))?;
        // Not misbehaviour: the voter may belong to a set this node has not switched to yet
        // (it is behind), or to one it left; such a vote is simply not counted here.
        let finalized = self.client.info().finalized_hash;
        if !finalizing_set(&self.client, &finalized).is_some_and(|set| set.contains(&vote.voter)) {
            return Err(VoteRejection {
                reason: format!("vote from {} who is not in the current validator set", vote.voter),
                misbehaviour: false,
            });
        }
        if let Some(tx) = &self.commands {
            tx.try_send(Command::Vote(vote))
                .map_err(|_| VoteRejection { reason: "finality queue full".into(), misbehaviour: false })?;
        }
        Ok(())
    }

    /// Verifies the justification of imported block `hash` and finalizes it. Blocking (reads
    /// the database): call from a blocking context.
    ///
    /// # Errors
    /// [`JustificationCheck::NotYetVerifiable`] if a vote names a block not imported yet;
    /// [`JustificationCheck::Invalid`] if it is undecodable, not for `hash`, or not signed by
    /// more than 2/3 of the set.
    pub fn import_justification(&self, hash: &H256, bytes: &[u8]) -> Result<(), JustificationCheck> {
        let invalid = JustificationCheck::Invalid;
        let j =
            Justification::decode(&mut &bytes[..]).map_err(|e| invalid(format!("undecodable justification: {e}")))?;
        if j.target_hash != *hash {
            return Err(invalid(format!("justification is for {} not {hash}", j.target_hash)));
        }
        let client = &self.client;
        for v in &j.votes {
            if !matches!(client.header(&v.vote.target_hash), Ok(Some(_))) {
                return Err(JustificationCheck::NotYetVerifiable(format!(
                    "vote of {} is for block #{} {} which is not imported yet",
                    v.voter, v.vote.target_number, v.vote.target_hash
                )));
            }
        }
        // The set that signs a block's justification is the one after its parent (the set that
        // sealed it). Above our finalized block only the current set may finalize: a block
        // after a later set change waits until that change block is final.
        let info = client.info();
        let target = client
            .header(hash)
            .ok()
            .flatten()
            .ok_or_else(|| JustificationCheck::NotYetVerifiable(format!("block {hash} is not imported yet")))?;
        let (set_id, set) = finalizing_set_with_id(client, &target.parent_hash).ok_or_else(|| {
            JustificationCheck::NotYetVerifiable(format!("no validator set for {}", target.parent_hash))
        })?;
        if j.target_number > info.finalized_number {
            let current = finalizing_set_with_id(client, &info.finalized_hash).map(|(id, _)| id);
            if current != Some(set_id) {
                return Err(JustificationCheck::NotYetVerifiable(format!(
                    "block #{} is after a validator-set change that is not final yet",
                    j.target_number
                )));
            }
        }
        verify_justification(&j, &set, &self.genesis, |a, b| is_descendant(client, a, b))
            .map_err(|e| invalid(e.to_string()))?;
        if j.target_number > info.finalized_number {
            client.finalize(hash, Some(bytes.to_vec())).map_err(|e| invalid(e.to_string()))?;
        }
        if let Some(tx) = &self.commands {
            let _ = tx.try_send(Command::Justification(j));
        }
        Ok(())
    }
}

/// Why a justification was not applied.
#[derive(Debug)]
pub enum JustificationCheck {
    /// It names blocks this node has not imported yet; try again later. Not misbehaviour.
    NotYetVerifiable(String),
    /// It is wrong: the sender misbehaves.
    Invalid(String),
}

/// Whether `a` is `b` or descends from it, by the client's parent links.
fn is_descendant(client: &Client, a: &H256, b: &H256) -> bool {
    if a == b {
        return true;
    }
    match client.header(b) {
        Ok(Some(hb)) => matches!(client.ancestor_at(a, hb.number), Ok(Some(x)) if x == *b),
        _ => false,
    }
}

/// This node's own votes of recent rounds, by round and stage.
type MyVotes = std::collections::BTreeMap<(u64, archive_consensus::Stage), SignedVote>;

/// Builds the handle and the task state. The task runs on every chain; while the set has a
/// single validator it does not vote (that validator's blocks are final as it authors them).
pub(crate) fn new(client: Arc<Client>, voting_key: Option<Pair>) -> (FinalityHandle, Option<FinalityTask>) {
    let genesis = client.info().genesis_hash;
    let (tx, rx) = mpsc::channel(COMMAND_CHANNEL);
    let handle = FinalityHandle { client: client.clone(), genesis, commands: Some(tx) };
    (handle, Some(FinalityTask { client, genesis, voting_key, commands: rx }))
}

/// The finality task's inputs.
pub(crate) struct FinalityTask {
    client: Arc<Client>,
    genesis: H256,
    voting_key: Option<Pair>,
    commands: mpsc::Receiver<Command>,
}

/// The voter's view: the best chain above the finalized block, up to and including the first
/// block that changes the validator set (see [`admits`]).
fn load_tree(client: &Client, set_id: u64) -> ForkTree {
    let info = client.info();
    let mut tree = ForkTree::new(info.finalized_hash, info.finalized_number);
    for n in info.finalized_number + 1..=info.best_number {
        let Ok(Some(h)) = client.hash_at(n) else { break };
        let Ok(Some(header)) = client.header(&h) else { break };
        if !admits(client, set_id, &header.parent_hash) {
            break;
        }
        let _ = tree.insert(h, header.parent_hash, n);
    }
    tree
}

/// Whether the voter of set `set_id` may vote on a child of `parent`: only while `parent`'s
/// state still holds that set. So a set change in block B caps the old set's votes at B, B is final
/// before the new set votes, and every block is finalized by the set that sealed it.
fn admits(client: &Client, set_id: u64, parent: &H256) -> bool {
    client.validator_set_at(parent).is_ok_and(|(id, _)| id == set_id)
}

impl FinalityTask {
    /// Runs until shutdown: votes each round, counts votes, finalizes.
    pub(crate) async fn run(mut self, net: Option<NetworkHandle>, slot_ms: u64, mut shutdown: watch::Receiver<bool>) {
        let client = self.client.clone();
        let Some((mut set_id, mut set)) = finalizing_set_with_id(&client, &client.info().finalized_hash) else {
            tracing::error!("no valid validator set after the finalized block; finality disabled");
            return;
        };
        let mut tree = load_tree(&client, set_id);
        let timeout = slot_ms.saturating_mul(2).max(500);
        let saved = client
            .db()
            .offchain_get(VOTER_STATE_KEY)
            .ok()
            .flatten()
            .and_then(|b| archive_consensus::VoterState::decode(&mut &b[..]).ok());
        let mut voter = match saved {
            // Saved under the current set: resume (never vote twice in a round).
            Some(state) if round_of_set(state.round, set_id) => {
                Voter::restore(set.clone(), self.genesis, state, timeout, now_ms())
            }
            // The set changed while the node was down (or no state yet): start the set's rounds.
            _ if set_id > 0 => {
                Voter::for_new_set(set.clone(), self.genesis, tree.finalized(), first_round(set_id), timeout, now_ms())
            }
            _ => Voter::new(set.clone(), self.genesis, tree.finalized(), 1, timeout, now_ms()),
        };
        let mut imports = client.import_notifications();
        let mut ticker = tokio::time::interval(Duration::from_millis((slot_ms / 4).max(100)));
        let mut pending: Vec<SignedVote> = Vec::new();
        // Blocks named by votes that we asked peers for (once each).
        let mut fetched: std::collections::HashSet<H256> = std::collections::HashSet::new();
        let mut ticks: u64 = 0;
        // Our own votes of recent rounds: re-sent so that validators still in the previous
        // round (their copy was lost) can complete it and follow.
        let mut my_votes: MyVotes = std::collections::BTreeMap::new();
        for v in voter.own_votes_in_round() {
            my_votes.insert((v.vote.round, v.vote.stage), v);
        }
        tracing::info!(round = voter.round(), validators = set.len(), "finality voter started");
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                msg = imports.recv() => match msg {
                    Ok(header) => {
                        if !admits(&client, set_id, &header.parent_hash) {
                            continue; // after a set change that is not final yet
                        }
                        let _ = tree.insert(header.hash(), header.parent_hash, header.number);
                        // Votes waiting for this block can be counted now.
                        for v in std::mem::take(&mut pending) {
                            self.count(&mut voter, &mut tree, v, &mut pending);
                        }
                    }
                    Err(RecvError::Lagged(_)) => tree = load_tree(&client, set_id),
                    Err(RecvError::Closed) => break,
                },
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Vote(v)) => {
                        self.count(&mut voter, &mut tree, v, &mut pending);
                        // A precommit is due as soon as the prevotes allow it.
                        self.vote(&mut voter, &mut tree, net.as_ref(), &mut my_votes);
                        if let (Some(net), Some(last)) = (&net, pending.last()) {
                            let target = last.vote.target_hash;
                            if fetched.len() >= MAX_PENDING_VOTES {
                                fetched.clear();
                            }
                            if fetched.insert(target) {
                                tokio::spawn(crate::network::fetch_by_hash(client.clone(), net.clone(), target));
                            }
                        }
                    }
                    Some(Command::Justification(j)) => {
                        match voter.import_justification(&j, &tree, now_ms()) {
                            Ok(Some(_)) | Ok(None) => {
                                let _ = tree.finalize(j.target_hash);
                                self.save(&voter);
                            }
                            Err(e) => tracing::debug!(error = %e, "justification not adopted by the voter"),
                        }
                    }
                    None => break,
                },
                _ = ticker.tick() => {
                    ticks += 1;
                    // A finalized set-change block hands over to the next set.
                    if let Some((next_id, next)) = finalizing_set_with_id(&client, &client.info().finalized_hash) {
                        if next_id != set_id {
                            let info = client.info();
                            // Every node starts the new set in the same round, one no earlier
                            // set ever used.
                            let round = first_round(next_id);
                            tracing::info!(
                                number = info.finalized_number, set_id = next_id, round, old = set.len(), new = next.len(),
                                "validator set changed; new finality voter"
                            );
                            set = next;
                            set_id = next_id;
                            voter = Voter::for_new_set(set.clone(), self.genesis, (info.finalized_hash, info.finalized_number), round, timeout, now_ms());
                            tree = load_tree(&client, set_id);
                            pending.clear();
                            my_votes.clear();
                            self.save(&voter);
                        }
                    }
                    tracing::trace!(
                        round = voter.round(),
                        voted = voter.has_voted(),
                        prevotes = voter.tracker(voter.round()).map(|r| r.prevotes().voters_seen()).unwrap_or(0),
                        precommits = voter.tracker(voter.round()).map(|r| r.precommits().voters_seen()).unwrap_or(0),
                        base = ?voter.base(),
                        tree_best = ?tree.best(),
                        "finality tick"
                    );
                    if voter.try_advance(&tree, now_ms()).is_some() {
                        self.save(&voter);
                    }
                    // Gossip is best-effort (a vote published before the mesh forms, or before
                    // a peer joins, is lost): re-send our recent votes now and then. The send
                    // time makes each copy a new gossip message.
                    if ticks.is_multiple_of(REBROADCAST_TICKS) {
                        let oldest = voter.round().saturating_sub(1);
                        my_votes.retain(|(round, _), _| *round >= oldest);
                        if let Some(net) = &net {
                            for v in my_votes.values() {
                                net.gossip_vote((*v, now_ms()).encode());
                            }
                        }
                    }
                    self.vote(&mut voter, &mut tree, net.as_ref(), &mut my_votes);
                    let evidence = voter.take_equivocations();
                    if !evidence.is_empty() {
                        self.keep_evidence(evidence);
                    }
                }
            }
        }
    }

    /// Casts the votes that are due (a prevote, then a precommit once the prevotes allow),
    /// persisting the voter state before each leaves this node. A lone validator does not vote:
    /// its blocks are final as it authors them.
    fn vote(&self, voter: &mut Voter, tree: &mut ForkTree, net: Option<&NetworkHandle>, my_votes: &mut MyVotes) {
        let Some(pair) = self.voting_key.as_ref().filter(|_| voter.validators().len() > 1) else { return };
        while let Some(cast) = voter.next_vote(tree, pair, now_ms()) {
            let v = cast.vote.vote;
            // Persist before the vote leaves this node.
            if !self.save(voter) {
                return;
            }
            tracing::debug!(round = v.round, stage = %v.stage, target = %v.target_hash, number = v.target_number, "cast vote");
            my_votes.insert((v.round, v.stage), cast.vote);
            if let Some(net) = net {
                net.gossip_vote((cast.vote, now_ms()).encode());
            }
            if let Some(j) = cast.finalized {
                self.apply(tree, j);
            }
        }
    }

    /// Persists the voter's state; `false` (and an error log) if the database refuses.
    fn save(&self, voter: &Voter) -> bool {
        match self.client.db().offchain_set(VOTER_STATE_KEY, Some(&voter.state().encode())) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "cannot persist the finality voter state; not voting");
                false
            }
        }
    }

    fn count(&self, voter: &mut Voter, tree: &mut ForkTree, v: SignedVote, pending: &mut Vec<SignedVote>) {
        match voter.import_vote(v, tree) {
            Ok(outcome) => {
                if let Some(j) = outcome.finalized {
                    self.apply(tree, j);
                }
            }
            Err(VoteError::UnknownTarget { .. }) => {
                if pending.len() < MAX_PENDING_VOTES {
                    pending.push(v);
                }
            }
            Err(e) => tracing::debug!(error = %e, voter = %v.voter, "vote not counted"),
        }
    }

    fn apply(&self, tree: &mut ForkTree, j: Justification) {
        let hash = j.target_hash;
        match self.client.finalize(&hash, Some(j.encode())) {
            Ok(()) => {
                let _ = tree.finalize(hash);
                tracing::info!(number = j.target_number, %hash, round = j.round, votes = j.votes.len(), "finalized");
            }
            Err(e) => tracing::warn!(error = %e, %hash, "cannot finalize"),
        }
    }

    fn keep_evidence(&self, evidence: Vec<archive_consensus::Equivocation>) {
        keep_evidence(&self.client, evidence);
    }
}

/// The equivocation evidence kept so far (see [`keep_evidence`]).
pub(crate) fn stored_evidence(client: &Client) -> Vec<archive_consensus::Equivocation> {
    client
        .db()
        .offchain_get(EVIDENCE_KEY)
        .ok()
        .flatten()
        .and_then(|b| Vec::decode(&mut &b[..]).ok())
        .unwrap_or_default()
}

/// Appends equivocation evidence (votes or blocks) to offchain storage (SCALE
/// `Vec<Equivocation>` under [`EVIDENCE_KEY`]); the offences task reports it on chain.
pub(crate) fn keep_evidence(client: &Client, evidence: Vec<archive_consensus::Equivocation>) {
    let db = client.db();
    let mut all: Vec<archive_consensus::Equivocation> =
        db.offchain_get(EVIDENCE_KEY).ok().flatten().and_then(|b| Vec::decode(&mut &b[..]).ok()).unwrap_or_default();
    for e in evidence {
        if all.contains(&e) {
            continue;
        }
        tracing::warn!(offender = %e.offender(), "equivocation detected; evidence kept for on-chain reporting");
        all.push(e);
    }
    if let Err(e) = db.offchain_set(EVIDENCE_KEY, Some(&all.encode())) {
        tracing::error!(error = %e, "cannot store equivocation evidence");
    }
}
