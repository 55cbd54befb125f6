//! Gossip of blocks, transactions and votes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_tx_and_vote_gossip_reach_the_peer() {
    let g = genesis(10);
    let a = start(g, 1, &[]).await;
    let mut b = start(g, 1, &[&a]).await;
    assert!(until(SOON, || a.sees(&b) && b.sees(&a)).await);
    let a_id = a.id();

    let announced = block(7, 100);
    let got = send_until(
        &mut b,
        SOON,
        || a.handle.announce_block(announced.clone()),
        |e| matches!(e, NetworkEvent::BlockAnnounced { .. }),
    )
    .await;
    assert_eq!(got, Some(NetworkEvent::BlockAnnounced { peer: a_id, origin: Some(a_id), block: announced.clone() }));
    // b now knows a's best block is #7.
    let status = b.handle.peers().into_iter().find(|p| p.peer_id == a_id.to_string()).expect("a").status;
    assert_eq!((status.best_number, status.best_hash), (7, announced.block.hash()));

    let xt = vec![0x84, 1, 2, 3];
    let got = send_until(
        &mut b,
        SOON,
        || a.handle.gossip_transaction(xt.clone()),
        |e| matches!(e, NetworkEvent::Transaction { .. }),
    )
    .await;
    assert_eq!(got, Some(NetworkEvent::Transaction { peer: a_id, origin: Some(a_id), xt }));

    let vote = b"vote for #7".to_vec();
    let got =
        send_until(&mut b, SOON, || a.handle.gossip_vote(vote.clone()), |e| matches!(e, NetworkEvent::Vote { .. }))
            .await;
    assert_eq!(got, Some(NetworkEvent::Vote { peer: a_id, origin: Some(a_id), data: vote }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gossip_crosses_an_intermediate_node() {
    let g = genesis(11);
    // a — b — c: a and c are reserved-only with b as their only (reserved) boot node, so they
    // refuse each other even though kademlia tells them about one another.
    let b = start(g, 1, &[]).await;
    let line = |boot: &TestNode| {
        let (mut config, dir) = config(g);
        config.boot_nodes = vec![boot.addr()];
        config.reserved_only = true;
        (config, dir)
    };
    let (ca, da) = line(&b);
    let a = start_with(ca, da, TestChain::new(g, 1, 0)).await;
    let (cc, dc) = line(&b);
    let mut c = start_with(cc, dc, TestChain::new(g, 1, 0)).await;
    assert!(until(SOON, || b.peer_count() == 2 && a.sees(&b) && c.sees(&b)).await, "line formed");
    assert!(!a.sees(&c) && !c.sees(&a), "a and c must not be connected directly");
    assert_eq!(a.handle.reserved_peers(), vec![b.id().to_string()]);

    let (b_id, a_id) = (b.id(), a.id());
    let xt = vec![0x84, 9, 9, 9];
    let got = send_until(
        &mut c,
        SOON,
        || a.handle.gossip_transaction(xt.clone()),
        |e| matches!(e, NetworkEvent::Transaction { .. }),
    )
    .await;
    assert_eq!(
        got,
        Some(NetworkEvent::Transaction { peer: b_id, origin: Some(a_id), xt }),
        "c hears a's transaction through b, authored by a"
    );

    let announced = block(2, 10);
    let got = send_until(
        &mut c,
        SOON,
        || a.handle.announce_block(announced.clone()),
        |e| matches!(e, NetworkEvent::BlockAnnounced { .. }),
    )
    .await;
    assert_eq!(got, Some(NetworkEvent::BlockAnnounced { peer: b_id, origin: Some(a_id), block: announced }));
    assert!(!a.sees(&c), "still a line");

    // Reserved-only: dropping b from a's reserved set disconnects them.
    assert!(matches!(a.handle.remove_reserved_peer("garbage"), Err(crate::Error::InvalidPeerId { .. })));
    a.handle.remove_reserved_peer(&b_id.to_string()).expect("valid id");
    assert!(until(SOON, || !a.sees(&b) && !b.sees(&a)).await);
    assert!(a.handle.reserved_peers().is_empty());
}
