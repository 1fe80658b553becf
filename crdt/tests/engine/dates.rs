//! One rule per kind of date (issue 10, defect 3), checked by the engine for every editor
//! method, at the field, with nothing stored on a refusal: birth dates (client, child) and the
//! dates of what has happened (a journal entry, a consent given or withdrawn, an aid decision,
//! closing a case) are not in the future; a withdrawal is not before the consent was given; a
//! task's due date may be any day, past or future. A future journal entry never becomes the
//! case's last activity.

use nabij_crdt::case::{
    HouseholdRole, NewAidDecision, NewConsent, NewPerson, NewTask, PersonUpdate,
};
use nabij_crdt::id::ItemId;
use nabij_crdt::input::{Problem, latest_past_date};
use nabij_crdt::store::CaseFilter;

use super::api::{rejects, today};
use super::{author, entry, new_case, open_plain};

/// The first day of next year (in every time zone), 09/09 five years ahead, and 2099.
fn future() -> [String; 3] {
    let next = latest_past_date().year() + 1;
    [
        format!("{next}-01-01"),
        format!("{}-09-09", next + 4),
        "2099-01-01".into(),
    ]
}

fn consent(date: Option<&str>) -> NewConsent {
    NewConsent {
        what: "Inkomensgegevens".into(),
        to_whom: "CAW".into(),
        purpose: "Schuldbemiddeling".into(),
        legal_basis: "toestemming".into(),
        date: date.map(str::to_string),
        partner_id: None,
    }
}

#[test]
fn a_child_born_in_the_future_is_refused_at_the_birth_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Marie Dubois");
    let child = |born: &str| NewPerson {
        name: "Lena Dubois".into(),
        birth_date: Some(born.into()),
        contact: None,
        language: None,
        role: HouseholdRole::Child,
        address: None,
    };
    for born in future() {
        rejects(&mut store, &me, &id, "birth_date", Problem::InFuture, |c| {
            c.add_person(child(&born))
        });
    }
    let lena = store
        .edit_case(&me, &id, |c| c.add_person(child(&today())))
        .unwrap();
    for born in future() {
        rejects(&mut store, &me, &id, "birth_date", Problem::InFuture, |c| {
            c.update_person(
                &lena,
                PersonUpdate {
                    birth_date: Some(born.clone()),
                    ..Default::default()
                },
            )
        });
    }
    let case = store.open_case(&id).unwrap();
    assert_eq!(
        case.people[lena.as_str()].birth_date.as_deref(),
        Some(today().as_str())
    );
}

#[test]
fn a_journal_entry_in_the_future_is_refused_and_never_the_last_activity() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Marie Dubois");
    for date in future() {
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.add_journal_entry(entry("Huisbezoek gepland", &date))
        });
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.add_journal_entry(entry("Huisbezoek gepland", &format!("{date}T10:00")))
        });
    }
    rejects(&mut store, &me, &id, "date", Problem::InvalidDate, |c| {
        c.add_journal_entry(entry("Huisbezoek", "2026-02-30"))
    });
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Telefoon met de huisbaas", "2025-03-04T09:30"))?;
            c.add_journal_entry(entry("Vandaag langs geweest", &today()))
        })
        .unwrap();
    let listed = store.list_cases(&CaseFilter::default()).unwrap();
    assert_eq!(listed[0].last_activity, today());
    assert!(listed[0].last_activity <= latest_past_date().to_string());
}

#[test]
fn consents_are_given_and_withdrawn_in_the_past_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Marie Dubois");
    for date in future() {
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.record_consent(consent(Some(&date)))
        });
    }
    let given = store
        .edit_case(&me, &id, |c| c.record_consent(consent(Some("2025-06-01"))))
        .unwrap();
    for date in future() {
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.withdraw_consent(&given, Some(&date))
        });
    }
    rejects(&mut store, &me, &id, "date", Problem::BeforeStart, |c| {
        c.withdraw_consent(&given, Some("2025-05-31"))
    });
    store
        .edit_case(&me, &id, |c| c.withdraw_consent(&given, Some("2025-06-01")))
        .unwrap();
    let case = store.open_case(&id).unwrap();
    assert_eq!(
        case.consents[given.as_str()].withdrawn_at.as_deref(),
        Some("2025-06-01")
    );
}

#[test]
fn aid_decisions_and_closing_are_not_in_the_future_and_tasks_may_be() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Marie Dubois");
    for date in future() {
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.record_aid_decision(NewAidDecision {
                envelope: "noodfonds-2026".into(),
                amount_cents: 12_500,
                date: Some(date.clone()),
                reason: "Energiefactuur".into(),
            })
        });
        rejects(&mut store, &me, &id, "date", Problem::InFuture, |c| {
            c.close("Verhuisd", Some(&date))
        });
    }
    // A task may be due on any day: next year, or already past (noted late, overdue at once).
    let [next_year, ..] = future();
    let tasks: Vec<ItemId> = store
        .edit_case(&me, &id, |c| {
            Ok(vec![
                c.add_task(NewTask {
                    title: "Evaluatie".into(),
                    due: Some(next_year.clone()),
                    assignee: None,
                })?,
                c.add_task(NewTask {
                    title: "Huurwaarborg".into(),
                    due: Some("2025-02-03".into()),
                    assignee: None,
                })?,
            ])
        })
        .unwrap();
    // A case may be closed on a day before it was entered here (a file taken over from paper).
    store
        .edit_case(&me, &id, |c| c.close("Verhuisd", Some("2025-01-15")))
        .unwrap();
    let case = store.open_case(&id).unwrap();
    assert_eq!(
        case.tasks[tasks[0].as_str()].due.as_deref(),
        Some(next_year.as_str())
    );
    assert_eq!(case.status.date.as_deref(), Some("2025-01-15"));
}
