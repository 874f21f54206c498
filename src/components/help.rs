//! The help overlay: the active keymap's bindings, grouped by context, in a
//! centred popup drawn over everything. Generated from the keymap, so it
//! always tells the truth about the user's own bindings.

use std::sync::Arc;

use tuirealm::command::{Cmd, CmdResult};
use tuirealm::component::{AppComponent, Component};
use tuirealm::event::Event;
use tuirealm::props::{AttrValue, Attribute, Props, QueryResult, Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Padding, Paragraph};
use tuirealm::state::State;

use super::app_msg;
use crate::app::Msg;
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::HelpColors;
use crate::net::NetEvent;

pub struct Help {
    lines: Vec<Line<'static>>,
    title: String,
    /// First line shown; reset whenever the overlay opens.
    scroll: usize,
    /// Inner height at the last draw, for page-wise scrolling.
    height: usize,
    keymap: Arc<Keymap>,
    colours: HelpColors,
    props: Props,
}

impl Help {
    pub fn new(keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        Self {
            lines: help_lines(&keymap, colours),
            title: match keymap.keys_for(Context::Help, Action::CloseHelp).first() {
                Some(key) => format!(" Keys · {} closes ", key_label(key)),
                None => " Keys ".into(),
            },
            scroll: 0,
            height: 10,
            keymap,
            colours,
            props: Props::default(),
        }
    }

    fn is_visible(&self) -> bool {
        self.props
            .get(Attribute::Display)
            .and_then(AttrValue::as_flag)
            .unwrap_or(false)
    }

    fn max_scroll(&self) -> usize {
        self.lines.len().saturating_sub(self.height)
    }

    fn scroll_by(&mut self, action: Action) -> bool {
        let page = self.height.saturating_sub(1).max(1);
        self.scroll = match action {
            Action::ScrollUp => self.scroll.saturating_sub(1),
            Action::ScrollDown => self.scroll + 1,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll + page,
            Action::ScrollToTop => 0,
            Action::ScrollToBottom => self.max_scroll(),
            _ => return false,
        }
        .min(self.max_scroll());
        true
    }
}

/// A heading per context, then one line per action: its keys and what it does.
fn help_lines(keymap: &Keymap, colours: HelpColors) -> Vec<Line<'static>> {
    let heading = Style::default()
        .fg(colours.fg)
        .add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED);
    let key_style = Style::default().fg(colours.key);
    let bindings = keymap.bindings();
    let mut rows: Vec<(Context, String, Action)> = Vec::new();
    for binding in &bindings {
        match rows.last_mut() {
            Some((context, keys, action))
                if *context == binding.context && *action == binding.action =>
            {
                keys.push_str(", ");
                keys.push_str(&key_label(&binding.key));
            }
            _ => rows.push((binding.context, key_label(&binding.key), binding.action)),
        }
    }
    let key_width = rows.iter().map(|(_, keys, _)| keys.chars().count()).max();
    let key_width = key_width.unwrap_or(0);
    let mut lines = Vec::new();
    for context in Context::ALL {
        let mut in_context = rows.iter().filter(|(c, ..)| *c == context).peekable();
        if in_context.peek().is_none() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(context.title(), heading));
        for (_, keys, action) in in_context {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_width$}  "), key_style),
                Span::raw(action.description()),
            ]));
        }
    }
    lines
}

/// A rectangle of at most `width` x `height`, centred in `area`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

impl Component for Help {
    fn view(&mut self, frame: &mut Frame, area: Rect) {
        if !self.is_visible() {
            return;
        }
        let content_width = self.lines.iter().map(Line::width).max().unwrap_or(0);
        let width = u16::try_from(content_width + 4).unwrap_or(u16::MAX);
        let height = u16::try_from(self.lines.len() + 2).unwrap_or(u16::MAX);
        // Leave a margin so the popup reads as an overlay on the screen beneath.
        let popup = centred(
            area,
            width.min(area.width.saturating_sub(2)),
            height.min(area.height.saturating_sub(2)),
        );
        let block = Block::bordered()
            .title(self.title.clone())
            .border_style(Style::default().fg(self.colours.key))
            .padding(Padding::horizontal(1));
        self.height = usize::from(block.inner(popup).height);
        self.scroll = self.scroll.min(self.max_scroll());
        let block = if self.scroll < self.max_scroll() {
            block.title_bottom(" ↓ more ")
        } else {
            block
        };
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        let visible: Vec<Line<'static>> = self.lines.iter().skip(self.scroll).cloned().collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(visible).block(block).style(style), popup);
    }

    fn query<'a>(&'a self, attr: Attribute) -> Option<QueryResult<'a>> {
        self.props.get_for_query(attr)
    }

    /// `Attribute::Display` shows or hides the overlay; showing it starts at the top.
    fn attr(&mut self, attr: Attribute, value: AttrValue) {
        if attr == Attribute::Display && value.as_flag() == Some(true) && !self.is_visible() {
            self.scroll = 0;
        }
        self.props.set(attr, value);
    }

    fn state(&self) -> State {
        State::None
    }

    fn perform(&mut self, cmd: Cmd) -> CmdResult {
        CmdResult::Invalid(cmd)
    }
}

impl AppComponent<Msg, NetEvent> for Help {
    fn on(&mut self, event: &Event<NetEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let action = self.keymap.lookup(Context::Help, key)?;
        if self.scroll_by(action) {
            return None;
        }
        app_msg(action)
    }
}
