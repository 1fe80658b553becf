//! Frames on a byte stream: a u32 big-endian length, then that many bytes (one encoded
//! [`WireMessage`](crate::sync::WireMessage)). A length of zero or above the cap is an error
//! (the connection is closed), so a peer cannot make this device allocate more than one
//! message's worth; and the announced length is not reserved before the bytes arrive, so a
//! length prefix without data holds no more than [`FIRST_CHUNK`].

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

/// Bytes reserved ahead of the data when a frame starts: a frame's buffer grows only as its
/// bytes arrive (at most doubling what arrived), so a length prefix alone costs this much.
pub const FIRST_CHUNK: usize = 64 * 1024;

/// Read one frame of at most `max` bytes; `None` when the stream ended cleanly between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut bytes = Vec::new();
    Ok(read_frame_into(reader, max, &mut bytes)
        .await?
        .then_some(bytes))
}

/// Read one frame of at most `max` bytes into `bytes` (cleared first); false when the stream
/// ended cleanly between frames. The announced length is never reserved up front: the buffer
/// starts at [`FIRST_CHUNK`] and grows with the data (each step at most the size already
/// read), so a peer that announces a large frame and sends nothing holds no more than that.
pub async fn read_frame_into<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
    bytes: &mut Vec<u8>,
) -> Result<bool, FrameError> {
    bytes.clear();
    let mut header = [0u8; 4];
    let mut filled = 0;
    while filled < header.len() {
        let n = reader.read(&mut header[filled..]).await?;
        if n == 0 {
            return if filled == 0 {
                Ok(false)
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
    while bytes.len() < len {
        let have = bytes.len();
        let step = (len - have).min(have.max(FIRST_CHUNK));
        bytes.reserve_exact(step);
        bytes.resize(have + step, 0);
        let mut at = have;
        while at < have + step {
            let n = match reader.read(&mut bytes[at..]).await {
                Ok(n) => n,
                Err(e) => {
                    bytes.truncate(at);
                    return Err(FrameError::Io(e));
                }
            };
            if n == 0 {
                bytes.truncate(at);
                return Err(FrameError::Truncated);
            }
            at += n;
        }
    }
    Ok(true)
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
            .enable_time()
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

    /// A 60 MiB length prefix followed by a little data and then nothing (the stream stays
    /// open): the reader holds a buffer the size of what arrived, not of what was announced.
    #[test]
    fn a_length_prefix_without_data_reserves_only_what_arrived() {
        block_on(async {
            let announced: u32 = 60 * 1024 * 1024;
            let (mut near, mut far) = tokio::io::duplex(1024 * 1024);
            near.write_all(&announced.to_be_bytes()).await.unwrap();
            near.write_all(&[7u8; 1000]).await.unwrap();
            let mut bytes = Vec::new();
            let read = tokio::time::timeout(
                std::time::Duration::from_millis(100),
                read_frame_into(&mut far, 64 * 1024 * 1024, &mut bytes),
            )
            .await;
            assert!(read.is_err(), "the frame cannot be complete");
            assert!(
                bytes.capacity() <= FIRST_CHUNK,
                "{} bytes reserved for 1,000 received",
                bytes.capacity()
            );

            // 300 KiB arrive: the buffer stays within twice that (plus the first chunk).
            let mut bytes = Vec::new();
            let (mut near, mut far) = tokio::io::duplex(1024 * 1024);
            near.write_all(&announced.to_be_bytes()).await.unwrap();
            near.write_all(&vec![7u8; 300 * 1024]).await.unwrap();
            let read = tokio::time::timeout(
                std::time::Duration::from_millis(100),
                read_frame_into(&mut far, 64 * 1024 * 1024, &mut bytes),
            )
            .await;
            assert!(read.is_err());
            assert!(bytes.capacity() <= 2 * 300 * 1024 + FIRST_CHUNK);

            // The stream ends inside the frame: truncated.
            let mut r: &[u8] = &[0, 0, 0, 200, 1, 2, 3];
            let mut bytes = Vec::new();
            assert!(matches!(
                read_frame_into(&mut r, 1024, &mut bytes).await,
                Err(FrameError::Truncated)
            ));
        });
    }

    #[test]
    fn a_large_frame_arrives_whole() {
        block_on(async {
            let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
            let mut buf = Vec::new();
            write_frame(&mut buf, &big).await.unwrap();
            let mut r = buf.as_slice();
            let got = read_frame(&mut r, 4_000_000).await.unwrap().unwrap();
            assert_eq!(got, big);
            assert!(got.capacity() <= 2 * big.len());
        });
    }
}
