//! Calls, events, errors, roles and storage layout pinned byte for byte.

use super::*;
use crate::storage::Roles;
use archive_primitives::{storage_key::storage_prefix, AccountId20};
use parity_scale_codec::{Decode, DecodeAll, Encode};

fn a11() -> AccountId20 {
    AccountId20([0x11; 20])
}
fn a22() -> AccountId20 {
    AccountId20([0x22; 20])
}

/// Asserts `value` encodes to `expected_hex` and decodes back from it with nothing left over.
fn assert_pinned<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: T, expected_hex: &str) {
    assert_eq!(hex::encode(value.encode()), expected_hex, "{value:?}");
    let bytes = hex::decode(expected_hex).expect("valid hex");
    assert_eq!(T::decode_all(&mut &bytes[..]), Ok(value));
}

// ---- calls ----

#[test]
fn set_identity_call_encoding_is_pinned() {
    let info =
        IdentityInfo { display: b"alice".to_vec(), web: Some(b"https://a.io".to_vec()), email_hash: Some([0xee; 32]) };
    // index 1 ++ compact(5) "alice" ++ Some ++ compact(12) "https://a.io" ++ Some ++ 32 bytes.
    let expected = format!("01 14 616c696365 01 30 68747470733a2f2f612e696f 01 {}", "ee".repeat(32));
    assert_pinned(Call::set_identity { info }, &expected.replace(' ', ""));
    // Optional fields absent.
    assert_pinned(set_named("alice"), "0114616c6963650000");
}

#[test]
fn clear_identity_call_encoding_is_pinned() {
    assert_pinned(Call::clear_identity, "03");
}

#[test]
fn role_call_encodings_are_pinned() {
    assert_pinned(Call::grant_role { who: a11(), role: Role::Archiver }, &format!("14{}02", "11".repeat(20)));
    assert_pinned(Call::revoke_role { who: a22(), role: Role::Validator }, &format!("15{}04", "22".repeat(20)));
}

#[test]
fn unknown_call_and_role_indices_do_not_decode() {
    for bytes in [vec![0u8], vec![2], vec![22]] {
        assert!(Call::decode(&mut &bytes[..]).is_err(), "{bytes:?}");
    }
    let mut bad_role = Call::grant_role { who: a11(), role: Role::Admin }.encode();
    if let Some(last) = bad_role.last_mut() {
        *last = 5;
    }
    assert!(Call::decode(&mut &bad_role[..]).is_err());
}

// ---- events ----

#[test]
fn identity_event_encodings_are_pinned() {
    assert_pinned(Event::IdentitySet { who: a11() }, &format!("00{}", "11".repeat(20)));
    // deposit: u128 little-endian.
    let cleared = Event::IdentityCleared { who: a11(), deposit: 1_000 };
    assert_pinned(cleared, &format!("01{}e803{}", "11".repeat(20), "00".repeat(14)));
}

#[test]
fn role_event_encodings_are_pinned() {
    let by_root = Event::RoleGranted { who: a11(), role: Role::Admin, by: None };
    assert_pinned(by_root, &format!("14{}0300", "11".repeat(20)));
    let by_admin = Event::RoleGranted { who: a11(), role: Role::Archiver, by: Some(a22()) };
    assert_pinned(by_admin, &format!("14{}0201{}", "11".repeat(20), "22".repeat(20)));
    let revoked = Event::RoleRevoked { who: a22(), role: Role::User, by: Some(a11()) };
    assert_pinned(revoked, &format!("15{}0101{}", "22".repeat(20), "11".repeat(20)));
    let revoked_by_root = Event::RoleRevoked { who: a22(), role: Role::Validator, by: None };
    assert_pinned(revoked_by_root, &format!("15{}0400", "22".repeat(20)));
}

#[test]
fn recorded_events_carry_the_pallet_index() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::grant_role { who: bob(), role: Role::Archiver }), Ok(()));
    let raw = &ext.events()[0].event;
    assert_eq!(hex::encode(raw), format!("14 14 {} 02 01 {}", "02".repeat(20), "01".repeat(20)).replace(' ', ""));
}

// ---- errors ----

#[test]
fn error_indices_are_pinned() {
    let all = [
        (Error::DisplayInvalid, 0),
        (Error::WebInvalid, 1),
        (Error::NoIdentity, 2),
        (Error::InsufficientBalance, 3),
        (Error::NotAuthorized, 4),
        (Error::CannotModifyOwnRoles, 5),
        (Error::AdminRequiresGovernance, 6),
        (Error::InvalidRole, 7),
        (Error::RoleAlreadyGranted, 8),
        (Error::RoleNotGranted, 9),
        (Error::MissingRole, 10),
    ];
    for (e, index) in all {
        assert_eq!(e.encode(), vec![index], "{e:?}");
        assert_eq!(
            identity_error(e),
            DispatchError::Module(archive_support::ModuleError { index: IDENTITY, error: [index, 0, 0, 0] })
        );
    }
    // DispatchError::Module (3) ++ pallet 20 ++ [10, 0, 0, 0].
    assert_eq!(hex::encode(identity_error(Error::MissingRole).encode()), "03140a000000");
}

#[test]
fn the_test_runtime_uses_the_documented_pallet_index() {
    assert_eq!(IDENTITY, crate::PALLET_INDEX);
    assert_eq!(crate::PALLET_INDEX, 20);
}

// ---- roles ----

#[test]
fn role_indices_names_and_bits_are_pinned() {
    let all = [
        (Role::Guest, 0, "guest"),
        (Role::User, 1, "user"),
        (Role::Archiver, 2, "archiver"),
        (Role::Admin, 3, "admin"),
        (Role::Validator, 4, "validator"),
    ];
    assert_eq!(Role::ALL.to_vec(), all.iter().map(|(r, _, _)| *r).collect::<Vec<_>>());
    for (role, index, name) in all {
        assert_pinned(role, &format!("{index:02x}"));
        assert_eq!((role.index(), role.bit(), role.name()), (index, 1 << index, name));
        assert_eq!(role.to_string(), name);
        assert_eq!(Role::from_name(name), Some(role));
        assert_eq!(Role::from_name(&name.to_uppercase()), Some(role));
        assert_eq!(serde_json::to_string(&role).expect("serializes"), format!("\"{name}\""));
    }
    assert_eq!(Role::from_name(" Admin "), Some(Role::Admin));
    assert_eq!(Role::from_name("root"), None);
    assert_eq!(Role::from_name(""), None);
}

// ---- storage ----

#[test]
fn storage_layout_is_pinned() {
    assert_eq!(IdentityOf::prefix(), storage_prefix("Identity", "IdentityOf"));
    assert_eq!(Roles::prefix(), storage_prefix("Identity", "Roles"));
    let key = Roles::key(&a11());
    assert_eq!(&key[..32], &storage_prefix("Identity", "Roles")[..]);
    assert_eq!(&key[32..48], &archive_primitives::hashing::blake2_128(&a11().0)[..]);
    assert_eq!(&key[48..], &a11().0[..]);
    let registration = Registration { info: named("ab"), deposit: 1 };
    // compact(2) "ab" ++ None ++ None ++ deposit 1 as u128 little-endian.
    assert_pinned(registration, &format!("086162000001{}", "00".repeat(15)));
    let names: Vec<&str> = crate::entries().iter().map(|e| e.name).collect();
    assert_eq!(names, ["IdentityOf", "Roles"]);
}

#[test]
fn roles_are_stored_as_a_bitset() {
    let backend = build_on(&default_backend(), |ext| {
        for role in [Role::User, Role::Validator] {
            assert_eq!(crate::grant_role::<Test>(ext, &bob(), role, None), Ok(()));
        }
    });
    assert_eq!(backend.0.get(&Roles::key(&bob())), Some(&vec![0b1_0010]));
    assert_eq!(backend.0.get(&Roles::key(&alice())), Some(&vec![0b1000]));
}
