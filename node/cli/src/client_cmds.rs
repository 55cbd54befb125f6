//! What the client commands (`key`, `tx`, `query`) share: the `--url`/`--json` and keystore
//! options, passwords, signers, argument parsers, and reading extrinsics and their events from
//! the node.

use std::{
    io::IsTerminal,
    path::{Path, PathBuf},
    str::FromStr,
};

use anyhow::{anyhow, bail, Context};
use archive_keystore::Keystore;
use archive_primitives::{
    crypto::dev, hashing::blake2_256, storage_key::storage_prefix, AccountId20, BlockNumber, Era, Pair, H256,
};
use archive_runtime::{RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use clap::Args;
use parity_scale_codec::Decode;
use serde_json::{json, Value};

use archive_support::{EventRecord, Phase};

use crate::{
    amount::format_arc,
    output,
    rpc_client::{RpcBlock, RpcClient, DEFAULT_URL},
};

/// Environment variable holding the keystore password (when no `--password-file` is given).
pub const PASSWORD_ENV: &str = "ARCHIVECHAIN_PASSWORD";

/// Node connection and output options of `tx` and `query` commands.
#[derive(Args, Debug, Clone)]
pub struct RpcArgs {
    /// Node JSON-RPC endpoint: ws:// or wss:// (http:// or https:// works where no subscription
    /// is needed).
    #[arg(long, value_name = "URL", env = "ARCHIVECHAIN_URL", default_value = DEFAULT_URL)]
    pub url: String,
    /// Print machine-readable JSON on stdout (balances as decimal strings in units).
    #[arg(long)]
    pub json: bool,
}

impl RpcArgs {
    /// Connects to the node.
    pub async fn connect(&self) -> anyhow::Result<RpcClient> {
        Ok(RpcClient::connect(&self.url).await?)
    }
}

/// Where keys are and how to unlock them.
#[derive(Args, Debug, Clone)]
pub struct KeystoreArgs {
    /// Keystore directory (default: <base-path>/keystore).
    #[arg(long, value_name = "DIR")]
    pub keystore: Option<PathBuf>,
    /// Base path whose `keystore` directory is used (default: the user's data dir, e.g.
    /// ~/.local/share/archivechain).
    #[arg(long, short = 'd', value_name = "PATH", env = "ARCHIVECHAIN_BASE_PATH")]
    pub base_path: Option<PathBuf>,
    /// File holding the keystore password (one trailing newline is ignored). Otherwise
    /// $ARCHIVECHAIN_PASSWORD, otherwise a prompt.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl KeystoreArgs {
    /// The keystore directory.
    pub fn dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.keystore {
            return Ok(dir.clone());
        }
        let base = match &self.base_path {
            Some(p) => p.clone(),
            None => dirs::data_dir()
                .context("no data directory for this user: pass --keystore or --base-path")?
                .join("archivechain"),
        };
        Ok(base.join("keystore"))
    }

    /// Opens (creating if needed) the keystore.
    pub fn open(&self) -> anyhow::Result<Keystore> {
        let dir = self.dir()?;
        Keystore::open(&dir).with_context(|| format!("cannot open keystore {}", dir.display()))
    }

    /// The password: `--password-file`, else `$ARCHIVECHAIN_PASSWORD`, else a prompt on a
    /// terminal (asked twice when `confirm`, for new keys).
    pub fn password(&self, prompt: &str, confirm: bool) -> anyhow::Result<String> {
        if let Some(path) = &self.password_file {
            return archive_keystore::read_password_file(path)
                .with_context(|| format!("cannot read password file {}", path.display()));
        }
        if let Ok(pw) = std::env::var(PASSWORD_ENV) {
            return Ok(pw);
        }
        if !std::io::stdin().is_terminal() {
            bail!("no password: use --password-file or {PASSWORD_ENV}");
        }
        let pw = rpassword::prompt_password(format!("{prompt}: ")).context("cannot read the password")?;
        if confirm {
            let again = rpassword::prompt_password("Repeat password: ").context("cannot read the password")?;
            if again != pw {
                bail!("the passwords do not match");
            }
            if pw.is_empty() {
                output::warn("the key is encrypted with an empty password");
            }
        }
        Ok(pw)
    }
}

/// Names of the dev accounts, for messages.
pub fn dev_names() -> String {
    dev::DEV_ACCOUNTS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// The dev pair named `name` (case-insensitive), with a warning on stderr.
pub fn dev_pair(name: &str) -> Option<Pair> {
    let pair = dev::pair(name)?;
    output::warn(format!(
        "`{}` is a development account whose secret key is public: anyone can spend its funds; use it on dev chains only",
        name.to_ascii_lowercase()
    ));
    Some(pair)
}

/// Parses an account address (`0x` + 40 hex digits, EIP-55 checksum if mixed case).
pub fn parse_address(s: &str) -> Result<AccountId20, String> {
    let t = s.trim();
    if !t.starts_with("0x") && !t.starts_with("0X") {
        return Err(format!("invalid address `{s}`: expected 0x followed by 40 hex digits"));
    }
    AccountId20::from_str(t).map_err(|e| format!("invalid address `{s}`: {e} (expected 0x followed by 40 hex digits)"))
}

/// Whether `s` looks like an address attempt (`0x...`).
pub fn looks_like_address(s: &str) -> bool {
    s.starts_with("0x") || s.starts_with("0X")
}

/// Resolves `who` to a key pair: a dev account name, an address in the keystore, or a key file.
/// Unlocking asks for the password (see [`KeystoreArgs::password`]).
pub fn resolve_signer(who: &str, ks: &KeystoreArgs) -> anyhow::Result<Pair> {
    if let Some(pair) = dev_pair(who) {
        return Ok(pair);
    }
    let path = Path::new(who);
    if looks_like_address(who) && !path.is_file() {
        let address = parse_address(who).map_err(|e| anyhow!(e))?;
        let keystore = ks.open()?;
        let dir = keystore.dir().display().to_string();
        if keystore.find(&address).with_context(|| format!("cannot read keystore {dir}"))?.is_none() {
            bail!("no key for {address} in keystore {dir} (import one with `archivechain key insert`)");
        }
        let password = ks.password(&format!("Password for {address}"), false)?;
        let key = keystore.unlock(&address, &password).with_context(|| format!("cannot unlock key {address}"))?;
        return pair_of(key.bytes());
    }
    if path.is_file() {
        return unlock_file(path, ks);
    }
    bail!("unknown signer `{who}`: expected an address in the keystore, a key file, or a dev account ({})", dev_names())
}

/// Checks `who` names a signer [`resolve_signer`] can try (without unlocking anything), so a
/// typo is reported before connecting to the node or asking for a password.
pub fn check_signer(who: &str) -> anyhow::Result<()> {
    if dev::pair(who).is_some() || Path::new(who).is_file() {
        return Ok(());
    }
    if looks_like_address(who) {
        parse_address(who).map_err(|e| anyhow!(e))?;
        return Ok(());
    }
    bail!("unknown signer `{who}`: expected an address in the keystore, a key file, or a dev account ({})", dev_names())
}

/// Decrypts the key file at `path`.
pub fn unlock_file(path: &Path, ks: &KeystoreArgs) -> anyhow::Result<Pair> {
    let password = ks.password(&format!("Password for {}", path.display()), false)?;
    let key = archive_keystore::decrypt_key_file(path, &password)
        .with_context(|| format!("cannot unlock key file {}", path.display()))?;
    pair_of(key.bytes())
}

fn pair_of(secret: &[u8; 32]) -> anyhow::Result<Pair> {
    Pair::from_secret(secret).map_err(|e| anyhow!("invalid key: {e}"))
}

/// Runs `fut` on a fresh single-threaded tokio runtime.
pub fn block_on<F: std::future::Future>(fut: F) -> anyhow::Result<F::Output> {
    let rt =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    Ok(rt.block_on(fut))
}

/// A block given on the command line: a hash or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockRef {
    /// `0x` + 64 hex digits.
    Hash(H256),
    /// A block number.
    Number(BlockNumber),
}

/// Parses a block hash or number.
pub fn parse_block_ref(s: &str) -> Result<BlockRef, String> {
    let t = s.trim();
    if t.starts_with("0x") || t.starts_with("0X") {
        return H256::from_str(t)
            .map(BlockRef::Hash)
            .map_err(|e| format!("invalid block hash `{s}`: {e} (expected 0x followed by 64 hex digits)"));
    }
    t.parse::<BlockNumber>()
        .map(BlockRef::Number)
        .map_err(|_| format!("invalid block `{s}`: expected a block number or a 0x-prefixed block hash"))
}

/// Parses an extrinsic hash.
pub fn parse_hash(s: &str) -> Result<H256, String> {
    let t = s.trim();
    if !t.starts_with("0x") && !t.starts_with("0X") {
        return Err(format!("invalid hash `{s}`: expected 0x followed by 64 hex digits"));
    }
    H256::from_str(t).map_err(|e| format!("invalid hash `{s}`: {e} (expected 0x followed by 64 hex digits)"))
}

/// The hash of a block reference (`None`: the best block).
pub async fn resolve_block(rpc: &RpcClient, at: Option<BlockRef>) -> anyhow::Result<H256> {
    match at {
        None => Ok(rpc.best_hash().await?),
        Some(BlockRef::Hash(h)) => Ok(h),
        Some(BlockRef::Number(n)) => match rpc.block_hash(n).await? {
            Some(h) => Ok(h),
            None => {
                let best = rpc.header(None).await?.map(|h| h.number);
                match best {
                    Some(best) => bail!("no block #{n}: the best block is #{best}"),
                    None => bail!("no block #{n}"),
                }
            }
        },
    }
}

/// Fetches a block, with a clear error if the node does not know it.
pub async fn fetch_block(rpc: &RpcClient, hash: H256) -> anyhow::Result<RpcBlock> {
    rpc.block(Some(hash)).await?.ok_or_else(|| anyhow!("unknown block {hash}"))
}

/// The hash of an extrinsic: blake2_256 of its full encoding (length prefix included).
pub fn extrinsic_hash(encoded: &[u8]) -> H256 {
    H256(blake2_256(encoded))
}

/// One event of a block, with its phase.
#[derive(Debug, Clone)]
pub struct BlockEvent {
    /// When it happened.
    pub phase: Phase,
    /// The event.
    pub event: RuntimeEvent,
}

/// `System.Events` at block `at`, decoded.
pub async fn events_at(rpc: &RpcClient, at: H256) -> anyhow::Result<Vec<BlockEvent>> {
    let key = storage_prefix("System", "Events");
    let Some(raw) = rpc.storage(&key, Some(at)).await? else { return Ok(Vec::new()) };
    let records = Vec::<EventRecord<RuntimeEvent, H256>>::decode(&mut &raw[..])
        .map_err(|e| anyhow!("cannot decode System.Events at {at}: {e}"))?;
    Ok(records.into_iter().map(|r| BlockEvent { phase: r.phase, event: r.event }).collect())
}

/// An extrinsic found in a block, with its events and outcome.
#[derive(Debug, Clone)]
pub struct ExtrinsicReport {
    /// The extrinsic hash.
    pub hash: H256,
    /// The block's hash.
    pub block_hash: H256,
    /// The block's number.
    pub block_number: BlockNumber,
    /// Its index in the block.
    pub index: u32,
    /// The decoded extrinsic (`None` if it does not decode with this runtime).
    pub extrinsic: Option<UncheckedExtrinsic>,
    /// The events of its `ApplyExtrinsic(index)` phase.
    pub events: Vec<RuntimeEvent>,
    /// `Some(error)` if `System.ExtrinsicFailed` was emitted.
    pub failure: Option<String>,
    /// Whether `System.ExtrinsicSuccess` was emitted.
    pub success: bool,
}

impl ExtrinsicReport {
    /// Builds the report of extrinsic `index` of `block` (whose hash is `block_hash`).
    pub async fn load(rpc: &RpcClient, block: &RpcBlock, block_hash: H256, index: usize) -> anyhow::Result<Self> {
        let encoded =
            block.extrinsics.get(index).ok_or_else(|| anyhow!("block {block_hash} has no extrinsic #{index}"))?;
        let index = u32::try_from(index).map_err(|_| anyhow!("extrinsic index {index} out of range"))?;
        let extrinsic = UncheckedExtrinsic::decode(&mut &encoded[..]).ok();
        let events: Vec<RuntimeEvent> = events_at(rpc, block_hash)
            .await?
            .into_iter()
            .filter(|e| e.phase == Phase::ApplyExtrinsic(index))
            .map(|e| e.event)
            .collect();
        let failure = events.iter().find_map(output::extrinsic_failure);
        let success = events.iter().any(output::is_extrinsic_success);
        Ok(ExtrinsicReport {
            hash: extrinsic_hash(encoded),
            block_hash,
            block_number: block.header.number,
            index,
            extrinsic,
            events,
            failure,
            success,
        })
    }

    /// JSON: `{"hash", "block_hash", "block_number", "index", "signer", "nonce", "tip", "era",
    /// "call", "success", "error", "events"}`.
    pub fn json(&self) -> Value {
        let signed = self.extrinsic.as_ref().and_then(|x| x.signature.as_ref());
        json!({
            "hash": self.hash,
            "block_hash": self.block_hash,
            "block_number": self.block_number,
            "index": self.index,
            "signer": signed.map(|s| s.0.to_string()),
            "nonce": signed.map(|s| s.2.nonce),
            "tip": signed.map(|s| output::balance_json(s.2.tip)),
            "era": signed.map(|s| era_text(s.2.era)),
            "call": self.extrinsic.as_ref().map(|x| call_json(&x.function)),
            "success": self.failure.is_none() && self.success,
            "error": self.failure,
            "events": self.events.iter().map(|e| output::event_view(e).json()).collect::<Vec<_>>(),
        })
    }

    /// Human-readable lines on stdout.
    pub fn print_human(&self) {
        let mut rows = vec![
            ("extrinsic", self.hash.to_string()),
            ("block", format!("#{} {}", self.block_number, self.block_hash)),
            ("index", self.index.to_string()),
        ];
        match self.extrinsic.as_ref() {
            Some(x) => {
                match &x.signature {
                    Some((who, _, extra)) => {
                        rows.push(("signer", who.to_string()));
                        rows.push(("nonce", extra.nonce.to_string()));
                        rows.push(("tip", format_arc(extra.tip)));
                        rows.push(("era", era_text(extra.era)));
                    }
                    None => rows.push(("signer", "unsigned".to_owned())),
                }
                rows.push(("call", output::call_view(&x.function).text()));
                rows.push(("call (debug)", format!("{:?}", x.function)));
            }
            None => rows.push(("call", "does not decode with this client's runtime".to_owned())),
        }
        rows.push((
            "result",
            match &self.failure {
                Some(e) => format!("failed: {e}"),
                None if self.success => "success".to_owned(),
                None => "unknown (no ExtrinsicSuccess/ExtrinsicFailed event)".to_owned(),
            },
        ));
        output::print_fields(&rows);
        println!("events:");
        if self.events.is_empty() {
            println!("  (none)");
        }
        for e in &self.events {
            println!("  {}", output::event_view(e).text());
        }
    }
}

/// `immortal` or `mortal(period 64, phase 42)`.
pub fn era_text(era: Era) -> String {
    match era {
        Era::Immortal => "immortal".to_owned(),
        Era::Mortal(period, phase) => format!("mortal (period {period}, phase {phase})"),
    }
}

/// A call as JSON: its view plus its `Debug` form.
pub fn call_json(call: &RuntimeCall) -> Value {
    let mut v = output::call_view(call).json();
    if let Value::Object(map) = &mut v {
        map.insert("debug".to_owned(), Value::String(format!("{call:?}")));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_block_refs_parse_with_clear_errors() {
        let alith = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";
        assert_eq!(parse_address(alith).map(|a| a.to_string()), Ok(alith.to_owned()));
        assert!(parse_address("0x1234").expect_err("too short").contains("invalid address"));
        assert!(parse_address("0xF24FF3a9CF04c71Dbc94D0b566f7A27B94566cac")
            .expect_err("bad checksum")
            .contains("checksum"));
        assert!(parse_address("f24ff3a9cf04c71dbc94d0b566f7a27b94566cac").is_err());
        assert_eq!(parse_block_ref("12"), Ok(BlockRef::Number(12)));
        assert_eq!(parse_block_ref(&format!("0x{}", "ab".repeat(32))), Ok(BlockRef::Hash(H256([0xab; 32]))));
        assert!(parse_block_ref("-1").is_err());
        assert!(parse_block_ref("0x12").is_err());
        assert!(parse_hash("12").is_err());
    }

    #[test]
    fn keystore_dir_defaults_under_base_path() {
        let ks = KeystoreArgs { keystore: None, base_path: Some("/tmp/x".into()), password_file: None };
        assert_eq!(ks.dir().expect("dir"), PathBuf::from("/tmp/x/keystore"));
        let ks = KeystoreArgs { keystore: Some("/k".into()), base_path: Some("/tmp/x".into()), password_file: None };
        assert_eq!(ks.dir().expect("dir"), PathBuf::from("/k"));
    }
}
