//! Validation of CACAO 2.0 playbooks with source-located diagnostics.
//!
//! [`validate`] reads the bytes of a file and reports every finding at once, each with one
//! stable [`Rule`] id, a [`Severity`], a JSON pointer, a line and column, a message naming the
//! bad value and a help text. Three passes run over one position-keeping parse ([`json`]):
//! 1. the JSON itself: syntax (parsing stops), duplicate keys and numbers beyond what a double
//!    holds exactly (parsing goes on);
//! 2. the structure: the official CACAO JSON schemas (a patched draft 2020-12 set, embedded in
//!    the binary), run by a small interpreter over the same parse (`schema`);
//! 3. the semantics: everything the schemas cannot say (MODEL.md section 14): workflow graph,
//!    references, identifiers, timestamps, commands, variables, conditions, markings, KMS rules
//!    and extensions (`checks`).
//!
//! Further checks plug in through [`Validator::with_check`]; signature verification
//! (`signature/...` rules) comes in that way, from the signing crate.
//!
//! ```
//! let report = cacao_validate::validate(br#"{"type": "playbook"}"#);
//! assert!(!report.is_valid());
//! let missing = &report.diagnostics[0];
//! assert_eq!(missing.rule.id(), "schema/required");
//! assert_eq!((missing.line, missing.column), (1, 1));
//! ```

mod checks;
pub mod diagnostic;
pub mod format;
pub mod graph;
pub mod json;
pub mod render;
mod schema;

use foldhash::{HashSet, HashSetExt};

pub use diagnostic::{Diagnostic, Finding, LineIndex, Place, Report, Rule, Severity};
pub use json::{Document, Kind, NodeId, Span, SyntaxError};

use crate::diagnostic::{LineCursor, resolve_place};
use crate::json::Issue;

/// A check that runs after the built-in ones on every document that parses, such as signature
/// verification. Its findings are positioned, sorted and reported like the built-in ones.
pub trait Check: Send + Sync {
    /// Examines the parsed playbook and returns its findings.
    fn check(&self, document: &Document<'_>) -> Vec<Finding>;
}

/// The validator with its plugged-in checks.
#[derive(Default)]
pub struct Validator {
    checks: Vec<Box<dyn Check>>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("extra_checks", &self.checks.len())
            .finish()
    }
}

impl Validator {
    /// A validator with the built-in checks only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a check that runs after the built-in ones.
    pub fn with_check(mut self, check: impl Check + 'static) -> Self {
        self.checks.push(Box::new(check));
        self
    }

    /// Validates the bytes of one file.
    pub fn validate(&self, source: &[u8]) -> Report {
        let document = match Document::parse(source) {
            Ok(document) => document,
            Err(error) => return syntax_report(source, &error),
        };

        let mut findings = issue_findings(&document);
        if let Some(finding) = not_a_playbook(&document) {
            findings.push(finding);
            return finish(&document, findings);
        }
        let schemas = schema::SchemaSet::embedded();
        findings.extend(
            schema::evaluate::evaluate(schemas, &document)
                .iter()
                .filter_map(|error| schema::classify::classify(schemas, &document, error)),
        );
        findings.extend(checks::run(&document));
        for check in &self.checks {
            findings.extend(check.check(&document));
        }
        finish(&document, findings)
    }
}

/// Validates the bytes of one file with the built-in checks.
pub fn validate(source: &[u8]) -> Report {
    Validator::new().validate(source)
}

/// A JSON document that is plainly some other object (a STIX identity, a marking, an extension
/// definition) gets one finding instead of a page of missing playbook properties.
fn not_a_playbook(document: &Document<'_>) -> Option<Finding> {
    let root = document.root();
    if document.kind(root) != Kind::Object {
        return None;
    }
    if let Some(type_node) = document.get(root, "type") {
        let object_type = document.as_str(type_node)?;
        if object_type == "playbook" {
            return None;
        }
        return Some(Finding::new(
            Rule::SchemaEnum,
            Place::Node(type_node),
            format!(
                "this document is a `{object_type}` object, not a CACAO playbook (`\"type\": \"playbook\"`)"
            ),
            "validate playbook files only; objects such as markings and extension definitions belong inside a playbook's definition dictionaries",
        ));
    }
    let looks_like_playbook = ["spec_version", "workflow", "workflow_start", "id", "name"]
        .iter()
        .any(|key| document.get(root, key).is_some());
    (!looks_like_playbook).then(|| {
        Finding::new(
            Rule::SchemaRequired,
            Place::Inside(root, Span::new(document.span(root).start, document.span(root).start + 1)),
            "this JSON document is not a CACAO playbook: it has none of `type`, `spec_version`, `id`, `name` and `workflow`",
            "a playbook is one object with `\"type\": \"playbook\"`, `spec_version`, `id`, `workflow` and so on; `cacao new` writes one to start from",
        )
    })
}

fn syntax_report(source: &[u8], error: &SyntaxError) -> Report {
    let index = LineIndex::new(source);
    let (line, column) = index.position(error.offset);
    let end = (error.offset + 1).min(source.len());
    Report {
        diagnostics: vec![Diagnostic {
            rule: Rule::JsonSyntax,
            severity: Severity::Error,
            pointer: error.pointer.clone(),
            line,
            column,
            message: error.message.clone(),
            help: error.help.clone(),
            span: Span::new(error.offset.min(source.len()), end),
        }],
        secret_spans: Vec::new(),
    }
}

fn issue_findings(document: &Document<'_>) -> Vec<Finding> {
    if document.issues().is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(document.source().as_bytes());
    document
        .issues()
        .iter()
        .map(|issue| match issue {
            Issue::DuplicateKey {
                object,
                member,
                first,
            } => {
                let key = document.member(*object, *member).key;
                let (line, column) = index.position(first.start);
                Finding::new(
                    Rule::JsonSyntax,
                    Place::Key(*object, *member),
                    format!("duplicate key `{key}` (it first appears at line {line}, column {column})"),
                    "remove one of the two: JSON tools disagree on which one wins, so the playbook would mean different things to different tools",
                )
            }
            Issue::NumberOutOfRange { node } => {
                let text = document.number_text(*node).unwrap_or_default();
                let integer = document.is_integer_literal(*node);
                let message = if integer {
                    format!("the integer {text} is too large to be kept exactly; JSON numbers are exact only up to ±9007199254740991 (2^53 − 1)")
                } else {
                    format!("the number {text} is beyond the range of a double")
                };
                Finding::new(
                    Rule::SchemaRange,
                    Place::Node(*node),
                    message,
                    "write it as a string if it is an identifier or a large value; signatures and other tools would change it",
                )
            }
        })
        .collect()
}

/// Positions, de-duplicates and sorts the findings.
fn finish(document: &Document<'_>, findings: Vec<Finding>) -> Report {
    if findings.is_empty() {
        return Report::default();
    }

    let resolved: Vec<(Finding, String, Span)> = findings
        .into_iter()
        .map(|finding| {
            let (pointer, span) = resolve_place(document, &finding.place);
            (finding, pointer, span)
        })
        .collect();

    // A key whose type prefix disagrees with its object's `type` also makes the schema chosen
    // by that prefix reject `type`; the prefix finding says it better.
    let mismatched: HashSet<String> = resolved
        .iter()
        .filter(|(finding, _, _)| finding.rule == Rule::IdPrefixMismatch)
        .map(|(_, pointer, _)| format!("{pointer}/type"))
        .collect();

    let mut seen = HashSet::new();
    let keep: Vec<bool> = resolved
        .iter()
        .map(|(finding, pointer, _)| {
            !(finding.rule == Rule::SchemaEnum && mismatched.contains(pointer))
                && seen.insert((finding.rule, pointer.as_str(), finding.message.as_str()))
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = resolved
        .into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|((finding, pointer, span), _)| Diagnostic {
            rule: finding.rule,
            severity: finding.severity,
            pointer,
            line: 0,
            column: 0,
            message: finding.message,
            help: finding.help,
            span,
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.severity, a.rule.id(), &a.message).cmp(&(
            b.span.start,
            b.severity,
            b.rule.id(),
            &b.message,
        ))
    });

    // Sorted by offset, so the lines are counted in one pass up to the last finding.
    let mut lines = LineCursor::new(document.source().as_bytes());
    for diagnostic in &mut diagnostics {
        (diagnostic.line, diagnostic.column) = lines.position(diagnostic.span.start);
    }

    Report {
        diagnostics,
        secret_spans: checks::secret_spans(document),
    }
}
