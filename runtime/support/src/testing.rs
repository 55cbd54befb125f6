//! Helpers for the pallets' test runtimes (`mock.rs`): accounts, backends built from changes,
//! event decoding and Substrate's `assert_noop` check. Pure functions like the rest of this
//! crate; they panic (with a message naming the problem) because they exist to fail tests.

use std::fmt::Debug;

use archive_primitives::AccountId20;
use parity_scale_codec::{Decode, DecodeAll};

use crate::{DispatchError, DispatchResult, Ext, MemoryBackend, RawOrigin};

/// A test account made of one repeated byte.
pub fn account(byte: u8) -> AccountId20 {
    AccountId20([byte; 20])
}

/// A backend holding `changes` (as [`Ext::into_changes`] returns them) applied on top of
/// `base`.
pub fn apply(base: &MemoryBackend, changes: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> MemoryBackend {
    let mut out = base.clone();
    for (k, v) in changes {
        match v {
            Some(v) => out.0.insert(k, v),
            None => out.0.remove(&k),
        };
    }
    out
}

/// Runs `f` on an [`Ext`] over `base` and returns the backend with its changes committed.
pub fn build_on(base: &MemoryBackend, f: impl FnOnce(&mut Ext<'_>)) -> MemoryBackend {
    let mut ext = Ext::new(base);
    f(&mut ext);
    apply(base, ext.into_changes())
}

/// Decodes a whole event (or any value) from `bytes`.
///
/// # Panics
/// If the bytes do not decode or are not all used.
pub fn decode_all<E: Decode>(bytes: &[u8]) -> E {
    E::decode_all(&mut &bytes[..]).expect("event decodes with no bytes left over")
}

/// Substrate's `assert_noop`, strict: dispatching `call` from `origin` on `base` (with
/// `dispatch`, which must run it in a storage transaction as the executive does) fails with
/// `expected`, emits no event (as `events` decodes them) and writes nothing at all — not even
/// an unchanged value — so every storage item is as it was.
///
/// # Panics
/// When any of that does not hold.
pub fn assert_noop<C: Clone + Debug, E: Debug + PartialEq>(
    base: &MemoryBackend,
    dispatch: impl FnOnce(&mut Ext<'_>, RawOrigin, C) -> DispatchResult,
    events: impl FnOnce(&Ext<'_>) -> Vec<E>,
    origin: RawOrigin,
    call: C,
    expected: DispatchError,
) {
    let mut ext = Ext::new(base);
    assert_eq!(dispatch(&mut ext, origin, call.clone()), Err(expected), "{call:?} from {origin:?}");
    assert_eq!(events(&ext), vec![], "a failed {call:?} emitted events");
    let changes = ext.into_changes();
    assert_eq!(apply(base, changes.clone()).0, base.0, "a failed {call:?} changed state");
    assert_eq!(changes, vec![], "a failed {call:?} wrote (even unchanged) values");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{StorageInstance, StorageValue};

    struct Counter;
    impl StorageInstance for Counter {
        const PALLET: &'static str = "Demo";
        const ITEM: &'static str = "Counter";
    }
    type CounterValue = StorageValue<Counter, u32>;

    fn fails(ext: &mut Ext<'_>, _: RawOrigin, write: bool) -> DispatchResult {
        if write {
            CounterValue::put(ext, &1);
        }
        Err(DispatchError::BadOrigin)
    }

    #[test]
    fn build_on_commits_and_assert_noop_passes_a_clean_failure() {
        let base = build_on(&MemoryBackend::default(), |ext| CounterValue::put(ext, &7));
        assert_eq!(CounterValue::get(&Ext::new(&base)), Some(7));
        let none = |_: &Ext<'_>| Vec::<u8>::new();
        assert_noop(&base, fails, none, RawOrigin::Root, false, DispatchError::BadOrigin);
        assert_eq!(account(3), AccountId20([3; 20]));
        assert_eq!(decode_all::<u16>(&[1, 2]), 0x0201);
    }

    #[test]
    #[should_panic(expected = "changed state")]
    fn assert_noop_catches_a_write_outside_a_transaction() {
        let base = MemoryBackend::default();
        let none = |_: &Ext<'_>| Vec::<u8>::new();
        assert_noop(&base, fails, none, RawOrigin::Root, true, DispatchError::BadOrigin);
    }
}
