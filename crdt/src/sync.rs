//! Peer-to-peer sync between the team's devices, as a state machine without I/O.
//!
//! The transport (iroh, later) authenticates the remote device, then feeds the device's
//! [`Engine`] [`Event`]s (connected, bytes received, local change, tick, disconnected) and
//! carries out the [`Effect`]s it returns (send bytes, caught up, disconnect). The documents are
//! reached through the [`Replica`] trait, which the store implements.
//!
//! - [`message`]: the wire messages and their versioned, length-prefixed binary format with
//!   hard caps checked while decoding.
//! - [`guard`]: checks on Automerge sync messages before Automerge sees them (Bloom filters that
//!   would panic or over-allocate), and a panic guard around the document calls.
//! - [`access`]: who may receive which document (deny by default).
//! - [`replica`]: the [`Replica`] trait (the I/O boundary) and the readers of new documents.
//! - [`session`]: one session with one peer: digest handshake (one message each way when
//!   nothing changed), inventory, Automerge sync per differing document, stall repair.
//! - [`engine`]: every session of one device, access refresh, live pushes.

pub mod access;
pub mod engine;
pub mod guard;
pub mod message;
pub mod pending;
pub mod replica;
pub mod session;
pub mod signing;

pub use access::{Access, DeviceRecord, Readers};
pub use engine::{Effect, EndReason, Engine, Event, Stats};
pub use message::{WireError, WireMessage};
pub use replica::{DocRecord, Replica, ReplicaError};
