//! Block sync requests.

use parity_scale_codec::Encode;

use super::*;
use crate::{Error, MAX_BLOCKS_PER_REQUEST};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_blocks_returns_the_providers_blocks_within_caps() {
    let g = genesis(20);
    let chain = TestChain::new(g, 300, 0);
    let (config_a, dir_a) = config(g);
    let a = start_with(config_a, dir_a, chain.clone()).await;
    let b = start(g, 0, &[&a]).await;
    assert!(until(SOON, || b.sees(&a)).await);

    let got = b.handle.request_blocks(a.id(), 10, 5).await.expect("blocks");
    assert_eq!(got, chain.blocks[10..15].to_vec());
    let got = b.handle.request_blocks(a.id(), 0, 1000).await.expect("blocks");
    assert_eq!(got.len(), MAX_BLOCKS_PER_REQUEST as usize, "count capped");
    assert_eq!(got, chain.blocks[..128].to_vec());
    assert_eq!(b.handle.request_blocks(a.id(), 299, 10).await.expect("tail"), chain.blocks[299..].to_vec());
    assert!(b.handle.request_blocks(a.id(), 301, 10).await.expect("beyond best").is_empty());
    assert!(b.handle.request_blocks(a.id(), 0, 0).await.expect("nothing").is_empty());

    let stranger = crate::PeerId::random();
    assert!(matches!(b.handle.request_blocks(stranger, 0, 1).await, Err(Error::Request { .. })));

    // By hash: the one block, or nothing for a hash the peer does not know.
    let wanted = chain.blocks[42].block.hash();
    let got = b.handle.request_block_by_hash(a.id(), wanted).await.expect("by hash");
    assert_eq!(got, Some(chain.blocks[42].clone()));
    let unknown = archive_primitives::H256([0xee; 32]);
    assert_eq!(b.handle.request_block_by_hash(a.id(), unknown).await.expect("by hash"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_trimmed_to_the_message_limit() {
    let g = genesis(21);
    // 40 blocks of ~100 KiB each; with a 1 MiB limit at most 10 fit in one answer.
    let chain = TestChain::new(g, 40, 100 * 1024);
    let (mut config_a, dir_a) = config(g);
    config_a.max_message_bytes = 1024 * 1024;
    let a = start_with(config_a, dir_a, chain.clone()).await;
    let (mut config_b, dir_b) = config(g);
    config_b.max_message_bytes = 1024 * 1024;
    config_b.boot_nodes = vec![a.addr()];
    let b = start_with(config_b, dir_b, TestChain::new(g, 0, 0)).await;
    assert!(until(SOON, || b.sees(&a)).await);

    let got = b.handle.request_blocks(a.id(), 1, 40).await.expect("blocks");
    let n = got.len();
    assert!((2..40).contains(&n), "{n} blocks");
    assert_eq!(got, chain.blocks[1..1 + n].to_vec());
    // As many as fit: one more would have crossed the limit.
    assert!(got.encode().len() <= 1024 * 1024);
    assert!(chain.blocks[1..2 + n].to_vec().encode().len() > 1024 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_response_frame_is_refused() {
    let g = genesis(22);
    // a serves 300 KiB blocks (its limit is the default 8 MiB); b accepts only 256 KiB frames.
    let chain = TestChain::new(g, 4, 300 * 1024);
    let (config_a, dir_a) = config(g);
    let a = start_with(config_a, dir_a, chain).await;
    let (mut config_b, dir_b) = config(g);
    config_b.max_message_bytes = 256 * 1024;
    config_b.boot_nodes = vec![a.addr()];
    let b = start_with(config_b, dir_b, TestChain::new(g, 0, 0)).await;
    assert!(until(SOON, || b.sees(&a)).await);

    let err = b.handle.request_blocks(a.id(), 1, 4).await.expect_err("frame too large");
    let Error::Request { reason, .. } = &err else { panic!("unexpected error {err}") };
    assert!(reason.contains("exceeds the 262144-byte limit"), "{reason}");
    // A limit mismatch is not misbehaviour: a stays connected and unbanned.
    assert!(b.handle.banned_peers().is_empty());
    assert!(b.sees(&a));
}

/// Serves blocks with the wrong numbers.
struct LyingChain(Arc<TestChain>);

impl BlockProvider for LyingChain {
    fn status(&self) -> Status {
        self.0.status()
    }
    fn blocks(&self, from: BlockNumber, max: u32) -> Vec<SyncBlock> {
        self.0.blocks(from.saturating_add(1), max)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_sync_answer_is_refused_and_its_sender_banned() {
    let g = genesis(23);
    let (config_a, dir_a) = config(g);
    let a = start_with(config_a, dir_a, Arc::new(LyingChain(TestChain::new(g, 10, 0)))).await;
    let b = start(g, 0, &[&a]).await;
    assert!(until(SOON, || b.sees(&a)).await);

    let err = b.handle.request_blocks(a.id(), 2, 3).await.expect_err("wrong numbers");
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err}");
    assert!(until(SOON, || b.handle.banned_peers() == vec![a.id()] && !b.sees(&a)).await);
}
