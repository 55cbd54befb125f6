//! Staking and governance on a real local testnet (issue: Proof-of-Archive staking,
//! governance, identity): a new account bonds, is given the validator role, validates and
//! authors blocks after the next election, once a governance proposal raised max_validators;
//! a validator made to double-sign is reported, slashed and removed while the chain finalizes.
//! The CLI drives every transaction, as a user would.

use std::time::Duration;

use archive_integration_tests::*;
use parity_scale_codec::Decode;
use serde_json::json;

/// One testnet at a time: each runs 4–5 nodes on a 2-core machine.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads and decodes a storage value at the best block of `node`.
fn storage<T: Decode>(node: &Node, key: &[u8]) -> Option<T> {
    let raw = node.call("state_getStorage", json!([format!("0x{}", hex::encode(key))]));
    let hex_str = raw.as_str()?;
    let bytes = hex::decode(hex_str.trim_start_matches("0x")).expect("hex");
    Some(T::decode(&mut &bytes[..]).expect("decodes"))
}

fn validators(node: &Node) -> Vec<AccountId20> {
    storage(node, &archive_primitives::storage_key::storage_prefix("Session", "Validators")).unwrap_or_default()
}

/// Runs an `archivechain` client command against node `i`; it must succeed.
fn cli_ok(net: &Testnet, i: usize, args: &[&str]) -> CmdOutput {
    let url = format!("ws://{}", net.node(i).addr());
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--url", &url, "--in-block"]);
    let out = run_cli(&all, Duration::from_secs(90)).expect("run the CLI");
    assert_eq!(out.status.and_then(|s| s.code()), Some(0), "archivechain {args:?} failed:\n{out}");
    out
}

/// The author named in block `n`'s pre-digest on node `i`.
fn author_of(net: &Testnet, i: usize, n: u32) -> Option<AccountId20> {
    let hash = net.hash_at(i, n)?;
    let h = net.node(i).call("chain_getHeader", json!([hash.to_string()]));
    h["digest"]["logs"].as_array()?.iter().find_map(|log| {
        let bytes = hex::decode(log.as_str()?.trim_start_matches("0x")).ok()?;
        match archive_primitives::DigestItem::decode(&mut &bytes[..]).ok()? {
            archive_primitives::DigestItem::PreRuntime(id, data) if &id == b"arcp" => {
                <(u64, AccountId20)>::decode(&mut &data[..]).ok().map(|(_, a)| a)
            }
            _ => None,
        }
    })
}

#[test]
fn a_new_validator_is_elected_after_governance_raises_max_validators() {
    let _turn = serial();
    let ethan = dev_pair("ethan").account();
    let ethan_s = ethan.to_string();
    let mut net = Testnet::start(TestnetConfig {
        parameters: vec![("era_length", "10".into()), ("voting_period", "6".into()), ("enactment_delay", "2".into())],
        candidates: vec!["ethan"],
        ..TestnetConfig::star(5)
    })
    .unwrap_or_else(|e| panic!("testnet did not start: {e:#}"));
    let all = [0, 1, 2, 3, 4];
    assert!(net.wait_until(Duration::from_secs(90), || net.finalized_number(0) >= 2), "the network finalizes");
    assert!(!validators(net.node(0)).contains(&ethan), "ethan starts outside the set");

    // Ethan bonds; Alith (admin in the local spec) gives him the validator role; he validates.
    cli_ok(&net, 4, &["tx", "staking", "bond", "5000ARC", "--from", "ethan"]);
    let refused = run_cli(
        &[
            "tx",
            "staking",
            "validate",
            "--from",
            "ethan",
            "--url",
            &format!("ws://{}", net.node(4).addr()),
            "--in-block",
        ],
        Duration::from_secs(90),
    )
    .expect("cli");
    assert!(refused.stderr.contains("Staking.MissingValidatorRole"), "validate needs the role:\n{refused}");
    cli_ok(&net, 0, &["tx", "identity", "grant-role", &ethan_s, "validator", "--from", "alith"]);
    cli_ok(&net, 4, &["tx", "staking", "validate", "--commission", "5%", "--from", "ethan"]);
    net.log("ethan bonded, holds the validator role and validates");

    // Governance raises max_validators from 4 to 5.
    cli_ok(&net, 0, &["tx", "gov", "propose", "max_validators", "5", "--deposit", "10ARC", "--from", "alith"]);
    cli_ok(&net, 0, &["tx", "gov", "vote", "0", "aye", "--conviction", "1", "--from", "alith"]);
    let key = archive_pallet_parameters::Values::key(&archive_pallet_parameters::Parameter::MaxValidators);
    let enacted = net.wait_until(Duration::from_secs(120), || storage::<u128>(net.node(0), &key) == Some(5));
    assert!(
        enacted,
        "the proposal was not enacted: {:?}",
        net.node(0).call("state_getStorage", json!([format!("0x{}", hex::encode(&key))]))
    );
    net.log("max_validators = 5 enacted");

    // The next election seats all five candidates (before it, at most four held seats: with
    // his larger stake ethan may already have taken the lowest-ranked incumbent's seat).
    let mut set = Vec::new();
    let ok = net.wait_until(Duration::from_secs(120), || {
        set = validators(net.node(0));
        set.len() == 5
    });
    assert!(ok, "the election after the change did not seat five validators: {set:?}");
    assert!(set.contains(&ethan), "ethan is not in {set:?}");
    let elected_at = net.node(0).best_number();
    net.log(&format!("five validators by #{elected_at}: {set:?}"));
    let mut authored = None;
    let ok = net.wait_until(Duration::from_secs(120), || {
        let best = net.node(0).best_number();
        authored = (elected_at..=best).find(|n| author_of(&net, 0, *n) == Some(ethan));
        authored.is_some()
    });
    assert!(ok, "ethan never authored a block after being elected");
    let before = net.finalized_number(0);
    assert!(
        net.wait_until(Duration::from_secs(90), || all.iter().all(|i| net.finalized_number(*i) >= before + 3)),
        "finality continues with five validators"
    );
    net.log(&format!("ethan authored #{}; finality continues", authored.unwrap_or_default()));
    net.assert_agreement(&all);
    let _ = &mut net;
}

#[test]
fn a_double_signing_validator_is_reported_slashed_and_removed() {
    let _turn = serial();
    let dorothy = dev_pair("dorothy").account();
    let net = Testnet::start(TestnetConfig {
        node_flags: vec![(3, vec!["--unsafe-double-sign".to_owned()])],
        ..TestnetConfig::star(4)
    })
    .unwrap_or_else(|e| panic!("testnet did not start: {e:#}"));
    let slashes_key = archive_pallet_staking::storage::Slashes::key(&dorothy);
    let ledger_key = archive_pallet_staking::storage::Ledger::key(&dorothy);
    let bonded_before: archive_pallet_staking::StakingLedger = storage(net.node(0), &ledger_key).expect("genesis bond");
    let removed = net.wait_until(Duration::from_secs(150), || !validators(net.node(0)).contains(&dorothy));
    assert!(removed, "dorothy is still in the set {:?}", validators(net.node(0)));
    let slashes: Vec<archive_pallet_staking::SlashRecord> = storage(net.node(0), &slashes_key).expect("a slash record");
    assert!(!slashes.is_empty());
    let ledger: archive_pallet_staking::StakingLedger = storage(net.node(0), &ledger_key).expect("still bonded");
    assert!(ledger.active < bonded_before.active, "the bond was slashed: {ledger:?}");
    net.log(&format!("dorothy slashed ({slashes:?}) and removed; set {:?}", validators(net.node(0))));
    let before = (0..3).map(|i| net.finalized_number(i)).max().unwrap_or(0);
    assert!(
        net.wait_until(Duration::from_secs(90), || (0..3).all(|i| net.finalized_number(i) >= before + 3)),
        "the three honest validators keep finalizing"
    );
    net.assert_agreement(&[0, 1, 2]);
}
