//! The bounded queues between a connection and the sync thread, and their backpressure.
//!
//! - Each connection has an [`inbox`] of received messages (at most [`INBOX_MESSAGES`] and
//!   [`INBOX_BYTES`]). A reader that finds it full waits, so the connection is not read (and
//!   QUIC's flow control holds the sender back) until the sync thread takes some.
//! - Each connection has an [`outbox`] of messages to write. The sync thread never waits on it:
//!   while it holds more than [`OUT_HIGH_BYTES`] the sync thread stops reading that peer's inbox,
//!   a peer above that mark for [`OUT_STALL`] is disconnected, and a message that would go over
//!   [`OUT_MAX_BYTES`] (or [`OUT_MESSAGES`]) is refused, which disconnects the peer at once.
//! - The documents the app changed wait in [`Changes`] (each id once).
//! - [`Links`] carries a connection's arrival and departure to the sync thread (a bounded
//!   channel), and wakes it when an inbox has messages or an outbox has room again: at most one
//!   wake-up is queued at a time.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore, mpsc};

use super::conn::Link;
use crate::sync::EndReason;

/// Received messages waiting for the sync thread, per connection.
pub(crate) const INBOX_MESSAGES: usize = 64;
/// Bytes of received messages waiting for the sync thread, per connection (a larger message
/// waits until the inbox is empty).
pub(crate) const INBOX_BYTES: usize = 8 * 1024 * 1024;
/// Messages waiting to be written, per connection (a catch-up asks for every differing
/// document at once: thousands of small messages).
pub(crate) const OUT_MESSAGES: usize = 65_536;
/// Bytes waiting to be written above which the peer's messages are no longer read.
pub(crate) const OUT_HIGH_BYTES: usize = 16 * 1024 * 1024;
/// Bytes waiting to be written above which no message is queued: the peer is disconnected.
/// Twice the largest message, so a burst of whole documents to an honest peer fits.
pub(crate) const OUT_MAX_BYTES: usize = 128 * 1024 * 1024;
/// How long a peer's outbox may stay above [`OUT_HIGH_BYTES`] before it is disconnected.
pub(crate) const OUT_STALL: Duration = Duration::from_secs(30);
/// Links (connections up and gone, wake-ups) waiting for the sync thread.
pub(crate) const LINKS: usize = 256;

/// The way from connections to the sync thread: their arrivals and departures, and wake-ups.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    tx: mpsc::Sender<Link>,
    pending: Arc<AtomicBool>,
}

impl Links {
    /// A way to the sync thread through `tx`; `pending` is set while a wake-up is due (the sync
    /// thread clears it with [`Links::take_wake`]).
    pub(crate) fn new(tx: mpsc::Sender<Link>, pending: Arc<AtomicBool>) -> Self {
        Self { tx, pending }
    }

    /// Tell the sync thread about a connection (waits while the queue is full); false when
    /// the sync thread is gone.
    pub(crate) async fn send(&self, link: Link) -> bool {
        self.tx.send(link).await.is_ok()
    }

    /// Wake the sync thread: an inbox has messages, or an outbox has room again. Never waits:
    /// when the queue is full the sync thread has work queued, and it checks the flag after
    /// each piece of work.
    pub(crate) fn wake(&self) {
        if !self.pending.swap(true, Ordering::SeqCst) {
            let _ = self.tx.try_send(Link::Wake);
        }
    }

    /// For the sync thread: whether a wake-up was due (and clear it).
    pub(crate) fn take_wake(pending: &AtomicBool) -> bool {
        pending.swap(false, Ordering::SeqCst)
    }
}

/// The inbox's room a message takes.
fn inbox_cost(len: usize) -> u32 {
    u32::try_from(len.min(INBOX_BYTES)).unwrap_or(u32::MAX)
}

/// A new inbox: the connection's reader puts into it, the sync thread takes from it.
pub(crate) fn inbox(links: Links) -> (InboxSender, InboxReceiver) {
    let (tx, rx) = mpsc::channel(INBOX_MESSAGES);
    let room = Arc::new(Semaphore::new(INBOX_BYTES));
    (
        InboxSender {
            tx,
            room: room.clone(),
            links,
        },
        InboxReceiver { rx, room },
    )
}

/// The sync thread let go of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sync thread let go of this connection")]
pub(crate) struct Gone;

/// The reader's side of an inbox.
#[derive(Debug)]
pub(crate) struct InboxSender {
    tx: mpsc::Sender<Vec<u8>>,
    room: Arc<Semaphore>,
    links: Links,
}

impl InboxSender {
    /// Queue one received message and wake the sync thread; waits while the inbox is full (the
    /// connection is not read meanwhile).
    pub(crate) async fn put(&self, bytes: Vec<u8>) -> Result<(), Gone> {
        let permit = self
            .room
            .acquire_many(inbox_cost(bytes.len()))
            .await
            .map_err(|_| Gone)?;
        permit.forget();
        self.tx.send(bytes).await.map_err(|_| Gone)?;
        self.links.wake();
        Ok(())
    }
}

/// The sync thread's side of an inbox.
#[derive(Debug)]
pub(crate) struct InboxReceiver {
    rx: mpsc::Receiver<Vec<u8>>,
    room: Arc<Semaphore>,
}

impl InboxReceiver {
    /// The next message, if one is waiting.
    pub(crate) fn take(&mut self) -> Option<Vec<u8>> {
        let bytes = self.rx.try_recv().ok()?;
        self.room.add_permits(inbox_cost(bytes.len()) as usize);
        Some(bytes)
    }
}

impl Drop for InboxReceiver {
    fn drop(&mut self) {
        // A reader waiting for room stops.
        self.room.close();
    }
}

/// Why a message could not be queued for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OutError {
    /// The peer has not read what it was sent: the outbox is full.
    #[error("the peer does not read what it is sent")]
    Full,
    /// The connection is gone.
    #[error("the connection is gone")]
    Gone,
}

#[derive(Debug)]
struct OutState {
    bytes: AtomicUsize,
    /// Since when the outbox is above [`OUT_HIGH_BYTES`].
    backed_up_since: Mutex<Option<Instant>>,
    close: Mutex<Option<EndReason>>,
    closing: Notify,
    links: Links,
}

/// A new outbox: the sync thread puts into it, the connection's writer takes from it.
pub(crate) fn outbox(links: Links) -> (Outbox, OutboxReader) {
    let (tx, rx) = mpsc::channel(OUT_MESSAGES);
    let state = Arc::new(OutState {
        bytes: AtomicUsize::new(0),
        backed_up_since: Mutex::new(None),
        close: Mutex::new(None),
        closing: Notify::new(),
        links,
    });
    (
        Outbox {
            tx,
            state: state.clone(),
        },
        OutboxReader { rx, state },
    )
}

/// The sync thread's side of an outbox. Dropping it closes the connection.
#[derive(Debug)]
pub(crate) struct Outbox {
    tx: mpsc::Sender<Vec<u8>>,
    state: Arc<OutState>,
}

impl Outbox {
    /// Queue a message to write; never waits.
    pub(crate) fn push(&self, bytes: Vec<u8>) -> Result<(), OutError> {
        let len = bytes.len();
        let before = self.state.bytes.fetch_add(len, Ordering::SeqCst);
        if before > OUT_MAX_BYTES {
            self.state.bytes.fetch_sub(len, Ordering::SeqCst);
            return Err(OutError::Full);
        }
        if let Err(e) = self.tx.try_send(bytes) {
            self.state.bytes.fetch_sub(len, Ordering::SeqCst);
            return Err(match e {
                mpsc::error::TrySendError::Full(_) => OutError::Full,
                mpsc::error::TrySendError::Closed(_) => OutError::Gone,
            });
        }
        if before + len > OUT_HIGH_BYTES
            && let Ok(mut since) = self.state.backed_up_since.lock()
        {
            since.get_or_insert_with(Instant::now);
        }
        Ok(())
    }

    /// Whether more than [`OUT_HIGH_BYTES`] wait to be written (the peer's messages are then
    /// not read).
    pub(crate) fn is_backed_up(&self) -> bool {
        self.state.bytes.load(Ordering::SeqCst) > OUT_HIGH_BYTES
    }

    /// How long the outbox has been above [`OUT_HIGH_BYTES`].
    pub(crate) fn backed_up_for(&self) -> Option<Duration> {
        self.state
            .backed_up_since
            .lock()
            .ok()
            .and_then(|since| since.map(|t| t.elapsed()))
    }

    /// Close the connection (after writing what is queued, for a moment at most).
    pub(crate) fn close(&self, reason: EndReason) {
        if let Ok(mut close) = self.state.close.lock() {
            close.get_or_insert(reason);
        }
        self.state.closing.notify_one();
    }
}

/// The writer's side of an outbox.
#[derive(Debug)]
pub(crate) struct OutboxReader {
    rx: mpsc::Receiver<Vec<u8>>,
    state: Arc<OutState>,
}

impl OutboxReader {
    /// The next message to write; `None` once the sync thread let go of the connection.
    pub(crate) async fn next(&mut self) -> Option<Vec<u8>> {
        self.rx.recv().await
    }

    /// A message already queued, if any.
    pub(crate) fn try_next(&mut self) -> Option<Vec<u8>> {
        self.rx.try_recv().ok()
    }

    /// What tells the writer that the sync thread asked to close the connection.
    pub(crate) fn close_signal(&self) -> CloseSignal {
        CloseSignal(self.state.clone())
    }

    /// `len` bytes were written: when the outbox drops back to [`OUT_HIGH_BYTES`], the peer is
    /// read again (the sync thread is woken for it).
    pub(crate) fn written(&self, len: usize) {
        let before = self.state.bytes.fetch_sub(len, Ordering::SeqCst);
        if before > OUT_HIGH_BYTES && before - len <= OUT_HIGH_BYTES {
            if let Ok(mut since) = self.state.backed_up_since.lock() {
                *since = None;
            }
            self.state.links.wake();
        }
    }
}

/// Documents the app changed, waiting for the sync thread: each id once, so however often the
/// app reports changes this holds at most the store's documents, and reporting never waits.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    ids: Mutex<(Vec<String>, BTreeSet<String>)>,
    pending: AtomicBool,
}

impl Changes {
    /// Add `ids`; true when the sync thread must be woken for them (it was not yet).
    pub(crate) fn add(&self, ids: Vec<String>) -> bool {
        if let Ok(mut guard) = self.ids.lock() {
            let (order, seen) = &mut *guard;
            for id in ids {
                if seen.insert(id.clone()) {
                    order.push(id);
                }
            }
        }
        !self.pending.swap(true, Ordering::SeqCst)
    }

    /// Whether ids are waiting.
    pub(crate) fn is_pending(&self) -> bool {
        self.pending.load(Ordering::SeqCst)
    }

    /// For the sync thread: the ids waiting, in the order they came.
    pub(crate) fn take(&self) -> Vec<String> {
        if !self.pending.swap(false, Ordering::SeqCst) {
            return Vec::new();
        }
        self.ids
            .lock()
            .map(|mut guard| {
                guard.1.clear();
                std::mem::take(&mut guard.0)
            })
            .unwrap_or_default()
    }
}

/// Tells the writer that the sync thread asked to close the connection.
#[derive(Debug)]
pub(crate) struct CloseSignal(Arc<OutState>);

impl CloseSignal {
    /// Resolves once the sync thread asked to close the connection, with why.
    pub(crate) async fn closing(&self) -> EndReason {
        loop {
            if let Some(reason) = self.0.close.lock().ok().and_then(|c| c.clone()) {
                return reason;
            }
            self.0.closing.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> (Links, mpsc::Receiver<Link>, Arc<AtomicBool>) {
        let (tx, rx) = mpsc::channel(LINKS);
        let pending = Arc::new(AtomicBool::new(false));
        (Links::new(tx, pending.clone()), rx, pending)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_full_inbox_holds_the_reader_back_and_wakes_the_sync_thread_once() {
        block_on(async {
            let (links, mut wakes, pending) = links();
            let (tx, mut rx) = inbox(links);
            for i in 0..INBOX_MESSAGES {
                tx.put(vec![i as u8; 10]).await.unwrap();
            }
            // One wake-up for all of them.
            assert!(matches!(wakes.try_recv(), Ok(Link::Wake)));
            assert!(wakes.try_recv().is_err());
            let full = tokio::time::timeout(Duration::from_millis(50), tx.put(vec![1])).await;
            assert!(full.is_err(), "a full inbox must hold the reader back");
            assert!(Links::take_wake(&pending));
            assert_eq!(rx.take(), Some(vec![0; 10]));
            tx.put(vec![1]).await.unwrap();
            assert!(matches!(wakes.try_recv(), Ok(Link::Wake)));
            drop(rx);
            assert_eq!(tx.put(vec![2]).await, Err(Gone));
        });
    }

    #[test]
    fn inbox_bytes_are_bounded() {
        block_on(async {
            let (links, _wakes, _) = links();
            let (tx, mut rx) = inbox(links);
            tx.put(vec![0; INBOX_BYTES - 10]).await.unwrap();
            let more = tokio::time::timeout(Duration::from_millis(50), tx.put(vec![0; 11])).await;
            assert!(more.is_err(), "over the byte bound");
            assert!(rx.take().is_some());
            // A message larger than the inbox waits until it is empty, then passes.
            tx.put(vec![0; INBOX_BYTES * 2]).await.unwrap();
            assert_eq!(rx.take().map(|b| b.len()), Some(INBOX_BYTES * 2));
        });
    }

    #[test]
    fn an_outbox_that_is_not_written_fills_up_and_reports_it() {
        block_on(async {
            let (links, mut wakes, _) = links();
            let (out, mut reader) = outbox(links);
            let chunk = 1024 * 1024;
            let mut pushed = 0;
            while out.push(vec![0; chunk]).is_ok() {
                pushed += chunk;
                assert!(
                    pushed <= OUT_MAX_BYTES + chunk,
                    "the outbox must be bounded"
                );
            }
            assert!(pushed > OUT_MAX_BYTES);
            assert!(out.is_backed_up());
            assert!(out.backed_up_for().is_some());
            assert_eq!(out.push(vec![1]), Err(OutError::Full));
            // The writer drains it: below the mark, the sync thread is woken.
            while out.is_backed_up() {
                let bytes = reader.next().await.unwrap();
                reader.written(bytes.len());
            }
            assert!(out.backed_up_for().is_none());
            assert!(matches!(wakes.try_recv(), Ok(Link::Wake)));
            out.close(EndReason::Misbehaved("flood".into()));
            let signal = reader.close_signal();
            assert_eq!(
                signal.closing().await,
                EndReason::Misbehaved("flood".into())
            );
            assert_eq!(
                signal.closing().await,
                EndReason::Misbehaved("flood".into())
            );
            assert!(reader.try_next().is_some());
        });
    }
}
