//! A brand-new person through a real `smarteka serve` and a real SMTP
//! server on loopback: sign-up with the consents, the code read from the
//! delivered mail, sign-in, profile and photo, the coordinator's
//! confirmation and the Модератор АСИ's grant from their own workstations,
//! a submitted passport; then the consent to distribution withdrawn and
//! the passport naming them «участник команды»; a password restored by a
//! mailed code; roles granted online.

mod common;

use chrono::Datelike as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every message the SMTP server received, as text.
type Inbox = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
struct Catcher {
    buf: Vec<u8>,
    inbox: Inbox,
}

impl mailin_embedded::Handler for Catcher {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> mailin_embedded::Response {
        self.buf.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let text = String::from_utf8_lossy(&self.buf).into_owned();
        self.inbox.lock().expect("inbox").push(text);
        mailin_embedded::response::OK
    }
}

/// A real SMTP server on 127.0.0.1: its address and what it receives.
fn smtp() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("address");
    let mut server = mailin_embedded::Server::new(Catcher {
        buf: Vec::new(),
        inbox: inbox.clone(),
    });
    server.with_name("mail.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (format!("smtp://{addr}"), inbox)
}

/// A message to `to` containing `needle`, waited for (the mailer
/// delivers in the background).
fn mail_to(inbox: &Inbox, to: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = inbox
            .lock()
            .expect("inbox")
            .iter()
            .rev()
            .find(|m| m.contains(&format!("<{to}>")) && m.contains(needle))
            .cloned();
        if let Some(m) = found {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} with «{needle}»: {:?}",
            inbox.lock().expect("inbox")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The code in a message: the command it gives to type ends with it.
fn code_in(mail: &str) -> String {
    ["--confirm ", "--code "]
        .iter()
        .find_map(|flag| mail.split(flag).nth(1))
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|c| c.len() == 6)
        .unwrap_or_else(|| panic!("no code in {mail}"))
}

fn smarteka(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data")
        .arg(data)
        .env_remove("SMARTEKA_CONFIG")
        .env_remove("SMARTEKA_PASSWORD")
        .env_remove("SMARTEKA_NEW_PASSWORD")
        .stdin(Stdio::null());
    c
}

fn serve(data: &Path, smtp: &str) -> common::Server {
    let mut c = smarteka(data);
    c.args(["serve", "--bind", "127.0.0.1:0", "--smtp", smtp]);
    common::serve_with(c)
}

fn run(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = smarteka(data);
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().expect("runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A workstation signed in to the server as `login` and synced.
fn workstation(root: &Path, url: &str, login: &str, password: &str) -> PathBuf {
    let data = root.join(login);
    ok(&run(
        &data,
        &[("SMARTEKA_PASSWORD", password)],
        &["--as", login, "login", "--server", url],
    ));
    sync(&data);
    data
}

fn sync(data: &Path) {
    let out = ok(&run(data, &[], &["sync"]));
    if !out.contains("отклонено 0") {
        let status = run(data, &[], &["sync", "status"]);
        panic!("{out}\n{}", String::from_utf8_lossy(&status.stdout));
    }
}

fn as_user(data: &Path, login: &str, args: &[&str]) -> Output {
    let mut all = vec!["--as", login];
    all.extend_from_slice(args);
    run(data, &[], &all)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
}

#[test]
fn a_new_person_from_sign_up_to_a_submitted_passport_by_commands_and_mail() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let srv = tmp.path().join("server");
    ok(&run(&srv, &[], &["demo", "--practices", "30"]));
    let (smtp_url, inbox) = smtp();
    let s = serve(&srv, &smtp_url);
    let url = s.url();
    let me = tmp.path().join("newbie");
    let email = "novikova@tatar.example.ru";
    let register = |extra: &[&str]| {
        let mut args = vec![
            "register",
            "--server",
            &url,
            "--login",
            "novikova",
            "--email",
            email,
            "--name",
            "Новикова Анна Павловна",
            "--region",
            "Республика Татарстан",
        ];
        args.extend_from_slice(extra);
        run(&me, &[("SMARTEKA_PASSWORD", "пароль-новиковой")], &args)
    };

    // Without a terminal and without --accept, nothing is sent.
    let o = register(&[]);
    assert!(!o.status.success());
    assert!(err(&o).contains("--accept"), "{}", err(&o));
    // The texts of the consents are shown; the account is made.
    let out = ok(&register(&["--accept"]));
    assert!(out.contains("152-ФЗ"), "{out}");
    assert!(out.contains("создана"), "{out}");
    // The login is taken now.
    let o = register(&["--accept"]);
    assert!(err(&o).contains("уже занят"), "{}", err(&o));

    // The code arrives by mail; a wrong one is refused, the right one works.
    let mail = mail_to(&inbox, email, "--confirm ");
    assert!(mail.contains("Новикова Анна Павловна"), "{mail}");
    let code = code_in(&mail);
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let o = run(&me, &[], &["register", "--confirm", wrong]);
    assert!(err(&o).contains("Неверный"), "{}", err(&o));
    ok(&run(&me, &[], &["register", "--confirm", &code]));

    // Signed in: the profile shows what app. 2 still needs.
    let me = workstation(tmp.path(), &url, "novikova", "пароль-новиковой");
    let shown = ok(&as_user(&me, "novikova", &["profile", "show"]));
    assert!(shown.contains("не указана должность"), "{shown}");
    assert!(shown.contains("(подтверждена)"), "{shown}");
    let profile = tmp.path().join("profile.json");
    std::fs::write(
        &profile,
        r#"{"organisation": "Министерство цифрового развития Республики Татарстан",
            "organisation_kind": "executive-body", "position": "Консультант",
            "phone": "+7 917 555-12-34"}"#,
    )
    .expect("write");
    ok(&as_user(
        &me,
        "novikova",
        &["profile", "edit", "--from", &profile.display().to_string()],
    ));
    let o = as_user(
        &me,
        "novikova",
        &["profile", "photo", &profile.display().to_string()],
    );
    assert!(err(&o).contains("не изображение"), "{}", err(&o));
    ok(&as_user(
        &me,
        "novikova",
        &[
            "profile",
            "photo",
            &example("cover.png").display().to_string(),
        ],
    ));
    sync(&me);
    let v: serde_json::Value = serde_json::from_str(&ok(&as_user(
        &me,
        "novikova",
        &["profile", "show", "--json"],
    )))
    .expect("json");
    assert_eq!(v["missing"].as_array().map(Vec::len), Some(0), "{v}");

    // The coordinator of the region confirms her from their workstation;
    // the Модератор АСИ grants the access from theirs.
    let coordinator = workstation(tmp.path(), &url, "coordinator", "demo");
    let listed = ok(&as_user(
        &coordinator,
        "coordinator",
        &["user", "list", "--text", "новикова"],
    ));
    assert!(listed.contains("novikova"), "{listed}");
    ok(&as_user(
        &coordinator,
        "coordinator",
        &["user", "verify", "novikova"],
    ));
    sync(&coordinator);
    let asi = workstation(tmp.path(), &url, "asi", "demo");
    let pending = ok(&as_user(&asi, "asi", &["user", "list", "--pending"]));
    assert!(pending.contains("novikova"), "{pending}");
    ok(&as_user(&asi, "asi", &["user", "grant-author", "novikova"]));
    sync(&asi);
    let notice = mail_to(&inbox, email, "Предоставлен доступ");
    assert!(notice.contains("smarteka inbox"), "{notice}");

    // Her passport: the example with her as the author.
    sync(&me);
    let text = std::fs::read_to_string(example("passport.json"))
        .expect("example")
        .replace(r#""login": "author""#, r#""login": "novikova""#);
    let file = tmp.path().join("passport.json");
    std::fs::write(&file, text).expect("write");
    let o = ok(&as_user(
        &me,
        "novikova",
        &["practice", "new", "--from", &file.display().to_string()],
    ));
    let id = o.lines().next().expect("id").trim().to_owned();
    ok(&as_user(
        &me,
        "novikova",
        &[
            "practice",
            "attach",
            &id,
            &example("cover.png").display().to_string(),
            "--kind",
            "cover",
        ],
    ));
    // §4.1.7: the consulting consent first.
    let o = as_user(&me, "novikova", &["practice", "submit", &id]);
    assert!(err(&o).contains("4.1.7"), "{}", err(&o));
    ok(&as_user(
        &me,
        "novikova",
        &["consent", "give", "consulting"],
    ));
    ok(&as_user(&me, "novikova", &["practice", "submit", &id]));
    sync(&me);

    // On the server it waits for the region's confirmation.
    sync(&coordinator);
    let shown: serde_json::Value = serde_json::from_str(&ok(&as_user(
        &coordinator,
        "coordinator",
        &["practice", "show", &id, "--json"],
    )))
    .expect("json");
    assert_eq!(shown["status"], "Подтверждение регионом", "{shown}");

    // She withdraws the consent to distribution: the passport names her
    // «участник команды» on others' workstations once they sync.
    let view = ok(&as_user(
        &coordinator,
        "coordinator",
        &["practice", "show", &id],
    ));
    assert!(view.contains("Новикова Анна Павловна"), "{view}");
    ok(&as_user(
        &me,
        "novikova",
        &["consent", "withdraw", "distribution"],
    ));
    sync(&me);
    sync(&coordinator);
    let view = ok(&as_user(
        &coordinator,
        "coordinator",
        &["practice", "show", &id],
    ));
    assert!(!view.contains("Новикова Анна Павловна"), "{view}");
    assert!(view.contains("участник команды"), "{view}");
}

#[test]
fn a_forgotten_password_and_roles_granted_online() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let srv = tmp.path().join("server");
    ok(&run(&srv, &[], &["demo", "--practices", "10"]));
    let (smtp_url, inbox) = smtp();
    let s = serve(&srv, &smtp_url);
    let url = s.url();
    let asi = workstation(tmp.path(), &url, "asi", "demo");

    // The Модератор АСИ gives expert1 a recipient role from the
    // workstation; expert1 gets it by mail and on sync.
    let o = as_user(&asi, "asi", &["user", "grant", "expert1", "recipient"]);
    assert!(err(&o).contains("--region"), "{}", err(&o));
    ok(&as_user(
        &asi,
        "asi",
        &["user", "grant", "expert1", "recipient", "--region", "16"],
    ));
    sync(&asi);
    let expert = workstation(tmp.path(), &url, "expert1", "demo");
    let shown = ok(&as_user(&expert, "expert1", &["profile", "show"]));
    assert!(shown.contains("Реципиент"), "{shown}");
    mail_to(&inbox, "expert1@demo.smarteka.ru", "«Реципиент»");
    // Someone else cannot.
    let o = as_user(
        &expert,
        "expert1",
        &["user", "grant", "expert2", "asi-moderator"],
    );
    assert!(err(&o).contains("модератор АСИ"), "{}", err(&o));

    // Disabled online: the session stops working at once.
    ok(&as_user(&asi, "asi", &["user", "disable", "expert1"]));
    sync(&asi);
    let o = run(&expert, &[], &["sync"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("отключена"), "{}", err(&o));
    ok(&as_user(&asi, "asi", &["user", "enable", "expert1"]));
    sync(&asi);

    // A forgotten password: the code by mail, then the new password.
    ok(&run(
        &expert,
        &[],
        &[
            "password", "--reset", "--server", &url, "--login", "expert1",
        ],
    ));
    let mail = mail_to(&inbox, "expert1@demo.smarteka.ru", "--code ");
    let code = code_in(&mail);
    ok(&run(
        &expert,
        &[("SMARTEKA_NEW_PASSWORD", "новый-пароль-1")],
        &[
            "password", "--reset", "--server", &url, "--login", "expert1", "--code", &code,
        ],
    ));
    let o = run(
        &expert,
        &[("SMARTEKA_PASSWORD", "demo")],
        &["--as", "expert1", "login", "--server", &url],
    );
    assert!(!o.status.success(), "the old password no longer works");
    ok(&run(
        &expert,
        &[("SMARTEKA_PASSWORD", "новый-пароль-1")],
        &["--as", "expert1", "login", "--server", &url],
    ));

    // Expert pools (§4.4.2–4.4.5): formed from the workstation, with the
    // basis; two conditions at least; the role goes with membership.
    let o = as_user(
        &asi,
        "asi",
        &[
            "pool",
            "add",
            "team1",
            "--category",
            "Здравоохранение",
            "--basis",
            "federal-body",
            "--condition",
            "leadership",
            "--evidence",
            "Директор департамента",
        ],
    );
    assert!(err(&o).contains("4.4.4"), "{}", err(&o));
    let o = as_user(
        &asi,
        "asi",
        &["user", "grant", "team1", "expert", "--category", "health"],
    );
    assert!(err(&o).contains("пул"), "{}", err(&o));
    ok(&as_user(
        &asi,
        "asi",
        &[
            "pool",
            "add",
            "team1",
            "--category",
            "Здравоохранение",
            "--basis",
            "federal-body",
            "--condition",
            "leadership",
            "--condition",
            "regulation",
            "--evidence",
            "Директор департамента Минздрава России",
        ],
    ));
    sync(&asi);
    let listed = ok(&as_user(
        &asi,
        "asi",
        &["pool", "list", "--category", "health", "--json"],
    ));
    let rows: serde_json::Value = serde_json::from_str(&listed).expect("json");
    let team1 = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["login"] == "team1")
        .expect("team1 in the pool");
    assert_eq!(
        team1["affiliation"],
        "федеральный орган исполнительной власти"
    );
    assert_eq!(team1["to_confirm"], false);
    // A year on, everyone is to be confirmed.
    let next = (chrono::Utc::now().year() + 1).to_string();
    let renew = ok(&as_user(
        &asi,
        "asi",
        &["pool", "renew", "--year", &next, "--category", "health"],
    ));
    assert!(renew.contains("team1"), "{renew}");
    // The server has it: a fresh workstation of the Модератор АСИ sees it.
    let other = tmp.path().join("asi2");
    ok(&run(
        &other,
        &[("SMARTEKA_PASSWORD", "demo")],
        &["--as", "asi", "login", "--server", &url],
    ));
    sync(&other);
    let listed = ok(&as_user(
        &other,
        "asi",
        &["pool", "list", "--category", "health"],
    ));
    assert!(listed.contains("team1"), "{listed}");
    ok(&as_user(
        &asi,
        "asi",
        &["pool", "remove", "team1", "--category", "health"],
    ));
    sync(&asi);

    // A region's page, kept by its coordinator from their workstation,
    // read by anyone after a sync.
    let coordinator = workstation(tmp.path(), &url, "coordinator", "demo");
    let page = tmp.path().join("region.json");
    std::fs::write(
        &page,
        r#"{"head": "Минниханов Рустам Нургалиевич", "head_position": "Раис Республики Татарстан",
            "team": [{"name": "Шагиахметов Марат Рашитович", "position": "Премьер-министр"}]}"#,
    )
    .expect("write");
    let o = as_user(
        &expert,
        "expert1",
        &[
            "region",
            "edit",
            "16",
            "--from",
            &page.display().to_string(),
        ],
    );
    assert!(err(&o).contains("координатор"), "{}", err(&o));
    ok(&as_user(
        &coordinator,
        "coordinator",
        &[
            "region",
            "edit",
            "Татарстан",
            "--from",
            &page.display().to_string(),
        ],
    ));
    sync(&coordinator);
    sync(&asi);
    let shown = ok(&run(&asi, &[], &["region", "show", "16"]));
    assert!(
        shown.contains("Глава региона: Минниханов Рустам Нургалиевич"),
        "{shown}"
    );
    assert!(shown.contains("Шагиахметов"), "{shown}");
    let stale = ok(&run(&asi, &[], &["region", "list", "--stale", "--json"]));
    let rows: serde_json::Value = serde_json::from_str(&stale).expect("json");
    assert_eq!(
        rows.as_array().map(Vec::len),
        Some(88),
        "all but the one kept"
    );
}
