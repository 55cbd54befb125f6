//! Calls, events, errors and the block-lifecycle functions of the system pallet. The metadata
//! path of these enums is `frame_system::pallet::*`, as in Substrate.

use archive_primitives::{AccountId20, BlockNumber, Digest, H256};
use archive_support::{
    dispatch::PalletError, events::encode_events, DispatchError, DispatchInfo, DispatchResult, Ext, RawOrigin, Weight,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{storage, Account, Config};

/// Calls (indices are wire format: append only). Variant names are the call names clients use.
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "frame_system"))]
pub enum Call {
    /// Make some on-chain remark. Origin: signed. Weight: O(1) plus its length.
    #[codec(index = 0)]
    remark { remark: Vec<u8> },
    /// Set raw storage items. Origin: root.
    #[codec(index = 4)]
    set_storage { items: Vec<(Vec<u8>, Vec<u8>)> },
    /// Kill raw storage items. Origin: root.
    #[codec(index = 5)]
    kill_storage { keys: Vec<Vec<u8>> },
    /// Make an on-chain remark and emit `Remarked` with its blake2_256. Origin: signed.
    #[codec(index = 7)]
    remark_with_event { remark: Vec<u8> },
}

/// Events (indices are wire format: append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "frame_system"))]
pub enum Event {
    /// An extrinsic completed successfully.
    #[codec(index = 0)]
    ExtrinsicSuccess { dispatch_info: DispatchInfo },
    /// An extrinsic failed.
    #[codec(index = 1)]
    ExtrinsicFailed { dispatch_error: DispatchError, dispatch_info: DispatchInfo },
    /// A new account was created.
    #[codec(index = 3)]
    NewAccount { account: AccountId20 },
    /// An account was reaped.
    #[codec(index = 4)]
    KilledAccount { account: AccountId20 },
    /// On-chain remark happened.
    #[codec(index = 5)]
    Remarked { sender: AccountId20, hash: H256 },
}

/// Errors (indices are wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_system", "frame_system"))]
pub enum Error {
    /// The remark was empty.
    #[codec(index = 0)]
    EmptyRemark,
    /// Suicide called when the account has non-default composite data.
    #[codec(index = 1)]
    NonDefaultComposite,
    /// There is a non-zero reference count preventing the account from being purged.
    #[codec(index = 2)]
    NonZeroRefCount,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

/// Weight of a call, as charged (base weights measured on the reference machine; see
/// runtime `weights.rs`).
pub fn call_weight(call: &Call) -> Weight {
    const REMARK_BASE: u64 = 2_000_000;
    const PER_BYTE: u64 = 1_000;
    const STORAGE_ITEM: u64 = 25_000_000;
    match call {
        Call::remark { remark } | Call::remark_with_event { remark } => {
            Weight::from_parts(REMARK_BASE + PER_BYTE * remark.len() as u64, 0)
        }
        Call::set_storage { items } => Weight::from_parts(STORAGE_ITEM * items.len() as u64, 0),
        Call::kill_storage { keys } => Weight::from_parts(STORAGE_ITEM * keys.len() as u64, 0),
    }
}

/// Dispatches a call. Runs inside the caller's storage transaction.
///
/// # Errors
/// `BadOrigin` for the wrong origin; `EmptyRemark` for an empty `remark_with_event`.
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    match call {
        Call::remark { .. } => {
            origin.ensure_signed()?;
            Ok(())
        }
        Call::remark_with_event { remark } => {
            let sender = origin.ensure_signed()?;
            if remark.is_empty() {
                return Err(Error::EmptyRemark.into_dispatch(T::INDEX));
            }
            let hash = H256(archive_primitives::hashing::blake2_256(&remark));
            deposit_event::<T>(ext, Event::Remarked { sender, hash });
            Ok(())
        }
        Call::set_storage { items } => {
            origin.ensure_root()?;
            for (k, v) in items {
                ext.set(k, v);
            }
            Ok(())
        }
        Call::kill_storage { keys } => {
            origin.ensure_root()?;
            for k in keys {
                ext.remove(k);
            }
            Ok(())
        }
    }
}

/// Records a system event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(T::INDEX, &e);
}

/// The account record of `who` (default if absent).
pub fn account(ext: &Ext<'_>, who: &AccountId20) -> Account {
    storage::Account::get_or_default(ext, who)
}

/// Stores an account record; a record with no providers, consumers and zero balances is deleted
/// (`KilledAccount`), a new one announces `NewAccount`.
pub fn put_account<T: Config>(ext: &mut Ext<'_>, who: &AccountId20, acc: &Account) {
    let existed = storage::Account::contains(ext, who);
    let empty = acc.providers == 0 && acc.consumers == 0 && acc.sufficients == 0;
    if empty {
        if existed {
            storage::Account::remove(ext, who);
            deposit_event::<T>(ext, Event::KilledAccount { account: *who });
        }
        return;
    }
    storage::Account::insert(ext, who, acc);
    if !existed {
        deposit_event::<T>(ext, Event::NewAccount { account: *who });
    }
}

/// The next nonce of `who`.
pub fn account_nonce(ext: &Ext<'_>, who: &AccountId20) -> u32 {
    account(ext, who).nonce
}

/// Increments `who`'s nonce (called once per signed extrinsic, even if dispatch fails).
pub fn inc_nonce(ext: &mut Ext<'_>, who: &AccountId20) {
    let mut acc = account(ext, who);
    acc.nonce = acc.nonce.wrapping_add(1);
    storage::Account::insert(ext, who, &acc);
}

/// Starts block `number`: records its parent and digest; resets per-block counters.
pub fn initialize<T: Config>(ext: &mut Ext<'_>, number: BlockNumber, parent_hash: H256, digest: &Digest) {
    storage::Number::put(ext, &number);
    storage::ParentHash::put(ext, &parent_hash);
    storage::DigestItems::put(ext, digest);
    if number > 0 {
        storage::BlockHash::insert(ext, &(number - 1), &parent_hash);
    }
    storage::ExtrinsicCount::kill(ext);
    storage::AllExtrinsicsLen::kill(ext);
    storage::BlockWeight::kill(ext);
}

/// Records that an extrinsic of `len` bytes and `weight` was applied.
pub fn note_applied_extrinsic(ext: &mut Ext<'_>, len: u32, weight: Weight) {
    let count = storage::ExtrinsicCount::get(ext).unwrap_or(0);
    storage::ExtrinsicCount::put(ext, &(count + 1));
    let total = storage::AllExtrinsicsLen::get(ext).unwrap_or(0);
    storage::AllExtrinsicsLen::put(ext, &total.saturating_add(len));
    let w = storage::BlockWeight::get(ext).unwrap_or_default();
    storage::BlockWeight::put(ext, &w.saturating_add(weight));
}

/// Ends the block: writes its events, drops the block hash that left the window.
pub fn finalize<T: Config>(ext: &mut Ext<'_>) {
    let number = storage::Number::get(ext).unwrap_or(0);
    // Block 0's hash is kept forever: it is the genesis hash that every transaction signs.
    let old = number.saturating_sub(T::BLOCK_HASH_COUNT).saturating_sub(1);
    if old != 0 {
        storage::BlockHash::remove(ext, &old);
    }
    let events = ext.take_events();
    storage::EventCount::put(ext, &(events.len() as u32));
    ext.set(storage::events_key().to_vec(), encode_events(&events));
}

/// The hash of block `n` if it is within the kept window (genesis is always kept: its entry is
/// set when block 1 starts).
pub fn block_hash(ext: &Ext<'_>, n: BlockNumber) -> Option<H256> {
    storage::BlockHash::get(ext, &n)
}

/// The block number being built.
pub fn block_number(ext: &Ext<'_>) -> BlockNumber {
    storage::Number::get(ext).unwrap_or(0)
}
