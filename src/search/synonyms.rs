//! The catalogue's synonyms (`assets/synonyms.toml`), applied at query
//! time: a query word or phrase of a group also finds the other entries
//! of its group. Entries are kept as word stems, as the index has them.

use std::sync::OnceLock;

use super::analyzer;

#[derive(serde::Deserialize)]
struct File {
    groups: Vec<Vec<String>>,
}

/// Each group: its entries, each as the stems of its words.
pub(super) type Groups = Vec<Vec<Vec<String>>>;

pub(super) fn groups() -> &'static Groups {
    static GROUPS: OnceLock<Groups> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let file: File = toml::from_str(include_str!("../../assets/synonyms.toml"))
            .unwrap_or_else(|e| panic!("assets/synonyms.toml: {e}"));
        let mut ru = analyzer::ru();
        file.groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|entry| analyzer::tokens(&mut ru, entry))
                    .filter(|stems| !stems.is_empty())
                    .collect()
            })
            .collect()
    })
}

/// The longest entry of a group that the stems at the start of `stems`
/// spell: (its length in words, the group).
pub(super) fn matching(stems: &[String]) -> Option<(usize, &'static Vec<Vec<String>>)> {
    let mut best: Option<(usize, &Vec<Vec<String>>)> = None;
    for g in groups() {
        for entry in g {
            let n = entry.len();
            if stems.len() >= n && stems[..n] == entry[..] && best.is_none_or(|(m, _)| n > m) {
                best = Some((n, g));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        analyzer::tokens(&mut analyzer::ru(), text)
    }

    #[test]
    fn word_forms_and_phrases_find_their_group() {
        let (n, g) = matching(&stems("отходов в регионе")).expect("a group");
        assert_eq!(n, 1);
        assert!(g.contains(&stems("мусор")), "{g:?}");
        let (n, g) = matching(&stems("старшего поколения")).expect("a phrase");
        assert_eq!(n, 2);
        assert!(g.contains(&stems("пенсионеры")));
        let (n, _) = matching(&stems("жилищно-коммунальное хозяйство")).expect("ЖКХ");
        assert_eq!(n, 3);
        assert!(matching(&stems("кинокомиссия")).is_none());
        assert!(
            groups().iter().all(|g| g.len() >= 2),
            "a group names two or more"
        );
    }
}
