//! Keeps authentication secrets out of everything an executor hands back.
//!
//! The model's [`Secret`](cacao_model::Secret) already prints `[REDACTED]` when formatted, but a
//! secret can still come back as data: a server that echoes request headers, a command that
//! prints its environment, an error message that quotes what it was given. Every executor builds
//! a [`Redactor`] from the request's authentication info and passes every result value, reason
//! and error message through it before returning. Besides each password and token it redacts the
//! forms an executor itself derives from them (the base64 `user:password` of HTTP basic
//! authentication), so an echoed `Authorization` header is caught too.

use base64::Engine as _;
use cacao_engine::executor::{CommandOutcome, CommandRequest, ExecutorError};
use cacao_model::{AuthenticationInfo, AuthenticationInfoType, Secret};

/// Replaces known secret values in text.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for every secret in the request's authentication info.
    pub fn for_request(request: &CommandRequest) -> Self {
        let mut redactor = Self::default();
        for info in request.authentication_info.values() {
            redactor.add_authentication_info(info);
        }
        redactor
    }

    /// Adds the secrets of one authentication info object and the forms derived from them.
    pub fn add_authentication_info(&mut self, info: &AuthenticationInfo) {
        for secret in info.secrets() {
            self.add(secret);
        }

        if info.auth_type == AuthenticationInfoType::HttpBasic
            && let Some(password) = info.password.as_ref().map(Secret::expose)
        {
            let user = info.user_id.as_deref().unwrap_or_default();
            let credentials = format!("{user}:{password}");
            self.add(&base64::engine::general_purpose::STANDARD.encode(credentials));
        }
    }

    /// Adds one secret value. Empty values are ignored.
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() || self.secrets.iter().any(|known| known == secret) {
            return;
        }
        self.secrets.push(secret.to_owned());
        self.secrets
            .sort_by_key(|known| std::cmp::Reverse(known.len()));
    }

    /// Whether `text` contains a secret.
    pub fn finds_secret_in(&self, text: &str) -> bool {
        self.secrets
            .iter()
            .any(|secret| text.contains(secret.as_str()))
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), Secret::PLACEHOLDER);
            }
        }
        text
    }

    /// The outcome with every result value and the reason redacted.
    pub fn redact_outcome(&self, mut outcome: CommandOutcome) -> CommandOutcome {
        if self.secrets.is_empty() {
            return outcome;
        }
        for value in outcome.results.values_mut() {
            *value = self.redact(value);
        }
        outcome.reason = outcome.reason.map(|reason| self.redact(&reason));
        outcome
    }

    /// The error with its message redacted.
    pub fn redact_error(&self, error: ExecutorError) -> ExecutorError {
        match error {
            ExecutorError::Invalid(message) => ExecutorError::Invalid(self.redact(&message)),
            ExecutorError::Unavailable(message) => {
                ExecutorError::Unavailable(self.redact(&message))
            }
            ExecutorError::Other(message) => ExecutorError::Other(self.redact(&message)),
            other => ExecutorError::Other(self.redact(&other.to_string())),
        }
    }

    /// Redacts whatever an executor returns.
    pub fn redact_result(
        &self,
        result: Result<CommandOutcome, ExecutorError>,
    ) -> Result<CommandOutcome, ExecutorError> {
        match result {
            Ok(outcome) => Ok(self.redact_outcome(outcome)),
            Err(error) => Err(self.redact_error(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> AuthenticationInfo {
        AuthenticationInfo {
            auth_type: AuthenticationInfoType::HttpBasic,
            user_id: Some(user.into()),
            password: Some(Secret::new(password)),
            ..Default::default()
        }
    }

    #[test]
    fn passwords_and_their_basic_credentials_are_redacted() {
        let mut redactor = Redactor::default();
        redactor.add_authentication_info(&basic("alice", "s3cret-pw"));
        let echoed = "Authorization: Basic YWxpY2U6czNjcmV0LXB3 and s3cret-pw";
        let redacted = redactor.redact(echoed);
        assert!(!redactor.finds_secret_in(&redacted));
        assert_eq!(redacted, "Authorization: Basic [REDACTED] and [REDACTED]");
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let mut redactor = Redactor::default();
        redactor.add("abc");
        redactor.add("xxabcxx");
        assert_eq!(
            redactor.redact("1 xxabcxx 2 abc"),
            "1 [REDACTED] 2 [REDACTED]"
        );
    }

    #[test]
    fn errors_keep_their_kind() {
        let mut redactor = Redactor::default();
        redactor.add("hunter22");
        let error = redactor.redact_error(ExecutorError::Unavailable("bad hunter22".into()));
        assert!(
            matches!(error, ExecutorError::Unavailable(message) if message == "bad [REDACTED]")
        );
    }
}
