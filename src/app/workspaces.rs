//! The workspaces part of the pure update: tabs, their prompt, and the
//! autosave a second after typing stops. Files are effects.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::update::Effect;
use crate::net::NetEvent;
use crate::ui::workspaces::{
    PromptKey, PromptKind, WorkspaceMsg, WorkspacePrompt, name_from_path, name_problem, text_hash,
};
use crate::ui::{Model, Msg, TranscriptEntry};

/// Saved this long after the last edit…
pub const AUTOSAVE_QUIET: Duration = Duration::from_secs(1);
/// …or this long after the first unsaved one, however fast the typing.
pub const AUTOSAVE_LONGEST: Duration = Duration::from_secs(5);

/// What the runtime does with files for the workspaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceEffect {
    /// Delete a workspace's own file (it was closed or renamed).
    Remove(PathBuf),
    /// Read the user's file (`~` and relative paths as a shell takes them)
    /// and answer `WorkspaceMsg::Opened`.
    Open(String),
    /// Write `text` to the user's file `path` and answer `WorkspaceMsg::SavedTo`.
    Export {
        tab: u64,
        path: String,
        text: String,
    },
}

pub fn update(model: &mut Model, msg: WorkspaceMsg) -> Vec<Effect> {
    let tabs = model.workspaces.tabs.len();
    match msg {
        WorkspaceMsg::New => {
            let name = model.workspaces.fresh_name();
            let index = model.workspaces.add(name, None, "");
            switch_to(model, index)
        }
        WorkspaceMsg::Next => switch_to(model, (model.workspaces.active + 1) % tabs),
        WorkspaceMsg::Previous => switch_to(model, (model.workspaces.active + tabs - 1) % tabs),
        WorkspaceMsg::GoTo(index) if index >= tabs => {
            model
                .status
                .say(format!("There is no workspace {}.", index + 1));
            vec![]
        }
        WorkspaceMsg::GoTo(index) => switch_to(model, index),
        WorkspaceMsg::Close if model.view.editor.text().trim().is_empty() => close_active(model),
        WorkspaceMsg::Close => ask(model, PromptKind::ConfirmClose, String::new()),
        WorkspaceMsg::Rename => {
            let name = model.workspaces.active_tab().name.clone();
            ask(model, PromptKind::Rename, name)
        }
        WorkspaceMsg::Open => ask(model, PromptKind::Open, String::new()),
        WorkspaceMsg::Save => match &model.workspaces.active_tab().file {
            Some(file) => export(model, file.display().to_string()),
            None => ask(model, PromptKind::SaveAs, String::new()),
        },
        WorkspaceMsg::SaveAs => {
            let file = model.workspaces.active_tab().file.as_ref();
            let input = file.map(|f| f.display().to_string()).unwrap_or_default();
            ask(model, PromptKind::SaveAs, input)
        }
        WorkspaceMsg::Prompt(key) => prompt_key(model, key),
        WorkspaceMsg::Opened { path, text } => opened(model, path, text),
        WorkspaceMsg::SavedTo { tab, path, error } => saved_to(model, tab, path, error),
        WorkspaceMsg::SaveFailed { path, error } => {
            let workspaces = &mut model.workspaces;
            let failed = workspaces
                .tabs
                .iter()
                .position(|t| workspaces.path_of(&t.name) == path);
            if let Some(index) = failed {
                // Written again after the next edit.
                workspaces.tabs[index].saved = None;
            }
            notice(model, format!("Cannot save to {}: {error}", path.display()));
            vec![]
        }
    }
}

/// A new workspace named `name` (cut to fit; `-2`… if taken) holding
/// `text`, switched to.
pub fn open_text(model: &mut Model, name: &str, text: &str) -> Vec<Effect> {
    let base: String = name.chars().take(36).collect();
    let name = model.workspaces.unique_name(&base);
    let index = model.workspaces.add(name, None, text);
    switch_to(model, index)
}

/// Whether `msg` may have changed the workspace text: the autosave clock
/// starts on it. Net events but replies (Print it) never edit.
pub fn note(model: &mut Model, msg: &Msg) {
    let edits = match msg {
        Msg::Tick(_) => false,
        Msg::Net(event) => matches!(event, NetEvent::Reply { .. }),
        _ => true,
    };
    model.workspaces.autosave.touched |= edits;
}

/// The clock: a changed workspace is saved once typing has paused for
/// [`AUTOSAVE_QUIET`], or after [`AUTOSAVE_LONGEST`] of typing on.
pub fn tick(model: &mut Model, now: Instant) -> Vec<Effect> {
    let clock = &mut model.workspaces.autosave;
    if std::mem::take(&mut clock.touched) {
        clock.last = Some(now);
        clock.first.get_or_insert(now);
    }
    let (Some(first), Some(last)) = (clock.first, clock.last) else {
        return vec![];
    };
    let due = now.saturating_duration_since(last) >= AUTOSAVE_QUIET
        || now.saturating_duration_since(first) >= AUTOSAVE_LONGEST;
    if !due {
        return vec![];
    }
    (clock.first, clock.last) = (None, None);
    save_if_changed(model).into_iter().collect()
}

/// Write the active workspace's own file if its text changed since.
fn save_if_changed(model: &mut Model) -> Option<Effect> {
    let text = model.view.editor.text();
    let hash = text_hash(&text);
    let path = model
        .workspaces
        .path_of(&model.workspaces.active_tab().name);
    let tab = model.workspaces.active_tab_mut();
    if tab.saved == Some(hash) {
        return None;
    }
    tab.saved = Some(hash);
    Some(Effect::SaveWorkspace { path, text })
}

/// The tabs file, by the STUI that holds the data directory.
fn tabs_file(model: &Model) -> Vec<Effect> {
    let workspaces = &model.workspaces;
    if !workspaces.owns_tabs_file {
        return vec![];
    }
    vec![Effect::SaveWorkspace {
        path: workspaces.tabs_file(),
        text: workspaces.tabs_file_text(),
    }]
}

/// Make workspace `index` the active one: the editors trade places.
fn switch_to(model: &mut Model, index: usize) -> Vec<Effect> {
    if index == model.workspaces.active || index >= model.workspaces.tabs.len() {
        return vec![];
    }
    let mut effects: Vec<Effect> = save_if_changed(model).into_iter().collect();
    model.history.end_recall();
    let workspaces = &mut model.workspaces;
    std::mem::swap(
        &mut model.view.editor,
        &mut workspaces.tabs[workspaces.active].parked,
    );
    workspaces.active = index;
    std::mem::swap(&mut model.view.editor, &mut workspaces.tabs[index].parked);
    effects.extend(tabs_file(model));
    effects
}

/// Close the active workspace and delete its file; the last one closed
/// leaves an empty one.
fn close_active(model: &mut Model) -> Vec<Effect> {
    let workspaces = &mut model.workspaces;
    let closed = workspaces.tabs.remove(workspaces.active);
    if workspaces.tabs.is_empty() {
        workspaces.add("1".into(), None, "");
    }
    workspaces.active = workspaces.active.min(workspaces.tabs.len() - 1);
    model.view.editor = std::mem::take(&mut workspaces.active_tab_mut().parked);
    let mut effects = vec![Effect::Workspaces(WorkspaceEffect::Remove(
        workspaces.path_of(&closed.name),
    ))];
    effects.extend(tabs_file(model));
    notice(model, format!("Closed workspace {}.", closed.name));
    effects
}

fn ask(model: &mut Model, kind: PromptKind, input: String) -> Vec<Effect> {
    model.workspaces.prompt = Some(WorkspacePrompt {
        kind,
        input,
        error: None,
    });
    vec![]
}

fn prompt_key(model: &mut Model, key: PromptKey) -> Vec<Effect> {
    let Some(prompt) = model.workspaces.prompt.as_mut() else {
        return vec![];
    };
    if prompt.kind == PromptKind::ConfirmClose {
        model.workspaces.prompt = None;
        let yes = matches!(key, PromptKey::Type('y' | 'Y'));
        return if yes { close_active(model) } else { vec![] };
    }
    match key {
        PromptKey::Cancel => model.workspaces.prompt = None,
        PromptKey::Accept => return answer(model),
        typing => {
            typing.edit(&mut prompt.input);
        }
    }
    if let Some(prompt) = model.workspaces.prompt.as_mut() {
        prompt.error = None;
    }
    vec![]
}

/// Enter in the prompt: carry out what it asked, or say why not and stay.
fn answer(model: &mut Model) -> Vec<Effect> {
    let Some(prompt) = model.workspaces.prompt.take() else {
        return vec![];
    };
    let input = prompt.input.trim().to_string();
    let outcome = match prompt.kind {
        PromptKind::Rename => rename(model, input),
        PromptKind::Open if !input.is_empty() => {
            Ok(vec![Effect::Workspaces(WorkspaceEffect::Open(input))])
        }
        PromptKind::SaveAs if !input.is_empty() => Ok(export(model, input)),
        PromptKind::Open | PromptKind::SaveAs => Err("a file name is needed"),
        PromptKind::ConfirmClose => Ok(vec![]),
    };
    outcome.unwrap_or_else(|error| {
        model.workspaces.prompt = Some(WorkspacePrompt {
            error: Some(error.into()),
            ..prompt
        });
        vec![]
    })
}

/// The active workspace takes `name`: its file moves with it.
fn rename(model: &mut Model, name: String) -> Result<Vec<Effect>, &'static str> {
    let workspaces = &model.workspaces;
    let old = workspaces.active_tab().name.clone();
    if name == old {
        return Ok(vec![]);
    }
    if let Some(problem) = name_problem(&name) {
        return Err(problem);
    }
    if workspaces.find(&name).is_some() {
        return Err("another workspace has that name");
    }
    let old_path = workspaces.path_of(&old);
    model.workspaces.active_tab_mut().name = name;
    model.workspaces.active_tab_mut().saved = None;
    let mut effects: Vec<Effect> = save_if_changed(model).into_iter().collect();
    effects.push(Effect::Workspaces(WorkspaceEffect::Remove(old_path)));
    effects.extend(tabs_file(model));
    Ok(effects)
}

fn export(model: &Model, path: String) -> Vec<Effect> {
    vec![Effect::Workspaces(WorkspaceEffect::Export {
        tab: model.workspaces.active_tab().id,
        path,
        text: model.view.editor.text(),
    })]
}

/// A file read for Open becomes a new workspace (or the one already holding it).
fn opened(model: &mut Model, path: PathBuf, text: Result<String, String>) -> Vec<Effect> {
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            notice(model, format!("Cannot open {}: {error}", path.display()));
            return vec![];
        }
    };
    let workspaces = &mut model.workspaces;
    if let Some(index) = workspaces
        .tabs
        .iter()
        .position(|t| t.file == Some(path.clone()))
    {
        let name = workspaces.tabs[index].name.clone();
        notice(
            model,
            format!("{} is open already: workspace {name}.", path.display()),
        );
        return switch_to(model, index);
    }
    let name = workspaces.unique_name(&name_from_path(&path));
    let index = workspaces.add(name.clone(), Some(path.clone()), &text);
    // Its own copy in the data directory is yet to be written.
    workspaces.tabs[index].saved = None;
    let mut effects = switch_to(model, index);
    effects.extend(save_if_changed(model));
    notice(
        model,
        format!("Opened {} as workspace {name}.", path.display()),
    );
    effects
}

fn saved_to(model: &mut Model, tab: u64, path: PathBuf, error: Option<String>) -> Vec<Effect> {
    let Some(index) = model.workspaces.tabs.iter().position(|t| t.id == tab) else {
        return vec![];
    };
    let name = model.workspaces.tabs[index].name.clone();
    if let Some(error) = error {
        let text = format!(
            "Cannot save workspace {name} to {}: {error}",
            path.display()
        );
        notice(model, text);
        return vec![];
    }
    notice(
        model,
        format!("Saved workspace {name} to {}.", path.display()),
    );
    model.workspaces.tabs[index].file = Some(path);
    tabs_file(model)
}

fn notice(model: &mut Model, text: String) {
    model.transcript.push(TranscriptEntry::Notice(text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    fn ws(msg: WorkspaceMsg) -> Msg {
        Msg::Workspaces(msg)
    }

    fn type_text(model: &mut Model, text: &str) {
        for c in text.chars() {
            let key = KeyEvent::new(Key::Char(c), KeyModifiers::NONE);
            update(model, Msg::Edit(key));
        }
    }

    fn answer(model: &mut Model, text: &str) -> Vec<Effect> {
        for c in text.chars() {
            update(model, ws(WorkspaceMsg::Prompt(PromptKey::Type(c))));
        }
        update(model, ws(WorkspaceMsg::Prompt(PromptKey::Accept)))
    }

    fn names(model: &Model) -> Vec<&str> {
        let tabs = &model.workspaces.tabs;
        tabs.iter().map(|tab| tab.name.as_str()).collect()
    }

    fn save(path: &str, text: &str) -> Effect {
        Effect::SaveWorkspace {
            path: PathBuf::from(path),
            text: text.into(),
        }
    }

    fn remove(path: &str) -> Effect {
        Effect::Workspaces(WorkspaceEffect::Remove(PathBuf::from(path)))
    }

    fn last_notice(model: &Model) -> &str {
        match model.transcript.last() {
            Some(TranscriptEntry::Notice(text)) => text,
            other => panic!("expected a notice, got {other:?}"),
        }
    }

    fn is_tabs_file(effect: &Effect) -> bool {
        matches!(effect, Effect::SaveWorkspace { path, .. } if path.ends_with("tabs.json"))
    }

    #[test]
    fn a_new_workspace_is_empty_and_each_keeps_its_text_cursor_and_undo() {
        let mut model = Model::new("a", "s");
        type_text(&mut model, "3 + 4");
        let effects = update(&mut model, ws(WorkspaceMsg::New));
        assert_eq!(effects[0], save("workspaces/1.st", "3 + 4"));
        assert!(is_tabs_file(&effects[1]));
        assert_eq!(
            (names(&model), model.workspaces.active),
            (vec!["1", "2"], 1)
        );
        assert_eq!(model.view.editor.text(), "");
        type_text(&mut model, "x");
        update(&mut model, ws(WorkspaceMsg::Next));
        assert_eq!(model.workspaces.active, 0, "next wraps around");
        assert_eq!(model.view.editor.text(), "3 + 4");
        assert_eq!(model.view.editor.area.cursor(), (0, 5));
        update(&mut model, Msg::EditCommand(crate::ui::EditCommand::Undo));
        assert_eq!(
            model.view.editor.text(),
            "",
            "its own undo (typed at once: one step)"
        );
        update(&mut model, ws(WorkspaceMsg::Previous));
        assert_eq!(model.view.editor.text(), "x");
        // A recall begun in one workspace does not bring its draft into another.
        model.history = crate::ui::History::new(vec!["1 + 2".into()]);
        update(&mut model, Msg::HistoryOlder);
        update(&mut model, ws(WorkspaceMsg::Next));
        update(&mut model, Msg::HistoryNewer);
        assert_eq!(model.view.editor.text(), "");
        update(&mut model, ws(WorkspaceMsg::Next));
        assert_eq!(model.view.editor.text(), "1 + 2");
        let tabs = model.workspaces.tabs_file_text();
        assert!(tabs.contains("\"active\": 1"), "{tabs}");
    }

    #[test]
    fn go_to_jumps_to_the_nth_workspace_and_says_when_there_is_none() {
        let mut model = Model::new("a", "s");
        type_text(&mut model, "one");
        for text in ["two", "three"] {
            update(&mut model, ws(WorkspaceMsg::New));
            type_text(&mut model, text);
        }
        let effects = update(&mut model, ws(WorkspaceMsg::GoTo(0)));
        assert_eq!(model.workspaces.active, 0);
        assert_eq!(model.view.editor.text(), "one");
        assert!(effects.iter().any(is_tabs_file), "the active tab is kept");
        update(&mut model, ws(WorkspaceMsg::GoTo(1)));
        assert_eq!(model.view.editor.text(), "two");
        assert!(update(&mut model, ws(WorkspaceMsg::GoTo(5))).is_empty());
        assert_eq!(model.workspaces.active, 1);
        assert_eq!(model.status.message(), Some("There is no workspace 6."));
    }

    #[test]
    fn closing_asks_when_there_is_text_and_deletes_the_file() {
        let mut model = Model::new("a", "s");
        update(&mut model, ws(WorkspaceMsg::New));
        let effects = update(&mut model, ws(WorkspaceMsg::Close));
        assert_eq!(effects[0], remove("workspaces/2.st"), "empty: no question");
        assert_eq!(names(&model), ["1"]);
        assert_eq!(last_notice(&model), "Closed workspace 2.");

        type_text(&mut model, "keep me");
        assert!(update(&mut model, ws(WorkspaceMsg::Close)).is_empty());
        let prompt = model.workspaces.prompt.as_ref().map(|p| p.kind);
        assert_eq!(prompt, Some(PromptKind::ConfirmClose));
        update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Type('n'))));
        assert_eq!(model.workspaces.prompt, None);
        assert_eq!(model.view.editor.text(), "keep me");

        update(&mut model, ws(WorkspaceMsg::Close));
        let effects = update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Type('y'))));
        assert_eq!(effects[0], remove("workspaces/1.st"));
        assert_eq!(
            names(&model),
            ["1"],
            "the last one closed leaves an empty one"
        );
        assert_eq!(model.view.editor.text(), "");
    }

    #[test]
    fn renaming_moves_the_file_and_refuses_bad_or_taken_names() {
        let mut model = Model::new("a", "s");
        type_text(&mut model, "1 + 1");
        update(&mut model, ws(WorkspaceMsg::New));
        update(&mut model, ws(WorkspaceMsg::Rename));
        let prompt = model.workspaces.prompt.clone().unwrap();
        assert_eq!(
            (prompt.kind, prompt.input.as_str()),
            (PromptKind::Rename, "2")
        );
        update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Backspace)));
        assert!(answer(&mut model, "1").is_empty());
        let error = model
            .workspaces
            .prompt
            .as_ref()
            .and_then(|p| p.error.clone());
        assert_eq!(error.as_deref(), Some("another workspace has that name"));
        update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Backspace)));
        assert!(answer(&mut model, "a/b").is_empty());
        assert!(model.workspaces.prompt.is_some(), "it stays open");
        for _ in 0..3 {
            update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Backspace)));
        }
        let effects = answer(&mut model, "bank");
        assert_eq!(names(&model), ["1", "bank"]);
        assert_eq!(model.workspaces.prompt, None);
        assert_eq!(effects[0], save("workspaces/bank.st", ""));
        assert_eq!(effects[1], remove("workspaces/2.st"));
        assert!(is_tabs_file(&effects[2]));

        update(&mut model, ws(WorkspaceMsg::Rename));
        update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Cancel)));
        assert_eq!(
            (names(&model)[1], &model.workspaces.prompt),
            ("bank", &None)
        );
    }

    #[test]
    fn a_file_opens_as_a_new_workspace_that_remembers_its_path() {
        let mut model = Model::new("a", "s");
        update(&mut model, ws(WorkspaceMsg::Open));
        assert!(answer(&mut model, "  ").is_empty(), "no file name");
        let effects = answer(&mut model, "~/bank.st");
        let open = Effect::Workspaces(WorkspaceEffect::Open("~/bank.st".into()));
        assert_eq!(effects, [open]);

        let path = PathBuf::from("/home/ann/bank.st");
        let opened = |text: Result<&str, &str>| {
            let text = text.map(String::from).map_err(String::from);
            let path = path.clone();
            ws(WorkspaceMsg::Opened { path, text })
        };
        let effects = update(&mut model, opened(Ok("Object subclass: #Bank")));
        assert_eq!(
            (names(&model), model.workspaces.active),
            (vec!["1", "bank"], 1)
        );
        assert_eq!(model.view.editor.text(), "Object subclass: #Bank");
        assert_eq!(model.workspaces.active_tab().file, Some(path.clone()));
        assert!(effects.contains(&save("workspaces/bank.st", "Object subclass: #Bank")));
        assert_eq!(
            last_notice(&model),
            "Opened /home/ann/bank.st as workspace bank."
        );

        update(&mut model, ws(WorkspaceMsg::Previous));
        update(&mut model, opened(Ok("other")));
        assert_eq!(
            (names(&model).len(), model.workspaces.active),
            (2, 1),
            "open already"
        );

        update(
            &mut model,
            opened(Err("No such file or directory (os error 2)")),
        );
        assert_eq!(
            last_notice(&model),
            "Cannot open /home/ann/bank.st: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn saving_asks_for_a_file_once_then_goes_back_there() {
        let mut model = Model::new("a", "s").with_workspace("3 + 4");
        assert!(update(&mut model, ws(WorkspaceMsg::Save)).is_empty());
        let kind = model.workspaces.prompt.as_ref().map(|p| p.kind);
        assert_eq!(kind, Some(PromptKind::SaveAs));
        let effects = answer(&mut model, "out.st");
        let export = |path: &str| {
            let (path, text) = (path.into(), "3 + 4".into());
            Effect::Workspaces(WorkspaceEffect::Export { tab: 1, path, text })
        };
        assert_eq!(effects, [export("out.st")]);
        let saved_to = |error: Option<&str>| {
            let path = PathBuf::from("/work/out.st");
            ws(WorkspaceMsg::SavedTo {
                tab: 1,
                path,
                error: error.map(String::from),
            })
        };
        update(
            &mut model,
            saved_to(Some("Permission denied (os error 13)")),
        );
        assert_eq!(
            last_notice(&model),
            "Cannot save workspace 1 to /work/out.st: Permission denied (os error 13)"
        );
        assert_eq!(model.workspaces.active_tab().file, None);
        let effects = update(&mut model, saved_to(None));
        assert_eq!(last_notice(&model), "Saved workspace 1 to /work/out.st.");
        assert!(is_tabs_file(&effects[0]), "the path is remembered");
        assert_eq!(
            update(&mut model, ws(WorkspaceMsg::Save)),
            [export("/work/out.st")]
        );
        update(&mut model, ws(WorkspaceMsg::SaveAs));
        let input = model.workspaces.prompt.as_ref().map(|p| p.input.as_str());
        assert_eq!(input, Some("/work/out.st"), "save as starts from it");
        update(&mut model, ws(WorkspaceMsg::Prompt(PromptKey::Clear)));
        let effects = answer(&mut model, "/tmp/b.st");
        assert_eq!(effects, [export("/tmp/b.st")]);
    }

    #[test]
    fn the_autosave_comes_a_second_after_typing_stops_and_only_for_a_change() {
        let mut model = Model::new("a", "s");
        let start = Instant::now();
        let at = |ms: u64| Msg::Tick(start + Duration::from_millis(ms));
        type_text(&mut model, "2 + 2");
        assert!(update(&mut model, at(0)).is_empty());
        assert!(update(&mut model, at(900)).is_empty());
        assert_eq!(
            update(&mut model, at(1000)),
            [save("workspaces/1.st", "2 + 2")]
        );
        assert!(update(&mut model, at(3000)).is_empty(), "saved once");
        // Moving the cursor changes nothing to save.
        update(
            &mut model,
            Msg::Edit(KeyEvent::new(Key::Left, KeyModifiers::NONE)),
        );
        update(&mut model, at(3100));
        assert!(update(&mut model, at(4200)).is_empty());
        // Typing on and on is saved every five seconds at least.
        let mut saves = 0;
        for step in 0..30 {
            type_text(&mut model, "x");
            saves += update(&mut model, at(5000 + step * 200)).len();
        }
        assert_eq!(saves, 1);
        // Output arriving is no typing: it does not start the clock.
        update(&mut model, at(20_000));
        let output = NetEvent::Transcript {
            text: "tick".into(),
            dropped: 0,
        };
        update(&mut model, Msg::Net(output));
        assert!(!model.workspaces.autosave.touched);
    }

    #[test]
    fn a_failed_save_is_said_and_tried_again_after_the_next_edit() {
        let mut model = Model::new("a", "s");
        let start = Instant::now();
        type_text(&mut model, "y");
        update(&mut model, Msg::Tick(start));
        assert_eq!(
            update(&mut model, Msg::Tick(start + AUTOSAVE_QUIET)).len(),
            1
        );
        let path = PathBuf::from("workspaces/1.st");
        let error = "No space left on device (os error 28)".to_string();
        update(&mut model, ws(WorkspaceMsg::SaveFailed { path, error }));
        assert_eq!(
            last_notice(&model),
            "Cannot save to workspaces/1.st: No space left on device (os error 28)"
        );
        update(
            &mut model,
            Msg::Edit(KeyEvent::new(Key::Left, KeyModifiers::NONE)),
        );
        update(&mut model, Msg::Tick(start + AUTOSAVE_QUIET * 2));
        let again = update(&mut model, Msg::Tick(start + AUTOSAVE_QUIET * 3));
        assert_eq!(again, [save("workspaces/1.st", "y")]);
    }

    #[test]
    fn a_stui_without_the_lock_writes_tagged_files_and_no_tabs_file() {
        let workspaces = crate::ui::Workspaces::new("w".into(), "-pid7".into(), false);
        let mut model = Model::new("a", "s").with_workspaces(workspaces);
        type_text(&mut model, "3 + 3");
        let effects = update(&mut model, ws(WorkspaceMsg::New));
        assert_eq!(effects, [save("w/1-pid7.st", "3 + 3")]);
    }
}
