//! Per-block hooks of the pallets, in a fixed order: on initialize (after System) staking
//! (author reward, uptime accounting), governance (tallies, enactments), archive (request
//! expiry); on finalize
//! staking (era change: rewards, downtime chill, election of the next validator set).
//! Hooks run outside any extrinsic, so their failures cannot be rolled back by a dispatch
//! error: each pallet's hook is written to be infallible and bounded.

use archive_primitives::{AccountId20, BlockNumber, Digest, DigestItem};
use archive_support::Ext;
use parity_scale_codec::Decode;

use crate::Runtime;

/// The consensus engine id of the slot pre-digest (`archive-consensus`'s `ENGINE_ID`).
pub const SLOT_ENGINE_ID: [u8; 4] = *b"arcp";

/// The `(slot, author)` claimed by the block's pre-runtime digest, if any (blocks built by
/// tests without a pre-digest have none: then author-dependent hooks are skipped).
pub fn slot_claim(digest: &Digest) -> Option<(u64, AccountId20)> {
    digest.logs.iter().find_map(|d| match d {
        DigestItem::PreRuntime(id, data) if *id == SLOT_ENGINE_ID => <(u64, AccountId20)>::decode(&mut &data[..]).ok(),
        _ => None,
    })
}

/// Runs the pallets' `on_initialize` hooks for block `number`.
pub fn on_initialize(ext: &mut Ext<'_>, number: BlockNumber, digest: &Digest) {
    if let Some((slot, author)) = slot_claim(digest) {
        archive_pallet_staking::on_initialize::<Runtime>(ext, number, slot, author);
    }
    archive_pallet_governance::on_initialize::<Runtime>(ext, number);
    archive_pallet_archive::on_initialize::<Runtime>(ext, number);
}

/// Runs the pallets' `on_finalize` hooks for the block being built.
pub fn on_finalize(ext: &mut Ext<'_>) {
    let number = archive_pallet_system::storage::Number::get(ext).unwrap_or(0);
    archive_pallet_staking::on_finalize::<Runtime>(ext, number);
}
