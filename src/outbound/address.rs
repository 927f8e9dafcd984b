//! Which addresses outbound calls may reach. A platform URL comes from a registration
//! (or, before links, from anyone), so without this filter the server would call its
//! own loopback services, the LAN, or the cloud metadata endpoint for whoever asks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The cloud metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6). Never
/// called, whatever the configuration: no LMS lives there.
const METADATA: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// The address policy: public unicast addresses only, unless private networks are
/// allowed (a local LMS, the tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressPolicy {
    pub allow_private: bool,
}

impl AddressPolicy {
    /// Whether a call to `ip` is allowed.
    pub fn permits(&self, ip: IpAddr) -> bool {
        if METADATA.contains(&canonical(ip)) {
            return false;
        }
        self.allow_private || !is_reserved(ip)
    }
}

/// An IPv4 address carried in an IPv6 form (mapped, compatible, NAT64) is judged as
/// the IPv4 address it reaches.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // ::a.b.c.d (deprecated "compatible") and 64:ff9b::a.b.c.d (NAT64, RFC 6052).
    let compatible = s[..6].iter().all(|&x| x == 0);
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (compatible || nat64).then_some(low)
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, multicast, broadcast,
/// documentation, benchmarking and other special-purpose ranges (RFC 6890).
pub fn is_reserved(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => is_reserved_v4(v4),
        IpAddr::V6(v6) => is_reserved_v6(v6),
    }
}

fn is_reserved_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    a == 0 // "this network", including 0.0.0.0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254) // link-local, metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 224 // multicast, reserved, broadcast
}

fn is_reserved_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        !AddressPolicy::default().permits(text.parse().unwrap())
    }

    #[test]
    fn loopback_private_link_local_and_shared_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "198.51.100.1",
            "203.0.113.5",
            "::",
            "::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(refused(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn ipv4_in_ipv6_forms_are_judged_as_their_ipv4_address() {
        for ip in [
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(refused(ip), "{ip} should be refused");
        }
        assert!(!refused("::ffff:93.184.216.34"));
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
        ] {
            assert!(!refused(ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn allowing_private_networks_still_refuses_the_metadata_service() {
        let open = AddressPolicy {
            allow_private: true,
        };
        assert!(open.permits("127.0.0.1".parse().unwrap()));
        assert!(open.permits("10.0.0.1".parse().unwrap()));
        assert!(!open.permits("169.254.169.254".parse().unwrap()));
        assert!(!open.permits("::ffff:169.254.169.254".parse().unwrap()));
        assert!(!open.permits("fd00:ec2::254".parse().unwrap()));
    }
}
