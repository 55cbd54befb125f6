//! Opening: new, existing, foreign, newer-format, corrupt and locked databases.

use rocksdb::{Options, DB};

use super::*;
use crate::{Error, FORMAT_VERSION};

fn open_err(dir: &Path) -> Error {
    Database::open(&config(dir, StatePruning::Archive)).unwrap_err()
}

/// Opens our database with raw RocksDB (all column families) to tamper with it.
fn raw(dir: &Path) -> DB {
    let cfs = DB::list_cf(&Options::default(), dir).unwrap();
    DB::open_cf(&Options::default(), dir, cfs).unwrap()
}

#[test]
fn creates_missing_and_empty_directories() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/db");
    let db = open(&nested, StatePruning::Archive);
    assert_eq!(db.path(), nested.as_path());
    assert_eq!(db.best(), None);
    drop(db);
    // Reopening an existing database works; an empty directory is also fine.
    open(&nested, StatePruning::KeepBlocks(1));
    open(dir.path().join("empty").as_path(), StatePruning::Archive);
}

#[test]
fn directory_with_random_files_is_foreign() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    assert!(matches!(open_err(dir.path()), Error::ForeignDatabase { path } if path == dir.path()));
    // Nothing was created next to the file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let file = dir.path().join("notes.txt");
    assert!(matches!(open_err(&file), Error::ForeignDatabase { .. }));
}

#[test]
fn rocksdb_of_another_program_is_foreign_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        let other = DB::open(&opts, dir.path()).unwrap();
        other.put(b"their", b"data").unwrap();
    }
    assert!(matches!(open_err(dir.path()), Error::ForeignDatabase { .. }));
    assert_eq!(DB::list_cf(&Options::default(), dir.path()).unwrap(), vec!["default".to_owned()]);

    // Same column families as ours but a different magic.
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), StatePruning::Archive));
    {
        let db = raw(dir.path());
        db.put_cf(db.cf_handle(columns::META).unwrap(), columns::META_MAGIC, b"someone-else").unwrap();
    }
    assert!(matches!(open_err(dir.path()), Error::ForeignDatabase { .. }));
}

#[test]
fn newer_format_version_is_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), StatePruning::Archive));
    {
        let db = raw(dir.path());
        let version = (FORMAT_VERSION + 1).to_le_bytes();
        db.put_cf(db.cf_handle(columns::META).unwrap(), columns::META_VERSION, version).unwrap();
    }
    let err = open_err(dir.path());
    assert!(
        matches!(err, Error::UnsupportedVersion { found, expected } if found == FORMAT_VERSION + 1 && expected == FORMAT_VERSION),
        "{err}"
    );
}

#[test]
fn corruption_is_reported_not_panicked() {
    // A damaged RocksDB manifest pointer.
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), StatePruning::Archive));
    std::fs::write(dir.path().join("CURRENT"), b"garbage").unwrap();
    let err = open_err(dir.path());
    assert!(matches!(err, Error::Corrupt { ref path, .. } if path == dir.path()), "{err}");

    // Undecodable records.
    let dir = tempfile::tempdir().unwrap();
    let hash = {
        let db = open(dir.path(), StatePruning::Archive);
        commit(&db, block(&db, None, vec![(b"k".to_vec(), Some(vec![1; 40]))], 0)).hash()
    };
    {
        let db = raw(dir.path());
        db.put_cf(db.cf_handle(columns::BODIES).unwrap(), hash.0, [0xff]).unwrap();
        db.put_cf(db.cf_handle(columns::TX_INDEX).unwrap(), [9u8; 32], [1, 2]).unwrap();
    }
    let db = open(dir.path(), StatePruning::Archive);
    assert!(matches!(db.body(&hash), Err(Error::Corrupt { .. })));
    assert!(matches!(db.extrinsic_location(&H256([9; 32])), Err(Error::Corrupt { .. })));
    drop(db);
    // A best pointer to a header that is not there.
    {
        let db = raw(dir.path());
        db.delete_cf(db.cf_handle(columns::HEADERS).unwrap(), hash.0).unwrap();
    }
    assert!(matches!(open_err(dir.path()), Error::Corrupt { .. }));
}

#[test]
fn second_open_of_a_locked_database_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let _db = open(dir.path(), StatePruning::Archive);
    let err = open_err(dir.path());
    assert!(matches!(err, Error::Open { .. }), "{err}");
}

#[test]
fn keep_zero_blocks_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let err = Database::open(&config(dir.path(), StatePruning::KeepBlocks(0))).unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
}
