//! The iroh endpoint of a device and the team relay.
//!
//! Endpoints are built from [`presets::Minimal`]: no public relay, no DNS, no pkarr, no
//! port mapping. Peers are reached at static addresses (kept in a [`MemoryLookup`]), through
//! one explicitly configured relay, or, when LAN discovery is on, at the addresses they announce
//! with multicast DNS on the local network ([`lan_lookup`]). A handshake hook ([`TeamGate`]) runs once TLS has
//! authenticated the remote endpoint, on incoming and outgoing connections alike, and closes
//! the connection unless the remote device is active in the team (or the ALPN is not Nabij's),
//! so an unknown device never gets to send or read application data.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use std::borrow::Cow;

use iroh::address_lookup::{AddrFilter, MemoryLookup};
use iroh::endpoint::{AfterHandshakeOutcome, Connection, EndpointHooks, VarInt, presets};
use iroh::{Endpoint, EndpointAddr, RelayMap, RelayMode, RelayUrl, SecretKey, TransportAddr};
use iroh_mdns_address_lookup::{MdnsAddressLookup, MdnsAddressLookupBuilder};

use super::TransportError;
use super::join::JOIN_ALPN;
use super::key::{device_of_endpoint, endpoint_of};
use crate::id::DeviceId;

/// The ALPN of Nabij's sync protocol.
pub const ALPN: &[u8] = b"nabij/sync/1";

/// Close code: the remote device is not an active device of this team.
pub const CLOSE_NOT_ALLOWED: u32 = 403;
/// Close code: the remote device was revoked from this team (it wipes the team's data).
pub const CLOSE_REVOKED: u32 = 410;
/// Close code: the remote broke the framing or the protocol.
pub const CLOSE_PROTOCOL: u32 = 400;
/// Close code: the session ended normally (stop, duplicate connection, engine decision).
pub const CLOSE_DONE: u32 = 0;

/// The team's devices as the handshake sees them: active ones may sync; revoked ones are told
/// so. Kept current by the node from the team document(s).
#[derive(Debug, Default)]
pub(crate) struct Roster {
    pub(crate) active: BTreeSet<DeviceId>,
    pub(crate) revoked: BTreeSet<DeviceId>,
}

/// The roster shared between the node and the handshake hook.
pub(crate) type Allowed = Arc<RwLock<Roster>>;

/// How to reach a peer: its device and a static address and/or relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAddr {
    /// The device (its public key).
    pub device: DeviceId,
    /// A direct UDP address.
    pub addr: Option<SocketAddr>,
    /// A relay it is reachable through.
    pub relay: Option<RelayUrl>,
}

impl PeerAddr {
    /// The iroh address (fails for a device id that is not a valid public key).
    pub fn endpoint_addr(&self) -> Result<EndpointAddr, TransportError> {
        let mut addr = EndpointAddr::new(endpoint_of(&self.device)?);
        if let Some(ip) = self.addr {
            addr = addr.with_ip_addr(ip);
        }
        if let Some(relay) = &self.relay {
            addr = addr.with_relay_url(relay.clone());
        }
        Ok(addr)
    }
}

impl FromStr for PeerAddr {
    type Err = TransportError;

    /// `<device-id>@<ip:port>`, or `<device-id>` alone (reached through the relay, or found on
    /// the LAN when discovery is on).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (device, addr) = match text.split_once('@') {
            Some((device, addr)) => (device, Some(addr)),
            None => (text, None),
        };
        let device = DeviceId::parse(device).map_err(|e| TransportError::Address(e.to_string()))?;
        let addr = addr
            .map(|a| a.parse::<SocketAddr>())
            .transpose()
            .map_err(|e| TransportError::Address(format!("{text}: {e}")))?;
        endpoint_of(&device)?;
        Ok(Self {
            device,
            addr,
            relay: None,
        })
    }
}

/// The handshake hook: only active team devices speaking Nabij's sync ALPN get through; a
/// revoked device is told so (close code [`CLOSE_REVOKED`]); anyone may use the join ALPN.
#[derive(Debug)]
pub(crate) struct TeamGate {
    pub(crate) allowed: Allowed,
}

impl EndpointHooks for TeamGate {
    fn after_handshake<'a>(
        &'a self,
        conn: &'a Connection,
    ) -> impl Future<Output = AfterHandshakeOutcome> + Send + 'a {
        let remote = device_of_endpoint(&conn.remote_id());
        let (known, revoked) = self
            .allowed
            .read()
            .map(|r| (r.active.contains(&remote), r.revoked.contains(&remote)))
            .unwrap_or((false, false));
        let outcome = if conn.alpn() == JOIN_ALPN {
            // Any device may ask to join; the invitation's secret decides.
            AfterHandshakeOutcome::Accept
        } else if conn.alpn() != ALPN {
            AfterHandshakeOutcome::Reject {
                error_code: VarInt::from_u32(CLOSE_PROTOCOL),
                reason: b"unknown protocol".to_vec(),
            }
        } else if revoked {
            tracing::warn!(device = %remote, "told a revoked device so");
            AfterHandshakeOutcome::Reject {
                error_code: VarInt::from_u32(CLOSE_REVOKED),
                reason: b"this device was revoked from the team".to_vec(),
            }
        } else if !known {
            tracing::warn!(device = %remote, "refused a device that is not in the team");
            AfterHandshakeOutcome::Reject {
                error_code: VarInt::from_u32(CLOSE_NOT_ALLOWED),
                reason: b"not a device of this team".to_vec(),
            }
        } else {
            AfterHandshakeOutcome::Accept
        };
        async move { outcome }
    }
}

/// LAN discovery: multicast DNS (224.0.0.251 / ff02::fb, port 5353, link-local scope, so it
/// never leaves the local network) through `iroh-mdns-address-lookup`.
///
/// What it announces: the endpoint id (the device id, public anyway: it is in the team
/// document) as the instance name under the crate's generic `_irohv1._udp.local` service (a
/// Nabij-specific name would tell everyone on the network which application runs here), and
/// the endpoint's direct UDP addresses. The relay URL that the crate would add as a TXT
/// attribute is filtered out (team devices know the relay from their configuration), as are
/// loopback addresses; no user data is set. What it learns: the announced addresses of other
/// endpoints, used only to dial devices the node already wants to reach; a discovered device
/// still has to pass the team check at the handshake. It queries the network about every 0.7 s
/// (the crate's default cadence).
pub fn lan_lookup() -> MdnsAddressLookupBuilder {
    MdnsAddressLookup::builder().addr_filter(lan_filter())
}

/// What LAN discovery announces: direct IP addresses that are not loopback.
fn lan_filter() -> AddrFilter {
    AddrFilter::new(|addrs| {
        Cow::Owned(
            addrs
                .iter()
                .filter(|a| matches!(a, TransportAddr::Ip(ip) if !ip.ip().is_loopback()))
                .cloned()
                .collect(),
        )
    })
}

/// Bind an endpoint with the device's secret key: UDP on `bind` (none: relay only), through
/// `relay` when given, peers looked up in `lookup`, and on the LAN with multicast DNS when
/// `lan` is set ([`lan_lookup`]).
pub(crate) async fn bind(
    secret: SecretKey,
    bind: Option<SocketAddr>,
    relay: Option<RelayUrl>,
    lookup: MemoryLookup,
    lan: bool,
    allowed: Allowed,
) -> Result<Endpoint, TransportError> {
    let setup = |e: &dyn std::fmt::Display| TransportError::Setup(e.to_string());
    let mut builder = Endpoint::builder(presets::Minimal)
        .secret_key(secret)
        .alpns(vec![ALPN.to_vec(), JOIN_ALPN.to_vec()])
        .clear_address_lookup()
        .address_lookup(lookup)
        .clear_ip_transports()
        .hooks(TeamGate { allowed });
    if lan {
        builder = builder.address_lookup(lan_lookup());
    }
    if let Some(addr) = bind {
        builder = builder.bind_addr(addr).map_err(|e| setup(&e))?;
    }
    builder = match relay {
        Some(url) => builder.relay_mode(RelayMode::Custom(RelayMap::from(url))),
        None => builder.relay_mode(RelayMode::Disabled),
    };
    builder.bind().await.map_err(|e| setup(&e))
}

/// A relay server for the team, plain HTTP on a loopback address (tests, and a team peer
/// reachable only through an SSH or VPN tunnel). Serving on another address needs TLS, which
/// is not built yet, so it is refused.
#[derive(Debug)]
pub struct LocalRelay {
    server: iroh_relay::server::Server,
    url: RelayUrl,
}

impl LocalRelay {
    /// Start serving on `addr` (port 0 picks a free port).
    pub async fn serve(addr: SocketAddr) -> Result<Self, TransportError> {
        if !addr.ip().is_loopback() {
            return Err(TransportError::Address(format!(
                "{addr}: a relay without TLS only serves on loopback"
            )));
        }
        let mut config = iroh_relay::server::ServerConfig::default();
        config.relay = Some(iroh_relay::server::RelayConfig::new(addr));
        let server = iroh_relay::server::Server::spawn(config)
            .await
            .map_err(|e| TransportError::Setup(format!("relay server: {e}")))?;
        let http = server
            .http_addr()
            .ok_or_else(|| TransportError::Setup("relay server has no HTTP address".into()))?;
        let url = format!("http://{http}")
            .parse::<RelayUrl>()
            .map_err(|e| TransportError::Setup(format!("relay url: {e}")))?;
        Ok(Self { server, url })
    }

    /// Where clients reach it (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> RelayUrl {
        self.url.clone()
    }

    /// Stop serving.
    pub async fn shutdown(self) -> Result<(), TransportError> {
        self.server
            .shutdown()
            .await
            .map_err(|e| TransportError::Setup(format!("relay server: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_addresses_parse() {
        let key = super::super::key::generate().unwrap();
        let device = super::super::key::device_of(&key);
        let peer: PeerAddr = format!("{device}@127.0.0.1:4000").parse().unwrap();
        assert_eq!(peer.device, device);
        assert_eq!(peer.addr, Some("127.0.0.1:4000".parse().unwrap()));
        let bare: PeerAddr = device.to_string().parse().unwrap();
        assert_eq!(bare.addr, None);
        assert!("nope@127.0.0.1:1".parse::<PeerAddr>().is_err());
        assert!(format!("{device}@localhost").parse::<PeerAddr>().is_err());
    }

    #[test]
    fn lan_discovery_announces_direct_addresses_only() {
        let lan: SocketAddr = "192.0.2.20:4000".parse().unwrap();
        let v6: SocketAddr = "[fe80::1]:4000".parse().unwrap();
        let addrs = vec![
            TransportAddr::Relay("https://relay.example.org".parse().unwrap()),
            TransportAddr::Ip("127.0.0.1:4000".parse().unwrap()),
            TransportAddr::Ip("[::1]:4000".parse().unwrap()),
            TransportAddr::Ip(lan),
            TransportAddr::Ip(v6),
        ];
        let kept = lan_filter().apply(&addrs).into_owned();
        assert_eq!(kept, vec![TransportAddr::Ip(lan), TransportAddr::Ip(v6)]);
    }
}
