//! Just enough DER to take the RSA public key out of an X.509 certificate (the `x5c`
//! header of a signed statement). Spec: RFC 5280 4.1 (Certificate, SubjectPublicKeyInfo).

/// One TLV: its tag and contents, and whatever followed it.
fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[count..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const VERSION_TAG: u8 = 0xa0;

/// The subjectPublicKey of a DER certificate: for RSA, a PKCS#1 RSAPublicKey.
pub fn certificate_public_key(cert: &[u8]) -> Option<&[u8]> {
    let (SEQUENCE, certificate, _) = read(cert)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = read(certificate)? else {
        return None;
    };
    let mut fields = tbs;
    let (tag, _, rest) = read(fields)?;
    if tag == VERSION_TAG {
        fields = rest;
    }
    // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
    for _ in 0..5 {
        fields = read(fields)?.2;
    }
    let (SEQUENCE, spki, _) = read(fields)? else {
        return None;
    };
    let (SEQUENCE, _, rest) = read(spki)? else {
        return None;
    };
    let (BIT_STRING, key, _) = read(rest)? else {
        return None;
    };
    // The first octet counts unused bits; a key is whole octets.
    match key.split_first() {
        Some((0, pkcs1)) => Some(pkcs1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_and_truncation() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let (tag, content, rest) = read(&long).unwrap();
        assert_eq!((tag, content.len(), rest.len()), (0x04, 0x80, 0));
        assert!(read(&long[..10]).is_none());
        assert!(certificate_public_key(b"\x30\x00").is_none());
    }
}
