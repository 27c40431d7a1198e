//! Reference data of the regulation: regions and federal districts,
//! categories, levels, cost ranges, ways of implementation, organisation
//! types and rating indicators.
//!
//! The lists are data files in `assets/`, embedded in the binary and parsed
//! once. Parsing is pure; a malformed embedded file is a build defect caught
//! by the tests.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct District {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub district: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub definition: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LevelInfo {
    pub code: u8,
    pub name: String,
    pub definition: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrganisationType {
    pub code: String,
    pub name: String,
    pub may_submit: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub rating: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct RegionsFile {
    district: Vec<District>,
    region: Vec<Region>,
}

#[derive(Debug, Deserialize)]
struct ReferenceFile {
    category: Vec<Category>,
    level: Vec<LevelInfo>,
    cost_range: Vec<Named>,
    implementation_way: Vec<Named>,
    organisation_type: Vec<OrganisationType>,
}

#[derive(Debug, Deserialize)]
struct RatingsFile {
    rating: Vec<Named>,
    indicator: Vec<Indicator>,
}

/// All reference lists, in the order the user sees them.
#[derive(Debug)]
pub struct RefData {
    pub districts: Vec<District>,
    pub regions: Vec<Region>,
    pub categories: Vec<Category>,
    pub levels: Vec<LevelInfo>,
    pub cost_ranges: Vec<Named>,
    pub implementation_ways: Vec<Named>,
    pub organisation_types: Vec<OrganisationType>,
    pub ratings: Vec<Named>,
    pub indicators: Vec<Indicator>,
}

const REGIONS: &str = include_str!("../../assets/regions.toml");
const REFERENCE: &str = include_str!("../../assets/reference.toml");
const RATINGS: &str = include_str!("../../assets/ratings.toml");

impl RefData {
    /// Parses the three reference files.
    pub fn parse(regions: &str, reference: &str, ratings: &str) -> Result<Self, String> {
        let r: RegionsFile = toml::from_str(regions).map_err(|e| format!("regions.toml: {e}"))?;
        let f: ReferenceFile =
            toml::from_str(reference).map_err(|e| format!("reference.toml: {e}"))?;
        let q: RatingsFile = toml::from_str(ratings).map_err(|e| format!("ratings.toml: {e}"))?;
        Ok(Self {
            districts: r.district,
            regions: r.region,
            categories: f.category,
            levels: f.level,
            cost_ranges: f.cost_range,
            implementation_ways: f.implementation_way,
            organisation_types: f.organisation_type,
            ratings: q.rating,
            indicators: q.indicator,
        })
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The region's name, or the code itself when the list no longer has it.
    pub fn region_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.region(code).map_or(code, |r| r.name.as_str())
    }

    pub fn district(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }

    /// The federal district a region belongs to.
    pub fn district_of(&self, region: &str) -> Option<&District> {
        self.region(region).and_then(|r| self.district(&r.district))
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn category_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.category(code).map_or(code, |c| c.name.as_str())
    }

    /// Finds a category by its code or by its Russian name, ignoring case.
    pub fn find_category(&self, text: &str) -> Option<&Category> {
        let t = text.trim().to_lowercase();
        self.categories
            .iter()
            .find(|c| c.code == t || c.name.to_lowercase() == t)
    }

    /// Finds a region by its code or its Russian name, ignoring case and
    /// treating «ё» as «е». When no name equals the text, a region matches
    /// if every word of the text is a whole word of its name («Татарстан»,
    /// «Якутия», «Самарская»); hyphenated parts form one word
    /// («Санкт-Петербург»), brackets and dashes separate words. Such a
    /// match counts only when it is unique: «Марс» or «область» find none.
    pub fn find_region(&self, text: &str) -> Option<&Region> {
        let t = fold(text.trim());
        if t.is_empty() {
            return None;
        }
        if let Some(r) = self
            .regions
            .iter()
            .find(|r| r.code == t || fold(&r.name) == t)
        {
            return Some(r);
        }
        let query = words(&t);
        if query.is_empty() {
            return None;
        }
        let mut found = self.regions.iter().filter(|r| {
            let name = words(&fold(&r.name));
            query.iter().all(|q| name.contains(q))
        });
        match (found.next(), found.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    }

    pub fn level(&self, code: u8) -> Option<&LevelInfo> {
        self.levels.iter().find(|l| l.code == code)
    }

    pub fn cost_range(&self, code: &str) -> Option<&Named> {
        self.cost_ranges.iter().find(|c| c.code == code)
    }

    pub fn implementation_way(&self, code: &str) -> Option<&Named> {
        self.implementation_ways.iter().find(|c| c.code == code)
    }

    pub fn organisation_type(&self, code: &str) -> Option<&OrganisationType> {
        self.organisation_types.iter().find(|c| c.code == code)
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|c| c.code == code)
    }

    pub fn rating(&self, code: &str) -> Option<&Named> {
        self.ratings.iter().find(|c| c.code == code)
    }
}

/// Lower case with «ё» read as «е», for comparing names.
fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// The words of a folded name: runs of letters and digits; hyphens
/// inside a run join its parts into one word («санкт-петербург»), stray
/// ones at its ends are dropped.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| {
            w.split('-')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The reference data embedded in the binary.
pub fn refdata() -> &'static RefData {
    static DATA: OnceLock<RefData> = OnceLock::new();
    DATA.get_or_init(|| {
        RefData::parse(REGIONS, REFERENCE, RATINGS)
            .unwrap_or_else(|e| panic!("embedded reference data is malformed: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_89_subjects_each_in_a_known_district() {
        let d = refdata();
        assert_eq!(d.regions.len(), 89);
        assert_eq!(d.districts.len(), 8);
        for r in &d.regions {
            assert!(d.district(&r.district).is_some(), "{}", r.name);
        }
        let mut codes: Vec<_> = d.regions.iter().map(|r| &r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 89, "region codes are unique");
    }

    #[test]
    fn ten_categories_three_levels() {
        let d = refdata();
        assert_eq!(d.categories.len(), 10);
        assert_eq!(d.levels.len(), 3);
        assert!(d.categories.iter().all(|c| !c.definition.is_empty()));
        assert_eq!(
            d.find_category("здравоохранение").map(|c| c.code.as_str()),
            Some("health")
        );
    }

    #[test]
    fn indicators_belong_to_known_ratings() {
        let d = refdata();
        assert!(d.indicators.iter().any(|i| i.rating == "investment"));
        assert!(d.indicators.iter().any(|i| i.rating == "quality"));
        assert!(d.indicators.iter().all(|i| d.rating(&i.rating).is_some()));
    }

    #[test]
    fn region_lookup_by_name_part() {
        let d = refdata();
        assert_eq!(
            d.find_region("Татарстан").map(|r| r.code.as_str()),
            Some("16")
        );
        assert_eq!(d.find_region("77").map(|r| r.name.as_str()), Some("Москва"));
        // «область» is in dozens of names: not unique, no match.
        assert!(d.find_region("область").is_none());
    }

    #[test]
    fn region_lookup_matches_whole_words_only() {
        let d = refdata();
        let name = |t: &str| d.find_region(t).map(|r| r.name.as_str());
        // «Марс» is only a part of «Самарская»: no region.
        assert_eq!(name("Марс"), None);
        assert_eq!(name("Сама"), None);
        assert_eq!(name("Самарская"), Some("Самарская область"));
        assert_eq!(name("самарская ОБЛАСТЬ"), Some("Самарская область"));
        assert_eq!(name("Татарстан"), Some("Республика Татарстан"));
        // The exact name wins over «Москва» being a word elsewhere.
        assert_eq!(name("Москва"), Some("Москва"));
        assert_eq!(name("Московская"), Some("Московская область"));
        // Brackets and dashes separate words, hyphens do not.
        assert_eq!(name("Якутия"), Some("Республика Саха (Якутия)"));
        assert_eq!(name("(Якутия)"), Some("Республика Саха (Якутия)"));
        assert_eq!(name("Алания"), Some("Республика Северная Осетия — Алания"));
        assert_eq!(name("санкт-петербург"), Some("Санкт-Петербург"));
        assert_eq!(name("Петербург"), None);
        assert_eq!(
            name("Ханты-Мансийский"),
            Some("Ханты-Мансийский автономный округ — Югра")
        );
        assert_eq!(name("Ханты"), None);
        // «ё» and «е» are the same letter.
        assert_eq!(name("ЕВРЕЙСКАЯ"), Some("Еврейская автономная область"));
        let regions = "[[district]]\ncode = \"Ц\"\nname = \"Ц\"\n\n\
            [[region]]\ncode = \"57\"\nname = \"Орёл (город)\"\ndistrict = \"Ц\"\n\n\
            [[region]]\ncode = \"58\"\nname = \"Пенза\"\ndistrict = \"Ц\"\n";
        let small = RefData::parse(regions, REFERENCE, RATINGS).expect("parse");
        for t in ["орел (город)", "Орел", "ОРЁЛ"] {
            assert_eq!(
                small.find_region(t).map(|r| r.code.as_str()),
                Some("57"),
                "{t}"
            );
        }
        assert_eq!(name("Алтай"), Some("Республика Алтай"));
        // Words must all be present; order is free but each must match.
        assert_eq!(name("Республика Марс"), None);
        assert_eq!(name("автономный округ"), None);
        assert_eq!(name(""), None);
        assert_eq!(name("  "), None);
    }
}
