//! Where completion happens: the editor (or line) that has the focus — the
//! workspace, the class browser's source pane while it edits, or the
//! inspector's evaluate line — and the words of its own text, which are
//! offered beside the server's candidates.

use std::collections::HashSet;

use unicode_width::UnicodeWidthStr;

use super::browser_edit::EditTarget;
use super::completion::{Word, is_word_char};
use super::editor::Editor;
use super::inspector::Tool;
use super::lexer::{Class, Lexer, State};
use super::{Focus, Model};
use crate::protocol::{Candidate, CandidateKind};

/// The editor or line that completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Workspace,
    /// The browser's source pane, editing a method or a class definition.
    BrowserEdit,
    /// The inspector's evaluate line (its cursor is always at its end).
    InspectorLine,
}

impl Site {
    /// The site that has the focus, if any completes there.
    pub fn focused(model: &Model) -> Option<Site> {
        match (&model.focus, &model.tool) {
            (Focus::Workspace, _) => Some(Site::Workspace),
            (Focus::Tool, Some(Tool::Browser(state))) if state.edit.is_some() => {
                Some(Site::BrowserEdit)
            }
            (Focus::Tool, Some(Tool::Inspector(state))) if state.prompt.is_some() => {
                Some(Site::InspectorLine)
            }
            _ => None,
        }
    }

    /// The site's editor (none for the inspector's line).
    pub fn editor(self, model: &Model) -> Option<&Editor> {
        match (self, &model.tool) {
            (Site::Workspace, _) => Some(&model.view.editor),
            (Site::BrowserEdit, Some(Tool::Browser(state))) => {
                state.edit.as_deref().map(|edit| &edit.editor)
            }
            _ => None,
        }
    }

    pub fn editor_mut(self, model: &mut Model) -> Option<&mut Editor> {
        match (self, &mut model.tool) {
            (Site::Workspace, _) => Some(&mut model.view.editor),
            (Site::BrowserEdit, Some(Tool::Browser(state))) => {
                state.edit.as_deref_mut().map(|edit| &mut edit.editor)
            }
            _ => None,
        }
    }

    /// The inspector's evaluate line, when this is it.
    pub fn line(self, model: &Model) -> Option<&str> {
        match (self, &model.tool) {
            (Site::InspectorLine, Some(Tool::Inspector(state))) => state.prompt.as_deref(),
            _ => None,
        }
    }

    /// The word ending at the site's cursor.
    pub fn word(self, model: &Model) -> Option<Word> {
        if let Some(editor) = self.editor(model) {
            return editor.word_at_cursor();
        }
        let line = self.line(model)?;
        let chars: Vec<char> = line.chars().collect();
        let start = chars
            .iter()
            .rposition(|c| !is_word_char(*c))
            .map_or(0, |at| at + 1);
        Some(Word {
            start: (0, start),
            prefix: chars[start..].iter().collect(),
        })
    }

    /// The text and cursor (a char offset) to send to `complete`: the
    /// method's own source in the browser, so that its words are the ones
    /// around the cursor.
    pub fn code_and_cursor(self, model: &Model) -> Option<(String, usize)> {
        if let Some(editor) = self.editor(model) {
            return Some((editor.text(), editor.cursor_offset()));
        }
        let line = self.line(model)?;
        Some((line.to_string(), line.chars().count()))
    }

    /// Whether the text is a method's source (its header declares arguments).
    pub fn is_method(self, model: &Model) -> bool {
        matches!(
            (self, &model.tool),
            (Site::BrowserEdit, Some(Tool::Browser(state)))
                if matches!(state.edit.as_deref().map(|e| &e.target), Some(EditTarget::Method { .. }))
        )
    }

    /// Replace the word from `start` to the cursor by `text`, the cursor
    /// `cursor` chars into it. The line's cursor stays at its end, so it
    /// takes only what comes before the cursor (`inject: `, not `into:`).
    pub fn replace_word(self, model: &mut Model, start: (usize, usize), text: &str, cursor: usize) {
        if let Some(editor) = self.editor_mut(model) {
            editor.replace_word(start, text, cursor);
            // An error the browser shows is of the text before: it goes with the change.
            if let Some(Tool::Browser(state)) = &mut model.tool
                && let Some(edit) = state.edit.as_deref_mut()
            {
                edit.error = None;
            }
            return;
        }
        if let Some(Tool::Inspector(state)) = &mut model.tool
            && let Some(line) = state.prompt.as_mut()
        {
            let kept: String = line.chars().take(start.1).collect();
            let typed: String = text.chars().take(cursor).collect();
            *line = kept + &typed;
        }
    }
}

/// Lines either side of the cursor whose words are offered: lexing a
/// long workspace whole would cost a frame at every reply.
const WORD_WINDOW: usize = 300;

impl Site {
    /// The names of the text around the site's cursor (see [`local_words`]),
    /// and in a method the variables its class defines.
    pub fn words_near_cursor(self, model: &mut Model) -> Vec<Candidate> {
        let mut words = self.words_of_text(model);
        for name in self.class_variables(model) {
            match words.iter_mut().find(|c| c.text == name) {
                Some(used) => used.kind = CandidateKind::Variable,
                None => words.push(Candidate {
                    text: name,
                    kind: CandidateKind::Variable,
                }),
            }
        }
        words
    }

    /// The instance variables (on the instance side) and class variables
    /// the browser showed for the class whose method it edits.
    fn class_variables(self, model: &Model) -> Vec<String> {
        let Some(Tool::Browser(state)) = &model.tool else {
            return vec![];
        };
        let target = state.edit.as_deref().map(|edit| &edit.target);
        let (Some(EditTarget::Method { class, meta, .. }), Some(shown)) = (target, &state.class)
        else {
            return vec![];
        };
        if self != Site::BrowserEdit || &shown.name != class {
            return vec![];
        }
        let instance = if *meta {
            &[][..]
        } else {
            &shown.instance_variables[..]
        };
        instance
            .iter()
            .chain(&shown.class_variables)
            .cloned()
            .collect()
    }

    fn words_of_text(self, model: &mut Model) -> Vec<Candidate> {
        let method = self.is_method(model);
        let Some(editor) = self.editor_mut(model) else {
            let line = self.line(model).unwrap_or_default();
            return local_words(line, line.chars().count(), false, State::default());
        };
        let (row, col) = (editor.area.cursor().0, editor.area.cursor().1);
        let first = row.saturating_sub(WORD_WINDOW);
        let state = editor.line_start_state(first);
        let lines = editor.area.lines();
        let last = (row + WORD_WINDOW).min(lines.len() - 1);
        let above: usize = lines[first..row]
            .iter()
            .map(|l| l.chars().count() + 1)
            .sum();
        let window = lines[first..=last].join("\n");
        local_words(&window, above + col, method && first == 0, state)
    }
}

/// The identifiers of `code` (by the lexer, starting in `state`), but the
/// one the cursor (a char offset) is in: declared temporaries, block
/// parameters and a method's arguments as variables, other names as words.
pub fn local_words(code: &str, cursor: usize, method: bool, state: State) -> Vec<Candidate> {
    let cursor_byte = code
        .char_indices()
        .nth(cursor)
        .map_or(code.len(), |(at, _)| at);
    let header_end = if method {
        code.find('\n').unwrap_or(code.len())
    } else {
        0
    };
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    let mut after_selector_part = false;
    // A method's body is lexed on its own: after the header's last
    // argument, `|` opens the temporaries rather than being a binary selector.
    let shifted = |offset: usize| {
        move |token: super::lexer::Token| super::lexer::Token {
            class: token.class,
            range: token.range.start + offset..token.range.end + offset,
        }
    };
    let header = Lexer::new(&code[..header_end], state).map(shifted(0));
    let body = Lexer::new(&code[header_end..], state).map(shifted(header_end));
    for token in header.chain(body) {
        let text = &code[token.range.clone()];
        let in_header = token.range.end <= header_end;
        let argument = in_header && after_selector_part;
        if token.class != Class::Whitespace {
            after_selector_part = matches!(token.class, Class::Keyword | Class::BinarySelector);
        }
        let kind = match token.class {
            Class::Temporary | Class::BlockParameter => CandidateKind::Variable,
            Class::Identifier if argument => CandidateKind::Variable,
            Class::Identifier => CandidateKind::Other("word".into()),
            _ => continue,
        };
        let at_cursor = token.range.start < cursor_byte && cursor_byte <= token.range.end;
        let name = text.trim_start_matches(':');
        if at_cursor || name.is_empty() || !seen.insert(name.to_string()) {
            continue;
        }
        words.push(Candidate {
            text: name.to_string(),
            kind,
        });
    }
    // Like the server's: the shortest (nearest to the word typed) first.
    words.sort_by(|a, b| (a.text.len(), &a.text).cmp(&(b.text.len(), &b.text)));
    words
}

/// The text's own words, then the server's candidates. A name the text
/// declares (a temporary, an argument) is a variable whatever the server
/// calls it; another name the server offers is left to the server's.
pub fn merge(local: Vec<Candidate>, offered: Vec<Candidate>) -> Vec<Candidate> {
    let declared = |c: &Candidate| c.kind == CandidateKind::Variable;
    let known: HashSet<String> = offered.iter().map(|c| c.text.clone()).collect();
    let variables: HashSet<String> = local
        .iter()
        .filter(|c| declared(c))
        .map(|c| c.text.clone())
        .collect();
    let mut merged: Vec<Candidate> = local
        .into_iter()
        .filter(|c| declared(c) || !known.contains(&c.text))
        .collect();
    merged.extend(offered.into_iter().filter(|c| !variables.contains(&c.text)));
    merged
}

/// The columns `text` takes on screen (wide characters take two).
pub fn display_width(text: &str) -> usize {
    text.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &[Candidate]) -> Vec<(&str, &CandidateKind)> {
        words.iter().map(|c| (c.text.as_str(), &c.kind)).collect()
    }

    #[test]
    fn a_methods_arguments_and_temporaries_are_variables_other_names_words() {
        let code = "at: index put: value\n\t| old |\n\told := items at: index.\n\t^ [:each | each + old + Total] value: ol";
        let words = local_words(code, code.chars().count(), true, State::default());
        let variable = CandidateKind::Variable;
        let word = CandidateKind::Other("word".into());
        assert_eq!(
            texts(&words),
            [
                ("old", &variable),
                ("each", &variable),
                ("Total", &word),
                ("index", &variable),
                ("items", &word),
                ("value", &variable),
            ]
        );
    }

    #[test]
    fn the_word_at_the_cursor_is_not_offered_unless_it_is_elsewhere_too() {
        let words = local_words("abc := 3. ab", 12, false, State::default());
        assert_eq!(words.len(), 1, "{words:?}");
        assert_eq!(words[0].text, "abc");
        let words = local_words("ab := 3. ab", 11, false, State::default());
        assert_eq!(words[0].text, "ab");
    }

    #[test]
    fn a_declared_name_stays_a_variable_other_names_go_to_the_server() {
        let selector = |text: &str| Candidate {
            text: text.into(),
            kind: CandidateKind::Selector,
        };
        let local = local_words("| total | totalSize. tot", 24, false, State::default());
        let merged = merge(local, vec![selector("total"), selector("totalSize")]);
        let variable = CandidateKind::Variable;
        let selector_kind = CandidateKind::Selector;
        assert_eq!(
            texts(&merged),
            [("total", &variable), ("totalSize", &selector_kind)]
        );
    }

    #[test]
    fn only_the_names_of_the_lines_around_the_cursor_are_offered() {
        // A comment opened far above the cursor runs into the lines around it.
        let far = "farAway := 1.\n\"".to_string() + &"x := 2.\n".repeat(WORD_WINDOW + 5);
        let text = far + "\" | near | near := 3.\nne";
        let mut model = Model::new("a", "s");
        model.view.editor = Editor::new(&text);
        let rows = model.view.editor.area.lines().len();
        let end = model.view.editor.area.lines()[rows - 1].chars().count();
        let jump = ratatui_textarea::CursorMove::Jump((rows - 1) as u16, end as u16);
        model.view.editor.area.move_cursor(jump);
        let words = Site::Workspace.words_near_cursor(&mut model);
        let names: Vec<&str> = words.iter().map(|c| c.text.as_str()).collect();
        // Not farAway (too far), nor x (in the comment, which the lexer knows).
        assert_eq!(names, ["near"]);
        assert_eq!(words[0].kind, CandidateKind::Variable);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("'こんにちは' "), 13);
    }
}
