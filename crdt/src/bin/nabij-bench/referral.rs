//! Referral figures on one encrypted store with a team, a partner whose member receives them,
//! and `REFERRALS` referrals sent from as many cases (each with a question):
//!
//! - `referral_send_p50_ms` / `_p95_ms`: `Store::send_referral` until it returns (the gate
//!   checked, the consent record and the referral written together, durable), from the first
//!   `SEND_SAMPLES` sends;
//! - `referral_inbox_5k_ms`: the partner member's "received" inbox with every referral, median of
//!   `INBOX_SAMPLES` (never loads a document); `referral_inbox_sent_5k_ms`: the sender's.

use std::path::Path;
use std::time::Instant;

use nabij_crdt::case::{NewCase, NewQuestion};
use nabij_crdt::date::Date;
use nabij_crdt::referral::{ConsentChoice, Disclose, Ground, ReferralRequest};
use nabij_crdt::store::{Inbox, KeySource, Store};
use nabij_crdt::team::{NewMember, NewPartner};

use super::{Result, ms, progress, quantile};

const SEND_SAMPLES: usize = 300;
const INBOX_SAMPLES: usize = 7;

pub(crate) fn measure(
    start: Instant,
    dir: &Path,
    referrals: usize,
) -> Result<Vec<(&'static str, f64)>> {
    let key = dir.join("store.key");
    let mut store = Store::open(&dir.join("store"), &KeySource::File(key))?;
    store.set_device_key(iroh::SecretKey::generate())?;
    let me = store.start_team(
        "Sociaal Huis",
        NewMember {
            name: "Sara Claes".into(),
            role: "maatschappelijk assistent".into(),
            organisation: None,
        },
    )?;
    let author = store.author(&me)?;
    let (caw, bram) = store.edit_team(&author, &me.team, |t| {
        let caw = t.add_partner(NewPartner {
            name: "CAW".into(),
            services: vec!["budgetbegeleiding".into()],
            themes: vec!["money".into()],
            address: None,
            phone: Some("09 123 45 67".into()),
            opening_hours: None,
            bound_by_secrecy: true,
            ..NewPartner::default()
        })?;
        let bram = t.add_member(
            NewMember {
                name: "Bram Wouters".into(),
                role: "hulpverlener".into(),
                organisation: None,
            },
            false,
        )?;
        t.set_member_partner(&bram, Some(&caw))?;
        Ok((caw, bram))
    })?;
    let mut sends = Vec::with_capacity(SEND_SAMPLES);
    for n in 0..referrals {
        let case = store.create_case(
            &author,
            &me.team,
            NewCase {
                client_name: format!("Cliënt {n}"),
                contact: Some("0470 12 34 56".into()),
                ..NewCase::default()
            },
        )?;
        let question = store.edit_case(&author, &case, |c| {
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Ik kan mijn facturen niet meer betalen.".into(),
            })
        })?;
        let request = ReferralRequest {
            case_id: case,
            question_id: question,
            partner_id: caw.clone(),
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
                question: true,
                ..Disclose::default()
            },
        };
        let t = Instant::now();
        store.send_referral(&me, request)?;
        if sends.len() < SEND_SAMPLES {
            sends.push(ms(t));
        }
        if n % 1000 == 999 {
            progress(start, &format!("referrals: {} sent", n + 1));
        }
    }
    let today = Date::today();
    let inbox = |member: &str, which: fn() -> Inbox| -> Result<Vec<f64>> {
        let mut samples = Vec::with_capacity(INBOX_SAMPLES);
        for _ in 0..INBOX_SAMPLES {
            let t = Instant::now();
            let rows = store.referral_inbox(member, which(), today)?;
            samples.push(ms(t));
            if rows.len() != referrals {
                return Err(format!("inbox holds {} of {referrals}", rows.len()).into());
            }
        }
        Ok(samples)
    };
    let received = inbox(bram.as_str(), || Inbox::Received)?;
    let sent = inbox(me.member.as_str(), || Inbox::Sent)?;
    Ok(vec![
        ("referrals", referrals as f64),
        ("referral_send_p50_ms", quantile(&sends, 0.5)),
        ("referral_send_p95_ms", quantile(&sends, 0.95)),
        ("referral_inbox_5k_ms", quantile(&received, 0.5)),
        ("referral_inbox_sent_5k_ms", quantile(&sent, 0.5)),
    ])
}
