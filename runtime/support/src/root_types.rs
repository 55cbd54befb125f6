// Included into lib.rs (not a module) so these types' metadata paths are two segments long,
// `sp_runtime::DispatchError` and `frame_system::Phase`, exactly as clients expect them.

/// Why a dispatch failed (`sp_runtime::DispatchError`, same variant indices).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_runtime"))]
pub enum DispatchError {
    /// Some other error.
    #[codec(index = 0)]
    Other,
    /// Failed to look up an account or index.
    #[codec(index = 1)]
    CannotLookup,
    /// The origin may not make this call.
    #[codec(index = 2)]
    BadOrigin,
    /// A pallet's own error.
    #[codec(index = 3)]
    Module(ModuleError),
    /// An account cannot be removed: other modules still use it.
    #[codec(index = 4)]
    ConsumerRemaining,
    /// No providers for an account.
    #[codec(index = 5)]
    NoProviders,
    /// Too many consumers.
    #[codec(index = 6)]
    TooManyConsumers,
    /// A token (balance) error.
    #[codec(index = 7)]
    Token(TokenError),
    /// Arithmetic overflow/underflow.
    #[codec(index = 8)]
    Arithmetic(ArithmeticError),
    /// Storage-transaction nesting failed.
    #[codec(index = 9)]
    Transactional(TransactionalError),
    /// Resources exhausted.
    #[codec(index = 10)]
    Exhausted,
    /// State corruption detected.
    #[codec(index = 11)]
    Corruption,
    /// A resource is not available.
    #[codec(index = 12)]
    Unavailable,
    /// Root origin is not allowed here.
    #[codec(index = 13)]
    RootNotAllowed,
}

/// A pallet error: pallet index and the error's variant index (`sp_runtime::ModuleError`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_runtime"))]
pub struct ModuleError {
    /// The pallet's index in the runtime.
    pub index: u8,
    /// `[variant index, 0, 0, 0]`.
    pub error: [u8; 4],
}

/// Balance-related errors (`sp_runtime::TokenError`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_runtime"))]
pub enum TokenError {
    FundsUnavailable,
    OnlyProvider,
    BelowMinimum,
    CannotCreate,
    UnknownAsset,
    Frozen,
    Unsupported,
    CannotCreateHold,
    NotExpendable,
    Blocked,
}

/// Arithmetic errors (`sp_arithmetic::ArithmeticError`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_arithmetic"))]
pub enum ArithmeticError {
    Underflow,
    Overflow,
    DivisionByZero,
}

/// Storage-transaction errors (`sp_runtime::TransactionalError`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "sp_runtime"))]
pub enum TransactionalError {
    LimitReached,
    NoLayer,
}

impl From<TransactionalError> for DispatchError {
    fn from(e: TransactionalError) -> Self {
        DispatchError::Transactional(e)
    }
}

impl From<ArithmeticError> for DispatchError {
    fn from(e: ArithmeticError) -> Self {
        DispatchError::Arithmetic(e)
    }
}

impl From<TokenError> for DispatchError {
    fn from(e: TokenError) -> Self {
        DispatchError::Token(e)
    }
}

/// When in the block an event happened (`frame_system::Phase`, same indices).
#[derive(Clone, Copy, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "frame_system"))]
pub enum Phase {
    /// While applying the extrinsic at this index.
    #[codec(index = 0)]
    ApplyExtrinsic(u32),
    /// During block finalization.
    #[codec(index = 1)]
    Finalization,
    /// During block initialization.
    #[codec(index = 2)]
    Initialization,
}

/// A typed event record (`frame_system::EventRecord<E, T>`): what `System.Events` holds, as
/// clients decode it. The runtime stores [`events::RawEventRecord`]s, which encode identically.
#[derive(Clone, PartialEq, Eq, Debug, parity_scale_codec::Encode, parity_scale_codec::Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("archive_support", "frame_system"))]
pub struct EventRecord<E, T> {
    /// When it happened.
    pub phase: Phase,
    /// The runtime event.
    pub event: E,
    /// Indexed topics.
    pub topics: Vec<T>,
}
