//! Replicas that edit one case offline and then exchange whole documents, in any order, end up
//! identical: same heads, same query tables, same case, and no journal entry lost.

use std::path::Path;

use proptest::prelude::*;

use nabij_crdt::author::Author;
use nabij_crdt::case::{CaseState, NewQuestion, NewTask, PersonUpdate};
use nabij_crdt::id::{CaseId, ItemId};
use nabij_crdt::input::Problem;
use nabij_crdt::store::Store;

use super::{assert_input, author, entry, new_case, open_plain, send};

/// One offline operation on a replica.
#[derive(Debug, Clone)]
enum Op {
    Journal(u8),
    Task(u8),
    /// Toggle the n-th task (modulo the number of tasks), if there is one.
    TaskDone(usize),
    Contact(u8),
    Question(u8),
    Close,
    Reopen,
    /// Close the store and open it again (the next edit reads the document from disk).
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(Op::Journal),
        2 => any::<u8>().prop_map(Op::Task),
        2 => any::<usize>().prop_map(Op::TaskDone),
        2 => any::<u8>().prop_map(Op::Contact),
        1 => any::<u8>().prop_map(Op::Question),
        1 => Just(Op::Close),
        1 => Just(Op::Reopen),
        1 => Just(Op::Restart),
    ]
}

struct Replica {
    dir: tempfile::TempDir,
    store: Option<Store>,
    who: Author,
}

impl Replica {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Some(open_plain(dir.path()));
        Self {
            dir,
            store,
            who: author(),
        }
    }

    fn store(&mut self) -> &mut Store {
        self.store.as_mut().unwrap()
    }

    fn restart(&mut self) {
        drop(self.store.take());
        self.store = Some(open_plain(self.dir.path()));
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Apply `op` on replica `r`; record journal texts written in `written`.
fn apply(r: &mut Replica, index: usize, id: &CaseId, op: &Op, written: &mut Vec<String>) {
    let who = r.who.clone();
    let seq = written.len();
    let store = r.store();
    match op {
        Op::Journal(n) => {
            let text = format!("replica {index} entry {seq} word{n}");
            let date = format!("2026-01-{:02}", n % 28 + 1);
            store
                .edit_case(&who, id, |c| c.add_journal_entry(entry(&text, &date)))
                .unwrap();
            written.push(text);
        }
        Op::Task(n) => {
            let task = NewTask {
                title: format!("Taak {n} van {index}"),
                due: (n % 2 == 0).then(|| format!("2026-02-{:02}", n % 28 + 1)),
                assignee: (n % 3 == 0).then(|| who.member.clone()),
            };
            store.edit_case(&who, id, |c| c.add_task(task)).unwrap();
        }
        Op::TaskDone(n) => {
            let tasks = store.open_case(id).unwrap().tasks;
            if let Some((task_id, task)) = tasks.iter().nth(n % tasks.len().max(1)) {
                let task_id = ItemId::parse(task_id).unwrap();
                store
                    .edit_case(&who, id, |c| c.set_task_done(&task_id, !task.done))
                    .unwrap();
            }
        }
        Op::Contact(n) => {
            let case = store.open_case(id).unwrap();
            let client = ItemId::parse(case.people.keys().next().unwrap()).unwrap();
            let update = PersonUpdate {
                contact: Some(format!("+32 470 {index}{n:03}")),
                ..Default::default()
            };
            store
                .edit_case(&who, id, |c| c.update_person(&client, update))
                .unwrap();
        }
        Op::Question(n) => {
            let theme = ["money", "housing", "health", "work"][usize::from(*n) % 4];
            let question = NewQuestion {
                theme: theme.into(),
                text: format!("Vraag {n} op {index}"),
            };
            store
                .edit_case(&who, id, |c| c.add_question(question))
                .unwrap();
        }
        Op::Close | Op::Reopen => {
            let open = store.open_case(id).unwrap().status.state == CaseState::Open;
            let result = store.edit_case(&who, id, |c| match op {
                Op::Close => c.close(&format!("gesloten op {index}"), Some("2026-03-01")),
                _ => c.reopen(&format!("heropend op {index}")),
            });
            if open == matches!(op, Op::Close) {
                result.unwrap();
            } else {
                assert_input(result, "status", Problem::NotAllowedNow);
            }
        }
        Op::Restart => r.restart(),
    }
}

/// Send the case from `from` to `to`; whether `to` changed.
fn exchange(replicas: &mut [Replica], from: usize, to: usize, id: &CaseId) -> bool {
    let (a, b) = if from < to {
        let (left, right) = replicas.split_at_mut(to);
        (&mut left[from], &mut right[0])
    } else {
        let (left, right) = replicas.split_at_mut(from);
        (&mut right[0], &mut left[to])
    };
    send(a.store(), b.store(), id)
}

fn run(ops: Vec<(Vec<Op>, Vec<Op>)>, midway: Vec<(usize, usize)>, order: Vec<usize>) {
    let n = ops.len();
    let mut replicas: Vec<Replica> = (0..n).map(|_| Replica::new()).collect();
    let first = replicas[0].who.clone();
    let id = new_case(replicas[0].store(), &first, "Mina Haddou");
    for to in 1..n {
        assert!(exchange(&mut replicas, 0, to, &id));
    }
    let mut written = Vec::new();
    for (index, (batch, _)) in ops.iter().enumerate() {
        for op in batch {
            apply(&mut replicas[index], index, &id, op, &mut written);
        }
    }
    for (from, to) in midway {
        let (from, to) = (from % n, to % n);
        if from != to {
            exchange(&mut replicas, from, to, &id);
        }
    }
    for (index, (_, batch)) in ops.iter().enumerate() {
        for op in batch {
            apply(&mut replicas[index], index, &id, op, &mut written);
        }
    }
    // Rounds of every ordered pair once, in the generated order, until a round changes nothing.
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| (0..n).filter(move |b| *b != a).map(move |b| (a, b)))
        .collect();
    let round: Vec<(usize, usize)> = order
        .iter()
        .filter_map(|k| pairs.get(*k).copied())
        .collect();
    assert_eq!(round.len(), pairs.len());
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 3, "exchange does not settle");
        let mut changed = false;
        for (from, to) in &round {
            changed |= exchange(&mut replicas, *from, *to, &id);
        }
        if !changed {
            break;
        }
    }
    // Compare the stores as they are now, and again after a restart (read back from disk).
    for pass in 0..2 {
        let reference = {
            let s = replicas[0].store();
            (
                s.document_heads(id.as_str()).unwrap().unwrap(),
                s.dump_query_tables().unwrap(),
                s.open_case(&id).unwrap(),
                s.case_conflicts(&id).unwrap(),
            )
        };
        let texts: Vec<&String> = reference.2.journal.values().map(|e| &e.text).collect();
        for text in &written {
            assert!(texts.contains(&text), "entry {text:?} lost");
        }
        assert_eq!(texts.len(), written.len());
        for r in replicas.iter_mut().skip(1) {
            let path = r.path().display().to_string();
            let s = r.store();
            assert_eq!(
                s.document_heads(id.as_str()).unwrap().unwrap(),
                reference.0,
                "{pass} {path}"
            );
            assert_eq!(s.dump_query_tables().unwrap(), reference.1, "{pass} {path}");
            assert_eq!(s.open_case(&id).unwrap(), reference.2, "{pass} {path}");
            assert_eq!(s.case_conflicts(&id).unwrap(), reference.3, "{pass} {path}");
        }
        for r in &mut replicas {
            r.restart();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_after_offline_edits(
        ops in prop::collection::vec(
            (prop::collection::vec(op(), 0..8), prop::collection::vec(op(), 0..8)),
            2..=3,
        ),
        midway in prop::collection::vec((0usize..3, 0usize..3), 0..4),
        order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        run(ops, midway, order);
    }
}
