//! The palette, Pharo's Spotter in a terminal: one query over the classes,
//! the implementors of a selector, the workspaces, the evaluated snippets
//! and STUI's commands, fuzzy-matched (nucleo-matcher, the matcher of the
//! helix editor) and grouped by kind, a few rows per group.

use std::time::{Duration, Instant};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use tuirealm::event::KeyEvent;

use super::Scroll;
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::protocol::MethodRef;

/// Rows shown per group until Tab shows all of one.
pub const GROUP_ROWS: usize = 5;
/// The pause in typing after which a query that reads as a selector asks
/// for its implementors.
pub const IMPLEMENTORS_DELAY: Duration = Duration::from_millis(300);
/// Characters of a snippet shown (and matched) on its one row.
const SNIPPET_CHARS: usize = 160;

/// The groups, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Class,
    Implementor,
    Workspace,
    History,
    Command,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Self::Class,
        Self::Implementor,
        Self::Workspace,
        Self::History,
        Self::Command,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            Self::Class => "Classes",
            Self::Implementor => "Implementors",
            Self::Workspace => "Workspaces",
            Self::History => "History",
            Self::Command => "Commands",
        }
    }
}

/// A key of the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteMsg {
    /// Open it (or close it, when open).
    Open,
    Type(char),
    /// Text pasted into the query (on one line).
    Paste(String),
    Backspace,
    /// Empty the query.
    Clear,
    Move(Scroll),
    /// Show every row of the selected row's group, or back to all groups.
    ToggleGroup,
    /// Open the selected row.
    Accept,
    Close,
}

/// What a request of the palette asked for: a reply for an older query is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteAsk {
    Classes,
    Implementors(String),
}

/// A STUI command: a keymap action, its first key in `context`, and the
/// panes whose own binding hides that key (for a global one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub action: Action,
    pub context: Context,
    pub key: KeyEvent,
    pub hidden_in: Vec<Context>,
}

/// The panes a command can run in (the help has its keys of its own).
const PANES: [Context; 4] = [
    Context::Workspace,
    Context::Transcript,
    Context::Inspector,
    Context::Browser,
];

/// Every action of `keymap` once per context it is bound in (globally, or
/// in a pane), with its first key: what the help lists, as commands.
pub fn commands(keymap: &Keymap) -> Vec<Command> {
    let mut commands = Vec::new();
    for action in Action::all().filter(|action| *action != Action::Palette) {
        for context in std::iter::once(Context::Global).chain(PANES) {
            let Some(key) = keymap.keys_for(context, action).first().copied() else {
                continue;
            };
            let hidden_in = match context {
                Context::Global => PANES
                    .into_iter()
                    .filter(|pane| keymap.lookup(*pane, &key) != Some(action))
                    .collect(),
                _ => Vec::new(),
            };
            commands.push(Command {
                action,
                context,
                key,
                hidden_in,
            });
        }
    }
    commands
}

/// What Enter on a row opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Class(String),
    Method(MethodRef),
    /// The workspace at this place in the tab line.
    Workspace(usize),
    /// Index into `History::snippets`.
    History(usize),
    /// Index into `PaletteState::commands`.
    Command(usize),
}

/// One result: its text, the characters of it that matched, and on the
/// right a detail (a command's key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub text: String,
    pub detail: String,
    /// Char indices into `text`, ascending.
    pub matched: Vec<usize>,
    pub target: Target,
}

/// The rows shown of one kind, and how many matched in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub kind: Kind,
    pub rows: Vec<Row>,
    pub total: usize,
}

/// The open palette.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    pub query: String,
    pub groups: Vec<Group>,
    /// Index over the rows of all groups, in order.
    pub selected: usize,
    /// The group Tab shows whole (the others are hidden meanwhile).
    pub expanded: Option<Kind>,
    /// The implementors of this selector, as the server answered.
    pub implementors: Option<(String, Vec<MethodRef>)>,
    /// The selector asked for last (not again for the same query).
    pub asked: Option<String>,
    /// Set by an edit of the query; the clock starts the pause from it.
    pub typed: bool,
    pub typed_at: Option<Instant>,
}

impl Palette {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.groups.iter().flat_map(|group| &group.rows)
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows().nth(self.selected)
    }

    /// The group of the selected row.
    pub fn selected_kind(&self) -> Option<Kind> {
        let mut before = 0;
        for group in &self.groups {
            before += group.rows.len();
            if self.selected < before {
                return Some(group.kind);
            }
        }
        None
    }

    pub fn step(&mut self, step: Scroll) {
        self.selected = step.select(self.selected, self.rows().count(), GROUP_ROWS);
    }
}

/// The palette, while open, and what it searches that lasts the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaletteState {
    pub open: Option<Palette>,
    /// The server's classes, sorted: asked once, again after a reconnection.
    pub classes: Option<Vec<String>>,
    /// Every command, from the keymap (set when the components mount).
    pub commands: Vec<Command>,
}

/// One candidate of a source: its text, detail and target.
pub type Candidate = (String, String, Target);

/// What the query runs over, each source in its own order (the order kept
/// among equal scores, and with an empty query).
#[derive(Debug, Default)]
pub struct Sources {
    pub classes: Vec<Candidate>,
    pub implementors: Vec<Candidate>,
    pub workspaces: Vec<Candidate>,
    pub history: Vec<Candidate>,
    pub commands: Vec<Candidate>,
}

impl Sources {
    fn of(&self, kind: Kind) -> &[Candidate] {
        match kind {
            Kind::Class => &self.classes,
            Kind::Implementor => &self.implementors,
            Kind::Workspace => &self.workspaces,
            Kind::History => &self.history,
            Kind::Command => &self.commands,
        }
    }
}

/// A snippet on one row: its words joined by single spaces, cut.
pub fn snippet_line(snippet: &str) -> String {
    let mut line = String::new();
    for word in snippet.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        if line.len() > SNIPPET_CHARS * 4 {
            break;
        }
    }
    match line.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The groups for `query`: in each, the candidates that match it well
/// enough, best first, `GROUP_ROWS` shown (all of the `expanded` one, the
/// others then hidden). Implementors are shown whatever their score: the
/// server found them.
pub fn search(query: &str, sources: &Sources, expanded: Option<Kind>) -> Vec<Group> {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let kinds = Kind::ALL.into_iter();
    let mut scores: Vec<(Kind, Vec<(u32, usize)>)> = kinds
        .filter(|kind| expanded.is_none_or(|shown| shown == *kind))
        .map(|kind| (kind, scored(&pattern, kind, sources.of(kind), &mut matcher)))
        .collect();
    let floor = noise_floor(query, &scores);
    for (kind, scored) in &mut scores {
        scored.retain(|(score, _)| *kind == Kind::Implementor || *score >= floor);
    }
    let mut groups = Vec::new();
    for (kind, mut scored) in scores {
        if scored.is_empty() {
            continue;
        }
        let candidates = sources.of(kind);
        // The server's implementors keep their order, and every source
        // without a query.
        if kind != Kind::Implementor && !query.is_empty() {
            best_first(&mut scored, candidates, query);
        }
        let shown = if expanded == Some(kind) {
            scored.len()
        } else {
            GROUP_ROWS
        };
        let rows = (scored.iter().take(shown))
            .map(|&(_, at)| {
                let (text, detail, target) = candidates[at].clone();
                let matched = matched_chars(&pattern, &text, &mut matcher);
                Row {
                    text,
                    detail,
                    matched,
                    target,
                }
            })
            .collect();
        let total = scored.len();
        groups.push(Group { kind, rows, total });
    }
    groups
}

/// What a word of the query scores a letter where it is found whole
/// (scattered letters score less, at a word's start more).
const WHOLE_LETTER: u32 = 18;

/// The score below which a match is noise: letters scattered over a long
/// name match too (`inject` in `UndefinedObject`). Beside a match of the
/// query's words found whole, and below 60 % of the best match, they are.
fn noise_floor(query: &str, scores: &[(Kind, Vec<(u32, usize)>)]) -> u32 {
    let best = (scores.iter())
        .flat_map(|(_, scored)| scored.iter().map(|(score, _)| *score))
        .max()
        .unwrap_or(0);
    let letters = query.chars().filter(|c| !c.is_whitespace()).count() as u32;
    let whole = WHOLE_LETTER * letters;
    let relative = best * 3 / 5;
    if best >= whole {
        relative.max(whole)
    } else {
        relative
    }
}

/// The score and index of each candidate that `pattern` matches (every
/// implementor, 0 for one it does not).
fn scored(
    pattern: &Pattern,
    kind: Kind,
    candidates: &[Candidate],
    matcher: &mut Matcher,
) -> Vec<(u32, usize)> {
    let mut buffer = Vec::new();
    (candidates.iter().enumerate())
        .filter_map(|(at, (text, ..))| {
            let score = pattern.score(Utf32Str::new(text, &mut buffer), matcher);
            match kind {
                Kind::Implementor => Some((score.unwrap_or(0), at)),
                _ => score.map(|score| (score, at)),
            }
        })
        .collect()
}

/// Best first; among equals one that starts with the query, the shorter,
/// then the source's order.
fn best_first(scored: &mut [(u32, usize)], candidates: &[Candidate], query: &str) {
    let starts = |text: &str| {
        let start = text.get(..query.len());
        start.is_some_and(|start| start.eq_ignore_ascii_case(query))
    };
    scored.sort_by_key(|&(score, at)| {
        let text = &candidates[at].0;
        (std::cmp::Reverse(score), !starts(text), text.len(), at)
    });
}

/// The char indices of `text` that `pattern` matched, ascending.
fn matched_chars(pattern: &Pattern, text: &str, matcher: &mut Matcher) -> Vec<usize> {
    let mut buffer = Vec::new();
    let mut indices = Vec::new();
    pattern.indices(Utf32Str::new(text, &mut buffer), matcher, &mut indices);
    indices.sort_unstable();
    indices.dedup();
    indices.into_iter().map(|at| at as usize).collect()
}

/// The selector a query names, if it reads as one: a unary (`size`), a
/// keyword (`at:put:`) or a binary (`+`, `->`) selector.
pub fn selector_in(query: &str) -> Option<&str> {
    let query = query.trim().trim_start_matches('#');
    let identifier = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let unary = identifier(query);
    let keyword = query.ends_with(':') && query.split_terminator(':').all(identifier);
    let binary = !query.is_empty() && query.chars().all(|c| "+-*/\\<>=~@%|&?,".contains(c));
    (unary || keyword || binary).then_some(query)
}

/// The label of a command's key, as the help writes it.
pub fn command_key(command: &Command) -> String {
    key_label(&command.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(classes: &[&str]) -> Sources {
        Sources {
            classes: classes
                .iter()
                .map(|name| {
                    (
                        name.to_string(),
                        String::new(),
                        Target::Class(name.to_string()),
                    )
                })
                .collect(),
            ..Sources::default()
        }
    }

    fn texts(group: &Group) -> Vec<&str> {
        group.rows.iter().map(|row| row.text.as_str()).collect()
    }

    #[test]
    fn camel_case_abbreviations_find_the_class_and_mark_its_letters() {
        let found = search(
            "OrdColl",
            &sources(&["Object", "OrderedCollection", "SortedCollection", "Ordinal"]),
            None,
        );
        assert_eq!(texts(&found[0])[0], "OrderedCollection");
        assert_eq!(found[0].rows[0].matched, [0, 1, 2, 7, 8, 9, 10]);
    }

    #[test]
    fn scattered_letters_are_dropped_beside_a_whole_match_only() {
        let names = ["UndefinedObject", "Injector"];
        assert_eq!(
            texts(&search("inject", &sources(&names), None)[0]),
            ["Injector"]
        );
        let found = search("inject", &sources(&names[..1]), None);
        assert_eq!(texts(&found[0]), ["UndefinedObject"]);
    }

    #[test]
    fn each_group_shows_five_until_it_is_expanded() {
        let names: Vec<String> = (0..12).map(|n| format!("Class{n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let found = search("class", &sources(&names), None);
        assert_eq!((found[0].rows.len(), found[0].total), (GROUP_ROWS, 12));
        let all = search("class", &sources(&names), Some(Kind::Class));
        assert_eq!(all[0].rows.len(), 12);
        assert!(search("class", &sources(&names), Some(Kind::History)).is_empty());
    }

    #[test]
    fn queries_that_read_as_selectors() {
        for selector in ["size", "printOn:", "at:put:", "#at:put:", "->", "+"] {
            assert!(selector_in(selector).is_some(), "{selector}");
        }
        for other in ["OrdColl", "new workspace", "at:put", "", "3 + 4"] {
            assert_eq!(selector_in(other), None, "{other}");
        }
    }

    #[test]
    fn a_snippet_fits_one_row() {
        assert_eq!(snippet_line("x := 3.\n  x printNl"), "x := 3. x printNl");
        let long = "a ".repeat(200);
        assert_eq!(snippet_line(&long).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn commands_come_from_the_keymap_with_their_first_key() {
        let commands = commands(&Keymap::default());
        let new = commands
            .iter()
            .find(|c| c.action == Action::NewWorkspace)
            .unwrap();
        assert_eq!(
            (new.context, command_key(new)),
            (Context::Global, "Ctrl+T".into())
        );
        // A pane's own binding of the key hides the global one there.
        let mut keymap = Keymap::default();
        keymap
            .merge_toml("[workspace]\n\"ctrl-t\" = \"evaluate\"\n", "u.toml")
            .unwrap();
        let new = super::commands(&keymap)
            .into_iter()
            .find(|c| c.action == Action::NewWorkspace)
            .unwrap();
        assert_eq!(new.hidden_in, [Context::Workspace]);
        assert!(!commands.iter().any(|c| c.action == Action::Palette));
    }
}
