//! Frames on a byte stream: a u32 big-endian length, then that many bytes (one encoded
//! [`WireMessage`](crate::sync::WireMessage)). A length of zero or above the cap is an error
//! (the connection is closed), so a peer cannot make this device allocate more than one
//! message's worth.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The announced length is zero or over the cap.
    #[error("frame length {0} is out of bounds")]
    BadLength(u64),
    /// The stream ended inside a frame.
    #[error("stream ended inside a frame")]
    Truncated,
    /// The stream failed.
    #[error("stream error: {0}")]
    Io(#[from] std::io::Error),
}

/// Read one frame of at most `max` bytes; `None` when the stream ended cleanly between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0u8; 4];
    let mut filled = 0;
    while filled < header.len() {
        let n = reader.read(&mut header[filled..]).await?;
        if n == 0 {
            return if filled == 0 {
                Ok(None)
            } else {
                Err(FrameError::Truncated)
            };
        }
        filled += n;
    }
    let length = u32::from_be_bytes(header);
    let len = usize::try_from(length).map_err(|_| FrameError::BadLength(length.into()))?;
    if len == 0 || len > max {
        return Err(FrameError::BadLength(length.into()));
    }
    let mut bytes = vec![0u8; len];
    match reader.read_exact(&mut bytes).await {
        Ok(_) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(FrameError::Truncated),
        Err(e) => Err(FrameError::Io(e)),
    }
}

/// Write one frame (the caller keeps `bytes` under the cap; longer ones are refused).
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut W,
    bytes: &[u8],
) -> Result<(), std::io::Error> {
    let length = u32::try_from(bytes.len())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "frame too long"))?;
    writer.write_all(&length.to_be_bytes()).await?;
    writer.write_all(bytes).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn frames_round_trip_and_bad_lengths_are_refused() {
        block_on(async {
            let mut buf = Vec::new();
            write_frame(&mut buf, b"hello").await.unwrap();
            write_frame(&mut buf, b"world!").await.unwrap();
            let mut r = buf.as_slice();
            assert_eq!(read_frame(&mut r, 16).await.unwrap().unwrap(), b"hello");
            assert_eq!(read_frame(&mut r, 16).await.unwrap().unwrap(), b"world!");
            assert!(read_frame(&mut r, 16).await.unwrap().is_none());

            let mut r: &[u8] = &[0, 0, 0, 17, 1, 2];
            assert!(matches!(
                read_frame(&mut r, 16).await,
                Err(FrameError::BadLength(17))
            ));
            let mut r: &[u8] = &[0, 0, 0, 0];
            assert!(matches!(
                read_frame(&mut r, 16).await,
                Err(FrameError::BadLength(0))
            ));
            let mut r: &[u8] = &[0, 0, 0, 4, 1, 2];
            assert!(matches!(
                read_frame(&mut r, 16).await,
                Err(FrameError::Truncated)
            ));
            let mut r: &[u8] = &[0, 0];
            assert!(matches!(
                read_frame(&mut r, 16).await,
                Err(FrameError::Truncated)
            ));
        });
    }
}
