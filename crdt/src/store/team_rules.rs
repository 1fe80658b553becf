//! Who may change what in a team document that arrives by sync. Members and devices (who is in
//! the team, who is an admin, which devices may sync) change only by changes from a device of a
//! current admin, as the team stood before; a device may update its own addresses (a dialing
//! hint). Everything else in the team document (partners, themes, envelopes, the client index)
//! any team device may change. A change is attributed by its Automerge actor, which is its
//! device key, and its message, which is its member; what it did is the difference between its
//! dependencies and itself. A partner of the directory names who added and last changed it
//! (`added_by`, `changed_by`): a change to a partner must leave its own member there.

use automerge::{AutoCommit, ChangeHash, Prop};

use crate::id::DeviceId;
use crate::team::Team;

/// The top-level key a patch touches, the entry under it if any, and the field of that entry.
fn touched(patch: &automerge::Patch) -> (Option<String>, Option<String>, Option<String>) {
    let key = |prop: &Prop| match prop {
        Prop::Map(k) => Some(k.to_string()),
        Prop::Seq(_) => None,
    };
    let action_key = match &patch.action {
        automerge::PatchAction::PutMap { key, .. } | automerge::PatchAction::DeleteMap { key } => {
            Some(key.to_string())
        }
        _ => None,
    };
    let path: Vec<Option<String>> = patch.path.iter().map(|(_, p)| key(p)).collect();
    let top = path.first().cloned().flatten().or(action_key.clone());
    let entry = path.get(1).cloned().flatten().or(if path.len() == 1 {
        action_key.clone()
    } else {
        None
    });
    let field = path
        .get(2)
        .cloned()
        .flatten()
        .or(if path.len() == 2 { action_key } else { None });
    (top, entry, field)
}

/// A text field of the partner `id` as of `heads`: `None` when the partner is not there,
/// `Some(None)` when the field is missing or not a text.
fn partner_text_at(
    doc: &AutoCommit,
    id: &str,
    field: &str,
    heads: &[ChangeHash],
) -> Option<Option<String>> {
    use automerge::{ObjType, ROOT, ReadDoc, ScalarValue, Value};
    let Ok(Some((Value::Object(ObjType::Map), partners))) = doc.get_at(ROOT, "partners", heads)
    else {
        return None;
    };
    let Ok(Some((Value::Object(ObjType::Map), partner))) = doc.get_at(&partners, id, heads) else {
        return None;
    };
    Some(match doc.get_at(&partner, field, heads) {
        Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
            ScalarValue::Str(text) => Some(text.to_string()),
            _ => None,
        },
        _ => None,
    })
}

/// Whether the partners a change touched name its member (`message`) as who changed them last
/// as of the change, and a partner it made as who added it.
fn partners_attributed(
    doc: &AutoCommit,
    partners: &std::collections::BTreeSet<String>,
    deps: &[ChangeHash],
    hash: ChangeHash,
    message: Option<&str>,
) -> Result<(), String> {
    for id in partners {
        let Some(changed_by) = partner_text_at(doc, id, "changed_by", &[hash]) else {
            continue; // not there after the change
        };
        let new = partner_text_at(doc, id, "added_by", deps).is_none();
        let added_by = partner_text_at(doc, id, "added_by", &[hash]).flatten();
        if changed_by.as_deref() != message || (new && added_by.as_deref() != message) {
            return Err(format!(
                "change {hash} by {} changes partner {id} without being named as its author",
                message.unwrap_or("no member")
            ));
        }
    }
    Ok(())
}

/// A change's hash, dependencies, actor and message.
type ChangeFacts = (ChangeHash, Vec<ChangeHash>, Vec<u8>, Option<String>);

/// Check the changes `doc` gained since `before` against the rules above; the error says which
/// change broke them.
pub(crate) fn check(doc: &mut AutoCommit, before: &[ChangeHash]) -> Result<(), String> {
    let old_doc = doc.fork_at(before).map_err(|e| e.to_string())?;
    let old: Team = autosurgeon::hydrate(&old_doc).map_err(|e| e.to_string())?;
    let changes: Vec<ChangeFacts> = doc
        .get_changes(before)
        .into_iter()
        .map(|c| {
            (
                c.hash(),
                c.deps().to_vec(),
                c.actor_id().to_bytes().to_vec(),
                c.message().map(str::to_string),
            )
        })
        .collect();
    for (hash, deps, actor, message) in changes {
        let device = <[u8; 32]>::try_from(actor.as_slice())
            .ok()
            .map(DeviceId::from_bytes);
        let by_admin = device.is_some_and(|d| {
            old.devices
                .get(&d.to_string())
                .is_some_and(|listed| listed.revoked_at.is_none() && old.is_admin(&listed.member))
        });
        let mut partners = std::collections::BTreeSet::new();
        for patch in doc.diff(&deps, &[hash]) {
            let (top, entry, field) = touched(&patch);
            if top.as_deref() == Some("partners")
                && let Some(entry) = &entry
            {
                partners.insert(entry.clone());
            }
            if by_admin {
                continue;
            }
            let addresses = field.as_deref() == Some("addresses");
            let guarded = matches!(top.as_deref(), Some("members" | "devices"));
            let own_addresses = top.as_deref() == Some("devices")
                && addresses
                && device.is_some_and(|d| entry.as_deref() == Some(d.to_string().as_str()));
            if guarded && !own_addresses {
                return Err(format!(
                    "change {hash} by {} changes the team's {} but is not from an admin's device",
                    device.map_or_else(|| "an unknown actor".to_string(), |d| d.to_string()),
                    top.unwrap_or_default()
                ));
            }
        }
        partners_attributed(doc, &partners, &deps, hash, message.as_deref())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::Author;
    use crate::id::MemberId;
    use crate::team::{NewMember, TeamEditor, create_team};
    use automerge::ReadDoc;

    fn founder() -> NewMember {
        NewMember {
            name: "An".into(),
            role: "coördinator".into(),
            organisation: None,
        }
    }

    /// A team with an admin and a plain member, each with a device.
    fn team() -> (AutoCommit, Author, Author) {
        let admin = Author::generate(MemberId::random());
        let (_, mut doc) = create_team(&admin, "Team", founder()).unwrap();
        let plain_key = iroh::SecretKey::generate();
        let plain_device = DeviceId::from_bytes(*plain_key.public().as_bytes());
        let member = {
            let mut ed = TeamEditor::new(&mut doc, &admin);
            let m = ed.add_member(founder(), false).unwrap();
            ed.add_device(&m, &plain_device).unwrap();
            m
        };
        admin.commit(&mut doc);
        let plain = Author::new(member, plain_key);
        (doc, admin, plain)
    }

    /// Make `by` edit a fork of `doc` with `edit` (skipping the editor's own admin check by
    /// writing through Automerge directly), merge it back and check.
    fn forged(
        doc: &mut AutoCommit,
        by: &Author,
        edit: impl FnOnce(&mut AutoCommit),
    ) -> Result<(), String> {
        let before = doc.get_heads();
        let mut fork = doc.fork().with_actor(by.actor());
        edit(&mut fork);
        by.commit(&mut fork);
        doc.merge(&mut fork).unwrap();
        check(doc, &before)
    }

    #[test]
    fn only_admins_change_members_and_devices() {
        use automerge::transaction::Transactable;
        let (mut doc, admin, plain) = team();
        // A plain member's device making itself admin: refused.
        let member_obj = |d: &AutoCommit, m: &MemberId| {
            let (_, members) = d.get(automerge::ROOT, "members").unwrap().unwrap();
            d.get(&members, m.as_str()).unwrap().unwrap().1
        };
        let obj = member_obj(&doc, &plain.member);
        let err = forged(&mut doc.clone(), &plain, |f| {
            f.put(&obj, "admin", true).unwrap();
        });
        assert!(err.is_err(), "{err:?}");
        // A plain member's device adding a device: refused.
        let err = forged(&mut doc.clone(), &plain, |f| {
            let mut ed = TeamEditor::new(f, &admin);
            ed.add_device(&plain.member, &DeviceId::random()).unwrap();
        });
        assert!(err.is_err(), "{err:?}");
        // The same by the admin's device: fine.
        forged(&mut doc, &admin, |f| {
            let mut ed = TeamEditor::new(f, &admin);
            ed.add_device(&plain.member, &DeviceId::random()).unwrap();
        })
        .unwrap();
        // A plain member's device changing its own addresses, a partner, the retention: fine.
        forged(&mut doc, &plain, |f| {
            let mut ed = TeamEditor::new(f, &plain);
            ed.set_device_addresses(&plain.device(), &["198.51.100.5:4000".into()])
                .unwrap();
            ed.set_retention_years(7).unwrap();
        })
        .unwrap();
        // A plain member adding and changing a partner: fine, named as its author.
        let partner = std::cell::Cell::new(None);
        forged(&mut doc, &plain, |f| {
            let mut ed = TeamEditor::new(f, &plain);
            let id = ed
                .add_partner(crate::team::NewPartner {
                    name: "CAW Leiestreek".into(),
                    ..Default::default()
                })
                .unwrap();
            partner.set(Some(id));
        })
        .unwrap();
        let partner = partner.take().unwrap();
        forged(&mut doc, &admin, |f| {
            let mut ed = TeamEditor::new(f, &admin);
            let update = crate::team::PartnerUpdate {
                phone: Some("09 261 40 10".into()),
                ..Default::default()
            };
            assert!(ed.update_partner(&partner, update).unwrap());
        })
        .unwrap();
        // A change that names someone else as a partner's author: refused, admin or not.
        for by in [&plain, &admin] {
            let other = if std::ptr::eq(by, &plain) {
                &admin
            } else {
                &plain
            };
            let err = forged(&mut doc.clone(), by, |f| {
                let mut ed = TeamEditor::new(f, other);
                let update = crate::team::PartnerUpdate {
                    phone: Some("09 261 40 11".into()),
                    ..Default::default()
                };
                ed.update_partner(&partner, update).unwrap();
            });
            assert!(
                err.as_ref()
                    .is_err_and(|e| e.contains("named as its author")),
                "{err:?}"
            );
            let err = forged(&mut doc.clone(), by, |f| {
                TeamEditor::new(f, other)
                    .add_partner(crate::team::NewPartner {
                        name: "Huurdersbond".into(),
                        ..Default::default()
                    })
                    .unwrap();
            });
            assert!(err.is_err(), "{err:?}");
        }
        // But not another device's addresses.
        let err = forged(&mut doc.clone(), &plain, |f| {
            let mut ed = TeamEditor::new(f, &admin);
            ed.set_device_addresses(&admin.device(), &["203.0.113.9:1".into()])
                .unwrap();
        });
        assert!(err.is_err(), "{err:?}");
    }
}
