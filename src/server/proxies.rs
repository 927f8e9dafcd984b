//! Trusted reverse proxies (`trusted_proxies`): behind a proxy every connection comes
//! from the proxy, so throttles, sign-in lock-outs and logs would see one client. When
//! the peer is a trusted proxy, the client is read from `X-Forwarded-For`, walking from
//! the right (the hop the proxy itself added) past every trusted address; the first
//! address that is not a trusted proxy is the client. A header from anyone else is
//! ignored, so a client cannot pick its own address.

use std::net::{IpAddr, SocketAddr};

use poem::http::HeaderMap;

/// Most `X-Forwarded-For` entries read: a longer chain is not a real one.
const MAX_HOPS: usize = 32;

/// The networks whose connections may say who the client is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<Network>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    base: u128,
    prefix: u32,
    v4: bool,
}

impl TrustedProxies {
    /// Reads `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`; names the entry that is neither.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        let networks = entries
            .iter()
            .map(|entry| {
                Network::parse(entry.trim()).ok_or_else(|| {
                    format!(
                        "trusted_proxies: `{entry}` is not an IP address or a network in \
                         CIDR form (e.g. 10.0.0.0/8 or fd00::/8)"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { networks })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// The client a request comes from: `peer` unless `peer` is a trusted proxy that
    /// names another in `X-Forwarded-For`. An unreadable entry ends the walk at the
    /// last trusted hop, which then counts as the client (the safe side: it groups
    /// clients rather than letting one choose an address).
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if self.is_empty() || !self.trusts(peer.ip()) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let mut client = peer.ip();
        for hop in hops.iter().rev().take(MAX_HOPS) {
            let Some(ip) = hop_address(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        SocketAddr::new(client, 0)
    }
}

/// An entry of `X-Forwarded-For`: an address, possibly with a port (`1.2.3.4:80`,
/// `[::1]:80`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        })
}

impl Network {
    fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u32>().ok()?)),
            None => (text, None),
        };
        let ip: IpAddr = address.parse().ok()?;
        let (bits, v4) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), true),
            IpAddr::V6(v6) => (u128::from(v6), false),
        };
        let width = if v4 { 32 } else { 128 };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return None;
        }
        Some(Network {
            base: bits & mask(prefix, width),
            prefix,
            v4,
        })
    }

    fn contains(self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (ip, self.v4) {
            (IpAddr::V4(v4), true) => {
                u128::from(u32::from(v4)) & mask(self.prefix, 32) == self.base
            }
            (IpAddr::V6(v6), false) => u128::from(v6) & mask(self.prefix, 128) == self.base,
            _ => false,
        }
    }
}

/// The top `prefix` bits of a `width`-bit address.
fn mask(prefix: u32, width: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        (u128::MAX << (width - prefix)) & (u128::MAX >> (128 - width))
    }
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 4000)
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let from = peer("203.0.113.9");
        assert_eq!(none.client(from, &forwarded(&["198.51.100.1"])), from);
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let from = peer("203.0.113.9");
        assert_eq!(trusted.client(from, &forwarded(&["198.51.100.1"])), from);
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.5"]);
        // The client lied about a first hop; two trusted proxies added the rest.
        let headers = forwarded(&["6.6.6.6, 198.51.100.7", "192.168.1.5"]);
        assert_eq!(
            trusted.client(peer("10.1.2.3"), &headers).ip(),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn ports_and_mapped_addresses_are_read_and_garbage_stops_the_walk() {
        let trusted = proxies(&["10.0.0.1", "fd00::/8"]);
        assert_eq!(
            trusted
                .client(peer("fd00::1"), &forwarded(&["198.51.100.7:5555"]))
                .ip(),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusted
                .client(peer("::ffff:10.0.0.1"), &forwarded(&["[2001:db8::1]:80"]))
                .ip(),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusted
                .client(peer("10.0.0.1"), &forwarded(&["198.51.100.7, not-an-ip"]))
                .ip(),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusted.client(peer("10.0.0.1"), &HeaderMap::new()).ip(),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn networks_match_by_prefix_and_bad_entries_are_named() {
        let trusted = proxies(&["172.16.0.0/12", "0.0.0.0/0"]);
        assert!(trusted.trusts("172.31.255.255".parse().unwrap()));
        assert!(
            trusted.trusts("8.8.8.8".parse().unwrap()),
            "/0 is everything v4"
        );
        assert!(
            !trusted.trusts("::1".parse().unwrap()),
            "v4 networks hold no v6 address"
        );
        let only = proxies(&["172.16.0.0/12"]);
        assert!(!only.trusts("172.32.0.0".parse().unwrap()));
        let error = TrustedProxies::parse(&["10.0.0.0/33".to_string()]).unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
        assert!(TrustedProxies::parse(&["proxy.local".to_string()]).is_err());
    }
}
