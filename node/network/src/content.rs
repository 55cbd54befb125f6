//! Content exchange: archived records (raw WARC record bytes) fetched from peers by content
//! hash, in both directions.
//!
//! The network never hashes: the hash is an opaque 32-byte key (SHA-256 of the record, by the
//! archive's convention) that the [`BlockProvider`](crate::BlockProvider) looks up, and the
//! fetching caller re-hashes what comes back
//! ([`NetworkHandle::fetch_content`](crate::NetworkHandle::fetch_content) reports a peer whose
//! bytes fail the check).
//!
//! **Invariant:** nothing larger than `min(request.max_bytes, max_content_bytes)` is sent, and
//! an answer larger than the request's `max_bytes` gets its sender banned.

use std::{future::Future, pin::Pin};

use libp2p::{
    request_response::{self, Message, OutboundFailure, ResponseChannel},
    PeerId,
};
use parity_scale_codec::{Decode, Encode};

use crate::{
    codec::{frame_error, FrameError},
    error::Error,
    rate_limit::Verdict,
    worker::NetworkWorker,
};

/// Bytes a [`ContentResponse`] adds around the record: the `Option` tag (1) and the SCALE
/// compact length (at most 5), rounded up. The response frame cap is
/// `max_content_bytes + CONTENT_ENVELOPE_BYTES`.
pub(crate) const CONTENT_ENVELOPE_BYTES: usize = 16;
/// Content-serving jobs (record reads of up to `max_content_bytes` each) running at once;
/// further content requests are dropped unanswered.
pub(crate) const MAX_CONCURRENT_CONTENT_SERVES: usize = 4;

/// A content request (SCALE): the record whose content hash is `hash`, if it is at most
/// `max_bytes` long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct ContentRequest {
    /// Content hash of the record (SHA-256 of its bytes, by the archive's convention; the
    /// network treats it as an opaque key).
    pub hash: [u8; 32],
    /// Largest record the requester accepts, in bytes. Capped by each side's
    /// [`NetworkConfig::max_content_bytes`](crate::NetworkConfig::max_content_bytes).
    pub max_bytes: u32,
}

/// A content answer (SCALE). `None` means the peer does not have the record, or not within the
/// request's `max_bytes`; it is not misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct ContentResponse {
    /// The record's bytes, unchecked: the requester re-hashes them.
    pub found: Option<Vec<u8>>,
}

/// What a finished content-serving job hands back to the worker; `record` is `None` if the
/// provider panicked.
pub(crate) struct ContentServed {
    peer: PeerId,
    request: ContentRequest,
    limit: usize,
    channel: ResponseChannel<ContentResponse>,
    record: Option<Option<Vec<u8>>>,
}

/// A content-serving job: the provider runs on a blocking thread.
pub(crate) type ContentJob = Pin<Box<dyn Future<Output = ContentServed> + Send>>;

/// A content request we sent and whose answer a handle awaits.
pub(crate) struct PendingContent {
    pub(crate) peer: PeerId,
    pub(crate) request: ContentRequest,
    pub(crate) reply: tokio::sync::oneshot::Sender<Result<Option<Vec<u8>>, Error>>,
}

impl NetworkWorker {
    pub(crate) fn on_content_event(&mut self, event: request_response::Event<ContentRequest, ContentResponse>) {
        match event {
            request_response::Event::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                self.serve_content(peer, request, channel);
            }
            request_response::Event::Message { peer, message: Message::Response { request_id, response }, .. } => {
                let Some(pending) = self.content_requests.remove(&request_id) else { return };
                let result = match check_content_response(&pending.request, &response) {
                    Ok(()) => Ok(response.found),
                    Err(reason) => {
                        self.ban(peer, &format!("invalid content response: {reason}"));
                        Err(Error::InvalidResponse { peer: peer.to_string(), reason })
                    }
                };
                let _ = pending.reply.send(result);
            }
            request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
                let pending = self.content_requests.remove(&request_id);
                if let Some(offence) =
                    pending.as_ref().and_then(|p| failure_offence(&p.request, &error, self.max_content_bytes))
                {
                    self.ban(peer, &offence);
                }
                tracing::debug!(peer = %peer, error = %error, "content request failed");
                if let Some(pending) = pending {
                    let reason = error.to_string();
                    let _ = pending.reply.send(Err(Error::Request { peer: pending.peer.to_string(), reason }));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                self.on_inbound_failure(peer, error, "content");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Sends a content request for a handle (the peer must have completed the handshake).
    pub(crate) fn request_content(&mut self, pending: PendingContent) {
        let peer = pending.peer;
        if self.peers.get(&peer).is_none_or(|p| p.status.is_none()) {
            let _ = pending.reply.send(Err(Error::Request { peer: peer.to_string(), reason: "not connected".into() }));
            return;
        }
        let id = self.swarm.behaviour_mut().content.send_request(&peer, pending.request);
        tracing::debug!(peer = %peer, hash = %hex::encode(pending.request.hash), "requesting content");
        self.content_requests.insert(id, pending);
    }

    /// Applies the content rate limit (counted apart from status and sync requests, with the
    /// same per-second limit); `false` means drop the request. As for sync, a banned peer's
    /// requests still in flight are dropped.
    fn admit_content_request(&mut self, peer: PeerId) -> bool {
        if self.swarm.behaviour().gate.is_banned(&peer) {
            return false;
        }
        match self.content_rate.check(peer, std::time::Instant::now()) {
            Verdict::Allow => true,
            Verdict::Drop => {
                tracing::debug!(peer = %peer, "content request over the rate limit dropped");
                false
            }
            Verdict::Abuse => {
                self.ban(peer, "content request flood");
                false
            }
        }
    }

    /// Starts a blocking job that reads the record from the provider, unless the peer is over
    /// its rate limit or [`MAX_CONCURRENT_CONTENT_SERVES`] jobs are running (then the request
    /// is dropped unanswered).
    fn serve_content(&mut self, peer: PeerId, request: ContentRequest, channel: ResponseChannel<ContentResponse>) {
        if !self.admit_content_request(peer) {
            return;
        }
        if self.content_serving.len() >= MAX_CONCURRENT_CONTENT_SERVES {
            tracing::debug!(peer = %peer, "too many content requests in progress; dropping one");
            return;
        }
        let limit = (request.max_bytes as usize).min(self.max_content_bytes);
        let provider = self.provider.clone();
        let provider_limit = u32::try_from(limit).expect("limit is at most request.max_bytes, a u32");
        let job = tokio::task::spawn_blocking(move || provider.content(&request.hash, provider_limit));
        self.content_serving
            .push(Box::pin(async move { ContentServed { peer, request, limit, channel, record: job.await.ok() } }));
    }

    /// Sends what the provider returned; a record over the limit is answered as not found.
    pub(crate) fn finish_serving_content(&mut self, served: ContentServed) {
        let ContentServed { peer, request, limit, channel, record } = served;
        let hash = hex::encode(request.hash);
        let Some(mut found) = record else {
            tracing::error!(peer = %peer, %hash, "block provider failed reading content; request dropped");
            return;
        };
        if let Some(len) = found.as_ref().map(Vec::len).filter(|len| *len > limit) {
            tracing::debug!(peer = %peer, %hash, len, limit, "record larger than the requester accepts; answering none");
            found = None;
        }
        tracing::debug!(peer = %peer, %hash, found = found.is_some(), "serving content");
        if self.swarm.behaviour_mut().content.send_response(channel, ContentResponse { found }).is_err() {
            tracing::debug!(peer = %peer, "content requester went away before the answer");
        }
    }
}

/// Checks a content answer: no more bytes than asked for. (Whether the bytes match the hash is
/// the caller's check.)
pub(crate) fn check_content_response(request: &ContentRequest, response: &ContentResponse) -> Result<(), String> {
    match &response.found {
        Some(bytes) if bytes.len() > request.max_bytes as usize => {
            Err(format!("{} bytes for a request of at most {}", bytes.len(), request.max_bytes))
        }
        _ => Ok(()),
    }
}

/// Whether a failed content request shows misbehaviour, and why: garbage is; an oversized frame
/// is when we asked for no more than our own cap (an honest peer never sends more than asked).
pub(crate) fn failure_offence(
    request: &ContentRequest,
    error: &OutboundFailure,
    max_content_bytes: usize,
) -> Option<String> {
    let OutboundFailure::Io(e) = error else { return None };
    match frame_error(e)? {
        FrameError::Undecodable(_) => Some(format!("undecodable content response: {e}")),
        FrameError::TooLarge { .. } if request.max_bytes as usize <= max_content_bytes => {
            Some(format!("content response larger than the {} bytes asked for: {e}", request.max_bytes))
        }
        FrameError::TooLarge { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn wire_format_is_pinned() {
        let request = ContentRequest { hash: [7; 32], max_bytes: 0x0102_0304 };
        let mut expected = vec![7u8; 32];
        expected.extend_from_slice(&[4, 3, 2, 1]);
        assert_eq!(request.encode(), expected);
        assert_eq!(ContentResponse { found: None }.encode(), vec![0]);
        assert_eq!(ContentResponse { found: Some(vec![0xaa, 0xbb]) }.encode(), vec![1, 8, 0xaa, 0xbb]);
        // The envelope bound holds for the largest record a frame can carry: the Option tag
        // plus the longest compact length.
        let envelope = 1 + parity_scale_codec::Compact(u32::MAX).encoded_size();
        assert!(envelope <= CONTENT_ENVELOPE_BYTES, "{envelope}");
    }

    #[test]
    fn answers_over_max_bytes_are_invalid() {
        let request = ContentRequest { hash: [0; 32], max_bytes: 4 };
        assert!(check_content_response(&request, &ContentResponse { found: None }).is_ok());
        assert!(check_content_response(&request, &ContentResponse { found: Some(vec![1; 4]) }).is_ok());
        let err = check_content_response(&request, &ContentResponse { found: Some(vec![1; 5]) }).expect_err("5 > 4");
        assert!(err.contains("5 bytes"), "{err}");
    }

    #[test]
    fn oversized_frames_are_misbehaviour_only_within_our_own_cap() {
        let too_large =
            || OutboundFailure::Io(io::Error::new(io::ErrorKind::InvalidData, FrameError::TooLarge { len: 9, max: 8 }));
        let within = ContentRequest { hash: [0; 32], max_bytes: 8 };
        assert!(failure_offence(&within, &too_large(), 8).is_some(), "the peer ignored max_bytes");
        let beyond = ContentRequest { hash: [0; 32], max_bytes: 9 };
        assert!(failure_offence(&beyond, &too_large(), 8).is_none(), "we asked for more than we accept");
        let garbage = OutboundFailure::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            FrameError::Undecodable(parity_scale_codec::Error::from("bad")),
        ));
        assert!(failure_offence(&beyond, &garbage, 8).is_some());
        assert!(failure_offence(&within, &OutboundFailure::Timeout, 8).is_none());
        let eof = OutboundFailure::Io(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert!(failure_offence(&within, &eof, 8).is_none(), "a dropped request is not misbehaviour");
    }
}
