//! Crash atomicity: a child process extends the chain and is killed with SIGKILL at arbitrary
//! points; every reopen must find a consistent database (WAL replay) that holds at least every
//! block whose commit had returned.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::Duration,
};

use super::*;

const DIR_ENV: &str = "ARCHIVE_STORAGE_CRASH_CHILD_DIR";
const PRUNING: StatePruning = StatePruning::KeepBlocks(4);

/// The deterministic state changes of block `n`: sets, overwrites and deletions.
fn changes_of(n: u32) -> Changes {
    let mut rng = Rng::new(1000 + u64::from(n));
    let mut changes: Changes = (0..40).map(|_| (vec![b'k', rng.below(200) as u8], Some(rng.bytes(36)))).collect();
    changes.extend((0..10).map(|_| (vec![b'k', rng.below(200) as u8], None)));
    changes.push((b"block".to_vec(), Some(n.to_le_bytes().to_vec())));
    changes
}

/// Not a test on its own: when started by [`sigkill_mid_commit_leaves_a_consistent_database`]
/// (which sets the env var) it extends the chain until it is killed.
#[test]
fn crash_child_process() {
    let Ok(dir) = std::env::var(DIR_ENV) else {
        return;
    };
    let db = open(Path::new(&dir), PRUNING);
    let mut parent = db.best().map(|(hash, _)| db.header(&hash).unwrap().unwrap());
    let mut out = std::io::stdout();
    loop {
        let n = parent.as_ref().map_or(0, |p| p.number + 1);
        let header = commit(&db, block(&db, parent.as_ref(), changes_of(n), 0));
        if n >= 2 && n.checked_rem(3) == Some(0) {
            db.set_finalized(&db.hash_at(n - 2).unwrap().unwrap(), Some(n.to_le_bytes().to_vec())).unwrap();
        }
        db.offchain_set(b"last", Some(&n.to_le_bytes())).unwrap();
        writeln!(out, "committed {n}").unwrap();
        out.flush().unwrap();
        parent = Some(header);
    }
}

fn verify(db: &Database, acknowledged: u32) -> u32 {
    let (best_hash, best) = db.best().unwrap();
    assert!(best >= acknowledged, "block #{acknowledged} was committed but best is #{best}");
    assert_eq!(db.hash_at(best).unwrap(), Some(best_hash));
    assert_eq!(db.hash_at(best + 1).unwrap(), None);
    let mut child_hash = None;
    for n in (0..=best).rev() {
        let hash = db.hash_at(n).unwrap().unwrap();
        let header = db.header(&hash).unwrap().unwrap();
        assert_eq!(header.number, n);
        if let Some(child_parent) = child_hash {
            assert_eq!(hash, child_parent, "canonical #{n} is not the parent of #{}", n + 1);
        }
        assert_eq!(db.body(&hash).unwrap().map(|b| b.len()), Some(2));
        child_hash = Some(header.parent_hash);
    }
    assert_eq!(db.genesis_hash(), db.hash_at(0).unwrap());
    if let Some((hash, number)) = db.finalized() {
        assert_eq!(db.hash_at(number).unwrap(), Some(hash));
    }

    let mut model = Model::new();
    for n in 0..=best {
        apply(&mut model, &changes_of(n));
    }
    let best_root = db.header(&best_hash).unwrap().unwrap().state_root;
    assert_state(db, &best_root, &model);
    let kept: Vec<H256> = (best.saturating_sub(4)..=best)
        .map(|n| db.header(&db.hash_at(n).unwrap().unwrap()).unwrap().unwrap().state_root)
        .collect();
    assert_nodes_exactly(db, &kept);
    best
}

#[test]
fn sigkill_mid_commit_leaves_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged = 0;
    for round in 0..10u32 {
        let mut child = Command::new(&exe)
            .args(["tests::crash::crash_child_process", "--exact", "--nocapture", "--test-threads=1"])
            .env(DIR_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = acknowledged + 3 + round % 4;
        while acknowledged < target {
            let line = lines.next().expect("child exited early").unwrap();
            if let Some(n) = line.strip_prefix("committed ") {
                acknowledged = n.parse().unwrap();
            }
        }
        std::thread::sleep(Duration::from_micros(u64::from(round) * 450));
        child.kill().unwrap();
        child.wait().unwrap();
        // Lines the child printed before dying are acknowledged commits too.
        for line in lines.map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("committed ") {
                acknowledged = n.parse().unwrap();
            }
        }

        let db = open(dir.path(), PRUNING);
        let best = verify(&db, acknowledged);
        let last = db.offchain_get(b"last").unwrap().map(|v| u32::from_le_bytes(v.try_into().unwrap()));
        assert!(last.is_some_and(|l| l + 1 >= best && l >= acknowledged));
        acknowledged = best;
    }
}
