//! The Russian text analysis of the index: tantivy's tokenizer, lower-caser,
//! Russian stop words and Snowball stemmer, plus two small normalisations
//! of our own that tantivy has no filter for: «ё» is folded into «е»
//! before stemming, and the `roots` field strips a derivational suffix after
//! stemming so that «школьный» (stem «школьн») meets «школы» (stem «школ»).

use std::mem;

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// The analyzer of the text fields.
pub const RU: &str = "ru";
/// The analyzer of the `roots` field.
pub const RU_ROOT: &str = "ru_root";

/// A token filter that rewrites each token's text with a function.
#[derive(Clone, Copy)]
pub struct MapFilter(pub fn(&str, &mut String));

#[derive(Clone)]
pub struct MapFilterTokenizer<T> {
    inner: T,
    f: fn(&str, &mut String),
}

impl TokenFilter for MapFilter {
    type Tokenizer<T: Tokenizer> = MapFilterTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        MapFilterTokenizer {
            inner: tokenizer,
            f: self.0,
        }
    }
}

impl<T: Tokenizer> Tokenizer for MapFilterTokenizer<T> {
    type TokenStream<'a> = OwnedMapStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        OwnedMapStream {
            tail: self.inner.token_stream(text),
            f: self.f,
            buffer: String::new(),
        }
    }
}

/// The stream of [`MapFilter`].
pub struct OwnedMapStream<S> {
    tail: S,
    f: fn(&str, &mut String),
    buffer: String,
}

impl<S: TokenStream> TokenStream for OwnedMapStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.buffer.clear();
        (self.f)(&self.tail.token().text, &mut self.buffer);
        mem::swap(&mut self.tail.token_mut().text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// «ё» → «е».
pub fn fold_yo(text: &str, out: &mut String) {
    out.extend(text.chars().map(|c| if c == 'ё' { 'е' } else { c }));
}

/// Derivational suffixes that the Snowball stemmer leaves on adjectives
/// and nouns made from a noun stem, longest first.
const SUFFIXES: [&str; 9] = ["ическ", "енн", "онн", "альн", "ьн", "ск", "ов", "ев", "н"];
/// A root is never shorter than this many letters.
const MIN_ROOT: usize = 4;

/// Strips one derivational suffix from a stem: «школьн» → «школ»,
/// «городск» → «город». Stems already short are kept.
pub fn strip_suffix(stem: &str, out: &mut String) {
    let n = stem.chars().count();
    for s in SUFFIXES {
        if let Some(root) = stem.strip_suffix(s)
            && n - s.chars().count() >= MIN_ROOT
        {
            out.push_str(root);
            return;
        }
    }
    out.push_str(stem);
}

fn base() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(MapFilter(fold_yo))
        .filter(
            StopWordFilter::new(Language::Russian)
                .unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new())),
        )
        .filter(Stemmer::new(Language::Russian))
}

pub fn ru() -> TextAnalyzer {
    base().build()
}

pub fn ru_root() -> TextAnalyzer {
    base().filter(MapFilter(strip_suffix)).build()
}

/// The tokens the analyzer makes of a text.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = analyzer.token_stream(text);
    while s.advance() {
        out.push(s.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_fold_and_roots() {
        let mut a = ru();
        assert_eq!(
            tokens(&mut a, "Здравоохранение"),
            tokens(&mut a, "здравоохранения")
        );
        assert_eq!(tokens(&mut a, "ёлка"), tokens(&mut a, "елка"));
        assert!(tokens(&mut a, "и в на").is_empty(), "stop words dropped");
        let mut r = ru_root();
        assert_eq!(tokens(&mut r, "школьный"), tokens(&mut r, "школы"));
        assert_eq!(tokens(&mut r, "городской"), tokens(&mut r, "города"));
    }
}
