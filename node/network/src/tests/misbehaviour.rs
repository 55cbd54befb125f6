//! Peers that are on another chain, send garbage or flood us.

use std::time::Duration;

use super::*;
use crate::behaviour::GossipKind;

/// Starts `b` booting from `a` on another chain and checks that one bans the other (whichever
/// learns first; the other may only see the connection close) and that they never become peers.
async fn refused(genesis_a: H256, genesis_b: H256) {
    let mut a = start(genesis_a, 1, &[]).await;
    let mut b = start(genesis_b, 1, &[&a]).await;
    let (a_id, b_id) = (a.id(), b.id());
    assert!(
        until(SOON, || a.handle.banned_peers() == vec![b_id] || b.handle.banned_peers() == vec![a_id]).await,
        "one of them bans the other"
    );
    // b's reconnection attempts are refused by both sides' bans.
    let _ = b.handle.add_reserved_peer(&a.addr()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!((a.peer_count(), b.peer_count()), (0, 0));
    let connected = |e: &NetworkEvent| matches!(e, NetworkEvent::PeerConnected { .. });
    assert!(a.event(Duration::from_millis(100), connected).await.is_none());
    assert!(b.event(Duration::from_millis(100), connected).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_of_another_chain_is_refused() {
    // Different first 8 hex digits: the protocols themselves differ.
    refused(genesis(30), genesis(31)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_with_another_genesis_behind_the_same_prefix_is_refused() {
    // Same protocol names, different genesis in the status handshake.
    let mut other = genesis(32);
    other.0[31] = 0;
    refused(genesis(32), other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_gossip_gets_its_sender_banned_and_the_receiver_keeps_working() {
    let g = genesis(33);
    let mut b = start(g, 1, &[]).await;
    let evil = start(g, 1, &[&b]).await;
    let honest = start(g, 1, &[&b]).await;
    assert!(until(SOON, || b.sees(&evil) && b.sees(&honest)).await);

    // Raw bytes that are not a SCALE SyncBlock, on the blocks topic.
    let evil_id = evil.id();
    let mut banned = false;
    for _ in 0..30 {
        evil.handle.publish_raw(GossipKind::Blocks, b"\xff\xff not a block".to_vec());
        if until(Duration::from_millis(300), || b.handle.banned_peers().contains(&evil_id)).await {
            banned = true;
            break;
        }
    }
    assert!(banned, "the sender of garbage is banned");
    assert!(until(SOON, || !b.sees(&evil)).await, "and disconnected");
    assert!(
        b.event(Duration::from_millis(200), |e| matches!(e, NetworkEvent::BlockAnnounced { .. })).await.is_none(),
        "garbage is never delivered"
    );

    // Its reconnection is refused.
    let _ = evil.handle.add_reserved_peer(&b.addr()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!b.sees(&evil) && !evil.sees(&b));

    // The receiver still works: an honest block gets through.
    let good = block(3, 0);
    let got = send_until(
        &mut b,
        SOON,
        || honest.handle.announce_block(good.clone()),
        |e| matches!(e, NetworkEvent::BlockAnnounced { .. }),
    )
    .await;
    assert_eq!(got, Some(NetworkEvent::BlockAnnounced { peer: honest.id(), origin: Some(honest.id()), block: good }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_flood_is_dropped_and_the_peer_banned() {
    let g = genesis(34);
    let (mut config_a, dir_a) = config(g);
    config_a.max_requests_per_peer_per_sec = 2;
    let a = start_with(config_a, dir_a, TestChain::new(g, 50, 0)).await;
    let b = start(g, 0, &[&a]).await;
    assert!(until(SOON, || b.sees(&a)).await);
    // Let the status exchange's request leave a's rate window.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let requests = (0..10).map(|i| b.handle.request_blocks(a.id(), i, 1));
    let results = futures::future::join_all(requests).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert!(ok <= 2, "{ok} requests served over a limit of 2 per second");
    assert!(until(SOON, || a.handle.banned_peers().contains(&b.id())).await, "the flooder is banned");
    assert!(until(SOON, || !a.sees(&b)).await);
}
