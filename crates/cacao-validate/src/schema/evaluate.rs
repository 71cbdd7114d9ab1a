//! Runs a compiled [`SchemaSet`] over a [`Document`] with draft 2020-12 semantics.
//!
//! Only the keywords the CACAO schemas use are implemented. Each schema applied to an object
//! returns the set of members it evaluated, so that `unevaluatedProperties` sees exactly what
//! the schemas applied in place (`$ref`, `allOf`, passing `anyOf`/`oneOf` branches, `if`/`then`/
//! `else`) evaluated. One leniency, for better messages: members that a failing `$ref` or `allOf`
//! branch evaluated still count as evaluated, so one wrong value does not also make its siblings
//! "unknown".

use super::{Literal, SchemaId, SchemaNode, SchemaSet, types};
use crate::json::{Document, Kind, NodeId};

/// One way the document breaks the schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchemaError {
    /// The schema whose keyword failed.
    pub schema: SchemaId,
    /// The value concerned (for member-level errors: the object).
    pub node: NodeId,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ErrorKind {
    /// The value's type is not among these.
    Type {
        expected: u8,
    },
    /// The value is not in `enum` (or not `const`).
    Enum,
    /// A required member is missing: entry `index` of the schema's `required`.
    Required {
        index: usize,
    },
    /// Exactly one of these members must be present (a `oneOf` of `required` branches);
    /// `present` lists those that are.
    RequiredOneOf {
        names: Vec<String>,
        present: Vec<String>,
    },
    /// Member `member` is not allowed (unevaluated or additional with a `false` schema).
    Unevaluated {
        member: usize,
    },
    Minimum,
    Maximum,
    MinItems,
    MinProperties,
    Pattern,
    /// A `not` schema matched.
    Not,
    /// More than one `oneOf` branch matched.
    OneOfMany,
    /// A `false` schema (outside of `unevaluatedProperties`).
    False,
}

/// The members of one object evaluated so far, as a bit set.
#[derive(Debug, Clone)]
enum Evaluated {
    Small(u64),
    Large(Vec<u64>),
}

impl Evaluated {
    fn new(length: usize) -> Self {
        if length <= 64 {
            Evaluated::Small(0)
        } else {
            Evaluated::Large(vec![0; length.div_ceil(64)])
        }
    }

    fn mark(&mut self, index: usize) {
        match self {
            Evaluated::Small(bits) => *bits |= 1 << index,
            Evaluated::Large(words) => words[index / 64] |= 1 << (index % 64),
        }
    }

    fn contains(&self, index: usize) -> bool {
        match self {
            Evaluated::Small(bits) => *bits & (1 << index) != 0,
            Evaluated::Large(words) => words[index / 64] & (1 << (index % 64)) != 0,
        }
    }

    fn union(&mut self, other: &Evaluated) {
        match (self, other) {
            (Evaluated::Small(bits), Evaluated::Small(other)) => *bits |= other,
            (Evaluated::Large(words), Evaluated::Large(other)) => {
                for (word, other) in words.iter_mut().zip(other) {
                    *word |= other;
                }
            }
            _ => {}
        }
    }
}

/// Evaluates the document against the root schema and returns every error.
pub(crate) fn evaluate(set: &SchemaSet, document: &Document<'_>) -> Vec<SchemaError> {
    let mut evaluator = Evaluator {
        set,
        document,
        // Branches that are tried and fail push errors that are then dropped: with some room
        // from the start, the list rarely grows.
        errors: Vec::with_capacity(32),
        last_discriminator: None,
        // Room for the usual nesting of anyOf/oneOf branches, so that it rarely grows.
        outcomes: Vec::with_capacity(16),
    };
    evaluator.evaluate(set.root, document.root());
    evaluator.errors
}

struct Evaluator<'s, 'd> {
    set: &'s SchemaSet,
    document: &'d Document<'d>,
    errors: Vec<SchemaError>,
    /// The last member a discriminating `if` looked up: the branches of an `allOf` (one per
    /// command type) test the same property of the same object one after the other.
    last_discriminator: Option<Discriminated<'s, 'd>>,
    /// The outcomes of `anyOf`/`oneOf` branches, one stack for the whole evaluation rather
    /// than a vector per keyword: each keyword pushes above what its callers pushed and
    /// truncates back before it returns. An outcome is the end of the branch's errors and the
    /// members it evaluated.
    outcomes: Vec<(usize, Evaluated)>,
}

/// The member `property` of `object`: its index and its text when it is a string.
#[derive(Clone, Copy)]
struct Discriminated<'s, 'd> {
    object: NodeId,
    property: &'s str,
    member: Option<(usize, Option<&'d str>)>,
}

impl<'s, 'd> Evaluator<'s, 'd> {
    fn push(&mut self, schema: SchemaId, node: NodeId, kind: ErrorKind) {
        self.errors.push(SchemaError { schema, node, kind });
    }

    /// Applies a schema to a member value or array item, whose evaluated members nobody needs:
    /// leaf schemas (`type`, `pattern`) are checked inline.
    #[inline]
    fn evaluate_child(&mut self, schema_id: SchemaId, node: NodeId) {
        if self.set.node(schema_id).is_leaf {
            self.check_leaf(schema_id, node, self.document.kind(node));
        } else {
            self.evaluate(schema_id, node);
        }
    }

    /// Applies `schema` to `node`, pushing errors; returns the members it evaluated.
    fn evaluate(&mut self, schema_id: SchemaId, node: NodeId) -> Evaluated {
        let document = self.document;
        let kind = document.kind(node);
        let mut evaluated = Evaluated::new(if kind == Kind::Object {
            document.len(node)
        } else {
            0
        });
        let schema: &SchemaNode = self.set.node(schema_id);

        if schema.is_leaf {
            self.check_leaf(schema_id, node, kind);
            return evaluated;
        }
        if let Some(boolean) = schema.boolean {
            if !boolean {
                self.push(schema_id, node, ErrorKind::False);
            }
            return evaluated;
        }

        if schema.types != 0 && !self.type_matches(schema.types, node) {
            self.push(
                schema_id,
                node,
                ErrorKind::Type {
                    expected: schema.types,
                },
            );
        }
        if let Some(allowed) = &schema.enumeration
            && !self.matches_any(allowed, node)
        {
            self.push(schema_id, node, ErrorKind::Enum);
        }
        if let Some(constant) = &schema.constant
            && !self.literal_matches(constant, node)
        {
            self.push(schema_id, node, ErrorKind::Enum);
        }

        match kind {
            Kind::String => {
                if let Some(pattern) = &schema.pattern
                    && !pattern.is_match(document.as_str(node).unwrap_or_default())
                {
                    self.push(schema_id, node, ErrorKind::Pattern);
                }
            }
            Kind::Number => {
                let value = document.as_f64(node).unwrap_or(f64::NAN);
                if schema.minimum.is_some_and(|minimum| value < minimum) {
                    self.push(schema_id, node, ErrorKind::Minimum);
                }
                if schema.maximum.is_some_and(|maximum| value > maximum) {
                    self.push(schema_id, node, ErrorKind::Maximum);
                }
            }
            Kind::Array => {
                if schema
                    .min_items
                    .is_some_and(|minimum| document.len(node) < minimum)
                {
                    self.push(schema_id, node, ErrorKind::MinItems);
                }
                if let Some(items) = schema.items {
                    for item in document.items(node) {
                        self.evaluate_child(items, item);
                    }
                }
            }
            Kind::Object => self.evaluate_members(schema_id, node, &mut evaluated),
            Kind::Null | Kind::Bool => {}
        }

        let schema: &SchemaNode = self.set.node(schema_id);
        if let Some(reference) = schema.reference {
            let inner = self.evaluate(reference, node);
            evaluated.union(&inner);
        }
        for &branch in &schema.all_of {
            if self.set.node(branch).is_conditional {
                self.apply_condition(branch, node, &mut evaluated);
            } else {
                let inner = self.evaluate(branch, node);
                evaluated.union(&inner);
            }
        }
        if !schema.any_of.is_empty() {
            self.evaluate_any_of(schema_id, node, &mut evaluated);
        }
        if !schema.one_of.is_empty() {
            self.evaluate_one_of(schema_id, node, &mut evaluated);
        }
        if schema.condition.is_some() {
            self.apply_condition(schema_id, node, &mut evaluated);
        }
        if let Some(not) = schema.not {
            let (passed, _) = self.speculate(not, node);
            if passed {
                self.push(schema_id, node, ErrorKind::Not);
            }
        }

        if kind == Kind::Object
            && let Some(unevaluated) = schema.unevaluated_properties
        {
            let rejects_all = self.set.node(unevaluated).boolean == Some(false);
            for index in 0..document.len(node) {
                if evaluated.contains(index) {
                    continue;
                }
                if rejects_all {
                    self.push(unevaluated, node, ErrorKind::Unevaluated { member: index });
                } else {
                    self.evaluate_child(unevaluated, document.member_value(node, index));
                }
                evaluated.mark(index);
            }
        }
        evaluated
    }

    /// [`Self::evaluate`] for a branch applied in place, with a branch that only holds
    /// `if`/`then`/`else` applied directly.
    fn evaluate_in_place(&mut self, schema_id: SchemaId, node: NodeId) -> Evaluated {
        if !self.set.node(schema_id).is_conditional {
            return self.evaluate(schema_id, node);
        }
        let document = self.document;
        let mut evaluated = Evaluated::new(if document.kind(node) == Kind::Object {
            document.len(node)
        } else {
            0
        });
        self.apply_condition(schema_id, node, &mut evaluated);
        evaluated
    }

    /// A schema with only `type` and `pattern`: what [`Self::evaluate`] would check of it.
    fn check_leaf(&mut self, schema_id: SchemaId, node: NodeId, kind: Kind) {
        let schema = self.set.node(schema_id);
        if schema.types != 0 && !self.type_matches(schema.types, node) {
            self.push(
                schema_id,
                node,
                ErrorKind::Type {
                    expected: schema.types,
                },
            );
        }
        if kind == Kind::String
            && let Some(pattern) = &schema.pattern
            && !pattern.is_match(self.document.as_str(node).unwrap_or_default())
        {
            self.push(schema_id, node, ErrorKind::Pattern);
        }
    }

    /// Applies the `if`, `then` and `else` of `schema_id`, adding what they evaluated.
    fn apply_condition(&mut self, schema_id: SchemaId, node: NodeId, evaluated: &mut Evaluated) {
        let schema = self.set.node(schema_id);
        let Some(condition) = schema.condition else {
            return;
        };
        let (passed, inner) = self.condition(condition, node);
        if passed {
            evaluated.union(&inner);
            if let Some(then) = schema.then {
                let inner = self.evaluate(then, node);
                evaluated.union(&inner);
            }
        } else if let Some(otherwise) = schema.otherwise {
            let inner = self.evaluate(otherwise, node);
            evaluated.union(&inner);
        }
    }

    fn evaluate_members(&mut self, schema_id: SchemaId, node: NodeId, evaluated: &mut Evaluated) {
        let document = self.document;
        let schema = self.set.node(schema_id);

        if schema
            .min_properties
            .is_some_and(|minimum| document.len(node) < minimum)
        {
            self.push(schema_id, node, ErrorKind::MinProperties);
        }
        for (index, name) in schema.required.iter().enumerate() {
            if document.get(node, name).is_none() {
                self.push(schema_id, node, ErrorKind::Required { index });
            }
        }
        if schema.properties.is_empty()
            && schema.pattern_properties.is_empty()
            && schema.additional_properties.is_none()
        {
            return;
        }

        for (index, (digest, value)) in document.member_digests(node).enumerate() {
            let key = || document.member(node, index).key;
            let mut matched = false;
            if let Some(property) = schema.property(digest, key) {
                self.evaluate_child(property, value);
                matched = true;
            }
            if !schema.pattern_properties.is_empty() {
                let key = key();
                for (pattern, property) in &schema.pattern_properties {
                    if pattern.is_match(key) {
                        self.evaluate_child(*property, value);
                        matched = true;
                    }
                }
            }
            if !matched && let Some(additional) = schema.additional_properties {
                if self.set.node(additional).boolean == Some(false) {
                    self.push(additional, node, ErrorKind::Unevaluated { member: index });
                } else {
                    self.evaluate_child(additional, value);
                }
                matched = true;
            }
            if matched {
                evaluated.mark(index);
            }
        }
    }

    /// Applies an `if` schema; a discriminator (`{"properties": {P: {"const": V}}}`) is decided
    /// with one lookup instead of a full evaluation.
    fn condition(&mut self, condition: SchemaId, node: NodeId) -> (bool, Evaluated) {
        let set = self.set;
        let Some((property, value)) = set.node(condition).discriminator() else {
            return self.speculate(condition, node);
        };
        let document = self.document;
        if document.kind(node) != Kind::Object {
            return (true, Evaluated::new(0));
        }
        let mut evaluated = Evaluated::new(document.len(node));
        let looked_up = match self.last_discriminator {
            Some(last)
                if last.object == node
                    && crate::json::same_bytes(last.property.as_bytes(), property.as_bytes()) =>
            {
                last
            }
            _ => {
                let member = document.get_index(node, property).map(|member| {
                    let text = document.as_str(document.member_value(node, member));
                    (member, text)
                });
                let looked_up = Discriminated {
                    object: node,
                    property,
                    member,
                };
                self.last_discriminator = Some(looked_up);
                looked_up
            }
        };
        let Some((member, text)) = looked_up.member else {
            return (true, evaluated);
        };
        let passed = match (value, text) {
            (Literal::String(expected), Some(text)) => expected == text,
            _ => self.literal_matches(value, document.member_value(node, member)),
        };
        if passed {
            evaluated.mark(member);
        }
        (passed, evaluated)
    }

    /// Applies `schema` without keeping its errors; returns whether it passed.
    fn speculate(&mut self, schema: SchemaId, node: NodeId) -> (bool, Evaluated) {
        let before = self.errors.len();
        let evaluated = self.evaluate(schema, node);
        let passed = self.errors.len() == before;
        self.errors.truncate(before);
        (passed, evaluated)
    }

    fn evaluate_any_of(&mut self, schema_id: SchemaId, node: NodeId, evaluated: &mut Evaluated) {
        let set = self.set;
        let branches = &set.node(schema_id).any_of;
        // Once a branch passes, the verdict is settled; later branches matter only for the
        // members they may mark as evaluated, which only objects have.
        let is_object = self.document.kind(node) == Kind::Object;
        let start = self.errors.len();
        let mut passed = false;
        // The errors of failing branches stay in place, one range after the other (see
        // `report_no_branch`), until a branch passes; their outcomes go on `self.outcomes`.
        let failures = self.outcomes.len();
        for &branch in branches {
            if passed && !(is_object && set.node(branch).annotates) {
                continue;
            }
            let before = self.errors.len();
            let inner = self.evaluate_in_place(branch, node);
            if self.errors.len() == before {
                if !passed {
                    self.errors.truncate(start);
                }
                passed = true;
                evaluated.union(&inner);
            } else if passed {
                self.errors.truncate(before);
            } else {
                self.outcomes.push((self.errors.len(), inner));
            }
        }
        if !passed {
            self.report_no_branch(schema_id, node, branches, start, failures, evaluated);
        }
        self.outcomes.truncate(failures);
    }

    fn evaluate_one_of(&mut self, schema_id: SchemaId, node: NodeId, evaluated: &mut Evaluated) {
        let set = self.set;
        let branches = &set.node(schema_id).one_of;
        if self.required_only_branches(branches) {
            // The names are copied only for the error.
            let names = || branches.iter().map(|&branch| &set.node(branch).required[0]);
            let document = self.document;
            let present = names()
                .filter(|name| document.get(node, name).is_some())
                .count();
            if present != 1 {
                let present = names()
                    .filter(|name| document.get(node, name).is_some())
                    .cloned()
                    .collect();
                let names = names().cloned().collect();
                self.push(schema_id, node, ErrorKind::RequiredOneOf { names, present });
            }
            return;
        }

        // Each branch's errors stay in place, one range after the other.
        let start = self.errors.len();
        let outcomes = self.outcomes.len();
        let mut passing = None;
        let mut passing_count = 0;
        for (index, &branch) in branches.iter().enumerate() {
            let before = self.errors.len();
            let inner = self.evaluate_in_place(branch, node);
            if self.errors.len() == before {
                passing_count += 1;
                passing.get_or_insert(index);
            }
            self.outcomes.push((self.errors.len(), inner));
        }
        match (passing_count, passing) {
            (1, Some(index)) => {
                self.errors.truncate(start);
                evaluated.union(&self.outcomes[outcomes + index].1);
            }
            (0, _) => self.report_no_branch(schema_id, node, branches, start, outcomes, evaluated),
            _ => {
                self.errors.truncate(start);
                self.push(schema_id, node, ErrorKind::OneOfMany);
            }
        }
        self.outcomes.truncate(outcomes);
    }

    /// When every branch of `anyOf`/`oneOf` fails: report the errors of the branch meant for
    /// this value (the only one whose `type` accepts it), or a type error listing what the
    /// branches accept. The branches' errors are in `errors` from `start` on, one range per
    /// branch in order; `self.outcomes` holds from `outcomes` on the end of each range and what
    /// the branch evaluated.
    fn report_no_branch(
        &mut self,
        schema_id: SchemaId,
        node: NodeId,
        branches: &[SchemaId],
        start: usize,
        outcomes: usize,
        evaluated: &mut Evaluated,
    ) {
        let accepts = |branch: SchemaId| {
            self.branch_type(branch)
                .map(|set| self.type_matches(set, node))
        };
        let candidate = branches
            .iter()
            .position(|&branch| accepts(branch) == Some(true))
            .or_else(|| {
                branches
                    .iter()
                    .position(|&branch| accepts(branch).is_none())
            });
        let outcomes = &self.outcomes[outcomes..];
        match candidate {
            Some(index) if index < outcomes.len() => {
                let from = if index == 0 {
                    start
                } else {
                    outcomes[index - 1].0
                };
                let (to, inner) = &outcomes[index];
                evaluated.union(inner);
                self.errors.truncate(*to);
                self.errors.drain(start..from);
            }
            Some(_) => self.errors.truncate(start),
            None => {
                self.errors.truncate(start);
                let expected = branches
                    .iter()
                    .filter_map(|&branch| self.branch_type(branch))
                    .fold(0, |set, types| set | types);
                self.push(schema_id, node, ErrorKind::Type { expected });
            }
        }
    }

    /// The `type` a branch declares, following `$ref`s.
    fn branch_type(&self, mut branch: SchemaId) -> Option<u8> {
        for _ in 0..16 {
            let node = self.set.node(branch);
            if node.types != 0 {
                return Some(node.types);
            }
            branch = node.reference?;
        }
        None
    }

    /// Whether every branch is just `{"required": [one name]}`.
    fn required_only_branches(&self, branches: &[SchemaId]) -> bool {
        branches.iter().all(|&branch| {
            let node = self.set.node(branch);
            node.required.len() == 1
                && node.types == 0
                && node.properties.is_empty()
                && node.reference.is_none()
                && node.all_of.is_empty()
        })
    }

    fn type_matches(&self, set: u8, node: NodeId) -> bool {
        let document = self.document;
        match document.kind(node) {
            Kind::Null => set & types::NULL != 0,
            Kind::Bool => set & types::BOOLEAN != 0,
            Kind::String => set & types::STRING != 0,
            Kind::Array => set & types::ARRAY != 0,
            Kind::Object => set & types::OBJECT != 0,
            Kind::Number => {
                set & types::NUMBER != 0
                    || (set & types::INTEGER != 0
                        && (document.is_integer_literal(node)
                            || document
                                .as_f64(node)
                                .is_some_and(|value| value.is_finite() && value.fract() == 0.0)))
            }
        }
    }

    /// Whether `node` equals one of `literals` (a string's text is read once, not per literal).
    fn matches_any(&self, literals: &[Literal], node: NodeId) -> bool {
        let Some(text) = self.document.as_str(node) else {
            return literals
                .iter()
                .any(|literal| self.literal_matches(literal, node));
        };
        literals
            .iter()
            .any(|literal| matches!(literal, Literal::String(allowed) if allowed == text))
    }

    fn literal_matches(&self, literal: &Literal, node: NodeId) -> bool {
        let document = self.document;
        match literal {
            Literal::Null => document.kind(node) == Kind::Null,
            Literal::Bool(value) => document.as_bool(node) == Some(*value),
            Literal::Number(value) => document.as_f64(node) == Some(*value),
            Literal::String(text) => document.as_str(node) == Some(text.as_str()),
        }
    }
}
