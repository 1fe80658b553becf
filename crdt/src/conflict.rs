//! Concurrent edits of one field. When two devices set the same field offline (say a phone
//! number), Automerge keeps both values and picks a deterministic winner; Nabij never hides the
//! other one: [`list`] returns every such field with all its values, and [`resolve`] writes the
//! value the worker picked, which replaces them all.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use crate::doc::DocError;
use crate::input::{InputError, Problem};

/// One field with more than one concurrent value.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Map keys from the root to the field, e.g. `["people", "<id>", "contact"]`.
    pub path: Vec<String>,
    /// Every concurrent value, in Automerge's order; the last is the one it shows by default.
    pub values: Vec<ScalarValue>,
}

impl Conflict {
    /// Every value as a worker reads it (text as written, an empty field as empty text), in
    /// the order of [`Conflict::values`].
    pub fn value_texts(&self) -> Vec<String> {
        self.values.iter().map(text).collect()
    }
}

/// Every conflicting scalar field in `doc`.
pub fn list(doc: &AutoCommit) -> Vec<Conflict> {
    let mut found = Vec::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut found);
    found
}

fn walk(doc: &AutoCommit, obj: &ObjId, path: &mut Vec<String>, found: &mut Vec<Conflict>) {
    for key in doc.keys(obj) {
        let values = doc.get_all(obj, key.as_str()).unwrap_or_default();
        path.push(key.clone());
        let scalars: Vec<ScalarValue> = values
            .iter()
            .filter_map(|(v, _)| match v {
                Value::Scalar(s) => Some(s.as_ref().clone()),
                Value::Object(_) => None,
            })
            .collect();
        if values.len() > 1 && scalars.len() == values.len() {
            found.push(Conflict {
                path: path.clone(),
                values: scalars,
            });
        }
        // Descend into the visible map (lists hold only plain values in our schemas).
        if let Some((Value::Object(ObjType::Map), child)) = values.first() {
            walk(doc, child, path, found);
        }
        path.pop();
    }
}

/// Settle the conflict at `path` with the value at `choice` in its current value list.
/// The caller commits the change (it supersedes every concurrent value).
pub fn resolve(doc: &mut AutoCommit, path: &[String], choice: usize) -> Result<(), DocError> {
    let not_found = || InputError::new("conflict", Problem::NotFound);
    let (field, parents) = path.split_last().ok_or_else(not_found)?;
    let mut obj = ROOT;
    for key in parents {
        obj = match doc.get(&obj, key.as_str())? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Err(not_found().into()),
        };
    }
    let values = doc.get_all(&obj, field.as_str())?;
    let chosen = match values.get(choice) {
        Some((Value::Scalar(s), _)) if values.len() > 1 => s.as_ref().clone(),
        _ => return Err(not_found().into()),
    };
    doc.put(&obj, field.as_str(), chosen)?;
    Ok(())
}

/// A conflicting value as text, as the case file shows it (empty for a cleared field).
pub fn text(value: &ScalarValue) -> String {
    match value {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_a_worker_reads_them() {
        let conflict = Conflict {
            path: vec!["contact".into()],
            values: vec![
                ScalarValue::Str("0478 11 22 33".into()),
                ScalarValue::Null,
                ScalarValue::Int(3),
            ],
        };
        assert_eq!(conflict.value_texts(), ["0478 11 22 33", "", "3"]);
    }
}
