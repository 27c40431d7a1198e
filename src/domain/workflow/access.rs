//! Who acts where: the stages of an action, the role and scope an actor
//! takes it in, and whether it is allowed now.

use super::action::Action;
use super::is_member;
use super::vote::{MIN_EXPERTS, Tally};
use crate::domain::passport::{Practice, Route};
use crate::domain::status::PracticeStatus;
use crate::domain::user::{Role, User};

/// The statuses in workflow order: W-0…W-6, W-7, W-8, W-9.
static STATUSES: [PracticeStatus; 11] = PracticeStatus::ALL;

/// The statuses in which an action can be taken at all.
pub fn stage_of(action: Action) -> &'static [PracticeStatus] {
    use PracticeStatus as S;
    match action {
        Action::Submit => &[S::Draft],
        Action::Assign => &[S::RegionConfirmation, S::Packaging, S::ExpertReview],
        Action::Confirm => &[S::RegionConfirmation],
        // The validation stages W-1…W-4 (a category is chosen there too);
        // rejection up to W-3a.
        Action::Return | Action::Resubmit | Action::SetCategory => &STATUSES[1..6],
        Action::Reject => &STATUSES[1..5],
        Action::SetLevel | Action::SendToExperts => &[S::Packaging, S::ExpertReview],
        Action::SendToPublication => &[S::Packaging],
        Action::VoteApprove
        | Action::VoteRevise
        | Action::VoteReject
        | Action::CloseVote
        | Action::ProtocolApprove
        | Action::ProtocolRevise
        | Action::ProtocolReject
        | Action::ConfirmRevisions => &[S::ExpertReview],
        Action::Verify => &[S::RatingVerification],
        Action::Publish | Action::Refuse => &[S::Publication],
        Action::OpenActualisation
        | Action::RequestEdit
        | Action::GrantEdit
        | Action::DeclineEdit => &[S::Published],
        Action::Actualise => &[S::Actualisation],
        Action::Archive | Action::ProposeArchive | Action::Audit | Action::DeclineArchive => {
            &[S::Published, S::Actualisation]
        }
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
                    "В статусе «{}» это действие выполняет другая роль, не «{}».",
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
        Action::SetCategory
            if p.passport.category != Some(crate::domain::passport::CategoryChoice::DontKnow) =>
        {
            return Err("Категория практики уже выбрана.".to_owned());
        }
        Action::Assign | Action::ReplaceAuthor | Action::Delete | Action::SetCategory => {}
        Action::GrantEdit | Action::DeclineEdit if wf.edit_request.is_none() => {
            return Err("Автор не запрашивал доступ к редактированию (п. 4.5.5).".to_owned());
        }
        Action::RequestEdit if wf.edit_request.is_some() => {
            return Err(
                "Запрос на редактирование уже направлен: его рассматривает модератор АСИ."
                    .to_owned(),
            );
        }
        Action::DeclineArchive if wf.archive_proposal.is_none() => {
            return Err("Перевод в «Базу знаний» никто не предлагал.".to_owned());
        }
        Action::ProposeArchive if wf.archive_proposal.is_some() => {
            return Err(
                "Перевод в «Базу знаний» уже предложен: решение за модератором АСИ.".to_owned(),
            );
        }
        Action::ConfirmRevisions if wf.revisions.is_none() => {
            return Err("Нет доработки по замечаниям экспертов, ждущей подтверждения.".to_owned());
        }
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
    // P-7 «Я не знаю»: no level, experts, assignment or publication before
    // the Модератор АСИ chooses the category.
    if p.passport.category == Some(crate::domain::passport::CategoryChoice::DontKnow)
        && matches!(
            action,
            Action::SetLevel
                | Action::SendToExperts
                | Action::SendToPublication
                | Action::Assign
                | Action::Publish
        )
    {
        return Err(
            "Категория практики не выбрана (P-7 «Я не знаю»): её сначала выбирает модератор АСИ."
                .to_owned(),
        );
    }
    // §4.4.8: the experts' points are confirmed addressed before the
    // practice moves on.
    if wf.revisions.is_some()
        && matches!(
            action,
            Action::SendToExperts
                | Action::CloseVote
                | Action::ProtocolApprove
                | Action::ProtocolRevise
                | Action::ProtocolReject
        )
    {
        return Err(
            "Автор доработал практику по замечаниям экспертов: сначала подтвердите, что они учтены (confirm-revisions), или верните её снова."
                .to_owned(),
        );
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
