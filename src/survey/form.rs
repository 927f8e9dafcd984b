//! What a survey AU asks, read from its page by the markup contract
//! (packages/README.md "Page markup contract", issue 20 contract §2 and §6):
//! `main[data-bb-au][data-bb-survey]`, and per `fieldset[data-bb-question]` its id,
//! `data-type`, legend, and options (radio or checkbox `value`s with their label text)
//! or a `<textarea>`. The server checks answers against this, so a response can only
//! name questions and options the page really has.

use std::collections::HashMap;

use super::html::{Token, tokens};

/// How a survey page says its answers are kept (`main[data-bb-survey]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answers go to `POST /api/survey/responses`, never joinable to the learner.
    Anonymous,
    /// Answers go to the LRS as `answered` statements under the learner's name.
    Named,
    /// Not a survey page (no `data-bb-survey`).
    None,
}

/// What answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Radios (`choice`, `true-false`): one option value.
    Single,
    /// Checkboxes (`choice`): a list of option values.
    Multi,
    /// A radio scale (`likert`): one option value.
    Likert,
    /// A `<textarea>` (`fill-in`): free text.
    FillIn,
    /// A type a survey does not take (sequencing, matching…): its `data-type`.
    Other(String),
}

impl Kind {
    /// The name shown in reports and the API.
    pub fn name(&self) -> &str {
        match self {
            Kind::Single => "choice",
            Kind::Multi => "multiple-choice",
            Kind::Likert => "likert",
            Kind::FillIn => "fill-in",
            Kind::Other(t) => t,
        }
    }
}

/// One option of a choice or likert question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub kind: Kind,
    /// The legend, white space collapsed (the id when there is none).
    pub text: String,
    pub choices: Vec<Choice>,
    /// `data-correct` without `data-scored="false"`: a scored item.
    pub scored: bool,
}

/// A page's survey: its mode and questions in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub mode: Mode,
    pub questions: Vec<Question>,
}

impl Form {
    /// An anonymous survey: marked so, with no scored item (the runtime sends the
    /// answers of such a page only; a scored page keeps its statements).
    pub fn is_anonymous_survey(&self) -> bool {
        self.mode == Mode::Anonymous && !self.questions.iter().any(|q| q.scored)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// A question being read, with what is needed to name its options.
struct Open {
    question: Question,
    /// Fieldsets opened inside the question (a nested one must not end it).
    depth: usize,
    has_textarea: bool,
    /// Option values whose label is the text of the `<label>` being read.
    in_label: Option<(Vec<usize>, String)>,
    in_legend: Option<String>,
    /// `label[for]` texts and `input[id]`s, matched when the question ends.
    labels_for: HashMap<String, String>,
    ids: Vec<(String, usize)>,
}

/// Reads the survey of an AU page.
pub fn parse(html: &str) -> Form {
    let mut mode = Mode::None;
    let mut questions: Vec<Question> = Vec::new();
    let mut open: Option<Open> = None;
    let mut label_for: Option<(String, String)> = None;
    for token in tokens(html) {
        if let Token::Start { name, .. } = &token
            && name == "main"
            && token.attr("data-bb-au").is_some()
        {
            mode = match token.attr("data-bb-survey") {
                Some("anonymous") => Mode::Anonymous,
                Some(_) => Mode::Named,
                None => Mode::None,
            };
        }
        let Some(q) = open.as_mut() else {
            if let Some(id) = token.attr("data-bb-question")
                && matches!(&token, Token::Start { name, .. } if name == "fieldset")
                && !questions.iter().any(|q| q.id == id)
            {
                open = Some(start(&token, id));
            }
            continue;
        };
        match &token {
            Token::Start { name, .. } => match name.as_str() {
                "fieldset" => q.depth += 1,
                "legend" if q.in_legend.is_none() && q.question.text.is_empty() => {
                    q.in_legend = Some(String::new());
                }
                "label" => {
                    q.in_label = Some((Vec::new(), String::new()));
                    label_for = token.attr("for").map(|f| (f.to_owned(), String::new()));
                }
                "input" => add_input(q, &token),
                "textarea" => q.has_textarea = true,
                _ => {}
            },
            Token::Text(text) => {
                if let Some(legend) = q.in_legend.as_mut() {
                    legend.push_str(text);
                }
                if let Some((_, label)) = q.in_label.as_mut() {
                    label.push_str(text);
                }
                if let Some((_, label)) = label_for.as_mut() {
                    label.push_str(text);
                }
            }
            Token::End(name) => match name.as_str() {
                "legend" => {
                    if let Some(legend) = q.in_legend.take() {
                        q.question.text = collapse(&legend);
                    }
                }
                "label" => {
                    if let Some((indexes, text)) = q.in_label.take() {
                        for i in indexes {
                            q.question.choices[i].label = collapse(&text);
                        }
                    }
                    if let Some((target, text)) = label_for.take() {
                        q.labels_for.insert(target, collapse(&text));
                    }
                }
                "fieldset" if q.depth > 0 => q.depth -= 1,
                "fieldset" => {
                    if let Some(done) = open.take() {
                        questions.push(finish(done));
                    }
                }
                _ => {}
            },
        }
    }
    if let Some(done) = open.take() {
        questions.push(finish(done));
    }
    Form { mode, questions }
}

fn start(token: &Token, id: &str) -> Open {
    let kind = match token.attr("data-type").unwrap_or("choice") {
        "choice" | "true-false" => Kind::Single,
        "likert" => Kind::Likert,
        "fill-in" => Kind::FillIn,
        other => Kind::Other(other.to_owned()),
    };
    let scored = token.attr("data-correct").is_some() && token.attr("data-scored") != Some("false");
    Open {
        question: Question {
            id: id.to_owned(),
            kind,
            text: String::new(),
            choices: Vec::new(),
            scored,
        },
        depth: 0,
        has_textarea: false,
        in_label: None,
        in_legend: None,
        labels_for: HashMap::new(),
        ids: Vec::new(),
    }
}

fn add_input(q: &mut Open, token: &Token) {
    let kind = token.attr("type").unwrap_or("text").to_ascii_lowercase();
    if kind != "radio" && kind != "checkbox" {
        return;
    }
    let Some(value) = token.attr("value") else {
        return;
    };
    if kind == "checkbox" && q.question.kind == Kind::Single {
        q.question.kind = Kind::Multi;
    }
    if q.question.choices.iter().any(|c| c.value == value) {
        return;
    }
    let index = q.question.choices.len();
    q.question.choices.push(Choice {
        value: value.to_owned(),
        label: value.to_owned(),
    });
    if let Some((indexes, _)) = q.in_label.as_mut() {
        indexes.push(index);
    }
    if let Some(id) = token.attr("id") {
        q.ids.push((id.to_owned(), index));
    }
}

fn finish(mut open: Open) -> Question {
    for (id, index) in &open.ids {
        if let Some(text) = open.labels_for.get(id) {
            open.question.choices[*index].label = text.clone();
        }
    }
    let mut question = open.question;
    if question.text.is_empty() {
        question.text = question.id.clone();
    }
    // A fill-in question without its text box cannot be answered.
    if question.kind == Kind::FillIn && !open.has_textarea {
        question.kind = Kind::Other("fill-in without a textarea".into());
    }
    question
}

/// Trims and collapses runs of white space to one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><body>
      <main data-bb-au data-bb-survey="anonymous"><h1>S</h1>
      <section data-bb-page><h2>P</h2>
        <fieldset data-bb-question="channels" data-type="choice" data-scored="false">
          <legend>Which   channels?</legend>
          <label><input type="checkbox" name="c" value="video"> <span>Video sites</span></label>
          <label><input type="checkbox" name="c" value="forums"> <span>Forums</span></label>
        </fieldset>
        <fieldset data-bb-question="policy" data-type="choice">
          <legend>The company&#x27;s policy</legend>
          <input type="radio" id="p-read" name="p" value="read"><label for="p-read">I read it</label>
          <label><input type="radio" name="p" value="no"> No</label>
        </fieldset>
        <fieldset data-bb-question="comfort" data-type="likert">
          <legend>Comfort</legend>
          <label><input type="radio" name="k" value="1"> Low</label>
          <label><input type="radio" name="k" value="5"> High</label>
        </fieldset>
        <fieldset data-bb-question="help" data-type="fill-in">
          <legend>What would help?</legend>
          <label for="h">Your answer</label><textarea id="h"></textarea>
        </fieldset>
        <fieldset data-bb-question="order" data-type="sequencing"><legend>Order</legend></fieldset>
      </section></main></body></html>"#;

    #[test]
    fn questions_types_options_and_labels_are_read_in_page_order() {
        let form = parse(PAGE);
        assert_eq!(form.mode, Mode::Anonymous);
        let ids: Vec<_> = form.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["channels", "policy", "comfort", "help", "order"]);
        let channels = form.question("channels").unwrap();
        assert_eq!(channels.kind, Kind::Multi);
        assert_eq!(channels.text, "Which channels?");
        assert_eq!(
            channels.choices,
            [
                Choice {
                    value: "video".into(),
                    label: "Video sites".into()
                },
                Choice {
                    value: "forums".into(),
                    label: "Forums".into()
                }
            ]
        );
        let policy = form.question("policy").unwrap();
        assert_eq!(policy.kind, Kind::Single);
        assert_eq!(policy.text, "The company's policy");
        assert_eq!(policy.choices[0].label, "I read it");
        assert_eq!(policy.choices[1].label, "No");
        assert_eq!(form.question("comfort").unwrap().kind, Kind::Likert);
        assert_eq!(form.question("help").unwrap().kind, Kind::FillIn);
        assert_eq!(
            form.question("order").unwrap().kind,
            Kind::Other("sequencing".into())
        );
        assert!(form.is_anonymous_survey());
    }

    #[test]
    fn a_page_without_the_marker_or_with_a_scored_item_is_not_an_anonymous_survey() {
        assert_eq!(parse("<main data-bb-au><h1>x</h1></main>").mode, Mode::None);
        let named = parse(r#"<main data-bb-au data-bb-survey="named"></main>"#);
        assert_eq!(named.mode, Mode::Named);
        assert!(!named.is_anonymous_survey());
        let scored = parse(
            r#"<main data-bb-au data-bb-survey="anonymous">
            <fieldset data-bb-question="q" data-correct="a"><legend>Q</legend>
            <label><input type="radio" value="a"> A</label></fieldset></main>"#,
        );
        assert!(!scored.is_anonymous_survey());
    }

    #[test]
    fn a_fill_in_without_a_textarea_takes_no_answer() {
        let form = parse(
            r#"<main data-bb-au data-bb-survey="anonymous">
            <fieldset data-bb-question="t" data-type="fill-in"><legend>T</legend></fieldset></main>"#,
        );
        assert!(matches!(form.questions[0].kind, Kind::Other(_)));
    }
}
