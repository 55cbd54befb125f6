//! Behaviour of the keystore: official vectors, the on-disk layout, and the failure modes.

use std::{fs, os::unix::fs::PermissionsExt, path::Path};

use archive_keystore::{address_of, decrypt_key_file, decrypt_key_json, encrypt_key, Error, Keystore, ScryptParams};
use archive_primitives::AccountId20;
use serde_json::Value;

const VECTOR_PASSWORD: &str = "testpassword";
const VECTOR_SECRET: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const VECTOR_ADDRESS: &str = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b";
const ALITH_SECRET: &str = "0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133";
const ALITH: &str = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";

/// The Web3 Secret Storage scrypt test vector, verbatim. Note r = 1, p = 8 (N = 2^18 breaks
/// RFC 7914's N < 2^(16 r) rule, which geth does not enforce); with r = 8, p = 1 the MAC fails.
const SCRYPT_VECTOR: &str = r#"{
    "crypto" : {
        "cipher" : "aes-128-ctr",
        "cipherparams" : { "iv" : "83dbcc02d8ccb40e466191a123791e0e" },
        "ciphertext" : "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
        "kdf" : "scrypt",
        "kdfparams" : {
            "dklen" : 32, "n" : 262144, "p" : 8, "r" : 1,
            "salt" : "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
        },
        "mac" : "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
    },
    "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version" : 3
}"#;

/// The Web3 Secret Storage PBKDF2 test vector, verbatim.
const PBKDF2_VECTOR: &str = r#"{
    "crypto" : {
        "cipher" : "aes-128-ctr",
        "cipherparams" : { "iv" : "6087dab2f9fdbbfaddc31a909735c1e6" },
        "ciphertext" : "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf" : "pbkdf2",
        "kdfparams" : {
            "c" : 262144, "dklen" : 32, "prf" : "hmac-sha256",
            "salt" : "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
        },
        "mac" : "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
    },
    "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version" : 3
}"#;

fn secret(hex_str: &str) -> [u8; 32] {
    hex::decode(hex_str.trim_start_matches("0x")).expect("hex").try_into().expect("32 bytes")
}

fn light_keystore(dir: &Path) -> Keystore {
    Keystore::open(dir).expect("open").with_scrypt_params(ScryptParams::light())
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

fn edit_json(json: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(json).expect("json");
    edit(&mut v);
    v.to_string()
}

fn assert_invalid(result: Result<archive_keystore::SecretKey, Error>, what: &str) {
    match result {
        Err(Error::InvalidKeystore { .. }) => {}
        other => panic!("{what}: expected InvalidKeystore, got {other:?}"),
    }
}

#[test]
fn official_scrypt_vector_decrypts() {
    let key = decrypt_key_json(SCRYPT_VECTOR, VECTOR_PASSWORD).expect("decrypts");
    assert_eq!(hex::encode(key.bytes()), VECTOR_SECRET);
    assert_eq!(hex::encode(key.address().0), VECTOR_ADDRESS);
    // (Not repeated with a wrong password: N = 2^18 with r = 1 takes seconds in debug builds.)
}

#[test]
fn official_pbkdf2_vector_decrypts() {
    let key = decrypt_key_json(PBKDF2_VECTOR, VECTOR_PASSWORD).expect("decrypts");
    assert_eq!(hex::encode(key.bytes()), VECTOR_SECRET);
    assert!(matches!(decrypt_key_json(PBKDF2_VECTOR, "wrong"), Err(Error::WrongPassword)));
}

#[test]
fn pbkdf2_file_with_upper_hex_and_prefixed_address_decrypts() {
    let json = edit_json(PBKDF2_VECTOR, |v| {
        v["address"] = Value::from(format!("0x{}", VECTOR_ADDRESS.to_uppercase()));
        let c = &mut v["crypto"];
        c["ciphertext"] = Value::from(c["ciphertext"].as_str().expect("str").to_uppercase());
        c["mac"] = Value::from(format!("0x{}", c["mac"].as_str().expect("str")));
    });
    let key = decrypt_key_json(&json, VECTOR_PASSWORD).expect("decrypts");
    assert_eq!(hex::encode(key.bytes()), VECTOR_SECRET);
}

#[test]
fn address_field_must_match_the_key() {
    let json = edit_json(PBKDF2_VECTOR, |v| v["address"] = Value::from(ALITH));
    match decrypt_key_json(&json, VECTOR_PASSWORD) {
        Err(Error::AddressMismatch { expected, actual }) => {
            assert_eq!(expected.to_string(), ALITH);
            assert_eq!(hex::encode(actual.0), VECTOR_ADDRESS);
        }
        other => panic!("expected AddressMismatch, got {other:?}"),
    }
}

#[test]
fn generate_then_unlock_round_trips() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let a = ks.generate("pw-a").expect("generate");
    let b = ks.generate("pw-b").expect("generate");
    assert_ne!(a, b);
    let key = ks.unlock(&a, "pw-a").expect("unlock");
    assert_eq!(key.address(), a);
    assert_eq!(address_of(key.bytes()).expect("valid"), a);
    assert_eq!(ks.unlock(&b, "pw-b").expect("unlock").address(), b);
    // A fresh handle on the same directory sees the same keys.
    let again = Keystore::open(tmp.path()).expect("open");
    assert_eq!(again.unlock(&a, "pw-a").expect("unlock").bytes(), key.bytes());
}

#[test]
fn wrong_password_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let a = ks.generate("right").expect("generate");
    assert!(matches!(ks.unlock(&a, "wrong"), Err(Error::WrongPassword)));
    assert!(matches!(ks.unlock(&a, ""), Err(Error::WrongPassword)));
    assert!(matches!(ks.unlock(&a, "right "), Err(Error::WrongPassword)));
}

#[test]
fn tampered_ciphertext_or_mac_is_wrong_password() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let a = ks.insert(&secret(ALITH_SECRET), "pw").expect("insert");
    let path = ks.find(&a).expect("find").expect("present");
    let original = fs::read_to_string(&path).expect("read");

    for field in ["ciphertext", "mac"] {
        let tampered = edit_json(&original, |v| {
            let hex_str = v["crypto"][field].as_str().expect("str").to_owned();
            let mut bytes = hex::decode(hex_str).expect("hex");
            bytes[5] ^= 0x01;
            v["crypto"][field] = Value::from(hex::encode(bytes));
        });
        fs::write(&path, &tampered).expect("write");
        assert!(matches!(ks.unlock(&a, "pw"), Err(Error::WrongPassword)), "{field}");
        assert!(matches!(decrypt_key_json(&tampered, "pw"), Err(Error::WrongPassword)), "{field}");
    }
    fs::write(&path, &original).expect("restore");
    assert_eq!(ks.unlock(&a, "pw").expect("unlock").address(), a);
}

#[test]
fn files_are_0600_in_a_0700_directory_with_no_leftovers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("nested").join("keystore");
    let ks = light_keystore(&dir);
    assert_eq!(mode(&dir), 0o700);
    let a = ks.generate("pw").expect("generate");
    let path = ks.find(&a).expect("find").expect("present");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(path.parent(), Some(dir.as_path()));
    // Only the key file remains: the temporary file was renamed, not copied.
    let names: Vec<_> = fs::read_dir(&dir).expect("read_dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names, vec![path.file_name().expect("name").to_owned()]);
}

#[test]
fn insert_alith_gives_her_address_and_a_geth_style_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let a = ks.insert(&secret(ALITH_SECRET), "pw").expect("insert");
    assert_eq!(a.to_string(), ALITH);

    let path = ks.find(&a).expect("find").expect("present");
    let name = path.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
    let (prefix, rest) = name.split_at(5);
    assert_eq!(prefix, "UTC--");
    let (time, addr) = rest.split_once("--").expect("two parts");
    assert_eq!(addr, "f24ff3a9cf04c71dbc94d0b566f7a27b94566cac");
    // 2024-01-02T03-04-05.123456789Z: no ':' anywhere.
    assert_eq!(time.len(), 30, "{time}");
    assert!(time.ends_with('Z') && !time.contains(':') && time.as_bytes()[10] == b'T', "{time}");

    match ks.insert(&secret(ALITH_SECRET), "other") {
        Err(Error::AlreadyExists { address }) => assert_eq!(address, a),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(ks.list().expect("list").len(), 1);
    assert_eq!(hex::encode(ks.unlock(&a, "pw").expect("unlock").bytes()), ALITH_SECRET.trim_start_matches("0x"));
}

#[test]
fn list_finds_keys_sorted_and_skips_junk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let mut expected = vec![ks.generate("x").expect("generate"), ks.generate("y").expect("generate")];
    // A file from another wallet, without an address field: known by its geth-style name.
    let foreign = tmp.path().join(format!("UTC--2015-01-01T00-00-00.000000000Z--{VECTOR_ADDRESS}"));
    fs::write(&foreign, PBKDF2_VECTOR).expect("write");
    expected.push(AccountId20(hex::decode(VECTOR_ADDRESS).expect("hex").try_into().expect("20 bytes")));
    expected.sort();

    fs::write(tmp.path().join("README.txt"), "not a key").expect("write");
    fs::write(tmp.path().join("UTC--2020-01-01T00-00-00Z--0000000000000000000000000000000000000000"), "{")
        .expect("write");
    fs::write(tmp.path().join("other.json"), r#"{"version":3,"hello":"world"}"#).expect("write");
    fs::write(tmp.path().join("no-address-no-name.json"), PBKDF2_VECTOR).expect("write");
    fs::write(tmp.path().join("empty"), "").expect("write");
    fs::write(tmp.path().join("binary"), [0xffu8, 0x00, 0xfe]).expect("write");
    fs::create_dir(tmp.path().join("subdir")).expect("mkdir");

    let listed = ks.list().expect("list");
    let addresses: Vec<_> = listed.iter().map(|k| k.address).collect();
    assert_eq!(addresses, expected);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    let foreign_info = listed.iter().find(|k| hex::encode(k.address.0) == VECTOR_ADDRESS).expect("foreign listed");
    assert_eq!(foreign_info.path, foreign);
    let unlocked = ks.unlock(&foreign_info.address, VECTOR_PASSWORD).expect("unlock foreign");
    assert_eq!(hex::encode(unlocked.bytes()), VECTOR_SECRET);
}

#[test]
fn json_has_the_exact_v3_layout() {
    let json = encrypt_key(&secret(ALITH_SECRET), "pw", ScryptParams::light()).expect("encrypt");
    let v: Value = serde_json::from_str(&json).expect("json");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), ["address", "crypto", "id", "version"]);
    assert_eq!(v["version"], 3);
    uuid::Uuid::parse_str(v["id"].as_str().expect("id")).expect("uuid");
    assert_eq!(v["address"], "f24ff3a9cf04c71dbc94d0b566f7a27b94566cac");
    let c = &v["crypto"];
    assert_eq!(keys(c), ["cipher", "cipherparams", "ciphertext", "kdf", "kdfparams", "mac"]);
    assert_eq!(c["cipher"], "aes-128-ctr");
    assert_eq!(c["kdf"], "scrypt");
    assert_eq!(keys(&c["cipherparams"]), ["iv"]);
    assert_eq!(keys(&c["kdfparams"]), ["dklen", "n", "p", "r", "salt"]);
    assert_eq!(c["kdfparams"]["dklen"], 32);
    assert_eq!(c["kdfparams"]["n"], 4096);
    assert_eq!(c["kdfparams"]["r"], 8);
    assert_eq!(c["kdfparams"]["p"], 1);
    let is_lower_hex = |s: &Value, len: usize| {
        let s = s.as_str().expect("str");
        s.len() == len && s.chars().all(|ch| ch.is_ascii_digit() || ('a'..='f').contains(&ch))
    };
    assert!(is_lower_hex(&c["kdfparams"]["salt"], 64));
    assert!(is_lower_hex(&c["cipherparams"]["iv"], 32));
    assert!(is_lower_hex(&c["ciphertext"], 64));
    assert!(is_lower_hex(&c["mac"], 64));
    // The ciphertext is not the plaintext, and two encryptions differ (fresh salt, iv, id).
    assert_ne!(c["ciphertext"], ALITH_SECRET.trim_start_matches("0x"));
    let again = encrypt_key(&secret(ALITH_SECRET), "pw", ScryptParams::light()).expect("encrypt");
    assert_ne!(json, again);
    assert_eq!(decrypt_key_json(&again, "pw").expect("decrypt").address().to_string(), ALITH);
}

#[test]
fn default_scrypt_params_are_geths_standard() {
    assert_eq!(ScryptParams::default(), ScryptParams { log_n: 18, r: 8, p: 1 });
    assert_eq!(ScryptParams::light(), ScryptParams { log_n: 12, r: 8, p: 1 });
    let tmp = tempfile::tempdir().expect("tempdir");
    assert_eq!(Keystore::open(tmp.path()).expect("open").scrypt_params(), ScryptParams::default());
    assert!(matches!(
        encrypt_key(&secret(ALITH_SECRET), "pw", ScryptParams { log_n: 12, r: 0, p: 1 }),
        Err(Error::InvalidScryptParams { .. })
    ));
}

#[test]
fn invalid_scalars_are_rejected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    assert!(matches!(ks.insert(&[0u8; 32], "pw"), Err(Error::InvalidSecretKey)));
    assert!(matches!(ks.insert(&[0xffu8; 32], "pw"), Err(Error::InvalidSecretKey)));
    assert!(matches!(encrypt_key(&[0u8; 32], "pw", ScryptParams::light()), Err(Error::InvalidSecretKey)));
    assert_eq!(fs::read_dir(tmp.path()).expect("read_dir").count(), 0);
}

#[test]
fn malformed_files_are_invalid_keystore() {
    assert_invalid(decrypt_key_json("this is not json", "pw"), "garbage");
    assert_invalid(decrypt_key_json("", "pw"), "empty");
    assert_invalid(decrypt_key_json("{}", "pw"), "empty object");
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("version 2", Box::new(|v| v["version"] = Value::from(2))),
        ("bad hex", Box::new(|v| v["crypto"]["ciphertext"] = Value::from("zz"))),
        ("short iv", Box::new(|v| v["crypto"]["cipherparams"]["iv"] = Value::from("00"))),
        ("short mac", Box::new(|v| v["crypto"]["mac"] = Value::from("abcd"))),
        ("bad address", Box::new(|v| v["address"] = Value::from("0x1234"))),
        ("cipher", Box::new(|v| v["crypto"]["cipher"] = Value::from("aes-256-gcm"))),
        ("kdf", Box::new(|v| v["crypto"]["kdf"] = Value::from("argon2"))),
        ("prf", Box::new(|v| v["crypto"]["kdfparams"]["prf"] = Value::from("hmac-sha512"))),
        ("dklen", Box::new(|v| v["crypto"]["kdfparams"]["dklen"] = Value::from(16))),
        ("c = 0", Box::new(|v| v["crypto"]["kdfparams"]["c"] = Value::from(0))),
        ("huge c", Box::new(|v| v["crypto"]["kdfparams"]["c"] = Value::from(u64::MAX))),
        (
            "missing salt",
            Box::new(|v| v["crypto"]["kdfparams"] = serde_json::json!({"c": 1, "dklen": 32, "prf": "hmac-sha256"})),
        ),
        ("scrypt n not a power of two", Box::new(|v| scrypt_params(v, 1000, 8, 1))),
        ("scrypt n = 1", Box::new(|v| scrypt_params(v, 1, 8, 1))),
        ("scrypt huge n", Box::new(|v| scrypt_params(v, 1 << 40, 8, 1))),
        ("scrypt r = 0", Box::new(|v| scrypt_params(v, 1024, 0, 1))),
        ("scrypt p = 0", Box::new(|v| scrypt_params(v, 1024, 8, 0))),
        ("scrypt huge p", Box::new(|v| scrypt_params(v, 1024, 8, 1 << 31))),
    ];
    for (what, edit) in cases {
        assert_invalid(decrypt_key_json(&edit_json(PBKDF2_VECTOR, |v| edit(v)), VECTOR_PASSWORD), what);
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("garbage.json");
    fs::write(&path, "{\"version\":3,").expect("write");
    match decrypt_key_file(&path, "pw") {
        Err(Error::InvalidKeystore { path: Some(p), .. }) => assert_eq!(p, path),
        other => panic!("expected InvalidKeystore with path, got {other:?}"),
    }
    assert!(matches!(decrypt_key_file(&tmp.path().join("missing"), "pw"), Err(Error::Io { .. })));
}

fn scrypt_params(v: &mut Value, n: u64, r: u64, p: u64) {
    v["crypto"]["kdf"] = Value::from("scrypt");
    v["crypto"]["kdfparams"] = serde_json::json!({"dklen": 32, "n": n, "r": r, "p": p, "salt": "00"});
}

#[test]
fn unlocking_an_unknown_account_is_not_found() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ks = light_keystore(tmp.path());
    let alith: AccountId20 = ALITH.parse().expect("address");
    assert!(matches!(ks.unlock(&alith, "pw"), Err(Error::NotFound { address }) if address == alith));
    assert_eq!(ks.find(&alith).expect("find"), None);
    assert!(ks.list().expect("list").is_empty());
}
