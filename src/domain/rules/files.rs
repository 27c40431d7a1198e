//! The rules of the materials (P-9) and the cover (P-10), and file sizes
//! said in Russian.

use crate::domain::passport::{Cover, Field, ImageFormat, Material, MaterialKind, Source};

use super::{COVER_MIN, Finding, MAX_FILE_BYTES};

/// P-9: each file at most 20 MB, links are web addresses, and the
/// supporting documents of §2.1.5(4) are present.
pub fn p9_materials(materials: &[Material], leader_project: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if materials.is_empty() {
        out.push(Finding::error(
            Field::P9,
            "Приложите материалы, подтверждающие реализацию: НПА, планы, презентации (п. 2.1.5(4)).",
        ));
    }
    for m in materials {
        match &m.source {
            Source::File { name, size, .. } => {
                if let Some(f) = file_size_problem(name, *size) {
                    out.push(f);
                }
            }
            Source::Link { url } => {
                if !is_web_link(url) {
                    out.push(Finding::error(
                        Field::P9,
                        format!("Ссылка «{url}» должна начинаться с https:// или http://."),
                    ));
                }
            }
        }
    }
    let has = |k: MaterialKind| materials.iter().any(|m| m.kind == k);
    if !materials.is_empty() && !has(MaterialKind::Npa) {
        out.push(Finding::hint(
            Field::P9,
            "Приложите нормативные правовые акты, созданные или доработанные для практики.",
        ));
    }
    if !materials.is_empty() && !has(MaterialKind::Roadmap) {
        out.push(Finding::hint(
            Field::P9,
            "Приложите план или «дорожную карту» реализации практики.",
        ));
    }
    if leader_project && !has(MaterialKind::Letter) {
        out.push(Finding::error(
            Field::P9,
            "Для практики лидерского проекта обязательно письмо за подписью заместителя высшего должностного лица субъекта РФ (п. 2.1.5(4)).",
        ));
    }
    out
}

/// The 20 MB limit of P-9, with the size in the message.
pub fn file_size_problem(name: &str, size: u64) -> Option<Finding> {
    (size > MAX_FILE_BYTES).then(|| {
        Finding::error(
            Field::P9,
            format!(
                "Файл «{name}» весит {}, больше 20 МБ. Разместите его в облачном хранилище и приложите ссылку.",
                human_size(size)
            ),
        )
    })
}

/// «20,5 МБ». A size that one decimal would round down to a whole number
/// of megabytes is given in bytes instead («20\u{a0}971\u{a0}521 байт»), so
/// that a file over a limit such as [`MAX_FILE_BYTES`] never reads as
/// «20,0 МБ, больше 20 МБ».
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = KB * KB;
    let b = bytes as f64;
    if bytes < KB {
        format!("{bytes} Б")
    } else if bytes < MB {
        format!("{:.1} КБ", b / KB as f64).replace('.', ",")
    } else {
        let tenths = (b * 10.0 / MB as f64).round() as u64;
        if tenths.is_multiple_of(10) && bytes > (tenths / 10).saturating_mul(MB) {
            exact_bytes(bytes)
        } else {
            format!("{:.1} МБ", b / MB as f64).replace('.', ",")
        }
    }
}

/// «20 971 521 байт», digits grouped by threes with no-break spaces.
fn exact_bytes(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    let word = match (bytes % 10, bytes % 100) {
        (1, h) if h != 11 => "байт",
        (2..=4, h) if !(12..=14).contains(&h) => "байта",
        _ => "байт",
    };
    format!("{out} {word}")
}

fn is_web_link(url: &str) -> bool {
    let u = url.trim();
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() > "https://".len()
        && !u.contains(char::is_whitespace)
}

/// P-10: JPG, PNG or BMP, 4:3, at least 900×675. Says which condition failed.
pub fn p10_cover(cover: Option<&Cover>) -> Vec<Finding> {
    match cover {
        None => vec![Finding::error(
            Field::P10,
            "Загрузите обложку: JPG, PNG или BMP, 4:3, не меньше 900×675 пикселей.",
        )],
        Some(c) => cover_problems(c.format, c.width, c.height)
            .into_iter()
            .map(|m| Finding::error(Field::P10, m))
            .collect(),
    }
}

/// The cover conditions of P-10, each failed one in Russian.
pub fn cover_problems(format: ImageFormat, width: u32, height: u32) -> Vec<String> {
    let mut out = Vec::new();
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Bmp
    ) {
        out.push("Формат обложки должен быть JPG, PNG или BMP.".to_owned());
    }
    if u64::from(width) * 3 != u64::from(height) * 4 {
        out.push(format!(
            "Соотношение сторон обложки должно быть 4:3, а у изображения {width}×{height}."
        ));
    }
    if width < COVER_MIN.0 || height < COVER_MIN.1 {
        out.push(format!(
            "Обложка должна быть не меньше {}×{} пикселей, а у изображения {width}×{height}.",
            COVER_MIN.0, COVER_MIN.1
        ));
    }
    out
}
