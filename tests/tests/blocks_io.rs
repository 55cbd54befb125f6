//! Offline chain commands on real databases: `export-blocks` / `import-blocks` round trip (and
//! refusal of corrupted files without damaging the target database), `build-spec --raw` giving a
//! spec that `--chain <file>` accepts with the dev genesis, and `purge-chain -y`.

use std::{path::Path, time::Duration};

use archive_integration_tests::*;

const CMD_TIMEOUT: Duration = Duration::from_secs(120);

fn cli(args: &[&str]) -> CmdOutput {
    run_cli(args, CMD_TIMEOUT).expect("run archivechain")
}

#[track_caller]
fn assert_clean_failure(out: &CmdOutput, what: &str) {
    assert!(out.status.is_some(), "{what}: did not finish within {CMD_TIMEOUT:?}\n{out}");
    assert!(!out.success(), "{what}: expected a non-zero exit\n{out}");
    assert!(!out.all_output().contains("panicked"), "{what}: panicked\n{out}");
    assert!(out.stderr.contains("Error:"), "{what}: no error message on stderr\n{out}");
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The blocks of an export file: (offset of the length prefix, length) of each.
fn blocks_in(file: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= file.len() {
        let len = u32::from_le_bytes(file[at..at + 4].try_into().expect("4 bytes")) as usize;
        out.push((at, len));
        at += 4 + len;
    }
    assert_eq!(at, file.len(), "export file does not end on a block boundary");
    out
}

/// Authors ~10 blocks with transfers on a fresh chain at `base`; returns (best number, best hash,
/// genesis hash). The node is stopped (SIGTERM) on return.
fn author_chain(base: &Path) -> (u32, H256, H256) {
    let mut node = Node::start(base, &["--dev", "--instant-seal"]).expect("start author node");
    let genesis = node.genesis_hash();
    let (alith, balt) = (dev_pair("alith"), dev_pair("baltathar"));
    for i in 0..10u32 {
        let before = node.best_number();
        // One or two transfers per block, to fresh and existing accounts.
        let mut xts = vec![transfer(&node, &alith, i, fresh_account(&format!("blocks-io {i}")), ONE_ARC)];
        if i % 2 == 0 {
            xts.push(transfer(&node, &balt, i / 2, alith.account(), 2 * ONE_ARC));
        }
        submit_all(&node, &xts);
        node.wait_for_block(before + 1);
        let all_in = wait_until(Duration::from_secs(30), || node.nonce(alith.account()) == i + 1);
        assert!(all_in, "transfer {i} not included");
    }
    let (best, hash) = (node.best_number(), node.best_hash());
    assert!(best >= 10, "only {best} blocks");
    let stopped = node.stop().expect("was running");
    assert!(stopped.1 && stopped.0.success(), "SIGTERM did not stop the node cleanly: {stopped:?}");
    (best, hash, genesis)
}

#[test]
fn export_import_round_trip_and_corrupted_files_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let (best, best_hash, genesis) = author_chain(&a);

    let file = tmp.path().join("blocks.bin");
    let out = cli(&["export-blocks", "--base-path", s(&a), "--dev", s(&file)]);
    assert!(out.success(), "export failed\n{out}");
    assert!(out.stderr.contains(&format!("exported {best} blocks")), "{out}");
    let bytes = std::fs::read(&file).expect("export file");
    assert_eq!(blocks_in(&bytes).len(), best as usize);

    let out = cli(&["import-blocks", "--base-path", s(&b), "--dev", s(&file)]);
    assert!(out.success(), "import failed\n{out}");
    assert!(out.stderr.contains(&format!("imported {best} blocks (0 already known)")), "{out}");
    // Importing again: everything is known, nothing changes.
    let out = cli(&["import-blocks", "--base-path", s(&b), "--dev", s(&file)]);
    assert!(out.success() && out.stderr.contains(&format!("({best} already known)")), "re-import\n{out}");

    // B has the same chain: same best, and exporting it gives the same bytes.
    let again = tmp.path().join("again.bin");
    assert!(cli(&["export-blocks", "--base-path", s(&b), "--dev", s(&again)]).success());
    assert!(std::fs::read(&again).expect("re-export") == bytes, "B exports different blocks than A");
    {
        // Instant seal authors nothing without transactions: the best block stays put.
        let node = Node::start(&b, &["--dev", "--instant-seal"]).expect("B opens");
        assert_eq!(node.genesis_hash(), genesis);
        assert_eq!((node.best_number(), node.best_hash()), (best, best_hash), "B's best differs from A's");
        let alith = dev_pair("alith").account();
        assert_eq!(node.account(alith, None).expect("alith").nonce, 10);
    }

    // Corrupted files: each refused with a message and a non-zero exit; B still opens at the
    // same best block.
    let blocks = blocks_in(&bytes);
    let (mid_at, mid_len) = blocks[blocks.len() / 2];
    let mut flipped = bytes.clone();
    for k in [mid_len / 3, mid_len / 2, mid_len - 5] {
        flipped[mid_at + 4 + k] ^= 0xff;
    }
    // The last byte of the block is the last byte of its last extrinsic (a transfer amount):
    // the header and its seal stay intact, the extrinsics root no longer matches.
    let mut xt_flip = bytes.clone();
    xt_flip[mid_at + 4 + mid_len - 1] ^= 0x01;
    let mut huge_len = bytes.clone();
    huge_len[mid_at..mid_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let truncated = bytes[..mid_at + 4 + mid_len / 2].to_vec();
    let mut header_flip = bytes.clone();
    // Inside the header (parent hash ++ compact number ++ state root…): the state root.
    header_flip[mid_at + 4 + 40] ^= 0x01;
    let variants = [
        ("flipped bytes", flipped),
        ("extrinsic bit flip", xt_flip),
        ("huge length prefix", huge_len),
        ("truncated", truncated),
        ("header bit flip", header_flip),
    ];
    for (what, corrupt) in variants {
        let path = tmp.path().join("corrupt.bin");
        std::fs::write(&path, &corrupt).expect("write");
        // Into an empty database C, and into B (which has all the genuine blocks; a body-only
        // corruption of a block B already has is not detected: see the ignored test below).
        let targets: &[&Path] = if what == "extrinsic bit flip" { &[&c] } else { &[&c, &b] };
        for &target in targets {
            let out = cli(&["import-blocks", "--base-path", s(target), "--dev", s(&path)]);
            assert_clean_failure(&out, &format!("{what} into {}", target.display()));
            eprintln!("{what} into {}: {}", target.display(), out.stderr.trim());
            let msg = out.stderr.to_lowercase();
            assert!(
                ["corrupt", "truncated", "rejected"].iter().any(|w| msg.contains(w)),
                "{what}: the message does not say what is wrong\n{out}"
            );
        }
        let node = Node::start(&b, &["--dev", "--instant-seal"]).expect("B still opens");
        assert_eq!((node.best_number(), node.best_hash()), (best, best_hash), "{what}: B changed");
        drop(node);
        // C holds exactly the blocks before the corrupted one, and opens.
        let node = Node::start(&c, &["--dev", "--instant-seal"]).expect("C opens");
        let good_prefix = (blocks.len() / 2) as u32;
        assert_eq!(node.best_number(), good_prefix, "{what}: C should hold the blocks before the corrupted one");
        assert_eq!(node.genesis_hash(), genesis);
    }
}

/// NODE BUG (reported): `import-blocks` skips a block whose header hash is already in the
/// database without looking at its body, so a file whose extrinsics were corrupted (header and
/// seal intact) "imports" with exit 0 ("N already known") into a database that has the genuine
/// blocks. The database is not damaged, but the corrupted file goes unnoticed.
#[test]
fn corrupted_body_of_an_already_known_block_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = tmp.path().join("a");
    author_chain(&a);
    let file = tmp.path().join("blocks.bin");
    assert!(cli(&["export-blocks", "--base-path", s(&a), "--dev", s(&file)]).success());
    let mut bytes = std::fs::read(&file).expect("export file");
    let (at, len) = blocks_in(&bytes)[5];
    bytes[at + 4 + len - 1] ^= 0x01;
    std::fs::write(&file, &bytes).expect("write");
    let out = cli(&["import-blocks", "--base-path", s(&a), "--dev", s(&file)]);
    assert_clean_failure(&out, "extrinsic bit flip in a known block");
}

#[test]
fn raw_chain_spec_is_accepted_with_the_dev_genesis() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dev_genesis =
        Node::start(&tmp.path().join("dev"), &["--dev", "--instant-seal"]).expect("dev node").genesis_hash();
    for raw in [true, false] {
        let mut args = vec!["build-spec", "--chain", "dev"];
        if raw {
            args.push("--raw");
        }
        let out = cli(&args);
        assert!(out.success(), "build-spec failed\n{out}");
        let spec: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
        assert_eq!(spec["id"], "archivechain_dev");
        assert_eq!(spec["genesis"].get("raw").is_some(), raw, "{}", spec["genesis"]);
        let file = tmp.path().join(format!("spec-{raw}.json"));
        std::fs::write(&file, &out.stdout).expect("write spec");
        let node = Node::start(&tmp.path().join(format!("from-file-{raw}")), &["--chain", s(&file), "--instant-seal"])
            .expect("a node starts from the spec file");
        assert_eq!(node.genesis_hash(), dev_genesis, "genesis from the spec file (raw: {raw}) differs from --dev");
        assert_eq!(node.call("system_chain", serde_json::json!([])), "ArchiveChain Development");
    }
}

#[test]
fn purge_chain_removes_the_database() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = tmp.path().join("base");
    let genesis = {
        let node = Node::start(&base, &["--dev", "--instant-seal"]).expect("node");
        let h = node.submit(&transfer(&node, &dev_pair("alith"), 0, fresh_account("purge"), ONE_ARC)).expect("submit");
        node.wait_for_extrinsic(h, 1, Duration::from_secs(30)).expect("included");
        node.genesis_hash()
    };
    let db = base.join("chains").join("archivechain_dev").join("db");
    assert!(db.is_dir(), "no database at {}", db.display());
    let out = cli(&["purge-chain", "-y", "--base-path", s(&base), "--dev"]);
    assert!(out.success(), "purge failed\n{out}");
    assert!(!db.exists(), "the database is still there after purge-chain -y\n{out}");
    assert!(out.stdout.contains("deleted"), "{out}");
    // Nothing left to purge: still a success, with a message.
    let out = cli(&["purge-chain", "-y", "--base-path", s(&base), "--dev"]);
    assert!(out.success() && out.stdout.contains("nothing to purge"), "{out}");
    // Without -y and without a "y" answer (stdin is empty), nothing is deleted.
    let node = Node::start(&base, &["--dev", "--instant-seal"]).expect("node on a purged base path");
    assert_eq!((node.best_number(), node.genesis_hash()), (0, genesis), "a purged chain restarts from genesis");
    drop(node);
    let out = cli(&["purge-chain", "--base-path", s(&base), "--dev"]);
    assert!(out.success(), "{out}");
    assert!(db.is_dir(), "purge-chain without -y and without confirmation deleted the database\n{out}");
}
