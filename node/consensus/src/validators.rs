//! The validator set: who authors which slot and who votes on finality.

use archive_primitives::AccountId20;

use crate::error::ValidatorSetError;

/// The number of votes that finalizes a block among `n` validators: `n - (n - 1) / 3`, i.e.
/// more than two thirds (4 → 3, 7 → 5, 10 → 7, 1 → 1). Counted by validator, not by stake.
///
/// Any two sets of `threshold(n)` validators share at least `n - 2·⌊(n-1)/3⌋` members, which is
/// more than `n / 3`: that overlap is what makes two conflicting finalizations in one round
/// require more than a third of the validators to equivocate.
pub fn threshold(n: usize) -> usize {
    n - n.saturating_sub(1) / 3
}

/// A non-empty list of distinct validators, in chain-spec order (the order decides slot
/// authorship: slot `s` belongs to `validators[s % n]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Vec<AccountId20>,
}

impl ValidatorSet {
    /// Builds a set.
    ///
    /// # Errors
    /// [`ValidatorSetError::Empty`] or [`ValidatorSetError::Duplicate`].
    pub fn new(validators: Vec<AccountId20>) -> Result<Self, ValidatorSetError> {
        if validators.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        let mut sorted = validators.clone();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(ValidatorSetError::Duplicate { account: w[0] });
        }
        Ok(ValidatorSet { validators })
    }

    /// The validators, in order.
    pub fn as_slice(&self) -> &[AccountId20] {
        &self.validators
    }

    /// How many validators.
    pub fn len(&self) -> usize {
        self.validators.len()
    }

    /// Always false (a set is never empty); here for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    /// Whether `who` is a validator.
    pub fn contains(&self, who: &AccountId20) -> bool {
        self.validators.contains(who)
    }

    /// Votes needed to finalize: [`threshold`] of [`Self::len`].
    pub fn threshold(&self) -> usize {
        threshold(self.validators.len())
    }

    /// The author of `slot`: `validators[slot % n]`.
    pub fn slot_author(&self, slot: u64) -> AccountId20 {
        // n ≥ 1, and slot % n < n fits in usize because n does.
        let index = (slot % self.validators.len() as u64) as usize;
        self.validators[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(b: u8) -> AccountId20 {
        AccountId20([b; 20])
    }

    #[test]
    fn threshold_is_more_than_two_thirds() {
        assert_eq!([1, 2, 3, 4, 5, 6, 7, 10, 100].map(threshold), [1, 2, 3, 3, 4, 5, 5, 7, 67]);
        for n in 1..200usize {
            let t = threshold(n);
            assert!(3 * t > 2 * n, "n={n} t={t}");
            assert!(3 * (t - 1) <= 2 * n, "n={n}: t-1 would do");
            // Two quorums overlap in more than a third of the set.
            assert!(3 * (2 * t - n) > n, "n={n}");
        }
    }

    #[test]
    fn set_rejects_empty_and_duplicates_and_assigns_slots_round_robin() {
        assert_eq!(ValidatorSet::new(vec![]), Err(ValidatorSetError::Empty));
        assert_eq!(
            ValidatorSet::new(vec![acc(1), acc(2), acc(1)]),
            Err(ValidatorSetError::Duplicate { account: acc(1) })
        );
        let set = ValidatorSet::new(vec![acc(3), acc(1), acc(2)]).expect("valid");
        assert_eq!((0..7).map(|s| set.slot_author(s)).collect::<Vec<_>>(), [3, 1, 2, 3, 1, 2, 3].map(acc));
        assert_eq!(set.slot_author(u64::MAX), acc([3, 1, 2][(u64::MAX % 3) as usize]));
        assert_eq!(set.threshold(), 3);
        assert!(set.contains(&acc(2)) && !set.contains(&acc(4)));
    }
}
