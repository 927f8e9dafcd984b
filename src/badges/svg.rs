//! The badge image: an SVG per belt, drawn here in the belt's colour with its name
//! (no external assets), and OB 3.0 baking: an `<openbadges:credential>` element right
//! after `<svg>` in namespace `https://purl.imsglobal.org/ob/v3p0`, with the VC-JWT in
//! its `verify` attribute or the JSON credential in CDATA; un-baking reads it back.
//!
//! CONTRACT (helper B).

use crate::error::Error;

/// What is baked into an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Baked {
    /// A compact JWS (VC-JWT).
    Jwt(String),
    /// The JSON credential with its embedded proof.
    Json(String),
}

/// The belt's image: `colour` is the belt's CSS colour (validated by the program).
pub fn belt_svg(program_name: &str, belt_name: &str, colour: &str) -> String {
    let _ = (program_name, belt_name, colour);
    todo!("helper B")
}

/// `svg` with `baked` in it; an image already baked is refused (one credential per image).
pub fn bake(svg: &str, baked: &Baked) -> Result<String, Error> {
    let _ = (svg, baked);
    todo!("helper B")
}

/// What `svg` has baked in, if anything.
pub fn unbake(svg: &str) -> Result<Option<Baked>, Error> {
    let _ = svg;
    todo!("helper B")
}
