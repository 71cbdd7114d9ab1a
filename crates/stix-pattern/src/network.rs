//! IP addresses and CIDR blocks for `ISSUBSET` and `ISSUPERSET`, IPv4 and IPv6.
//!
//! An address without a prefix length stands for the block of that one address (`/32` or
//! `/128`). Addresses of different families are never subsets of each other.

use std::net::IpAddr;

/// A CIDR block: the address bits (IPv4 in the low 32 bits), the family and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    bits: u128,
    is_ipv6: bool,
    prefix: u8,
}

impl Block {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or an IPv6 block.
    pub(crate) fn parse(text: &str) -> Option<Block> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => {
                if prefix.is_empty()
                    || !prefix.bytes().all(|byte| byte.is_ascii_digit())
                    || prefix.len() > 3
                {
                    return None;
                }
                (address, Some(prefix.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(address) => {
                let prefix = prefix.unwrap_or(32);
                (prefix <= 32).then(|| Block {
                    bits: u128::from(u32::from(address)),
                    is_ipv6: false,
                    prefix,
                })
            }
            IpAddr::V6(address) => {
                let prefix = prefix.unwrap_or(128);
                (prefix <= 128).then(|| Block {
                    bits: u128::from(address),
                    is_ipv6: true,
                    prefix,
                })
            }
        }
    }

    fn width(&self) -> u8 {
        if self.is_ipv6 { 128 } else { 32 }
    }

    /// Whether every address of `self` lies inside `container`.
    pub(crate) fn is_subset_of(&self, container: &Block) -> bool {
        if self.is_ipv6 != container.is_ipv6 || container.prefix > self.prefix {
            return false;
        }
        let host_bits = u32::from(container.width() - container.prefix);
        let mask = if host_bits >= 128 {
            0
        } else {
            u128::MAX << host_bits
        };
        let family_mask = if self.is_ipv6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        };
        (self.bits & mask & family_mask) == (container.bits & mask & family_mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subset(inner: &str, outer: &str) -> bool {
        Block::parse(inner)
            .unwrap()
            .is_subset_of(&Block::parse(outer).unwrap())
    }

    #[test]
    fn ipv4_and_ipv6_subsets() {
        assert!(subset("11.22.33.44", "11.22.41.123/20"));
        assert!(!subset("11.22.33.44", "11.22.123.41/20"));
        assert!(subset("11.22.41.123/29", "11.22.33.44/20"));
        assert!(!subset("11.22.33.44/13", "11.22.33.44/20"));
        assert!(subset("10.1.2.3", "0.0.0.0/0"));
        assert!(subset("2001:db8::1", "2001:0db8:dead:beef::/32"));
        assert!(!subset("2001:db8::1", "10.0.0.0/8"));
        assert!(Block::parse("10.0.0.0/33").is_none());
        assert!(Block::parse("10.0.0/8").is_none());
        assert!(Block::parse("10.0.0.0/").is_none());
    }
}
