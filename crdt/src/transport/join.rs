//! Joining a team over iroh: the new device dials the admin's device named in the
//! [`Invitation`] on a protocol of its own ([`JOIN_ALPN`]), which the handshake gate lets any
//! device use. It sends one request frame (the invitation's secret, a label, its addresses);
//! the admin's device answers with one frame: the [`JoinGrant`] (team and intake documents) or
//! a [`Refusal`]. Nothing else is accepted on this protocol; a request is at most
//! [`MAX_REQUEST`] bytes and an answer at most [`MAX_ANSWER`].
//!
//! Wire format (all lengths big-endian): request = secret (16) · label (u8 length + UTF-8) ·
//! address count (u8) · each address (u8 length + text). Answer = tag 0 · member (u8 length +
//! text) · intake id (u8 length + text) · team document · intake document, each as u32 length +
//! bytes, then a u32 count of its change signatures and each as change hash (32) · signature (64); or tag 1 · refusal code (u8: 1 unknown, 2 expired, 3 revoked).

use std::net::SocketAddr;
use std::time::Duration;

use iroh::endpoint::{Connection, VarInt};
use iroh::{Endpoint, EndpointAddr, RelayUrl};

use super::TransportError;
use super::endpoint::{CLOSE_DONE, CLOSE_PROTOCOL};
use super::frame::{read_frame, write_frame};
use super::key::{device_of_endpoint, endpoint_of};
use crate::id::DeviceId;
use crate::id::MemberId;
use crate::invite::Invitation;
use crate::signature::{ChangeSignature, SIGNATURE_LEN, Signatures};
use crate::store::SignedDocument;
use crate::store::invitation::{JoinGrant, Refusal};

/// The ALPN of the join protocol.
pub const JOIN_ALPN: &[u8] = b"nabij/join/2";
/// Largest join request accepted.
pub const MAX_REQUEST: usize = 4096;
/// Largest join answer accepted (two documents).
pub const MAX_ANSWER: usize = 64 * 1024 * 1024;
/// How long one join attempt may take.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// A join request as the admin's device reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    /// The invitation's secret.
    pub secret: [u8; 16],
    /// A name for the new device.
    pub label: Option<String>,
    /// Where the new device says it listens.
    pub addresses: Vec<String>,
}

/// Why joining failed on the new device's side.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The admin's device could not be reached.
    #[error("the team's device could not be reached: {0}")]
    Unreachable(String),
    /// The admin's device refused.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The answer broke the protocol.
    #[error("the answer is not valid: {0}")]
    Protocol(String),
    /// Setting up the endpoint failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn short_text(&mut self) -> Option<String> {
        let n = usize::from(self.byte()?);
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    fn blob(&mut self) -> Option<Vec<u8>> {
        let n = u32::from_be_bytes(self.take(4)?.try_into().ok()?);
        Some(self.take(usize::try_from(n).ok()?)?.to_vec())
    }
    /// A document (blob) and its signatures (u32 count, then hash · signature each).
    fn signed(&mut self) -> Option<SignedDocument> {
        let bytes = self.blob()?;
        let count = usize::try_from(u32::from_be_bytes(self.take(4)?.try_into().ok()?)).ok()?;
        // Checked against what is left before anything is allocated.
        let each = 32 + SIGNATURE_LEN;
        if count.checked_mul(each)? > self.0.len() {
            return None;
        }
        let mut signatures = Signatures::new();
        for _ in 0..count {
            let hash = automerge::ChangeHash::try_from(self.take(32)?).ok()?;
            let bytes = self.take(SIGNATURE_LEN)?.try_into().ok()?;
            signatures.insert(ChangeSignature { hash, bytes });
        }
        Some(SignedDocument { bytes, signatures })
    }
}

fn push_signed(out: &mut Vec<u8>, doc: &SignedDocument) -> Option<()> {
    push_blob(out, &doc.bytes)?;
    out.extend_from_slice(&u32::try_from(doc.signatures.len()).ok()?.to_be_bytes());
    for signature in doc.signatures.iter() {
        out.extend_from_slice(&signature.hash.0);
        out.extend_from_slice(&signature.bytes);
    }
    Some(())
}

fn push_short(out: &mut Vec<u8>, text: &str) {
    let bytes = &text.as_bytes()[..text.len().min(255)];
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

fn push_blob(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    out.extend_from_slice(&u32::try_from(bytes.len()).ok()?.to_be_bytes());
    out.extend_from_slice(bytes);
    Some(())
}

impl JoinRequest {
    /// Encode.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.secret.to_vec();
        push_short(&mut out, self.label.as_deref().unwrap_or(""));
        let addresses: Vec<&String> = self.addresses.iter().take(8).collect();
        out.push(addresses.len() as u8);
        for a in addresses {
            push_short(&mut out, a);
        }
        out
    }

    /// Decode (`None`: malformed).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader(bytes);
        let secret: [u8; 16] = r.take(16)?.try_into().ok()?;
        let label = r.short_text()?;
        let count = r.byte()?;
        if count > 8 {
            return None;
        }
        let addresses = (0..count)
            .map(|_| r.short_text())
            .collect::<Option<Vec<_>>>()?;
        r.0.is_empty().then_some(Self {
            secret,
            label: (!label.trim().is_empty()).then(|| label.trim().to_string()),
            addresses,
        })
    }
}

/// Encode the admin's answer.
pub fn encode_answer(answer: &Result<JoinGrant, Refusal>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match answer {
        Ok(grant) => {
            out.push(0);
            push_short(&mut out, grant.member.as_str());
            push_short(&mut out, &grant.intake);
            push_signed(&mut out, &grant.team_doc)?;
            push_signed(&mut out, &grant.intake_doc)?;
        }
        Err(refusal) => {
            out.push(1);
            out.push(match refusal {
                Refusal::Unknown => 1,
                Refusal::Expired => 2,
                Refusal::Revoked => 3,
            });
        }
    }
    Some(out)
}

/// Decode the admin's answer (`None`: malformed).
pub fn decode_answer(bytes: &[u8]) -> Option<Result<JoinGrant, Refusal>> {
    let mut r = Reader(bytes);
    let answer = match r.byte()? {
        0 => {
            let member = MemberId::parse(&r.short_text()?).ok()?;
            let intake = r.short_text()?;
            let team_doc = r.signed()?;
            let intake_doc = r.signed()?;
            Ok(JoinGrant {
                member,
                intake,
                team_doc,
                intake_doc,
            })
        }
        1 => Err(match r.byte()? {
            1 => Refusal::Unknown,
            2 => Refusal::Expired,
            3 => Refusal::Revoked,
            _ => return None,
        }),
        _ => return None,
    };
    r.0.is_empty().then_some(answer)
}

/// The new device's side: dial the admin's device of `invitation` from `endpoint` (this
/// device's sync endpoint, so the address the admin sees is the one it will sync with), ask to
/// join, and return the grant. `own` are the addresses this device says it listens on.
pub async fn request(
    endpoint: &Endpoint,
    invitation: &Invitation,
    label: Option<String>,
    own: Vec<String>,
) -> Result<JoinGrant, JoinError> {
    let mut addr = EndpointAddr::new(endpoint_of(&invitation.admin)?);
    for a in &invitation.addresses {
        addr = addr.with_ip_addr(*a);
    }
    if let Some(url) = &invitation.relay {
        let url: RelayUrl = url
            .parse()
            .map_err(|e| TransportError::Address(format!("{url}: {e}")))?;
        addr = addr.with_relay_url(url);
    }
    tokio::time::timeout(JOIN_TIMEOUT, async {
        let connection = endpoint
            .connect(addr, JOIN_ALPN)
            .await
            .map_err(|e| JoinError::Unreachable(e.to_string()))?;
        let (mut send, mut recv) = connection
            .open_bi()
            .await
            .map_err(|e| JoinError::Unreachable(e.to_string()))?;
        let request = JoinRequest {
            secret: invitation.secret,
            label,
            addresses: own,
        };
        write_frame(&mut send, &request.encode())
            .await
            .map_err(|e| JoinError::Unreachable(e.to_string()))?;
        let _ = send.finish();
        let answer = read_frame(&mut recv, MAX_ANSWER)
            .await
            .map_err(|e| JoinError::Protocol(e.to_string()))?
            .ok_or_else(|| JoinError::Protocol("no answer".into()))?;
        connection.close(VarInt::from_u32(CLOSE_DONE), b"joined");
        match decode_answer(&answer) {
            Some(Ok(grant)) => Ok(grant),
            Some(Err(refusal)) => Err(JoinError::Refused(refusal)),
            None => Err(JoinError::Protocol("malformed answer".into())),
        }
    })
    .await
    .unwrap_or_else(|_| Err(JoinError::Unreachable("timed out".into())))
}

/// The admin's side: read one request from `connection`, let `answer` decide (given the
/// requesting device, as the handshake authenticated it) (it runs the
/// store work), write the answer. The remote address seen is added to the request's addresses.
pub(crate) async fn serve<F, Fut>(connection: Connection, seen: Option<SocketAddr>, answer: F)
where
    F: FnOnce(DeviceId, JoinRequest) -> Fut,
    Fut: std::future::Future<Output = Option<Result<JoinGrant, Refusal>>>,
{
    let served = tokio::time::timeout(JOIN_TIMEOUT, async {
        let (mut send, mut recv) = connection.accept_bi().await.map_err(|e| e.to_string())?;
        let bytes = read_frame(&mut recv, MAX_REQUEST)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no request")?;
        let mut request = JoinRequest::decode(&bytes).ok_or("malformed request")?;
        if let Some(seen) = seen.map(|a| a.to_string())
            && !request.addresses.contains(&seen)
        {
            request.addresses.insert(0, seen);
        }
        let device = device_of_endpoint(&connection.remote_id());
        let reply = answer(device, request).await.ok_or("the store failed")?;
        let bytes = encode_answer(&reply).ok_or("answer too large")?;
        write_frame(&mut send, &bytes)
            .await
            .map_err(|e| e.to_string())?;
        let _ = send.finish();
        // Let the new device read the answer and close first.
        let _ = tokio::time::timeout(Duration::from_secs(5), connection.closed()).await;
        Ok::<(), String>(())
    })
    .await;
    match served {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::info!("join request failed: {e}");
            connection.close(VarInt::from_u32(CLOSE_PROTOCOL), b"join failed");
        }
        Err(_) => connection.close(VarInt::from_u32(CLOSE_PROTOCOL), b"join timed out"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let request = JoinRequest {
            secret: [7; 16],
            label: Some("Laptop Sarah".into()),
            addresses: vec!["127.0.0.1:4000".into()],
        };
        assert_eq!(JoinRequest::decode(&request.encode()), Some(request));
        assert_eq!(JoinRequest::decode(&[1, 2, 3]), None);
        let grant = JoinGrant {
            member: MemberId::random(),
            intake: "intake-1".into(),
            team_doc: SignedDocument {
                bytes: vec![1, 2, 3],
                signatures: [ChangeSignature {
                    hash: automerge::ChangeHash([5; 32]),
                    bytes: [6; SIGNATURE_LEN],
                }]
                .into_iter()
                .collect(),
            },
            intake_doc: SignedDocument {
                bytes: vec![4],
                signatures: Signatures::new(),
            },
        };
        let bytes = encode_answer(&Ok(grant.clone())).unwrap();
        assert_eq!(decode_answer(&bytes), Some(Ok(grant)));
        let refused = encode_answer(&Err(Refusal::Expired)).unwrap();
        assert_eq!(decode_answer(&refused), Some(Err(Refusal::Expired)));
        assert_eq!(decode_answer(&[1, 9]), None);
        assert_eq!(decode_answer(&bytes[..bytes.len() - 1]), None);
        // A signature count larger than what follows is refused before allocating.
        let mut huge = encode_answer(&Ok(JoinGrant {
            member: MemberId::random(),
            intake: "intake-1".into(),
            team_doc: SignedDocument {
                bytes: vec![1],
                signatures: Signatures::new(),
            },
            intake_doc: SignedDocument {
                bytes: vec![1],
                signatures: Signatures::new(),
            },
        }))
        .unwrap();
        let at = huge.len() - 4;
        huge[at..].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(decode_answer(&huge), None);
    }
}
