//! Randomized, seeded simulation of four validators (the real `ForkTree`, `Voter` and signed
//! prevotes and precommits) over a simulated network: in each run the network changes every 0.3–3 s
//! between fully connected, split into 2–3 groups, and random one-way links; messages are
//! delayed up to 3 s (forks abound with 1 s slots), sometimes lost, and held while a link is
//! down; authors skip 10 % of their slots. The last slots are healed. Peers fetch missing
//! blocks from the sender and re-send votes and justifications whose blocks are missing.
//!
//! In one run of four, validator 3 is Byzantine: on every tick and every block it signs, for
//! each peer separately, a prevote and a precommit for a random block it knows (an equivocation
//! per peer pair), trying to split the honest validators' views.
//!
//! Checked in each of the 1000 runs:
//! - no two conflicting blocks are ever finalized, at any honest node;
//! - the invariant that safety rests on: an honest vote of round `r` descends from every block
//!   finalized (anywhere, at any time) in a round before `r`. (The first check alone does not
//!   catch a voter that ignores the previous round's estimate — honest longest-chain authoring
//!   rarely lets the losing branch overtake — this one does, in the first few runs.)
//! - finality makes progress in at least 90 % of the all-honest runs.
//!
//! Everything is driven by an injected clock and `StdRng::seed_from_u64(run)`, so a failure
//! names its seed and replays exactly: `SIM_SEED=<n> cargo test -p archive-consensus --test
//! simulation`.

use std::collections::{BTreeMap, BTreeSet};

use archive_consensus::{
    verify_justification, ForkTree, Justification, JustificationError, SignedVote, Stage, ValidatorSet, Vote,
    VoteError, Voter,
};
use archive_primitives::{crypto::dev, hashing::blake2_256, Pair, H256};
use rand::{rngs::StdRng, Rng, SeedableRng};

const N: usize = 4;
const SLOT_MS: u64 = 1_000;
const ROUND_TIMEOUT_MS: u64 = 1_500;
/// Validators try to end their round on each tick (a real node paces rounds the same way).
const TICK_MS: u64 = 1_000;
/// Slots per iteration; the last `HEALED_SLOTS` have a fully connected, loss-free network.
const SLOTS: u64 = 14;
const HEALED_SLOTS: u64 = 6;
const ITERATIONS: u64 = 1_000;

#[derive(Clone, Debug)]
enum Msg {
    Block(H256),
    Vote(SignedVote),
    Justification(Justification),
}

struct Node {
    key: Pair,
    tree: ForkTree,
    voter: Voter,
}

struct Sim {
    rng: StdRng,
    now: u64,
    seq: u64,
    /// (deliver_at, seq) → (from, to, message, tries)
    queue: BTreeMap<(u64, u64), (usize, usize, Msg, u32)>,
    /// Every block ever authored: hash → (parent, number).
    blocks: BTreeMap<H256, (H256, u32)>,
    nodes: Vec<Node>,
    set: ValidatorSet,
    genesis: H256,
    /// `links[from][to]`: whether messages from `from` reach `to` now (otherwise they wait).
    links: [[bool; N]; N],
    /// Upper bound of message delays in this network epoch (ms); above a slot, forks abound.
    max_delay: u64,
    lossy: bool,
    /// Every (node, block) finality event.
    finalized: Vec<(usize, H256, u32)>,
    /// Every (round, block) finalized anywhere, and every (round, target) voted by anyone.
    final_rounds: Vec<(u64, H256)>,
    votes_cast: Vec<(u64, H256)>,
    /// Fully verify every justification a node produces (signatures included) — in one run of
    /// eight, to keep the test fast; the rest check voters and counts.
    verify_all: bool,
    /// The Byzantine validator of this run, if any.
    byzantine: Option<usize>,
}

impl Sim {
    fn new(seed: u64, keys: &[Pair]) -> Self {
        let set = ValidatorSet::new(keys.iter().map(Pair::account).collect()).expect("distinct");
        let genesis = H256(blake2_256(b"sim genesis"));
        let nodes = keys
            .iter()
            .map(|key| Node {
                key: key.clone(),
                tree: ForkTree::new(genesis, 0),
                voter: Voter::new(set.clone(), genesis, (genesis, 0), 1, ROUND_TIMEOUT_MS, 0),
            })
            .collect();
        Sim {
            rng: StdRng::seed_from_u64(seed),
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            blocks: BTreeMap::new(),
            nodes,
            set,
            genesis,
            links: [[true; N]; N],
            max_delay: 700,
            lossy: false,
            finalized: Vec::new(),
            final_rounds: Vec::new(),
            votes_cast: Vec::new(),
            verify_all: seed & 7 == 0,
            byzantine: (seed % 4 == 3).then_some(N - 1),
        }
    }

    fn send(&mut self, from: usize, to: usize, msg: Msg, delay: u64, tries: u32) {
        self.seq += 1;
        self.queue.insert((self.now + delay, self.seq), (from, to, msg, tries));
    }

    fn gossip(&mut self, from: usize, msg: Msg) {
        for to in (0..N).filter(|&to| to != from) {
            if self.lossy && self.rng.gen_bool(0.05) {
                continue;
            }
            let delay = self.rng.gen_range(10..self.max_delay);
            self.send(from, to, msg.clone(), delay, 0);
        }
    }

    /// Re-sends later (a peer asks again); gives up after a while.
    fn retry(&mut self, from: usize, to: usize, msg: Msg, tries: u32) {
        if tries < 60 {
            self.send(from, to, msg, 300, tries + 1);
        }
    }

    /// A new network epoch: fully connected, split into groups, or random one-way links.
    fn repartition(&mut self, healed: bool) {
        let mode = if healed { 0 } else { self.rng.gen_range(0..3) };
        for from in 0..N {
            for to in 0..N {
                self.links[from][to] = true;
            }
        }
        if mode == 1 {
            let groups = self.rng.gen_range(2..=3u8);
            let g: Vec<u8> = (0..N).map(|_| self.rng.gen_range(0..groups)).collect();
            for from in 0..N {
                for to in 0..N {
                    self.links[from][to] = g[from] == g[to];
                }
            }
        } else if mode == 2 {
            for from in 0..N {
                for to in (0..N).filter(|&to| to != from) {
                    self.links[from][to] = self.rng.gen_bool(0.6);
                }
            }
        }
        self.lossy = !healed && self.rng.gen_bool(0.5);
        self.max_delay = if healed { 300 } else { self.rng.gen_range(300..3_000) };
    }

    fn author(&mut self, slot: u64) {
        let a = (slot % N as u64) as usize;
        if self.rng.gen_bool(0.1) {
            return; // the author is offline for this slot
        }
        let (parent, number) = self.nodes[a].tree.best();
        let mut pre = slot.to_le_bytes().to_vec();
        pre.extend_from_slice(parent.as_bytes());
        let hash = H256(blake2_256(&pre));
        self.blocks.insert(hash, (parent, number + 1));
        self.nodes[a].tree.insert(hash, parent, number + 1).expect("own block on own best");
        self.gossip(a, Msg::Block(hash));
        self.drive(a);
    }

    fn on_finalized(&mut self, i: usize, j: Justification) {
        let voters: BTreeSet<_> = j.votes.iter().map(|v| v.voter).collect();
        assert!(voters.len() == j.votes.len() && voters.len() >= self.set.threshold());
        if self.verify_all {
            let t = &self.nodes[i].tree;
            verify_justification(&j, &self.set, &self.genesis, |a, b| t.is_descendant(a, b))
                .expect("honest validators produce valid justifications");
        }
        self.final_rounds.push((j.round, j.target_hash));
        self.mark_final(i, j.target_hash, j.target_number);
        self.gossip(i, Msg::Justification(j));
    }

    fn mark_final(&mut self, i: usize, hash: H256, number: u32) {
        self.nodes[i].tree.finalize(hash).expect("finalized block is in the tree");
        self.finalized.push((i, hash, number));
    }

    /// Node `i` casts the votes of the current round that are due (prevote, then precommit).
    fn drive(&mut self, i: usize) {
        if Some(i) == self.byzantine {
            return self.lie(i);
        }
        let now = self.now;
        loop {
            let n = &mut self.nodes[i];
            let Some(cast) = n.voter.next_vote(&n.tree, &n.key, now) else { break };
            self.votes_cast.push((cast.vote.vote.round, cast.vote.vote.target_hash));
            self.gossip(i, Msg::Vote(cast.vote));
            if let Some(j) = cast.finalized {
                self.on_finalized(i, j);
            }
        }
    }

    /// The Byzantine validator: for each peer, a prevote and a precommit of the honest
    /// validators' current round (and the next) for a random block it knows.
    fn lie(&mut self, i: usize) {
        let rounds: BTreeSet<u64> =
            (0..N).filter(|&j| Some(j) != self.byzantine).map(|j| self.nodes[j].voter.round()).collect();
        let known: Vec<(H256, u32)> = self.blocks.iter().map(|(h, (_, n))| (*h, *n)).collect();
        if known.is_empty() {
            return;
        }
        for to in (0..N).filter(|&to| to != i) {
            for &round in &rounds {
                for stage in [Stage::Prevote, Stage::Precommit] {
                    let (target_hash, target_number) = known[self.rng.gen_range(0..known.len())];
                    let vote = Vote { target_hash, target_number, round, stage };
                    let signed = SignedVote::sign(vote, &self.nodes[i].key, &self.genesis);
                    let delay = self.rng.gen_range(10..self.max_delay);
                    self.send(i, to, Msg::Vote(signed), delay, 0);
                }
            }
        }
    }

    /// On a tick: node `i` ends its round if it can, and votes in the new one.
    fn tick(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        n.voter.try_advance(&n.tree, self.now);
        self.drive(i);
    }

    fn deliver(&mut self, from: usize, to: usize, msg: Msg, tries: u32) {
        if !self.links[from][to] {
            // Partitioned: the message waits for the link to come back.
            self.send(from, to, msg, 200, tries);
            return;
        }
        if Some(to) == self.byzantine && !matches!(msg, Msg::Block(_)) {
            return; // it follows blocks only
        }
        let now = self.now;
        let root_number = self.nodes[to].tree.finalized().1;
        match msg {
            Msg::Block(hash) => {
                let (parent, number) = self.blocks[&hash];
                if number <= root_number || self.nodes[to].tree.contains(&hash) {
                    return;
                }
                if self.nodes[to].tree.insert(hash, parent, number).is_err() {
                    // Unknown parent: fetch it from the sender, then this block again (dropped
                    // for good if the parent was pruned by finality).
                    if number > root_number + 1 {
                        self.send(from, to, Msg::Block(parent), 50, tries);
                        self.retry(from, to, Msg::Block(hash), tries);
                    }
                    return;
                }
            }
            Msg::Vote(v) => {
                let n = &mut self.nodes[to];
                match n.voter.import_vote(v, &n.tree) {
                    Ok(out) => {
                        if let Some(j) = out.finalized {
                            self.on_finalized(to, j);
                        }
                    }
                    Err(VoteError::UnknownTarget { hash, .. }) => {
                        self.send(from, to, Msg::Block(hash), 50, tries);
                        self.retry(from, to, Msg::Vote(v), tries);
                    }
                    Err(VoteError::StaleRound { .. } | VoteError::RoundTooFarAhead { .. }) => {}
                    Err(e) => panic!("vote refused: {e}"),
                }
            }
            Msg::Justification(j) => {
                if j.target_number <= self.nodes[to].voter.finalized().1 {
                    return; // nothing new (a real node skips the signature checks too)
                }
                let n = &mut self.nodes[to];
                match n.voter.import_justification(&j, &n.tree, now) {
                    Ok(Some((hash, number))) => {
                        self.final_rounds.push((j.round, hash));
                        self.mark_final(to, hash, number);
                    }
                    Ok(None) => {}
                    Err(JustificationError::UnknownTarget { .. } | JustificationError::NotDescendant { .. }) => {
                        if j.target_number > root_number {
                            for h in j.votes.iter().map(|v| v.vote.target_hash).collect::<BTreeSet<_>>() {
                                self.send(from, to, Msg::Block(h), 50, tries);
                            }
                            self.send(from, to, Msg::Block(j.target_hash), 50, tries);
                            self.retry(from, to, Msg::Justification(j), tries);
                        }
                    }
                    Err(e) => panic!("honest justification refused: {e}"),
                }
            }
        }
        self.drive(to);
    }

    fn run(&mut self) {
        let end = SLOTS * SLOT_MS;
        let heal_at = (SLOTS - HEALED_SLOTS) * SLOT_MS;
        let mut next_slot = 0;
        let mut next_tick = 0;
        let mut next_partition = 0;
        while self.now < end {
            let next_msg = self.queue.keys().next().map(|k| k.0).unwrap_or(u64::MAX);
            self.now = next_msg.min(next_slot).min(next_tick).min(next_partition);
            if self.now == next_partition {
                let healed = self.now >= heal_at;
                self.repartition(healed);
                next_partition =
                    if healed { u64::MAX } else { (self.now + self.rng.gen_range(300..3_000)).min(heal_at) };
            } else if self.now == next_slot {
                self.author(self.now / SLOT_MS);
                next_slot += SLOT_MS;
            } else if self.now == next_tick {
                (0..N).for_each(|i| self.tick(i));
                next_tick += TICK_MS;
            } else if let Some(((_, _), (from, to, msg, tries))) = self.queue.pop_first() {
                self.deliver(from, to, msg, tries);
            }
        }
    }

    fn is_ancestor(&self, a: H256, mut b: H256) -> bool {
        while b != a {
            match self.blocks.get(&b) {
                Some((parent, _)) => b = *parent,
                None => return false,
            }
        }
        true
    }

    /// The invariant behind safety: a vote of round `r` descends from every block finalized
    /// (anywhere, at any time) in a round before `r`.
    fn assert_votes_respect_earlier_finality(&self, seed: u64) {
        for &(fr, block) in &self.final_rounds {
            for &(vr, target) in self.votes_cast.iter().filter(|(vr, _)| *vr > fr) {
                assert!(
                    self.is_ancestor(block, target),
                    "seed {seed}: a round-{vr} vote for {target} ignores {block}, finalized in round {fr}"
                );
            }
        }
    }

    /// Every finalized block, at every node, lies on one chain.
    fn assert_no_conflicting_finality(&self, seed: u64) {
        let distinct: BTreeSet<(u32, H256)> = self.finalized.iter().map(|(_, h, n)| (*n, *h)).collect();
        let chain: Vec<_> = distinct.into_iter().collect();
        for w in chain.windows(2) {
            assert!(
                self.is_ancestor(w[0].1, w[1].1),
                "seed {seed}: conflicting finality: #{} {} and #{} {} (events {:?})",
                w[0].0,
                w[0].1,
                w[1].0,
                w[1].1,
                self.finalized
            );
        }
    }
}

#[test]
fn no_conflicting_finality_under_random_partitions_and_delays() {
    let keys: Vec<Pair> = dev::all().into_iter().map(|(_, p)| p).take(N).collect();
    let seeds: Vec<u64> = match std::env::var("SIM_SEED") {
        Ok(s) => vec![s.parse().expect("SIM_SEED is a number")],
        Err(_) => (0..ITERATIONS).collect(),
    };
    // Two workers: the runs are independent and each is deterministic in its seed.
    let (progressed, total_final, byzantine_final) = std::thread::scope(|s| {
        let workers: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(2))
            .map(|chunk| {
                let keys = &keys;
                s.spawn(move || {
                    let (mut progressed, mut total, mut byzantine_final) = (0usize, 0usize, 0usize);
                    for &seed in chunk {
                        let mut sim = Sim::new(seed, keys);
                        sim.run();
                        sim.assert_no_conflicting_finality(seed);
                        sim.assert_votes_respect_earlier_finality(seed);
                        if sim.byzantine.is_none() {
                            progressed += usize::from(sim.finalized.iter().any(|f| f.2 > 0));
                            total += sim.finalized.len();
                        } else {
                            byzantine_final += sim.finalized.len();
                        }
                    }
                    (progressed, total, byzantine_final)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a run panicked"))
            .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    });
    // Not vacuous: with the network healed for the last slots, finality moves in (almost)
    // every run.
    let honest_runs = seeds.iter().filter(|s| *s % 4 != 3).count();
    assert!(progressed * 10 >= honest_runs * 9, "only {progressed} of {honest_runs} honest runs finalized anything");
    assert!(total_final >= honest_runs * 10, "only {total_final} finality events");
    eprintln!("{progressed} of {honest_runs} honest runs finalized; Byzantine runs: {byzantine_final} finality events");
}
