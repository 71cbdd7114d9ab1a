//! What the validator reports: rule ids, severities, findings and their positions.
//!
//! Every finding carries exactly one [`Rule`]; the ids are stable because scripts, CI filters and
//! documentation refer to them. A [`Finding`] is what a check produces (a place in the document,
//! a message, a help text); [`Diagnostic`] is the finished report line with the JSON pointer and
//! the 1-based line and column, computed only for findings so that valid files stay fast.

use std::fmt;

use crate::json::{Document, NodeId, Span};

/// How serious a finding is. Errors make a playbook invalid; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The playbook breaks a MUST of CACAO 2.0 (or is not JSON).
    Error,
    /// The playbook breaks a SHOULD, or a MUST that real playbooks commonly break.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident; )*) => {
        /// A stable rule id. `docs/rules.md` explains each with an example.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
            /// A finding about a signature, from the signature checks that are plugged in with
            /// [`Validator::with_check`](crate::Validator::with_check). The text is the full
            /// rule id and starts with `signature/`.
            Signature(&'static str),
        }

        impl Rule {
            /// Every rule of the validator itself (signature rules come from elsewhere).
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];

            /// The rule id, such as `workflow/dangling-ref`.
            pub fn id(self) -> &'static str {
                match self {
                    $( Rule::$variant => $id, )*
                    Rule::Signature(id) => id,
                }
            }

            /// The severity findings of this rule usually have.
            pub fn default_severity(self) -> Severity {
                match self {
                    $( Rule::$variant => Severity::$severity, )*
                    Rule::Signature(_) => Severity::Error,
                }
            }
        }
    };
}

rules! {
    /// The file is not JSON (or has duplicate keys).
    JsonSyntax = "json/syntax", Error;
    /// A property the schema requires is missing.
    SchemaRequired = "schema/required", Error;
    /// A value has the wrong JSON type or form.
    SchemaType = "schema/type", Error;
    /// A property that CACAO does not define.
    SchemaUnknownProperty = "schema/unknown-property", Error;
    /// A value outside its enumeration.
    SchemaEnum = "schema/enum", Error;
    /// A number or list size out of range.
    SchemaRange = "schema/range", Error;
    /// Not an identifier of the form `object-type--UUID`.
    IdFormat = "id/format", Error;
    /// A key or reference whose `type--` prefix differs from the object's type.
    IdPrefixMismatch = "id/prefix-mismatch", Error;
    /// A workflow step id whose UUID is not version 4.
    IdUuidVersion = "id/uuid-version", Error;
    /// Not an RFC 3339 UTC timestamp.
    TimeFormat = "time/format", Error;
    /// `created`/`modified` without exactly three fractional digits.
    TimePrecision = "time/precision", Error;
    /// `modified` before `created`, or `valid_until` not after `valid_from`.
    TimeOrder = "time/order", Error;
    /// `workflow_start` names no step.
    WorkflowStartMissing = "workflow/start-missing", Error;
    /// `workflow_start` names a step that is not a start step.
    WorkflowStartType = "workflow/start-type", Error;
    /// `workflow_exception` names no step.
    WorkflowExceptionMissing = "workflow/exception-missing", Error;
    /// A step reference names no step.
    WorkflowDanglingRef = "workflow/dangling-ref", Error;
    /// `on_completion` together with `on_success` or `on_failure`.
    WorkflowNextExclusive = "workflow/next-exclusive", Error;
    /// A start step with `on_success`/`on_failure`, or an end step with any `on_*`.
    WorkflowStartEndProps = "workflow/start-end-props", Error;
    /// A step other than an end step with nowhere to go.
    WorkflowNoContinuation = "workflow/no-continuation", Error;
    /// A parallel step with fewer than two branches.
    WorkflowParallelMin = "workflow/parallel-min", Error;
    /// A loop that no while-condition makes.
    WorkflowCycle = "workflow/cycle", Error;
    /// A step that no path from the start or the exception handler reaches.
    WorkflowUnreachable = "workflow/unreachable", Warning;
    /// A branch of a parallel, if, while or switch step that never reaches its own end step.
    WorkflowBranchEnd = "workflow/branch-end", Error;
    /// An `agent` that is not in `agent_definitions`.
    RefAgent = "ref/agent", Error;
    /// A target that is not in `target_definitions`.
    RefTarget = "ref/target", Error;
    /// An `authentication_info` that is not in `authentication_info_definitions`.
    RefAuthInfo = "ref/auth-info", Error;
    /// A marking that is not in `data_marking_definitions`.
    RefMarking = "ref/marking", Error;
    /// An extension that is not in `extension_definitions`.
    RefExtension = "ref/extension", Error;
    /// A command without the content its type needs.
    CommandMissingContent = "command/missing-content", Error;
    /// A `*_b64` property that is not base64.
    CommandBase64 = "command/base64", Error;
    /// An http-api or openc2-http command that is not an HTTP start line.
    CommandHttpStartLine = "command/http-start-line", Error;
    /// An openc2-http command whose method is not POST.
    CommandOpenc2Method = "command/openc2-method", Error;
    /// A variable name that breaks the naming rules.
    VariableName = "variable/name", Error;
    /// A variable used but not declared in scope.
    VariableUndefined = "variable/undefined", Warning;
    /// `out_args` names a constant variable.
    VariableConstantAssigned = "variable/constant-assigned", Error;
    /// `external` on a step variable.
    VariableExternalScope = "variable/external-scope", Error;
    /// An if/while condition that does not parse.
    ConditionSyntax = "condition/syntax", Error;
    /// A listed playbook activity that no command carries.
    ActivityUnreflected = "activity/unreflected", Warning;
    /// Data markings that mark each other in a loop.
    MarkingCycle = "marking/cycle", Error;
    /// Authentication information that breaks the KMS rules.
    AuthKms = "auth/kms", Error;
    /// An extension property name that is not `[a-z0-9_]{3,250}`.
    ExtensionPropertyName = "extension/property-name", Error;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Where in the document a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A value (its whole span is underlined).
    Node(NodeId),
    /// The key of member `index` of an object.
    Key(NodeId, usize),
    /// A byte range inside a value, such as the bad part of a condition string.
    Inside(NodeId, Span),
    /// A JSON pointer; the validator finds the value (or the nearest existing parent).
    Pointer(String),
}

/// What a check found, before positions are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule broken.
    pub rule: Rule,
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    pub place: Place,
    /// What is wrong, naming the bad value.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Finding {
    /// A finding with the rule's default severity.
    pub fn new(
        rule: Rule,
        place: Place,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.default_severity(),
            place,
            message: message.into(),
            help: help.into(),
        }
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// One finished finding with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The rule id.
    #[serde(serialize_with = "serialize_rule")]
    pub rule: Rule,
    /// `error` or `warning`.
    #[serde(serialize_with = "serialize_severity")]
    pub severity: Severity,
    /// The JSON pointer of the value concerned (empty for the whole document).
    pub pointer: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The bytes to underline.
    #[serde(skip)]
    pub span: Span,
}

fn serialize_rule<S: serde::Serializer>(rule: &Rule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.id())
}

fn serialize_severity<S: serde::Serializer>(
    severity: &Severity,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(severity.as_str())
}

/// Every finding about one file, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Where secret values (passwords, tokens) are in the source, so that renderers that show
    /// source lines can mask them.
    pub secret_spans: Vec<Span>,
}

impl Report {
    /// True when no diagnostic is an error.
    pub fn is_valid(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }

    /// Whether some diagnostic has `rule`.
    pub fn has(&self, rule: Rule) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.rule == rule)
    }

    /// Drops the warnings (for `--no-warnings`).
    pub fn without_warnings(mut self) -> Self {
        self.diagnostics
            .retain(|diagnostic| diagnostic.severity == Severity::Error);
        self
    }
}

/// Turns byte offsets into 1-based lines and columns. Built only when there is something to
/// report.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a [u8],
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `source` (which need not be valid UTF-8).
    pub fn new(source: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', source).map(|index| index + 1));
        Self {
            source,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.source[start..offset]
            .iter()
            .filter(|byte| (**byte & 0b1100_0000) != 0b1000_0000)
            .count();
        (line + 1, column + 1)
    }

    /// The text of 1-based `line`, without its line break (invalid UTF-8 shown as U+FFFD).
    pub fn line_text(&self, line: usize) -> String {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        let text = String::from_utf8_lossy(&self.source[start..end]);
        text.trim_end_matches('\r').to_owned()
    }

    /// The byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line - 1]
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Lines and columns of offsets asked for in increasing order, counting line breaks only as
/// far as the last offset (a [`LineIndex`] reads the whole file first). Same answers as
/// [`LineIndex::position`].
pub(crate) struct LineCursor<'a> {
    source: &'a [u8],
    /// How far line breaks have been counted.
    scanned: usize,
    /// The line breaks before `scanned`.
    breaks: usize,
    /// The start of the line `scanned` is on.
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    pub fn new(source: &'a [u8]) -> Self {
        Self {
            source,
            scanned: 0,
            breaks: 0,
            line_start: 0,
        }
    }

    /// The 1-based line and column (in characters) of `offset`.
    pub fn position(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        if offset < self.scanned {
            *self = Self::new(self.source);
        }
        for index in memchr::memchr_iter(b'\n', &self.source[self.scanned..offset]) {
            self.breaks += 1;
            self.line_start = self.scanned + index + 1;
        }
        self.scanned = offset;
        let column = self.source[self.line_start..offset]
            .iter()
            .filter(|byte| (**byte & 0b1100_0000) != 0b1000_0000)
            .count();
        (self.breaks + 1, column + 1)
    }
}

/// Resolves a finding's place to a pointer and a span.
pub(crate) fn resolve_place(document: &Document<'_>, place: &Place) -> (String, Span) {
    match place {
        Place::Node(node) => (document.pointer(*node), document.span(*node)),
        Place::Key(object, index) => (
            document.member_pointer(*object, *index),
            document.member(*object, *index).key_span,
        ),
        Place::Inside(node, span) => (document.pointer(*node), *span),
        Place::Pointer(pointer) => {
            let mut candidate = pointer.as_str();
            loop {
                if let Some(node) = document.locate(candidate) {
                    return (pointer.clone(), document.span(node));
                }
                match candidate.rfind('/') {
                    Some(slash) => candidate = &candidate[..slash],
                    None => return (pointer.clone(), document.span(document.root())),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_well_formed() {
        let mut ids: Vec<_> = Rule::ALL.iter().map(|rule| rule.id()).collect();
        assert_eq!(ids.len(), 41);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 41);
        assert!(ids.iter().all(|id| {
            id.contains('/')
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '/' || c == '-' || c.is_ascii_digit())
        }));
    }

    #[test]
    fn positions_count_characters_from_one() {
        let source = "ab\néx\r\ny".as_bytes();
        let index = LineIndex::new(source);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(1), (1, 2));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.line_text(2), "éx");
        assert_eq!(index.position(source.len()), (3, 2));
    }

    #[test]
    fn the_line_cursor_agrees_with_the_line_index() {
        let source = "{\n  \"é\": [1,\r\n 2]\n\n}\n".as_bytes();
        let index = LineIndex::new(source);
        let mut cursor = LineCursor::new(source);
        for offset in (0..source.len() + 3).chain([4, 2, 9]) {
            assert_eq!(cursor.position(offset), index.position(offset), "{offset}");
        }
    }
}
