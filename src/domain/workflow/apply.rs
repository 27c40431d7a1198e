//! Applying an action: its arguments, the new practice, the transition,
//! the notices, and the deadlines it opens.

use chrono::NaiveDate;

use super::access::check;
use super::action::Action;
use super::grounds::{archive_grounds, reason_code, reason_name, signers};
use super::vote::{Decision, MIN_EXPERTS, Session, Tally, Verdict, Vote};
use super::{
    Args, Audience, Audit, Context, Deadline, Document, Protocol, ProtocolKind, Request, Returned,
    Step, Transition, Workflow, document_kind, is_member,
};
use crate::domain::passport::{Member, Practice, TeamMember};
use crate::domain::refdata::RefData;
use crate::domain::status::PracticeStatus;
use crate::domain::user::{Role, User, UserId};

/// Working days the author has for a revision (§4.1.9) and for an
/// actualisation on request (§4.5.4).
pub const REVISION_DAYS: u32 = 5;

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
            // §4.4.8: the experts' points are worked in, not waved through.
            if r.from == S::ExpertReview && p.revision <= r.revision {
                return Err(format!(
                    "Паспорт не изменён после возврата экспертами на доработку: внесите исправления по замечаниям (п. 4.4.8): «{}».",
                    r.comment
                ));
            }
            wf.deadline = None;
            extra = format!(" (доработка по замечаниям: «{}»)", r.comment);
            if r.from == S::ExpertReview {
                // The expert-moderator compares the points with the changes
                // and confirms them before the practice moves on.
                wf.session = None;
                notify.extend(stage_audience(S::ExpertReview, wf.expert_moderator));
                wf.revisions = Some(r);
            } else {
                to = r.then;
                if r.then != r.from {
                    wf.session = None;
                }
                notify.extend(stage_audience(to, wf.expert_moderator));
            }
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
            // Points not addressed: back again, bound where they were.
            let then = wf.revisions.take().map_or(from, |r| r.then);
            ret(wf, then, &comment);
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
                to = decide(p, wf, &mut ret, cx, &mut extra, None);
                notify.extend(stage_audience(to, wf.expert_moderator));
            } else if let Some(em) = wf.expert_moderator {
                notify = vec![Audience::User(em)];
            } else {
                notify = vec![role_audience(Role::ExpertModerator)];
            }
        }
        Action::CloseVote => {
            to = decide(p, wf, &mut ret, cx, &mut extra, Some(actor.id));
            notify.extend(stage_audience(to, wf.expert_moderator));
        }
        Action::ProtocolApprove | Action::ProtocolRevise | Action::ProtocolReject => {
            let signers = signers(p, args, cx)?;
            let decision = match action {
                Action::ProtocolApprove => {
                    to = after_review(p, cx.refdata);
                    notify.extend(stage_audience(to, None));
                    Decision::Passed
                }
                Action::ProtocolRevise => {
                    comment = need_comment(args, "пункты доработки из протокола")?;
                    ret(wf, after_review(p, cx.refdata), &comment);
                    Decision::PassedAfterRevision
                }
                _ => {
                    comment = need_comment(args, "решение экспертов")?;
                    to = S::Rejected;
                    wf.reason = Some(comment.clone());
                    Decision::Rejected
                }
            };
            wf.session = None;
            extra = format!(": подписали {}", signers.len());
            wf.protocols.push(Protocol {
                kind: ProtocolKind::Offline,
                at: cx.now,
                by: Some(actor.id),
                revision: p.revision,
                experts: signers,
                votes: Vec::new(),
                decision,
                points: comment.clone(),
                document: documents.first().cloned(),
            });
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
            let code = reason_code(action, args)?;
            let name = reason_name(action, code);
            comment = need_comment(args, "обоснование")?;
            if action == Action::Archive {
                archive_grounds(p, code, cx)?;
            }
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
            // A published passport meets every rule of §2.1.5 and app. 2.
            let rcx = crate::domain::rules::Context {
                refdata: cx.refdata,
                year: chrono::Datelike::year(&cx.now),
                level_required: false,
                profile: cx.profile,
            };
            let errors = crate::domain::rules::published_problems(&p.passport, &rcx);
            if !errors.is_empty() {
                return Err(format!(
                    "Актуализацию нельзя завершить: паспорт не отвечает требованиям (п. 2.1.5, прил. 2): {}",
                    errors.join("; ")
                ));
            }
            to = S::Published;
            wf.deadline = None;
            wf.actualised = Some(cx.now);
            notify.push(role_audience(Role::AsiModerator));
        }
        Action::RequestEdit => {
            comment = need_comment(args, "что нужно актуализировать")?;
            wf.edit_request = Some(Request {
                by: actor.id,
                at: cx.now,
                reason: None,
                comment: comment.clone(),
            });
            notify = vec![role_audience(Role::AsiModerator)];
        }
        Action::GrantEdit => {
            let r = wf
                .edit_request
                .take()
                .ok_or("Автор не запрашивал доступ к редактированию (п. 4.5.5).")?;
            to = S::Actualisation;
            wf.deadline = None;
            notify.push(Audience::User(r.by));
            extra = format!(" (запрос автора: «{}»)", r.comment);
        }
        Action::DeclineEdit | Action::DeclineArchive => {
            comment = need_comment(args, "почему отклонено")?;
            let r = if action == Action::DeclineEdit {
                wf.edit_request.take()
            } else {
                wf.archive_proposal.take()
            }
            .ok_or("Отклонять нечего.")?;
            notify = vec![Audience::User(r.by)];
            extra = format!(" (от {}: «{}»)", r.at.format("%d.%m.%Y"), r.comment);
        }
        Action::ProposeArchive => {
            let code = reason_code(action, args)?;
            comment = need_comment(args, "обоснование (п. 4.2.1.5)")?;
            archive_grounds(p, code, cx)?;
            wf.archive_proposal = Some(Request {
                by: actor.id,
                at: cx.now,
                reason: Some(code.to_owned()),
                comment: comment.clone(),
            });
            notify = vec![role_audience(Role::AsiModerator)];
            extra = format!(": {}", reason_name(action, code));
        }
        Action::Audit => {
            let code = reason_code(action, args)?;
            if code != "in-order" {
                comment = need_comment(args, "что найдено при аудите")?;
            }
            let year = chrono::Datelike::year(&cx.now);
            wf.audits.push(Audit {
                year,
                by: actor.id,
                at: cx.now,
                result: code.to_owned(),
                comment: comment.clone(),
            });
            match code {
                "actualise" if from == S::Published => {
                    // §4.5.4: the author actualises on the EM's request.
                    to = S::Actualisation;
                    wf.deadline = Some(deadline(
                        cx,
                        REVISION_DAYS,
                        "актуализация паспорта автором (п. 4.5.4)",
                    ));
                }
                "propose-archive" if wf.archive_proposal.is_none() => {
                    wf.archive_proposal = Some(Request {
                        by: actor.id,
                        at: cx.now,
                        reason: None,
                        comment: comment.clone(),
                    });
                    notify.push(role_audience(Role::AsiModerator));
                }
                _ => notify.clear(),
            }
            extra = format!(" {year}: {}", reason_name(action, code));
        }
        Action::ConfirmRevisions => {
            let r = wf
                .revisions
                .take()
                .ok_or("Нет доработки по замечаниям экспертов, ждущей подтверждения.")?;
            to = r.then;
            wf.session = None;
            notify.extend(stage_audience(to, wf.expert_moderator));
            extra = format!(" (замечания: «{}»)", r.comment);
        }
        Action::ReplaceAuthor => {
            let [new] = args.users.as_slice() else {
                return Err("Укажите нового автора.".to_owned());
            };
            if new.id == p.author {
                return Err("Этот пользователь уже автор практики.".to_owned());
            }
            // §4.1.11, §4.1.3: a representative of the practice's region,
            // from an executive body or its subordinate organisation, who
            // does not judge it.
            if new.disabled {
                return Err(format!("Учётная запись «{}» отключена.", new.login));
            }
            if new.profile.region.as_deref() != p.region() {
                return Err(format!(
                    "Новый автор должен представлять регион практики — «{}».",
                    cx.refdata.region_name(p.region().unwrap_or_default())
                ));
            }
            let may_submit = new
                .profile
                .organisation_kind
                .as_deref()
                .and_then(|k| cx.refdata.organisation_type(k))
                .is_some_and(|t| t.may_submit);
            if !may_submit {
                return Err(format!(
                    "«{}» не из исполнительного органа региона или подведомственной ему организации (п. 4.1.3): укажите это в его профиле.",
                    new.login
                ));
            }
            if wf
                .session
                .as_ref()
                .is_some_and(|s| s.experts.contains(&new.id))
            {
                return Err(format!(
                    "«{}» — эксперт этой практики и не может стать её автором.",
                    new.login
                ));
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
                    TeamMember {
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
        Action::SetCategory => {
            let code = args.reason.as_deref().unwrap_or_default();
            let Some(c) = cx.refdata.category(code) else {
                let codes: Vec<&str> = cx
                    .refdata
                    .categories
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect();
                return Err(format!("Укажите категорию: {}.", codes.join(", ")));
            };
            next.passport.category = Some(crate::domain::passport::CategoryChoice::Known(
                c.code.clone(),
            ));
            next.revision += 1;
            passport_changed = true;
            // The category's expert-moderators now find it.
            notify.push(Audience::Role {
                role: Role::ExpertModerator,
                region: None,
                category: Some(c.code.clone()),
            });
            extra = format!(": «{}»", c.name);
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
    // What waited on the old status no longer does: a request to edit
    // once the passport is open, points and requests once it has left the
    // catalogue (a proposal to archive stays with an archived one: why).
    if to != from {
        match to {
            S::Actualisation => wf.edit_request = None,
            S::Archived => {
                wf.edit_request = None;
                wf.revisions = None;
            }
            S::Rejected | S::Deleted => {
                wf.edit_request = None;
                wf.archive_proposal = None;
                wf.revisions = None;
            }
            _ => {}
        }
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

/// Applies the decision of a session (§4.4.8), records its protocol and
/// returns the new status.
fn decide(
    p: &Practice,
    wf: &mut Workflow,
    ret: &mut impl FnMut(&mut Workflow, PracticeStatus, &str),
    cx: &Context<'_>,
    extra: &mut String,
    by: Option<UserId>,
) -> PracticeStatus {
    let Some(s) = wf.session.clone() else {
        return p.status;
    };
    let t = Tally::of(&s);
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
    let grounds = |v: Verdict| {
        s.votes
            .iter()
            .filter(|x| x.verdict == v)
            .map(|x| x.comment.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    wf.protocols.push(Protocol {
        kind: ProtocolKind::Online,
        at: cx.now,
        by,
        revision: p.revision,
        experts: s.experts.clone(),
        votes: s.votes.clone(),
        decision: d,
        points: match d {
            Decision::Rejected => grounds(Verdict::Reject),
            Decision::Passed => String::new(),
            _ => grounds(Verdict::Revise),
        },
        document: None,
    });
    match d {
        Decision::Passed => after_review(p, cx.refdata),
        Decision::PassedAfterRevision => {
            ret(wf, after_review(p, cx.refdata), &grounds(Verdict::Revise));
            p.status
        }
        Decision::Revise => {
            ret(wf, PracticeStatus::ExpertReview, &grounds(Verdict::Revise));
            p.status
        }
        Decision::Rejected => {
            wf.reason = Some(grounds(Verdict::Reject));
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
