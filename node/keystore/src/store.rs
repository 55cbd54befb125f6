//! [`Keystore`]: a directory of v3 key files, one per key, named the way geth names them.

use std::{
    fs,
    io::Write,
    os::unix::fs::{DirBuilderExt, OpenOptionsExt},
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use archive_primitives::AccountId20;
use rand::{rngs::OsRng, RngCore};
use zeroize::Zeroizing;

use crate::{
    address_of,
    secret::SecretKey,
    v3::{encrypt_key, EncryptedKey, ScryptParams},
    Error,
};

/// Files larger than this are not key files and are skipped without being read whole.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;
/// Prefix of the temporary files written before the atomic rename.
const TMP_PREFIX: &str = ".tmp-";

/// A key file found in the keystore directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyInfo {
    /// The account of the key (from the file's `address` field, or its geth-style name).
    pub address: AccountId20,
    /// The key file.
    pub path: PathBuf,
}

/// A directory of encrypted secp256k1 keys.
#[derive(Debug, Clone)]
pub struct Keystore {
    dir: PathBuf,
    params: ScryptParams,
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io { op, path: path.to_path_buf(), source }
}

impl Keystore {
    /// Opens (creating if needed, with mode 0700, parents included) the keystore at `dir`.
    ///
    /// An existing directory is used as it is; its permissions are not changed.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory cannot be created or is not a directory.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, Error> {
        let dir = dir.into();
        fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir).map_err(io_err("create directory", &dir))?;
        Ok(Keystore { dir, params: ScryptParams::default() })
    }

    /// Uses `params` for keys encrypted from now on (existing files keep theirs).
    pub fn with_scrypt_params(self, params: ScryptParams) -> Self {
        Keystore { params, ..self }
    }

    /// The keystore directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The scrypt parameters new keys are encrypted with.
    pub fn scrypt_params(&self) -> ScryptParams {
        self.params
    }

    /// Generates a key from OS randomness, stores it encrypted under `password`, and returns
    /// its account.
    ///
    /// # Errors
    /// [`Error::Randomness`], and those of [`Keystore::insert`].
    pub fn generate(&self, password: &str) -> Result<AccountId20, Error> {
        let mut secret = Zeroizing::new([0u8; 32]);
        // A uniformly random 32-byte string is a valid scalar with probability 1 - 2^-128.
        loop {
            OsRng.try_fill_bytes(secret.as_mut()).map_err(|e| Error::Randomness { reason: e.to_string() })?;
            if address_of(&secret).is_ok() {
                break;
            }
        }
        self.insert(&secret, password)
    }

    /// Stores `secret` encrypted under `password` in a new file and returns its account.
    ///
    /// The file is written to a temporary file (mode 0600) in the keystore directory, synced,
    /// then renamed to `UTC--<time>--<address>`, so a reader never sees a partial file.
    ///
    /// # Errors
    /// [`Error::InvalidSecretKey`] for an invalid scalar, [`Error::AlreadyExists`] if a key file
    /// for this account is already present, [`Error::Io`] on filesystem failures.
    pub fn insert(&self, secret: &[u8; 32], password: &str) -> Result<AccountId20, Error> {
        let address = address_of(secret)?;
        if self.find(&address)?.is_some() {
            return Err(Error::AlreadyExists { address });
        }
        let json = encrypt_key(secret, password, self.params)?;
        let name = key_file_name(SystemTime::now(), &address);
        write_atomically(&self.dir, &name, json.as_bytes())?;
        Ok(address)
    }

    /// All key files in the directory, sorted by address then path.
    ///
    /// Sub-directories, hidden files, files over 64 KiB, and files that are not v3 key files
    /// (or whose account cannot be told without decrypting) are skipped silently.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory cannot be read.
    pub fn list(&self) -> Result<Vec<KeyInfo>, Error> {
        let entries = fs::read_dir(&self.dir).map_err(io_err("read directory", &self.dir))?;
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err("read directory", &self.dir))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            // `metadata` follows symlinks, so a link to a key file counts as a key file.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() && meta.len() <= MAX_KEY_FILE_LEN => {}
                _ => continue,
            }
            let Ok(json) = fs::read_to_string(&path) else {
                continue;
            };
            let Ok(parsed) = EncryptedKey::parse(&json) else {
                continue;
            };
            let Some(address) = parsed.address.or_else(|| address_from_file_name(&name)) else {
                continue;
            };
            keys.push(KeyInfo { address, path });
        }
        keys.sort();
        Ok(keys)
    }

    /// The key file of `address`, if there is one (the first by path if there are several).
    ///
    /// # Errors
    /// [`Error::Io`] if the directory cannot be read.
    pub fn find(&self, address: &AccountId20) -> Result<Option<PathBuf>, Error> {
        Ok(self.list()?.into_iter().find(|k| k.address == *address).map(|k| k.path))
    }

    /// Decrypts the key of `address` with `password`.
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no key file for it, [`Error::WrongPassword`],
    /// [`Error::AddressMismatch`] if the decrypted key is not `address`'s, and those of
    /// [`decrypt_key_file`].
    pub fn unlock(&self, address: &AccountId20, password: &str) -> Result<SecretKey, Error> {
        let path = self.find(address)?.ok_or(Error::NotFound { address: *address })?;
        let key = decrypt_key_file(&path, password)?;
        if key.address() != *address {
            return Err(Error::AddressMismatch { expected: *address, actual: key.address() });
        }
        Ok(key)
    }
}

/// Reads and decrypts a v3 key file.
///
/// # Errors
/// [`Error::Io`] if it cannot be read, otherwise those of [`crate::decrypt_key_json`] (with
/// `path` filled in for [`Error::InvalidKeystore`]).
pub fn decrypt_key_file(path: &Path, password: &str) -> Result<SecretKey, Error> {
    let json = fs::read_to_string(path).map_err(io_err("read", path))?;
    crate::decrypt_key_json(&json, password).map_err(|e| e.with_path(path))
}

/// Reads a password from a file, removing one trailing newline (`\n` or `\r\n`) and nothing else.
///
/// # Errors
/// [`Error::Io`] if it cannot be read, [`Error::InvalidPasswordFile`] if it is not UTF-8.
pub fn read_password_file(path: impl AsRef<Path>) -> Result<String, Error> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(io_err("read", path))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let mut bytes = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut bytes);
        Error::InvalidPasswordFile { path: path.to_path_buf() }
    })?;
    if text.ends_with("\r\n") {
        text.truncate(text.len() - 2);
    } else if text.ends_with('\n') {
        text.truncate(text.len() - 1);
    }
    Ok(text)
}

/// geth's key file name: `UTC--2016-03-22T12-57-55.920751759Z--<40 lower-case hex digits>`.
pub(crate) fn key_file_name(now: SystemTime, address: &AccountId20) -> String {
    format!("UTC--{}--{}", iso8601_for_file_name(now), hex::encode(address.0))
}

/// The account encoded at the end of a geth-style file name, if any.
fn address_from_file_name(name: &str) -> Option<AccountId20> {
    let (_, tail) = name.rsplit_once("--")?;
    let bytes: [u8; 20] = hex::decode(tail).ok()?.try_into().ok()?;
    Some(AccountId20(bytes))
}

/// UTC time as ISO 8601 with nanoseconds, with `-` in place of `:` (which some filesystems
/// reject). Times before 1970 are clamped to the epoch.
fn iso8601_for_file_name(now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}-{:02}-{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_nanos()
    )
}

/// Gregorian (year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Writes `data` to `dir/name` atomically: a mode-0600 temporary file in `dir`, fsync, rename,
/// then an fsync of the directory. The temporary file is removed if anything fails.
fn write_atomically(dir: &Path, name: &str, data: &[u8]) -> Result<(), Error> {
    let final_path = dir.join(name);
    let tmp_path = dir.join(format!("{TMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp_path)
            .map_err(io_err("create", &tmp_path))?;
        file.write_all(data).map_err(io_err("write", &tmp_path))?;
        file.sync_all().map_err(io_err("sync", &tmp_path))?;
        drop(file);
        if final_path.exists() {
            return Err(Error::Io {
                op: "create",
                path: final_path.clone(),
                source: std::io::ErrorKind::AlreadyExists.into(),
            });
        }
        fs::rename(&tmp_path, &final_path).map_err(io_err("rename into", &final_path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
        return result;
    }
    // Make the rename durable; not every filesystem supports syncing a directory.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn file_names_are_geth_style() {
        let addr: AccountId20 = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac".parse().expect("address");
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 5);
        assert_eq!(
            key_file_name(t, &addr),
            "UTC--2023-11-14T22-13-20.000000005Z--f24ff3a9cf04c71dbc94d0b566f7a27b94566cac"
        );
        assert_eq!(iso8601_for_file_name(UNIX_EPOCH), "1970-01-01T00-00-00.000000000Z");
        // A leap day and a century leap year.
        assert_eq!(
            iso8601_for_file_name(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00-00-00.000000000Z"
        );
        assert_eq!(address_from_file_name(&key_file_name(t, &addr)), Some(addr));
        assert_eq!(address_from_file_name("notes.txt"), None);
    }

    #[test]
    fn password_file_trims_one_newline_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases: [(&[u8], &str); 6] = [
            (b"secret\n", "secret"),
            (b"secret\r\n", "secret"),
            (b"secret\n\n", "secret\n"),
            (b"secret", "secret"),
            (b" secret \t\n", " secret \t"),
            (b"secret\r", "secret\r"),
        ];
        for (i, (content, expected)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("pw{i}"));
            fs::write(&path, content).expect("write");
            assert_eq!(read_password_file(&path).expect("read"), *expected, "case {i}");
        }
        let bad = dir.path().join("bad");
        fs::write(&bad, [0xff, 0xfe]).expect("write");
        assert!(matches!(read_password_file(&bad), Err(Error::InvalidPasswordFile { .. })));
        assert!(matches!(read_password_file(dir.path().join("missing")), Err(Error::Io { .. })));
    }
}
