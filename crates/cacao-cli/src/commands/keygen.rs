//! `cacao keygen`: generates a signing key pair, writes the private key as PKCS#8 PEM to a new
//! file with mode 0600, and prints only the public key.

use std::path::PathBuf;

use cacao_sign::{Algorithm, SigningKey, write_private_key_file};

use crate::Verdict;

/// Arguments of `cacao keygen`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The private key is written only to the output file (created with mode \
0600, never overwritten) and is never printed. The public key is printed as PEM on stdout: give \
it to verifiers (`cacao verify --trust`) or put it in a trust policy."
)]
pub struct Args {
    /// The signature algorithm the key is for: RS256, RS384, RS512, PS256, PS384, PS512 (RSA),
    /// ES256 (P-256), ES384 (P-384), ES512 (P-521) or Ed25519.
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    pub algorithm: Algorithm,

    /// Where to write the private key (PKCS#8 PEM). The file must not exist yet.
    #[arg(short, long, value_name = "KEY.pem")]
    pub output: PathBuf,

    /// RSA modulus size in bits, for RS* and PS* keys.
    #[arg(long, value_name = "BITS", default_value_t = 3072, value_parser = parse_rsa_bits)]
    pub rsa_bits: usize,

    /// Also write the public key (PEM) to this file.
    #[arg(long, value_name = "PUBKEY.pem")]
    pub public_output: Option<PathBuf>,
}

/// Parses an algorithm name for clap, listing the supported ones on error.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    Algorithm::parse(name).map_err(|error| error.to_string())
}

fn parse_rsa_bits(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(bits @ (2048 | 3072 | 4096 | 8192)) => Ok(bits),
        _ => Err(format!("{text:?} is not 2048, 3072, 4096 or 8192")),
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let key = SigningKey::generate_with_rsa_bits(args.algorithm, args.rsa_bits)?;
    write_private_key_file(&args.output, &key)?;
    tracing::info!(
        algorithm = args.algorithm.name(),
        public_key = %key.public_key().fingerprint(),
        "wrote private key to {}",
        args.output.display()
    );

    let public_pem = key.public_key().to_pem();
    if let Some(path) = &args.public_output {
        std::fs::write(path, &public_pem)
            .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()))?;
    }
    print!("{public_pem}");
    Ok(Verdict::Success)
}
