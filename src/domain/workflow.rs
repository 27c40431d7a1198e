//! The validation workflow of SPEC §4 (§4.1.8–4.1.13, §4.4, §4.5–4.6):
//! who may move a practice from which status to which, with which
//! documents, and what deadlines that opens or closes.
//!
//! [`check`] says whether an actor may take an action now (role, scope,
//! status, the state of the voting session); [`apply`] also checks the
//! action's arguments and returns the new practice with the transition
//! for the audit trail and the notices for the inboxes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::passport::{Level, Member, Practice, Route};
use super::refdata::RefData;
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

/// Working days the author has for a revision (§4.1.9) and for an
/// actualisation on request (§4.5.4).
pub const REVISION_DAYS: u32 = 5;
/// The fewest experts who must assess a practice online (§4.4.8).
pub const MIN_EXPERTS: usize = 3;

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
}

impl Need {
    pub fn code(self) -> &'static str {
        match self {
            Self::Comment => "comment",
            Self::Document => "attach",
            Self::User => "to",
            Self::Level => "level",
            Self::Reason => "reason",
        }
    }
}

impl Action {
    pub const ALL: [Action; 24] = [
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
        }
    }

    /// The arguments the action requires.
    pub fn needs(self) -> &'static [Need] {
        match self {
            Self::Return
            | Self::Reject
            | Self::VoteRevise
            | Self::VoteReject
            | Self::OpenActualisation => &[Need::Comment],
            Self::Confirm | Self::ProtocolApprove => &[Need::Document],
            Self::ProtocolRevise | Self::ProtocolReject | Self::Delete => {
                &[Need::Document, Need::Comment]
            }
            Self::Assign => &[Need::User],
            Self::ReplaceAuthor => &[Need::User, Need::Comment],
            Self::SetLevel => &[Need::Level],
            Self::Refuse | Self::Archive => &[Need::Reason, Need::Comment],
            _ => &[],
        }
    }

    /// Whether an optional `--to` list is understood (the experts of a
    /// voting session).
    pub fn takes_users(self) -> bool {
        self == Self::SendToExperts || self.needs().contains(&Need::User)
    }

    /// The roles that ever take this action.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Self::Submit | Self::Resubmit | Self::Actualise => &[Role::Author],
            Self::Assign
            | Self::Publish
            | Self::Refuse
            | Self::Archive
            | Self::ReplaceAuthor
            | Self::Delete => &[Role::AsiModerator],
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
            | Self::ProtocolReject => &[Role::ExpertModerator],
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

    fn is_vote(self) -> bool {
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
        Action::Archive => &ARCHIVE_REASONS,
        _ => &[],
    }
}

/// The kinds of documents a stage requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// The Agency's request letter (§4.1.8(1), route §3.3).
    RequestLetter,
    /// The protocol of the regional interdepartmental commission.
    CommissionProtocol,
    /// The signed protocol of an offline expert review (§4.4.7).
    ExpertProtocol,
    /// An official request to delete (§4.1.13).
    OfficialRequest,
    /// Replication: a roadmap or other document on the implementation
    /// (§5.3.1.4).
    Roadmap,
    /// Replication: the letter signed by the head of the executive body
    /// (§5.3.1.5).
    OfficialLetter,
    /// Replication: materials and documents made for the implementation.
    Materials,
}

impl DocumentKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::RequestLetter => "Письмо-запрос Агентства",
            Self::CommissionProtocol => "Протокол региональной межведомственной комиссии",
            Self::ExpertProtocol => "Протокол экспертной оценки",
            Self::OfficialRequest => "Официальное обращение об удалении",
            Self::Roadmap => "Дорожная карта",
            Self::OfficialLetter => "Письмо руководителя исполнительного органа",
            Self::Materials => "Материалы о внедрении",
        }
    }
}

/// A file a transition was made with, kept in the blob area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub sha256: String,
    pub name: String,
    pub size: u64,
}

/// The document kind an action requires for a practice.
pub fn document_kind(action: Action, p: &Practice) -> Option<DocumentKind> {
    match action {
        Action::Confirm => Some(
            if matches!(
                p.passport.route,
                Some(Route::AgencyRequest | Route::AgencyProject)
            ) {
                DocumentKind::RequestLetter
            } else {
                DocumentKind::CommissionProtocol
            },
        ),
        Action::ProtocolApprove | Action::ProtocolRevise | Action::ProtocolReject => {
            Some(DocumentKind::ExpertProtocol)
        }
        Action::Delete => Some(DocumentKind::OfficialRequest),
        _ => None,
    }
}

/// An expert's verdict (§4.4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Approve,
    Revise,
    Reject,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Approve => "одобрить",
            Self::Revise => "на доработку",
            Self::Reject => "отказать",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub expert: UserId,
    pub verdict: Verdict,
    /// The concrete points for a revision, or the reasons for a refusal.
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// An online voting session of the expert review (§4.4.7–4.4.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Experts of the category pool asked to assess the practice.
    pub experts: Vec<UserId>,
    pub votes: Vec<Vote>,
    pub opened: DateTime<Utc>,
}

/// What the votes decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// A majority approved and nobody asked for revisions: the next stage.
    Passed,
    /// A majority approved, and some expert asked for revisions: the author
    /// completes them, then the practice moves on without a new vote.
    PassedAfterRevision,
    /// No majority of approvals; revisions asked: back to the author, then
    /// a new vote.
    Revise,
    /// A majority refused.
    Rejected,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Self::Passed => "экспертиза пройдена",
            Self::PassedAfterRevision => "одобрена большинством, требуется доработка по замечаниям",
            Self::Revise => "на доработку, затем повторное голосование",
            Self::Rejected => "отклонена большинством экспертов",
        }
    }
}

/// The count of the votes of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub invited: usize,
    pub voted: usize,
    pub approve: usize,
    pub revise: usize,
    pub reject: usize,
}

impl Tally {
    pub fn of(s: &Session) -> Self {
        let count = |v: Verdict| s.votes.iter().filter(|x| x.verdict == v).count();
        Self {
            invited: s.experts.len(),
            voted: s.votes.len(),
            approve: count(Verdict::Approve),
            revise: count(Verdict::Revise),
            reject: count(Verdict::Reject),
        }
    }

    /// What the votes cast so far decide (§4.4.8): a majority of approvals
    /// among those who voted passes, completed by the revisions any expert
    /// asked for. `None` while fewer than three have voted.
    pub fn decision(&self) -> Option<Decision> {
        if self.voted < MIN_EXPERTS {
            return None;
        }
        Some(if self.approve * 2 > self.voted {
            if self.revise > 0 {
                Decision::PassedAfterRevision
            } else {
                Decision::Passed
            }
        } else if self.reject * 2 > self.voted {
            Decision::Rejected
        } else {
            Decision::Revise
        })
    }

    /// Whether every invited expert has voted.
    pub fn complete(&self) -> bool {
        self.voted >= self.invited
    }
}

/// A return for revision that the author has not answered yet (§4.1.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    /// The stage that returned it.
    pub from: PracticeStatus,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: String,
    /// The passport revision that was returned.
    pub revision: u32,
    /// Where the practice goes once resubmitted.
    pub then: PracticeStatus,
}

/// An open deadline, in working days of the production calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// What is due, in Russian.
    pub what: String,
}

/// The workflow state kept with a practice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// When the practice entered its status.
    pub since: Option<DateTime<Utc>>,
    /// The expert-moderator assigned by the Модератор АСИ.
    pub expert_moderator: Option<UserId>,
    pub returned: Option<Returned>,
    pub session: Option<Session>,
    pub deadline: Option<Deadline>,
    /// Documents of the stages, in the order they were attached.
    pub documents: Vec<Document>,
    /// How many times the practice was returned for revision.
    pub returns: u32,
    /// The reason of a rejection, refusal, archiving or deletion.
    pub reason: Option<String>,
}

/// One step of the audit trail: from, to, comment, documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub action: Action,
    pub from: PracticeStatus,
    pub to: PracticeStatus,
    pub comment: String,
    pub documents: Vec<Document>,
    /// The passport revision at the transition.
    pub revision: u32,
    /// A deadline opened by the transition.
    pub deadline: Option<NaiveDate>,
}

/// Who should hear of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    User(UserId),
    /// Holders of a role, within a region or category where given.
    Role {
        role: Role,
        region: Option<String>,
        category: Option<String>,
    },
}

impl Audience {
    /// Whether a user belongs to the audience.
    pub fn includes(&self, u: &User) -> bool {
        match self {
            Self::User(id) => u.id == *id,
            Self::Role {
                role,
                region,
                category,
            } => {
                !u.disabled
                    && u.grants(*role).any(|g| {
                        region
                            .as_ref()
                            .is_none_or(|r| g.region.as_deref() == Some(r.as_str()))
                            && category
                                .as_ref()
                                .is_none_or(|c| g.categories.iter().any(|x| x == c))
                    })
            }
        }
    }
}

/// The arguments of an action.
#[derive(Debug, Clone, Default)]
pub struct Args {
    pub comment: String,
    pub documents: Vec<Document>,
    pub users: Vec<User>,
    pub level: Option<Level>,
    pub reason: Option<String>,
}

/// What the workflow needs beyond the actor and the practice.
pub struct Context<'a> {
    pub refdata: &'a RefData,
    pub calendar: &'a Calendar,
    pub now: DateTime<Utc>,
    /// The experts of a category pool.
    pub pool: &'a dyn Fn(&str) -> Vec<User>,
}

/// The result of an allowed action.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub practice: Practice,
    pub transition: Transition,
    pub summary: String,
    pub notify: Vec<Audience>,
    /// The passport changed (the level was set).
    pub passport_changed: bool,
}

fn is_member(p: &Practice, u: UserId) -> bool {
    p.author == u || p.passport.team.iter().any(|m| m.member == Member::User(u))
}

fn today(cx: &Context<'_>) -> NaiveDate {
    cx.now.date_naive()
}

/// The status after the expert review: the rating committee for practices
/// tagged with investment-rating indicators (W-3a), else publication.
pub fn after_review(p: &Practice, refdata: &RefData) -> PracticeStatus {
    if p.passport.has_investment_indicators(refdata) {
        PracticeStatus::RatingVerification
    } else {
        PracticeStatus::Publication
    }
}

/// The statuses in workflow order: W-0…W-6, W-7, W-8, W-9.
static STATUSES: [PracticeStatus; 11] = PracticeStatus::ALL;

/// The statuses in which an action can be taken at all.
pub fn stage_of(action: Action) -> &'static [PracticeStatus] {
    use PracticeStatus as S;
    match action {
        Action::Submit => &[S::Draft],
        Action::Assign => &[S::RegionConfirmation, S::Packaging, S::ExpertReview],
        Action::Confirm => &[S::RegionConfirmation],
        // The validation stages W-1…W-4; rejection up to W-3a.
        Action::Return | Action::Resubmit => &STATUSES[1..6],
        Action::Reject => &STATUSES[1..5],
        Action::SetLevel | Action::SendToExperts => &[S::Packaging, S::ExpertReview],
        Action::SendToPublication => &[S::Packaging],
        Action::VoteApprove
        | Action::VoteRevise
        | Action::VoteReject
        | Action::CloseVote
        | Action::ProtocolApprove
        | Action::ProtocolRevise
        | Action::ProtocolReject => &[S::ExpertReview],
        Action::Verify => &[S::RatingVerification],
        Action::Publish | Action::Refuse => &[S::Publication],
        Action::OpenActualisation => &[S::Published],
        Action::Actualise => &[S::Actualisation],
        Action::Archive => &[S::Published, S::Actualisation],
        // Everything up to the archive; deletion also of rejected ones.
        Action::ReplaceAuthor => &STATUSES[..9],
        Action::Delete => &STATUSES[..10],
    }
}

/// The role an actor takes an action in, with its scope checked; the
/// Russian reason when the actor may not act on this practice at all.
pub fn role_for(actor: &User, action: Action, p: &Practice) -> Result<Role, String> {
    let roles = action.roles();
    let held: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| actor.has_role(*r))
        .collect();
    if held.is_empty() {
        let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        return Err(format!(
            "Это действие выполняет роль: {}.",
            names.join(", ")
        ));
    }
    let status = p.status;
    let mut last = String::new();
    for role in held {
        match scope(actor, role, action, p) {
            Ok(()) => {
                // The stage decides which of the roles acts at it.
                if acts_at(role, action, status) {
                    return Ok(role);
                }
                last = format!(
                    "В статусе «{}» это действие выполняет не роль «{}».",
                    status.name(),
                    role.name()
                );
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Which role acts at which stage for the shared actions.
fn acts_at(role: Role, action: Action, status: PracticeStatus) -> bool {
    use PracticeStatus as S;
    match action {
        Action::Return => matches!(
            (role, status),
            (Role::Coordinator, S::RegionConfirmation)
                | (Role::ExpertModerator, S::Packaging | S::ExpertReview)
                | (Role::RatingCommittee, S::RatingVerification)
                | (Role::AsiModerator, S::Publication)
        ),
        Action::Reject => matches!(
            (role, status),
            (Role::Coordinator, S::RegionConfirmation)
                | (Role::ExpertModerator, S::Packaging | S::ExpertReview)
                | (Role::RatingCommittee, S::RatingVerification)
        ),
        _ => true,
    }
}

fn scope(actor: &User, role: Role, action: Action, p: &Practice) -> Result<(), String> {
    let region = p.region().unwrap_or_default();
    let category = p.passport.category_code().unwrap_or_default();
    match role {
        Role::Author => {
            if p.author == actor.id {
                Ok(())
            } else {
                Err("Это может сделать только автор практики.".to_owned())
            }
        }
        Role::Coordinator => {
            if actor.regions_for(Role::Coordinator).contains(&region) {
                Ok(())
            } else {
                let mine: Vec<&str> = actor
                    .regions_for(Role::Coordinator)
                    .into_iter()
                    .map(|r| crate::domain::refdata::refdata().region_name(r))
                    .collect();
                Err(format!(
                    "Вы региональный координатор региона «{}», а практика региона «{}»: координатор действует только в своём регионе.",
                    mine.join(", "),
                    crate::domain::refdata::refdata().region_name(region)
                ))
            }
        }
        Role::ExpertModerator => {
            if !actor
                .categories_for(Role::ExpertModerator)
                .contains(&category)
            {
                return Err(format!(
                    "Практика категории «{}» не входит в ваши категории эксперта-модератора.",
                    crate::domain::refdata::refdata().category_name(category)
                ));
            }
            match p.workflow.expert_moderator {
                Some(em) if em != actor.id => Err(
                    "Практику ведёт другой эксперт-модератор, назначенный модератором АСИ."
                        .to_owned(),
                ),
                _ => Ok(()),
            }
        }
        Role::Expert => {
            if is_member(p, actor.id) {
                return Err(
                    "Эксперт не оценивает практику, в которой он автор или член команды."
                        .to_owned(),
                );
            }
            match &p.workflow.session {
                Some(s) if s.experts.contains(&actor.id) => Ok(()),
                Some(_) => Err("Вас нет в составе экспертов этого голосования.".to_owned()),
                None => Err("Голосование по практике не открыто.".to_owned()),
            }
            .and_then(|()| {
                if action.is_vote()
                    && p.workflow
                        .session
                        .as_ref()
                        .is_some_and(|s| s.votes.iter().any(|v| v.expert == actor.id))
                {
                    Err("Вы уже проголосовали: каждый эксперт голосует один раз.".to_owned())
                } else {
                    Ok(())
                }
            })
        }
        _ => Ok(()),
    }
}

/// Whether the actor may take the action now, without its arguments; the
/// reason in Russian when not.
pub fn check(actor: &User, p: &Practice, action: Action) -> Result<(), String> {
    use PracticeStatus as S;
    if actor.disabled {
        return Err("Учётная запись отключена.".to_owned());
    }
    if !stage_of(action).contains(&p.status) {
        return Err(format!(
            "В статусе «{}» это действие недоступно.",
            p.status.name()
        ));
    }
    role_for(actor, action, p)?;
    let wf = &p.workflow;
    let returned = wf.returned.as_ref();
    match action {
        Action::Resubmit => {
            if returned.is_none() {
                return Err("Практика не возвращалась на доработку.".to_owned());
            }
        }
        Action::Assign | Action::ReplaceAuthor | Action::Delete => {}
        _ => {
            if returned.is_some() {
                let due = wf
                    .deadline
                    .as_ref()
                    .map(|d| format!(" (срок — {})", d.due.format("%d.%m.%Y")))
                    .unwrap_or_default();
                return Err(format!("Практика на доработке у автора{due}."));
            }
        }
    }
    let session = wf.session.as_ref();
    match action {
        Action::SendToExperts if session.is_some() => {
            return Err("Голосование по практике уже открыто.".to_owned());
        }
        Action::SendToExperts if p.passport.route == Some(Route::Recommendation) => {
            return Err(
                "Практика по рекомендации комиссии Госсовета или федерального органа не проходит экспертную оценку (п. 4.3.2): направьте её на публикацию."
                    .to_owned(),
            );
        }
        Action::SendToPublication if p.passport.route != Some(Route::Recommendation) => {
            return Err(
                "Ускоренный порядок только для практик, рекомендованных комиссией Госсовета или федеральным органом (п. 4.3.2); остальные проходят экспертную оценку (п. 4.3.3)."
                    .to_owned(),
            );
        }
        Action::SendToExperts | Action::SendToPublication if p.passport.level.is_none() => {
            return Err("Сначала установите уровень практики (P-22, п. 2.1.6).".to_owned());
        }
        Action::VoteApprove | Action::VoteRevise | Action::VoteReject if session.is_none() => {
            return Err("Голосование по практике не открыто.".to_owned());
        }
        Action::CloseVote => match session {
            None => return Err("Голосование по практике не открыто.".to_owned()),
            Some(s) => {
                let t = Tally::of(s);
                if t.voted < MIN_EXPERTS {
                    return Err(format!(
                        "Проголосовали {} из {}: для решения нужно не менее {MIN_EXPERTS} оценок (п. 4.4.8).",
                        t.voted, t.invited
                    ));
                }
            }
        },
        Action::ProtocolApprove | Action::ProtocolRevise | Action::ProtocolReject
            if session.is_some_and(|s| !s.votes.is_empty()) =>
        {
            return Err(
                "Идёт онлайн-голосование с поданными голосами: решение принимается по голосам экспертов."
                    .to_owned(),
            );
        }
        Action::Return | Action::Reject
            if p.status == S::ExpertReview && session.is_some_and(|s| !s.votes.is_empty()) =>
        {
            return Err(
                "Идёт онлайн-голосование с поданными голосами: решение принимается по голосам экспертов."
                    .to_owned(),
            );
        }
        _ => {}
    }
    Ok(())
}

/// Every action an actor could take on a practice in their roles, with
/// whether it is allowed now and why not.
pub fn available(actor: &User, p: &Practice) -> Vec<(Action, Result<(), String>)> {
    Action::ALL
        .into_iter()
        .filter(|a| a.roles().iter().any(|r| actor.has_role(*r)))
        .map(|a| (a, check(actor, p, a)))
        .collect()
}

fn need_comment(args: &Args, what: &str) -> Result<String, String> {
    let c = args.comment.trim();
    if c.is_empty() {
        Err(format!("Укажите комментарий: {what}."))
    } else {
        Ok(c.to_owned())
    }
}

fn deadline(cx: &Context<'_>, days: u32, what: &str) -> Deadline {
    Deadline {
        due: cx.calendar.add_working_days(today(cx), days),
        what: what.to_owned(),
    }
}

/// Applies an action: the checks of [`check`], then its arguments.
#[allow(clippy::too_many_lines)] // one arm per action of SPEC §4
pub fn apply(
    actor: &User,
    p: &Practice,
    action: Action,
    args: &Args,
    cx: &Context<'_>,
) -> Result<Step, String> {
    use PracticeStatus as S;
    check(actor, p, action)?;
    let mut next = p.clone();
    next.updated = cx.now;
    let wf = &mut next.workflow;
    let from = p.status;
    let mut to = from;
    let mut comment = args.comment.trim().to_owned();
    let mut notify = vec![Audience::User(p.author)];
    let mut documents = Vec::new();
    let mut passport_changed = false;
    let mut extra = String::new();
    if let Some(kind) = document_kind(action, p) {
        let docs: Vec<Document> = args
            .documents
            .iter()
            .cloned()
            .map(|mut d| {
                d.kind = kind;
                d
            })
            .collect();
        if docs.is_empty() {
            return Err(format!("Приложите документ: {}.", kind.name()));
        }
        documents = docs;
    }
    let region = p.region().map(str::to_owned);
    let category = p.passport.category_code().map(str::to_owned);
    let role_audience = |role: Role| Audience::Role {
        role,
        region: if role == Role::Coordinator {
            region.clone()
        } else {
            None
        },
        category: if matches!(role, Role::ExpertModerator | Role::Expert) {
            category.clone()
        } else {
            None
        },
    };
    let stage_audience = |status: PracticeStatus, em: Option<UserId>| -> Vec<Audience> {
        match status {
            S::RegionConfirmation => vec![role_audience(Role::Coordinator)],
            S::Packaging | S::ExpertReview => match em {
                Some(id) => vec![Audience::User(id)],
                None => vec![
                    role_audience(Role::ExpertModerator),
                    role_audience(Role::AsiModerator),
                ],
            },
            S::RatingVerification => vec![role_audience(Role::RatingCommittee)],
            S::Publication => vec![role_audience(Role::AsiModerator)],
            _ => Vec::new(),
        }
    };
    let mut ret = |wf: &mut Workflow, then: PracticeStatus, comment: &str| {
        wf.returned = Some(Returned {
            from,
            by: actor.id,
            at: cx.now,
            comment: comment.to_owned(),
            revision: p.revision,
            then,
        });
        wf.returns += 1;
        wf.deadline = Some(deadline(
            cx,
            REVISION_DAYS,
            "доработка практики автором (п. 4.1.9)",
        ));
    };
    match action {
        Action::Submit => {
            return Err(
                "Подача выполняется проверкой паспорта: используйте «Подать практику».".to_owned(),
            );
        }
        Action::Resubmit => {
            let r = wf
                .returned
                .take()
                .ok_or("Практика не возвращалась на доработку.")?;
            wf.deadline = None;
            to = r.then;
            if r.then != r.from {
                wf.session = None;
            }
            if to == S::ExpertReview {
                // A new vote on the revised passport.
                wf.session = None;
            }
            notify.extend(stage_audience(to, wf.expert_moderator));
            extra = format!(" (доработка по замечаниям: «{}»)", r.comment);
        }
        Action::Assign => {
            let [em] = args.users.as_slice() else {
                return Err("Укажите одного эксперта-модератора.".to_owned());
            };
            if !em
                .categories_for(Role::ExpertModerator)
                .contains(&category.as_deref().unwrap_or_default())
            {
                return Err(format!(
                    "Пользователь «{}» не эксперт-модератор категории «{}».",
                    em.login,
                    cx.refdata
                        .category_name(category.as_deref().unwrap_or_default())
                ));
            }
            wf.expert_moderator = Some(em.id);
            notify.push(Audience::User(em.id));
            extra = format!(": {}", display_name(em));
        }
        Action::Confirm => {
            to = S::Packaging;
            notify.extend(stage_audience(to, wf.expert_moderator));
            notify.push(role_audience(Role::AsiModerator));
        }
        Action::Return => {
            comment = need_comment(args, "что доработать")?;
            ret(wf, from, &comment);
        }
        Action::Reject => {
            comment = need_comment(args, "причина отклонения")?;
            to = S::Rejected;
            wf.reason = Some(comment.clone());
            wf.deadline = None;
        }
        Action::SetLevel => {
            let level = args.level.ok_or("Укажите уровень практики: 1, 2 или 3.")?;
            if next.passport.level == Some(level) {
                return Err(format!("Уровень уже установлен: {}.", level.name()));
            }
            next.passport.level = Some(level);
            next.revision += 1;
            passport_changed = true;
            extra = format!(": {} — {}", level.number(), level.name());
        }
        Action::SendToExperts => {
            let experts: Vec<User> = if args.users.is_empty() {
                (cx.pool)(category.as_deref().unwrap_or_default())
                    .into_iter()
                    .filter(|u| !u.disabled && !is_member(p, u.id))
                    .collect()
            } else {
                args.users.clone()
            };
            for u in &experts {
                if !u
                    .categories_for(Role::Expert)
                    .contains(&category.as_deref().unwrap_or_default())
                {
                    return Err(format!(
                        "«{}» не входит в экспертный пул категории «{}».",
                        u.login,
                        cx.refdata
                            .category_name(category.as_deref().unwrap_or_default())
                    ));
                }
                if is_member(p, u.id) {
                    return Err(format!(
                        "«{}» — автор или член команды практики и не может её оценивать.",
                        u.login
                    ));
                }
            }
            let mut ids: Vec<UserId> = experts.iter().map(|u| u.id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < MIN_EXPERTS {
                return Err(format!(
                    "Для экспертной оценки нужно не менее {MIN_EXPERTS} экспертов пула категории (п. 4.4.8), доступно {}.",
                    ids.len()
                ));
            }
            to = S::ExpertReview;
            wf.session = Some(Session {
                experts: ids.clone(),
                votes: Vec::new(),
                opened: cx.now,
            });
            notify.extend(ids.iter().map(|id| Audience::User(*id)));
            extra = format!(": экспертов — {}", ids.len());
        }
        Action::SendToPublication => {
            to = after_review(p, cx.refdata);
            notify.extend(stage_audience(to, None));
        }
        Action::VoteApprove | Action::VoteRevise | Action::VoteReject => {
            let verdict = match action {
                Action::VoteApprove => Verdict::Approve,
                Action::VoteRevise => {
                    comment = need_comment(args, "конкретные пункты доработки")?;
                    Verdict::Revise
                }
                _ => {
                    comment = need_comment(args, "почему практика не соответствует критериям")?;
                    Verdict::Reject
                }
            };
            let s = wf
                .session
                .as_mut()
                .ok_or("Голосование по практике не открыто.")?;
            s.votes.push(Vote {
                expert: actor.id,
                verdict,
                comment: comment.clone(),
                at: cx.now,
            });
            let t = Tally::of(s);
            extra = format!(": голосов {} из {}", t.voted, t.invited);
            if t.complete() {
                to = decide(p, wf, &mut ret, cx, &mut extra);
                notify.extend(stage_audience(to, wf.expert_moderator));
            } else if let Some(em) = wf.expert_moderator {
                notify = vec![Audience::User(em)];
            } else {
                notify = vec![role_audience(Role::ExpertModerator)];
            }
        }
        Action::CloseVote => {
            to = decide(p, wf, &mut ret, cx, &mut extra);
            notify.extend(stage_audience(to, wf.expert_moderator));
        }
        Action::ProtocolApprove => {
            to = after_review(p, cx.refdata);
            wf.session = None;
            notify.extend(stage_audience(to, None));
        }
        Action::ProtocolRevise => {
            comment = need_comment(args, "пункты доработки из протокола")?;
            wf.session = None;
            ret(wf, after_review(p, cx.refdata), &comment);
        }
        Action::ProtocolReject => {
            comment = need_comment(args, "решение экспертов")?;
            wf.session = None;
            to = S::Rejected;
            wf.reason = Some(comment.clone());
        }
        Action::Verify => {
            to = S::Publication;
            notify.extend(stage_audience(to, None));
        }
        Action::Publish => {
            to = S::Published;
            next.published = Some(cx.now);
            notify.extend(p.passport.team.iter().filter_map(|m| match m.member {
                Member::User(id) => Some(Audience::User(id)),
                Member::Invited(_) => None,
            }));
            notify.push(role_audience(Role::Coordinator));
        }
        Action::Refuse | Action::Archive => {
            let list = reasons_of(action);
            let code = args.reason.as_deref().unwrap_or_default();
            let Some((_, name)) = list.iter().find(|(c, _)| *c == code) else {
                let codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
                return Err(format!("Укажите причину из списка: {}.", codes.join(", ")));
            };
            comment = need_comment(args, "обоснование")?;
            to = if action == Action::Refuse {
                S::Rejected
            } else {
                S::Archived
            };
            wf.reason = Some(format!("{name}. {comment}"));
            wf.deadline = None;
            extra = format!(": {name}");
            notify.push(role_audience(Role::Coordinator));
        }
        Action::OpenActualisation => {
            comment = need_comment(args, "что актуализировать")?;
            to = S::Actualisation;
            wf.deadline = Some(deadline(
                cx,
                REVISION_DAYS,
                "актуализация паспорта автором (п. 4.5.4)",
            ));
        }
        Action::Actualise => {
            to = S::Published;
            wf.deadline = None;
            notify.push(role_audience(Role::AsiModerator));
        }
        Action::ReplaceAuthor => {
            let [new] = args.users.as_slice() else {
                return Err("Укажите нового автора.".to_owned());
            };
            if new.id == p.author {
                return Err("Этот пользователь уже автор практики.".to_owned());
            }
            comment = need_comment(args, "причина смены автора (п. 4.1.11)")?;
            next.author = new.id;
            if !next
                .passport
                .team
                .iter()
                .any(|m| m.member == Member::User(new.id))
            {
                next.passport.team.insert(
                    0,
                    super::passport::TeamMember {
                        member: Member::User(new.id),
                        mentor: false,
                    },
                );
                next.revision += 1;
                passport_changed = true;
            }
            notify.push(Audience::User(new.id));
            extra = format!(": {}", display_name(new));
        }
        Action::Delete => {
            comment = need_comment(args, "чьё обращение и его реквизиты")?;
            to = S::Deleted;
            wf.reason = Some(comment.clone());
            wf.deadline = None;
            wf.returned = None;
            wf.session = None;
        }
    }
    let wf = &mut next.workflow;
    wf.documents.extend(documents.iter().cloned());
    if to != from {
        next.status = to;
        wf.since = Some(cx.now);
        if to != S::ExpertReview {
            wf.session = None;
        }
    }
    if to == S::Rejected {
        wf.returned = None;
        wf.deadline = None;
    }
    let returned = wf.returned.is_some() && p.workflow.returned.is_none();
    let summary = if returned {
        format!(
            "{}: «{}» — на доработку до {}",
            action.label(),
            from.name(),
            wf.deadline
                .as_ref()
                .map(|d| d.due.format("%d.%m.%Y").to_string())
                .unwrap_or_default()
        )
    } else if to == from {
        format!("{}{extra}", action.label())
    } else {
        format!(
            "{}: «{}» → «{}»{extra}",
            action.label(),
            from.name(),
            to.name()
        )
    };
    notify.retain(|a| *a != Audience::User(actor.id));
    notify.dedup();
    Ok(Step {
        transition: Transition {
            action,
            from,
            to,
            comment,
            documents,
            revision: next.revision,
            deadline: if returned || action == Action::OpenActualisation {
                wf.deadline.as_ref().map(|d| d.due)
            } else {
                None
            },
        },
        practice: next,
        summary,
        notify,
        passport_changed,
    })
}

/// Applies the decision of a session (§4.4.8) and returns the new status.
fn decide(
    p: &Practice,
    wf: &mut Workflow,
    ret: &mut impl FnMut(&mut Workflow, PracticeStatus, &str),
    cx: &Context<'_>,
    extra: &mut String,
) -> PracticeStatus {
    let Some(s) = wf.session.clone() else {
        return p.status;
    };
    let t = Tally::of(&s);
    let points = || {
        s.votes
            .iter()
            .filter(|v| v.verdict == Verdict::Revise)
            .map(|v| v.comment.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let Some(d) = t.decision() else {
        return p.status;
    };
    *extra = format!(
        ": за — {}, доработка — {}, против — {}; {}",
        t.approve,
        t.revise,
        t.reject,
        d.name()
    );
    match d {
        Decision::Passed => after_review(p, cx.refdata),
        Decision::PassedAfterRevision => {
            ret(wf, after_review(p, cx.refdata), &points());
            p.status
        }
        Decision::Revise => {
            ret(wf, PracticeStatus::ExpertReview, &points());
            p.status
        }
        Decision::Rejected => {
            wf.reason = Some(
                s.votes
                    .iter()
                    .filter(|v| v.verdict == Verdict::Reject)
                    .map(|v| v.comment.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            PracticeStatus::Rejected
        }
    }
}

fn display_name(u: &User) -> String {
    if u.profile.full_name.trim().is_empty() {
        u.login.clone()
    } else {
        format!("{} ({})", u.profile.full_name, u.login)
    }
}

#[cfg(test)]
mod tests;
