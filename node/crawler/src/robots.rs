//! robots.txt (RFC 9309): parsing, group selection and rule matching.
//!
//! - The group for our agent token (`ArchiveChainBot`, case-insensitive, compared with the
//!   product token of each `User-agent` line) is used if present, else the `*` group; several
//!   groups naming the same agent are merged.
//! - `Allow`/`Disallow` patterns support `*` (any run of characters) and a final `$` (end of
//!   URL); the longest matching pattern wins, and on a tie `Allow` wins. An empty `Disallow`
//!   allows everything. `/robots.txt` itself is always allowed.
//! - `Crawl-delay` (seconds, fractional allowed) of the chosen group is reported; the scheduler
//!   uses it when it is larger than the politeness delay.
//! - What happens when robots.txt cannot be read is decided by the scheduler (see
//!   [`RobotsPolicy::allow_all`] / [`RobotsPolicy::disallow_all`]).

use std::time::Duration;

/// Path and query of robots.txt itself, always allowed.
const ROBOTS_PATH: &str = "/robots.txt";

/// One Allow/Disallow line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    /// The pattern as written (for summaries).
    original: String,
    /// Percent-normalised pattern without a trailing `$`.
    pattern: Vec<u8>,
    /// Pattern ended in `$`.
    anchored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PolicyKind {
    AllowAll { reason: String },
    DisallowAll { reason: String },
    Rules { group: String, rules: Vec<Rule> },
}

/// The robots.txt rules that apply to us on one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsPolicy {
    kind: PolicyKind,
    crawl_delay: Option<Duration>,
}

/// The verdict for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsDecision {
    /// Whether the URL may be fetched.
    pub allowed: bool,
    /// Which rule decided, e.g. `disallowed by "Disallow: /private/" (group "*")`.
    pub summary: String,
}

#[derive(Debug, Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

impl RobotsPolicy {
    /// Everything allowed (robots.txt missing: 4xx), with the reason shown in summaries.
    pub fn allow_all(reason: impl Into<String>) -> Self {
        Self { kind: PolicyKind::AllowAll { reason: reason.into() }, crawl_delay: None }
    }

    /// Nothing allowed (robots.txt unreachable: 5xx, timeout, network error).
    pub fn disallow_all(reason: impl Into<String>) -> Self {
        Self { kind: PolicyKind::DisallowAll { reason: reason.into() }, crawl_delay: None }
    }

    /// Parse a robots.txt body (invalid UTF-8 replaced) and keep the group for `agent_token`.
    pub fn parse(body: &[u8], agent_token: &str) -> Self {
        let text = String::from_utf8_lossy(body);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let token = agent_token.to_ascii_lowercase();
        let groups = parse_groups(text);

        let ours: Vec<&Group> = groups.iter().filter(|g| g.agents.contains(&token)).collect();
        let (name, chosen) = if ours.is_empty() {
            let star: Vec<&Group> = groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect();
            ("*".to_string(), star)
        } else {
            (token, ours)
        };
        if chosen.is_empty() {
            return Self::allow_all("robots.txt has no group for this agent");
        }
        let crawl_delay = chosen.iter().find_map(|g| g.crawl_delay);
        let rules = chosen.into_iter().flat_map(|g| g.rules.iter().cloned()).collect();
        Self { kind: PolicyKind::Rules { group: name, rules }, crawl_delay }
    }

    /// The `Crawl-delay` of the chosen group, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        self.crawl_delay
    }

    /// Whether this policy refuses everything (unreachable robots.txt).
    pub fn is_disallow_all(&self) -> bool {
        matches!(self.kind, PolicyKind::DisallowAll { .. })
    }

    /// Decide for a URL's `path?query` (percent-encoded, as [`url::Url`] serialises it).
    pub fn check(&self, path_and_query: &str) -> RobotsDecision {
        let decision = |allowed: bool, summary: String| RobotsDecision { allowed, summary };
        if path_and_query == ROBOTS_PATH {
            return decision(true, "allowed: robots.txt itself".to_string());
        }
        match &self.kind {
            PolicyKind::AllowAll { reason } => decision(true, format!("allowed: {reason}")),
            PolicyKind::DisallowAll { reason } => decision(false, format!("disallowed: {reason}")),
            PolicyKind::Rules { group, rules } => {
                let path = path_and_query.as_bytes();
                let mut best: Option<&Rule> = None;
                for rule in rules.iter().filter(|r| rule_matches(r, path)) {
                    let better = match best {
                        None => true,
                        Some(b) => {
                            rule.original.len() > b.original.len()
                                || (rule.original.len() == b.original.len() && rule.allow && !b.allow)
                        }
                    };
                    if better {
                        best = Some(rule);
                    }
                }
                match best {
                    None => decision(true, format!("allowed: no matching rule (group \"{group}\")")),
                    Some(r) => {
                        let (verb, field) = if r.allow { ("allowed", "Allow") } else { ("disallowed", "Disallow") };
                        decision(r.allow, format!("{verb} by \"{field}: {}\" (group \"{group}\")", r.original))
                    }
                }
            }
        }
    }
}

fn parse_groups(text: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    // True while the previous directive was a User-agent line (they accumulate into one group).
    let mut in_agent_lines = false;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        match key.as_str() {
            "user-agent" | "useragent" | "user agent" => {
                if !in_agent_lines {
                    groups.push(Group::default());
                }
                in_agent_lines = true;
                let product =
                    value.split(|c: char| c == '/' || c.is_whitespace()).next().unwrap_or("").to_ascii_lowercase();
                if let Some(g) = groups.last_mut() {
                    g.agents.push(product);
                }
            }
            "allow" | "disallow" => {
                in_agent_lines = false;
                let Some(g) = groups.last_mut() else {
                    continue; // rules before any User-agent belong to no group
                };
                if value.is_empty() {
                    continue; // "Disallow:" = allow all; "Allow:" = no-op
                }
                let (pattern, anchored) = match value.strip_suffix('$') {
                    Some(p) => (p, true),
                    None => (value, false),
                };
                g.rules.push(Rule {
                    allow: key == "allow",
                    original: value.to_string(),
                    pattern: normalise_pattern(pattern),
                    anchored,
                });
            }
            "crawl-delay" => {
                in_agent_lines = false;
                if let Some(g) = groups.last_mut() {
                    let secs = value.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0);
                    if let (None, Some(s)) = (g.crawl_delay, secs) {
                        g.crawl_delay = Duration::try_from_secs_f64(s).ok();
                    }
                }
            }
            _ => {} // Sitemap, Host, unknown lines: not group members
        }
    }
    groups
}

/// Percent-encode non-ASCII bytes and upper-case escapes, to compare with URL paths as the URL
/// parser serialises them.
fn normalise_pattern(p: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.len());
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            out.extend([b'%', b[i + 1].to_ascii_uppercase(), b[i + 2].to_ascii_uppercase()]);
            i += 3;
            continue;
        }
        if c.is_ascii() && !c.is_ascii_control() && c != b' ' {
            out.push(c);
        } else {
            out.extend(format!("%{c:02X}").bytes());
        }
        i += 1;
    }
    out
}

fn rule_matches(rule: &Rule, path: &[u8]) -> bool {
    wildcard_match(&rule.pattern, path, rule.anchored)
}

/// `*` matches any run of bytes; unless `anchored`, the pattern only has to match a prefix.
fn wildcard_match(pattern: &[u8], text: &[u8], anchored: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p == pattern.len() && !anchored {
            return true;
        }
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "ArchiveChainBot";

    fn allowed(p: &RobotsPolicy, path: &str) -> bool {
        p.check(path).allowed
    }

    #[test]
    fn picks_our_group_over_star_and_merges_duplicates() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: archivechainbot/2.0\nDisallow: /private\n\nUser-agent: ArchiveChainBot\nDisallow: /tmp\nCrawl-delay: 2.5\n";
        let p = RobotsPolicy::parse(txt, TOKEN);
        assert!(allowed(&p, "/public/page"));
        assert!(!allowed(&p, "/private/x"));
        assert!(!allowed(&p, "/tmp/x"));
        assert_eq!(p.crawl_delay(), Some(Duration::from_millis(2500)));
        assert_eq!(p.check("/private/x").summary, "disallowed by \"Disallow: /private\" (group \"archivechainbot\")");
    }

    #[test]
    fn star_group_and_shared_agent_lines() {
        let txt = b"# comment\nUser-agent: otherbot\nUser-agent: *\nDisallow: /cgi-bin/ # trailing\n\nUser-agent: otherbot2\nDisallow: /\n";
        let p = RobotsPolicy::parse(txt, TOKEN);
        assert!(!allowed(&p, "/cgi-bin/run"));
        assert!(allowed(&p, "/index.html"));
        assert_eq!(p.check("/index.html").summary, "allowed: no matching rule (group \"*\")");
        assert_eq!(p.crawl_delay(), None);
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let txt = b"User-agent: *\nDisallow: /shop\nAllow: /shop/public\nDisallow: /shop/public/secret\nAllow: /page\nDisallow: /page\n";
        let p = RobotsPolicy::parse(txt, TOKEN);
        assert!(!allowed(&p, "/shop/cart"));
        assert!(allowed(&p, "/shop/public/item"));
        assert!(!allowed(&p, "/shop/public/secret/1"));
        assert!(allowed(&p, "/page"), "equal length: Allow wins");
    }

    #[test]
    fn wildcards_and_end_anchor() {
        let txt = b"User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sessionid=\nDisallow: /a*b*c\nAllow: /fish*\n";
        let p = RobotsPolicy::parse(txt, TOKEN);
        assert!(!allowed(&p, "/docs/file.pdf"));
        assert!(allowed(&p, "/docs/file.pdf?download=1"), "$ anchors at the end");
        assert!(!allowed(&p, "/cart?sessionid=42"));
        assert!(!allowed(&p, "/axxbyyc/zz"));
        assert!(allowed(&p, "/acb"));
        assert!(allowed(&p, "/fish.html"));
    }

    #[test]
    fn empty_disallow_allows_everything_and_robots_txt_always_allowed() {
        let p = RobotsPolicy::parse(b"User-agent: *\nDisallow:\n", TOKEN);
        assert!(allowed(&p, "/anything"));
        let all = RobotsPolicy::parse(b"User-agent: *\nDisallow: /\n", TOKEN);
        assert!(!allowed(&all, "/"));
        assert!(allowed(&all, "/robots.txt"));
    }

    #[test]
    fn no_group_garbage_and_non_ascii() {
        let p = RobotsPolicy::parse(b"Disallow: /\n\xff\xfe garbage\n", TOKEN);
        assert!(allowed(&p, "/x"), "rules before any User-agent are ignored");
        let p = RobotsPolicy::parse("User-agent: *\nDisallow: /café\n".as_bytes(), TOKEN);
        assert!(!allowed(&p, "/caf%C3%A9/menu"));
        let p = RobotsPolicy::parse(b"User-agent: *\nCrawl-delay: abc\nCrawl-delay: -1\n", TOKEN);
        assert_eq!(p.crawl_delay(), None);
    }

    #[test]
    fn allow_and_disallow_all() {
        let a = RobotsPolicy::allow_all("robots.txt returned 404");
        assert_eq!(a.check("/x").summary, "allowed: robots.txt returned 404");
        let d = RobotsPolicy::disallow_all("robots.txt returned 503");
        assert!(d.is_disallow_all());
        assert!(!d.check("/x").allowed);
    }

    #[test]
    fn wildcard_matcher_edge_cases() {
        assert!(wildcard_match(b"/", b"/anything", false));
        assert!(wildcard_match(b"*", b"", false));
        assert!(!wildcard_match(b"/a", b"/", false));
        assert!(wildcard_match(b"/a*", b"/a", true));
        assert!(!wildcard_match(b"/a", b"/ab", true));
        assert!(wildcard_match(b"/*/*/z", b"/x/y/z", true));
    }
}
