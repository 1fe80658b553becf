//! What proving authorship costs: signing one change (a journal entry added to a seeded case,
//! as every edit does) and verifying it as a receiving device does.

use std::time::Instant;

use nabij_crdt::author::Author;
use nabij_crdt::case::CaseEditor;
use nabij_crdt::id::{MemberId, TeamId};
use nabij_crdt::seed::Seeder;
use nabij_crdt::signature::{Signatures, Verifier};

use super::{Result, quantile};

/// Changes signed and verified.
const SAMPLES: usize = 2000;

/// `sign_verify_change_us` (sign one change, then verify it with a verifier that has not seen
/// the author's key yet: the cost for the first change of a device), and its parts.
pub(crate) fn measure() -> Result<Vec<(&'static str, f64)>> {
    let author = Author::generate(MemberId::random());
    let mut seeder = Seeder::new(0x5161);
    let (_, mut doc) = seeder.case(&author, &TeamId::random(), 0)?;
    let mut changes = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let entry = seeder.journal_entry(None);
        author.begin(&mut doc);
        CaseEditor::new(&mut doc, &author).add_journal_entry(entry)?;
        author.commit(&mut doc);
        changes.push(doc.get_last_local_change().ok_or("no change")?);
    }
    let (mut both, mut sign, mut verify, mut cached) = (vec![], vec![], vec![], vec![]);
    let mut warm = Verifier::new();
    for change in &changes {
        let t = Instant::now();
        let signature = author.sign(&change.hash());
        let signed = t.elapsed();
        let signatures: Signatures = [signature].into_iter().collect();
        let t = Instant::now();
        Verifier::new().verify(change, &signatures)?;
        let verified = t.elapsed();
        let t = Instant::now();
        warm.verify(change, &signatures)?;
        cached.push(t.elapsed().as_secs_f64() * 1e6);
        sign.push(signed.as_secs_f64() * 1e6);
        verify.push(verified.as_secs_f64() * 1e6);
        both.push((signed + verified).as_secs_f64() * 1e6);
    }
    Ok(vec![
        ("sign_verify_change_us", quantile(&both, 0.5)),
        ("sign_change_us", quantile(&sign, 0.5)),
        ("verify_change_us", quantile(&verify, 0.5)),
        ("verify_change_known_key_us", quantile(&cached, 0.5)),
    ])
}
