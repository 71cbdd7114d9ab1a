//! `extension/property-name`: the top-level property names of an extension object are
//! `[a-z0-9_]{3,250}`. Nested objects inside an extension are the extension's own business.

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::json::Kind;

fn valid(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// `zIndex` → `z_index`, `Layer-Name` → `layer_name`.
fn suggestion(name: &str) -> String {
    let mut snake = String::new();
    for (index, character) in name.chars().enumerate() {
        if character.is_ascii_uppercase() {
            if index > 0 && !snake.ends_with('_') {
                snake.push('_');
            }
            snake.push(character.to_ascii_lowercase());
        } else if character.is_ascii_alphanumeric() {
            snake.push(character);
        } else if !snake.ends_with('_') {
            snake.push('_');
        }
    }
    while snake.len() < 3 {
        snake.push('_');
    }
    snake
}

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    for (dictionary, member) in context.extension_entries() {
        let entry = document.member(dictionary, member);
        if document.kind(entry.value) != Kind::Object {
            continue;
        }
        for (index, property) in document.members(entry.value).enumerate() {
            if !valid(property.key) {
                context.report(
                    Rule::ExtensionPropertyName,
                    Place::Key(entry.value, index),
                    format!("`{}` in extension `{}` is not a valid extension property name", property.key, entry.key),
                    format!(
                        "extension property names are 3 to 250 lower-case letters, digits and `_`, such as `{}`",
                        suggestion(property.key)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_suggestions() {
        assert!(valid("coordinates"));
        assert!(valid("z_index"));
        assert!(!valid("zIndex"));
        assert!(!valid("xy"));
        assert_eq!(suggestion("zIndex"), "z_index");
        assert_eq!(suggestion("x"), "x__");
    }
}
