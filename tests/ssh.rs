//! The workstation over SSH (`serve --ssh-bind`), driven as people use it:
//! a real `smarteka serve` with a demo store, and clients signing in by
//! key and by password — this crate's russh client reading the screens
//! as a terminal would, and OpenSSH's `ssh` and `sftp` (`.ci/run`
//! installs openssh-client).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use smarteka::ssh::client::{Connection, Credential, Spawned, Term, new_key, public_line};

const WAIT: Duration = Duration::from_secs(30);

/// A central instance with its SSH door.
struct Door(Spawned);

impl std::ops::Deref for Door {
    type Target = Spawned;
    fn deref(&self) -> &Spawned {
        &self.0
    }
}

impl Door {
    fn start(data: &Path, extra: &[&str]) -> Self {
        Self(
            Spawned::start(Path::new(env!("CARGO_BIN_EXE_smarteka")), data, extra)
                .expect("the server starts"),
        )
    }

    async fn connect(&self, login: &str, how: &Credential) -> Result<Connection, String> {
        Connection::open(self.ssh, &self.fingerprint, login, how).await
    }

    /// A signed-in workstation at 80×24.
    async fn term(&self, login: &str, how: &Credential) -> (Connection, Term) {
        let c = self.connect(login, how).await.expect("signed in");
        let t = c
            .terminal(80, 24, "xterm-256color")
            .await
            .expect("a terminal");
        (c, t)
    }

    /// Stops the instance as an operator would (SIGTERM) and waits.
    fn stop(self) {
        self.0.stop();
    }
}

fn password() -> Credential {
    Credential::Password("demo".into())
}

fn demo(dir: &Path, practices: usize) -> PathBuf {
    let data = dir.join("store");
    common::cli::ok(&common::cli::run(
        &data,
        None,
        &["demo", "--practices", &practices.to_string()],
    ));
    data
}

fn add_key(data: &Path, login: &str, key: &russh::keys::PrivateKey) {
    let file = data.with_extension(format!("{login}.pub"));
    std::fs::write(&file, public_line(key, &format!("{login}@test"))).expect("write");
    common::cli::ok(&common::cli::run(
        data,
        None,
        &["user", "key", "add", login, &file.display().to_string()],
    ));
}

/// A workstation linked to the server as `login`, to change things as
/// the other side of a sync would.
fn linked(dir: &Path, door: &Door, login: &str) -> PathBuf {
    let w = dir.join(format!("ws-{login}"));
    common::cli::ok(&common::cli::run(
        &w,
        Some(login),
        &["login", "--server", &format!("http://{}", door.http)],
    ));
    common::cli::ok(&common::cli::run(&w, Some(login), &["sync"]));
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_by_key_or_password_and_the_refusals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 60);
    let key = new_key();
    add_key(&data, "moderator", &key);
    let other = new_key();
    add_key(&data, "expert1", &other);
    let door = Door::start(&data, &[]);
    // The host key was made with the owner's rights alone.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data.join(smarteka::ssh::HOST_KEY))
            .expect("host key")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    // By key, into the catalogue as the account's role.
    let (_c, mut t) = door
        .term("moderator", &Credential::Key(Box::new(key.clone())))
        .await;
    t.wait_for("Эксперт-модератор", WAIT)
        .await
        .expect("signed in");
    let s = t.wait_for("Каталог", WAIT).await.expect("the catalogue");
    assert!(s.contains("Изменения сразу видны всем"), "{s}");

    // A key of another account, a key nobody registered, a wrong password.
    let refused = door
        .connect("moderator", &Credential::Key(Box::new(other.clone())))
        .await
        .err()
        .expect("another's key is refused");
    assert!(refused.contains("не принят"), "{refused}");
    assert!(
        door.connect("moderator", &Credential::Key(Box::new(new_key())))
            .await
            .is_err()
    );
    let wrong = door
        .connect("author", &Credential::Password("не тот".into()))
        .await
        .err()
        .expect("a wrong password is refused");
    assert!(wrong.contains("Неверный логин или пароль"), "{wrong}");
    // By password.
    let (_a, mut author) = door.term("author", &password()).await;
    author
        .wait_for("Автор практики", WAIT)
        .await
        .expect("the author signed in by password");

    // A role taken away: the open screens close, the catalogue reads anew.
    let (_co, mut coordinator) = door.term("coordinator", &password()).await;
    coordinator
        .wait_for("Региональный координатор", WAIT)
        .await
        .expect("coordinator in");
    coordinator.send(b"o").await;
    coordinator
        .wait_for("На подтверждении", WAIT)
        .await
        .expect("queues");

    // A disabled account: its key stops at once, its open session ends.
    let (_e, mut expert) = door
        .term("expert1", &Credential::Key(Box::new(other.clone())))
        .await;
    expert.wait_for("Эксперт", WAIT).await.expect("expert1 in");
    let asi = linked(dir.path(), &door, "asi");
    common::cli::ok(&common::cli::run(
        &asi,
        Some("asi"),
        &[
            "user",
            "revoke",
            "coordinator",
            "coordinator",
            "--region",
            "16",
        ],
    ));
    common::cli::ok(&common::cli::run(
        &asi,
        Some("asi"),
        &["user", "disable", "expert1"],
    ));
    common::cli::ok(&common::cli::run(&asi, Some("asi"), &["sync"]));
    let bye = expert
        .until_closed(WAIT)
        .await
        .expect("the disabled user's session ends");
    assert!(bye.contains("отключена"), "{bye}");
    let s = coordinator
        .wait_for("Ваши роли изменились", WAIT)
        .await
        .expect("the coordinator's screens closed");
    assert!(s.contains("Каталог"), "{s}");
    assert!(!s.contains("Региональный координатор"), "{s}");
    assert!(
        door.connect("expert1", &Credential::Key(Box::new(other)))
            .await
            .is_err(),
        "a disabled account's key is refused"
    );
    let by_password = door
        .connect("expert1", &password())
        .await
        .err()
        .expect("and its password");
    assert!(by_password.contains("отключена"), "{by_password}");
    door.stop();
}

/// Puts `bytes` into the account's directory on the server over SFTP.
async fn try_upload(conn: &Connection, name: &str, bytes: &[u8]) -> Result<(), String> {
    use tokio::io::AsyncWriteExt as _;
    let ch = conn.channel().await?;
    ch.request_subsystem(true, "sftp")
        .await
        .map_err(|e| e.to_string())?;
    let sftp = tokio::time::timeout(WAIT, russh_sftp::client::SftpSession::new(ch.into_stream()))
        .await
        .map_err(|_| "no answer".to_owned())?
        .map_err(|e| e.to_string())?;
    let mut f = sftp.create(name).await.map_err(|e| e.to_string())?;
    f.write_all(bytes).await.map_err(|e| e.to_string())?;
    f.shutdown().await.map_err(|e| e.to_string())?;
    drop(f);
    let _ = sftp.close().await;
    Ok(())
}

async fn upload(conn: &Connection, name: &str, bytes: &[u8]) {
    try_upload(conn, name, bytes).await.expect("uploaded");
}

/// The rows of a list: the screen without its header and status bar.
fn rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    lines[4..lines.len().saturating_sub(1)]
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

/// The screen's line that holds `text`.
fn line_with(screen: &str, text: &str) -> Option<String> {
    screen.lines().find(|l| l.contains(text)).map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_searches_opens_acts_and_sees_another_sessions_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 300);
    let door = Door::start(&data, &[]);
    let (coord, mut a) = door.term("coordinator", &password()).await;
    a.wait_for("Региональный координатор", WAIT)
        .await
        .expect("in");

    // Search as one types, Cyrillic included, then open a passport.
    let s = a.wait_for("практик", WAIT).await.expect("the catalogue");
    let first = s.lines().nth(4).expect("a row").trim().to_owned();
    let word: String = first.split_whitespace().next().expect("a word").to_owned();
    a.send(b"/").await;
    a.send(word.as_bytes()).await;
    let s = a
        .wait_for("по релевантности", WAIT)
        .await
        .expect("searched");
    assert!(s.contains(&format!("Поиск: {word}")), "{s}");
    a.send(b"\r").await;
    a.send(b"\r").await;
    a.wait_for("Паспорт практики", WAIT)
        .await
        .expect("a passport");

    // A bigger window: the screen is drawn to its new width.
    a.resize(100, 30).await;
    a.wait_until(
        |s| {
            s.lines()
                .any(|l| l.chars().filter(|c| *c == '─').count() == 100)
        },
        WAIT,
    )
    .await
    .expect("drawn 100 wide");
    a.send(b"q").await;
    a.wait_for("Каталог", WAIT).await.expect("back");

    // The coordinator's queue: the first practice awaiting confirmation.
    // «щ» is `o` on the ЙЦУКЕН layout.
    a.send("щ".as_bytes()).await;
    let s = a.wait_for("На подтверждении", WAIT).await.expect("queues");
    let row = s.lines().nth(3).expect("a queued practice").to_owned();
    let title: String = row
        .split_whitespace()
        .skip(3)
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");

    // Another session, the Agency's, has that practice in its catalogue.
    let (_asi, mut b) = door.term("asi", &password()).await;
    b.wait_for("Модератор АСИ", WAIT).await.expect("asi in");
    b.send(b"/").await;
    b.send(title.as_bytes()).await;
    let s = b
        .wait_until(
            |s| s.contains(&format!("Поиск: {title}")) && s.contains("по релевантности"),
            WAIT,
        )
        .await
        .expect("found");
    assert!(line_with(&s, &title).is_some(), "{s}");
    assert!(!rows(&s).concat().contains("Упаковка"), "{s}");

    // The letter the step needs goes up over SFTP, and is attached by
    // its name in the session's own directory.
    upload(&coord, "letter.pdf", b"%PDF-1.4 letter of the Agency").await;
    a.send(b"a").await;
    a.wait_for("Подтвердить от региона", WAIT)
        .await
        .expect("actions");
    a.send(b"\r").await;
    a.wait_for("путь к файлу", WAIT).await.expect("the form");
    // A file of the server outside the directory is not read, and the
    // message speaks of the user's own directory.
    a.send(b"../../etc/passwd\r").await;
    let s = a.wait_for("sftp", WAIT).await.expect("refused");
    assert!(s.contains("«etc/passwd» не найден"), "{s}");
    assert!(!s.contains(&data.display().to_string()), "{s}");
    for _ in 0.."../../etc/passwd".len() {
        a.send(b"\x7f").await;
    }
    a.send(b"lett\t").await;
    a.wait_for("letter.pdf", WAIT)
        .await
        .expect("completed in own directory");
    a.send(b"\r").await;
    let s = a
        .wait_until(|s| !s.contains("путь к файлу"), WAIT)
        .await
        .expect("the step taken");
    assert!(!s.contains("Отказано"), "{s}");

    // The other session sees it without doing anything.
    b.wait_until(|s| rows(s).concat().contains("Упаковка"), WAIT)
        .await
        .expect("the change reached the other session");
    door.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_mid_edit_keeps_the_draft() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 40);
    let door = Door::start(&data, &[]);
    let (conn, mut t) = door.term("author", &password()).await;
    t.wait_for("Автор практики", WAIT).await.expect("in");
    t.send(b"n").await;
    t.wait_for("Паспорт ·", WAIT).await.expect("a new passport");
    t.send("Школа вожатых по SSH".as_bytes()).await;
    t.wait_for("Школа вожатых по SSH", WAIT)
        .await
        .expect("typed");
    // The link drops: no quit, no Esc.
    drop(t);
    drop(conn);
    // Once the server has it, the draft is there for its author.
    let (_again, mut t) = door.term("author", &password()).await;
    t.wait_for("Автор практики", WAIT).await.expect("in again");
    t.send(b"/").await;
    t.send("вожатых".as_bytes()).await;
    t.wait_for("Школа вожатых по SSH", WAIT)
        .await
        .expect("the draft was saved when the link dropped");
    // Another draft being typed when the server is stopped.
    t.send(b"\x1b").await;
    t.send(b"n").await;
    t.wait_for("Паспорт ·", WAIT).await.expect("a new passport");
    t.send("Клуб наставников по SSH".as_bytes()).await;
    t.wait_for("Клуб наставников по SSH", WAIT)
        .await
        .expect("typed");
    door.stop();
    let bye = t.until_closed(WAIT).await.expect("told and closed");
    assert!(bye.contains("Сервер останавливается"), "{bye}");
    let store = smarteka::store::Store::open(&data).expect("store");
    let titles: Vec<String> = store
        .practices()
        .filter_map(Result::ok)
        .map(|p| p.passport.title)
        .collect();
    for title in ["Школа вожатых по SSH", "Клуб наставников по SSH"]
    {
        assert!(titles.iter().any(|t| t == title), "{title} is in the store");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_commands_and_files_stay_in_bounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 20);
    let door = Door::start(&data, &["--ssh-sessions-per-user", "1"]);
    let (conn, mut one) = door.term("author", &password()).await;
    one.wait_for("Автор практики", WAIT).await.expect("in");
    // A second session of the same user is told why, and closed.
    let second = conn.terminal(80, 24, "xterm").await.expect("a channel");
    let mut second = second;
    let said = second.until_closed(WAIT).await.expect("closed");
    assert!(said.contains("уже открыто сеансов: 1"), "{said}");
    // Commands are not run.
    let ch = conn.channel().await.expect("a channel");
    ch.exec(true, "cat /etc/passwd").await.expect("sent");
    let mut t = Term::on(ch);
    let said = t.until_closed(WAIT).await.expect("closed");
    assert!(said.contains("Команды по SSH не выполняются"), "{said}");
    assert!(!said.contains("root:"), "{said}");
    // A file session counts among the user's sessions.
    assert!(try_upload(&conn, "over.txt", b"x").await.is_err());
    // A shell without a terminal (`ssh -T`) is told what it needs.
    let ch = conn.channel().await.expect("a channel");
    ch.request_shell(true).await.expect("sent");
    let mut t = Term::on(ch);
    let said = t.until_closed(WAIT).await.expect("closed");
    assert!(said.contains("нужен терминал"), "{said}");
    // The first session is still there; its help says what q does here,
    // q asks, and q again ends it.
    one.send(b"?").await;
    one.wait_for("Завершить сеанс (спросит ещё раз)", WAIT)
        .await
        .expect("the help");
    one.send(b"\x1b").await;
    one.wait_for("Каталог ·", WAIT)
        .await
        .expect("the catalogue");
    one.send(b"q").await;
    one.wait_for("Завершить сеанс? q — да.", WAIT)
        .await
        .expect("asked");
    one.send(b"q").await;
    let bye = one.until_closed(WAIT).await.expect("closed");
    assert!(bye.contains("Сеанс завершён"), "{bye}");
    // Its place given back, a file sent «above» the directory lands inside.
    upload(&conn, "../../../escape.txt", b"x").await;
    let mine = data.join(smarteka::ssh::FILES_DIR).join("author");
    assert!(mine.join("escape.txt").exists());
    assert!(!mine.join("over.txt").exists());
    assert!(!dir.path().join("escape.txt").exists());
    door.stop();
}

/// OpenSSH's options for a test: this key only, this host key only.
fn openssh_args(door: &Door, dir: &Path, key: &russh::keys::PrivateKey) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let id = dir.join("id_ed25519");
    let text = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .expect("key text");
    std::fs::write(&id, text.as_bytes()).expect("key written");
    std::fs::set_permissions(&id, std::fs::Permissions::from_mode(0o600)).expect("0600");
    let host =
        std::fs::read_to_string(door_data(dir).join(smarteka::ssh::HOST_KEY)).expect("host key");
    let host = russh::keys::PrivateKey::from_openssh(host.as_bytes()).expect("read");
    let known = dir.join("known_hosts");
    std::fs::write(
        &known,
        format!(
            "[127.0.0.1]:{} {}\n",
            door.ssh.port(),
            host.public_key().to_openssh().expect("public")
        ),
    )
    .expect("known_hosts");
    [
        "-i",
        &id.display().to_string(),
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        &format!("UserKnownHostsFile={}", known.display()),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn door_data(dir: &Path) -> PathBuf {
    dir.join("store")
}

fn openssh(program: &str) -> Command {
    let found = Command::new(program)
        .arg("-V")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "OpenSSH's {program} is needed for this test: apt-get install openssh-client"
    );
    Command::new(program)
}

#[test]
fn openssh_signs_in_by_key_sends_a_file_and_is_refused_a_command() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 30);
    let key = new_key();
    add_key(&data, "moderator", &key);
    let door = Door::start(&data, &[]);
    let args = openssh_args(&door, dir.path(), &key);
    let port = door.ssh.port().to_string();

    // The workstation in OpenSSH's terminal, checked against the host key.
    let mut ssh = openssh("ssh")
        .args(["-tt", "-p", &port])
        .args(&args)
        .arg("moderator@127.0.0.1")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ssh runs");
    let mut out = ssh.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = vt100::Parser::default();
    let mut all = Vec::new();
    let until = std::time::Instant::now() + WAIT;
    while !screen.screen().contents().contains("Эксперт-модератор") {
        let left = until.saturating_duration_since(std::time::Instant::now());
        let bytes = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("the workstation over ssh: {}", screen.screen().contents()));
        screen.process(&bytes);
        all.extend(bytes);
    }
    assert!(screen.screen().contents().contains("Каталог"));
    // `q` asks before the session ends; `q` again ends it.
    ssh.stdin
        .as_mut()
        .expect("stdin")
        .write_all(b"qq")
        .expect("q");
    let status = ssh.wait().expect("ssh ends");
    while let Ok(bytes) = rx.recv_timeout(Duration::from_secs(2)) {
        all.extend(bytes);
    }
    assert!(status.success(), "{status:?}");
    assert!(
        String::from_utf8_lossy(&all).contains("Сеанс завершён"),
        "{}",
        String::from_utf8_lossy(&all)
    );

    // A file sent with sftp lands in the account's own directory.
    let file = dir.path().join("протокол.pdf");
    std::fs::write(&file, b"%PDF-1.4 protocol").expect("write");
    let mut sftp = openssh("sftp")
        .args(["-b", "-", "-P", &port])
        .args(&args)
        .arg("moderator@127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sftp runs");
    sftp.stdin
        .as_mut()
        .expect("stdin")
        .write_all(format!("put {}\nls\n", file.display()).as_bytes())
        .expect("batch");
    let o = sftp.wait_with_output().expect("sftp ends");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let landed = data
        .join(smarteka::ssh::FILES_DIR)
        .join("moderator")
        .join("протокол.pdf");
    assert_eq!(std::fs::read(landed).expect("landed"), b"%PDF-1.4 protocol");

    // A command is refused, with why.
    let o = openssh("ssh")
        .args(["-p", &port])
        .args(&args)
        .args(["moderator@127.0.0.1", "cat", "/etc/passwd"])
        .output()
        .expect("ssh runs");
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("Команды по SSH не выполняются"), "{said}");
    door.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_added_and_removed_from_the_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 20);
    let door = Door::start(&data, &[]);
    let key = new_key();
    let (_c, mut t) = door.term("author", &password()).await;
    t.wait_for("Автор практики", WAIT).await.expect("in");
    t.send(b"p").await;
    let s = t.wait_for("Ключи SSH", WAIT).await.expect("the profile");
    assert!(s.contains("Ключей нет"), "{s}");
    t.send(b"K").await;
    t.wait_for("Открытый ключ", WAIT)
        .await
        .expect("the key form");
    // Not a key: said, and the form stays.
    t.send(b"not a key\r").await;
    let s = t.wait_for("не прочитан", WAIT).await.expect("refused");
    assert!(s.contains("Открытый ключ"), "{s}");
    for _ in 0.."not a key".len() {
        t.send(b"\x7f").await;
    }
    // Pasted as a terminal sends it.
    t.send(public_line(&key, "ноутбук").as_bytes()).await;
    t.send(b"\r").await;
    let s = t.wait_for("добавлен", WAIT).await.expect("added");
    assert!(s.contains("ноутбук · ") && s.contains("ssh-ed25519"), "{s}");

    // The key now signs in.
    let (_k, mut by_key) = door
        .term("author", &Credential::Key(Box::new(key.clone())))
        .await;
    by_key
        .wait_for("Автор практики", WAIT)
        .await
        .expect("by key");

    // Removed from under the cursor (below the consents), asked first.
    for _ in 0..4 {
        t.send(b"j").await;
    }
    t.send(b" ").await;
    t.wait_for("Удалить ключ", WAIT).await.expect("asked");
    t.send(b"\r").await;
    t.wait_for("удалён", WAIT).await.expect("removed");
    assert!(
        door.connect("author", &Credential::Key(Box::new(key)))
            .await
            .is_err(),
        "a removed key no longer signs in"
    );
    door.stop();
}

#[test]
fn a_door_that_cannot_open_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 5);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = taken.local_addr().expect("addr").to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(&data)
        .args(["serve", "--bind", "127.0.0.1:0", "--ssh-bind", &addr])
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("Не удалось занять адрес SSH"), "{said}");
    assert!(!data.join(smarteka::server::CONTROL_FILE).exists());
    let o = common::cli::run(&data, None, &["serve", "--ssh-bind", "где-то"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::cli::err(&o).contains("не адрес"),
        "{}",
        common::cli::err(&o)
    );
}

#[test]
fn the_team_field_shows_others_as_the_feed_would() {
    use smarteka::service::accounts::{NewUser, add_user};
    use smarteka::service::people::find_users;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = smarteka::store::Store::open(dir.path()).expect("store");
    let cx = common::cx(&store);
    for (login, name) in [
        ("hidden", "Скрытова Анна Петровна"),
        ("reader", "Читаев Олег Иванович"),
    ] {
        add_user(
            &cx,
            NewUser {
                login: login.into(),
                full_name: name.into(),
                region: None,
                email: Some(format!("{login}@example.ru")),
                phone: None,
                organisation: None,
                position: None,
                password: "надёжный-пароль-1".into(),
            },
        )
        .expect("added");
    }
    let reader = store
        .user_by_login("reader")
        .expect("read")
        .expect("reader");
    // A workstation's own store: as it holds them.
    assert_eq!(find_users(&store, None, "скрытова").len(), 1);
    // On the central instance, for a reader: no consent to distribution,
    // so neither the name nor the e-mail finds the person.
    assert!(find_users(&store, Some(&reader), "скрытова").is_empty());
    assert!(find_users(&store, Some(&reader), "hidden@").is_empty());
    assert!(find_users(&store, Some(&reader), "скрыто").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_holds_up_nobody_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 300);
    let door = Door::start(&data, &[]);
    // A, on a big terminal, reads its first frame, then nothing more while
    // it asks for whole redraws (Ctrl-L): far more than any buffer holds.
    let a = door.connect("moderator", &password()).await.expect("in");
    let mut stuck = a
        .terminal(400, 150, "xterm-256color")
        .await
        .expect("a terminal");
    stuck.wait_for("Эксперт-модератор", WAIT).await.expect("in");
    for _ in 0..300 {
        stuck.send(b"\x0cj\x0ck").await;
    }
    // Another session signs in and works meanwhile, frames at once.
    let (_b, mut b) = door.term("author", &password()).await;
    b.wait_for("Автор практики", WAIT).await.expect("in");
    let mut slowest = Duration::ZERO;
    for k in ["j", "j", "k", "/", "ш", "к", "о", "\x1b"] {
        let took = b
            .keystroke(k.as_bytes(), WAIT)
            .await
            .expect("a frame for each key");
        slowest = slowest.max(took);
    }
    assert!(
        slowest < Duration::from_secs(1),
        "the other session waited {slowest:?}"
    );
    // The stuck one is still served once it reads again.
    stuck.send(b"q").await;
    stuck
        .wait_for("Завершить сеанс", WAIT)
        .await
        .expect("the stuck session catches up");
    door.stop();
}
