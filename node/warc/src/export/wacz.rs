//! Export as a WACZ 1.1.1 package (a zip readable by ReplayWeb.page and `wacz validate`).

use std::{
    fs::{self, File},
    io::{self, BufWriter, Write},
    path::Path,
};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::{write::SimpleFileOptions, CompressionMethod, ZipWriter};

use super::{
    pages::PAGES_HEADER,
    warc::{now_ms, ExportSummary, Exported},
};
use crate::{
    digest::{hex_digest, sha256},
    error::{Result, WarcError},
    store::sorted_text,
    time::{rfc3339_secs, ymdhms},
    WarcStore,
};

/// `wacz_version` written to `datapackage.json`.
pub const WACZ_VERSION: &str = "1.1.1";
/// Paths inside the package.
const DATA_PATH: &str = "archive/data.warc.gz";
const DATA_NAME: &str = "data.warc.gz";
const INDEX_PATH: &str = "indexes/index.cdx";
const PAGES_PATH: &str = "pages/pages.jsonl";
const DATAPACKAGE_PATH: &str = "datapackage.json";
const DIGEST_PATH: &str = "datapackage-digest.json";

#[derive(Serialize)]
struct Resource {
    name: String,
    path: String,
    hash: String,
    bytes: u64,
}

#[derive(Serialize)]
struct DataPackage<'a> {
    profile: &'a str,
    resources: Vec<Resource>,
    created: String,
    wacz_version: &'a str,
    software: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct DataPackageDigest {
    path: &'static str,
    hash: String,
}

/// A writer that hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn resource(path: &str, hash: [u8; 32], bytes: u64) -> Resource {
    Resource {
        name: path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase(),
        path: path.to_string(),
        hash: hex_digest(&hash),
        bytes,
    }
}

/// `pages/pages.jsonl`: the header line, then one line per page.
fn pages_jsonl(exported: &Exported) -> Result<String> {
    let mut text = format!("{PAGES_HEADER}\n");
    for p in &exported.pages {
        text.push_str(&serde_json::to_string(p)?);
        text.push('\n');
    }
    Ok(text)
}

impl WarcStore {
    /// Writes a WACZ 1.1.1 package of the captures since `since` to `out`: `archive/data.warc.gz`
    /// (the [`WarcStore::export_warc`] data, stored uncompressed in the zip so offsets work),
    /// `indexes/index.cdx` (sorted CDXJ into that file), `pages/pages.jsonl`,
    /// `datapackage.json` (sha256 hex hash and size of each resource) and
    /// `datapackage-digest.json`. The file appears atomically.
    ///
    /// # Errors
    /// [`WarcError::Io`], [`WarcError::Zip`], [`WarcError::Json`].
    pub fn export_wacz(&mut self, out: &Path, since: Option<u64>) -> Result<ExportSummary> {
        self.export_wacz_at(out, since, now_ms())
    }

    /// [`WarcStore::export_wacz`] with `created` (and zip entry times) set to `created_ms`.
    ///
    /// # Errors
    /// As [`WarcStore::export_wacz`].
    pub fn export_wacz_at(&mut self, out: &Path, since: Option<u64>, created_ms: u64) -> Result<ExportSummary> {
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("export.wacz").to_string();
        let data_tmp = out.with_file_name(format!(".{name}.data.partial"));
        let zip_tmp = out.with_file_name(format!(".{name}.partial"));
        let result = self.write_wacz(&data_tmp, &zip_tmp, since, created_ms);
        let _ = fs::remove_file(&data_tmp);
        match result {
            Ok(summary) => {
                fs::rename(&zip_tmp, out).map_err(|e| WarcError::io(out, e))?;
                Ok(summary)
            }
            Err(e) => {
                let _ = fs::remove_file(&zip_tmp);
                Err(e)
            }
        }
    }

    fn write_wacz(
        &mut self,
        data_tmp: &Path,
        zip_tmp: &Path,
        since: Option<u64>,
        created_ms: u64,
    ) -> Result<ExportSummary> {
        let data_io = |e| WarcError::io(data_tmp, e);
        let zip_io = |e| WarcError::io(zip_tmp, e);
        let mut w = BufWriter::new(File::create(data_tmp).map_err(data_io)?);
        let exported = self.write_export(&mut w, DATA_NAME, since, created_ms)?;
        w.into_inner().map_err(|e| data_io(e.into_error()))?.sync_all().map_err(data_io)?;

        let (y, mo, d, h, mi, s) = ymdhms(created_ms);
        let time = zip::DateTime::from_date_and_time(y, mo, d, h, mi, s).unwrap_or_default();
        let stored = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(time)
            .large_file(exported.summary.bytes > u64::from(u32::MAX));
        let deflated =
            SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(time);

        let mut zip = ZipWriter::new(BufWriter::new(File::create(zip_tmp).map_err(zip_io)?));
        let mut resources = Vec::new();

        zip.start_file(DATA_PATH, stored)?;
        let mut hashing = Hashing { inner: &mut zip, hasher: Sha256::new(), bytes: 0 };
        let mut data = File::open(data_tmp).map_err(data_io)?;
        io::copy(&mut data, &mut hashing).map_err(zip_io)?;
        let (hash, bytes) = (hashing.hasher.finalize().into(), hashing.bytes);
        resources.push(resource(DATA_PATH, hash, bytes));

        let index = sorted_text(&exported.refs);
        let pages = pages_jsonl(&exported)?;
        for (path, text) in [(INDEX_PATH, index), (PAGES_PATH, pages)] {
            zip.start_file(path, deflated)?;
            zip.write_all(text.as_bytes()).map_err(zip_io)?;
            resources.push(resource(path, sha256(text.as_bytes()), text.len() as u64));
        }

        let package = DataPackage {
            profile: "data-package",
            resources,
            created: rfc3339_secs(created_ms),
            wacz_version: WACZ_VERSION,
            software: &self.config.software,
            title: "ArchiveChain export",
        };
        let package_bytes = serde_json::to_vec_pretty(&package)?;
        zip.start_file(DATAPACKAGE_PATH, deflated)?;
        zip.write_all(&package_bytes).map_err(zip_io)?;
        let digest = DataPackageDigest { path: DATAPACKAGE_PATH, hash: hex_digest(&sha256(&package_bytes)) };
        zip.start_file(DIGEST_PATH, deflated)?;
        zip.write_all(&serde_json::to_vec_pretty(&digest)?).map_err(zip_io)?;
        zip.finish()?.into_inner().map_err(|e| zip_io(e.into_error()))?.sync_all().map_err(zip_io)?;
        Ok(exported.summary)
    }
}
