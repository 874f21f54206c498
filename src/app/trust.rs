//! Trust on first use: a server that wants CURVE and whose key is neither
//! pinned (server.public_key) nor in known_servers is not connected to
//! until the user, shown its fingerprint, says yes. Yes writes the key to
//! known_servers (the runtime does, `Effect::TrustServer`) and connects
//! again; no leaves STUI disconnected and says why.

use super::update::Effect;
use crate::net::BridgeCommand;
use crate::ui::trust::{TrustMsg, TrustQuestion};
use crate::ui::{Connection, Model, TranscriptEntry};

/// The bridge met an unknown server key: ask whether to trust it.
pub fn ask(model: &mut Model, question: TrustQuestion) -> Vec<Effect> {
    // The bridge stopped there: nothing connects until the answer.
    model.connection = Connection::Disconnected;
    model.reconnecting = false;
    model.retrying = None;
    model.trust_question = Some(question);
    vec![]
}

pub fn update(model: &mut Model, msg: TrustMsg) -> Vec<Effect> {
    match msg {
        TrustMsg::Trust => trust(model),
        TrustMsg::Refuse => {
            if let Some(question) = model.trust_question.take() {
                refused(model, &question);
            }
            vec![]
        }
        TrustMsg::Written { address, error } => written(model, &address, error),
    }
}

fn trust(model: &mut Model) -> Vec<Effect> {
    let Some(question) = model.trust_question.take() else {
        return vec![];
    };
    model.transcript.push(TranscriptEntry::Notice(format!(
        "Trusting the server at {} (key {}).",
        question.address, question.fingerprint
    )));
    vec![Effect::TrustServer {
        address: question.address,
        public_key: question.public_key,
    }]
}

fn refused(model: &mut Model, question: &TrustQuestion) {
    model.transcript.push(TranscriptEntry::Notice(format!(
        "Not connected: the server at {} was not trusted (its key is {}). \
         F2 asks again; or pin the key its admin gives you as server.public_key.",
        question.address, question.fingerprint
    )));
    model.status.say("Server not trusted: not connected");
}

/// known_servers has the key now (or could not take it): connect, or say why not.
fn written(model: &mut Model, address: &str, error: Option<String>) -> Vec<Effect> {
    if let Some(error) = error {
        model.transcript.push(TranscriptEntry::Notice(format!(
            "Not connected: cannot trust the server at {address}: {error}"
        )));
        return vec![];
    }
    model.transcript.push(TranscriptEntry::Notice(format!(
        "The server at {address} is trusted from now on (known_servers): connecting."
    )));
    model.connection = Connection::Connecting {
        address: model.address.clone(),
        starting_server: false,
    };
    vec![Effect::Bridge(BridgeCommand::Connect)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::app::update::tests::notices;
    use crate::net::NetEvent;
    use crate::ui::Msg;

    const ADDRESS: &str = "tcp://10.0.0.5:5555";
    const KEY: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    const FINGERPRINT: &str = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";

    fn unknown_key() -> Msg {
        Msg::Net(NetEvent::UnknownServerKey {
            address: ADDRESS.into(),
            public_key: KEY.into(),
            fingerprint: FINGERPRINT.into(),
        })
    }

    /// A model asked about the unknown key while connecting, with text in
    /// the workspace.
    fn asked() -> Model {
        let mut model = Model::new(ADDRESS, "s1").with_workspace("x := 3 + 4.");
        model.connection = Connection::Connecting {
            address: ADDRESS.into(),
            starting_server: false,
        };
        assert_eq!(update(&mut model, unknown_key()), vec![]);
        model
    }

    #[test]
    fn an_unknown_server_key_is_asked_about_and_nothing_connects() {
        let model = asked();
        let question = model.trust_question.as_ref().expect("a question");
        assert_eq!(question.address, ADDRESS);
        assert_eq!(question.public_key, KEY);
        assert_eq!(question.fingerprint, FINGERPRINT);
        assert_eq!(model.connection, Connection::Disconnected);
    }

    #[test]
    fn yes_writes_the_key_then_connects_again() {
        let mut model = asked();
        let effects = update(&mut model, Msg::Trust(TrustMsg::Trust));
        assert_eq!(
            effects,
            vec![Effect::TrustServer {
                address: ADDRESS.into(),
                public_key: KEY.into()
            }]
        );
        assert_eq!(model.trust_question, None);
        let written = TrustMsg::Written {
            address: ADDRESS.into(),
            error: None,
        };
        let effects = update(&mut model, Msg::Trust(written));
        assert_eq!(effects, vec![Effect::Bridge(BridgeCommand::Connect)]);
        assert!(matches!(model.connection, Connection::Connecting { .. }));
        assert!(
            notices(&model)
                .iter()
                .any(|n| n.contains("trusted from now on"))
        );
        assert_eq!(model.view.editor.text(), "x := 3 + 4.");
    }

    #[test]
    fn no_stays_disconnected_and_says_why() {
        let mut model = asked();
        assert_eq!(update(&mut model, Msg::Trust(TrustMsg::Refuse)), vec![]);
        assert_eq!(model.trust_question, None);
        assert_eq!(model.connection, Connection::Disconnected);
        let notices = notices(&model);
        let why = notices.last().expect("a notice");
        assert!(
            why.contains("not trusted") && why.contains(FINGERPRINT),
            "{why}"
        );
        assert!(why.contains(ADDRESS), "{why}");
        assert_eq!(model.view.editor.text(), "x := 3 + 4.");
    }

    #[test]
    fn a_key_that_cannot_be_written_is_told_and_nothing_connects() {
        let mut model = asked();
        update(&mut model, Msg::Trust(TrustMsg::Trust));
        let failed = TrustMsg::Written {
            address: ADDRESS.into(),
            error: Some("/ro/known_servers: Permission denied".into()),
        };
        assert_eq!(update(&mut model, Msg::Trust(failed)), vec![]);
        assert_eq!(model.connection, Connection::Disconnected);
        let last = *notices(&model).last().unwrap();
        assert!(
            last.contains("cannot trust") && last.contains("Permission denied"),
            "{last}"
        );
        assert_eq!(model.view.editor.text(), "x := 3 + 4.");
    }

    #[test]
    fn an_answer_without_a_question_does_nothing() {
        let mut model = Model::new(ADDRESS, "s1");
        assert_eq!(update(&mut model, Msg::Trust(TrustMsg::Trust)), vec![]);
        assert_eq!(update(&mut model, Msg::Trust(TrustMsg::Refuse)), vec![]);
        assert!(model.transcript.is_empty());
    }
}
