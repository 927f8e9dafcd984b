//! JSON text to `Value`, keeping what serde_json's own parser changes or drops:
//! - every number's exact text. With `arbitrary_precision` serde_json keeps the digits
//!   but still writes `1E2` as `1e+2`; statements are returned as they were sent.
//! - names that repeat in an object are refused. RFC 8259 section 4 says names SHOULD
//!   be unique and leaves repeats to the parser; xAPI-Data 2.2.s3.b7 says the LRS's
//!   behaviour is then undefined. Keeping the last one (serde_json's choice) silently
//!   drops data and makes a statement mean one thing here and another to a client, a
//!   signer or the LRS it is forwarded to; refusing it is the one unambiguous answer.
//!
//! serde_json checks the syntax first (its messages, its nesting limit of 128), so this
//! walk only ever sees valid JSON.

use serde::de::{Error as _, IgnoredAny};
use serde_json::{Map, Number, Value};

/// Parses JSON text sent by a client. Errors name the line and column of bad syntax,
/// or the path of an object and the name it repeats.
pub fn parse_unique(bytes: &[u8], root: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<IgnoredAny>(bytes)?;
    parse_checked(bytes, root)
}

/// Parses JSON text this server wrote (a stored statement), keeping number texts.
pub fn parse_stored(text: &str) -> Result<Value, serde_json::Error> {
    parse_checked(text.as_bytes(), "$")
}

fn parse_checked(bytes: &[u8], root: &str) -> Result<Value, serde_json::Error> {
    let mut parser = Parser {
        bytes,
        at: 0,
        path: vec![Segment::Root(root.to_owned())],
    };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.at != bytes.len() {
        return Err(parser.malformed());
    }
    Ok(value)
}

enum Segment {
    Root(String),
    Key(String),
    Index(usize),
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Where the value being read sits, for messages.
    path: Vec<Segment>,
}

impl Parser<'_> {
    fn value(&mut self) -> Result<Value, serde_json::Error> {
        self.skip_whitespace();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.malformed()),
        }
    }

    fn object(&mut self) -> Result<Value, serde_json::Error> {
        self.at += 1;
        let mut map = Map::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_whitespace();
            let name = self.string()?;
            if map.contains_key(&name) {
                return Err(serde_json::Error::custom(format!(
                    "property `{name}` appears twice in {}: a name must be unique within \
                     an object (RFC 8259 section 4)",
                    self.rendered_path()
                )));
            }
            self.skip_whitespace();
            if !self.eat(b':') {
                return Err(self.malformed());
            }
            self.path.push(Segment::Key(name));
            let value = self.value()?;
            let Some(Segment::Key(name)) = self.path.pop() else {
                return Err(self.malformed());
            };
            map.insert(name, value);
            self.skip_whitespace();
            if self.eat(b'}') {
                return Ok(Value::Object(map));
            }
            if !self.eat(b',') {
                return Err(self.malformed());
            }
        }
    }

    fn array(&mut self) -> Result<Value, serde_json::Error> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            self.path.push(Segment::Index(items.len()));
            items.push(self.value()?);
            self.path.pop();
            self.skip_whitespace();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.malformed());
            }
        }
    }

    /// A string token: taken as it is when it has no escapes, else unescaped by serde_json.
    fn string(&mut self) -> Result<String, serde_json::Error> {
        let start = self.at;
        if !self.eat(b'"') {
            return Err(self.malformed());
        }
        let mut escaped = false;
        loop {
            match self.bytes.get(self.at) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.at += 2;
                }
                Some(_) => self.at += 1,
                None => return Err(self.malformed()),
            }
        }
        self.at += 1;
        let token = self
            .bytes
            .get(start..self.at)
            .ok_or_else(|| self.malformed())?;
        if escaped {
            serde_json::from_slice(token)
        } else {
            let inner = token.get(1..token.len() - 1).unwrap_or_default();
            std::str::from_utf8(inner)
                .map(str::to_owned)
                .map_err(|_| self.malformed())
        }
    }

    /// A number token, its text kept as written.
    fn number(&mut self) -> Result<Value, serde_json::Error> {
        let start = self.at;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
        let text = self
            .bytes
            .get(start..self.at)
            .and_then(|t| std::str::from_utf8(t).ok())
            .ok_or_else(|| self.malformed())?;
        // serde_json has no public way to make a Number from its text; this one is
        // exact under `arbitrary_precision`, and the text was checked as a JSON number
        // above (`numbers_keep_their_text` pins the behaviour).
        Ok(Value::Number(Number::from_string_unchecked(
            text.to_owned(),
        )))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, serde_json::Error> {
        if self
            .bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()))
        {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.malformed())
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn malformed(&self) -> serde_json::Error {
        serde_json::Error::custom(format!("malformed JSON at byte {}", self.at))
    }

    fn rendered_path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Root(name) => out.push_str(name),
                Segment::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Segment::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        parse_unique(text.as_bytes(), "$").unwrap_err().to_string()
    }

    #[test]
    fn valid_json_parses_as_serde_json_parses_it() {
        let text = r#" {"a":{"b":[1,{"c":true,"d":"\u0000\"é\ud83d\ude00"}]},"b":null,"e":{"a":[]},"f":{}} "#;
        let value = parse_unique(text.as_bytes(), "$").unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn numbers_keep_their_text() {
        let text = r#"[18446744073709551616,123456789012345678901234567890,0.1000000000000000055511151231257827,-0,1e400,1.50E-7,-2E+3,0.0]"#;
        let value = parse_unique(text.as_bytes(), "$").unwrap();
        assert_eq!(value.to_string(), text);
        assert_eq!(parse_stored(text).unwrap(), value);
        assert_eq!(value[5].as_f64(), Some(1.5e-7));
        assert_eq!(value[4].as_f64(), None, "not a finite double");
    }

    #[test]
    fn a_repeated_name_at_the_top_is_refused_with_its_path() {
        let message = refusal(r#"{"verb":1,"actor":2,"verb":3}"#);
        assert!(
            message.starts_with("property `verb` appears twice in $:"),
            "{message}"
        );
    }

    #[test]
    fn a_repeated_name_deep_inside_is_refused_with_its_path() {
        let message = refusal(r#"[{"a":1},{"result":{"extensions":{"x":[{"k":1,"k":1}]}}}]"#);
        assert!(
            message.starts_with("property `k` appears twice in $[1].result.extensions.x[0]:"),
            "{message}"
        );
    }

    #[test]
    fn names_count_as_the_same_after_unescaping() {
        let message = refusal(r#"{"ab":1,"a\u0062":2}"#);
        assert!(
            message.starts_with("property `ab` appears twice"),
            "{message}"
        );
    }

    #[test]
    fn invalid_json_is_still_reported_by_serde_json() {
        assert!(refusal("{").contains("EOF"));
        assert!(refusal("[1,]").contains("line 1"));
        assert!(parse_stored("[1,").is_err());
        assert!(parse_stored("tru").is_err());
    }
}
