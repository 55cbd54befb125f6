//! [`StoreConfig`]: rollover size, `warcinfo` fields and read limits.

use crate::{
    error::{Result, WarcError},
    reader::{ReaderLimits, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_RECORD_BYTES},
};

/// Default size at which a new WARC file is started: 1 GiB, the customary WARC file size.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// Settings of a [`crate::WarcStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// A new file is started when a batch would take the current one past this size (a file
    /// always receives at least one capture, so a single larger capture still fits).
    pub max_file_bytes: u64,
    /// `software` field of each file's `warcinfo` record.
    pub software: String,
    /// `operator` field of each file's `warcinfo` record (omitted when empty).
    pub operator: String,
    /// Largest record block accepted when reading files back (rebuild, reads, export).
    pub max_record_bytes: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            software: format!("archivechain archive-warc/{}", env!("CARGO_PKG_VERSION")),
            operator: String::new(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

impl StoreConfig {
    /// Sets [`StoreConfig::max_file_bytes`].
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`StoreConfig::software`].
    pub fn with_software(mut self, software: impl Into<String>) -> Self {
        self.software = software.into();
        self
    }

    /// Sets [`StoreConfig::operator`].
    pub fn with_operator(mut self, operator: impl Into<String>) -> Self {
        self.operator = operator.into();
        self
    }

    /// Sets [`StoreConfig::max_record_bytes`].
    pub fn with_max_record_bytes(mut self, bytes: u64) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Checks the values.
    ///
    /// # Errors
    /// [`WarcError::InvalidConfig`] when `max_file_bytes` or `max_record_bytes` is 0.
    pub fn validate(&self) -> Result<()> {
        if self.max_file_bytes == 0 {
            return Err(WarcError::InvalidConfig { reason: "max_file_bytes must be at least 1".into() });
        }
        if self.max_record_bytes == 0 {
            return Err(WarcError::InvalidConfig { reason: "max_record_bytes must be at least 1".into() });
        }
        Ok(())
    }

    pub(crate) fn limits(&self) -> ReaderLimits {
        ReaderLimits { max_header_bytes: DEFAULT_MAX_HEADER_BYTES, max_record_bytes: self.max_record_bytes }
    }

    /// The `warcinfo` block fields.
    pub(crate) fn warcinfo_fields(&self) -> Vec<(&str, &str)> {
        let mut fields = vec![
            ("software", self.software.as_str()),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        ];
        if !self.operator.is_empty() {
            fields.push(("operator", self.operator.as_str()));
        }
        fields
    }
}
