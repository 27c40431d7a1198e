//! The files of SSH sessions: each user's own directory on the server
//! (`DATA/ssh/LOGIN/`), filled and emptied over SFTP; the workstation
//! attaches files from it alone and prints documents into it.

use std::path::{Path, PathBuf};

/// Makes the directory of the sessions' files, closed to other users of
/// the machine.
pub(super) fn prepare(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// `login`'s directory, made if missing.
pub(super) fn user_dir(data: &Path, login: &str) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    if !crate::domain::people::login_chars(login) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("логин «{login}» не годится в имя каталога"),
        ));
    }
    let dir = data.join(super::FILES_DIR).join(login);
    std::fs::create_dir_all(&dir)?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(dir)
}

/// The largest file one may put into their directory.
pub const FILE_LIMIT: u64 = 100 * 1024 * 1024;
/// The most one's directory may hold.
pub const DIR_LIMIT: u64 = 500 * 1024 * 1024;

/// Serves SFTP on a session channel, inside the user's own directory:
/// `/` is that directory, and nothing outside it can be named.
pub(super) async fn sftp(
    shared: &super::Shared,
    user: &crate::domain::User,
    mut rx: russh::ChannelReadHalf,
    tx: russh::ChannelWriteHalf<russh::server::Msg>,
) {
    let root = match user_dir(&shared.data, &user.login) {
        Ok(d) => d.canonicalize().unwrap_or(d),
        Err(e) => {
            tracing::error!(error = %e, login = %user.login, "sftp: no directory");
            let _ = tx.close().await;
            return;
        }
    };
    tracing::info!(login = %user.login, "sftp: opened");
    // The channel's reader borrows its half, so the SFTP server (which
    // runs on a task of its own) is joined to it through a pipe.
    let (mine, theirs) = tokio::io::duplex(64 * 1024);
    russh_sftp::server::run(
        theirs,
        Sftp {
            root,
            open: std::collections::HashMap::new(),
            next: 0,
            store: shared.state.store.clone(),
            user: user.id,
            used: None,
        },
    )
    .await;
    let (mut from_server, mut to_server) = tokio::io::split(mine);
    let (mut from_client, mut to_client) = (rx.make_reader(), tx.make_writer());
    let mut changes = shared.changes.subscribe();
    let stopping = async {
        // The instance stopping ends file sessions too.
        while *changes.borrow_and_update() != u64::MAX && !shared.state.is_stopping() {
            if changes.changed().await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = async {
            tokio::join!(
                async {
                    let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
                    let _ = tokio::io::AsyncWriteExt::shutdown(&mut to_server).await;
                },
                async {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                    let _ = tokio::io::AsyncWriteExt::shutdown(&mut to_client).await;
                }
            )
        } => {}
        () = stopping => {}
    }
    let _ = tx.close().await;
    tracing::info!(login = %user.login, "sftp: closed");
}

use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;

enum Open {
    /// A file, and whether it was opened to write, to append.
    File(tokio::fs::File, bool, bool),
    Dir(Option<Vec<File>>),
}

/// The most files and directories one SFTP conversation holds open.
const OPEN_LIMIT: usize = 32;

/// One SFTP conversation inside `root`.
struct Sftp {
    root: PathBuf,
    open: std::collections::HashMap<String, Open>,
    next: u64,
    store: std::sync::Arc<crate::store::Store>,
    user: crate::domain::UserId,
    /// What the directory holds, once counted.
    used: Option<u64>,
}

fn refused(code: StatusCode, message: impl Into<String>) -> StatusReply {
    code.with_message(message)
}

fn io(e: &std::io::Error) -> StatusReply {
    match e.kind() {
        std::io::ErrorKind::NotFound => refused(StatusCode::NoSuchFile, "Нет такого файла."),
        std::io::ErrorKind::PermissionDenied => refused(StatusCode::PermissionDenied, "Нет прав."),
        _ => {
            tracing::warn!(error = %e, "sftp: a file operation failed");
            refused(
                StatusCode::Failure,
                "Не удалось: ошибка файловой системы сервера.",
            )
        }
    }
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".into(),
        language_tag: "ru".into(),
    }
}

/// The parts of a client's path under the root, «..» never above it.
fn parts(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            std::path::Component::Normal(p) => out.push(p.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

/// How much a directory holds.
fn used(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => used(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

impl Sftp {
    /// The file a client's path names, inside the root; a path that leads
    /// out by a link is refused.
    fn local(&self, path: &str) -> Result<PathBuf, StatusReply> {
        let mut p = self.root.clone();
        p.extend(parts(path));
        let real = match p.canonicalize() {
            Ok(r) => Some(r),
            Err(_) => p.parent().and_then(|d| d.canonicalize().ok()),
        };
        match real {
            Some(r) if !r.starts_with(&self.root) => Err(refused(
                StatusCode::PermissionDenied,
                "Доступен только ваш каталог.",
            )),
            _ => Ok(p),
        }
    }

    /// The account still may: a disabled one's files are closed to it.
    fn allowed(&self) -> Result<(), StatusReply> {
        match self.store.user(self.user) {
            Ok(Some(u)) if !u.disabled => Ok(()),
            _ => Err(refused(
                StatusCode::PermissionDenied,
                "Учётная запись отключена.",
            )),
        }
    }

    /// What the directory holds (counted once, off the async threads).
    async fn used(&mut self) -> u64 {
        if let Some(u) = self.used {
            return u;
        }
        let root = self.root.clone();
        let u = tokio::task::spawn_blocking(move || used(&root))
            .await
            .unwrap_or(DIR_LIMIT);
        self.used = Some(u);
        u
    }

    fn handle(&mut self, open: Open) -> Result<String, StatusReply> {
        if self.open.len() >= OPEN_LIMIT {
            return Err(refused(
                StatusCode::Failure,
                format!("Открыто уже {OPEN_LIMIT} файлов: закройте лишние."),
            ));
        }
        self.next += 1;
        let h = self.next.to_string();
        self.open.insert(h.clone(), open);
        Ok(h)
    }
}

impl russh_sftp::server::Handler for Sftp {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        refused(StatusCode::OpUnsupported, "Не поддерживается.")
    }

    async fn init(
        &mut self,
        _version: u32,
        _extensions: std::collections::HashMap<String, String>,
    ) -> Result<Version, Self::Error> {
        Ok(Version::new())
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let shown = format!("/{}", parts(&path).join("/"));
        Ok(Name {
            id,
            files: vec![File::dummy(shown)],
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let p = self.local(&path)?;
        let m = tokio::fs::metadata(&p).await.map_err(|e| io(&e))?;
        Ok(Attrs {
            id,
            attrs: FileAttributes::from(&m),
        })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.stat(id, path).await
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        match self.open.get(&handle) {
            Some(Open::File(f, ..)) => {
                let m = f.metadata().await.map_err(|e| io(&e))?;
                Ok(Attrs {
                    id,
                    attrs: FileAttributes::from(&m),
                })
            }
            _ => Err(refused(StatusCode::Failure, "Нет такого открытого файла.")),
        }
    }

    async fn setstat(
        &mut self,
        id: u32,
        _path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        // Times and modes are the server's own: accepted and left.
        Ok(ok(id))
    }

    async fn fsetstat(
        &mut self,
        id: u32,
        _handle: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        Ok(ok(id))
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        self.allowed()?;
        let p = self.local(&filename)?;
        let write = pflags.intersects(OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE);
        if write && self.used().await >= DIR_LIMIT {
            return Err(refused(
                StatusCode::Failure,
                format!(
                    "В вашем каталоге уже {} МБ: удалите ненужные файлы.",
                    DIR_LIMIT / 1024 / 1024
                ),
            ));
        }
        let f = tokio::fs::OpenOptions::new()
            .read(pflags.contains(OpenFlags::READ) || !write)
            .write(write)
            .append(pflags.contains(OpenFlags::APPEND))
            .create(pflags.contains(OpenFlags::CREATE))
            .truncate(pflags.contains(OpenFlags::TRUNCATE))
            .create_new(pflags.contains(OpenFlags::EXCLUDE))
            .open(&p)
            .await
            .map_err(|e| io(&e))?;
        let append = pflags.contains(OpenFlags::APPEND);
        let handle = self.handle(Open::File(f, write, append))?;
        Ok(Handle { id, handle })
    }

    async fn read(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        len: u32,
    ) -> Result<Data, Self::Error> {
        use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
        let Some(Open::File(f, ..)) = self.open.get_mut(&handle) else {
            return Err(refused(StatusCode::Failure, "Нет такого открытого файла."));
        };
        f.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(|e| io(&e))?;
        let mut data = vec![0; len.min(256 * 1024) as usize];
        let n = f.read(&mut data).await.map_err(|e| io(&e))?;
        if n == 0 {
            return Err(StatusCode::Eof.into());
        }
        data.truncate(n);
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Result<Status, Self::Error> {
        use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};
        let used = self.used().await;
        let Some(Open::File(f, true, append)) = self.open.get_mut(&handle) else {
            return Err(refused(StatusCode::Failure, "Файл открыт не для записи."));
        };
        // Where the bytes land: at the end when appending, whatever the
        // client says.
        let len = f.metadata().await.map_err(|e| io(&e))?.len();
        let at = if *append { len } else { offset };
        let end = at.saturating_add(data.len() as u64);
        let growth = end.saturating_sub(len);
        if used.saturating_add(growth) > DIR_LIMIT {
            return Err(refused(
                StatusCode::Failure,
                format!(
                    "В вашем каталоге не больше {} МБ: удалите ненужные файлы.",
                    DIR_LIMIT / 1024 / 1024
                ),
            ));
        }
        if end > FILE_LIMIT {
            return Err(refused(
                StatusCode::Failure,
                format!(
                    "Файл больше {} МБ не принимается.",
                    FILE_LIMIT / 1024 / 1024
                ),
            ));
        }
        f.seek(std::io::SeekFrom::Start(at))
            .await
            .map_err(|e| io(&e))?;
        f.write_all(&data).await.map_err(|e| io(&e))?;
        self.used = Some(used.saturating_add(growth));
        Ok(ok(id))
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        // A file written is on the disk when the client hears it is closed.
        if let Some(Open::File(f, true, _)) = self.open.remove(&handle) {
            f.sync_all().await.map_err(|e| io(&e))?;
        }
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        self.allowed()?;
        let p = self.local(&path)?;
        let mut entries = tokio::fs::read_dir(&p).await.map_err(|e| io(&e))?;
        let mut files = Vec::new();
        while let Ok(Some(e)) = entries.next_entry().await {
            if let Ok(m) = e.metadata().await {
                files.push(File::new(
                    e.file_name().to_string_lossy().into_owned(),
                    FileAttributes::from(&m),
                ));
            }
        }
        let handle = self.handle(Open::Dir(Some(files)))?;
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        match self.open.get_mut(&handle) {
            Some(Open::Dir(files)) => match files.take() {
                Some(files) => Ok(Name { id, files }),
                None => Err(StatusCode::Eof.into()),
            },
            _ => Err(refused(
                StatusCode::Failure,
                "Нет такого открытого каталога.",
            )),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        let p = self.local(&filename)?;
        let size = tokio::fs::metadata(&p).await.map_or(0, |m| m.len());
        tokio::fs::remove_file(&p).await.map_err(|e| io(&e))?;
        self.used = self.used.map(|u| u.saturating_sub(size));
        Ok(ok(id))
    }

    async fn mkdir(
        &mut self,
        id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let p = self.local(&path)?;
        tokio::fs::create_dir(&p).await.map_err(|e| io(&e))?;
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<Status, Self::Error> {
        let p = self.local(&path)?;
        if p == self.root {
            return Err(refused(
                StatusCode::PermissionDenied,
                "Свой каталог не удалить.",
            ));
        }
        tokio::fs::remove_dir(&p).await.map_err(|e| io(&e))?;
        Ok(ok(id))
    }

    async fn rename(
        &mut self,
        id: u32,
        oldpath: String,
        newpath: String,
    ) -> Result<Status, Self::Error> {
        let (from, to) = (self.local(&oldpath)?, self.local(&newpath)?);
        tokio::fs::rename(&from, &to).await.map_err(|e| io(&e))?;
        Ok(ok(id))
    }
}
