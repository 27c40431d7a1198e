//! The mailer: delivers the mail queued in the store (codes, notices and
//! deadlines) by SMTP, or, with no SMTP server set, writes each message as
//! an `.eml` file to a directory the operator reads. A message leaves the
//! queue only once delivered; a failed delivery is tried again later,
//! waiting longer each time.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use crate::store::{OutMail, Store};

/// Where mail goes.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtps://user:password@host` (lettre's URL form).
    pub smtp: Option<String>,
    /// The sender: «Смартека <noreply@smarteka.ru>».
    pub from: String,
    /// Where `.eml` files go when there is no SMTP server.
    pub dir: PathBuf,
}

enum Carrier {
    Smtp(Box<SmtpTransport>),
    Files(FileTransport),
}

impl MailConfig {
    /// Where mail goes, said for the operator at start.
    pub fn describe(&self) -> String {
        match &self.smtp {
            Some(url) => {
                // Never the password of the URL.
                let shown = url.split('@').next_back().unwrap_or(url);
                format!("почта — через SMTP {shown}")
            }
            None => format!(
                "почта — файлами .eml в «{}» (SMTP не задан: --smtp)",
                self.dir.display()
            ),
        }
    }

    fn carrier(&self) -> Result<Carrier, String> {
        if let Some(url) = &self.smtp {
            return SmtpTransport::from_url(url)
                .map(|b| Carrier::Smtp(Box::new(b.timeout(Some(Duration::from_secs(30))).build())))
                .map_err(|e| {
                    // lettre's own words go to the log; the operator reads Russian.
                    tracing::error!(error = %e, "SMTP URL");
                    format!(
                        "Адрес SMTP «{url}» не понят: нужен вид smtp://host:port или smtps://логин:пароль@host."
                    )
                });
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            format!(
                "Каталог почты «{}» не создан: {}",
                self.dir.display(),
                crate::store::io_ru(&e)
            )
        })?;
        Ok(Carrier::Files(FileTransport::new(&self.dir)))
    }
}

fn message(from: &Mailbox, m: &OutMail) -> Result<Message, String> {
    let to = Mailbox::new(
        Some(m.name.clone()),
        m.to.parse().map_err(|e| format!("адрес «{}»: {e}", m.to))?,
    );
    // 8-bit text: readable as it is in an .eml file and in the server's
    // log of a mail relay.
    // Lines wrapped at 76 characters (SMTP allows 998 bytes), CRLF.
    let mut text = String::new();
    for line in m.body.lines() {
        for piece in textwrap::wrap(line, 76) {
            text.push_str(&piece);
            text.push_str("\r\n");
        }
    }
    let part = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
        lettre::message::Body::dangerous_pre_encoded(
            text.into_bytes(),
            ContentTransferEncoding::EightBit,
        ),
    );
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .singlepart(part)
        .map_err(|e| e.to_string())
}

/// Starts the mailer thread; the store queues, the thread delivers. The
/// configuration is checked before the server starts.
pub fn start(store: Arc<Store>, config: &MailConfig) -> Result<(), String> {
    let carrier = config.carrier()?;
    let from: Mailbox = config.from.parse().map_err(|e| {
        tracing::error!(error = %e, "mail sender");
        format!(
            "Адрес отправителя «{}» не понят: нужен вид «Имя <адрес@домен>».",
            config.from
        )
    })?;
    store.set_mailing(true);
    std::thread::Builder::new()
        .name("mailer".into())
        .spawn(move || run(&store, &carrier, &from))
        .map_err(|e| format!("Почтовый поток не запущен: {e}"))?;
    Ok(())
}

fn run(store: &Store, carrier: &Carrier, from: &Mailbox) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let batch = match store.waiting_mail(50) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "mail queue not read");
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
        };
        if batch.is_empty() {
            std::thread::sleep(Duration::from_millis(300));
            continue;
        }
        // Mail is queued by the change it tells of: sent only once that
        // change is on disk (a push's flush may still be under way).
        if let Err(e) = store.last_seq().and_then(|seq| store.durable(seq)) {
            tracing::error!(error = %e, "store not flushed before mail");
            std::thread::sleep(Duration::from_secs(5));
            continue;
        }
        let mut failed = false;
        for (key, m) in batch {
            let sent = match message(from, &m) {
                // A message that cannot be made never will be: dropped, logged.
                Err(e) => {
                    tracing::error!(error = %e, to = %m.to, "mail dropped");
                    Ok(())
                }
                Ok(msg) => match carrier {
                    // A refusal the relay means for good (a mailbox that
                    // does not exist) would block every message behind it:
                    // dropped and logged; the rest is tried again.
                    Carrier::Smtp(t) => match t.send(&msg) {
                        Ok(_) => Ok(()),
                        Err(e) if e.is_permanent() => {
                            tracing::error!(error = %e, to = %m.to, "mail refused for good, dropped");
                            Ok(())
                        }
                        Err(e) => Err(e.to_string()),
                    },
                    Carrier::Files(t) => t.send(&msg).map(|_| ()).map_err(|e| e.to_string()),
                },
            };
            match sent {
                Ok(()) => {
                    if let Err(e) = store.mail_sent(&key) {
                        tracing::error!(error = %e, "delivered mail not removed from the queue");
                    }
                    tracing::info!(to = %m.to, subject = %m.subject, "mail sent");
                    backoff = Duration::from_secs(1);
                }
                Err(e) => {
                    tracing::warn!(error = %e, to = %m.to, wait = ?backoff, "mail not delivered, will retry");
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(Duration::from_secs(300));
        }
    }
}
