//! `cacao verify`: checks every signature and countersignature of a playbook, optionally against
//! trusted keys (`--trust`) or a trust policy file (`--policy`), and prints one line per
//! signature.
//!
//! Exit 0 when every signature verifies and, when trust is given, at least one valid signature
//! is by a trusted key (with `--policy`: when the policy accepts the playbook); 1 otherwise; 2
//! when the playbook, a key or the policy cannot be read.

use std::path::PathBuf;

use anyhow::Context as _;
use cacao_sign::canonical::parse_document;
use cacao_sign::{SignatureReport, TrustPolicy, TrustStore};
use serde_json::json;

use crate::Verdict;
use crate::output::{Format, use_colour};

/// Arguments of `cacao verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without --policy, the validity window (valid_from, valid_until) and \
revoked are reported but do not change the verdict. A policy file decides on them (by default it \
refuses them) and binds trusted keys to signee names; see docs/signatures.md.\n\nExit codes: 0 \
verified, 1 not verified, 2 input error."
)]
pub struct Args {
    /// The signed playbook.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// A trusted public key or certificate (PEM), for any signee. Repeatable. With trust given,
    /// at least one valid signature must be by a trusted key.
    #[arg(long, value_name = "PUBKEY.pem")]
    pub trust: Vec<PathBuf>,

    /// A trust policy file (JSON): trusted keys per signee, unsigned playbooks, expiry and
    /// revocation rules. Keys from --trust are added to it.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let document =
        parse_document(&text).with_context(|| format!("cannot verify {}", args.file.display()))?;

    let mut trust = TrustStore::new();
    for path in &args.trust {
        trust.add_pem_file(None, path)?;
    }
    let policy = match &args.policy {
        Some(path) => {
            let mut policy = TrustPolicy::from_file(path)?;
            for signee in trust.signees() {
                policy.trust.add_signee(signee.clone());
            }
            policy
        }
        None => TrustPolicy::cryptographic_only(trust),
    };
    let (report, decision) = policy.check(&document, jiff::Timestamp::now());

    match args.format {
        Format::Json => {
            let output = json!({
                "file": args.file.display().to_string(),
                "verified": decision.accepted,
                "reasons": decision.reasons,
                "signatures": report.signatures.iter().map(signature_json).collect::<Vec<_>>(),
                "findings": report.findings,
            });
            println!("{}", serde_json::to_string_pretty(&output)?);
        }
        Format::Human => {
            let colour = use_colour(true);
            let paint = |code: &str, text: &str| {
                if colour {
                    format!("\x1b[{code}m{text}\x1b[0m")
                } else {
                    text.to_owned()
                }
            };
            println!("{}", args.file.display());
            for signature in &report.signatures {
                let status = match (signature.valid, signature.trusted) {
                    (true, true) => paint("32", "valid, trusted"),
                    (true, false) => paint("32", "valid"),
                    (false, _) => paint("31", "INVALID"),
                };
                // One level per top-level signature, one more per countersignature.
                let indent = "  ".repeat(signature.pointer.matches("/signature").count());
                println!(
                    "{indent}{} {} {} signee {:?}: {status}",
                    signature.pointer,
                    signature.id.as_deref().unwrap_or("(no id)"),
                    signature.algorithm.as_deref().unwrap_or("(no algorithm)"),
                    signature.signee.as_deref().unwrap_or(""),
                );
                println!("{indent}  {}", signature.reason());
            }
            for finding in &report.findings {
                println!(
                    "  {}: {} [{}]",
                    finding.pointer, finding.message, finding.rule
                );
            }
            let verdict = if decision.accepted {
                paint("1;32", "verified")
            } else {
                paint("1;31", "not verified")
            };
            println!("{verdict}: {}", decision.reasons.join("; "));
        }
    }

    Ok(if decision.accepted {
        Verdict::Success
    } else {
        Verdict::Negative
    })
}

fn signature_json(signature: &SignatureReport) -> serde_json::Value {
    json!({
        "id": signature.id,
        "signee": signature.signee,
        "algorithm": signature.algorithm,
        "valid": signature.valid,
        "trusted": signature.trusted,
        "reason": signature.reason(),
        "pointer": signature.pointer,
        "countersigns": signature.countersigns,
        "key_fingerprint": signature.key_fingerprint,
        "expired": signature.expired,
        "not_yet_valid": signature.not_yet_valid,
        "revoked": signature.revoked,
        "findings": signature.findings,
    })
}
