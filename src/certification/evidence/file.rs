//! Evidence files: which media types are accepted, and whether the bytes are what the
//! declared type says (a program named `report.pdf` is refused).

use crate::error::Error;

pub const PDF: &str = "application/pdf";
pub const PNG: &str = "image/png";
pub const JPEG: &str = "image/jpeg";
pub const WEBP: &str = "image/webp";
pub const TEXT: &str = "text/plain";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

/// `evidence_media_types` when the configuration names none.
pub const DEFAULT_MEDIA_TYPES: [&str; 7] = [PDF, PNG, JPEG, WEBP, TEXT, DOCX, PPTX];

/// A media type without parameters, lower case: `Text/Plain; charset=utf-8` → `text/plain`.
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The type the bytes show, among those we know a signature of.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(WEBP)
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office Open XML is a zip whose part names tell the kind of document.
        if contains(bytes, b"word/") {
            Some(DOCX)
        } else if contains(bytes, b"ppt/") {
            Some(PPTX)
        } else {
            None
        }
    } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some(TEXT)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether we can check the bytes of `media_type` (types outside this list that an
/// operator allows are taken as declared).
fn has_signature(media_type: &str) -> bool {
    DEFAULT_MEDIA_TYPES.contains(&media_type)
}

/// The media type to store a file under: the declared one (or, when none is declared or
/// it is `application/octet-stream`, the one the bytes show), on the allow-list, and
/// matching the bytes where a signature is known. 415 otherwise, in words.
pub fn accept(declared: Option<&str>, bytes: &[u8], allowed: &[String]) -> Result<String, Error> {
    let declared = declared
        .map(essence)
        .filter(|t| !t.is_empty() && t != "application/octet-stream");
    let seen = sniff(bytes);
    let media_type = match declared {
        Some(t) => t,
        None => seen.map(str::to_owned).ok_or_else(|| {
            Error::UnsupportedMediaType(format!(
                "field `file`: the file's type could not be recognised; send it as one of {} \
                 with that Content-Type on the part",
                allowed.join(", ")
            ))
        })?,
    };
    if !allowed.iter().any(|a| essence(a) == media_type) {
        return Err(Error::UnsupportedMediaType(format!(
            "field `file`: files of type {media_type} are not accepted as evidence; accepted \
             types are {}",
            allowed.join(", ")
        )));
    }
    if has_signature(&media_type) && seen != Some(media_type.as_str()) {
        return Err(Error::UnsupportedMediaType(format!(
            "field `file`: the file is declared as {media_type} but its content is not {}",
            match seen {
                Some(other) => format!("(it looks like {other})"),
                None => "of that type".to_owned(),
            }
        )));
    }
    Ok(media_type)
}

/// The name an evidence file is downloaded under, safe in a `Content-Disposition`
/// header (the API and the console share it): letters, digits, `.`, `-`, `_`; others become `_`.
pub fn safe_file_name(name: Option<&str>, id: i64) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches(['.', '_']).is_empty() {
        format!("evidence-{id}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        DEFAULT_MEDIA_TYPES
            .iter()
            .map(|t| (*t).to_owned())
            .collect()
    }

    #[test]
    fn a_pdf_declared_as_pdf_is_accepted() {
        assert_eq!(
            accept(Some("application/pdf"), b"%PDF-1.7\n", &allowed()).unwrap(),
            PDF
        );
    }

    #[test]
    fn a_windows_program_declared_as_pdf_is_refused() {
        let err = accept(Some("application/pdf"), b"MZ\x90\x00\x03\x00", &allowed()).unwrap_err();
        assert!(matches!(err, Error::UnsupportedMediaType(_)), "{err}");
    }

    #[test]
    fn a_type_off_the_allow_list_is_refused_naming_the_accepted_ones() {
        let err = accept(Some("application/x-msdownload"), b"MZ", &allowed()).unwrap_err();
        assert!(err.to_string().contains("image/png"), "{err}");
    }

    #[test]
    fn an_undeclared_type_is_taken_from_the_bytes() {
        assert_eq!(
            accept(None, b"\x89PNG\r\n\x1a\nrest", &allowed()).unwrap(),
            PNG
        );
        assert_eq!(
            accept(Some("application/octet-stream"), b"plain words", &allowed()).unwrap(),
            TEXT
        );
    }

    #[test]
    fn office_documents_are_told_apart_by_their_part_names() {
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml"), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04....ppt/slides/slide1.xml"), Some(PPTX));
        assert_eq!(sniff(b"PK\x03\x04....other"), None);
    }

    #[test]
    fn media_type_parameters_and_case_are_ignored() {
        assert_eq!(essence("Text/Plain; charset=UTF-8"), "text/plain");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(safe_file_name(Some("my pledge.pdf"), 3), "my_pledge.pdf");
        assert_eq!(safe_file_name(Some("\"\r\n"), 3), "evidence-3");
        assert_eq!(safe_file_name(None, 4), "evidence-4");
    }
}
