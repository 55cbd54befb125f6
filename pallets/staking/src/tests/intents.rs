//! validate, nominate, chill.

use super::*;

// ---- validate ----

#[test]
fn validate_registers_a_candidate_and_ends_a_nomination() {
    let backend = with(|ext| {
        ok(ext, dorothy(), bond(5_000));
        ok(ext, dorothy(), nominate(vec![alith()]));
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, dorothy(), validate(5));
    let prefs = ValidatorPrefs { commission: Perbill::from_percent(5), blocked: false };
    assert_eq!(events(&ext), vec![st(Event::ValidatorPrefsSet { stash: dorothy(), prefs })]);
    assert_eq!(Validators::get(&ext, &dorothy()), Some(prefs));
    assert!(!Nominators::contains(&ext, &dorothy()));
    assert_eq!(NominatorList::get_or_default(&ext), vec![]);
    assert_eq!(ValidatorList::get_or_default(&ext), sorted(vec![alith(), baltathar(), charleth(), dorothy()]));
    let listed: Vec<_> = crate::candidates(&ext).into_iter().map(|(who, p, _)| (who, p)).collect();
    assert!(listed.contains(&(dorothy(), prefs)));
    // Validating again updates the preferences; 100 % commission is allowed.
    ok(&mut ext, dorothy(), validate(100));
    assert_eq!(Validators::get(&ext, &dorothy()).map(|p| p.commission), Some(Perbill::one()));
    assert_eq!(ValidatorList::get_or_default(&ext).len(), 4);
}

#[test]
fn validate_errors_change_nothing() {
    let backend = with(|ext| {
        ok(ext, ethan(), bond(5_000));
        ok(ext, dorothy(), bond(MIN_VALIDATOR_BOND - 1));
    });
    assert_fails(&backend, nom1(), validate(0), Error::NotBonded);
    assert_fails(&backend, ethan(), validate(0), Error::MissingValidatorRole);
    assert_fails(&backend, dorothy(), validate(0), Error::InsufficientBond);
    let too_much = Call::validate { prefs: ValidatorPrefs { commission: Perbill(1_000_000_001), blocked: false } };
    assert_fails(&backend, alith(), too_much, Error::CommissionTooHigh);
    // The minimum is enough.
    let mut ext = Ext::new(&backend);
    ok(&mut ext, dorothy(), Call::bond_extra { max_additional: 1 });
    ok(&mut ext, dorothy(), validate(0));
}

// ---- nominate ----

#[test]
fn nominate_records_targets_and_ends_candidacy() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), bond(20_000));
    ext.take_events();
    ok(&mut ext, nom1(), nominate(vec![charleth(), alith()]));
    assert_eq!(events(&ext), vec![st(Event::Nominated { stash: nom1(), targets: vec![charleth(), alith()] })]);
    assert_eq!(
        crate::nominations(&ext, &nom1()),
        Some(Nominations { targets: vec![charleth(), alith()], submitted_in: 0 })
    );
    assert_eq!(NominatorList::get_or_default(&ext), vec![nom1()]);
    // A candidate that nominates stops being one.
    ok(&mut ext, baltathar(), nominate(vec![alith()]));
    assert!(!Validators::contains(&ext, &baltathar()));
    assert_eq!(ValidatorList::get_or_default(&ext), sorted(vec![alith(), charleth()]));
    assert_eq!(NominatorList::get_or_default(&ext), sorted(vec![nom1(), baltathar()]));
}

#[test]
fn nominate_errors_change_nothing() {
    let backend = with(|ext| ok(ext, nom1(), bond(20_000)));
    assert_fails(&backend, nom2(), nominate(vec![alith()]), Error::NotBonded);
    assert_fails(&backend, nom1(), nominate(vec![]), Error::EmptyTargets);
    let seventeen: Vec<AccountId20> = (0..17).map(|b| account(0x40 + b)).collect();
    assert_fails(&backend, nom1(), nominate(seventeen), Error::TooManyTargets);
    assert_fails(&backend, nom1(), nominate(vec![alith(), baltathar(), alith()]), Error::DuplicateTarget);
    assert_fails(&backend, nom1(), nominate(vec![alith(), dorothy()]), Error::NotValidator);
    assert_fails(&backend, alith(), nominate(vec![alith()]), Error::NotValidator);
}

#[test]
fn a_blocked_candidate_keeps_its_nominators_but_refuses_new_ones() {
    let blocked = ValidatorPrefs { commission: Perbill::zero(), blocked: true };
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom2(), bond(20_000));
        ok(ext, nom1(), nominate(vec![alith()]));
        ok(ext, alith(), Call::validate { prefs: blocked });
    });
    assert_fails(&backend, nom2(), nominate(vec![baltathar(), alith()]), Error::TargetBlocked);
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), nominate(vec![baltathar(), alith()]));
}

// ---- chill ----

#[test]
fn chill_ends_candidacy_and_nomination() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![alith()]));
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, alith(), Call::chill);
    ok(&mut ext, nom1(), Call::chill);
    assert_eq!(events(&ext), vec![st(Event::Chilled { who: alith() }), st(Event::Chilled { who: nom1() })]);
    assert!(!Validators::contains(&ext, &alith()) && !Nominators::contains(&ext, &nom1()));
    assert_eq!(ValidatorList::get_or_default(&ext), sorted(vec![baltathar(), charleth()]));
    assert_eq!(NominatorList::get_or_default(&ext), vec![]);
    // Nothing to stop: succeeds silently, bond kept.
    ext.take_events();
    ok(&mut ext, alith(), Call::chill);
    assert!(ext.events().is_empty());
    assert_eq!(ledger(&ext, &alith()).active, GENESIS_BOND);
}

#[test]
fn chill_without_a_bond_fails() {
    assert_fails(&default_backend(), nom1(), Call::chill, Error::NotBonded);
}
