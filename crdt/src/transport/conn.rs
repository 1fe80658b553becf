//! One connection: one bidirectional stream of frames. The dialer opens the stream and writes
//! a short preamble (so the acceptor sees the stream at once); the acceptor answers with the
//! same preamble, so the dialer reports a connection only once the other side has taken it (a
//! device refused by the other side's handshake gate never shows as connected). Then frames
//! read are put in the connection's inbox for the sync thread and frames from its outbox are
//! written, until either side ends. A full inbox holds the reader back (the stream is not read);
//! see [`super::queue`].

use std::time::Duration;

use iroh::endpoint::{Connection, VarInt};

use super::endpoint::{CLOSE_DONE, CLOSE_NOT_ALLOWED, CLOSE_PROTOCOL, CLOSE_REVOKED};
use super::frame::{FrameError, read_frame, write_frame};
use super::key::device_of_endpoint;
use super::queue::{InboxReceiver, Links, Outbox, inbox, outbox};
use crate::id::DeviceId;
use crate::sync::EndReason;
use crate::sync::message::MAX_MESSAGE_BYTES;

/// What the dialer writes first on the stream, and the acceptor answers (version 2: version 1
/// had no answer, so the two fail fast against each other instead of waiting for it).
const PREAMBLE: &[u8; 4] = b"NBJ2";
/// How long opening the stream may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long queued messages may take to go out once the sync thread closes a connection.
const CLOSE_FLUSH: Duration = Duration::from_secs(1);

/// What a connection tells the sync thread.
#[derive(Debug)]
pub(crate) enum Link {
    /// The stream is up; `dialer` is the device that dialed. Received messages come through
    /// `inbox`; messages put in `out` are written (see [`super::queue`]).
    Attach {
        peer: DeviceId,
        conn: u64,
        dialer: DeviceId,
        out: Outbox,
        inbox: InboxReceiver,
    },
    /// The connection is gone (what its inbox still holds is handled first).
    Detach { peer: DeviceId, conn: u64 },
    /// An inbox has messages, or an outbox has room again.
    Wake,
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
    links: Links,
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
    let (out, mut out_rx) = outbox(links.clone());
    let (inbox_tx, inbox_rx) = inbox(links.clone());
    let dialer = if dialed { me } else { peer };
    let attach = Link::Attach {
        peer,
        conn: id,
        dialer,
        out,
        inbox: inbox_rx,
    };
    if !links.send(attach).await {
        connection.close(VarInt::from_u32(CLOSE_DONE), b"stopping");
        return false;
    }
    let signal = out_rx.close_signal();
    let writer = async {
        let close = |reason: EndReason| {
            tracing::info!(device = %peer, ?reason, "closing the connection");
            connection.close(VarInt::from_u32(close_code(&reason)), b"session ended");
        };
        loop {
            let next = tokio::select! {
                biased;
                reason = signal.closing() => Err(reason),
                next = out_rx.next() => Ok(next),
            };
            let reason = match next {
                Ok(Some(bytes)) => {
                    // A peer that does not read blocks this write: a close request still ends
                    // it (after a moment to finish the frame).
                    let written = {
                        let write = write_frame(&mut send, &bytes);
                        tokio::pin!(write);
                        tokio::select! {
                            written = &mut write => Ok(written),
                            reason = signal.closing() => {
                                let _ = tokio::time::timeout(CLOSE_FLUSH, &mut write).await;
                                Err(reason)
                            }
                        }
                    };
                    match written {
                        Ok(Ok(())) => {
                            out_rx.written(bytes.len());
                            continue;
                        }
                        Ok(Err(e)) => {
                            tracing::info!(device = %peer, "write failed: {e}");
                            return;
                        }
                        Err(reason) => reason,
                    }
                }
                Ok(None) => {
                    // The sync thread let go of this connection (replaced, or the node stopped).
                    let _ = send.finish();
                    connection.close(VarInt::from_u32(CLOSE_DONE), b"done");
                    return;
                }
                Err(reason) => reason,
            };
            // What was queued before the close goes out first, for a moment at most.
            let _ = tokio::time::timeout(CLOSE_FLUSH, async {
                while let Some(bytes) = out_rx.try_next() {
                    if write_frame(&mut send, &bytes).await.is_err() {
                        return;
                    }
                    out_rx.written(bytes.len());
                }
            })
            .await;
            let _ = send.finish();
            close(reason);
            return;
        }
    };
    let reader = async {
        loop {
            match read_frame(&mut recv, MAX_MESSAGE_BYTES).await {
                Ok(Some(bytes)) => {
                    // Waits while the inbox is full: this stream is not read meanwhile.
                    if inbox_tx.put(bytes).await.is_err() {
                        // The sync thread let go of this connection: the writer closes it
                        // (with the reason it was given, after what is queued).
                        std::future::pending::<()>().await;
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
