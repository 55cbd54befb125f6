//! archive-support: a small, explicit replacement for FRAME — state access with transactional
//! overlays, typed storage items with Substrate key hashing, origins, dispatch errors, events
//! and weights.
//!
//! The runtime is a pure function of the state it reads through [`StateBackend`] and the block
//! it is given: nothing here touches I/O, clocks or randomness. A pallet is plain Rust: a
//! `Config` trait, `Call`/`Event`/`Error` enums with explicit codec indices, typed storage items
//! (this crate's [`storage`] module) and a `dispatch` function that runs inside
//! [`Ext::transactional`]: checks first, then writes, then events; an error rolls every write back.
//!
//! ```
//! use archive_support::{storage::{StorageValue, StorageInstance}, DispatchError, Ext, MemoryBackend};
//! struct Counter;
//! impl StorageInstance for Counter { const PALLET: &'static str = "Demo"; const ITEM: &'static str = "Counter"; }
//! type CounterValue = StorageValue<Counter, u32>;
//! let backend = MemoryBackend::default();
//! let mut ext = Ext::new(&backend);
//! let r: Result<(), DispatchError> =
//!     ext.transactional(|ext| { CounterValue::put(ext, &7); Err(DispatchError::BadOrigin) });
//! assert!(r.is_err());
//! assert_eq!(CounterValue::get(&ext), None);
//! ```

pub mod dispatch;
pub mod events;
pub mod ext;
pub mod storage;
pub mod testing;
pub mod weight_v2;

pub use dispatch::{DispatchClass, DispatchInfo, DispatchResult, Pays, RawOrigin};
pub use events::RawEventRecord;
pub use ext::{Ext, MemoryBackend, StateBackend};
pub use weight_v2::Weight;

include!("root_types.rs");
