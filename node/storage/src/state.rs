//! The state trie on RocksDB: read-only [`StateView`]s and [`StateUpdate`] computation.
//!
//! Trie nodes live in the `trie_nodes` column keyed by their keccak-256 hash (the trie prefix is
//! ignored: nodes are content-addressed and reference-counted, so a node shared by several
//! positions or states is stored once). The empty trie's root is never stored; it is answered
//! from the layout's codec.

use std::{fmt, sync::Arc};

use archive_primitives::{
    trie::{Hasher, Layout},
    H256,
};
use hash_db::{AsHashDB, HashDB, HashDBRef, Prefix};
use memory_db::{HashKey, MemoryDB};
use parking_lot::Mutex;
use trie_db::{
    CError, DBValue, NodeCodec, Trie, TrieDB, TrieDBBuilder, TrieDBIterator, TrieDBKeyIterator, TrieDBMutBuilder,
    TrieError, TrieHash, TrieLayout, TrieMut,
};

use crate::{database::Inner, Error};

type Codec = <Layout as TrieLayout>::Codec;
type TrieResult<T> = trie_db::Result<T, TrieHash<Layout>, CError<Layout>>;

/// Maps a trie-db error on the trie at `root` to ours: missing nodes mean the state is not
/// (fully) stored; anything else means a stored node is malformed.
fn trie_error(inner: &Inner, root: H256, e: TrieError<TrieHash<Layout>, CError<Layout>>) -> Error {
    match e {
        TrieError::InvalidStateRoot(_) | TrieError::IncompleteDatabase(_) => Error::StateUnavailable { root },
        other => inner.corrupt(format!("state trie at {root}: {other}")),
    }
}

/// Reads trie nodes from RocksDB for trie-db. `HashDB` cannot return errors, so an I/O or
/// decoding failure is parked here (and the node reported missing) until the caller collects it.
struct NodeReader<'a> {
    inner: &'a Inner,
    error: Mutex<Option<Error>>,
}

impl<'a> NodeReader<'a> {
    fn new(inner: &'a Inner) -> Self {
        NodeReader { inner, error: Mutex::new(None) }
    }

    fn fetch(&self, key: &[u8; 32]) -> Option<DBValue> {
        if *key == self.inner.empty_root.0 {
            return Some(Codec::empty_node().to_vec());
        }
        match self.inner.read_node(&H256(*key)) {
            Ok(node) => node.map(|(_, node)| node),
            Err(e) => {
                self.error.lock().get_or_insert(e);
                None
            }
        }
    }

    /// The first read error, if any; it takes precedence over the trie error it caused.
    fn take_error(&self) -> Result<(), Error> {
        self.error.lock().take().map_or(Ok(()), Err)
    }
}

impl HashDBRef<Hasher, DBValue> for NodeReader<'_> {
    fn get(&self, key: &[u8; 32], _prefix: Prefix) -> Option<DBValue> {
        self.fetch(key)
    }
    fn contains(&self, key: &[u8; 32], _prefix: Prefix) -> bool {
        self.fetch(key).is_some()
    }
}

/// A read-only view of the state trie at one root, reading nodes from the database on demand.
///
/// Cheap to clone and `Send + Sync`; it keeps the database open while it lives. Every read
/// returns [`Error::StateUnavailable`] if the state at this root is not stored (never committed,
/// or pruned — possibly after the view was created).
#[derive(Clone)]
pub struct StateView {
    inner: Arc<Inner>,
    root: H256,
}

impl fmt::Debug for StateView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateView").field("root", &self.root).finish()
    }
}

impl StateView {
    pub(crate) fn new(inner: Arc<Inner>, root: H256) -> Self {
        StateView { inner, root }
    }

    /// The state root this view reads.
    pub fn root(&self) -> H256 {
        self.root
    }

    fn with_trie<R>(&self, f: impl FnOnce(&TrieDB<'_, '_, Layout>) -> TrieResult<R>) -> Result<R, Error> {
        let reader = NodeReader::new(&self.inner);
        let root = self.root.0;
        let trie = TrieDBBuilder::<Layout>::new(&reader, &root).build();
        let result = f(&trie);
        reader.take_error()?;
        result.map_err(|e| trie_error(&self.inner, self.root, *e))
    }

    /// The value stored under `key`, if any.
    ///
    /// # Errors
    /// [`Error::StateUnavailable`] if the state is not stored; [`Error::Corrupt`] /
    /// [`Error::Backend`] if a node cannot be read or decoded.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.with_trie(|trie| trie.get(key))
    }

    /// Up to `count` keys that start with `prefix`, in ascending byte order, strictly greater
    /// than `start_after` when it is given (pass the last key of the previous page to continue).
    ///
    /// # Errors
    /// As [`StateView::get`].
    pub fn keys_paged(&self, prefix: &[u8], count: usize, start_after: Option<&[u8]>) -> Result<Vec<Vec<u8>>, Error> {
        if count == 0 {
            return Ok(Vec::new());
        }
        // A `start_after` past every key with `prefix` (greater, but not an extension of it)
        // leaves nothing; one below `prefix` changes nothing.
        let seek = match start_after {
            Some(s) if s.starts_with(prefix) => Some(s),
            // Still read the root, so an unavailable state is reported as such.
            Some(s) if s > prefix => return self.with_trie(|trie| trie.get(&[]).map(|_| Vec::new())),
            _ => None,
        };
        self.with_trie(|trie| {
            let iter = match seek {
                Some(s) => TrieDBKeyIterator::new_prefixed_then_seek(trie, prefix, s)?,
                None => TrieDBKeyIterator::new_prefixed(trie, prefix)?,
            };
            let mut keys = Vec::with_capacity(count.min(1024));
            for key in iter {
                let key = key?;
                if !key.starts_with(prefix) {
                    break;
                }
                if Some(key.as_slice()) == start_after {
                    continue;
                }
                keys.push(key);
                if keys.len() == count {
                    break;
                }
            }
            Ok(keys)
        })
    }

    /// Every `(key, value)` pair whose key starts with `prefix`, in ascending key order.
    ///
    /// # Errors
    /// As [`StateView::get`].
    #[allow(clippy::type_complexity)] // the plain signature reads best
    pub fn pairs(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, Error> {
        self.with_trie(|trie| {
            let mut pairs = Vec::new();
            for item in TrieDBIterator::new_prefixed(trie, prefix)? {
                let (key, value) = item?;
                if !key.starts_with(prefix) {
                    break;
                }
                pairs.push((key, value));
            }
            Ok(pairs)
        })
    }
}

/// The effect of a set of state changes: the new root plus the trie nodes that must be added to
/// and released from the database. Produced by [`crate::Database::compute_state_update`] and
/// consumed by [`crate::Database::commit_block`].
#[derive(Clone)]
pub struct StateUpdate {
    /// The state root after the changes.
    pub root: H256,
    pub(crate) parent_root: H256,
    /// New node references: `(hash, encoded node, count)`, sorted by hash.
    pub(crate) inserted: Vec<(H256, Vec<u8>, u32)>,
    /// Released node references: `(hash, count)`, sorted by hash.
    pub(crate) removed: Vec<(H256, u32)>,
}

impl fmt::Debug for StateUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateUpdate")
            .field("root", &self.root)
            .field("parent_root", &self.parent_root)
            .field("inserted", &self.inserted.len())
            .field("removed", &self.removed.len())
            .finish()
    }
}

impl StateUpdate {
    /// The state root the changes were applied to.
    pub fn parent_root(&self) -> H256 {
        self.parent_root
    }

    /// How many trie node references the update adds.
    pub fn inserted_nodes(&self) -> usize {
        self.inserted.len()
    }

    /// How many trie node references the update releases.
    pub fn removed_nodes(&self) -> usize {
        self.removed.len()
    }
}

/// The database seen through an in-memory overlay that collects trie-db's inserts and removes
/// (with reference counts) instead of writing them.
struct Overlay<'a> {
    reader: NodeReader<'a>,
    changes: MemoryDB<Hasher, HashKey<Hasher>, DBValue>,
}

impl HashDB<Hasher, DBValue> for Overlay<'_> {
    fn get(&self, key: &[u8; 32], prefix: Prefix) -> Option<DBValue> {
        match self.changes.raw(key, prefix) {
            Some((value, rc)) if rc > 0 => Some(value.clone()),
            _ => self.reader.fetch(key),
        }
    }
    fn contains(&self, key: &[u8; 32], prefix: Prefix) -> bool {
        HashDB::get(self, key, prefix).is_some()
    }
    fn insert(&mut self, prefix: Prefix, value: &[u8]) -> [u8; 32] {
        self.changes.insert(prefix, value)
    }
    fn emplace(&mut self, key: [u8; 32], prefix: Prefix, value: DBValue) {
        self.changes.emplace(key, prefix, value)
    }
    fn remove(&mut self, key: &[u8; 32], prefix: Prefix) {
        self.changes.remove(key, prefix)
    }
}

impl AsHashDB<Hasher, DBValue> for Overlay<'_> {
    fn as_hash_db(&self) -> &dyn HashDB<Hasher, DBValue> {
        self
    }
    fn as_hash_db_mut<'b>(&'b mut self) -> &'b mut (dyn HashDB<Hasher, DBValue> + 'b) {
        self
    }
}

/// Applies `changes` to the trie at `parent_root` in memory (see
/// [`crate::Database::compute_state_update`]).
pub(crate) fn compute_update(
    inner: &Inner,
    parent_root: H256,
    changes: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
) -> Result<StateUpdate, Error> {
    if parent_root != inner.empty_root && inner.read_node(&parent_root)?.is_none() {
        return Err(Error::StateUnavailable { root: parent_root });
    }
    let empty = Codec::empty_node();
    let mut overlay =
        Overlay { reader: NodeReader::new(inner), changes: MemoryDB::from_null_node(empty, empty.to_vec()) };
    let mut root = parent_root.0;
    // trie-db 0.32 panics (slice index) when a no-extension branch holding a value collapses
    // while a key that is a prefix of another is removed. The runtime's keys are prefix-free
    // (hashed or length-prefixed after a fixed item prefix), but raw genesis specs are not:
    // such an update is refused as an error instead of taking the node down.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> TrieResult<()> {
        let mut trie =
            TrieDBMutBuilder::<Layout>::from_existing(&mut overlay, &mut root).disable_commit_on_drop().build();
        for (key, value) in changes {
            match value {
                Some(value) => trie.insert(&key, &value)?,
                None => trie.remove(&key)?,
            };
        }
        trie.commit();
        Ok(())
    }));
    let result = outcome.map_err(|_| Error::TrieUpdate {
        root: parent_root,
        reason: "a removal collapsed a branch holding a key that prefixes others".into(),
    })?;
    overlay.reader.take_error()?;
    result.map_err(|e| trie_error(inner, parent_root, *e))?;

    let mut inserted = Vec::new();
    let mut removed = Vec::new();
    for (hash, (node, rc)) in overlay.changes.drain() {
        if rc > 0 {
            inserted.push((H256(hash), node, rc.unsigned_abs()));
        } else if rc < 0 {
            removed.push((H256(hash), rc.unsigned_abs()));
        }
    }
    inserted.sort_unstable_by_key(|(hash, _, _)| *hash);
    removed.sort_unstable();
    Ok(StateUpdate { root: H256(root), parent_root, inserted, removed })
}

#[cfg(test)]
impl StateView {
    /// Hashes of every stored (non-inline) node reachable from this root, the root included
    /// unless it is the empty trie.
    pub(crate) fn node_hashes(&self) -> Result<std::collections::BTreeSet<H256>, Error> {
        let empty_root = self.inner.empty_root;
        self.with_trie(|trie| {
            let mut hashes = std::collections::BTreeSet::new();
            for item in trie_db::TrieDBNodeIterator::new(trie)? {
                if let (_, Some(hash), _) = item? {
                    if hash != empty_root.0 {
                        hashes.insert(H256(hash));
                    }
                }
            }
            Ok(hashes)
        })
    }
}
