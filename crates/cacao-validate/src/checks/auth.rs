//! `auth/kms`: authentication information whose secret is held in a key management service
//! (`kms: true`) names the key (`kms_key_identifier`) and carries no secret of its own, and a
//! `kms_key_identifier` comes with `kms: true`. Messages never quote a secret.

use super::Context;
use crate::diagnostic::{Place, Rule};

/// The properties that hold the secret of each authentication type.
fn secret_properties(auth_type: &str) -> &'static [&'static str] {
    match auth_type {
        "http-basic" => &["user_id", "password"],
        "oauth2" => &["token"],
        "user-auth" => &["username", "password"],
        _ => &["password", "token", "private_key"],
    }
}

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    for definition in context.definitions("authentication_info_definitions") {
        let object = definition.node;
        let kms = document.get(object, "kms");
        let kms_on = kms.and_then(|node| document.as_bool(node)) == Some(true);
        let identifier = document.get(object, "kms_key_identifier");
        let key = definition.key;

        if kms_on {
            let named = identifier
                .and_then(|node| document.as_str(node))
                .is_some_and(|text| !text.is_empty());
            if !named && let Some(kms) = kms {
                context.report(
                    Rule::AuthKms,
                    Place::Node(kms),
                    format!("`{key}` has `kms: true` but no `kms_key_identifier`"),
                    "add `kms_key_identifier` with the identifier of the key material in your key management service",
                );
            }
            let auth_type = document.get_str(object, "type").unwrap_or_default();
            for (member, entry) in document.members(object).enumerate() {
                let populated = document
                    .as_str(entry.value)
                    .is_none_or(|text| !text.is_empty());
                if secret_properties(auth_type).contains(&entry.key) && populated {
                    context.report(
                        Rule::AuthKms,
                        Place::Key(object, member),
                        format!("`{key}` sets `{}` although its secret is held in a KMS (`kms: true`)", entry.key),
                        format!("remove `{}`; the executor fetches the secret from the KMS with `kms_key_identifier`", entry.key),
                    );
                }
            }
        } else if let Some(identifier) = identifier {
            let index = document.member_index_of(object, identifier).unwrap_or(0);
            context.report(
                Rule::AuthKms,
                Place::Key(object, index),
                format!("`{key}` has a `kms_key_identifier` but `kms` is not true"),
                "set `\"kms\": true`, or remove `kms_key_identifier` if the secret is not in a KMS",
            );
        }
    }
}
