//! The node key: a 32-byte ed25519 secret in a file, so the peer id survives restarts.

use std::{
    fs,
    io::{ErrorKind, Write},
    path::Path,
};

use libp2p::{identity::Keypair, PeerId};
use rand::RngCore;

use crate::error::Error;

/// Length of an ed25519 secret.
const SECRET_LEN: usize = 32;
/// Largest file we are willing to read as a key (hex with `0x`, whitespace, newline).
const MAX_KEY_FILE_BYTES: u64 = 256;

/// Loads the ed25519 key in `path` (32 raw bytes, or 64 hex digits with optional `0x` and
/// surrounding whitespace), or creates the file with a fresh random key (raw, mode 0600, the
/// parent directory created as needed).
///
/// # Errors
/// [`Error::NodeKey`] if the file cannot be read or created, or holds anything else.
pub(crate) fn load_or_create(path: &Path) -> Result<Keypair, Error> {
    let err = |reason: String| Error::NodeKey { path: path.to_path_buf(), reason };
    match fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_KEY_FILE_BYTES => {
            Err(err(format!("{} bytes is too large for a key file", meta.len())))
        }
        Ok(_) => {
            let bytes = fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
            let mut secret = parse_secret(&bytes).map_err(err)?;
            Keypair::ed25519_from_bytes(&mut secret).map_err(|e| err(format!("not an ed25519 secret: {e}")))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => create(path),
        Err(e) => Err(err(format!("cannot stat: {e}"))),
    }
}

/// The peer id the key in `path` gives (creating the key file if it is missing).
///
/// # Errors
/// As [`load_or_create`].
pub fn node_key_peer_id(path: &Path) -> Result<PeerId, Error> {
    Ok(load_or_create(path)?.public().to_peer_id())
}

fn parse_secret(bytes: &[u8]) -> Result<[u8; SECRET_LEN], String> {
    if let Ok(raw) = <[u8; SECRET_LEN]>::try_from(bytes) {
        // 32 bytes that happen to be ASCII hex would be 16 bytes of key: treat as raw anyway,
        // a 64-digit hex file cannot be 32 bytes long.
        return Ok(raw);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| format!("expected 32 raw bytes or hex, got {} bytes", bytes.len()))?;
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    let decoded = hex::decode(text).map_err(|e| format!("invalid hex: {e}"))?;
    <[u8; SECRET_LEN]>::try_from(decoded.as_slice())
        .map_err(|_| format!("expected a {SECRET_LEN}-byte secret, got {} bytes", decoded.len()))
}

fn create(path: &Path) -> Result<Keypair, Error> {
    let err = |reason: String| Error::NodeKey { path: path.to_path_buf(), reason };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| err(format!("cannot create directory: {e}")))?;
    }
    let mut secret = [0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        // Someone created it between our stat and open: use theirs.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return load_or_create(path),
        Err(e) => return Err(err(format!("cannot create: {e}"))),
    };
    file.write_all(&secret).and_then(|()| file.sync_all()).map_err(|e| err(format!("cannot write: {e}")))?;
    tracing::info!(path = %path.display(), "generated a new node key");
    Keypair::ed25519_from_bytes(&mut secret).map_err(|e| err(format!("generated key rejected: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_0600_and_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/node_key");
        let first = node_key_peer_id(&path).expect("created");
        assert_eq!(fs::read(&path).expect("file").len(), SECRET_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(node_key_peer_id(&path).expect("reloaded"), first);
    }

    #[test]
    fn hex_keys_are_accepted_and_garbage_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let raw = dir.path().join("raw");
        let hex_file = dir.path().join("hex");
        let secret = [7u8; SECRET_LEN];
        fs::write(&raw, secret).expect("write");
        fs::write(&hex_file, format!("0x{}\n", hex::encode(secret))).expect("write");
        assert_eq!(node_key_peer_id(&raw).expect("raw"), node_key_peer_id(&hex_file).expect("hex"));

        let bad = dir.path().join("bad");
        fs::write(&bad, "not a key").expect("write");
        assert!(matches!(node_key_peer_id(&bad), Err(Error::NodeKey { .. })));
        fs::write(&bad, [1u8; 31]).expect("write");
        assert!(node_key_peer_id(&bad).is_err());
        fs::write(&bad, vec![b'a'; 1000]).expect("write");
        assert!(node_key_peer_id(&bad).is_err());
    }
}
