//! Correcting a case opened by mistake (a duplicate), with a real store: removed with a reason
//! by its owner (not by a colleague who is neither owner nor admin), it leaves the case list,
//! tasks, search and the client index, takes no other work, and comes back when restored.

use nabij_crdt::case::{NewCase, NewTask, RevisionAction};
use nabij_crdt::id::MemberId;
use nabij_crdt::input::Problem;
use nabij_crdt::store::profile::Profile;
use nabij_crdt::team::NewMember;

use super::corrections::{found, row, started, yusuf};
use super::{assert_input, entry, snapshot};

#[test]
fn a_duplicate_case_leaves_caseload_search_and_index_until_its_owner_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me) = started(dir.path());
    let case = store.register_case(&me, yusuf()).unwrap();
    let keep = store
        .register_case(
            &me,
            NewCase {
                client_name: "Marie Dubois".into(),
                ..Default::default()
            },
        )
        .unwrap();
    store
        .edit_case_as(&me, &case, |c| {
            c.add_journal_entry(entry("Dubbel dossier voor Yusuf", "2026-01-10"))?;
            c.add_task(NewTask {
                title: "Yusuf bellen".into(),
                due: None,
                assignee: None,
            })
        })
        .unwrap();
    let before = store.dump_query_tables().unwrap();

    // A reason is required; nothing is stored without one.
    let unchanged = snapshot(&mut store, Some(&case));
    assert_input(
        store.remove_case_as(&me, &case, " "),
        "reason",
        Problem::Empty,
    );
    assert_eq!(snapshot(&mut store, Some(&case)), unchanged);
    // A colleague who neither owns the case nor is an admin may not remove it.
    let colleague = store
        .edit_team(&store.author(&me).unwrap(), &me.team, |t| {
            t.add_member(
                NewMember {
                    name: "Tom Wouters".into(),
                    role: "maatschappelijk assistent".into(),
                    organisation: None,
                },
                false,
            )
        })
        .unwrap();
    let as_colleague = Profile {
        member: colleague,
        ..me.clone()
    };
    let unchanged = snapshot(&mut store, Some(&case));
    assert_input(
        store.remove_case_as(&as_colleague, &case, "Dubbel dossier"),
        "case",
        Problem::NotAllowedNow,
    );
    assert_eq!(snapshot(&mut store, Some(&case)), unchanged);

    store
        .remove_case_as(&me, &case, "Dubbel dossier, zie Yusuf Çelik (1984)")
        .unwrap();
    assert!(row(&store, &case).is_none());
    assert!(row(&store, &keep).is_some());
    assert_eq!(found(&store, "Yusuf"), vec![]);
    assert_eq!(store.find_clients("yusuf", None).unwrap(), vec![]);
    assert_eq!(store.tasks_due(None).unwrap(), vec![]);
    assert!(store.is_case_removed(&case).unwrap());
    let removed = store.removed_cases(&me.member.to_string()).unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].case_id, case.to_string());
    assert_eq!(removed[0].client_name, "Yusuf Çelik");
    assert_eq!(removed[0].reason, "Dubbel dossier, zie Yusuf Çelik (1984)");
    assert_eq!(
        store
            .removed_cases(&MemberId::random().to_string())
            .unwrap(),
        vec![]
    );
    // A removed case takes no other work until the removal is undone.
    assert_input(
        store.edit_case_as(&me, &case, |c| {
            c.add_journal_entry(entry("Nog iets", "2026-01-11"))
        }),
        "case",
        Problem::NotAllowedNow,
    );
    assert_input(
        store.remove_case_as(&me, &case, "Nog eens"),
        "case",
        Problem::NotAllowedNow,
    );
    // The rebuild gives the same tables.
    let tables = store.dump_query_tables().unwrap();
    store.rebuild().unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), tables);

    store.restore_case_as(&me, &case).unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), before);
    assert_eq!(store.find_clients("yusuf", None).unwrap().len(), 1);
    let actions: Vec<RevisionAction> = store
        .open_case(&case)
        .unwrap()
        .history(case.as_str())
        .iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        vec![RevisionAction::Removed, RevisionAction::Restored]
    );
    assert_input(
        store.restore_case_as(&me, &case),
        "case",
        Problem::NotAllowedNow,
    );
}
