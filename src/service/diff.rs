//! The difference between two revisions of a passport, field by field:
//! texts word by word, lists line by line, attachments by their SHA-256.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::domain::passport::{Field, Material, Passport, Source, changed_fields};
use crate::service::views::{PracticeView, field_texts};

/// A piece of a field's text: kept, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "kebab-case")]
pub enum Piece {
    Same(String),
    Added(String),
    Removed(String),
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    #[serde(serialize_with = "field_id")]
    pub field: Field,
    pub label: &'static str,
    pub pieces: Vec<Piece>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn field_id<S: serde::Serializer>(f: &Field, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&f.id())
}

fn attachment_lines(items: &[Material]) -> String {
    items
        .iter()
        .map(|m| match &m.source {
            Source::File { sha256, name, .. } => {
                format!(
                    "• {}: {name} [{}]\n",
                    m.kind.name(),
                    &sha256[..sha256.len().min(12)]
                )
            }
            Source::Link { url } => format!("• {}: {url}\n", m.kind.name()),
        })
        .collect()
}

fn cover_line(p: &Passport) -> String {
    p.cover.as_ref().map_or_else(
        || "—\n".to_owned(),
        |c| format!("{} [{}]\n", c.name, &c.sha256[..c.sha256.len().min(12)]),
    )
}

fn pieces<'a>(diff: &TextDiff<'a, 'a, 'a, str>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for ch in diff.iter_all_changes() {
        let text = ch.value().to_owned();
        // Runs of the same kind merge into one piece.
        match (ch.tag(), out.last_mut()) {
            (ChangeTag::Equal, Some(Piece::Same(s)))
            | (ChangeTag::Insert, Some(Piece::Added(s)))
            | (ChangeTag::Delete, Some(Piece::Removed(s))) => s.push_str(&text),
            (ChangeTag::Equal, _) => out.push(Piece::Same(text)),
            (ChangeTag::Insert, _) => out.push(Piece::Added(text)),
            (ChangeTag::Delete, _) => out.push(Piece::Removed(text)),
        }
    }
    out
}

/// The fields that differ between `a` and `b`, in passport order.
pub fn diff(a: &PracticeView, b: &PracticeView) -> Vec<FieldDiff> {
    let fields = changed_fields(&a.practice.passport, &b.practice.passport);
    if fields.is_empty() {
        return Vec::new();
    }
    let ta = field_texts(a);
    let tb = field_texts(b);
    let text = |t: &[(Field, String)], f: Field| {
        t.iter()
            .find(|(x, _)| *x == f)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let (pa, pb) = (&a.practice.passport, &b.practice.passport);
    fields
        .into_iter()
        .map(|f| {
            let pieces = match f {
                Field::P9 => {
                    let (x, y) = (
                        attachment_lines(&pa.materials),
                        attachment_lines(&pb.materials),
                    );
                    pieces(&TextDiff::from_lines(&x, &y))
                }
                Field::P21 => {
                    let (x, y) = (
                        attachment_lines(&pa.consents),
                        attachment_lines(&pb.consents),
                    );
                    pieces(&TextDiff::from_lines(&x, &y))
                }
                Field::P10 => {
                    let (x, y) = (cover_line(pa), cover_line(pb));
                    pieces(&TextDiff::from_lines(&x, &y))
                }
                _ => {
                    let (x, y) = (text(&ta, f), text(&tb, f));
                    // A short value (a level, a region, a year) is replaced
                    // whole; texts are compared word by word.
                    let short = |s: &str| !s.contains('\n') && s.chars().count() < 60;
                    if short(&x) && short(&y) {
                        pieces(&TextDiff::from_lines(&x, &y))
                    } else {
                        pieces(&TextDiff::from_words(&x, &y))
                    }
                }
            };
            FieldDiff {
                field: f,
                label: f.label(),
                pieces,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{file, valid};
    use crate::domain::passport::MaterialKind;
    use crate::domain::{Practice, PracticeStatus};
    use chrono::Utc;
    use uuid::Uuid;

    fn view(p: Passport) -> PracticeView {
        PracticeView {
            route_partner: None,
            practice: Practice {
                id: Uuid::nil(),
                status: PracticeStatus::Draft,
                author: Uuid::nil(),
                passport: p,
                revision: 1,
                created: Utc::now(),
                updated: Utc::now(),
                published: None,
                workflow: crate::domain::workflow::Workflow::default(),
            },
            author: "Автор".into(),
            team: Vec::new(),
            replications: Vec::new(),
            life: Vec::new(),
        }
    }

    #[test]
    fn words_and_attachments() {
        let mut a = valid();
        a.goal = "Сократить очереди в поликлиниках региона и время ожидания приёма врача".into();
        let mut b = a.clone();
        b.goal =
            "Сократить длинные очереди в поликлиниках региона и время ожидания приёма врача".into();
        b.year = Some(2024);
        let mut other = file(MaterialKind::Npa, 1000);
        if let Source::File { sha256, .. } = &mut other.source {
            *sha256 = "ab".repeat(32);
        }
        b.materials[0] = other;
        let d = diff(&view(a.clone()), &view(b));
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].field, Field::P2);
        assert!(
            d[0].pieces.contains(&Piece::Added("длинные ".into())),
            "{:?}",
            d[0].pieces
        );
        assert!(d[0].pieces.contains(&Piece::Same("Сократить ".into())));
        assert_eq!(d[1].field, Field::P9);
        // Same name, other content: the hash tells them apart.
        let removed = d[1]
            .pieces
            .iter()
            .any(|p| matches!(p, Piece::Removed(s) if s.contains("[111111111111]")));
        let added = d[1]
            .pieces
            .iter()
            .any(|p| matches!(p, Piece::Added(s) if s.contains("[abababababab]")));
        assert!(removed && added, "{:?}", d[1].pieces);
        // A short value is replaced whole.
        assert_eq!(d[2].field, Field::P23);
        assert!(
            d[2].pieces.contains(&Piece::Added("2024".into())),
            "{:?}",
            d[2].pieces
        );
        assert!(diff(&view(a.clone()), &view(a)).is_empty());
    }
}
