//! The question asked when a server wants CURVE and its key is not known:
//! its address and key fingerprint in a box centred over the screen; it
//! has the keys until y (trust and connect) or n / Esc (do not) answers.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use super::help::centred;
use super::prompt_line::on_key;
use super::{Draw, Pane};
use crate::config::keymap::{Context, Keymap};
use crate::config::theme::HelpColors;
use crate::ui::trust::{TrustMsg, TrustQuestion};
use crate::ui::{Model, Msg, SharedModel};

/// The widest the box gets.
const MAX_WIDTH: u16 = 76;

#[derive(Component)]
pub struct TrustPrompt {
    component: Pane<TrustDrawing>,
    keymap: Arc<Keymap>,
}

/// The help overlay's colours: another overlay.
pub struct TrustDrawing {
    colours: HelpColors,
}

impl TrustPrompt {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        Self {
            component: Pane::new(model, TrustDrawing { colours }),
            keymap,
        }
    }
}

impl TrustDrawing {
    fn lines(&self, question: &TrustQuestion) -> Vec<Line<'static>> {
        let strong = Style::default()
            .fg(self.colours.key)
            .add_modifier(TextModifiers::BOLD);
        vec![
            Line::raw(format!("The server at {} is not known.", question.address)),
            Line::raw(""),
            Line::raw("Its key fingerprint is"),
            Line::styled(format!("  {}", question.fingerprint), strong),
            Line::raw(""),
            Line::raw("Check it with the server's admin (stui keygen --server printed it)."),
            Line::raw("Trust it and connect?"),
            Line::raw(""),
            Line::from(vec![
                Span::styled("y", strong),
                Span::raw(" = yes    "),
                Span::styled("n", strong),
                Span::raw("/"),
                Span::styled("Esc", strong),
                Span::raw(" = no"),
            ]),
        ]
    }
}

impl Draw for TrustDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(question) = &model.trust_question else {
            return;
        };
        let lines = self.lines(question);
        let width = MAX_WIDTH.min(area.width.saturating_sub(2));
        // Its lines, the borders, and a row for an address that wraps.
        let height = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX);
        let popup = centred(area, width, height);
        let block = Block::bordered()
            .title(" Unknown server key ")
            .padding(Padding::horizontal(1))
            .border_style(Style::default().fg(self.colours.key));
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        let text = Paragraph::new(lines)
            .block(block)
            .style(style)
            .wrap(Wrap { trim: false });
        frame.render_widget(Clear, popup);
        frame.render_widget(text, popup);
    }
}

impl AppComponent<Msg, NoUserEvent> for TrustPrompt {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        on_key(event, &self.keymap, Context::Global, |key| {
            let answer = match key.code {
                Key::Char('y' | 'Y') => TrustMsg::Trust,
                Key::Char('n' | 'N') | Key::Esc => TrustMsg::Refuse,
                // Only a clear answer: a stray key must not trust a server.
                _ => return None,
            };
            Some(Msg::Trust(answer))
        })
    }
}
