//! The debugger pane: what stopped the process in its title, the stack
//! (innermost first, the selected frame marked), the selected frame's
//! source highlighted as in the workspace with the current send marked, and
//! its receiver and variables; the evaluate line and its last answer at the
//! foot. Wide, the variables stand beside the source.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Paragraph};

use super::browser_source::EditPane;
use super::inspector::cut;
use super::prompt_line::prompt_key;
use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::{SyntaxColors, Theme, TranscriptColors, WorkspaceColors};
use crate::protocol::{DebugFrame, StepHow};
use crate::ui::debugger::{DebugPane, DebugSession, DebuggerMsg, split_at_mark, step_name};
use crate::ui::inspector::{Tool, one_line};
use crate::ui::lexer::{Class, tokens};
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct Debugger {
    component: Pane<DebuggerDrawing>,
    keymap: Arc<Keymap>,
}

pub struct DebuggerDrawing {
    colours: TranscriptColors,
    borders: WorkspaceColors,
    syntax: SyntaxColors,
    /// The selected frame's method edited in place, drawn as the browser's edit.
    edit_pane: EditPane,
}

impl Debugger {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, theme: &Theme) -> Self {
        let drawing = DebuggerDrawing {
            colours: theme.transcript,
            borders: theme.workspace,
            syntax: theme.syntax,
            edit_pane: EditPane::new(&keymap, theme),
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

/// From this width the variables stand beside the source.
const WIDE: u16 = 100;

impl Draw for DebuggerDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        model.view.transcript_pane = area;
        if !matches!(model.tool, Some(Tool::Debugger(_))) {
            return;
        }
        let (count, at) = (model.debuggers.list.len(), model.debuggers.active);
        let Some(session) = model.debuggers.active_mut() else {
            return;
        };
        let border = if focused {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let of = if count > 1 {
            format!(" ({} of {count})", at + 1)
        } else {
            String::new()
        };
        let title = format!(
            "Debugger {}{of} · {}",
            session.id,
            one_line(&session.title())
        );
        // Cut with an ellipsis, so a long message does not look whole.
        let title = format!(
            " {} ",
            cut(&title, usize::from(area.width).saturating_sub(4))
        );
        let mut block = Block::bordered()
            .title(title)
            .border_style(Style::default().fg(border));
        if let Some(foot) = foot(session) {
            let room = usize::from(area.width).saturating_sub(4);
            let foot = Span::styled(format!(" {} ", cut(&foot, room)), self.value());
            block = block.title_bottom(Line::from(foot).left_aligned());
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        self.body(session, frame, inner, focused);
    }
}

/// The border's foot: a step running, else the evaluate line's last answer.
fn foot(session: &DebugSession) -> Option<String> {
    match session.stepping {
        Some(how) => Some(format!("{}… (Ctrl+G interrupts)", step_name(how))),
        None => session.last_result.clone(),
    }
}

impl DebuggerDrawing {
    fn value(&self) -> Style {
        Style::default().fg(self.colours.value)
    }

    fn meta(&self) -> Style {
        Style::default()
            .fg(self.colours.notice)
            .add_modifier(TextModifiers::ITALIC)
    }

    fn body(&self, session: &mut DebugSession, frame: &mut Frame, inner: Rect, focused: bool) {
        let Some(stack) = &session.stack else {
            frame.render_widget(
                Paragraph::new(Line::styled("Asking for the stack…", self.meta())),
                inner,
            );
            return;
        };
        let prompt = u16::from(session.prompt.is_some());
        let height = inner.height.saturating_sub(prompt);
        let stack_rows = (stack.frames.len() as u16).clamp(1, (height / 4).clamp(2, 8));
        let wide = inner.width >= WIDE;
        let variable_rows = if wide { 0 } else { (height / 4).clamp(2, 6) };
        let [
            stack_area,
            rule,
            lower,
            variables_rule,
            variables_area,
            prompt_area,
        ] = Layout::vertical([
            Constraint::Length(stack_rows),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(u16::from(!wide)),
            Constraint::Length(variable_rows),
            Constraint::Length(prompt),
        ])
        .areas(inner);
        self.stack(session, frame, stack_area);
        let label = match (&session.edit, session.selected_frame()) {
            (Some(edit), _) => self.edit_pane.title(edit, rule.width.saturating_sub(3)),
            (None, Some(selected)) => format!("{} ", selected.label),
            (None, None) => String::new(),
        };
        let stack_active = session.pane == DebugPane::Stack;
        let beside = |area| {
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
        };
        // Wide, the variables' rule continues the source's.
        let [source_rule, variables_rule] = if wide {
            beside(rule)
        } else {
            [rule, variables_rule]
        };
        self.rule(frame, source_rule, label.trim_start(), stack_active);
        self.rule(frame, variables_rule, "variables ", !stack_active);
        let [source_area, variables_area] = if wide {
            beside(lower)
        } else {
            [lower, variables_area]
        };
        self.variables(session, frame, variables_area, wide);
        if let Some(edit) = session.edit.as_deref_mut() {
            self.edit_pane.draw(edit, frame, source_area, focused);
        } else if let Some(selected) = session.selected_frame() {
            self.source(selected, frame, source_area);
        }
        if let Some(line) = &session.prompt {
            let prompt = Line::from(vec![
                Span::styled(" frame ▸ ", self.meta()),
                Span::raw(line.clone()),
                Span::styled(" ", Style::default().add_modifier(TextModifiers::REVERSED)),
            ]);
            frame.render_widget(Paragraph::new(prompt), prompt_area);
        }
    }

    fn rule(&self, frame: &mut Frame, area: Rect, text: &str, active: bool) {
        let style = if active {
            Style::default().fg(self.borders.border_focused)
        } else {
            Style::default().fg(self.borders.border_unfocused)
        };
        let width = usize::from(area.width);
        let text = cut(&format!("── {text}"), width);
        let fill = "─".repeat(width.saturating_sub(text.chars().count()));
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{text}{fill}"), style)),
            area,
        );
    }

    fn stack(&self, session: &DebugSession, frame: &mut Frame, area: Rect) {
        let height = usize::from(area.height);
        let top = (session.selected + 1).saturating_sub(height);
        let active = session.pane == DebugPane::Stack;
        let lines: Vec<Line> = session
            .frames()
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(at, f)| {
                selectable(
                    format!("{:>2} {}", f.index, f.label),
                    at == session.selected,
                    active,
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// The frame's source, highlighted, its current send marked, scrolled
    /// so that the mark is in view.
    fn source(&self, selected: &DebugFrame, frame: &mut Frame, area: Rect) {
        let source = selected.source.replace('\t', "    ");
        let mark = split_at_mark(&selected.source, selected.start, selected.stop).map(
            |[before, marked, _]| {
                let start = before.replace('\t', "    ").chars().count();
                (start, start + marked.replace('\t', "    ").chars().count())
            },
        );
        let classes = char_classes(&source);
        let mut lines = vec![];
        let mut offset = 0;
        let mut mark_line = 0;
        for (row, text) in source.split('\n').enumerate() {
            let spans: Vec<Span> = text
                .chars()
                .enumerate()
                .map(|(column, c)| {
                    let at = offset + column;
                    let mut style = classes
                        .get(at)
                        .and_then(|class| super::highlight::colour(*class, &self.syntax))
                        .map_or(Style::default(), |fg| Style::default().fg(fg));
                    if mark.is_some_and(|(from, to)| (from..to).contains(&at)) {
                        style = style.bg(self.syntax.current_send);
                        mark_line = if mark_line == 0 { row } else { mark_line };
                    }
                    Span::styled(c.to_string(), style)
                })
                .collect();
            lines.push(Line::from(spans));
            offset += text.chars().count() + 1;
        }
        let height = usize::from(area.height);
        let scroll = mark_line
            .saturating_sub(height / 2)
            .min(lines.len().saturating_sub(height));
        let paragraph = Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(0), 0));
        frame.render_widget(paragraph, area);
    }

    fn variables(&self, session: &DebugSession, frame: &mut Frame, area: Rect, wide: bool) {
        let rows = session.variable_rows();
        if session.frame.is_none() {
            let note = session.variables_note.as_deref().unwrap_or("…");
            let note = Paragraph::new(Line::styled(format!(" {note}"), self.meta()))
                .wrap(tuirealm::ratatui::widgets::Wrap { trim: true });
            frame.render_widget(note, area);
            return;
        }
        let height = usize::from(area.height);
        let top = (session.variable + 1).saturating_sub(height);
        let active = session.pane == DebugPane::Variables;
        let width = usize::from(area.width).saturating_sub(u16::from(wide).into());
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(at, row)| {
                let text = format!("{:<12} {}  {}", row.name, one_line(row.print), row.class);
                selectable(cut(&text, width), at == session.variable, active)
            })
            .collect();
        let mut paragraph = Paragraph::new(lines);
        if wide {
            paragraph = paragraph
                .block(Block::default().borders(tuirealm::ratatui::widgets::Borders::LEFT));
        }
        frame.render_widget(paragraph, area);
    }
}

/// A list row: `›` and reversed when selected (dimmer marks while the other
/// list has the arrows).
fn selectable(text: String, selected: bool, active: bool) -> Line<'static> {
    let mark = if selected { '›' } else { ' ' };
    let line = Line::raw(format!("{mark}{text}"));
    match (selected, active) {
        (true, true) => line.style(Style::default().add_modifier(TextModifiers::REVERSED)),
        (true, false) => line.style(Style::default().add_modifier(TextModifiers::BOLD)),
        _ => line,
    }
}

/// The lexer's class of every character of `source`.
fn char_classes(source: &str) -> Vec<Class> {
    tokens(source)
        .into_iter()
        .flat_map(|token| std::iter::repeat_n(token.class, source[token.range].chars().count()))
        .collect()
}

fn debugger_msg(action: Action) -> Option<DebuggerMsg> {
    Some(match action {
        Action::ColumnLeft => DebuggerMsg::Pane(DebugPane::Stack),
        Action::ColumnRight => DebuggerMsg::Pane(DebugPane::Variables),
        Action::InspectField => DebuggerMsg::Enter,
        Action::InspectorEvaluate => DebuggerMsg::OpenPrompt,
        Action::StepInto => DebuggerMsg::Step(StepHow::Into),
        Action::StepOver => DebuggerMsg::Step(StepHow::Over),
        Action::StepThrough => DebuggerMsg::Step(StepHow::Out),
        Action::Restart => DebuggerMsg::Step(StepHow::Restart),
        Action::Proceed => DebuggerMsg::Step(StepHow::Proceed),
        Action::Abandon => DebuggerMsg::Abandon,
        Action::NextDebugger => DebuggerMsg::Cycle { back: false },
        Action::PreviousDebugger => DebuggerMsg::Cycle { back: true },
        Action::ShowDebugger => DebuggerMsg::List,
        Action::HideDebugger => DebuggerMsg::Hide,
        Action::EditFrame => DebuggerMsg::Edit,
        other => DebuggerMsg::Move(scroll_step(other)?),
    })
}

impl AppComponent<Msg, NoUserEvent> for Debugger {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let action = self.keymap.lookup(Context::Debugger, key);
        let prompting = {
            let model = self.component.model.borrow();
            model.debuggers.active().is_some_and(|s| s.prompt.is_some())
        };
        if prompting {
            if action == Some(Action::Quit) {
                return Some(Msg::Quit);
            }
            return prompt_key(key).map(|key| Msg::Debugger(DebuggerMsg::Prompt(key)));
        }
        let action = action?;
        match debugger_msg(action) {
            Some(msg) => Some(Msg::Debugger(msg)),
            None => app_msg(action),
        }
    }
}
