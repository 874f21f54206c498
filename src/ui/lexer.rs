//! A Smalltalk lexer for highlighting. It never fails: every byte of the text
//! is in exactly one token, and text it cannot read is an `Error` token.
//! It can start inside a comment or string ([`State`]) so that the editor lexes
//! only the lines it draws.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Whitespace,
    Comment,
    String,
    Symbol,
    Character,
    Number,
    Keyword,
    UnarySelector,
    BinarySelector,
    Identifier,
    PseudoVariable,
    BlockParameter,
    Temporary,
    /// The bars around temporaries and after block parameters.
    Bar,
    Assignment,
    Return,
    Cascade,
    Period,
    /// `( ) [ ] { }`, and the openers `#(` and `#[` of literal and byte arrays.
    Bracket,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub class: Class,
    pub range: Range<usize>,
}

/// Where a multi-line token left off, so that lexing can go on at the next line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Code,
    Comment,
    String,
    QuotedSymbol,
}

/// What the lexer knows at a point of the text: enough to restart there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State {
    pub mode: Mode,
    /// Nesting of `#( … )`: bare words inside are symbols.
    literal_depth: u16,
    /// The last token was an operand, so a word is a unary selector and `-` binary.
    after_operand: bool,
    /// Between the bars of `| a b |`.
    in_temporaries: bool,
    /// The last token was a block parameter, so `|` ends the parameters.
    after_parameter: bool,
}

const PSEUDO_VARIABLES: [&str; 6] = ["self", "super", "nil", "true", "false", "thisContext"];

fn is_binary(c: char) -> bool {
    "!%&*+,-/<=>?@\\~|".contains(c)
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// All tokens of `text`, from its start.
pub fn tokens(text: &str) -> Vec<Token> {
    Lexer::new(text, State::default()).collect()
}

pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    state: State,
}

impl<'a> Lexer<'a> {
    /// A lexer over `text` that starts in `state` (the state a previous line ended in).
    pub fn new(text: &'a str, state: State) -> Self {
        Self {
            text,
            pos: 0,
            state,
        }
    }

    /// The state after the tokens read so far.
    pub fn state(&self) -> State {
        self.state
    }

    /// The state at the end of `text` when it starts in `state`.
    pub fn end_state(text: &str, state: State) -> State {
        let mut lexer = Lexer::new(text, state);
        lexer.by_ref().for_each(drop);
        lexer.state()
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn bump_while(&mut self, f: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&f) {
            self.bump();
        }
    }

    /// Up to and including the closing `quote`, a doubled quote standing for
    /// itself; at the end of the text the token is unterminated and `mode` goes on.
    fn quoted(&mut self, quote: char, mode: Mode) {
        loop {
            match self.bump() {
                None => {
                    self.state.mode = mode;
                    return;
                }
                Some(c) if c == quote => {
                    if quote == '\'' && self.peek() == Some('\'') {
                        self.bump();
                    } else {
                        self.state.mode = Mode::Code;
                        return;
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn digits(&mut self) -> bool {
        let start = self.pos;
        self.bump_while(|c| c.is_ascii_digit());
        self.pos > start
    }

    /// `16r1F`, `2e10`, `1.5e-3`, `1.5s2`, `-3`; the first digit (or `-`) is next.
    fn number(&mut self) {
        self.bump();
        self.digits();
        let radix_digit =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        if self.peek() == Some('r') && radix_digit(self.peek_at(1)) {
            self.bump();
            self.bump_while(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        }
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'd' | 'q')) {
            let signed = self.peek_at(1) == Some('-');
            let digit_at = if signed { 2 } else { 1 };
            if self.peek_at(digit_at).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += if signed { 2 } else { 1 };
                self.digits();
            }
        }
        if self.peek() == Some('s') && !self.peek_at(1).is_some_and(is_word_start) {
            self.bump();
            self.digits();
        }
    }

    /// `#foo`, `#foo:bar:`, `#+`, `#'with space'`, `#(`, `#[`; `#` is read.
    fn hash(&mut self) -> Class {
        match self.peek() {
            Some('(' | '[') => {
                if self.bump() == Some('(') {
                    self.state.literal_depth += 1;
                }
                return Class::Bracket;
            }
            Some('\'') => {
                self.bump();
                self.quoted('\'', Mode::QuotedSymbol);
            }
            Some(c) if is_word_start(c) => self.selector_words(),
            Some(c) if is_binary(c) => self.bump_while(is_binary),
            _ => {}
        }
        Class::Symbol
    }

    /// `foo`, `foo:` or `foo:bar:`; the first letter is next.
    fn selector_words(&mut self) {
        loop {
            self.bump_while(is_word);
            if self.peek() == Some(':') && self.peek_at(1) != Some('=') {
                self.bump();
                if self.peek().is_some_and(is_word_start) {
                    continue;
                }
            }
            return;
        }
    }

    fn word(&mut self) -> Class {
        let start = self.pos;
        if self.state.literal_depth > 0 {
            self.selector_words();
            let word = &self.text[start..self.pos];
            return if PSEUDO_VARIABLES[2..5].contains(&word) {
                Class::PseudoVariable
            } else {
                Class::Symbol
            };
        }
        self.bump_while(is_word);
        if self.peek() == Some(':') && self.peek_at(1) != Some('=') {
            self.bump();
            return Class::Keyword;
        }
        let word = &self.text[start..self.pos];
        if self.state.in_temporaries {
            Class::Temporary
        } else if PSEUDO_VARIABLES.contains(&word) {
            Class::PseudoVariable
        } else if self.state.after_operand {
            Class::UnarySelector
        } else {
            Class::Identifier
        }
    }

    fn bar(&mut self) -> Class {
        if self.state.in_temporaries || self.state.after_parameter || !self.state.after_operand {
            self.state.in_temporaries = !self.state.in_temporaries && !self.state.after_parameter;
            return Class::Bar;
        }
        self.bump_while(is_binary);
        Class::BinarySelector
    }

    /// The next token in code; its first character is `c`, already read.
    fn code(&mut self, c: char) -> Class {
        match c {
            '"' => {
                self.quoted('"', Mode::Comment);
                Class::Comment
            }
            '\'' => {
                self.quoted('\'', Mode::String);
                Class::String
            }
            '$' => {
                self.bump();
                Class::Character
            }
            '#' => self.hash(),
            ':' if self.peek() == Some('=') => {
                self.bump();
                Class::Assignment
            }
            ':' if self.peek().is_some_and(is_word_start) => {
                self.bump_while(is_word);
                Class::BlockParameter
            }
            '^' => Class::Return,
            ';' => Class::Cascade,
            '.' => Class::Period,
            '(' | ')' | '[' | ']' | '{' | '}' => {
                self.bracket(c);
                Class::Bracket
            }
            '|' => self.bar(),
            '-' if !self.state.after_operand && self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                self.pos -= 1;
                self.number();
                Class::Number
            }
            c if c.is_ascii_digit() => {
                self.pos -= 1;
                self.number();
                Class::Number
            }
            c if is_word_start(c) => {
                self.pos -= c.len_utf8();
                self.word()
            }
            c if is_binary(c) => {
                self.bump_while(is_binary);
                Class::BinarySelector
            }
            c if c.is_whitespace() => {
                self.bump_while(char::is_whitespace);
                Class::Whitespace
            }
            _ => Class::Error,
        }
    }

    fn bracket(&mut self, c: char) {
        let literal = &mut self.state.literal_depth;
        match c {
            '(' if *literal > 0 => *literal += 1,
            ')' => *literal = literal.saturating_sub(1),
            _ => {}
        }
    }

    /// Remember what the next token needs to know of this one.
    fn after(&mut self, class: Class, text: &str) {
        use Class::*;
        if matches!(class, Whitespace | Comment) {
            return;
        }
        self.state.after_operand = match class {
            Identifier | UnarySelector | PseudoVariable | Number | String | Symbol | Character
            | Temporary => true,
            // After `;` the next message goes to the cascade's receiver.
            Cascade => true,
            Bracket => matches!(text, ")" | "]" | "}"),
            _ => false,
        };
        self.state.after_parameter = class == BlockParameter;
        if class == Period || class == Return {
            self.state.in_temporaries = false;
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let start = self.pos;
        let class = match self.state.mode {
            Mode::Code => {
                let c = self.bump()?;
                self.code(c)
            }
            mode => {
                self.peek()?;
                let (quote, class) = match mode {
                    Mode::Comment => ('"', Class::Comment),
                    Mode::String => ('\'', Class::String),
                    _ => ('\'', Class::Symbol),
                };
                self.quoted(quote, mode);
                class
            }
        };
        let text = &self.text[start..self.pos];
        self.after(class, text);
        Some(Token {
            class,
            range: start..self.pos,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The text and class of each token that is not whitespace.
    fn lexed(text: &str) -> Vec<(&str, Class)> {
        tokens(text)
            .into_iter()
            .filter(|t| t.class != Class::Whitespace)
            .map(|t| (&text[t.range], t.class))
            .collect()
    }

    fn one(text: &str, class: Class) {
        assert_eq!(lexed(text), [(text, class)], "{text:?}");
    }

    #[test]
    fn comments_and_strings_with_doubled_quotes() {
        one("\"a comment\"", Class::Comment);
        one("'it''s'", Class::String);
        one("''", Class::String);
        assert_eq!(
            lexed("'a' 'b'"),
            [("'a'", Class::String), ("'b'", Class::String)]
        );
    }

    #[test]
    fn unterminated_string_or_comment_runs_to_the_end() {
        one("'abc def. x := 3", Class::String);
        one("\"abc 'def", Class::Comment);
        assert_eq!(
            Lexer::end_state("x \"abc", State::default()).mode,
            Mode::Comment
        );
        assert_eq!(
            Lexer::end_state("'it''", State::default()).mode,
            Mode::String
        );
    }

    #[test]
    fn a_line_starting_inside_a_comment_goes_on_from_there() {
        let state = Lexer::end_state("x := 3. \"start", State::default());
        let mut lexer = Lexer::new("end\" y", state);
        let comment = lexer.next().unwrap();
        assert_eq!((comment.class, comment.range), (Class::Comment, 0..4));
        assert_eq!(lexer.state().mode, Mode::Code);
    }

    #[test]
    fn symbols() {
        for symbol in [
            "#foo",
            "#foo:",
            "#foo:bar:",
            "#+",
            "#->",
            "#'with space'",
            "#",
        ] {
            one(symbol, Class::Symbol);
        }
        assert_eq!(
            lexed("#at:put: x"),
            [("#at:put:", Class::Symbol), ("x", Class::UnarySelector)]
        );
    }

    #[test]
    fn characters() {
        for c in ["$a", "$ ", "$'", "$\"", "$$", "$"] {
            one(c, Class::Character);
        }
        assert_eq!(
            lexed("$' 'x'"),
            [("$'", Class::Character), ("'x'", Class::String)]
        );
    }

    #[test]
    fn numbers() {
        for n in [
            "42", "16r1F", "2e10", "1.5e-3", "1.5s2", "3s", "-3", "2r1010", "1.0d0",
        ] {
            one(n, Class::Number);
        }
        assert_eq!(
            lexed("3/4"),
            [
                ("3", Class::Number),
                ("/", Class::BinarySelector),
                ("4", Class::Number)
            ]
        );
        // The period after a number ends the statement.
        assert_eq!(lexed("3."), [("3", Class::Number), (".", Class::Period)]);
        // `-` after an operand is a binary selector, also with no space.
        assert_eq!(
            lexed("x-1"),
            [
                ("x", Class::Identifier),
                ("-", Class::BinarySelector),
                ("1", Class::Number)
            ]
        );
        assert_eq!(
            lexed("3 - -2"),
            [
                ("3", Class::Number),
                ("-", Class::BinarySelector),
                ("-2", Class::Number)
            ]
        );
    }

    #[test]
    fn messages_assignment_return_cascade_and_period() {
        use Class::*;
        assert_eq!(
            lexed("^x := a foo: b bar + 1; baz."),
            [
                ("^", Return),
                ("x", Identifier),
                (":=", Assignment),
                ("a", Identifier),
                ("foo:", Keyword),
                ("b", Identifier),
                ("bar", UnarySelector),
                ("+", BinarySelector),
                ("1", Number),
                (";", Cascade),
                ("baz", UnarySelector),
                (".", Period),
            ]
        );
    }

    #[test]
    fn pseudo_variables() {
        for word in PSEUDO_VARIABLES {
            one(word, Class::PseudoVariable);
        }
        assert_eq!(
            lexed("self size"),
            [
                ("self", Class::PseudoVariable),
                ("size", Class::UnarySelector)
            ]
        );
    }

    #[test]
    fn block_parameters_and_temporaries() {
        use Class::*;
        assert_eq!(
            lexed("[:x :y | | t | t := x | y]"),
            [
                ("[", Bracket),
                (":x", BlockParameter),
                (":y", BlockParameter),
                ("|", Bar),
                ("|", Bar),
                ("t", Temporary),
                ("|", Bar),
                ("t", Identifier),
                (":=", Assignment),
                ("x", Identifier),
                ("|", BinarySelector),
                ("y", Identifier),
                ("]", Bracket),
            ]
        );
        assert_eq!(
            lexed("| a b |"),
            [("|", Bar), ("a", Temporary), ("b", Temporary), ("|", Bar)]
        );
    }

    #[test]
    fn literal_byte_and_brace_arrays() {
        use Class::*;
        assert_eq!(
            lexed("#(foo at:put: (1 $a) #bar nil) size"),
            [
                ("#(", Bracket),
                ("foo", Symbol),
                ("at:put:", Symbol),
                ("(", Bracket),
                ("1", Number),
                ("$a", Character),
                (")", Bracket),
                ("#bar", Symbol),
                ("nil", PseudoVariable),
                (")", Bracket),
                ("size", UnarySelector),
            ]
        );
        assert_eq!(
            lexed("#[1 255]"),
            [
                ("#[", Bracket),
                ("1", Number),
                ("255", Number),
                ("]", Bracket)
            ]
        );
        assert_eq!(
            lexed("{x. 2}"),
            [
                ("{", Bracket),
                ("x", Identifier),
                (".", Period),
                ("2", Number),
                ("}", Bracket),
            ]
        );
    }

    #[test]
    fn unreadable_characters_are_errors() {
        assert_eq!(lexed("`"), [("`", Class::Error)]);
        assert_eq!(lexed(":"), [(":", Class::Error)]);
    }

    proptest! {
        // Any text at all, or text made of Smalltalk's own characters.
        #[test]
        fn tokens_cover_any_text_in_order(text in "\\PC{0,60}|[-a-z0-9 #$'\":=|.;^()\\[\\]{}rse\n]{0,60}") {
            let mut at = 0;
            for token in tokens(&text) {
                prop_assert_eq!(token.range.start, at);
                prop_assert!(token.range.end > token.range.start);
                prop_assert!(text.is_char_boundary(token.range.end));
                at = token.range.end;
            }
            prop_assert_eq!(at, text.len());
        }

        // What the editor does (it lexes only the lines it draws) is what lexing all would do.
        #[test]
        fn lexing_line_by_line_classes_each_char_as_the_whole_text_does(
            text in "[-a-z0-9 #$'\":=|.;^()\\[\\]{}rse\n]{0,80}"
        ) {
            let classes = |text: &str, tokens: Vec<Token>| -> Vec<(char, Class)> {
                let mut classes = Vec::new();
                for token in tokens {
                    classes.extend(text[token.range].chars().map(|c| (c, token.class)));
                }
                classes.retain(|&(c, _)| c != '\n');
                classes
            };
            let whole = classes(&text, tokens(&text));
            let mut state = State::default();
            let mut by_line = Vec::new();
            for line in text.split('\n') {
                let mut lexer = Lexer::new(line, state);
                by_line.extend(classes(line, lexer.by_ref().collect()));
                state = lexer.state();
            }
            prop_assert_eq!(whole, by_line);
        }
    }
}
