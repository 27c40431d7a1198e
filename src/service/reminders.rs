//! The central instance's daily reminders by mail: deadlines near or past
//! (§4.1.9 counts the author's five working days from the mail) and, at
//! the first pass of a year, the region pages waiting for their yearly
//! update (§2.2.3). Sent once a day: the day is recorded in the same
//! commit as the mail.

use std::fmt::Write as _;

use chrono::Datelike as _;

use crate::domain::people::{gets_mail, remind};
use crate::domain::refdata::refdata;
use crate::domain::{Role, User};
use crate::service::{Ctx, ServiceError};
use crate::store::{Mutation, OutMail};

/// Queues today's reminders, unless today's were sent; returns how many
/// messages.
pub fn send(cx: &Ctx<'_>) -> Result<usize, ServiceError> {
    let store = cx.store;
    let today = cx.today();
    let last = store.reminded_on()?;
    if last.is_some_and(|d| d >= today) {
        return Ok(0);
    }
    let new_year = last.is_none_or(|d| d.year() < today.year());
    let summaries: Vec<_> = store.summaries().collect::<Result<_, _>>()?;
    let users: Vec<User> = store.users().collect::<Result<_, _>>()?;
    let mut mail = Vec::new();
    for u in users.iter().filter(|u| gets_mail(u, true)) {
        let alerts: Vec<_> =
            crate::domain::queue::deadline_alerts(u, &summaries, cx.calendar(), today)
                .into_iter()
                .filter(|a| remind(a.3))
                .collect();
        if !alerts.is_empty() {
            let mut body = format!("Здравствуйте, {}!\n\n", u.shown_name());
            for (_, title, due, left) in &alerts {
                let when = match left {
                    l if *l < 0 => format!(
                        "истёк {} — просрочено на {} раб. дн.",
                        due.format("%d.%m.%Y"),
                        -l
                    ),
                    0 => format!("сегодня, {}", due.format("%d.%m.%Y")),
                    _ => format!("завтра, {}", due.format("%d.%m.%Y")),
                };
                let _ = writeln!(body, "«{title}»: срок доработки {when}.");
            }
            body.push_str(
                "\nПрактики — в «Очередях» рабочего места (клавиша o) или: smarteka queue.\n",
            );
            mail.push(OutMail {
                to: u.profile.email.clone(),
                name: u.shown_name().to_owned(),
                subject: "Смартека: сроки доработки практик".to_owned(),
                body,
            });
        }
        if new_year {
            let stale: Vec<&str> = u
                .regions_for(Role::Coordinator)
                .into_iter()
                .filter(|r| {
                    crate::domain::regions::needs_update(
                        store.region_page(r).ok().flatten().as_ref(),
                        today,
                    )
                })
                .collect();
            for r in stale {
                mail.push(OutMail {
                    to: u.profile.email.clone(),
                    name: u.shown_name().to_owned(),
                    subject: "Смартека: обновите страницу региона".to_owned(),
                    body: format!(
                        "Здравствуйте, {}!\n\nСтраница региона «{}» ждёт ежегодного обновления (п. 2.2.3): глава региона, управленческая команда, описание.\n\nВ рабочем месте — «Регионы» (клавиша R), или: smarteka region edit {r} --from ФАЙЛ.json\n",
                        u.shown_name(),
                        refdata().region_name(r)
                    ),
                });
            }
        }
    }
    let n = mail.len();
    let mut m = Mutation::new(
        None,
        "mail.reminders",
        format!("Напоминания за {}: писем {n}", today.format("%d.%m.%Y")),
    )
    .at(cx.now());
    m.mail = mail;
    m.reminded = Some(today);
    store.commit(&m)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::FixedClock;

    #[test]
    fn a_deadline_is_mailed_once_a_day_and_region_pages_once_a_year() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::store::Store::open(dir.path()).expect("store");
        let now = chrono::Utc::now();
        crate::demo::seed_at(&store, 80, 1, now, |_, _| {}).expect("seed");
        let cal = crate::domain::calendar::current();
        // A returned practice: the day before its deadline.
        let s = store
            .summaries()
            .map(|s| s.expect("reads"))
            .find(|s| s.deadline.is_some_and(|d| d > now.date_naive()) && !s.status.is_terminal())
            .expect("a practice with a deadline");
        let due = s.deadline.expect("deadline");
        let mut day = due;
        while cal.working_days_between(day, due) < 1 {
            day = day.pred_opt().expect("a day");
        }
        let clock = FixedClock::on(day);
        let cx = Ctx::new(&store, &clock);
        let sent = send(&cx).expect("sent");
        let mail = store.waiting_mail(500).expect("mail");
        assert_eq!(mail.len(), sent);
        let author = store.user(s.author).expect("reads").expect("author");
        let theirs: Vec<_> = mail
            .iter()
            .filter(|(_, m)| m.to == author.profile.email && m.subject.contains("сроки"))
            .collect();
        assert_eq!(theirs.len(), 1, "{mail:?}");
        assert!(theirs[0].1.body.contains(&s.title), "{}", theirs[0].1.body);
        assert!(theirs[0].1.body.contains("завтра"));
        // The first pass of the year reminds coordinators of their pages.
        assert!(
            mail.iter()
                .any(|(_, m)| m.subject.contains("страницу региона"))
        );
        // Once a day.
        for (k, _) in &mail {
            store.mail_sent(k).expect("sent");
        }
        assert_eq!(send(&cx).expect("again"), 0);
        assert!(store.waiting_mail(10).expect("mail").is_empty());
        // Long past the deadline: no more mail about it.
        let late = FixedClock::on(cal.add_working_days(due, 10));
        send(&Ctx::new(&store, &late)).expect("sent");
        assert!(
            store
                .waiting_mail(500)
                .expect("mail")
                .iter()
                .all(|(_, m)| !m.body.contains(&s.title))
        );
    }
}
