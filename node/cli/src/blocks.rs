//! `export-blocks` / `import-blocks`: a file of SCALE-encoded blocks, each prefixed by its
//! length as a little-endian u32.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Read, Write},
    path::PathBuf,
};

use anyhow::{bail, Context};
use archive_primitives::Block;
use archive_storage::StatePruning;
use clap::Args;
use parity_scale_codec::{Decode, Encode};

use crate::node::ChainArgs;

/// Largest block accepted from a file (a block is at most 5 MiB of extrinsics plus header).
const MAX_BLOCK_BYTES: u32 = 8 * 1024 * 1024;

/// `export-blocks` options.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// First block (default 1).
    #[arg(long, default_value_t = 1)]
    pub from: u32,
    /// Last block (default: best).
    #[arg(long)]
    pub to: Option<u32>,
    /// Output file.
    pub output: PathBuf,
}

/// Writes canonical blocks `from..=to`.
pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let client = crate::node::open_client(&args.chain, StatePruning::default())?;
    let to = args.to.unwrap_or(client.info().best_number);
    let mut out =
        BufWriter::new(File::create(&args.output).with_context(|| format!("cannot create {}", args.output.display()))?);
    let mut n = 0u32;
    for number in args.from.max(1)..=to {
        let hash = client.hash_at(number)?.with_context(|| format!("block #{number} is not in the database"))?;
        let block = client.block(&hash)?.with_context(|| format!("block #{number} body missing"))?;
        let bytes = block.encode();
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(&bytes)?;
        n += 1;
    }
    out.flush()?;
    eprintln!("exported {n} blocks to {}", args.output.display());
    Ok(())
}

/// `import-blocks` options.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Input file written by export-blocks.
    pub input: PathBuf,
    /// State pruning of the database being written.
    #[arg(long, default_value = "256")]
    pub state_pruning: StatePruning,
}

/// Verifies, re-executes and imports each block of the file.
pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let client = crate::node::open_client(&args.chain, args.state_pruning)?;
    let file = File::open(&args.input).with_context(|| format!("cannot open {}", args.input.display()))?;
    let mut rd = BufReader::new(file);
    let (mut imported, mut known) = (0u32, 0u32);
    let start = std::time::Instant::now();
    loop {
        let mut len = [0u8; 4];
        match rd.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.into()),
        }
        let len = u32::from_le_bytes(len);
        if len > MAX_BLOCK_BYTES {
            bail!("corrupt file: block {} claims {len} bytes (max {MAX_BLOCK_BYTES})", imported + known + 1);
        }
        let mut buf = vec![0u8; len as usize];
        rd.read_exact(&mut buf).context("truncated file")?;
        let block = Block::decode(&mut &buf[..]).context("corrupt block encoding")?;
        let number = block.header.number;
        // Known blocks still go through import: it checks their body against the header.
        let was_known = client.header(&block.hash())?.is_some();
        let single = client.validators().len() == 1;
        client.import_block(block, None, single).with_context(|| format!("block #{number} rejected"))?;
        if was_known {
            known += 1;
            continue;
        }
        imported += 1;
        if imported % 500 == 0 {
            eprintln!(
                "imported {imported} blocks (#{number}), {:.0} blocks/s",
                imported as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!(
        "imported {imported} blocks ({known} already known) in {:.1}s; best is #{}",
        start.elapsed().as_secs_f64(),
        client.info().best_number
    );
    Ok(())
}
