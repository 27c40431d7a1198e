//! The command line's arguments: the clap definitions of the commands,
//! and clap's own words in the help put in Russian.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

pub(crate) const HELP_TEMPLATE: &str =
    "{about}\n\nИспользование: {usage}\n\n{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "smarteka",
    version,
    about = "Смартека — рабочее место каталога эффективных региональных практик.\nБез команды открывает каталог в терминале.",
    help_template = HELP_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Команды",
    next_help_heading = "Параметры"
)]
pub struct Cli {
    /// Каталог хранилища (по умолчанию — каталог данных пользователя).
    #[arg(long, global = true, env = "SMARTEKA_DATA", value_name = "КАТАЛОГ")]
    pub data: Option<PathBuf>,
    /// Файл настроек (по умолчанию ~/.config/smarteka/config.toml).
    #[arg(long, global = true, env = "SMARTEKA_CONFIG", value_name = "ФАЙЛ")]
    pub config: Option<PathBuf>,
    /// Открыть каталог на временном хранилище с демонстрационными данными;
    /// ваши данные не затрагиваются.
    #[arg(long)]
    pub demo: bool,
    #[arg(
        long = "as",
        global = true,
        value_name = "ЛОГИН",
        help = "Действовать от имени пользователя; пароль — из переменной SMARTEKA_PASSWORD или с клавиатуры"
    )]
    pub as_user: Option<String>,
    /// Показать справку.
    #[arg(short = 'h', long, action = ArgAction::Help, global = true)]
    pub help: Option<bool>,
    /// Показать версию.
    #[arg(short = 'V', long, action = ArgAction::Version)]
    pub version: Option<bool>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::doc_markdown)] // the help text names environment variables
pub enum Command {
    /// Заполнить хранилище воспроизводимыми демонстрационными данными.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Demo {
        /// Сколько практик создать.
        #[arg(long, default_value_t = 2000, value_name = "N")]
        practices: usize,
        /// Зерно генератора: одно и то же зерно с той же датой даёт те же данные.
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// День, от которого отсчитываются все даты демонстрационных данных
        /// (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД; по умолчанию — сегодня).
        #[arg(long, value_name = "ДАТА")]
        today: Option<String>,
    },
    /// Искать практики в опубликованном каталоге и «Базе знаний».
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Search {
        /// Слова запроса (в любой форме: «школьный» найдёт «школы»).
        #[arg(required_unless_present = "query_language", value_name = "ЗАПРОС")]
        query: Vec<String>,
        /// Запрос с условиями: «статус:упаковка срок<3 регион:16 OR
        /// просрочено» (docs/queries.md). С --as — всё, что видит
        /// пользователь.
        #[arg(long = "query", value_name = "ЗАПРОС", conflicts_with_all = ["query", "category", "region", "section"])]
        query_language: Option<String>,
        /// С --query: записать строки в CSV.
        #[arg(long, value_name = "ФАЙЛ", requires = "query_language")]
        csv: Option<PathBuf>,
        /// С --query: записать строки в XLSX.
        #[arg(long, value_name = "ФАЙЛ", requires = "query_language")]
        xlsx: Option<PathBuf>,
        /// С --query: столбцы через запятую — id, title, status, region,
        /// category, level, year, author, route, deadline, votes,
        /// applications.
        #[arg(long, value_name = "СТОЛБЦЫ", requires = "query_language")]
        columns: Option<String>,
        /// Где искать: main — основной каталог (как на рабочем месте),
        /// archive — «База знаний», all — везде.
        #[arg(long, default_value = "main", value_name = "РАЗДЕЛ")]
        section: String,
        /// Категория: название или код.
        #[arg(long, value_name = "НАЗВАНИЕ")]
        category: Option<String>,
        /// Регион: название или код.
        #[arg(long, value_name = "НАЗВАНИЕ")]
        region: Option<String>,
        /// Сколько результатов вывести.
        #[arg(long, default_value_t = 20, value_name = "K")]
        limit: usize,
        /// Вывести результат в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Работа с практиками.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Practice {
        #[command(subcommand)]
        command: PracticeCommand,
    },
    /// Пользователи: доступ к заполнению паспортов (п. 4.1.3).
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Центральный экземпляр: HTTP-сервер для синхронизации и, с
    /// --ssh-bind, рабочее место по SSH.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Serve(crate::cli::serve::ServeArgs),
    /// Войти на центральный экземпляр: --as ЛОГИН, пароль из
    /// SMARTEKA_PASSWORD или с запросом.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Login {
        /// Адрес сервера, http или https.
        #[arg(long, value_name = "URL")]
        server: String,
    },
    /// Обменяться изменениями с центральным экземпляром (после
    /// smarteka login): отправить свои, получить чужие.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Sync {
        #[command(subcommand)]
        command: Option<SyncCommand>,
    },
    /// Тиражирование: заявки «Хочу внедрить», шаги по ним, мероприятия.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Replication {
        #[command(subcommand)]
        command: crate::cli::replication::ReplicationCommand,
    },
    /// Отчёты.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Ваши очереди: практики, ждущие вашего действия.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Queue {
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ваши уведомления и приближающиеся сроки.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Inbox {
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Загрузить справочные данные.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Проверить хранилище целиком: записи, сводки, журналы, цепочку
    /// аудита, файлы.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Check,
    /// Сделать резервную копию хранилища в новый каталог (можно при
    /// работающем сервере: копию сделает он сам).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Backup {
        /// Новый или пустой каталог для копии.
        #[arg(value_name = "КАТАЛОГ")]
        dir: PathBuf,
    },
    /// Восстановить хранилище из резервной копии в новый каталог --data и
    /// проверить его.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Restore {
        /// Каталог резервной копии.
        #[arg(value_name = "КОПИЯ")]
        dir: PathBuf,
    },
    /// Журнал аудита.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Выйти с центрального экземпляра: сеанс закрывается, неотправленные
    /// изменения остаются.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Logout,
    /// Сменить пароль: на сервере, если вход выполнен, иначе в хранилище.
    /// Пароли — из SMARTEKA_PASSWORD и SMARTEKA_NEW_PASSWORD или с запросом.
    /// Забыли пароль: --reset --server URL --login ЛОГИН, затем --code КОД
    /// из письма.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Password {
        /// Восстановить пароль по коду из письма.
        #[arg(long)]
        reset: bool,
        #[arg(long, value_name = "URL", requires = "reset")]
        server: Option<String>,
        #[arg(long, value_name = "ЛОГИН", requires = "reset")]
        login: Option<String>,
        /// Код из письма.
        #[arg(long, value_name = "КОД", requires = "reset")]
        code: Option<String>,
    },
    /// Зарегистрироваться на центральном экземпляре (п. 4.1.1–4.1.2):
    /// логин, почта, ФИО, регион, согласия; пароль — из SMARTEKA_PASSWORD
    /// или дважды с запросом. Затем --confirm КОД из письма.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Register(crate::cli::people::RegisterArgs),
    /// Ваш профиль (прил. 2): показать, изменить, фотография, почта.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Profile {
        #[command(subcommand)]
        command: crate::cli::people::ProfileCommand,
    },
    /// Страницы регионов (п. 2.2.1, 2.2.3): глава, команда, координатор,
    /// практики, заявки, место в списках лидеров.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Region {
        #[command(subcommand)]
        command: crate::cli::regions::RegionCommand,
    },
    /// Экспертные пулы категорий (п. 4.4.2–4.4.5): состав, основания,
    /// ежегодная актуализация.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Pool {
        #[command(subcommand)]
        command: crate::cli::pools::PoolCommand,
    },
    /// Сохранённые запросы (виды): вкладки «Очередей» с числом практик.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    View {
        #[command(subcommand)]
        command: crate::cli::query::ViewCommand,
    },
    /// Стратегические партнёры (п. 2.2.4–2.2.5): комиссии Госсовета и
    /// федеральные органы, заказывающие отборы.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Partner {
        #[command(subcommand)]
        command: crate::cli::selections::PartnerCommand,
    },
    /// Отборы (п. 3.2.5–3.2.7, 4.3.4): страница, критерии, сроки, заявки.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Selection {
        #[command(subcommand)]
        command: crate::cli::selections::SelectionCommand,
    },
    /// Клуб стратегических инициатив (п. 4.4.9): заседания, решения по
    /// практикам, протокол.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Club {
        #[command(subcommand)]
        command: crate::cli::club::ClubCommand,
    },
    /// Ваши согласия (152-ФЗ, п. 4.1.2, 4.1.7): список, дать, отозвать.
    #[command(help_template = HELP_TEMPLATE, subcommand_help_heading = "Команды")]
    Consent {
        #[command(subcommand)]
        command: crate::cli::people::ConsentCommand,
    },
    /// Замерить скорость поиска, открытия и память на хранилище.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Bench {
        /// Сколько практик создать во временном хранилище, если --data не
        /// указан или хранилище пусто.
        #[arg(long, default_value_t = 10_000, value_name = "N")]
        practices: usize,
        /// Вместо прочих замеров: N заявок на отбор в последний час приёма
        /// от авторов всех регионов (десятая часть — после срока).
        #[arg(long, value_name = "N")]
        selection_rush: Option<usize>,
        /// Вместо прочих замеров: N одновременных сеансов SSH (serve
        /// --ssh-bind) листают и ищут; время от нажатия до кадра и память
        /// на сеанс.
        #[arg(long, value_name = "N")]
        ssh_sessions: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Проверить цепочку журнала аудита: каждая запись несёт хеш
    /// предыдущей; назвать первую нарушенную.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Итоги тиражирования за год (п. 5.3.5): по практикам, регионам,
    /// категориям и статусам; кандидаты в архив.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Replication {
        /// Год подачи заявок.
        #[arg(long, value_name = "ГОД")]
        year: i32,
        /// Записать таблицу CSV.
        #[arg(long, value_name = "ФАЙЛ")]
        csv: Option<PathBuf>,
        /// Записать книгу XLSX.
        #[arg(long, value_name = "ФАЙЛ")]
        xlsx: Option<PathBuf>,
        /// Записать документ PDF для печати.
        #[arg(long, value_name = "ФАЙЛ")]
        pdf: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PracticeCommand {
    /// Показать паспорт практики.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Show {
        /// Идентификатор практики.
        #[arg(value_name = "ID")]
        id: String,
        /// Вывести паспорт в JSON.
        #[arg(long)]
        json: bool,
        /// Показать сохранённую редакцию паспорта с этим номером.
        #[arg(long, value_name = "N")]
        revision: Option<u32>,
        /// Записать паспорт для печати в PDF (с обложкой).
        #[arg(long, value_name = "ФАЙЛ", conflicts_with_all = ["json", "revision"])]
        pdf: Option<PathBuf>,
    },
    /// Протокол экспертной оценки (прил. 3): эксперты, решения, замечания,
    /// итог и применённое правило.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Protocol {
        /// Идентификатор практики.
        #[arg(value_name = "ID")]
        id: String,
        /// Записать протокол в PDF.
        #[arg(long, value_name = "ФАЙЛ")]
        pdf: Option<PathBuf>,
    },
    /// Создать паспорт из JSON (формат — docs/passport.md); выводит идентификатор.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    New {
        /// Файл JSON с полями паспорта.
        #[arg(long = "from", value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Заменить поля паспорта теми, что есть в JSON.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Edit {
        #[arg(value_name = "ID")]
        id: String,
        #[arg(long = "from", value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Приложить файл: обложку, согласие или материал.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Attach {
        #[arg(value_name = "ID")]
        id: String,
        #[arg(value_name = "ПУТЬ")]
        path: PathBuf,
        /// cover, consent, npa, supporting, roadmap, presentation, federal,
        /// letter, video, recommendation, other.
        #[arg(long, value_name = "ВИД")]
        kind: String,
        /// Подпись к материалу.
        #[arg(long, value_name = "ТЕКСТ")]
        title: Option<String>,
    },
    /// Сохранить вложение практики в файл.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    SaveFile {
        #[arg(value_name = "ID")]
        id: String,
        /// Имя файла вложения или начало его SHA-256 (не короче 8 знаков).
        #[arg(value_name = "ИМЯ")]
        name: String,
        /// Куда сохранить.
        #[arg(value_name = "ПУТЬ")]
        path: PathBuf,
        /// Заменить файл, если он уже есть.
        #[arg(long)]
        force: bool,
    },
    /// Подать практику: «Черновик» → «Подтверждение регионом».
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Submit {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Что вы можете сделать с практикой сейчас (docs/workflow.md).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Actions {
        #[arg(value_name = "ID")]
        id: String,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Выполнить действие этапа валидации: confirm, return, reject,
    /// send-to-experts, vote-approve, publish… (docs/workflow.md).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Act {
        /// Практика (без --query) или действие (с --query).
        #[arg(value_name = "ID")]
        id: String,
        #[arg(value_name = "ДЕЙСТВИЕ")]
        action: Option<String>,
        /// Все практики запроса (docs/queries.md): сначала --dry-run —
        /// что будет с каждой, затем --yes — выполнить, каждую отдельно.
        #[arg(long, value_name = "ЗАПРОС")]
        query: Option<String>,
        /// С --query: только показать, что будет; ничего не записывать.
        #[arg(long, requires = "query", conflicts_with = "yes")]
        dry_run: bool,
        /// С --query: выполнить.
        #[arg(long, requires = "query")]
        yes: bool,
        /// Комментарий: что доработать, причина, пункты доработки.
        #[arg(long, value_name = "ТЕКСТ")]
        comment: Option<String>,
        /// Документ этапа: протокол, письмо-запрос, обращение.
        #[arg(long, value_name = "ПУТЬ")]
        attach: Vec<PathBuf>,
        /// Пользователь: эксперт-модератор, эксперты, новый автор.
        #[arg(long, value_name = "ЛОГИН")]
        to: Vec<String>,
        /// Уровень практики: 1, 2 или 3.
        #[arg(long, value_name = "N")]
        level: Option<u8>,
        /// Код причины отказа или архивации.
        #[arg(long, value_name = "КОД")]
        reason: Option<String>,
        /// Категория (set-category): код или название.
        #[arg(long, value_name = "КАТЕГОРИЯ", conflicts_with = "reason")]
        category: Option<String>,
    },
    /// История практики: кто, когда, из какого статуса в какой.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    History {
        #[arg(value_name = "ID")]
        id: String,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Сравнить две редакции паспорта; по умолчанию — возвращённую на
    /// доработку и поданную после неё.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Diff {
        #[arg(value_name = "ID")]
        id: String,
        /// Редакция «было».
        #[arg(long = "from", value_name = "N")]
        from: Option<u32>,
        /// Редакция «стало».
        #[arg(long = "to", value_name = "N")]
        to: Option<u32>,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
#[allow(clippy::doc_markdown)] // the help text names environment variables
pub enum UserCommand {
    /// Завести пользователя в хранилище (администратор сервера). Пароль —
    /// из SMARTEKA_NEW_PASSWORD или с запросом.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Add {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        /// ФИО кириллицей.
        #[arg(long, value_name = "ФИО")]
        name: String,
        /// Регион: название или код.
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
        #[arg(long, value_name = "АДРЕС")]
        email: Option<String>,
        #[arg(long, value_name = "ТЕЛЕФОН")]
        phone: Option<String>,
        #[arg(long, value_name = "ОРГАНИЗАЦИЯ")]
        organisation: Option<String>,
        #[arg(long, value_name = "ДОЛЖНОСТЬ")]
        position: Option<String>,
    },
    /// Дать или снять роль: author, coordinator, expert-moderator, expert,
    /// asi-moderator, rating-committee, implementation-moderator, recipient.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Role {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        /// add или remove.
        #[arg(value_name = "ДЕЙСТВИЕ")]
        change: String,
        #[arg(value_name = "РОЛЬ")]
        role: String,
        /// Регион роли: название или код.
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
        /// Категории роли (эксперт, эксперт-модератор): коды или названия.
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: Vec<String>,
    },
    /// Дать роль (модератор АСИ, --as ЛОГИН): author, coordinator,
    /// expert-moderator, expert, asi-moderator, rating-committee,
    /// implementation-moderator, recipient.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Grant {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(value_name = "РОЛЬ")]
        role: String,
        /// Регион роли: название или код.
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
        /// Категории роли (эксперт, эксперт-модератор).
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: Vec<String>,
    },
    /// Снять роль (модератор АСИ, --as ЛОГИН); без --region — во всех
    /// регионах.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Revoke {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(value_name = "РОЛЬ")]
        role: String,
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
    },
    /// Пользователи (модератор АСИ — все, координатор — своего региона).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        /// Слова имени или логина.
        #[arg(long, value_name = "ТЕКСТ")]
        text: Option<String>,
        #[arg(long, value_name = "РОЛЬ")]
        role: Option<String>,
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
        /// Только подтверждённые координатором и ждущие доступа.
        #[arg(long)]
        pending: bool,
        /// Только с просроченным обновлением контактов (п. 4.1.12).
        #[arg(long)]
        overdue: bool,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Попросить обновить контактные данные (п. 4.1.12, модератор АСИ):
    /// срок — 14 рабочих дней.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Contacts {
        #[arg(value_name = "ЛОГИН")]
        logins: Vec<String>,
        #[arg(long, value_name = "РЕГИОН")]
        region: Option<String>,
        /// Всех пользователей (ежегодно, в январе).
        #[arg(long)]
        all: bool,
    },
    /// Отключить учётную запись: вход и действия будут отклонены. С --as —
    /// модератор АСИ с любого рабочего места, без — администратор хранилища.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Disable {
        #[arg(value_name = "ЛОГИН")]
        login: String,
    },
    /// Снова разрешить вход отключённой учётной записи (с --as или без,
    /// как disable).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Enable {
        #[arg(value_name = "ЛОГИН")]
        login: String,
    },
    /// Ключи SSH учётной записи для входа на рабочее место центрального
    /// сервера (serve --ssh-bind); на хранилище сервера.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Подтвердить пользователя своего региона (региональный координатор).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Verify {
        #[arg(value_name = "ЛОГИН")]
        login: String,
    },
    /// Предоставить подтверждённому пользователю доступ к заполнению
    /// паспорта практики (модератор АСИ).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    GrantAuthor {
        #[arg(value_name = "ЛОГИН")]
        login: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Добавить открытые ключи из файла .pub или `authorized_keys` («-» —
    /// со стандартного ввода).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Add {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(value_name = "ФАЙЛ")]
        file: PathBuf,
    },
    /// Ключи учётной записи: отпечаток, алгоритм, комментарий, когда добавлен.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(value_name = "ЛОГИН")]
        login: String,
    },
    /// Удалить ключ по отпечатку (SHA256:…) или комментарию.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Remove {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(value_name = "КЛЮЧ")]
        key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Сверить хранилище с сервером: какие практики расходятся.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Verify,
    /// Получить с сервера всё заново; неотправленные изменения сохраняются.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Repair,
    /// Что ждёт отправки, докуда получено, конфликты и отказы.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Status {
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Списки регионов-лидеров рейтингов (CSV: year,region,criterion,note).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Leaders {
        #[arg(value_name = "ФАЙЛ")]
        file: PathBuf,
    },
}

/// clap's own words in the help, in Russian: the placeholders of the usage
/// line and the notes on defaults and environment variables.
pub fn help_ru(text: &str) -> String {
    let mut out = text
        .replace("[OPTIONS]", "[ПАРАМЕТРЫ]")
        .replace("<COMMAND>", "<КОМАНДА>")
        .replace("[COMMAND]", "[КОМАНДА]")
        .replace("[default: ", "[по умолчанию: ");
    while let Some(i) = out.find("[env: ") {
        let Some(end) = out[i..].find(']') else { break };
        let var = out[i + 6..i + end].trim_end_matches('=').to_owned();
        out.replace_range(i..=i + end, &format!("[переменная {var}]"));
    }
    out
}
