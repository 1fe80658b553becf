//! Follow-up ("Opvolging"): a member's open tasks grouped by when they are due, seen from the
//! member's today, with Monday-first weeks (overdue, today, the rest of this week, later, no
//! date), each group counted and paged in the engine.

use rusqlite::params;

use super::cases::TaskDue;
use super::{Store, StoreError};
use crate::date::Date;

/// When an open task is due, seen from a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DueWhen {
    /// Before today.
    Overdue,
    /// Today.
    Today,
    /// After today, up to and including Sunday of this week.
    ThisWeek,
    /// After this week.
    Later,
    /// Without a due date.
    NoDate,
}

impl DueWhen {
    /// Every group, in the order follow-up shows them.
    pub const ALL: [DueWhen; 5] = [
        DueWhen::Overdue,
        DueWhen::Today,
        DueWhen::ThisWeek,
        DueWhen::Later,
        DueWhen::NoDate,
    ];

    /// The condition on `t.due` (over `d`, see [`DAY`]).
    fn condition(self) -> &'static str {
        match self {
            DueWhen::Overdue => "t.due < d.today",
            DueWhen::Today => "t.due = d.today",
            DueWhen::ThisWeek => "t.due > d.today AND t.due <= d.week_end",
            DueWhen::Later => "t.due > d.week_end",
            DueWhen::NoDate => "t.due IS NULL",
        }
    }
}

/// One group of follow-up: how many tasks it holds and the first of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueGroup {
    /// Which group.
    pub when: DueWhen,
    /// Every open task in the group.
    pub total: u32,
    /// The first tasks of the group, earliest due first.
    pub tasks: Vec<TaskDue>,
}

/// Today (`?2`, `YYYY-MM-DD`) and the end of its week: `weekday 0` is the first Sunday on or
/// after today, the last day of a Monday-first week.
const DAY: &str = "(SELECT ?2 AS today, date(?2, 'weekday 0') AS week_end) d";

/// A member's open tasks: assigned to them, or unassigned on cases they own (`?1`).
const MINE: &str = "t.done = 0 AND (t.assignee = ?1 OR (t.assignee IS NULL AND c.owner = ?1))";

impl Store {
    /// `member`'s open tasks in their groups, seen from `today`: every group that holds a task,
    /// in [`DueWhen::ALL`] order, each with its total and its first `per_group` tasks.
    pub fn follow_up(
        &self,
        member: &str,
        today: Date,
        per_group: u32,
    ) -> Result<Vec<DueGroup>, StoreError> {
        let mut groups = Vec::new();
        for when in DueWhen::ALL {
            let total = self.follow_up_count(member, today, when)?;
            if total > 0 {
                let tasks = self.follow_up_page(member, today, when, 0, per_group)?;
                groups.push(DueGroup { when, total, tasks });
            }
        }
        Ok(groups)
    }

    /// How many of `member`'s open tasks fall in group `when`, seen from `today`.
    pub fn follow_up_count(
        &self,
        member: &str,
        today: Date,
        when: DueWhen,
    ) -> Result<u32, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM {DAY}, task t LEFT JOIN case_list c ON c.case_id = t.case_id
             WHERE {MINE} AND {}",
            when.condition()
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![member, today.to_string()], |r| r.get(0))?)
    }

    /// A page of `member`'s open tasks in group `when`, earliest due first (then by title).
    pub fn follow_up_page(
        &self,
        member: &str,
        today: Date,
        when: DueWhen,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<TaskDue>, StoreError> {
        let sql = format!(
            "SELECT t.case_id, coalesce(c.client_name, ''), t.task_id, t.title, t.due, t.assignee
             FROM {DAY}, task t LEFT JOIN case_list c ON c.case_id = t.case_id
             WHERE {MINE} AND {}
             ORDER BY t.due, t.title, t.case_id, t.task_id
             LIMIT ?3 OFFSET ?4",
            when.condition()
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![member, today.to_string(), limit, offset],
                super::cases::task_due,
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
