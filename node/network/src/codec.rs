//! A request-response codec for SCALE messages in length-prefixed, size-capped frames.
//!
//! Frame: a 4-byte big-endian length, then that many bytes of SCALE which must decode exactly
//! (no trailing bytes). A frame announcing more than the cap is refused before its body is read,
//! so a peer cannot make us buffer more than the cap.

use std::{fmt, io, marker::PhantomData};

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::{request_response, StreamProtocol};
use parity_scale_codec::{Decode, DecodeAll, Encode};

/// Bytes of the length prefix.
const LENGTH_PREFIX: usize = 4;

/// Why a frame was refused; carried inside the `io::Error` the codec returns so the worker can
/// tell an oversized frame (a limit mismatch) from garbage (misbehaviour).
#[derive(Debug)]
pub(crate) enum FrameError {
    /// The frame announces more bytes than the cap.
    TooLarge { len: usize, max: usize },
    /// The body is not a valid SCALE encoding of the expected type.
    Undecodable(parity_scale_codec::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { len, max } => write!(f, "frame of {len} bytes exceeds the {max}-byte limit"),
            FrameError::Undecodable(e) => write!(f, "undecodable frame: {e}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// The [`FrameError`] inside an I/O error from this codec, if any.
pub(crate) fn frame_error(e: &io::Error) -> Option<&FrameError> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<FrameError>())
}

/// SCALE request/response codec with separate caps for requests and responses.
pub(crate) struct ScaleCodec<Req, Resp> {
    max_request: usize,
    max_response: usize,
    _types: PhantomData<fn() -> (Req, Resp)>,
}

impl<Req, Resp> ScaleCodec<Req, Resp> {
    pub(crate) fn new(max_request: usize, max_response: usize) -> Self {
        ScaleCodec { max_request, max_response, _types: PhantomData }
    }
}

impl<Req, Resp> Clone for ScaleCodec<Req, Resp> {
    fn clone(&self) -> Self {
        Self::new(self.max_request, self.max_response)
    }
}

async fn read_frame<T: Decode, R: AsyncRead + Unpin + Send>(io: &mut R, max: usize) -> io::Result<T> {
    let mut prefix = [0u8; LENGTH_PREFIX];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > max {
        return Err(io::Error::new(io::ErrorKind::InvalidData, FrameError::TooLarge { len, max }));
    }
    let mut body = vec![0u8; len];
    io.read_exact(&mut body).await?;
    T::decode_all(&mut body.as_slice())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, FrameError::Undecodable(e)))
}

async fn write_frame<T: Encode, W: AsyncWrite + Unpin + Send>(io: &mut W, value: T, max: usize) -> io::Result<()> {
    let body = value.encode();
    let len = match u32::try_from(body.len()) {
        Ok(len) if body.len() <= max => len,
        _ => {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, FrameError::TooLarge { len: body.len(), max }));
        }
    };
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(&body).await?;
    io.flush().await
}

impl<Req, Resp> request_response::Codec for ScaleCodec<Req, Resp>
where
    Req: Encode + Decode + Send + 'static,
    Resp: Encode + Decode + Send + 'static,
{
    type Protocol = StreamProtocol;
    type Request = Req;
    type Response = Resp;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Req>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_request).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Resp>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_response).await
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, req: Req) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, req, self.max_request).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, res: Resp) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, res, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use futures::{executor::block_on, io::Cursor};
    use libp2p::request_response::Codec;

    use super::*;
    use crate::types::SyncRequest;

    type Sync = ScaleCodec<SyncRequest, Vec<u8>>;
    const PROTOCOL: StreamProtocol = StreamProtocol::new("/test/1");

    fn frame(len: u32, body: &[u8]) -> Vec<u8> {
        let mut out = len.to_be_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn round_trip() {
        let mut codec = Sync::new(16, 1024);
        let mut buf = Vec::new();
        let req = SyncRequest { from: 5, max: 7, by_hash: None };
        block_on(codec.write_request(&PROTOCOL, &mut Cursor::new(&mut buf), req)).expect("write");
        assert_eq!(buf, frame(9, &req.encode()));
        let back = block_on(codec.read_request(&PROTOCOL, &mut Cursor::new(buf))).expect("read");
        assert_eq!(back, req);
    }

    #[test]
    fn oversized_frames_are_refused_unread() {
        let mut codec = Sync::new(16, 1024);
        // Announces 1025 bytes but carries none: refused on the prefix alone.
        let err = block_on(codec.read_response(&PROTOCOL, &mut Cursor::new(frame(1025, &[])))).expect_err("too large");
        assert!(matches!(frame_error(&err), Some(FrameError::TooLarge { len: 1025, max: 1024 })), "{err}");
        let err = block_on(codec.read_request(&PROTOCOL, &mut Cursor::new(frame(u32::MAX, &[])))).expect_err("huge");
        assert!(matches!(frame_error(&err), Some(FrameError::TooLarge { .. })));
        // And we refuse to send one.
        let mut buf = Vec::new();
        let err =
            block_on(codec.write_response(&PROTOCOL, &mut Cursor::new(&mut buf), vec![0u8; 2000])).expect_err("big");
        assert!(matches!(frame_error(&err), Some(FrameError::TooLarge { .. })));
        assert!(buf.is_empty());
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let mut codec = Sync::new(16, 1024);
        // Trailing byte after a valid request.
        let err = block_on(codec.read_request(&PROTOCOL, &mut Cursor::new(frame(10, &[0; 10])))).expect_err("trailing");
        assert!(matches!(frame_error(&err), Some(FrameError::Undecodable(_))));
        // Body shorter than announced.
        let err = block_on(codec.read_request(&PROTOCOL, &mut Cursor::new(frame(9, &[0; 3])))).expect_err("short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        // A Vec<u8> claiming a huge length inside a small frame.
        let err = block_on(codec.read_response(&PROTOCOL, &mut Cursor::new(frame(5, &[0xff, 0xff, 0xff, 0xff, 0x03]))))
            .expect_err("lying length");
        assert!(matches!(frame_error(&err), Some(FrameError::Undecodable(_))));
    }
}
