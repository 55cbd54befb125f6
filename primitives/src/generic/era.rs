//! Transaction mortality, encoded exactly as `sp_runtime::generic::era::Era`.

use parity_scale_codec::{Decode, Encode, Input, Output};
use scale_info::{build::Variants, Path, Type, TypeInfo};

/// A transaction's validity window. `Mortal(period, phase)`: valid from its birth block (the
/// latest block `≤ current` with `number % period == phase`) for `period` blocks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Era {
    /// Valid forever.
    Immortal,
    /// `(period, phase)`: period a power of two in `4..=65536`, `phase < period`.
    Mortal(u64, u64),
}

impl Era {
    /// A mortal era of about `period` blocks starting at `current` (Substrate's `Era::mortal`).
    pub fn mortal(period: u64, current: u64) -> Era {
        let period = period.checked_next_power_of_two().unwrap_or(1 << 16).clamp(4, 1 << 16);
        let phase = current % period;
        let quantize_factor = (period >> 12).max(1);
        Era::Mortal(period, phase / quantize_factor * quantize_factor)
    }

    /// The first block number at which a transaction with this era is valid, given the current one.
    pub fn birth(self, current: u64) -> u64 {
        match self {
            Era::Immortal => 0,
            Era::Mortal(period, phase) => (current.max(phase) - phase) / period * period + phase,
        }
    }

    /// The first block number at which it is no longer valid.
    pub fn death(self, current: u64) -> u64 {
        match self {
            Era::Immortal => u64::MAX,
            Era::Mortal(period, _) => self.birth(current).saturating_add(period),
        }
    }
}

impl Encode for Era {
    fn encode_to<T: Output + ?Sized>(&self, output: &mut T) {
        match self {
            Era::Immortal => output.push_byte(0),
            Era::Mortal(period, phase) => {
                let quantize_factor = (*period >> 12).max(1);
                let tz = period.trailing_zeros().saturating_sub(1).clamp(1, 15) as u16;
                let encoded = tz | (((phase / quantize_factor) as u16) << 4);
                encoded.encode_to(output);
            }
        }
    }
}

impl Decode for Era {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let first = input.read_byte()?;
        if first == 0 {
            return Ok(Era::Immortal);
        }
        let encoded = first as u64 + ((input.read_byte()? as u64) << 8);
        let period = 2u64 << (encoded % (1 << 4));
        let quantize_factor = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantize_factor;
        if period >= 4 && phase < period {
            Ok(Era::Mortal(period, phase))
        } else {
            Err("Invalid period and phase".into())
        }
    }
}

impl TypeInfo for Era {
    type Identity = Self;
    /// Substrate's shape: `Immortal` (index 0) and `Mortal1(u8)`..`Mortal255(u8)`.
    fn type_info() -> Type {
        let mut variants = Variants::new().variant("Immortal", |v| v.index(0));
        for i in 1..=255u8 {
            let name: &'static str = MORTAL_NAMES[i as usize - 1];
            variants = variants
                .variant(name, |v| v.index(i).fields(scale_info::build::Fields::unnamed().field(|f| f.ty::<u8>())));
        }
        Type::builder().path(Path::new("Era", "sp_runtime::generic::era")).variant(variants)
    }
}

macro_rules! mortal_names {
    ($($n:literal)*) => { [$(concat!("Mortal", $n)),*] };
}

static MORTAL_NAMES: [&str; 255] = mortal_names!(
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36
    37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69
    70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101
    102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126
    127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148 149 150 151
    152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 169 170 171 172 173 174 175 176
    177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196 197 198 199 200 201
    202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 219 220 221 222 223 224 225 226
    227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251
    252 253 254 255
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_substrate() {
        assert_eq!(Era::Immortal.encode(), vec![0]);
        // Substrate's own test vectors (sp_runtime era.rs).
        assert_eq!(Era::mortal(64, 42), Era::Mortal(64, 42));
        assert_eq!(Era::Mortal(64, 42).encode(), vec![165, 2]);
        assert_eq!(Era::mortal(32768, 20000), Era::Mortal(32768, 20000));
        assert_eq!(Era::Mortal(32768, 20000).encode(), vec![78, 156]);
        for e in [Era::Immortal, Era::Mortal(64, 42), Era::Mortal(32768, 20000), Era::Mortal(4, 3)] {
            assert_eq!(Era::decode(&mut &e.encode()[..]), Ok(e));
        }
        assert!(Era::decode(&mut &[0x01u8, 0xff][..]).is_err());
    }

    #[test]
    fn birth_and_death() {
        let e = Era::mortal(4, 6);
        assert_eq!(e, Era::Mortal(4, 2));
        assert_eq!(e.birth(6), 6);
        assert_eq!(e.death(6), 10);
        assert_eq!(e.birth(9), 6);
        assert_eq!(Era::Immortal.death(5), u64::MAX);
    }
}
