//! OpenSSH known_hosts files: the host keys the ssh executor trusts.
//!
//! The format is OpenSSH's (sshd(8), section SSH_KNOWN_HOSTS FILE FORMAT): one key per line,
//! `[marker] host-patterns key-type base64-key [comment]`, fields separated by spaces or tabs,
//! `#` comments and blank lines ignored. Host patterns are comma-separated and may use `*` and `?`
//! wildcards, `!` negation, the `[host]:port` form for a port other than 22, and OpenSSH's hashed
//! form `|1|salt|hash` (what `HashKnownHosts yes` writes). Names compare case-insensitively.
//!
//! A host key is trusted when a line that matches the host (as `host` for port 22, else as
//! `[host]:port`) carries exactly that key. Everything else is refused, and the verdict says why:
//! the host is unknown, or it is known with other keys (which is what a man-in-the-middle looks
//! like), or the key is marked `@revoked`. A revoked key is refused for every host, whatever the
//! line's host patterns say. `@cert-authority` lines are skipped: host certificates are not
//! supported. A line that cannot be read is skipped and reported, as OpenSSH does, so one bad
//! line does not lock out every host.

use std::path::Path;

use aws_lc_rs::hmac;
use base64::Engine as _;

/// A parsed known_hosts file.
#[derive(Debug, Clone, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
    problems: Vec<LineProblem>,
}

#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    marker: Marker,
    patterns: Vec<Pattern>,
    key_blob: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertificateAuthority,
}

#[derive(Debug, Clone)]
enum Pattern {
    Plain { glob: String, negated: bool },
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
}

/// A line that was skipped because it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

/// Whether a host key is trusted, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A line for this host carries this key.
    Trusted {
        /// The line that carries it.
        line: usize,
    },
    /// The key is marked `@revoked`.
    Revoked {
        /// The line that revokes it.
        line: usize,
    },
    /// The host is known, but with other keys.
    Changed {
        /// The lines that name the host.
        lines: Vec<usize>,
    },
    /// No line names the host.
    Unknown,
}

/// A known_hosts file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KnownHostsError {
    /// The file cannot be read.
    #[error("cannot read the known_hosts file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl KnownHosts {
    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Self, KnownHostsError> {
        let text = std::fs::read(path).map_err(|source| KnownHostsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self::parse(&String::from_utf8_lossy(&text)))
    }

    /// Parses the text of a file.
    pub fn parse(text: &str) -> Self {
        let mut known_hosts = Self::default();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            match parse_line(line) {
                Ok(Some((marker, patterns, key_blob))) => known_hosts.entries.push(Entry {
                    line: number,
                    marker,
                    patterns,
                    key_blob,
                }),
                Ok(None) => {}
                Err(problem) => known_hosts.problems.push(LineProblem {
                    line: number,
                    problem,
                }),
            }
        }
        known_hosts
    }

    /// The lines that were skipped.
    pub fn problems(&self) -> &[LineProblem] {
        &self.problems
    }

    /// How many keys the file holds (markers included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks the key (in SSH wire encoding) that `host` presented on `port`.
    pub fn check(&self, host: &str, port: u16, key_blob: &[u8]) -> Verdict {
        if let Some(entry) = self
            .entries
            .iter()
            .find(|entry| entry.marker == Marker::Revoked && entry.key_blob == key_blob)
        {
            return Verdict::Revoked { line: entry.line };
        }

        let lookup = lookup_name(host, port);
        let mut other_lines = Vec::new();
        for entry in &self.entries {
            if entry.marker != Marker::None || !matches_host(&entry.patterns, &lookup) {
                continue;
            }
            if entry.key_blob == key_blob {
                return Verdict::Trusted { line: entry.line };
            }
            other_lines.push(entry.line);
        }

        if other_lines.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::Changed { lines: other_lines }
        }
    }
}

/// The name a host is looked up by: `host` for port 22, else `[host]:port`, lower-cased.
pub fn lookup_name(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

type ParsedLine = (Marker, Vec<Pattern>, Vec<u8>);

fn parse_line(line: &str) -> Result<Option<ParsedLine>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }

    let mut fields = line.split_ascii_whitespace();
    let mut first = fields.next().unwrap_or_default();
    let marker = match first {
        "@revoked" => Marker::Revoked,
        "@cert-authority" => Marker::CertificateAuthority,
        other if other.starts_with('@') => return Err(format!("unknown marker `{other}`")),
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next().ok_or("a marker without host patterns")?;
    }

    let patterns = first
        .split(',')
        .filter(|pattern| !pattern.is_empty())
        .map(parse_pattern)
        .collect::<Result<Vec<_>, _>>()?;
    if patterns.is_empty() {
        return Err("no host patterns".into());
    }

    let key_type = fields.next().ok_or("no key type")?;
    let encoded = fields.next().ok_or("no key")?;
    let key_blob = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "the key is not base64".to_owned())?;
    if !blob_has_type(&key_blob, key_type) {
        return Err(format!(
            "the key is not of the type `{key_type}` its line names"
        ));
    }
    Ok(Some((marker, patterns, key_blob)))
}

/// Whether an SSH public key blob starts with the length-prefixed algorithm name `key_type`.
fn blob_has_type(blob: &[u8], key_type: &str) -> bool {
    let Some(length) = blob.get(..4) else {
        return false;
    };
    let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
    blob.get(4..4usize.saturating_add(length)) == Some(key_type.as_bytes())
}

fn parse_pattern(pattern: &str) -> Result<Pattern, String> {
    if let Some(hashed) = pattern.strip_prefix("|1|") {
        let (salt, hash) = hashed
            .split_once('|')
            .ok_or("a hashed host name without a hash")?;
        let decode = |text: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| "a hashed host name that is not base64".to_owned())
        };
        return Ok(Pattern::Hashed {
            salt: decode(salt)?,
            hash: decode(hash)?,
        });
    }
    let (glob, negated) = match pattern.strip_prefix('!') {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    Ok(Pattern::Plain {
        glob: glob.to_ascii_lowercase(),
        negated,
    })
}

fn matches_host(patterns: &[Pattern], lookup: &str) -> bool {
    let mut matched = false;
    for pattern in patterns {
        match pattern {
            Pattern::Plain { glob, negated } if glob_matches(glob, lookup) => {
                if *negated {
                    return false;
                }
                matched = true;
            }
            Pattern::Plain { .. } => {}
            Pattern::Hashed { salt, hash } => {
                let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, salt);
                if hmac::verify(&key, lookup.as_bytes(), hash).is_ok() {
                    matched = true;
                }
            }
        }
    }
    matched
}

/// Matches `text` against a pattern with `*` (any run) and `?` (any one character), iteratively
/// so that no pattern can make it recurse or backtrack without bound.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;

    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            resume = Some((p, t));
            p += 1;
        } else if let Some((star, matched_until)) = resume {
            p = star + 1;
            t = matched_until + 1;
            resume = Some((star, matched_until + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An ed25519 public key blob for tests: the type name and 32 key bytes.
    fn blob(seed: u8) -> Vec<u8> {
        let mut blob = Vec::new();
        blob.extend_from_slice(&11u32.to_be_bytes());
        blob.extend_from_slice(b"ssh-ed25519");
        blob.extend_from_slice(&32u32.to_be_bytes());
        blob.extend_from_slice(&[seed; 32]);
        blob
    }

    fn line(hosts: &str, seed: u8) -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(blob(seed));
        format!("{hosts} ssh-ed25519 {encoded} comment here")
    }

    fn hashed(name: &str, salt: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, salt);
        let tag = hmac::sign(&key, name.as_bytes());
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("|1|{}|{}", encode(salt), encode(tag.as_ref()))
    }

    #[test]
    fn a_pinned_key_is_trusted_and_another_key_is_a_change() {
        let known = KnownHosts::parse(&format!("{}\n", line("db.example,10.0.0.5", 1)));
        assert_eq!(
            known.check("DB.example", 22, &blob(1)),
            Verdict::Trusted { line: 1 }
        );
        assert_eq!(
            known.check("10.0.0.5", 22, &blob(2)),
            Verdict::Changed { lines: vec![1] }
        );
        assert_eq!(known.check("other.example", 22, &blob(1)), Verdict::Unknown);
    }

    #[test]
    fn a_non_standard_port_needs_the_bracket_form() {
        let known = KnownHosts::parse(&line("[127.0.0.1]:2222", 1));
        assert_eq!(
            known.check("127.0.0.1", 2222, &blob(1)),
            Verdict::Trusted { line: 1 }
        );
        assert_eq!(known.check("127.0.0.1", 22, &blob(1)), Verdict::Unknown);
        assert_eq!(known.check("127.0.0.1", 2223, &blob(1)), Verdict::Unknown);
    }

    #[test]
    fn wildcards_and_negation_follow_openssh() {
        let known = KnownHosts::parse(&line("*.example,!bad.example", 1));
        assert_eq!(
            known.check("a.example", 22, &blob(1)),
            Verdict::Trusted { line: 1 }
        );
        assert_eq!(known.check("bad.example", 22, &blob(1)), Verdict::Unknown);
        let known = KnownHosts::parse(&line("web?.example", 1));
        assert_eq!(
            known.check("web1.example", 22, &blob(1)),
            Verdict::Trusted { line: 1 }
        );
        assert_eq!(known.check("web12.example", 22, &blob(1)), Verdict::Unknown);
    }

    #[test]
    fn hashed_names_match() {
        let text = line(&hashed("[localhost]:2200", b"0123456789abcdefghij"), 7);
        let known = KnownHosts::parse(&text);
        assert_eq!(
            known.check("localhost", 2200, &blob(7)),
            Verdict::Trusted { line: 1 }
        );
        assert_eq!(known.check("localhost", 22, &blob(7)), Verdict::Unknown);
    }

    #[test]
    fn a_revoked_key_is_refused_even_when_also_pinned() {
        let text = format!("{}\n@revoked * {}", line("h", 1), line("", 1).trim_start());
        let known = KnownHosts::parse(&text);
        assert_eq!(known.check("h", 22, &blob(1)), Verdict::Revoked { line: 2 });
    }

    #[test]
    fn certificate_authorities_are_not_host_keys() {
        let text = format!("@cert-authority {}", line("h", 1));
        let known = KnownHosts::parse(&text);
        assert_eq!(known.check("h", 22, &blob(1)), Verdict::Unknown);
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let text = format!(
            "# comment\n\nonly-a-host\nh ssh-ed25519 !!!\n{}\nh ssh-rsa {}\n",
            line("h", 1),
            base64::engine::general_purpose::STANDARD.encode(blob(2))
        );
        let known = KnownHosts::parse(&text);
        assert_eq!(known.len(), 1);
        let lines: Vec<_> = known
            .problems()
            .iter()
            .map(|problem| problem.line)
            .collect();
        assert_eq!(lines, [3, 4, 6]);
        assert_eq!(known.check("h", 22, &blob(1)), Verdict::Trusted { line: 5 });
    }

    #[test]
    fn tabs_separate_fields() {
        let known = KnownHosts::parse(&line("h", 3).replace(' ', "\t"));
        assert_eq!(known.check("h", 22, &blob(3)), Verdict::Trusted { line: 1 });
    }

    proptest! {
        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,400}") {
            let known = KnownHosts::parse(&text);
            let _ = known.check("h", 22, &blob(1));
        }

        #[test]
        fn a_written_line_is_found(host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,5})?", port in 1u16.., seed in any::<u8>()) {
            let name = if port == 22 { host.clone() } else { format!("[{host}]:{port}") };
            let known = KnownHosts::parse(&line(&name, seed));
            prop_assert_eq!(known.check(&host, port, &blob(seed)), Verdict::Trusted { line: 1 });
            prop_assert_eq!(
                known.check(&host, port, &blob(seed.wrapping_add(1))),
                Verdict::Changed { lines: vec![1] }
            );
        }

        #[test]
        fn glob_agrees_with_a_regex(pattern in "[ab*?]{0,8}", text in "[ab]{0,10}") {
            let regex = format!(
                "^{}$",
                pattern.chars().map(|c| match c {
                    '*' => ".*".to_owned(),
                    '?' => ".".to_owned(),
                    other => other.to_string(),
                }).collect::<String>()
            );
            let expected = regex::Regex::new(&regex).unwrap().is_match(&text);
            prop_assert_eq!(glob_matches(&pattern, &text), expected);
        }
    }
}
