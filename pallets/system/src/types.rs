//! Balance data kept inside each account record. It lives here because `System.Account` stores
//! it, but its metadata path is `pallet_balances::types::AccountData`, as clients expect.

use archive_primitives::Balance;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// An account's balances (`pallet_balances::types::AccountData<u128>`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "pallet_balances"))]
pub struct AccountData<B = Balance> {
    /// Spendable funds, minus `frozen`.
    pub free: B,
    /// Reserved funds (deposits); not spendable, slashable.
    pub reserved: B,
    /// The part of `free` that locks (staking, voting) keep from being spent.
    pub frozen: B,
    /// Flags (bit 127 set: new-style account logic, as Substrate).
    pub flags: ExtraFlags,
}

/// Account flags (`pallet_balances::types::ExtraFlags`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "pallet_balances"))]
pub struct ExtraFlags(pub u128);

/// The "new logic" flag Substrate sets on every account.
pub const IS_NEW_LOGIC: u128 = 1 << 127;

impl Default for ExtraFlags {
    fn default() -> Self {
        ExtraFlags(IS_NEW_LOGIC)
    }
}

impl AccountData<Balance> {
    /// Free balance that can be spent or transferred (free minus frozen).
    pub fn usable(&self) -> Balance {
        self.free.saturating_sub(self.frozen)
    }
    /// Free plus reserved.
    pub fn total(&self) -> Balance {
        self.free.saturating_add(self.reserved)
    }
}
