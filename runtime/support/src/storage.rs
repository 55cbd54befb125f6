//! Typed storage items with Substrate's key layout: `twox128(pallet) ++ twox128(item) ++
//! hasher(key)`. Values are SCALE-encoded. Each item also describes itself for metadata.

use std::marker::PhantomData;

use archive_primitives::storage_key::{storage_prefix, Hasher};
use parity_scale_codec::{Decode, Encode, FullCodec};
use scale_info::{StaticTypeInfo, TypeInfo};

use crate::Ext;

/// Names a storage item: the pallet's storage prefix and the item name, as metadata shows them.
pub trait StorageInstance {
    /// The pallet's storage prefix (e.g. "System").
    const PALLET: &'static str;
    /// The item's name (e.g. "Account").
    const ITEM: &'static str;
}

/// A key hasher, as a type.
pub trait KeyHasher {
    /// The hasher.
    const HASHER: Hasher;
}

/// `blake2_128(key) ++ key`: iterable, safe for user-controlled keys.
pub struct Blake2_128Concat;
impl KeyHasher for Blake2_128Concat {
    const HASHER: Hasher = Hasher::Blake2_128Concat;
}
/// `twox64(key) ++ key`: iterable, only for keys users cannot choose.
pub struct Twox64Concat;
impl KeyHasher for Twox64Concat {
    const HASHER: Hasher = Hasher::Twox64Concat;
}
/// The key itself.
pub struct Identity;
impl KeyHasher for Identity {
    const HASHER: Hasher = Hasher::Identity;
}

/// Decodes a stored value. State written by this runtime always decodes; a value that does not
/// is treated as absent rather than crashing the node (the state root still commits to it).
fn decode<V: Decode>(bytes: Option<Vec<u8>>) -> Option<V> {
    bytes.and_then(|b| V::decode(&mut &b[..]).ok())
}

/// A single value.
pub struct StorageValue<P, V>(PhantomData<(P, V)>);

impl<P: StorageInstance, V: FullCodec> StorageValue<P, V> {
    /// The raw key.
    pub fn key() -> [u8; 32] {
        storage_prefix(P::PALLET, P::ITEM)
    }
    /// The value, if set.
    pub fn get(ext: &Ext<'_>) -> Option<V> {
        decode(ext.get(&Self::key()))
    }
    /// The value, or `V::default()`.
    pub fn get_or_default(ext: &Ext<'_>) -> V
    where
        V: Default,
    {
        Self::get(ext).unwrap_or_default()
    }
    /// Sets the value.
    pub fn put(ext: &mut Ext<'_>, v: &V) {
        ext.set(Self::key().to_vec(), v.encode());
    }
    /// Removes the value.
    pub fn kill(ext: &mut Ext<'_>) {
        ext.remove(Self::key().to_vec());
    }
}

/// A map from `K` to `V`.
pub struct StorageMap<P, H, K, V>(PhantomData<(P, H, K, V)>);

impl<P: StorageInstance, H: KeyHasher, K: Encode, V: FullCodec> StorageMap<P, H, K, V> {
    /// The prefix shared by all entries.
    pub fn prefix() -> [u8; 32] {
        storage_prefix(P::PALLET, P::ITEM)
    }
    /// The raw key of `k`.
    pub fn key(k: &K) -> Vec<u8> {
        let mut out = Self::prefix().to_vec();
        out.extend(H::HASHER.hash(&k.encode()));
        out
    }
    /// The value at `k`, if any.
    pub fn get(ext: &Ext<'_>, k: &K) -> Option<V> {
        decode(ext.get(&Self::key(k)))
    }
    /// The value at `k`, or `V::default()`.
    pub fn get_or_default(ext: &Ext<'_>, k: &K) -> V
    where
        V: Default,
    {
        Self::get(ext, k).unwrap_or_default()
    }
    /// Whether `k` has a value.
    pub fn contains(ext: &Ext<'_>, k: &K) -> bool {
        ext.exists(&Self::key(k))
    }
    /// Sets the value at `k`.
    pub fn insert(ext: &mut Ext<'_>, k: &K, v: &V) {
        ext.set(Self::key(k), v.encode());
    }
    /// Removes the value at `k`.
    pub fn remove(ext: &mut Ext<'_>, k: &K) {
        ext.remove(Self::key(k));
    }
}

/// Metadata description of a storage item, independent of frame-metadata's version types
/// (the runtime's metadata module turns it into V14 entries).
#[derive(Clone, Debug)]
pub struct StorageEntryInfo {
    /// Item name.
    pub name: &'static str,
    /// Plain value or map.
    pub kind: StorageEntryKind,
    /// `true`: absent reads as the default (`ValueQuery`); `false`: as `None` (`OptionQuery`).
    pub value_query: bool,
    /// SCALE encoding of the default value.
    pub default: Vec<u8>,
    /// Documentation lines.
    pub docs: Vec<&'static str>,
}

/// The shape of a storage item.
#[derive(Clone, Debug)]
pub enum StorageEntryKind {
    /// A plain value of this type.
    Plain(scale_info::MetaType),
    /// A map: hasher, key type, value type.
    Map { hasher: Hasher, key: scale_info::MetaType, value: scale_info::MetaType },
}

impl<P: StorageInstance, V: FullCodec + StaticTypeInfo> StorageValue<P, V> {
    /// Metadata for this item; `default` is `Some` for `ValueQuery` items.
    pub fn info(default: Option<V>, docs: &[&'static str]) -> StorageEntryInfo {
        StorageEntryInfo {
            name: P::ITEM,
            kind: StorageEntryKind::Plain(scale_info::meta_type::<V>()),
            value_query: default.is_some(),
            default: default.map(|d| d.encode()).unwrap_or_else(|| vec![0]),
            docs: docs.to_vec(),
        }
    }
}

impl<P: StorageInstance, H: KeyHasher, K: Encode + TypeInfo + 'static, V: FullCodec + StaticTypeInfo>
    StorageMap<P, H, K, V>
{
    /// Metadata for this item; `default` is `Some` for `ValueQuery` items.
    pub fn info(default: Option<V>, docs: &[&'static str]) -> StorageEntryInfo {
        StorageEntryInfo {
            name: P::ITEM,
            kind: StorageEntryKind::Map {
                hasher: H::HASHER,
                key: scale_info::meta_type::<K>(),
                value: scale_info::meta_type::<V>(),
            },
            value_query: default.is_some(),
            default: default.map(|d| d.encode()).unwrap_or_else(|| vec![0]),
            docs: docs.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryBackend;
    use archive_primitives::AccountId20;

    struct Acc;
    impl StorageInstance for Acc {
        const PALLET: &'static str = "System";
        const ITEM: &'static str = "Account";
    }
    type Map = StorageMap<Acc, Blake2_128Concat, AccountId20, u32>;

    #[test]
    fn map_key_layout_is_substrates() {
        let who = AccountId20([0x11; 20]);
        let k = Map::key(&who);
        assert_eq!(hex::encode(&k[..32]), "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9");
        assert_eq!(&k[32 + 16..], &who.0);
        let b = MemoryBackend::default();
        let mut ext = Ext::new(&b);
        assert_eq!(Map::get(&ext, &who), None);
        Map::insert(&mut ext, &who, &5);
        assert_eq!(Map::get(&ext, &who), Some(5));
        assert!(Map::contains(&ext, &who));
        Map::remove(&mut ext, &who);
        assert_eq!(Map::get_or_default(&ext, &who), 0);
    }
}
