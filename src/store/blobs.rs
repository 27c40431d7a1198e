//! The blob area: attachment files by SHA-256 in `<data>/blobs/ab/<hash>`,
//! deduplicated, written through a temporary file and fsync before they
//! are named, so a blob either is whole or is not there.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::passport::ImageFormat;
use crate::domain::rules::{MAX_FILE_BYTES, human_size};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error(
        "Файл «{name}» весит {size}, больше 20 МБ. Разместите его в облачном хранилище и приложите ссылку."
    )]
    TooLarge { name: String, size: String },
    #[error("Файл «{0}» не найден.")]
    NotFound(String),
    #[error("«{0}» — не файл.")]
    NotAFile(String),
    #[error("Вложение {0} отсутствует в хранилище: синхронизируйте данные.")]
    Missing(String),
    #[error("Ошибка чтения или записи файла: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a chunk was not taken.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("Получено {0} байт: продолжите с этого места.")]
    Offset(u64),
    #[error("Фрагмент выходит за объявленный размер файла.")]
    Overflow,
    #[error("Файл весит {0}, больше 20 МБ.")]
    TooLarge(String),
    #[error("Содержимое файла не совпадает с его SHA-256: передайте файл заново.")]
    Hash,
    #[error(
        "Недоотправленные файлы занимают больше {0}: дождитесь конца начатых передач или повторите позже."
    )]
    Quota(String),
    #[error("Ошибка записи файла: {0}")]
    Io(#[from] std::io::Error),
}

/// The SHA-256 of a file's content, as blobs are named.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut reader = BufReader::new(File::open(path)?);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
    /// The file's name, without the directory.
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
}

/// Bytes as lowercase hex, as blobs are named.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl Blobs {
    pub fn new(store_dir: &Path) -> Self {
        Self {
            dir: store_dir.join("blobs"),
        }
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let (a, _) = sha256.split_at(2.min(sha256.len()));
        self.dir.join(a).join(sha256)
    }

    pub fn exists(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Stores a file, refusing one over 20 MB before reading it.
    pub fn put_file(&self, path: &Path) -> Result<BlobRef, BlobError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|_| BlobError::NotFound(shown.clone()))?;
        if !meta.is_file() {
            return Err(BlobError::NotAFile(shown));
        }
        let name = path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        if meta.len() > MAX_FILE_BYTES {
            return Err(BlobError::TooLarge {
                name,
                size: human_size(meta.len()),
            });
        }
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        let mut reader = BufReader::new(File::open(path)?);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > MAX_FILE_BYTES {
                // The file grew while we read it.
                return Err(BlobError::TooLarge {
                    name,
                    size: human_size(size),
                });
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n])?;
        }
        let sha256 = hex(&hasher.finalize());
        let dest = self.path_of(&sha256);
        if !dest.is_file() {
            tmp.as_file().sync_all()?;
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            tmp.persist(&dest).map_err(|e| BlobError::Io(e.error))?;
            if let Some(parent) = dest.parent() {
                File::open(parent)?.sync_all()?;
            }
        }
        Ok(BlobRef { sha256, size, name })
    }

    /// Whether `s` is a SHA-256 in lowercase hex, as blobs are named.
    pub fn is_sha256(s: &str) -> bool {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// Where one sender's partial upload of a file is kept: each sender
    /// has a folder of their own, so nobody learns of another's upload or
    /// adds to it, and each sender's partial bytes can be counted.
    fn partial_path(&self, sender: &str, sha256: &str) -> PathBuf {
        self.dir.join("partial").join(sender).join(sha256)
    }

    /// How many bytes of a file this sender has sent so far.
    pub fn received(&self, sender: &str, sha256: &str) -> u64 {
        std::fs::metadata(self.partial_path(sender, sha256)).map_or(0, |m| m.len())
    }

    /// The bytes of a sender's partial uploads, all files together.
    pub fn partial_bytes(&self, sender: &str) -> u64 {
        let Ok(entries) = std::fs::read_dir(self.dir.join("partial").join(sender)) else {
            return 0;
        };
        entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Removes partial uploads untouched for `age`; returns how many files
    /// and bytes went.
    pub fn sweep_partials(&self, age: std::time::Duration) -> (usize, u64) {
        let now = std::time::SystemTime::now();
        let (mut files, mut bytes) = (0, 0);
        let Ok(senders) = std::fs::read_dir(self.dir.join("partial")) else {
            return (0, 0);
        };
        for sender in senders.flatten() {
            let Ok(entries) = std::fs::read_dir(sender.path()) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(m) = e.metadata() else { continue };
                let old = m
                    .modified()
                    .ok()
                    .and_then(|t| now.duration_since(t).ok())
                    .is_some_and(|d| d >= age);
                if old && std::fs::remove_file(e.path()).is_ok() {
                    files += 1;
                    bytes += m.len();
                }
            }
            // Gone when empty; kept otherwise.
            let _ = std::fs::remove_dir(sender.path());
        }
        (files, bytes)
    }

    /// Appends a chunk at `offset` of a file of `total` bytes that
    /// `sender` is uploading, durably. When the last byte is in, the content
    /// is checked against its name and stored (or, if the file is here
    /// already, the partial copy is dropped). `quota` bounds the sender's
    /// partial bytes. Returns the bytes received so far.
    pub fn append(
        &self,
        sender: &str,
        sha256: &str,
        offset: u64,
        chunk: &[u8],
        total: u64,
        quota: u64,
    ) -> Result<u64, AppendError> {
        if total > MAX_FILE_BYTES {
            return Err(AppendError::TooLarge(human_size(total)));
        }
        let have = self.received(sender, sha256);
        if offset != have {
            return Err(AppendError::Offset(have));
        }
        if have + chunk.len() as u64 > total {
            return Err(AppendError::Overflow);
        }
        if self.partial_bytes(sender) + chunk.len() as u64 > quota {
            return Err(AppendError::Quota(human_size(quota)));
        }
        let path = self.partial_path(sender, sha256);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(chunk)?;
        f.sync_all()?;
        let now = have + chunk.len() as u64;
        if now < total {
            return Ok(now);
        }
        // Complete: the content must be what its name says.
        if hash_file(&path)? != sha256 {
            std::fs::remove_file(&path)?;
            return Err(AppendError::Hash);
        }
        let dest = self.path_of(sha256);
        if dest.is_file() {
            std::fs::remove_file(&path)?;
            return Ok(now);
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&path, &dest)?;
        if let Some(parent) = dest.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(now)
    }

    /// Every stored file's name (its SHA-256), partial uploads left out.
    pub fn list(&self) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for d in dirs.flatten() {
            if d.file_name().len() != 2 {
                continue;
            }
            for e in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if Self::is_sha256(&name) {
                    out.push(name);
                }
            }
        }
        out.sort();
        out
    }

    /// The first bytes of a blob (enough to recognise an image).
    pub fn head(&self, sha256: &str, n: usize) -> Result<Vec<u8>, BlobError> {
        let f =
            File::open(self.path_of(sha256)).map_err(|_| BlobError::Missing(sha256.to_owned()))?;
        let mut out = Vec::with_capacity(n);
        f.take(n as u64).read_to_end(&mut out)?;
        Ok(out)
    }

    /// Copies a blob out to a path.
    pub fn save_to(&self, sha256: &str, dest: &Path) -> Result<(), BlobError> {
        let src = self.path_of(sha256);
        if !src.is_file() {
            return Err(BlobError::Missing(sha256.to_owned()));
        }
        std::fs::copy(src, dest)?;
        Ok(())
    }
}

/// What an image is, by its content: format and size, if it is an image.
pub fn inspect_image(head: &[u8]) -> Option<(ImageFormat, u32, u32)> {
    use imagesize::ImageType;
    let format = match imagesize::image_type(head).ok()? {
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Png => ImageFormat::Png,
        ImageType::Bmp => ImageFormat::Bmp,
        ImageType::Gif => ImageFormat::Gif,
        ImageType::Webp => ImageFormat::Webp,
        _ => ImageFormat::Other,
    };
    let size = imagesize::blob_size(head).ok()?;
    Some((
        format,
        u32::try_from(size.width).ok()?,
        u32::try_from(size.height).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PNG header of the given size (signature + IHDR).
    pub fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    #[test]
    fn stores_once_by_hash_and_saves_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = Blobs::new(dir.path());
        let f1 = dir.path().join("a.pdf");
        let f2 = dir.path().join("copy of a.pdf");
        std::fs::write(&f1, b"%PDF-1.4 same").expect("write");
        std::fs::write(&f2, b"%PDF-1.4 same").expect("write");
        let r1 = b.put_file(&f1).expect("stored");
        let r2 = b.put_file(&f2).expect("stored");
        assert_eq!(r1.sha256, r2.sha256);
        assert_eq!(r1.size, 13);
        assert_eq!(r2.name, "copy of a.pdf");
        let files: Vec<_> = walk(&dir.path().join("blobs"));
        assert_eq!(files.len(), 1, "{files:?}");
        let out = dir.path().join("back.pdf");
        b.save_to(&r1.sha256, &out).expect("saved");
        assert_eq!(std::fs::read(out).expect("read"), b"%PDF-1.4 same");
    }

    fn walk(d: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[test]
    fn refuses_large_and_missing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = Blobs::new(dir.path());
        let big = dir.path().join("big.mp4");
        let f = File::create(&big).expect("create");
        f.set_len(21 * 1024 * 1024).expect("sparse 21 MB");
        let e = b.put_file(&big).expect_err("too large").to_string();
        assert!(e.contains("21,0 МБ") && e.contains("big.mp4"), "{e}");
        assert!(!dir.path().join("blobs").exists(), "nothing stored");
        let e = b
            .put_file(&dir.path().join("nope.pdf"))
            .expect_err("missing")
            .to_string();
        assert!(e.contains("не найден"), "{e}");
    }

    #[test]
    fn images_are_recognised_by_content() {
        assert_eq!(
            inspect_image(&png_header(1200, 900)),
            Some((ImageFormat::Png, 1200, 900))
        );
        assert_eq!(inspect_image(b"just text, named cover.png"), None);
    }
}
