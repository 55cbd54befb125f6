//! Connection management: handshake, discovery, node key, partition control.

use std::time::Duration;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_exchange_status() {
    let g = genesis(1);
    let mut a = start(g, 5, &[]).await;
    let mut b = start(g, 3, &[&a]).await;

    let b_id = b.id();
    let event = a.event(SOON, |e| matches!(e, NetworkEvent::PeerConnected { peer, .. } if *peer == b_id)).await;
    let Some(NetworkEvent::PeerConnected { status, .. }) = event else { panic!("a never saw b connect") };
    assert_eq!(status, TestChain::new(g, 3, 0).status(), "a got b's status");
    let a_id = a.id();
    let event = b.event(SOON, |e| matches!(e, NetworkEvent::PeerConnected { peer, .. } if *peer == a_id)).await;
    let Some(NetworkEvent::PeerConnected { status, .. }) = event else { panic!("b never saw a connect") };
    assert_eq!(status.best_number, 5);

    assert!(until(SOON, || a.sees(&b) && b.sees(&a)).await);
    let peers = a.handle.peers();
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].status.best_number, 3);
    assert!(a.addr().ends_with(&format!("/p2p/{}", a.id())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_discover_each_other_through_a_boot_node() {
    let g = genesis(2);
    let a = start(g, 1, &[]).await;
    let b = start(g, 1, &[&a]).await;
    assert!(until(SOON, || a.sees(&b) && b.sees(&a)).await, "a and b connect");
    // c only knows a, and a knows b only from b's inbound connection: a must have learnt b's
    // listen address (identify → kademlia) for c to find b.
    let c = start(g, 1, &[&a]).await;
    assert!(
        until(SOON, || a.peer_count() == 2 && b.peer_count() == 2 && c.peer_count() == 2).await,
        "full mesh: a {} b {} c {}",
        a.peer_count(),
        b.peer_count(),
        c.peer_count()
    );
    assert!(c.sees(&b) && b.sees(&c));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_key_gives_the_same_peer_id_across_restarts() {
    let g = genesis(3);
    let (config1, dir) = config(g);
    let node = start_with(config1.clone(), dir, TestChain::new(g, 0, 0)).await;
    let first = node.id();
    let key_file = node.key_file.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("key file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let TestNode { handle, _dir: dir, .. } = node;
    drop(handle); // the worker stops once its handles are gone

    let restarted = start_with(config1.clone(), dir, TestChain::new(g, 0, 0)).await;
    assert_eq!(restarted.id(), first);
    assert_eq!(crate::node_key_peer_id(&key_file).expect("key"), first);

    let (other, dir2) = config(g);
    let fresh = start_with(other, dir2, TestChain::new(g, 0, 0)).await;
    assert_ne!(fresh.id(), first, "a different key file gives a different peer id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_drops_peers_and_refuses_them_until_lifted() {
    let g = genesis(4);
    let mut a = start(g, 1, &[]).await;
    let b = start(g, 1, &[&a]).await;
    assert!(until(SOON, || a.sees(&b) && b.sees(&a)).await);

    b.handle.disconnect_all_and_block(true);
    let b_id = b.id();
    assert!(a.event(SOON, |e| matches!(e, NetworkEvent::PeerDisconnected { peer } if *peer == b_id)).await.is_some());
    assert!(until(SOON, || a.peer_count() == 0 && b.peer_count() == 0).await);

    // a keeps trying (b is now its reserved peer, redialled every few seconds): b refuses.
    a.handle.add_reserved_peer(&b.addr()).await.expect("dial starts");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(a.peer_count(), 0, "a blocked node accepted a connection");
    assert_eq!(b.peer_count(), 0);

    b.handle.disconnect_all_and_block(false);
    assert!(until(SOON, || a.sees(&b) && b.sees(&a)).await, "connection restored after unblocking");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_peer_limit_is_enforced() {
    let g = genesis(5);
    let (mut config_a, dir_a) = config(g);
    config_a.max_peers = 1;
    let a = start_with(config_a, dir_a, TestChain::new(g, 1, 0)).await;
    let b = start(g, 1, &[&a]).await;
    assert!(until(SOON, || a.sees(&b)).await);
    let c = start(g, 1, &[&a]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(a.peer_count(), 1, "a is full");
    assert!(!a.sees(&c) && !c.sees(&a));
}
