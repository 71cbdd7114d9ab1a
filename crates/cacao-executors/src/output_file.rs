//! The `CACAO_OUTPUT` convention: how a shell command returns named values.
//!
//! A command appends lines `__name__=value` to the file named by the environment variable
//! `CACAO_OUTPUT`. After the command ends, the executor reads the file and every well-formed line
//! becomes a result; the engine then assigns the results named in the step's `out_args`. Values
//! are single lines (the first `=` separates name and value, a trailing carriage return is
//! dropped); later lines for the same name replace earlier ones. Lines that are not of that form
//! are ignored and counted, so a command that writes something else into the file does not break
//! the step. The executor's own results (`__stdout__`, `__exit_code__`, ...) are added after these,
//! so a command cannot overwrite them.

use indexmap::IndexMap;

/// The environment variable that names the output file.
pub const ENVIRONMENT_VARIABLE: &str = "CACAO_OUTPUT";

/// The values read from an output file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputValues {
    /// The values by variable name (with its `__` delimiters), in first-seen order.
    pub values: IndexMap<String, String>,
    /// How many non-empty lines were not of the form `__name__=value`.
    pub ignored_lines: usize,
}

/// Whether `name` is a CACAO variable name, by the model's rule: `__`, a letter or `_`, up to
/// 199 more of `[a-zA-Z0-9_-]`, then `__`.
pub fn is_variable_name(name: &str) -> bool {
    cacao_model::variable::is_valid_name(name)
}

/// Parses the content of an output file. Invalid UTF-8 is replaced, never rejected.
pub fn parse(content: &[u8]) -> OutputValues {
    let text = String::from_utf8_lossy(content);
    let mut output = OutputValues::default();

    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }

        match line.split_once('=') {
            Some((name, value)) if is_variable_name(name) => {
                output.values.insert(name.to_owned(), value.to_owned());
            }
            _ => output.ignored_lines += 1,
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn well_formed_lines_become_values_and_later_lines_win() {
        let output = parse(b"__a__=1\n__b__=x=y\r\n__a__=2\n");
        assert_eq!(output.values["__a__"], "2");
        assert_eq!(output.values["__b__"], "x=y");
        assert_eq!(output.ignored_lines, 0);
    }

    #[test]
    fn malformed_lines_are_counted_not_fatal() {
        let output = parse(b"hello\n__a b__=1\n____=2\n=3\n\n__ok__=\n");
        assert_eq!(output.values.len(), 1);
        assert_eq!(output.values["__ok__"], "");
        assert_eq!(output.ignored_lines, 4);
    }

    #[test]
    fn a_missing_final_newline_keeps_the_last_value() {
        assert_eq!(parse(b"__a__=last").values["__a__"], "last");
    }

    proptest! {
        #[test]
        fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let output = parse(&bytes);
            for name in output.values.keys() {
                prop_assert!(is_variable_name(name));
            }
        }

        #[test]
        fn written_values_read_back(
            entries in proptest::collection::vec(("[a-z_][a-z0-9_-]{0,11}", "[^\r\n]{0,40}"), 1..8)
        ) {
            let mut content = String::new();
            let mut expected = IndexMap::new();
            for (name, value) in &entries {
                let name = format!("__{name}__");
                content.push_str(&format!("{name}={value}\n"));
                expected.insert(name, value.clone());
            }
            let output = parse(content.as_bytes());
            prop_assert_eq!(output.values, expected);
        }
    }
}
