//! Variable scopes: the playbook scope, the scopes of branching steps that enclose a branch, and
//! each step's own scope, chained from the innermost outwards.
//!
//! A [`Scope`] holds the variables declared at one level. Reading a name walks the chain from the
//! step outwards, so a step variable shadows a playbook variable of the same name. Writing an
//! out_arg goes to the nearest scope that declares the name, else to the playbook scope, where an
//! undeclared variable is created; a constant is never changed. Every scope has a stable id
//! derived from the step-visit key that created it, so the journal can record assignments by
//! scope and a resumed execution can put them back.

use std::sync::{Arc, Mutex, MutexGuard};

use cacao_model::{Variable, VariableType};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One level of variables.
#[derive(Debug)]
pub struct Scope {
    id: String,
    parent: Option<Arc<Scope>>,
    variables: Mutex<IndexMap<String, Variable>>,
}

/// A value written to a variable after a step, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The id of the scope that holds the variable.
    pub scope: String,
    /// The variable name, with its `__` delimiters.
    pub name: String,
    /// The new value.
    pub value: String,
}

/// What an out_arg assignment did, for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignOutcome {
    /// The value will be written to this scope.
    Assign(Assignment),
    /// The variable is a constant; its value stays.
    Constant,
}

impl Scope {
    /// A scope with no parent: the variables of one playbook instance.
    pub fn root(id: impl Into<String>, variables: IndexMap<String, Variable>) -> Arc<Scope> {
        Arc::new(Scope {
            id: id.into(),
            parent: None,
            variables: Mutex::new(variables),
        })
    }

    /// A scope nested in `parent`.
    pub fn child(
        parent: &Arc<Scope>,
        id: impl Into<String>,
        variables: IndexMap<String, Variable>,
    ) -> Arc<Scope> {
        Arc::new(Scope {
            id: id.into(),
            parent: Some(Arc::clone(parent)),
            variables: Mutex::new(variables),
        })
    }

    /// The scope's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn lock(&self) -> MutexGuard<'_, IndexMap<String, Variable>> {
        // A panic while holding the lock leaves plain data behind, still consistent.
        self.variables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The outermost scope of the chain: the playbook scope.
    pub fn playbook_scope(self: &Arc<Self>) -> Arc<Scope> {
        let mut scope = Arc::clone(self);
        while let Some(parent) = scope.parent.clone() {
            scope = parent;
        }
        scope
    }

    /// Whether `name` is visible from this scope.
    pub fn is_visible(&self, name: &str) -> bool {
        self.with_variable(name, |_| ()).is_some()
    }

    /// Applies `read` to the nearest declaration of `name`.
    pub fn with_variable<T>(&self, name: &str, read: impl FnOnce(&Variable) -> T) -> Option<T> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            if let Some(variable) = current.lock().get(name) {
                return Some(read(variable));
            }
            scope = current.parent.as_deref();
        }
        None
    }

    /// The value of `name` as text: `None` when the name is not visible, `Some(None)` when the
    /// variable is visible but null or without a value.
    pub fn value_text(&self, name: &str) -> Option<Option<String>> {
        self.with_variable(name, Variable::value_text)
    }

    /// The declared type and value text of `name`.
    pub fn typed_value(&self, name: &str) -> Option<(String, Option<String>)> {
        self.with_variable(name, |variable| {
            (
                variable.variable_type.as_str().to_owned(),
                variable.value_text(),
            )
        })
    }

    /// Every visible variable with its type and value, inner scopes shadowing outer ones.
    pub fn snapshot(&self) -> IndexMap<String, (String, Option<String>)> {
        let mut chain = Vec::new();
        let mut scope = Some(self);
        while let Some(current) = scope {
            chain.push(current);
            scope = current.parent.as_deref();
        }
        let mut visible = IndexMap::new();
        for scope in chain.into_iter().rev() {
            for (name, variable) in scope.lock().iter() {
                visible.insert(
                    name.clone(),
                    (
                        variable.variable_type.as_str().to_owned(),
                        variable.value_text(),
                    ),
                );
            }
        }
        visible
    }

    /// Where an out_arg `name` goes: the nearest scope that declares it, else the playbook scope.
    /// Nothing is written yet; [`Scope::apply`] writes after the journal has the assignment.
    pub fn plan_assignment(&self, name: &str, value: String) -> AssignOutcome {
        let mut scope = Some(self);
        let mut outermost = self;
        while let Some(current) = scope {
            if let Some(variable) = current.lock().get(name) {
                if variable.is_constant() {
                    return AssignOutcome::Constant;
                }
                return AssignOutcome::Assign(Assignment {
                    scope: current.id.clone(),
                    name: name.to_owned(),
                    value,
                });
            }
            outermost = current;
            scope = current.parent.as_deref();
        }
        AssignOutcome::Assign(Assignment {
            scope: outermost.id.clone(),
            name: name.to_owned(),
            value,
        })
    }

    /// Writes planned assignments to the scopes of this chain they name. An assignment to a
    /// constant is ignored, so a journal written by another version cannot change one.
    pub fn apply(&self, assignments: &[Assignment]) {
        for assignment in assignments {
            let mut scope = Some(self);
            while let Some(current) = scope {
                if current.id == assignment.scope {
                    current.set(&assignment.name, assignment.value.clone());
                    break;
                }
                scope = current.parent.as_deref();
            }
        }
    }

    /// Sets `name` in this very scope, creating a string variable when it is not declared.
    /// Constants keep their value.
    pub fn set(&self, name: &str, value: String) {
        let mut variables = self.lock();
        match variables.get_mut(name) {
            Some(variable) if variable.is_constant() => {}
            Some(variable) => variable.value = Some(Value::String(value)),
            None => {
                variables.insert(
                    name.to_owned(),
                    Variable {
                        variable_type: VariableType::String,
                        value: Some(Value::String(value)),
                        ..Variable::default()
                    },
                );
            }
        }
    }

    /// Sets `name` in this very scope even when it is a constant: only for initial values
    /// (a playbook's external constants get their value from the caller).
    pub fn initialise(&self, name: &str, value: Value) {
        let mut variables = self.lock();
        match variables.get_mut(name) {
            Some(variable) => variable.value = Some(value),
            None => {
                variables.insert(
                    name.to_owned(),
                    Variable {
                        variable_type: VariableType::String,
                        value: Some(value),
                        ..Variable::default()
                    },
                );
            }
        }
    }

    /// The values of this scope alone, as the journal records initial values.
    pub fn own_values(&self) -> IndexMap<String, Value> {
        self.lock()
            .iter()
            .map(|(name, variable)| (name.clone(), variable.value.clone().unwrap_or(Value::Null)))
            .collect()
    }

    /// The names declared `external` in this scope that have no value (null or absent).
    pub fn missing_externals(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|(_, variable)| variable.is_external() && variable.value_text().is_none())
            .map(|(name, _)| name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variable(value: &str, constant: bool) -> Variable {
        Variable {
            variable_type: VariableType::String,
            value: Some(Value::String(value.into())),
            constant: constant.then_some(true),
            ..Variable::default()
        }
    }

    fn playbook_scope() -> Arc<Scope> {
        let mut variables = IndexMap::new();
        variables.insert("__x__".to_owned(), variable("global", false));
        variables.insert("__c__".to_owned(), variable("fixed", true));
        Scope::root("m", variables)
    }

    #[test]
    fn step_variables_shadow_playbook_variables() {
        let playbook = playbook_scope();
        let mut own = IndexMap::new();
        own.insert("__x__".to_owned(), variable("local", false));
        let step = Scope::child(&playbook, "m.1", own);

        assert_eq!(step.value_text("__x__"), Some(Some("local".into())));
        assert_eq!(playbook.value_text("__x__"), Some(Some("global".into())));
        assert_eq!(step.value_text("__nope__"), None);
    }

    #[test]
    fn out_args_go_to_the_nearest_scope_and_constants_stay() {
        let playbook = playbook_scope();
        let mut own = IndexMap::new();
        own.insert("__x__".to_owned(), variable("step", false));
        let step = Scope::child(&playbook, "m.1", own);

        let AssignOutcome::Assign(to_step) = step.plan_assignment("__x__", "changed".into()) else {
            panic!("a plain variable is assignable");
        };
        assert_eq!(to_step.scope, "m.1");
        let AssignOutcome::Assign(created) = step.plan_assignment("__new__", "made".into()) else {
            panic!("an undeclared variable is created");
        };
        assert_eq!(created.scope, "m");
        assert_eq!(
            step.plan_assignment("__c__", "changed".into()),
            AssignOutcome::Constant
        );

        step.apply(&[to_step, created]);
        assert_eq!(step.value_text("__x__"), Some(Some("changed".into())));
        assert_eq!(playbook.value_text("__x__"), Some(Some("global".into())));
        assert_eq!(playbook.value_text("__new__"), Some(Some("made".into())));

        playbook.set("__c__", "changed".into());
        assert_eq!(playbook.value_text("__c__"), Some(Some("fixed".into())));
    }

    #[test]
    fn missing_externals_are_listed() {
        let mut variables = IndexMap::new();
        variables.insert(
            "__a__".to_owned(),
            Variable {
                external: Some(true),
                ..variable("", false)
            },
        );
        variables.insert(
            "__b__".to_owned(),
            Variable {
                external: Some(true),
                value: None,
                ..Variable::default()
            },
        );
        let scope = Scope::root("m", variables);
        assert_eq!(scope.missing_externals(), vec!["__b__".to_owned()]);
    }
}
