//! The query tables kept up to date edit by edit are exactly what a rebuild from the documents
//! gives, also after merges, compaction and a restart; and a rebuild repairs damaged tables.

use nabij_crdt::case::{
    ContactKind, HouseholdRole, NewJournalEntry, NewPerson, NewQuestion, NewTask,
};
use nabij_crdt::id::{CaseId, ItemId, MemberId};
use nabij_crdt::store::Store;

use super::{author, new_case, open_plain, send};

/// The cases a search finds (which snippet is shown among equally good ones may change).
fn found(store: &Store, typed: &str) -> Vec<(String, String)> {
    let mut hits: Vec<(String, String)> = store
        .search(typed, 50)
        .unwrap()
        .into_iter()
        .map(|h| (h.doc_id, h.client_name))
        .collect();
    hits.sort();
    hits
}

/// Rebuild and check that the tables and search did not change.
#[track_caller]
fn rebuild_changes_nothing(store: &mut Store) {
    let before = store.dump_query_tables().unwrap();
    let hits = found(store, "gesprek");
    assert!(!before.is_empty());
    store.rebuild().unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), before);
    assert_eq!(found(store, "gesprek"), hits);
}

fn busy_edits(store: &mut Store, who: &nabij_crdt::author::Author, id: &CaseId, tag: &str, n: u32) {
    let mut tasks = Vec::new();
    for i in 0..n {
        store
            .edit_case(who, id, |c| {
                c.add_journal_entry(NewJournalEntry {
                    date: Some(format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
                    kind: ContactKind::Visit,
                    text: format!("Gesprek {tag} {i} over de energiefactuur"),
                    themes: vec![["money", "housing", "energy"][i as usize % 3].into()],
                })
            })
            .unwrap();
        if i % 4 == 0 {
            let task = store
                .edit_case(who, id, |c| {
                    c.add_task(NewTask {
                        title: format!("Taak {tag} {i}"),
                        due: (i % 8 == 0).then(|| "2026-09-01".to_string()),
                        assignee: Some(who.member.clone()),
                    })
                })
                .unwrap();
            tasks.push(task);
        }
        if i % 7 == 3 {
            let task: &ItemId = &tasks[tasks.len() / 2];
            store
                .edit_case(who, id, |c| c.set_task_done(task, true))
                .unwrap();
        }
    }
    store
        .edit_case(who, id, |c| {
            c.add_person(NewPerson {
                name: format!("Kind {tag}"),
                birth_date: Some("2015-04-04".into()),
                contact: None,
                language: None,
                role: HouseholdRole::Child,
                address: None,
            })?;
            c.add_question(NewQuestion {
                theme: "school".into(),
                text: format!("Vraag {tag}"),
            })?;
            c.set_member_allowed(&MemberId::random(), true)
        })
        .unwrap();
}

#[test]
fn rebuild_equals_incremental_after_edits_merges_and_restart() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b) = (open_plain(dir_a.path()), open_plain(dir_b.path()));
    let (anna, bart) = (author(), author());
    let ids: Vec<CaseId> = ["Jan Peeters", "Ayşe Çelik", "Mina Haddou"]
        .iter()
        .map(|name| new_case(&mut a, &anna, name))
        .collect();
    // Enough edits on the first case to compact it (more than 32 chunks).
    busy_edits(&mut a, &anna, &ids[0], "a0", 40);
    busy_edits(&mut a, &anna, &ids[1], "a1", 6);
    a.edit_case(&anna, &ids[2], |c| c.close("Verhuisd", Some("2026-02-02")))
        .unwrap();
    rebuild_changes_nothing(&mut a);

    for id in &ids {
        send(&mut a, &mut b, id);
    }
    busy_edits(&mut b, &bart, &ids[0], "b0", 10);
    busy_edits(&mut a, &anna, &ids[0], "a0bis", 5);
    b.edit_case(&bart, &ids[2], |c| c.reopen("Terug")).unwrap();
    for id in &ids {
        send(&mut b, &mut a, id);
        send(&mut a, &mut b, id);
    }
    rebuild_changes_nothing(&mut a);
    rebuild_changes_nothing(&mut b);
    assert_eq!(
        a.dump_query_tables().unwrap(),
        b.dump_query_tables().unwrap()
    );

    drop(a);
    let mut a = open_plain(dir_a.path());
    busy_edits(&mut a, &anna, &ids[1], "after restart", 3);
    rebuild_changes_nothing(&mut a);
    assert_eq!(a.status().unwrap().case_count, 3);
}

#[test]
fn rebuild_repairs_damaged_query_tables() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Jan Peeters");
    busy_edits(&mut store, &me, &id, "x", 9);
    let good = store.dump_query_tables().unwrap();
    let good_hits = found(&store, "energiefactuur");
    {
        // Another connection to the (unencrypted) file damages the tables behind the store.
        let raw =
            rusqlite::Connection::open(dir.path().join(nabij_crdt::store::DATABASE_FILE)).unwrap();
        raw.execute_batch(
            "DELETE FROM task; UPDATE case_list SET client_name = 'wrong', open_tasks = 99;
             DELETE FROM search_source WHERE field = 'journal';",
        )
        .unwrap();
    }
    assert_ne!(store.dump_query_tables().unwrap(), good);
    assert!(store.search("energiefactuur", 5).unwrap().is_empty());
    store.rebuild().unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), good);
    assert_eq!(found(&store, "energiefactuur"), good_hits);
    assert_eq!(good_hits.len(), 1);
}
