//! Proof of who wrote a change. The Automerge actor id of every change is its author device's
//! public key (an Ed25519 key, the device's [`DeviceId`](crate::id::DeviceId)); the change is
//! signed with that device's secret key, over a domain tag and the change's hash (which covers
//! its actor, sequence number, dependencies, message, time and operations). Signatures travel
//! beside the changes (in sync messages, whole documents and join answers) and are kept beside
//! the document in the store; a change is accepted only with a valid signature by its own actor.
//!
//! A change's hash is computed by Automerge from the change's bytes, so a valid signature over it
//! proves the whole change, not a claim about it.

use std::collections::HashMap;

use automerge::{ActorId, Change, ChangeHash};
use ed25519_dalek::{Signature, VerifyingKey};
use iroh::SecretKey;

/// Bytes of one signature.
pub const SIGNATURE_LEN: usize = 64;
/// What is signed: this tag, then the change hash (so a signature is never valid for anything
/// but a Nabij change).
const DOMAIN: &[u8; 16] = b"nabij-change-v1\0";

/// One change's signature: the change's hash and its author's Ed25519 signature over it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChangeSignature {
    /// The change.
    pub hash: ChangeHash,
    /// The signature by the change's actor (its device key).
    pub bytes: [u8; SIGNATURE_LEN],
}

impl std::fmt::Debug for ChangeSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChangeSignature({})", self.hash)
    }
}

/// Why a change was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature came with the change.
    #[error("change {0} has no signature")]
    Missing(ChangeHash),
    /// The signature does not verify with the change's actor key.
    #[error("change {0} has a signature that is not its author's")]
    Invalid(ChangeHash),
    /// The change's actor is not a device key (32 bytes of a valid Ed25519 point).
    #[error("change {0} is not by a device key")]
    NotADevice(ChangeHash),
}

fn message(hash: &ChangeHash) -> [u8; 48] {
    let mut out = [0u8; 48];
    out[..16].copy_from_slice(DOMAIN);
    out[16..].copy_from_slice(&hash.0);
    out
}

/// Sign the change `hash` with `key` (the change's actor must be `key`'s public half).
pub fn sign(key: &SecretKey, hash: &ChangeHash) -> ChangeSignature {
    ChangeSignature {
        hash: *hash,
        bytes: key.sign(&message(hash)).to_bytes(),
    }
}

/// Signatures by change hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatures(HashMap<ChangeHash, [u8; SIGNATURE_LEN]>);

impl Signatures {
    /// No signatures.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one.
    pub fn insert(&mut self, signature: ChangeSignature) {
        self.0.insert(signature.hash, signature.bytes);
    }

    /// The signature of change `hash`, if present.
    pub fn get(&self, hash: &ChangeHash) -> Option<ChangeSignature> {
        self.0.get(hash).map(|bytes| ChangeSignature {
            hash: *hash,
            bytes: *bytes,
        })
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every signature (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = ChangeSignature> + '_ {
        self.0.iter().map(|(hash, bytes)| ChangeSignature {
            hash: *hash,
            bytes: *bytes,
        })
    }

    /// Add all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = ChangeSignature>) {
        for signature in other {
            self.insert(signature);
        }
    }
}

impl FromIterator<ChangeSignature> for Signatures {
    fn from_iter<T: IntoIterator<Item = ChangeSignature>>(iter: T) -> Self {
        let mut out = Self::new();
        out.extend(iter);
        out
    }
}

/// Checks changes against their signatures; keeps the public keys it has decoded (decoding a
/// point costs about as much as a verification).
#[derive(Debug, Default)]
pub struct Verifier {
    keys: HashMap<ActorId, Option<VerifyingKey>>,
}

impl Verifier {
    /// A verifier with no keys decoded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Check that `change` is signed by its actor: the signature is taken from `signatures`.
    pub fn verify(
        &mut self,
        change: &Change,
        signatures: &Signatures,
    ) -> Result<ChangeSignature, SignatureError> {
        let hash = change.hash();
        let signature = signatures.get(&hash).ok_or(SignatureError::Missing(hash))?;
        self.verify_one(change.actor_id(), &signature)?;
        Ok(signature)
    }

    /// Check one signature against the actor said to have made the change.
    pub fn verify_one(
        &mut self,
        actor: &ActorId,
        signature: &ChangeSignature,
    ) -> Result<(), SignatureError> {
        let hash = signature.hash;
        let key = self
            .keys
            .entry(actor.clone())
            .or_insert_with(|| {
                <[u8; 32]>::try_from(actor.to_bytes())
                    .ok()
                    .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
            })
            .as_ref()
            .ok_or(SignatureError::NotADevice(hash))?;
        key.verify_strict(&message(&hash), &Signature::from_bytes(&signature.bytes))
            .map_err(|_| SignatureError::Invalid(hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::AutoCommit;
    use automerge::transaction::Transactable;

    fn change_by(key: &SecretKey, value: &str) -> Change {
        let mut doc =
            AutoCommit::new().with_actor(ActorId::from(key.public().as_bytes().as_slice()));
        doc.put(automerge::ROOT, "k", value).unwrap();
        doc.commit();
        doc.get_last_local_change().unwrap()
    }

    #[test]
    fn a_change_verifies_only_with_its_own_actors_signature() {
        let (ann, bob) = (SecretKey::generate(), SecretKey::generate());
        let change = change_by(&ann, "v");
        let mut verifier = Verifier::new();
        let good: Signatures = [sign(&ann, &change.hash())].into_iter().collect();
        assert_eq!(verifier.verify(&change, &good).unwrap().hash, change.hash());
        // Signed by someone else: the signature is not the actor's.
        let forged: Signatures = [sign(&bob, &change.hash())].into_iter().collect();
        assert_eq!(
            verifier.verify(&change, &forged),
            Err(SignatureError::Invalid(change.hash()))
        );
        // A signature over another change does not carry over.
        let other = change_by(&ann, "w");
        let mut moved = sign(&ann, &other.hash());
        moved.hash = change.hash();
        let moved: Signatures = [moved].into_iter().collect();
        assert!(verifier.verify(&change, &moved).is_err());
        assert_eq!(
            verifier.verify(&change, &Signatures::new()),
            Err(SignatureError::Missing(change.hash()))
        );
    }

    #[test]
    fn an_actor_that_is_no_device_key_is_refused() {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(&[7u8; 5][..]));
        doc.put(automerge::ROOT, "k", "v").unwrap();
        doc.commit();
        let change = doc.get_last_local_change().unwrap();
        let signatures: Signatures = [sign(&SecretKey::generate(), &change.hash())]
            .into_iter()
            .collect();
        assert_eq!(
            Verifier::new().verify(&change, &signatures),
            Err(SignatureError::NotADevice(change.hash()))
        );
    }
}
