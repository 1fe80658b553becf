//! The invitation a team admin gives a new device: which team, which device of the team to
//! contact and where, and a one-time secret. It travels as text (to paste, or to pass on by
//! phone or message) and as a QR code shown on the admin's screen.
//!
//! Text form: `NABIJ-` followed by the RFC 4648 base32 (no padding) of the binary form in groups
//! of five letters separated by `-`. The binary form is a version byte, the team id (16 bytes),
//! the admin device (32), the secret (16), up to four socket addresses, an optional relay URL,
//! and a 4-byte BLAKE3 checksum, so a mistyped code is told apart from an expired one. The text
//! uses only upper-case letters, digits and `-`, which a QR code holds in its compact
//! alphanumeric mode. Reading is forgiving: case, spaces, line breaks and dashes are ignored.

use std::net::{IpAddr, SocketAddr};

use crate::id::{DeviceId, TeamId};

/// The text every invitation starts with.
pub const PREFIX: &str = "NABIJ-";
const VERSION: u8 = 1;
/// At most this many addresses travel in an invitation.
pub const MAX_ADDRESSES: usize = 4;
const MAX_RELAY: usize = 200;
const CHECKSUM: usize = 4;

/// Why a text is not an invitation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    /// It does not start with `NABIJ-` or holds other characters than base32.
    #[error("this is not a Nabij invitation")]
    NotAnInvitation,
    /// The checksum does not match: a character was mistyped or left out.
    #[error("the invitation is damaged (a character is wrong or missing)")]
    Damaged,
    /// Made by a newer version of Nabij.
    #[error("the invitation was made by a newer version of Nabij")]
    NewerVersion,
    /// Too many addresses or a relay URL that is too long (when making one).
    #[error("the invitation cannot hold this: {0}")]
    TooLarge(&'static str),
}

/// An invitation to join a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The team.
    pub team: TeamId,
    /// The admin's device that admits the new device.
    pub admin: DeviceId,
    /// Where the admin's device listens.
    pub addresses: Vec<SocketAddr>,
    /// The team's relay, if it has one.
    pub relay: Option<String>,
    /// The one-time secret.
    pub secret: [u8; 16],
}

fn checksum(bytes: &[u8]) -> [u8; CHECKSUM] {
    let hash = blake3::hash(bytes);
    let mut out = [0u8; CHECKSUM];
    out.copy_from_slice(&hash.as_bytes()[..CHECKSUM]);
    out
}

/// A byte reader that fails with [`InviteError::Damaged`] when the input runs out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], InviteError> {
        if self.0.len() < n {
            return Err(InviteError::Damaged);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, InviteError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], InviteError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

impl Invitation {
    /// The binary form (with its checksum).
    fn to_bytes(&self) -> Result<Vec<u8>, InviteError> {
        if self.addresses.len() > MAX_ADDRESSES {
            return Err(InviteError::TooLarge("addresses"));
        }
        let relay = self.relay.as_deref().unwrap_or("");
        if relay.len() > MAX_RELAY {
            return Err(InviteError::TooLarge("relay"));
        }
        let team = uuid::Uuid::parse_str(self.team.as_str())
            .map_err(|_| InviteError::TooLarge("team id"))?;
        let mut out = vec![VERSION];
        out.extend_from_slice(team.as_bytes());
        out.extend_from_slice(self.admin.as_bytes());
        out.extend_from_slice(&self.secret);
        out.push(self.addresses.len() as u8);
        for addr in &self.addresses {
            match addr.ip() {
                IpAddr::V4(ip) => {
                    out.push(4);
                    out.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    out.push(6);
                    out.extend_from_slice(&ip.octets());
                }
            }
            out.extend_from_slice(&addr.port().to_be_bytes());
        }
        out.push(relay.len() as u8);
        out.extend_from_slice(relay.as_bytes());
        let sum = checksum(&out);
        out.extend_from_slice(&sum);
        Ok(out)
    }

    /// The text form: `NABIJ-XXXXX-XXXXX-…`.
    pub fn to_text(&self) -> Result<String, InviteError> {
        let encoded = data_encoding::BASE32_NOPAD.encode(&self.to_bytes()?);
        let groups: Vec<&str> = encoded
            .as_bytes()
            .chunks(5)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Ok(format!("{PREFIX}{}", groups.join("-")))
    }

    /// Read an invitation from its text form (case, spaces, line breaks and dashes ignored).
    pub fn parse(text: &str) -> Result<Self, InviteError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_uppercase)
            .collect();
        let body = compact
            .strip_prefix("NABIJ")
            .ok_or(InviteError::NotAnInvitation)?;
        if body.is_empty() {
            return Err(InviteError::NotAnInvitation);
        }
        let bytes = data_encoding::BASE32_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| InviteError::Damaged)?;
        if bytes.len() < 1 + CHECKSUM {
            return Err(InviteError::Damaged);
        }
        let (content, sum) = bytes.split_at(bytes.len() - CHECKSUM);
        if checksum(content) != sum {
            return Err(InviteError::Damaged);
        }
        let mut r = Reader(content);
        if r.byte()? != VERSION {
            return Err(InviteError::NewerVersion);
        }
        let team = uuid::Uuid::from_bytes(r.array::<16>()?);
        let team = TeamId::parse(&team.to_string()).map_err(|_| InviteError::Damaged)?;
        let admin = DeviceId::from_bytes(r.array::<32>()?);
        let secret = r.array::<16>()?;
        let count = usize::from(r.byte()?);
        if count > MAX_ADDRESSES {
            return Err(InviteError::Damaged);
        }
        let mut addresses = Vec::with_capacity(count);
        for _ in 0..count {
            let ip = match r.byte()? {
                4 => IpAddr::from(r.array::<4>()?),
                6 => IpAddr::from(r.array::<16>()?),
                _ => return Err(InviteError::Damaged),
            };
            let port = u16::from_be_bytes(r.array::<2>()?);
            addresses.push(SocketAddr::new(ip, port));
        }
        let len = usize::from(r.byte()?);
        let relay = std::str::from_utf8(r.take(len)?)
            .map_err(|_| InviteError::Damaged)?
            .to_string();
        if !r.0.is_empty() {
            return Err(InviteError::Damaged);
        }
        Ok(Self {
            team,
            admin,
            addresses,
            relay: (!relay.is_empty()).then_some(relay),
            secret,
        })
    }

    /// The QR code of the text form: its width and its modules row by row (`true` is dark).
    pub fn qr_code(&self) -> Result<(usize, Vec<bool>), InviteError> {
        let text = self.to_text()?;
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| InviteError::TooLarge("QR code"))?;
        let width = code.width();
        let modules = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Ok((width, modules))
    }
}

/// A fresh random secret.
pub fn new_secret() -> Result<[u8; 16], getrandom::Error> {
    let mut secret = [0u8; 16];
    getrandom::fill(&mut secret)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Invitation {
        Invitation {
            team: TeamId::random(),
            admin: DeviceId::random(),
            addresses: vec![
                "192.0.2.20:41000".parse().unwrap(),
                "[fe80::1]:41000".parse().unwrap(),
            ],
            relay: Some("https://relay.ocmw.example".into()),
            secret: new_secret().unwrap(),
        }
    }

    #[test]
    fn text_round_trips_and_forgives_case_spaces_and_line_breaks() {
        let invite = sample();
        let text = invite.to_text().unwrap();
        assert!(text.starts_with(PREFIX));
        assert!(
            text.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        );
        assert_eq!(Invitation::parse(&text).unwrap(), invite);
        let sloppy = format!("  {}\n", text.to_lowercase().replace('-', " "));
        assert_eq!(Invitation::parse(&sloppy).unwrap(), invite);
        let bare = Invitation {
            addresses: vec![],
            relay: None,
            ..invite
        };
        assert_eq!(Invitation::parse(&bare.to_text().unwrap()).unwrap(), bare);
    }

    #[test]
    fn damage_and_foreign_text_are_told_apart() {
        let text = sample().to_text().unwrap();
        assert_eq!(
            Invitation::parse("hallo"),
            Err(InviteError::NotAnInvitation)
        );
        assert_eq!(
            Invitation::parse("NABIJ-"),
            Err(InviteError::NotAnInvitation)
        );
        // One character changed.
        let mut chars: Vec<char> = text.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        assert_eq!(Invitation::parse(&changed), Err(InviteError::Damaged));
        // Cut short.
        assert_eq!(
            Invitation::parse(&text[..text.len() - 7]),
            Err(InviteError::Damaged)
        );
        // Not base32.
        assert_eq!(Invitation::parse("NABIJ-18!!!"), Err(InviteError::Damaged));
    }

    #[test]
    fn too_many_addresses_are_refused() {
        let mut invite = sample();
        invite.addresses = vec!["192.0.2.1:1".parse().unwrap(); MAX_ADDRESSES + 1];
        assert_eq!(invite.to_text(), Err(InviteError::TooLarge("addresses")));
    }

    #[test]
    fn qr_code_is_square() {
        let (width, modules) = sample().qr_code().unwrap();
        assert!(width >= 21);
        assert_eq!(modules.len(), width * width);
        assert!(modules.iter().any(|m| *m) && modules.iter().any(|m| !*m));
    }
}
