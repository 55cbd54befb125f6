//! [`Database`]: opening, validating and reading the RocksDB database.
//!
//! Writes that change the chain live in `commit.rs`; the state trie in `state.rs`.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
};

use archive_primitives::{BlockNumber, Header, H256};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use parking_lot::{Mutex, RwLock};
use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, ErrorKind, IteratorMode, Options, WriteBatch,
    WriteOptions, DB,
};

use crate::{
    columns::{self, decode_node, number_key, FORMAT_VERSION, MAGIC},
    state::{self, StateUpdate, StateView},
    DatabaseConfig, Error, StatePruning,
};

/// The chain pointers kept in the `meta` column, mirrored in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) genesis: Option<H256>,
    pub(crate) best: Option<(H256, BlockNumber)>,
    pub(crate) finalized: Option<(H256, BlockNumber)>,
    /// Highest block number whose prune journal has been applied.
    pub(crate) pruned_up_to: Option<BlockNumber>,
}

/// Shared state behind every [`Database`] and [`StateView`] handle.
pub(crate) struct Inner {
    pub(crate) db: DB,
    pub(crate) path: PathBuf,
    pub(crate) pruning: StatePruning,
    /// Root of the empty trie: always readable, never stored.
    pub(crate) empty_root: H256,
    pub(crate) meta: RwLock<Meta>,
    /// Serialises commits, so refcount read-modify-writes never interleave.
    pub(crate) commit_lock: Mutex<()>,
}

impl Inner {
    pub(crate) fn corrupt(&self, reason: impl Into<String>) -> Error {
        Error::Corrupt { path: self.path.clone(), reason: reason.into() }
    }

    pub(crate) fn backend(&self, e: rocksdb::Error) -> Error {
        backend_error(&self.path, e)
    }

    pub(crate) fn cf(&self, name: &'static str) -> Result<&ColumnFamily, Error> {
        self.db.cf_handle(name).ok_or_else(|| self.corrupt(format!("column family `{name}` is missing")))
    }

    /// Reads `key` from column `col` and hands the bytes to `f`.
    pub(crate) fn read<R>(
        &self,
        col: &'static str,
        key: &[u8],
        f: impl FnOnce(&[u8]) -> Result<R, Error>,
    ) -> Result<Option<R>, Error> {
        let cf = self.cf(col)?;
        match self.db.get_pinned_cf(cf, key).map_err(|e| self.backend(e))? {
            Some(bytes) => f(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Decodes a SCALE record, mapping failures to [`Error::Corrupt`].
    pub(crate) fn decode<T: Decode>(&self, what: &str, mut bytes: &[u8]) -> Result<T, Error> {
        T::decode_all(&mut bytes).map_err(|e| self.corrupt(format!("cannot decode {what}: {e}")))
    }

    /// Reads a trie node: `(refcount, node bytes)`.
    pub(crate) fn read_node(&self, hash: &H256) -> Result<Option<(u32, Vec<u8>)>, Error> {
        self.read(columns::TRIE_NODES, &hash.0, |v| {
            decode_node(v)
                .map(|(rc, node)| (rc, node.to_vec()))
                .ok_or_else(|| self.corrupt(format!("trie node {hash} is truncated")))
        })
    }

    pub(crate) fn header(&self, hash: &H256) -> Result<Option<Header>, Error> {
        self.read(columns::HEADERS, &hash.0, |v| self.decode(&format!("header {hash}"), v))
    }

    pub(crate) fn hash_at(&self, number: BlockNumber) -> Result<Option<H256>, Error> {
        self.read(columns::CANONICAL, &number_key(number), |v| {
            H256::from_slice(v).map_err(|_| self.corrupt(format!("canonical hash of #{number} has {} bytes", v.len())))
        })
    }

    /// Writes `batch` atomically. `sync` is off (an OS crash may lose the last writes) but the
    /// WAL is on, so a process crash loses nothing and a batch is never half-applied.
    pub(crate) fn write(&self, batch: WriteBatch) -> Result<(), Error> {
        let mut opts = WriteOptions::default();
        opts.set_sync(false);
        opts.disable_wal(false);
        self.db.write_opt(batch, &opts).map_err(|e| self.backend(e))
    }
}

fn backend_error(path: &Path, e: rocksdb::Error) -> Error {
    if e.kind() == ErrorKind::Corruption {
        Error::Corrupt { path: path.to_owned(), reason: e.into_string() }
    } else {
        Error::Backend { path: path.to_owned(), reason: e.into_string() }
    }
}

/// A handle to the node's on-disk database: blocks, the canonical chain, the state trie and
/// off-chain storage. Cheap to clone; all clones share one RocksDB instance, which closes when the
/// last handle (including [`StateView`]s) is dropped.
///
/// Reads may run concurrently from any thread. Writes (`commit_block`, `set_finalized`) are
/// serialised internally and each is one atomic RocksDB write batch.
#[derive(Clone)]
pub struct Database {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.inner.path)
            .field("pruning", &self.inner.pruning)
            .field("meta", &*self.inner.meta.read())
            .finish()
    }
}

/// What [`inspect_path`] found at the database path.
enum Found {
    /// Missing or empty: create a new database.
    Nothing,
    /// A RocksDB directory (has a `CURRENT` file).
    RocksDb,
}

fn inspect_path(path: &Path) -> Result<Found, Error> {
    let open_err = |e: std::io::Error| Error::Open { path: path.to_owned(), reason: e.to_string() };
    if !path.exists() {
        std::fs::create_dir_all(path).map_err(open_err)?;
        return Ok(Found::Nothing);
    }
    if !path.is_dir() {
        return Err(Error::ForeignDatabase { path: path.to_owned() });
    }
    if std::fs::read_dir(path).map_err(open_err)?.next().is_none() {
        return Ok(Found::Nothing);
    }
    if path.join("CURRENT").is_file() {
        Ok(Found::RocksDb)
    } else {
        Err(Error::ForeignDatabase { path: path.to_owned() })
    }
}

fn open_error(path: &Path, e: rocksdb::Error) -> Error {
    match e.kind() {
        ErrorKind::Corruption => Error::Corrupt { path: path.to_owned(), reason: e.into_string() },
        _ => Error::Open { path: path.to_owned(), reason: e.into_string() },
    }
}

impl Database {
    /// Opens the database at `cfg.path`, creating it (and missing parent directories) if the path
    /// does not exist or is an empty directory.
    ///
    /// On return the database is consistent: RocksDB has replayed its write-ahead log, so the
    /// chain is exactly as after the last `commit_block`/`set_finalized` that returned before a
    /// crash (or a later one whose write reached the log).
    ///
    /// # Errors
    /// - [`Error::InvalidConfig`] for `KeepBlocks(0)`.
    /// - [`Error::ForeignDatabase`] if the path is a file, a directory with other contents, or a
    ///   RocksDB database not written by this crate. Nothing is modified in that case.
    /// - [`Error::UnsupportedVersion`] if it was written with another format version.
    /// - [`Error::Corrupt`] if RocksDB reports corruption or the metadata does not decode.
    /// - [`Error::Open`] for other failures, e.g. another process holds the database lock.
    pub fn open(cfg: &DatabaseConfig) -> Result<Database, Error> {
        if cfg.state_pruning == StatePruning::KeepBlocks(0) {
            return Err(Error::InvalidConfig { reason: "state pruning must keep at least 1 block".into() });
        }
        let path = cfg.path.as_path();
        let found = inspect_path(path)?;

        let mut cf_names: Vec<String> = columns::ALL.iter().map(|s| (*s).to_owned()).collect();
        if let Found::RocksDb = found {
            let existing = DB::list_cf(&Options::default(), path).map_err(|e| open_error(path, e))?;
            if columns::ALL.iter().any(|ours| !existing.iter().any(|e| e == ours)) {
                return Err(Error::ForeignDatabase { path: path.to_owned() });
            }
            cf_names.extend(existing.into_iter().filter(|e| e != "default" && !columns::ALL.contains(&e.as_str())));
        }

        let cache = Cache::new_lru_cache(cfg.cache_size_mb.max(1).saturating_mul(1024 * 1024));
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);
        let mut cf_opts = Options::default();
        cf_opts.set_block_based_table_factory(&table);

        let mut opts = cf_opts.clone();
        opts.create_if_missing(matches!(found, Found::Nothing));
        opts.create_missing_column_families(matches!(found, Found::Nothing));
        opts.set_max_open_files(512);
        opts.set_keep_log_file_num(4);
        // The WAL is on by default (and `Inner::write` never disables it); point-in-time recovery
        // drops a torn last record, i.e. a whole batch, never part of one.
        opts.set_wal_recovery_mode(rocksdb::DBRecoveryMode::PointInTime);

        let descriptors = cf_names.iter().map(|name| ColumnFamilyDescriptor::new(name.as_str(), cf_opts.clone()));
        let db = DB::open_cf_descriptors(&opts, path, descriptors).map_err(|e| open_error(path, e))?;

        let inner = Inner {
            db,
            path: path.to_owned(),
            pruning: cfg.state_pruning,
            empty_root: archive_primitives::trie::empty_root(),
            meta: RwLock::new(Meta::default()),
            commit_lock: Mutex::new(()),
        };
        check_format(&inner)?;
        let meta = load_meta(&inner)?;
        *inner.meta.write() = meta;
        tracing::debug!(target: "storage", path = %path.display(), pruning = %cfg.state_pruning, ?meta, "database opened");
        Ok(Database { inner: Arc::new(inner) })
    }

    /// The path the database was opened at.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The state pruning mode the database was opened with.
    pub fn state_pruning(&self) -> StatePruning {
        self.inner.pruning
    }

    /// Hash of the committed genesis (number 0) block, if any.
    pub fn genesis_hash(&self) -> Option<H256> {
        self.inner.meta.read().genesis
    }

    /// The best block (head of the canonical chain), if any block was committed as best.
    pub fn best(&self) -> Option<(H256, BlockNumber)> {
        self.inner.meta.read().best
    }

    /// The last finalized block, if any. It is always on the canonical chain.
    pub fn finalized(&self) -> Option<(H256, BlockNumber)> {
        self.inner.meta.read().finalized
    }

    /// The header of block `hash`, on any branch.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the stored header does not decode; [`Error::Backend`] on I/O errors.
    pub fn header(&self, hash: &H256) -> Result<Option<Header>, Error> {
        self.inner.header(hash)
    }

    /// The opaque extrinsics of block `hash`, in block order.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the stored body does not decode; [`Error::Backend`] on I/O errors.
    pub fn body(&self, hash: &H256) -> Result<Option<Vec<Vec<u8>>>, Error> {
        self.inner.read(columns::BODIES, &hash.0, |v| self.inner.decode(&format!("body of {hash}"), v))
    }

    /// The justification stored for block `hash`, if any.
    ///
    /// # Errors
    /// [`Error::Backend`] on I/O errors.
    pub fn justification(&self, hash: &H256) -> Result<Option<Vec<u8>>, Error> {
        self.inner.read(columns::JUSTIFICATIONS, &hash.0, |v| Ok(v.to_vec()))
    }

    /// Hash of the canonical (best-chain) block at `number`; `None` above the best block.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the stored entry is malformed; [`Error::Backend`] on I/O errors.
    pub fn hash_at(&self, number: BlockNumber) -> Result<Option<H256>, Error> {
        self.inner.hash_at(number)
    }

    /// Where extrinsic `xt_hash` was included: `(block hash, index in the body)`. If the same
    /// extrinsic is in several committed blocks (on different forks), the last committed wins.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the stored entry does not decode; [`Error::Backend`] on I/O errors.
    pub fn extrinsic_location(&self, xt_hash: &H256) -> Result<Option<(H256, u32)>, Error> {
        self.inner.read(columns::TX_INDEX, &xt_hash.0, |v| self.inner.decode(&format!("tx index of {xt_hash}"), v))
    }

    /// A read-only view of the state trie at `root`. Never fails: whether the state is stored is
    /// found out on the first read, which returns [`Error::StateUnavailable`] if it is not.
    pub fn state(&self, root: &H256) -> StateView {
        StateView::new(self.inner.clone(), *root)
    }

    /// Whether the state at `root` is stored (its root node is present, or it is the empty trie).
    ///
    /// # Errors
    /// [`Error::Corrupt`] / [`Error::Backend`] if the root node cannot be read.
    pub fn has_state(&self, root: &H256) -> Result<bool, Error> {
        Ok(*root == self.inner.empty_root || self.inner.read_node(root)?.is_some())
    }

    /// Applies `changes` (`Some(value)` sets, `None` or an empty value deletes; later entries for
    /// the same key win) to the state at `parent_root` without writing anything, returning the
    /// new root and the trie nodes to insert and release when the update is committed with
    /// [`Database::commit_block`].
    ///
    /// # Errors
    /// [`Error::StateUnavailable`] if the state at `parent_root` is not stored (pruned or never
    /// existed); [`Error::Corrupt`] / [`Error::Backend`] if a node cannot be read.
    pub fn compute_state_update(
        &self,
        parent_root: &H256,
        changes: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
    ) -> Result<StateUpdate, Error> {
        state::compute_update(&self.inner, *parent_root, changes)
    }

    /// Reads off-chain storage (local to this node; not part of consensus state).
    ///
    /// # Errors
    /// [`Error::Backend`] on I/O errors.
    pub fn offchain_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.inner.read(columns::OFFCHAIN, key, |v| Ok(v.to_vec()))
    }

    /// Sets (`Some`) or deletes (`None`) an off-chain storage entry. Durable against process
    /// crashes once this returns (WAL), like block commits.
    ///
    /// # Errors
    /// [`Error::Backend`] on I/O errors.
    pub fn offchain_set(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), Error> {
        let cf = self.inner.cf(columns::OFFCHAIN)?;
        let mut batch = WriteBatch::default();
        match value {
            Some(v) => batch.put_cf(cf, key, v),
            None => batch.delete_cf(cf, key),
        }
        self.inner.write(batch)
    }
}

/// Verifies the magic and format version, initialising them in a database we just created.
fn check_format(inner: &Inner) -> Result<(), Error> {
    let magic = inner.read(columns::META, columns::META_MAGIC, |v| Ok(v.to_vec()))?;
    match magic {
        Some(m) if m == MAGIC => {}
        Some(_) => return Err(Error::ForeignDatabase { path: inner.path.clone() }),
        None => {
            // Either a database we just created, or one whose creation was interrupted before the
            // magic was written (all our columns present but empty); anything else is foreign.
            for col in [columns::META, columns::HEADERS] {
                let cf = inner.cf(col)?;
                match inner.db.iterator_cf(cf, IteratorMode::Start).next() {
                    None => {}
                    Some(Ok(_)) => return Err(Error::ForeignDatabase { path: inner.path.clone() }),
                    Some(Err(e)) => return Err(inner.backend(e)),
                }
            }
            let cf = inner.cf(columns::META)?;
            let mut batch = WriteBatch::default();
            batch.put_cf(cf, columns::META_MAGIC, MAGIC);
            batch.put_cf(cf, columns::META_VERSION, FORMAT_VERSION.to_le_bytes());
            let mut opts = WriteOptions::default();
            opts.set_sync(true);
            inner.db.write_opt(batch, &opts).map_err(|e| inner.backend(e))?;
            tracing::info!(target: "storage", path = %inner.path.display(), "created new database");
        }
    }
    let version = inner
        .read(columns::META, columns::META_VERSION, |v| {
            <[u8; 4]>::try_from(v)
                .map(u32::from_le_bytes)
                .map_err(|_| inner.corrupt(format!("format version has {} bytes", v.len())))
        })?
        .ok_or_else(|| inner.corrupt("format version is missing"))?;
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion { found: version, expected: FORMAT_VERSION });
    }
    Ok(())
}

/// Loads the chain pointers and checks that they point at stored blocks.
fn load_meta(inner: &Inner) -> Result<Meta, Error> {
    let get = |key: &[u8], what: &str| -> Result<Option<Vec<u8>>, Error> {
        inner.read(columns::META, key, |v| Ok(v.to_vec())).map_err(|e| match e {
            Error::Backend { path, reason } => Error::Backend { path, reason: format!("reading {what}: {reason}") },
            other => other,
        })
    };
    let decode_opt = |key: &[u8], what: &str| -> Result<Option<(H256, BlockNumber)>, Error> {
        get(key, what)?.map(|v| inner.decode(what, &v)).transpose()
    };
    let meta = Meta {
        genesis: get(columns::META_GENESIS, "genesis hash")?.map(|v| inner.decode("genesis hash", &v)).transpose()?,
        best: decode_opt(columns::META_BEST, "best block")?,
        finalized: decode_opt(columns::META_FINALIZED, "finalized block")?,
        pruned_up_to: get(columns::META_PRUNED_UP_TO, "pruned height")?
            .map(|v| inner.decode("pruned height", &v))
            .transpose()?,
    };
    for (what, ptr) in [("best", meta.best), ("finalized", meta.finalized)] {
        if let Some((hash, number)) = ptr {
            let header =
                inner.header(&hash)?.ok_or_else(|| inner.corrupt(format!("{what} block {hash} has no header")))?;
            if header.number != number || inner.hash_at(number)? != Some(hash) {
                return Err(inner.corrupt(format!("{what} block {hash} (#{number}) is not on the canonical chain")));
            }
        }
    }
    Ok(meta)
}

/// Encodes a `(hash, number)` chain pointer for the `meta` column.
pub(crate) fn encode_pointer(ptr: &(H256, BlockNumber)) -> Vec<u8> {
    ptr.encode()
}
