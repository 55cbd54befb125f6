//! The frontier: URLs waiting to be fetched, per host, breadth-first by depth, plus the set of
//! URLs already seen. Saved as JSON so an interrupted crawl can continue.
//!
//! **Invariant:** every queued URL is in `seen`; a URL is queued at most once per crawl (a
//! cancelled fetch is put back, which is the only re-queue).

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::CrawlError;
use crate::urls::host_key;

/// Version of the JSON layout written by [`Frontier::save`].
const FORMAT_VERSION: u32 = 1;

/// One URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontierEntry {
    /// Normalised absolute URL.
    pub url: String,
    /// Link hops from a seed.
    pub depth: u32,
    /// Redirect hops that led here (0 for links and seeds).
    #[serde(default)]
    pub redirects: u32,
    /// URLs of the redirect chain that led here, oldest first (for loop detection).
    #[serde(default)]
    pub chain: Vec<String>,
}

impl FrontierEntry {
    /// A seed or link entry.
    pub fn new(url: impl Into<String>, depth: u32) -> Self {
        Self { url: url.into(), depth, redirects: 0, chain: Vec::new() }
    }
}

/// Per-host queues (by depth, then discovery order) and the seen set.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    queues: BTreeMap<String, BTreeMap<u32, VecDeque<FrontierEntry>>>,
    seen: HashSet<String>,
    queued: usize,
    pages_done: u64,
    bytes_done: u64,
}

#[derive(Serialize, Deserialize)]
struct FrontierFile {
    format: u32,
    pending: Vec<FrontierEntry>,
    seen: Vec<String>,
    pages_done: u64,
    bytes_done: u64,
}

fn host_of(url: &str) -> Option<String> {
    Url::parse(url).ok().map(|u| host_key(&u))
}

impl Frontier {
    /// An empty frontier.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue an entry unless its URL was seen before. Returns whether it was queued.
    pub fn push(&mut self, entry: FrontierEntry) -> bool {
        if self.seen.contains(&entry.url) {
            return false;
        }
        let Some(host) = host_of(&entry.url) else {
            return false;
        };
        self.seen.insert(entry.url.clone());
        self.enqueue(host, entry, false);
        true
    }

    /// Queue a redirect target ahead of its depth level (so a chain completes promptly), unless
    /// seen. Returns whether it was queued.
    pub(crate) fn push_redirect(&mut self, entry: FrontierEntry) -> bool {
        if self.seen.contains(&entry.url) {
            return false;
        }
        let Some(host) = host_of(&entry.url) else {
            return false;
        };
        self.seen.insert(entry.url.clone());
        self.enqueue(host, entry, true);
        true
    }

    /// Put back an entry whose fetch was cancelled (it stays seen).
    pub(crate) fn requeue(&mut self, entry: FrontierEntry) {
        if let Some(host) = host_of(&entry.url) {
            self.seen.insert(entry.url.clone());
            self.enqueue(host, entry, true);
        }
    }

    fn enqueue(&mut self, host: String, entry: FrontierEntry, front: bool) {
        let level = self.queues.entry(host).or_default().entry(entry.depth).or_default();
        if front {
            level.push_front(entry);
        } else {
            level.push_back(entry);
        }
        self.queued += 1;
    }

    /// The next entry of a host (lowest depth first).
    pub(crate) fn peek(&self, host: &str) -> Option<&FrontierEntry> {
        self.queues.get(host)?.values().find_map(|level| level.front())
    }

    /// Remove and return the next entry of a host.
    pub(crate) fn pop(&mut self, host: &str) -> Option<FrontierEntry> {
        let levels = self.queues.get_mut(host)?;
        let (&depth, level) = levels.iter_mut().next()?;
        let entry = level.pop_front();
        if level.is_empty() {
            levels.remove(&depth);
        }
        if levels.is_empty() {
            self.queues.remove(host);
        }
        if entry.is_some() {
            self.queued -= 1;
        }
        entry
    }

    /// Hosts with queued entries, with the depth of their next entry, lowest depth first.
    pub(crate) fn hosts_by_depth(&self) -> Vec<(u32, String)> {
        let mut hosts: Vec<(u32, String)> =
            self.queues.iter().filter_map(|(h, levels)| levels.keys().next().map(|d| (*d, h.clone()))).collect();
        hosts.sort();
        hosts
    }

    /// Number of queued entries.
    pub fn len(&self) -> usize {
        self.queued
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Whether a (normalised) URL was already queued or fetched in this crawl.
    pub fn is_seen(&self, url: &str) -> bool {
        self.seen.contains(url)
    }

    /// Page fetches done so far (carried across resumes for `max_pages`).
    pub fn pages_done(&self) -> u64 {
        self.pages_done
    }

    /// Body bytes received so far (carried across resumes for `max_total_bytes`).
    pub fn bytes_done(&self) -> u64 {
        self.bytes_done
    }

    pub(crate) fn add_done(&mut self, pages: u64, bytes: u64) {
        self.pages_done += pages;
        self.bytes_done += bytes;
    }

    /// All queued entries, in fetch order per host.
    pub fn pending(&self) -> Vec<FrontierEntry> {
        self.queues.values().flat_map(|levels| levels.values().flatten().cloned()).collect()
    }

    /// Serialise as JSON.
    ///
    /// # Errors
    /// [`CrawlError::FrontierFile`] if serialisation fails (it does not for valid frontiers).
    pub fn to_json(&self) -> Result<String, CrawlError> {
        let mut seen: Vec<String> = self.seen.iter().cloned().collect();
        seen.sort();
        let file = FrontierFile {
            format: FORMAT_VERSION,
            pending: self.pending(),
            seen,
            pages_done: self.pages_done,
            bytes_done: self.bytes_done,
        };
        serde_json::to_string(&file)
            .map_err(|e| CrawlError::FrontierFile { path: String::new(), reason: e.to_string() })
    }

    /// Parse what [`Frontier::to_json`] wrote.
    ///
    /// # Errors
    /// [`CrawlError::FrontierFile`] for invalid JSON or an unknown format version.
    pub fn from_json(json: &str) -> Result<Self, CrawlError> {
        let bad = |reason: String| CrawlError::FrontierFile { path: String::new(), reason };
        let file: FrontierFile = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        if file.format != FORMAT_VERSION {
            return Err(bad(format!("unknown format version {}", file.format)));
        }
        let mut f = Frontier {
            seen: file.seen.into_iter().collect(),
            pages_done: file.pages_done,
            bytes_done: file.bytes_done,
            ..Frontier::default()
        };
        for entry in file.pending {
            if let Some(host) = host_of(&entry.url) {
                f.seen.insert(entry.url.clone());
                f.enqueue(host, entry, false);
            }
        }
        Ok(f)
    }

    /// Write the frontier to `path` atomically (temporary file, then rename).
    ///
    /// # Errors
    /// [`CrawlError::FrontierFile`] on I/O failure.
    pub fn save(&self, path: &Path) -> Result<(), CrawlError> {
        let err = |reason: String| CrawlError::FrontierFile { path: path.display().to_string(), reason };
        let json = self.to_json().map_err(|e| err(e.to_string()))?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, json).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }

    /// Read a frontier written by [`Frontier::save`].
    ///
    /// # Errors
    /// [`CrawlError::FrontierFile`] on I/O failure or invalid content.
    pub fn load(path: &Path) -> Result<Self, CrawlError> {
        let err = |reason: String| CrawlError::FrontierFile { path: path.display().to_string(), reason };
        let json = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        Self::from_json(&json).map_err(|e| match e {
            CrawlError::FrontierFile { reason, .. } => err(reason),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfs_per_host_and_dedup() {
        let mut f = Frontier::new();
        assert!(f.push(FrontierEntry::new("http://a.example/2", 2)));
        assert!(f.push(FrontierEntry::new("http://a.example/1", 1)));
        assert!(f.push(FrontierEntry::new("http://b.example/0", 0)));
        assert!(!f.push(FrontierEntry::new("http://a.example/1", 5)), "dedup");
        assert_eq!(f.len(), 3);
        assert_eq!(f.hosts_by_depth(), vec![(0, "b.example".to_string()), (1, "a.example".to_string())]);
        assert_eq!(f.pop("a.example").map(|e| e.url), Some("http://a.example/1".into()));
        assert_eq!(f.peek("a.example").map(|e| e.depth), Some(2));
        let mut r = FrontierEntry::new("http://a.example/r", 2);
        r.redirects = 1;
        assert!(f.push_redirect(r));
        assert_eq!(f.pop("a.example").map(|e| e.url), Some("http://a.example/r".into()));
        assert!(f.is_seen("http://a.example/1"));
        assert!(!f.push(FrontierEntry::new("not a url", 0)));
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("frontier.json");
        let mut f = Frontier::new();
        f.push(FrontierEntry::new("http://a.example/", 0));
        f.push(FrontierEntry::new("http://a.example/x", 1));
        f.push(FrontierEntry::new("http://b.example/", 0));
        let _ = f.pop("b.example");
        f.add_done(1, 1234);
        f.save(&path).expect("save");
        let g = Frontier::load(&path).expect("load");
        assert_eq!(g.pending(), f.pending());
        assert_eq!(g.len(), 2);
        assert!(g.is_seen("http://b.example/"), "fetched URLs stay seen");
        assert_eq!((g.pages_done(), g.bytes_done()), (1, 1234));
        assert!(matches!(Frontier::load(&dir.path().join("missing.json")), Err(CrawlError::FrontierFile { .. })));
        std::fs::write(&path, "{\"format\":99,\"pending\":[],\"seen\":[],\"pages_done\":0,\"bytes_done\":0}")
            .expect("write");
        assert!(matches!(Frontier::load(&path), Err(CrawlError::FrontierFile { .. })));
    }
}
