//! `cacao sign`: adds a `jss` signature (or, with `--countersign`, a countersignature) to a
//! playbook and writes it out. Only the `signatures` list changes: the author's key order and
//! every other value are kept.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cacao_sign::canonical::parse_document;
use cacao_sign::{
    Algorithm, Certificate, HashAlgorithm, KeyReference, SignOptions, SigningKey,
    countersign_document, sign_document,
};

use crate::Verdict;
use crate::commands::keygen::parse_algorithm;

/// Arguments of `cacao sign`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The signature covers the whole playbook (RFC 8785 canonical JSON) \
without its other signatures; a countersignature also covers the signature it countersigns. \
See docs/signatures.md."
)]
pub struct Args {
    /// The playbook to sign.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The private key (PKCS#8, PKCS#1 or SEC 1 PEM), e.g. from `cacao keygen`.
    #[arg(long, value_name = "KEY.pem")]
    pub key: PathBuf,

    /// The signature algorithm; it must fit the key (RS*/PS* for RSA, ES256/384/512 for
    /// P-256/384/521, Ed25519).
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    pub algorithm: Algorithm,

    /// Who signs, in free text (the signature's `signee`). Default: the key's fingerprint.
    #[arg(long, value_name = "NAME")]
    pub signee: Option<String>,

    /// The hash applied to the canonical playbook before signing.
    #[arg(long, value_name = "HASH", default_value = "sha-256", value_parser = parse_hash)]
    pub hash: HashAlgorithm,

    /// Countersign the last signature (at the end of its chain of countersignatures) instead
    /// of adding a new top-level signature. The signature must verify.
    #[arg(long)]
    pub countersign: bool,

    /// Reference the key with this certificate chain (PEM, signer first) in
    /// `public_cert_chain` instead of embedding the bare `public_key`.
    #[arg(long, value_name = "CHAIN.pem")]
    pub cert_chain: Option<PathBuf>,

    /// The signer's STIX identity, for the signature's `created_by`.
    #[arg(long, value_name = "IDENTITY")]
    pub created_by: Option<String>,

    /// Start of the signature's validity (RFC 3339, e.g. 2026-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub valid_from: Option<jiff::Timestamp>,

    /// End of the signature's validity (RFC 3339). Execution refuses it afterwards.
    #[arg(long, value_name = "TIME")]
    pub valid_until: Option<jiff::Timestamp>,

    /// Where to write the signed playbook (may be FILE itself). Default: stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

fn parse_hash(name: &str) -> Result<HashAlgorithm, String> {
    HashAlgorithm::parse(name).map_err(|error| error.to_string())
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut document =
        parse_document(&text).with_context(|| format!("cannot sign {}", args.file.display()))?;
    let key = SigningKey::from_pem_file(&args.key)?;

    let signee = args
        .signee
        .clone()
        .unwrap_or_else(|| format!("key {}", key.public_key().fingerprint()));
    let mut options = SignOptions::new(args.algorithm, signee);
    options.hash = args.hash;
    options.created_by = args.created_by.clone();
    options.valid_from = args.valid_from;
    options.valid_until = args.valid_until;
    if let Some(path) = &args.cert_chain {
        let pem_text =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        options.key_reference = KeyReference::CertificateChain(Certificate::all_from_pem(
            &pem_text,
            &path.display().to_string(),
        )?);
    }

    let signed = if args.countersign {
        countersign_document(&mut document, &key, &options)?
    } else {
        sign_document(&mut document, &key, &options)?
    };
    tracing::info!(
        signature_id = %signed.id,
        pointer = %signed.pointer,
        playbook_id = document["id"].as_str().unwrap_or_default(),
        "signed"
    );

    let mut output = serde_json::to_string_pretty(&document)?;
    output.push('\n');
    match &args.output {
        Some(path) => write_atomically(path, output.as_bytes())?,
        None => std::io::stdout().write_all(output.as_bytes())?,
    }
    eprintln!(
        "{} {} at {}",
        if args.countersign {
            "countersigned:"
        } else {
            "signed:"
        },
        signed.id,
        signed.pointer
    );
    Ok(Verdict::Success)
}

/// Writes through a temporary file in the same folder and renames it over `path`, so that a
/// failure never leaves a half-written playbook (even when `path` is the input file).
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let temporary = folder.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
