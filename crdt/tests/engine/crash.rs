//! Crash safety: a writer process is killed with SIGKILL at random moments; every write it had
//! acknowledged (printed `ack <n>` after `edit_case` returned) is in the store afterwards, at
//! most one unacknowledged write more is there, and the store opens with consistent tables.
//!
//! The test binary re-executes itself: the child is the test [`crash_child_writer`], which does
//! nothing unless `NABIJ_CRASH_CHILD` names a data directory.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nabij_crdt::id::CaseId;

use super::{Rng, author, entry, key_in, new_case, open_store};

const CHILD_ENV: &str = "NABIJ_CRASH_CHILD";
const CASE_ENV: &str = "NABIJ_CRASH_CASE";
const RUN_ENV: &str = "NABIJ_CRASH_RUN";
const CHILD_TEST: &str = "crash::crash_child_writer";
const ITERATIONS: u32 = 50;
const RUNS_PER_CASE: u32 = 10;

fn text(run: u32, n: u64) -> String {
    format!("run {run} entry {n}")
}

/// The child: write journal entries until killed, acknowledging each after it is stored.
#[test]
fn crash_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let id = CaseId::parse(&std::env::var(CASE_ENV).unwrap()).unwrap();
    let run: u32 = std::env::var(RUN_ENV).unwrap().parse().unwrap();
    let mut store = open_store(&dir.join("data"), &key_in(&dir)).unwrap();
    let me = author();
    let mut out = std::io::stdout().lock();
    // The harness has printed "test <name> ... " without a newline: start a line of our own.
    writeln!(out, "\nopen").unwrap();
    out.flush().unwrap();
    // Bounded, in case the parent is gone.
    for n in 0..1_000 {
        store
            .edit_case(&me, &id, |c| {
                c.add_journal_entry(entry(&text(run, n), "2026-01-01"))
            })
            .unwrap();
        writeln!(out, "ack {n}").unwrap();
        out.flush().unwrap();
    }
}

/// Start the child, kill it after `acks` acknowledgements plus `delay`; return every
/// acknowledged entry number (including acks printed before the kill but read after it).
fn crash_once(dir: &Path, id: &CaseId, run: u32, acks: u64, delay: Duration) -> Vec<u64> {
    let stderr_path = dir.join(format!("child-{run}.stderr"));
    // This very binary. `/proc/self/exe` still names it when cargo has meanwhile replaced the
    // file on disk (a rebuild in a shared target directory).
    let exe = match Path::new("/proc/self/exe") {
        path if path.exists() => path.to_path_buf(),
        _ => std::env::current_exe().unwrap(),
    };
    let mut child = Command::new(&exe)
        .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .env(CASE_ENV, id.as_str())
        .env(RUN_ENV, run.to_string())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut acked = Vec::new();
    let mut opened = false;
    let mut line = String::new();
    while !(opened && acked.len() as u64 >= acks) {
        line.clear();
        if lines.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!(
                "child ended early: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        parse(&line, &mut opened, &mut acked);
    }
    std::thread::sleep(delay);
    // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no clean close.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "child was killed, not finished");
    let mut rest = String::new();
    lines.read_to_string(&mut rest).unwrap();
    for line in rest.lines() {
        parse(line, &mut opened, &mut acked);
    }
    acked
}

fn parse(line: &str, opened: &mut bool, acked: &mut Vec<u64>) {
    let line = line.trim();
    if line == "open" {
        *opened = true;
    } else if let Some(n) = line.strip_prefix("ack ") {
        acked.push(n.parse().unwrap());
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut rng = Rng::seeded("crash");
    let started = Instant::now();
    // (case, text) of every acknowledged write so far.
    let mut all_acked: Vec<(CaseId, String)> = Vec::new();
    let mut unacked_present = 0;
    let mut id = CaseId::random();
    for run in 0..ITERATIONS {
        // A new case every ten runs keeps the documents (and so the test) small.
        if run % RUNS_PER_CASE == 0 {
            let mut store = open_store(&data, &key_in(dir.path())).unwrap();
            id = new_case(&mut store, &author(), &format!("Client {run}"));
        }
        let acks = rng.range(0, 12);
        let delay = Duration::from_micros(rng.range(0, 4_000));
        let acked = crash_once(dir.path(), &id, run, acks, delay);
        assert_eq!(acked, (0..acked.len() as u64).collect::<Vec<_>>());
        all_acked.extend(acked.iter().map(|n| (id.clone(), text(run, *n))));

        let mut store = open_store(&data, &key_in(dir.path())).unwrap();
        let case = store.open_case(&id).unwrap();
        let mut present: Vec<u64> = case
            .journal
            .values()
            .filter_map(|e| e.text.strip_prefix(&format!("run {run} entry ")))
            .map(|n| n.parse().unwrap())
            .collect();
        present.sort_unstable();
        let n = acked.len() as u64;
        assert!(
            present == (0..n).collect::<Vec<_>>() || present == (0..=n).collect::<Vec<_>>(),
            "run {run}: acknowledged 0..{n}, present {present:?}"
        );
        unacked_present += present.len() - acked.len();
        // The tables agree with the documents.
        let tables = store.dump_query_tables().unwrap();
        store.rebuild().unwrap();
        assert_eq!(store.dump_query_tables().unwrap(), tables, "run {run}");
    }
    // Every write acknowledged in any run is still there.
    let mut store = open_store(&data, &key_in(dir.path())).unwrap();
    for (id, text) in &all_acked {
        let case = store.open_case(id).unwrap();
        assert!(
            case.journal.values().any(|e| e.text == *text),
            "{text} lost"
        );
    }
    assert_eq!(
        store.status().unwrap().case_count,
        u64::from(ITERATIONS.div_ceil(RUNS_PER_CASE))
    );
    eprintln!(
        "crash test: {ITERATIONS} kills, {} acknowledged writes, {unacked_present} \
         unacknowledged writes found stored, {:.1} s",
        all_acked.len(),
        started.elapsed().as_secs_f64()
    );
}
