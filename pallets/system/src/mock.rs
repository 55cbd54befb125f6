//! Test runtime for the system pallet.

use archive_primitives::H256;
use archive_support::{DispatchResult, Ext, MemoryBackend, RawOrigin};
use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::{Call, Config, Event};
pub use archive_support::testing::account;

/// The test runtime.
pub struct Test;

impl Config for Test {
    const INDEX: u8 = 0;
    const BLOCK_HASH_COUNT: u32 = 10;
}

/// `Test::BLOCK_HASH_COUNT`.
pub const BLOCK_HASH_COUNT: u32 = 10;

/// The runtime event type, as clients decode `System.Events` (System is pallet 0).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    #[codec(index = 0)]
    System(Event),
}

/// A hash made of one repeated byte.
pub fn hash(byte: u8) -> H256 {
    H256([byte; 32])
}

/// Every event recorded in `ext`, decoded (each record is `0x00 ++ SCALE(Event)`).
pub fn events(ext: &Ext<'_>) -> Vec<Event> {
    ext.events()
        .iter()
        .map(|r| match RuntimeEvent::decode_all(&mut &r.event[..]) {
            Ok(RuntimeEvent::System(e)) => e,
            Err(e) => panic!("undecodable event {:?}: {e}", r.event),
        })
        .collect()
}

/// Dispatches `call` inside a storage transaction, exactly as the executive does.
pub fn dispatch(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    ext.transactional(|ext| crate::pallet::dispatch::<Test>(ext, origin, call))
}

/// Asserts that `call` from `origin` on `base` fails with `expected`, writes nothing and emits
/// nothing.
pub fn assert_noop(base: &MemoryBackend, origin: RawOrigin, call: Call, expected: archive_support::DispatchError) {
    archive_support::testing::assert_noop(base, dispatch, events, origin, call, expected);
}
