//! Access to filling in passports (§4.1.3): the regional coordinator
//! confirms that a registered user works in the region and may author its
//! practices; the Модератор АСИ then grants the access (the «Автор
//! практики» role for that region).

use chrono::{DateTime, Utc};

use super::refdata::RefData;
use super::user::{Role, RoleGrant, User, Verification, profile_problems};

/// The coordinator's confirmation: the target's profile is complete and
/// names the coordinator's region. Returns the updated user.
pub fn verify(
    actor: &User,
    target: &User,
    now: DateTime<Utc>,
    refdata: &RefData,
) -> Result<User, String> {
    if actor.disabled {
        return Err("Учётная запись отключена.".to_owned());
    }
    if !actor.has_role(Role::Coordinator) {
        return Err(
            "Подтверждает пользователя региональный координатор его региона (п. 4.1.3).".to_owned(),
        );
    }
    let Some(region) = target.profile.region.clone() else {
        return Err(format!(
            "В профиле «{}» не указан регион: координатор подтверждает пользователей своего региона.",
            target.login
        ));
    };
    if !actor
        .regions_for(Role::Coordinator)
        .contains(&region.as_str())
    {
        return Err(format!(
            "«{}» работает в регионе «{}», а вы координатор другого региона.",
            target.login,
            refdata.region_name(&region)
        ));
    }
    if target.disabled {
        return Err(format!("Учётная запись «{}» отключена.", target.login));
    }
    if target.regions_for(Role::Author).contains(&region.as_str()) {
        return Err(format!(
            "У «{}» уже есть доступ к паспортам практик региона.",
            target.login
        ));
    }
    let problems = profile_problems(&target.profile);
    if !problems.is_empty() {
        return Err(format!(
            "Профиль «{}» заполнен не полностью: {}.",
            target.login,
            problems.join("; ")
        ));
    }
    let mut next = target.clone();
    next.verified = Some(Verification {
        by: actor.id,
        at: now,
        region,
    });
    Ok(next)
}

/// The Модератор АСИ's grant, after the coordinator's confirmation.
pub fn grant(actor: &User, target: &User) -> Result<User, String> {
    if actor.disabled || !actor.has_role(Role::AsiModerator) {
        return Err(
            "Доступ к заполнению паспорта предоставляет модератор АСИ (п. 4.1.3).".to_owned(),
        );
    }
    let Some(v) = &target.verified else {
        return Err(format!(
            "«{}» ещё не подтверждён региональным координатором (п. 4.1.3).",
            target.login
        ));
    };
    if target
        .regions_for(Role::Author)
        .contains(&v.region.as_str())
    {
        return Err(format!(
            "У «{}» уже есть доступ к паспортам практик региона.",
            target.login
        ));
    }
    let mut next = target.clone();
    next.roles
        .push(RoleGrant::regional(Role::Author, &v.region));
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::user;
    use crate::domain::refdata::refdata;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    #[test]
    fn coordinator_confirms_then_the_asi_grants() {
        let coord = user(2, vec![RoleGrant::regional(Role::Coordinator, "16")]);
        let other = user(3, vec![RoleGrant::regional(Role::Coordinator, "52")]);
        let asi = user(4, vec![RoleGrant::global(Role::AsiModerator)]);
        let newcomer = user(5, vec![]);
        // The ASI cannot grant before the coordinator confirmed.
        let e = grant(&asi, &newcomer).expect_err("not confirmed");
        assert!(e.contains("не подтверждён"), "{e}");
        let e = verify(&other, &newcomer, now(), refdata()).expect_err("another region");
        assert!(e.contains("Республика Татарстан"), "{e}");
        let e = verify(&newcomer, &newcomer, now(), refdata()).expect_err("not a coordinator");
        assert!(e.contains("региональный координатор"), "{e}");
        let mut incomplete = newcomer.clone();
        incomplete.profile.position.clear();
        let e = verify(&coord, &incomplete, now(), refdata()).expect_err("incomplete");
        assert!(e.contains("не полностью"), "{e}");
        let confirmed = verify(&coord, &newcomer, now(), refdata()).expect("confirmed");
        assert_eq!(confirmed.verified.as_ref().map(|v| v.by), Some(coord.id));
        let e = grant(&coord, &confirmed).expect_err("not the ASI");
        assert!(e.contains("модератор АСИ"), "{e}");
        let author = grant(&asi, &confirmed).expect("granted");
        assert_eq!(author.regions_for(Role::Author), ["16"]);
        let e = grant(&asi, &author).expect_err("twice");
        assert!(e.contains("уже есть доступ"), "{e}");
    }
}
