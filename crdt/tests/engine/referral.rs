//! Referrals through the `Store` API (issue 11): the shared-secrecy gate (every condition, good
//! and bad, nothing stored on a refusal), what a referral carries (only what was ticked), the
//! warm handover from the sender's device to a partner worker's and back, concurrent steps on
//! two devices converging to one status, a forged step refused on receipt, and who receives a
//! referral over real iroh connections (the partner's member gets it and never the case; a
//! colleague outside case and partner gets nothing).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ObjType, ReadDoc, Value};
use nabij_crdt::author::Author;
use nabij_crdt::case::{NewCase, NewConsent, NewQuestion};
use nabij_crdt::date::Date;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, ItemId, MemberId, ReferralId};
use nabij_crdt::input::Problem;
use nabij_crdt::referral::{
    ConsentChoice, Disclose, Ground, NewAppointment, Outcome, ReferralEditor, ReferralRequest,
    Side, Status,
};
use nabij_crdt::store::profile::Profile;
use nabij_crdt::store::{Inbox, SignedDocument, Store, StoreError};
use nabij_crdt::team::{NewMember, NewPartner};

use super::transport::{addr_of, config, team};
use super::{assert_input, entry, open_plain, snapshot};

/// Sara's office: her store, her profile, the case of Marie Dubois with a budget question, and
/// the team's partners (the CAW, bound by secrecy, with Bram as its member; a volunteers'
/// association that is not).
struct Office {
    _dir: tempfile::TempDir,
    store: Store,
    sara: Profile,
    case: CaseId,
    question: ItemId,
    caw: ItemId,
    volunteers: ItemId,
    bram: MemberId,
}

fn partner(name: &str, bound: bool) -> NewPartner {
    NewPartner {
        name: name.into(),
        services: vec!["budgetbegeleiding".into()],
        themes: vec!["money".into()],
        address: Some("Kerkstraat 5, 9000 Gent".into()),
        phone: Some("09 123 45 67".into()),
        opening_hours: None,
        bound_by_secrecy: bound,
        ..NewPartner::default()
    }
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    store.set_device_key(iroh::SecretKey::generate()).unwrap();
    let sara = store
        .start_team(
            "Sociaal Huis Noord",
            NewMember {
                name: "Sara Claes".into(),
                role: "maatschappelijk assistent".into(),
                organisation: Some("OCMW".into()),
            },
        )
        .unwrap();
    let author = store.author(&sara).unwrap();
    let (caw, volunteers, bram) = store
        .edit_team(&author, &sara.team, |t| {
            let caw = t.add_partner(partner("CAW Oost-Vlaanderen", true))?;
            let volunteers = t.add_partner(partner("Buurtwerk vzw", false))?;
            let bram = t.add_member(
                NewMember {
                    name: "Bram Wouters".into(),
                    role: "hulpverlener".into(),
                    organisation: None,
                },
                false,
            )?;
            t.set_member_partner(&bram, Some(&caw))?;
            Ok((caw, volunteers, bram))
        })
        .unwrap();
    let case = store
        .register_case(
            &sara,
            NewCase {
                client_name: "Marie Dubois".into(),
                birth_date: Some("1958-03-14".into()),
                contact: Some("0470 12 34 56".into()),
                language: Some("Frans".into()),
                address: Some("Vennestraat 12, 9000 Gent".into()),
                owner: None,
            },
        )
        .unwrap();
    let question = store
        .edit_case_as(&sara, &case, |c| {
            c.add_journal_entry(entry("Schulden bij de energieleverancier", "2026-11-20"))?;
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Ik kan mijn facturen niet meer betalen.".into(),
            })
        })
        .unwrap();
    Office {
        _dir: dir,
        store,
        sara,
        case,
        question,
        caw,
        volunteers,
        bram,
    }
}

/// Sara's request: to the CAW, with consent given in the dialog, name, phone and the question.
fn request(o: &Office) -> ReferralRequest {
    ReferralRequest {
        case_id: o.case.clone(),
        question_id: o.question.clone(),
        partner_id: o.caw.clone(),
        goal: "Budgetbegeleiding om de energieschuld af te lossen.".into(),
        ground: Ground::SharedSecrecy,
        consent: ConsentChoice::New {
            what: "naam, telefoon en de vraag".into(),
            date: None,
        },
        unbound_consent: false,
        shared_mission: true,
        reason: None,
        disclose: Disclose {
            name: true,
            phone: true,
            question: true,
            ..Default::default()
        },
    }
}

/// Every string a document holds, anywhere in it (keys too).
fn strings(doc: &AutoCommit) -> Vec<String> {
    fn walk(doc: &AutoCommit, obj: &automerge::ObjId, out: &mut Vec<String>) {
        let values: Vec<(Value<'_>, automerge::ObjId)> = match doc.object_type(obj) {
            Ok(ObjType::Map) | Ok(ObjType::Table) => doc
                .keys(obj)
                .filter_map(|key| {
                    out.push(key.clone());
                    doc.get(obj, key.as_str()).unwrap()
                })
                .collect(),
            Ok(ObjType::List) => (0..doc.length(obj))
                .filter_map(|i| doc.get(obj, i).unwrap())
                .collect(),
            Ok(ObjType::Text) => {
                out.push(doc.text(obj).unwrap());
                Vec::new()
            }
            Err(_) => Vec::new(),
        };
        for (value, id) in values {
            match value {
                Value::Object(_) => walk(doc, &id, out),
                Value::Scalar(s) => {
                    if let Some(s) = s.as_str() {
                        out.push(s.to_string());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(doc, &automerge::ROOT, &mut out);
    out
}

fn referral_doc(store: &mut Store, id: &ReferralId) -> AutoCommit {
    let bytes = store
        .export_document(DocKind::Referral, id.as_str())
        .unwrap();
    AutoCommit::load(&bytes.bytes).unwrap()
}

/// Referral `id` as `store` holds it, with one more change written by `author` through
/// `edit` on `side`, signed by `author`'s device key.
fn forged(
    store: &mut Store,
    id: &ReferralId,
    author: &Author,
    side: Side,
    edit: impl FnOnce(&mut ReferralEditor<'_>),
) -> SignedDocument {
    let mut signed = store
        .export_document(DocKind::Referral, id.as_str())
        .unwrap();
    let mut doc = AutoCommit::load(&signed.bytes).unwrap();
    let before = doc.get_heads();
    author.begin(&mut doc);
    edit(&mut ReferralEditor::new(&mut doc, author, side, true));
    author.commit(&mut doc);
    signed
        .signatures
        .extend(author.sign_since(&mut doc, &before).unwrap());
    signed.bytes = doc.save();
    signed
}

#[test]
fn a_referral_carries_only_what_was_ticked_and_records_its_basis() {
    let mut o = office();
    let id = o.store.send_referral(&o.sara, request(&o)).unwrap();
    let referral = o.store.open_referral(&id).unwrap();
    let d = &referral.disclosed;
    assert_eq!(d.name.as_deref(), Some("Marie Dubois"));
    assert_eq!(d.phone.as_deref(), Some("0470 12 34 56"));
    assert_eq!(
        d.question.as_deref(),
        Some("Ik kan mijn facturen niet meer betalen.")
    );
    assert_eq!(
        (&d.birth_date, &d.address, &d.language),
        (&None, &None, &None)
    );
    assert!(d.journal.is_empty() && d.summary.is_none());
    // Nothing unticked is anywhere in the document, not only in the fields it hydrates to.
    let all = strings(&referral_doc(&mut o.store, &id));
    for unticked in [
        "1958-03-14",
        "Vennestraat 12, 9000 Gent",
        "Frans",
        "Schulden bij de energieleverancier",
    ] {
        assert!(
            !all.iter().any(|s| s.contains(unticked)),
            "{unticked} left the case"
        );
    }
    // The basis: the consent made in the dialog is on the case, for this partner.
    let basis = &referral.basis;
    assert_eq!(basis.ground, Ground::SharedSecrecy);
    assert!(basis.partner_bound && basis.shared_mission && !basis.unbound_consent);
    let case = o.store.open_case(&o.case).unwrap();
    let consent = &case.consents[basis.consent_id.as_deref().unwrap()];
    assert_eq!(consent.partner_id.as_deref(), Some(o.caw.as_str()));
    assert_eq!(consent.to_whom, "CAW Oost-Vlaanderen");
    // Who, to whom, when, and the deadline two working days on.
    assert_eq!(referral.sent_by, o.sara.member.to_string());
    assert_eq!(referral.partner_name, "CAW Oost-Vlaanderen");
    assert_eq!(referral.due, Date::today().add_working_days(2).to_string());
    let rows = o.store.case_referrals(&o.case).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].status,
            rows[0].exception,
            rows[0].client_name.as_deref()
        ),
        (Status::Sent, false, Some("Marie Dubois"))
    );
}

#[test]
fn each_gate_condition_refuses_by_name_and_nothing_is_stored() {
    let mut o = office();
    // A consent on the case for another organisation, and one withdrawn.
    let (other, withdrawn) = o
        .store
        .edit_case_as(&o.sara, &o.case, |c| {
            let consent = |to: &str| NewConsent {
                what: "alles".into(),
                to_whom: to.into(),
                purpose: "hulp".into(),
                legal_basis: "toestemming".into(),
                date: Some("2026-11-01".into()),
                partner_id: None,
            };
            let other = c.record_consent(consent("Huurdersbond"))?;
            let withdrawn = c.record_consent(consent("CAW Oost-Vlaanderen"))?;
            c.withdraw_consent(&withdrawn, None)?;
            Ok((other, withdrawn))
        })
        .unwrap();
    // Two days on: "not after today" allows the next day while it is already today in UTC+14.
    let later = Date::today().add_days(2).to_string();
    type Bend = Box<dyn Fn(&mut ReferralRequest)>;
    let cases: Vec<(Bend, &str, Problem)> = vec![
        (
            Box::new(|r| r.consent = ConsentChoice::None),
            "consent",
            Problem::Empty,
        ),
        (
            Box::new(move |r| r.consent = ConsentChoice::Existing(other.clone())),
            "consent",
            Problem::OutOfRange,
        ),
        (
            Box::new(move |r| r.consent = ConsentChoice::Existing(withdrawn.clone())),
            "consent",
            Problem::NotAllowedNow,
        ),
        (
            Box::new(|r| r.consent = ConsentChoice::Existing(ItemId::random())),
            "consent",
            Problem::NotFound,
        ),
        (
            Box::new(move |r| {
                r.consent = ConsentChoice::New {
                    what: "naam".into(),
                    date: Some(later.clone()),
                }
            }),
            "consent_date",
            Problem::InFuture,
        ),
        (
            Box::new(|r| {
                r.consent = ConsentChoice::New {
                    what: " ".into(),
                    date: None,
                }
            }),
            "consent_what",
            Problem::Empty,
        ),
        (Box::new(|r| r.goal = "  ".into()), "goal", Problem::Empty),
        (
            Box::new(|r| r.goal = "x".repeat(301)),
            "goal",
            Problem::TooLong { max: 300 },
        ),
        (
            Box::new(|r| r.disclose = Disclose::default()),
            "disclose",
            Problem::Empty,
        ),
        (
            Box::new(|r| r.disclose.journal = vec![ItemId::random()]),
            "disclose_journal",
            Problem::NotFound,
        ),
        (
            Box::new(|r| r.disclose.summary = Some("x".repeat(2001))),
            "summary",
            Problem::TooLong { max: 2000 },
        ),
        (
            Box::new(|r| r.shared_mission = false),
            "shared_mission",
            Problem::Unconfirmed,
        ),
        (
            Box::new(|r| r.partner_id = ItemId::random()),
            "partner",
            Problem::NotFound,
        ),
        (
            Box::new(|r| r.question_id = ItemId::random()),
            "question",
            Problem::NotFound,
        ),
        (
            Box::new(|r| r.ground = Ground::Necessity),
            "reason",
            Problem::Empty,
        ),
    ];
    // Not bound by secrecy: only with the client's explicit consent to exactly that.
    let volunteers = o.volunteers.clone();
    let mut all = cases;
    all.push((
        Box::new(move |r| r.partner_id = volunteers.clone()),
        "unbound_consent",
        Problem::Unconfirmed,
    ));
    let before = snapshot(&mut o.store, Some(&o.case));
    for (bend, field, problem) in all {
        let mut r = request(&o);
        bend(&mut r);
        assert_input(o.store.send_referral(&o.sara, r), field, problem);
        assert_eq!(snapshot(&mut o.store, Some(&o.case)), before, "{field}");
    }
    assert!(o.store.document_ids(DocKind::Referral).unwrap().is_empty());

    // A ticked field the case does not hold is refused too (a case without an address).
    let bare = o
        .store
        .register_case(
            &o.sara,
            NewCase {
                client_name: "Jan De Smet".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let q = o
        .store
        .edit_case_as(&o.sara, &bare, |c| {
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Hulp bij mijn budget".into(),
            })
        })
        .unwrap();
    let mut r = request(&o);
    r.case_id = bare;
    r.question_id = q;
    r.disclose = Disclose {
        name: true,
        address: true,
        ..Default::default()
    };
    assert_input(
        o.store.send_referral(&o.sara, r),
        "disclose_address",
        Problem::Empty,
    );

    // The good ones pass: with explicit consent to an unbound partner, and the exception with
    // its basis and reason (no consent needed, marked as such).
    let mut r = request(&o);
    r.partner_id = o.volunteers.clone();
    r.unbound_consent = true;
    o.store.send_referral(&o.sara, r).unwrap();
    let mut r = request(&o);
    r.ground = Ground::CaseConference;
    r.consent = ConsentChoice::None;
    r.shared_mission = false;
    r.reason = Some("Casusoverleg 458ter over acuut gevaar".into());
    let id = o.store.send_referral(&o.sara, r).unwrap();
    let exception = o.store.open_referral(&id).unwrap();
    assert_eq!(exception.basis.ground, Ground::CaseConference);
    assert_eq!(
        exception.basis.reason.as_deref(),
        Some("Casusoverleg 458ter over acuut gevaar")
    );
    let rows = o.store.case_referrals(&o.case).unwrap();
    assert_eq!(rows.iter().filter(|r| r.exception).count(), 1);
}

/// Bram's laptop: his own store, holding the team document and his profile.
fn brams_laptop(o: &mut Office) -> (tempfile::TempDir, Store, Profile) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let key = iroh::SecretKey::generate();
    store.set_device_key(key.clone()).unwrap();
    let device = nabij_crdt::transport::key::device_of(&key);
    let bram = o.bram.clone();
    let author = o.store.author(&o.sara).unwrap();
    o.store
        .edit_team(&author, &o.sara.team, |t| t.add_device(&bram, &device))
        .unwrap();
    let team = o
        .store
        .export_document(DocKind::Team, o.sara.team.as_str())
        .unwrap();
    store
        .merge_document(DocKind::Team, o.sara.team.as_str(), &team)
        .unwrap();
    let profile = Profile {
        member: o.bram.clone(),
        device,
        team: o.sara.team.clone(),
        intake: o.sara.intake.clone(),
    };
    store.set_profile(&profile).unwrap();
    (dir, store, profile)
}

/// Copy referral `id` from one store to another.
fn pass(from: &mut Store, to: &mut Store, id: &ReferralId) -> Result<bool, StoreError> {
    let bytes = from
        .export_document(DocKind::Referral, id.as_str())
        .unwrap();
    to.merge_document(DocKind::Referral, id.as_str(), &bytes)
}

#[test]
fn the_warm_handover_goes_from_the_sender_to_the_partner_and_back() {
    let mut o = office();
    let (_dir, mut laptop, bram) = brams_laptop(&mut o);
    let id = o.store.send_referral(&o.sara, request(&o)).unwrap();
    assert!(pass(&mut o.store, &mut laptop, &id).unwrap());
    // Bram's store has the referral, never the case.
    assert!(laptop.document_ids(DocKind::Case).unwrap().is_empty());
    let received = laptop
        .referral_inbox(bram.member.as_str(), Inbox::Received, Date::today())
        .unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].client_name.as_deref(), Some("Marie Dubois"));
    // Sara cannot take the partner's steps for a partner that works in Nabij.
    assert_input(
        o.store.step_referral(&o.sara, &id, |r| r.accept()),
        "side",
        Problem::NotAllowedNow,
    );
    // Bram's first opening marks it received; he accepts, plans and confirms.
    let (_, side) = laptop.open_referral_as(&bram, &id).unwrap();
    assert_eq!(side, Side::Partner);
    assert_input(
        laptop.step_referral(&bram, &id, |r| r.decline(" ")),
        "reason",
        Problem::Empty,
    );
    laptop.step_referral(&bram, &id, |r| r.accept()).unwrap();
    laptop
        .step_referral(&bram, &id, |r| {
            r.plan(NewAppointment {
                date: Date::today().add_days(3).to_string(),
                time: "09:30".into(),
                place: "CAW, Kerkstraat 5".into(),
                accompanied: true,
            })
        })
        .unwrap();
    laptop
        .step_referral(&bram, &id, |r| {
            r.add_message("Mevrouw Dubois komt dinsdag langs.")
        })
        .unwrap();
    assert!(pass(&mut laptop, &mut o.store, &id).unwrap());
    let row = &o.store.case_referrals(&o.case).unwrap()[0];
    assert_eq!(row.status, Status::Planned);
    assert!(row.received_at.is_some() && row.accepted_at.is_some());
    let on_saras = o.store.open_referral(&id).unwrap();
    let appointment = on_saras.progress().appointment.cloned().unwrap();
    assert_eq!(
        (appointment.time.as_str(), appointment.accompanied),
        ("09:30", true)
    );
    assert_eq!(on_saras.conversation().len(), 1);
    // Sara answers; Bram confirms the first contact and closes: both see the same.
    o.store
        .step_referral(&o.sara, &id, |r| r.add_message("Dank je, ik ga mee."))
        .unwrap();
    pass(&mut o.store, &mut laptop, &id).unwrap();
    laptop
        .step_referral(&bram, &id, |r| r.confirm_first_contact())
        .unwrap();
    laptop
        .step_referral(&bram, &id, |r| r.close(Outcome::Helped))
        .unwrap();
    pass(&mut laptop, &mut o.store, &id).unwrap();
    let (saras, brams) = (
        o.store.case_referrals(&o.case).unwrap().remove(0),
        laptop
            .referral_inbox(bram.member.as_str(), Inbox::Received, Date::today())
            .unwrap()
            .remove(0),
    );
    assert_eq!(saras.status, Status::Closed);
    assert_eq!(saras, brams);
    // The query tables rebuilt from the documents equal those kept incrementally, on both.
    for store in [&mut o.store, &mut laptop] {
        let kept = store.dump_query_tables().unwrap();
        store.rebuild().unwrap();
        assert_eq!(store.dump_query_tables().unwrap(), kept);
    }
    let figures = o.store.partner_figures().unwrap();
    let caw = &figures[o.caw.as_str()];
    assert_eq!((caw.sent, caw.accepted_share), (1, Some(1.0)));
    assert!(caw.median_days_to_first_contact.is_some_and(|d| d < 1.0));
}

#[test]
fn a_late_first_contact_is_overdue_for_the_sender_and_the_partner() {
    let mut o = office();
    let (_dir, mut laptop, bram) = brams_laptop(&mut o);
    let id = o.store.send_referral(&o.sara, request(&o)).unwrap();
    pass(&mut o.store, &mut laptop, &id).unwrap();
    let due = Date::parse(&o.store.open_referral(&id).unwrap().due).unwrap();
    let sara = o.sara.member.to_string();
    for (store, member) in [(&o.store, sara.as_str()), (&laptop, bram.member.as_str())] {
        assert!(
            store
                .referral_inbox(member, Inbox::Overdue, due)
                .unwrap()
                .is_empty()
        );
        let late = store
            .referral_inbox(member, Inbox::Overdue, due.add_days(1))
            .unwrap();
        assert_eq!(late.len(), 1, "{member}");
    }
    // Once the first contact is confirmed it is no longer overdue.
    laptop.step_referral(&bram, &id, |r| r.accept()).unwrap();
    laptop
        .step_referral(&bram, &id, |r| r.confirm_first_contact())
        .unwrap();
    assert!(
        laptop
            .referral_inbox(bram.member.as_str(), Inbox::Overdue, due.add_days(5))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn steps_taken_on_two_devices_offline_converge_to_one_status() {
    let mut o = office();
    let (_dir, mut laptop, bram) = brams_laptop(&mut o);
    let id = o.store.send_referral(&o.sara, request(&o)).unwrap();
    pass(&mut o.store, &mut laptop, &id).unwrap();
    // Offline, each on their side: Bram accepts; Sara withdraws.
    laptop.step_referral(&bram, &id, |r| r.accept()).unwrap();
    o.store
        .step_referral(&o.sara, &id, |r| r.withdraw("Mevrouw vond zelf hulp"))
        .unwrap();
    pass(&mut laptop, &mut o.store, &id).unwrap();
    pass(&mut o.store, &mut laptop, &id).unwrap();
    let saras = o.store.case_referrals(&o.case).unwrap().remove(0);
    let brams = laptop
        .referral_inbox(bram.member.as_str(), Inbox::Received, Date::today())
        .unwrap()
        .remove(0);
    assert_eq!(saras, brams);
    assert!(matches!(saras.status, Status::Withdrawn | Status::Accepted));
    let (a, b) = (
        o.store.open_referral(&id).unwrap(),
        laptop.open_referral(&id).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(a.progress().timeline.len(), 2, "both steps are kept");
}

#[test]
fn a_step_that_names_someone_else_is_refused_on_receipt() {
    let mut o = office();
    let (_dir, mut laptop, bram) = brams_laptop(&mut o);
    let id = o.store.send_referral(&o.sara, request(&o)).unwrap();
    pass(&mut o.store, &mut laptop, &id).unwrap();
    let before = snapshot(&mut o.store, Some(&o.case));
    let heads = o.store.document_heads(id.as_str()).unwrap();
    // Bram's device writes a withdrawal in Sara's name (its own key, her member id).
    let key = laptop.device_key().unwrap().clone();
    let forger = Author::new(o.sara.member.clone(), key);
    let doc = forged(&mut laptop, &id, &forger, Side::Sender, |r| {
        r.withdraw("vervalst").unwrap();
    });
    let refused = o.store.merge_document(DocKind::Referral, id.as_str(), &doc);
    assert!(
        matches!(refused, Err(StoreError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(o.store.document_heads(id.as_str()).unwrap(), heads);
    assert_eq!(snapshot(&mut o.store, Some(&o.case)), before);
    // Bram may not take a sender's step either, even in his own name.
    let own = laptop.author(&bram).unwrap();
    let doc = forged(&mut laptop, &id, &own, Side::Sender, |r| {
        r.withdraw("niet mijn stap").unwrap();
    });
    let refused = o.store.merge_document(DocKind::Referral, id.as_str(), &doc);
    assert!(
        matches!(refused, Err(StoreError::Refused { .. })),
        "{refused:?}"
    );
    // Nor a step the partner takes without being a member of it... his own accept passes.
    let doc = forged(&mut laptop, &id, &own, Side::Partner, |r| {
        r.accept().unwrap();
    });
    assert!(
        o.store
            .merge_document(DocKind::Referral, id.as_str(), &doc)
            .unwrap()
    );
    assert_eq!(
        o.store.case_referrals(&o.case).unwrap()[0].status,
        Status::Accepted
    );
}

/// Over real iroh connections on loopback: A (the sender) refers a case to the partner B works
/// for; B's device receives the referral and not the case; C, a colleague on neither, receives
/// neither. Witness for C: a case A shares with C arrives after the referral was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_reaches_the_partners_members_and_no_one_else() {
    let (devices, _, _, team) = team(3);
    let (a, b, c) = (&devices[0], &devices[1], &devices[2]);
    let mut store_a = open_plain(a.dir.path());
    let profile = Profile {
        member: a.who.member.clone(),
        device: nabij_crdt::transport::key::device_of(&a.key),
        team: team.clone(),
        intake: String::new(),
    };
    store_a.set_profile(&profile).unwrap();
    store_a.set_device_key(a.key.clone()).unwrap();
    let member_b = b.who.member.clone();
    let caw = store_a
        .edit_team(&a.who, &team, |t| {
            let caw = t.add_partner(partner("CAW Oost-Vlaanderen", true))?;
            t.set_member_partner(&member_b, Some(&caw))?;
            Ok(caw)
        })
        .unwrap();
    let case = store_a
        .create_case(
            &a.who,
            &team,
            NewCase {
                client_name: "Marie Dubois".into(),
                contact: Some("0470 12 34 56".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let question = store_a
        .edit_case(&a.who, &case, |c| {
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Facturen".into(),
            })
        })
        .unwrap();
    let referral = store_a
        .send_referral(
            &profile,
            ReferralRequest {
                case_id: case.clone(),
                question_id: question,
                partner_id: caw,
                goal: "Budgetbegeleiding".into(),
                ground: Ground::SharedSecrecy,
                consent: ConsentChoice::New {
                    what: "naam en telefoon".into(),
                    date: None,
                },
                unbound_consent: false,
                shared_mission: true,
                reason: None,
                disclose: Disclose {
                    name: true,
                    phone: true,
                    ..Default::default()
                },
            },
        )
        .unwrap();
    let witness = super::transport::shared_case(&mut store_a, &a.who, &team, &c.who);
    let start = |store: Store, key: iroh::SecretKey| async move {
        nabij_crdt::transport::Node::start(store, config(&key, vec![], BTreeSet::new()))
            .await
            .unwrap()
    };
    let node_a = start(store_a, a.key.clone()).await;
    let node_b = start(open_plain(b.dir.path()), b.key.clone()).await;
    let node_c = start(open_plain(c.dir.path()), c.key.clone()).await;
    node_b.add_peer(addr_of(&node_a)).unwrap();
    node_c.add_peer(addr_of(&node_a)).unwrap();
    node_c.add_peer(addr_of(&node_b)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let b_has = held(&node_b, DocKind::Referral)
            .await
            .contains(&referral.to_string());
        let c_has = held(&node_c, DocKind::Case)
            .await
            .contains(&witness.to_string());
        if b_has && c_has {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "referral on B: {b_has}; witness on C: {c_has}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        held(&node_b, DocKind::Case).await.is_empty(),
        "B holds no case"
    );
    assert!(
        held(&node_c, DocKind::Referral).await.is_empty(),
        "C holds no referral"
    );
    assert_eq!(
        held(&node_c, DocKind::Case).await,
        vec![witness.to_string()]
    );
    // B's query table shows it in B's inbox, from B's store alone.
    let bm = member_b.to_string();
    let rows = node_b
        .with_store(move |s| {
            s.referral_inbox(&bm, Inbox::Received, Date::today())
                .unwrap()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].client_name.as_deref(), Some("Marie Dubois"));
    node_c.shutdown().await.unwrap();
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

/// The ids of the documents of `kind` that `node`'s store holds.
async fn held(node: &nabij_crdt::transport::Node, kind: DocKind) -> Vec<String> {
    node.with_store(move |s| s.document_ids(kind).unwrap())
        .await
        .unwrap()
}
