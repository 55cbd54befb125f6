//! Database configuration: where it lives, how much state history it keeps, cache size.

use std::{fmt, path::PathBuf, str::FromStr};

/// How much state history the database keeps.
///
/// The mode may change between runs: switching to `Archive` stops pruning (states already
/// pruned stay gone); switching to `KeepBlocks` prunes the blocks committed from then on
/// (states committed in archive mode are kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatePruning {
    /// Keep every state ever committed; trie nodes are never deleted.
    Archive,
    /// Keep the states of the last `n` best blocks (plus the one just before them); older states
    /// and forks that branch off below them may become unavailable. Pruning follows the best
    /// chain, so a re-org that would reach more than `n` blocks back is refused. `n` must be at
    /// least 1.
    KeepBlocks(u32),
}

impl Default for StatePruning {
    /// `KeepBlocks(256)`.
    fn default() -> Self {
        StatePruning::KeepBlocks(256)
    }
}

impl fmt::Display for StatePruning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatePruning::Archive => f.write_str("archive"),
            StatePruning::KeepBlocks(n) => write!(f, "{n}"),
        }
    }
}

/// The string given to [`StatePruning::from_str`] is neither `archive` nor a positive number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid state pruning mode `{input}`: expected `archive` or a number of blocks >= 1")]
pub struct ParseStatePruningError {
    /// The rejected input.
    pub input: String,
}

impl FromStr for StatePruning {
    type Err = ParseStatePruningError;

    /// Parses `archive` (any case) or a block count `N >= 1` (`KeepBlocks(N)`).
    ///
    /// # Errors
    /// [`ParseStatePruningError`] for anything else, including `0`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("archive") {
            return Ok(StatePruning::Archive);
        }
        match s.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(StatePruning::KeepBlocks(n)),
            _ => Err(ParseStatePruningError { input: s.to_owned() }),
        }
    }
}

/// How to open a [`crate::Database`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// The database directory. Created if missing; it must be empty or hold a database of ours.
    pub path: PathBuf,
    /// State history retention.
    pub state_pruning: StatePruning,
    /// Size of RocksDB's block cache, in MiB (shared by all columns).
    pub cache_size_mb: usize,
}

impl DatabaseConfig {
    /// A configuration for `path` with the default pruning (`KeepBlocks(256)`) and a 128 MiB cache.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DatabaseConfig { path: path.into(), state_pruning: StatePruning::default(), cache_size_mb: 128 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_parses_and_displays() {
        assert_eq!("archive".parse(), Ok(StatePruning::Archive));
        assert_eq!("Archive".parse(), Ok(StatePruning::Archive));
        assert_eq!("16".parse(), Ok(StatePruning::KeepBlocks(16)));
        assert!("0".parse::<StatePruning>().is_err());
        assert!("-1".parse::<StatePruning>().is_err());
        assert!("full".parse::<StatePruning>().is_err());
        assert_eq!(StatePruning::default(), StatePruning::KeepBlocks(256));
        assert_eq!(StatePruning::KeepBlocks(9).to_string(), "9");
        assert_eq!(StatePruning::Archive.to_string(), "archive");
    }
}
