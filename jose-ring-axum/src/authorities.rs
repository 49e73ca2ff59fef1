//! Where a guard reads scopes and roles: [`ClaimSource`] (a claim path, the delimiter of a
//! string value, a prefix), parsed once at build into the [`Plan`] that `facts.rs` walks in
//! its one pass over a verified token's claims; and [`Names`], what was read.

use std::fmt;

/// Where a guard reads scopes or roles from: a claim, found by a path, whose value is an
/// array of strings (each one a name) or a string (split at the delimiter, a space by
/// default), each name given a prefix if one is set. The knobs of Spring Security's
/// `JwtGrantedAuthoritiesConverter` (claim name, delimiter, authority prefix), with nested
/// paths.
///
/// **Paths.** Claim names joined by dots walk into objects: `realm_access.roles` is the
/// `roles` member of the `realm_access` object (Keycloak), `resource_access.my-api.roles`
/// one client's roles. A name that contains a dot is written in double quotes:
/// `"https://example.com/roles"` is Auth0's namespaced claim of that name, and
/// `resource_access."my.api".roles` quotes one segment. A quoted name cannot contain `"`;
/// an empty path or segment is refused when the guard is built
/// ([`BuildError::ClaimPath`](crate::BuildError::ClaimPath)).
///
/// **Values.** A string is split at the delimiter (empty pieces skipped): Entra ID's `scp`
/// and RFC 9068's `scope` are space-delimited. An array contributes each of its strings
/// whole: Okta's `scp`, Keycloak's and Entra ID's `roles`, Auth0's `permissions`. Any other
/// JSON value, or a missing claim, contributes nothing.
///
/// ```
/// use jose_ring_axum::ClaimSource;
/// let keycloak_client = ClaimSource::new("resource_access.my-api.roles").prefix("my-api:");
/// let auth0 = ClaimSource::new(r#""https://example.com/roles""#);
/// let comma = ClaimSource::new("authorities").delimiter(',');
/// # let _ = (keycloak_client, auth0, comma);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimSource {
    path: String,
    delimiter: char,
    prefix: String,
}

impl ClaimSource {
    /// The claim at `path` (dotted, names with dots in double quotes), values split at
    /// spaces, no prefix.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            delimiter: ' ',
            prefix: String::new(),
        }
    }

    /// The character a string value is split at; default a space.
    #[must_use]
    pub fn delimiter(mut self, delimiter: char) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Put before each name read from this claim (Spring's authority prefix, such as
    /// `SCOPE_`): `require_scope` / `require_role` then name the prefixed value. Keeps the
    /// names of two sources apart (`realm:admin`, `my-api:admin`). Default none.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The path, as given.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl From<&str> for ClaimSource {
    fn from(path: &str) -> Self {
        Self::new(path)
    }
}

impl From<String> for ClaimSource {
    fn from(path: String) -> Self {
        Self::new(path)
    }
}

/// The scope claims by default: `scope` (RFC 8693 §4.2, RFC 9068 §2.2.3) and `scp` (Entra
/// ID, Okta), the two Spring Security reads.
pub(crate) const DEFAULT_SCOPE_CLAIMS: [&str; 2] = ["scope", "scp"];

/// The role claim by default: `roles` (RFC 9068 §2.2.3.1, RFC 7643 §4.1.2; Entra ID).
pub(crate) const DEFAULT_ROLE_CLAIMS: [&str; 1] = ["roles"];

/// The top-level claims the guard reads for itself: not a place for scopes or roles.
pub(crate) const OWN_CLAIMS: [&str; 5] = ["jti", "iss", "sub", "acr", "auth_time"];

/// What a name read goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Scope,
    Role,
}

/// Where the names of a claim go, once it is reached.
#[derive(Debug)]
pub(crate) struct Sink {
    pub(crate) kind: Kind,
    pub(crate) delimiter: char,
    pub(crate) prefix: String,
}

/// One level of the claim paths: the sinks of the claim reached here, and the members to
/// walk into.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) sinks: Vec<Sink>,
    pub(crate) children: Vec<(String, Node)>,
    /// The first bytes of the children's names, a bit each: most members of a token are
    /// passed over with one look at this set, without comparing names.
    pub(crate) first_bytes: [u64; 4],
}

/// The word and the bit of `byte` in a [`Node::first_bytes`] set.
fn bit(byte: u8) -> (usize, u64) {
    (usize::from(byte >> 6), 1u64 << (byte & 63))
}

impl Node {
    /// A node with no sink and no child.
    pub(crate) const EMPTY: Self = Self {
        sinks: Vec::new(),
        children: Vec::new(),
        first_bytes: [0; 4],
    };

    /// The child named `name`, if a path goes there.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        let (word, mask) = bit(*name.as_bytes().first()?);
        if self.first_bytes.get(word).is_none_or(|w| w & mask == 0) {
            return None;
        }
        self.children
            .iter()
            .find_map(|(n, node)| (n == name).then_some(node))
    }

    /// The child named `name`, added if no path went there yet (`None` cannot happen).
    fn child_mut(&mut self, name: &str) -> Option<&mut Node> {
        let at = match self.children.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                let (word, mask) = bit(*name.as_bytes().first()?);
                *self.first_bytes.get_mut(word)? |= mask;
                self.children.push((name.to_owned(), Node::default()));
                self.children.len().saturating_sub(1)
            }
        };
        self.children.get_mut(at).map(|(_, node)| node)
    }
}

/// Every scope and role source of a guard, as a tree of claim names from the top-level
/// claims: one walk over the claims reads them all.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) root: Node,
}

/// A claim path that cannot be read.
#[derive(Debug)]
pub(crate) struct BadPath;

impl Plan {
    /// The plan for these scope and role sources.
    pub(crate) fn new(scopes: &[ClaimSource], roles: &[ClaimSource]) -> Result<Self, String> {
        let mut plan = Self::default();
        let sources = scopes
            .iter()
            .map(|s| (Kind::Scope, s))
            .chain(roles.iter().map(|s| (Kind::Role, s)));
        for (kind, source) in sources {
            let segments = parse_path(&source.path).map_err(|BadPath| source.path.clone())?;
            if let [only] = segments.as_slice() {
                if OWN_CLAIMS.contains(&only.as_str()) {
                    return Err(source.path.clone());
                }
            }
            let mut node = &mut plan.root;
            for segment in &segments {
                node = node.child_mut(segment).ok_or_else(|| source.path.clone())?;
            }
            node.sinks.push(Sink {
                kind,
                delimiter: source.delimiter,
                prefix: source.prefix.clone(),
            });
        }
        if let Some(own) = OWN_CLAIMS.iter().find(|own| {
            plan.root
                .child(own)
                .is_some_and(|node| !node.children.is_empty())
        }) {
            return Err((*own).to_owned());
        }
        Ok(plan)
    }

    /// The guard's defaults: scopes from `scope` and `scp`, roles from `roles`.
    #[cfg(test)]
    pub(crate) fn defaults() -> Self {
        let scopes = DEFAULT_SCOPE_CLAIMS.map(ClaimSource::new);
        let roles = DEFAULT_ROLE_CLAIMS.map(ClaimSource::new);
        Self::new(&scopes, &roles).unwrap_or_default()
    }
}

/// Splits a dotted path into claim names; a name with dots is in double quotes.
fn parse_path(path: &str) -> Result<Vec<String>, BadPath> {
    let mut segments = Vec::new();
    let mut rest = path;
    loop {
        let (segment, after) = match rest.strip_prefix('"') {
            Some(quoted) => {
                let (name, after) = quoted.split_once('"').ok_or(BadPath)?;
                (name, after)
            }
            None => match rest.find(['.', '"']) {
                Some(at) => rest.split_at_checked(at).ok_or(BadPath)?,
                None => (rest, ""),
            },
        };
        if segment.is_empty() {
            return Err(BadPath);
        }
        segments.push(segment.to_owned());
        if after.is_empty() {
            return Ok(segments);
        }
        rest = after.strip_prefix('.').ok_or(BadPath)?;
        if rest.is_empty() {
            return Err(BadPath);
        }
    }
}

/// The scopes and roles read from a token, prefixed as their source says, in one buffer: each
/// entry is a kind byte, a delimiter (4 bytes: the `char`, or [`WHOLE`]), its length (4
/// bytes, little-endian) and its UTF-8 bytes. So a token's names cost one allocation however
/// many there are, and a guard's `Auth` stays small to move. A string claim read without a
/// prefix is kept whole with its delimiter and split when it is asked about, so that reading
/// a token costs one copy of the claim, not one entry per name.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    bytes: Vec<u8>,
}

/// The bytes before each entry: its kind, its delimiter and its length.
const HEADER: usize = 9;

/// The delimiter of an entry that is one name.
const WHOLE: u32 = u32::MAX;

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Self::Scope => 0,
            Self::Role => 1,
        }
    }
}

impl Names {
    /// Adds `prefix` + `name` as a name of `kind`, unless `name` is empty (or absurdly long).
    pub(crate) fn push(&mut self, kind: Kind, prefix: &str, name: &str) {
        self.entry(kind, WHOLE, prefix.as_bytes(), name.as_bytes());
    }

    /// Adds an entry; nothing for an empty `value` or one over 4 GiB.
    fn entry(&mut self, kind: Kind, delimiter: u32, prefix: &[u8], value: &[u8]) {
        let Ok(len) = u32::try_from(prefix.len().saturating_add(value.len())) else {
            return;
        };
        if value.is_empty() {
            return;
        }
        // One allocation for a typical token: room for this entry and a few more like it.
        self.bytes.reserve(
            HEADER
                .saturating_add(prefix.len())
                .saturating_add(value.len())
                .saturating_mul(4),
        );
        self.bytes.push(kind.byte());
        self.bytes.extend_from_slice(&delimiter.to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(prefix);
        self.bytes.extend_from_slice(value);
    }

    /// Adds each piece of `value` split at `delimiter` (empty pieces skipped): kept whole and
    /// split when asked about without a prefix; split now, each piece prefixed, with one.
    pub(crate) fn push_split(&mut self, kind: Kind, prefix: &str, value: &str, delimiter: char) {
        if prefix.is_empty() {
            self.entry(kind, u32::from(delimiter), b"", value.as_bytes());
            return;
        }
        for piece in value.split(delimiter) {
            self.push(kind, prefix, piece);
        }
    }

    /// Each entry: its kind, its delimiter (`None`: one name) and its text.
    fn entries(&self) -> impl Iterator<Item = (u8, Option<char>, &str)> + '_ {
        let mut rest = self.bytes.as_slice();
        std::iter::from_fn(move || {
            let (header, after) = rest.split_at_checked(HEADER)?;
            let (&kind, header) = header.split_first()?;
            let (delimiter, len) = header.split_at_checked(4)?;
            let delimiter = u32::from_le_bytes(delimiter.try_into().ok()?);
            let len = u32::from_le_bytes(len.try_into().ok()?);
            let (text, after) = after.split_at_checked(usize::try_from(len).ok()?)?;
            rest = after;
            // Entries are written from `&str`s only.
            let text = std::str::from_utf8(text).ok()?;
            Some((kind, char::from_u32(delimiter), text))
        })
    }

    /// The names of `kind`, in the order read.
    pub(crate) fn iter(&self, kind: Kind) -> impl Iterator<Item = &str> + '_ {
        let kind = kind.byte();
        self.entries()
            .filter(move |(k, _, _)| *k == kind)
            .flat_map(|(_, delimiter, text)| {
                let (whole, split) = match delimiter {
                    None => (Some(text), None),
                    Some(delimiter) => (None, Some(text.split(delimiter))),
                };
                whole.into_iter().chain(split.into_iter().flatten())
            })
            .filter(|name| !name.is_empty())
    }

    /// Whether `name` is a name of `kind`.
    pub(crate) fn contains(&self, kind: Kind, name: &str) -> bool {
        !name.is_empty() && self.iter(kind).any(|n| n == name)
    }
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Names")
            .field("scopes", &self.iter(Kind::Scope).collect::<Vec<_>>())
            .field("roles", &self.iter(Kind::Role).collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_dotted_with_quoted_names() {
        let ok = |p: &str| parse_path(p).unwrap();
        assert_eq!(ok("roles"), ["roles"]);
        assert_eq!(ok("realm_access.roles"), ["realm_access", "roles"]);
        assert_eq!(
            ok("resource_access.my-api.roles"),
            ["resource_access", "my-api", "roles"]
        );
        assert_eq!(
            ok(r#""https://example.com/roles""#),
            ["https://example.com/roles"]
        );
        assert_eq!(
            ok(r#"resource_access."my.api".roles"#),
            ["resource_access", "my.api", "roles"]
        );
        assert_eq!(ok(r#""a.b"."c.d""#), ["a.b", "c.d"]);
        for bad in [
            "",
            ".",
            "a.",
            ".a",
            "a..b",
            r#"""#,
            r#""""#,
            r#""a"b"#,
            r#"a"b""#,
            r#""a.b"#,
            r#"a."b""#.trim_end_matches('"'),
        ] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plans_share_prefixes_and_refuse_the_guards_own_claims() {
        let plan = Plan::new(
            &[ClaimSource::new("scope"), ClaimSource::new("scp")],
            &[
                ClaimSource::new("realm_access.roles"),
                ClaimSource::new("resource_access.api.roles").prefix("api:"),
                ClaimSource::new("resource_access.web.roles"),
            ],
        )
        .unwrap();
        let names: Vec<&str> = plan.root.children.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["scope", "scp", "realm_access", "resource_access"]);
        let access = plan.root.child("resource_access").unwrap();
        assert_eq!(access.children.len(), 2);
        let api = access.child("api").unwrap().child("roles").unwrap();
        assert_eq!(
            (
                api.sinks.len(),
                api.sinks[0].kind,
                api.sinks[0].prefix.as_str()
            ),
            (1, Kind::Role, "api:")
        );
        for own in ["iss", "sub", "jti", "acr", "auth_time", "acr.x"] {
            assert_eq!(
                Plan::new(&[], &[ClaimSource::new(own)]).unwrap_err(),
                own.split('.').next().unwrap(),
                "{own}"
            );
        }
        assert_eq!(
            Plan::new(&[ClaimSource::new("a..b")], &[]).unwrap_err(),
            "a..b"
        );
    }

    #[test]
    fn names_keep_order_kinds_prefixes_and_skip_empty_pieces() {
        let mut names = Names::default();
        names.push_split(Kind::Scope, "", "  read  write ", ' ');
        names.push(Kind::Role, "api:", "admin");
        names.push(Kind::Role, "", "");
        names.push_split(Kind::Role, "g:", "a,b,,c", ',');
        names.push(Kind::Scope, "", "é ü");
        assert_eq!(
            names.iter(Kind::Scope).collect::<Vec<_>>(),
            ["read", "write", "é ü"]
        );
        assert_eq!(
            names.iter(Kind::Role).collect::<Vec<_>>(),
            ["api:admin", "g:a", "g:b", "g:c"]
        );
        assert!(names.contains(Kind::Role, "api:admin"));
        assert!(!names.contains(Kind::Role, "admin") && !names.contains(Kind::Scope, "api:admin"));
        assert!(names.contains(Kind::Scope, "é ü"));
        assert_eq!(
            format!("{names:?}"),
            r#"Names { scopes: ["read", "write", "é ü"], roles: ["api:admin", "g:a", "g:b", "g:c"] }"#
        );
        let empty = Names::default();
        assert_eq!(empty.iter(Kind::Scope).count(), 0);
        assert!(!empty.contains(Kind::Scope, ""));
    }
}
