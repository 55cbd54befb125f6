//! The client subcommands (`key`, `tx`, `query`) driven through the real binary, without a node:
//! keystore round trips, dev-key import, wrong passwords, argument errors and connection errors.
//! Every failure must exit non-zero with a one-line message and never panic.

use std::{
    path::Path,
    process::{Command, Output, Stdio},
};

const BIN: &str = env!("CARGO_BIN_EXE_archivechain");
const ALITH: &str = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";
const BALTATHAR: &str = "0x3Cd0A705a2DC65e5b1E1205896BaA2be8A07c6e0";

/// Runs the binary with `args`, no stdin, and a clean password/URL environment.
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("ARCHIVECHAIN_PASSWORD")
        .env_remove("ARCHIVECHAIN_URL")
        .env_remove("ARCHIVECHAIN_BASE_PATH")
        .stdin(Stdio::null())
        .output()
        .expect("the archivechain binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Asserts a clean failure (non-zero, no panic) and returns stderr.
fn fails(o: Output) -> String {
    let err = stderr(&o);
    assert!(!o.status.success(), "expected failure\nstdout:\n{}\nstderr:\n{err}", stdout(&o));
    assert!(!err.contains("panicked"), "the binary panicked:\n{err}");
    assert!(!err.trim().is_empty(), "a failure must say why");
    err
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"))
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

struct Env {
    _dir: tempfile::TempDir,
    keystore: String,
    password_file: String,
    wrong_password_file: String,
}

fn env() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let pw = dir.path().join("password");
    std::fs::write(&pw, "correct horse\n").expect("write password");
    let bad = dir.path().join("wrong");
    std::fs::write(&bad, "battery staple\n").expect("write password");
    Env {
        keystore: path_str(&dir.path().join("keystore")).to_owned(),
        password_file: path_str(&pw).to_owned(),
        wrong_password_file: path_str(&bad).to_owned(),
        _dir: dir,
    }
}

#[test]
fn generate_list_inspect_round_trip() {
    let e = env();
    let out = ok(run(&[
        "key",
        "generate",
        "--scrypt-light",
        "--json",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]));
    let generated = json(&out);
    let address = generated["address"].as_str().expect("address").to_owned();
    let path = generated["path"].as_str().expect("path").to_owned();
    assert!(address.starts_with("0x") && address.len() == 42, "{address}");
    assert!(Path::new(&path).is_file(), "{path}");

    let listed = json(&ok(run(&["key", "list", "--json", "--keystore", &e.keystore])));
    let keys = listed.as_array().expect("a JSON array");
    assert_eq!(keys.len(), 1, "{listed}");
    assert_eq!(keys[0]["address"], address.as_str());
    assert_eq!(keys[0]["path"], path.as_str());

    // Human output names the address and the file.
    let human = ok(run(&["key", "list", "--keystore", &e.keystore]));
    assert!(human.contains(&address) && human.contains(&path), "{human}");

    // Inspect by address and by file, without decrypting.
    for target in [address.as_str(), path.as_str()] {
        let info = json(&ok(run(&["key", "inspect", target, "--json", "--keystore", &e.keystore])));
        assert_eq!(info["address"], address.as_str(), "{info}");
        assert_eq!(info["path"], path.as_str(), "{info}");
        assert!(info.get("secret_key").is_none(), "no secret without --show-secret: {info}");
    }

    // --show-secret decrypts, prints the secret with a warning, and the secret is the key's.
    let o = run(&[
        "key",
        "inspect",
        &address,
        "--show-secret",
        "--json",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]);
    let warning = stderr(&o);
    let info = json(&ok(o));
    let secret = info["secret_key"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 66, "{secret}");
    assert!(warning.to_lowercase().contains("warning"), "{warning}");
    assert!(info["public_key"].as_str().is_some_and(|p| p.starts_with("0x04") && p.len() == 132), "{info}");

    // Importing that secret elsewhere yields the same address.
    let other = tempfile::tempdir().expect("tempdir");
    let ks2 = other.path().join("ks");
    let secret_file = other.path().join("secret");
    std::fs::write(&secret_file, format!("{secret}\n")).expect("write secret");
    let imported = json(&ok(run(&[
        "key",
        "insert",
        "--secret-file",
        path_str(&secret_file),
        "--scrypt-light",
        "--json",
        "--keystore",
        path_str(&ks2),
        "--password-file",
        &e.password_file,
    ])));
    assert_eq!(imported["address"], address.as_str());
}

#[test]
fn insert_dev_alith_gives_its_address() {
    let e = env();
    let o = run(&[
        "key",
        "insert",
        "--dev",
        "alith",
        "--scrypt-light",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]);
    let warning = stderr(&o);
    let out = ok(o);
    assert!(out.contains(ALITH), "{out}");
    assert!(warning.contains("public"), "dev keys come with a warning: {warning}");

    let listed = json(&ok(run(&["key", "list", "--json", "--keystore", &e.keystore])));
    assert_eq!(listed[0]["address"], ALITH);

    // A second import of the same key is refused clearly.
    let err = fails(run(&[
        "key",
        "insert",
        "--dev",
        "alith",
        "--scrypt-light",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]));
    assert!(err.contains("already exists"), "{err}");

    // Unknown dev names are refused.
    let err = fails(run(&[
        "key",
        "insert",
        "--dev",
        "mallory",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]));
    assert!(err.contains("mallory") && err.contains("alith"), "{err}");
}

#[test]
fn wrong_password_is_reported() {
    let e = env();
    ok(run(&[
        "key",
        "insert",
        "--dev",
        "baltathar",
        "--scrypt-light",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]));
    let err = fails(run(&[
        "key",
        "inspect",
        BALTATHAR,
        "--show-secret",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.wrong_password_file,
    ]));
    assert!(err.to_lowercase().contains("password"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");
}

#[test]
fn no_password_source_is_a_clear_error() {
    let e = env();
    let err = fails(run(&["key", "generate", "--scrypt-light", "--keystore", &e.keystore]));
    assert!(err.contains("no password") && err.contains("--password-file"), "{err}");
}

#[test]
fn password_from_environment() {
    let e = env();
    let o = Command::new(BIN)
        .args(["key", "generate", "--scrypt-light", "--json", "--keystore", &e.keystore])
        .env("ARCHIVECHAIN_PASSWORD", "from the environment")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let address = json(&ok(o))["address"].as_str().expect("address").to_owned();
    let o = Command::new(BIN)
        .args(["key", "inspect", &address, "--show-secret", "--keystore", &e.keystore])
        .env("ARCHIVECHAIN_PASSWORD", "from the environment")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(ok(o).contains("secret key"));
}

#[test]
fn key_errors_are_clean() {
    let e = env();
    // Not an address, file or dev name.
    let err = fails(run(&["key", "inspect", "no-such-thing", "--keystore", &e.keystore]));
    assert!(err.contains("no-such-thing"), "{err}");
    // An address with no key.
    let err = fails(run(&["key", "inspect", ALITH, "--keystore", &e.keystore]));
    assert!(err.contains("no key"), "{err}");
    // A file that is not a key file.
    let err = fails(run(&["key", "inspect", &e.password_file]));
    assert!(err.contains("not a keystore"), "{err}");
    // A malformed secret is refused without echoing it.
    let err = fails(run(&[
        "key",
        "insert",
        "--secret",
        "0x5fb92d6e98884f76",
        "--keystore",
        &e.keystore,
        "--password-file",
        &e.password_file,
    ]));
    assert!(err.contains("invalid secret key") && !err.contains("5fb92d6e98884f76"), "{err}");
    // No keys: empty JSON list.
    assert_eq!(json(&ok(run(&["key", "list", "--json", "--keystore", &e.keystore]))), serde_json::json!([]));
}

/// A ws:// URL on a local port nothing listens on.
fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("ws://127.0.0.1:{port}")
}

#[test]
fn transfer_rejects_bad_amounts_and_addresses() {
    let url = closed_url();
    let cases: [(&str, &str, &str); 9] = [
        ("1.2.3", ALITH, "invalid amount"),
        ("", ALITH, "empty amount"),
        ("-1", ALITH, "negative"),
        ("0.0000000000000000001", ALITH, "decimals"),
        ("1.5DOT", ALITH, "unknown unit"),
        ("1.5units", ALITH, "whole number"),
        ("999999999999999999999999999999999999999999ARC", ALITH, "too large"),
        ("1", "0x1234", "invalid address"),
        ("1", "0xF24FF3a9CF04c71Dbc94D0b566f7A27B94566cac", "checksum"),
    ];
    for (amount, to, expected) in cases {
        let err = fails(run(&["tx", "transfer", "--from", "alith", "--to", to, "--amount", amount, "--url", &url]));
        assert!(err.contains(expected), "amount {amount:?} to {to}: expected {expected:?} in:\n{err}");
        assert!(!err.contains("cannot connect"), "argument errors come before connecting:\n{err}");
    }
    // A bad tip too.
    let err = fails(run(&["tx", "transfer", "--from", "alith", "--to", ALITH, "--amount", "1", "--tip", "x"]));
    assert!(err.contains("--tip"), "{err}");
    // An unknown signer is reported before connecting.
    let err = fails(run(&["tx", "transfer", "--from", "mallory", "--to", ALITH, "--amount", "1", "--url", &url]));
    assert!(err.contains("unknown signer") && err.contains("alith"), "{err}");
}

#[test]
fn closed_port_is_a_clear_connection_error() {
    let url = closed_url();
    let err = fails(run(&["query", "balance", ALITH, "--url", &url]));
    assert!(err.contains("cannot connect") && err.contains(&url), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");

    let http = url.replace("ws://", "http://");
    let err = fails(run(&["query", "nonce", ALITH, "--url", &http]));
    assert!(err.contains("cannot connect"), "{err}");

    let err = fails(run(&["tx", "transfer", "--from", "alith", "--to", BALTATHAR, "--amount", "1", "--url", &url]));
    assert!(err.contains("cannot connect"), "{err}");

    // ARCHIVECHAIN_URL is honoured.
    let o = Command::new(BIN)
        .args(["query", "header"])
        .env("ARCHIVECHAIN_URL", &url)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let err = fails(o);
    assert!(err.contains(&url), "{err}");

    let err = fails(run(&["query", "block", "--url", "ftp://example.com"]));
    assert!(err.contains("invalid node URL"), "{err}");
}

#[test]
fn query_argument_errors_are_clean() {
    let err = fails(run(&["query", "balance", "0x12"]));
    assert!(err.contains("invalid address"), "{err}");
    let err = fails(run(&["query", "block", "0x12"]));
    assert!(err.contains("invalid block hash"), "{err}");
    let err = fails(run(&["query", "header", "latest"]));
    assert!(err.contains("invalid block"), "{err}");
    let err = fails(run(&["query", "tx", "12"]));
    assert!(err.contains("invalid hash"), "{err}");
}
