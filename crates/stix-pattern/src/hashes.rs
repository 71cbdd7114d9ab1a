//! The reference validator's hash check: a literal compared with a path whose last step names a
//! known hash algorithm (`file:hashes.MD5`, `file:hashes.'SHA-256'`, …) must look like a hash of
//! that algorithm.
//!
//! As in `stix2-patterns`, the check applies when any step of the path is `hashes`, the
//! algorithm name is matched after upper-casing and dropping `-`, and it covers every operator
//! but `EXISTS` (so `file:hashes.MD5 LIKE 'cead%'` is rejected too). Two deliberate differences:
//! each literal of an `IN` list is checked on its own (the reference checks the list's text and
//! so rejects every `IN`), and MD6 accepts exactly the digest lengths 32, 40, 56, 64, 96 and 128
//! (the reference's expression accepts anything that starts with 32 hex digits).

use crate::ast::{
    ComparisonExpression, Literal, ObservationExpression, Operand, Operator, PathStep,
};
use crate::error::PatternError;

/// What a hash of each known algorithm looks like.
enum HashForm {
    /// Hex digits, one of these counts.
    Hex(&'static [usize]),
    /// 1–128 characters of `[a-zA-Z0-9/+:.]`.
    Ssdeep,
}

fn hash_form(normalised_name: &str) -> Option<(HashForm, &'static str)> {
    Some(match normalised_name {
        "MD5" => (HashForm::Hex(&[32]), "MD5"),
        "MD6" => (HashForm::Hex(&[32, 40, 56, 64, 96, 128]), "MD6"),
        "RIPEMD160" => (HashForm::Hex(&[40]), "RIPEMD-160"),
        "SHA1" => (HashForm::Hex(&[40]), "SHA-1"),
        "SHA224" => (HashForm::Hex(&[56]), "SHA-224"),
        "SHA256" => (HashForm::Hex(&[64]), "SHA-256"),
        "SHA384" => (HashForm::Hex(&[96]), "SHA-384"),
        "SHA512" => (HashForm::Hex(&[128]), "SHA-512"),
        "SHA3224" => (HashForm::Hex(&[56]), "SHA3-224"),
        "SHA3256" => (HashForm::Hex(&[64]), "SHA3-256"),
        "SHA3384" => (HashForm::Hex(&[96]), "SHA3-384"),
        "SHA3512" => (HashForm::Hex(&[128]), "SHA3-512"),
        "SSDEEP" => (HashForm::Ssdeep, "SSDEEP"),
        "WHIRLPOOL" => (HashForm::Hex(&[128]), "WHIRLPOOL"),
        _ => return None,
    })
}

fn looks_like(form: &HashForm, text: &str) -> bool {
    match form {
        HashForm::Hex(lengths) => {
            lengths.contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_hexdigit())
        }
        HashForm::Ssdeep => {
            (1..=128).contains(&text.len())
                && text
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"/+:.".contains(&byte))
        }
    }
}

/// Checks every comparison of the pattern; the first bad literal is the error.
pub(crate) fn check_hash_literals(expression: &ObservationExpression) -> Result<(), PatternError> {
    match expression {
        ObservationExpression::Observation(comparison) => check_comparisons(comparison),
        ObservationExpression::And(operands)
        | ObservationExpression::Or(operands)
        | ObservationExpression::FollowedBy(operands) => {
            operands.iter().try_for_each(check_hash_literals)
        }
        ObservationExpression::Qualified { expression, .. } => check_hash_literals(expression),
    }
}

fn check_comparisons(expression: &ComparisonExpression) -> Result<(), PatternError> {
    let comparison = match expression {
        ComparisonExpression::And(operands) | ComparisonExpression::Or(operands) => {
            return operands.iter().try_for_each(check_comparisons);
        }
        ComparisonExpression::Comparison(comparison) => comparison,
    };
    if comparison.operator == Operator::Exists {
        return Ok(());
    }

    let steps = &comparison.path.steps;
    let mentions_hashes = steps
        .iter()
        .any(|step| matches!(step, PathStep::Key(key) if key == "hashes"));
    let Some(PathStep::Key(algorithm)) = steps.last() else {
        return Ok(());
    };
    if !mentions_hashes {
        return Ok(());
    }
    let normalised = algorithm.to_uppercase().replace(['-', '\''], "");
    let Some((form, display_name)) = hash_form(&normalised) else {
        return Ok(());
    };

    let literals: Vec<&Literal> = match &comparison.operand {
        Operand::Literal(literal) => vec![literal],
        Operand::Set(literals) => literals.iter().collect(),
        Operand::None | Operand::Path(_) => Vec::new(),
    };
    for literal in literals {
        let acceptable = match literal {
            Literal::String(text) => looks_like(&form, text),
            _ => false,
        };
        if !acceptable {
            return Err(PatternError::new(
                comparison.operand_span.start,
                format!("{literal} is not a valid {display_name} hash"),
            ));
        }
    }
    Ok(())
}
