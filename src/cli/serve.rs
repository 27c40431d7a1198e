//! `smarteka serve`: the central instance over HTTP, and with
//! `--ssh-bind` the workstation over SSH beside it.

use std::path::PathBuf;

use crate::cli::{Failure, fail};
use crate::config::Config;

/// `smarteka serve`'s parameters (their doc comments are the help).
#[allow(clippy::doc_markdown)]
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Адрес и порт: 127.0.0.1:8080, 0.0.0.0:443.
    #[arg(long, value_name = "АДРЕС", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Сертификат TLS (PEM).
    #[arg(long, value_name = "ФАЙЛ")]
    pub tls_cert: Option<PathBuf>,
    /// Ключ TLS (PEM).
    #[arg(long, value_name = "ФАЙЛ")]
    pub tls_key: Option<PathBuf>,
    /// Сколько часов действует вход.
    #[arg(long, value_name = "ЧАСЫ", default_value_t = 12)]
    pub token_hours: u32,
    /// Сколько секунд ждать заголовков запроса, прежде чем закрыть
    /// соединение.
    #[arg(long, value_name = "СЕКУНДЫ", default_value_t = 10)]
    pub header_timeout: u64,
    /// Почтовый сервер: smtp://host:25, smtps://логин:пароль@host
    /// (письма с кодами, уведомления, сроки).
    #[arg(long, env = "SMARTEKA_SMTP", value_name = "URL")]
    pub smtp: Option<String>,
    /// Отправитель писем.
    #[arg(
        long,
        value_name = "АДРЕС",
        default_value = "Смартека <noreply@smarteka.local>"
    )]
    pub mail_from: String,
    /// Без --smtp письма пишутся файлами .eml сюда (по умолчанию —
    /// mail-out в каталоге хранилища).
    #[arg(long, value_name = "КАТАЛОГ")]
    pub mail_dir: Option<PathBuf>,
    /// Открыть рабочее место по SSH на этом адресе: 127.0.0.1:2222.
    #[arg(long, value_name = "АДРЕС")]
    pub ssh_bind: Option<String>,
    /// Сеансов SSH одного пользователя одновременно.
    #[arg(long, value_name = "ЧИСЛО", default_value_t = 3)]
    pub ssh_sessions_per_user: usize,
    /// Сеансов SSH всего одновременно.
    #[arg(long, value_name = "ЧИСЛО", default_value_t = 100)]
    pub ssh_sessions: usize,
    /// Через сколько минут без действий сеанс SSH закрывается (за 2
    /// минуты — предупреждение; черновики сохраняются).
    #[arg(long, value_name = "МИНУТЫ", default_value_t = 30)]
    pub ssh_idle: u64,
}

fn address(text: &str, example: &str) -> Result<std::net::SocketAddr, Failure> {
    text.parse().map_err(|_| {
        fail(
            format!("«{text}» — не адрес: укажите, например, {example}."),
            2,
        )
    })
}

pub fn run(config: &Config, data: PathBuf, args: ServeArgs) -> Result<(), Failure> {
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => {
            return Err(fail(
                "Для TLS укажите оба параметра: --tls-cert и --tls-key.",
                2,
            ));
        }
    };
    let bind = address(&args.bind, "127.0.0.1:8080")?;
    let mut doors = Vec::new();
    if let Some(text) = &args.ssh_bind {
        if args.ssh_sessions_per_user == 0 || args.ssh_sessions == 0 || args.ssh_idle == 0 {
            return Err(fail(
                "Число сеансов SSH и время простоя должны быть больше нуля.",
                2,
            ));
        }
        let (theme, keymap, notes) = crate::cli::look(config, &data);
        // A day at most: a session is not meant to outlive its user's day.
        let idle = std::time::Duration::from_secs(args.ssh_idle.min(24 * 60) * 60);
        doors.push(crate::ssh::door(
            crate::ssh::Options {
                bind: address(text, "127.0.0.1:2222")?,
                per_user: args.ssh_sessions_per_user,
                total: args.ssh_sessions,
                idle,
                warn: std::time::Duration::from_secs(120).min(idle / 2),
            },
            data.clone(),
            crate::ssh::Look {
                theme,
                keymap,
                page: config.ui.page,
                notes,
            },
        ));
    }
    let out_dir = data.join("mail-out");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(crate::server::serve(crate::server::Options {
            bind,
            tls,
            token_ttl: chrono::Duration::hours(i64::from(args.token_hours)),
            timeout: std::time::Duration::from_secs(60),
            backups: config.server.plan().map_err(|e| fail(e, 2))?,
            header_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
            mail: crate::server::mail::MailConfig {
                dir: args.mail_dir.unwrap_or_else(|| out_dir.clone()),
                smtp: args.smtp,
                from: args.mail_from,
            },
            data,
            doors,
        }))
        .map_err(|e| fail(e, 1))
}
