//! Variable substitution: replacing `__name__:value` references with values when a step runs.
//!
//! Plain strings (agent and target properties, authentication info, HTTP start lines, headers
//! and bodies) get the value as it is. Shell command text gets the value quoted for the shell
//! context in which the reference stands, so that no value can become shell syntax:
//!
//! - **bash** (used for `bash` and `ssh` commands): outside quotes the value is wrapped in single
//!   quotes; inside single quotes the quotes are closed around an escaped quote; inside double
//!   quotes and `$'...'` the characters those contexts treat specially are backslash-escaped;
//!   inside `$(...)` the rules start again. Inside here-documents the expansion characters are
//!   escaped and a value that would end the here-document is refused. A reference in a comment
//!   is left as written. References inside backticks are refused, and inside `${...}`, `$((...))`
//!   and `((...))` only integer values are accepted, because those contexts re-parse their text.
//! - **PowerShell**: outside quotes the value becomes a single-quoted string; inside single
//!   quotes every single-quote character (including the typographic ones PowerShell accepts) is
//!   doubled; inside double quotes `` ` ``, `$` and double-quote characters are backtick-escaped.
//!   Here-strings accept only values without line breaks.
//!
//! A reference to a variable that is not visible is left unchanged (it may be literal text); a
//! visible variable without a value (null) substitutes as the empty string. A value containing a
//! NUL character is refused in shell text, since no shell can carry it.

use std::ops::Range;

/// Which shell's quoting rules apply to a command's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// POSIX shells as bash parses them (`bash`, `ssh`).
    Bash,
    /// PowerShell (`powershell`).
    PowerShell,
}

/// A value that cannot be placed in command text without changing its meaning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the value of {name} cannot be substituted safely here: {why}")]
pub struct SubstitutionError {
    /// The variable name.
    pub name: String,
    /// Why, without the value (which may be sensitive).
    pub why: &'static str,
}

/// A variable reference found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The byte range of the whole reference, `__name__:value` included.
    pub range: Range<usize>,
    /// The variable name with its delimiters.
    pub name: String,
}

const VALUE_SUFFIX: &str = ":value";

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// Finds the `__name__:value` references in `text`. When several names could end at the same
/// `:value` (`__a__b__:value`), the longest one that `is_known` accepts wins, else the longest
/// well-formed one.
pub fn find_references(text: &str, is_known: &dyn Fn(&str) -> bool) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let mut references = Vec::new();
    let mut search_from = 0;

    while let Some(found) = text[search_from..].find(VALUE_SUFFIX) {
        let suffix_at = search_from + found;
        let after = suffix_at + VALUE_SUFFIX.len();
        search_from = after;
        if bytes
            .get(after)
            .is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
        {
            continue;
        }

        // Walk back over name characters, then try every `__` start, longest first.
        let mut token_start = suffix_at;
        while token_start > 0 && is_name_byte(bytes[token_start - 1]) {
            token_start -= 1;
        }
        let mut candidates = Vec::new();
        for start in token_start..suffix_at {
            let name = &text[start..suffix_at];
            if cacao_model::variable::is_valid_name(name) {
                candidates.push(start);
            }
        }
        let chosen = candidates
            .iter()
            .find(|&&start| is_known(&text[start..suffix_at]))
            .or(candidates.first());
        if let Some(&start) = chosen {
            // An earlier reference cannot overlap: each ends at its own `:value`.
            references.push(Reference {
                range: start..after,
                name: text[start..suffix_at].to_owned(),
            });
        }
    }
    references
}

/// Replaces every reference whose variable `lookup` knows with the value as it is.
pub fn substitute_plain(text: &str, lookup: &dyn Fn(&str) -> Option<Option<String>>) -> String {
    if !text.contains(VALUE_SUFFIX) {
        return text.to_owned();
    }
    let references = find_references(text, &|name| lookup(name).is_some());
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for reference in references {
        if let Some(value) = lookup(&reference.name) {
            out.push_str(&text[last..reference.range.start]);
            out.push_str(value.as_deref().unwrap_or(""));
            last = reference.range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces every reference whose variable `lookup` knows with the value quoted for the shell
/// context in which the reference stands.
pub fn substitute_shell(
    text: &str,
    shell: Shell,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Result<String, SubstitutionError> {
    if !text.contains(VALUE_SUFFIX) {
        return Ok(text.to_owned());
    }
    let references: Vec<Reference> = find_references(text, &|name| lookup(name).is_some())
        .into_iter()
        .filter(|reference| lookup(&reference.name).is_some())
        .collect();
    if references.is_empty() {
        return Ok(text.to_owned());
    }
    let contexts = match shell {
        Shell::Bash => bash::contexts(text, &references),
        Shell::PowerShell => powershell::contexts(text, &references),
    };

    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (reference, context) in references.iter().zip(contexts) {
        let value = lookup(&reference.name).flatten().unwrap_or_default();
        let error = |why| SubstitutionError {
            name: reference.name.clone(),
            why,
        };
        if value.contains('\0') {
            return Err(error("it contains a NUL character"));
        }
        out.push_str(&text[last..reference.range.start]);
        match shell {
            Shell::Bash => {
                bash::quote(&mut out, &value, &context, text, &reference.range).map_err(error)?
            }
            Shell::PowerShell => {
                powershell::quote(&mut out, &value, &context, text, &reference.range)
                    .map_err(error)?
            }
        }
        last = reference.range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Where a reference stands in shell text, as far as quoting is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Context {
    /// Outside any quotes.
    Unquoted,
    /// Inside single quotes.
    Single,
    /// Inside double quotes.
    Double,
    /// Inside bash `$'...'`.
    AnsiC,
    /// Inside a here-document body, which ends at a line equal to `delimiter`.
    HereDocument {
        delimiter: String,
        strip_tabs: bool,
        expanding: bool,
    },
    /// Inside a PowerShell here-string.
    HereString { expanding: bool },
    /// Inside a comment: the reference is left as written.
    Comment,
    /// Inside a context that re-parses its text as arithmetic or parameter syntax.
    IntegerOnly,
    /// A context that cannot be quoted safely.
    Refused(&'static str),
}

fn is_integer(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// The text of the line around `range` in `text`: what precedes it and what follows it.
fn line_around<'t>(text: &'t str, range: &Range<usize>) -> (&'t str, &'t str) {
    let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |at| range.end + at);
    (&text[line_start..range.start], &text[range.end..line_end])
}

/// Whether substituting `value` would create a line that ends a here-document or here-string.
fn would_end_here_document(
    value: &str,
    text: &str,
    range: &Range<usize>,
    ends: &dyn Fn(&str) -> bool,
) -> bool {
    let (before, after) = line_around(text, range);
    let replaced = format!("{before}{value}{after}");
    replaced.split('\n').any(ends)
}

mod bash {
    //! The bash tokeniser that tells, for each reference, the quoting context it stands in.

    use super::{Context, Reference, is_integer, would_end_here_document};
    use std::ops::Range;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Frame {
        Top,
        CommandSubstitution { parens: u32 },
        Single,
        Double,
        AnsiC,
        Backtick,
        Parameter { braces: u32 },
        Arithmetic { parens: u32 },
        Comment,
    }

    struct PendingHereDocument {
        delimiter: String,
        strip_tabs: bool,
        expanding: bool,
    }

    fn is_unquoted(frame: Frame) -> bool {
        matches!(frame, Frame::Top | Frame::CommandSubstitution { .. })
    }

    fn context_of(stack: &[Frame]) -> Context {
        if stack.contains(&Frame::Backtick) {
            return Context::Refused(
                "it stands inside a backtick command substitution; use $(...) instead",
            );
        }
        if stack
            .iter()
            .any(|frame| matches!(frame, Frame::Parameter { .. } | Frame::Arithmetic { .. }))
        {
            return Context::IntegerOnly;
        }
        match stack.last().copied().unwrap_or(Frame::Top) {
            Frame::Single => Context::Single,
            Frame::Double => Context::Double,
            Frame::AnsiC => Context::AnsiC,
            Frame::Comment => Context::Comment,
            _ => Context::Unquoted,
        }
    }

    /// Reads a here-document delimiter word starting at `at`; returns it, whether it was quoted
    /// and where it ends.
    fn read_delimiter(bytes: &[u8], mut at: usize) -> (String, bool, usize) {
        while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
            at += 1;
        }
        let mut word = Vec::new();
        let mut quoted = false;
        let mut quote: Option<u8> = None;
        while at < bytes.len() {
            let byte = bytes[at];
            match quote {
                Some(open) if byte == open => {
                    quote = None;
                    at += 1;
                    continue;
                }
                Some(_) => {
                    word.push(byte);
                    at += 1;
                    continue;
                }
                None => {}
            }
            if byte.is_ascii_whitespace() || b";|&<>()".contains(&byte) {
                break;
            }
            if byte == b'\'' || byte == b'"' {
                quoted = true;
                quote = Some(byte);
            } else if byte == b'\\' {
                quoted = true;
                if let Some(next) = bytes.get(at + 1) {
                    word.push(*next);
                    at += 1;
                }
            } else {
                word.push(byte);
            }
            at += 1;
        }
        (String::from_utf8_lossy(&word).into_owned(), quoted, at)
    }

    /// The quoting context of each reference, in order.
    pub(super) fn contexts(text: &str, references: &[Reference]) -> Vec<Context> {
        let bytes = text.as_bytes();
        let mut found: Vec<Option<Context>> = vec![None; references.len()];
        let mut next_reference = 0;
        let mut stack = vec![Frame::Top];
        let mut pending: Vec<PendingHereDocument> = Vec::new();
        let mut word_start = true;
        let mut at = 0;

        while at < bytes.len() {
            // A reference: record the context and step over it (its characters are inert).
            if next_reference < references.len() && references[next_reference].range.start <= at {
                let reference = &references[next_reference];
                if found[next_reference].is_none() {
                    found[next_reference] = Some(context_of(&stack));
                }
                at = at.max(reference.range.end);
                next_reference += 1;
                word_start = false;
                continue;
            }

            let frame = *stack.last().unwrap_or(&Frame::Top);
            let byte = bytes[at];
            let next = bytes.get(at + 1).copied();
            let starts_reference = |position: usize| {
                references[next_reference..]
                    .first()
                    .is_some_and(|reference| reference.range.start == position)
            };

            match frame {
                Frame::Single => {
                    if byte == b'\'' {
                        stack.pop();
                    }
                    at += 1;
                }
                Frame::AnsiC => {
                    if byte == b'\\' {
                        at += 2;
                    } else {
                        if byte == b'\'' {
                            stack.pop();
                        }
                        at += 1;
                    }
                }
                Frame::Comment => {
                    if byte == b'\n' {
                        stack.pop();
                        // The newline also ends the command line for here-documents.
                        continue;
                    }
                    at += 1;
                }
                Frame::Backtick => {
                    if byte == b'\\' {
                        at += 2;
                    } else {
                        if byte == b'`' {
                            stack.pop();
                        }
                        at += 1;
                    }
                }
                Frame::Parameter { braces } => {
                    if byte == b'{' {
                        *stack.last_mut().expect("frame") = Frame::Parameter { braces: braces + 1 };
                    } else if byte == b'}' {
                        if braces == 0 {
                            stack.pop();
                        } else {
                            *stack.last_mut().expect("frame") =
                                Frame::Parameter { braces: braces - 1 };
                        }
                    }
                    at += 1;
                }
                Frame::Arithmetic { parens } => {
                    if byte == b'(' {
                        *stack.last_mut().expect("frame") =
                            Frame::Arithmetic { parens: parens + 1 };
                        at += 1;
                    } else if byte == b')' {
                        if parens == 0 {
                            stack.pop();
                            at += if next == Some(b')') { 2 } else { 1 };
                        } else {
                            *stack.last_mut().expect("frame") =
                                Frame::Arithmetic { parens: parens - 1 };
                            at += 1;
                        }
                    } else {
                        at += 1;
                    }
                }
                Frame::Double => {
                    if byte == b'\\' {
                        if starts_reference(at + 1) {
                            found[next_reference] =
                                Some(Context::Refused("it follows an escaping backslash"));
                        }
                        at += 2;
                    } else if byte == b'"' {
                        stack.pop();
                        at += 1;
                    } else if byte == b'`' {
                        stack.push(Frame::Backtick);
                        at += 1;
                    } else if byte == b'$' && next == Some(b'(') {
                        if bytes.get(at + 2) == Some(&b'(') {
                            stack.push(Frame::Arithmetic { parens: 0 });
                            at += 3;
                        } else {
                            stack.push(Frame::CommandSubstitution { parens: 0 });
                            at += 2;
                        }
                    } else if byte == b'$' && next == Some(b'{') {
                        stack.push(Frame::Parameter { braces: 0 });
                        at += 2;
                    } else {
                        at += 1;
                    }
                }
                Frame::Top | Frame::CommandSubstitution { .. } => {
                    let was_word_start = word_start;
                    word_start = byte.is_ascii_whitespace() || b";|&()<>".contains(&byte);
                    match byte {
                        b'\\' => {
                            if starts_reference(at + 1) {
                                found[next_reference] =
                                    Some(Context::Refused("it follows an escaping backslash"));
                            }
                            at += 2;
                        }
                        b'\'' => {
                            stack.push(Frame::Single);
                            at += 1;
                        }
                        b'"' => {
                            stack.push(Frame::Double);
                            at += 1;
                        }
                        b'`' => {
                            stack.push(Frame::Backtick);
                            at += 1;
                        }
                        b'$' if next == Some(b'\'') => {
                            stack.push(Frame::AnsiC);
                            at += 2;
                        }
                        b'$' if next == Some(b'"') => {
                            stack.push(Frame::Double);
                            at += 2;
                        }
                        b'$' if next == Some(b'(') => {
                            if bytes.get(at + 2) == Some(&b'(') {
                                stack.push(Frame::Arithmetic { parens: 0 });
                                at += 3;
                            } else {
                                stack.push(Frame::CommandSubstitution { parens: 0 });
                                at += 2;
                            }
                        }
                        b'$' if next == Some(b'{') => {
                            stack.push(Frame::Parameter { braces: 0 });
                            at += 2;
                        }
                        b'(' if was_word_start && next == Some(b'(') => {
                            stack.push(Frame::Arithmetic { parens: 0 });
                            at += 2;
                        }
                        b'(' => {
                            if let Frame::CommandSubstitution { parens } = frame {
                                *stack.last_mut().expect("frame") =
                                    Frame::CommandSubstitution { parens: parens + 1 };
                            }
                            at += 1;
                        }
                        b')' => {
                            if let Frame::CommandSubstitution { parens } = frame {
                                if parens == 0 {
                                    stack.pop();
                                } else {
                                    *stack.last_mut().expect("frame") =
                                        Frame::CommandSubstitution { parens: parens - 1 };
                                }
                            }
                            at += 1;
                        }
                        b'#' if was_word_start => {
                            stack.push(Frame::Comment);
                            at += 1;
                        }
                        b'<' if next == Some(b'<') && bytes.get(at + 2) != Some(&b'<') => {
                            let mut word_at = at + 2;
                            let strip_tabs = bytes.get(word_at) == Some(&b'-');
                            if strip_tabs {
                                word_at += 1;
                            }
                            let (delimiter, quoted, end) = read_delimiter(bytes, word_at);
                            pending.push(PendingHereDocument {
                                delimiter,
                                strip_tabs,
                                expanding: !quoted,
                            });
                            at = end;
                        }
                        b'\n' => {
                            at += 1;
                            if !pending.is_empty() {
                                at = here_document_bodies(
                                    text,
                                    at,
                                    std::mem::take(&mut pending),
                                    references,
                                    &mut found,
                                );
                                while next_reference < references.len()
                                    && references[next_reference].range.start < at
                                {
                                    next_reference += 1;
                                }
                            }
                            word_start = true;
                        }
                        _ => at += 1,
                    }
                    if !is_unquoted(*stack.last().unwrap_or(&Frame::Top)) {
                        word_start = false;
                    }
                }
            }
        }

        found
            .into_iter()
            .map(|context| context.unwrap_or(Context::Unquoted))
            .collect()
    }

    /// Reads the bodies of the here-documents that start after a command line; returns where
    /// the shell text continues.
    fn here_document_bodies(
        text: &str,
        mut at: usize,
        pending: Vec<PendingHereDocument>,
        references: &[Reference],
        found: &mut [Option<Context>],
    ) -> usize {
        for document in pending {
            let body_start = at;
            let mut body_end = text.len();
            let mut continue_at = text.len();
            let mut line_start = at;
            while line_start < text.len() {
                let line_end = text[line_start..]
                    .find('\n')
                    .map_or(text.len(), |offset| line_start + offset);
                let line = &text[line_start..line_end];
                let compared = if document.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if compared == document.delimiter {
                    body_end = line_start;
                    continue_at = (line_end + 1).min(text.len());
                    break;
                }
                line_start = line_end + 1;
            }

            // Expansions inside an expanding body would need a full parse; refuse there.
            let body = &text[body_start..body_end];
            let has_expansions = document.expanding
                && (body.contains("$(") || body.contains('`') || body.contains("${"));
            for (index, reference) in references.iter().enumerate() {
                if reference.range.start >= body_start && reference.range.start < body_end {
                    found[index] = Some(if has_expansions {
                        Context::Refused(
                            "it stands in a here-document that also contains command or parameter expansions",
                        )
                    } else {
                        Context::HereDocument {
                            delimiter: document.delimiter.clone(),
                            strip_tabs: document.strip_tabs,
                            expanding: document.expanding,
                        }
                    });
                }
            }
            at = continue_at;
        }
        at
    }

    /// Appends `value` quoted for `context`.
    pub(super) fn quote(
        out: &mut String,
        value: &str,
        context: &Context,
        text: &str,
        range: &Range<usize>,
    ) -> Result<(), &'static str> {
        match context {
            Context::Unquoted => {
                out.push('\'');
                out.push_str(&value.replace('\'', r"'\''"));
                out.push('\'');
            }
            Context::Single => out.push_str(&value.replace('\'', r"'\''")),
            Context::Double => {
                for character in value.chars() {
                    if matches!(character, '\\' | '$' | '`' | '"') {
                        out.push('\\');
                    }
                    out.push(character);
                }
            }
            Context::AnsiC => {
                for character in value.chars() {
                    if matches!(character, '\\' | '\'') {
                        out.push('\\');
                    }
                    out.push(character);
                }
            }
            Context::HereDocument {
                delimiter,
                strip_tabs,
                expanding,
            } => {
                let ends = |line: &str| {
                    let line = if *strip_tabs {
                        line.trim_start_matches('\t')
                    } else {
                        line
                    };
                    line == delimiter
                };
                if would_end_here_document(value, text, range, &ends) {
                    return Err("it would end the here-document");
                }
                for character in value.chars() {
                    if *expanding && matches!(character, '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(character);
                }
            }
            Context::Comment => out.push_str(&text[range.clone()]),
            Context::IntegerOnly => {
                if !is_integer(value) {
                    return Err(
                        "it stands inside ${...}, $((...)) or ((...)), which accept only integers",
                    );
                }
                out.push_str(value);
            }
            Context::HereString { .. } => unreachable_context(out, value),
            Context::Refused(why) => return Err(why),
        }
        Ok(())
    }

    /// Here-strings are a PowerShell context; bash never reports one. Quoting as a single-quoted
    /// word keeps the value inert should it ever happen.
    fn unreachable_context(out: &mut String, value: &str) {
        out.push('\'');
        out.push_str(&value.replace('\'', r"'\''"));
        out.push('\'');
    }
}

mod powershell {
    //! The PowerShell tokeniser that tells, for each reference, the quoting context it stands in.

    use super::{Context, Reference, would_end_here_document};
    use std::ops::Range;

    /// The characters PowerShell accepts as single quotes.
    const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    /// The characters PowerShell accepts as double quotes.
    const DOUBLE_QUOTES: [char; 4] = ['"', '\u{201C}', '\u{201D}', '\u{201E}'];

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Frame {
        Top,
        SubExpression { parens: u32 },
        Single,
        Double,
        LineComment,
        BlockComment,
        HereSingle,
        HereDouble,
    }

    fn context_of(stack: &[Frame]) -> Context {
        match stack.last().copied().unwrap_or(Frame::Top) {
            Frame::Single => Context::Single,
            Frame::Double => Context::Double,
            Frame::LineComment | Frame::BlockComment => Context::Comment,
            Frame::HereSingle => Context::HereString { expanding: false },
            Frame::HereDouble => Context::HereString { expanding: true },
            Frame::Top | Frame::SubExpression { .. } => Context::Unquoted,
        }
    }

    /// The quoting context of each reference, in order.
    pub(super) fn contexts(text: &str, references: &[Reference]) -> Vec<Context> {
        let characters: Vec<(usize, char)> = text.char_indices().collect();
        let mut found: Vec<Option<Context>> = vec![None; references.len()];
        let mut next_reference = 0;
        let mut stack = vec![Frame::Top];
        let mut word_start = true;
        let mut index = 0;

        let at_line_start = |index: usize| index == 0 || characters[index - 1].1 == '\n';

        while index < characters.len() {
            let (offset, character) = characters[index];
            if next_reference < references.len() && references[next_reference].range.start <= offset
            {
                if found[next_reference].is_none() {
                    found[next_reference] = Some(context_of(&stack));
                }
                let end = references[next_reference].range.end;
                while index < characters.len() && characters[index].0 < end {
                    index += 1;
                }
                next_reference += 1;
                word_start = false;
                continue;
            }
            let next = characters.get(index + 1).map(|(_, next)| *next);
            let frame = *stack.last().unwrap_or(&Frame::Top);

            match frame {
                Frame::Single => {
                    if SINGLE_QUOTES.contains(&character) {
                        if next.is_some_and(|next| SINGLE_QUOTES.contains(&next)) {
                            index += 2;
                            continue;
                        }
                        stack.pop();
                    }
                    index += 1;
                }
                Frame::Double | Frame::HereDouble => {
                    if character == '`' {
                        if references[next_reference..]
                            .first()
                            .zip(characters.get(index + 1))
                            .is_some_and(|(reference, (at, _))| reference.range.start == *at)
                        {
                            found[next_reference] =
                                Some(Context::Refused("it follows an escaping backtick"));
                        }
                        index += 2;
                        continue;
                    }
                    if character == '$' && next == Some('(') {
                        stack.push(Frame::SubExpression { parens: 0 });
                        index += 2;
                        continue;
                    }
                    if frame == Frame::Double && DOUBLE_QUOTES.contains(&character) {
                        if next.is_some_and(|next| DOUBLE_QUOTES.contains(&next)) {
                            index += 2;
                            continue;
                        }
                        stack.pop();
                    }
                    if frame == Frame::HereDouble
                        && at_line_start(index)
                        && DOUBLE_QUOTES.contains(&character)
                        && next == Some('@')
                    {
                        stack.pop();
                        index += 2;
                        continue;
                    }
                    index += 1;
                }
                Frame::HereSingle => {
                    if at_line_start(index)
                        && SINGLE_QUOTES.contains(&character)
                        && next == Some('@')
                    {
                        stack.pop();
                        index += 2;
                        continue;
                    }
                    index += 1;
                }
                Frame::LineComment => {
                    if character == '\n' {
                        stack.pop();
                        word_start = true;
                    }
                    index += 1;
                }
                Frame::BlockComment => {
                    if character == '#' && next == Some('>') {
                        stack.pop();
                        index += 2;
                        continue;
                    }
                    index += 1;
                }
                Frame::Top | Frame::SubExpression { .. } => {
                    let was_word_start = word_start;
                    word_start = character.is_whitespace() || ";|&(){}".contains(character);
                    if character == '`' {
                        if references[next_reference..]
                            .first()
                            .zip(characters.get(index + 1))
                            .is_some_and(|(reference, (at, _))| reference.range.start == *at)
                        {
                            found[next_reference] =
                                Some(Context::Refused("it follows an escaping backtick"));
                        }
                        index += 2;
                        continue;
                    }
                    if character == '@' && next.is_some_and(|next| SINGLE_QUOTES.contains(&next)) {
                        stack.push(Frame::HereSingle);
                        index += 2;
                        continue;
                    }
                    if character == '@' && next.is_some_and(|next| DOUBLE_QUOTES.contains(&next)) {
                        stack.push(Frame::HereDouble);
                        index += 2;
                        continue;
                    }
                    if character == '<' && next == Some('#') {
                        stack.push(Frame::BlockComment);
                        index += 2;
                        continue;
                    }
                    if character == '#' && was_word_start {
                        stack.push(Frame::LineComment);
                    } else if SINGLE_QUOTES.contains(&character) {
                        stack.push(Frame::Single);
                    } else if DOUBLE_QUOTES.contains(&character) {
                        stack.push(Frame::Double);
                    } else if character == '$' && next == Some('(') {
                        stack.push(Frame::SubExpression { parens: 0 });
                        index += 1;
                    } else if let Frame::SubExpression { parens } = frame {
                        if character == '(' {
                            *stack.last_mut().expect("frame") =
                                Frame::SubExpression { parens: parens + 1 };
                        } else if character == ')' {
                            if parens == 0 {
                                stack.pop();
                            } else {
                                *stack.last_mut().expect("frame") =
                                    Frame::SubExpression { parens: parens - 1 };
                            }
                        }
                    }
                    index += 1;
                }
            }
        }

        found
            .into_iter()
            .map(|context| context.unwrap_or(Context::Unquoted))
            .collect()
    }

    /// Appends `value` quoted for `context`.
    pub(super) fn quote(
        out: &mut String,
        value: &str,
        context: &Context,
        text: &str,
        range: &Range<usize>,
    ) -> Result<(), &'static str> {
        match context {
            Context::Unquoted => {
                out.push('\'');
                push_single_quoted(out, value);
                out.push('\'');
            }
            Context::Single => push_single_quoted(out, value),
            Context::Double => push_double_quoted(out, value),
            Context::HereString { expanding } => {
                let ends = |line: &str| {
                    let mut characters = line.chars();
                    let first = characters.next();
                    let quotes: &[char] = if *expanding {
                        &DOUBLE_QUOTES
                    } else {
                        &SINGLE_QUOTES
                    };
                    first.is_some_and(|first| quotes.contains(&first))
                        && characters.next() == Some('@')
                };
                if would_end_here_document(value, text, range, &ends) {
                    return Err("it would end the here-string");
                }
                if *expanding {
                    push_double_quoted(out, value);
                } else {
                    out.push_str(value);
                }
            }
            Context::Comment => out.push_str(&text[range.clone()]),
            Context::Refused(why) => return Err(why),
            Context::AnsiC | Context::HereDocument { .. } | Context::IntegerOnly => {
                out.push('\'');
                push_single_quoted(out, value);
                out.push('\'');
            }
        }
        Ok(())
    }

    fn push_single_quoted(out: &mut String, value: &str) {
        for character in value.chars() {
            if SINGLE_QUOTES.contains(&character) {
                out.push(character);
            }
            out.push(character);
        }
    }

    fn push_double_quoted(out: &mut String, value: &str) {
        for character in value.chars() {
            if character == '`' || character == '$' || DOUBLE_QUOTES.contains(&character) {
                out.push('`');
            }
            out.push(character);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<Option<String>> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        move |name: &str| {
            pairs
                .iter()
                .find(|(known, _)| known == name)
                .map(|(_, value)| Some(value.clone()))
        }
    }

    #[test]
    fn references_are_found_even_when_glued_to_other_text() {
        let references = find_references("pre-__x__:value-post __y__:value", &|_| true);
        let names: Vec<&str> = references.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["__x__", "__y__"]);
        assert!(find_references("__x__:values", &|_| true).is_empty());
        assert!(find_references("x:value", &|_| true).is_empty());
    }

    #[test]
    fn the_longest_known_name_wins() {
        let known = |name: &str| name == "__b__";
        let references = find_references("__a__b__:value", &known);
        assert_eq!(references[0].name, "__b__");
        let references = find_references("__a__b__:value", &|_| false);
        assert_eq!(references[0].name, "__a__b__");
    }

    #[test]
    fn plain_substitution_leaves_unknown_references() {
        let lookup = lookup_from(&[("__host__", "10.0.0.1")]);
        assert_eq!(
            substitute_plain("http://__host__:value/__other__:value", &lookup),
            "http://10.0.0.1/__other__:value"
        );
    }

    #[test]
    fn bash_quoting_follows_the_context() {
        let lookup = lookup_from(&[("__v__", "a'b\"c$d`e\\f")]);
        let cases = [
            ("echo __v__:value", r#"echo 'a'\''b"c$d`e\f'"#),
            ("echo '__v__:value'", r#"echo 'a'\''b"c$d`e\f'"#),
            ("echo \"__v__:value\"", r#"echo "a'b\"c\$d\`e\\f""#),
            ("echo $'__v__:value'", r#"echo $'a\'b"c$d`e\\f'"#),
            (
                "echo \"$(echo __v__:value)\"",
                r#"echo "$(echo 'a'\''b"c$d`e\f')""#,
            ),
            ("# note __v__:value", "# note __v__:value"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                substitute_shell(text, Shell::Bash, &lookup).unwrap(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn bash_refuses_contexts_it_cannot_quote() {
        let lookup = lookup_from(&[("__v__", "1; touch x"), ("__n__", "42")]);
        for text in [
            "echo `echo __v__:value`",
            "echo $((__v__:value + 1))",
            "echo ${X:-__v__:value}",
            "echo \\__v__:value",
        ] {
            assert!(
                substitute_shell(text, Shell::Bash, &lookup).is_err(),
                "{text}"
            );
        }
        assert_eq!(
            substitute_shell("echo $((__n__:value + 1))", Shell::Bash, &lookup).unwrap(),
            "echo $((42 + 1))"
        );
    }

    #[test]
    fn bash_here_documents_cannot_be_ended_by_a_value() {
        let ending = lookup_from(&[("__v__", "x\nEOF\ntouch /tmp/pwned")]);
        let text = "cat <<EOF\n__v__:value\nEOF\necho done";
        assert!(substitute_shell(text, Shell::Bash, &ending).is_err());

        let harmless = lookup_from(&[("__v__", "$(touch x) `y` \\")]);
        assert_eq!(
            substitute_shell(text, Shell::Bash, &harmless).unwrap(),
            "cat <<EOF\n\\$(touch x) \\`y\\` \\\\\nEOF\necho done"
        );
        assert_eq!(
            substitute_shell(
                "cat <<'EOF'\n__v__:value\nEOF\necho __v__:value",
                Shell::Bash,
                &harmless
            )
            .unwrap(),
            "cat <<'EOF'\n$(touch x) `y` \\\nEOF\necho '$(touch x) `y` \\'"
        );
    }

    #[test]
    fn powershell_quoting_follows_the_context() {
        let lookup = lookup_from(&[("__v__", "a'b\u{2019}c\"d$e`f")]);
        let cases = [
            (
                "Write-Output __v__:value",
                "Write-Output 'a''b\u{2019}\u{2019}c\"d$e`f'",
            ),
            (
                "Write-Output '__v__:value'",
                "Write-Output 'a''b\u{2019}\u{2019}c\"d$e`f'",
            ),
            (
                "Write-Output \"__v__:value\"",
                "Write-Output \"a'b\u{2019}c`\"d`$e``f\"",
            ),
            ("# __v__:value", "# __v__:value"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                substitute_shell(text, Shell::PowerShell, &lookup).unwrap(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn null_values_substitute_as_empty_and_nul_is_refused() {
        let lookup = |name: &str| (name == "__n__").then_some(None);
        assert_eq!(
            substitute_shell("echo __n__:value", Shell::Bash, &lookup).unwrap(),
            "echo ''"
        );
        let nul = lookup_from(&[("__v__", "a\0b")]);
        assert!(substitute_shell("echo __v__:value", Shell::Bash, &nul).is_err());
    }
}
