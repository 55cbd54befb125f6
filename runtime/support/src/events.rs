//! Event records as the runtime collects them and stores them in `System.Events`.

use parity_scale_codec::Encode;

use crate::Phase;

use archive_primitives::H256;

/// One event: `phase ++ RuntimeEvent ++ topics`. The event is kept pre-encoded (pallet index
/// byte + the pallet's event), which is exactly the `RuntimeEvent` encoding.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RawEventRecord {
    /// When it happened.
    pub phase: Phase,
    /// The encoded `RuntimeEvent`.
    pub event: Vec<u8>,
    /// Indexed topics (unused for now; always empty).
    pub topics: Vec<H256>,
}

impl Encode for RawEventRecord {
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        self.phase.encode_to(dest);
        dest.write(&self.event);
        self.topics.encode_to(dest);
    }
}

/// Encodes a list of records as `Vec<EventRecord<RuntimeEvent, H256>>`.
pub fn encode_events(records: &[RawEventRecord]) -> Vec<u8> {
    records.encode()
}
