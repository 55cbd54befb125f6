//! The error type of the keystore.

use std::path::PathBuf;

use archive_primitives::AccountId20;

/// What can go wrong when creating, listing or unlocking keys.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A filesystem operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done (`"create directory"`, `"read"`, ...).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The keystore JSON is malformed: bad JSON, hex, lengths, or unsupported parameters.
    #[error("invalid keystore{}: {reason}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    InvalidKeystore {
        /// The file, when the JSON came from one.
        path: Option<PathBuf>,
        /// What is wrong with it.
        reason: String,
    },
    /// The MAC did not match: the password is wrong (or the ciphertext was tampered with).
    #[error("wrong password")]
    WrongPassword,
    /// The key decrypted fine but belongs to another address than the one the file claims
    /// (or than the one asked for).
    #[error("keystore address mismatch: expected {expected}, key belongs to {actual}")]
    AddressMismatch {
        /// The address the file (or caller) names.
        expected: AccountId20,
        /// The address of the decrypted key.
        actual: AccountId20,
    },
    /// A key file for this address is already in the keystore.
    #[error("a key for {address} already exists in the keystore")]
    AlreadyExists {
        /// The address of the key that was being inserted.
        address: AccountId20,
    },
    /// No key file for this address is in the keystore.
    #[error("no key for {address} in the keystore")]
    NotFound {
        /// The address asked for.
        address: AccountId20,
    },
    /// The 32 bytes are not a valid secp256k1 secret scalar (zero, or not below the group order).
    #[error("invalid secp256k1 secret key")]
    InvalidSecretKey,
    /// The scrypt parameters given for encryption are not accepted by scrypt.
    #[error("invalid scrypt parameters (log_n {log_n}, r {r}, p {p})")]
    InvalidScryptParams {
        /// log2 of the cost parameter N.
        log_n: u8,
        /// The block size parameter.
        r: u32,
        /// The parallelisation parameter.
        p: u32,
    },
    /// The operating system's random number generator failed.
    #[error("OS randomness unavailable: {reason}")]
    Randomness {
        /// The error from the generator.
        reason: String,
    },
    /// A password file is not valid UTF-8.
    #[error("password file {} is not valid UTF-8", path.display())]
    InvalidPasswordFile {
        /// The password file.
        path: PathBuf,
    },
}

impl Error {
    /// Attaches `path` to an [`Error::InvalidKeystore`] that has none.
    pub(crate) fn with_path(self, file: &std::path::Path) -> Self {
        match self {
            Error::InvalidKeystore { path: None, reason } => {
                Error::InvalidKeystore { path: Some(file.to_path_buf()), reason }
            }
            other => other,
        }
    }

    /// Builds an [`Error::InvalidKeystore`] without a path.
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Error::InvalidKeystore { path: None, reason: reason.into() }
    }
}
