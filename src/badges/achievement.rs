//! One OB `Achievement` per belt: id, name, description, `criteria` (a narrative made
//! from the belt's requirements, `criteria.rs`), image, `achievementType:
//! "Certification"` (time-limited, revocable, renewable) and the program's tags.

use serde_json::{Value, json};

use super::Urls;
use super::criteria;
use crate::certification::program::model::{Belt, Program};

/// `<belt> — <program>`: the name wallets show for the achievement and its credentials.
pub fn title(program: &Program, belt: &Belt) -> String {
    format!("{} — {}", belt.name, program.program.name)
}

/// The belt's `Achievement`, as embedded in its credentials and served at its id.
pub fn achievement(urls: &Urls, program: &Program, belt: &Belt) -> Value {
    let (program_id, belt_id) = (&program.program.id, &belt.id);
    json!({
        "id": urls.achievement(program_id, belt_id),
        "type": ["Achievement"],
        "name": title(program, belt),
        "description": description(program, belt),
        "achievementType": "Certification",
        "criteria": {
            "id": urls.achievement(program_id, belt_id),
            "narrative": criteria::narrative(program, belt),
        },
        "image": {
            "id": urls.achievement_image(program_id, belt_id),
            "type": "Image",
            "caption": format!("The {} badge", title(program, belt)),
        },
        "tag": tags(program, belt),
    })
}

/// The belt's description; the schema requires one, so an empty one is written from the
/// program.
fn description(program: &Program, belt: &Belt) -> String {
    if !belt.description.trim().is_empty() {
        return belt.description.clone();
    }
    let mut text = format!("The {} of the {} program.", belt.name, program.program.name);
    if !program.program.description.trim().is_empty() {
        text.push(' ');
        text.push_str(&program.program.description);
    }
    text
}

/// Searchable words: the program and belt ids, `certification`, and the tier
/// (`tier 2 of 5`, from the belt order).
fn tags(program: &Program, belt: &Belt) -> Vec<String> {
    let mut tags = vec![
        program.program.id.clone(),
        belt.id.clone(),
        "certification".to_owned(),
    ];
    if let Some(i) = program.belts.iter().position(|b| b.id == belt.id) {
        tags.push(format!("tier {} of {}", i + 1, program.belts.len()));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::{ProgramInfo, Requirement};

    fn program() -> Program {
        let belt = |id: &str, name: &str, description: &str| Belt {
            id: id.into(),
            name: name.into(),
            colour: "#ffffff".into(),
            description: description.into(),
            audiences: Vec::new(),
            requires: Requirement::Belt("white".into()),
            validity_months: None,
            grace_days: 0,
            recertify: None,
        };
        Program {
            program: ProgramInfo {
                id: "smac".into(),
                name: "Social Media".into(),
                description: "Use social media well.".into(),
            },
            belts: vec![
                belt("white", "White Belt", "The first belt."),
                belt("green", "Green Belt", ""),
            ],
        }
    }

    fn green() -> Value {
        let p = program();
        achievement(&Urls::new("https://b.example.com"), &p, &p.belts[1])
    }

    #[test]
    fn achievement_has_its_url_id_type_and_certification_type() {
        let a = green();
        assert_eq!(a["id"], "https://b.example.com/ob/achievements/smac/green");
        assert_eq!(a["type"], json!(["Achievement"]));
        assert_eq!(a["achievementType"], "Certification");
        assert_eq!(a["name"], "Green Belt — Social Media");
    }

    #[test]
    fn criteria_has_the_narrative_of_the_requirements() {
        let a = green();
        let narrative = a["criteria"]["narrative"].as_str().unwrap();
        assert!(narrative.contains("hold the **White Belt** of this program"));
        assert_eq!(a["criteria"]["id"], a["id"]);
    }

    #[test]
    fn image_is_an_image_object_with_a_caption() {
        let a = green();
        assert_eq!(
            a["image"]["id"],
            "https://b.example.com/ob/achievements/smac/green/image.svg"
        );
        assert_eq!(a["image"]["type"], "Image");
        assert!(
            a["image"]["caption"]
                .as_str()
                .unwrap()
                .contains("Green Belt")
        );
    }

    #[test]
    fn an_empty_belt_description_is_written_from_the_program() {
        assert_eq!(
            green()["description"],
            "The Green Belt of the Social Media program. Use social media well."
        );
    }

    #[test]
    fn tags_name_the_program_the_belt_and_the_tier() {
        assert_eq!(
            green()["tag"],
            json!(["smac", "green", "certification", "tier 2 of 2"])
        );
    }
}
