//! The checks of an action's arguments against the records: the grounds
//! of an archiving (§4.6.1), the reason lists, the signers of an offline
//! protocol (§4.4.7–4.4.8).

use chrono::NaiveDate;

use super::action::{Action, reasons_of};
use super::vote::MIN_EXPERTS;
use super::{AUDIT_RESULTS, Args, Context, is_member};
use crate::domain::passport::Practice;
use crate::domain::status::PracticeStatus;
use crate::domain::user::{Role, UserId};

fn today(cx: &Context<'_>) -> NaiveDate {
    cx.now.date_naive()
}

/// §4.6.1: the grounds of an archiving that the records can check. «Нет
/// запроса на внедрение в течение года» needs a year since publication
/// and since the latest application; «отказ от актуализации» needs an
/// actualisation whose deadline has passed.
pub(super) fn archive_grounds(p: &Practice, code: &str, cx: &Context<'_>) -> Result<(), String> {
    match code {
        "no-demand" => {
            let since = [p.published, (cx.last_application)(p.id)]
                .into_iter()
                .flatten()
                .max();
            let Some(since) = since else {
                return Ok(());
            };
            let year_on = since
                .date_naive()
                .checked_add_months(chrono::Months::new(12))
                .unwrap_or(NaiveDate::MAX);
            if today(cx) < year_on {
                let what = if (cx.last_application)(p.id).is_some_and(|a| Some(a) >= p.published) {
                    "последняя заявка на внедрение подана"
                } else {
                    "практика опубликована"
                };
                return Err(format!(
                    "«Нет запроса на внедрение в течение года» — не раньше {}: {what} {} (п. 4.6.1).",
                    year_on.format("%d.%m.%Y"),
                    since.format("%d.%m.%Y")
                ));
            }
            Ok(())
        }
        "no-actualisation" => {
            let missed = p.status == PracticeStatus::Actualisation
                && p.workflow
                    .deadline
                    .as_ref()
                    .is_some_and(|d| d.due < today(cx));
            if missed {
                Ok(())
            } else {
                Err("«Отказ от актуализации» — только когда срок актуализации прошёл, а автор её не завершил (п. 4.5.4).".to_owned())
            }
        }
        _ => Ok(()),
    }
}

/// The reason code of an action taking one, checked against its list.
pub(super) fn reason_code(action: Action, args: &Args) -> Result<&str, String> {
    let list = reasons_of(action);
    let code = args.reason.as_deref().unwrap_or_default();
    if list.iter().any(|(c, _)| *c == code) {
        Ok(code)
    } else {
        let codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
        let what = if action == Action::Audit {
            "итог аудита"
        } else {
            "причину"
        };
        Err(format!("Укажите {what} из списка: {}.", codes.join(", ")))
    }
}

pub(super) fn reason_name(action: Action, code: &str) -> &'static str {
    reasons_of(action)
        .iter()
        .chain(AUDIT_RESULTS.iter())
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| n)
}

/// The experts who signed an offline protocol (§4.4.7–4.4.8): at least
/// three of the category's pool, none of them on the practice's team.
pub(super) fn signers(p: &Practice, args: &Args, cx: &Context<'_>) -> Result<Vec<UserId>, String> {
    let category = p.passport.category_code().unwrap_or_default();
    let mut ids = Vec::new();
    for u in &args.users {
        if u.disabled {
            return Err(format!("Учётная запись «{}» отключена.", u.login));
        }
        if !u.categories_for(Role::Expert).contains(&category) {
            return Err(format!(
                "«{}» не входит в экспертный пул категории «{}»: протокол подписывают эксперты пула.",
                u.login,
                cx.refdata.category_name(category)
            ));
        }
        if is_member(p, u.id) {
            return Err(format!(
                "«{}» — автор или член команды практики и не может её оценивать.",
                u.login
            ));
        }
        if !ids.contains(&u.id) {
            ids.push(u.id);
        }
    }
    if ids.len() < MIN_EXPERTS {
        return Err(format!(
            "Укажите экспертов, подписавших протокол (--to): не менее {MIN_EXPERTS} из пула категории (п. 4.4.8), указано {}.",
            ids.len()
        ));
    }
    Ok(ids)
}
