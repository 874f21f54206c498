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
        PromptKey::Type(c) => prompt.input.push(c),
        PromptKey::Backspace => {
            prompt.input.pop();
        }
        PromptKey::Cancel => model.workspaces.prompt = None,
        PromptKey::Accept => return answer(model),
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
