//! The bridge between `cacao-validate` and `cacao-sign`: signature findings (`signature/...`
//! rules) reported by `cacao validate` beside the schema and semantic ones.
//!
//! It lives in the binary because the CLI is the one place that wires crates together: the
//! validator knows nothing of cryptography and the signer nothing of source positions. The
//! validator turns each finding's JSON pointer into a line and column.

use cacao_validate::{Check, Document, Finding, Place, Rule, Severity};

/// Verifies every signature of a playbook, without a trust store, at the current time.
#[derive(Debug, Default)]
pub struct SignatureCheck;

impl Check for SignatureCheck {
    fn check(&self, document: &Document<'_>) -> Vec<Finding> {
        // Most playbooks are unsigned: do not pay for a second parse then.
        if document.get(document.root(), "signatures").is_none() {
            return Vec::new();
        }

        // The validator's own parse already reported duplicate keys and oversized numbers; a
        // document serde_json cannot read gets no signature findings on top of those.
        let source = document.source().trim_start_matches('\u{feff}');
        let Ok(value) = serde_json::from_str::<serde_json::Value>(source) else {
            return Vec::new();
        };

        cacao_sign::signature_findings(&value)
            .into_iter()
            .map(|finding| Finding {
                rule: Rule::Signature(finding.rule),
                severity: match finding.severity {
                    cacao_sign::Severity::Error => Severity::Error,
                    cacao_sign::Severity::Warning => Severity::Warning,
                },
                place: Place::Pointer(finding.pointer),
                message: finding.message,
                help: finding.help.to_owned(),
            })
            .collect()
    }
}
