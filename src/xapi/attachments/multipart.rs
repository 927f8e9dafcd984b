//! A strict `multipart/mixed` reader and writer (RFC 2046 5.1) for statements with
//! attachments. The whole body is already in memory under the size limit, so parsing is
//! a synchronous walk over bytes that reports exactly which rule a body broke.

use crate::error::Error;

/// One body part: its headers (names lower-cased) and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The `boundary` parameter of a multipart content type.
pub fn boundary(content_type: &str) -> Result<String, Error> {
    for param in content_type.split(';').skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("boundary") {
            let value = value.trim().trim_matches('"');
            if value.is_empty() || value.len() > 70 {
                return Err(Error::BadRequest(
                    "Content-Type: the multipart boundary must be 1 to 70 characters".into(),
                ));
            }
            return Ok(value.to_owned());
        }
    }
    Err(Error::BadRequest(
        "Content-Type multipart/mixed needs a boundary parameter".into(),
    ))
}

/// Splits a multipart body into its parts.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, Error> {
    let dash = format!("--{boundary}").into_bytes();
    let delimiter = [b"\r\n".as_slice(), &dash].concat();
    // The first delimiter may open the body; otherwise it follows a CRLF (the preamble,
    // if any, is ignored).
    let mut pos = if body.starts_with(&dash) {
        dash.len()
    } else {
        find(body, &delimiter, 0)
            .map(|at| at + delimiter.len())
            .ok_or_else(|| bad("the body does not contain the boundary given in Content-Type"))?
    };
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return if parts.is_empty() {
                Err(bad("the multipart body has no parts"))
            } else {
                Ok(parts)
            };
        }
        // Transport padding, then the CRLF that ends the delimiter line.
        while matches!(body.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(bad("a boundary line must end with CRLF"));
        }
        pos += 2;
        let end = find(body, &delimiter, pos)
            .ok_or_else(|| bad("the multipart body does not end with the closing boundary"))?;
        parts.push(parse_part(&body[pos..end])?);
        pos = end + delimiter.len();
    }
}

fn parse_part(raw: &[u8]) -> Result<Part, Error> {
    let (head, body) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else {
        let split = find(raw, b"\r\n\r\n", 0)
            .ok_or_else(|| bad("a part's headers must end with an empty line"))?;
        (&raw[..split], &raw[split + 4..])
    };
    let head = std::str::from_utf8(head).map_err(|_| bad("part headers must be ASCII"))?;
    let mut headers = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(&format!("malformed part header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Part {
        headers,
        body: body.to_vec(),
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}

fn bad(why: &str) -> Error {
    Error::BadRequest(format!("multipart/mixed body: {why}"))
}

/// Writes parts as a multipart body with `boundary`.
pub fn write(parts: &[Part], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        for (name, value) in &part.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_is_read_quoted_or_not() {
        assert_eq!(boundary("multipart/mixed; boundary=abc").unwrap(), "abc");
        assert_eq!(
            boundary("multipart/mixed; charset=x; boundary=\"a b\"").unwrap(),
            "a b"
        );
        assert!(boundary("multipart/mixed").is_err());
    }

    #[test]
    fn parts_round_trip() {
        let parts = vec![
            Part {
                headers: vec![("content-type".into(), "application/json".into())],
                body: b"{}".to_vec(),
            },
            Part {
                headers: vec![("x-experience-api-hash".into(), "ab".into())],
                body: b"\r\n--not-the-boundary\r\n".to_vec(),
            },
        ];
        let body = write(&parts, "zzz");
        assert_eq!(parse(&body, "zzz").unwrap(), parts);
    }

    #[test]
    fn preamble_and_header_spacing_are_tolerated() {
        let body = b"\r\n--b\r\nContent-Type:application/json\r\n\r\n{}\r\n--b--";
        let parts = parse(body, "b").unwrap();
        assert_eq!(parts[0].header("Content-Type"), Some("application/json"));
        assert_eq!(parts[0].body, b"{}");
    }

    #[test]
    fn unterminated_and_boundaryless_bodies_are_refused() {
        assert!(parse(b"--b\r\n\r\n{}", "b").is_err());
        assert!(parse(b"{}", "b").is_err());
        assert!(parse(b"--b--", "b").is_err());
    }
}
