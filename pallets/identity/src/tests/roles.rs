//! Role grants and revocations, inheritance, `ensure_role` and genesis.

use super::*;
use crate::storage::Roles;
use archive_primitives::AccountId20;
use archive_support::MemoryBackend;

fn grant(who: AccountId20, role: Role) -> Call {
    Call::grant_role { who, role }
}
fn revoke(who: AccountId20, role: Role) -> Call {
    Call::revoke_role { who, role }
}
fn granted(who: AccountId20, role: Role, by: Option<AccountId20>) -> TestEvent {
    ident(Event::RoleGranted { who, role, by })
}
fn revoked(who: AccountId20, role: Role, by: Option<AccountId20>) -> TestEvent {
    ident(Event::RoleRevoked { who, role, by })
}

/// Default genesis plus the explicit `(who, role)` grants (by root).
fn with_roles(grants: &[(AccountId20, Role)]) -> MemoryBackend {
    build_on(&default_backend(), |ext| {
        for (who, role) in grants {
            assert_eq!(dispatch(ext, RawOrigin::Root, grant(*who, *role)), Ok(()));
        }
    })
}

// ---- grant_role ----

#[test]
fn root_grants_any_role_including_admin() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    for role in [Role::User, Role::Archiver, Role::Admin, Role::Validator] {
        assert_eq!(dispatch(&mut ext, RawOrigin::Root, grant(bob(), role)), Ok(()));
    }
    assert_eq!(
        events(&ext),
        vec![
            granted(bob(), Role::User, None),
            granted(bob(), Role::Archiver, None),
            granted(bob(), Role::Admin, None),
            granted(bob(), Role::Validator, None),
        ]
    );
    assert_eq!(Roles::get(&ext, &bob()), Some(0b1_1110));
    assert_eq!(crate::granted_roles(&ext, &bob()), vec![Role::User, Role::Archiver, Role::Admin, Role::Validator]);
}

#[test]
fn admin_grants_archiver_to_another_account() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert!(!crate::has_role(&ext, &bob(), Role::Archiver));
    assert_eq!(signed(&mut ext, alice(), grant(bob(), Role::Archiver)), Ok(()));
    assert_eq!(events(&ext), vec![granted(bob(), Role::Archiver, Some(alice()))]);
    assert_eq!(Roles::get(&ext, &bob()), Some(Role::Archiver.bit()));
    assert!(crate::has_role(&ext, &bob(), Role::Archiver));
    assert_eq!(crate::roles(&ext, &bob()), vec![Role::Guest, Role::User, Role::Archiver]);
}

#[test]
fn admin_grants_validator_and_user_but_not_admin() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), grant(bob(), Role::Validator)), Ok(()));
    assert_eq!(signed(&mut ext, alice(), grant(charlie(), Role::User)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![granted(bob(), Role::Validator, Some(alice())), granted(charlie(), Role::User, Some(alice()))]
    );
    let err = identity_error(Error::AdminRequiresGovernance);
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), grant(bob(), Role::Admin), err);
}

#[test]
fn only_root_grants_admin() {
    // An admin, an archiver and a plain user all fail; root succeeds.
    let backend = with_roles(&[(charlie(), Role::Archiver)]);
    let cases =
        [(alice(), Error::AdminRequiresGovernance), (charlie(), Error::NotAuthorized), (dave(), Error::NotAuthorized)];
    for (caller, e) in cases {
        assert_noop(&backend, RawOrigin::Signed(caller), grant(bob(), Role::Admin), identity_error(e));
    }
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, grant(bob(), Role::Admin)), Ok(()));
    assert_eq!(events(&ext), vec![granted(bob(), Role::Admin, None)]);
    // The new admin may now grant (non-admin roles) to others.
    assert_eq!(signed(&mut ext, bob(), grant(dave(), Role::Archiver)), Ok(()));
    assert!(crate::has_role(&ext, &dave(), Role::Archiver));
}

#[test]
fn a_user_cannot_grant_itself_a_role() {
    let backend = build_on(&default_backend(), |ext| assert_eq!(signed(ext, bob(), set_named("bob")), Ok(())));
    let err = identity_error(Error::CannotModifyOwnRoles);
    for role in Role::ALL {
        assert_noop(&backend, RawOrigin::Signed(bob()), grant(bob(), role), err);
    }
}

#[test]
fn an_admin_cannot_grant_or_revoke_its_own_roles() {
    let err = identity_error(Error::CannotModifyOwnRoles);
    let backend = default_backend();
    assert_noop(&backend, RawOrigin::Signed(alice()), grant(alice(), Role::Validator), err);
    assert_noop(&backend, RawOrigin::Signed(alice()), revoke(alice(), Role::Admin), err);
}

#[test]
fn non_admins_cannot_grant() {
    let backend = with_roles(&[(bob(), Role::Archiver), (charlie(), Role::Validator)]);
    let err = identity_error(Error::NotAuthorized);
    for caller in [bob(), charlie(), dave()] {
        assert_noop(&backend, RawOrigin::Signed(caller), grant(account(9), Role::User), err);
    }
}

#[test]
fn guest_cannot_be_granted_or_revoked() {
    let err = identity_error(Error::InvalidRole);
    let backend = default_backend();
    assert_noop(&backend, RawOrigin::Root, grant(bob(), Role::Guest), err);
    assert_noop(&backend, RawOrigin::Signed(alice()), grant(bob(), Role::Guest), err);
    assert_noop(&backend, RawOrigin::Root, revoke(bob(), Role::Guest), err);
    assert_noop(&backend, RawOrigin::Signed(alice()), revoke(bob(), Role::Guest), err);
}

#[test]
fn granting_a_held_role_fails_with_role_already_granted() {
    let backend = with_roles(&[(bob(), Role::Archiver)]);
    let err = identity_error(Error::RoleAlreadyGranted);
    assert_noop(&backend, RawOrigin::Root, grant(bob(), Role::Archiver), err);
    assert_noop(&backend, RawOrigin::Signed(alice()), grant(bob(), Role::Archiver), err);
    assert_noop(&backend, RawOrigin::Root, grant(alice(), Role::Admin), err);
}

#[test]
fn an_inherited_role_can_still_be_granted_explicitly() {
    // Alice holds Archiver through Admin; granting it explicitly records it.
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert!(crate::has_role(&ext, &alice(), Role::Archiver));
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, grant(alice(), Role::Archiver)), Ok(()));
    assert_eq!(crate::granted_roles(&ext, &alice()), vec![Role::Archiver, Role::Admin]);
}

#[test]
fn unsigned_origin_cannot_grant_or_revoke() {
    let backend = with_roles(&[(bob(), Role::User)]);
    assert_noop(&backend, RawOrigin::None, grant(bob(), Role::Archiver), DispatchError::BadOrigin);
    assert_noop(&backend, RawOrigin::None, revoke(bob(), Role::User), DispatchError::BadOrigin);
}

// ---- revoke_role ----

#[test]
fn root_revokes_admin_and_the_former_admin_loses_its_powers() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, revoke(alice(), Role::Admin)), Ok(()));
    assert_eq!(events(&ext), vec![revoked(alice(), Role::Admin, None)]);
    assert_eq!(Roles::get(&ext, &alice()), None, "entry deleted when no role is left");
    assert_eq!(crate::roles(&ext, &alice()), vec![Role::Guest]);
    let backend =
        build_on(&backend, |e| assert_eq!(dispatch(e, RawOrigin::Root, revoke(alice(), Role::Admin)), Ok(())));
    let err = identity_error(Error::NotAuthorized);
    assert_noop(&backend, RawOrigin::Signed(alice()), grant(bob(), Role::User), err);
}

#[test]
fn admin_revokes_a_role_of_another_account_keeping_the_rest() {
    let backend = with_roles(&[(bob(), Role::Archiver), (bob(), Role::Validator)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), revoke(bob(), Role::Archiver)), Ok(()));
    assert_eq!(events(&ext), vec![revoked(bob(), Role::Archiver, Some(alice()))]);
    assert_eq!(Roles::get(&ext, &bob()), Some(Role::Validator.bit()));
    assert_eq!(crate::roles(&ext, &bob()), vec![Role::Guest, Role::User, Role::Validator]);
}

#[test]
fn only_root_revokes_admin() {
    let backend = with_roles(&[(bob(), Role::Admin)]);
    let err = identity_error(Error::AdminRequiresGovernance);
    assert_noop(&backend, RawOrigin::Signed(alice()), revoke(bob(), Role::Admin), err);
    assert_noop(&backend, RawOrigin::Signed(bob()), revoke(alice(), Role::Admin), err);
    let err = identity_error(Error::NotAuthorized);
    assert_noop(&backend, RawOrigin::Signed(charlie()), revoke(bob(), Role::Admin), err);
}

#[test]
fn revoking_a_role_not_granted_fails_with_role_not_granted() {
    let err = identity_error(Error::RoleNotGranted);
    // Bob has an identity (so holds User by inheritance) but no explicit role.
    let backend = build_on(&default_backend(), |ext| assert_eq!(signed(ext, bob(), set_named("bob")), Ok(())));
    assert_noop(&backend, RawOrigin::Root, revoke(bob(), Role::User), err);
    assert_noop(&backend, RawOrigin::Signed(alice()), revoke(bob(), Role::Archiver), err);
    // Alice's Archiver is inherited from Admin: it cannot be revoked on its own.
    assert_noop(&backend, RawOrigin::Root, revoke(alice(), Role::Archiver), err);
}

#[test]
fn non_admins_cannot_revoke() {
    let backend = with_roles(&[(bob(), Role::Archiver), (charlie(), Role::User)]);
    let err = identity_error(Error::NotAuthorized);
    assert_noop(&backend, RawOrigin::Signed(bob()), revoke(charlie(), Role::User), err);
    assert_noop(&backend, RawOrigin::Signed(dave()), revoke(bob(), Role::Archiver), err);
    let err = identity_error(Error::CannotModifyOwnRoles);
    assert_noop(&backend, RawOrigin::Signed(bob()), revoke(bob(), Role::Archiver), err);
}

// ---- inheritance ----

#[test]
fn inheritance_matrix() {
    use Role::*;
    let with_identity = account(10);
    let explicit_user = account(11);
    let archiver = account(12);
    let admin = account(13);
    let validator = account(14);
    let admin_validator = account(15);
    let nobody = account(16);
    let backend = build_on(&default_backend(), |ext| {
        set_deposit(ext, 0);
        assert_eq!(signed(ext, with_identity, set_named("id")), Ok(()));
        let grants = [
            (explicit_user, User),
            (archiver, Archiver),
            (admin, Admin),
            (validator, Validator),
            (admin_validator, Admin),
            (admin_validator, Validator),
        ];
        for (who, role) in grants {
            assert_eq!(crate::grant_role::<Test>(ext, &who, role, None), Ok(()));
        }
    });
    let ext = Ext::new(&backend);
    //                  Guest  User   Archiver Admin  Validator
    let matrix = [
        (nobody, [true, false, false, false, false]),
        (with_identity, [true, true, false, false, false]),
        (explicit_user, [true, true, false, false, false]),
        (archiver, [true, true, true, false, false]),
        (admin, [true, true, true, true, false]),
        (validator, [true, true, false, false, true]),
        (admin_validator, [true, true, true, true, true]),
    ];
    for (who, expected) in matrix {
        let held: Vec<Role> = Role::ALL.into_iter().filter(|r| crate::has_role(&ext, &who, *r)).collect();
        let want: Vec<Role> = Role::ALL.into_iter().zip(expected).filter(|(_, e)| *e).map(|(r, _)| r).collect();
        assert_eq!(held, want, "has_role of {who}");
        assert_eq!(crate::roles(&ext, &who), want, "roles of {who}");
        for role in Role::ALL {
            let r = crate::ensure_role(&ext, &who, role);
            assert_eq!(r.is_ok(), want.contains(&role), "ensure_role({who}, {role})");
        }
    }
}

#[test]
fn clearing_the_identity_drops_user_unless_a_role_is_granted() {
    let backend = build_on(&with_roles(&[(charlie(), Role::Validator)]), |ext| {
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        set_deposit(ext, 0);
        assert_eq!(signed(ext, charlie(), set_named("charlie")), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert!(crate::has_role(&ext, &bob(), Role::User));
    assert_eq!(signed(&mut ext, bob(), Call::clear_identity), Ok(()));
    assert_eq!(signed(&mut ext, charlie(), Call::clear_identity), Ok(()));
    assert_eq!(crate::roles(&ext, &bob()), vec![Role::Guest]);
    assert_eq!(crate::roles(&ext, &charlie()), vec![Role::Guest, Role::User, Role::Validator]);
}

#[test]
fn ensure_role_reports_missing_role_of_this_pallet() {
    let backend = default_backend();
    let ext = Ext::new(&backend);
    assert_eq!(crate::ensure_role(&ext, &alice(), Role::Admin), Ok(()));
    assert_eq!(crate::ensure_role(&ext, &dave(), Role::Guest), Ok(()));
    assert_eq!(crate::ensure_role(&ext, &bob(), Role::User), Err(identity_error(Error::MissingRole)));
    assert_eq!(crate::ensure_role(&ext, &alice(), Role::Validator), Err(identity_error(Error::MissingRole)));
}

#[test]
fn unknown_bits_in_storage_grant_nothing() {
    // Guest's bit and bits above Validator are never written; if present they mean nothing.
    let backend = build_on(&default_backend(), |ext| Roles::insert(ext, &bob(), &0b1110_0001));
    let ext = Ext::new(&backend);
    assert_eq!(crate::roles(&ext, &bob()), vec![Role::Guest]);
    assert_eq!(crate::granted_roles(&ext, &bob()), vec![]);
}

// ---- the public grant/revoke API ----

#[test]
fn public_grant_and_revoke_skip_permission_checks_and_emit_events() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::grant_role::<Test>(&mut ext, &bob(), Role::Admin, Some(charlie())), Ok(()));
    assert_eq!(crate::revoke_role::<Test>(&mut ext, &alice(), Role::Admin, None), Ok(()));
    assert_eq!(events(&ext), vec![granted(bob(), Role::Admin, Some(charlie())), revoked(alice(), Role::Admin, None)]);
    assert!(crate::has_role(&ext, &bob(), Role::Admin));
    assert!(!crate::has_role(&ext, &alice(), Role::Admin));
}

#[test]
fn public_grant_and_revoke_errors_write_nothing() {
    let backend = default_backend();
    type Op = fn(&mut Ext<'_>) -> archive_support::DispatchResult;
    let cases: [(Op, Error); 4] = [
        (|e| crate::grant_role::<Test>(e, &bob(), Role::Guest, None), Error::InvalidRole),
        (|e| crate::grant_role::<Test>(e, &alice(), Role::Admin, None), Error::RoleAlreadyGranted),
        (|e| crate::revoke_role::<Test>(e, &bob(), Role::Guest, None), Error::InvalidRole),
        (|e| crate::revoke_role::<Test>(e, &bob(), Role::User, None), Error::RoleNotGranted),
    ];
    for (f, e) in cases {
        let mut ext = Ext::new(&backend);
        assert_eq!(f(&mut ext), Err(identity_error(e)));
        assert!(ext.events().is_empty(), "{e:?}");
        assert_eq!(ext.into_changes(), vec![], "{e:?}");
    }
}

// ---- genesis ----

#[test]
fn genesis_config_reads_lower_case_role_names() {
    let json = format!(r#"{{"roles": [["{}", "admin"], ["{}", "validator"]]}}"#, alice(), bob());
    let config: crate::GenesisConfig = serde_json::from_str(&json).expect("valid genesis");
    assert_eq!(config.roles, vec![(alice(), Role::Admin), (bob(), Role::Validator)]);
    let back = serde_json::to_value(&config).expect("serializes");
    assert_eq!(back["roles"][0][1], "admin");
    let empty: crate::GenesisConfig = serde_json::from_str("{}").expect("roles default to none");
    assert_eq!(empty, crate::GenesisConfig::default());
    assert!(serde_json::from_str::<crate::GenesisConfig>(r#"{"roles": [], "extra": 1}"#).is_err());
    let bad = format!(r#"{{"roles": [["{}", "superuser"]]}}"#, alice());
    assert!(serde_json::from_str::<crate::GenesisConfig>(&bad).is_err());
}

#[test]
fn build_genesis_grants_without_events() {
    let empty = MemoryBackend::default();
    let mut ext = Ext::new(&empty);
    let config = crate::GenesisConfig {
        roles: vec![(alice(), Role::Admin), (alice(), Role::Validator), (bob(), Role::Archiver)],
    };
    assert_eq!(crate::build_genesis::<Test>(&mut ext, &config), Ok(()));
    assert!(ext.events().is_empty());
    assert_eq!(crate::granted_roles(&ext, &alice()), vec![Role::Admin, Role::Validator]);
    assert_eq!(crate::roles(&ext, &bob()), vec![Role::Guest, Role::User, Role::Archiver]);
}

#[test]
fn build_genesis_refuses_duplicates_and_guest_writing_nothing() {
    let cases = [
        (vec![(alice(), Role::Admin), (bob(), Role::User), (alice(), Role::Admin)], Error::RoleAlreadyGranted),
        (vec![(alice(), Role::Admin), (bob(), Role::Guest)], Error::InvalidRole),
    ];
    for (roles, e) in cases {
        let empty = MemoryBackend::default();
        let mut ext = Ext::new(&empty);
        let config = crate::GenesisConfig { roles };
        assert_eq!(crate::build_genesis::<Test>(&mut ext, &config), Err(identity_error(e)));
        assert_eq!(ext.into_changes(), vec![], "{e:?}");
    }
}

#[test]
fn raw_bitset_helpers_agree_with_storage_queries() {
    use crate::{effective_roles, holds_role, storage::Roles};
    for bits in 0u8..=0x3f {
        for has_identity in [false, true] {
            let b = archive_support::MemoryBackend::default();
            let mut ext = archive_support::Ext::new(&b);
            let who = archive_primitives::AccountId20([9; 20]);
            Roles::insert(&mut ext, &who, &bits);
            if has_identity {
                crate::storage::IdentityOf::insert(
                    &mut ext,
                    &who,
                    &crate::Registration {
                        info: crate::IdentityInfo { display: b"x".to_vec(), web: None, email_hash: None },
                        deposit: 0,
                    },
                );
            }
            assert_eq!(effective_roles(bits, has_identity), crate::roles(&ext, &who), "bits {bits:#x}");
            for role in crate::Role::ALL {
                assert_eq!(holds_role(bits, has_identity, role), crate::has_role(&ext, &who, role));
            }
        }
    }
}
