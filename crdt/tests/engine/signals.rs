//! What was typed at the front door stays in view (issue 10, defect 2): "Dossier maken" from a
//! signal carries its name, text, theme and urgency into the new case (its first question and a
//! journal entry saying it came from the front door), "Koppelen aan dossier" leaves the same
//! trace in a case held here, and the queue shows the name given. Also the duplicate check
//! before a case is made, over a client index of realistic cases.

use nabij_crdt::case::{ContactKind, QuestionStatus};
use nabij_crdt::date::Date;
use nabij_crdt::id::ItemId;
use nabij_crdt::intake::{IntakeId, IntakeSource, NewIntakeItem, Urgency};
use nabij_crdt::store::Store;
use nabij_crdt::store::profile::Profile;
use nabij_crdt::team::NewMember;

use super::frontdoor::{client, signal, started};
use super::open_plain;

fn register(store: &mut Store, me: &Profile, new: NewIntakeItem) -> ItemId {
    let intake = IntakeId::parse(&me.intake).unwrap();
    store
        .edit_intake(&store.author(me).unwrap(), &intake, |q| q.add_item(new))
        .unwrap()
}

#[test]
fn a_signal_with_a_name_becomes_a_case_that_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let item = signal(&mut store, &me);

    let row = &store
        .intake_queue(Some(nabij_crdt::intake::IntakeStatus::New))
        .unwrap()[0];
    assert_eq!(
        row.name.as_deref(),
        Some("Marie Dubois"),
        "the queue shows the name"
    );
    assert_eq!(row.theme.as_deref(), Some("housing"));
    let registered = row.created_at;

    let id = store
        .case_from_intake(&me, &item, client("Marie Dubois", Some("1958-03-14")))
        .unwrap();
    let case = store.open_case(&id).unwrap();
    assert_eq!(case.client_name(), "Marie Dubois");

    let questions: Vec<_> = case.questions.values().collect();
    assert_eq!(
        questions.len(),
        1,
        "the signal is the case's first question"
    );
    assert_eq!(questions[0].theme, "housing");
    assert_eq!(
        questions[0].text,
        "Buurvrouw heeft al weken geen verwarming"
    );
    assert_eq!(questions[0].status, QuestionStatus::Open);

    let entries: Vec<_> = case.journal.values().collect();
    assert_eq!(entries.len(), 1, "and a journal entry");
    let entry = entries[0];
    assert_eq!(entry.text, "Buurvrouw heeft al weken geen verwarming");
    assert_eq!(entry.kind, ContactKind::Note);
    assert_eq!(entry.themes, vec!["housing".to_string()]);
    assert_eq!(entry.date, Date::of_moment(registered).to_string());
    assert_eq!(entry.author, me.member.to_string());
    let trace = entry
        .intake
        .as_ref()
        .expect("the entry says it came from the front door");
    assert_eq!(trace.item, item.to_string());
    assert_eq!(trace.source, IntakeSource::Citizen);
    assert_eq!(trace.urgency, Urgency::Urgent);
    assert_eq!(trace.name.as_deref(), Some("Marie Dubois"));
    assert_eq!(trace.registered_at, registered);
    assert_eq!(trace.registered_by, me.member.to_string());
    assert!(!trace.linked);

    // The case list and search see it: theme and the signal's text.
    let listed = store.list_cases(&Default::default()).unwrap();
    assert_eq!(listed[0].themes, vec!["housing".to_string()]);
    assert_eq!(
        store.search("verwarming", 5).unwrap()[0].doc_id,
        id.to_string()
    );

    // All of it survives reopening the store.
    drop(store);
    let mut store = open_plain(dir.path());
    store.set_device_key(key).unwrap();
    assert_eq!(store.open_case(&id).unwrap(), case);
    let row = &store.intake_queue(None).unwrap()[0];
    assert_eq!(
        (
            row.status.as_str(),
            row.case_id.as_deref(),
            row.name.as_deref()
        ),
        ("linked", Some(id.as_str()), Some("Marie Dubois"))
    );
}

#[test]
fn a_signal_without_theme_or_name_becomes_a_question_under_other() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = started(dir.path());
    let item = register(
        &mut store,
        &me,
        NewIntakeItem {
            source: IntakeSource::ThePerson,
            text: "Komt langs met een stapel brieven".into(),
            neighbourhood: None,
            urgency: Urgency::Normal,
            name: None,
            theme: None,
        },
    );
    assert_eq!(store.intake_queue(None).unwrap()[0].name, None);
    let id = store
        .case_from_intake(&me, &item, client("Ahmed Benali", None))
        .unwrap();
    let case = store.open_case(&id).unwrap();
    let question = case.questions.values().next().unwrap();
    assert_eq!(
        (question.theme.as_str(), question.text.as_str()),
        ("other", "Komt langs met een stapel brieven")
    );
    let entry = case.journal.values().next().unwrap();
    assert!(entry.themes.is_empty());
    let trace = entry.intake.as_ref().unwrap();
    assert_eq!(
        (trace.source, trace.urgency, trace.name.as_deref()),
        (IntakeSource::ThePerson, Urgency::Normal, None)
    );
}

#[test]
fn linking_a_signal_leaves_a_trace_in_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = started(dir.path());
    let id = store
        .register_case(&me, client("Marie Dubois", Some("1958-03-14")))
        .unwrap();
    let before = store.open_case(&id).unwrap();
    let item = signal(&mut store, &me);
    store.link_intake(&me, &item, &id).unwrap();

    let case = store.open_case(&id).unwrap();
    assert_eq!(case.questions, before.questions, "a link adds no question");
    let entries: Vec<_> = case.journal.values().collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].text, "Buurvrouw heeft al weken geen verwarming");
    let trace = entries[0].intake.as_ref().unwrap();
    assert!(trace.linked, "the entry says the signal was linked");
    assert_eq!(trace.item, item.to_string());
    assert_eq!(
        store.intake_queue(None).unwrap()[0].case_id.as_deref(),
        Some(id.as_str())
    );
    // A second link of the same signal is refused and adds nothing.
    assert!(store.link_intake(&me, &item, &id).is_err());
    assert_eq!(store.open_case(&id).unwrap().journal.len(), 1);
}

#[test]
fn a_signal_linked_on_a_device_without_the_case_shows_with_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = started(dir.path());
    let id = store
        .register_case(&me, client("Marie Dubois", Some("1958-03-14")))
        .unwrap();
    assert!(store.linked_signals(&id).unwrap().is_empty());
    // The front desk, which does not hold the case, links a signal: only the intake queue
    // (shared by the whole team) changes, as it arrives here by sync.
    let elsewhere = signal(&mut store, &me);
    let intake = IntakeId::parse(&me.intake).unwrap();
    store
        .edit_intake(&store.author(&me).unwrap(), &intake, |q| {
            q.link_to_case(&elsewhere, &id)
        })
        .unwrap();
    // A signal linked here is in the journal, and is not listed again.
    let here = signal(&mut store, &me);
    store.link_intake(&me, &here, &id).unwrap();

    let signals = store.linked_signals(&id).unwrap();
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].item_id, elsewhere.to_string());
    assert_eq!(signals[0].name.as_deref(), Some("Marie Dubois"));
    assert_eq!(signals[0].text, "Buurvrouw heeft al weken geen verwarming");
    assert_eq!(store.open_case(&id).unwrap().journal.len(), 1);
}

#[test]
fn the_queue_shows_names_of_a_store_from_before_they_were_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = started(dir.path());
    signal(&mut store, &me);
    drop(store);
    // Take the store back to schema 4, when the queue had no names.
    let raw = rusqlite::Connection::open(dir.path().join("nabij.db")).unwrap();
    raw.execute_batch(
        "ALTER TABLE intake_queue DROP COLUMN name;
         ALTER TABLE intake_queue DROP COLUMN theme;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(raw);
    let store = open_plain(dir.path());
    let row = &store.intake_queue(None).unwrap()[0];
    assert_eq!(
        (row.name.as_deref(), row.theme.as_deref()),
        (Some("Marie Dubois"), Some("housing"))
    );
}

#[test]
fn the_duplicate_check_finds_the_same_name_and_close_spellings_with_who_guides_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = started(dir.path());
    let colleague = store
        .edit_team(&store.author(&me).unwrap(), &me.team, |t| {
            t.add_member(
                NewMember {
                    name: "Bart Claes".into(),
                    role: "maatschappelijk werker".into(),
                    organisation: None,
                },
                false,
            )
        })
        .unwrap();
    // A caseload of realistic names; some close to each other.
    let people = [
        ("Marie Dubois", Some("1958-03-14")),
        ("Marie Dubois", Some("1991-07-02")),
        ("Mohammed El Amrani", Some("1979-11-30")),
        ("Jan De Smet", None),
        ("Ayşe Çelik", Some("1984-05-02")),
        ("Anna Peeters", Some("1958-01-01")),
        ("Marc Dubois", Some("1958-06-06")),
        ("Sofie Janssens", Some("2001-09-09")),
    ];
    let mut ids = Vec::new();
    for (name, born) in people {
        ids.push(store.register_case(&me, client(name, born)).unwrap());
    }
    store.hand_over(&me, &ids[2], &colleague).unwrap();
    for (i, name) in ["Pieter", "Lotte", "Hanne", "Wout", "Lars"]
        .iter()
        .enumerate()
    {
        store
            .register_case(
                &me,
                client(
                    &format!("{name} Vermeulen"),
                    Some(&format!("19{}0-01-01", i + 5)),
                ),
            )
            .unwrap();
    }
    let names = |found: Vec<nabij_crdt::store::ClientMatch>| {
        found
            .into_iter()
            .map(|m| (m.display_name, m.birth_year))
            .collect::<Vec<_>>()
    };

    // The same name and birth year; the namesake born in 1991 is another person.
    let found = store
        .similar_clients("marie dubois", Some(1958), 10)
        .unwrap();
    assert_eq!(
        names(found.clone()),
        vec![("Marie Dubois".to_string(), Some(1958))]
    );
    assert_eq!(found[0].case_id, ids[0].to_string());
    assert_eq!(found[0].owner, me.member.to_string());
    assert!(found[0].held);
    // Without a birth date, both namesakes; "Marc Dubois" is another name.
    assert_eq!(
        names(store.similar_clients("Marie Dubois", None, 10).unwrap()),
        vec![
            ("Marie Dubois".to_string(), Some(1958)),
            ("Marie Dubois".to_string(), Some(1991))
        ]
    );
    // Close spellings: a letter less, the words swapped, accents, spaces.
    let found = store
        .similar_clients("Mohamed El-Amrani", Some(1979), 10)
        .unwrap();
    assert_eq!(
        names(found.clone()),
        vec![("Mohammed El Amrani".to_string(), Some(1979))]
    );
    assert_eq!(
        found[0].owner,
        colleague.to_string(),
        "with who guides them"
    );
    assert_eq!(
        names(store.similar_clients("Celik Ayse", Some(1984), 10).unwrap()),
        vec![("Ayşe Çelik".to_string(), Some(1984))]
    );
    assert_eq!(
        names(store.similar_clients("Jan Desmet", Some(1970), 10).unwrap()),
        vec![("Jan De Smet".to_string(), None)],
        "an entry without a birth year is shown"
    );
    // Nobody close: nothing shown.
    assert!(
        store
            .similar_clients("Karel Wouters", None, 10)
            .unwrap()
            .is_empty()
    );
    assert!(store.similar_clients("  ", None, 10).unwrap().is_empty());
    // The limit holds, the same name first.
    let found = store.similar_clients("Marie Duboi", None, 1).unwrap();
    assert_eq!(found.len(), 1);
}
