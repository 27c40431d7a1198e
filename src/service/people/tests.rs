use super::*;
use crate::domain::clock::FixedClock;

fn setup() -> (tempfile::TempDir, crate::store::Store, FixedClock) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = crate::store::Store::open(dir.path()).expect("store");
    crate::demo::seed_at(&store, 3, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
    (dir, store, FixedClock::new(chrono::Utc::now()))
}

fn sign_up() -> SignUp {
    SignUp {
        login: "petrova".into(),
        email: "petrova@tatar.ru".into(),
        full_name: "Петрова Анна Сергеевна".into(),
        region: "16".into(),
        consents: ConsentKind::SIGN_UP.to_vec(),
    }
}

fn code_of(mail: &OutMail) -> String {
    mail.body
        .split_whitespace()
        .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
        .expect("a code in the mail")
        .to_owned()
}

#[test]
fn sign_up_mails_a_code_that_confirms_the_address_once() {
    let (_d, store, clock) = setup();
    let cx = Ctx::new(&store, &clock);
    let mut bad = sign_up();
    bad.consents.clear();
    let e = register(&cx, &bad, "длинный-пароль").expect_err("no consents");
    assert_eq!(e.reasons().len(), 3, "{e:?}");
    assert!(register(&cx, &sign_up(), "short").is_err());
    assert_eq!(
        store.waiting_mail(10).expect("mail").len(),
        0,
        "nothing sent"
    );
    let u = register(&cx, &sign_up(), "длинный-пароль").expect("registered");
    assert!(!u.email_verified);
    assert!(
        register(&cx, &sign_up(), "длинный-пароль").is_err(),
        "login taken"
    );
    let mail = store.waiting_mail(10).expect("mail");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].1.to, "petrova@tatar.ru");
    let code = code_of(&mail[0].1);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert!(confirm_email(&cx, "petrova", wrong).is_err());
    let stored = store.user_by_login("petrova").expect("read").expect("kept");
    assert_eq!(stored.code.expect("code").tries, 1);
    let ok = confirm_email(&cx, "petrova", &code).expect("confirmed");
    assert!(ok.email_verified);
    assert!(confirm_email(&cx, "petrova", &code).is_err(), "once");
    // The password is reset by a new code; an unknown login is told
    // nothing different.
    store.mail_sent(&mail[0].0).expect("sent");
    send_code(&cx, "nobody", CodePurpose::ResetPassword).expect("same answer");
    assert!(store.waiting_mail(10).expect("mail").is_empty());
    send_code(&cx, "petrova", CodePurpose::ResetPassword).expect("sent");
    let mail = store.waiting_mail(10).expect("mail");
    let code = code_of(&mail[0].1);
    reset_password(&cx, "petrova", &code, "новый-пароль-1").expect("reset");
    assert!(crate::service::accounts::check(&store, "petrova", "новый-пароль-1").is_ok());
}

#[test]
fn notices_are_mailed_on_the_central_instance_unless_opted_out() {
    let (_d, store, clock) = setup();
    let cx = Ctx::new(&store, &clock);
    let asi = store.user_by_login("asi").expect("read").expect("asi");
    let target = store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let grant = ManageChange::Role {
        add: true,
        role: Role::Recipient,
        region: Some("16".into()),
        categories: vec![],
    };
    store.set_mailing(true);
    let u = manage(&cx, &asi, "author", &grant).expect("granted");
    assert!(u.has_role(Role::Recipient));
    let mail = store.waiting_mail(10).expect("mail");
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].1.body.contains("Реципиент"), "{}", mail[0].1.body);
    store.mail_sent(&mail[0].0).expect("sent");
    change_me(&cx, &target, &MeChange::MailOptOut(true)).expect("opted out");
    let revoke = ManageChange::Role {
        add: false,
        role: Role::Recipient,
        region: None,
        categories: vec![],
    };
    manage(&cx, &asi, "author", &revoke).expect("revoked");
    assert!(store.waiting_mail(10).expect("mail").is_empty());
    // Only the Модератор АСИ manages.
    assert!(manage(&cx, &target, "asi", &ManageChange::Disabled(true)).is_err());
}

/// 152-ФЗ: without the consent to distribution, the feed sends others
/// no name, organisation, position, photo or login, and the passport
/// names the person «участник команды»; their manager still has the
/// record, and the contacts of others are withheld, not sent.
#[test]
fn a_withdrawn_consent_hides_the_name_in_the_feed_and_the_passport() {
    use crate::sync::protocol::Remote;
    let (_d, store, clock) = setup();
    let cx = Ctx::new(&store, &clock);
    let team1 = store.user_by_login("team1").expect("read").expect("team1");
    let reader = store
        .user_by_login("expert1")
        .expect("read")
        .expect("expert1");
    let asi = store.user_by_login("asi").expect("read").expect("asi");
    let practice = store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| {
            p.passport
                .team
                .iter()
                .any(|m| m.member == crate::domain::passport::Member::User(team1.id))
        })
        .expect("a practice with team1");
    let named = crate::service::views::view_of(&store, practice.clone());
    assert!(
        named
            .team
            .iter()
            .any(|(n, _)| n == &team1.profile.full_name)
    );
    let since = store.last_seq().expect("seq");
    change_me(
        &cx,
        &team1,
        &MeChange::Consent {
            kind: ConsentKind::PersonalDataForDistribution,
            give: false,
        },
    )
    .expect("withdrawn");
    let sent = |to: &User| {
        crate::service::ops::feed(&store, to, since, None)
            .expect("feed")
            .records
            .into_iter()
            .find_map(|r| match r {
                Remote::User(u) if u.id == team1.id => Some(*u),
                _ => None,
            })
            .expect("the change reaches the reader")
    };
    let public = sent(&reader);
    let withheld = crate::domain::user::WITHHELD;
    assert_eq!(public.profile.full_name, withheld);
    assert_eq!(public.profile.organisation, withheld);
    assert_eq!(public.profile.photo.as_deref(), Some(withheld));
    assert_ne!(public.login, "team1");
    // Present, so the team is still complete for a submission checked on
    // a workstation; and an op naming the pseudonym finds the person.
    assert!(crate::domain::user::profile_problems(&public.profile).is_empty());
    assert_eq!(
        crate::service::accounts::user_by_login(&store, &public.login)
            .expect("found")
            .id,
        team1.id
    );
    assert_eq!(public.public_name(), crate::domain::user::HIDDEN_NAME);
    assert!(public.password_hash.is_empty());
    let managed = sent(&asi);
    assert_eq!(managed.profile.full_name, team1.profile.full_name);
    assert_eq!(managed.profile.email, team1.profile.email);
    let hidden = crate::service::views::view_of(&store, practice);
    assert!(
        !hidden
            .team
            .iter()
            .any(|(n, _)| n == &team1.profile.full_name)
    );
    assert!(
        hidden
            .team
            .iter()
            .any(|(n, _)| n == crate::domain::user::HIDDEN_NAME)
    );
    // Another's contacts are withheld, though their presence is told.
    let author = store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let other = crate::service::ops::feed(&store, &reader, 0, None)
        .expect("feed")
        .records
        .into_iter()
        .find_map(|r| match r {
            Remote::User(u) if u.id == author.id => Some(*u),
            _ => None,
        })
        .expect("author sent");
    assert_eq!(other.profile.email, crate::domain::user::WITHHELD);
    assert!(crate::domain::user::profile_problems(&other.profile).is_empty());
}

/// The evidence behind an expert's pool membership reaches only those who
/// form pools; the membership itself (category, year) reaches everyone.
#[test]
fn pool_evidence_goes_only_to_those_who_form_pools() {
    use crate::sync::protocol::Remote;
    let (_d, store, _clock) = setup();
    let expert = store
        .user_by_login("expert2")
        .expect("read")
        .expect("expert2");
    assert!(!expert.pool.is_empty() && !expert.pool[0].evidence.is_empty());
    let sent_to = |login: &str| {
        let reader = store.user_by_login(login).expect("read").expect("reader");
        crate::service::ops::feed(&store, &reader, 0, None)
            .expect("feed")
            .records
            .into_iter()
            .find_map(|r| match r {
                Remote::User(u) if u.id == expert.id => Some(*u),
                _ => None,
            })
            .expect("sent")
    };
    let public = sent_to("author");
    assert_eq!(public.pool.len(), expert.pool.len());
    assert!(public.pool.iter().all(|e| e.evidence.is_empty()));
    assert!(
        sent_to("moderator")
            .pool
            .iter()
            .all(|e| !e.evidence.is_empty())
    );
    assert!(sent_to("asi").pool.iter().all(|e| !e.evidence.is_empty()));
}
