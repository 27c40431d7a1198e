//! The actions of the workflow ([`Action`]), what they need ([`Need`]),
//! and the reason lists of refusals and archiving.

use serde::{Deserialize, Serialize};

use crate::domain::user::Role;

/// Everything that can happen to a practice in the workflow. The codes are
/// stable: the CLI, the JSON output and the audit trail use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Submit,
    Resubmit,
    Assign,
    Confirm,
    Return,
    Reject,
    SetLevel,
    SendToExperts,
    SendToPublication,
    VoteApprove,
    VoteRevise,
    VoteReject,
    CloseVote,
    ProtocolApprove,
    ProtocolRevise,
    ProtocolReject,
    Verify,
    Publish,
    Refuse,
    OpenActualisation,
    Actualise,
    Archive,
    ReplaceAuthor,
    Delete,
    /// The Модератор АСИ chooses the category of a practice whose author
    /// answered «Я не знаю, что выбрать» in P-7.
    SetCategory,
    /// The author asks for edit access to the published passport (§4.5.5).
    RequestEdit,
    /// The Модератор АСИ grants it (§4.5.6).
    GrantEdit,
    /// An expert-moderator or the coordinator proposes archiving
    /// (§4.2.1.4–4.2.1.5); the Модератор АСИ decides.
    ProposeArchive,
    /// The expert-moderator's yearly audit of a published practice (§4.5.3).
    Audit,
    /// The expert-moderator confirms the experts' points addressed (§4.4.8).
    ConfirmRevisions,
    /// The Модератор АСИ declines an edit request, saying why.
    DeclineEdit,
    /// The Модератор АСИ declines a proposal to archive, saying why.
    DeclineArchive,
}

/// What an action needs besides the actor and the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Comment,
    Document,
    /// One user (`--to LOGIN`).
    User,
    Level,
    /// A reason code from a list.
    Reason,
    /// A category of the catalogue (carried as the reason code).
    Category,
}

impl Need {
    pub fn code(self) -> &'static str {
        match self {
            Self::Comment => "comment",
            Self::Document => "attach",
            Self::User => "to",
            Self::Level => "level",
            Self::Reason => "reason",
            Self::Category => "category",
        }
    }
}

impl Action {
    pub const ALL: [Action; 32] = [
        Self::Submit,
        Self::Resubmit,
        Self::Assign,
        Self::Confirm,
        Self::Return,
        Self::Reject,
        Self::SetLevel,
        Self::SendToExperts,
        Self::SendToPublication,
        Self::VoteApprove,
        Self::VoteRevise,
        Self::VoteReject,
        Self::CloseVote,
        Self::ProtocolApprove,
        Self::ProtocolRevise,
        Self::ProtocolReject,
        Self::Verify,
        Self::Publish,
        Self::Refuse,
        Self::OpenActualisation,
        Self::Actualise,
        Self::Archive,
        Self::ReplaceAuthor,
        Self::Delete,
        Self::SetCategory,
        Self::RequestEdit,
        Self::GrantEdit,
        Self::ProposeArchive,
        Self::Audit,
        Self::ConfirmRevisions,
        Self::DeclineEdit,
        Self::DeclineArchive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Resubmit => "resubmit",
            Self::Assign => "assign",
            Self::Confirm => "confirm",
            Self::Return => "return",
            Self::Reject => "reject",
            Self::SetLevel => "set-level",
            Self::SendToExperts => "send-to-experts",
            Self::SendToPublication => "send-to-publication",
            Self::VoteApprove => "vote-approve",
            Self::VoteRevise => "vote-revise",
            Self::VoteReject => "vote-reject",
            Self::CloseVote => "close-vote",
            Self::ProtocolApprove => "protocol-approve",
            Self::ProtocolRevise => "protocol-revise",
            Self::ProtocolReject => "protocol-reject",
            Self::Verify => "verify",
            Self::Publish => "publish",
            Self::Refuse => "refuse",
            Self::OpenActualisation => "open-actualisation",
            Self::Actualise => "actualise",
            Self::Archive => "archive",
            Self::ReplaceAuthor => "replace-author",
            Self::Delete => "delete",
            Self::SetCategory => "set-category",
            Self::RequestEdit => "request-edit",
            Self::GrantEdit => "grant-edit",
            Self::ProposeArchive => "propose-archive",
            Self::Audit => "audit",
            Self::ConfirmRevisions => "confirm-revisions",
            Self::DeclineEdit => "decline-edit",
            Self::DeclineArchive => "decline-archive",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Submit => "Подать практику",
            Self::Resubmit => "Отправить после доработки",
            Self::Assign => "Назначить эксперта-модератора",
            Self::Confirm => "Подтвердить от региона",
            Self::Return => "Вернуть на доработку",
            Self::Reject => "Отклонить",
            Self::SetLevel => "Установить уровень практики",
            Self::SendToExperts => "Направить на экспертную оценку",
            Self::SendToPublication => "Направить на публикацию (ускоренный порядок)",
            Self::VoteApprove => "Одобрить публикацию",
            Self::VoteRevise => "Направить на доработку",
            Self::VoteReject => "Отказать в публикации",
            Self::CloseVote => "Подвести итоги голосования",
            Self::ProtocolApprove => "Протокол: одобрена",
            Self::ProtocolRevise => "Протокол: на доработку",
            Self::ProtocolReject => "Протокол: отклонена",
            Self::Verify => "Подтвердить верификацию",
            Self::Publish => "Опубликовать",
            Self::Refuse => "Отказать в размещении",
            Self::OpenActualisation => "Открыть актуализацию",
            Self::Actualise => "Завершить актуализацию",
            Self::Archive => "Перевести в «Базу знаний»",
            Self::ReplaceAuthor => "Заменить автора",
            Self::Delete => "Удалить по официальному обращению",
            Self::SetCategory => "Выбрать категорию (автор не выбрал, P-7)",
            Self::RequestEdit => "Запросить доступ к редактированию",
            Self::GrantEdit => "Предоставить автору доступ к редактированию",
            Self::ProposeArchive => "Предложить перевод в «Базу знаний»",
            Self::Audit => "Ежегодный аудит практики",
            Self::ConfirmRevisions => "Подтвердить: замечания экспертов учтены",
            Self::DeclineEdit => "Отклонить запрос на редактирование",
            Self::DeclineArchive => "Отклонить предложение об архивации",
        }
    }

    /// The arguments the action requires.
    pub fn needs(self) -> &'static [Need] {
        match self {
            Self::Return
            | Self::Reject
            | Self::VoteRevise
            | Self::VoteReject
            | Self::OpenActualisation
            | Self::RequestEdit
            | Self::DeclineEdit
            | Self::DeclineArchive => &[Need::Comment],
            Self::Confirm | Self::ProtocolApprove => &[Need::Document],
            Self::ProtocolRevise | Self::ProtocolReject | Self::Delete => {
                &[Need::Document, Need::Comment]
            }
            Self::Assign => &[Need::User],
            Self::ReplaceAuthor => &[Need::User, Need::Comment],
            Self::SetLevel => &[Need::Level],
            Self::SetCategory => &[Need::Category],
            Self::Refuse | Self::Archive | Self::ProposeArchive | Self::Audit => {
                &[Need::Reason, Need::Comment]
            }
            _ => &[],
        }
    }

    /// Whether an optional `--to` list is understood (the experts of a
    /// voting session).
    pub fn takes_users(self) -> bool {
        matches!(
            self,
            Self::SendToExperts
                | Self::ProtocolApprove
                | Self::ProtocolRevise
                | Self::ProtocolReject
        ) || self.needs().contains(&Need::User)
    }

    /// The roles that ever take this action.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Self::Submit | Self::Resubmit | Self::Actualise | Self::RequestEdit => &[Role::Author],
            Self::Assign
            | Self::Publish
            | Self::Refuse
            | Self::Archive
            | Self::ReplaceAuthor
            | Self::Delete
            | Self::SetCategory
            | Self::GrantEdit
            | Self::DeclineEdit
            | Self::DeclineArchive => &[Role::AsiModerator],
            Self::ProposeArchive => &[Role::ExpertModerator, Role::Coordinator],
            Self::Confirm => &[Role::Coordinator],
            Self::Return => &[
                Role::Coordinator,
                Role::ExpertModerator,
                Role::RatingCommittee,
                Role::AsiModerator,
            ],
            Self::Reject => &[
                Role::Coordinator,
                Role::ExpertModerator,
                Role::RatingCommittee,
            ],
            Self::SetLevel
            | Self::CloseVote
            | Self::ProtocolApprove
            | Self::ProtocolRevise
            | Self::ProtocolReject
            | Self::Audit
            | Self::ConfirmRevisions => &[Role::ExpertModerator],
            Self::SendToExperts | Self::SendToPublication => {
                &[Role::ExpertModerator, Role::AsiModerator]
            }
            Self::VoteApprove | Self::VoteRevise | Self::VoteReject => &[Role::Expert],
            Self::Verify => &[Role::RatingCommittee],
            Self::OpenActualisation => {
                &[Role::AsiModerator, Role::ExpertModerator, Role::Coordinator]
            }
        }
    }

    /// The steps of the workflow's internals (requests, proposals, audits,
    /// confirmations): in the history only for those who see the workflow
    /// ([`crate::domain::access::sees_workflow`]).
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            Self::RequestEdit
                | Self::GrantEdit
                | Self::DeclineEdit
                | Self::ProposeArchive
                | Self::DeclineArchive
                | Self::Audit
                | Self::ConfirmRevisions
        )
    }

    pub(super) fn is_vote(self) -> bool {
        matches!(
            self,
            Self::VoteApprove | Self::VoteRevise | Self::VoteReject
        )
    }
}

/// The refusal reasons of §4.1.9 (W-4).
pub const REFUSAL_REASONS: [(&str, &str); 7] = [
    ("requirements", "несоблюдение требований пп. 4.1.6, 4.1.7"),
    (
        "profile",
        "профиль автора заполнен не полностью (контакты, должность, место работы, фото)",
    ),
    (
        "materials",
        "не представлены дополнительные материалы по запросу эксперта-модератора или модератора АСИ",
    ),
    (
        "team",
        "нет команды автора практики (не менее трёх человек)",
    ),
    (
        "recommendations",
        "неоднократное несоблюдение рекомендаций по доработке практики",
    ),
    (
        "duplicate",
        "аналогичная практика уже размещена, преимущества не представлены",
    ),
    (
        "ethics",
        "сведения нарушают нормы этики или законодательство Российской Федерации",
    ),
];

/// The archive reasons of §4.6.1 (W-7).
pub const ARCHIVE_REASONS: [(&str, &str); 7] = [
    (
        "request",
        "аргументированный запрос автора или регионального координатора",
    ),
    (
        "no-actualisation",
        "отказ автора (команды) от актуализации (п. 4.5.4)",
    ),
    ("stopped", "реализация практики в регионе прекращена"),
    (
        "no-demand",
        "нет запроса на внедрение в течение 1 года и более",
    ),
    (
        "criteria",
        "практика больше не соответствует критериям п. 2.1.5",
    ),
    (
        "no-mentor",
        "нет наставника для сопровождения тиражирования",
    ),
    ("better", "появилась обоснованно более эффективная практика"),
];

/// The reason list of an action taking [`Need::Reason`].
pub fn reasons_of(action: Action) -> &'static [(&'static str, &'static str)] {
    match action {
        Action::Refuse => &REFUSAL_REASONS,
        Action::Archive | Action::ProposeArchive => &ARCHIVE_REASONS,
        Action::Audit => &super::AUDIT_RESULTS,
        _ => &[],
    }
}
