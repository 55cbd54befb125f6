//! `archivechain tx identity|staking|gov …`: build the pallet call, sign it locally, submit it
//! and follow it like `tx transfer` (progress until finalized, then the block and the events).

use anyhow::bail;
use archive_primitives::{AccountId20, Balance};
use archive_runtime::RuntimeCall;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::{
    amount::{format_arc, parse_amount_arg},
    client_cmds::{self, era_text, KeystoreArgs, RpcArgs},
    tx::{estimate_fee, sign, submit_and_watch, Wait},
};

/// Signing and waiting options shared by every pallet transaction.
#[derive(Args, Debug, Clone)]
pub struct SignArgs {
    /// The signer: an address in the keystore, a key file, or a dev account name.
    #[arg(long, value_name = "WHO")]
    pub from: String,
    /// A tip for the block author (same syntax as amounts).
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount_arg, default_value = "0")]
    pub tip: Balance,
    /// Valid forever instead of for --mortal-period blocks.
    #[arg(long)]
    pub immortal: bool,
    /// Blocks the transaction stays valid for (4..=65536).
    #[arg(long, value_name = "BLOCKS", default_value_t = 64, value_parser = clap::value_parser!(u64).range(4..=65536))]
    pub mortal_period: u64,
    /// Use this nonce instead of the node's.
    #[arg(long, value_name = "N")]
    pub nonce: Option<u32>,
    /// Submit and exit at once (prints the transaction hash).
    #[arg(long, conflicts_with = "in_block")]
    pub no_wait: bool,
    /// Wait until the transaction is in a block, not until it is finalized.
    #[arg(long)]
    pub in_block: bool,
    /// Seconds to wait.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    #[command(flatten)]
    pub rpc: RpcArgs,
    #[command(flatten)]
    pub keystore: KeystoreArgs,
}

/// Signs `call` as `sa.from`, submits it and follows it. `what` describes it on stderr;
/// `details` goes into the JSON summary.
///
/// # Errors
/// Bad signer, unreachable node, refusal, timeout or a failed dispatch (with the pallet error).
pub async fn submit(sa: &SignArgs, call: RuntimeCall, what: &str, details: Value) -> anyhow::Result<()> {
    client_cmds::check_signer(&sa.from)?;
    let rpc = sa.rpc.connect().await?;
    if !sa.no_wait && !rpc.can_subscribe() {
        bail!(
            "watching a transaction needs a WebSocket URL (ws:// or wss://), not {}; use --no-wait to submit over HTTP",
            rpc.url()
        );
    }
    let pair = client_cmds::resolve_signer(&sa.from, &sa.keystore)?;
    let from = pair.account();
    let era = (!sa.immortal).then_some(sa.mortal_period);
    let signed = sign(&rpc, &pair, call, sa.tip, sa.nonce, era).await?;
    let fee = estimate_fee(&rpc, &signed.bytes).await;
    eprintln!(
        "{what} from {from} (nonce {}, tip {}, {}{})",
        signed.nonce,
        format_arc(sa.tip),
        era_text(signed.era),
        fee.map(|f| format!(", estimated fee {}", format_arc(f))).unwrap_or_default(),
    );
    let summary = json!({
        "hash": signed.hash,
        "from": from.to_string(),
        "call": what,
        "details": details,
        "nonce": signed.nonce,
        "era": era_text(signed.era),
        "estimated_fee": fee.map(crate::output::balance_json),
    });
    let wait = Wait { no_wait: sa.no_wait, in_block: sa.in_block, timeout: sa.timeout, json: sa.rpc.json };
    submit_and_watch(&rpc, &signed, summary, &wait).await
}

// ---- identity ----------------------------------------------------------------------------------

/// `archivechain tx identity …`.
#[derive(Subcommand, Debug)]
pub enum IdentityCmd {
    /// Register or update your identity (reserves the identity deposit).
    Set {
        /// Display name (1–32 bytes).
        #[arg(long)]
        display: String,
        /// Web site (http:// or https://).
        #[arg(long)]
        web: Option<String>,
        /// E-mail address; only its hash goes on chain.
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Remove your identity (returns the deposit).
    Clear {
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Grant a role (admins; admin itself only through governance).
    GrantRole {
        /// Who receives the role.
        #[arg(value_parser = client_cmds::parse_address)]
        who: AccountId20,
        /// user, archiver, validator or admin.
        #[arg(value_parser = parse_role)]
        role: archive_pallet_identity::Role,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Revoke a role (admins; admin itself only through governance).
    RevokeRole {
        /// Who loses the role.
        #[arg(value_parser = client_cmds::parse_address)]
        who: AccountId20,
        /// user, archiver, validator or admin.
        #[arg(value_parser = parse_role)]
        role: archive_pallet_identity::Role,
        #[command(flatten)]
        sign: SignArgs,
    },
}

/// Parses a role name.
pub fn parse_role(s: &str) -> Result<archive_pallet_identity::Role, String> {
    archive_pallet_identity::Role::from_name(s)
        .ok_or_else(|| format!("unknown role {s:?}: expected guest, user, archiver, admin or validator"))
}

/// Runs `tx identity …`.
///
/// # Errors
/// As [`submit`], and invalid fields.
pub async fn identity(cmd: IdentityCmd) -> anyhow::Result<()> {
    use archive_pallet_identity::{Call, IdentityInfo};
    match cmd {
        IdentityCmd::Set { display, web, email, sign } => {
            let info = IdentityInfo {
                display: display.clone().into_bytes(),
                web: web.clone().map(String::into_bytes),
                email_hash: email.as_deref().map(archive_pallet_identity::email_hash),
            };
            if let Err(e) = info.validate() {
                bail!("invalid identity: {e:?} (display 1–32 bytes; web must start with http:// or https://)");
            }
            let details = json!({ "display": display, "web": web, "email_hash": info.email_hash.map(|h| format!("0x{}", hex::encode(h))) });
            submit(&sign, RuntimeCall::Identity(Call::set_identity { info }), "identity.set_identity", details).await
        }
        IdentityCmd::Clear { sign } => {
            submit(&sign, RuntimeCall::Identity(Call::clear_identity), "identity.clear_identity", json!({})).await
        }
        IdentityCmd::GrantRole { who, role, sign } => {
            let details = json!({ "who": who.to_string(), "role": role.name() });
            submit(&sign, RuntimeCall::Identity(Call::grant_role { who, role }), "identity.grant_role", details).await
        }
        IdentityCmd::RevokeRole { who, role, sign } => {
            let details = json!({ "who": who.to_string(), "role": role.name() });
            submit(&sign, RuntimeCall::Identity(Call::revoke_role { who, role }), "identity.revoke_role", details).await
        }
    }
}

// ---- governance --------------------------------------------------------------------------------

/// `archivechain tx gov …`.
#[derive(Subcommand, Debug)]
pub enum GovCmd {
    /// Propose a new value for a chain parameter (`archivechain query gov parameters` lists them).
    Propose {
        /// The parameter, e.g. max_validators.
        #[arg(value_parser = parse_parameter)]
        parameter: archive_pallet_parameters::Parameter,
        /// The value: a count, a block/era number, an amount (`10ARC`) or a fraction (`10%`).
        value: String,
        /// The deposit (returned unless the proposal is killed as spam).
        #[arg(long, value_parser = parse_amount_arg)]
        deposit: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Propose granting a role.
    ProposeGrantRole {
        /// Who.
        #[arg(value_parser = client_cmds::parse_address)]
        who: AccountId20,
        /// user, archiver, validator or admin.
        #[arg(value_parser = parse_role)]
        role: archive_pallet_identity::Role,
        /// The deposit.
        #[arg(long, value_parser = parse_amount_arg)]
        deposit: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Propose revoking a role.
    ProposeRevokeRole {
        /// Who.
        #[arg(value_parser = client_cmds::parse_address)]
        who: AccountId20,
        /// user, archiver, validator or admin.
        #[arg(value_parser = parse_role)]
        role: archive_pallet_identity::Role,
        /// The deposit.
        #[arg(long, value_parser = parse_amount_arg)]
        deposit: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Propose a payment from the treasury.
    ProposeSpend {
        /// Recipient.
        #[arg(value_parser = client_cmds::parse_address)]
        to: AccountId20,
        /// Amount.
        #[arg(value_parser = parse_amount_arg)]
        amount: Balance,
        /// The deposit.
        #[arg(long, value_parser = parse_amount_arg)]
        deposit: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Vote on a proposal (voting again with a different vote replaces it).
    Vote {
        /// The proposal number.
        proposal: u32,
        /// aye or nay.
        #[arg(value_parser = parse_aye, action = clap::ArgAction::Set)]
        vote: bool,
        /// 0 (0.1× weight, no extra lock) to 6 (6× weight, locked 32 enactment delays).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=6))]
        conviction: u8,
        /// The balance to vote with (locked, not spent); default: your free balance less
        /// 0.01 ARC (the vote's fee is paid first, from the same free balance).
        #[arg(long, value_parser = parse_amount_arg)]
        balance: Option<Balance>,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Withdraw your own proposal while it is open (the deposit is returned).
    Cancel {
        /// The proposal number.
        proposal: u32,
        #[command(flatten)]
        sign: SignArgs,
    },
}

/// Parses a parameter name.
pub fn parse_parameter(s: &str) -> Result<archive_pallet_parameters::Parameter, String> {
    archive_pallet_parameters::Parameter::from_name(s).ok_or_else(|| {
        let names: Vec<_> = archive_pallet_parameters::Parameter::ALL.iter().map(|p| p.name()).collect();
        format!("unknown parameter {s:?}; known: {}", names.join(", "))
    })
}

fn parse_aye(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "aye" | "yes" | "y" => Ok(true),
        "nay" | "no" | "n" => Ok(false),
        _ => Err(format!("expected aye or nay, not {s:?}")),
    }
}

/// Parses a parameter value in the parameter's unit and checks its range.
///
/// # Errors
/// Unparsable or out of range, with the range in the message.
pub fn parse_parameter_value(p: archive_pallet_parameters::Parameter, s: &str) -> anyhow::Result<u128> {
    use archive_pallet_parameters::Unit;
    let t = s.trim();
    let v: u128 = match p.unit() {
        Unit::Balance => crate::amount::parse_amount(t).map_err(|e| anyhow::anyhow!("{p}: {e}"))?,
        Unit::Perbill => match t.strip_suffix('%') {
            Some(pct) => {
                let f: f64 = pct.trim().parse().map_err(|_| anyhow::anyhow!("{p}: {s:?} is not a percentage"))?;
                if !(0.0..=100.0).contains(&f) {
                    bail!("{p}: {s} is not between 0% and 100%");
                }
                (f * 10_000_000.0).round() as u128
            }
            None => t.parse().map_err(|_| anyhow::anyhow!("{p}: {s:?} is neither `N%` nor parts per billion"))?,
        },
        Unit::Count | Unit::Blocks | Unit::Eras => {
            t.parse().map_err(|_| anyhow::anyhow!("{p}: {s:?} is not a whole number"))?
        }
    };
    if !p.accepts(v) {
        let (lo, hi) = p.range();
        bail!("{p} = {v} is out of range [{lo}, {hi}]");
    }
    Ok(v)
}

/// Runs `tx gov …`.
///
/// # Errors
/// As [`submit`], and invalid arguments.
pub async fn gov(cmd: GovCmd) -> anyhow::Result<()> {
    use archive_pallet_governance::{AccountVote, Call, Proposal};
    let propose = |proposal: Proposal, deposit: Balance| RuntimeCall::Governance(Call::propose { proposal, deposit });
    match cmd {
        GovCmd::Propose { parameter, value, deposit, sign } => {
            let v = parse_parameter_value(parameter, &value)?;
            let details =
                json!({ "parameter": parameter.name(), "value": v.to_string(), "deposit": deposit.to_string() });
            let call = propose(Proposal::SetParameter { parameter, value: v }, deposit);
            submit(&sign, call, "gov.propose", details).await
        }
        GovCmd::ProposeGrantRole { who, role, deposit, sign } => {
            let details = json!({ "grant": role.name(), "who": who.to_string(), "deposit": deposit.to_string() });
            submit(&sign, propose(Proposal::GrantRole { who, role }, deposit), "gov.propose", details).await
        }
        GovCmd::ProposeRevokeRole { who, role, deposit, sign } => {
            let details = json!({ "revoke": role.name(), "who": who.to_string(), "deposit": deposit.to_string() });
            submit(&sign, propose(Proposal::RevokeRole { who, role }, deposit), "gov.propose", details).await
        }
        GovCmd::ProposeSpend { to, amount, deposit, sign } => {
            let details = json!({ "spend": amount.to_string(), "to": to.to_string(), "deposit": deposit.to_string() });
            submit(&sign, propose(Proposal::TreasurySpend { to, amount }, deposit), "gov.propose", details).await
        }
        GovCmd::Vote { proposal, vote, conviction, balance, sign } => {
            let balance = match balance {
                Some(b) => b,
                None => {
                    let pair = client_cmds::resolve_signer(&sign.from, &sign.keystore)?;
                    let rpc = sign.rpc.connect().await?;
                    let free = crate::query::free_balance(&rpc, &pair.account()).await?;
                    let b = free.saturating_sub(archive_primitives::ARC / 100);
                    if b == 0 {
                        bail!("{} has no free balance to vote with", pair.account());
                    }
                    b
                }
            };
            let details =
                json!({ "proposal": proposal, "aye": vote, "conviction": conviction, "balance": balance.to_string() });
            let call = RuntimeCall::Governance(Call::vote {
                index: proposal,
                vote: AccountVote { aye: vote, conviction, balance },
            });
            submit(&sign, call, "gov.vote", details).await
        }
        GovCmd::Cancel { proposal, sign } => {
            let call = RuntimeCall::Governance(Call::cancel { index: proposal });
            submit(&sign, call, "gov.cancel", json!({ "proposal": proposal })).await
        }
    }
}

// ---- staking -----------------------------------------------------------------------------------

/// `archivechain tx staking …`.
#[derive(Subcommand, Debug)]
pub enum StakingCmd {
    /// Bond (lock) an amount for staking; adds to an existing bond.
    Bond {
        /// The amount, e.g. `500ARC`.
        #[arg(value_parser = parse_amount_arg)]
        amount: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Start unbonding an amount (withdrawable after the unbonding period).
    Unbond {
        /// The amount.
        #[arg(value_parser = parse_amount_arg)]
        amount: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Unlock everything whose unbonding period has passed.
    WithdrawUnbonded {
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Move unbonding funds back to the active bond.
    Rebond {
        /// The amount.
        #[arg(value_parser = parse_amount_arg)]
        amount: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Declare the intent to validate (needs the validator role and the minimum bond).
    Validate {
        /// Commission on era rewards, e.g. `5%`.
        #[arg(long, default_value = "0%")]
        commission: String,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Back validators with your bond.
    Nominate {
        /// Validator candidates (1–16 addresses).
        #[arg(required = true, value_parser = client_cmds::parse_address)]
        validators: Vec<AccountId20>,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Stop validating or nominating (from the next election).
    Chill {
        #[command(flatten)]
        sign: SignArgs,
    },
}

fn parse_percent(s: &str) -> anyhow::Result<archive_primitives::Perbill> {
    let v = parse_parameter_value(archive_pallet_parameters::Parameter::SlashFraction, s)
        .map_err(|_| anyhow::anyhow!("commission {s:?} must be a percentage between 0% and 100%"))?;
    Ok(archive_primitives::Perbill::from_parts(u32::try_from(v).unwrap_or(u32::MAX)))
}

/// Runs `tx staking …`.
///
/// # Errors
/// As [`submit`], and invalid arguments.
pub async fn staking(cmd: StakingCmd) -> anyhow::Result<()> {
    use archive_pallet_staking::{Call, ValidatorPrefs};
    let call = |c: Call| RuntimeCall::Staking(c);
    match cmd {
        StakingCmd::Bond { amount, sign } => {
            // `bond` creates the ledger; with one already there, `bond_extra` adds to it.
            let pair = client_cmds::resolve_signer(&sign.from, &sign.keystore)?;
            let rpc = sign.rpc.connect().await?;
            let bonded =
                rpc.storage(&archive_pallet_staking::storage::Ledger::key(&pair.account()), None).await?.is_some();
            let (c, name) = if bonded {
                (Call::bond_extra { max_additional: amount }, "staking.bond_extra")
            } else {
                (Call::bond { value: amount }, "staking.bond")
            };
            submit(&sign, call(c), name, json!({ "amount": amount.to_string() })).await
        }
        StakingCmd::Unbond { amount, sign } => {
            submit(
                &sign,
                call(Call::unbond { value: amount }),
                "staking.unbond",
                json!({ "amount": amount.to_string() }),
            )
            .await
        }
        StakingCmd::WithdrawUnbonded { sign } => {
            submit(
                &sign,
                call(Call::withdraw_unbonded { num_slashing_spans: 0 }),
                "staking.withdraw_unbonded",
                json!({}),
            )
            .await
        }
        StakingCmd::Rebond { amount, sign } => {
            submit(
                &sign,
                call(Call::rebond { value: amount }),
                "staking.rebond",
                json!({ "amount": amount.to_string() }),
            )
            .await
        }
        StakingCmd::Validate { commission, sign } => {
            let commission = parse_percent(&commission)?;
            let prefs = ValidatorPrefs { commission, blocked: false };
            submit(
                &sign,
                call(Call::validate { prefs }),
                "staking.validate",
                json!({ "commission": commission.to_string() }),
            )
            .await
        }
        StakingCmd::Nominate { validators, sign } => {
            let details = json!({ "targets": validators.iter().map(|v| v.to_string()).collect::<Vec<_>>() });
            submit(&sign, call(Call::nominate { targets: validators }), "staking.nominate", details).await
        }
        StakingCmd::Chill { sign } => submit(&sign, call(Call::chill), "staking.chill", json!({})).await,
    }
}

// ---- archive -----------------------------------------------------------------------------------

/// `archivechain tx archive …`.
#[derive(Subcommand, Debug)]
pub enum ArchiveTxCmd {
    /// Ask the network to archive a URL (an archiver node crawls it, others attest it).
    Request {
        /// http:// or https:// URL.
        #[arg(value_name = "URL")]
        page: String,
        /// Link depth to follow from the URL (0–5).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=5))]
        depth: u8,
        /// At most this many pages (1–10000).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        max_pages: u32,
        /// Paid to the archiver once the capture is verified (reserved meanwhile).
        #[arg(long, default_value = "0", value_parser = parse_amount_arg)]
        bounty: Balance,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Withdraw your open request (the bounty is returned).
    Cancel {
        /// The request id.
        id: u64,
        #[command(flatten)]
        sign: SignArgs,
    },
}

/// Runs `tx archive …`.
///
/// # Errors
/// As [`submit`], and a malformed URL (checked before signing).
pub async fn archive(cmd: ArchiveTxCmd) -> anyhow::Result<()> {
    use archive_pallet_archive::Call;
    match cmd {
        ArchiveTxCmd::Request { page: url, depth, max_pages, bounty, sign } => {
            if let Err(e) = archive_pallet_archive::validate_url(url.as_bytes()) {
                bail!(
                    "cannot request {url:?}: {e:?} (http:// or https:// URLs only, at most 2048 bytes, no credentials)"
                );
            }
            let details = json!({ "url": url, "depth": depth, "max_pages": max_pages, "bounty": bounty.to_string() });
            let call = RuntimeCall::Archive(Call::request_archive { url: url.into_bytes(), depth, max_pages, bounty });
            submit(&sign, call, "archive.request_archive", details).await
        }
        ArchiveTxCmd::Cancel { id, sign } => {
            submit(
                &sign,
                RuntimeCall::Archive(Call::cancel_request { id }),
                "archive.cancel_request",
                json!({ "id": id }),
            )
            .await
        }
    }
}
