//! Output helpers for the client commands: JSON printing, warnings, and human-readable views of
//! runtime events, calls and dispatch errors (`Balances.Transfer from 0x.. to 0x.. amount 1.5 ARC`).

use archive_pallet_balances as balances;
use archive_pallet_system as system;
use archive_primitives::{AccountId20, Balance, H256};
use archive_runtime::{RuntimeCall, RuntimeEvent};
use archive_support::{DispatchError, ModuleError};
use serde_json::{json, Map, Value};

use crate::amount::format_arc;

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}

/// Prints `warning: {msg}` on stderr.
pub fn warn(msg: impl std::fmt::Display) {
    eprintln!("warning: {msg}");
}

/// Prints aligned `label  value` lines on stdout.
pub fn print_fields(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{:width$}  {v}", format!("{k}:"), width = width + 1);
    }
}

/// A balance in units as a JSON decimal string (exact; scripts parse it as a big integer).
pub fn balance_json(units: Balance) -> Value {
    Value::String(units.to_string())
}

// ---- views -------------------------------------------------------------------------------------

/// A field value of an event or call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// An account.
    Account(AccountId20),
    /// A token amount in units.
    Amount(Balance),
    /// A hash.
    Hash(H256),
    /// A number that is not an amount.
    Number(u128),
    /// A boolean.
    Bool(bool),
    /// Bytes (shown as hex).
    Bytes(Vec<u8>),
    /// Anything else, already formatted.
    Text(String),
}

impl Field {
    fn text(&self) -> String {
        match self {
            Field::Account(a) => a.to_string(),
            Field::Amount(v) => format_arc(*v),
            Field::Hash(h) => h.to_string(),
            Field::Number(n) => n.to_string(),
            Field::Bool(b) => b.to_string(),
            Field::Bytes(b) => format!("0x{}", hex::encode(b)),
            Field::Text(t) => t.clone(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Field::Amount(v) => balance_json(*v),
            Field::Number(n) => u64::try_from(*n).map(Value::from).unwrap_or_else(|_| Value::String(n.to_string())),
            Field::Bool(b) => Value::Bool(*b),
            other => Value::String(other.text()),
        }
    }
}

/// An event or a call: `Pallet.Name` and named fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Pallet name, e.g. `Balances`.
    pub pallet: String,
    /// Variant name, e.g. `Transfer` or `transfer_keep_alive`.
    pub name: String,
    /// Named fields, in declaration order.
    pub fields: Vec<(&'static str, Field)>,
}

impl View {
    fn new(pallet: &str, name: &str, fields: Vec<(&'static str, Field)>) -> Self {
        View { pallet: pallet.to_owned(), name: name.to_owned(), fields }
    }

    /// One line: `Balances.Transfer from 0x.. to 0x.. amount 1.5 ARC`.
    pub fn text(&self) -> String {
        let mut out = format!("{}.{}", self.pallet, self.name);
        for (k, v) in &self.fields {
            out.push(' ');
            out.push_str(k);
            out.push(' ');
            out.push_str(&v.text());
        }
        out
    }

    /// `{"pallet", "name", "fields": {..}, "text"}`; amounts as decimal strings in units.
    pub fn json(&self) -> Value {
        let fields: Map<String, Value> = self.fields.iter().map(|(k, v)| ((*k).to_owned(), v.json())).collect();
        json!({ "pallet": self.pallet, "name": self.name, "fields": fields, "text": self.text() })
    }
}

/// A runtime event as a [`View`].
pub fn event_view(event: &RuntimeEvent) -> View {
    match event {
        RuntimeEvent::System(e) => system_event_view(e),
        RuntimeEvent::Balances(e) => balances_event_view(e),
        RuntimeEvent::Identity(e) => debug_view("Identity", e),
        RuntimeEvent::Governance(e) => debug_view("Governance", e),
        RuntimeEvent::Staking(e) => debug_view("Staking", e),
        RuntimeEvent::Archive(e) => debug_view("Archive", e),
    }
}

/// A runtime call as a [`View`].
pub fn call_view(call: &RuntimeCall) -> View {
    match call {
        RuntimeCall::System(c) => system_call_view(c),
        RuntimeCall::Balances(c) => balances_call_view(c),
        RuntimeCall::Identity(c) => debug_view("Identity", c),
        RuntimeCall::Governance(c) => debug_view("Governance", c),
        RuntimeCall::Staking(c) => debug_view("Staking", c),
        RuntimeCall::Archive(c) => debug_view("Archive", c),
    }
}

/// A view of any event or call from its `Debug` form (`Name { a: 1, b: 2 }`): the variant name
/// and the rest as one `details` field.
fn debug_view(pallet: &str, value: &dyn std::fmt::Debug) -> View {
    let text = format!("{value:?}");
    let (name, rest) = match text.find([' ', '(']) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text.as_str(), ""),
    };
    let fields = if rest.is_empty() { vec![] } else { vec![("details", Field::Text(rest.to_string()))] };
    View::new(pallet, name, fields)
}

/// If `event` is `System.ExtrinsicFailed`, the dispatch error's description
/// (`Balances.InsufficientBalance`, `Token.FundsUnavailable`, `BadOrigin`...).
pub fn extrinsic_failure(event: &RuntimeEvent) -> Option<String> {
    match event {
        RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
            Some(describe_dispatch_error(dispatch_error))
        }
        _ => None,
    }
}

/// Whether `event` is `System.ExtrinsicSuccess`.
pub fn is_extrinsic_success(event: &RuntimeEvent) -> bool {
    matches!(event, RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. }))
}

/// `Balances.InsufficientBalance`, or `pallet 42 error 3` for an unknown pallet or error.
fn describe_module_error(m: &ModuleError) -> String {
    match archive_runtime::metadata::error_info(m.index, m.error[0]) {
        Some((pallet, name, docs)) if docs.is_empty() => format!("{pallet}.{name}"),
        Some((pallet, name, docs)) => format!("{pallet}.{name} ({docs})"),
        None => format!("pallet {} error {}", m.index, m.error[0]),
    }
}

/// `Balances.InsufficientBalance`, `Token.FundsUnavailable`, `Arithmetic.Overflow`, `BadOrigin`...
pub fn describe_dispatch_error(e: &DispatchError) -> String {
    match e {
        DispatchError::Module(m) => describe_module_error(m),
        DispatchError::Token(t) => format!("Token.{t:?}"),
        DispatchError::Arithmetic(a) => format!("Arithmetic.{a:?}"),
        DispatchError::Transactional(t) => format!("Transactional.{t:?}"),
        other => format!("{other:?}"),
    }
}

fn balances_event_view(e: &balances::Event) -> View {
    use balances::Event as E;
    use Field::{Account, Amount};
    let (name, fields) = match *e {
        E::Endowed { account, free_balance } => {
            ("Endowed", vec![("account", Account(account)), ("free_balance", Amount(free_balance))])
        }
        E::DustLost { account, amount } => {
            ("DustLost", vec![("account", Account(account)), ("amount", Amount(amount))])
        }
        E::Transfer { from, to, amount } => {
            ("Transfer", vec![("from", Account(from)), ("to", Account(to)), ("amount", Amount(amount))])
        }
        E::BalanceSet { who, free } => ("BalanceSet", vec![("who", Account(who)), ("free", Amount(free))]),
        E::Reserved { who, amount } => ("Reserved", vec![("who", Account(who)), ("amount", Amount(amount))]),
        E::Unreserved { who, amount } => ("Unreserved", vec![("who", Account(who)), ("amount", Amount(amount))]),
        E::Deposit { who, amount } => ("Deposit", vec![("who", Account(who)), ("amount", Amount(amount))]),
        E::Withdraw { who, amount } => ("Withdraw", vec![("who", Account(who)), ("amount", Amount(amount))]),
        E::Slashed { who, amount } => ("Slashed", vec![("who", Account(who)), ("amount", Amount(amount))]),
    };
    View::new("Balances", name, fields)
}

fn system_event_view(e: &system::Event) -> View {
    use system::Event as E;
    let (name, fields) = match e {
        E::ExtrinsicSuccess { dispatch_info } => {
            ("ExtrinsicSuccess", vec![("weight", Field::Number(dispatch_info.weight.ref_time.into()))])
        }
        E::ExtrinsicFailed { dispatch_error, dispatch_info } => (
            "ExtrinsicFailed",
            vec![
                ("error", Field::Text(describe_dispatch_error(dispatch_error))),
                ("weight", Field::Number(dispatch_info.weight.ref_time.into())),
            ],
        ),
        E::NewAccount { account } => ("NewAccount", vec![("account", Field::Account(*account))]),
        E::KilledAccount { account } => ("KilledAccount", vec![("account", Field::Account(*account))]),
        E::Remarked { sender, hash } => {
            ("Remarked", vec![("sender", Field::Account(*sender)), ("hash", Field::Hash(*hash))])
        }
    };
    View::new("System", name, fields)
}

fn balances_call_view(c: &balances::Call) -> View {
    use balances::Call as C;
    use Field::{Account, Amount};
    let (name, fields) = match *c {
        C::transfer_allow_death { dest, value } => {
            ("transfer_allow_death", vec![("dest", Account(dest)), ("value", Amount(value))])
        }
        C::transfer_keep_alive { dest, value } => {
            ("transfer_keep_alive", vec![("dest", Account(dest)), ("value", Amount(value))])
        }
        C::transfer_all { dest, keep_alive } => {
            ("transfer_all", vec![("dest", Account(dest)), ("keep_alive", Field::Bool(keep_alive))])
        }
        C::force_set_balance { who, new_free } => {
            ("force_set_balance", vec![("who", Account(who)), ("new_free", Amount(new_free))])
        }
    };
    View::new("Balances", name, fields)
}

fn system_call_view(c: &system::Call) -> View {
    use system::Call as C;
    let (name, fields) = match c {
        C::remark { remark } => ("remark", vec![("remark", Field::Bytes(remark.clone()))]),
        C::set_storage { items } => ("set_storage", vec![("items", Field::Number(items.len() as u128))]),
        C::kill_storage { keys } => ("kill_storage", vec![("keys", Field::Number(keys.len() as u128))]),
        C::remark_with_event { remark } => ("remark_with_event", vec![("remark", Field::Bytes(remark.clone()))]),
    };
    View::new("System", name, fields)
}

/// `Balances.transfer_keep_alive` (or `transfer_allow_death` without `keep_alive`).
pub fn transfer_call(dest: AccountId20, value: Balance, keep_alive: bool) -> RuntimeCall {
    RuntimeCall::Balances(if keep_alive {
        balances::Call::transfer_keep_alive { dest, value }
    } else {
        balances::Call::transfer_allow_death { dest, value }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use archive_support::{
        ArithmeticError as A, DispatchClass, DispatchInfo, Pays, TokenError as T, TransactionalError as X, Weight,
    };

    fn a(n: u8) -> AccountId20 {
        AccountId20([n; 20])
    }

    fn info() -> DispatchInfo {
        DispatchInfo {
            weight: Weight::from_parts(110_000_000, 3_593),
            class: DispatchClass::Normal,
            pays_fee: Pays::Yes,
        }
    }

    #[test]
    fn transfer_event_text() {
        let transfer = RuntimeEvent::Balances(balances::Event::Transfer {
            from: a(1),
            to: a(2),
            amount: 1_500_000_000_000_000_000,
        });
        assert_eq!(event_view(&transfer).text(), format!("Balances.Transfer from {} to {} amount 1.5 ARC", a(1), a(2)));
        let v = event_view(&transfer).json();
        assert_eq!(v["fields"]["amount"], Value::String("1500000000000000000".into()));
        assert_eq!((v["pallet"].as_str(), v["name"].as_str()), (Some("Balances"), Some("Transfer")));
    }

    #[test]
    fn failures_are_named() {
        let failed = RuntimeEvent::System(system::Event::ExtrinsicFailed {
            dispatch_error: DispatchError::Module(ModuleError { index: 10, error: [2, 0, 0, 0] }),
            dispatch_info: info(),
        });
        assert_eq!(extrinsic_failure(&failed).as_deref(), Some("Balances.InsufficientBalance"));
        assert_eq!(
            event_view(&failed).text(),
            "System.ExtrinsicFailed error Balances.InsufficientBalance weight 110000000"
        );
        let ok = RuntimeEvent::System(system::Event::ExtrinsicSuccess { dispatch_info: info() });
        assert!(is_extrinsic_success(&ok) && extrinsic_failure(&ok).is_none());
        let cases = [
            (DispatchError::Other, "Other"),
            (DispatchError::BadOrigin, "BadOrigin"),
            (DispatchError::Token(T::FundsUnavailable), "Token.FundsUnavailable"),
            (DispatchError::Arithmetic(A::DivisionByZero), "Arithmetic.DivisionByZero"),
            (DispatchError::Transactional(X::NoLayer), "Transactional.NoLayer"),
            (DispatchError::Module(ModuleError { index: 0, error: [1, 0, 0, 0] }), "System.NonDefaultComposite"),
            (DispatchError::Module(ModuleError { index: 10, error: [4, 0, 0, 0] }), "Balances.Expendability"),
            (DispatchError::Module(ModuleError { index: 10, error: [99, 0, 0, 0] }), "pallet 10 error 99"),
            (DispatchError::Module(ModuleError { index: 42, error: [3, 0, 0, 0] }), "pallet 42 error 3"),
        ];
        for (e, want) in cases {
            assert_eq!(describe_dispatch_error(&e), want);
        }
    }

    #[test]
    fn calls_are_described() {
        assert_eq!(
            call_view(&transfer_call(a(1), u128::MAX, true)).text(),
            format!("Balances.transfer_keep_alive dest {} value {}", a(1), format_arc(u128::MAX))
        );
        assert_eq!(
            transfer_call(a(1), 7, false),
            RuntimeCall::Balances(balances::Call::transfer_allow_death { dest: a(1), value: 7 })
        );
        assert_eq!(
            call_view(&RuntimeCall::System(system::Call::remark { remark: vec![1, 2] })).text(),
            "System.remark remark 0x0102"
        );
    }
}
