//! Fuzzing the reply decoder: whatever bytes come back from a server, the
//! client's decode path (bytes, UTF-8 check, `Reply::from_json`,
//! `decode_answer` for the request that was sent) never panics, and answers
//! a typed result of that request's type, the server's error object, or a
//! malformed-reply error.
//!
//! Inputs: arbitrary bytes, arbitrary JSON, and mutations (truncation, byte
//! flips, member deletion, type changes, huge numbers, deep nesting, invalid
//! UTF-8) of a small corpus: the replies recorded from the real server
//! (`tests/fixtures/replies/`) and hand-picked nasty inputs
//! (`tests/corpus/replies/`).

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value, json};
use stui::net::Answer;
use stui::net::NetError;
use stui::net::client::{decode_answer, read_reply};
use stui::protocol::*;

/// What the client makes of a reply's bytes for `request` (the decode path
/// of `Client::send_observed` and the bridge).
fn client_decode(
    bytes: &[u8],
    request: &RequestBody,
) -> Result<Result<Answer, ErrorObject>, NetError> {
    decode_answer(request, read_reply(bytes)?)
}

/// One request of every type of the registry.
fn every_request() -> Vec<RequestBody> {
    RequestBody::examples()
}

/// How one input decoded for each request type, in [`every_request`] order.
type Outcomes = Vec<Result<Result<Answer, ErrorObject>, NetError>>;

/// Decodes `bytes` for every request type and checks the rule: a typed
/// result of the request's own type (only from an `ok: true` reply), the
/// server's error object (only from an `ok: false` reply), or a malformed
/// reply; and every outcome can be shown to the user.
fn decode_everywhere(bytes: &[u8]) -> Outcomes {
    let requests = every_request();
    // `ok` as the envelope says it. `Value` may refuse what the reply
    // decoder rightly skips (say 1e400 in a member nobody reads), so the
    // envelope is read by `Reply` itself, and checked against `Value` where
    // both can read it.
    let reply_ok = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| Reply::from_json(text).ok())
        .map(|reply| json!(reply.ok));
    if let (Some(ok), Ok(value)) = (&reply_ok, serde_json::from_slice::<Value>(bytes)) {
        assert_eq!(value.get("ok"), Some(ok), "Reply reads ok as it is");
    }
    requests
        .iter()
        .map(|request| {
            let decoded = client_decode(bytes, request);
            match &decoded {
                Ok(Ok(answer)) => {
                    assert_eq!(answer.type_name(), request.type_name());
                    assert_eq!(reply_ok, Some(json!(true)), "a result from a failure");
                }
                Ok(Err(error)) => {
                    assert_eq!(reply_ok, Some(json!(false)), "an error from a success");
                    let _shown = error.to_string();
                }
                Err(NetError::Malformed(why)) => assert!(!why.is_empty()),
                Err(other) => panic!("decoding answered {other:?}"),
            }
            if let Err(error) = &decoded {
                let _shown = error.to_string();
            }
            decoded
        })
        .collect()
}

fn is_malformed(outcomes: &Outcomes) -> bool {
    outcomes
        .iter()
        .all(|outcome| matches!(outcome, Err(NetError::Malformed(_))))
}

fn read_dir(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The recorded replies and the nasty inputs, read once.
fn corpus() -> &'static [(String, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut corpus = read_dir("tests/fixtures/replies");
        corpus.extend(read_dir("tests/corpus/replies"));
        corpus
    })
}

/// The corpus inputs that are JSON replies (for member-level mutations).
fn json_corpus() -> &'static [Value] {
    static JSON: OnceLock<Vec<Value>> = OnceLock::new();
    JSON.get_or_init(|| {
        corpus()
            .iter()
            .filter_map(|(_, bytes)| serde_json::from_slice::<Value>(bytes).ok())
            .filter(Value::is_object)
            .collect()
    })
}

/// Every member of `value` as a JSON pointer (`/result/fields/0/name`).
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    let path = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                    walk(member, path.clone(), out);
                    out.push(path);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let path = format!("{at}/{index}");
                    walk(item, path.clone(), out);
                    out.push(path);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// Removes the member or element at `pointer`.
fn delete(value: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer has a slash");
    let last = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(members)) => {
            members.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = last.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "ping",
            "ok",
            "result",
            "error",
            "code",
            "message",
            "h1",
            "evaluation_error",
            "syntax_error",
            "class",
            "selector",
            "",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((member_name(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Member names the decoder knows, and some it does not.
fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "stui", "id", "ok", "result", "error", "code", "message", "line", "column", "class",
            "stack", "field", "what", "supported", "output", "type", "uptime_ms", "print",
            "handle", "text", "next", "methods", "selector", "meta", "candidates", "kind",
        ])
        .prop_map(String::from),
        1 => "[a-z_]{1,8}",
    ]
}

/// A number beyond what the typed fields hold, as JSON text.
fn huge_number() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "18446744073709551616",
        "4294967296",
        "-1",
        "-9223372036854775809",
        "1e400",
        "-1e400",
        "1.5",
        "0.0000000000000000000000001",
        "123456789012345678901234567890123456789012345678901234567890",
    ])
}

/// One mutation of a corpus input.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    FlipByte(Index, u8),
    InsertBytes(Index, Vec<u8>),
    DeleteMember(Index),
    ReplaceMember(Index, Value),
    HugeNumber(Index, &'static str),
    Nest(Index, usize),
    InvalidUtf8(Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), 1..=255u8).prop_map(|(at, bits)| Mutation::FlipByte(at, bits)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::InsertBytes(at, bytes)),
        any::<Index>().prop_map(Mutation::DeleteMember),
        (any::<Index>(), any_json()).prop_map(|(at, value)| Mutation::ReplaceMember(at, value)),
        (any::<Index>(), huge_number()).prop_map(|(at, number)| Mutation::HugeNumber(at, number)),
        (any::<Index>(), 1..400usize).prop_map(|(at, depth)| Mutation::Nest(at, depth)),
        (
            any::<Index>(),
            prop::collection::vec(
                prop::sample::select(vec![0x80u8, 0xbf, 0xc0, 0xc3, 0xed, 0xf5, 0xfe, 0xff]),
                1..4
            )
        )
            .prop_map(|(at, bytes)| Mutation::InvalidUtf8(at, bytes)),
    ]
}

/// A placeholder no corpus input contains, swapped for raw text after
/// serialising (for numbers and nesting that `Value` cannot hold).
const SPLICE: &str = "\u{1}stui-splice\u{1}";

/// Applies `mutation` to the corpus input `input` (bytes) or, for member
/// mutations, to `json`, the JSON input chosen alongside it.
fn mutate(input: &[u8], json: &Value, mutation: &Mutation) -> Vec<u8> {
    let mut bytes = input.to_vec();
    let with_member = |at: &Index, raw: &dyn Fn(&Value) -> String| -> Vec<u8> {
        let mut value = json.clone();
        let pointers = pointers(&value);
        if pointers.is_empty() {
            return value.to_string().into_bytes();
        }
        let pointer = &pointers[at.index(pointers.len())];
        let old = value.pointer(pointer).cloned().unwrap_or(Value::Null);
        *value.pointer_mut(pointer).unwrap() = Value::from(SPLICE);
        value
            .to_string()
            .replacen(&Value::from(SPLICE).to_string(), &raw(&old), 1)
            .into_bytes()
    };
    match mutation {
        Mutation::Truncate(at) => {
            bytes.truncate(at.index(bytes.len() + 1));
            bytes
        }
        Mutation::FlipByte(at, bits) => {
            if !bytes.is_empty() {
                let at = at.index(bytes.len());
                bytes[at] ^= bits;
            }
            bytes
        }
        Mutation::InsertBytes(at, extra) | Mutation::InvalidUtf8(at, extra) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, extra.iter().copied());
            bytes
        }
        Mutation::DeleteMember(at) => {
            let mut value = json.clone();
            let pointers = pointers(&value);
            if !pointers.is_empty() {
                delete(&mut value, &pointers[at.index(pointers.len())]);
            }
            value.to_string().into_bytes()
        }
        Mutation::ReplaceMember(at, new) => with_member(at, &|_| new.to_string()),
        Mutation::HugeNumber(at, number) => with_member(at, &|_| number.to_string()),
        Mutation::Nest(at, depth) => with_member(at, &|old| {
            format!("{}{old}{}", "[".repeat(*depth), "]".repeat(*depth))
        }),
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/reply_fuzz.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everywhere(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        decode_everywhere(value.to_string().as_bytes());
    }

    /// Arbitrary results and errors inside a well-formed envelope reach the
    /// typed decoding of every request type.
    #[test]
    fn arbitrary_results_and_errors_never_panic(
        ok in any::<bool>(),
        id in prop_oneof![Just(Value::Null), ".{0,8}".prop_map(Value::from)],
        result in any_json(),
        error in any_json(),
    ) {
        let reply = json!({"stui": 1, "id": id, "ok": ok, "result": result, "error": error});
        decode_everywhere(reply.to_string().as_bytes());
    }

    #[test]
    fn mutated_corpus_replies_never_panic(
        input in any::<Index>(),
        json in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (_, bytes) = &corpus()[input.index(corpus().len())];
        let json = &json_corpus()[json.index(json_corpus().len())];
        let mut bytes = bytes.clone();
        for mutation in &mutations {
            bytes = mutate(&bytes, json, mutation);
        }
        decode_everywhere(&bytes);
    }

    /// Forward compatibility: members the client does not know, added to
    /// any object of a recorded reply, change nothing it decodes.
    #[test]
    fn unknown_members_in_recorded_replies_change_nothing(
        input in any::<Index>(),
        at in any::<Index>(),
        name in "x_[a-z]{1,8}",
        extra in any_json(),
    ) {
        let recorded = read_recorded();
        let (_, bytes) = &recorded[input.index(recorded.len())];
        let original: Value = serde_json::from_slice(bytes).unwrap();
        let mut value = original.clone();
        let mut objects: Vec<String> = pointers(&value)
            .into_iter()
            .filter(|pointer| value.pointer(pointer).is_some_and(Value::is_object))
            .collect();
        objects.push(String::new());
        let pointer = &objects[at.index(objects.len())];
        if let Some(Value::Object(members)) = value.pointer_mut(pointer) {
            members.insert(name, extra);
        }
        let before = decode_everywhere(bytes);
        let after = decode_everywhere(value.to_string().as_bytes());
        prop_assert_eq!(before, after);
    }
}

fn read_recorded() -> &'static [(String, Vec<u8>)] {
    static RECORDED: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    RECORDED.get_or_init(|| read_dir("tests/fixtures/replies"))
}

// ---- the corpus, input by input ----------------------------------------------

#[test]
fn every_corpus_input_decodes_without_panicking() {
    assert!(corpus().len() >= 40, "the corpus is in place");
    for (name, bytes) in corpus() {
        let outcomes = decode_everywhere(bytes);
        assert_eq!(outcomes.len(), ALL_TYPES.len(), "{name}");
    }
}

fn nasty(name: &str) -> Outcomes {
    let (_, bytes) = corpus()
        .iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("no corpus input {name}"));
    decode_everywhere(bytes)
}

fn malformed_reason(outcomes: &Outcomes) -> String {
    match &outcomes[0] {
        Err(NetError::Malformed(why)) => why.clone(),
        other => panic!("expected a malformed reply, got {other:?}"),
    }
}

#[test]
fn nesting_beyond_the_limit_is_a_malformed_reply() {
    // serde_json stops at 128 levels: no stack overflow, a clear error.
    for name in ["deep_arrays.json", "deep_objects_in_error.json"] {
        let outcomes = nasty(name);
        assert!(is_malformed(&outcomes), "{name}");
        assert!(
            malformed_reason(&outcomes).contains("recursion limit"),
            "{name}"
        );
    }
    let deep = format!(
        r#"{{"stui":1,"id":"d","ok":true,"result":{}{}}}"#,
        "[".repeat(1_000_000),
        "]".repeat(1_000_000)
    );
    assert!(is_malformed(&decode_everywhere(deep.as_bytes())));
}

#[test]
fn a_deep_but_allowed_cursor_is_kept_as_sent() {
    let outcomes = nasty("deep_cursor_within_limit.json");
    let transcript = every_request()
        .iter()
        .position(|request| request.type_name() == "transcript")
        .unwrap();
    match &outcomes[transcript] {
        Ok(Ok(Answer::Transcript(result))) => {
            let mut depth = 0;
            let mut cursor = &result.next;
            while let Value::Array(items) = cursor {
                depth += 1;
                cursor = &items[0];
            }
            assert_eq!((depth, cursor), (100, &json!(7)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nasty_inputs_are_malformed_replies() {
    for name in [
        "huge_numbers.json",
        "huge_stui.json",
        "negative_line.json",
        "invalid_utf8_in_string.bin",
        "overlong_utf8.bin",
        "lone_surrogate.json",
        "utf8_bom.json",
        "duplicate_members.json",
        "control_characters.json",
        "ok_as_string.json",
        "empty.json",
        "whitespace.json",
        "truncated_escape.json",
        "nulls_everywhere.json",
        "trailing_garbage.json",
        "nan_and_infinity.json",
        "top_level_array.json",
        "error_code_not_string.json",
    ] {
        assert!(is_malformed(&nasty(name)), "{name}: {:?}", nasty(name)[0]);
    }
    assert_eq!(
        malformed_reason(&nasty("invalid_utf8_in_string.bin")),
        "reply is not UTF-8"
    );
}

#[test]
fn an_error_wins_over_a_result_in_a_failure_reply() {
    for outcome in nasty("both_result_and_error.json") {
        match outcome {
            Ok(Err(error)) => assert_eq!(error.code, ErrorCode::Internal),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_long_stack_is_kept_whole() {
    for outcome in nasty("long_stack.json") {
        match outcome {
            Ok(Err(error)) => assert_eq!(error.stack.map(|stack| stack.len()), Some(500)),
            other => panic!("{other:?}"),
        }
    }
}

/// A recorded reply decodes for its own request type and is a malformed
/// reply for every other type whose result has another shape.
#[test]
fn a_recorded_result_decodes_only_as_its_own_shape() {
    let (_, bytes) = read_recorded()
        .iter()
        .find(|(name, _)| name == "class.json")
        .unwrap();
    for (request, outcome) in every_request().iter().zip(decode_everywhere(bytes)) {
        match (request.type_name(), outcome) {
            ("class", Ok(Ok(Answer::Class(class)))) => assert_eq!(class.name, "Association"),
            (kind, Err(NetError::Malformed(why))) => {
                assert!(why.contains("unexpected result shape"), "{kind}: {why}")
            }
            (kind, other) => panic!("{kind}: {other:?}"),
        }
    }
}
