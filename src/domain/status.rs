//! Practice statuses (SPEC §4, W-0…W-9) and replication statuses
//! (SPEC §5, R-1…R-7). Their transitions are decided by the workflow.

use serde::{Deserialize, Serialize};

/// W-0…W-9 (with W-3a) of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PracticeStatus {
    /// W-0 Черновик.
    Draft,
    /// W-1 Подтверждение регионом.
    RegionConfirmation,
    /// W-2 Упаковка.
    Packaging,
    /// W-3 Экспертная оценка.
    ExpertReview,
    /// W-3a Верификация рейтинговым комитетом.
    RatingVerification,
    /// W-4 Публикация.
    Publication,
    /// W-5 Опубликована.
    Published,
    /// W-6 Актуализация.
    Actualisation,
    /// W-7 База знаний (архив).
    Archived,
    /// W-8 Отклонена.
    Rejected,
    /// W-9 Удалена.
    Deleted,
}

impl PracticeStatus {
    pub const ALL: [PracticeStatus; 11] = [
        Self::Draft,
        Self::RegionConfirmation,
        Self::Packaging,
        Self::ExpertReview,
        Self::RatingVerification,
        Self::Publication,
        Self::Published,
        Self::Actualisation,
        Self::Archived,
        Self::Rejected,
        Self::Deleted,
    ];

    /// The requirement id of SPEC §4.
    pub fn id(self) -> &'static str {
        match self {
            Self::Draft => "W-0",
            Self::RegionConfirmation => "W-1",
            Self::Packaging => "W-2",
            Self::ExpertReview => "W-3",
            Self::RatingVerification => "W-3a",
            Self::Publication => "W-4",
            Self::Published => "W-5",
            Self::Actualisation => "W-6",
            Self::Archived => "W-7",
            Self::Rejected => "W-8",
            Self::Deleted => "W-9",
        }
    }

    /// A stable ASCII code (used in facets, JSON and the keymap).
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::RegionConfirmation => "region-confirmation",
            Self::Packaging => "packaging",
            Self::ExpertReview => "expert-review",
            Self::RatingVerification => "rating-verification",
            Self::Publication => "publication",
            Self::Published => "published",
            Self::Actualisation => "actualisation",
            Self::Archived => "archived",
            Self::Rejected => "rejected",
            Self::Deleted => "deleted",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The name the user sees.
    pub fn name(self) -> &'static str {
        match self {
            Self::Draft => "Черновик",
            Self::RegionConfirmation => "Подтверждение регионом",
            Self::Packaging => "Упаковка",
            Self::ExpertReview => "Экспертная оценка",
            Self::RatingVerification => "Верификация рейтинговым комитетом",
            Self::Publication => "Публикация",
            Self::Published => "Опубликована",
            Self::Actualisation => "Актуализация",
            Self::Archived => "База знаний",
            Self::Rejected => "Отклонена",
            Self::Deleted => "Удалена",
        }
    }

    /// Finds a status by code or Russian name, ignoring case.
    pub fn find(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == t || s.name().to_lowercase() == t || s.id().to_lowercase() == t)
    }

    /// Published practices (W-5, and W-6 which stays published while the
    /// author actualises it, §4.5) and the archive «База знаний» (W-7,
    /// §2.1.2) are public; everything else is work in progress.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Published | Self::Actualisation | Self::Archived)
    }

    /// The catalogue section a practice is shown in (§2.1.2).
    pub fn section(self) -> Section {
        if self == Self::Archived {
            Section::KnowledgeBase
        } else {
            Section::Main
        }
    }

    /// Terminal statuses: nothing moves a practice out of them.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Rejected | Self::Deleted)
    }
}

/// The two parts of the catalogue (§2.1.1–2.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// The main catalogue of recommended practices.
    #[default]
    Main,
    /// «База знаний», the archive.
    KnowledgeBase,
}

impl Section {
    pub fn code(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::KnowledgeBase => "knowledge-base",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Main => "Основной каталог",
            Self::KnowledgeBase => "База знаний",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Main => Self::KnowledgeBase,
            Self::KnowledgeBase => Self::Main,
        }
    }
}

/// R-1…R-7 of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicationStatus {
    /// R-1 Заявка подана («Хочу внедрить»).
    Applied,
    /// R-2 Назначен модератор внедрения.
    ModeratorAssigned,
    /// R-3 Связь установлена.
    Contacted,
    /// R-4 Внедряется.
    Implementing,
    /// R-5 Внедрено.
    Implemented,
    /// R-6 Отказ реципиента.
    DeclinedByRecipient,
    /// R-7 Отказ Агентства.
    RefusedByAgency,
}

impl ReplicationStatus {
    pub const ALL: [ReplicationStatus; 7] = [
        Self::Applied,
        Self::ModeratorAssigned,
        Self::Contacted,
        Self::Implementing,
        Self::Implemented,
        Self::DeclinedByRecipient,
        Self::RefusedByAgency,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Applied => "R-1",
            Self::ModeratorAssigned => "R-2",
            Self::Contacted => "R-3",
            Self::Implementing => "R-4",
            Self::Implemented => "R-5",
            Self::DeclinedByRecipient => "R-6",
            Self::RefusedByAgency => "R-7",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Applied => "Заявка подана",
            Self::ModeratorAssigned => "Назначен модератор внедрения",
            Self::Contacted => "Связь установлена",
            Self::Implementing => "Внедряется",
            Self::Implemented => "Внедрено",
            Self::DeclinedByRecipient => "Отказ реципиента",
            Self::RefusedByAgency => "Отказ Агентства",
        }
    }

    /// A word for counts in a line: «подано», «внедряется», …
    pub fn short(self) -> &'static str {
        match self {
            Self::Applied => "подано",
            Self::ModeratorAssigned => "назначен модератор",
            Self::Contacted => "связь установлена",
            Self::Implementing => "внедряется",
            Self::Implemented => "внедрено",
            Self::DeclinedByRecipient => "отказ реципиента",
            Self::RefusedByAgency => "отказ Агентства",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Implemented | Self::DeclinedByRecipient | Self::RefusedByAgency
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_have_distinct_ids_codes_and_names() {
        let mut ids: Vec<_> = PracticeStatus::ALL.iter().map(|s| s.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 11);
        for s in PracticeStatus::ALL {
            assert_eq!(PracticeStatus::from_code(s.code()), Some(s));
            assert_eq!(PracticeStatus::find(s.name()), Some(s));
        }
        let r: Vec<_> = ReplicationStatus::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(r, ["R-1", "R-2", "R-3", "R-4", "R-5", "R-6", "R-7"]);
    }

    #[test]
    fn only_published_and_archived_are_public() {
        let public: Vec<_> = PracticeStatus::ALL
            .into_iter()
            .filter(|s| s.is_public())
            .collect();
        assert_eq!(
            public,
            [
                PracticeStatus::Published,
                PracticeStatus::Actualisation,
                PracticeStatus::Archived
            ]
        );
        assert_eq!(PracticeStatus::Archived.section(), Section::KnowledgeBase);
        assert_eq!(PracticeStatus::Draft.section(), Section::Main);
    }
}
