//! `archivechain key`: generate, import, list and inspect the secp256k1 keys of the keystore
//! (Ethereum keystore v3 files, one per key).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use archive_keystore::{Keystore, ScryptParams};
use archive_primitives::{crypto::dev, AccountId20, Pair};
use clap::{ArgGroup, Args, Subcommand};
use serde_json::{json, Value};

use crate::{
    client_cmds::{self, KeystoreArgs},
    output,
};

/// `archivechain key ...`.
#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Generate a random key and store it, encrypted, in the keystore.
    Generate(GenerateArgs),
    /// Show a key's address and key-file details (--show-secret also decrypts it).
    Inspect(InspectArgs),
    /// Import a secret key (--secret, --secret-file or --dev NAME) into the keystore.
    Insert(InsertArgs),
    /// List the keys in the keystore.
    List(ListArgs),
}

/// `key generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    keystore: KeystoreArgs,
    /// Encrypt with cheap scrypt parameters (N = 2^12): fast, INSECURE — tests and dev only.
    #[arg(long)]
    scrypt_light: bool,
    /// Print JSON (`{"address", "path"}`) on stdout.
    #[arg(long)]
    json: bool,
}

/// `key inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// An address in the keystore, a key file, or a dev account name.
    #[arg(value_name = "ADDRESS|FILE")]
    key: String,
    /// Decrypt the key and print its secret (and public key). Anyone who sees the secret
    /// controls the account.
    #[arg(long)]
    show_secret: bool,
    #[command(flatten)]
    keystore: KeystoreArgs,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// `key insert`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("source").required(true).args(["secret", "secret_file", "dev"])))]
pub struct InsertArgs {
    /// The secret key as 0x + 64 hex digits (visible to other local users in the process list:
    /// prefer --secret-file).
    #[arg(long, value_name = "HEX")]
    secret: Option<String>,
    /// A file holding the secret key as hex (surrounding whitespace ignored).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Import a development account by name (alith, baltathar, charleth, dorothy, ethan, faith).
    #[arg(long, value_name = "NAME")]
    dev: Option<String>,
    /// Encrypt with cheap scrypt parameters (N = 2^12): fast, INSECURE — tests and dev only.
    #[arg(long)]
    scrypt_light: bool,
    #[command(flatten)]
    keystore: KeystoreArgs,
    /// Print JSON (`{"address", "path"}`) on stdout.
    #[arg(long)]
    json: bool,
}

/// `key list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    keystore: KeystoreArgs,
    /// Print JSON (`[{"address", "path"}, ...]`) on stdout.
    #[arg(long)]
    json: bool,
}

/// Runs a `key` subcommand.
pub fn run(cmd: KeyCmd) -> anyhow::Result<()> {
    match cmd {
        KeyCmd::Generate(args) => generate(args),
        KeyCmd::Inspect(args) => inspect(args),
        KeyCmd::Insert(args) => insert(args),
        KeyCmd::List(args) => list(args),
    }
}

fn open_with_params(ks: &KeystoreArgs, light: bool) -> anyhow::Result<Keystore> {
    let keystore = ks.open()?;
    if light {
        output::warn("--scrypt-light keys are cheap to brute-force: use them for tests and dev chains only");
        Ok(keystore.with_scrypt_params(ScryptParams::light()))
    } else {
        Ok(keystore)
    }
}

fn key_path(keystore: &Keystore, address: &AccountId20) -> anyhow::Result<PathBuf> {
    keystore
        .find(address)
        .with_context(|| format!("cannot read keystore {}", keystore.dir().display()))?
        .ok_or_else(|| anyhow!("the key file of {address} disappeared from {}", keystore.dir().display()))
}

fn print_address_and_path(address: &AccountId20, path: &Path, json_out: bool) {
    if json_out {
        output::print_json(&json!({ "address": address.to_string(), "path": path.display().to_string() }));
    } else {
        output::print_fields(&[("address", address.to_string()), ("file", path.display().to_string())]);
    }
}

fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    let keystore = open_with_params(&args.keystore, args.scrypt_light)?;
    let password = args.keystore.password("Password for the new key", true)?;
    let address = keystore
        .generate(&password)
        .with_context(|| format!("cannot store the new key in {}", keystore.dir().display()))?;
    let path = key_path(&keystore, &address)?;
    print_address_and_path(&address, &path, args.json);
    Ok(())
}

/// Parses a hex secret without ever echoing it.
fn parse_secret(text: &str) -> anyhow::Result<[u8; 32]> {
    let t = text.trim();
    let digits = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    let bytes =
        hex::decode(digits).map_err(|_| anyhow!("invalid secret key: expected 0x followed by 64 hex digits"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow!("invalid secret key: expected 32 bytes (64 hex digits), got {} bytes", bytes.len()))
}

fn insert(args: InsertArgs) -> anyhow::Result<()> {
    let secret: [u8; 32] = if let Some(name) = &args.dev {
        let pair = client_cmds::dev_pair(name)
            .ok_or_else(|| anyhow!("unknown dev account `{name}`: expected one of {}", client_cmds::dev_names()))?;
        pair.secret_bytes()
    } else if let Some(path) = &args.secret_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read secret key file {}", path.display()))?;
        parse_secret(&text)?
    } else if let Some(hex) = &args.secret {
        output::warn(
            "a secret given with --secret is visible in the process list and shell history; prefer --secret-file",
        );
        parse_secret(hex)?
    } else {
        bail!("give the key with --secret, --secret-file or --dev");
    };
    let address =
        Pair::from_secret(&secret).map_err(|_| anyhow!("invalid secret key: not a valid secp256k1 scalar"))?.account();
    let keystore = open_with_params(&args.keystore, args.scrypt_light)?;
    if keystore.find(&address).with_context(|| format!("cannot read keystore {}", keystore.dir().display()))?.is_some()
    {
        bail!("a key for {address} already exists in keystore {}", keystore.dir().display());
    }
    let password = args.keystore.password("Password for the imported key", true)?;
    let address = keystore
        .insert(&secret, &password)
        .with_context(|| format!("cannot import the key into {}", keystore.dir().display()))?;
    let path = key_path(&keystore, &address)?;
    print_address_and_path(&address, &path, args.json);
    Ok(())
}

fn list(args: ListArgs) -> anyhow::Result<()> {
    let dir = args.keystore.dir()?;
    let keys = if dir.exists() {
        Keystore::open(&dir)
            .and_then(|k| k.list())
            .with_context(|| format!("cannot read keystore {}", dir.display()))?
    } else {
        Vec::new()
    };
    if args.json {
        let items: Vec<Value> = keys
            .iter()
            .map(|k| json!({ "address": k.address.to_string(), "path": k.path.display().to_string() }))
            .collect();
        output::print_json(&Value::Array(items));
    } else if keys.is_empty() {
        eprintln!("no keys in keystore {}", dir.display());
    } else {
        for k in &keys {
            println!("{}  {}", k.address, k.path.display());
        }
    }
    Ok(())
}

/// What a key file says about itself without being decrypted.
#[derive(Debug, Default)]
struct FileInfo {
    address: Option<AccountId20>,
    id: Option<String>,
    version: Option<u64>,
    kdf: String,
    cipher: Option<String>,
}

/// Reads the public parts of a v3 key file.
fn read_key_file(path: &Path) -> anyhow::Result<FileInfo> {
    const MAX_LEN: u64 = 64 * 1024;
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_LEN {
        bail!("{} is not a keystore key file", path.display());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|_| anyhow!("{} is not a keystore key file (not JSON)", path.display()))?;
    let crypto = v
        .get("crypto")
        .or_else(|| v.get("Crypto"))
        .ok_or_else(|| anyhow!("{} is not a keystore v3 key file (no `crypto` section)", path.display()))?;
    let address = match v.get("address").and_then(Value::as_str) {
        Some(a) => {
            let a = if a.starts_with("0x") || a.starts_with("0X") { a.to_owned() } else { format!("0x{a}") };
            Some(client_cmds::parse_address(&a).map_err(|e| anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let kdf_name = crypto.get("kdf").and_then(Value::as_str).unwrap_or("unknown").to_owned();
    let params = crypto.get("kdfparams");
    let p = |k: &str| params.and_then(|p| p.get(k)).map(|v| v.to_string().trim_matches('"').to_owned());
    let kdf = match kdf_name.as_str() {
        "scrypt" => format!(
            "scrypt (n {}, r {}, p {})",
            p("n").unwrap_or_default(),
            p("r").unwrap_or_default(),
            p("p").unwrap_or_default()
        ),
        "pbkdf2" => format!("pbkdf2 ({} rounds, {})", p("c").unwrap_or_default(), p("prf").unwrap_or_default()),
        other => other.to_owned(),
    };
    Ok(FileInfo {
        address,
        id: v.get("id").and_then(Value::as_str).map(str::to_owned),
        version: v.get("version").and_then(Value::as_u64),
        kdf,
        cipher: crypto.get("cipher").and_then(Value::as_str).map(str::to_owned),
    })
}

/// `0x04...` (65 bytes) and `0x02/03...` (33 bytes) public keys of a pair's secret.
fn public_keys(secret: &[u8; 32]) -> anyhow::Result<(String, String)> {
    let key = archive_keystore::SecretKey::from_bytes(secret).map_err(|e| anyhow!("invalid key: {e}"))?;
    let vk = key.signing_key().verifying_key();
    let uncompressed = vk.to_encoded_point(false);
    let compressed = vk.to_encoded_point(true);
    Ok((format!("0x{}", hex::encode(uncompressed.as_bytes())), format!("0x{}", hex::encode(compressed.as_bytes()))))
}

fn inspect(args: InspectArgs) -> anyhow::Result<()> {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut out = serde_json::Map::new();
    let secret: Option<[u8; 32]>;
    let address: AccountId20;

    if dev::pair(&args.key).is_some() {
        let pair = client_cmds::dev_pair(&args.key).ok_or_else(|| anyhow!("unknown dev account"))?;
        address = pair.account();
        rows.push(("source", format!("dev account `{}` (its secret key is public)", args.key.to_ascii_lowercase())));
        out.insert("dev".into(), Value::String(args.key.to_ascii_lowercase()));
        secret = args.show_secret.then(|| pair.secret_bytes());
    } else {
        let as_path = Path::new(&args.key);
        let path = if client_cmds::looks_like_address(&args.key) && !as_path.is_file() {
            let addr = client_cmds::parse_address(&args.key).map_err(|e| anyhow!(e))?;
            let dir = args.keystore.dir()?;
            let found = if dir.exists() {
                Keystore::open(&dir)
                    .and_then(|k| k.find(&addr))
                    .with_context(|| format!("cannot read keystore {}", dir.display()))?
            } else {
                None
            };
            found.ok_or_else(|| anyhow!("no key for {addr} in keystore {}", dir.display()))?
        } else if as_path.exists() {
            as_path.to_path_buf()
        } else {
            bail!(
                "`{}` is neither an address, an existing key file, nor a dev account ({})",
                args.key,
                client_cmds::dev_names()
            );
        };
        let info = read_key_file(&path)?;
        secret = if args.show_secret {
            let password = args.keystore.password(&format!("Password for {}", path.display()), false)?;
            let key = archive_keystore::decrypt_key_file(&path, &password)
                .with_context(|| format!("cannot unlock key file {}", path.display()))?;
            Some(*key.bytes())
        } else {
            None
        };
        address = match (info.address, &secret) {
            (Some(a), _) => a,
            (None, Some(s)) => archive_keystore::address_of(s).map_err(|e| anyhow!("invalid key: {e}"))?,
            (None, None) => bail!(
                "{} has no `address` field: use --show-secret to decrypt it and learn its address",
                path.display()
            ),
        };
        rows.push(("file", path.display().to_string()));
        rows.push(("kdf", info.kdf.clone()));
        out.insert("path".into(), Value::String(path.display().to_string()));
        out.insert("kdf".into(), Value::String(info.kdf));
        if let Some(c) = info.cipher {
            rows.push(("cipher", c.clone()));
            out.insert("cipher".into(), Value::String(c));
        }
        if let Some(v) = info.version {
            rows.push(("version", v.to_string()));
            out.insert("version".into(), Value::from(v));
        }
        if let Some(id) = info.id {
            rows.push(("id", id.clone()));
            out.insert("id".into(), Value::String(id));
        }
    }
    rows.insert(0, ("address", address.to_string()));
    out.insert("address".into(), Value::String(address.to_string()));

    if let Some(secret) = secret {
        output::warn("printing the secret key: anyone who sees it controls the account");
        let (public, compressed) = public_keys(&secret)?;
        let secret_hex = format!("0x{}", hex::encode(secret));
        rows.push(("public key", public.clone()));
        rows.push(("compressed", compressed.clone()));
        rows.push(("secret key", secret_hex.clone()));
        out.insert("public_key".into(), Value::String(public));
        out.insert("public_key_compressed".into(), Value::String(compressed));
        out.insert("secret_key".into(), Value::String(secret_hex));
    }
    if args.json {
        output::print_json(&Value::Object(out));
    } else {
        output::print_fields(&rows);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_parse_without_being_echoed() {
        let alith = "0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133";
        assert!(parse_secret(alith).is_ok());
        assert!(parse_secret(&format!("  {}\n", &alith[2..])).is_ok());
        let err = parse_secret("0x5fb92d6e98").expect_err("too short").to_string();
        assert!(err.contains("32 bytes") && !err.contains("5fb92d6e98"), "{err}");
        let err = parse_secret("0xzz5fb92d").expect_err("not hex").to_string();
        assert!(!err.contains("5fb92d"), "{err}");
    }

    #[test]
    fn public_keys_of_alith() {
        let pair = dev::pair("alith").expect("dev");
        let (full, compressed) = public_keys(&pair.secret_bytes()).expect("valid");
        assert_eq!(full.len(), 2 + 130);
        assert!(full.starts_with("0x04"));
        assert_eq!(compressed.len(), 2 + 66);
        let bytes: [u8; 65] = hex::decode(&full[2..]).expect("hex").try_into().expect("65");
        assert_eq!(AccountId20::from_uncompressed_pubkey(&bytes), pair.account());
    }
}
