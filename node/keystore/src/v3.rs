//! The Web3 Secret Storage v3 format: encryption, parsing and decryption of key JSON.

use aes::cipher::{KeyIvInit, StreamCipher};
use archive_primitives::{hashing::keccak_256, AccountId20};
use rand::{rngs::OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{secret::SecretKey, Error};

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// The only cipher of v3 files.
const CIPHER: &str = "aes-128-ctr";
/// Derived key length; the first half keys AES, the second half keys the MAC.
const DKLEN: usize = 32;
/// Upper bound on scrypt memory (128 * r * N bytes) accepted when decrypting, so that a hostile
/// file cannot make the node allocate without limit. geth's standard (N = 2^18, r = 8) is 256 MiB.
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// Upper bound on scrypt's p when decrypting (time, not memory; geth writes 1).
const MAX_SCRYPT_P: u64 = 16;
/// Upper bound on PBKDF2 iterations accepted when decrypting (common files use 262144).
const MAX_PBKDF2_ROUNDS: u64 = 10_000_000;

/// scrypt cost parameters used when encrypting new keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptParams {
    /// log2 of the CPU/memory cost N.
    pub log_n: u8,
    /// Block size.
    pub r: u32,
    /// Parallelisation.
    pub p: u32,
}

impl Default for ScryptParams {
    /// geth's "standard" parameters: N = 2^18, r = 8, p = 1 (256 MiB, about a second).
    fn default() -> Self {
        ScryptParams { log_n: 18, r: 8, p: 1 }
    }
}

impl ScryptParams {
    /// N = 2^12, r = 8, p = 1: fast, for tests and development chains only.
    ///
    /// **Insecure**: a key file written with these parameters is cheap to brute-force.
    /// Never use them for keys that hold value.
    pub fn light() -> Self {
        ScryptParams { log_n: 12, r: 8, p: 1 }
    }
}

// ---- JSON layout ------------------------------------------------------------------------------

#[derive(Serialize)]
struct KeyFileOut<'a> {
    version: u32,
    id: String,
    address: String,
    crypto: CryptoOut<'a>,
}

#[derive(Serialize)]
struct CryptoOut<'a> {
    cipher: &'a str,
    cipherparams: CipherParams,
    ciphertext: String,
    kdf: &'a str,
    kdfparams: ScryptKdfParams,
    mac: String,
}

#[derive(Serialize, Deserialize)]
struct CipherParams {
    iv: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptKdfParams {
    dklen: u64,
    n: u64,
    r: u64,
    p: u64,
    salt: String,
}

#[derive(Deserialize)]
struct Pbkdf2KdfParams {
    c: u64,
    dklen: u64,
    prf: String,
    salt: String,
}

#[derive(Deserialize)]
struct KeyFileIn {
    version: u64,
    #[serde(default)]
    address: Option<String>,
    #[serde(alias = "Crypto")]
    crypto: CryptoIn,
}

#[derive(Deserialize)]
struct CryptoIn {
    cipher: String,
    cipherparams: CipherParams,
    ciphertext: String,
    kdf: String,
    kdfparams: serde_json::Value,
    mac: String,
}

// ---- Parsed form ------------------------------------------------------------------------------

/// The key derivation of a parsed file.
enum Kdf {
    Scrypt { log_n: u8, r: u32, p: u32, salt: Vec<u8> },
    Pbkdf2 { rounds: u32, salt: Vec<u8> },
}

/// A syntactically valid v3 key file, not yet decrypted.
pub(crate) struct EncryptedKey {
    /// The `address` field, if the file has one.
    pub(crate) address: Option<AccountId20>,
    kdf: Kdf,
    iv: [u8; 16],
    ciphertext: [u8; 32],
    mac: [u8; 32],
}

/// Decodes hex in either case, with or without a `0x` prefix.
fn decode_hex(field: &str, s: &str) -> Result<Vec<u8>, Error> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    hex::decode(digits).map_err(|e| Error::invalid(format!("field `{field}`: {e}")))
}

fn decode_hex_array<const N: usize>(field: &str, s: &str) -> Result<[u8; N], Error> {
    let bytes = decode_hex(field, s)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::invalid(format!("field `{field}`: expected {N} bytes, got {}", bytes.len())))
}

fn parse_kdf(kdf: &str, params: serde_json::Value) -> Result<Kdf, Error> {
    let check_dklen = |dklen: u64| {
        if dklen == DKLEN as u64 {
            Ok(())
        } else {
            Err(Error::invalid(format!("unsupported dklen {dklen} (expected {DKLEN})")))
        }
    };
    match kdf {
        "scrypt" => {
            let p: ScryptKdfParams =
                serde_json::from_value(params).map_err(|e| Error::invalid(format!("scrypt kdfparams: {e}")))?;
            check_dklen(p.dklen)?;
            if p.n < 2 || !p.n.is_power_of_two() {
                return Err(Error::invalid(format!("scrypt n {} is not a power of two above 1", p.n)));
            }
            let memory = p.n.checked_mul(p.r).and_then(|v| v.checked_mul(128));
            if p.r == 0 || memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY) {
                return Err(Error::invalid(format!("scrypt n {} r {} out of the accepted range", p.n, p.r)));
            }
            if p.p == 0 || p.p > MAX_SCRYPT_P {
                return Err(Error::invalid(format!("scrypt p {} out of the accepted range", p.p)));
            }
            // Bounded above, so these conversions cannot truncate.
            let log_n = u8::try_from(p.n.trailing_zeros()).map_err(|_| Error::invalid("scrypt n"))?;
            let r = u32::try_from(p.r).map_err(|_| Error::invalid("scrypt r"))?;
            let pp = u32::try_from(p.p).map_err(|_| Error::invalid("scrypt p"))?;
            Ok(Kdf::Scrypt { log_n, r, p: pp, salt: decode_hex("salt", &p.salt)? })
        }
        "pbkdf2" => {
            let p: Pbkdf2KdfParams =
                serde_json::from_value(params).map_err(|e| Error::invalid(format!("pbkdf2 kdfparams: {e}")))?;
            check_dklen(p.dklen)?;
            if p.prf != "hmac-sha256" {
                return Err(Error::invalid(format!("unsupported pbkdf2 prf `{}`", p.prf)));
            }
            if p.c == 0 || p.c > MAX_PBKDF2_ROUNDS {
                return Err(Error::invalid(format!("pbkdf2 c {} out of the accepted range", p.c)));
            }
            let rounds = u32::try_from(p.c).map_err(|_| Error::invalid("pbkdf2 c"))?;
            Ok(Kdf::Pbkdf2 { rounds, salt: decode_hex("salt", &p.salt)? })
        }
        other => Err(Error::invalid(format!("unsupported kdf `{other}`"))),
    }
}

impl EncryptedKey {
    /// Parses and validates a v3 key file without decrypting it.
    pub(crate) fn parse(json: &str) -> Result<Self, Error> {
        let file: KeyFileIn = serde_json::from_str(json).map_err(|e| Error::invalid(format!("JSON: {e}")))?;
        if file.version != 3 {
            return Err(Error::invalid(format!("unsupported version {}", file.version)));
        }
        let address = match file.address.as_deref() {
            None | Some("") => None,
            Some(a) => Some(AccountId20(decode_hex_array::<20>("address", a)?)),
        };
        let c = file.crypto;
        if !c.cipher.eq_ignore_ascii_case(CIPHER) {
            return Err(Error::invalid(format!("unsupported cipher `{}`", c.cipher)));
        }
        Ok(EncryptedKey {
            address,
            kdf: parse_kdf(&c.kdf, c.kdfparams)?,
            iv: decode_hex_array("iv", &c.cipherparams.iv)?,
            ciphertext: decode_hex_array("ciphertext", &c.ciphertext)?,
            mac: decode_hex_array("mac", &c.mac)?,
        })
    }

    /// Derives the key, checks the MAC, decrypts, and checks the `address` field.
    pub(crate) fn decrypt(&self, password: &str) -> Result<SecretKey, Error> {
        let mut derived = Zeroizing::new([0u8; DKLEN]);
        match &self.kdf {
            Kdf::Scrypt { log_n, r, p, salt } => {
                crate::kdf::scrypt(password.as_bytes(), salt, *log_n, *r, *p, derived.as_mut())
                    .ok_or_else(|| Error::invalid("unusable scrypt parameters"))?;
            }
            Kdf::Pbkdf2 { rounds, salt } => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, *rounds, derived.as_mut());
            }
        }
        if !constant_time_eq(&compute_mac(&derived, &self.ciphertext), &self.mac) {
            return Err(Error::WrongPassword);
        }
        let mut plain = Zeroizing::new(self.ciphertext);
        apply_aes_ctr(&derived, &self.iv, plain.as_mut());
        let key = SecretKey::from_bytes(&plain)
            .map_err(|_| Error::invalid("decrypted key is not a valid secp256k1 secret"))?;
        match self.address {
            Some(expected) if expected != key.address() => {
                Err(Error::AddressMismatch { expected, actual: key.address() })
            }
            _ => Ok(key),
        }
    }
}

fn compute_mac(derived: &[u8; DKLEN], ciphertext: &[u8]) -> [u8; 32] {
    let mut buf = Zeroizing::new(Vec::with_capacity(16 + ciphertext.len()));
    buf.extend_from_slice(&derived[16..32]);
    buf.extend_from_slice(ciphertext);
    keccak_256(&buf)
}

fn apply_aes_ctr(derived: &[u8; DKLEN], iv: &[u8; 16], data: &mut [u8]) {
    // The first half of the derived key is the AES-128 key (a fixed 16-byte slice).
    let key = aes::cipher::generic_array::GenericArray::from_slice(&derived[..16]);
    let mut cipher = Aes128Ctr::new(key, iv.into());
    cipher.apply_keystream(data);
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn os_random(buf: &mut [u8]) -> Result<(), Error> {
    OsRng.try_fill_bytes(buf).map_err(|e| Error::Randomness { reason: e.to_string() })
}

/// Encrypts `secret` into a v3 key file (scrypt + AES-128-CTR) and returns the JSON text.
///
/// Salt (32 bytes), IV (16 bytes) and the UUID come from OS randomness.
///
/// # Errors
/// [`Error::InvalidSecretKey`] if `secret` is not a valid secp256k1 scalar,
/// [`Error::InvalidScryptParams`] if scrypt rejects `params`, [`Error::Randomness`].
pub fn encrypt_key(secret: &[u8; 32], password: &str, params: ScryptParams) -> Result<String, Error> {
    let address = crate::address_of(secret)?;
    let ScryptParams { log_n, r, p } = params;
    let scrypt_params =
        scrypt::Params::new(log_n, r, p, DKLEN).map_err(|_| Error::InvalidScryptParams { log_n, r, p })?;
    let n = 1u64.checked_shl(u32::from(log_n)).ok_or(Error::InvalidScryptParams { log_n, r, p })?;

    let mut salt = [0u8; 32];
    let mut iv = [0u8; 16];
    os_random(&mut salt)?;
    os_random(&mut iv)?;

    let mut derived = Zeroizing::new([0u8; DKLEN]);
    scrypt::scrypt(password.as_bytes(), &salt, &scrypt_params, derived.as_mut())
        .map_err(|_| Error::InvalidScryptParams { log_n, r, p })?;
    let mut ciphertext = *secret;
    apply_aes_ctr(&derived, &iv, &mut ciphertext);
    let mac = compute_mac(&derived, &ciphertext);

    let file = KeyFileOut {
        version: 3,
        id: uuid::Uuid::new_v4().to_string(),
        address: hex::encode(address.0),
        crypto: CryptoOut {
            cipher: CIPHER,
            cipherparams: CipherParams { iv: hex::encode(iv) },
            ciphertext: hex::encode(ciphertext),
            kdf: "scrypt",
            kdfparams: ScryptKdfParams {
                dklen: DKLEN as u64,
                n,
                r: u64::from(r),
                p: u64::from(p),
                salt: hex::encode(salt),
            },
            mac: hex::encode(mac),
        },
    };
    serde_json::to_string(&file).map_err(|e| Error::invalid(format!("serialising: {e}")))
}

/// Decrypts a v3 key file given as JSON text.
///
/// Accepts the `scrypt` and `pbkdf2` (hmac-sha256) KDFs, hex in either case with an optional
/// `0x`, and a missing `address` field.
///
/// # Errors
/// [`Error::InvalidKeystore`] for malformed or unsupported JSON, [`Error::WrongPassword`] if the
/// MAC does not match, [`Error::AddressMismatch`] if the key is not the file's `address`.
pub fn decrypt_key_json(json: &str, password: &str) -> Result<SecretKey, Error> {
    EncryptedKey::parse(json)?.decrypt(password)
}
