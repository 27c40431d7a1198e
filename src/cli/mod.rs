//! The command line: `smarteka` opens the workstation; subcommands fill a
//! demo store, search and show practices, and measure performance.

pub mod admin;
pub mod bench;
pub mod bench_ssh;
pub mod club;
pub mod people;
pub mod pools;
pub mod practice;
pub mod query;
pub mod regions;
pub mod replication;
pub mod rush;
pub mod selections;
pub mod serve;
pub mod session;
pub mod workflow;

mod args;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

pub(crate) use args::HELP_TEMPLATE;
pub use args::{
    AuditCommand, Cli, Command, ImportCommand, KeyCommand, PracticeCommand, ReportCommand,
    SyncCommand, UserCommand, help_ru,
};

use crate::config::Config;
use crate::search::{CatchUp, SearchIndex};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// An error for the user, in Russian, with the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Self {
            message: e.to_string(),
            code: 1,
        }
    }
}

pub fn fail(message: impl Into<String>, code: u8) -> Failure {
    Failure {
        message: message.into(),
        code,
    }
}

/// An action code the command line does not know, with the ones it does.
pub fn unknown_action<'a>(code: &str, codes: impl Iterator<Item = &'a str>) -> Failure {
    let codes: Vec<&str> = codes.collect();
    fail(
        format!(
            "Неизвестное действие «{code}». Действия: {}.",
            codes.join(", ")
        ),
        2,
    )
}

/// A refusal of the service: exit 2 for a malformed request, else 1.
pub fn refused(e: &crate::service::ServiceError) -> Failure {
    fail(e.message(), if e.is_bad_input() { 2 } else { 1 })
}

/// The clock of a command-line run: the machine's.
pub fn clock() -> &'static dyn crate::domain::clock::Clock {
    &crate::domain::clock::SYSTEM
}

/// The service context of a command-line run on `store`.
pub fn ctx(store: &crate::store::Store) -> crate::service::Ctx<'_> {
    crate::service::Ctx::new(store, clock())
}

fn clap_error_ru(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let arg = e
        .get(ContextKind::InvalidArg)
        .map(ToString::to_string)
        .unwrap_or_default();
    let value = e
        .get(ContextKind::InvalidValue)
        .map(ToString::to_string)
        .unwrap_or_default();
    match e.kind() {
        ErrorKind::UnknownArgument => format!("Неизвестный параметр «{arg}»."),
        ErrorKind::InvalidSubcommand => format!("Неизвестная команда «{value}»."),
        ErrorKind::MissingRequiredArgument => format!("Не указан обязательный параметр {arg}."),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            format!("Недопустимое значение «{value}» для {arg}.")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "Не указана команда.".to_owned()
        }
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!("Лишнее значение для {arg}.")
        }
        _ => "Ошибка в параметрах командной строки.".to_owned(),
    }
}

/// A panic is told in Russian, once, and logged; sled's panics on a
/// damaged store are caught where the store is opened and stay silent.
fn panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if crate::store::QUIET_PANIC.with(std::cell::Cell::get) {
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%what, %at, "panic");
        eprintln!(
            "smarteka: внутренняя ошибка ({what}, {at}). Сохранённое не потеряно; проверьте хранилище: smarteka check."
        );
    }));
}

pub fn main() -> ExitCode {
    panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = emit(help_ru(&e.render().to_string()).as_bytes());
                return ExitCode::SUCCESS;
            }
            eprintln!("smarteka: {}\nСправка: smarteka --help", clap_error_ru(&e));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("smarteka: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn init_log(config: &Config, data: &Path) {
    // Nothing is written into a folder that is not a store: the command
    // will refuse it, and must leave it as it was.
    if config.log.file.is_none() && !crate::store::may_hold_store(data) {
        return;
    }
    let file = config
        .log
        .file
        .clone()
        .unwrap_or_else(|| data.join("smarteka.log"));
    if let Some(parent) = file.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let Ok(f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
    else {
        return;
    };
    let level: tracing::Level = config.log.level.parse().unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(f))
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
}

/// The store and its search index, caught up.
pub fn open(data: &Path) -> Result<(Arc<Store>, Arc<SearchIndex>, CatchUp), Failure> {
    let store = Store::open(data)?;
    if !data.join("index").exists() && store.last_seq()? > 0 {
        eprintln!("Построение поискового индекса…");
    }
    let (index, c) = SearchIndex::open(&data.join("index"), &store)?;
    if c.rebuilt && c.reindexed > 0 {
        tracing::info!(practices = c.reindexed, "search index rebuilt");
    }
    Ok((Arc::new(store), Arc::new(index), c))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let config = Config::load(cli.config.as_deref()).map_err(|e| fail(e, 2))?;
    crate::domain::calendar::install(config.calendar(&config.data_dir(cli.data.as_deref())).0);
    match cli.command {
        None => {
            if cli.demo {
                let dir = tempfile::Builder::new()
                    .prefix("smarteka-demo-")
                    .tempdir()?;
                init_log(&config, dir.path());
                let store = Store::open(dir.path())?;
                seed_with_progress(&store, 2000, 1, clock().now())?;
                drop(store);
                tui(&config, dir.path())
            } else {
                let data = config.data_dir(cli.data.as_deref());
                init_log(&config, &data);
                tui(&config, &data)
            }
        }
        Some(Command::Demo {
            practices,
            seed,
            today,
        }) => {
            let now = match today.as_deref() {
                None => clock().now(),
                Some(text) => crate::domain::calendar::parse_date(text)
                    .ok_or_else(|| fail(crate::domain::calendar::not_a_date(text), 2))?
                    .and_hms_opt(12, 0, 0)
                    .unwrap_or_default()
                    .and_utc(),
            };
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            let store = Store::open(&data)?;
            let started = std::time::Instant::now();
            seed_with_progress(&store, practices, seed, now)?;
            let (index, c) = SearchIndex::open(&data.join("index"), &store)?;
            eprintln!(
                "Готово за {:.1} с: {} практик, в поисковом индексе {}, хранилище «{}».",
                started.elapsed().as_secs_f64(),
                practices,
                index.num_docs(),
                data.display()
            );
            let _ = c;
            Ok(())
        }
        Some(Command::Search {
            query,
            query_language,
            csv,
            xlsx,
            columns,
            category,
            region,
            section,
            limit,
            json,
        }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            if let Some(text) = query_language {
                let o = crate::cli::query::Output {
                    json,
                    csv,
                    xlsx,
                    columns,
                    limit,
                };
                return crate::cli::query::search(&data, cli.as_user.as_deref(), &text, &o);
            }
            crate::cli::query::words(
                &data,
                &query.join(" "),
                &section,
                (category.as_deref(), region.as_deref()),
                limit,
                json,
            )
        }
        Some(Command::Practice { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::practice::run(&data, cli.as_user.as_deref(), command)
        }
        Some(Command::User { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            match &command {
                UserCommand::Verify { login } => {
                    crate::cli::workflow::authoring(&data, cli.as_user.as_deref(), login, false)
                }
                UserCommand::GrantAuthor { login } => {
                    crate::cli::workflow::authoring(&data, cli.as_user.as_deref(), login, true)
                }
                c => crate::cli::people::user_command(&data, cli.as_user.as_deref(), c)
                    .unwrap_or_else(|| crate::cli::admin::run(&data, c)),
            }
        }
        Some(Command::Serve(args)) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::serve::run(&config, data, args)
        }
        Some(Command::Sync { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            match command {
                None => crate::cli::session::sync(&data),
                Some(SyncCommand::Status { json }) => crate::cli::session::status(&data, json),
                Some(SyncCommand::Verify) => crate::cli::session::verify(&data),
                Some(SyncCommand::Repair) => crate::cli::session::repair(&data),
            }
        }
        Some(Command::Login { server }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::session::login(&data, &server, cli.as_user.as_deref())
        }
        Some(Command::Replication { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::replication::run(&data, cli.as_user.as_deref(), command)
        }
        Some(Command::Report {
            command:
                ReportCommand::Replication {
                    year,
                    csv,
                    xlsx,
                    pdf,
                },
        }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::replication::report(
                &data,
                year,
                [csv.as_deref(), xlsx.as_deref(), pdf.as_deref()],
            )
        }
        Some(Command::Queue { json }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::workflow::queue(&data, cli.as_user.as_deref(), json)
        }
        Some(Command::Inbox { json }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::workflow::inbox(&data, cli.as_user.as_deref(), json)
        }
        Some(Command::Import {
            command: ImportCommand::Leaders { file },
        }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::practice::import_leaders(&data, cli.as_user.as_deref(), &file)
        }
        Some(Command::Check) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            check_cmd(&data)
        }
        Some(Command::Backup { dir }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            backup_cmd(&data, &dir)
        }
        Some(Command::Restore { dir }) => {
            let Some(data) = cli.data.clone() else {
                return Err(fail(
                    "Укажите новый каталог хранилища: smarteka restore КОПИЯ --data КАТАЛОГ.",
                    2,
                ));
            };
            restore_cmd(&dir, &data)
        }
        Some(Command::Audit {
            command: AuditCommand::Verify,
        }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            audit_verify(&data)
        }
        Some(Command::Logout) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::session::logout(&data)
        }
        Some(Command::Password { reset: false, .. }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::session::change_password(&data, cli.as_user.as_deref())
        }
        Some(Command::Pool { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::pools::run(&data, cli.as_user.as_deref(), &command)
        }
        Some(Command::Club { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::club::run(&data, cli.as_user.as_deref(), &command)
        }
        Some(Command::View { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::query::view(&data, cli.as_user.as_deref(), &command)
        }
        Some(Command::Partner { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::selections::partner(&data, cli.as_user.as_deref(), &command)
        }
        Some(Command::Selection { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::selections::selection(&data, cli.as_user.as_deref(), &command)
        }
        Some(Command::Region { command }) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::regions::run(&data, cli.as_user.as_deref(), &command)
        }
        Some(
            c @ (Command::Password { .. }
            | Command::Register(_)
            | Command::Profile { .. }
            | Command::Consent { .. }),
        ) => {
            let data = config.data_dir(cli.data.as_deref());
            init_log(&config, &data);
            crate::cli::people::run(&data, cli.as_user.as_deref(), &c)
        }
        Some(Command::Bench {
            selection_rush: Some(n),
            ..
        }) => crate::cli::bench::rush(n).map_err(Failure::from),
        Some(Command::Bench {
            ssh_sessions: Some(n),
            practices,
            ..
        }) => crate::cli::bench_ssh::ssh(n, practices).map_err(Failure::from),
        Some(Command::Bench { practices, .. }) => {
            let data = cli.data.clone().or_else(|| config.data_dir.clone());
            crate::cli::bench::run(data.as_deref(), practices).map_err(Failure::from)
        }
    }
}

fn seed_with_progress(
    store: &Store,
    n: usize,
    seed: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Failure> {
    let tty = std::io::stderr().is_terminal();
    eprintln!("Создание демонстрационных данных: {n} практик…");
    crate::demo::seed_at(store, n, seed, now, |done, total| {
        if tty {
            eprint!("\r{} {done}/{total}", crate::tui::ui::bar(done, total));
            let _ = std::io::stderr().flush();
        }
    })?;
    if tty {
        eprintln!();
    }
    Ok(())
}

fn tui(config: &Config, data: &Path) -> Result<(), Failure> {
    let (store, index, catch) = open(data)?;
    tracing::info!(?catch, dir = %data.display(), "store opened");
    let (mut theme, keymap, notes) = look(config, data);
    if Theme::wants_monochrome(
        std::env::var("TERM").ok().as_deref(),
        std::env::var("NO_COLOR").ok().as_deref(),
    ) {
        theme = theme.monochrome();
    }
    let mut app = App::new(
        store,
        index,
        theme,
        keymap,
        config.ui.page,
        notes,
        std::sync::Arc::new(crate::domain::clock::SystemClock),
    );
    if let Some(dir) = &config.ui.print_dir {
        app.print_into(dir.clone());
    }
    let runtime = crate::sync::client::api::runtime().map_err(|e| fail(e, 1))?;
    let mut terminal = ratatui::try_init()?;
    let result = runtime.block_on(app.run(&mut terminal));
    ratatui::restore();
    result.map_err(Failure::from)
}

/// The workstation's theme, keymap and the notes for its help (problems
/// of the configuration, a provisional calendar), for a local workstation
/// or the sessions of the SSH door.
pub(crate) fn look(config: &Config, data: &Path) -> (Theme, Keymap, Vec<String>) {
    let (theme, mut notes) = Theme::load(&config.theme);
    let keymap = Keymap::new(&config.keys, config.ui.layout_remap);
    notes.extend(keymap.problems.iter().cloned());
    for set in crate::screens::all_command_sets() {
        for c in keymap.clashes(&set) {
            if !notes.contains(&c) {
                notes.push(c);
            }
        }
    }
    let (calendar, cal_problems) = config.calendar(data);
    notes.extend(cal_problems);
    let year = chrono::Datelike::year(&clock().today());
    if calendar.is_provisional(year) {
        notes.insert(
            0,
            format!(
                "Производственный календарь на {year} год предварительный: переносы дней не учтены."
            ),
        );
    }
    (theme, keymap, notes)
}

/// Writes to standard output; a reader that went away (`| head`) is fine.
pub fn emit(bytes: &[u8]) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(Failure::from),
    }
}

fn progress_line(step: &str) {
    if std::io::stderr().is_terminal() {
        eprint!("\r{step}…\x1b[K");
    }
}

fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

/// `smarteka check`.
fn check_cmd(data: &Path) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let report = store.check(progress_line)?;
    end_progress();
    let mut out = String::new();
    for (mark, lines) in [
        ("✓", &report.passed),
        ("·", &report.notes),
        ("✗", &report.problems),
    ] {
        for l in lines {
            out.push_str(mark);
            out.push(' ');
            out.push_str(l);
            out.push('\n');
        }
    }
    emit(out.as_bytes())?;
    if report.is_ok() {
        Ok(())
    } else {
        Err(fail(
            format!(
                "Хранилище «{}» повреждено: найдено ошибок {}. Восстановите его из резервной копии: smarteka restore КОПИЯ --data НОВЫЙ_КАТАЛОГ.",
                data.display(),
                report.problems.len()
            ),
            1,
        ))
    }
}

fn print_manifest(dir: &Path, m: &crate::store::backup::Manifest) {
    eprintln!(
        "Копия «{}»: изменений {}, практик {}, пользователей {}, заявок {}, мероприятий {}, файлов {}; голова журнала аудита {}.",
        dir.display(),
        m.seq,
        m.practices,
        m.users,
        m.applications,
        m.events,
        m.files.len(),
        &m.audit_head[..16.min(m.audit_head.len())]
    );
}

/// `smarteka backup DIR`: by this process, or — when a server has the
/// store open — by the server, asked through its control file.
fn backup_cmd(data: &Path, dir: &Path) -> Result<(), Failure> {
    let dir = std::path::absolute(dir)?;
    match Store::open(data) {
        Ok(store) => {
            let m = store.backup(&dir, progress_line)?;
            end_progress();
            print_manifest(&dir, &m);
            Ok(())
        }
        Err(crate::store::StoreError::Locked(_)) => {
            let m = crate::cli::session::backup_by_server(data, &dir).map_err(|e| fail(e, 1))?;
            print_manifest(&dir, &m);
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// `smarteka restore DIR --data NEW`.
fn restore_cmd(dir: &Path, data: &Path) -> Result<(), Failure> {
    let m = crate::store::backup::restore(dir, data, progress_line)?;
    end_progress();
    print_manifest(dir, &m);
    eprintln!(
        "Восстановлено в «{}» и проверено. Клиенты, получившие с сервера больше, получат данные заново при синхронизации.",
        data.display()
    );
    Ok(())
}

/// `smarteka audit verify`.
fn audit_verify(data: &Path) -> Result<(), Failure> {
    let store = Store::open(data)?;
    match store.verify_chain()? {
        (None, n) => {
            let (_, head) = store.audit_head()?;
            emit(format!("Цепочка журнала аудита цела: записей {n}, голова {head}.\n").as_bytes())
        }
        (Some(at), _) => Err(fail(
            format!(
                "Цепочка журнала аудита нарушена: первая нарушенная запись — №{at}. Записи с этой по последнюю изменены, удалены или вставлены; восстановите хранилище из резервной копии."
            ),
            1,
        )),
    }
}
