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
        let yearly = yearly_due(u, &summaries, last, today);
        if !yearly.is_empty() {
            let mut body = format!("Здравствуйте, {}!\n\n", u.shown_name());
            for (title, due) in &yearly {
                let when = if *due < today {
                    format!("срок истёк {}", due.format("%d.%m.%Y"))
                } else {
                    format!("срок — {}", due.format("%d.%m.%Y"))
                };
                let _ = writeln!(
                    body,
                    "«{title}»: ежегодная актуализация паспорта (п. 4.5.1), {when}."
                );
            }
            body.push_str(
                "\nЧтобы обновить паспорт, запросите доступ к редактированию: в рабочем месте — действие «Запросить доступ к редактированию» (клавиша a на практике), или: smarteka practice act ID request-edit --comment ТЕКСТ\n",
            );
            mail.push(OutMail {
                to: u.profile.email.clone(),
                name: u.shown_name().to_owned(),
                subject: "Смартека: ежегодная актуализация практик".to_owned(),
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
    mail.extend(crate::service::selections::notices(
        &store.selections()?,
        &users,
        last,
        today,
    ));
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

/// The author's published practices whose yearly actualisation (§4.5.1)
/// came within a month, or went past due, since the last pass: each is
/// mailed once at either point, whatever days the server was down (the
/// first pass, at either point already reached).
fn yearly_due(
    u: &User,
    summaries: &[crate::domain::queue::Summary],
    last: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Vec<(String, chrono::NaiveDate)> {
    // The first pass ever mails whatever is already due or past.
    let since = last.unwrap_or(chrono::NaiveDate::MIN);
    let crossed = |t: chrono::NaiveDate| since < t && t <= today;
    let notice = chrono::Duration::days(crate::domain::workflow::ACTUALISATION_NOTICE_DAYS);
    summaries
        .iter()
        // Being actualised already: nothing to ask for.
        .filter(|s| s.author == u.id && s.status == crate::domain::PracticeStatus::Published)
        .filter_map(|s| {
            let due = s.actualise_by?;
            let soon = crossed(due - notice) && today <= due;
            let past = crossed(due.succ_opt()?);
            (soon || past).then(|| (s.title.clone(), due))
        })
        .collect()
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

    /// §4.5.1: the author hears a month before the yearly actualisation is
    /// due and once it is past, each once.
    #[test]
    fn the_yearly_actualisation_is_mailed_a_month_before_and_when_overdue() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::store::Store::open(dir.path()).expect("store");
        let now = chrono::Utc::now();
        crate::demo::seed_at(&store, 80, 2, now, |_, _| {}).expect("seed");
        let s = store
            .summaries()
            .map(|s| s.expect("reads"))
            .find(|s| {
                s.actualise_by.is_some() && s.status == crate::domain::PracticeStatus::Published
            })
            .expect("a published practice");
        let due = s.actualise_by.expect("due");
        let author = store.user(s.author).expect("reads").expect("author");
        let about = |store: &crate::store::Store| -> Vec<String> {
            let mail = store.waiting_mail(1000).expect("mail");
            for (k, _) in &mail {
                store.mail_sent(k).expect("sent");
            }
            mail.into_iter()
                .filter(|(_, m)| m.to == author.profile.email && m.subject.contains("ежегодная"))
                .map(|(_, m)| m.body)
                .filter(|b| b.contains(&s.title))
                .collect()
        };
        let run = |day: chrono::NaiveDate| {
            let clock = FixedClock::on(day);
            send(&Ctx::new(&store, &clock)).expect("sent");
        };
        run(due - chrono::Duration::days(40));
        assert!(about(&store).is_empty(), "too early");
        // The server was down for the day itself: the next pass catches up.
        run(due - chrono::Duration::days(28));
        let soon = about(&store);
        assert_eq!(soon.len(), 1, "{soon:?}");
        assert!(
            soon[0].contains(&due.format("%d.%m.%Y").to_string()),
            "{}",
            soon[0]
        );
        run(due - chrono::Duration::days(10));
        assert!(about(&store).is_empty(), "once");
        run(due + chrono::Duration::days(1));
        let past = about(&store);
        assert_eq!(past.len(), 1);
        assert!(past[0].contains("истёк"), "{}", past[0]);
        run(due + chrono::Duration::days(2));
        assert!(about(&store).is_empty(), "once overdue");
    }
}
