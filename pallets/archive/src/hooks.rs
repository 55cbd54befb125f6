//! The block hook: returns the bounties of expired requests.

use archive_pallet_balances as balances;
use archive_primitives::BlockNumber;
use archive_support::{Ext, Weight};

use crate::{
    pallet::{deposit_event, Event},
    storage::{OpenRequests, Requests},
    weights, Config, MAX_EXPIRIES_PER_BLOCK,
};

/// Runs at the start of block `now`, before any extrinsic. Reads `OpenRequests` once and
/// expires, in ascending id order, at most [`MAX_EXPIRIES_PER_BLOCK`] requests whose
/// `expires ≤ now`: each bounty is unreserved to its requester, the request leaves `Requests`
/// and `OpenRequests`, and `RequestExpired` is emitted. Expired requests beyond the limit are
/// handled in the following blocks (they are already closed: `submit_archive`, `cancel_request`
/// and bounty payouts treat a request as open only while `now < expires`).
///
/// Records that claimed an expired request stay pending; if verified later they earn no bounty.
/// Writes nothing when nothing expires. Never fails; returns the weight used.
pub fn on_initialize<T: Config>(ext: &mut Ext<'_>, now: BlockNumber) -> Weight {
    let open = OpenRequests::get_or_default(ext);
    let expired: Vec<u64> =
        open.iter().filter(|(_, expires)| *expires <= now).map(|(id, _)| *id).take(MAX_EXPIRIES_PER_BLOCK).collect();
    if expired.is_empty() {
        return weights::on_initialize(0);
    }
    for &id in &expired {
        // `OpenRequests` only lists stored requests; should one be missing, just drop its id.
        let Some(req) = Requests::get(ext, &id) else { continue };
        if req.bounty > 0 {
            balances::unreserve::<T>(ext, &req.requester, req.bounty);
        }
        Requests::remove(ext, &id);
        deposit_event::<T>(ext, Event::RequestExpired { id, requester: req.requester, bounty: req.bounty });
    }
    let still_open: Vec<(u64, BlockNumber)> = open.into_iter().filter(|(id, _)| !expired.contains(id)).collect();
    OpenRequests::put(ext, &still_open);
    weights::on_initialize(expired.len() as u64)
}
