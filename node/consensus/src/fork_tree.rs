//! The fork tree: an in-memory index of the non-finalized blocks, fork choice, re-org routes and
//! pruning on finality.

use std::collections::{BTreeMap, BTreeSet};

use archive_primitives::H256;

use crate::error::ForkTreeError;

/// Ancestry queries over blocks, as the vote counting needs them. [`ForkTree`] implements it;
/// a node can implement it over its database.
pub trait Ancestry {
    /// The number of a known block, `None` if unknown.
    fn number(&self, hash: &H256) -> Option<u32>;
    /// The parent of a known block, `None` if the block is unknown or its parent is not tracked
    /// (the walk towards the root stops there).
    fn parent(&self, hash: &H256) -> Option<H256>;

    /// Whether `block` is `of` or a descendant of it. Unknown blocks descend from nothing.
    fn is_descendant(&self, block: &H256, of: &H256) -> bool {
        let Some(of_number) = self.number(of) else { return false };
        let mut cursor = *block;
        loop {
            if cursor == *of {
                return true;
            }
            match self.number(&cursor) {
                Some(n) if n > of_number => {}
                _ => return false,
            }
            match self.parent(&cursor) {
                Some(p) => cursor = p,
                None => return false,
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    parent: H256,
    number: u32,
    /// Insertion order: the fork-choice tie-break (first seen wins).
    seen: u64,
}

/// The non-finalized blocks, rooted at the last finalized block.
///
/// Every block in the tree descends from the root; a block whose parent is not in the tree is
/// refused, so a branch that conflicts with finality can never come back after
/// [`ForkTree::finalize`] pruned it.
///
/// **Fork choice** ([`ForkTree::best`]): the highest-numbered block; among equally high blocks
/// the one inserted first (Substrate's longest-chain rule keeps the block it saw first; a later
/// block of the same height does not cause a re-org). The root is best while the tree is empty.
#[derive(Clone, Debug)]
pub struct ForkTree {
    root: (H256, u32),
    blocks: BTreeMap<H256, Entry>,
    children: BTreeMap<H256, Vec<H256>>,
    next_seen: u64,
}

impl ForkTree {
    /// An empty tree rooted at the finalized block `(hash, number)`.
    pub fn new(finalized_hash: H256, finalized_number: u32) -> Self {
        ForkTree {
            root: (finalized_hash, finalized_number),
            blocks: BTreeMap::new(),
            children: BTreeMap::new(),
            next_seen: 0,
        }
    }

    /// The last finalized block (the root).
    pub fn finalized(&self) -> (H256, u32) {
        self.root
    }

    /// How many non-finalized blocks the tree holds.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether the tree holds no non-finalized block.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Whether `hash` is the root or a non-finalized block of the tree.
    pub fn contains(&self, hash: &H256) -> bool {
        *hash == self.root.0 || self.blocks.contains_key(hash)
    }

    /// Adds a block. Returns `Ok(false)` if it was already known (nothing changes: in
    /// particular its first-seen rank is kept).
    ///
    /// # Errors
    /// [`ForkTreeError::UnknownParent`] if the parent is not in the tree (not received yet, or
    /// pruned by finality), [`ForkTreeError::BadNumber`] unless `number` is the parent's + 1,
    /// [`ForkTreeError::Inconsistent`] if the hash is known with another parent or number.
    pub fn insert(&mut self, hash: H256, parent: H256, number: u32) -> Result<bool, ForkTreeError> {
        if hash == self.root.0 {
            return Err(ForkTreeError::Inconsistent { hash });
        }
        if let Some(e) = self.blocks.get(&hash) {
            return if e.parent == parent && e.number == number {
                Ok(false)
            } else {
                Err(ForkTreeError::Inconsistent { hash })
            };
        }
        let parent_number = self.number(&parent).ok_or(ForkTreeError::UnknownParent { hash, parent })?;
        let expected =
            parent_number.checked_add(1).ok_or(ForkTreeError::BadNumber { hash, expected: u32::MAX, got: number })?;
        if number != expected {
            return Err(ForkTreeError::BadNumber { hash, expected, got: number });
        }
        self.blocks.insert(hash, Entry { parent, number, seen: self.next_seen });
        self.next_seen += 1;
        self.children.entry(parent).or_default().push(hash);
        Ok(true)
    }

    /// The best block: the highest, first seen among equals (see the type's docs).
    pub fn best(&self) -> (H256, u32) {
        self.best_containing(&self.root.0).unwrap_or(self.root)
    }

    /// The best block among `base` and its descendants (same rule as [`Self::best`]); `None` if
    /// `base` is not in the tree. Honest voters vote for `best_containing(estimate)`.
    pub fn best_containing(&self, base: &H256) -> Option<(H256, u32)> {
        let base_number = self.number(base)?;
        // (number, Reverse(seen)) decides; the base itself ranks below any descendant.
        let mut best = (*base, base_number, u64::MAX);
        let mut stack = vec![*base];
        while let Some(h) = stack.pop() {
            if let Some(e) = self.blocks.get(&h) {
                if e.number > best.1 || (e.number == best.1 && e.seen < best.2) {
                    best = (h, e.number, e.seen);
                }
            }
            if let Some(c) = self.children.get(&h) {
                stack.extend(c.iter().copied());
            }
        }
        Some((best.0, best.1))
    }

    /// Whether `a` is `of` or a descendant of it. Blocks outside the tree (finalized ancestors
    /// of the root, pruned or unknown blocks) descend from nothing.
    pub fn is_descendant(&self, a: &H256, of: &H256) -> bool {
        Ancestry::is_descendant(self, a, of)
    }

    /// The re-org route from `from` to `to`: `(retracted, enacted)`. `retracted` lists the
    /// blocks leaving the best chain, from `from` down towards the common ancestor (the order in
    /// which they are undone); `enacted` lists the blocks joining it, from just above the common
    /// ancestor up to `to`. The common ancestor is in neither. `route(x, x)` is empty.
    ///
    /// # Errors
    /// [`ForkTreeError::UnknownBlock`] if either end is not in the tree.
    pub fn route(&self, from: H256, to: H256) -> Result<(Vec<H256>, Vec<H256>), ForkTreeError> {
        // A tree block's number is its parent's + 1 (checked on insert), so never 0.
        let step = |h: H256| self.blocks.get(&h).map(|e| (e.parent, e.number.saturating_sub(1)));
        let mut a = (from, self.number(&from).ok_or(ForkTreeError::UnknownBlock { hash: from })?);
        let mut b = (to, self.number(&to).ok_or(ForkTreeError::UnknownBlock { hash: to })?);
        let (mut retracted, mut enacted) = (Vec::new(), Vec::new());
        while a.0 != b.0 {
            // Both walks end at the root at the latest: every tree block descends from it.
            if a.1 >= b.1 {
                retracted.push(a.0);
                a = step(a.0).ok_or(ForkTreeError::UnknownBlock { hash: a.0 })?;
            } else {
                enacted.push(b.0);
                b = step(b.0).ok_or(ForkTreeError::UnknownBlock { hash: b.0 })?;
            }
        }
        enacted.reverse();
        Ok((retracted, enacted))
    }

    /// Makes `hash` the finalized root. Its ancestors up to the old root become final and leave
    /// the index; every block not descending from `hash` is pruned. Returns the pruned hashes,
    /// by ascending number, then first seen. Finalizing the root again returns nothing.
    ///
    /// # Errors
    /// [`ForkTreeError::UnknownBlock`] if `hash` is not in the tree.
    pub fn finalize(&mut self, hash: H256) -> Result<Vec<H256>, ForkTreeError> {
        if hash == self.root.0 {
            return Ok(Vec::new());
        }
        let number = self.blocks.get(&hash).ok_or(ForkTreeError::UnknownBlock { hash })?.number;
        let mut keep = BTreeSet::new();
        let mut stack = vec![hash];
        while let Some(h) = stack.pop() {
            if let Some(c) = self.children.get(&h) {
                keep.extend(c.iter().copied());
                stack.extend(c.iter().copied());
            }
        }
        let mut newly_final = BTreeSet::new();
        let mut cursor = hash;
        while let Some(e) = self.blocks.get(&cursor) {
            newly_final.insert(cursor);
            cursor = e.parent;
        }
        let mut pruned: Vec<(u32, u64, H256)> = Vec::new();
        self.blocks.retain(|h, e| {
            if keep.contains(h) {
                true
            } else {
                if !newly_final.contains(h) {
                    pruned.push((e.number, e.seen, *h));
                }
                false
            }
        });
        let blocks = &self.blocks;
        self.children.retain(|h, _| *h == hash || blocks.contains_key(h));
        self.root = (hash, number);
        pruned.sort();
        Ok(pruned.into_iter().map(|(_, _, h)| h).collect())
    }
}

impl Ancestry for ForkTree {
    fn number(&self, hash: &H256) -> Option<u32> {
        if *hash == self.root.0 {
            return Some(self.root.1);
        }
        self.blocks.get(hash).map(|e| e.number)
    }

    fn parent(&self, hash: &H256) -> Option<H256> {
        self.blocks.get(hash).map(|e| e.parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::h;

    /// genesis(0) ─ a1 ─ a2 ─ a3
    ///            └ b1 ─ b2 ─ b3 ─ b4 ─ b5
    fn two_branches() -> ForkTree {
        let mut t = ForkTree::new(h(0), 0);
        for (hash, parent, n) in
            [(11, 0, 1), (12, 11, 2), (13, 12, 3), (21, 0, 1), (22, 21, 2), (23, 22, 3), (24, 23, 4), (25, 24, 5)]
        {
            assert_eq!(t.insert(h(hash), h(parent), n), Ok(true));
        }
        t
    }

    #[test]
    fn best_is_longest_branch_containing_finality_and_ignores_a_longer_conflicting_one() {
        let mut t = two_branches();
        assert_eq!(t.best(), (h(25), 5), "before finality the longest branch wins");
        // Finality on the short branch: the longer b-branch conflicts with it and goes.
        assert_eq!(t.finalize(h(11)), Ok([21, 22, 23, 24, 25].map(h).to_vec()));
        assert_eq!(t.best(), (h(13), 3));
        assert_eq!(t.finalized(), (h(11), 1));
        // The conflicting branch cannot come back, however long it grows.
        assert_eq!(t.insert(h(26), h(25), 6), Err(ForkTreeError::UnknownParent { hash: h(26), parent: h(25) }));
        assert_eq!(t.insert(h(30), h(0), 1), Err(ForkTreeError::UnknownParent { hash: h(30), parent: h(0) }));
        assert_eq!(t.best(), (h(13), 3));
        assert_eq!(t.len(), 2);
        assert!(t.is_descendant(&h(13), &h(11)) && !t.contains(&h(0)) && !t.contains(&h(21)));
    }

    #[test]
    fn ties_keep_the_first_seen_block() {
        let mut t = ForkTree::new(h(0), 0);
        t.insert(h(9), h(0), 1).expect("insert");
        t.insert(h(3), h(0), 1).expect("insert");
        assert_eq!(t.best(), (h(9), 1), "first seen, not lowest hash");
        assert_eq!(t.insert(h(9), h(0), 1), Ok(false), "re-insert keeps the rank");
        assert_eq!(t.best(), (h(9), 1));
        t.insert(h(4), h(3), 2).expect("insert");
        assert_eq!(t.best(), (h(4), 2), "a higher block wins over first seen");
        assert_eq!(t.best_containing(&h(9)), Some((h(9), 1)));
        assert_eq!(t.best_containing(&h(7)), None);
    }

    #[test]
    fn insert_checks_parent_number_and_consistency() {
        let mut t = two_branches();
        assert_eq!(t.insert(h(40), h(99), 1), Err(ForkTreeError::UnknownParent { hash: h(40), parent: h(99) }));
        assert_eq!(t.insert(h(40), h(13), 5), Err(ForkTreeError::BadNumber { hash: h(40), expected: 4, got: 5 }));
        assert_eq!(t.insert(h(13), h(11), 2), Err(ForkTreeError::Inconsistent { hash: h(13) }));
        assert_eq!(t.insert(h(0), h(13), 4), Err(ForkTreeError::Inconsistent { hash: h(0) }));
        assert_eq!(t.len(), 8);
    }

    #[test]
    fn descendants_and_routes() {
        let t = two_branches();
        assert!(t.is_descendant(&h(13), &h(11)));
        assert!(t.is_descendant(&h(13), &h(13)));
        assert!(t.is_descendant(&h(13), &h(0)));
        assert!(!t.is_descendant(&h(11), &h(13)));
        assert!(!t.is_descendant(&h(13), &h(21)));
        assert!(!t.is_descendant(&h(99), &h(0)));
        assert!(!t.is_descendant(&h(13), &h(99)));

        // Re-org from a3 to b5: a3, a2, a1 undone (top down), b1..b5 applied (bottom up).
        assert_eq!(t.route(h(13), h(25)), Ok(([13, 12, 11].map(h).to_vec(), [21, 22, 23, 24, 25].map(h).to_vec())));
        assert_eq!(t.route(h(25), h(12)), Ok(([25, 24, 23, 22, 21].map(h).to_vec(), [11, 12].map(h).to_vec())));
        // Along one chain: nothing retracted.
        assert_eq!(t.route(h(11), h(13)), Ok((vec![], [12, 13].map(h).to_vec())));
        assert_eq!(t.route(h(13), h(11)), Ok(([13, 12].map(h).to_vec(), vec![])));
        assert_eq!(t.route(h(0), h(22)), Ok((vec![], [21, 22].map(h).to_vec())));
        assert_eq!(t.route(h(22), h(22)), Ok((vec![], vec![])));
        assert_eq!(t.route(h(22), h(99)), Err(ForkTreeError::UnknownBlock { hash: h(99) }));
    }

    #[test]
    fn finalize_prunes_side_branches_of_ancestors_and_keeps_descendant_forks() {
        let mut t = two_branches();
        // Forks above a2 (kept once a2 is final) and a fork off a1 below it (pruned).
        t.insert(h(31), h(12), 3).expect("insert");
        t.insert(h(32), h(11), 2).expect("insert");
        t.insert(h(33), h(32), 3).expect("insert");
        assert_eq!(t.finalize(h(12)), Ok([21, 22, 32, 23, 33, 24, 25].map(h).to_vec()));
        assert_eq!(t.finalized(), (h(12), 2));
        assert_eq!(t.len(), 2);
        assert!(t.contains(&h(13)) && t.contains(&h(31)) && !t.contains(&h(11)));
        assert_eq!(t.best(), (h(13), 3));
        assert_eq!(t.route(h(13), h(31)), Ok((vec![h(13)], vec![h(31)])));
        assert_eq!(t.finalize(h(12)), Ok(vec![]));
        assert_eq!(t.finalize(h(11)), Err(ForkTreeError::UnknownBlock { hash: h(11) }));
        assert_eq!(t.finalize(h(31)), Ok(vec![h(13)]));
        assert_eq!(t.best(), (h(31), 3));
        assert!(t.is_empty());
        t.insert(h(50), h(31), 4).expect("extends the root");
        assert_eq!(t.best(), (h(50), 4));
    }
}
