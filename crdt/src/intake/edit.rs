//! Changing the intake queue: [`create_intake`] and the [`IntakeEditor`], one validated method
//! per change.

use std::collections::BTreeMap;

use automerge::AutoCommit;

use super::IntakeId;
use super::model::*;
use crate::author::Author;
use crate::date::now_ms;
use crate::doc::{DocError, DocKind, SCHEMA_VERSION, get_field, put_item, set_field};
use crate::id::{CaseId, ItemId, TeamId};
use crate::input::{self, InputError, LONG_TEXT, Problem, SHORT_TEXT};
use crate::team::theme_slug;

/// A signal to register at the front door.
#[derive(Debug, Clone)]
pub struct NewIntakeItem {
    /// Who brought it in.
    pub source: IntakeSource,
    /// What was said or seen.
    pub text: String,
    /// The neighbourhood, if known.
    pub neighbourhood: Option<String>,
    /// How urgent it looks.
    pub urgency: Urgency,
    /// The person's name, if known.
    pub name: Option<String>,
    /// A theme slug, if already clear.
    pub theme: Option<String>,
}

/// Create the (empty) intake queue of `team`; returns its id and document.
pub fn create_intake(author: &Author, team: &TeamId) -> Result<(IntakeId, AutoCommit), DocError> {
    let id = IntakeId::random();
    let intake = Intake {
        kind: DocKind::Intake.as_str().to_string(),
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        team: team.to_string(),
        created_at: now_ms(),
        items: BTreeMap::new(),
    };
    Ok((id, author.create(&intake)?))
}

/// Makes validated changes to the intake queue; the store commits them as one change by the
/// author (or rolls them back when any step fails).
pub struct IntakeEditor<'a> {
    doc: &'a mut AutoCommit,
    author: &'a Author,
}

impl<'a> IntakeEditor<'a> {
    /// An editor over `doc` for `author`.
    pub fn new(doc: &'a mut AutoCommit, author: &'a Author) -> Self {
        Self { doc, author }
    }

    fn status(&self, item: &ItemId) -> Result<IntakeStatus, DocError> {
        get_field(&*self.doc, "items", "item", item.as_str(), "status")
    }

    fn set_status(&mut self, item: &ItemId, status: IntakeStatus) -> Result<(), DocError> {
        set_field(self.doc, "items", "item", item.as_str(), "status", status)
    }

    /// Register a signal (status `new`, authored by the editor's member); returns its item id.
    pub fn add_item(&mut self, new: NewIntakeItem) -> Result<ItemId, DocError> {
        let theme = match new.theme.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(theme) => Some(theme_slug("theme", theme)?),
        };
        let item = IntakeItem {
            source: new.source,
            text: input::required("text", &new.text, LONG_TEXT)?,
            neighbourhood: input::optional(
                "neighbourhood",
                new.neighbourhood.as_deref(),
                SHORT_TEXT,
            )?,
            urgency: new.urgency,
            name: input::optional("name", new.name.as_deref(), SHORT_TEXT)?,
            theme,
            status: IntakeStatus::New,
            case_id: None,
            closed_reason: None,
            created_at: now_ms(),
            created_by: self.author.member.to_string(),
        };
        let id = ItemId::random();
        put_item(self.doc, "items", id.as_str(), &item)?;
        Ok(id)
    }

    /// Link a new (or referred) item to the case that takes it up.
    pub fn link_to_case(&mut self, item: &ItemId, case_id: &CaseId) -> Result<(), DocError> {
        match self.status(item)? {
            IntakeStatus::New | IntakeStatus::Referred => {}
            IntakeStatus::Linked | IntakeStatus::Closed => {
                return Err(InputError::new("status", Problem::NotAllowedNow).into());
            }
        }
        self.set_status(item, IntakeStatus::Linked)?;
        set_field(
            self.doc,
            "items",
            "item",
            item.as_str(),
            "case_id",
            Some(case_id.to_string()),
        )
    }

    /// Mark a new item as referred to a partner (without opening a case).
    pub fn mark_referred(&mut self, item: &ItemId) -> Result<(), DocError> {
        if self.status(item)? != IntakeStatus::New {
            return Err(InputError::new("status", Problem::NotAllowedNow).into());
        }
        self.set_status(item, IntakeStatus::Referred)
    }

    /// Close an item with a reason (not the right address, no longer needed, ...).
    pub fn close_item(&mut self, item: &ItemId, reason: &str) -> Result<(), DocError> {
        if self.status(item)? == IntakeStatus::Closed {
            return Err(InputError::new("status", Problem::NotAllowedNow).into());
        }
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        self.set_status(item, IntakeStatus::Closed)?;
        set_field(
            self.doc,
            "items",
            "item",
            item.as_str(),
            "closed_reason",
            Some(reason),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::MemberId;
    use crate::intake::load;
    use crate::store::{KeySource, Store};

    fn author() -> Author {
        Author::generate(MemberId::random())
    }

    fn signal(text: &str) -> NewIntakeItem {
        NewIntakeItem {
            source: IntakeSource::Volunteer,
            text: text.into(),
            neighbourhood: Some("Rabot".into()),
            urgency: Urgency::High,
            name: Some("mevrouw Claes".into()),
            theme: Some(" Housing ".into()),
        }
    }

    fn problem(result: Result<impl std::fmt::Debug, DocError>) -> (&'static str, Problem) {
        match result {
            Err(DocError::Input(e)) => (e.field, e.problem),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn items_are_added_with_validation() {
        let me = author();
        let (_, mut doc) = create_intake(&me, &TeamId::random()).unwrap();
        let mut ed = IntakeEditor::new(&mut doc, &me);
        let id = ed.add_item(signal("Brievenbus puilt uit")).unwrap();
        assert_eq!(problem(ed.add_item(signal("  "))), ("text", Problem::Empty));
        assert_eq!(
            problem(ed.add_item(NewIntakeItem {
                theme: Some("two words".into()),
                ..signal("x")
            })),
            ("theme", Problem::OutOfRange)
        );
        assert_eq!(
            problem(ed.add_item(NewIntakeItem {
                neighbourhood: Some("x".repeat(SHORT_TEXT + 1)),
                ..signal("x")
            })),
            ("neighbourhood", Problem::TooLong { max: SHORT_TEXT })
        );
        ed.add_item(NewIntakeItem {
            source: IntakeSource::ThePerson,
            neighbourhood: None,
            name: Some(" ".into()),
            theme: None,
            ..signal("Komt zelf langs voor hulp met papieren")
        })
        .unwrap();
        let intake = load(&doc).unwrap();
        assert_eq!(intake.items.len(), 2);
        let item = &intake.items[id.as_str()];
        assert_eq!(item.theme.as_deref(), Some("housing"));
        assert_eq!(item.status, IntakeStatus::New);
        assert_eq!(item.created_by, me.member.as_str());
        assert_eq!(intake.with_status(IntakeStatus::New).len(), 2);
        assert!(crate::team::load(&doc).is_err(), "an intake is not a team");
    }

    #[test]
    fn items_move_through_their_statuses() {
        let me = author();
        let (_, mut doc) = create_intake(&me, &TeamId::random()).unwrap();
        let mut ed = IntakeEditor::new(&mut doc, &me);
        let [a, b, c] = [(); 3].map(|_| ed.add_item(signal("signaal")).unwrap());
        let case = CaseId::random();
        let not_now = ("status", Problem::NotAllowedNow);

        ed.link_to_case(&a, &case).unwrap();
        assert_eq!(problem(ed.link_to_case(&a, &CaseId::random())), not_now);
        assert_eq!(problem(ed.mark_referred(&a)), not_now);

        ed.mark_referred(&b).unwrap();
        assert_eq!(problem(ed.mark_referred(&b)), not_now);
        ed.link_to_case(&b, &case).unwrap();

        assert_eq!(problem(ed.close_item(&c, " ")), ("reason", Problem::Empty));
        ed.close_item(&c, "Dubbele melding").unwrap();
        assert_eq!(problem(ed.close_item(&c, "again")), not_now);
        assert_eq!(problem(ed.link_to_case(&c, &case)), not_now);
        assert_eq!(problem(ed.mark_referred(&c)), not_now);

        let missing = ItemId::random();
        assert_eq!(
            problem(ed.mark_referred(&missing)),
            ("item", Problem::NotFound)
        );
        assert_eq!(
            problem(ed.link_to_case(&missing, &case)),
            ("item", Problem::NotFound)
        );
        assert_eq!(
            problem(ed.close_item(&missing, "weg")),
            ("item", Problem::NotFound)
        );

        let intake = load(&doc).unwrap();
        assert_eq!(intake.items[a.as_str()].status, IntakeStatus::Linked);
        assert_eq!(
            intake.items[b.as_str()].case_id.as_deref(),
            Some(case.as_str())
        );
        let closed = &intake.items[c.as_str()];
        assert_eq!(closed.status, IntakeStatus::Closed);
        assert_eq!(closed.closed_reason.as_deref(), Some("Dubbele melding"));
    }

    #[test]
    fn store_round_trip_and_queue() {
        let dir = tempfile::tempdir().unwrap();
        let me = author();
        let team = TeamId::random();
        let (id, first, second) = {
            let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
            let id = store.create_intake(&me, &team).unwrap();
            let first = store
                .edit_intake(&me, &id, |q| q.add_item(signal("Eerste melding")))
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
            let second = store
                .edit_intake(&me, &id, |q| {
                    q.add_item(NewIntakeItem {
                        urgency: Urgency::Urgent,
                        neighbourhood: None,
                        ..signal("Tweede melding")
                    })
                })
                .unwrap();
            assert!(
                store
                    .edit_intake(&me, &id, |q| {
                        q.mark_referred(&first)?;
                        q.close_item(&second, "")
                    })
                    .is_err(),
                "a failing edit keeps nothing"
            );
            (id, first, second)
        };
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        let queue = store.intake_queue(None).unwrap();
        assert_eq!(queue.len(), 2);
        assert_eq!(queue[0].item_id, second.as_str(), "newest first");
        assert_eq!(queue[0].urgency, Urgency::Urgent);
        assert_eq!(queue[0].neighbourhood, None);
        assert_eq!(queue[1].source, IntakeSource::Volunteer);
        assert_eq!(queue[1].doc_id, id.as_str());
        assert!(queue.iter().all(|r| r.status == IntakeStatus::New));

        let case = CaseId::random();
        store
            .edit_intake(&me, &id, |q| q.link_to_case(&first, &case))
            .unwrap();
        let linked = store.intake_queue(Some(IntakeStatus::Linked)).unwrap();
        assert_eq!(linked.len(), 1);
        assert_eq!(linked[0].case_id.as_deref(), Some(case.as_str()));
        assert_eq!(
            store.intake_queue(Some(IntakeStatus::New)).unwrap().len(),
            1
        );
        let intake = store.open_intake(&id).unwrap();
        assert_eq!(intake.team, team.as_str());
        assert_eq!(intake.items[first.as_str()].status, IntakeStatus::Linked);
        store.rebuild().unwrap();
        assert_eq!(
            store.intake_queue(Some(IntakeStatus::Linked)).unwrap(),
            linked
        );
    }
}
