//! Who may submit on the region's own initiative (SPEC §3, regulation
//! §3.1.1–3.1.2): the leader lists of the latest rating year, imported as
//! CSV each year.

use serde::{Deserialize, Serialize};

use super::refdata::RefData;

/// The grounds of §3.1.1 that make a region eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// TOP-5 of the investment-rating integral index.
    InvestTop5,
    /// TOP-3 growth on an investment-rating factor over three years.
    InvestGrowthTop3,
    /// TOP-10 on a quality-of-life direction.
    QualityTop10,
    /// TOP-10 growth on a quality-of-life factor over three years.
    QualityGrowthTop10,
    /// Carried out an Agency leader project.
    LeaderProject,
    /// Carried out a TOP-100 idea of the forum «Сильные идеи для нового времени».
    ForumTop100,
}

impl Criterion {
    pub const ALL: [Criterion; 6] = [
        Self::InvestTop5,
        Self::InvestGrowthTop3,
        Self::QualityTop10,
        Self::QualityGrowthTop10,
        Self::LeaderProject,
        Self::ForumTop100,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::InvestTop5 => "invest-top5",
            Self::InvestGrowthTop3 => "invest-growth-top3",
            Self::QualityTop10 => "quality-top10",
            Self::QualityGrowthTop10 => "quality-growth-top10",
            Self::LeaderProject => "leader-project",
            Self::ForumTop100 => "forum-top100",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::InvestTop5 => {
                "ТОП-5 интегрального индекса Рейтинга инвестиционной привлекательности"
            }
            Self::InvestGrowthTop3 => {
                "ТОП-3 по росту фактора Рейтинга инвестиционной привлекательности за три года"
            }
            Self::QualityTop10 => "ТОП-10 по направлению Рейтинга качества жизни",
            Self::QualityGrowthTop10 => {
                "ТОП-10 по росту фактора Рейтинга качества жизни за три года"
            }
            Self::LeaderProject => "реализован лидерский проект Агентства",
            Self::ForumTop100 => {
                "реализована идея ТОП-100 форума «Сильные идеи для нового времени»"
            }
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code.trim())
    }

    /// How many regions the list may hold per rating year, where the
    /// regulation fixes it (one integral index: five places).
    pub fn max_per_year(self) -> Option<usize> {
        match self {
            Self::InvestTop5 => Some(5),
            _ => None,
        }
    }
}

/// One line of a leader list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub year: i32,
    pub region: String,
    pub criterion: Criterion,
    /// The factor or direction, or the project's name.
    pub note: String,
}

/// The leader lists are loaded by the Модератор АСИ, who coordinates the
/// platform (§1.9).
pub fn may_import_leaders(user: &super::user::User) -> Result<(), String> {
    if user.has_role(super::user::Role::AsiModerator) && !user.disabled {
        Ok(())
    } else {
        Err("Загружать списки лидеров рейтингов может только модератор АСИ.".to_owned())
    }
}

/// The CSV header the import expects.
pub const CSV_HEADER: &str = "year,region,criterion,note";

/// Parses a leaders CSV: `year,region,criterion,note`, a header line first.
/// `region` is a region code or its full name. Every malformed line is
/// reported with its number; on any error nothing is returned.
pub fn parse_leaders_csv(text: &str, refdata: &RefData) -> Result<Vec<Leader>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h))
            if h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(CSV_HEADER) => {}
        Some((_, h)) => errors.push(format!(
            "строка 1: ожидался заголовок «{CSV_HEADER}», а не «{}»",
            h.trim()
        )),
        None => errors.push("файл пуст".to_owned()),
    }
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols = split_csv_line(line);
        if cols.len() < 3 || cols.len() > 4 {
            errors.push(format!(
                "строка {n}: нужно 3 или 4 поля ({CSV_HEADER}), а их {}",
                cols.len()
            ));
            continue;
        }
        let year = match cols[0].trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errors.push(format!("строка {n}: «{}» — не год", cols[0].trim()));
                continue;
            }
        };
        let Some(region) = refdata.find_region(&cols[1]) else {
            errors.push(format!(
                "строка {n}: неизвестный регион «{}»",
                cols[1].trim()
            ));
            continue;
        };
        let Some(criterion) = Criterion::from_code(&cols[2]) else {
            let codes: Vec<&str> = Criterion::ALL.iter().map(|c| c.code()).collect();
            errors.push(format!(
                "строка {n}: неизвестный критерий «{}»; допустимы: {}",
                cols[2].trim(),
                codes.join(", ")
            ));
            continue;
        };
        out.push(Leader {
            year,
            region: region.code.clone(),
            criterion,
            note: cols.get(3).map(|s| s.trim().to_owned()).unwrap_or_default(),
        });
    }
    for c in Criterion::ALL {
        let Some(max) = c.max_per_year() else {
            continue;
        };
        let mut years: Vec<i32> = out
            .iter()
            .filter(|l| l.criterion == c)
            .map(|l| l.year)
            .collect();
        years.sort_unstable();
        years.dedup();
        for y in years {
            let n = out
                .iter()
                .filter(|l| l.criterion == c && l.year == y)
                .count();
            if n > max {
                errors.push(format!(
                    "{y}: в списке «{}» {n} регионов, а мест {max}",
                    c.name()
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Splits one CSV line; fields may be quoted with `"`, and `""` inside
/// quotes is a quote.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Why a region may submit on its own initiative, per the latest rating
/// year in the lists; or why not, in Russian (§3.1.2).
pub fn own_initiative(
    region: &str,
    leaders: &[Leader],
    refdata: &RefData,
) -> Result<Vec<Criterion>, String> {
    let Some(latest) = leaders.iter().map(|l| l.year).max() else {
        return Err(
            "Списки регионов-лидеров рейтингов не загружены: подача по собственной инициативе проверяется по ним (п. 3.1.1). Обратитесь к модератору АСИ."
                .to_owned(),
        );
    };
    let mut found: Vec<Criterion> = leaders
        .iter()
        .filter(|l| l.year == latest && l.region == region)
        .map(|l| l.criterion)
        .collect();
    found.sort();
    found.dedup();
    if found.is_empty() {
        Err(format!(
            "{} не входит в списки регионов-лидеров рейтингов {latest} года, поэтому не может подать практику по собственной инициативе (п. 3.1.1). Возможна подача по запросу Агентства или по рекомендации комиссии Госсовета.",
            refdata.region_name(region)
        ))
    } else {
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refdata::refdata;

    const CSV: &str = "year,region,criterion,note\n2025,16,invest-top5,\n2025,Москва,quality-top10,Здоровье\n2024,52,invest-top5,\n\"2025\",\"Нижегородская область\",leader-project,\"Проект \"\"Кадры\"\"\"\n";

    #[test]
    fn parses_codes_names_and_quotes() {
        let l = parse_leaders_csv(CSV, refdata()).expect("parses");
        assert_eq!(l.len(), 4);
        assert_eq!(l[1].region, "77");
        assert_eq!(l[3].note, "Проект \"Кадры\"");
        assert_eq!(l[3].criterion, Criterion::LeaderProject);
    }

    #[test]
    fn a_malformed_line_is_reported_with_its_number_and_nothing_imported() {
        let bad =
            format!("{CSV}2025,Атлантида,invest-top5,\nгод,16,invest-top5,\n2025,16,best-region\n");
        let e = parse_leaders_csv(&bad, refdata()).expect_err("refused");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("строка 6:") && e[0].contains("Атлантида"));
        assert!(e[1].starts_with("строка 7:"));
        assert!(e[2].starts_with("строка 8:") && e[2].contains("best-region"));
        assert!(parse_leaders_csv("region,year\n", refdata()).is_err());
        let six: String = std::iter::once("year,region,criterion,note".to_owned())
            .chain(
                ["01", "02", "03", "04", "05", "06"]
                    .iter()
                    .map(|r| format!("2025,{r},invest-top5,")),
            )
            .collect::<Vec<_>>()
            .join("\n");
        let e = parse_leaders_csv(&six, refdata()).expect_err("six in a top-5");
        assert!(e[0].contains("6 регионов"), "{e:?}");
    }

    #[test]
    fn eligibility_uses_the_latest_year() {
        let l = parse_leaders_csv(CSV, refdata()).expect("parses");
        assert_eq!(
            own_initiative("16", &l, refdata()),
            Ok(vec![Criterion::InvestTop5])
        );
        assert!(
            own_initiative("52", &l, refdata()).is_ok(),
            "leader project in 2025"
        );
        let e = own_initiative("54", &l, refdata()).expect_err("not a leader");
        assert!(
            e.contains("Новосибирская область") && e.contains("2025"),
            "{e}"
        );
        let only_old: Vec<Leader> = l.iter().filter(|x| x.year == 2024).cloned().collect();
        assert!(own_initiative("16", &only_old, refdata()).is_err());
        assert!(
            own_initiative("16", &[], refdata())
                .expect_err("no lists")
                .contains("не загружены")
        );
    }
}
