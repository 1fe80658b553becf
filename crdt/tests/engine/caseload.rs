//! The caseload in the engine: a real total however many cases there are, pages that together
//! hold every case once, sorting by name with accents folded, search inside the same filters,
//! sort and paging, the conflicts list, and follow-up groups counted and paged from a given day.

use std::collections::HashSet;
use std::path::Path;

use nabij_crdt::case::{NewCase, NewTask, PersonUpdate};
use nabij_crdt::date::Date;
use nabij_crdt::id::{CaseId, ItemId, MemberId, TeamId};
use nabij_crdt::store::{
    CaseFilter, CaseSort, DATABASE_FILE, DueWhen, KeySource, Store, migration,
};

use super::{author, entry, new_case, open_plain, open_store, send};

#[test]
fn five_thousand_and_three_cases_are_counted_right_and_paged_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let (me, team) = (author(), TeamId::random());
    let ids = nabij_crdt::seed::seed_cases(&mut store, &me, &team, 5_003, 0, 11).unwrap();
    assert_eq!(ids.len(), 5_003);

    let all = CaseFilter::default();
    assert_eq!(store.count_cases(&all).unwrap(), 5_003);
    let first = store
        .case_page(&CaseFilter {
            limit: Some(200),
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!((first.rows.len(), first.total), (200, 5_003));

    // Pages of 1,000 hold every case exactly once; the last page has the 3 left over.
    let mut seen = HashSet::new();
    for page in 0..6 {
        let got = store
            .case_page(&CaseFilter {
                offset: page * 1_000,
                limit: Some(1_000),
                ..CaseFilter::default()
            })
            .unwrap();
        assert_eq!(got.total, 5_003, "page {page}");
        assert_eq!(got.rows.len(), if page == 5 { 3 } else { 1_000 });
        for row in got.rows {
            assert!(seen.insert(row.case_id), "a case on two pages");
        }
    }
    assert_eq!(seen.len(), 5_003);
    // Past the end: no rows, and still the real total.
    let past = store
        .case_page(&CaseFilter {
            offset: 6_000,
            limit: Some(10),
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!((past.rows.len(), past.total), (0, 5_003));

    // Sorted by name, accents and case folded, over page boundaries.
    let by_name = |offset| {
        store
            .case_page(&CaseFilter {
                sort: CaseSort::Name,
                offset,
                limit: Some(2_600),
                ..CaseFilter::default()
            })
            .unwrap()
            .rows
    };
    let names: Vec<String> = by_name(0)
        .into_iter()
        .chain(by_name(2_600))
        .map(|r| r.client_name)
        .collect();
    assert_eq!(names.len(), 5_003);
    let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
    assert!(
        folded.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by folded name"
    );
}

/// Lower case with the accents the seed uses taken off (as a worker reads the list).
fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace(['ç'], "c")
        .replace(['é', 'è', 'ë'], "e")
        .replace(['ş'], "s")
        .replace(['ï', 'ı'], "i")
        .replace(['ö', 'ó'], "o")
        .replace(['ü'], "u")
        .replace(['ń'], "n")
        .replace(['ć'], "c")
        .replace(['ğ'], "g")
        .replace(['ñ'], "n")
        .replace(['ą'], "a")
}

/// A case for `name`, owned by `owner`, with one journal entry per text (dated in order), and
/// closed when `closed`.
fn case_with(
    store: &mut Store,
    who: &nabij_crdt::author::Author,
    owner: Option<&MemberId>,
    name: &str,
    texts: &[(&str, &str)],
    closed: bool,
) -> CaseId {
    let id = store
        .create_case(
            who,
            &TeamId::random(),
            NewCase {
                client_name: name.into(),
                owner: owner.cloned(),
                ..Default::default()
            },
        )
        .unwrap();
    for (text, date) in texts {
        store
            .edit_case(who, &id, |c| {
                let mut e = entry(text, date);
                e.themes = vec!["housing".into()];
                c.add_journal_entry(e)
            })
            .unwrap();
    }
    if closed {
        store
            .edit_case(who, &id, |c| c.close("Opgelost", None))
            .unwrap();
    }
    id
}

#[test]
fn search_keeps_the_status_theme_and_owner_filters_and_the_sort_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_plain(dir.path());
    let me = author();
    let colleague = MemberId::random();
    let open_one = case_with(
        &mut s,
        &me,
        None,
        "Zoë Peeters",
        &[("Huurachterstand besproken", "2026-03-01")],
        false,
    );
    let closed_one = case_with(
        &mut s,
        &me,
        None,
        "Ann Peeters",
        &[("Huurachterstand opgelost", "2026-04-01")],
        true,
    );
    let theirs = case_with(
        &mut s,
        &me,
        Some(&colleague),
        "Élise Peeters",
        &[("Huurachterstand bij de buren", "2026-05-01")],
        false,
    );
    let id = |c: &CaseId| c.to_string();

    let search = |s: &Store, filter: CaseFilter| {
        let page = s.search_cases("huurachter", &filter).unwrap();
        (
            page.total,
            page.hits
                .into_iter()
                .map(|h| h.case.case_id)
                .collect::<Vec<_>>(),
        )
    };
    // No filter: the three, most recent activity first.
    assert_eq!(
        search(&s, CaseFilter::default()),
        (3, vec![id(&theirs), id(&closed_one), id(&open_one)])
    );
    // Status open: the closed case is left out, and the total says so.
    assert_eq!(
        search(
            &s,
            CaseFilter {
                status: Some(nabij_crdt::case::CaseState::Open),
                ..CaseFilter::default()
            }
        ),
        (2, vec![id(&theirs), id(&open_one)])
    );
    // Mine (owner me), open.
    assert_eq!(
        search(
            &s,
            CaseFilter {
                owner: Some(me.member.to_string()),
                status: Some(nabij_crdt::case::CaseState::Open),
                ..CaseFilter::default()
            }
        ),
        (1, vec![id(&open_one)])
    );
    // A theme nobody has: nothing.
    assert_eq!(
        search(
            &s,
            CaseFilter {
                theme: Some("money".into()),
                ..CaseFilter::default()
            }
        ),
        (0, vec![])
    );
    // Sorted by name: Ann, Élise (among the E's), Zoë.
    assert_eq!(
        search(
            &s,
            CaseFilter {
                sort: CaseSort::Name,
                ..CaseFilter::default()
            }
        ),
        (3, vec![id(&closed_one), id(&theirs), id(&open_one)])
    );
    // The snippet shows the matched word; a name match is preferred to a journal match.
    let page = s.search_cases("peeters", &CaseFilter::default()).unwrap();
    assert_eq!(page.total, 3);
    assert!(
        page.hits
            .iter()
            .all(|h| h.field == nabij_crdt::store::HitField::Name),
        "{page:?}"
    );
    let page = s.search_cases("buren", &CaseFilter::default()).unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].field, nabij_crdt::store::HitField::Journal);
    assert!(page.hits[0].snippet.contains("\u{2}buren\u{3}"), "{page:?}");
    // Nothing typed, nothing found; one-letter words are left out (they would match thousands
    // of words), the other words still count.
    assert_eq!(
        s.search_cases("  ", &CaseFilter::default()).unwrap().total,
        0
    );
    assert_eq!(
        s.search_cases("z", &CaseFilter::default()).unwrap().total,
        0
    );
    let page = s.search_cases("zoë p", &CaseFilter::default()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].case.case_id, id(&open_one));
}

#[test]
fn search_pages_past_fifty_hits_and_counts_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let (me, team) = (author(), TeamId::random());
    let ids = nabij_crdt::seed::seed_cases(&mut store, &me, &team, 300, 2, 5).unwrap();
    // Every seeded case has a consent and journal text; "de" is in nearly every entry.
    let everything = store.count_cases(&CaseFilter::default()).unwrap();
    assert_eq!(everything as usize, ids.len());
    let total = store
        .search_cases(
            "de",
            &CaseFilter {
                limit: Some(1),
                ..CaseFilter::default()
            },
        )
        .unwrap()
        .total;
    assert!(
        total > 50,
        "a common word matches more than one page: {total}"
    );
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let page = store
            .search_cases(
                "de",
                &CaseFilter {
                    offset,
                    limit: Some(50),
                    ..CaseFilter::default()
                },
            )
            .unwrap();
        assert_eq!(page.total, total);
        if page.hits.is_empty() {
            break;
        }
        for hit in page.hits {
            assert!(hit.snippet.contains('\u{2}'), "{hit:?}");
            assert!(seen.insert(hit.case.case_id));
        }
        offset += 50;
    }
    assert_eq!(seen.len() as u32, total);
}

#[test]
fn cases_with_conflicts_are_listed_until_settled() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b) = (open_plain(dir_a.path()), open_plain(dir_b.path()));
    let (anna, bart) = (author(), author());
    let id = new_case(&mut a, &anna, "Jan Peeters");
    let _quiet = new_case(&mut a, &anna, "Els Maes");
    assert!(send(&mut a, &mut b, &id));
    let client = ItemId::parse(a.open_case(&id).unwrap().people.keys().next().unwrap()).unwrap();
    for (store, who, contact) in [
        (&mut a, &anna, "0470 22 22 22"),
        (&mut b, &bart, "jan@b.be"),
    ] {
        store
            .edit_case(who, &id, |c| {
                c.update_person(
                    &client,
                    PersonUpdate {
                        contact: Some(contact.into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
    }
    let conflicted = |s: &Store| {
        s.list_cases(&CaseFilter {
            with_conflicts: true,
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.client_name, c.conflicts))
        .collect::<Vec<_>>()
    };
    assert!(conflicted(&a).is_empty(), "no conflict before the merge");
    assert!(send(&mut b, &mut a, &id));
    assert_eq!(conflicted(&a), [("Jan Peeters".to_string(), 1)]);
    let path = a.case_conflicts(&id).unwrap()[0].path.clone();
    a.resolve_case_conflict(&anna, &id, &path, 0).unwrap();
    assert!(conflicted(&a).is_empty(), "settled: off the list");
    // The other device learns it is settled; its rebuilt tables agree.
    assert!(send(&mut a, &mut b, &id));
    assert!(conflicted(&b).is_empty());
    b.rebuild().unwrap();
    assert!(conflicted(&b).is_empty());
}

#[test]
fn an_older_store_gets_its_sort_names_when_opened() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(fixtures.join("store.db"), data.join(DATABASE_FILE)).unwrap();
    let key = tmp.path().join("store.key");
    std::fs::copy(fixtures.join("store.key"), &key).unwrap();
    let store = open_store(&data, &KeySource::File(key)).unwrap();
    assert_eq!(
        store.status().unwrap().schema_version,
        migration::CURRENT_VERSION
    );
    let names = |sort| {
        store
            .list_cases(&CaseFilter {
                sort,
                ..CaseFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|c| c.client_name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(CaseSort::Activity), ["Jan Peeters", "Ayşe Çelik"]);
    assert_eq!(names(CaseSort::Name), ["Ayşe Çelik", "Jan Peeters"]);
}

#[test]
fn follow_up_groups_are_seen_from_the_given_day_with_monday_first_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut s, &me, "Dirk Maes");
    // Wednesday 25 November 2026.
    let wednesday = Date::parse("2026-11-25").unwrap();
    let tasks = [
        ("huurwaarborg", Some("2026-11-24")),
        ("mutualiteit bellen", Some("2026-11-25")),
        ("zondag nog", Some("2026-11-29")),
        ("maandag erna", Some("2026-11-30")),
        ("ooit", None),
    ];
    for (title, due) in tasks {
        s.edit_case(&me, &id, |c| {
            c.add_task(NewTask {
                title: title.into(),
                due: due.map(str::to_string),
                assignee: None,
            })
        })
        .unwrap();
    }
    // 25 more overdue tasks, to page through.
    for day in 1..=25 {
        s.edit_case(&me, &id, |c| {
            c.add_task(NewTask {
                title: format!("oud {day:02}"),
                due: Some(format!("2026-10-{day:02}")),
                assignee: Some(me.member.clone()),
            })
        })
        .unwrap();
    }
    let member = me.member.as_str();
    let groups = s.follow_up(member, wednesday, 10).unwrap();
    let shape: Vec<(DueWhen, u32, usize)> = groups
        .iter()
        .map(|g| (g.when, g.total, g.tasks.len()))
        .collect();
    assert_eq!(
        shape,
        [
            (DueWhen::Overdue, 26, 10),
            (DueWhen::Today, 1, 1),
            (DueWhen::ThisWeek, 1, 1),
            (DueWhen::Later, 1, 1),
            (DueWhen::NoDate, 1, 1),
        ]
    );
    assert_eq!(groups[0].tasks[0].title, "oud 01", "earliest first");
    assert_eq!(groups[1].tasks[0].title, "mutualiteit bellen");
    assert_eq!(groups[2].tasks[0].title, "zondag nog");
    assert_eq!(groups[3].tasks[0].title, "maandag erna");
    // The overdue group, page by page: every task once, the newest overdue last.
    let mut titles = Vec::new();
    for page in 0..3 {
        titles.extend(
            s.follow_up_page(member, wednesday, DueWhen::Overdue, page * 10, 10)
                .unwrap()
                .into_iter()
                .map(|t| t.title),
        );
    }
    assert_eq!(titles.len(), 26);
    assert_eq!(titles.last().map(String::as_str), Some("huurwaarborg"));

    // Seen from Sunday the 29th, nothing is left of this week; Monday is later.
    let sunday = Date::parse("2026-11-29").unwrap();
    let groups = s.follow_up(member, sunday, 10).unwrap();
    let whens: Vec<DueWhen> = groups.iter().map(|g| g.when).collect();
    assert_eq!(
        whens,
        [
            DueWhen::Overdue,
            DueWhen::Today,
            DueWhen::Later,
            DueWhen::NoDate
        ]
    );
    assert_eq!(groups[1].tasks[0].title, "zondag nog");

    // Ticking a task off takes it out of its group.
    let task = ItemId::parse(&groups[1].tasks[0].task_id).unwrap();
    s.edit_case(&me, &id, |c| c.set_task_done(&task, true))
        .unwrap();
    assert_eq!(
        s.follow_up_count(member, sunday, DueWhen::Today).unwrap(),
        0
    );
    // Someone else's tasks are not in my follow-up.
    assert!(
        s.follow_up(MemberId::random().as_str(), sunday, 10)
            .unwrap()
            .is_empty()
    );
}
