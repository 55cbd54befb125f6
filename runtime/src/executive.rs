//! The executive: initialize a block, apply extrinsics (decode, check signature, era, nonce,
//! limits and fee, then dispatch in a storage transaction), finalize; and the same checks for
//! the transaction pool (`validate_transaction`).

use archive_pallet_balances::ExistenceRequirement;
use archive_pallet_system::{self as system};
use archive_primitives::{
    generic::unchecked_extrinsic::signing_payload, hashing::keccak_256, AccountId20, AdditionalSigned, BlockNumber,
    Digest, Era, EthereumSignature, SignedExtra, H256,
};
use archive_support::{DispatchClass, DispatchError, DispatchInfo, Ext, Pays, Phase, RawOrigin, StateBackend, Weight};
use parity_scale_codec::{Decode, Encode};

use crate::{
    constants::{max_normal_length, max_normal_weight, EXTRINSIC_BASE_WEIGHT, MAX_NONCE_AHEAD},
    fees,
    validity::{InvalidTransaction as Inv, TransactionValidityError as Tve, UnknownTransaction, ValidTransaction},
    Runtime, RuntimeCall, UncheckedExtrinsic,
};

/// Recovers signers. The node passes a cache so a signature checked by the pool is not
/// recovered again at import; it must return exactly what recovery would.
pub trait SignatureVerifier: Sync {
    /// The account that signed `prehash`, or `None` for an invalid signature.
    fn recover(&self, prehash: &[u8; 32], sig: &EthereumSignature) -> Option<AccountId20>;
}

/// Recovers every signature directly.
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectVerifier;

impl SignatureVerifier for DirectVerifier {
    fn recover(&self, prehash: &[u8; 32], sig: &EthereumSignature) -> Option<AccountId20> {
        sig.recover_prehashed(prehash).ok()
    }
}

/// A decoded, fully checked extrinsic, ready to be charged and dispatched.
struct Checked {
    signer: AccountId20,
    extra: SignedExtra,
    call: RuntimeCall,
    len: u32,
    weight: Weight,
    fee: archive_primitives::Balance,
    provides: Vec<u8>,
    requires: Option<Vec<u8>>,
    longevity: u64,
}

/// The keccak-256 message hash a signer of `xt` signed, given the era's birth-block hash.
pub fn signing_prehash(call: &[u8], extra: &SignedExtra, era_block_hash: H256, genesis: H256) -> [u8; 32] {
    let additional = AdditionalSigned {
        spec_version: crate::constants::SPEC_VERSION,
        transaction_version: crate::constants::TRANSACTION_VERSION,
        genesis_hash: genesis,
        era_block_hash,
    };
    keccak_256(&signing_payload(call, extra, &additional))
}

/// The birth-block hash an era signs over at block `current`, if the block is known.
fn era_block_hash(ext: &Ext<'_>, era: Era, current: BlockNumber) -> Result<H256, Tve> {
    let genesis = system::pallet::block_hash(ext, 0).unwrap_or_default();
    match era {
        Era::Immortal => Ok(genesis),
        Era::Mortal(period, phase) => {
            let birth = era.birth(current as u64);
            if phase > current as u64 {
                return Err(Tve::invalid(
                    Inv::AncientBirthBlock,
                    format!("mortal era (period {period}, phase {phase}) starts at block #{birth}, which does not exist yet (current #{current})"),
                ));
            }
            u32::try_from(birth).ok().and_then(|b| system::pallet::block_hash(ext, b)).ok_or_else(|| {
                let why = if birth >= current as u64 {
                    format!(
                        "era birth block #{birth} is the block being built (current #{current}); sign against an existing block"
                    )
                } else {
                    format!("era birth block #{birth} is older than the kept block hashes")
                };
                Tve::invalid(Inv::AncientBirthBlock, why)
            })
        }
    }
}

/// Decodes and checks `bytes` (a full, length-prefixed extrinsic) against the state in `ext`,
/// which must be initialized for the block the extrinsic would go into. Writes nothing.
fn check(ext: &Ext<'_>, bytes: &[u8], verifier: &dyn SignatureVerifier, validating: bool) -> Result<Checked, Tve> {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    if len > max_normal_length() {
        return Err(Tve::invalid(
            Inv::ExhaustsResources,
            format!("extrinsic of {len} bytes exceeds the block length limit of {} bytes", max_normal_length()),
        ));
    }
    let xt =
        UncheckedExtrinsic::decode(&mut &bytes[..]).map_err(|e| Tve::BadFormat(describe_decode_error(bytes, &e)))?;
    let Some((signer, signature, extra)) = xt.signature else {
        return Err(Tve::Unknown {
            kind: UnknownTransaction::NoUnsignedValidator,
            detail: "unsigned extrinsics are not accepted".into(),
        });
    };
    let current = system::pallet::block_number(ext);
    let call_bytes = xt.function.encode();
    let genesis = system::pallet::block_hash(ext, 0).unwrap_or_default();
    let birth_hash = era_block_hash(ext, extra.era, current)?;
    let recovered = verifier.recover(&signing_prehash(&call_bytes, &extra, birth_hash, genesis), &signature);
    if recovered != Some(signer) {
        return Err(explain_bad_signature(ext, &call_bytes, &extra, &signature, signer, current, genesis, verifier));
    }
    let account_nonce = system::pallet::account_nonce(ext, &signer);
    if extra.nonce < account_nonce {
        return Err(Tve::invalid(
            Inv::Stale,
            format!("nonce {} of {signer} is already used (next nonce is {account_nonce})", extra.nonce),
        ));
    }
    if extra.nonce > account_nonce {
        if !validating {
            return Err(Tve::invalid(
                Inv::Future,
                format!("nonce {} of {signer} is ahead of the next nonce {account_nonce}", extra.nonce),
            ));
        }
        if extra.nonce - account_nonce > MAX_NONCE_AHEAD {
            return Err(Tve::invalid(
                Inv::Future,
                format!(
                    "nonce {} of {signer} is too far in the future (next nonce is {account_nonce}, at most {MAX_NONCE_AHEAD} ahead are kept)",
                    extra.nonce
                ),
            ));
        }
    }
    let call_weight = xt.function.weight();
    let weight = EXTRINSIC_BASE_WEIGHT.saturating_add(call_weight);
    if weight.any_gt(max_normal_weight()) {
        return Err(Tve::invalid(
            Inv::ExhaustsResources,
            format!("call weight {weight:?} exceeds the block weight limit"),
        ));
    }
    let fee = fees::total_fee(ext, len, call_weight, extra.tip);
    let longevity = extra.era.death(current as u64).saturating_sub(current as u64);
    Ok(Checked {
        signer,
        extra,
        call: xt.function,
        len,
        weight,
        fee,
        provides: (signer, extra.nonce).encode(),
        requires: (extra.nonce > account_nonce).then(|| (signer, extra.nonce - 1).encode()),
        longevity,
    })
}

/// Names the likeliest cause of a signature that does not match its signer.
#[allow(clippy::too_many_arguments)]
fn explain_bad_signature(
    ext: &Ext<'_>,
    call: &[u8],
    extra: &SignedExtra,
    sig: &EthereumSignature,
    signer: AccountId20,
    current: BlockNumber,
    genesis: H256,
    verifier: &dyn SignatureVerifier,
) -> Tve {
    if let Era::Mortal(period, _) = extra.era {
        // Signed for an earlier birth of the same era: the era has expired.
        let birth = extra.era.birth(current as u64);
        if let Some(prev) = birth.checked_sub(period).and_then(|p| u32::try_from(p).ok()) {
            if let Some(h) = system::pallet::block_hash(ext, prev) {
                if verifier.recover(&signing_prehash(call, extra, h, genesis), sig) == Some(signer) {
                    return Tve::invalid(
                        Inv::Stale,
                        format!(
                            "mortal era expired: valid from #{prev} until #{} (current #{current})",
                            prev as u64 + period
                        ),
                    );
                }
            }
        }
    }
    Tve::invalid(
        Inv::BadProof,
        format!(
            "signature does not match signer {signer} for spec_version {}, transaction_version {}, genesis {genesis} and era {:?}: wrong key, wrong chain or a stale/future era",
            crate::constants::SPEC_VERSION,
            crate::constants::TRANSACTION_VERSION,
            extra.era
        ),
    )
}

fn describe_decode_error(bytes: &[u8], e: &parity_scale_codec::Error) -> String {
    // Point at the likeliest layer: length prefix, version byte or call.
    let mut rd = bytes;
    let Ok(len) = parity_scale_codec::Compact::<u32>::decode(&mut rd) else {
        return format!("bad length prefix ({e})");
    };
    if (len.0 as usize) != rd.len() {
        return format!("length prefix says {} bytes but {} follow", len.0, rd.len());
    }
    match rd.first() {
        Some(v) if v & 0x7f != 4 => {
            format!("unsupported extrinsic version byte 0x{v:02x} (expected 0x84 signed or 0x04 unsigned)")
        }
        None => "empty extrinsic".into(),
        _ => {
            let call_hint = if rd[0] & 0x80 != 0 { rd.get(1 + 20 + 65..) } else { rd.get(1..) };
            format!(
                "cannot decode signed extrinsic or call ({e}){}",
                call_hint.map(describe_call_prefix).unwrap_or_default()
            )
        }
    }
}

fn describe_call_prefix(rest: &[u8]) -> String {
    // After the signature comes extra (era, compact nonce, compact tip), then the call.
    let mut rd = rest;
    if SignedExtra::decode(&mut rd).is_err() {
        return String::new();
    }
    match rd {
        [p, c, ..] if !crate::metadata::call_exists(*p, *c) => format!(": unknown pallet/call index {p}/{c}"),
        _ => String::new(),
    }
}

/// Validates a transaction for the pool against the state after block `parent` (number
/// `parent_number`): as if it were applied in the next block.
///
/// # Errors
/// Why it is invalid, with a detail message.
pub fn validate_transaction(
    backend: &dyn StateBackend,
    parent_hash: H256,
    parent_number: BlockNumber,
    bytes: &[u8],
    verifier: &dyn SignatureVerifier,
) -> Result<ValidTransaction, Tve> {
    let mut ext = Ext::new(backend);
    system::pallet::initialize::<Runtime>(&mut ext, parent_number + 1, parent_hash, &Digest::default());
    let c = check(&ext, bytes, verifier, true)?;
    charge(&mut ext, &c)?;
    Ok(ValidTransaction {
        priority: u64::try_from(c.extra.tip / 1_000_000).unwrap_or(u64::MAX),
        requires: c.requires.into_iter().collect(),
        provides: vec![c.provides],
        longevity: c.longevity,
        propagate: true,
        signer: c.signer,
        weight: c.weight,
    })
}

fn charge(ext: &mut Ext<'_>, c: &Checked) -> Result<(), Tve> {
    archive_pallet_balances::withdraw::<Runtime>(ext, &c.signer, c.fee, ExistenceRequirement::KeepAlive).map_err(|e| {
        let usable = archive_pallet_balances::usable_balance(ext, &c.signer);
        Tve::invalid(
            Inv::Payment,
            format!("{} cannot pay the fee of {} (usable balance {usable}, {e:?})", c.signer, c.fee),
        )
    })
}

/// Result of applying one extrinsic that was valid (its dispatch may still have failed).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ApplyOutcome {
    /// The dispatch result (fees were charged either way).
    pub result: Result<(), DispatchError>,
    /// Weight charged.
    pub weight: Weight,
}

/// The outcome of building or executing a block.
#[derive(Clone, Debug)]
pub struct BlockOutcome {
    /// Storage changes to apply to the parent state, sorted by key.
    pub changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Root of the extrinsics trie.
    pub extrinsics_root: H256,
    /// The applied extrinsics (full encodings, with length prefix), in order.
    pub extrinsics: Vec<Vec<u8>>,
}

/// Builds (or re-executes) one block on top of a parent state.
pub struct BlockBuilder<'a> {
    ext: Ext<'a>,
    extrinsics: Vec<Vec<u8>>,
}

impl<'a> BlockBuilder<'a> {
    /// Initializes block `number` with parent `parent_hash` and the pre-runtime `digest` (no seal).
    pub fn new(backend: &'a dyn StateBackend, parent_hash: H256, number: BlockNumber, digest: &Digest) -> Self {
        let mut ext = Ext::new(backend);
        ext.set_phase(Phase::Initialization);
        system::pallet::initialize::<Runtime>(&mut ext, number, parent_hash, digest);
        crate::hooks::on_initialize(&mut ext, number, digest);
        BlockBuilder { ext, extrinsics: Vec::new() }
    }

    /// Applies one extrinsic (full encoding). An invalid one changes nothing and is not added.
    ///
    /// # Errors
    /// Why the extrinsic cannot be included (bad format, signature, nonce, fee, limits).
    pub fn apply(&mut self, bytes: &[u8], verifier: &dyn SignatureVerifier) -> Result<ApplyOutcome, Tve> {
        let c = check(&self.ext, bytes, verifier, false)?;
        let used = archive_pallet_system::storage::BlockWeight::get(&self.ext).unwrap_or_default();
        if used.saturating_add(c.weight).any_gt(max_normal_weight()) {
            return Err(Tve::invalid(Inv::ExhaustsResources, "block weight limit reached"));
        }
        let used_len = archive_pallet_system::storage::AllExtrinsicsLen::get(&self.ext).unwrap_or(0);
        if used_len.saturating_add(c.len) > max_normal_length() {
            return Err(Tve::invalid(Inv::ExhaustsResources, "block length limit reached"));
        }
        let index = archive_pallet_system::storage::ExtrinsicCount::get(&self.ext).unwrap_or(0);
        self.ext.set_phase(Phase::ApplyExtrinsic(index));
        charge(&mut self.ext, &c)?;
        system::pallet::inc_nonce(&mut self.ext, &c.signer);
        let origin = RawOrigin::Signed(c.signer);
        let result = self.ext.transactional(|ext| c.call.dispatch(ext, origin));
        let info = DispatchInfo { weight: c.weight, class: DispatchClass::Normal, pays_fee: Pays::Yes };
        let event = match result {
            Ok(()) => system::Event::ExtrinsicSuccess { dispatch_info: info },
            Err(dispatch_error) => system::Event::ExtrinsicFailed { dispatch_error, dispatch_info: info },
        };
        system::pallet::deposit_event::<Runtime>(&mut self.ext, event);
        system::pallet::note_applied_extrinsic(&mut self.ext, c.len, c.weight);
        self.extrinsics.push(bytes.to_vec());
        Ok(ApplyOutcome { result, weight: c.weight })
    }

    /// Number of extrinsics applied.
    pub fn len(&self) -> usize {
        self.extrinsics.len()
    }

    /// Whether no extrinsic was applied.
    pub fn is_empty(&self) -> bool {
        self.extrinsics.is_empty()
    }

    /// Finalizes the block: writes events and returns the changes and extrinsics root.
    pub fn finalize(mut self) -> BlockOutcome {
        self.ext.set_phase(Phase::Finalization);
        crate::hooks::on_finalize(&mut self.ext);
        system::pallet::finalize::<Runtime>(&mut self.ext);
        let extrinsics_root = archive_primitives::trie::ordered_trie_root(&self.extrinsics);
        BlockOutcome { changes: self.ext.into_changes(), extrinsics_root, extrinsics: self.extrinsics }
    }
}

/// The (message hash, signature) of each signed extrinsic of a block about to be executed on
/// `backend` as block `number` with parent `parent_hash`, so the node can recover all signers
/// in parallel before executing sequentially. Undecodable entries give `None`.
pub fn signature_jobs(
    backend: &dyn StateBackend,
    parent_hash: H256,
    number: BlockNumber,
    xts: &[Vec<u8>],
) -> Vec<Option<([u8; 32], EthereumSignature)>> {
    let mut ext = Ext::new(backend);
    system::pallet::initialize::<Runtime>(&mut ext, number, parent_hash, &Digest::default());
    let genesis = system::pallet::block_hash(&ext, 0).unwrap_or_default();
    xts.iter()
        .map(|bytes| {
            let xt = UncheckedExtrinsic::decode(&mut &bytes[..]).ok()?;
            let (_, sig, extra) = xt.signature?;
            let birth = era_block_hash(&ext, extra.era, number).ok()?;
            Some((signing_prehash(&xt.function.encode(), &extra, birth, genesis), sig))
        })
        .collect()
}
