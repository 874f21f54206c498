//! The debugger's state: the suspended processes this TUI shows (several at
//! once, one of them active), each with its stack, the selected frame's
//! receiver and variables, and its evaluate line. The debugger is a tool of
//! the lower pane (`Tool::Debugger`); its processes live here, in the model,
//! so that the inspector opened on a variable can give the pane back to it.

use crate::protocol::{DebugFrame, DebugFrameResult, DebugStackResult, StepHow};

/// A message of the debugger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebuggerMsg {
    Move(super::Scroll),
    /// Move in the stack or in the variables.
    Pane(DebugPane),
    /// On a frame: to its variables; on a variable: inspect it.
    Enter,
    Step(StepHow),
    /// Terminate the process shown (`debug_close`).
    Abandon,
    OpenPrompt,
    Prompt(super::PromptKey),
    /// The next (`back`: previous) debugger of those open.
    Cycle {
        back: bool,
    },
    /// Ask the server for the session's debuggers and show them.
    List,
    /// Esc: the pane shows the transcript again; the processes stay (F9).
    Hide,
    /// Edit the selected frame's method in place; accepting it restarts the frame.
    Edit,
}

/// What a debugger request was sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugAsk {
    Stack(String),
    Frame {
        debugger: String,
        frame: usize,
    },
    Step {
        debugger: String,
        how: StepHow,
    },
    Evaluate {
        debugger: String,
        code: String,
    },
    Close(String),
    /// `debug_list`; `open`: show the debugger on them.
    List {
        open: bool,
    },
}

/// Frames asked for at a time.
pub const STACK_LIMIT: u64 = 50;

/// The suspended processes shown, and what the tool needs besides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Debuggers {
    pub list: Vec<DebugSession>,
    /// Index into `list` of the one shown.
    pub active: usize,
    /// The inspector was opened on a frame's variable: when it closes the
    /// debugger comes back, to give the focus back here.
    pub inspecting: Option<super::Focus>,
}

/// Which list of the debugger the arrows move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DebugPane {
    #[default]
    Stack,
    Variables,
}

/// One suspended process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSession {
    /// The server's name of it (`d1`).
    pub id: String,
    /// The code whose evaluation it is (its result goes under it).
    pub code: String,
    /// `None` until `debug_stack` (or a step) answered.
    pub stack: Option<DebugStackResult>,
    pub selected: usize,
    /// The selected frame's receiver and variables, once asked for.
    pub frame: Option<DebugFrameResult>,
    /// Why the variables are not shown (the server could not answer).
    pub variables_note: Option<String>,
    /// Selected row among the receiver and the variables.
    pub variable: usize,
    pub pane: DebugPane,
    /// The evaluate line's text while it is open.
    pub prompt: Option<String>,
    /// The evaluate line's last code and its answer, shown in the border.
    pub last_result: Option<String>,
    /// A step was sent and has not answered yet.
    pub stepping: Option<StepHow>,
    /// Why it stopped, as the suspended reply said it before the stack came.
    pub headline: String,
    /// The selected frame's method edited in place (the browser's editing).
    pub edit: Option<Box<super::browser_edit::BrowserEdit>>,
}

impl DebugSession {
    pub fn new(id: String, code: String, headline: String) -> Self {
        Self {
            id,
            code,
            stack: None,
            selected: 0,
            frame: None,
            variables_note: None,
            variable: 0,
            pane: DebugPane::Stack,
            prompt: None,
            last_result: None,
            stepping: None,
            headline,
            edit: None,
        }
    }

    pub fn frames(&self) -> &[DebugFrame] {
        self.stack.as_ref().map_or(&[], |stack| &stack.frames)
    }

    pub fn selected_frame(&self) -> Option<&DebugFrame> {
        self.frames().get(self.selected)
    }

    /// What stopped it: `ZeroDivide: The program attempted…`, else the reason.
    pub fn title(&self) -> String {
        match &self.stack {
            Some(DebugStackResult {
                exception: Some(exception),
                ..
            }) => format!("{}: {}", exception.class, exception.message),
            Some(stack) => stopped_because(&stack.reason).to_string(),
            None => self.headline.clone(),
        }
    }

    /// A new stack (from `debug_stack` or a step): the selection stays on
    /// the same depth if there is one, its variables are asked again.
    pub fn replace_stack(&mut self, stack: DebugStackResult) {
        // An edit is of the frame at its place: keep it while that frame is the same.
        let same =
            |frame: Option<&DebugFrame>| frame.map(|f| (f.class.clone(), f.selector.clone()));
        if same(self.selected_frame()) != same(stack.frames.get(self.selected)) {
            self.edit = None;
        }
        let last = stack.frames.len().saturating_sub(1);
        self.selected = self.selected.min(last);
        self.stack = Some(stack);
        self.frame = None;
        self.variables_note = None;
        self.variable = 0;
    }

    /// The variables pane's rows: `self`, then the variables.
    pub fn variable_rows(&self) -> Vec<VariableRow<'_>> {
        let Some(frame) = &self.frame else {
            return vec![];
        };
        let receiver = VariableRow {
            name: "self",
            kind: "receiver",
            print: &frame.receiver.print,
            class: &frame.receiver.class,
            handle: &frame.receiver.handle,
        };
        let variables = frame.variables.iter().map(|v| VariableRow {
            name: &v.name,
            kind: &v.kind,
            print: &v.print,
            class: &v.class,
            handle: &v.handle,
        });
        std::iter::once(receiver).chain(variables).collect()
    }
}

/// A row of the variables pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariableRow<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub print: &'a str,
    pub class: &'a str,
    pub handle: &'a str,
}

/// How the title says why a process stopped at no exception.
pub fn stopped_because(reason: &str) -> &str {
    match reason {
        "halt" => "Halt",
        "step" => "Stepped",
        "start" => "Debug it: before the first statement",
        _ => "Suspended",
    }
}

/// How a step is named in the status bar and hints, as Pharo's buttons are.
pub fn step_name(how: StepHow) -> &'static str {
    match how {
        StepHow::Into => "Into",
        StepHow::Over => "Over",
        StepHow::Out => "Through",
        StepHow::Restart => "Restart",
        StepHow::Proceed => "Proceed",
    }
}

/// The part of `source` between the 0-based inclusive character offsets
/// `start..=stop`, as (before, marked, after); `None` when the offsets are
/// missing or do not fit the source.
pub fn split_at_mark(source: &str, start: Option<u64>, stop: Option<u64>) -> Option<[&str; 3]> {
    let (start, stop) = (usize::try_from(start?).ok()?, usize::try_from(stop?).ok()?);
    if stop < start {
        return None;
    }
    let byte = |chars: usize| source.char_indices().nth(chars).map(|(at, _)| at);
    let from = byte(start)?;
    let to = byte(stop + 1).unwrap_or(source.len());
    byte(stop)?;
    Some([&source[..from], &source[from..to], &source[to..]])
}

impl Debuggers {
    pub fn active(&self) -> Option<&DebugSession> {
        self.list.get(self.active)
    }

    pub fn active_mut(&mut self) -> Option<&mut DebugSession> {
        self.list.get_mut(self.active)
    }

    pub fn by_id(&mut self, id: &str) -> Option<&mut DebugSession> {
        self.list.iter_mut().find(|session| session.id == id)
    }

    /// Add `session` (or replace the one of its id) and make it active.
    pub fn add(&mut self, session: DebugSession) {
        match self.list.iter().position(|s| s.id == session.id) {
            Some(at) => {
                self.list[at] = session;
                self.active = at;
            }
            None => {
                self.list.push(session);
                self.active = self.list.len() - 1;
            }
        }
    }

    /// Forget the process `id`; the active one stays if it is another.
    pub fn remove(&mut self, id: &str) {
        let Some(at) = self.list.iter().position(|s| s.id == id) else {
            return;
        };
        self.list.remove(at);
        if at < self.active || self.active >= self.list.len() {
            self.active = self.active.saturating_sub(1);
        }
    }

    /// The next (or, `back`, the previous) one, round.
    pub fn cycle(&mut self, back: bool) {
        let count = self.list.len();
        if count > 0 {
            self.active = if back {
                (self.active + count - 1) % count
            } else {
                (self.active + 1) % count
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_splits_by_characters_inclusive() {
        let source = "é / arg ^self zeroDivide";
        let [before, marked, after] = split_at_mark(source, Some(9), Some(23)).unwrap();
        assert_eq!(
            (before, marked, after),
            ("é / arg ^", "self zeroDivide", "")
        );
        assert_eq!(split_at_mark(source, None, Some(3)), None);
        assert_eq!(
            split_at_mark(source, Some(3), Some(99)),
            None,
            "beyond the source"
        );
        assert_eq!(split_at_mark(source, Some(5), Some(4)), None);
    }

    #[test]
    fn removing_keeps_the_active_one_and_cycling_goes_round() {
        let mut debuggers = Debuggers::default();
        for id in ["d1", "d2", "d3"] {
            debuggers.add(DebugSession::new(id.into(), String::new(), String::new()));
        }
        assert_eq!(debuggers.active().unwrap().id, "d3");
        debuggers.cycle(false);
        assert_eq!(debuggers.active().unwrap().id, "d1");
        debuggers.cycle(true);
        debuggers.remove("d1");
        assert_eq!(debuggers.active().unwrap().id, "d3");
        debuggers.remove("d3");
        assert_eq!(debuggers.active().unwrap().id, "d2");
        debuggers.remove("d2");
        assert!(debuggers.active().is_none());
    }
}
