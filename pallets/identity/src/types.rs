//! Roles and identity records (metadata paths `pallet_identity::types::*`), with the limits an
//! identity must satisfy.

use archive_primitives::Balance;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::Error;

/// Longest display name, in bytes (short enough for a one-line listing in the explorer).
pub const MAX_DISPLAY_LEN: usize = 32;
/// Longest web address, in bytes (bounds the storage an identity occupies).
pub const MAX_WEB_LEN: usize = 100;
/// The prefixes a web address may start with (lower-case only).
pub const WEB_SCHEMES: [&str; 2] = ["http://", "https://"];

/// A role in the access-control scheme (codec indices are wire format: append only).
///
/// Inheritance (see [`crate::has_role`]): everyone is a `Guest`; `User` is held by any account
/// with a registered identity or any explicitly granted role; `Archiver` by an explicit
/// `Archiver` or `Admin`; `Admin` only by an explicit `Admin`; `Validator` only by an explicit
/// `Validator` (it does not come with `Admin`).
///
/// Serialized (chain spec, RPC) as its lower-case [`Role::name`].
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Hash,
    Encode,
    Decode,
    MaxEncodedLen,
    TypeInfo,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub enum Role {
    /// Anyone, including accounts the chain has never seen. Never stored, cannot be granted.
    #[codec(index = 0)]
    Guest = 0,
    /// A participant: has an identity or some granted role.
    #[codec(index = 1)]
    User = 1,
    /// May archive pages (and attest archives).
    #[codec(index = 2)]
    Archiver = 2,
    /// May grant and revoke every role but `Admin` on other accounts.
    #[codec(index = 3)]
    Admin = 3,
    /// May run a validator.
    #[codec(index = 4)]
    Validator = 4,
}

impl Role {
    /// Every role, in index order.
    pub const ALL: [Role; 5] = [Role::Guest, Role::User, Role::Archiver, Role::Admin, Role::Validator];

    /// The lower-case name used by the CLI and chain specs (`guest`, `user`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::User => "user",
            Role::Archiver => "archiver",
            Role::Admin => "admin",
            Role::Validator => "validator",
        }
    }

    /// The role called `name` (case-insensitive, surrounding whitespace ignored).
    pub fn from_name(name: &str) -> Option<Role> {
        let name = name.trim();
        Self::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// The role's codec index (also its bit position in `Identity.Roles`).
    pub const fn index(self) -> u8 {
        self as u8
    }

    /// The role's bit in the `Identity.Roles` bitset (`1 << index`).
    pub const fn bit(self) -> u8 {
        1 << self.index()
    }
}

impl core::fmt::Display for Role {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// What an account says about itself. Checked by [`IdentityInfo::validate`] before it is stored.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub struct IdentityInfo {
    /// Display name: 1 to [`MAX_DISPLAY_LEN`] bytes of UTF-8 without control characters.
    pub display: Vec<u8>,
    /// Web address: at most [`MAX_WEB_LEN`] bytes of UTF-8, starting with one of
    /// [`WEB_SCHEMES`] and something after it, without whitespace or control characters.
    pub web: Option<Vec<u8>>,
    /// `blake2_256` of the trimmed, lower-cased e-mail address (see [`email_hash`]); the address
    /// itself never goes on chain.
    pub email_hash: Option<[u8; 32]>,
}

impl IdentityInfo {
    /// Checks the limits documented on each field.
    ///
    /// # Errors
    /// [`Error::DisplayInvalid`] or [`Error::WebInvalid`] (the display name is checked first).
    pub fn validate(&self) -> Result<(), Error> {
        if !display_is_valid(&self.display) {
            return Err(Error::DisplayInvalid);
        }
        match &self.web {
            Some(web) if !web_is_valid(web) => Err(Error::WebInvalid),
            _ => Ok(()),
        }
    }
}

fn display_is_valid(display: &[u8]) -> bool {
    if display.is_empty() || display.len() > MAX_DISPLAY_LEN {
        return false;
    }
    match core::str::from_utf8(display) {
        Ok(s) => !s.chars().any(char::is_control),
        Err(_) => false,
    }
}

fn web_is_valid(web: &[u8]) -> bool {
    if web.len() > MAX_WEB_LEN {
        return false;
    }
    let Ok(s) = core::str::from_utf8(web) else {
        return false;
    };
    let rest = WEB_SCHEMES.iter().find_map(|scheme| s.strip_prefix(scheme));
    match rest {
        Some(rest) => !rest.is_empty() && !rest.chars().any(|c| c.is_whitespace() || c.is_control()),
        None => false,
    }
}

/// A registered identity and the deposit reserved for it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_identity", "pallet_identity"))]
pub struct Registration {
    /// The identity.
    pub info: IdentityInfo,
    /// What is reserved from the owner's balance; returned by `clear_identity`.
    pub deposit: Balance,
}

/// The `email_hash` of `email`: `blake2_256` of the address trimmed and lower-cased.
pub fn email_hash(email: &str) -> [u8; 32] {
    archive_primitives::hashing::blake2_256(email.trim().to_lowercase().as_bytes())
}
