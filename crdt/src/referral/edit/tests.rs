use super::*;
use crate::id::MemberId;
use crate::referral::load;

fn author() -> Author {
    Author::generate(MemberId::random())
}

fn basis() -> Basis {
    Basis {
        ground: Ground::SharedSecrecy,
        consent_id: Some(ItemId::random().to_string()),
        consent_date: Some("2026-11-30".into()),
        partner_bound: true,
        unbound_consent: false,
        shared_mission: true,
        reason: None,
    }
}

fn new_referral() -> NewReferral {
    NewReferral {
        case_id: CaseId::random(),
        question_id: ItemId::random(),
        theme: "money".into(),
        partner_id: ItemId::random(),
        partner_name: "CAW Limburg".into(),
        goal: "Budgetbegeleiding opstarten om de energieschuld af te lossen.".into(),
        basis: basis(),
        disclosed: Disclosed {
            name: Some("Marie Dubois".into()),
            phone: Some("0470 12 34 56".into()),
            ..Default::default()
        },
        due: "2026-12-04".into(),
    }
}

fn sent() -> (Author, AutoCommit) {
    let me = author();
    let (_, doc) = create_referral(&me, &TeamId::random(), new_referral()).unwrap();
    (me, doc)
}

fn problem<T: std::fmt::Debug>(result: Result<T, DocError>) -> (&'static str, Problem) {
    match result {
        Err(DocError::Input(e)) => (e.field, e.problem),
        other => panic!("expected an input error, got {other:?}"),
    }
}

const NOT_NOW: (&str, Problem) = ("status", Problem::NotAllowedNow);
const NOT_YOURS: (&str, Problem) = ("side", Problem::NotAllowedNow);

fn status(doc: &AutoCommit) -> Status {
    load(doc).unwrap().progress().status
}

#[test]
fn a_new_referral_holds_what_was_sent_and_nothing_more() {
    let (me, doc) = sent();
    let referral = load(&doc).unwrap();
    assert_eq!(referral.progress().status, Status::Sent);
    assert_eq!(referral.sent_by, me.member.as_str());
    assert_eq!(referral.sent_from, me.device().to_string());
    assert_eq!(referral.disclosed.name.as_deref(), Some("Marie Dubois"));
    assert_eq!(referral.disclosed.birth_date, None);
    assert_eq!(referral.disclosed.address, None);
    assert!(referral.disclosed.journal.is_empty());
    assert!(referral.steps.is_empty());
    let team = TeamId::random();
    for (bad, field, problem_) in [
        (
            NewReferral {
                goal: " ".into(),
                ..new_referral()
            },
            "goal",
            Problem::Empty,
        ),
        (
            NewReferral {
                goal: "x".repeat(MAX_GOAL + 1),
                ..new_referral()
            },
            "goal",
            Problem::TooLong { max: MAX_GOAL },
        ),
        (
            NewReferral {
                disclosed: Disclosed::default(),
                ..new_referral()
            },
            "disclose",
            Problem::Empty,
        ),
        (
            NewReferral {
                basis: Basis {
                    ground: Ground::Necessity,
                    reason: None,
                    ..basis()
                },
                ..new_referral()
            },
            "reason",
            Problem::Empty,
        ),
        (
            NewReferral {
                due: "2026-02-30".into(),
                ..new_referral()
            },
            "due",
            Problem::InvalidDate,
        ),
    ] {
        assert_eq!(problem(create_referral(&me, &team, bad)), (field, problem_));
    }
}

#[test]
fn the_warm_handover_in_order() {
    let (_, mut doc) = sent();
    let bram = author();
    let mut ed = ReferralEditor::new(&mut doc, &bram, Side::Partner, true);
    assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
    assert!(ed.mark_received().unwrap());
    assert!(!ed.mark_received().unwrap(), "received once");
    assert_eq!(
        problem(ed.plan(NewAppointment::default())),
        ("date", Problem::InvalidDate)
    );
    ed.accept().unwrap();
    assert_eq!(problem(ed.accept()), NOT_NOW);
    assert_eq!(problem(ed.decline("te laat")), NOT_NOW);
    let appointment = |time: &str, place: &str| NewAppointment {
        date: "2026-12-08".into(),
        time: time.into(),
        place: place.into(),
        accompanied: true,
    };
    assert_eq!(
        problem(ed.plan(appointment("25:00", "CAW"))),
        ("time", Problem::InvalidDate)
    );
    assert_eq!(
        problem(ed.plan(appointment("", "CAW"))),
        ("time", Problem::Empty)
    );
    assert_eq!(
        problem(ed.plan(appointment("9:30", " "))),
        ("place", Problem::Empty)
    );
    ed.plan(appointment("9:30", "CAW, Kerkstraat 5")).unwrap();
    ed.plan(appointment("14:00", "CAW, Kerkstraat 5")).unwrap();
    ed.confirm_first_contact().unwrap();
    assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
    assert_eq!(problem(ed.withdraw("niet meer nodig")), NOT_YOURS);
    ed.close(Outcome::Helped).unwrap();
    assert_eq!(problem(ed.close(Outcome::Helped)), NOT_NOW);

    let referral = load(&doc).unwrap();
    let progress = referral.progress();
    assert_eq!(progress.status, Status::Closed);
    assert_eq!(progress.outcome, Some(Outcome::Helped));
    let appointment = progress.appointment.unwrap();
    assert_eq!(
        (appointment.time.as_str(), appointment.accompanied),
        ("14:00", true)
    );
    let kinds: Vec<_> = progress.timeline.iter().map(|(_, s, _)| s.kind).collect();
    use StepKind::*;
    assert_eq!(
        kinds,
        [
            Received,
            Accepted,
            Appointment,
            Appointment,
            FirstContact,
            Closed
        ]
    );
    assert!(progress.timeline.iter().all(|(_, s, counted)| *counted
        && s.by == bram.member.as_str()
        && s.device == bram.device().to_string()
        && !s.by_hand));
    assert!(progress.received_at.is_some() && progress.first_contact_at.is_some());
}

#[test]
fn each_side_takes_only_its_own_steps() {
    let (me, mut doc) = sent();
    // The partner works in Nabij: the sender takes none of its steps.
    let mut ed = ReferralEditor::new(&mut doc, &me, Side::Sender, true);
    assert!(
        !ed.mark_received().unwrap(),
        "the sender's opening is no receipt"
    );
    assert_eq!(problem(ed.accept()), NOT_YOURS);
    assert_eq!(problem(ed.decline("vol")), NOT_YOURS);
    assert_eq!(status(&doc), Status::Sent);
    // A partner outside Nabij: the sender records its answer by hand, as it is phoned in.
    let mut ed = ReferralEditor::new(&mut doc, &me, Side::Sender, false);
    ed.accept().unwrap();
    let referral = load(&doc).unwrap();
    let (_, step, _) = referral.progress().timeline[0];
    assert!(step.by_hand);
    assert_eq!(step.by, me.member.as_str());
    // The partner cannot withdraw; the sender can, with a reason.
    let bram = author();
    let mut partner = ReferralEditor::new(&mut doc, &bram, Side::Partner, false);
    assert_eq!(problem(partner.withdraw("x")), NOT_YOURS);
    let mut ed = ReferralEditor::new(&mut doc, &me, Side::Sender, false);
    assert_eq!(problem(ed.withdraw(" ")), ("reason", Problem::Empty));
    ed.withdraw("De cliënt verhuist").unwrap();
    assert_eq!(problem(ed.close(Outcome::NoLongerNeeded)), NOT_NOW);
    assert_eq!(status(&doc), Status::Withdrawn);
}

#[test]
fn a_declined_referral_is_ended_with_its_reason() {
    let (_, mut doc) = sent();
    let bram = author();
    let mut ed = ReferralEditor::new(&mut doc, &bram, Side::Partner, true);
    assert_eq!(problem(ed.decline("")), ("reason", Problem::Empty));
    assert_eq!(status(&doc), Status::Sent, "nothing changed");
    let mut ed = ReferralEditor::new(&mut doc, &bram, Side::Partner, true);
    ed.decline("Geen plaats tot maart").unwrap();
    assert_eq!(problem(ed.accept()), NOT_NOW);
    assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
    let referral = load(&doc).unwrap();
    let progress = referral.progress();
    assert_eq!(progress.status, Status::Declined);
    assert!(!progress.status.is_open());
    assert_eq!(
        progress.timeline[0].1.reason.as_deref(),
        Some("Geen plaats tot maart")
    );
}

#[test]
fn steps_taken_on_two_devices_offline_merge_into_one_status() {
    let (_, mut doc) = sent();
    let bram = author();
    let lies = author();
    let mut a = doc.fork();
    let mut b = doc.fork();
    // Bram accepts on his laptop; Lies, his colleague, declines on hers, both offline.
    {
        bram.begin(&mut a);
        ReferralEditor::new(&mut a, &bram, Side::Partner, true)
            .accept()
            .unwrap();
        bram.commit(&mut a);
        lies.begin(&mut b);
        let mut ed = ReferralEditor::new(&mut b, &lies, Side::Partner, true);
        ed.decline("Buiten ons werkgebied").unwrap();
        ed.add_message("Bel ons gerust.").unwrap();
        lies.commit(&mut b);
    }
    let mut ab = a.fork();
    ab.merge(&mut b).unwrap();
    let mut ba = b.fork();
    ba.merge(&mut a).unwrap();
    let (x, y) = (load(&ab).unwrap(), load(&ba).unwrap());
    assert_eq!(x, y, "both devices hold the same referral");
    let (px, py) = (x.progress(), y.progress());
    assert_eq!(px.status, py.status);
    assert!(matches!(px.status, Status::Accepted | Status::Declined));
    // Both steps are kept and shown; exactly one counted.
    assert_eq!(px.timeline.len(), 2);
    assert_eq!(
        px.timeline
            .iter()
            .filter(|(_, _, counted)| *counted)
            .count(),
        1
    );
    assert_eq!(x.conversation().len(), 1);
    assert!(x.conversation()[0].1.from_partner);
}

#[test]
fn messages_go_both_ways_and_say_from_which_side() {
    let (me, mut doc) = sent();
    let bram = author();
    ReferralEditor::new(&mut doc, &me, Side::Sender, true)
        .add_message("Kan zij dinsdag langskomen?")
        .unwrap();
    let mut partner = ReferralEditor::new(&mut doc, &bram, Side::Partner, true);
    assert_eq!(problem(partner.add_message("  ")), ("text", Problem::Empty));
    partner.add_message("Dinsdag 10u past.").unwrap();
    let referral = load(&doc).unwrap();
    let conversation = referral.conversation();
    assert_eq!(conversation.len(), 2);
    let from_partner: Vec<bool> = conversation.iter().map(|(_, m)| m.from_partner).collect();
    assert_eq!(from_partner.iter().filter(|p| **p).count(), 1);
    assert!(referral.updated_at() >= referral.sent_at);
}
