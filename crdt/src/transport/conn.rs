//! One connection: one bidirectional stream of frames. The dialer opens the stream and writes
//! a short preamble (so the acceptor sees the stream at once); the acceptor answers with the
//! same preamble, so the dialer reports a connection only once the other side has taken it (a
//! device refused by the other side's handshake gate never shows as connected). Then frames
//! read are handed to the engine thread and frames the engine sends are written, until either
//! side ends.

use std::time::Duration;

use iroh::endpoint::{Connection, VarInt};
use tokio::sync::mpsc;

use super::endpoint::{CLOSE_DONE, CLOSE_NOT_ALLOWED, CLOSE_PROTOCOL, CLOSE_REVOKED};
use super::frame::{FrameError, read_frame, write_frame};
use super::key::device_of_endpoint;
use crate::id::DeviceId;
use crate::sync::EndReason;
use crate::sync::message::MAX_MESSAGE_BYTES;

/// What the dialer writes first on the stream, and the acceptor answers (version 2: version 1
/// had no answer, so the two fail fast against each other instead of waiting for it).
const PREAMBLE: &[u8; 4] = b"NBJ2";
/// How long opening the stream may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// What the engine thread asks of a connection.
#[derive(Debug)]
pub(crate) enum Out {
    /// Write this frame.
    Frame(Vec<u8>),
    /// Close the connection.
    Close(EndReason),
}

/// What a connection tells the engine thread.
#[derive(Debug)]
pub(crate) enum Link {
    /// The stream is up; `dialer` is the device that dialed.
    Attach {
        peer: DeviceId,
        conn: u64,
        dialer: DeviceId,
        out: mpsc::UnboundedSender<Out>,
    },
    /// A frame arrived.
    Received {
        peer: DeviceId,
        conn: u64,
        bytes: Vec<u8>,
    },
    /// The connection is gone.
    Detach { peer: DeviceId, conn: u64 },
}

fn close_code(reason: &EndReason) -> u32 {
    match reason {
        EndReason::NotAllowed => CLOSE_NOT_ALLOWED,
        EndReason::Misbehaved(_) => CLOSE_PROTOCOL,
        EndReason::Stalled(_) | EndReason::Local(_) => CLOSE_DONE,
    }
}

/// Whether a connection was closed because this device is revoked from the team.
pub(crate) fn is_revoked(error: &iroh::endpoint::ConnectionError) -> bool {
    matches!(error, iroh::endpoint::ConnectionError::ApplicationClosed(close)
        if close.error_code == VarInt::from_u32(CLOSE_REVOKED))
}

/// Run connection `conn` (numbered `id`) until it ends; `me` dialed it when `dialed`. Returns
/// true when the remote closed it at once saying this device is revoked.
pub(crate) async fn run(
    connection: Connection,
    id: u64,
    me: DeviceId,
    dialed: bool,
    links: mpsc::Sender<Link>,
) -> bool {
    let peer = device_of_endpoint(&connection.remote_id());
    let opened = tokio::time::timeout(OPEN_TIMEOUT, async {
        let mut preamble = [0u8; 4];
        if dialed {
            let (mut send, mut recv) = connection.open_bi().await.map_err(|e| e.to_string())?;
            send.write_all(PREAMBLE).await.map_err(|e| e.to_string())?;
            recv.read_exact(&mut preamble)
                .await
                .map_err(|e| e.to_string())?;
            if &preamble != PREAMBLE {
                return Err("bad preamble".to_string());
            }
            Ok((send, recv))
        } else {
            let (mut send, mut recv) = connection.accept_bi().await.map_err(|e| e.to_string())?;
            recv.read_exact(&mut preamble)
                .await
                .map_err(|e| e.to_string())?;
            if &preamble != PREAMBLE {
                return Err("bad preamble".to_string());
            }
            send.write_all(PREAMBLE).await.map_err(|e| e.to_string())?;
            Ok((send, recv))
        }
    })
    .await;
    let (mut send, mut recv) = match opened {
        Ok(Ok(streams)) => streams,
        Ok(Err(e)) => {
            tracing::info!(device = %peer, "stream setup failed: {e}");
            let revoked = connection.close_reason().as_ref().is_some_and(is_revoked);
            connection.close(VarInt::from_u32(CLOSE_PROTOCOL), b"no stream");
            return revoked;
        }
        Err(_) => {
            tracing::info!(device = %peer, "stream setup timed out");
            connection.close(VarInt::from_u32(CLOSE_PROTOCOL), b"no stream");
            return false;
        }
    };
    let (out_tx, mut out_rx) = mpsc::unbounded_channel();
    let dialer = if dialed { me } else { peer };
    let attach = Link::Attach {
        peer,
        conn: id,
        dialer,
        out: out_tx,
    };
    if links.send(attach).await.is_err() {
        connection.close(VarInt::from_u32(CLOSE_DONE), b"stopping");
        return false;
    }
    let writer = async {
        while let Some(out) = out_rx.recv().await {
            match out {
                Out::Frame(bytes) => {
                    if let Err(e) = write_frame(&mut send, &bytes).await {
                        tracing::info!(device = %peer, "write failed: {e}");
                        return;
                    }
                }
                Out::Close(reason) => {
                    tracing::info!(device = %peer, ?reason, "closing the connection");
                    let _ = send.finish();
                    connection.close(VarInt::from_u32(close_code(&reason)), b"session ended");
                    return;
                }
            }
        }
        // The engine thread let go of this connection (replaced, or the node stopped).
        let _ = send.finish();
        connection.close(VarInt::from_u32(CLOSE_DONE), b"done");
    };
    let reader = async {
        loop {
            match read_frame(&mut recv, MAX_MESSAGE_BYTES).await {
                Ok(Some(bytes)) => {
                    let link = Link::Received {
                        peer,
                        conn: id,
                        bytes,
                    };
                    if links.send(link).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(FrameError::BadLength(n)) => {
                    tracing::warn!(device = %peer, "frame of {n} bytes: closing");
                    connection.close(VarInt::from_u32(CLOSE_PROTOCOL), b"frame too long");
                    return;
                }
                Err(e) => {
                    tracing::info!(device = %peer, "read ended: {e}");
                    return;
                }
            }
        }
    };
    tokio::select! {
        () = writer => {}
        () = reader => {}
    }
    let _ = links.send(Link::Detach { peer, conn: id }).await;
    connection.close(VarInt::from_u32(CLOSE_DONE), b"done");
    false
}
