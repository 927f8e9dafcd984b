//! A small HTML tag scanner: start tags with their attributes, end tags and text, in
//! document order. Enough to read the survey questions of an AU page (our own content,
//! already validated at import); not a full HTML5 parser (no tree building, no implied
//! end tags), which is why the form reader only counts the tags it cares about.

/// One piece of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `<name attr="value" …>`; names are lower-cased, values entity-decoded.
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    /// `</name>`, lower-cased.
    End(String),
    /// Text between tags, entity-decoded.
    Text(String),
}

impl Token {
    /// The value of attribute `name` of a start tag (an attribute without a value is "").
    pub fn attr(&self, name: &str) -> Option<&str> {
        match self {
            Token::Start { attrs, .. } => attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// Every tag and text run of `html`, in order. Comments, doctypes and processing
/// instructions are skipped; a `<` that starts no tag is text.
pub fn tokens(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest);
            break;
        };
        push_text(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        } else if let Some((token, after)) = tag(rest) {
            rest = after;
            if let Token::Start { name, .. } = &token
                && RAW_TEXT.contains(&name.as_str())
            {
                let name = name.clone();
                out.push(token);
                let (text, after) = raw_text(rest, &name);
                push_text(&mut out, text);
                out.push(Token::End(name));
                rest = after;
            } else {
                out.push(token);
            }
        } else {
            push_text(&mut out, "<");
            rest = &rest[1..];
        }
    }
    out
}

/// Adds text, joined to the text just before it (a stray `<` splits no run).
fn push_text(out: &mut Vec<Token>, raw: &str) {
    if raw.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Token::Text(text)) => text.push_str(&decode(raw)),
        _ => out.push(Token::Text(decode(raw))),
    }
}

/// The text of a raw-text element up to `</name`, and what follows its end tag.
fn raw_text<'a>(rest: &'a str, name: &str) -> (&'a str, &'a str) {
    let lower = rest.to_ascii_lowercase();
    let close = format!("</{name}");
    match lower.find(&close) {
        Some(at) => {
            let after = &rest[at..];
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            (&rest[..at], &after[end..])
        }
        None => (rest, ""),
    }
}

/// A start or end tag at the start of `text`, and what follows it.
fn tag(text: &str) -> Option<(Token, &str)> {
    let bytes = text.as_bytes();
    let closing = bytes.get(1) == Some(&b'/');
    let name_start = if closing { 2 } else { 1 };
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = text[name_start..]
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .map_or(text.len(), |i| name_start + i);
    let name = text[name_start..name_end].to_ascii_lowercase();
    let mut rest = &text[name_end..];
    if closing {
        let end = rest.find('>')?;
        return Some((Token::End(name), &rest[end + 1..]));
    }
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if let Some(after) = rest.strip_prefix('>') {
            return Some((Token::Start { name, attrs }, after));
        }
        if rest.is_empty() {
            return None;
        }
        let key_end = rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let value = if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (value, after) = attr_value(after_eq)?;
            rest = after;
            decode(value)
        } else {
            String::new()
        };
        if !key.is_empty() {
            attrs.push((key, value));
        } else {
            // A stray character that starts no attribute: skip it.
            rest = rest.get(1..).unwrap_or("");
        }
    }
}

/// A quoted or unquoted attribute value, and what follows it.
fn attr_value(text: &str) -> Option<(&str, &str)> {
    match text.chars().next()? {
        quote @ ('"' | '\'') => {
            let inner = &text[1..];
            let end = inner.find(quote)?;
            Some((&inner[..end], &inner[end + 1..]))
        }
        _ => {
            let end = text
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap_or(text.len());
            Some((&text[..end], &text[end..]))
        }
    }
}

/// Character references: the named ones our pages use, and every numeric one.
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&s| s <= 10);
        let decoded = semi.and_then(|s| reference(&rest[1..s]));
        match (semi, decoded) {
            (Some(s), Some(c)) => {
                out.push(c);
                rest = &rest[s + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(name: &str, attrs: &[(&str, &str)]) -> Token {
        Token::Start {
            name: name.into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn tags_attributes_and_text_come_out_in_order() {
        let got = tokens(r#"<P Class="a" hidden data-x='1 2' v=3>Hi &amp; bye</p>"#);
        assert_eq!(
            got,
            [
                start(
                    "p",
                    &[
                        ("class", "a"),
                        ("hidden", ""),
                        ("data-x", "1 2"),
                        ("v", "3")
                    ]
                ),
                Token::Text("Hi & bye".into()),
                Token::End("p".into()),
            ]
        );
    }

    #[test]
    fn comments_doctypes_and_void_tags_are_handled() {
        let got = tokens("<!DOCTYPE html><!-- <input value=x> --><input type=radio value=\"a\"/>");
        assert_eq!(got, [start("input", &[("type", "radio"), ("value", "a")])]);
    }

    #[test]
    fn script_and_textarea_content_is_text_not_markup() {
        let got = tokens("<textarea name=t><b>not a tag</b></TEXTAREA><b>");
        assert_eq!(
            got,
            [
                start("textarea", &[("name", "t")]),
                Token::Text("<b>not a tag</b>".into()),
                Token::End("textarea".into()),
                start("b", &[]),
            ]
        );
    }

    #[test]
    fn references_decode_and_unknown_ones_stay() {
        assert_eq!(
            decode("company&#x27;s &#8212; &bogus; a&b"),
            "company's — &bogus; a&b"
        );
    }

    #[test]
    fn a_lone_less_than_sign_is_text() {
        assert_eq!(tokens("1 < 2"), [Token::Text("1 < 2".into())]);
    }
}
