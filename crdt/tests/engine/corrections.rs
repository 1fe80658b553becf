//! Correcting mistakes, with real stores: every correctable item (journal entry, task, question,
//! consent, person) is edited, removed with a reason and restored; each keeps its earlier
//! versions as revisions; the query tables (case list activity, open tasks, search, client
//! index) follow in the same transaction; bad input stores nothing; edits made on two devices
//! apart merge, and concurrent edits of one text show both versions as a conflict.

use nabij_crdt::author::Author;
use nabij_crdt::case::{
    Case, Collection, ConsentEdit, ContactKind, HouseholdRole, JournalEntryEdit, NewCase,
    NewConsent, NewPerson, NewQuestion, NewTask, PersonUpdate, QuestionEdit, RevisionAction,
    TaskEdit,
};
use nabij_crdt::id::{CaseId, ItemId};
use nabij_crdt::input::Problem;
use nabij_crdt::store::profile::Profile;
use nabij_crdt::store::{CaseFilter, Store, StoreError};
use nabij_crdt::team::NewMember;

use super::{assert_input, author, entry, new_case, open_plain, send, snapshot};

pub(crate) fn started(dir: &std::path::Path) -> (Store, Profile) {
    let mut store = open_plain(dir);
    store.set_device_key(iroh::SecretKey::generate()).unwrap();
    let me = store
        .start_team(
            "Sociaal Huis Noord",
            NewMember {
                name: "Sara Claes".into(),
                role: "maatschappelijk assistent".into(),
                organisation: None,
            },
        )
        .unwrap();
    (store, me)
}

pub(crate) fn yusuf() -> NewCase {
    NewCase {
        client_name: "Yusuf Çelik".into(),
        birth_date: Some("1984-05-02".into()),
        ..Default::default()
    }
}

fn id(text: &str) -> ItemId {
    ItemId::parse(text).unwrap()
}

/// The case's row in the case list (as the caseload shows it), if listed.
pub(crate) fn row(store: &Store, case: &CaseId) -> Option<nabij_crdt::store::CaseSummary> {
    store
        .list_cases(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.case_id == case.as_str())
}

/// Case ids whose search hits include `word`.
pub(crate) fn found(store: &Store, word: &str) -> Vec<(String, String)> {
    store
        .search(word, 50)
        .unwrap()
        .into_iter()
        .map(|h| (h.doc_id, h.field))
        .collect()
}

#[test]
fn a_corrected_journal_entry_keeps_its_earlier_version_and_the_tables_follow() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me) = started(dir.path());
    let case = store.register_case(&me, yusuf()).unwrap();
    let entry_id = store
        .edit_case_as(&me, &case, |c| {
            c.add_journal_entry(entry("Huisbezoek bij familie Peeters", "2026-01-10"))
        })
        .unwrap();
    assert_eq!(row(&store, &case).unwrap().last_activity, "2026-01-10");
    assert_eq!(found(&store, "Peeters").len(), 1);

    store
        .edit_case_as(&me, &case, |c| {
            c.edit_journal_entry(
                &entry_id,
                JournalEntryEdit {
                    date: Some("2026-01-05T14:30".into()),
                    kind: Some(ContactKind::Call),
                    text: Some("Telefoon met familie Janssens".into()),
                    themes: None,
                },
            )
        })
        .unwrap();

    let shown = store.open_case(&case).unwrap();
    let now = &shown.journal[entry_id.as_str()];
    assert_eq!(now.text, "Telefoon met familie Janssens");
    assert_eq!(now.date, "2026-01-05T14:30");
    assert_eq!(now.kind, ContactKind::Call);
    let history = shown.history(entry_id.as_str());
    assert_eq!(history.len(), 1);
    let revision = history[0];
    assert_eq!(revision.action, RevisionAction::Edited);
    assert_eq!(revision.collection, Collection::Journal);
    assert_eq!(revision.by, me.member.to_string());
    assert_eq!(revision.device, me.device.to_string());
    assert_eq!(
        revision.previous.get("text").map(String::as_str),
        Some("Huisbezoek bij familie Peeters")
    );
    assert_eq!(
        revision.previous.get("date").map(String::as_str),
        Some("2026-01-10")
    );
    assert_eq!(
        revision.previous.get("kind").map(String::as_str),
        Some("note")
    );
    // The case list and search follow in the same write.
    assert_eq!(
        row(&store, &case).unwrap().last_activity,
        "2026-01-05T14:30"
    );
    assert_eq!(found(&store, "Peeters"), vec![]);
    assert_eq!(
        found(&store, "Janssens"),
        vec![(case.to_string(), "journal".to_string())]
    );

    // Saving the same text again changes nothing and adds no revision.
    let before = snapshot(&mut store, Some(&case));
    store
        .edit_case_as(&me, &case, |c| {
            c.edit_journal_entry(
                &entry_id,
                JournalEntryEdit {
                    text: Some("  Telefoon met familie Janssens ".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(snapshot(&mut store, Some(&case)), before);
}

#[test]
fn bad_corrections_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me) = started(dir.path());
    let case = store.register_case(&me, yusuf()).unwrap();
    let (entry_id, task, question, consent, person) = store
        .edit_case_as(&me, &case, |c| {
            let e = c.add_journal_entry(entry("Eerste gesprek", "2026-01-10"))?;
            let t = c.add_task(NewTask {
                title: "Huurcontract opvragen".into(),
                due: None,
                assignee: None,
            })?;
            let q = c.add_question(NewQuestion {
                theme: "housing".into(),
                text: "Huurachterstal".into(),
            })?;
            let k = c.record_consent(NewConsent {
                what: "Inkomensgegevens".into(),
                to_whom: "CAW".into(),
                purpose: "Schuldbemiddeling".into(),
                legal_basis: "toestemming".into(),
                date: Some("2026-01-10".into()),
                partner_id: None,
            })?;
            let p = c.add_person(NewPerson {
                name: "Elif Çelik".into(),
                birth_date: Some("2015-03-01".into()),
                contact: None,
                language: None,
                role: HouseholdRole::Child,
                address: None,
            })?;
            Ok((e, t, q, k, p))
        })
        .unwrap();
    let before = snapshot(&mut store, Some(&case));
    let too_long = "x".repeat(20_001);
    let edit_entry = |text: Option<&str>, date: Option<&str>| JournalEntryEdit {
        text: text.map(str::to_string),
        date: date.map(str::to_string),
        ..Default::default()
    };
    type Attempt<'a> = Box<dyn Fn(&mut Store) -> Result<(), StoreError> + 'a>;
    let cases: Vec<(Attempt<'_>, &str, Problem)> = vec![
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_journal_entry(&entry_id, edit_entry(Some("   "), None))
                })
            }),
            "text",
            Problem::Empty,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_journal_entry(&entry_id, edit_entry(Some(&too_long), None))
                })
            }),
            "text",
            Problem::TooLong { max: 20_000 },
        ),
        (
            Box::new(|s: &mut Store| {
                // A good text with a bad date: the text is not written either.
                s.edit_case_as(&me, &case, |c| {
                    c.edit_journal_entry(&entry_id, edit_entry(Some("Nieuw"), Some("31/01/2026")))
                })
            }),
            "date",
            Problem::InvalidDate,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_task(
                        &task,
                        TaskEdit {
                            title: Some("".into()),
                            ..Default::default()
                        },
                    )
                })
            }),
            "title",
            Problem::Empty,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_task(
                        &task,
                        TaskEdit {
                            due: Some("2026-02-30".into()),
                            ..Default::default()
                        },
                    )
                })
            }),
            "due",
            Problem::InvalidDate,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_question(
                        &question,
                        QuestionEdit {
                            theme: Some("wonen en zo".into()),
                            text: Some("Andere vraag".into()),
                        },
                    )
                })
            }),
            "theme",
            Problem::OutOfRange,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_consent(
                        &consent,
                        ConsentEdit {
                            to_whom: Some(" ".into()),
                            ..Default::default()
                        },
                    )
                })
            }),
            "to_whom",
            Problem::Empty,
        ),
        (
            Box::new(|s: &mut Store| {
                // A consent given in 2099: the same rule as when it is recorded.
                s.edit_case_as(&me, &case, |c| {
                    c.edit_consent(
                        &consent,
                        ConsentEdit {
                            date: Some("2099-01-01".into()),
                            ..Default::default()
                        },
                    )
                })
            }),
            "date",
            Problem::InFuture,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.update_person(
                        &person,
                        PersonUpdate {
                            birth_date: Some("2099-01-01".into()),
                            ..Default::default()
                        },
                    )
                })
            }),
            "birth_date",
            Problem::InFuture,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.remove_item(Collection::Journal, &entry_id, "  ")
                })
            }),
            "reason",
            Problem::Empty,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| c.restore_item(Collection::Tasks, &task))
            }),
            "task",
            Problem::NotAllowedNow,
        ),
        (
            Box::new(|s: &mut Store| {
                s.edit_case_as(&me, &case, |c| {
                    c.edit_task(&ItemId::random(), TaskEdit::default())
                })
            }),
            "task",
            Problem::NotFound,
        ),
    ];
    for (attempt, field, problem) in cases {
        assert_input(attempt(&mut store), field, problem);
        assert_eq!(snapshot(&mut store, Some(&case)), before, "{field}");
    }
}

#[test]
fn a_removed_entry_and_task_leave_the_tables_and_come_back_when_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me) = started(dir.path());
    let case = store.register_case(&me, yusuf()).unwrap();
    let (kept, wrong, task) = store
        .edit_case_as(&me, &case, |c| {
            let kept = c.add_journal_entry(entry("Eerste gesprek over de huur", "2026-01-10"))?;
            let wrong =
                c.add_journal_entry(entry("Verkeerd dossier: gesprek met Verbeke", "2026-02-01"))?;
            let task = c.add_task(NewTask {
                title: "Verbeke terugbellen".into(),
                due: Some("2026-02-10".into()),
                assignee: None,
            })?;
            Ok((kept, wrong, task))
        })
        .unwrap();
    assert_eq!(row(&store, &case).unwrap().last_activity, "2026-02-01");
    assert_eq!(row(&store, &case).unwrap().open_tasks, 1);
    let listed_before = store.dump_query_tables().unwrap();

    store
        .edit_case_as(&me, &case, |c| {
            c.remove_item(Collection::Journal, &wrong, "Hoort bij een ander dossier")?;
            c.remove_item(Collection::Tasks, &task, "Hoort bij een ander dossier")
        })
        .unwrap();
    let shown = store.open_case(&case).unwrap();
    // Nothing is lost: the item is still there, marked removed, with its reason.
    assert_eq!(
        shown.journal[wrong.as_str()].text,
        "Verkeerd dossier: gesprek met Verbeke"
    );
    let removal = shown.removal(wrong.as_str()).unwrap();
    assert_eq!(removal.reason, "Hoort bij een ander dossier");
    assert_eq!(removal.by, me.member.to_string());
    let history = shown.history(wrong.as_str());
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, RevisionAction::Removed);
    assert_eq!(
        history[0].reason.as_deref(),
        Some("Hoort bij een ander dossier")
    );
    assert!(!shown.is_removed(kept.as_str()));
    // The case list, the tasks and search no longer count them.
    let listed = row(&store, &case).unwrap();
    assert_eq!(listed.last_activity, "2026-01-10");
    assert_eq!(listed.open_tasks, 0);
    assert_eq!(store.tasks_due(None).unwrap(), vec![]);
    assert_eq!(found(&store, "Verbeke"), vec![]);
    // A removed item cannot be edited or removed again.
    assert_input(
        store.edit_case_as(&me, &case, |c| {
            c.edit_journal_entry(
                &wrong,
                JournalEntryEdit {
                    text: Some("Toch iets anders".into()),
                    ..Default::default()
                },
            )
        }),
        "entry",
        Problem::NotAllowedNow,
    );
    assert_input(
        store.edit_case_as(&me, &case, |c| {
            c.remove_item(Collection::Journal, &wrong, "Nog eens")
        }),
        "entry",
        Problem::NotAllowedNow,
    );

    // Undo: everything is back as it was, and the history says so.
    store
        .edit_case_as(&me, &case, |c| {
            c.restore_item(Collection::Journal, &wrong)?;
            c.restore_item(Collection::Tasks, &task)
        })
        .unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), listed_before);
    let shown = store.open_case(&case).unwrap();
    assert!(!shown.is_removed(wrong.as_str()));
    let actions: Vec<RevisionAction> = shown
        .history(wrong.as_str())
        .iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        vec![RevisionAction::Removed, RevisionAction::Restored]
    );
    assert_eq!(found(&store, "Verbeke").len(), 1);
}

#[test]
fn every_kind_of_item_is_corrected_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me) = started(dir.path());
    let case = store.register_case(&me, yusuf()).unwrap();
    let (task, question, consent, child) = store
        .edit_case_as(&me, &case, |c| {
            let t = c.add_task(NewTask {
                title: "Huurcontract opvragen".into(),
                due: Some("2026-03-01".into()),
                assignee: None,
            })?;
            let q = c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Huurachterstal van drie maanden".into(),
            })?;
            let k = c.record_consent(NewConsent {
                what: "Inkomensgegevens".into(),
                to_whom: "CAW".into(),
                purpose: "Schuldbemiddeling".into(),
                legal_basis: "toestemming".into(),
                date: Some("2026-01-10".into()),
                partner_id: None,
            })?;
            let p = c.add_person(NewPerson {
                name: "Elif Celik".into(),
                birth_date: Some("2015-03-01".into()),
                contact: None,
                language: None,
                role: HouseholdRole::Child,
                address: None,
            })?;
            Ok((t, q, k, p))
        })
        .unwrap();
    store
        .edit_case_as(&me, &case, |c| {
            c.edit_task(
                &task,
                TaskEdit {
                    title: Some("Huurcontract en loonfiches opvragen".into()),
                    due: Some("".into()),
                    assignee: None,
                },
            )?;
            c.edit_question(
                &question,
                QuestionEdit {
                    theme: Some("housing".into()),
                    text: None,
                },
            )?;
            c.edit_consent(
                &consent,
                ConsentEdit {
                    to_whom: Some("OCMW Schuldhulp".into()),
                    date: Some("2026-01-12".into()),
                    ..Default::default()
                },
            )?;
            c.update_person(
                &child,
                PersonUpdate {
                    name: Some("Elif Çelik".into()),
                    contact: Some("0470 12 34 56".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let shown = store.open_case(&case).unwrap();
    let previous = |case: &Case, item: &ItemId| case.history(item.as_str())[0].previous.clone();
    assert_eq!(shown.tasks[task.as_str()].due, None);
    assert_eq!(
        previous(&shown, &task),
        [
            ("due".to_string(), "2026-03-01".to_string()),
            ("title".to_string(), "Huurcontract opvragen".to_string())
        ]
        .into()
    );
    assert_eq!(shown.questions[question.as_str()].theme, "housing");
    assert_eq!(
        previous(&shown, &question),
        [("theme".to_string(), "money".to_string())].into()
    );
    assert_eq!(shown.consents[consent.as_str()].to_whom, "OCMW Schuldhulp");
    assert_eq!(
        previous(&shown, &consent),
        [
            ("date".to_string(), "2026-01-10".to_string()),
            ("to_whom".to_string(), "CAW".to_string())
        ]
        .into()
    );
    assert_eq!(shown.people[child.as_str()].name, "Elif Çelik");
    assert_eq!(
        previous(&shown, &child),
        [
            ("contact".to_string(), String::new()),
            ("name".to_string(), "Elif Celik".to_string())
        ]
        .into()
    );
    // The search index follows a renamed person.
    assert_eq!(found(&store, "Elif").len(), 1);

    // A child can be removed (and comes back); the client cannot be removed.
    let client = shown
        .people
        .iter()
        .find(|(_, p)| p.role == HouseholdRole::Client)
        .map(|(id, _)| id.clone())
        .unwrap();
    assert_input(
        store.edit_case_as(&me, &case, |c| {
            c.remove_item(Collection::People, &id(&client), "Dubbel")
        }),
        "person",
        Problem::NotAllowedNow,
    );
    store
        .edit_case_as(&me, &case, |c| {
            c.remove_item(Collection::People, &child, "Geen kind van Yusuf")?;
            c.remove_item(Collection::Questions, &question, "Dubbel ingegeven")?;
            c.remove_item(Collection::Consents, &consent, "Verkeerde cliënt")
        })
        .unwrap();
    let shown = store.open_case(&case).unwrap();
    assert!(shown.is_removed(child.as_str()));
    assert_eq!(found(&store, "Elif"), vec![]);
    assert_eq!(row(&store, &case).unwrap().themes, Vec::<String>::new());
    store
        .edit_case_as(&me, &case, |c| {
            c.restore_item(Collection::Questions, &question)
        })
        .unwrap();
    assert_eq!(row(&store, &case).unwrap().themes, vec!["housing"]);
}

#[test]
fn corrections_on_two_devices_merge_and_one_text_edited_twice_shows_both() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b) = (open_plain(dir_a.path()), open_plain(dir_b.path()));
    // One worker on two laptops.
    let sara = author();
    let sara_b = Author::new(sara.member.clone(), iroh::SecretKey::generate());
    let case = new_case(&mut a, &sara, "Yusuf Çelik");
    let (first, second, removed) = a
        .edit_case(&sara, &case, |c| {
            Ok((
                c.add_journal_entry(entry("Gesprek over de huur", "2026-01-10"))?,
                c.add_journal_entry(entry("Bezoek met de tolk", "2026-01-12"))?,
                c.add_journal_entry(entry("Notitie bij Verbeke", "2026-01-13"))?,
            ))
        })
        .unwrap();
    assert!(send(&mut a, &mut b, &case));

    let text = |t: &str| JournalEntryEdit {
        text: Some(t.into()),
        ..Default::default()
    };
    // Apart: both change the first entry's text; A changes the second's date, B its text; A
    // removes the third, B corrects it.
    a.edit_case(&sara, &case, |c| {
        c.edit_journal_entry(&first, text("Gesprek over de huurachterstal"))?;
        c.edit_journal_entry(
            &second,
            JournalEntryEdit {
                date: Some("2026-01-11".into()),
                ..Default::default()
            },
        )?;
        c.remove_item(Collection::Journal, &removed, "Verkeerd dossier")
    })
    .unwrap();
    b.edit_case(&sara_b, &case, |c| {
        c.edit_journal_entry(&first, text("Gesprek over de huur en de energiefactuur"))?;
        c.edit_journal_entry(&second, text("Bezoek met de tolk (Turks)"))?;
        c.edit_journal_entry(&removed, text("Notitie bij Verbeke, gecorrigeerd"))
    })
    .unwrap();
    assert!(send(&mut a, &mut b, &case));
    assert!(send(&mut b, &mut a, &case));

    for store in [&mut a, &mut b] {
        let shown = store.open_case(&case).unwrap();
        // Different fields merged.
        assert_eq!(shown.journal[second.as_str()].date, "2026-01-11");
        assert_eq!(
            shown.journal[second.as_str()].text,
            "Bezoek met de tolk (Turks)"
        );
        // Removed on one, corrected on the other: removed, and corrected.
        assert!(shown.is_removed(removed.as_str()));
        assert_eq!(
            shown.journal[removed.as_str()].text,
            "Notitie bij Verbeke, gecorrigeerd"
        );
        // Both revisions of the first entry survive.
        let history = shown.history(first.as_str());
        assert_eq!(history.len(), 2);
        assert!(
            history
                .iter()
                .all(|r| r.previous.get("text").map(String::as_str)
                    == Some("Gesprek over de huur"))
        );
        // And the one text edited twice is a conflict with both versions.
        let conflicts = store.case_conflicts(&case).unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(
            conflicts[0].path,
            vec!["journal".to_string(), first.to_string(), "text".to_string()]
        );
        let mut values: Vec<String> = conflicts[0]
            .values
            .iter()
            .map(nabij_crdt::conflict::text)
            .collect();
        values.sort();
        assert_eq!(
            values,
            vec![
                "Gesprek over de huur en de energiefactuur",
                "Gesprek over de huurachterstal"
            ]
        );
    }

    // Settling it keeps the version not chosen in the entry's history.
    let conflict = a.case_conflicts(&case).unwrap().remove(0);
    let choice = conflict
        .values
        .iter()
        .position(|v| nabij_crdt::conflict::text(v) == "Gesprek over de huurachterstal")
        .unwrap();
    a.resolve_case_conflict(&sara, &case, &conflict.path, choice)
        .unwrap();
    let shown = a.open_case(&case).unwrap();
    assert_eq!(a.case_conflicts(&case).unwrap(), vec![]);
    assert_eq!(
        shown.journal[first.as_str()].text,
        "Gesprek over de huurachterstal"
    );
    let settled = shown.history(first.as_str())[2];
    assert_eq!(settled.action, RevisionAction::Settled);
    assert_eq!(
        settled.previous.get("text").map(String::as_str),
        Some("Gesprek over de huur en de energiefactuur")
    );
    // Restoring the removed entry brings it back with B's correction.
    a.edit_case(&sara, &case, |c| {
        c.restore_item(Collection::Journal, &removed)
    })
    .unwrap();
    assert_eq!(found(&a, "gecorrigeerd").len(), 1);
}

#[test]
fn only_the_author_or_the_owner_corrects_a_journal_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let owner = author();
    let colleague = author();
    let case = new_case(&mut store, &owner, "Yusuf Çelik");
    let own = store
        .edit_case(&colleague, &case, |c| {
            c.add_journal_entry(entry("Notitie van een collega", "2026-01-10"))
        })
        .unwrap();
    let owners = store
        .edit_case(&owner, &case, |c| {
            c.add_journal_entry(entry("Notitie van de eigenaar", "2026-01-11"))
        })
        .unwrap();
    let fix = |t: &str| JournalEntryEdit {
        text: Some(t.into()),
        ..Default::default()
    };
    assert_input(
        store.edit_case(&colleague, &case, |c| {
            c.edit_journal_entry(&owners, fix("Overschreven"))
        }),
        "entry",
        Problem::NotAllowedNow,
    );
    store
        .edit_case(&colleague, &case, |c| {
            c.edit_journal_entry(&own, fix("Notitie van een collega, aangevuld"))
        })
        .unwrap();
    store
        .edit_case(&owner, &case, |c| {
            c.edit_journal_entry(&own, fix("Notitie van een collega, nagelezen"))
        })
        .unwrap();
    let shown = store.open_case(&case).unwrap();
    let by: Vec<String> = shown
        .history(own.as_str())
        .iter()
        .map(|r| r.by.clone())
        .collect();
    assert_eq!(
        by,
        vec![colleague.member.to_string(), owner.member.to_string()]
    );
}
