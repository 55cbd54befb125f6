#!/usr/bin/env node
// Client-compatibility test: @polkadot/api 16.5.6 (WebSocket, Keyring type 'ethereum') against a running
// ArchiveChain dev node.
//
// Usage: node js_compat.mjs WS_URL        e.g. node js_compat.mjs ws://127.0.0.1:9944
//
// Connects with no custom types, checks the runtime version, chain properties and constants, reads
// System.Account, subscribes to new heads (and checks that the client-side header hash equals the node's
// block hash, which mortal eras depend on), sends a transfer with the default mortal era, an immortal one
// ({era: 0}) and a 300-byte remarkWithEvent, queries payment_queryInfo, and checks that overspending is
// refused (ExtrinsicFailed or 1010). Each check prints `PASS name: detail` or `FAIL name: reason`.
// Exit code 0 only if every check passed; the whole run is bounded by a 120 s timeout.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, keccakAsHex, randomAsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const ALITH = {
  address: '0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac',
  key: '0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133',
};
const ARC = 10n ** 18n;
const EXPECTED_SPEC_NAME = 'archivechain';
const EXPECTED_DECIMALS = 18;
const EXPECTED_SYMBOL = 'ARC';
const GLOBAL_TIMEOUT_MS = Number(process.env.JS_COMPAT_TIMEOUT_MS || 120_000);
const TX_TIMEOUT_MS = 45_000;
const CONNECT_TIMEOUT_MS = 30_000;

const results = [];
const notes = [];

function record (ok, name, detail) {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

class CheckFailed extends Error {}

function ensure (cond, msg) {
  if (!cond) {
    throw new CheckFailed(msg);
  }
}

async function check (name, fn) {
  try {
    const [value, detail] = await fn();

    record(true, name, detail);

    return value;
  } catch (error) {
    const msg = error instanceof CheckFailed
      ? error.message
      : `${error?.constructor?.name || 'Error'}: ${error?.message || error}`;

    record(false, name, msg);

    if (process.env.COMPAT_DEBUG && !(error instanceof CheckFailed)) {
      console.error(error);
    }

    return undefined;
  }
}

function summary () {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok);

  for (const n of notes) {
    console.log(`NOTE ${n}`);
  }

  console.log(`js_compat: ${passed} passed, ${failed.length} failed`);

  if (failed.length) {
    console.error(`js_compat: failed checks: ${failed.map((r) => r.name).join(', ')}`);
  }

  return failed.length === 0 && results.length > 0;
}

function withTimeout (promise, ms, what) {
  let timer;

  return Promise.race([
    promise,
    new Promise((_resolve, reject) => {
      timer = setTimeout(() => reject(new CheckFailed(`${what}: no answer within ${ms / 1000}s`)), ms);
    })
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function eventName ({ event }) {
  return `${event.section}.${event.method}`;
}

function isRpc1010 (error) {
  return error?.code === 1010 || /(^|\D)1010(\D|$)/.test(String(error?.message || ''));
}

function describeDispatchError (api, dispatchError) {
  if (dispatchError?.isModule) {
    try {
      const { docs, name, section } = api.registry.findMetaError(dispatchError.asModule);

      return `${section}.${name}${docs?.length ? ` (${docs.join(' ').slice(0, 80)})` : ''}`;
    } catch {
      return dispatchError.toString();
    }
  }

  return dispatchError ? dispatchError.toString() : 'unknown';
}

// Raw author_extrinsicUpdate payloads, as sent by the node, keyed by the subscription's call order.
// We capture them at the provider level because signAndSend's status observable uses switchMap: when
// `finalized` follows `inBlock` before the client has fetched the inBlock events (instant-seal nodes),
// the callback never sees isInBlock even though the node sent it.
const rawWatches = [];

function instrumentProvider (provider) {
  const subscribe = provider.subscribe.bind(provider);

  provider.subscribe = (type, method, params, callback) => {
    if (method === 'author_submitAndWatchExtrinsic') {
      const statuses = [];

      rawWatches.push(statuses);

      return subscribe(type, method, params, (error, result) => {
        if (!error) {
          statuses.push(result);
        }

        callback(error, result);
      });
    }

    return subscribe(type, method, params, callback);
  };
}

// Signs and sends; resolves when the callback reports isFinalized (or rejects on an error status, an
// RPC error such as 1010, or a timeout). Returns what the callback saw plus the node's raw statuses.
function sendAndWatch (api, tx, signer, options, label) {
  return new Promise((resolve, reject) => {
    const seen = [];
    let inBlock;
    let finalized;
    let unsub;
    let done = false;
    const watchIndex = rawWatches.length;
    const finish = (fn, value) => {
      if (done) {
        return;
      }

      done = true;
      clearTimeout(timer);
      setTimeout(() => unsub?.(), 0);
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new CheckFailed(
      `${label}: not finalized within ${TX_TIMEOUT_MS / 1000}s; callback statuses [${seen.join(', ')}], ` +
      `node sent ${JSON.stringify(rawWatches[watchIndex] || [])}`
    )), TX_TIMEOUT_MS);

    tx.signAndSend(signer, options, (result) => {
      const { events, internalError, status } = result;

      seen.push(status.type);

      if (internalError) {
        finish(reject, new CheckFailed(`${label}: client failed to fetch the block/events for ${status.type}: ${internalError.message || internalError}`));
      } else if (status.isInBlock) {
        inBlock = { blockHash: status.asInBlock.toHex(), events, result };
      } else if (status.isFinalized) {
        finalized = { blockHash: status.asFinalized.toHex(), events, result };
        finish(resolve, { finalized, inBlock, raw: rawWatches[watchIndex] || [], seen });
      } else if (result.isError) {
        finish(reject, new CheckFailed(`${label}: status ${status.type} (${status.toString()}); seen [${seen.join(', ')}]`));
      }
    }).then((u) => {
      unsub = u;

      if (done) {
        u();
      }
    }).catch((error) => finish(reject, error));
  });
}

// The node's raw statuses must decode (as the client decodes them) to ... InBlock(h) ... Finalized(h).
function checkRawStatuses (api, raw, label) {
  const decoded = raw.map((r) => api.registry.createType('ExtrinsicStatus', r));
  const iIn = decoded.findIndex((s) => s.isInBlock);
  const iFin = decoded.findIndex((s) => s.isFinalized);

  ensure(iIn >= 0, `${label}: the node sent no inBlock status; it sent ${JSON.stringify(raw)}`);
  ensure(iFin > iIn, `${label}: finalized must follow inBlock; the node sent ${JSON.stringify(raw)}`);
  ensure(decoded[iIn].asInBlock.eq(decoded[iFin].asFinalized),
    `${label}: inBlock and finalized name different blocks: ${JSON.stringify(raw)}`);

  return decoded.map((s) => s.type).join('→');
}

async function transferCheck (api, alith, keyring, { era, label }) {
  const dest = keyring.addFromUri(randomAsHex(32));
  const amount = ARC + BigInt(Math.floor(Math.random() * 1e9)) * 10n ** 6n;
  const before = await api.query.system.account(ALITH.address);
  const tx = api.tx.balances.transferKeepAlive(dest.address, amount);
  const options = era === undefined ? {} : { era };
  let out;

  try {
    out = await sendAndWatch(api, tx, alith, options, label);
  } catch (error) {
    if (era !== 0 && isRpc1010(error) && /signature/i.test(String(error?.message))) {
      throw new CheckFailed(`${error.message} (a mortal era signs the birth block's hash as the client computes ` +
        'it, blake2_256(SCALE(header)); if the immortal transfer passes, the node\'s block hashes differ from that)');
    }

    throw error;
  }

  if (era === 0) {
    ensure(tx.era.isImmortalEra, `${label}: expected an immortal era, tx has ${tx.era.toString()}`);
  } else {
    ensure(tx.era.isMortalEra, `${label}: expected the default mortal era, tx has ${tx.era.toString()}`);
  }

  const flow = checkRawStatuses(api, out.raw, label);
  const got = out.inBlock || out.finalized;
  const names = got.events.map(eventName);

  ensure(got.events.length > 0, `${label}: the status callback carried no events for the tx (block ${got.blockHash})`);
  ensure(!got.result.dispatchError, `${label}: ExtrinsicFailed: ${describeDispatchError(api, got.result.dispatchError)}`);
  ensure(got.events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)),
    `${label}: no system.ExtrinsicSuccess among ${names}`);

  const transfer = got.events.find(({ event }) => api.events.balances.Transfer.is(event));

  ensure(transfer, `${label}: no balances.Transfer among ${names}`);

  const [from, to, value] = transfer.event.data;

  ensure(from.toString().toLowerCase() === ALITH.address.toLowerCase(), `${label}: Transfer.from is ${from}`);
  ensure(to.toString().toLowerCase() === dest.address.toLowerCase(), `${label}: Transfer.to is ${to}, expected ${dest.address}`);
  ensure(value.toBigInt() === amount, `${label}: Transfer.amount is ${value}, expected ${amount}`);

  const { data: { free } } = await api.query.system.account(dest.address);

  ensure(free.toBigInt() === amount, `${label}: receiver's free balance is ${free}, expected ${amount}`);

  const after = await api.query.system.account(ALITH.address);

  ensure(after.nonce.toNumber() === before.nonce.toNumber() + 1,
    `${label}: Alith's nonce went ${before.nonce} -> ${after.nonce}, expected +1`);

  return [dest, `${tx.era.isImmortalEra ? 'immortal' : `mortal(period ${tx.era.asMortalEra.period})`} transfer ` +
    `${amount} in ${out.finalized.blockHash.slice(0, 18)}…; node statuses ${flow}; callback saw ` +
    `[${out.seen.join(', ')}]; events ${names.join(', ')}`];
}

async function main (url) {
  const headers = [];
  let api;
  let unsubHeads;

  // Surface the client's own warnings (unknown signed extensions, undecorated RPCs, ...).
  const warn = console.warn.bind(console);

  console.warn = (...args) => {
    const text = args.map(String).join(' ');

    notes.push(`client warning: ${text.slice(0, 300)}`);
    warn(...args);
  };

  try {
    await cryptoWaitReady();

    const keyring = new Keyring({ type: 'ethereum' });
    const alith = keyring.addFromUri(ALITH.key);

    ensure(alith.address === ALITH.address, `Keyring derived ${alith.address} for Alith`);

    api = await check('connect', async () => {
      const provider = new WsProvider(url, 1000);

      instrumentProvider(provider);

      const a = await withTimeout(ApiPromise.create({ provider, throwOnConnect: true }), CONNECT_TIMEOUT_MS,
        `ApiPromise.create(${url})`);

      return [a, `genesis ${a.genesisHash.toHex().slice(0, 18)}…, metadata v${a.runtimeMetadata.version}, ` +
        `chain ${(await a.rpc.system.chain()).toString()}`];
    });

    if (!api) {
      return;
    }

    await check('runtimeVersion', async () => {
      const { specName, specVersion, transactionVersion } = api.runtimeVersion;

      ensure(specName.toString() === EXPECTED_SPEC_NAME, `specName is '${specName}', expected '${EXPECTED_SPEC_NAME}'`);

      return [null, `${specName}/${specVersion} tx_version ${transactionVersion}`];
    });

    await check('properties', async () => {
      const decimals = api.registry.chainDecimals[0];
      const symbol = api.registry.chainTokens[0];

      ensure(decimals === EXPECTED_DECIMALS, `chainDecimals[0] is ${decimals}, expected ${EXPECTED_DECIMALS}`);
      ensure(symbol === EXPECTED_SYMBOL, `chainTokens[0] is ${symbol}, expected ${EXPECTED_SYMBOL}`);

      return [null, `decimals ${decimals}, token ${symbol}, ss58 ${api.registry.chainSS58}`];
    });

    await check('consts.system.blockHashCount', async () => {
      const bhc = api.consts.system?.blockHashCount;

      ensure(bhc !== undefined, 'api.consts.system.blockHashCount is missing (System.BlockHashCount constant)');
      ensure(bhc.toNumber() > 0, `blockHashCount is ${bhc}`);

      const signed = api.registry.signedExtensions;

      return [null, `${bhc.toNumber()}; signed extensions [${signed.join(', ')}]`];
    });

    await check('AccountId is 20 bytes', async () => {
      const id = api.registry.createType('AccountId', ALITH.address);

      ensure(id.toU8a().length === 20,
        `the client decodes AccountId as ${id.toU8a().length} bytes: the extrinsic's Address type path must end ` +
        'in ::AccountId20 (or ::H160)');
      ensure(id.toString() === ALITH.address, `AccountId renders as ${id.toString()}`);

      return [null, `AccountId20 detected from metadata; Alith renders as ${id.toString()}`];
    });

    await check('query.system.account(Alith)', async () => {
      const { data: { free }, nonce } = await api.query.system.account(ALITH.address);

      ensure(free.toBigInt() > 0n, `Alith's free balance is ${free}`);

      return [null, `free ${free.toBigInt()} (${Number(free.toBigInt() / 10n ** 12n) / 1e6} ARC), nonce ${nonce}`];
    });

    await check('rpc.chain.subscribeNewHeads (subscribed)', async () => {
      unsubHeads = await api.rpc.chain.subscribeNewHeads((header) => {
        headers.push({ hash: header.hash.toHex(), number: header.number.toNumber() });
      });

      return [null, 'subscription open; a header is required by the end of the run'];
    });

    await check('payment.queryInfo', async () => {
      ensure(typeof api.rpc.payment?.queryInfo === 'function',
        'api.rpc.payment.queryInfo is not decorated: the node does not list payment_queryInfo in rpc_methods');

      const tx = api.tx.balances.transferKeepAlive(keyring.addFromUri(randomAsHex(32)).address, ARC);

      await tx.signAsync(alith, { era: 0 });

      let info;

      try {
        info = await api.rpc.payment.queryInfo(tx.toHex());
      } catch (error) {
        const hint = /weight/i.test(String(error?.message))
          ? ' (the client decodes payment_queryInfo as RuntimeDispatchInfoV1: `weight` must be a plain integer, ' +
            'the ref_time, as Substrate\'s RPC returns it; `partialFee` a number or decimal string)'
          : '';

        throw new CheckFailed(`payment_queryInfo: ${error?.message || error}${hint}`);
      }

      ensure(info.partialFee.toBigInt() > 0n, `partialFee is ${info.partialFee}`);

      if (tx.hasPaymentInfo) {
        const viaCall = await tx.paymentInfo(alith);

        notes.push(`tx.paymentInfo (TransactionPaymentApi via state_call) gave partialFee ${viaCall.partialFee}`);
      }

      return [null, `partialFee ${info.partialFee.toBigInt()}, weight ${info.weight.toString()}, class ${info.class}` +
        `${tx.hasPaymentInfo ? '' : ' (tx.paymentInfo unavailable: no TransactionPaymentApi in runtime apis)'}`];
    });

    const funded = await check('transfer (default mortal era)', () =>
      transferCheck(api, alith, keyring, { era: undefined, label: 'mortal transfer' }));

    const fundedImmortal = await check('transfer ({era: 0}, immortal)', () =>
      transferCheck(api, alith, keyring, { era: 0, label: 'immortal transfer' }));

    await check('remarkWithEvent (300 bytes)', async () => {
      const remark = new Uint8Array(300).map(() => Math.floor(Math.random() * 256));
      // A hex string is taken as the raw bytes; a Uint8Array would be read as already SCALE-encoded.
      const tx = api.tx.system.remarkWithEvent(u8aToHex(remark));

      ensure(tx.method.toU8a().length > 256, 'call is not > 256 bytes');

      const out = await sendAndWatch(api, tx, alith, {}, 'remark');
      const got = out.inBlock || out.finalized;
      const names = got.events.map(eventName);

      ensure(!got.result.dispatchError, `ExtrinsicFailed: ${describeDispatchError(api, got.result.dispatchError)}`);
      ensure(got.events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)), `no ExtrinsicSuccess among ${names}`);

      const remarked = got.events.find(({ event }) => event.section === 'system' && event.method === 'Remarked');

      ensure(remarked, `no system.Remarked among ${names}`);

      const [sender, hash] = remarked.event.data;
      const hashes = { blake2_256: blake2AsHex(remark, 256), keccak256: keccakAsHex(remark) };
      const which = Object.keys(hashes).find((k) => hashes[k] === hash.toHex());

      ensure(sender.toString().toLowerCase() === ALITH.address.toLowerCase(), `Remarked.sender is ${sender}`);
      ensure(which, `Remarked.hash ${hash.toHex()} is neither blake2_256 ${hashes.blake2_256} nor keccak256 ${hashes.keccak256}`);

      return [null, `${tx.method.toU8a().length}-byte call (hashed signing payload) in ${out.finalized.blockHash.slice(0, 18)}…, ` +
        `Remarked.hash = ${which}(remark)`];
    });

    await check('identity, staking, parameters through the metadata', async () => {
      const display = `js-${Math.floor(Math.random() * 1e6)}`;
      const tx = api.tx.identity.setIdentity({ display, web: null, emailHash: null });
      const out = await sendAndWatch(api, tx, alith, {}, 'setIdentity');
      const got = out.inBlock || out.finalized;
      const names = got.events.map(eventName);

      ensure(!got.result.dispatchError, `ExtrinsicFailed: ${describeDispatchError(api, got.result.dispatchError)}`);
      ensure(got.events.some(({ event }) => event.section === 'identity' && event.method === 'IdentitySet'), `no identity.IdentitySet among ${names}`);

      const reg = await api.query.identity.identityOf(ALITH.address);

      ensure(reg.isSome, 'identity.identityOf(Alith) is None');
      ensure(reg.unwrap().info.display.toUtf8() === display, `display is ${reg.unwrap().info.display.toUtf8()}`);

      const ledger = await api.query.staking.ledger(ALITH.address);

      ensure(ledger.isSome && ledger.unwrap().active.toBigInt() > 0n, `staking.ledger(Alith) is ${ledger.toString()}`);

      const seats = await api.query.session.validators();
      const maxValidators = await api.query.parameters.values('MaxValidators');

      ensure(seats.length === 1, `session.validators has ${seats.length} entries`);
      ensure(maxValidators.isNone, `parameters.values(MaxValidators) is ${maxValidators.toString()} (default expected)`);

      return [null, `identity ${display}; Alith bonded ${ledger.unwrap().active.toString()}; ${seats.length} validator`];
    });

    await check('overspend is refused (funded account)', async () => {
      const sender = funded || fundedImmortal;

      ensure(sender, 'needs an account funded by one of the transfers above');

      const tx = api.tx.balances.transferKeepAlive(keyring.addFromUri(randomAsHex(32)).address, 10n * ARC);

      try {
        const out = await sendAndWatch(api, tx, sender, { era: 0 }, 'overspend');
        const got = out.inBlock || out.finalized;
        const failed = got.events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));

        ensure(failed && got.result.dispatchError,
          `a 10 ARC transfer from an account holding ~1 ARC did not fail; events ${got.events.map(eventName)}`);

        return [null, `ExtrinsicFailed: ${describeDispatchError(api, got.result.dispatchError)} (fee was paid, call failed)`];
      } catch (error) {
        if (isRpc1010(error)) {
          return [null, `refused at submission: ${error.message}`];
        }

        throw error;
      }
    });

    await check('unfunded sender is refused with 1010', async () => {
      const pauper = keyring.addFromUri(randomAsHex(32));
      const tx = api.tx.balances.transferKeepAlive(ALITH.address, ARC);

      try {
        const out = await sendAndWatch(api, tx, pauper, {}, 'unfunded');

        throw new CheckFailed(`a transfer from an empty account was included in ${out.finalized.blockHash}`);
      } catch (error) {
        if (isRpc1010(error)) {
          return [null, `refused: ${error.message}`];
        }

        throw error;
      }
    });

    await check('rpc.chain.subscribeNewHeads (received)', async () => {
      for (let i = 0; i < 50 && headers.length === 0; i++) {
        await sleep(100);
      }

      ensure(headers.length > 0, 'no header arrived on chain_subscribeNewHead(s) during the whole run');

      const last = headers[headers.length - 1];
      const nodeHash = (await api.rpc.chain.getBlockHash(last.number)).toHex();

      ensure(nodeHash === last.hash,
        `client-side blake2_256(header) of #${last.number} is ${last.hash}, but chain_getBlockHash says ${nodeHash} ` +
        '(mortal eras sign the client-computed hash)');

      return [null, `${headers.length} header(s), last #${last.number}; client-side header hash matches the node`];
    });
  } finally {
    try {
      unsubHeads?.();
    } catch {
      // ignore
    }

    if (api) {
      await withTimeout(api.disconnect(), 5000, 'api.disconnect()').catch(() => undefined);
    }
  }
}

const url = process.argv[2];

if (!url || !/^wss?:\/\//.test(url)) {
  console.error('usage: node js_compat.mjs WS_URL   (e.g. ws://127.0.0.1:9944)');
  process.exit(2);
}

const globalTimer = setTimeout(() => {
  record(false, 'global-timeout', `the run exceeded ${GLOBAL_TIMEOUT_MS / 1000}s`);
  summary();
  process.exit(1);
}, GLOBAL_TIMEOUT_MS);

main(url)
  .catch((error) => record(false, 'unexpected', `${error?.message || error}`))
  .finally(() => {
    clearTimeout(globalTimer);

    const ok = summary();

    // Exit explicitly: a half-open WebSocket or a timer left by the client must not keep us alive.
    process.exit(ok ? 0 : 1);
  });
