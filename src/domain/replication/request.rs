//! «Хочу внедрить» (R-1, §5.1.1): who may apply, and the new application
//! or every reason it is refused.

use chrono::{DateTime, Utc};

use crate::domain::passport::Practice;
use crate::domain::refdata::RefData;
use crate::domain::status::{PracticeStatus, ReplicationStatus};
use crate::domain::user::{Role, User};

use super::{Application, ApplicationId, EventId};

/// What «Хочу внедрить» states (§5.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The event at which the recipient learned of the practice.
    pub learned_at: String,
    /// The Agency's event, when known.
    pub event: Option<EventId>,
    /// Studied the passport and materials, ready to start and to work with
    /// the moderator and the author.
    pub confirmed: bool,
}

/// The recipient's region, or why they may not apply (§5.1.1).
pub fn recipient_region(actor: &User) -> Result<String, Vec<String>> {
    let Some(region) = actor
        .regions_for(Role::Recipient)
        .first()
        .map(|r| (*r).to_owned())
    else {
        return Err(vec![
            "«Хочу внедрить» доступно реципиенту — представителю исполнительного органа субъекта РФ. Роль «Реципиент» назначает модератор АСИ."
                .to_owned(),
        ]);
    };
    let mut out = Vec::new();
    if !actor.profile.head_of_body {
        out.push("заявку подаёт руководитель профильного исполнительного органа субъекта РФ или подведомственной ему организации (п. 5.1.1): в профиле это не указано".to_owned());
    }
    for (text, what) in [
        (&actor.profile.full_name, "ФИО"),
        (&actor.profile.organisation, "организация"),
        (&actor.profile.position, "должность"),
        (&actor.profile.phone, "телефон"),
        (&actor.profile.email, "электронная почта"),
    ] {
        if text.trim().is_empty() {
            out.push(format!("в профиле не указано: {what} (п. 5.1.1)"));
        }
    }
    if out.is_empty() { Ok(region) } else { Err(out) }
}

/// «Хочу внедрить»: the new application, or every reason it is
/// refused. `open` are the practice's applications so far.
pub fn apply_for(
    actor: &User,
    practice: &Practice,
    req: &Request,
    open: &[Application],
    refdata: &RefData,
    id: ApplicationId,
    now: DateTime<Utc>,
) -> Result<Application, Vec<String>> {
    if actor.disabled {
        return Err(vec!["Учётная запись отключена.".to_owned()]);
    }
    let region = recipient_region(actor)?;
    let mut out = Vec::new();
    if !matches!(
        practice.status,
        PracticeStatus::Published | PracticeStatus::Actualisation
    ) {
        out.push(format!(
            "тиражируются практики основного каталога, а эта в статусе «{}»",
            practice.status.name()
        ));
    }
    let regions = &practice.passport.regions;
    if regions.author.as_deref() == Some(region.as_str()) || regions.others.contains(&region) {
        out.push(format!(
            "практика уже реализована в регионе «{}»",
            refdata.region_name(&region)
        ));
    }
    if open.iter().any(|a| a.is_open_for(practice.id, &region)) {
        out.push(format!(
            "от региона «{}» уже есть заявка на эту практику в работе",
            refdata.region_name(&region)
        ));
    }
    if req.learned_at.trim().is_empty() {
        out.push("укажите, на каком мероприятии вы узнали о практике".to_owned());
    }
    if !req.confirmed {
        out.push("подтвердите, что изучили описание и материалы практики и готовы приступить к внедрению и взаимодействовать с модератором и автором".to_owned());
    }
    if !out.is_empty() {
        return Err(out);
    }
    Ok(Application {
        id,
        practice: practice.id,
        recipient: actor.id,
        region,
        learned_at: req.learned_at.trim().to_owned(),
        event: req.event,
        status: ReplicationStatus::Applied,
        moderator: None,
        applied: now,
        assigned: None,
        contacted: None,
        unanswered: Vec::new(),
        documents: Vec::new(),
        report: None,
        checked: None,
        closed: None,
        outcome: String::new(),
        revision: 1,
        updated: now,
    })
}
