//! SHA-256 helpers: package files are addressed by the hex digest of their bytes.

use aws_lc_rs::digest::{SHA256, digest};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest(&SHA256, bytes).as_ref())
}

/// One hash for a whole package: equal files at equal paths give an equal hash, so a
/// re-import of unchanged content is recognised whatever the zip's timestamps say.
pub fn content_hash<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut listing = String::new();
    for (path, sha) in files {
        listing.push_str(path);
        listing.push('\0');
        listing.push_str(sha);
        listing.push('\n');
    }
    sha256_hex(listing.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_depends_on_paths_and_bytes() {
        let a = content_hash([("a.html", "01"), ("b.html", "02")].into_iter());
        let renamed = content_hash([("a.html", "01"), ("c.html", "02")].into_iter());
        let changed = content_hash([("a.html", "01"), ("b.html", "03")].into_iter());
        assert_ne!(a, renamed);
        assert_ne!(a, changed);
        assert_eq!(
            a,
            content_hash([("a.html", "01"), ("b.html", "02")].into_iter())
        );
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
