//! Changing a referral: [`create_referral`] and the [`ReferralEditor`], one validated method per
//! step, each allowed only from the steps that may precede it.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ROOT};

use super::model::*;
use crate::author::Author;
use crate::date::now_ms;
use crate::doc::{DocError, DocKind, SCHEMA_VERSION, put_item};
use crate::id::{CaseId, ItemId, ReferralId, TeamId};
use crate::input::{self, InputError, LONG_TEXT, Problem, SHORT_TEXT};

/// Longest summary disclosed to a partner: keep it minimal.
pub const MAX_SUMMARY: usize = 2_000;

/// What is needed to send a referral.
#[derive(Debug, Clone)]
pub struct NewReferral {
    /// The case it is made from.
    pub case_id: CaseId,
    /// The question (item id on the case) it answers.
    pub question_id: ItemId,
    /// The question's text.
    pub question_text: String,
    /// The partner organisation (item id in the team document).
    pub partner_id: ItemId,
    /// The partner's name.
    pub partner_name: String,
    /// The minimal summary disclosed to the partner.
    pub summary: String,
}

/// Send a referral authored by `author` (status `sent`); returns its id and document.
pub fn create_referral(
    author: &Author,
    team: &TeamId,
    new: NewReferral,
) -> Result<(ReferralId, AutoCommit), DocError> {
    let now = now_ms();
    let me = author.member.to_string();
    let id = ReferralId::random();
    let referral = Referral {
        kind: DocKind::Referral.as_str().to_string(),
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        team: team.to_string(),
        case_id: new.case_id.to_string(),
        question_id: new.question_id.to_string(),
        question_text: input::required("question_text", &new.question_text, LONG_TEXT)?,
        sent_by: me.clone(),
        partner_id: new.partner_id.to_string(),
        partner_name: input::required("partner_name", &new.partner_name, SHORT_TEXT)?,
        summary: input::required("summary", &new.summary, MAX_SUMMARY)?,
        created_at: now,
        status: ReferralStatus::Sent,
        timeline: BTreeMap::from([(
            ItemId::random().to_string(),
            TimelineEvent {
                status: ReferralStatus::Sent,
                at: now,
                by: me,
                reason: None,
                outcome: None,
            },
        )]),
        messages: BTreeMap::new(),
    };
    Ok((id, author.create(&referral)?))
}

/// Makes validated changes to one referral; the store commits them as one change by the author
/// (or rolls them back when any step fails).
pub struct ReferralEditor<'a> {
    doc: &'a mut AutoCommit,
    author: &'a Author,
}

impl<'a> ReferralEditor<'a> {
    /// An editor over `doc` for `author`.
    pub fn new(doc: &'a mut AutoCommit, author: &'a Author) -> Self {
        Self { doc, author }
    }

    /// Where the referral stands.
    pub fn status(&self) -> Result<ReferralStatus, DocError> {
        Ok(autosurgeon::hydrate_prop(&*self.doc, ROOT, "status")?)
    }

    /// Move to `status` if the referral now stands in one of `from`, recording the step.
    fn step(
        &mut self,
        from: &[ReferralStatus],
        status: ReferralStatus,
        by: String,
        reason: Option<String>,
        outcome: Option<String>,
    ) -> Result<(), DocError> {
        if !from.contains(&self.status()?) {
            return Err(InputError::new("status", Problem::NotAllowedNow).into());
        }
        let event = TimelineEvent {
            status,
            at: now_ms(),
            by,
            reason,
            outcome,
        };
        put_item(self.doc, "timeline", ItemId::random().as_str(), &event)?;
        autosurgeon::reconcile_prop(self.doc, ROOT, "status", status)?;
        Ok(())
    }

    /// The partner has seen the referral.
    pub fn mark_received(&mut self) -> Result<(), DocError> {
        use ReferralStatus::*;
        self.step(&[Sent], Received, PARTNER.into(), None, None)
    }

    /// The partner takes the referral up.
    pub fn accept(&mut self) -> Result<(), DocError> {
        use ReferralStatus::*;
        self.step(&[Sent, Received], Accepted, PARTNER.into(), None, None)
    }

    /// The partner does not take the referral up, for a reason.
    pub fn decline(&mut self, reason: &str) -> Result<(), DocError> {
        use ReferralStatus::*;
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        self.step(
            &[Sent, Received],
            Declined,
            PARTNER.into(),
            Some(reason),
            None,
        )
    }

    /// The person and the partner have met: the warm handover is done (only after acceptance).
    pub fn confirm_first_contact(&mut self) -> Result<(), DocError> {
        use ReferralStatus::*;
        let me = self.author.member.to_string();
        self.step(&[Accepted], FirstContact, me, None, None)
    }

    /// Close the referral with its outcome (from any step but `closed`).
    pub fn close(&mut self, outcome: &str) -> Result<(), DocError> {
        use ReferralStatus::*;
        let outcome = input::required("outcome", outcome, SHORT_TEXT)?;
        let me = self.author.member.to_string();
        self.step(
            &[Sent, Received, Accepted, Declined, FirstContact],
            Closed,
            me,
            None,
            Some(outcome),
        )
    }

    /// Add a message from the partner or from the author; returns its item id.
    pub fn add_message(&mut self, from_partner: bool, text: &str) -> Result<ItemId, DocError> {
        let message = Message {
            from: if from_partner {
                PARTNER.to_string()
            } else {
                self.author.member.to_string()
            },
            text: input::required("text", text, LONG_TEXT)?,
            at: now_ms(),
        };
        let id = ItemId::random();
        put_item(self.doc, "messages", id.as_str(), &message)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::MemberId;
    use crate::referral::load;
    use crate::store::{KeySource, Store};

    fn author() -> Author {
        Author::generate(MemberId::random())
    }

    fn new_referral(case_id: &CaseId) -> NewReferral {
        NewReferral {
            case_id: case_id.clone(),
            question_id: ItemId::random(),
            question_text: "Hulp bij schulden".into(),
            partner_id: ItemId::random(),
            partner_name: "CAW Oost-Vlaanderen".into(),
            summary: "Alleenstaande moeder, energieschuld, wil budgetbegeleiding.".into(),
        }
    }

    fn sent() -> (Author, AutoCommit) {
        let me = author();
        let (_, doc) =
            create_referral(&me, &TeamId::random(), new_referral(&CaseId::random())).unwrap();
        (me, doc)
    }

    fn problem(result: Result<impl std::fmt::Debug, DocError>) -> (&'static str, Problem) {
        match result {
            Err(DocError::Input(e)) => (e.field, e.problem),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    const NOT_NOW: (&str, Problem) = ("status", Problem::NotAllowedNow);

    #[test]
    fn a_new_referral_is_sent_and_validated() {
        let (me, doc) = sent();
        let referral = load(&doc).unwrap();
        assert_eq!(referral.status, ReferralStatus::Sent);
        assert_eq!(referral.sent_by, me.member.as_str());
        assert_eq!(referral.events().len(), 1);
        assert_eq!(referral.events()[0].by, me.member.as_str());
        let case = CaseId::random();
        let team = TeamId::random();
        for (bad, field) in [
            (
                NewReferral {
                    summary: " ".into(),
                    ..new_referral(&case)
                },
                "summary",
            ),
            (
                NewReferral {
                    partner_name: String::new(),
                    ..new_referral(&case)
                },
                "partner_name",
            ),
            (
                NewReferral {
                    question_text: String::new(),
                    ..new_referral(&case)
                },
                "question_text",
            ),
        ] {
            assert_eq!(
                problem(create_referral(&me, &team, bad)),
                (field, Problem::Empty)
            );
        }
        assert_eq!(
            problem(create_referral(
                &me,
                &team,
                NewReferral {
                    summary: "x".repeat(MAX_SUMMARY + 1),
                    ..new_referral(&case)
                }
            )),
            ("summary", Problem::TooLong { max: MAX_SUMMARY })
        );
    }

    #[test]
    fn the_warm_handover_in_order() {
        let (me, mut doc) = sent();
        let mut ed = ReferralEditor::new(&mut doc, &me);
        assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
        ed.mark_received().unwrap();
        assert_eq!(problem(ed.mark_received()), NOT_NOW);
        assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
        ed.accept().unwrap();
        assert_eq!(problem(ed.accept()), NOT_NOW);
        assert_eq!(problem(ed.decline("te laat")), NOT_NOW);
        ed.confirm_first_contact().unwrap();
        assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
        assert_eq!(problem(ed.close(" ")), ("outcome", Problem::Empty));
        ed.close("Budgetbegeleiding gestart").unwrap();
        assert_eq!(problem(ed.close("again")), NOT_NOW);
        assert_eq!(problem(ed.accept()), NOT_NOW);
        assert_eq!(problem(ed.mark_received()), NOT_NOW);

        let referral = load(&doc).unwrap();
        assert_eq!(referral.status, ReferralStatus::Closed);
        let steps: Vec<_> = referral.events().iter().map(|e| e.status).collect();
        use ReferralStatus::*;
        assert_eq!(steps.len(), 5);
        for status in [Sent, Received, Accepted, FirstContact, Closed] {
            assert!(steps.contains(&status), "{status:?} missing");
        }
        let event = |s| {
            referral
                .events()
                .into_iter()
                .find(|e| e.status == s)
                .unwrap()
        };
        assert_eq!(event(Accepted).by, PARTNER);
        assert_eq!(event(FirstContact).by, me.member.as_str());
        assert_eq!(
            event(Closed).outcome.as_deref(),
            Some("Budgetbegeleiding gestart")
        );
    }

    #[test]
    fn a_declined_referral_cannot_be_accepted() {
        let (me, mut doc) = sent();
        let mut ed = ReferralEditor::new(&mut doc, &me);
        assert_eq!(problem(ed.decline("")), ("reason", Problem::Empty));
        assert_eq!(
            ed.status().unwrap(),
            ReferralStatus::Sent,
            "nothing changed"
        );
        ed.decline("Geen plaats tot maart").unwrap();
        assert_eq!(problem(ed.accept()), NOT_NOW);
        assert_eq!(problem(ed.mark_received()), NOT_NOW);
        assert_eq!(problem(ed.confirm_first_contact()), NOT_NOW);
        assert_eq!(problem(ed.decline("again")), NOT_NOW);
        ed.close("Doorverwezen naar OCMW").unwrap();
        let referral = load(&doc).unwrap();
        let declined = referral
            .events()
            .into_iter()
            .find(|e| e.status == ReferralStatus::Declined)
            .unwrap()
            .clone();
        assert_eq!(declined.reason.as_deref(), Some("Geen plaats tot maart"));
        assert_eq!(declined.by, PARTNER);
    }

    #[test]
    fn messages_go_both_ways() {
        let (me, mut doc) = sent();
        let mut ed = ReferralEditor::new(&mut doc, &me);
        let ours = ed
            .add_message(false, "Kan zij dinsdag langskomen?")
            .unwrap();
        let theirs = ed.add_message(true, "Dinsdag 10u past.").unwrap();
        assert_eq!(
            problem(ed.add_message(true, "  ")),
            ("text", Problem::Empty)
        );
        let referral = load(&doc).unwrap();
        assert_eq!(referral.messages[ours.as_str()].from, me.member.as_str());
        assert_eq!(referral.messages[theirs.as_str()].from, PARTNER);
        assert_eq!(referral.conversation().len(), 2);
    }

    #[test]
    fn store_round_trip_and_list() {
        let dir = tempfile::tempdir().unwrap();
        let me = author();
        let team = TeamId::random();
        let case = CaseId::random();
        let (first, second) = {
            let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
            let first = store
                .create_referral(&me, &team, new_referral(&case))
                .unwrap();
            let second = store
                .create_referral(&me, &team, new_referral(&CaseId::random()))
                .unwrap();
            store
                .edit_referral(&me, &first, |r| {
                    r.mark_received()?;
                    r.accept()?;
                    r.add_message(true, "Welkom op dinsdag.")
                })
                .unwrap();
            assert!(
                store
                    .edit_referral(&me, &second, |r| {
                        r.decline("Vol")?;
                        r.accept()
                    })
                    .is_err(),
                "a failing edit keeps nothing"
            );
            (first, second)
        };
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        let referral = store.open_referral(&first).unwrap();
        assert_eq!(referral.status, ReferralStatus::Accepted);
        assert_eq!(referral.messages.len(), 1);
        assert_eq!(
            store.open_referral(&second).unwrap().status,
            ReferralStatus::Sent
        );
        let all = store.list_referrals(None).unwrap();
        assert_eq!(all.len(), 2);
        let of_case = store.list_referrals(Some(case.as_str())).unwrap();
        assert_eq!(of_case.len(), 1);
        assert_eq!(of_case[0].referral_id, first.as_str());
        assert_eq!(of_case[0].status, "accepted");
        assert_eq!(of_case[0].partner, "CAW Oost-Vlaanderen");
        assert_eq!(of_case[0].updated_at.len(), 10);
        store
            .edit_referral(&me, &first, |r| r.confirm_first_contact())
            .unwrap();
        store.rebuild().unwrap();
        let of_case = store.list_referrals(Some(case.as_str())).unwrap();
        assert_eq!(of_case[0].status, "first_contact");
        assert!(
            store
                .list_referrals(Some("no-such-case"))
                .unwrap()
                .is_empty()
        );
    }
}
