//! Every case API call through the store, with good input (the change is stored and shows in the
//! case, the lists and search) and bad input (an input error naming the field, and the store
//! exactly as before).

use std::fmt::Debug;

use nabij_crdt::case::{
    CaseEditor, CaseState, ContactKind, HouseholdRole, NewCase, NewJournalEntry, NewPerson,
    NewQuestion, NewTask, PersonUpdate, QuestionStatus,
};
use nabij_crdt::date::Date;
use nabij_crdt::doc::DocError;
use nabij_crdt::id::{CaseId, ItemId, MemberId, TeamId};
use nabij_crdt::input::Problem;
use nabij_crdt::store::{CaseFilter, Store, StoreError};

use super::{assert_input, author, entry, open_plain, snapshot};

/// Run a bad edit: it must fail on `field` with `problem` and leave the store as it was.
#[track_caller]
pub(crate) fn rejects<T: Debug>(
    store: &mut Store,
    me: &nabij_crdt::author::Author,
    id: &CaseId,
    field: &str,
    problem: Problem,
    edit: impl FnOnce(&mut CaseEditor<'_>) -> Result<T, DocError>,
) {
    let before = snapshot(store, Some(id));
    assert_input(store.edit_case(me, id, edit), field, problem);
    assert_eq!(
        snapshot(store, Some(id)),
        before,
        "store changed by a bad edit"
    );
}

pub(crate) fn long(n: usize) -> String {
    "x".repeat(n)
}

pub(crate) fn today() -> String {
    Date::today().to_string()
}

#[test]
fn create_case_validates_every_field_and_stores_nothing_when_bad() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let team = TeamId::random();
    let good = || NewCase {
        client_name: "  Jan Peeters ".into(),
        birth_date: Some("1980-05-17".into()),
        contact: Some("0470 12 34 56".into()),
        language: Some("nl".into()),
        owner: None,
        address: None,
    };
    let bad: Vec<(NewCase, &str, Problem)> = vec![
        (
            NewCase {
                client_name: "   ".into(),
                ..good()
            },
            "client_name",
            Problem::Empty,
        ),
        (
            NewCase {
                client_name: long(201),
                ..good()
            },
            "client_name",
            Problem::TooLong { max: 200 },
        ),
        (
            NewCase {
                birth_date: Some("1980-02-30".into()),
                ..good()
            },
            "birth_date",
            Problem::InvalidDate,
        ),
        (
            NewCase {
                contact: Some(long(201)),
                ..good()
            },
            "contact",
            Problem::TooLong { max: 200 },
        ),
        (
            NewCase {
                language: Some(long(201)),
                ..good()
            },
            "language",
            Problem::TooLong { max: 200 },
        ),
    ];
    for (new, field, problem) in bad {
        let before = snapshot(&mut store, None);
        assert_input(store.create_case(&me, &team, new), field, problem);
        assert_eq!(snapshot(&mut store, None), before);
    }
    assert_eq!(store.status().unwrap().case_count, 0);

    let id = store.create_case(&me, &team, good()).unwrap();
    let other = MemberId::random();
    let handed = store
        .create_case(
            &me,
            &team,
            NewCase {
                client_name: "Ayşe Çelik".into(),
                owner: Some(other.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let case = store.open_case(&id).unwrap();
    assert_eq!(case.id, id.as_str());
    assert_eq!(case.team, team.as_str());
    assert_eq!(case.owner, me.member.as_str());
    assert_eq!(case.status.state, CaseState::Open);
    assert_eq!(case.client_name(), "Jan Peeters");
    let client = case.people.values().next().unwrap();
    assert_eq!(client.contact.as_deref(), Some("0470 12 34 56"));
    assert_eq!(client.role, HouseholdRole::Client);
    assert_eq!(store.open_case(&handed).unwrap().owner, other.as_str());

    let list = store.list_cases(&CaseFilter::default()).unwrap();
    assert_eq!(list.len(), 2);
    let mine = store
        .list_cases(&CaseFilter {
            owner: Some(me.member.to_string()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].client_name, "Jan Peeters");
    assert_eq!(mine[0].birth_year, Some(1980));
    assert_eq!(mine[0].last_activity, today());
    assert_eq!(
        store.search("celik", 10).unwrap()[0].doc_id,
        handed.as_str()
    );
    assert!(store.search("   ", 10).unwrap().is_empty());
    assert!(store.search("nobodyhere", 10).unwrap().is_empty());

    let unknown = CaseId::random();
    for result in [
        store.open_case(&unknown).map(|_| ()),
        store.edit_case(&me, &unknown, |c| {
            c.add_journal_entry(entry("x", "2026-01-01")).map(|_| ())
        }),
        store.case_conflicts(&unknown).map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(StoreError::NotFound { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn people_questions_journal_and_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = super::new_case(&mut store, &me, "Jan Peeters");
    let client =
        ItemId::parse(store.open_case(&id).unwrap().people.keys().next().unwrap()).unwrap();
    let s = &mut store;

    // People.
    let partner = s
        .edit_case(&me, &id, |c| {
            c.add_person(NewPerson {
                name: "Els Peeters".into(),
                birth_date: Some("1982-01-31".into()),
                contact: None,
                language: Some("nl, fr".into()),
                role: HouseholdRole::Partner,
                address: None,
            })
        })
        .unwrap();
    let person = |name: &str, birth: Option<&str>| NewPerson {
        name: name.into(),
        birth_date: birth.map(str::to_string),
        contact: None,
        language: None,
        role: HouseholdRole::Child,
        address: None,
    };
    rejects(s, &me, &id, "name", Problem::Empty, |c| {
        c.add_person(person(" ", None))
    });
    rejects(s, &me, &id, "birth_date", Problem::InvalidDate, |c| {
        c.add_person(person("Kid", Some("31/01/2015")))
    });
    s.edit_case(&me, &id, |c| {
        c.update_person(
            &client,
            PersonUpdate {
                contact: Some("jan@example.org".into()),
                birth_date: Some("1979-12-01".into()),
                ..Default::default()
            },
        )
    })
    .unwrap();
    s.edit_case(&me, &id, |c| {
        c.update_person(
            &partner,
            PersonUpdate {
                language: Some("".into()),
                ..Default::default()
            },
        )
    })
    .unwrap();
    let case = s.open_case(&id).unwrap();
    assert_eq!(
        case.people[client.as_str()].contact.as_deref(),
        Some("jan@example.org")
    );
    assert_eq!(case.people[partner.as_str()].language, None, "empty clears");
    assert_eq!(case.people[partner.as_str()].name, "Els Peeters");
    assert_eq!(
        s.list_cases(&CaseFilter::default()).unwrap()[0].birth_year,
        Some(1979)
    );
    assert_eq!(s.search("els", 5).unwrap()[0].field, "name");
    let person_id = &client;
    let update = |u: PersonUpdate| move |c: &mut CaseEditor<'_>| c.update_person(person_id, u);
    rejects(
        s,
        &me,
        &id,
        "name",
        Problem::Empty,
        update(PersonUpdate {
            name: Some("".into()),
            ..Default::default()
        }),
    );
    rejects(
        s,
        &me,
        &id,
        "birth_date",
        Problem::InvalidDate,
        update(PersonUpdate {
            birth_date: Some("1979-13-01".into()),
            ..Default::default()
        }),
    );
    rejects(
        s,
        &me,
        &id,
        "contact",
        Problem::TooLong { max: 200 },
        update(PersonUpdate {
            contact: Some(long(201)),
            ..Default::default()
        }),
    );
    rejects(
        s,
        &me,
        &id,
        "language",
        Problem::TooLong { max: 200 },
        update(PersonUpdate {
            language: Some(long(201)),
            ..Default::default()
        }),
    );
    let nobody = ItemId::random();
    rejects(s, &me, &id, "person", Problem::NotFound, |c| {
        c.update_person(
            &nobody,
            PersonUpdate {
                name: Some("X".into()),
                ..Default::default()
            },
        )
    });

    // Questions.
    let question = s
        .edit_case(&me, &id, |c| {
            c.add_question(NewQuestion {
                theme: " Housing ".into(),
                text: "Huurachterstand".into(),
            })
        })
        .unwrap();
    s.edit_case(&me, &id, |c| {
        c.set_question_status(&question, QuestionStatus::InProgress)
    })
    .unwrap();
    let q = &s.open_case(&id).unwrap().questions[question.as_str()];
    assert_eq!(
        (q.theme.as_str(), q.status),
        ("housing", QuestionStatus::InProgress)
    );
    assert_eq!(q.updated.as_deref(), Some(today().as_str()));
    let ask = |theme: &str, text: &str| NewQuestion {
        theme: theme.into(),
        text: text.into(),
    };
    rejects(s, &me, &id, "theme", Problem::OutOfRange, |c| {
        c.add_question(ask("wonen!", "t"))
    });
    rejects(s, &me, &id, "theme", Problem::TooLong { max: 40 }, |c| {
        c.add_question(ask(&long(41), "t"))
    });
    rejects(s, &me, &id, "theme", Problem::Empty, |c| {
        c.add_question(ask("", "t"))
    });
    rejects(s, &me, &id, "text", Problem::Empty, |c| {
        c.add_question(ask("money", " "))
    });
    rejects(s, &me, &id, "question", Problem::NotFound, |c| {
        c.set_question_status(&nobody, QuestionStatus::Resolved)
    });

    // Journal.
    let call = s
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(NewJournalEntry {
                date: Some(" 2026-03-04T09:05 ".into()),
                kind: ContactKind::Call,
                text: "Gebeld met de verhuurder".into(),
                themes: vec!["Money".into(), "money".into(), "housing".into()],
            })
        })
        .unwrap();
    let note = s
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(NewJournalEntry {
                date: None,
                ..entry("Notitie", "")
            })
        })
        .unwrap();
    let case = s.open_case(&id).unwrap();
    let e = &case.journal[call.as_str()];
    assert_eq!(
        (e.date.as_str(), e.kind, e.author.as_str()),
        ("2026-03-04T09:05", ContactKind::Call, me.member.as_str())
    );
    assert_eq!(e.themes, ["housing", "money"]);
    assert_eq!(case.journal[note.as_str()].date, today());
    assert_eq!(
        s.list_cases(&CaseFilter::default()).unwrap()[0].themes,
        ["housing", "money"]
    );
    assert_eq!(
        s.list_cases(&CaseFilter {
            theme: Some("money".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(s.search("verhuur", 5).unwrap()[0].field, "journal");
    for (date, field) in [
        ("2026-13-01", "date"),
        ("2026-03-04T25:00", "date"),
        ("4 maart", "date"),
    ] {
        rejects(s, &me, &id, field, Problem::InvalidDate, |c| {
            c.add_journal_entry(entry("t", date))
        });
    }
    rejects(s, &me, &id, "text", Problem::Empty, |c| {
        c.add_journal_entry(entry("  ", "2026-01-01"))
    });
    rejects(s, &me, &id, "text", Problem::TooLong { max: 20_000 }, |c| {
        c.add_journal_entry(entry(&long(20_001), "2026-01-01"))
    });
    rejects(s, &me, &id, "themes", Problem::OutOfRange, |c| {
        c.add_journal_entry(NewJournalEntry {
            themes: vec!["bad theme".into()],
            ..entry("t", "2026-01-01")
        })
    });

    // Tasks.
    let task = s
        .edit_case(&me, &id, |c| {
            c.add_task(NewTask {
                title: "Bel OCMW".into(),
                due: Some("2026-04-01".into()),
                assignee: Some(me.member.clone()),
            })
        })
        .unwrap();
    let due = s.tasks_due(Some(me.member.as_str())).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (
            due[0].title.as_str(),
            due[0].client_name.as_str(),
            due[0].task_id.as_str()
        ),
        ("Bel OCMW", "Jan Peeters", task.as_str())
    );
    assert!(
        s.tasks_due(Some(MemberId::random().as_str()))
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.status().unwrap().open_tasks, 1);
    s.edit_case(&me, &id, |c| c.set_task_done(&task, true))
        .unwrap();
    assert!(s.tasks_due(None).unwrap().is_empty());
    assert_eq!(
        s.list_cases(&CaseFilter::default()).unwrap()[0].open_tasks,
        0
    );
    let todo = |title: &str, due: Option<&str>| NewTask {
        title: title.into(),
        due: due.map(str::to_string),
        assignee: None,
    };
    rejects(s, &me, &id, "title", Problem::Empty, |c| {
        c.add_task(todo("", None))
    });
    rejects(s, &me, &id, "due", Problem::InvalidDate, |c| {
        c.add_task(todo("T", Some("morgen")))
    });
    rejects(s, &me, &id, "task", Problem::NotFound, |c| {
        c.set_task_done(&nobody, true)
    });

    // A change that does nothing is no change.
    let before = snapshot(s, Some(&id));
    assert_eq!(s.edit_case(&me, &id, |_| Ok(42)).unwrap(), 42);
    assert_eq!(snapshot(s, Some(&id)), before);
}

#[test]
fn a_failing_step_rolls_back_the_whole_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = super::new_case(&mut store, &me, "Jan Peeters");
    let before = snapshot(&mut store, Some(&id));
    let result = store.edit_case(&me, &id, |c| {
        c.add_journal_entry(entry("Eerste stap lukt", "2026-01-01"))?;
        c.add_task(NewTask {
            title: "".into(),
            due: None,
            assignee: None,
        })
    });
    assert_input(result, "title", Problem::Empty);
    assert_eq!(snapshot(&mut store, Some(&id)), before);
    // The next good edit does not carry the rolled-back entry along.
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Tweede", "2026-01-02"))
        })
        .unwrap();
    drop(store);
    let mut store = open_plain(dir.path());
    let texts: Vec<String> = store
        .open_case(&id)
        .unwrap()
        .journal
        .into_values()
        .map(|e| e.text)
        .collect();
    assert_eq!(texts, ["Tweede"]);
    assert!(store.search("eerste", 5).unwrap().is_empty());
}

#[test]
fn resolving_a_conflict_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = super::new_case(&mut store, &me, "Jan Peeters");
    assert!(store.case_conflicts(&id).unwrap().is_empty());
    let client = store
        .open_case(&id)
        .unwrap()
        .people
        .into_keys()
        .next()
        .unwrap();
    let before = snapshot(&mut store, Some(&id));
    for path in [
        vec![],
        vec!["owner".to_string()],
        vec!["people".into(), client, "name".into()],
        vec!["nope".into(), "x".into()],
    ] {
        assert_input(
            store.resolve_case_conflict(&me, &id, &path, 0),
            "conflict",
            Problem::NotFound,
        );
    }
    assert_eq!(snapshot(&mut store, Some(&id)), before);
}
