//! Extrinsic format v4: `Compact(len) ++ 0x84 ++ AccountId20 ++ Signature65 ++ extra ++ call`
//! (unsigned: `Compact(len) ++ 0x04 ++ call`), and its signing payload.

use parity_scale_codec::{Compact, Decode, Encode, Input};
use scale_info::{Path, Type, TypeInfo, TypeParameter};

use super::era::Era;
use crate::{
    crypto::{EthereumSignature, Pair},
    hashing::blake2_256,
    AccountId20, Balance, Nonce, H256,
};

/// The extrinsic format version.
pub const EXTRINSIC_VERSION: u8 = 4;
/// Payloads longer than this are replaced by their blake2_256 before signing.
pub const MAX_UNHASHED_PAYLOAD: usize = 256;

/// The `extra` part of a signed extrinsic: what the signed extensions carry on the wire, in
/// metadata order (CheckSpecVersion, CheckTxVersion, CheckGenesis carry nothing;
/// CheckMortality: `Era`; CheckNonce: `Compact<u32>`; CheckWeight: nothing;
/// ChargeTransactionPayment: `Compact<u128>` tip).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedExtra {
    /// Mortality.
    pub era: Era,
    /// The sender's nonce.
    #[codec(compact)]
    pub nonce: Nonce,
    /// Extra fee paid to the block author; raises priority.
    #[codec(compact)]
    pub tip: Balance,
}

/// The `additional_signed` data: signed but not transmitted (the node knows it).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode)]
pub struct AdditionalSigned {
    /// CheckSpecVersion.
    pub spec_version: u32,
    /// CheckTxVersion.
    pub transaction_version: u32,
    /// CheckGenesis.
    pub genesis_hash: H256,
    /// CheckMortality: the hash of the era's birth block (the genesis hash if immortal).
    pub era_block_hash: H256,
}

/// The bytes a signer signs (keccak256 of them, by the Ethereum convention): `call ++ extra ++
/// additional`, replaced by its blake2_256 when longer than 256 bytes.
pub fn signing_payload(call: &[u8], extra: &SignedExtra, additional: &AdditionalSigned) -> Vec<u8> {
    let mut payload = call.to_vec();
    extra.encode_to(&mut payload);
    additional.encode_to(&mut payload);
    if payload.len() > MAX_UNHASHED_PAYLOAD {
        blake2_256(&payload).to_vec()
    } else {
        payload
    }
}

/// An extrinsic, generic over the runtime's call type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UncheckedExtrinsic<Call> {
    /// `(signer, signature, extra)` for signed extrinsics.
    pub signature: Option<(AccountId20, EthereumSignature, SignedExtra)>,
    /// The call.
    pub function: Call,
}

impl<Call: Encode> UncheckedExtrinsic<Call> {
    /// Builds and signs an extrinsic.
    pub fn new_signed(function: Call, pair: &Pair, extra: SignedExtra, additional: &AdditionalSigned) -> Self {
        let payload = signing_payload(&function.encode(), &extra, additional);
        let sig = pair.sign(&payload);
        UncheckedExtrinsic { signature: Some((pair.account(), sig, extra)), function }
    }

    /// An unsigned (inherent-style) extrinsic.
    pub fn new_unsigned(function: Call) -> Self {
        UncheckedExtrinsic { signature: None, function }
    }

    /// blake2_256 of the full encoding (with its length prefix): what clients call the tx hash.
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.encode()))
    }
}

impl<Call: Encode> Encode for UncheckedExtrinsic<Call> {
    fn encode(&self) -> Vec<u8> {
        let mut inner = Vec::with_capacity(128);
        match &self.signature {
            Some((who, sig, extra)) => {
                inner.push(EXTRINSIC_VERSION | 0b1000_0000);
                who.encode_to(&mut inner);
                sig.encode_to(&mut inner);
                extra.encode_to(&mut inner);
            }
            None => inner.push(EXTRINSIC_VERSION),
        }
        self.function.encode_to(&mut inner);
        inner.encode()
    }
}

impl<Call: Decode> Decode for UncheckedExtrinsic<Call> {
    /// Decodes a length-prefixed extrinsic. The declared length must match the content exactly.
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let len = Compact::<u32>::decode(input)?.0 as usize;
        if let Ok(Some(remaining)) = input.remaining_len() {
            if remaining < len {
                return Err("extrinsic length prefix exceeds the data".into());
            }
        }
        let mut bytes = vec![0u8; len];
        input.read(&mut bytes)?;
        let mut rd = &bytes[..];
        let version = rd.read_byte()?;
        let is_signed = version & 0b1000_0000 != 0;
        if version & 0b0111_1111 != EXTRINSIC_VERSION {
            return Err("unsupported extrinsic version".into());
        }
        let signature = if is_signed {
            Some((AccountId20::decode(&mut rd)?, EthereumSignature::decode(&mut rd)?, SignedExtra::decode(&mut rd)?))
        } else {
            None
        };
        let function = Call::decode(&mut rd)?;
        if !rd.is_empty() {
            return Err("extrinsic has trailing bytes after the call".into());
        }
        Ok(UncheckedExtrinsic { signature, function })
    }
}

impl<Call: TypeInfo + 'static> TypeInfo for UncheckedExtrinsic<Call> {
    type Identity = Self;
    /// `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic<Address, Call, Signature,
    /// Extra>` as an opaque `Vec<u8>` — the type parameter names are what clients look up.
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", "sp_runtime::generic::unchecked_extrinsic"))
            .type_params(vec![
                TypeParameter::new("Address", Some(scale_info::meta_type::<AccountId20>())),
                TypeParameter::new("Call", Some(scale_info::meta_type::<Call>())),
                TypeParameter::new("Signature", Some(scale_info::meta_type::<EthereumSignature>())),
                TypeParameter::new("Extra", Some(scale_info::meta_type::<crate::extensions::SignedExtensions>())),
            ])
            .composite(scale_info::build::Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}
