//! The playbook library: the playbooks a playbook-action step can call, by id and version.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cacao_model::Playbook;

/// Playbooks by id, every version kept.
#[derive(Debug, Default, Clone)]
pub struct PlaybookLibrary {
    by_id: HashMap<String, Vec<Arc<Playbook>>>,
}

/// A library file that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LibraryError {
    /// The directory or a file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The caller's admission check refused a file (it is invalid, or not trusted).
    #[error("{path} was refused: {reason}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file is not a playbook.
    #[error("{path} is not a CACAO playbook: {message}")]
    NotAPlaybook {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl PlaybookLibrary {
    /// An empty library.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a playbook.
    pub fn add(&mut self, playbook: Arc<Playbook>) {
        self.by_id
            .entry(playbook.id.clone())
            .or_default()
            .push(playbook);
    }

    /// Loads every `*.json` file under `directory` (recursively). Files that are not playbooks
    /// are errors: a library with a broken file should be fixed, not half used.
    pub fn load_directory(directory: &Path) -> Result<Self, LibraryError> {
        Self::load_directory_with(directory, |_, _| Ok(()))
    }

    /// Like [`PlaybookLibrary::load_directory`], but every file's text must first pass `admit`
    /// (for example validation and a trust policy): a playbook another one calls deserves the
    /// same checks as the one started.
    pub fn load_directory_with(
        directory: &Path,
        mut admit: impl FnMut(&Path, &str) -> Result<(), String>,
    ) -> Result<Self, LibraryError> {
        let mut library = Self::new();
        let mut pending = vec![directory.to_owned()];
        while let Some(current) = pending.pop() {
            let io = |source| LibraryError::Io {
                path: current.clone(),
                source,
            };
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&current)
                .map_err(io)?
                .map(|entry| entry.map(|entry| entry.path()))
                .collect::<Result<_, _>>()
                .map_err(io)?;
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    pending.push(path);
                } else if path
                    .extension()
                    .is_some_and(|extension| extension == "json")
                {
                    let text =
                        std::fs::read_to_string(&path).map_err(|source| LibraryError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    admit(&path, &text).map_err(|reason| LibraryError::Refused {
                        path: path.clone(),
                        reason,
                    })?;
                    let playbook =
                        Playbook::from_json(&text).map_err(|error| LibraryError::NotAPlaybook {
                            path: path.clone(),
                            message: error.to_string(),
                        })?;
                    library.add(Arc::new(playbook));
                }
            }
        }
        Ok(library)
    }

    /// The playbook `id` whose `modified` is `version`, or the newest version when `version` is
    /// `None`.
    pub fn find(&self, id: &str, version: Option<&str>) -> Option<Arc<Playbook>> {
        let versions = self.by_id.get(id)?;
        match version {
            Some(version) => versions
                .iter()
                .find(|playbook| playbook.modified.as_str() == version)
                .cloned(),
            None => versions
                .iter()
                .max_by_key(|playbook| {
                    playbook
                        .modified
                        .instant()
                        .map(|instant| instant.as_nanosecond())
                        .unwrap_or(i128::MIN)
                })
                .cloned(),
        }
    }

    /// Every playbook version in the library.
    pub fn all(&self) -> impl Iterator<Item = Arc<Playbook>> + '_ {
        self.by_id.values().flatten().cloned()
    }

    /// How many playbook versions the library holds.
    pub fn len(&self) -> usize {
        self.by_id.values().map(Vec::len).sum()
    }

    /// Whether the library is empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
