//! scrypt for decryption, including parameter sets RFC 7914 forbids but Ethereum wallets write.
//!
//! RFC 7914 requires N < 2^(16 r); the `scrypt` crate enforces it, Go's `x/crypto/scrypt`
//! (geth) and scrypt-js (ethers) do not. The Web3 Secret Storage test vector itself uses
//! N = 2^18 with r = 1, so such files exist. Parameters the crate accepts go through it;
//! the rest through [`scrypt_unchecked`], the same algorithm without that rule.

use pbkdf2::pbkdf2_hmac;
use sha2::Sha256;
use zeroize::Zeroizing;

/// scrypt(password, salt, N = 2^log_n, r, p) into `out`. `None` if the parameters are
/// unusable even without the RFC's N < 2^(16 r) rule (zero r/p, overflow, empty output).
pub(crate) fn scrypt(password: &[u8], salt: &[u8], log_n: u8, r: u32, p: u32, out: &mut [u8]) -> Option<()> {
    match scrypt::Params::new(log_n, r, p, out.len()) {
        Ok(params) => scrypt::scrypt(password, salt, &params, out).ok(),
        Err(_) => scrypt_unchecked(password, salt, log_n, r, p, out),
    }
}

/// scrypt (RFC 7914 section 6) without the N < 2^(16 r) restriction.
///
/// Works on little-endian 32-bit words, as the reference implementation does, and keeps the
/// inner loops simple: this crate is built without optimisation in debug builds.
pub(crate) fn scrypt_unchecked(password: &[u8], salt: &[u8], log_n: u8, r: u32, p: u32, out: &mut [u8]) -> Option<()> {
    if r == 0 || p == 0 || log_n == 0 || out.is_empty() {
        return None;
    }
    let n = 1usize.checked_shl(u32::from(log_n))?;
    let r128 = usize::try_from(r).ok()?.checked_mul(128)?;
    let b_len = usize::try_from(p).ok()?.checked_mul(r128)?;
    let words = r128 / 4;
    let v_len = n.checked_mul(words)?;

    let mut b = Zeroizing::new(vec![0u8; b_len]);
    pbkdf2_hmac::<Sha256>(password, salt, 1, &mut b);
    let mut x = Zeroizing::new(vec![0u32; words]);
    let mut y = Zeroizing::new(vec![0u32; words]);
    let mut v = Zeroizing::new(vec![0u32; v_len]);
    for lane in b.chunks_exact_mut(r128) {
        for (w, bytes) in x.iter_mut().zip(lane.chunks_exact(4)) {
            *w = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        ro_mix(&mut x, &mut y, &mut v, n);
        for (w, bytes) in x.iter().zip(lane.chunks_exact_mut(4)) {
            bytes.copy_from_slice(&w.to_le_bytes());
        }
    }
    pbkdf2_hmac::<Sha256>(password, &b, 1, out);
    Some(())
}

/// ROMix in place on `x` (32 r words), with scratch `y` (32 r words) and `v` (N * 32 r words).
fn ro_mix(x: &mut [u32], y: &mut [u32], v: &mut [u32], n: usize) {
    let len = x.len();
    for chunk in v.chunks_exact_mut(len) {
        chunk.copy_from_slice(x);
        block_mix(chunk, y);
        x.copy_from_slice(y);
    }
    let last = len - 16;
    let mask = n - 1;
    for _ in 0..n {
        // Integerify: the first word of the last 64-byte block, mod N.
        let j = (x[last] as usize) & mask;
        let vj = &v[j * len..(j + 1) * len];
        let mut i = 0;
        while i < len {
            x[i] ^= vj[i];
            i += 1;
        }
        block_mix(x, y);
        x.copy_from_slice(y);
    }
}

/// BlockMix with Salsa20/8 from `input` into `output` (both 32 r words).
fn block_mix(input: &[u32], output: &mut [u32]) {
    let len = input.len();
    let half = len / 2;
    let mut t = [0u32; 16];
    t.copy_from_slice(&input[len - 16..]);
    let mut block = 0;
    while block * 16 < len {
        let chunk = &input[block * 16..block * 16 + 16];
        let mut k = 0;
        while k < 16 {
            t[k] ^= chunk[k];
            k += 1;
        }
        salsa20_8(&mut t);
        let pos = (block / 2) * 16 + if block % 2 == 0 { 0 } else { half };
        output[pos..pos + 16].copy_from_slice(&t);
        block += 1;
    }
}

/// The Salsa20/8 core, in place.
#[allow(clippy::many_single_char_names)]
fn salsa20_8(b: &mut [u32; 16]) {
    let [mut x0, mut x1, mut x2, mut x3, mut x4, mut x5, mut x6, mut x7, mut x8, mut x9, mut x10, mut x11, mut x12, mut x13, mut x14, mut x15] =
        *b;
    for _ in 0..4 {
        // Columns.
        x4 ^= x0.wrapping_add(x12).rotate_left(7);
        x8 ^= x4.wrapping_add(x0).rotate_left(9);
        x12 ^= x8.wrapping_add(x4).rotate_left(13);
        x0 ^= x12.wrapping_add(x8).rotate_left(18);
        x9 ^= x5.wrapping_add(x1).rotate_left(7);
        x13 ^= x9.wrapping_add(x5).rotate_left(9);
        x1 ^= x13.wrapping_add(x9).rotate_left(13);
        x5 ^= x1.wrapping_add(x13).rotate_left(18);
        x14 ^= x10.wrapping_add(x6).rotate_left(7);
        x2 ^= x14.wrapping_add(x10).rotate_left(9);
        x6 ^= x2.wrapping_add(x14).rotate_left(13);
        x10 ^= x6.wrapping_add(x2).rotate_left(18);
        x3 ^= x15.wrapping_add(x11).rotate_left(7);
        x7 ^= x3.wrapping_add(x15).rotate_left(9);
        x11 ^= x7.wrapping_add(x3).rotate_left(13);
        x15 ^= x11.wrapping_add(x7).rotate_left(18);
        // Rows.
        x1 ^= x0.wrapping_add(x3).rotate_left(7);
        x2 ^= x1.wrapping_add(x0).rotate_left(9);
        x3 ^= x2.wrapping_add(x1).rotate_left(13);
        x0 ^= x3.wrapping_add(x2).rotate_left(18);
        x6 ^= x5.wrapping_add(x4).rotate_left(7);
        x7 ^= x6.wrapping_add(x5).rotate_left(9);
        x4 ^= x7.wrapping_add(x6).rotate_left(13);
        x5 ^= x4.wrapping_add(x7).rotate_left(18);
        x11 ^= x10.wrapping_add(x9).rotate_left(7);
        x8 ^= x11.wrapping_add(x10).rotate_left(9);
        x9 ^= x8.wrapping_add(x11).rotate_left(13);
        x10 ^= x9.wrapping_add(x8).rotate_left(18);
        x12 ^= x15.wrapping_add(x14).rotate_left(7);
        x13 ^= x12.wrapping_add(x15).rotate_left(9);
        x14 ^= x13.wrapping_add(x12).rotate_left(13);
        x15 ^= x14.wrapping_add(x13).rotate_left(18);
    }
    let x = [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15];
    for (out, xi) in b.iter_mut().zip(x) {
        *out = out.wrapping_add(xi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchecked_matches_the_scrypt_crate() {
        for (log_n, r, p) in [(4u8, 1u32, 1u32), (10, 8, 1), (6, 2, 3)] {
            let params = scrypt::Params::new(log_n, r, p, 32).expect("valid params");
            let mut expected = [0u8; 32];
            scrypt::scrypt(b"password", b"NaCl", &params, &mut expected).expect("scrypt");
            let mut got = [0u8; 32];
            scrypt_unchecked(b"password", b"NaCl", log_n, r, p, &mut got).expect("unchecked");
            assert_eq!(got, expected, "log_n {log_n} r {r} p {p}");
        }
    }

    #[test]
    fn rfc7914_vector() {
        // RFC 7914 section 12, second vector (64-byte output).
        let mut out = [0u8; 64];
        scrypt_unchecked(b"password", b"NaCl", 10, 8, 16, &mut out).expect("unchecked");
        assert_eq!(
            hex::encode(out),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        );
    }

    #[test]
    fn accepts_n_beyond_the_rfc_limit_and_rejects_nonsense() {
        // N = 2^17 >= 2^(16 r) with r = 1: refused by the crate, computed here.
        assert!(scrypt::Params::new(17, 1, 1, 32).is_err());
        let mut out = [0u8; 32];
        assert!(scrypt(b"pw", b"salt", 17, 1, 1, &mut out).is_some());
        assert_ne!(out, [0u8; 32]);
        assert!(scrypt(b"pw", b"salt", 10, 0, 1, &mut out).is_none());
        assert!(scrypt(b"pw", b"salt", 10, 1, 0, &mut out).is_none());
    }
}
