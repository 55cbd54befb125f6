//! Text analyzers registered on every index this crate opens.
//!
//! | name | pipeline | used by |
//! | --- | --- | --- |
//! | `archive_en` | Simple → RemoveLong(40) → LowerCaser → AsciiFolding → Stemmer(English) | `title_en`, `text_en` |
//! | `archive_fr` | Simple → FrenchElision → RemoveLong(40) → LowerCaser → Stemmer(French) → AsciiFolding | `title_fr`, `text_fr` |
//! | `archive_url` | Simple → RemoveLong(40) → LowerCaser | `url_text` |
//! | `archive_suggest` | Simple → FrenchElision → RemoveLong(40) → LowerCaser | `title_suggest` |
//!
//! **Folding order.** English folds accents *before* stemming (the English Snowball stemmer
//! expects ASCII, and `café`/`cafe` should meet). French folds *after* stemming: the French
//! Snowball rules key on accented suffixes (`-ées`, `-ément`), so folding first would change
//! which suffix is removed; folding the stem afterwards still lets `preservation` typed without
//! accents meet `préservées`.
//!
//! **Elision.** The simple tokenizer already splits `l'archive` into `l` + `archive`; the French
//! elision filter drops the elided article or pronoun (`l d j m n s t c qu jusqu lorsqu puisqu
//! quoiqu`) when it is directly followed by an apostrophe (`'` or `’`) and a letter, and renumbers
//! positions so that `l'archive numérique` still matches the phrase `"archive numérique"`.
//!
//! **Invariant:** changing any pipeline changes the terms on disk; bump
//! [`crate::schema::SCHEMA_VERSION`] in the same change so old indexes report
//! `SchemaMismatch` and get rebuilt.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// Analyzer name for the English-stemmed fields.
pub(crate) const EN: &str = "archive_en";
/// Analyzer name for the French-stemmed fields.
pub(crate) const FR: &str = "archive_fr";
/// Analyzer name for the tokenized URL field.
pub(crate) const URL: &str = "archive_url";
/// Analyzer name for the suggestion field (lower-cased words, no stemming).
pub(crate) const SUGGEST: &str = "archive_suggest";

/// Tokens of this many bytes or more are dropped (base64 blobs, minified code): they are never
/// searched for and would bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 40;

/// French words that elide their vowel before another word (`l'`, `qu'`, `jusqu'`).
const FRENCH_ELIDED: &[&str] = &["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"];

/// The English analyzer.
pub(crate) fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The French analyzer.
pub(crate) fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(FrenchElision)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::French))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The URL analyzer.
pub(crate) fn url() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// The suggestion analyzer.
pub(crate) fn suggest() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(FrenchElision)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers all analyzers on `index`. Must run before any writer, reader or query parser uses
/// the index: tantivy looks analyzers up by name at use time.
pub(crate) fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(EN, english());
    manager.register(FR, french());
    manager.register(URL, url());
    manager.register(SUGGEST, suggest());
}

/// Token filter removing French elided words. Must come right after the tokenizer: it reads
/// the original text at the token's byte offsets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrenchElision;

impl TokenFilter for FrenchElision {
    type Tokenizer<T: Tokenizer> = ElisionTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ElisionTokenizer<T> {
        ElisionTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(crate) struct ElisionTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ElisionTokenizer<T> {
    type TokenStream<'a> = ElisionTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ElisionTokenStream { text, tail: self.inner.token_stream(text), next_position: 0 }
    }
}

pub(crate) struct ElisionTokenStream<'a, T> {
    text: &'a str,
    tail: T,
    next_position: usize,
}

impl<T: TokenStream> TokenStream for ElisionTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if is_elided(self.tail.token(), self.text) {
                continue;
            }
            let token = self.tail.token_mut();
            token.position = self.next_position;
            self.next_position += 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// `true` if `token` is an elidable French word written right before an apostrophe and a letter.
fn is_elided(token: &Token, text: &str) -> bool {
    if !FRENCH_ELIDED.iter().any(|w| w.eq_ignore_ascii_case(&token.text)) {
        return false;
    }
    let mut rest = text.get(token.offset_to..).unwrap_or("").chars();
    matches!(rest.next(), Some('\'' | '\u{2019}')) && rest.next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position));
        }
        out
    }

    fn terms(analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn french_stemmer_conflates_inflections() {
        // The pairs the integration tests rely on, pinned at the analyzer level.
        let stem = |w: &str| terms(french(), w);
        assert_eq!(stem("archives"), stem("archive"));
        assert_eq!(stem("préservées"), stem("préserver"));
        assert_eq!(stem("préservation"), stem("préserver"));
        assert_eq!(stem("numériques"), stem("numérique"));
        // Folding after stemming: the unaccented spelling meets the accented one.
        assert_eq!(stem("preservation"), stem("préservation"));
    }

    #[test]
    fn french_elision_drops_articles_and_renumbers_positions() {
        assert_eq!(
            tokens(french(), "l'archive d’Internet"),
            vec![("archiv".to_string(), 0), ("internet".to_string(), 1)]
        );
        // Without a following apostrophe the letter is a word of its own.
        assert_eq!(terms(french(), "vitamine d"), vec!["vitamin", "d"]);
        // Same rule with the typographic apostrophe and a longer elided word.
        assert_eq!(terms(french(), "jusqu’ici"), vec!["ici"]);
    }

    #[test]
    fn english_folds_before_stemming() {
        assert_eq!(terms(english(), "Cafés archived"), vec!["cafe", "archiv"]);
        assert_eq!(terms(english(), "archiving"), terms(english(), "archives"));
    }

    #[test]
    fn suggest_keeps_words_whole() {
        assert_eq!(terms(suggest(), "L'Archive Numérique"), vec!["archive", "numérique"]);
    }
}
