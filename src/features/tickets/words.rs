//! The words of a ticket as search sees them, the same on SQLite and PostgreSQL: letters
//! and digits lowercased; Chinese, Japanese and Korean runs (written without spaces) as
//! each character and each pair of neighbouring characters, so `打印机` is found by `打印`,
//! by `印机` and by `打印机` (its pairs, all present), and a one-character word by itself.

/// Whether `c` is written without spaces between words: CJK ideographs, kana, hangul.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B–F, compatibility supplement
}

/// A term of a search: a whole token, or (the last letters typed) a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Whole(String),
    Prefix(String),
}

/// The tokens of a text, as they are indexed.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    split(text, |piece| match piece {
        Piece::Word(w) => out.push(w),
        Piece::Unspaced(run) => {
            for (i, c) in run.iter().enumerate() {
                out.push(c.to_string());
                if let Some(next) = run.get(i + 1) {
                    out.push(format!("{c}{next}"));
                }
            }
        }
    });
    out
}

/// What a search asks for: every term must be there. Words of letters match as
/// prefixes (`print` finds `printer`); an unspaced run must have each of its pairs.
pub fn terms(query: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    split(query, |piece| match piece {
        Piece::Word(w) => out.push(Term::Prefix(w)),
        Piece::Unspaced(run) if run.len() == 1 => out.push(Term::Whole(run[0].to_string())),
        Piece::Unspaced(run) => {
            out.extend(run.windows(2).map(|pair| Term::Whole(pair.iter().collect())));
        }
    });
    out.dedup();
    out
}

enum Piece {
    Word(String),
    Unspaced(Vec<char>),
}

fn split(text: &str, mut each: impl FnMut(Piece)) {
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.chars() {
        if unspaced(c) {
            if !word.is_empty() {
                each(Piece::Word(std::mem::take(&mut word)));
            }
            run.push(c);
        } else {
            if !run.is_empty() {
                each(Piece::Unspaced(std::mem::take(&mut run)));
            }
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if !word.is_empty() {
                each(Piece::Word(std::mem::take(&mut word)));
            }
        }
    }
    if !word.is_empty() {
        each(Piece::Word(word));
    }
    if !run.is_empty() {
        each(Piece::Unspaced(run));
    }
}

/// The terms as an FTS5 query: each quoted, prefixes starred, all required.
pub fn fts5_query(terms: &[Term], any: bool) -> String {
    terms
        .iter()
        .map(|t| match t {
            Term::Whole(w) => format!("\"{}\"", w.replace('"', "\"\"")),
            Term::Prefix(w) => format!("\"{}\"*", w.replace('"', "\"\"")),
        })
        .collect::<Vec<_>>()
        .join(if any { " OR " } else { " AND " })
}

/// The terms as a PostgreSQL tsquery literal: each quoted, prefixes `:*`, all required
/// (or, with `any`, any one).
pub fn tsquery(terms: &[Term], any: bool) -> String {
    let quote = |w: &str| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"));
    terms
        .iter()
        .map(|t| match t {
            Term::Whole(w) => quote(w),
            Term::Prefix(w) => format!("{}:*", quote(w)),
        })
        .collect::<Vec<_>>()
        .join(if any { " | " } else { " & " })
}

/// Whole words, any one of them, as a tsquery literal.
pub fn tsquery_any(words: &[String]) -> String {
    let terms: Vec<Term> = words.iter().cloned().map(Term::Whole).collect();
    tsquery(&terms, true)
}

/// The word a ticket's status is indexed as on PostgreSQL: `~open`. No text's word starts
/// with `~` (it splits words there).
pub fn status_mark(status: &str) -> String {
    format!("~{status}")
}

/// The words that tell what a text is about, for finding texts like it: whole words of
/// three letters or more and every Chinese pair, the longest first, at most
/// [`ALIKE_TERMS`].
pub fn alike_terms(text: &str) -> Vec<Term> {
    let mut words: Vec<String> = tokens(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 3 || w.chars().count() == 2 && w.chars().all(|c| !c.is_ascii()))
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
    words.dedup();
    words.truncate(ALIKE_TERMS);
    words.into_iter().map(Term::Whole).collect()
}

/// English words too common to tell one request from another (short ones are left out
/// anyway).
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "not", "are", "was", "were", "you", "your", "but", "has", "have", "had", "this",
    "that", "these", "those", "from", "they", "them", "there", "then", "than", "its", "can", "cannot", "could",
    "would", "should", "will", "what", "when", "where", "which", "who", "why", "how", "all", "any", "our", "out",
    "get", "got", "does", "did", "doesn", "don", "isn", "again", "still", "very", "too", "also", "just", "please",
    "help", "need", "since", "after", "before", "into", "onto", "some", "every", "keeps",
];

/// The most words a likeness search looks for.
pub const ALIKE_TERMS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_unspaced_runs() {
        assert_eq!(tokens("VPN drops, every hour!"), ["vpn", "drops", "every", "hour"]);
        assert_eq!(tokens("三楼打印机"), ["三", "三楼", "楼", "楼打", "打", "打印", "印", "印机", "机"]);
        assert_eq!(tokens("Wi-Fi坏了"), ["wi", "fi", "坏", "坏了", "了"]);
        assert_eq!(tokens("Café"), ["café"]);
    }

    #[test]
    fn a_query_needs_every_pair() {
        assert_eq!(
            terms("打印机 vpn"),
            [Term::Whole("打印".into()), Term::Whole("印机".into()), Term::Prefix("vpn".into())]
        );
        assert_eq!(terms("纸"), [Term::Whole("纸".into())]);
        // Every term of a query is among a matching text's tokens.
        let indexed = tokens("三楼打印机卡纸了");
        for query in ["打印机", "卡纸", "纸", "三楼"] {
            for term in terms(query) {
                let Term::Whole(w) = term else { unreachable!() };
                assert!(indexed.contains(&w), "{query}: {w}");
            }
        }
    }

    #[test]
    fn queries_are_quoted_for_each_backend() {
        let t = terms("o'brien \"printer\" 卡纸");
        assert_eq!(fts5_query(&t, false), "\"o\"* AND \"brien\"* AND \"printer\"* AND \"卡纸\"");
        assert_eq!(tsquery(&t, false), "'o':* & 'brien':* & 'printer':* & '卡纸'");
        assert_eq!(tsquery(&[Term::Whole("a'b".into())], false), "'a''b'");
        assert_eq!(tsquery(&t[2..], true), "'printer':* | '卡纸'");
    }

    #[test]
    fn likeness_looks_for_the_telling_words() {
        let words: Vec<String> = alike_terms("The VPN is down on my laptop, vpn 打印机卡纸")
            .into_iter()
            .map(|t| match t {
                Term::Whole(w) | Term::Prefix(w) => w,
            })
            .collect();
        assert_eq!(words, ["laptop", "down", "vpn", "卡纸", "印机", "打印", "机卡"]);
    }
}
