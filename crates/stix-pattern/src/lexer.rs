//! The tokenizer of the STIX 2.1 pattern grammar.
//!
//! It follows the lexer rules of the OASIS `STIXPattern.g4` grammar the way ANTLR applies them:
//! at each position the longest token wins, and between tokens of the same length the rule
//! listed first in the grammar wins (so `AND` is a keyword, `ANDROID` an identifier, `true` a
//! boolean, and `h'abc'` with an odd number of digits is the identifier `h` followed by a
//! string). Characters that start no token become [`TokenKind::Invalid`] tokens, which the
//! parser reports; the tokenizer itself never fails.

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    IntNeg,
    IntPos,
    FloatNeg,
    FloatPos,
    Hex,
    Binary,
    String,
    Bool,
    Timestamp,
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
    IdentifierWithoutHyphen,
    IdentifierWithHyphen,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Quote,
    Colon,
    Dot,
    Comma,
    RightParen,
    LeftParen,
    RightBracket,
    LeftBracket,
    Plus,
    Minus,
    Power,
    Divide,
    Asterisk,
    Invalid,
    End,
}

/// A token: its kind and its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

const KEYWORDS: &[(&str, TokenKind)] = &[
    ("AND", TokenKind::And),
    ("OR", TokenKind::Or),
    ("NOT", TokenKind::Not),
    ("FOLLOWEDBY", TokenKind::FollowedBy),
    ("LIKE", TokenKind::Like),
    ("MATCHES", TokenKind::Matches),
    ("ISSUPERSET", TokenKind::IsSuperset),
    ("ISSUBSET", TokenKind::IsSubset),
    ("EXISTS", TokenKind::Exists),
    ("LAST", TokenKind::Last),
    ("IN", TokenKind::In),
    ("START", TokenKind::Start),
    ("STOP", TokenKind::Stop),
    ("SECONDS", TokenKind::Seconds),
    ("WITHIN", TokenKind::Within),
    ("REPEATS", TokenKind::Repeats),
    ("TIMES", TokenKind::Times),
];

/// Whether `word` is lexed as a keyword or boolean, so it cannot stand as a bare identifier.
pub(crate) fn is_reserved_word(word: &str) -> bool {
    word == "true" || word == "false" || KEYWORDS.iter().any(|(keyword, _)| *keyword == word)
}

/// Whether `word` would be lexed as one `IdentifierWithoutHyphen` token.
pub(crate) fn is_plain_identifier(word: &str) -> bool {
    let bytes = word.as_bytes();
    !bytes.is_empty()
        && identifier_length(bytes, 0, false) == bytes.len()
        && !is_reserved_word(word)
}

/// Splits `text` into tokens, skipping whitespace and comments; the last token is `End`.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 4 + 1);
    let mut position = 0;

    while position < bytes.len() {
        let (kind, length) = match next_token(text, position) {
            Some(found) => found,
            None => {
                // Whitespace or a comment: skip it.
                position += skipped_length(text, position);
                continue;
            }
        };
        tokens.push(Token {
            kind,
            start: position,
            end: position + length,
        });
        position += length;
    }

    tokens.push(Token {
        kind: TokenKind::End,
        start: text.len(),
        end: text.len(),
    });
    tokens
}

/// Length of the whitespace or comment at `position` (at least one character).
fn skipped_length(text: &str, position: usize) -> usize {
    let rest = &text[position..];
    if rest.starts_with("/*") {
        return rest.find("*/").map_or(rest.len(), |end| end + 2);
    }
    if rest.starts_with("//") {
        return rest.find(['\r', '\n']).unwrap_or(rest.len());
    }
    let mut length = 0;
    for character in rest.chars() {
        if !is_grammar_whitespace(character) {
            break;
        }
        length += character.len_utf8();
    }
    length.max(1)
}

/// The grammar's `WS` rule.
fn is_grammar_whitespace(character: char) -> bool {
    matches!(
        character,
        ' ' | '\t'
            | '\r'
            | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// The token at `position`, or `None` for whitespace and complete comments.
fn next_token(text: &str, position: usize) -> Option<(TokenKind, usize)> {
    let bytes = text.as_bytes();
    let first = bytes[position];

    let single = |kind| Some((kind, 1));
    match first {
        b'0'..=b'9' | b'.' | b'+' | b'-' => Some(number_or_sign(bytes, position)),
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => Some(word(text, position)),
        b'\'' => match string_length(bytes, position) {
            Some(length) => Some((TokenKind::String, length)),
            None => single(TokenKind::Quote),
        },
        b'/' => {
            let rest = &bytes[position..];
            if rest.starts_with(b"//")
                || (rest.starts_with(b"/*") && text[position + 2..].contains("*/"))
            {
                None
            } else {
                single(TokenKind::Divide)
            }
        }
        b'=' if bytes.get(position + 1) == Some(&b'=') => Some((TokenKind::Equal, 2)),
        b'=' => single(TokenKind::Equal),
        b'!' if bytes.get(position + 1) == Some(&b'=') => Some((TokenKind::NotEqual, 2)),
        b'<' => match bytes.get(position + 1) {
            Some(b'=') => Some((TokenKind::LessOrEqual, 2)),
            Some(b'>') => Some((TokenKind::NotEqual, 2)),
            _ => single(TokenKind::Less),
        },
        b'>' if bytes.get(position + 1) == Some(&b'=') => Some((TokenKind::GreaterOrEqual, 2)),
        b'>' => single(TokenKind::Greater),
        b':' => single(TokenKind::Colon),
        b',' => single(TokenKind::Comma),
        b')' => single(TokenKind::RightParen),
        b'(' => single(TokenKind::LeftParen),
        b']' => single(TokenKind::RightBracket),
        b'[' => single(TokenKind::LeftBracket),
        b'^' => single(TokenKind::Power),
        b'*' => single(TokenKind::Asterisk),
        _ => {
            let character = text[position..].chars().next().unwrap_or('\u{FFFD}');
            if is_grammar_whitespace(character) {
                None
            } else {
                Some((TokenKind::Invalid, character.len_utf8()))
            }
        }
    }
}

/// Numbers, and the `+`, `-` and `.` tokens when no number follows.
fn number_or_sign(bytes: &[u8], position: usize) -> (TokenKind, usize) {
    let first = bytes[position];
    let negative = first == b'-';
    let signed = first == b'-' || first == b'+';
    let digits_start = position + usize::from(signed);

    // IntLiteral: '0' | [1-9][0-9]*
    let integer_length = match bytes.get(digits_start) {
        Some(b'0') => 1,
        Some(b'1'..=b'9') => count_digits(bytes, digits_start),
        _ => 0,
    };

    // FloatLiteral: [0-9]* '.' [0-9]+
    let whole_digits = count_digits(bytes, digits_start);
    let dot = digits_start + whole_digits;
    let float_length = if bytes.get(dot) == Some(&b'.') {
        let fraction_digits = count_digits(bytes, dot + 1);
        if fraction_digits > 0 {
            whole_digits + 1 + fraction_digits
        } else {
            0
        }
    } else {
        0
    };

    let sign_length = usize::from(signed);
    if float_length > 0 && float_length > integer_length {
        let kind = if negative {
            TokenKind::FloatNeg
        } else {
            TokenKind::FloatPos
        };
        return (kind, sign_length + float_length);
    }
    if integer_length > 0 {
        let kind = if negative {
            TokenKind::IntNeg
        } else {
            TokenKind::IntPos
        };
        return (kind, sign_length + integer_length);
    }
    match first {
        b'+' => (TokenKind::Plus, 1),
        b'-' => (TokenKind::Minus, 1),
        _ => (TokenKind::Dot, 1),
    }
}

fn count_digits(bytes: &[u8], start: usize) -> usize {
    bytes.get(start..).map_or(0, |rest| {
        rest.iter().take_while(|byte| byte.is_ascii_digit()).count()
    })
}

fn identifier_length(bytes: &[u8], start: usize, allow_hyphen: bool) -> usize {
    let Some(first) = bytes.get(start) else {
        return 0;
    };
    if !(first.is_ascii_alphabetic() || *first == b'_') {
        return 0;
    }
    1 + bytes[start + 1..]
        .iter()
        .take_while(|byte| {
            byte.is_ascii_alphanumeric() || **byte == b'_' || (allow_hyphen && **byte == b'-')
        })
        .count()
}

/// Identifiers, keywords, booleans and the `h'…'`, `b'…'` and `t'…'` literals.
fn word(text: &str, position: usize) -> (TokenKind, usize) {
    let bytes = text.as_bytes();
    let plain = identifier_length(bytes, position, false);
    let hyphenated = identifier_length(bytes, position, true);

    let prefixed_literal = match bytes[position] {
        b'h' => hex_length(bytes, position).map(|length| (TokenKind::Hex, length)),
        b'b' => binary_length(bytes, position).map(|length| (TokenKind::Binary, length)),
        b't' => timestamp_length(text, position).map(|length| (TokenKind::Timestamp, length)),
        _ => None,
    };
    if let Some((kind, length)) = prefixed_literal
        && length > hyphenated
    {
        return (kind, length);
    }

    if hyphenated > plain {
        return (TokenKind::IdentifierWithHyphen, hyphenated);
    }
    let word = &text[position..position + plain];
    if word == "true" || word == "false" {
        return (TokenKind::Bool, plain);
    }
    // Keywords are upper case; most identifiers are not, and skip the search.
    if word.as_bytes()[0].is_ascii_uppercase()
        && let Some((_, kind)) = KEYWORDS.iter().find(|(keyword, _)| *keyword == word)
    {
        return (*kind, plain);
    }
    (TokenKind::IdentifierWithoutHyphen, plain)
}

/// `'` ( [^'\\] | `\'` | `\\` )* `'`
fn string_length(bytes: &[u8], position: usize) -> Option<usize> {
    let mut index = position + 1;
    loop {
        match bytes.get(index)? {
            b'\'' => return Some(index + 1 - position),
            b'\\' => match bytes.get(index + 1)? {
                b'\'' | b'\\' => index += 2,
                _ => return None,
            },
            _ => index += 1,
        }
    }
}

/// `h'` (hex hex)* `'`
fn hex_length(bytes: &[u8], position: usize) -> Option<usize> {
    if bytes.get(position + 1) != Some(&b'\'') {
        return None;
    }
    let digits = bytes[position + 2..]
        .iter()
        .take_while(|byte| byte.is_ascii_hexdigit())
        .count();
    let even = digits - digits % 2;
    (bytes.get(position + 2 + even) == Some(&b'\'')).then_some(even + 3)
}

/// `b'` base64 in groups of four, the last one possibly padded with `=` `'`
fn binary_length(bytes: &[u8], position: usize) -> Option<usize> {
    if bytes.get(position + 1) != Some(&b'\'') {
        return None;
    }
    let is_base64 = |byte: &u8| byte.is_ascii_alphanumeric() || *byte == b'+' || *byte == b'/';
    let start = position + 2;
    let characters = bytes[start..]
        .iter()
        .take_while(|byte| is_base64(byte))
        .count();
    let mut end = start + characters;
    let padding = bytes[end..]
        .iter()
        .take(2)
        .take_while(|byte| **byte == b'=')
        .count();

    // The body must be whole groups of four, and not empty.
    let valid = match padding {
        0 => characters > 0 && characters % 4 == 0,
        1 => characters % 4 == 3,
        _ => characters % 4 == 2,
    };
    end += padding;
    (valid && bytes.get(end) == Some(&b'\'')).then_some(end + 1 - position)
}

/// `t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'` with the grammar's field ranges.
fn timestamp_length(text: &str, position: usize) -> Option<usize> {
    let rest = text.get(position + 2..)?;
    if text.as_bytes().get(position + 1) != Some(&b'\'') {
        return None;
    }
    let closing = rest.find('\'')?;
    crate::timestamp::Timestamp::parse_literal(&rest[..closing])?;
    Some(closing + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text).into_iter().map(|token| token.kind).collect()
    }

    #[test]
    fn longest_match_then_first_rule() {
        use TokenKind::*;
        assert_eq!(
            kinds("AND ANDROID AND-x"),
            [And, IdentifierWithoutHyphen, IdentifierWithHyphen, End]
        );
        assert_eq!(kinds("true TRUE"), [Bool, IdentifierWithoutHyphen, End]);
        assert_eq!(
            kinds("05 5. .5 -.5 +5 -0"),
            [
                IntPos, IntPos, IntPos, Dot, FloatPos, FloatNeg, IntPos, IntNeg, End
            ]
        );
        assert_eq!(
            kinds("h'abc' h'ab'"),
            [IdentifierWithoutHyphen, String, Hex, End]
        );
        assert_eq!(
            kinds("b'YWI=' b'YWI' b''"),
            [
                Binary,
                IdentifierWithoutHyphen,
                String,
                IdentifierWithoutHyphen,
                String,
                End
            ]
        );
        assert_eq!(kinds("5SECONDS"), [IntPos, Seconds, End]);
        assert_eq!(
            kinds("'a\\'b' 'bad\\e'"),
            [
                String,
                Quote,
                IdentifierWithoutHyphen,
                Invalid,
                IdentifierWithoutHyphen,
                Quote,
                End
            ]
        );
    }

    #[test]
    fn comments_and_whitespace_are_skipped() {
        use TokenKind::*;
        assert_eq!(
            kinds("[ /* c */ a // x\n ]\u{3000}"),
            [LeftBracket, IdentifierWithoutHyphen, RightBracket, End]
        );
        assert_eq!(
            kinds("] /* open"),
            [RightBracket, Divide, Asterisk, IdentifierWithoutHyphen, End]
        );
    }
}
