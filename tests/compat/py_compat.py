#!/usr/bin/env python3
"""Client-compatibility test: py-substrate-interface 1.8.1 against a running ArchiveChain dev node.

Usage:
    py_compat.py URL_HTTP URL_WS

Either URL may be given as '-' to skip that transport.  Example:
    py_compat.py http://127.0.0.1:9944 ws://127.0.0.1:9944

The node must be a dev node (`archivechain --dev --tmp --instant-seal ...`): Alith is funded, blocks are
final as soon as they are authored.  For each URL the script connects, reads the head, the metadata,
System.Account and System.Events, asks for a fee estimate, submits an immortal transfer, a mortal transfer
and a 300-byte `System.remark_with_event` (the signing payload is then > 256 bytes and gets hashed), and
checks that a transaction signed by the wrong key and one with a stale nonce are refused with code 1010.

Every check prints one line `PASS name: detail` or `FAIL name: reason`; the script exits 1 if any failed,
2 on a usage error.
"""

import os
import random
import signal
import sys
import time
import traceback

try:
    from substrateinterface import Keypair, KeypairType, SubstrateInterface
    from substrateinterface.base import ExtrinsicReceipt
    from substrateinterface.exceptions import SubstrateRequestException
except ImportError as exc:  # pragma: no cover - environment problem, not a node problem
    print(f"FAIL import: substrate-interface is not installed ({exc}); "
          f"pip install -r tests/compat/requirements.txt", file=sys.stderr)
    sys.exit(2)

from hashlib import blake2b

try:  # keccak comes with substrate-interface's dependencies (eth-hash with the pycryptodome backend)
    from eth_hash.auto import keccak as _keccak
except Exception:  # pragma: no cover
    _keccak = None

# ---------------------------------------------------------------------------------------------------------------
# Dev accounts and chain facts (see /work/shared/reference/substrate-clients.md)
# ---------------------------------------------------------------------------------------------------------------
ALITH_ADDRESS = "0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac"
ALITH_KEY = "0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133"
BALTATHAR_KEY = "0x8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b"

ARC = 10 ** 18
EXISTENTIAL_DEPOSIT = ARC // 1000
EXPECTED_SPEC_NAME = "archivechain"
EXPECTED_SYMBOL = "ARC"
EXPECTED_DECIMALS = 18

WS_RECV_TIMEOUT_S = 30      # every websocket recv (so a missing notification cannot hang the run)
INCLUSION_TIMEOUT_S = 30    # HTTP: how long to poll for a submitted transfer to land
SUITE_TIMEOUT_S = 240       # hard watchdog per URL

# ---------------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------------
RESULTS = []  # (ok, name)


class CheckFailed(Exception):
    pass


class SuiteTimeout(Exception):
    pass


def ensure(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def record(ok, name, detail):
    RESULTS.append((ok, name))
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


def run_check(name, fn, *args, **kwargs):
    """Runs one check; prints its one-line result; returns fn's value or None on failure."""
    try:
        value, detail = fn(*args, **kwargs)
    except SuiteTimeout:
        raise
    except CheckFailed as exc:
        record(False, name, str(exc))
        return None
    except SubstrateRequestException as exc:
        record(False, name, f"RPC error {rpc_error_text(exc)}")
        return None
    except Exception as exc:  # any client-side exception is a failure of this check, with context
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.split('/')[-1]}:{tb[-1].lineno}" if tb else ""
        record(False, name, f"{type(exc).__name__}: {exc}{where}")
        if os.environ.get("COMPAT_DEBUG"):
            traceback.print_exc()
        return None
    record(True, name, detail)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------
def rpc_error(exc):
    """SubstrateRequestException carries the JSON-RPC error object ({code, message, data}) as args[0]."""
    if exc.args and isinstance(exc.args[0], dict):
        return exc.args[0]
    return {"message": str(exc)}


def rpc_error_text(exc):
    err = rpc_error(exc)
    return f"code={err.get('code')} message={err.get('message')!r} data={err.get('data')!r}"


def norm_addr(value):
    """Normalises an AccountId20 as decoded by scalecodec (hex str, bytes, list of ints, 1-field dict/tuple)."""
    if isinstance(value, dict) and len(value) == 1:
        return norm_addr(next(iter(value.values())))
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return norm_addr(value[0])
        if all(isinstance(b, int) for b in value):
            return "0x" + bytes(value).hex()
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        v = value.lower()
        return v if v.startswith("0x") else "0x" + v
    return repr(value)


def to_int(value):
    if isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    return int(value)


def is_hash(value):
    return isinstance(value, str) and value.startswith("0x") and len(value) == 66


def random_keypair():
    return Keypair.create_from_private_key("0x" + os.urandom(32).hex(), crypto_type=KeypairType.ECDSA)


def account_info(substrate, address, block_hash=None):
    info = substrate.query("System", "Account", [address], block_hash=block_hash).value
    ensure(isinstance(info, dict) and "data" in info and "nonce" in info,
           f"System.Account decoded to an unexpected shape: {info!r}")
    return info


def free_balance(substrate, address):
    return to_int(account_info(substrate, address)["data"]["free"])


def storage_nonce(substrate, address):
    return to_int(account_info(substrate, address)["nonce"])


def event_name(ev):
    v = ev.value
    return f"{v.get('module_id')}.{v.get('event_id')}"


def era_byte(extrinsic):
    """First byte of the era in an encoded signed v4 extrinsic: 0x00 means immortal.

    Layout: Compact<u32> length ++ 0x84 ++ AccountId20 (20) ++ EthereumSignature (65) ++ era ++ ...
    """
    data = bytes(extrinsic.data.data)
    mode = data[0] & 0b11
    offset = {0: 1, 1: 2, 2: 4}.get(mode)
    ensure(offset is not None, "extrinsic length prefix too large")
    ensure(data[offset] == 0x84, f"extrinsic version byte is 0x{data[offset]:02x}, expected 0x84 (signed v4)")
    return data[offset + 1 + 20 + 65]


def find_block_with_extrinsic(substrate, ext_hash, from_number, timeout_s):
    """HTTP has no submitAndWatch: scan new blocks for the extrinsic hash (blake2_256 of the encoding)."""
    deadline = time.time() + timeout_s
    next_number = from_number
    while time.time() < deadline:
        head_number = substrate.get_block_number(substrate.get_chain_head())
        while next_number <= head_number:
            block_hash = substrate.get_block_hash(next_number)
            block = substrate.get_block(block_hash=block_hash)
            for idx, xt in enumerate(block["extrinsics"]):
                if xt.extrinsic_hash is not None and "0x" + xt.extrinsic_hash.hex() == ext_hash:
                    return block_hash, next_number, idx
            next_number += 1
        time.sleep(0.25)
    raise CheckFailed(f"extrinsic {ext_hash} not found in blocks #{from_number}..#{next_number - 1} "
                      f"within {timeout_s}s")


def submit(substrate, extrinsic, is_ws, wait="inclusion"):
    """Submits; returns an ExtrinsicReceipt that knows its block_hash."""
    local_hash = "0x" + extrinsic.extrinsic_hash.hex()
    if is_ws:
        receipt = substrate.submit_extrinsic(extrinsic, wait_for_inclusion=(wait == "inclusion"),
                                             wait_for_finalization=(wait == "finalization"))
        ensure(is_hash(receipt.block_hash), f"submitAndWatch gave no block hash: {receipt.block_hash!r}")
        if wait == "finalization":
            ensure(receipt.finalized is True, "expected a 'finalized' status")
        return receipt
    start = substrate.get_block_number(substrate.get_chain_head())
    receipt = substrate.submit_extrinsic(extrinsic)
    ensure(receipt.extrinsic_hash == local_hash,
           f"author_submitExtrinsic returned {receipt.extrinsic_hash}, but blake2_256(extrinsic) is {local_hash}")
    block_hash, _number, idx = find_block_with_extrinsic(substrate, local_hash, start + 1, INCLUSION_TIMEOUT_S)
    return ExtrinsicReceipt(substrate=substrate, extrinsic_hash=local_hash, block_hash=block_hash,
                            extrinsic_idx=idx)


def require_success(receipt):
    events = receipt.triggered_events
    names = [event_name(e) for e in events]
    ensure(receipt.is_success is not None,
           f"no System.ExtrinsicSuccess/ExtrinsicFailed event for extrinsic #{receipt.extrinsic_idx} "
           f"in block {receipt.block_hash}; its events: {names}")
    ensure(receipt.is_success, f"extrinsic failed: {receipt.error_message}; events: {names}")
    return events, names


# ---------------------------------------------------------------------------------------------------------------
# Checks (each returns (value, one-line detail) or raises)
# ---------------------------------------------------------------------------------------------------------------
def check_connect(url, is_ws):
    kwargs = {"url": url}
    if is_ws:
        kwargs["ws_options"] = {"timeout": WS_RECV_TIMEOUT_S}
    substrate = SubstrateInterface(**kwargs)
    chain = substrate.chain
    ensure(isinstance(chain, str) and chain, f"system_chain returned {chain!r}")
    props = substrate.properties or {}
    symbol = props.get("tokenSymbol")
    decimals = props.get("tokenDecimals")
    symbol = symbol[0] if isinstance(symbol, list) and symbol else symbol
    decimals = decimals[0] if isinstance(decimals, list) and decimals else decimals
    ensure(symbol == EXPECTED_SYMBOL, f"system_properties.tokenSymbol is {symbol!r}, expected {EXPECTED_SYMBOL!r}")
    ensure(decimals == EXPECTED_DECIMALS,
           f"system_properties.tokenDecimals is {decimals!r}, expected {EXPECTED_DECIMALS}")
    return substrate, f"chain={chain!r} symbol={symbol} decimals={decimals}"


def check_runtime(substrate):
    substrate.init_runtime()
    ensure(substrate.metadata is not None, "no metadata loaded")
    versioned = substrate.metadata.get_metadata().value
    meta_version = next(iter(versioned.keys())) if isinstance(versioned, dict) and versioned else "?"
    ensure(meta_version == "V14", f"state_getMetadata decoded as {meta_version}, expected V14")
    ensure(substrate.implements_scaleinfo(), "metadata has no portable type registry (expected V14)")
    modules = [p.name for p in substrate.metadata.pallets]
    for required in ("System", "Balances"):
        ensure(required in modules, f"pallet {required} missing from metadata; pallets: {modules}")
    rv = substrate.rpc_request("state_getRuntimeVersion", []).get("result") or {}
    ensure(rv.get("specName") == EXPECTED_SPEC_NAME,
           f"specName is {rv.get('specName')!r}, expected {EXPECTED_SPEC_NAME!r}")
    return None, (f"metadata {meta_version}, spec {rv.get('specName')}/{substrate.runtime_version}, "
                  f"tx_version {substrate.transaction_version}, pallets {modules}")


def check_head(substrate):
    head = substrate.get_chain_head()
    ensure(is_hash(head), f"chain head is not a hash: {head!r}")
    number = substrate.get_block_number(head)
    ensure(isinstance(number, int) and number >= 0, f"get_block_number gave {number!r}")
    by_number = substrate.get_block_hash(number)
    ensure(by_number == head, f"chain_getBlockHash({number}) = {by_number}, but the head is {head}")
    genesis = substrate.get_block_hash(0)
    ensure(is_hash(genesis), f"chain_getBlockHash(0) gave {genesis!r}")
    finalized = substrate.get_chain_finalised_head()
    ensure(is_hash(finalized), f"chain_getFinalizedHead gave {finalized!r}")
    block = substrate.get_block(block_hash=head)
    ensure(block and block["header"]["number"] == number,
           f"chain_getBlock(head) header number is {block and block['header'].get('number')}, expected {number}")
    return (head, number), (f"head #{number} {head[:18]}…, finalized {finalized[:18]}…, "
                            f"{len(block['extrinsics'])} extrinsic(s) decoded")


def check_alith_account(substrate):
    info = account_info(substrate, ALITH_ADDRESS)
    free = to_int(info["data"]["free"])
    ensure(free > 0, f"Alith's free balance is {free}")
    return info, f"Alith free={free / ARC:.6f} ARC nonce={info['nonce']}"


def check_events_at_head(substrate, head):
    events = substrate.query("System", "Events", block_hash=head).value
    ensure(isinstance(events, list), f"System.Events decoded to {type(events).__name__}, expected a list")
    decoded = substrate.get_events(block_hash=head)
    names = [event_name(e) for e in decoded]
    return None, f"{len(events)} event(s) at head: {names[:6]}{'…' if len(names) > 6 else ''}"


def check_nonce_rpc(substrate):
    via_client = substrate.get_account_nonce(ALITH_ADDRESS)
    via_storage = storage_nonce(substrate, ALITH_ADDRESS)
    path = "state_call AccountNonceApi" if substrate.supports_rpc_method("state_call") else "system_accountNextIndex"
    ensure(via_client == via_storage,
           f"get_account_nonce ({path}) = {via_client}, but System.Account.nonce = {via_storage}")
    return via_client, f"nonce {via_client} via {path} matches System.Account"


def check_payment_info(substrate, alith):
    call = substrate.compose_call("Balances", "transfer_keep_alive",
                                  {"dest": random_keypair().ss58_address, "value": ARC})
    try:
        info = substrate.get_payment_info(call, alith)
        path = "get_payment_info"
    except ValueError as exc:
        # Known py-substrate-interface 1.8.1 limitation: get_payment_info signs with a 64-byte dummy signature,
        # which cannot encode as a 65-byte EthereumSignature. Not a node bug: query the node directly with a
        # really-signed extrinsic through the same RPC the client would use.
        if "65 bytes" not in str(exc):
            raise
        xt = substrate.create_signed_extrinsic(call, alith)
        resp = substrate.rpc_request("payment_queryInfo", [str(xt.data)])
        ensure("result" in resp, f"payment_queryInfo gave no result: {resp!r}")
        info = resp["result"]
        path = "payment_queryInfo (get_payment_info cannot build a dummy 65-byte ECDSA signature in 1.8.1)"
    ensure(isinstance(info, dict) and "partialFee" in info, f"payment info has no partialFee: {info!r}")
    fee = to_int(info["partialFee"])
    ensure(fee > 0, f"partialFee is {fee}")
    return fee, f"partialFee={fee} weight={info.get('weight')!r} class={info.get('class')!r} via {path}"


def check_transfer(substrate, alith, is_ws, mortal, wait):
    dest = random_keypair()
    amount = ARC + random.randint(1, 10 ** 9) * 10 ** 6  # > ED, unique per run
    nonce_before = storage_nonce(substrate, ALITH_ADDRESS)
    head_before = substrate.get_block_header()["header"]["number"]
    alith_before = free_balance(substrate, ALITH_ADDRESS)
    call = substrate.compose_call("Balances", "transfer_keep_alive", {"dest": dest.ss58_address, "value": amount})
    era = {"period": 64} if mortal else None  # py 1.8.1: era=None -> immortal ('00'); a dict -> mortal
    xt = substrate.create_signed_extrinsic(call, alith, era=era)
    first_era_byte = era_byte(xt)
    if mortal:
        ensure(first_era_byte != 0, "expected a mortal era in the encoded extrinsic")
    else:
        ensure(first_era_byte == 0, f"expected an immortal era (0x00), found 0x{first_era_byte:02x}")

    receipt = submit(substrate, xt, is_ws, wait)
    events, names = require_success(receipt)

    transfers = [e for e in events if event_name(e) == "Balances.Transfer"]
    ensure(transfers, f"no Balances.Transfer event; events: {names}")
    attrs = transfers[0].value["attributes"]
    ensure(isinstance(attrs, dict), f"Balances.Transfer attributes are not named fields: {attrs!r}")
    ensure(norm_addr(attrs.get("from")) == ALITH_ADDRESS.lower(),
           f"Transfer.from is {attrs.get('from')!r}, expected Alith")
    ensure(norm_addr(attrs.get("to")) == dest.ss58_address.lower(),
           f"Transfer.to is {attrs.get('to')!r}, expected {dest.ss58_address}")
    ensure(to_int(attrs.get("amount")) == amount, f"Transfer.amount is {attrs.get('amount')!r}, expected {amount}")

    received = free_balance(substrate, dest.ss58_address)
    ensure(received == amount, f"receiver's free balance is {received}, expected {amount}")
    nonce_after = storage_nonce(substrate, ALITH_ADDRESS)
    ensure(nonce_after == nonce_before + 1, f"Alith's nonce went {nonce_before} -> {nonce_after}, expected +1")
    alith_after = free_balance(substrate, ALITH_ADDRESS)
    # Alith authors every dev block and earns the block reward (1 ARC) for each.
    rewards = ARC * (substrate.get_block_header()["header"]["number"] - head_before)
    fee = alith_before + rewards - alith_after - amount
    ensure(fee >= 0, f"Alith's balance fell by {alith_before - alith_after}, less than the amount {amount}")
    return dest, (f"{'mortal' if mortal else 'immortal'} transfer {amount} in block {receipt.block_hash[:18]}… "
                  f"(#{receipt.extrinsic_idx}), events {names}, nonce {nonce_before}->{nonce_after}, fee {fee}")


def check_pallets(substrate, alith, is_ws):
    """Identity, Governance, Staking and Parameters through the metadata alone."""
    name = f"py-{random.randint(0, 10 ** 6)}"
    call = substrate.compose_call("Identity", "set_identity",
                                  {"info": {"display": "0x" + name.encode().hex(), "web": None, "email_hash": None}})
    events, names = require_success(submit(substrate, substrate.create_signed_extrinsic(call, alith), is_ws))
    ensure("Identity.IdentitySet" in names, f"no Identity.IdentitySet event; events: {names}")
    reg = substrate.query("Identity", "IdentityOf", [ALITH_ADDRESS]).value
    display = reg["info"]["display"]
    shown = bytes.fromhex(display[2:]).decode() if isinstance(display, str) and display.startswith("0x") else display
    ensure(shown == name, f"Identity.IdentityOf display is {display!r}, expected {name!r}")

    proposal = {"SetParameter": {"parameter": "EraReward", "value": 11 * ARC}}
    call = substrate.compose_call("Governance", "propose", {"proposal": proposal, "deposit": 10 * ARC})
    events, names = require_success(submit(substrate, substrate.create_signed_extrinsic(call, alith), is_ws))
    ensure("Governance.Proposed" in names, f"no Governance.Proposed event; events: {names}")
    count = substrate.query("Governance", "ProposalCount").value
    info = substrate.query("Governance", "Proposals", [count - 1]).value
    ensure(norm_addr(info["proposer"]) == ALITH_ADDRESS.lower(), f"proposal {count - 1} is {info!r}")

    ledger = substrate.query("Staking", "Ledger", [ALITH_ADDRESS]).value
    ensure(ledger is not None and to_int(ledger["active"]) > 0, f"Alith's genesis bond: {ledger!r}")
    seats = substrate.query("Session", "Validators").value
    ensure([norm_addr(v) for v in seats] == [ALITH_ADDRESS.lower()], f"Session.Validators is {seats!r}")
    return None, f"identity {name}, proposal #{count - 1}, Alith bonded {to_int(ledger['active'])}, set {seats}"


def check_big_remark(substrate, alith, is_ws):
    remark = os.urandom(300)
    call = substrate.compose_call("System", "remark_with_event", {"remark": "0x" + remark.hex()})
    call_len = len(call.data.data)
    ensure(call_len > 256, f"call is only {call_len} bytes; the payload would not be hashed")
    xt = substrate.create_signed_extrinsic(call, alith)
    receipt = submit(substrate, xt, is_ws, "inclusion")
    events, names = require_success(receipt)
    remarked = [e for e in events if event_name(e) == "System.Remarked"]
    ensure(remarked, f"no System.Remarked event; events: {names}")
    attrs = remarked[0].value["attributes"]
    ensure(isinstance(attrs, dict), f"System.Remarked attributes are not named fields: {attrs!r}")
    ensure(norm_addr(attrs.get("sender")) == ALITH_ADDRESS.lower(),
           f"Remarked.sender is {attrs.get('sender')!r}, expected Alith")
    got = str(attrs.get("hash", "")).lower()
    hashes = {"blake2_256": "0x" + blake2b(remark, digest_size=32).hexdigest()}
    if _keccak is not None:
        hashes["keccak256"] = "0x" + _keccak(remark).hex()
    which = [k for k, v in hashes.items() if v == got]
    ensure(which, f"Remarked.hash {got} is neither {' nor '.join(f'{k}={v}' for k, v in hashes.items())}")
    return None, f"{call_len}-byte call (hashed signing payload) included, Remarked.hash = {which[0]}(remark)"


def expect_refused(substrate, xt, is_ws, what):
    """Submits an invalid extrinsic; requires a JSON-RPC error with code 1010 (Invalid Transaction)."""
    try:
        if is_ws:
            # Exercise the path py users take: submitAndWatch must answer the call itself with the error
            # (as Substrate does); a subscription followed by an "invalid" notification would hang 1.8.1.
            receipt = substrate.submit_extrinsic(xt, wait_for_inclusion=True)
            raise CheckFailed(f"{what} was accepted and included in {receipt.block_hash}")
        substrate.submit_extrinsic(xt)
    except SubstrateRequestException as exc:
        err = rpc_error(exc)
        ensure(err.get("code") == 1010, f"{what}: expected error code 1010, got {rpc_error_text(exc)}")
        return f"refused: {err.get('code')} {err.get('message')}: {err.get('data')}"
    except Exception as exc:
        if type(exc).__name__ in ("WebSocketTimeoutException",):
            raise CheckFailed(f"{what}: no answer within {WS_RECV_TIMEOUT_S}s (a subscription was opened "
                              f"instead of an error, or the node never replied)")
        raise
    raise CheckFailed(f"{what} was accepted by author_submitExtrinsic")


def check_wrong_signer(substrate, alith, is_ws):
    nonce_before = storage_nonce(substrate, ALITH_ADDRESS)
    forged = Keypair.create_from_private_key(BALTATHAR_KEY, crypto_type=KeypairType.ECDSA)
    forged.public_key = alith.public_key        # declares Alith as the sender...
    forged.ss58_address = alith.ss58_address    # ...but signs with Baltathar's key
    call = substrate.compose_call("Balances", "transfer_keep_alive",
                                  {"dest": random_keypair().ss58_address, "value": ARC})
    xt = substrate.create_signed_extrinsic(call, forged, nonce=nonce_before)
    detail = expect_refused(substrate, xt, is_ws, "transfer signed by Baltathar declaring Alith as sender")
    time.sleep(0.5)
    ensure(storage_nonce(substrate, ALITH_ADDRESS) == nonce_before, "Alith's nonce changed after a refused tx")
    return None, detail


def check_stale_nonce(substrate, alith, is_ws):
    nonce = storage_nonce(substrate, ALITH_ADDRESS)
    ensure(nonce >= 1, f"Alith's nonce is {nonce}; no earlier transaction to replay a nonce of")
    call = substrate.compose_call("Balances", "transfer_keep_alive",
                                  {"dest": random_keypair().ss58_address, "value": ARC})
    xt = substrate.create_signed_extrinsic(call, alith, nonce=nonce - 1)
    detail = expect_refused(substrate, xt, is_ws, f"transfer with stale nonce {nonce - 1} (current {nonce})")
    time.sleep(0.5)
    ensure(storage_nonce(substrate, ALITH_ADDRESS) == nonce, "Alith's nonce changed after a refused tx")
    return None, detail


# ---------------------------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------------------------
def run_suite(url):
    is_ws = url.startswith("ws://") or url.startswith("wss://")
    tag = "ws" if is_ws else "http"
    print(f"== py-substrate-interface against {url} ({tag})", flush=True)

    def on_alarm(_signum, _frame):
        raise SuiteTimeout(f"suite for {url} exceeded {SUITE_TIMEOUT_S}s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(SUITE_TIMEOUT_S)
    substrate = None
    try:
        substrate = run_check(f"{tag}/connect", check_connect, url, is_ws)
        if substrate is None:
            return
        if run_check(f"{tag}/runtime+metadata", check_runtime, substrate) is None and substrate.metadata is None:
            return
        alith = Keypair.create_from_private_key(ALITH_KEY, crypto_type=KeypairType.ECDSA)
        if alith.ss58_address.lower() != ALITH_ADDRESS.lower():
            record(False, f"{tag}/keypair", f"Alith's key derives {alith.ss58_address}")
            return
        head = run_check(f"{tag}/head", check_head, substrate)
        run_check(f"{tag}/System.Account(Alith)", check_alith_account, substrate)
        if head is not None:
            run_check(f"{tag}/System.Events@head", check_events_at_head, substrate, head[0])
        run_check(f"{tag}/account-nonce", check_nonce_rpc, substrate)
        run_check(f"{tag}/payment-info", check_payment_info, substrate, alith)
        run_check(f"{tag}/transfer-immortal", check_transfer, substrate, alith, is_ws, False, "inclusion")
        run_check(f"{tag}/transfer-mortal", check_transfer, substrate, alith, is_ws, True,
                  "finalization" if is_ws else "inclusion")
        run_check(f"{tag}/remark-300-bytes", check_big_remark, substrate, alith, is_ws)
        run_check(f"{tag}/identity+governance+staking", check_pallets, substrate, alith, is_ws)
        run_check(f"{tag}/reject-wrong-signer", check_wrong_signer, substrate, alith, is_ws)
        run_check(f"{tag}/reject-stale-nonce", check_stale_nonce, substrate, alith, is_ws)
    except SuiteTimeout as exc:
        record(False, f"{tag}/watchdog", str(exc))
    finally:
        signal.alarm(0)
        if substrate is not None:
            try:
                substrate.close()
            except Exception:
                pass


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        print(f"\nusage: {argv[0]} URL_HTTP URL_WS   (use '-' to skip one)", file=sys.stderr)
        return 2
    urls = [u for u in argv[1:] if u != "-"]
    for url in urls:
        if not (url.startswith(("http://", "https://", "ws://", "wss://"))):
            print(f"not a http(s):// or ws(s):// URL: {url}", file=sys.stderr)
            return 2
    for url in urls:
        run_suite(url)
    passed = sum(1 for ok, _ in RESULTS if ok)
    failed = [name for ok, name in RESULTS if not ok]
    print(f"py_compat: {passed} passed, {len(failed)} failed", flush=True)
    if failed:
        print(f"py_compat: failed checks: {', '.join(failed)}", file=sys.stderr)
        return 1
    if not RESULTS:
        print("py_compat: no checks ran", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
