//! Prometheus metrics: `GET /metrics` answers in the text exposition format (version 0.0.4).
//!
//! Names follow Substrate's where one exists, so existing node dashboards and alerts work
//! unchanged: `substrate_block_height{status="best"|"finalized"}`,
//! `substrate_sub_libp2p_peers_count`, `substrate_ready_transactions_number`,
//! `substrate_is_major_syncing`, `substrate_build_info`, `substrate_process_start_time_seconds`.
//! ArchiveChain's own are prefixed `archivechain_`: blocks imported, finality lag, pool sizes,
//! and the archive's stored records and indexed documents.
//!
//! The server is deliberately small: one request per connection, a bounded request head read
//! with a timeout, a bounded number of connections; anything but `GET /metrics` (or `/`) gets a
//! 404 or 400. Nothing a client sends can stop it.

use std::{
    fmt::Write as _,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use archive_client::Client;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{broadcast::error::RecvError, watch, Semaphore},
};

use crate::{network::SyncStatus, TxPool};

/// The largest request head read (bytes); longer ones get a 400.
const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 16;

/// Where to serve metrics.
#[derive(Clone, Debug)]
pub struct MetricsConfig {
    /// Address to listen on (default 127.0.0.1:9615).
    pub addr: SocketAddr,
    /// Whether a failure to bind is fatal (the port was asked for explicitly) or only logged
    /// (the default port, which a second node on the same machine finds taken).
    pub required: bool,
}

/// What the metrics are read from.
#[derive(Clone)]
pub(crate) struct Sources {
    pub client: Arc<Client>,
    pub pool: Arc<TxPool>,
    pub network: Option<archive_network::NetworkHandle>,
    pub sync: Arc<SyncStatus>,
    pub archive: Option<Arc<crate::archive::Archive>>,
    pub imported: Arc<AtomicU64>,
    pub started_unix: u64,
}

impl Sources {
    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let info = self.client.info();
        let spec = self.client.spec();
        let mut out = String::with_capacity(2048);
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        metric(
            "substrate_block_height",
            "gauge",
            "Block height info of the chain",
            &[
                ("{status=\"best\"}", f64::from(info.best_number)),
                ("{status=\"finalized\"}", f64::from(info.finalized_number)),
            ],
        );
        metric(
            "archivechain_finality_lag_blocks",
            "gauge",
            "Best block number minus finalized block number",
            &[("", f64::from(info.best_number.saturating_sub(info.finalized_number)))],
        );
        metric(
            "archivechain_blocks_imported_total",
            "counter",
            "Blocks imported (authored, gossiped or synced) since the node started",
            &[("", self.imported.load(Ordering::Relaxed) as f64)],
        );
        let peers = self.network.as_ref().map_or(0, |n| n.peers().len());
        metric("substrate_sub_libp2p_peers_count", "gauge", "Number of connected peers", &[("", peers as f64)]);
        let syncing = self.sync.syncing.load(Ordering::Acquire);
        metric(
            "substrate_is_major_syncing",
            "gauge",
            "Whether the node is catching up with the network (range sync)",
            &[("", if syncing { 1.0 } else { 0.0 })],
        );
        let pool = self.pool.status();
        metric(
            "substrate_ready_transactions_number",
            "gauge",
            "Number of transactions in the ready queue",
            &[("", pool.ready as f64)],
        );
        metric(
            "archivechain_txpool_transactions",
            "gauge",
            "Transactions in the pool by queue",
            &[("{queue=\"ready\"}", pool.ready as f64), ("{queue=\"future\"}", pool.future as f64)],
        );
        if let Some(archive) = &self.archive {
            let (records, docs) = archive.counts();
            metric(
                "archivechain_archive_records",
                "gauge",
                "WARC records in this node's content-addressed store",
                &[("", records as f64)],
            );
            metric(
                "archivechain_search_documents",
                "gauge",
                "Documents in this node's search index",
                &[("", docs as f64)],
            );
        }
        let build = format!(
            "{{name=\"archivechain\",version=\"{}\",chain=\"{}\"}}",
            env!("CARGO_PKG_VERSION"),
            escape_label(&spec.id)
        );
        metric(
            "substrate_build_info",
            "gauge",
            "A metric with a constant 1 value labeled by version",
            &[(&build, 1.0)],
        );
        metric(
            "substrate_process_start_time_seconds",
            "gauge",
            "Number of seconds between the UNIX epoch and the moment the process started",
            &[("", self.started_unix as f64)],
        );
        out
    }
}

/// A label value with `\`, `"` and newlines escaped, as the exposition format requires.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Binds the metrics listener.
///
/// # Errors
/// The bind error, when `config.required`; otherwise a bind failure is logged and `Ok(None)`.
pub(crate) async fn bind(config: &MetricsConfig) -> Result<Option<TcpListener>, crate::Error> {
    match TcpListener::bind(config.addr).await {
        Ok(l) => Ok(Some(l)),
        Err(e) if config.required => Err(crate::Error::Metrics {
            reason: format!(
                "cannot listen on {}: {e} (choose another --prometheus-port, or --no-prometheus)",
                config.addr
            ),
        }),
        Err(e) => {
            tracing::warn!(addr = %config.addr, error = %e, "Prometheus metrics disabled: cannot listen (another node on this machine?); use --prometheus-port");
            Ok(None)
        }
    }
}

/// Counts imported blocks until shutdown.
pub(crate) async fn count_imports(client: Arc<Client>, imported: Arc<AtomicU64>, mut shutdown: watch::Receiver<bool>) {
    let mut imports = client.import_notifications();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            msg = imports.recv() => match msg {
                Ok(_) => { imported.fetch_add(1, Ordering::Relaxed); }
                Err(RecvError::Lagged(n)) => { imported.fetch_add(n, Ordering::Relaxed); }
                Err(RecvError::Closed) => break,
            },
        }
    }
}

/// Serves `GET /metrics` on `listener` until shutdown.
pub(crate) async fn serve(listener: TcpListener, sources: Sources, mut shutdown: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::debug!(error = %e, "metrics accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().acquire_owned().await else { break };
        let sources = sources.clone();
        tokio::spawn(async move {
            if let Err(e) = answer(stream, &sources).await {
                tracing::debug!(%peer, error = %e, "metrics request failed");
            }
            drop(permit);
        });
    }
}

/// Reads one request head and answers it.
async fn answer(mut stream: TcpStream, sources: &Sources) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let complete = tokio::time::timeout(READ_TIMEOUT, async {
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(false);
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Ok(true);
            }
            if head.len() > MAX_REQUEST_HEAD {
                return Ok(false);
            }
        }
    })
    .await
    .unwrap_or(Ok(false))?;
    let request_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut parts = std::str::from_utf8(request_line).unwrap_or("").split_whitespace();
    let (status, content_type, body) = match (complete, parts.next(), parts.next()) {
        (false, _, _) => ("400 Bad Request", "text/plain", "bad request\n".to_string()),
        (true, Some("GET"), Some("/metrics" | "/")) => {
            let s = sources.clone();
            let body = tokio::task::spawn_blocking(move || s.render()).await.unwrap_or_default();
            ("200 OK", "text/plain; version=0.0.4; charset=utf-8", body)
        }
        (true, Some("GET"), _) => ("404 Not Found", "text/plain", "only /metrics is served here\n".to_string()),
        (true, _, _) => ("405 Method Not Allowed", "text/plain", "only GET is served here\n".to_string()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
    }
}
