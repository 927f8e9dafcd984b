//! Keyset paging for console lists: the next page starts after the last row shown (an
//! opaque `after` cursor), never `OFFSET`, so page 500 costs what page 1 does and rows
//! added meanwhile do not shift what is shown.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Rows per console page.
pub const PAGE: u64 = 50;

/// The cursor text of a page's last row key.
pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The key of a cursor; `None` when absent or not one of ours (the list starts over).
pub fn decode<K: DeserializeOwned>(cursor: Option<&str>) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor?.as_bytes()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Splits one extra row fetched beyond `PAGE` off into "there is a next page".
pub fn split<T>(mut rows: Vec<T>, page: u64) -> (Vec<T>, bool) {
    let more = rows.len() as u64 > page;
    rows.truncate(page as usize);
    (rows, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_starts_over() {
        let c = encode(&("ada", 42i64));
        assert_eq!(decode::<(String, i64)>(Some(&c)), Some(("ada".into(), 42)));
        assert_eq!(decode::<(String, i64)>(Some("!!")), None);
        assert_eq!(decode::<(String, i64)>(None), None);
    }

    #[test]
    fn one_extra_row_means_a_next_page() {
        assert_eq!(split(vec![1, 2, 3], 2), (vec![1, 2], true));
        assert_eq!(split(vec![1, 2], 2), (vec![1, 2], false));
    }
}
