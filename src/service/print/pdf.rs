//! A4 documents: a title, headings, paragraphs, labelled fields and simple tables,
//! wrapped and paginated, with an embedded Cyrillic font (`DejaVu Sans`).

use std::collections::HashMap;

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const TOP: f32 = MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Line height, in font sizes.
const LINE: f32 = 1.35;
/// How far the baseline lies below the top of its line, in font sizes: half
/// the leading plus the font's ascent (0.93 em; its descent is 0.24 em).
const BASELINE: f32 = 1.02;
/// A field's label column, as a share of the line, and the gap after it.
const LABEL_SHARE: f32 = 0.32;
const FIELD_GAP: f32 = 10.0;
/// Space between a table cell's border and its text.
const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 2.5;
/// Grey levels, 0 black to 255 white.
const INK: u8 = 0;
const FOOTER_INK: u8 = 90;
const RULE_INK: u8 = 110;
const RULE_WIDTH: f32 = 0.5;

/// A document to print: its title, for the footer and the PDF's metadata, and
/// its content.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One piece of a document; blocks follow each other down the pages.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's head, big and bold.
    Title(String),
    /// A bold section heading, kept on the page of the line after it.
    Heading(String),
    /// A wrapped paragraph; `'\n'` starts a new line.
    Para(String),
    /// A bold label in a left column, its wrapped value beside it.
    Field { label: String, value: String },
    /// A table with bordered cells whose text wraps. `widths` are the columns'
    /// shares of the line, fractions summing to 1; the columns are equal unless
    /// there is one fraction in (0, 1] per column. A row moves whole to the
    /// next page unless it is taller than a page, and the header repeats at the
    /// top of every page the table reaches.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<f32>,
    },
    /// Half a blank line.
    Gap,
    /// The next block starts on a new page.
    PageBreak,
}

/// The document as plain text, for the terminal: the same content the
/// PDF prints, fields as «label: value», tables as indented rows.
pub fn text(doc: &Doc) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            Block::Title(t) => {
                out.push_str(t);
                out.push('\n');
                out.push_str(&"=".repeat(t.chars().count()));
                out.push('\n');
            }
            Block::Heading(t) => {
                out.push('\n');
                out.push_str(t);
                out.push('\n');
            }
            Block::Para(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Block::Field { label, value } => {
                out.push_str(label);
                out.push_str(": ");
                out.push_str(&value.replace('\n', "\n    "));
                out.push('\n');
            }
            Block::Table { header, rows, .. } => {
                out.push_str("  ");
                out.push_str(&header.join(" | "));
                out.push('\n');
                for r in rows {
                    out.push_str("  ");
                    out.push_str(&r.join(" | ").replace('\n', " "));
                    out.push('\n');
                }
            }
            Block::Gap | Block::PageBreak => out.push('\n'),
        }
    }
    out
}

/// Lays out `doc` on A4 pages, measuring text with the fonts' own advance
/// widths, then draws it, so every footer knows the number of pages.
pub fn render(doc: &Doc) -> Result<Vec<u8>, String> {
    let mut layout = Layout {
        fonts: Fonts::new()?,
        done: Vec::new(),
        page: Vec::new(),
        y: TOP,
    };
    for block in &doc.blocks {
        layout.block(block);
    }
    let pages = layout.finish(&doc.title);

    let unreadable = || "встроенный шрифт DejaVu Sans не читается".to_string();
    let regular = Font::new(REGULAR.into(), 0).ok_or_else(unreadable)?;
    let bold = Font::new(BOLD.into(), 0).ok_or_else(unreadable)?;
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| "неверный размер страницы".to_string())?;
    let mut document = Document::new();
    let metadata = Metadata::new().title(doc.title.trim().to_string());
    document.set_metadata(metadata.language("ru".to_string()));
    for ops in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw(&mut surface, ops, [&regular, &bold]);
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| format!("не удалось собрать PDF: {e:?}"))
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    ink: u8,
}

impl Style {
    const fn new(size: f32, bold: bool, ink: u8) -> Self {
        Self { size, bold, ink }
    }

    fn height(self) -> f32 {
        self.size * LINE
    }
}

const TITLE: Style = Style::new(17.0, true, INK);
const HEADING: Style = Style::new(13.0, true, INK);
const BODY: Style = Style::new(10.5, false, INK);
const LABEL: Style = Style::new(10.5, true, INK);
const CELL: Style = Style::new(9.5, false, INK);
const HEAD_CELL: Style = Style::new(9.5, true, INK);
const FOOTER: Style = Style::new(8.0, false, FOOTER_INK);

/// A drawing operation, in points from the page's top-left corner.
#[derive(Debug)]
enum Op {
    /// A line of text: its x, its baseline's y, its style and the text.
    Text(f32, f32, Style, String),
    /// Straight strokes, each `[x1, y1, x2, y2]`.
    Rule(Vec<[f32; 4]>),
}

/// A line of text whose line box starts at `top`; nothing for an empty line.
fn text_op(x: f32, top: f32, style: Style, text: &str) -> Option<Op> {
    let baseline = top + style.size * BASELINE;
    (!text.is_empty()).then(|| Op::Text(x, baseline, style, text.to_string()))
}

/// One face's advance widths, read through its character map and cached per
/// character.
struct Face {
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    upem: f32,
    cache: HashMap<char, f32>,
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Self, String> {
        let font = FontRef::new(data).map_err(|e| format!("встроенный шрифт не читается: {e}"))?;
        let global = font.metrics(Size::unscaled(), LocationRef::default());
        Ok(Self {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            upem: f32::from(global.units_per_em.max(1)),
            cache: HashMap::new(),
        })
    }

    /// The advance of `c` in ems; that of `.notdef` when the font lacks `c`.
    fn advance(&mut self, c: char) -> f32 {
        let (charmap, metrics, upem) = (&self.charmap, &self.metrics, self.upem);
        *self.cache.entry(c).or_insert_with(|| {
            let glyph = charmap.map(c).unwrap_or(GlyphId::NOTDEF);
            metrics.advance_width(glyph).unwrap_or(0.0) / upem
        })
    }
}

/// The regular and the bold face, for measuring.
struct Fonts([Face; 2]);

impl Fonts {
    fn new() -> Result<Self, String> {
        Ok(Self([Face::new(REGULAR)?, Face::new(BOLD)?]))
    }

    fn char_width(&mut self, c: char, style: Style) -> f32 {
        self.0[usize::from(style.bold)].advance(c) * style.size
    }

    fn width(&mut self, text: &str, style: Style) -> f32 {
        text.chars().map(|c| self.char_width(c, style)).sum()
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, at each
    /// `'\n'`, and inside a word wider than a line.
    fn wrap(&mut self, text: &str, style: Style, width: f32) -> Vec<String> {
        let space = self.char_width(' ', style);
        let mut lines = Vec::new();
        for paragraph in clean(text).split('\n') {
            let (mut line, mut line_w) = (String::new(), 0.0);
            for word in paragraph.split_whitespace() {
                let word_w = self.width(word, style);
                if !line.is_empty() && line_w + space + word_w <= width {
                    line.push(' ');
                    line_w += space;
                } else if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if word_w <= width {
                    line.push_str(word);
                    line_w += word_w;
                    continue;
                }
                for c in word.chars() {
                    let c_w = self.char_width(c, style);
                    if !line.is_empty() && line_w + c_w > width {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += c_w;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// `text` on one line, cut short at a space (or inside a long word) with
    /// an ellipsis to fit `width`.
    fn shorten(&mut self, text: &str, style: Style, width: f32) -> String {
        let text = clean(text).split_whitespace().collect::<Vec<_>>().join(" ");
        if self.width(&text, style) <= width {
            return text;
        }
        let room = width - self.char_width('…', style);
        let lines = self.wrap(&text, style, room);
        format!("{}…", lines.first().map_or("", String::as_str))
    }
}

/// `text` with tabs as spaces and without control characters other than `'\n'`.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|&c| c == '\n' || !c.is_control())
        .collect()
}

/// A table row: each cell's wrapped lines, their style and the row's number
/// of lines.
struct Row {
    cells: Vec<Vec<String>>,
    style: Style,
    count: usize,
}

/// The height of `lines` lines of a table row, padding included.
fn row_height(lines: usize) -> f32 {
    lines as f32 * CELL.height() + 2.0 * PAD_Y
}

/// The x of each column's left edge, then of the last column's right edge.
fn column_edges(widths: &[f32], columns: usize) -> Vec<f32> {
    let usable = widths.len() == columns && widths.iter().all(|&w| w > 0.0 && w <= 1.0);
    let share = |i: usize| if usable { widths[i] } else { 1.0 };
    let total: f32 = (0..columns).map(share).sum();
    let mut x = MARGIN;
    let mut edges = vec![x];
    for i in 0..columns {
        x += CONTENT_W * share(i) / total;
        edges.push(x);
    }
    edges
}

/// Pages being filled from top to bottom.
struct Layout {
    fonts: Fonts,
    done: Vec<Vec<Op>>,
    page: Vec<Op>,
    /// The top of the next line, in points from the top of the page.
    y: f32,
}

impl Layout {
    /// Whether nothing has been placed on the page yet.
    fn at_top(&self) -> bool {
        self.y <= TOP
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Starts a new page unless `height` fits below the cursor or the page is
    /// still empty.
    fn need(&mut self, height: f32) {
        if height > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn space(&mut self, height: f32) {
        if !self.at_top() {
            self.y += height;
        }
    }

    /// Wrapped text at the left margin, with space before and after it in body
    /// sizes; bold text stays on the page of the line after it.
    fn paragraph(&mut self, text: &str, style: Style, before: f32, after: f32) {
        let lines = self.fonts.wrap(text, style, CONTENT_W);
        self.space(BODY.size * before);
        if style.bold {
            self.need(lines.len() as f32 * style.height() + BODY.height());
        }
        for line in &lines {
            self.need(style.height());
            self.page.extend(text_op(MARGIN, self.y, style, line));
            self.y += style.height();
        }
        self.space(BODY.size * after);
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(text) => self.paragraph(text, TITLE, 0.0, 0.8),
            Block::Heading(text) => self.paragraph(text, HEADING, 0.6, 0.2),
            Block::Para(text) => self.paragraph(text, BODY, 0.0, 0.4),
            Block::Field { label, value } => self.field(label, value),
            Block::Table {
                header,
                rows,
                widths,
            } => self.table(header, rows, widths),
            Block::Gap => self.space(BODY.height() * 0.5),
            // More room than any page has.
            Block::PageBreak => self.need(f32::INFINITY),
        }
    }

    fn field(&mut self, label: &str, value: &str) {
        let label_w = CONTENT_W * LABEL_SHARE;
        let value_x = MARGIN + label_w + FIELD_GAP;
        let labels = self.fonts.wrap(label, LABEL, label_w);
        let values = self.fonts.wrap(value, BODY, PAGE_W - MARGIN - value_x);
        let count = labels.len().max(values.len());
        let height = count as f32 * BODY.height();
        // A field that fits on a page is not split.
        self.need(if height <= BOTTOM - TOP { height } else { 0.0 });
        for i in 0..count {
            self.need(BODY.height());
            let top = self.y;
            let label = labels.get(i).and_then(|l| text_op(MARGIN, top, LABEL, l));
            let value = values.get(i).and_then(|v| text_op(value_x, top, BODY, v));
            self.page.extend(label.into_iter().chain(value));
            self.y += BODY.height();
        }
        self.space(BODY.size * 0.3);
    }

    fn row(&mut self, cells: &[String], edges: &[f32], style: Style) -> Row {
        let cells = edges
            .windows(2)
            .enumerate()
            .map(|(i, edge)| {
                let text = cells.get(i).map_or("", String::as_str);
                let width = (edge[1] - edge[0] - 2.0 * PAD_X).max(1.0);
                self.fonts.wrap(text, style, width)
            })
            .collect::<Vec<Vec<String>>>();
        let count = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        Row {
            cells,
            style,
            count,
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>], widths: &[f32]) {
        let columns = rows.iter().map(Vec::len).chain([header.len()]).max();
        let Some(columns) = columns.filter(|&n| n > 0) else {
            return;
        };
        let edges = column_edges(widths, columns);
        let head = (!header.is_empty()).then(|| self.row(header, &edges, HEAD_CELL));
        let body: Vec<Row> = rows
            .iter()
            .map(|cells| self.row(cells, &edges, CELL))
            .collect();
        let height = |row: &Row| row_height(row.count);
        let head_h = head.as_ref().map_or(0.0, height);

        // The header goes on the page of the first row.
        self.need(head_h + body.first().map_or(0.0, height));
        if let Some(head) = &head {
            self.put_row(head, &edges, 0, head.count);
        }
        for row in &body {
            let count = row.count;
            let mut from = 0;
            while from < count {
                // Whether the page holds nothing of the table but its header.
                let fresh = self.y <= TOP + head_h;
                let rest = row_height(count - from);
                let lines = (self.room() - 2.0 * PAD_Y) / CELL.height() + 0.001;
                let fit = lines.floor().max(0.0) as usize;
                // A row that fits on a page of its own moves there whole; a
                // taller one fills the rest of this page first.
                let moves = rest > self.room() && rest + head_h <= BOTTOM - TOP;
                if !fresh && (fit == 0 || moves) {
                    self.table_page(head.as_ref(), &edges);
                    continue;
                }
                let to = from + fit.clamp(1, count - from);
                self.put_row(row, &edges, from, to);
                from = to;
                if from < count {
                    self.table_page(head.as_ref(), &edges);
                }
            }
        }
        self.space(BODY.size * 0.6);
    }

    /// Continues a table on a new page, under its header.
    fn table_page(&mut self, head: Option<&Row>, edges: &[f32]) {
        self.new_page();
        if let Some(head) = head {
            self.put_row(head, edges, 0, head.count);
        }
    }

    /// Places lines `from..to` of a row at the cursor, inside cell borders.
    fn put_row(&mut self, row: &Row, edges: &[f32], from: usize, to: usize) {
        let (Some(&left), Some(&right)) = (edges.first(), edges.last()) else {
            return;
        };
        let top = self.y;
        let bottom = top + row_height(to - from);
        for (cell, edge) in row.cells.iter().zip(edges.windows(2)) {
            for (k, line) in cell.iter().enumerate().take(to).skip(from) {
                let line_top = top + PAD_Y + (k - from) as f32 * CELL.height();
                let op = text_op(edge[0] + PAD_X, line_top, row.style, line);
                self.page.extend(op);
            }
        }
        let mut rules = vec![[left, top, right, top], [left, bottom, right, bottom]];
        rules.extend(edges.iter().map(|&x| [x, top, x, bottom]));
        self.page.push(Op::Rule(rules));
        self.y = bottom;
    }

    /// Closes the last page and gives each page its footer: the document's
    /// title on the left, «стр. N из M» on the right.
    fn finish(mut self, title: &str) -> Vec<Vec<Op>> {
        let mut pages = std::mem::take(&mut self.done);
        pages.push(std::mem::take(&mut self.page));
        let total = pages.len();
        let name = self.fonts.shorten(title, FOOTER, CONTENT_W * 0.65);
        let rule_y = BOTTOM + 12.0;
        for (index, page) in pages.iter_mut().enumerate() {
            let number = format!("стр. {} из {total}", index + 1);
            let number_x = PAGE_W - MARGIN - self.fonts.width(&number, FOOTER);
            page.push(Op::Rule(vec![[MARGIN, rule_y, PAGE_W - MARGIN, rule_y]]));
            page.extend(text_op(MARGIN, rule_y + 4.0, FOOTER, &name));
            page.extend(text_op(number_x, rule_y + 4.0, FOOTER, &number));
        }
        pages
    }
}

/// Draws one page's operations with the regular and the bold font.
fn draw(surface: &mut Surface<'_>, ops: &[Op], fonts: [&Font; 2]) {
    for op in ops {
        match op {
            Op::Text(x, y, style, text) => {
                let font = fonts[usize::from(style.bold)].clone();
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: luma::Color::new(style.ink).into(),
                    ..Fill::default()
                }));
                let (at, ltr) = (Point::from_xy(*x, *y), TextDirection::LeftToRight);
                surface.draw_text(at, font, style.size, text, false, ltr);
            }
            Op::Rule(segments) => {
                let mut builder = PathBuilder::new();
                for &[x1, y1, x2, y2] in segments {
                    builder.move_to(x1, y1);
                    builder.line_to(x2, y2);
                }
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(RULE_INK).into(),
                    width: RULE_WIDTH,
                    ..Stroke::default()
                }));
                if let Some(path) = builder.finish() {
                    surface.draw_path(&path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCE: &str = "Практика объединяет усилия органов власти, \
        муниципалитетов и некоммерческих организаций, чтобы жители отдалённых \
        сёл получали услуги без поездок в районный центр. ";

    #[test]
    fn lines_wrap_within_the_width_and_long_words_break() {
        let mut fonts = Fonts::new().expect("the embedded fonts load");
        let text = SENTENCE.repeat(8);
        let lines = fonts.wrap(&text, BODY, CONTENT_W);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(fonts.width(line, BODY) <= CONTENT_W + 0.01, "{line}");
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(lines.join(" "), words.join(" "));

        let word = "ж".repeat(200);
        let lines = fonts.wrap(&format!("а {word}\nб"), BODY, 100.0);
        assert!(lines.len() > 4, "{lines:?}");
        for line in &lines {
            assert!(fonts.width(line, BODY) <= 100.01, "{line}");
        }
        assert_eq!(lines.concat(), format!("а{word}б"));
    }

    #[test]
    fn the_pdf_holds_the_text_on_several_pages() {
        let rows = (1..=90)
            .map(|i| {
                let result = format!("Результат мероприятия {i} достигнут в установленный срок");
                vec![i.to_string(), format!("Мероприятие {i}"), result]
            })
            .collect();
        let header = ["№", "Наименование", "Итог"].map(String::from).to_vec();
        let widths = vec![0.1, 0.35, 0.55];
        let field = Block::Field {
            label: "Регион".into(),
            value: "Новосибирская область".into(),
        };
        let doc = Doc {
            title: "Паспорт практики".into(),
            blocks: vec![
                Block::Title("Паспорт практики".into()),
                field,
                Block::Heading("Описание".into()),
                Block::Para(SENTENCE.repeat(8)),
                Block::Gap,
                Block::Table {
                    header,
                    rows,
                    widths,
                },
            ],
        };
        let bytes = render(&doc).expect("the document renders");
        assert!(bytes.starts_with(b"%PDF-"));

        let pdf = lopdf::Document::load_mem(&bytes).expect("the PDF reads back");
        let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
        assert!(pages.len() > 1, "{} page(s)", pages.len());
        let text = pdf.extract_text(&pages).expect("the text extracts");
        let has = |s: &str| text.contains(s);
        assert!(has("Паспорт") && has("практики"), "{text}");
        assert!(has("Новосибирская область"), "{text}");
        assert!(has("Мероприятие 57"), "{text}");
        // The header repeats on each page, and each page has its footer.
        let headers = text.matches("Наименование").count();
        assert!(headers >= pages.len(), "{text}");
        assert!(has(format!("стр. 1 из {}", pages.len()).as_str()), "{text}");
    }
}
