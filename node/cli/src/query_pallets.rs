//! `archivechain query gov|identity …`: read pallet storage over `state_getStorage` and print
//! it (human output, or `--json`).

use anyhow::anyhow;
use archive_pallet_governance::{storage as gov_storage, ProposalInfo, ProposalStatus};
use archive_pallet_parameters::{Parameter, Unit};
use archive_primitives::AccountId20;
use clap::Subcommand;
use parity_scale_codec::Decode;
use serde_json::{json, Value};

use crate::{amount::format_arc, client_cmds::RpcArgs, output, rpc_client::RpcClient};

/// `archivechain query gov …`.
#[derive(Subcommand, Debug)]
pub enum GovQuery {
    /// All proposals (open ones first) with tallies and time left.
    Proposals {
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// One proposal.
    Proposal {
        /// The proposal number.
        id: u32,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// Every chain parameter with its current value, default and range.
    Parameters {
        #[command(flatten)]
        rpc: RpcArgs,
    },
}

async fn read<T: Decode>(rpc: &RpcClient, key: &[u8], what: &str) -> anyhow::Result<Option<T>> {
    match rpc.storage(key, None).await? {
        Some(bytes) => Ok(Some(T::decode(&mut &bytes[..]).map_err(|e| anyhow!("cannot decode {what}: {e}"))?)),
        None => Ok(None),
    }
}

fn param_text(p: Parameter, v: u128) -> String {
    match p.unit() {
        Unit::Balance => format_arc(v),
        Unit::Perbill => archive_primitives::Perbill::from_parts(u32::try_from(v).unwrap_or(u32::MAX)).to_string(),
        Unit::Blocks => format!("{v} blocks"),
        Unit::Eras => format!("{v} eras"),
        Unit::Count => v.to_string(),
    }
}

fn proposal_json(id: u32, p: &ProposalInfo, now: u32, slot_ms: u64) -> Value {
    let left = p.voting_end.saturating_sub(now);
    json!({
        "id": id,
        "proposer": p.proposer.to_string(),
        "proposal": format!("{:?}", p.proposal),
        "deposit": p.deposit.to_string(),
        "submitted": p.submitted,
        "voting_end": p.voting_end,
        "status": format!("{:?}", p.status),
        "ayes": p.tally.ayes.to_string(),
        "nays": p.tally.nays.to_string(),
        "turnout": p.tally.turnout.to_string(),
        "blocks_left": if matches!(p.status, ProposalStatus::Ongoing) { Some(left) } else { None },
        "seconds_left": if matches!(p.status, ProposalStatus::Ongoing) { Some(u64::from(left) * slot_ms / 1000) } else { None },
    })
}

fn print_proposal(id: u32, p: &ProposalInfo, now: u32, slot_ms: u64) {
    let left = p.voting_end.saturating_sub(now);
    let status = match p.status {
        ProposalStatus::Ongoing => format!("open, {left} blocks (~{} s) left", u64::from(left) * slot_ms / 1000),
        other => format!("{other:?}"),
    };
    output::print_fields(&[
        ("proposal", format!("#{id}")),
        ("what", format!("{:?}", p.proposal)),
        ("proposer", p.proposer.to_string()),
        ("deposit", format_arc(p.deposit)),
        ("status", status),
        ("ayes", format_arc(p.tally.ayes)),
        ("nays", format_arc(p.tally.nays)),
        ("turnout", format_arc(p.tally.turnout)),
        ("voting", format!("blocks #{}..#{}", p.submitted, p.voting_end)),
    ]);
}

/// Runs `query gov …`.
///
/// # Errors
/// RPC failures, undecodable storage, an unknown proposal.
pub async fn gov(cmd: GovQuery) -> anyhow::Result<()> {
    match cmd {
        GovQuery::Proposals { rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let now = rpc.header(None).await?.map(|h| h.number).unwrap_or(0);
            let slot_ms = slot_ms(&rpc).await;
            let count: u32 =
                read(&rpc, &gov_storage::ProposalCount::key(), "Governance.ProposalCount").await?.unwrap_or(0);
            let mut all = Vec::new();
            for id in (0..count).rev().take(100) {
                if let Some(p) = read::<ProposalInfo>(&rpc, &gov_storage::Proposals::key(&id), "a proposal").await? {
                    all.push((id, p));
                }
            }
            all.sort_by_key(|(id, p)| (!matches!(p.status, ProposalStatus::Ongoing), std::cmp::Reverse(*id)));
            if json_out {
                output::print_json(&Value::Array(
                    all.iter().map(|(id, p)| proposal_json(*id, p, now, slot_ms)).collect(),
                ));
            } else if all.is_empty() {
                println!("no proposals");
            } else {
                for (id, p) in &all {
                    print_proposal(*id, p, now, slot_ms);
                    println!();
                }
            }
        }
        GovQuery::Proposal { id, rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let now = rpc.header(None).await?.map(|h| h.number).unwrap_or(0);
            let slot_ms = slot_ms(&rpc).await;
            let p = read::<ProposalInfo>(&rpc, &gov_storage::Proposals::key(&id), "a proposal")
                .await?
                .ok_or_else(|| anyhow!("no proposal #{id}"))?;
            if json_out {
                output::print_json(&proposal_json(id, &p, now, slot_ms));
            } else {
                print_proposal(id, &p, now, slot_ms);
            }
        }
        GovQuery::Parameters { rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let mut rows = Vec::new();
            for p in Parameter::ALL {
                let stored: Option<u128> =
                    read(&rpc, &archive_pallet_parameters::Values::key(&p), "a parameter").await?;
                let v = stored.filter(|v| p.accepts(*v)).unwrap_or(p.default_value());
                rows.push((p, v));
            }
            if json_out {
                let out: Vec<Value> = rows
                    .iter()
                    .map(|(p, v)| {
                        let (lo, hi) = p.range();
                        json!({ "name": p.name(), "value": v.to_string(), "default": p.default_value().to_string(),
                                "min": lo.to_string(), "max": hi.to_string(), "text": param_text(*p, *v) })
                    })
                    .collect();
                output::print_json(&Value::Array(out));
            } else {
                let width = rows.iter().map(|(p, _)| p.name().len()).max().unwrap_or(0);
                for (p, v) in rows {
                    let marker = if v == p.default_value() { "" } else { "  (changed by governance)" };
                    println!("{:width$}  {}{marker}", p.name(), param_text(p, v));
                }
            }
        }
    }
    Ok(())
}

/// The chain's slot duration (for "time left"): `system_properties.slotDurationMs`, else 3 s.
async fn slot_ms(rpc: &RpcClient) -> u64 {
    rpc.call::<Value>("system_properties", vec![])
        .await
        .ok()
        .and_then(|p| p.get("slotDurationMs").and_then(Value::as_u64))
        .unwrap_or(3000)
}

/// Runs `query identity <address>`.
///
/// # Errors
/// RPC failures or undecodable storage.
pub async fn identity(who: AccountId20, rpc: RpcArgs) -> anyhow::Result<()> {
    let json_out = rpc.json;
    let rpc = rpc.connect().await?;
    let reg: Option<archive_pallet_identity::Registration> =
        read(&rpc, &archive_pallet_identity::storage::IdentityOf::key(&who), "Identity.IdentityOf").await?;
    let bits: u8 =
        read(&rpc, &archive_pallet_identity::storage::Roles::key(&who), "Identity.Roles").await?.unwrap_or(0);
    let granted: Vec<archive_pallet_identity::Role> =
        archive_pallet_identity::Role::ALL.into_iter().filter(|r| bits & r.bit() != 0).collect();
    let effective: Vec<&str> =
        archive_pallet_identity::effective_roles(bits, reg.is_some()).into_iter().map(|r| r.name()).collect();
    let display = reg.as_ref().map(|r| String::from_utf8_lossy(&r.info.display).into_owned());
    let web = reg.as_ref().and_then(|r| r.info.web.as_ref()).map(|w| String::from_utf8_lossy(w).into_owned());
    let email = reg.as_ref().and_then(|r| r.info.email_hash).map(|h| format!("0x{}", hex::encode(h)));
    if json_out {
        output::print_json(&json!({
            "address": who.to_string(),
            "registered": reg.is_some(),
            "display": display, "web": web, "email_hash": email,
            "deposit": reg.as_ref().map(|r| r.deposit.to_string()),
            "granted_roles": granted.iter().map(|r| r.name()).collect::<Vec<_>>(),
            "roles": effective,
        }));
    } else {
        output::print_fields(&[
            ("address", who.to_string()),
            ("display", display.unwrap_or_else(|| "(no identity)".into())),
            ("web", web.unwrap_or_default()),
            ("email hash", email.unwrap_or_default()),
            ("deposit", reg.as_ref().map(|r| format_arc(r.deposit)).unwrap_or_default()),
            ("granted roles", granted.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")),
            ("roles", effective.join(", ")),
        ]);
    }
    Ok(())
}

/// `archivechain query staking …`.
#[derive(Subcommand, Debug)]
pub enum StakingQuery {
    /// Validator candidates with their Proof-of-Archive score and its four parts; the active
    /// set is marked.
    Validators {
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// An account's staking ledger: bonded, active, unlocking chunks, and slashes.
    Ledger {
        /// The account.
        #[arg(value_parser = crate::client_cmds::parse_address)]
        address: AccountId20,
        #[command(flatten)]
        rpc: RpcArgs,
    },
    /// The current era, when it started and when the next election is due.
    Era {
        #[command(flatten)]
        rpc: RpcArgs,
    },
}

async fn param(rpc: &RpcClient, p: Parameter) -> anyhow::Result<u128> {
    let stored: Option<u128> = read(rpc, &archive_pallet_parameters::Values::key(&p), "a parameter").await?;
    Ok(stored.filter(|v| p.accepts(*v)).unwrap_or(p.default_value()))
}

/// Runs `query staking …`.
///
/// # Errors
/// RPC failures or undecodable storage.
pub async fn staking(cmd: StakingQuery) -> anyhow::Result<()> {
    use archive_pallet_staking::{storage as st, ActiveEraInfo, PoaScore, StakingLedger, ValidatorPrefs};
    match cmd {
        StakingQuery::Validators { rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let candidates: Vec<AccountId20> =
                read(&rpc, &st::ValidatorList::key(), "Staking.ValidatorList").await?.unwrap_or_default();
            let active: Vec<AccountId20> =
                read(&rpc, &archive_pallet_session::Validators::key(), "Session.Validators").await?.unwrap_or_default();
            let mut all: Vec<AccountId20> = candidates.clone();
            for a in &active {
                if !all.contains(a) {
                    all.push(*a);
                }
            }
            let mut rows = Vec::new();
            for who in all {
                let prefs: Option<ValidatorPrefs> =
                    read(&rpc, &st::Validators::key(&who), "Staking.Validators").await?;
                let score: Option<PoaScore> = read(&rpc, &st::Scores::key(&who), "Staking.Scores").await?;
                let ledger: Option<StakingLedger> = read(&rpc, &st::Ledger::key(&who), "Staking.Ledger").await?;
                rows.push((who, prefs, score, ledger));
            }
            rows.sort_by_key(|(who, _, s, _)| (std::cmp::Reverse(s.map(|s| s.total).unwrap_or_default()), *who));
            if json_out {
                let out: Vec<Value> = rows
                    .iter()
                    .map(|(who, prefs, s, l)| {
                        json!({
                            "address": who.to_string(),
                            "active": active.contains(who),
                            "candidate": prefs.is_some(),
                            "commission_parts": prefs.map(|p| p.commission.deconstruct()),
                            "bonded": l.as_ref().map(|l| l.active.to_string()),
                            "score": s.map(|s| json!({
                                "total_parts": s.total.deconstruct(), "archives_parts": s.archives.deconstruct(),
                                "quality_parts": s.quality.deconstruct(), "stake_parts": s.stake.deconstruct(),
                                "uptime_parts": s.uptime.deconstruct(), "era": s.era,
                            })),
                        })
                    })
                    .collect();
                output::print_json(&Value::Array(out));
            } else {
                println!("score = 0.3·archives + 0.4·quality + 0.2·stake + 0.1·uptime (each normalised to [0,1] across candidates)");
                println!(
                    "{:44} {:6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}  bonded",
                    "validator", "set", "score", "archives", "quality", "stake", "uptime", "commission"
                );
                for (who, prefs, s, l) in &rows {
                    let f =
                        |p: Option<archive_primitives::Perbill>| p.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
                    println!(
                        "{:44} {:6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}  {}",
                        who.to_string(),
                        if active.contains(who) {
                            "active"
                        } else if prefs.is_some() {
                            "wait"
                        } else {
                            "leave"
                        },
                        f(s.map(|s| s.total)),
                        f(s.map(|s| s.archives)),
                        f(s.map(|s| s.quality)),
                        f(s.map(|s| s.stake)),
                        f(s.map(|s| s.uptime)),
                        f(prefs.map(|p| p.commission)),
                        l.as_ref().map(|l| format_arc(l.active)).unwrap_or_else(|| "-".into()),
                    );
                }
            }
        }
        StakingQuery::Ledger { address, rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let ledger: Option<StakingLedger> = read(&rpc, &st::Ledger::key(&address), "Staking.Ledger").await?;
            let slashes: Vec<archive_pallet_staking::SlashRecord> =
                read(&rpc, &st::Slashes::key(&address), "Staking.Slashes").await?.unwrap_or_default();
            let era: ActiveEraInfo = read(&rpc, &st::ActiveEra::key(), "Staking.ActiveEra").await?.unwrap_or_default();
            if json_out {
                output::print_json(&json!({
                    "address": address.to_string(),
                    "bonded": ledger.is_some(),
                    "total": ledger.as_ref().map(|l| l.total.to_string()),
                    "active": ledger.as_ref().map(|l| l.active.to_string()),
                    "unlocking": ledger.as_ref().map(|l| l.unlocking.iter().map(|c| json!({"value": c.value.to_string(), "era": c.era})).collect::<Vec<_>>()),
                    "current_era": era.index,
                    "slashes": slashes.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>(),
                }));
            } else if let Some(l) = ledger {
                let unlocking: Vec<String> = l
                    .unlocking
                    .iter()
                    .map(|c| {
                        format!(
                            "{} (era {}{})",
                            format_arc(c.value),
                            c.era,
                            if c.era <= era.index { ", withdrawable" } else { "" }
                        )
                    })
                    .collect();
                output::print_fields(&[
                    ("address", address.to_string()),
                    ("total bonded", format_arc(l.total)),
                    ("active", format_arc(l.active)),
                    ("unlocking", if unlocking.is_empty() { "-".into() } else { unlocking.join(", ") }),
                    ("current era", era.index.to_string()),
                    ("slashes", if slashes.is_empty() { "none".into() } else { format!("{slashes:?}") }),
                ]);
            } else {
                println!("{address} has not bonded");
            }
        }
        StakingQuery::Era { rpc } => {
            let json_out = rpc.json;
            let rpc = rpc.connect().await?;
            let now = rpc.header(None).await?.map(|h| h.number).unwrap_or(0);
            let era: ActiveEraInfo = read(&rpc, &st::ActiveEra::key(), "Staking.ActiveEra").await?.unwrap_or_default();
            let length = param(&rpc, Parameter::EraLength).await?;
            let next = u128::from(era.start).saturating_add(length);
            let active: Vec<AccountId20> =
                read(&rpc, &archive_pallet_session::Validators::key(), "Session.Validators").await?.unwrap_or_default();
            if json_out {
                output::print_json(&json!({
                    "era": era.index, "start": era.start, "length": length.to_string(), "best": now,
                    "next_election_at": next.to_string(),
                    "validators": active.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
                }));
            } else {
                output::print_fields(&[
                    ("era", era.index.to_string()),
                    ("started at", format!("#{}", era.start)),
                    ("length", format!("{length} blocks")),
                    ("next election", format!("end of block #{} (best is #{now})", next.saturating_sub(1))),
                    ("validators", active.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")),
                ]);
            }
        }
    }
    Ok(())
}
