//! Pinned encodings: if one of these changes, existing clients and signed transactions break.

use archive_primitives::{Digest, DigestItem, Era, Header, H256};
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use parity_scale_codec::{Decode, Encode};

use super::*;

#[test]
fn signed_transfer_bytes_and_hash_are_pinned() {
    // Alith → Baltathar, 1 ARC, nonce 0, immortal, tip 0, genesis 0x11..11.
    let xt = sign(
        transfer_call(pair("baltathar").account(), ARC),
        &pair("alith"),
        0,
        Era::Immortal,
        H256([0x11; 32]),
        H256([0x11; 32]),
    );
    assert_eq!(
        hex::encode(&xt),
        include_str!("signed_transfer.hex").trim(),
        "the encoding of a signed extrinsic changed"
    );
    let decoded = UncheckedExtrinsic::decode(&mut &xt[..]).expect("decodes");
    assert_eq!(decoded.hash().to_string(), include_str!("signed_transfer.hash").trim());
    // Layout: compact length, 0x84, signer, 65-byte signature, era, nonce, tip, call.
    assert_eq!(xt[2], 0x84);
    assert_eq!(&xt[3..23], &pair("alith").account().0);
    assert_eq!(&xt[88..91], &[0x00, 0x00, 0x00]);
    assert_eq!(&xt[91..93], &[10, 3]);
}

#[test]
fn header_hash_is_blake2_of_scale() {
    let header = Header {
        parent_hash: H256([1; 32]),
        number: 42,
        state_root: H256([2; 32]),
        extrinsics_root: H256([3; 32]),
        digest: Digest {
            logs: vec![DigestItem::PreRuntime(*b"arcp", vec![1, 2, 3]), DigestItem::Seal(*b"arcp", vec![4])],
        },
    };
    let enc = header.encode();
    // number is Compact<u32>: 42 → 0xa8.
    assert_eq!(enc[32], 0xa8);
    assert_eq!(header.hash(), H256(archive_primitives::hashing::blake2_256(&enc)));
    assert_eq!(header.hash().to_string(), "0xc859d9984d0b63be4f93fce6b4a20599ab5614beeb8639c9ff5bcc7b0a0683f6");
    assert_eq!(Header::decode(&mut &enc[..]).expect("decodes"), header);
}

#[test]
fn metadata_is_v14_with_the_paths_clients_key_on() {
    let bytes = crate::metadata::metadata_bytes();
    assert_eq!(&bytes[..4], b"meta");
    assert_eq!(bytes[4], 14);
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).expect("decodes");
    let RuntimeMetadata::V14(md) = prefixed.1 else { panic!("not V14") };
    assert_eq!(md.encode(), bytes[5..].to_vec(), "re-encoding round-trips");
    let names: Vec<_> = md.pallets.iter().map(|p| (p.name.as_str(), p.index)).collect();
    assert_eq!(
        names,
        vec![
            ("System", 0),
            ("Session", 5),
            ("Parameters", 8),
            ("Balances", 10),
            ("Identity", 20),
            ("Staking", 30),
            ("Governance", 40),
            ("Archive", 50)
        ]
    );
    assert_eq!(md.extrinsic.version, 4);
    let ids: Vec<_> = md.extrinsic.signed_extensions.iter().map(|e| e.identifier.as_str()).collect();
    assert_eq!(ids, archive_primitives::extensions::IDENTIFIERS.to_vec());
    let path_of = |id: u32| md.types.resolve(id).expect("type").path.segments.join("::");
    assert_eq!(path_of(md.extrinsic.ty.id), "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic");
    let params: Vec<_> =
        md.types.resolve(md.extrinsic.ty.id).expect("type").type_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, vec!["Address", "Call", "Signature", "Extra"]);
    let all_paths: Vec<String> = md.types.types.iter().map(|t| t.ty.path.segments.join("::")).collect();
    for p in [
        "archive_runtime::RuntimeCall",
        "archive_runtime::RuntimeEvent",
        "account::AccountId20",
        "account::EthereumSignature",
        "frame_system::EventRecord",
        "frame_system::Phase",
        "frame_system::AccountInfo",
        "pallet_balances::types::AccountData",
        "sp_runtime::generic::era::Era",
        "sp_runtime::generic::digest::DigestItem",
        "sp_runtime::DispatchError",
        "sp_weights::weight_v2::Weight",
        "primitive_types::H256",
    ] {
        assert!(all_paths.iter().any(|x| x == p), "metadata lacks {p}");
    }
    // The signed-extension types py-substrate-interface needs empty: CheckWeight has no data.
    let weight_ext = md.extrinsic.signed_extensions.iter().find(|e| e.identifier == "CheckWeight").expect("ext");
    assert!(matches!(
        &md.types.resolve(weight_ext.ty.id).expect("t").type_def,
        scale_info::TypeDef::Composite(c) if c.fields.is_empty()
    ));
}

#[test]
fn runtime_api_ids_are_substrates() {
    assert_eq!(hex::encode(crate::apis::api_id("Core")), "df6acb689907609b");
    assert_eq!(hex::encode(crate::apis::api_id("Metadata")), "37e397fc7c91f5e4");
    assert_eq!(hex::encode(crate::apis::api_id("AccountNonceApi")), "bc9d89904f5b923f");
    assert_eq!(hex::encode(crate::apis::api_id("TransactionPaymentApi")), "37c8bb1350a9a2a8");
    let v = crate::version();
    assert_eq!(archive_primitives::RuntimeVersion::decode(&mut &v.encode()[..]).expect("decodes"), v);
}

#[test]
fn every_listed_call_index_decodes_and_no_other() {
    for p in 0u8..=255 {
        for c in 0u8..=255 {
            // Calls with a Vec/bool/AccountId first argument: pad enough zero bytes to decode.
            let mut bytes = vec![p, c];
            bytes.extend([0u8; 1024]);
            let decodes = RuntimeCall::decode(&mut &bytes[..]).is_ok();
            assert_eq!(decodes, crate::metadata::call_exists(p, c), "call index {p}/{c}");
        }
    }
}
