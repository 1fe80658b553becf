//! The sync transport: the I/O-free [`crate::sync::Engine`] driven over iroh (QUIC) on a tokio
//! runtime.
//!
//! - [`key`]: the device key (the iroh secret key; its public key is the [`DeviceId`]), kept in
//!   a file with mode 0600 for headless use.
//! - [`frame`]: length-prefixed frames (u32 big-endian length, capped at
//!   [`MAX_MESSAGE_BYTES`](crate::sync::message::MAX_MESSAGE_BYTES)) on one bidirectional
//!   stream per connection.
//! - [`endpoint`]: the iroh endpoint, built from the minimal preset (no public relay, no DNS):
//!   static peer addresses, LAN discovery with multicast DNS when switched on
//!   ([`Config::lan_discovery`]), an optional explicit relay, and a handshake
//!   hook that closes connections with devices that are not active in the team before any
//!   application data; plus a plain-HTTP relay server for tests and a team peer on loopback.
//! - [`join`]: joining a team by invitation (its own ALPN, one request and one answer).
//! - [`node`]: the runtime: the engine and the store on their own thread (`actor`), a task per
//!   connection, a ticker, dialers with backoff, and the API the app calls (edits,
//!   `local_change`, sync events).
//! - `queue`: the bounded queues between the connections and the sync thread, and their
//!   backpressure (see ARCHITECTURE.md, the backpressure invariant).
//!
//! [`DeviceId`]: crate::id::DeviceId

mod actor;
mod conn;
pub mod endpoint;
pub mod frame;
pub mod join;
pub mod key;
pub mod node;
mod queue;

pub use endpoint::{ALPN, LocalRelay, PeerAddr};
pub use iroh::{RelayUrl, SecretKey as DeviceKey};
pub use node::{Config, Node, SyncEvent, Traffic};

/// What can go wrong in the transport.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The device key file could not be read or written.
    #[error("device key file {path}: {detail}")]
    KeyFile {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
    /// The endpoint or relay server could not be set up.
    #[error("could not set up the network endpoint: {0}")]
    Setup(String),
    /// An address or identifier given in the configuration is not valid.
    #[error("invalid address: {0}")]
    Address(String),
    /// The node has stopped.
    #[error("the sync node has stopped")]
    Stopped,
}
