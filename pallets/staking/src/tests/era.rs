//! The hooks: block rewards, uptime counting, era rewards, downtime chills, the election and
//! its rotation, history pruning.

use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};

use super::*;
use crate::{
    election::{self, Outcome},
    storage::{Assigned, Authored, CurrentEra, ErasStakers, ErasValidators, LastSlot, Scores, SeatStreak},
    ActiveEraInfo, Exposure, IndividualExposure, PoaScore,
};

/// The validator of `slot` in the genesis set.
fn author_of(slot: u64) -> AccountId20 {
    let set = genesis_set();
    set[(slot % set.len() as u64) as usize]
}

/// Free balances of `accounts`.
fn frees(ext: &Ext<'_>, accounts: &[AccountId20]) -> Vec<Balance> {
    accounts.iter().map(|w| free(ext, w)).collect()
}

// ---- block hook ----

#[test]
fn each_block_mints_the_reward_to_its_author_and_counts_uptime() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(next_block(&mut ext, &[]), (1, 1));
    let author = author_of(1);
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Deposit { who: author, amount: BLOCK_REWARD }),
            st(Event::Rewarded { stash: author, amount: BLOCK_REWARD }),
        ]
    );
    assert_eq!((free(&ext, &author), issuance(&ext)), (VALIDATOR_FREE + BLOCK_REWARD, before + BLOCK_REWARD));
    // The first block counts only its own slot.
    assert_eq!(
        (Assigned::get(&ext, &author), Authored::get(&ext, &author), LastSlot::get(&ext)),
        (Some(1), Some(1), Some(1))
    );
    for v in genesis_set().iter().filter(|v| **v != author) {
        assert_eq!(Assigned::get(&ext, v), None);
    }
    // Slots 2 to 4 are skipped; the block of slot 5 counts them as assigned to their authors.
    let author5 = author_of(5);
    crate::on_initialize::<Test>(&mut ext, 2, 5, author5);
    let set = genesis_set();
    let assigned: Vec<u32> = set.iter().map(|v| Assigned::get_or_default(&ext, v)).collect();
    let authored: Vec<u32> = set.iter().map(|v| Authored::get_or_default(&ext, v)).collect();
    // Slots 1..=5 → set[1], set[2], set[0], set[1], set[2].
    assert_eq!(assigned, vec![1, 2, 2]);
    assert_eq!(authored, set.iter().map(|v| u32::from(*v == author || *v == author5)).collect::<Vec<_>>());
    // A slot not after the last one counts nothing (the reward is still paid).
    let snapshot = (assigned.clone(), authored.clone());
    crate::on_initialize::<Test>(&mut ext, 3, 5, author5);
    let again: Vec<u32> = set.iter().map(|v| Assigned::get_or_default(&ext, v)).collect();
    assert_eq!(again, snapshot.0);
    assert_eq!(LastSlot::get(&ext), Some(5));
}

#[test]
fn long_gaps_are_counted_arithmetically_exactly_as_slot_by_slot() {
    for (last, slot) in [(100u64, 100 + 31), (100, 1_107), (0, 10_000_003), (7, 7 + 30), (u64::MAX - 100, u64::MAX)] {
        let backend = build_on(&default_backend(), |ext| LastSlot::put(ext, &last));
        let mut ext = Ext::new(&backend);
        crate::on_initialize::<Test>(&mut ext, 1, slot, alith());
        let set = genesis_set();
        let n = set.len() as u64;
        for (i, v) in set.iter().enumerate() {
            let naive = if slot - last <= 100_000 {
                (last + 1..=slot).filter(|s| s % n == i as u64).count() as u64
            } else {
                crate::era::slots_of(last + 1, slot, i as u64, n)
            };
            assert_eq!(u64::from(Assigned::get_or_default(&ext, v)), naive, "gap {last}..{slot}, validator {i}");
        }
        let total: u64 = set.iter().map(|v| u64::from(Assigned::get_or_default(&ext, v))).sum();
        assert_eq!(total, slot - last, "every slot is assigned once");
    }
    // The extremes: one validator and every slot up to u64::MAX.
    assert_eq!(crate::era::slots_of(1, u64::MAX, 0, 1), u64::MAX);
    assert_eq!(crate::era::slots_of(0, u64::MAX, 1, 2), 1 << 63);
    // The arithmetic itself, against counting.
    for n in 1..6u64 {
        for from in 0..20u64 {
            for to in from..40u64 {
                for i in 0..n {
                    let naive = (from..=to).filter(|s| s % n == i).count() as u64;
                    assert_eq!(crate::era::slots_of(from, to, i, n), naive, "[{from}, {to}] i={i} n={n}");
                }
            }
        }
    }
}

// ---- era change ----

#[test]
fn an_era_is_era_length_blocks_then_the_next_one_starts() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    run_to_block(&mut ext, ERA_LENGTH - 1);
    assert_eq!(crate::era(&ext), ActiveEraInfo { index: 0, start: 1 });
    ext.take_events();
    next_block(&mut ext, &[]);
    assert_eq!(crate::era(&ext), ActiveEraInfo { index: 1, start: ERA_LENGTH + 1 });
    assert_eq!(CurrentEra::get(&ext), Some(1));
    assert_eq!(staking_events(&ext).last(), Some(&Event::NewEra { era: 1, validators: genesis_set() }));
    assert_eq!(session::validators(&ext), genesis_set());
    assert_eq!(ErasValidators::get(&ext, &1), Some(genesis_set()));
    for v in genesis_set() {
        assert_eq!((Assigned::get(&ext, &v), Authored::get(&ext, &v)), (None, None), "counters reset");
        assert_eq!(SeatStreak::get(&ext, &v), Some(2));
        assert_eq!(
            ErasStakers::get(&ext, &(1, v)),
            Some(Exposure { total: GENESIS_BOND, own: GENESIS_BOND, others: vec![] })
        );
        let score = Scores::get(&ext, &v).expect("scored");
        assert_eq!(
            (score.stake, score.uptime, score.total, score.era),
            (Perbill::one(), Perbill::one(), Perbill(300_000_000), 1)
        );
    }
    // Era 1 runs from block 6 to block 10.
    run_to_block(&mut ext, 2 * ERA_LENGTH - 1);
    assert_eq!(crate::era(&ext).index, 1);
    next_block(&mut ext, &[]);
    assert_eq!(crate::era(&ext), ActiveEraInfo { index: 2, start: 2 * ERA_LENGTH + 1 });
}

#[test]
fn era_reward_follows_authored_blocks_commission_and_exposure() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![baltathar()]));
        ok(ext, baltathar(), validate(10));
    });
    let mut ext = Ext::new(&backend);
    run_to_era(&mut ext, 1, &[]);
    // Era 1's exposure of baltathar includes nom1.
    let exposure = Exposure {
        total: GENESIS_BOND + 20_000,
        own: GENESIS_BOND,
        others: vec![IndividualExposure { who: nom1(), value: 20_000 }],
    };
    assert_eq!(ErasStakers::get(&ext, &(1, baltathar())), Some(exposure));
    let who = [alith(), baltathar(), charleth(), nom1()];
    let before = (frees(&ext, &who), issuance(&ext));
    // Era 1: blocks 6..=10 in slots 6..=10; authors set[s % 3] with set = genesis_set().
    run_to_block(&mut ext, 2 * ERA_LENGTH - 1);
    ext.take_events();
    next_block(&mut ext, &[]);
    let authored = |v: AccountId20| (6..=10u64).filter(|s| author_of(*s) == v).count() as u128;
    assert_eq!((authored(alith()), authored(baltathar()), authored(charleth())), (1, 2, 2));
    // Parts: 1000 · authored / 5. Baltathar: 10 % commission of 400 = 40; of the other 360,
    // nom1 gets 360 · 20_000 / 30_000 = 240 and baltathar 120.
    let paid = vec![
        Event::Rewarded { stash: baltathar(), amount: 160 },
        Event::Rewarded { stash: nom1(), amount: 240 },
        Event::Rewarded { stash: charleth(), amount: 400 },
        Event::Rewarded { stash: alith(), amount: 200 },
        Event::EraPaid { era: 1, total: ERA_REWARD },
    ];
    let block_10: Vec<Event> = staking_events(&ext);
    assert_eq!(block_10[0], Event::Rewarded { stash: author_of(10), amount: BLOCK_REWARD });
    assert_eq!(block_10[1..6].to_vec(), paid);
    let blocks = |v: AccountId20| authored(v) * BLOCK_REWARD;
    assert_eq!(
        frees(&ext, &who),
        vec![
            before.0[0] + blocks(alith()) + 200,
            before.0[1] + blocks(baltathar()) + 160,
            before.0[2] + blocks(charleth()) + 400,
            before.0[3] + 240,
        ]
    );
    assert_eq!(issuance(&ext), before.1 + 5 * BLOCK_REWARD + ERA_REWARD);
    assert_issuance_is_sum(&ext);
}

#[test]
fn era_reward_is_shared_equally_when_nobody_authored() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    crate::on_finalize::<Test>(&mut ext, ERA_LENGTH);
    let share = ERA_REWARD / 3;
    let paid: Vec<Event> = staking_events(&ext).into_iter().take(4).collect();
    let mut expected: Vec<Event> =
        genesis_set().into_iter().map(|v| Event::Rewarded { stash: v, amount: share }).collect();
    expected.push(Event::EraPaid { era: 0, total: 3 * share });
    assert_eq!(paid, expected);
    assert_eq!(issuance(&ext), before + 3 * share, "the indivisible remainder is not minted");
}

#[test]
fn offline_validators_are_chilled_and_not_elected() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    run_to_era(&mut ext, 1, &[charleth()]);
    let c = charleth();
    assert!(Assigned::get(&ext, &c).is_none(), "counters were reset");
    let events = staking_events(&ext);
    assert!(events.contains(&Event::Chilled { who: c }));
    assert!(!events.iter().any(|e| matches!(e, Event::Rewarded { stash, .. } if *stash == c)), "no reward");
    let set = sorted(vec![alith(), baltathar()]);
    assert_eq!(events.last(), Some(&Event::NewEra { era: 1, validators: set.clone() }));
    assert_eq!(session::validators(&ext), set);
    assert!(!Validators::contains(&ext, &c) && Scores::get(&ext, &c).is_none());
    assert_eq!(ledger(&ext, &c).active, GENESIS_BOND, "chilling keeps the bond");
    assert_eq!(SeatStreak::get(&ext, &c), None);
    // It may validate again and is elected at the next era change.
    ok(&mut ext, c, validate(0));
    run_to_era(&mut ext, 2, &[]);
    assert_eq!(session::validators(&ext), genesis_set());
}

// ---- election ----

/// Three candidates with different archives, quality, stake and uptime (and a fourth that lost
/// its role), as in the crate docs' formula.
fn scored_backend() -> MemoryBackend {
    with(|ext| {
        Stats::insert(ext, &alith(), &(10, Perbill(800_000_000)));
        Stats::insert(ext, &baltathar(), &(5, Perbill(900_000_000)));
        Stats::insert(ext, &charleth(), &(2, Perbill(300_000_000)));
        ok(ext, dorothy(), bond(50_000));
        ok(ext, dorothy(), validate(0));
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![baltathar()]));
        ok(ext, nom2(), bond(9_000));
        ok(ext, nom2(), nominate(vec![alith(), charleth(), dorothy()]));
        identity::revoke_role::<Test>(ext, &dorothy(), Role::Validator, None).expect("granted at genesis");
        parameters::set(ext, Parameter::MaxValidators, 2).expect("in range");
        for (v, assigned, authored) in [(alith(), 4, 3), (baltathar(), 4, 4)] {
            Assigned::insert(ext, &v, &assigned);
            Authored::insert(ext, &v, &authored);
        }
        ext.take_events();
    })
}

/// The hand-computed scores of [`scored_backend`]:
/// * alith: archives 10/10, quality 0.8/0.9, stake (10_000 + 9_000/2)/30_000, uptime 3/4;
/// * baltathar: archives 5/10, quality 0.9/0.9, stake (10_000 + 20_000)/30_000, uptime 4/4;
/// * charleth: archives 2/10, quality 0.3/0.9, stake 14_500/30_000, uptime 1 (no slots).
fn expected_scores(era: u32) -> Vec<(AccountId20, PoaScore)> {
    let score = |a, q, s, u, total| PoaScore {
        archives: Perbill(a),
        quality: Perbill(q),
        stake: Perbill(s),
        uptime: Perbill(u),
        total: Perbill(total),
        era,
    };
    // alith: 0.3·1 + 0.4·0.888888888 + 0.2·0.483333333 + 0.1·0.75 = 0.8272222218.
    // baltathar: 0.3·0.5 + 0.4 + 0.2 + 0.1 = 0.85.
    // charleth: 0.3·0.2 + 0.4·0.333333333 + 0.2·0.483333333 + 0.1 = 0.3899999998.
    let mut v = vec![
        (alith(), score(1_000_000_000, 888_888_888, 483_333_333, 750_000_000, 827_222_221)),
        (baltathar(), score(500_000_000, 1_000_000_000, 1_000_000_000, 1_000_000_000, 850_000_000)),
        (charleth(), score(200_000_000, 333_333_333, 483_333_333, 1_000_000_000, 389_999_999)),
    ];
    v.sort_by_key(|(who, _)| *who);
    v
}

#[test]
fn the_score_is_computed_exactly() {
    let backend = scored_backend();
    let ext = Ext::new(&backend);
    assert_eq!(election::eligible::<Test>(&ext), genesis_set(), "dorothy lost her role");
    let outcome = election::elect::<Test>(&ext, 1).expect("candidates");
    assert_eq!(outcome, Outcome { scores: expected_scores(1), elected: sorted(vec![alith(), baltathar()]) });
}

#[test]
fn the_era_change_stores_scores_and_exposures_of_the_election() {
    let backend = scored_backend();
    let mut ext = Ext::new(&backend);
    crate::on_finalize::<Test>(&mut ext, ERA_LENGTH);
    let elected = sorted(vec![alith(), baltathar()]);
    assert_eq!(session::validators(&ext), elected);
    for (who, score) in expected_scores(1) {
        assert_eq!(Scores::get(&ext, &who), Some(score));
    }
    assert_eq!(Scores::get(&ext, &dorothy()), None);
    let listed: Vec<_> = crate::candidates(&ext).into_iter().map(|(who, _, s)| (who, s.map(|s| s.total))).collect();
    assert!(listed.contains(&(dorothy(), None)));
    assert!(listed.contains(&(alith(), Some(Perbill(827_222_221)))));
    // nom2's 9_000 is split among its elected targets only: all of it behind alith.
    let alith_exposure = Exposure {
        total: GENESIS_BOND + 9_000,
        own: GENESIS_BOND,
        others: vec![IndividualExposure { who: nom2(), value: 9_000 }],
    };
    assert_eq!(ErasStakers::get(&ext, &(1, alith())), Some(alith_exposure));
    assert_eq!(ErasStakers::get(&ext, &(1, charleth())), None);
    assert_eq!(SeatStreak::get(&ext, &charleth()), None);
    assert_eq!(SeatStreak::get(&ext, &baltathar()), Some(2));
}

#[test]
fn max_validators_caps_the_set() {
    let backend = with(|ext| parameters::set(ext, Parameter::MaxValidators, 2).expect("in range"));
    let mut ext = Ext::new(&backend);
    run_to_era(&mut ext, 1, &[]);
    // Equal scores and streaks: the two smallest accounts.
    let set = sorted(genesis_set().into_iter().take(2).collect());
    assert_eq!(session::validators(&ext), set);
    assert_eq!(ErasValidators::get(&ext, &1), Some(set.clone()));
    assert_eq!(staking_events(&ext).last(), Some(&Event::NewEra { era: 1, validators: set }));
    assert_eq!(crate::candidates(&ext).iter().filter(|(_, _, s)| s.is_some()).count(), 3, "all scored");
}

#[test]
fn equal_candidates_rotate_through_the_seats() {
    let backend = with(|ext| {
        ok(ext, dorothy(), bond(GENESIS_BOND));
        ok(ext, dorothy(), validate(0));
    });
    let mut ext = Ext::new(&backend);
    // Account order: baltathar < dorothy < charleth < alith; all score 0.2 + 0.1.
    assert_eq!(
        sorted(vec![alith(), baltathar(), charleth(), dorothy()]),
        vec![baltathar(), dorothy(), charleth(), alith()]
    );
    let all = [alith(), baltathar(), charleth(), dorothy()];
    // The waiting candidate always gets in; among seat holders the longest-seated leaves.
    for (era, sits_out) in [(1, alith()), (2, charleth()), (3, baltathar()), (4, dorothy()), (5, alith())] {
        run_to_era(&mut ext, era, &[]);
        let expected = sorted(all.iter().copied().filter(|v| *v != sits_out).collect());
        assert_eq!(session::validators(&ext), expected, "era {era}");
        let totals: Vec<_> = all.iter().map(|v| Scores::get(&ext, v).map(|s| s.total)).collect();
        assert_eq!(totals, vec![Some(Perbill(300_000_000)); 4], "era {era}: equal scores");
    }
}

#[test]
fn no_eligible_candidate_keeps_the_set() {
    let backend = with(|ext| {
        for v in genesis_set() {
            ok(ext, v, Call::chill);
        }
    });
    let mut ext = Ext::new(&backend);
    run_to_era(&mut ext, 1, &[]);
    let events = staking_events(&ext);
    let tail = events[events.len() - 2..].to_vec();
    assert_eq!(tail, vec![Event::ElectionFailed { era: 0 }, Event::NewEra { era: 1, validators: genesis_set() }]);
    assert_eq!(session::validators(&ext), genesis_set());
    assert_eq!(ErasValidators::get(&ext, &1), Some(genesis_set()));
    assert!(genesis_set().iter().all(|v| Scores::get(&ext, v).is_none()));
    assert!(genesis_set().iter().all(|v| SeatStreak::get(&ext, v) == Some(2)));
}

#[test]
fn only_the_last_history_depth_eras_are_kept() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    run_to_era(&mut ext, crate::HISTORY_DEPTH + 1, &[]);
    for era in 0..=crate::HISTORY_DEPTH + 1 {
        let kept = era >= 2;
        assert_eq!(ErasValidators::get(&ext, &era).is_some(), kept, "era {era}");
        assert_eq!(ErasStakers::get(&ext, &(era, alith())).is_some(), kept, "era {era}");
    }
}
