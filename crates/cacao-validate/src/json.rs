//! A JSON parser that remembers where every value, key and string escape is in the source.
//!
//! Diagnostics need byte positions, and a playbook with mistakes must still be read in full, so
//! the validator does not go through `serde_json::Value`. [`Document::parse`] builds a compact,
//! read-only tree over the source text: each value is a [`NodeId`] with its byte span, strings
//! without escapes borrow from the source, object members keep their order and their key spans.
//!
//! The parser is strict where `serde_json` is lenient and lenient where it must not stop early:
//! - invalid UTF-8, control characters in strings, unpaired surrogates, trailing commas and
//!   leading zeros are syntax errors that stop parsing ([`SyntaxError`]);
//! - nesting deeper than [`MAX_DEPTH`] stops parsing, so no input can exhaust the stack;
//! - duplicate keys and numbers that a double cannot hold exactly (integers beyond ±(2^53 − 1),
//!   numbers beyond the double range) do not stop parsing: they are kept as [`Issue`]s and the
//!   rest of the document is still checked.

use foldhash::{HashMap, HashMapExt};
use std::fmt::Write as _;

/// The deepest nesting of arrays and objects accepted. CACAO playbooks nest about ten levels.
pub const MAX_DEPTH: usize = 128;

/// The most values a document may have. A 2 MB playbook has about 42,000; the limit keeps the
/// memory for a hostile input (tens of megabytes of `[0,0,0,…]`) to a few hundred megabytes.
pub const MAX_VALUES: usize = 8_000_000;

/// The largest integer that every JSON implementation keeps exactly (I-JSON, RFC 7493).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

const NONE: u32 = u32::MAX;

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// One value in a [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The node at `index` in document order (pre-order).
    pub(crate) fn from_index(index: usize) -> Self {
        NodeId(index as u32)
    }

    /// The position of the node in document order (pre-order).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number, kept as written.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// The JSON name of the type, as used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Node {
    kind: Kind,
    /// Booleans: the value. Strings: the text has escapes (decoded copy at `first`). Numbers: the
    /// number has neither fraction nor exponent.
    flag: bool,
    start: u32,
    end: u32,
    parent: u32,
    /// Arrays: first index into `children`. Objects: first index into `members`. Escaped
    /// strings: index into `decoded`.
    first: u32,
    /// Arrays and objects: the number of items or members.
    len: u32,
    /// Objects: one bit per member key (see [`KeyDigest::bit`]), so that looking up an absent key,
    /// the most common lookup, costs one test.
    keys: u64,
}

/// A key's length and up to sixteen of its bytes. Equal keys have equal digests, and for keys
/// of at most sixteen bytes (nearly every CACAO property name) equal digests mean equal keys, so
/// that member lookups compare digests and never read the key's text in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyDigest {
    length: u32,
    head: u64,
    tail: u64,
}

impl KeyDigest {
    /// From the unescaped key: its first and last eight bytes (which overlap for keys of eight
    /// to sixteen bytes), first and last four, or every byte of a key shorter than four.
    #[inline]
    pub(crate) fn of(key: &[u8]) -> Self {
        let length = key.len();
        let word = |at: usize| u64::from_le_bytes(key[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| {
            u64::from(u32::from_le_bytes(
                key[at..at + 4].try_into().unwrap_or_default(),
            ))
        };
        let (head, tail) = if length >= 8 {
            (word(0), word(length - 8))
        } else if length >= 4 {
            (half(0), half(length - 4))
        } else {
            let packed = key
                .iter()
                .fold(0, |packed, &byte| (packed << 8) | u64::from(byte));
            (packed, 0)
        };
        Self {
            length: length as u32,
            head,
            tail,
        }
    }

    /// Whether equal digests mean equal keys (the digest holds every byte).
    #[inline]
    pub(crate) fn is_exact(self) -> bool {
        self.length <= 16
    }

    /// A hash of the digest, well mixed in its high bits.
    #[inline]
    pub(crate) fn hash(self) -> u64 {
        (self.head ^ self.tail.rotate_left(29) ^ u64::from(self.length))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The bit the key sets in [`Node::keys`].
    #[inline]
    fn bit(self) -> u64 {
        1 << (self.hash() >> 58)
    }
}

#[derive(Debug, Clone, Copy)]
struct Member {
    digest: KeyDigest,
    key_start: u32,
    key_end: u32,
    /// Index into `decoded` when the key has escapes.
    key_decoded: u32,
    value: u32,
}

/// One member of an object: its key, where the key is, and its value.
#[derive(Debug, Clone, Copy)]
pub struct MemberRef<'d> {
    /// The key, unescaped.
    pub key: &'d str,
    /// The key in the source, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: NodeId,
}

/// A problem that does not stop parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// An object has the same key twice; the later member is `member` of `object`.
    DuplicateKey {
        /// The object.
        object: NodeId,
        /// The index of the repeated member.
        member: usize,
        /// Where the key was first used.
        first: Span,
    },
    /// A number that a double cannot hold exactly.
    NumberOutOfRange {
        /// The number.
        node: NodeId,
    },
}

/// Text that is not JSON; parsing stopped at `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte where the problem is.
    pub offset: usize,
    /// What was found and what was expected.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The JSON pointer of the innermost value being read.
    pub pointer: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

impl SyntaxError {
    fn new(offset: usize, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
            help: help.into(),
            pointer: String::new(),
        }
    }

    /// Adds a pointer segment on the way out of a nested value (only on the error path).
    fn within(mut self, segment: &str) -> Self {
        let mut prefix = String::with_capacity(segment.len() + 1 + self.pointer.len());
        prefix.push('/');
        push_pointer_segment(&mut prefix, segment);
        prefix.push_str(&self.pointer);
        self.pointer = prefix;
        self
    }
}

/// A parsed JSON text with the position of every value.
#[derive(Debug)]
pub struct Document<'a> {
    source: &'a str,
    nodes: Vec<Node>,
    children: Vec<u32>,
    members: Vec<Member>,
    decoded: Vec<Box<str>>,
    issues: Vec<Issue>,
}

impl<'a> Document<'a> {
    /// Parses `source`. A byte order mark at the start is skipped, as RFC 8259 allows.
    pub fn parse(source: &'a [u8]) -> Result<Document<'a>, SyntaxError> {
        let text = match std::str::from_utf8(source) {
            Ok(text) => text,
            Err(error) => {
                let offset = error.valid_up_to();
                let utf16 = source.starts_with(b"\xff\xfe") || source.starts_with(b"\xfe\xff");
                let message = if utf16 && offset < 2 {
                    "the file is UTF-16 text; a playbook must be UTF-8".to_owned()
                } else {
                    format!(
                        "invalid UTF-8 (byte 0x{:02x}); a playbook must be UTF-8 text",
                        source[offset]
                    )
                };
                return Err(SyntaxError::new(
                    offset,
                    message,
                    "save the file as UTF-8; if it is not a playbook at all, remove it",
                ));
            }
        };
        if text.len() >= NONE as usize {
            return Err(SyntaxError::new(
                0,
                "the file is larger than 4 GiB",
                "split the playbook; CACAO playbooks are normally a few megabytes at most",
            ));
        }

        let mut parser = Parser {
            bytes: text.as_bytes(),
            text,
            position: 0,
            depth: 0,
            // Sized so that typical playbooks (about 40 bytes per node, 45 per member, and
            // over 250 per array item) never grow them: growing copies everything read so far.
            nodes: Vec::with_capacity(text.len() / 24),
            children: Vec::with_capacity(text.len() / 192),
            members: Vec::with_capacity(text.len() / 40),
            decoded: Vec::new(),
            item_stack: Vec::new(),
            member_stack: Vec::new(),
            issues: Vec::new(),
        };
        if parser.bytes.starts_with(b"\xef\xbb\xbf") {
            parser.position = 3;
        }

        parser.skip_whitespace();
        if parser.position >= parser.bytes.len() {
            return Err(SyntaxError::new(
                parser.position,
                "the file is empty; a playbook is a JSON object",
                "start from `cacao new`, which writes a minimal valid playbook",
            ));
        }
        parser.parse_value(NONE)?;
        parser.skip_whitespace();
        if parser.position < parser.bytes.len() {
            return Err(SyntaxError::new(
                parser.position,
                format!(
                    "unexpected {} after the end of the JSON value",
                    parser.describe_here()
                ),
                "a file holds exactly one JSON value; remove what follows it",
            ));
        }

        Ok(Document {
            source: text,
            nodes: parser.nodes,
            children: parser.children,
            members: parser.members,
            decoded: parser.decoded,
            issues: parser.issues,
        })
    }

    /// The source text.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The top-level value.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// How many values the document has.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Duplicate keys and numbers out of range, in document order.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The JSON type of `id`.
    pub fn kind(&self, id: NodeId) -> Kind {
        self.node(id).kind
    }

    /// Where `id` is in the source (strings include their quotes).
    pub fn span(&self, id: NodeId) -> Span {
        let node = self.node(id);
        Span::new(node.start as usize, node.end as usize)
    }

    /// The enclosing array or object, `None` for the root.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let parent = self.node(id).parent;
        (parent != NONE).then_some(NodeId(parent))
    }

    /// The text of a string, unescaped.
    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        let node = self.node(id);
        if node.kind != Kind::String {
            return None;
        }
        Some(self.string_text(
            node.start,
            node.end,
            if node.flag { node.first } else { NONE },
        ))
    }

    fn string_text(&self, start: u32, end: u32, decoded: u32) -> &str {
        if decoded == NONE {
            &self.source[start as usize + 1..end as usize - 1]
        } else {
            &self.decoded[decoded as usize]
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self, id: NodeId) -> Option<bool> {
        let node = self.node(id);
        (node.kind == Kind::Bool).then_some(node.flag)
    }

    /// A number as written in the source.
    pub fn number_text(&self, id: NodeId) -> Option<&str> {
        let node = self.node(id);
        (node.kind == Kind::Number).then(|| &self.source[node.start as usize..node.end as usize])
    }

    /// A number as a double (rounded when the text has more precision).
    pub fn as_f64(&self, id: NodeId) -> Option<f64> {
        self.number_text(id).and_then(|text| text.parse().ok())
    }

    /// Whether a number is written without fraction and exponent.
    pub fn is_integer_literal(&self, id: NodeId) -> bool {
        let node = self.node(id);
        node.kind == Kind::Number && node.flag
    }

    /// The number of items of an array or members of an object (0 for anything else).
    pub fn len(&self, id: NodeId) -> usize {
        let node = self.node(id);
        match node.kind {
            Kind::Array | Kind::Object => node.len as usize,
            _ => 0,
        }
    }

    /// The items of an array (empty for anything else).
    pub fn items(&self, id: NodeId) -> impl ExactSizeIterator<Item = NodeId> + '_ {
        let node = self.node(id);
        let range = if node.kind == Kind::Array {
            node.first as usize..(node.first + node.len) as usize
        } else {
            0..0
        };
        self.children[range].iter().map(|&index| NodeId(index))
    }

    /// The members of an object in source order (empty for anything else).
    pub fn members(&self, id: NodeId) -> impl ExactSizeIterator<Item = MemberRef<'_>> + '_ {
        self.member_slice(id)
            .iter()
            .map(|member| self.member_ref(member))
    }

    /// Member `index` of object `id`.
    pub fn member(&self, id: NodeId, index: usize) -> MemberRef<'_> {
        let node = self.node(id);
        debug_assert!(node.kind == Kind::Object && index < node.len as usize);
        self.member_ref(&self.members[node.first as usize + index])
    }

    /// The members of object `id` as (key digest, value), without building the keys; the key
    /// of member `index` is [`Self::member`]`(id, index).key`.
    pub(crate) fn member_digests(
        &self,
        id: NodeId,
    ) -> impl ExactSizeIterator<Item = (KeyDigest, NodeId)> + '_ {
        self.member_slice(id)
            .iter()
            .map(|member| (member.digest, NodeId(member.value)))
    }

    /// The members of object `id` (empty for anything else).
    fn member_slice(&self, id: NodeId) -> &[Member] {
        let node = self.node(id);
        if node.kind == Kind::Object {
            &self.members[node.first as usize..(node.first + node.len) as usize]
        } else {
            &[]
        }
    }

    /// The value of member `index` of object `id`, without looking at its key.
    pub(crate) fn member_value(&self, id: NodeId, index: usize) -> NodeId {
        let node = self.node(id);
        debug_assert!(node.kind == Kind::Object && index < node.len as usize);
        NodeId(self.members[node.first as usize + index].value)
    }

    fn member_ref(&self, member: &Member) -> MemberRef<'_> {
        MemberRef {
            key: self.string_text(member.key_start, member.key_end, member.key_decoded),
            key_span: Span::new(member.key_start as usize, member.key_end as usize),
            value: NodeId(member.value),
        }
    }

    /// The value of the first member named `key`, when `id` is an object that has one.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.get_index(id, key)
            .map(|index| self.member_value(id, index))
    }

    /// The index of the first member named `key`, when `id` is an object that has one.
    pub fn get_index(&self, id: NodeId, key: &str) -> Option<usize> {
        let digest = KeyDigest::of(key.as_bytes());
        if self.node(id).keys & digest.bit() == 0 {
            return None;
        }
        // The hottest lookup of the validator: compare digests, and the text only for long keys.
        self.member_slice(id).iter().position(|member| {
            member.digest == digest && (digest.is_exact() || self.key_of(member) == key)
        })
    }

    fn key_of(&self, member: &Member) -> &str {
        self.string_text(member.key_start, member.key_end, member.key_decoded)
    }

    /// The member index under which `child` sits in the object `object`.
    pub fn member_index_of(&self, object: NodeId, child: NodeId) -> Option<usize> {
        self.members(object)
            .position(|member| member.value == child)
    }

    /// The string value of member `key` of object `id`.
    pub fn get_str(&self, id: NodeId, key: &str) -> Option<&str> {
        self.get(id, key).and_then(|value| self.as_str(value))
    }

    /// The JSON pointer (RFC 6901) of `id`.
    pub fn pointer(&self, id: NodeId) -> String {
        let mut segments = Vec::new();
        let mut current = id;
        while let Some(parent) = self.parent(current) {
            match self.kind(parent) {
                Kind::Object => {
                    let key = self
                        .members(parent)
                        .find(|member| member.value == current)
                        .map_or("", |member| member.key);
                    segments.push(Segment::Key(key));
                }
                _ => {
                    let index = self.items(parent).position(|item| item == current);
                    segments.push(Segment::Index(index.unwrap_or(0)));
                }
            }
            current = parent;
        }
        let mut pointer = String::new();
        for segment in segments.iter().rev() {
            pointer.push('/');
            match segment {
                Segment::Key(key) => push_pointer_segment(&mut pointer, key),
                Segment::Index(index) => {
                    let _ = write!(pointer, "{index}");
                }
            }
        }
        pointer
    }

    /// The pointer of member `index` of `object` (the key's pointer is its value's pointer).
    pub fn member_pointer(&self, object: NodeId, index: usize) -> String {
        let mut pointer = self.pointer(object);
        pointer.push('/');
        push_pointer_segment(&mut pointer, self.member(object, index).key);
        pointer
    }

    /// The value a JSON pointer names, if any.
    pub fn locate(&self, pointer: &str) -> Option<NodeId> {
        if pointer.is_empty() {
            return Some(self.root());
        }
        let rest = pointer.strip_prefix('/')?;
        let mut current = self.root();
        for raw in rest.split('/') {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            current = match self.kind(current) {
                Kind::Object => self.get(current, &segment)?,
                Kind::Array => {
                    let index: usize = segment.parse().ok()?;
                    self.items(current).nth(index)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// Maps a byte offset inside the unescaped text of string `id` to the source offset of the
    /// character it comes from, so that a position inside a string can be underlined in the
    /// file even when the string has escapes.
    pub fn source_offset_in_string(&self, id: NodeId, offset: usize) -> usize {
        let node = self.node(id);
        let content_start = node.start as usize + 1;
        if node.kind != Kind::String || !node.flag {
            return (content_start + offset).min(node.end as usize);
        }

        let raw = &self.source.as_bytes()[content_start..node.end as usize - 1];
        let mut raw_index = 0;
        let mut decoded_index = 0;
        while raw_index < raw.len() && decoded_index < offset {
            if raw[raw_index] == b'\\' {
                let (raw_length, decoded_length) = escape_lengths(&raw[raw_index..]);
                raw_index += raw_length;
                decoded_index += decoded_length;
            } else {
                raw_index += 1;
                decoded_index += 1;
            }
        }
        content_start + raw_index
    }
}

/// The largest character boundary of `text` at or before `index` (offsets reported by other
/// libraries may fall inside a multi-byte character).
pub(crate) fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Byte equality of two slices, inlined: keys are short, and a call to `memcmp` per comparison
/// costs more than the comparison. Compares eight bytes at a time; the last word (or, for
/// shorter slices, the first and last four bytes) may overlap the bytes already compared.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let length = a.len();
    if length != b.len() {
        return false;
    }
    if length >= 8 {
        let word = |bytes: &[u8], at: usize| {
            u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
        };
        let mut at = 0;
        while at + 8 < length {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        word(a, length - 8) == word(b, length - 8)
    } else if length >= 4 {
        let half = |bytes: &[u8], at: usize| {
            u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
        };
        half(a, 0) == half(b, 0) && half(a, length - 4) == half(b, length - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// For an escape at the start of `raw`: how many source bytes it takes and how many UTF-8 bytes
/// it decodes to.
fn escape_lengths(raw: &[u8]) -> (usize, usize) {
    if raw.get(1) != Some(&b'u') {
        return (2, 1);
    }
    let code = std::str::from_utf8(raw.get(2..6).unwrap_or_default())
        .ok()
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    if (0xD800..0xDC00).contains(&code) {
        return (12, 4);
    }
    let length = char::from_u32(code).map_or(3, char::len_utf8);
    (6, length)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Appends `segment` to a JSON pointer, escaping `~` and `/`.
pub fn push_pointer_segment(pointer: &mut String, segment: &str) {
    if segment.contains(['~', '/']) {
        pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(segment);
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    position: usize,
    depth: usize,
    nodes: Vec<Node>,
    children: Vec<u32>,
    members: Vec<Member>,
    decoded: Vec<Box<str>>,
    item_stack: Vec<u32>,
    member_stack: Vec<Member>,
    issues: Vec<Issue>,
}

/// Bytes that end the fast scan of a string: the quote, the backslash and control characters.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut index = 0;
    while index < 0x20 {
        table[index] = true;
        index += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The bytes of [`STRING_STOP`] in a word of eight source bytes, as the high bit of each byte
/// (little-endian: the first byte is the lowest). Zero bytes of `word ^ c` are the bytes equal
/// to `c`; `v - 0x01…01` sets the high bit of a byte that was zero (or below `0x20` for
/// `word - 0x20…20`), and `& !v` drops bytes at or above `0x80`. A borrow can only flag bytes
/// above a byte that truly matches, so the lowest flagged byte is the first stop byte.
#[inline]
fn string_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let below = |value: u64, limit: u8| value.wrapping_sub(ONES * u64::from(limit)) & !value;
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    let control = below(word, 0x20);
    (quote | backslash | control) & HIGH_BITS
}

/// The first byte of [`STRING_STOP`] at or after `position` (or the end of `bytes`). Strings are
/// most of a playbook's text, so runs of ordinary bytes are skipped eight at a time.
#[inline]
fn string_run_end(bytes: &[u8], mut position: usize) -> usize {
    while let Some(word) = bytes.get(position..).and_then(<[u8]>::first_chunk::<8>) {
        let stops = string_stops(u64::from_le_bytes(*word));
        if stops != 0 {
            return position + (stops.trailing_zeros() / 8) as usize;
        }
        position += 8;
    }
    while position < bytes.len() && !STRING_STOP[bytes[position] as usize] {
        position += 1;
    }
    position
}

impl<'a> Parser<'a> {
    fn skip_whitespace(&mut self) {
        const SPACES: u64 = 0x2020_2020_2020_2020;
        loop {
            // Indentation comes in runs of spaces: skip them eight at a time, and the spaces
            // before the first other byte of a word at once.
            while let Some(word) = self
                .bytes
                .get(self.position..)
                .and_then(<[u8]>::first_chunk::<8>)
            {
                let others = u64::from_le_bytes(*word) ^ SPACES;
                if others != 0 {
                    self.position += (others.trailing_zeros() / 8) as usize;
                    break;
                }
                self.position += 8;
            }
            match self.bytes.get(self.position) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.position += 1,
                _ => break,
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    /// Names what is at the current position for an error message.
    fn describe_here(&self) -> String {
        match self.text[self.position..].chars().next() {
            None => "end of file".to_owned(),
            Some(character) if character.is_ascii_graphic() => format!("`{character}`"),
            Some(character) if (character as u32) < 0x80 => {
                format!("byte 0x{:02x}", character as u32)
            }
            Some(character) if character.is_alphanumeric() => format!("`{character}`"),
            Some(character) => format!("character U+{:04X}", character as u32),
        }
    }

    fn push_node(&mut self, kind: Kind, start: usize, parent: u32) -> Result<u32, SyntaxError> {
        if self.nodes.len() >= MAX_VALUES {
            return Err(SyntaxError::new(
                start,
                format!("the document has more than {MAX_VALUES} values"),
                "this is far beyond any playbook; check that the file is the one you meant",
            ));
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            kind,
            flag: false,
            start: start as u32,
            end: start as u32,
            parent,
            first: 0,
            len: 0,
            keys: 0,
        });
        Ok(id)
    }

    fn parse_value(&mut self, parent: u32) -> Result<u32, SyntaxError> {
        self.skip_whitespace();
        let start = self.position;
        match self.peek() {
            Some(b'{') => self.parse_object(parent),
            Some(b'[') => self.parse_array(parent),
            Some(b'"') => {
                let (end, decoded) = self.parse_string()?;
                let id = self.push_node(Kind::String, start, parent)?;
                let node = &mut self.nodes[id as usize];
                node.end = end as u32;
                if decoded != NONE {
                    node.flag = true;
                    node.first = decoded;
                }
                Ok(id)
            }
            Some(b't') => self.parse_literal(b"true", Kind::Bool, true, parent),
            Some(b'f') => self.parse_literal(b"false", Kind::Bool, false, parent),
            Some(b'n') => self.parse_literal(b"null", Kind::Null, false, parent),
            Some(b'-' | b'0'..=b'9') => self.parse_number(parent),
            None => Err(SyntaxError::new(
                start,
                "unexpected end of file, expected a value",
                "the file is cut short; restore the rest of it",
            )),
            Some(b'\'') => Err(SyntaxError::new(
                start,
                "unexpected `'`: JSON strings use double quotes",
                "write the string in double quotes",
            )),
            Some(_) => Err(SyntaxError::new(
                start,
                format!("unexpected {}, expected a value", self.describe_here()),
                "a value is an object, array, string, number, `true`, `false` or `null`",
            )),
        }
    }

    fn parse_literal(
        &mut self,
        word: &[u8],
        kind: Kind,
        value: bool,
        parent: u32,
    ) -> Result<u32, SyntaxError> {
        let start = self.position;
        if !self.bytes[start..].starts_with(word) {
            return Err(SyntaxError::new(
                start,
                format!("unexpected {}, expected a value", self.describe_word(start)),
                "`true`, `false` and `null` are lower-case; text needs double quotes",
            ));
        }
        self.position += word.len();
        let id = self.push_node(kind, start, parent)?;
        let node = &mut self.nodes[id as usize];
        node.end = self.position as u32;
        node.flag = value;
        Ok(id)
    }

    fn describe_word(&self, start: usize) -> String {
        let word: String = self.text[start..]
            .chars()
            .take_while(|character| character.is_alphanumeric())
            .take(20)
            .collect();
        if word.is_empty() {
            self.describe_here()
        } else {
            format!("`{word}`")
        }
    }

    fn parse_number(&mut self, parent: u32) -> Result<u32, SyntaxError> {
        let start = self.position;
        let bytes = self.bytes;
        let mut position = start;
        if bytes[position] == b'-' {
            position += 1;
        }
        let digits_start = position;
        match bytes.get(position) {
            Some(b'0') => {
                position += 1;
                if bytes.get(position).is_some_and(u8::is_ascii_digit) {
                    return Err(SyntaxError::new(
                        start,
                        "numbers must not have leading zeros",
                        "remove the leading zeros, or quote the value if it is an identifier",
                    ));
                }
            }
            Some(b'1'..=b'9') => {
                while bytes.get(position).is_some_and(u8::is_ascii_digit) {
                    position += 1;
                }
            }
            _ => {
                return Err(SyntaxError::new(
                    position,
                    "expected a digit after `-`",
                    "write a number such as `-1`",
                ));
            }
        }
        let integer_end = position;
        let mut is_integer = true;
        if bytes.get(position) == Some(&b'.') {
            is_integer = false;
            position += 1;
            if !bytes.get(position).is_some_and(u8::is_ascii_digit) {
                return Err(SyntaxError::new(
                    position,
                    "expected a digit after the decimal point",
                    "write `1.0`, not `1.`",
                ));
            }
            while bytes.get(position).is_some_and(u8::is_ascii_digit) {
                position += 1;
            }
        }
        let mut has_exponent = false;
        if matches!(bytes.get(position), Some(b'e' | b'E')) {
            is_integer = false;
            has_exponent = true;
            position += 1;
            if matches!(bytes.get(position), Some(b'+' | b'-')) {
                position += 1;
            }
            if !bytes.get(position).is_some_and(u8::is_ascii_digit) {
                return Err(SyntaxError::new(
                    position,
                    "expected a digit in the exponent",
                    "write an exponent such as `1e3`",
                ));
            }
            while bytes.get(position).is_some_and(u8::is_ascii_digit) {
                position += 1;
            }
        }
        self.position = position;

        let id = self.push_node(Kind::Number, start, parent)?;
        let node = &mut self.nodes[id as usize];
        node.end = position as u32;
        node.flag = is_integer;

        let integer_digits = &self.text[digits_start..integer_end];
        let out_of_range = if !has_exponent {
            integer_digits.len() > 16
                || integer_digits
                    .parse::<u64>()
                    .is_ok_and(|value| value > MAX_SAFE_INTEGER)
        } else {
            self.text[start..position]
                .parse::<f64>()
                .map_or(true, |value| !value.is_finite())
        };
        if out_of_range {
            self.issues
                .push(Issue::NumberOutOfRange { node: NodeId(id) });
        }
        Ok(id)
    }

    /// Reads a string at the current position (which is a `"`). Returns the end of the literal
    /// and the index of its decoded text, or `NONE` when it has no escapes.
    fn parse_string(&mut self) -> Result<(usize, u32), SyntaxError> {
        let bytes = self.bytes;
        let content_start = self.position + 1;
        let position = string_run_end(bytes, content_start);
        match bytes.get(position) {
            Some(b'"') => {
                self.position = position + 1;
                Ok((self.position, NONE))
            }
            Some(b'\\') => {
                let mut text = String::from(&self.text[content_start..position]);
                self.parse_escaped_string(position, &mut text)?;
                self.decoded.push(text.into_boxed_str());
                Ok((self.position, (self.decoded.len() - 1) as u32))
            }
            Some(_) => Err(self.control_character_error(position)),
            None => Err(SyntaxError::new(
                self.position,
                "unterminated string",
                "close the string with `\"`; the file may be cut short",
            )),
        }
    }

    fn control_character_error(&self, position: usize) -> SyntaxError {
        let byte = self.bytes[position];
        let (message, help) = if byte == b'\n' || byte == b'\r' {
            (
                "line break inside a string (or a missing closing `\"`)".to_owned(),
                "write a line break as `\\n`, or close the string",
            )
        } else {
            (
                format!("control character 0x{byte:02x} inside a string"),
                "escape control characters, for example `\\t` or `\\u0000`",
            )
        };
        SyntaxError::new(position, message, help)
    }

    fn parse_escaped_string(
        &mut self,
        mut position: usize,
        text: &mut String,
    ) -> Result<(), SyntaxError> {
        let bytes = self.bytes;
        loop {
            let run_start = position;
            position = string_run_end(bytes, position);
            text.push_str(&self.text[run_start..position]);
            match bytes.get(position) {
                Some(b'"') => {
                    self.position = position + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    position = self.parse_escape(position, text)?;
                }
                Some(_) => return Err(self.control_character_error(position)),
                None => {
                    return Err(SyntaxError::new(
                        position,
                        "unterminated string",
                        "close the string with `\"`; the file may be cut short",
                    ));
                }
            }
        }
    }

    /// Decodes the escape at `position` (a backslash) into `text`; returns the position after it.
    fn parse_escape(&self, position: usize, text: &mut String) -> Result<usize, SyntaxError> {
        let character = match self.bytes.get(position + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4(position + 2)?;
                if (0xDC00..0xE000).contains(&high) {
                    return Err(self.surrogate_error(position));
                }
                if (0xD800..0xDC00).contains(&high) {
                    let next = position + 6;
                    if self.bytes.get(next) != Some(&b'\\')
                        || self.bytes.get(next + 1) != Some(&b'u')
                    {
                        return Err(self.surrogate_error(position));
                    }
                    let low = self.hex4(next + 2)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.surrogate_error(position));
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    text.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    return Ok(position + 12);
                }
                text.push(char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER));
                return Ok(position + 6);
            }
            Some(_) => {
                return Err(SyntaxError::new(
                    position,
                    format!(
                        "invalid escape `\\{}` in a string",
                        self.text[position + 1..].chars().next().unwrap_or(' ')
                    ),
                    "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\",
                ));
            }
            None => {
                return Err(SyntaxError::new(
                    position,
                    "unterminated string",
                    "close the string with `\"`; the file may be cut short",
                ));
            }
        };
        text.push(character);
        Ok(position + 2)
    }

    fn hex4(&self, position: usize) -> Result<u32, SyntaxError> {
        self.bytes
            .get(position..position + 4)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .ok_or_else(|| {
                SyntaxError::new(
                    position.saturating_sub(2),
                    "`\\u` must be followed by four hexadecimal digits",
                    "write a code point as `\\u00e9`",
                )
            })
    }

    fn surrogate_error(&self, position: usize) -> SyntaxError {
        SyntaxError::new(
            position,
            "unpaired UTF-16 surrogate in a `\\u` escape",
            "a character above U+FFFF is written as a pair such as `\\ud83d\\ude00`",
        )
    }

    fn enter(&mut self, start: usize) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                start,
                format!("arrays and objects nested more than {MAX_DEPTH} levels deep"),
                "a playbook nests about ten levels; this input is not a playbook",
            ));
        }
        Ok(())
    }

    fn parse_array(&mut self, parent: u32) -> Result<u32, SyntaxError> {
        let start = self.position;
        self.enter(start)?;
        let id = self.push_node(Kind::Array, start, parent)?;
        self.position += 1;
        let base = self.item_stack.len();

        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
        } else {
            loop {
                let index = self.item_stack.len() - base;
                let item = self
                    .parse_value(id)
                    .map_err(|error| error.within(&index.to_string()))?;
                self.item_stack.push(item);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.position += 1;
                        self.skip_whitespace();
                        if self.peek() == Some(b']') {
                            return Err(self.trailing_comma(id));
                        }
                    }
                    Some(b']') => {
                        self.position += 1;
                        break;
                    }
                    _ => return Err(self.expected_separator(id, "]", "array item")),
                }
            }
        }

        let first = self.children.len() as u32;
        self.children.extend(self.item_stack.drain(base..));
        let node = &mut self.nodes[id as usize];
        node.first = first;
        node.len = self.children.len() as u32 - first;
        node.end = self.position as u32;
        self.depth -= 1;
        Ok(id)
    }

    fn parse_object(&mut self, parent: u32) -> Result<u32, SyntaxError> {
        let start = self.position;
        self.enter(start)?;
        let id = self.push_node(Kind::Object, start, parent)?;
        self.position += 1;
        let base = self.member_stack.len();

        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
        } else {
            loop {
                self.skip_whitespace();
                let key_start = self.position;
                if self.peek() != Some(b'"') {
                    return Err(SyntaxError::new(
                        key_start,
                        format!(
                            "unexpected {}, expected a property name in double quotes",
                            self.describe_here()
                        ),
                        "property names are strings: write `\"name\": value`",
                    ));
                }
                let (key_end, key_decoded) = self.parse_string()?;
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(SyntaxError::new(
                        self.position,
                        format!(
                            "unexpected {}, expected `:` after a property name",
                            self.describe_here()
                        ),
                        "separate a property name from its value with `:`",
                    ));
                }
                self.position += 1;
                let value = match self.parse_value(id) {
                    Ok(value) => value,
                    Err(error) => {
                        let key = if key_decoded == NONE {
                            &self.text[key_start + 1..key_end - 1]
                        } else {
                            &self.decoded[key_decoded as usize]
                        };
                        return Err(error.within(key));
                    }
                };
                let digest = if key_decoded == NONE {
                    KeyDigest::of(&self.bytes[key_start + 1..key_end - 1])
                } else {
                    KeyDigest::of(self.decoded[key_decoded as usize].as_bytes())
                };
                self.member_stack.push(Member {
                    digest,
                    key_start: key_start as u32,
                    key_end: key_end as u32,
                    key_decoded,
                    value,
                });
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.position += 1;
                        self.skip_whitespace();
                        if self.peek() == Some(b'}') {
                            return Err(self.trailing_comma(id));
                        }
                    }
                    Some(b'}') => {
                        self.position += 1;
                        break;
                    }
                    _ => return Err(self.expected_separator(id, "}", "property")),
                }
            }
        }

        let first = self.members.len() as u32;
        self.members.extend(self.member_stack.drain(base..));
        let length = self.members.len() as u32 - first;
        let keys = self.members[first as usize..]
            .iter()
            .fold(0, |keys, member| keys | member.digest.bit());
        let node = &mut self.nodes[id as usize];
        node.first = first;
        node.len = length;
        node.keys = keys;
        node.end = self.position as u32;
        // Equal keys set the same bit: when every member set a bit of its own, all differ.
        if keys.count_ones() < length {
            self.find_duplicate_keys(id, first as usize, length as usize);
        }
        self.depth -= 1;
        Ok(id)
    }

    fn trailing_comma(&self, _container: u32) -> SyntaxError {
        SyntaxError::new(
            self.position,
            "trailing comma before the closing bracket",
            "remove the comma after the last item; JSON does not allow it",
        )
    }

    fn expected_separator(&self, _container: u32, close: &str, what: &str) -> SyntaxError {
        let found = self.describe_here();
        let help = if self.peek() == Some(b'"') {
            "a `,` is probably missing at the end of the previous line".to_owned()
        } else if self.peek().is_none() {
            "the file is cut short; restore the rest of it".to_owned()
        } else {
            format!("separate items with `,` and close with `{close}`")
        };
        SyntaxError::new(
            self.position,
            format!("unexpected {found}, expected `,` or `{close}` after an {what}")
                .replace("an property", "a property"),
            help,
        )
    }

    fn key_text(&self, member: &Member) -> &str {
        if member.key_decoded == NONE {
            &self.text[member.key_start as usize + 1..member.key_end as usize - 1]
        } else {
            &self.decoded[member.key_decoded as usize]
        }
    }

    fn keys_equal(&self, a: &Member, b: &Member) -> bool {
        a.digest == b.digest && (a.digest.is_exact() || self.key_text(a) == self.key_text(b))
    }

    fn find_duplicate_keys(&mut self, object: u32, first: usize, length: usize) {
        let members = &self.members[first..first + length];
        let mut duplicates = Vec::new();
        if length <= 16 {
            for later in 1..length {
                if let Some(earlier) =
                    (0..later).find(|&earlier| self.keys_equal(&members[earlier], &members[later]))
                {
                    duplicates.push((later, earlier));
                }
            }
        } else {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(length);
            for (index, member) in members.iter().enumerate() {
                if let Some(&earlier) = seen.get(self.key_text(member)) {
                    duplicates.push((index, earlier));
                } else {
                    seen.insert(self.key_text(member), index);
                }
            }
        }
        for (member, earlier) in duplicates {
            let first_member = &self.members[first + earlier];
            self.issues.push(Issue::DuplicateKey {
                object: NodeId(object),
                member,
                first: Span::new(
                    first_member.key_start as usize,
                    first_member.key_end as usize,
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Document<'_> {
        Document::parse(text.as_bytes()).expect("valid JSON")
    }

    #[test]
    fn values_keep_their_spans_and_order() {
        let document = parse(r#" {"b": [1, "x\ny", true], "a": {"k": null}} "#);
        let root = document.root();
        assert_eq!(document.kind(root), Kind::Object);
        let keys: Vec<_> = document.members(root).map(|member| member.key).collect();
        assert_eq!(keys, ["b", "a"]);
        let array = document.get(root, "b").unwrap();
        let items: Vec<_> = document.items(array).collect();
        assert_eq!(document.number_text(items[0]), Some("1"));
        assert_eq!(document.as_str(items[1]), Some("x\ny"));
        assert_eq!(document.as_bool(items[2]), Some(true));
        assert_eq!(document.pointer(items[1]), "/b/1");
        assert_eq!(
            &document.source()[document.span(items[1]).start..document.span(items[1]).end],
            r#""x\ny""#
        );
        assert_eq!(
            document.locate("/a/k"),
            document.get(document.get(root, "a").unwrap(), "k")
        );
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        let document = parse(r#"{"a/b~c": 1}"#);
        let value = document.get(document.root(), "a/b~c").unwrap();
        assert_eq!(document.pointer(value), "/a~1b~0c");
        assert_eq!(document.locate("/a~1b~0c"), Some(value));
    }

    #[test]
    fn duplicate_keys_are_issues_not_errors() {
        let document = parse(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(document.issues().len(), 1);
        assert!(matches!(
            document.issues()[0],
            Issue::DuplicateKey { member: 2, .. }
        ));
    }

    #[test]
    fn duplicate_keys_in_large_objects_are_found() {
        let mut text = String::from("{");
        for index in 0..40 {
            let _ = write!(text, "\"k{index}\": {index},");
        }
        text.push_str("\"k7\": 0}");
        let document = parse(&text);
        assert_eq!(document.issues().len(), 1);
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_issues() {
        let document = parse("[9007199254740991, 9007199254740992, -9007199254740993, 1e400, 1.5]");
        let flagged: Vec<_> = document
            .issues()
            .iter()
            .map(|issue| match issue {
                Issue::NumberOutOfRange { node } => document.number_text(*node).unwrap(),
                Issue::DuplicateKey { .. } => "",
            })
            .collect();
        assert_eq!(flagged, ["9007199254740992", "-9007199254740993", "1e400"]);
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("{\"a\": 1,}", "trailing comma"),
            ("{\"a\": [1 2]}", "expected `,` or `]`"),
            ("{\"a\": tru}", "`tru`"),
            ("{\"a\": \"x", "unterminated"),
            ("{\"a\": 01}", "leading zeros"),
            ("{\"a\": \"\\ud800\"}", "surrogate"),
            ("{\"a\": \"\\q\"}", "invalid escape"),
            ("{\"a\": 1} x", "after the end"),
            ("{'a': 1}", "double quotes"),
            ("\u{0}", "0x00"),
        ];
        for (text, expected) in cases {
            let error = Document::parse(text.as_bytes()).expect_err(text);
            assert!(
                error.message.contains(expected),
                "{text:?}: {}",
                error.message
            );
        }
    }

    #[test]
    fn syntax_errors_carry_the_pointer_of_the_value_being_read() {
        let error = Document::parse(br#"{"workflow": {"step": {"on_success": }}}"#).unwrap_err();
        assert_eq!(error.pointer, "/workflow/step/on_success");
        let error = Document::parse(br#"{"list": [1, 2, {"x": -}]}"#).unwrap_err();
        assert_eq!(error.pointer, "/list/2/x");
    }

    #[test]
    fn invalid_utf8_is_a_syntax_error_at_the_bad_byte() {
        let error = Document::parse(b"{\"a\": \"\xff\"}").unwrap_err();
        assert_eq!(error.offset, 7);
        assert!(error.message.contains("UTF-8"));
    }

    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let text = "[".repeat(1_000_000);
        let error = Document::parse(text.as_bytes()).unwrap_err();
        assert!(error.message.contains("nested more than"));
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Document::parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn the_word_scan_finds_the_same_stop_as_the_byte_scan() {
        let alphabet = [
            b'a', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xff, b'!', b']',
        ];
        for first in alphabet {
            for second in alphabet {
                for place in 0..12 {
                    let mut bytes = vec![b'x'; 20];
                    bytes[place] = first;
                    bytes[place + 5] = second;
                    let expected = bytes
                        .iter()
                        .position(|&byte| STRING_STOP[byte as usize])
                        .unwrap_or(bytes.len());
                    assert_eq!(string_run_end(&bytes, 0), expected, "{bytes:?}");
                }
            }
        }
        for byte in 0..=255u8 {
            for place in 0..10 {
                let mut bytes = vec![b'x'; 12];
                bytes[place] = byte;
                bytes[place + 1] = byte.wrapping_add(1);
                let expected = bytes
                    .iter()
                    .position(|&byte| STRING_STOP[byte as usize])
                    .unwrap_or(bytes.len());
                assert_eq!(string_run_end(&bytes, 0), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn equal_digests_of_short_keys_mean_equal_keys() {
        let keys: Vec<String> = (0..=20)
            .flat_map(|length| {
                ["a", "b", "é"].map(|filler| {
                    let mut key = "x".repeat(length);
                    if length > 0 {
                        key.replace_range(length / 2..length / 2 + 1, filler);
                    }
                    key
                })
            })
            .collect();
        for a in &keys {
            for b in &keys {
                let (da, db) = (KeyDigest::of(a.as_bytes()), KeyDigest::of(b.as_bytes()));
                if a == b {
                    assert_eq!(da, db);
                } else if da.is_exact() {
                    assert_ne!(da, db, "{a:?} {b:?}");
                }
            }
        }
        let document = parse(r#"{"a_long_property_name_1": 1, "a_long_property_name_2": 2}"#);
        let second = document.get(document.root(), "a_long_property_name_2");
        assert_eq!(
            second.and_then(|node| document.number_text(node)),
            Some("2")
        );
    }

    #[test]
    fn same_bytes_agrees_with_slice_equality() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for length in 0..text.len() {
            let a = &text[..length];
            assert!(same_bytes(a, a));
            for position in 0..length {
                let mut b = a.to_vec();
                b[position] ^= 0x20;
                assert!(!same_bytes(a, &b), "{length} {position}");
            }
            assert!(!same_bytes(a, &text[..length + 1]));
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let document = Document::parse(b"\xef\xbb\xbf{\"a\": 1}").unwrap();
        assert_eq!(document.len(document.root()), 1);
    }

    #[test]
    fn offsets_inside_escaped_strings_map_to_the_source() {
        let text = r#"{"c": "a\"b\u00e9c__x__:value"}"#;
        let document = parse(text);
        let value = document.get(document.root(), "c").unwrap();
        let decoded = document.as_str(value).unwrap();
        let offset = decoded.find("__x__").unwrap();
        let source_offset = document.source_offset_in_string(value, offset);
        assert!(text[source_offset..].starts_with("__x__"));
    }
}
