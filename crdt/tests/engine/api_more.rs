//! The rest of the case API through the store: consent, aid decisions, flags, ownership and
//! visibility, closing and reopening; each with good input and with bad input that must be
//! refused with the right field and leave the store unchanged.

use nabij_crdt::case::{CaseState, FlagKind, NewAidDecision, NewConsent, NewFlag};
use nabij_crdt::id::{ItemId, MemberId};
use nabij_crdt::input::Problem;
use nabij_crdt::store::{CaseFilter, Store};

use super::api::{long, rejects, today};
use super::{author, open_plain};

#[test]
fn consent_aid_flags_ownership_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = super::new_case(&mut store, &me, "Jan Peeters");
    let s = &mut store;
    let nobody = ItemId::random();

    // Consent.
    let consent =
        |what: &str, to: &str, purpose: &str, basis: &str, date: Option<&str>| NewConsent {
            what: what.into(),
            to_whom: to.into(),
            purpose: purpose.into(),
            legal_basis: basis.into(),
            date: date.map(str::to_string),
            partner_id: None,
        };
    let given = s
        .edit_case(&me, &id, |c| {
            c.record_consent(consent("Inkomen", "OCMW", "Aanvraag", "consent", None))
        })
        .unwrap();
    let c0 = &s.open_case(&id).unwrap().consents[given.as_str()];
    assert_eq!(
        (
            c0.date.clone(),
            c0.recorded_by.as_str(),
            c0.withdrawn_at.clone()
        ),
        (today(), me.member.as_str(), None)
    );
    rejects(s, &me, &id, "what", Problem::Empty, |c| {
        c.record_consent(consent("", "a", "b", "c", None))
    });
    rejects(s, &me, &id, "to_whom", Problem::Empty, |c| {
        c.record_consent(consent("a", " ", "b", "c", None))
    });
    rejects(s, &me, &id, "purpose", Problem::Empty, |c| {
        c.record_consent(consent("a", "b", "", "c", None))
    });
    rejects(
        s,
        &me,
        &id,
        "legal_basis",
        Problem::TooLong { max: 200 },
        |c| c.record_consent(consent("a", "b", "c", &long(201), None)),
    );
    rejects(s, &me, &id, "date", Problem::InvalidDate, |c| {
        c.record_consent(consent("a", "b", "c", "d", Some("2026-02-29")))
    });
    rejects(s, &me, &id, "date", Problem::InvalidDate, |c| {
        c.withdraw_consent(&given, Some("gisteren"))
    });
    rejects(s, &me, &id, "consent", Problem::NotFound, |c| {
        c.withdraw_consent(&nobody, None)
    });
    // Not before it was given (today); see `dates` for every date rule.
    s.edit_case(&me, &id, |c| c.withdraw_consent(&given, Some(&today())))
        .unwrap();
    assert_eq!(
        s.open_case(&id).unwrap().consents[given.as_str()]
            .withdrawn_at
            .as_deref(),
        Some(today().as_str())
    );
    rejects(s, &me, &id, "consent", Problem::NotAllowedNow, |c| {
        c.withdraw_consent(&given, None)
    });

    // Aid decisions.
    let aid = |amount: i64, envelope: &str, reason: &str, date: Option<&str>| NewAidDecision {
        envelope: envelope.into(),
        amount_cents: amount,
        date: date.map(str::to_string),
        reason: reason.into(),
    };
    let decided = s
        .edit_case(&me, &id, |c| {
            c.record_aid_decision(aid(12_50, "env-2026", "Energie", Some("2026-02-01")))
        })
        .unwrap();
    let a = &s.open_case(&id).unwrap().aid[decided.as_str()];
    assert_eq!(
        (a.amount_cents, a.date.as_str(), a.decided_by.as_str()),
        (1250, "2026-02-01", me.member.as_str())
    );
    for amount in [0, -5, 100_000_001] {
        rejects(s, &me, &id, "amount", Problem::OutOfRange, |c| {
            c.record_aid_decision(aid(amount, "e", "r", None))
        });
    }
    rejects(s, &me, &id, "envelope", Problem::Empty, |c| {
        c.record_aid_decision(aid(1, "", "r", None))
    });
    rejects(s, &me, &id, "reason", Problem::Empty, |c| {
        c.record_aid_decision(aid(1, "e", "", None))
    });
    rejects(s, &me, &id, "date", Problem::InvalidDate, |c| {
        c.record_aid_decision(aid(1, "e", "r", Some("2026-1-1")))
    });

    // Flags.
    let flag = |kind, right: Option<&str>, note: Option<&str>| NewFlag {
        kind,
        right: right.map(str::to_string),
        note: note.map(str::to_string),
    };
    let raised = s
        .edit_case(&me, &id, |c| {
            c.raise_flag(flag(
                FlagKind::UnderProtection,
                Some("verhoogde tegemoetkoming"),
                None,
            ))
        })
        .unwrap();
    s.edit_case(&me, &id, |c| {
        c.raise_flag(flag(FlagKind::Other, None, Some("let op")))
    })
    .unwrap();
    rejects(s, &me, &id, "right", Problem::Empty, |c| {
        c.raise_flag(flag(FlagKind::UnderProtection, Some(" "), None))
    });
    rejects(s, &me, &id, "note", Problem::TooLong { max: 200 }, |c| {
        c.raise_flag(flag(FlagKind::Other, None, Some(&long(201))))
    });
    rejects(s, &me, &id, "flag", Problem::NotFound, |c| {
        c.clear_flag(&nobody)
    });
    s.edit_case(&me, &id, |c| c.clear_flag(&raised)).unwrap();
    let case = s.open_case(&id).unwrap();
    assert_eq!(case.flags.len(), 2);
    assert_eq!(case.flags[raised.as_str()].cleared_at, Some(today()));

    // Ownership and who may see the case.
    let colleague = MemberId::random();
    let visible = |s: &Store, m: &MemberId| {
        s.list_cases(&CaseFilter {
            visible_to: Some(m.to_string()),
            ..Default::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(visible(s, &colleague), 0);
    s.edit_case(&me, &id, |c| c.set_member_allowed(&colleague, true))
        .unwrap();
    assert_eq!(visible(s, &colleague), 1);
    assert!(s.open_case(&id).unwrap().allows(colleague.as_str()));
    s.edit_case(&me, &id, |c| c.set_member_allowed(&colleague, false))
        .unwrap();
    assert_eq!(visible(s, &colleague), 0);
    s.edit_case(&me, &id, |c| c.set_owner(&colleague)).unwrap();
    assert_eq!(visible(s, &colleague), 1);
    assert_eq!(visible(s, &me.member), 0);
    assert_eq!(
        s.list_cases(&CaseFilter::default()).unwrap()[0].owner,
        colleague.as_str()
    );

    // Close and reopen.
    rejects(s, &me, &id, "status", Problem::NotAllowedNow, |c| {
        c.reopen("why")
    });
    rejects(s, &me, &id, "reason", Problem::Empty, |c| {
        c.close(" ", None)
    });
    rejects(s, &me, &id, "date", Problem::InvalidDate, |c| {
        c.close("done", Some("31-12-2026"))
    });
    s.edit_case(&me, &id, |c| {
        c.close("Hulpvraag beantwoord", Some("2026-07-01"))
    })
    .unwrap();
    let closed = |s: &Store| {
        s.list_cases(&CaseFilter {
            status: Some(nabij_crdt::case::CaseState::Closed),
            ..Default::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(closed(s), 1);
    let status = s.open_case(&id).unwrap().status;
    assert_eq!(
        (
            status.state,
            status.reason.as_deref(),
            status.date.as_deref()
        ),
        (
            CaseState::Closed,
            Some("Hulpvraag beantwoord"),
            Some("2026-07-01")
        )
    );
    rejects(s, &me, &id, "status", Problem::NotAllowedNow, |c| {
        c.close("again", None)
    });
    rejects(s, &me, &id, "reason", Problem::Empty, |c| c.reopen(""));
    s.edit_case(&me, &id, |c| c.reopen("Nieuwe vraag")).unwrap();
    assert_eq!(closed(s), 0);
    assert_eq!(s.open_case(&id).unwrap().status.date, Some(today()));
}
