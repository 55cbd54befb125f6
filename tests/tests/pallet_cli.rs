//! Bad staking, governance and identity input through the real CLI against a dev node: each is
//! refused with its specific error (named from the metadata) and changes nothing but the fee.

use std::time::Duration;

use archive_integration_tests::*;
use parity_scale_codec::Decode;
use serde_json::json;

const ALITH: &str = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac";
const BALTATHAR: &str = "0x3Cd0A705a2DC65e5b1E1205896BaA2be8A07c6e0";

fn cli(node: &Node, args: &[&str]) -> CmdOutput {
    let url = format!("ws://{}", node.addr());
    let mut all = args.to_vec();
    all.extend(["--url", &url]);
    if args[0] == "tx" {
        all.push("--in-block");
    }
    run_cli(&all, Duration::from_secs(60)).expect("run the CLI")
}

#[track_caller]
fn refused(node: &Node, args: &[&str], error: &str) {
    let out = cli(node, args);
    assert!(!out.success(), "{args:?} should fail\n{out}");
    assert!(out.stderr.contains(error), "{args:?}: expected {error}\n{out}");
    assert!(!out.all_output().contains("panicked"), "{args:?} panicked\n{out}");
}

#[track_caller]
fn ok(node: &Node, args: &[&str]) -> CmdOutput {
    let out = cli(node, args);
    assert!(out.success(), "{args:?} failed\n{out}");
    out
}

fn storage<T: Decode>(node: &Node, key: &[u8]) -> Option<T> {
    let raw = node.call("state_getStorage", json!([format!("0x{}", hex::encode(key))]));
    let bytes = hex::decode(raw.as_str()?.trim_start_matches("0x")).expect("hex");
    Some(T::decode(&mut &bytes[..]).expect("decode"))
}

#[test]
fn bad_staking_governance_and_identity_input_is_refused_with_its_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let node = Node::start(tmp.path(), &["--dev", "--instant-seal"]).expect("dev node");
    let alith_ledger_key = archive_pallet_staking::storage::Ledger::key(&dev_pair("alith").account());
    let ledger_before: archive_pallet_staking::StakingLedger = storage(&node, &alith_ledger_key).expect("bonded");

    // Staking.
    refused(&node, &["tx", "staking", "bond", "50000000ARC", "--from", "charleth"], "Staking.InsufficientBalance");
    refused(&node, &["tx", "staking", "unbond", "5000ARC", "--from", "alith"], "Staking.NotEnoughBonded");
    refused(&node, &["tx", "staking", "unbond", "5ARC", "--from", "dorothy"], "Staking.NotBonded");
    refused(&node, &["tx", "staking", "nominate", BALTATHAR, "--from", "alith"], "Staking.NotValidator");
    ok(&node, &["tx", "staking", "bond", "200ARC", "--from", "baltathar"]);
    refused(&node, &["tx", "staking", "validate", "--from", "baltathar"], "Staking.MissingValidatorRole");
    ok(&node, &["tx", "staking", "unbond", "10ARC", "--from", "baltathar"]);
    refused(&node, &["tx", "staking", "withdraw-unbonded", "--from", "baltathar"], "Staking.NothingToWithdraw");
    ok(&node, &["tx", "staking", "rebond", "10ARC", "--from", "baltathar"]);
    let ledger_after: archive_pallet_staking::StakingLedger = storage(&node, &alith_ledger_key).expect("bonded");
    assert_eq!(ledger_after, ledger_before, "Alith's refused calls changed her ledger");

    // Identity and roles.
    refused(
        &node,
        &["tx", "identity", "grant-role", BALTATHAR, "archiver", "--from", "baltathar"],
        "Identity.CannotModifyOwnRoles",
    );
    refused(
        &node,
        &["tx", "identity", "grant-role", ALITH, "archiver", "--from", "charleth"],
        "Identity.NotAuthorized",
    );
    refused(
        &node,
        &["tx", "identity", "grant-role", BALTATHAR, "admin", "--from", "alith"],
        "Identity.AdminRequiresGovernance",
    );
    refused(&node, &["tx", "identity", "clear", "--from", "charleth"], "Identity.NoIdentity");
    ok(&node, &["tx", "identity", "grant-role", BALTATHAR, "archiver", "--from", "alith"]);
    let roles = ok(&node, &["query", "identity", BALTATHAR, "--json"]);
    assert!(roles.stdout.contains("\"archiver\""), "{roles}");

    // Governance.
    refused(&node, &["tx", "gov", "vote", "99", "aye", "--from", "alith"], "Governance.ProposalNotFound");
    refused(
        &node,
        &["tx", "gov", "propose", "max_validators", "4", "--deposit", "1ARC", "--from", "alith"],
        "Governance.DepositTooLow",
    );
    ok(&node, &["tx", "gov", "propose", "max_validators", "6", "--deposit", "10ARC", "--from", "alith"]);
    ok(&node, &["tx", "gov", "vote", "0", "aye", "--balance", "5ARC", "--from", "baltathar"]);
    refused(
        &node,
        &["tx", "gov", "vote", "0", "aye", "--balance", "5ARC", "--from", "baltathar"],
        "Governance.DuplicateVote",
    );
    ok(&node, &["tx", "gov", "vote", "0", "nay", "--balance", "5ARC", "--from", "baltathar"]);
    refused(&node, &["tx", "gov", "cancel", "0", "--from", "baltathar"], "Governance.NotProposer");
    ok(&node, &["tx", "gov", "cancel", "0", "--from", "alith"]);
    refused(
        &node,
        &["tx", "gov", "vote", "0", "aye", "--balance", "5ARC", "--from", "charleth"],
        "Governance.VotingClosed",
    );
    // Checked before signing: an unknown parameter or an out-of-range value never leaves the CLI.
    let out = cli(&node, &["tx", "gov", "propose", "no_such_thing", "1", "--deposit", "10ARC", "--from", "alith"]);
    assert!(!out.success() && out.stderr.contains("unknown parameter"), "{out}");
    let out = cli(&node, &["tx", "gov", "propose", "max_validators", "0", "--deposit", "10ARC", "--from", "alith"]);
    assert!(!out.success() && out.stderr.contains("out of range"), "{out}");
    let proposals = ok(&node, &["query", "gov", "proposals", "--json"]);
    assert!(proposals.stdout.contains("Cancelled"), "{proposals}");
    assert!(node.rpc("system_health", json!([])).is_ok(), "the node is up");
}
