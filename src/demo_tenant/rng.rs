//! The demo tenant's only source of variety: SplitMix64 from a fixed seed, so every run of the
//! generator produces byte-identical output.

use crate::security::Guid;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for demo data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A random (version 4 shaped) GUID.
    pub fn guid(&mut self) -> Guid {
        let a = self.next_u64();
        let b = self.next_u64();
        Guid {
            data1: (a >> 32) as u32,
            data2: (a >> 16) as u16,
            data3: (a as u16 & 0x0FFF) | 0x4000,
            data4: ((b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000).to_be_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn guids_look_like_version_4() {
        let g = Rng::new(1).guid();
        assert_eq!(g.data3 >> 12, 4);
        assert_eq!(g.data4[0] >> 6, 0b10);
    }
}
