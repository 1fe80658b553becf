//! Who may have written what in a referral that arrives from elsewhere. Authorship comes from
//! the Automerge actor of each change, which is its device key (every change is signature
//! checked before it gets here), and the team's list of devices gives the member:
//!
//! - what was sent (every field outside `steps` and `messages`) is written by the device that
//!   made the referral, and names it (`sent_from`) and its member (`sent_by`);
//! - each step and each message is a new item written by one device, and names that device and
//!   its member; nobody changes or deletes an item written by another device, nor any item once
//!   written;
//! - the partner's steps (received, accepted, declined) are taken by a member of the partner
//!   organisation, or recorded by hand on the sender's side only while the partner has no
//!   member in the team; a withdrawal is the sender's side's; a message says truly from which
//!   side it comes.
//!
//! A change that breaks a rule refuses the whole document update.

use automerge::{ActorId, AutoCommit, ChangeHash, ObjType, Prop, ReadDoc, Value};

use super::model::{Referral, StepKind};
use crate::id::DeviceId;
use crate::kind::Known;

/// The device of an Automerge actor, if the actor is a device key.
fn device_of(actor: &ActorId) -> Option<DeviceId> {
    <[u8; 32]>::try_from(actor.to_bytes())
        .ok()
        .map(DeviceId::from_bytes)
}

/// The actor that made the object or value with this id.
fn actor_of(id: &automerge::ObjId) -> Option<&ActorId> {
    match id {
        automerge::ObjId::Id(_, actor, _) => Some(actor),
        automerge::ObjId::Root => None,
    }
}

/// The actor that made the item `key` of the root map `map` (a step or a message), if it is
/// one item: two values under one key (another device writing an item under an id already
/// taken) have no single author.
fn item_actor(doc: &AutoCommit, map: &str, key: &str) -> Option<ActorId> {
    let (_, items) = doc.get(automerge::ROOT, map).ok()??;
    match doc.get_all(&items, key).ok()?.as_slice() {
        [(Value::Object(ObjType::Map), id)] => actor_of(id).cloned(),
        _ => None,
    }
}

/// The top key a patch touches, the item under it (for `steps` and `messages`), and whether it
/// deletes that item or something in it.
fn touched(patch: &automerge::Patch) -> (Option<String>, Option<String>, bool) {
    let key = |prop: &Prop| match prop {
        Prop::Map(k) => Some(k.to_string()),
        Prop::Seq(_) => None,
    };
    let (action_key, deletes) = match &patch.action {
        automerge::PatchAction::PutMap { key, .. } => (Some(key.to_string()), false),
        automerge::PatchAction::DeleteMap { key } => (Some(key.to_string()), true),
        automerge::PatchAction::DeleteSeq { .. } => (None, true),
        _ => (None, false),
    };
    let path: Vec<Option<String>> = patch.path.iter().map(|(_, p)| key(p)).collect();
    let top = path.first().cloned().flatten().or(action_key.clone());
    let item = match path.len() {
        0 => None,
        1 => action_key,
        _ => path.get(1).cloned().flatten(),
    };
    (top, item, deletes)
}

/// Check the changes of `doc` after `since` (every change when `since` is empty), and the
/// names in the referral as it now stands (`referral`), against the rules above.
pub(crate) fn check(
    referral: &Referral,
    doc: &mut AutoCommit,
    since: &[ChangeHash],
    known: &mut dyn Known,
) -> Result<(), String> {
    let creator = match doc.get(automerge::ROOT, "id") {
        Ok(Some((_, id))) => actor_of(&id).cloned(),
        _ => None,
    }
    .ok_or("the referral has no author")?;
    let changes: Vec<(ChangeHash, Vec<ChangeHash>, ActorId)> = doc
        .get_changes(since)
        .into_iter()
        .map(|c| (c.hash(), c.deps().to_vec(), c.actor_id().clone()))
        .collect();
    for (hash, deps, actor) in changes {
        for patch in doc.diff(&deps, &[hash]) {
            let (top, item, deletes) = touched(&patch);
            let allowed = match top.as_deref() {
                Some(map @ ("steps" | "messages")) => match item {
                    // The map itself, made with the referral.
                    None => actor == creator && !deletes,
                    Some(item) => !deletes && item_actor(doc, map, &item).as_ref() == Some(&actor),
                },
                _ => actor == creator,
            };
            if !allowed {
                return Err(format!(
                    "change {hash} by device {} writes {} of the referral, which it may not",
                    device_of(&actor).map_or_else(|| "?".into(), |d| d.to_string()),
                    top.unwrap_or_else(|| "the root".into())
                ));
            }
        }
    }
    names(referral, doc, &creator, known)
}

/// Every name in the referral is its writer's: the sender, each step and each message; and
/// each step fits the side of its member.
fn names(
    referral: &Referral,
    doc: &AutoCommit,
    creator: &ActorId,
    known: &mut dyn Known,
) -> Result<(), String> {
    let partner_members = known.partner_members(&referral.partner_id);
    let mut member_of = |actor: &ActorId| -> Result<(DeviceId, String), String> {
        let device = device_of(actor).ok_or("an actor that is not a device")?;
        let member = known
            .member_of(&device)
            .ok_or_else(|| format!("device {device} is not in the team"))?;
        Ok((device, member))
    };
    let (device, member) = member_of(creator)?;
    if referral.sent_from != device.to_string() || referral.sent_by != member {
        return Err("the referral names another sender than the device that made it".into());
    }
    for (id, step) in &referral.steps {
        let actor = item_actor(doc, "steps", id).ok_or("a step that is not an item")?;
        let (device, member) = member_of(&actor)?;
        if step.device != device.to_string() || step.by != member {
            return Err(format!(
                "step {id} names another member or device than its writer"
            ));
        }
        let partners = partner_members.contains(&member);
        let fits = match step.kind {
            StepKind::Received => partners && !step.by_hand,
            StepKind::Accepted | StepKind::Declined => {
                (partners && !step.by_hand)
                    || (!partners && step.by_hand && partner_members.is_empty())
            }
            StepKind::Withdrawn => !partners,
            _ => true,
        };
        if !fits {
            return Err(format!(
                "step {id} ({}) is not {member}'s to take",
                step.kind.as_str()
            ));
        }
    }
    for (id, message) in &referral.messages {
        let actor = item_actor(doc, "messages", id).ok_or("a message that is not an item")?;
        let (device, member) = member_of(&actor)?;
        if message.device != device.to_string() || message.by != member {
            return Err(format!(
                "message {id} names another member or device than its writer"
            ));
        }
        if message.from_partner != partner_members.contains(&member) {
            return Err(format!("message {id} claims the wrong side"));
        }
    }
    Ok(())
}
