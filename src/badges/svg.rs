//! The badge image: an SVG per belt, drawn here in the belt's colour with its name
//! (no external assets), and OB 3.0 baking: an `<openbadges:credential>` element right
//! after `<svg>` in namespace `https://purl.imsglobal.org/ob/v3p0`, with the VC-JWT in
//! its `verify` attribute or the JSON credential in CDATA; un-baking reads it back.

use crate::error::Error;

/// The baking namespace of OB 3.0 (not the spec's `/spec/ob/v3p0` URL).
pub const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

/// What is baked into an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Baked {
    /// A compact JWS (VC-JWT).
    Jwt(String),
    /// The JSON credential with its embedded proof.
    Json(String),
}

/// The belt's image: `colour` is the belt's CSS colour (validated by the program).
/// A medal: dark ring, light face, the belt tied across it in its colour, the belt's
/// name above and the program's below. Light belts get a dark outline so they show.
pub fn belt_svg(program_name: &str, belt_name: &str, colour: &str) -> String {
    let colour = if is_hex_colour(colour) {
        colour
    } else {
        "#888888"
    };
    let outline = if luminance(colour) > 0.75 {
        "#4b5563"
    } else {
        "none"
    };
    let (belt_size, belt) = text_block(belt_name, 40.0, 360.0, 150.0);
    let (program_size, program) = text_block(program_name, 24.0, 320.0, 410.0);
    format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512" role="img" aria-label="{label}">
  <title>{label}</title>
  <circle cx="256" cy="256" r="248" fill="#1f2937"/>
  <circle cx="256" cy="256" r="226" fill="#f8fafc"/>
  <circle cx="256" cy="256" r="214" fill="none" stroke="#cbd5e1" stroke-width="2"/>
  <text text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="{belt_size:.0}" font-weight="700" fill="#111827">{belt}</text>
  <g stroke="{outline}" stroke-width="3" stroke-linejoin="round">
    <rect x="44" y="222" width="424" height="56" rx="6" fill="{colour}"/>
    <path d="M236 270 L196 372 L226 378 L252 282 Z" fill="{colour}"/>
    <path d="M276 270 L316 372 L286 378 L260 282 Z" fill="{colour}"/>
    <rect x="222" y="210" width="68" height="80" rx="10" fill="{colour}"/>
  </g>
  <rect x="222" y="210" width="68" height="80" rx="10" fill="#000000" fill-opacity="0.12"/>
  <text text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="{program_size:.0}" fill="#374151">{program}</text>
  <text x="256" y="456" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="16" letter-spacing="4" fill="#6b7280">CERTIFIED</text>
</svg>
"##,
        label = escape(&format!("{belt_name} — {program_name}")),
    )
}

/// `svg` with `baked` in it; an image already baked is refused (one credential per image).
pub fn bake(svg: &str, baked: &Baked) -> Result<String, Error> {
    if unbake(svg)?.is_some() {
        return Err(Error::Conflict(
            "the image already holds an <openbadges:credential>; an SVG may hold only one".into(),
        ));
    }
    let element = match baked {
        Baked::Jwt(jwt) => {
            if !is_compact_jws(jwt) {
                return Err(Error::BadRequest(
                    "a baked VC-JWT must be a compact JWS: three base64url parts joined by `.`"
                        .into(),
                ));
            }
            format!(r#"<openbadges:credential verify="{jwt}"></openbadges:credential>"#)
        }
        Baked::Json(json) => {
            if json.contains("]]>") {
                return Err(Error::BadRequest(
                    "a baked JSON credential must not contain `]]>`, which would end its CDATA"
                        .into(),
                ));
            }
            format!("<openbadges:credential><![CDATA[{json}]]></openbadges:credential>")
        }
    };
    let (start, end) = svg_start_tag(svg)?;
    let tag = &svg[start..end];
    let mut out = String::with_capacity(svg.len() + element.len() + 64);
    out.push_str(&svg[..start]);
    if tag.contains("xmlns:openbadges=") {
        out.push_str(tag);
    } else {
        out.push_str(&tag[..tag.len() - 1]);
        out.push_str(&format!(r#" xmlns:openbadges="{NAMESPACE}">"#));
    }
    out.push('\n');
    out.push_str(&element);
    out.push_str(&svg[end..]);
    Ok(out)
}

/// What `svg` has baked in, if anything.
pub fn unbake(svg: &str) -> Result<Option<Baked>, Error> {
    let doc = roxmltree::Document::parse(svg)
        .map_err(|e| Error::BadRequest(format!("the image is not well-formed SVG: {e}")))?;
    let mut found = doc.descendants().filter(|n| {
        n.tag_name().namespace() == Some(NAMESPACE) && n.tag_name().name() == "credential"
    });
    let Some(node) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Error::BadRequest(
            "the image holds more than one <openbadges:credential>; an SVG may hold only one"
                .into(),
        ));
    }
    if let Some(jwt) = node.attribute("verify") {
        return Ok(Some(Baked::Jwt(jwt.trim().to_owned())));
    }
    let text: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::BadRequest(
            "the <openbadges:credential> has neither a `verify` attribute nor a JSON body".into(),
        ));
    }
    Ok(Some(Baked::Json(text.to_owned())))
}

/// Byte range of the root `<svg …>` start tag (quotes respected).
fn svg_start_tag(svg: &str) -> Result<(usize, usize), Error> {
    let not_svg = || Error::BadRequest("the image has no <svg> element to bake into".into());
    let bytes = svg.as_bytes();
    let start = svg
        .match_indices("<svg")
        .map(|(i, _)| i)
        .find(|i| {
            bytes
                .get(i + 4)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
        })
        .ok_or_else(not_svg)?;
    let mut quote = None;
    for (offset, b) in bytes[start..].iter().enumerate() {
        match (quote, *b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'>') => {
                if bytes[start + offset - 1] == b'/' {
                    return Err(Error::BadRequest(
                        "the <svg> element is empty (`<svg/>`); there is no image to bake".into(),
                    ));
                }
                return Ok((start, start + offset + 1));
            }
            (None, _) => {}
        }
    }
    Err(not_svg())
}

fn is_compact_jws(jwt: &str) -> bool {
    jwt.split('.').count() == 3
        && jwt
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_hex_colour(colour: &str) -> bool {
    colour
        .strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Relative luminance in [0, 1] of a `#rgb`/`#rrggbb` colour (WCAG formula).
fn luminance(colour: &str) -> f64 {
    let hex = colour.trim_start_matches('#');
    let full: String = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect()
    } else {
        hex.to_owned()
    };
    let channel = |i: usize| {
        let v =
            f64::from(u8::from_str_radix(full.get(i..i + 2).unwrap_or("88"), 16).unwrap_or(136))
                / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

/// `text` as one `<tspan>` line, or two when one would need a font under 60 % of `max`,
/// centred on `y`, with the font size that fits `width` (about 0.6 em per character).
fn text_block(text: &str, max: f64, width: f64, y: f64) -> (f64, String) {
    let fits = |line: &str| width / (line.chars().count().max(1) as f64 * 0.6);
    let lines = match split_in_two(text) {
        Some((a, b)) if fits(text) < max * 0.6 => vec![a, b],
        _ => vec![text],
    };
    let size = lines.iter().map(|l| fits(l)).fold(max, f64::min).max(10.0);
    let first = y - (lines.len() as f64 - 1.0) * size * 0.6;
    let spans = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r#"<tspan x="256" y="{:.0}">{}</tspan>"#,
                first + i as f64 * size * 1.2,
                escape(line)
            )
        })
        .collect();
    (size, spans)
}

/// `text` split at the space nearest its middle.
fn split_in_two(text: &str) -> Option<(&str, &str)> {
    let middle = text.len() / 2;
    let at = text
        .match_indices(' ')
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(middle))?;
    Some((&text[..at], &text[at + 1..]))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";

    fn image() -> String {
        belt_svg("Social Media", "White Belt", "#ffffff")
    }

    #[test]
    fn the_image_is_well_formed_svg_with_the_names_and_colour() {
        let svg = belt_svg("Social Media", "Green Belt", "#16a34a");
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert!(svg.contains(">Green Belt</tspan>") && svg.contains(">Social Media</tspan>"));
        assert!(svg.contains(r##"fill="#16a34a""##));
    }

    #[test]
    fn the_image_refers_to_nothing_outside_itself() {
        let svg = image();
        assert!(!svg.contains("href") && !svg.contains("url(") && !svg.contains("<image"));
    }

    #[test]
    fn a_long_name_is_set_on_two_lines_split_at_a_space() {
        let svg = belt_svg(
            "Enterprise Digital Transformation Leadership Programme",
            "B",
            "#000",
        );
        assert!(
            svg.contains(">Enterprise Digital Transformation</tspan>"),
            "{svg}"
        );
        assert!(svg.contains(">Leadership Programme</tspan>"), "{svg}");
    }

    #[test]
    fn names_are_escaped() {
        let svg = belt_svg("R&D <Team>", "\"Black\" Belt", "#000000");
        roxmltree::Document::parse(&svg).unwrap();
        assert!(svg.contains("R&amp;D &lt;Team&gt;") && svg.contains("&quot;Black&quot; Belt"));
    }

    #[test]
    fn a_light_belt_gets_an_outline_and_a_dark_one_does_not() {
        assert!(image().contains(r##"stroke="#4b5563""##));
        assert!(belt_svg("P", "B", "#000000").contains(r#"stroke="none""#));
    }

    #[test]
    fn a_colour_that_is_not_hex_is_replaced_by_grey() {
        let svg = belt_svg("P", "B", "red\" onload=\"x");
        assert!(!svg.contains("onload") && svg.contains("#888888"));
    }

    #[test]
    fn a_jwt_bakes_into_the_verify_attribute_right_after_svg_and_unbakes() {
        let baked = bake(&image(), &Baked::Jwt(JWT.into())).unwrap();
        assert!(baked.contains(&format!(r#"xmlns:openbadges="{NAMESPACE}""#)));
        let after_svg = baked.split_once("\">\n").unwrap().1;
        assert!(after_svg.starts_with(&format!(
            r#"<openbadges:credential verify="{JWT}"></openbadges:credential>"#
        )));
        assert_eq!(unbake(&baked).unwrap(), Some(Baked::Jwt(JWT.into())));
    }

    #[test]
    fn json_bakes_into_cdata_and_unbakes_exactly() {
        let json = r#"{"name":"a < b & c","proof":{"type":"DataIntegrityProof"}}"#;
        let baked = bake(&image(), &Baked::Json(json.into())).unwrap();
        assert!(baked.contains(&format!("<![CDATA[{json}]]>")));
        assert_eq!(unbake(&baked).unwrap(), Some(Baked::Json(json.into())));
    }

    #[test]
    fn json_containing_the_cdata_end_is_refused() {
        let err = bake(&image(), &Baked::Json(r#"{"a":"]]>"}"#.into())).unwrap_err();
        assert!(err.to_string().contains("]]>"), "{err}");
    }

    #[test]
    fn a_jwt_that_is_not_a_compact_jws_is_refused() {
        let err = bake(&image(), &Baked::Jwt("a.b\" onload=\"x.c".into())).unwrap_err();
        assert!(err.to_string().contains("compact JWS"), "{err}");
    }

    #[test]
    fn baking_twice_is_refused() {
        let once = bake(&image(), &Baked::Jwt(JWT.into())).unwrap();
        let err = bake(&once, &Baked::Json("{}".into())).unwrap_err();
        assert!(err.to_string().contains("only one"), "{err}");
    }

    #[test]
    fn an_image_not_baked_unbakes_to_nothing() {
        assert_eq!(unbake(&image()).unwrap(), None);
    }

    #[test]
    fn an_existing_openbadges_namespace_declaration_is_not_repeated() {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}" a='x>y'><g/></svg>"#
        );
        let baked = bake(&svg, &Baked::Jwt(JWT.into())).unwrap();
        assert_eq!(baked.matches("xmlns:openbadges").count(), 1);
        assert_eq!(unbake(&baked).unwrap(), Some(Baked::Jwt(JWT.into())));
    }

    #[test]
    fn two_credentials_in_one_image_are_refused_on_unbake() {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{NAMESPACE}"><o:credential verify="a.b.c"/><o:credential verify="a.b.c"/></svg>"#
        );
        assert!(
            unbake(&svg)
                .unwrap_err()
                .to_string()
                .contains("more than one")
        );
    }

    #[test]
    fn text_that_is_not_xml_is_refused() {
        assert!(unbake("<svg").is_err());
        assert!(bake("plain text", &Baked::Jwt(JWT.into())).is_err());
    }
}
