//! Calls, events and errors of the governance pallet (metadata path `pallet_governance::pallet::*`).

use archive_pallet_balances as balances;
use archive_pallet_identity::{self as identity, Role};
use archive_pallet_parameters::{self as parameters, Parameter};
use archive_primitives::{AccountId20, Balance, BlockNumber};
use archive_support::{dispatch::PalletError, ArithmeticError, DispatchError, DispatchResult, Ext, RawOrigin};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{
    locks,
    storage::{Live, ProposalCount, Proposals, VotingOf},
    types::{AccountVote, Proposal, ProposalInfo, ProposalStatus, Tally, MAX_CONVICTION},
    Config, MAX_LIVE,
};

/// Calls (wire format: append only).
#[allow(non_camel_case_types)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub enum Call {
    /// Submit `proposal`, reserving `deposit` (≥ `MinProposalDeposit`). Voting is open until
    /// `now + VotingPeriod`. Origin: signed. Complexity: O(live proposals).
    /// Errors: DepositTooLow, ValueOutOfRange, InvalidRole, ZeroAmount, TooManyProposals,
    /// InsufficientFunds.
    #[codec(index = 0)]
    propose {
        proposal: Proposal,
        #[codec(compact)]
        deposit: Balance,
    },
    /// Vote on proposal `index` (or replace the caller's earlier, different vote). The balance
    /// is locked, not spent. Origin: signed. Complexity: O(the caller's vote locks).
    /// Errors: ProposalNotFound, VotingClosed, InvalidConviction, ZeroAmount, InsufficientFunds,
    /// DuplicateVote, TooManyVotes, balances' TooManyLocks.
    #[codec(index = 1)]
    vote {
        #[codec(compact)]
        index: u32,
        vote: AccountVote,
    },
    /// Withdraw an ongoing proposal; the deposit is returned and its votes unlock at once.
    /// Origin: signed by the proposer. Complexity: O(live proposals).
    /// Errors: ProposalNotFound, NotProposer, NotOngoing.
    #[codec(index = 2)]
    cancel {
        #[codec(compact)]
        index: u32,
    },
    /// Remove an ongoing proposal as spam; its deposit is slashed to the treasury and its votes
    /// unlock at once. Origin: root, or signed by an account with the `Admin` role.
    /// Complexity: O(live proposals). Errors: BadOrigin, ProposalNotFound, NotOngoing.
    #[codec(index = 3)]
    kill {
        #[codec(compact)]
        index: u32,
    },
    /// Drop `target`'s expired vote locks and shrink its balance lock to the largest remaining
    /// vote. Origin: signed (anyone). Complexity: O(`target`'s vote locks).
    /// Errors: NothingToUnlock.
    #[codec(index = 4)]
    unlock { target: AccountId20 },
}

/// Events (wire format: append only).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub enum Event {
    /// A proposal was submitted.
    #[codec(index = 0)]
    Proposed { index: u32, proposer: AccountId20, deposit: Balance },
    /// An account voted.
    #[codec(index = 1)]
    Voted { who: AccountId20, index: u32, vote: AccountVote },
    /// An account replaced its vote.
    #[codec(index = 2)]
    VoteChanged { who: AccountId20, index: u32, vote: AccountVote },
    /// The proposer withdrew a proposal.
    #[codec(index = 3)]
    Cancelled { index: u32 },
    /// A proposal was killed as spam; `slashed` went to the treasury.
    #[codec(index = 4)]
    Killed { index: u32, slashed: Balance },
    /// A proposal passed; it is enacted at the start of block `enact_at`.
    #[codec(index = 5)]
    Passed { index: u32, enact_at: BlockNumber },
    /// A proposal failed the quorum or had no aye majority.
    #[codec(index = 6)]
    Rejected { index: u32, ayes: Balance, nays: Balance, turnout: Balance },
    /// A proposal was enacted.
    #[codec(index = 7)]
    Enacted { index: u32 },
    /// A proposal's enactment failed; none of its effects were kept.
    #[codec(index = 8)]
    EnactmentFailed { index: u32, error: DispatchError },
    /// An enacted proposal changed a parameter.
    #[codec(index = 9)]
    ParameterChanged { parameter: Parameter, old: u128, new: u128 },
    /// Expired vote locks of `who` were dropped; `locked` is what stays locked.
    #[codec(index = 10)]
    Unlocked { who: AccountId20, locked: Balance },
}

/// Errors (wire format: append only).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("archive_pallet_governance", "pallet_governance"))]
pub enum Error {
    /// No proposal has this index.
    #[codec(index = 0)]
    ProposalNotFound,
    /// The deposit is below `MinProposalDeposit`.
    #[codec(index = 1)]
    DepositTooLow,
    /// The caller cannot cover the deposit (usable balance) or the vote (free balance).
    #[codec(index = 2)]
    InsufficientFunds,
    /// A `SetParameter` value outside the parameter's range.
    #[codec(index = 3)]
    ValueOutOfRange,
    /// `Guest` cannot be granted or revoked.
    #[codec(index = 4)]
    InvalidRole,
    /// A treasury spend or a vote of zero.
    #[codec(index = 5)]
    ZeroAmount,
    /// The proposal is not open for votes (ended, withdrawn, or past its voting period).
    #[codec(index = 6)]
    VotingClosed,
    /// Conviction above 6.
    #[codec(index = 7)]
    InvalidConviction,
    /// The same vote as the account's current vote on this proposal.
    #[codec(index = 8)]
    DuplicateVote,
    /// Only the proposer may cancel.
    #[codec(index = 9)]
    NotProposer,
    /// The proposal is no longer ongoing.
    #[codec(index = 10)]
    NotOngoing,
    /// [`MAX_LIVE`] proposals are already live.
    #[codec(index = 11)]
    TooManyProposals,
    /// The account already has [`crate::MAX_VOTES_PER_ACCOUNT`] locking votes.
    #[codec(index = 12)]
    TooManyVotes,
    /// None of the target's vote locks has expired.
    #[codec(index = 13)]
    NothingToUnlock,
}

impl PalletError for Error {
    fn index(self) -> u8 {
        self as u8
    }
}

/// The dispatch error of `e` in pallet `T`.
pub(crate) fn err<T: Config>(e: Error) -> DispatchError {
    e.into_dispatch(<T as Config>::INDEX)
}

/// Records a governance event.
pub fn deposit_event<T: Config>(ext: &mut Ext<'_>, e: Event) {
    ext.deposit_event(<T as Config>::INDEX, &e);
}

/// Dispatches a call. Runs inside the caller's storage transaction: checks first, then writes,
/// then the event; an error may leave partial writes for the transaction to roll back.
///
/// # Errors
/// `BadOrigin` for the wrong origin, else the pallet errors listed on each [`Call`] variant.
pub fn dispatch<T: Config>(ext: &mut Ext<'_>, origin: RawOrigin, call: Call) -> DispatchResult {
    match call {
        Call::propose { proposal, deposit } => do_propose::<T>(ext, origin.ensure_signed()?, proposal, deposit),
        Call::vote { index, vote } => do_vote::<T>(ext, origin.ensure_signed()?, index, vote),
        Call::cancel { index } => do_cancel::<T>(ext, origin.ensure_signed()?, index),
        Call::kill { index } => {
            ensure_root_or_admin(ext, origin)?;
            do_kill::<T>(ext, index)
        }
        Call::unlock { target } => {
            origin.ensure_signed()?;
            do_unlock::<T>(ext, &target)
        }
    }
}

/// Checks that a proposal could be enacted as submitted.
fn validate<T: Config>(proposal: &Proposal) -> DispatchResult {
    match proposal {
        Proposal::SetParameter { parameter, value } if !parameter.accepts(*value) => {
            Err(err::<T>(Error::ValueOutOfRange))
        }
        Proposal::GrantRole { role: Role::Guest, .. } | Proposal::RevokeRole { role: Role::Guest, .. } => {
            Err(err::<T>(Error::InvalidRole))
        }
        Proposal::TreasurySpend { amount: 0, .. } => Err(err::<T>(Error::ZeroAmount)),
        _ => Ok(()),
    }
}

fn do_propose<T: Config>(ext: &mut Ext<'_>, who: AccountId20, proposal: Proposal, deposit: Balance) -> DispatchResult {
    if deposit < parameters::get(ext, Parameter::MinProposalDeposit) {
        return Err(err::<T>(Error::DepositTooLow));
    }
    validate::<T>(&proposal)?;
    let mut live = Live::get_or_default(ext);
    if live.len() >= MAX_LIVE {
        return Err(err::<T>(Error::TooManyProposals));
    }
    if balances::usable_balance(ext, &who) < deposit {
        return Err(err::<T>(Error::InsufficientFunds));
    }
    let index = ProposalCount::get_or_default(ext);
    let next = index.checked_add(1).ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
    let now = archive_pallet_system::pallet::block_number(ext);
    let voting_end = now.saturating_add(parameters::get_u32(ext, Parameter::VotingPeriod));

    if deposit > 0 {
        balances::reserve::<T>(ext, &who, deposit)?;
    }
    ProposalCount::put(ext, &next);
    let info = ProposalInfo {
        proposer: who,
        proposal,
        deposit,
        submitted: now,
        voting_end,
        status: ProposalStatus::Ongoing,
        tally: Tally::default(),
    };
    Proposals::insert(ext, &index, &info);
    // Indices only grow, so pushing keeps `Live` ascending.
    live.push(index);
    Live::put(ext, &live);
    deposit_event::<T>(ext, Event::Proposed { index, proposer: who, deposit });
    Ok(())
}

fn do_vote<T: Config>(ext: &mut Ext<'_>, who: AccountId20, index: u32, vote: AccountVote) -> DispatchResult {
    let mut info = Proposals::get(ext, &index).ok_or_else(|| err::<T>(Error::ProposalNotFound))?;
    let now = archive_pallet_system::pallet::block_number(ext);
    if info.status != ProposalStatus::Ongoing || now >= info.voting_end {
        return Err(err::<T>(Error::VotingClosed));
    }
    if vote.conviction > MAX_CONVICTION {
        return Err(err::<T>(Error::InvalidConviction));
    }
    if vote.balance == 0 {
        return Err(err::<T>(Error::ZeroAmount));
    }
    if vote.balance > balances::free_balance(ext, &who) {
        return Err(err::<T>(Error::InsufficientFunds));
    }
    let old = VotingOf::get(ext, &(index, who));
    if old == Some(vote) {
        return Err(err::<T>(Error::DuplicateVote));
    }
    let delay = parameters::get_u32(ext, Parameter::EnactmentDelay);
    let lock = (index, vote.balance, crate::types::unlock_at(info.voting_end, vote.conviction, delay));
    let mut account_locks = locks::unexpired_by_time(ext, &who, now);
    match account_locks.iter().position(|l| l.0 == index) {
        Some(i) => account_locks[i] = lock,
        None if account_locks.len() >= crate::MAX_VOTES_PER_ACCOUNT => return Err(err::<T>(Error::TooManyVotes)),
        None => account_locks.push(lock),
    }
    // May still fail (balances' TooManyLocks) before anything else is written.
    locks::apply::<T>(ext, &who, &account_locks)?;

    if let Some(old) = &old {
        info.tally.remove(old);
    }
    info.tally.add(&vote);
    Proposals::insert(ext, &index, &info);
    VotingOf::insert(ext, &(index, who), &vote);
    let event = match old {
        Some(_) => Event::VoteChanged { who, index, vote },
        None => Event::Voted { who, index, vote },
    };
    deposit_event::<T>(ext, event);
    Ok(())
}

/// Takes `index` out of `Live` (no-op if absent).
fn remove_live(ext: &mut Ext<'_>, index: u32) {
    let mut live = Live::get_or_default(ext);
    live.retain(|i| *i != index);
    Live::put(ext, &live);
}

fn do_cancel<T: Config>(ext: &mut Ext<'_>, who: AccountId20, index: u32) -> DispatchResult {
    let mut info = Proposals::get(ext, &index).ok_or_else(|| err::<T>(Error::ProposalNotFound))?;
    if info.proposer != who {
        return Err(err::<T>(Error::NotProposer));
    }
    if info.status != ProposalStatus::Ongoing {
        return Err(err::<T>(Error::NotOngoing));
    }
    if info.deposit > 0 {
        balances::unreserve::<T>(ext, &who, info.deposit);
    }
    info.status = ProposalStatus::Cancelled;
    Proposals::insert(ext, &index, &info);
    remove_live(ext, index);
    deposit_event::<T>(ext, Event::Cancelled { index });
    Ok(())
}

/// `Ok` for root and for a signed account holding the identity `Admin` role.
fn ensure_root_or_admin(ext: &Ext<'_>, origin: RawOrigin) -> DispatchResult {
    match origin {
        RawOrigin::Root => Ok(()),
        RawOrigin::Signed(who) if identity::has_role(ext, &who, Role::Admin) => Ok(()),
        _ => Err(DispatchError::BadOrigin),
    }
}

fn do_kill<T: Config>(ext: &mut Ext<'_>, index: u32) -> DispatchResult {
    let mut info = Proposals::get(ext, &index).ok_or_else(|| err::<T>(Error::ProposalNotFound))?;
    if info.status != ProposalStatus::Ongoing {
        return Err(err::<T>(Error::NotOngoing));
    }
    let slashed = balances::slash_reserved::<T>(ext, &info.proposer, info.deposit);
    // Slashing burned `slashed`; minting it to the treasury restores total issuance. This only
    // fails if the treasury does not exist and `slashed` is below the existential deposit; the
    // amount then stays burned (deposit_creating writes nothing when it fails).
    let _ = balances::deposit_creating::<T>(ext, &parameters::TREASURY, slashed);
    info.status = ProposalStatus::Killed;
    Proposals::insert(ext, &index, &info);
    remove_live(ext, index);
    deposit_event::<T>(ext, Event::Killed { index, slashed });
    Ok(())
}

fn do_unlock<T: Config>(ext: &mut Ext<'_>, target: &AccountId20) -> DispatchResult {
    let now = archive_pallet_system::pallet::block_number(ext);
    let before = crate::storage::Locks::get_or_default(ext, target);
    let kept = locks::unexpired(ext, target, now);
    if kept.len() == before.len() {
        return Err(err::<T>(Error::NothingToUnlock));
    }
    let locked = locks::apply::<T>(ext, target, &kept)?;
    deposit_event::<T>(ext, Event::Unlocked { who: *target, locked });
    Ok(())
}
