//! The one table of request types. Each row names a type's wire name, its
//! params and result, how long the server may rightly take to answer it,
//! whether it runs code, and an example request; the request and answer
//! enums, their names, the decoding of replies, the time allowances and the
//! type lists all come from it. A new request type is one new row.

use super::{
    ClassParams, ClassResult, CompileParams, CompileResult, CompleteParams, CompleteResult,
    DebugCloseResult, DebugEvaluateParams, DebugFrameParams, DebugFrameResult, DebugListResult,
    DebugStackParams, DebugStackResult, DebugStepParams, DebugStepResult, DebuggerParams,
    DescribeParams, DescribeResult, Empty, EndSessionResult, EvaluateParams, EvaluateResult,
    FileInParams, FileInResult, FileOutParams, FileOutResult, InspectParams, InspectResult,
    InterruptParams, InterruptResult, ListClassesParams, ListClassesResult, MethodParams,
    MethodResult, MethodsResult, PingResult, ReleaseParams, ReleaseResult, SaveImageParams,
    SaveImageResult, SelectorParams, TranscriptParams, TranscriptResult,
};

/// How long an evaluation may run when its request names no `timeout_ms`;
/// the code tools (which walk the image or run printString) get as long.
pub const DEFAULT_EVALUATION_MS: u64 = 30_000;

/// How long the server may rightly take before it replies to a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// Answered at once, in the server's serving process.
    Quick,
    /// The request's own `timeout_ms` (default: [`DEFAULT_EVALUATION_MS`]).
    OwnTimeout,
    /// As long as a default evaluation.
    Evaluation,
}

/// Where a type is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The contract's table (docs/PROTOCOL.md): every server may have it.
    Contract,
    /// An extension of this implementation ("Extensions of this
    /// implementation"): other servers answer `unknown_type`.
    Extension,
}

/// What the registry knows of one request type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    /// The wire name, as in `type` and `describe.types`.
    pub name: &'static str,
    pub allowance: Allowance,
    /// It runs code or changes the image: its resends must carry the
    /// server instance, so a restarted server runs nothing twice.
    pub runs_code: bool,
    pub origin: Origin,
}

/// The allowance of a class, for a request whose params are `$params`.
macro_rules! allowance_of {
    (Quick, $params:expr) => {
        std::time::Duration::ZERO
    };
    (OwnTimeout, $params:expr) => {
        std::time::Duration::from_millis(
            $params
                .timeout_ms
                .unwrap_or($crate::protocol::registry::DEFAULT_EVALUATION_MS),
        )
    };
    (Evaluation, $params:expr) => {
        std::time::Duration::from_millis($crate::protocol::registry::DEFAULT_EVALUATION_MS)
    };
}

/// Generates, in the module that invokes it, `RequestBody`, `Answer`,
/// `ALL_TYPES`, `CONTRACT_TYPES` and `EXTENSION_TYPES` from rows of
/// `Variant(Params) -> Result { name, allowance, runs_code, example }`,
/// the contract's types first, then this implementation's extensions.
macro_rules! request_types {
    (
        contract { $({
            $(#[$c_doc:meta])*
            $c_variant:ident($c_params:ty) -> $c_result:ty {
                name: $c_name:literal,
                allowance: $c_allowance:ident,
                runs_code: $c_runs:literal,
                example: $c_example:expr $(,)?
            }
        })* }
        extensions { $({
            $(#[$e_doc:meta])*
            $e_variant:ident($e_params:ty) -> $e_result:ty {
                name: $e_name:literal,
                allowance: $e_allowance:ident,
                runs_code: $e_runs:literal,
                example: $e_example:expr $(,)?
            }
        })* }
    ) => {
        request_types!(@table
            contract [$($c_name)*]
            extension [$($e_name)*]
            rows [
                $({
                    $(#[$c_doc])*
                    $c_variant($c_params) -> $c_result {
                        name: $c_name,
                        allowance: $c_allowance,
                        runs_code: $c_runs,
                        origin: Contract,
                        example: $c_example
                    }
                })*
                $({
                    $(#[$e_doc])*
                    $e_variant($e_params) -> $e_result {
                        name: $e_name,
                        allowance: $e_allowance,
                        runs_code: $e_runs,
                        origin: Extension,
                        example: $e_example
                    }
                })*
            ]
        );
    };
    (@table
        contract [$($c_name:literal)*]
        extension [$($e_name:literal)*]
        rows [$({
            $(#[$doc:meta])*
            $variant:ident($params:ty) -> $result:ty {
                name: $name:literal,
                allowance: $allowance:ident,
                runs_code: $runs:literal,
                origin: $origin:ident,
                example: $example:expr
            }
        })*]
    ) => {
        /// The request types, each with its params.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type", content = "params")]
        pub enum RequestBody {
            $($(#[$doc])* #[serde(rename = $name)] $variant($params),)*
        }

        /// A decoded successful result, by request type; written out, it is
        /// the result as the server sent it.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(untagged)]
        pub enum Answer {
            $($variant($result),)*
        }

        /// Every request type, the contract's first.
        pub const ALL_TYPES: &[$crate::protocol::registry::TypeInfo] = &[$(
            $crate::protocol::registry::TypeInfo {
                name: $name,
                allowance: $crate::protocol::registry::Allowance::$allowance,
                runs_code: $runs,
                origin: $crate::protocol::registry::Origin::$origin,
            },
        )*];

        /// The types of the contract's table.
        pub const CONTRACT_TYPES: &[&str] = &[$($c_name),*];

        /// The request types this implementation adds to the contract's table.
        pub const EXTENSION_TYPES: &[&str] = &[$($e_name),*];

        impl RequestBody {
            /// The wire name of the type, as in `describe.types`.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)*
                }
            }

            /// What the registry knows of this request's type.
            pub fn info(&self) -> &'static $crate::protocol::registry::TypeInfo {
                let name = self.type_name();
                ALL_TYPES
                    .iter()
                    .find(|info| info.name == name)
                    .expect("every variant has its row")
            }

            /// How long the server may rightly run this request before it
            /// replies (on top of the network's time).
            pub fn allowance(&self) -> std::time::Duration {
                match self {
                    $(Self::$variant(_params) => allowance_of!($allowance, _params),)*
                }
            }

            /// True for the requests that run code or change the image.
            pub fn runs_code(&self) -> bool {
                self.info().runs_code
            }

            /// One example request of every type, in [`ALL_TYPES`] order:
            /// params a server must accept, naming nothing that exists (a
            /// compile of the example changes no class of the image).
            pub fn examples() -> Vec<Self> {
                vec![$(Self::$variant($example),)*]
            }
        }

        impl Answer {
            /// The wire type this is the result of (`RequestBody::type_name`
            /// of its request).
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)*
                }
            }

            /// The typed result of `reply` for `request`, or the server's
            /// error object; a result of the wrong shape is malformed.
            pub fn decode(
                request: &RequestBody,
                reply: $crate::protocol::Reply,
            ) -> Result<
                Result<Self, $crate::protocol::ErrorObject>,
                $crate::protocol::MalformedReply,
            > {
                Ok(match request {
                    $(RequestBody::$variant(_) =>
                        reply.into_result::<$result>()?.map(Self::$variant),)*
                })
            }
        }
    };
}

request_types! {
    contract {
        {
            Ping(Empty) -> PingResult {
                name: "ping",
                allowance: Quick,
                runs_code: false,
                example: Empty {},
            }
        }
        {
            Describe(DescribeParams) -> Box<DescribeResult> {
                name: "describe",
                allowance: Quick,
                runs_code: false,
                example: DescribeParams::default(),
            }
        }
        {
            Evaluate(EvaluateParams) -> EvaluateResult {
                name: "evaluate",
                allowance: OwnTimeout,
                runs_code: true,
                example: EvaluateParams {
                    code: "3 + 4".into(),
                    timeout_ms: None,
                    print_limit: None,
                    receiver: None,
                    debug: None,
                },
            }
        }
        {
            Inspect(InspectParams) -> InspectResult {
                name: "inspect",
                allowance: Evaluation,
                runs_code: true,
                example: InspectParams {
                    code: Some("3 + 4".into()),
                    ..InspectParams::default()
                },
            }
        }
        {
            Release(ReleaseParams) -> ReleaseResult {
                name: "release",
                allowance: Quick,
                runs_code: true,
                example: ReleaseParams::default(),
            }
        }
        {
            ListClasses(ListClassesParams) -> ListClassesResult {
                name: "list_classes",
                allowance: Evaluation,
                runs_code: true,
                example: ListClassesParams {
                    pattern: Some("Ord*".into()),
                    ..ListClassesParams::default()
                },
            }
        }
        {
            Class(ClassParams) -> ClassResult {
                name: "class",
                allowance: Evaluation,
                runs_code: true,
                example: ClassParams {
                    name: "Object".into(),
                },
            }
        }
        {
            Method(MethodParams) -> MethodResult {
                name: "method",
                allowance: Evaluation,
                runs_code: true,
                example: MethodParams {
                    class: "Object".into(),
                    selector: "printString".into(),
                    meta: None,
                },
            }
        }
        {
            Compile(CompileParams) -> CompileResult {
                name: "compile",
                allowance: Evaluation,
                runs_code: true,
                example: CompileParams {
                    class: "StuiNoSuchClass".into(),
                    source: "foo\n\t^ 1".into(),
                    protocol: None,
                    meta: None,
                },
            }
        }
        {
            Senders(SelectorParams) -> MethodsResult {
                name: "senders",
                allowance: Evaluation,
                runs_code: true,
                example: SelectorParams {
                    selector: "printString".into(),
                    limit: None,
                },
            }
        }
        {
            Implementors(SelectorParams) -> MethodsResult {
                name: "implementors",
                allowance: Evaluation,
                runs_code: true,
                example: SelectorParams {
                    selector: "printString".into(),
                    limit: None,
                },
            }
        }
        {
            Complete(CompleteParams) -> CompleteResult {
                name: "complete",
                allowance: Evaluation,
                runs_code: true,
                example: CompleteParams {
                    code: "Obj".into(),
                    cursor: 3,
                },
            }
        }
        {
            Transcript(TranscriptParams) -> TranscriptResult {
                name: "transcript",
                allowance: Quick,
                runs_code: true,
                example: TranscriptParams::default(),
            }
        }
        {
            Interrupt(InterruptParams) -> InterruptResult {
                name: "interrupt",
                allowance: Quick,
                runs_code: true,
                example: InterruptParams::default(),
            }
        }
        {
            /// Debugging: the session's suspended processes.
            DebugList(Empty) -> DebugListResult {
                name: "debug_list",
                allowance: Quick,
                runs_code: false,
                example: Empty {},
            }
        }
        {
            /// Debugging: the frames of a suspended process.
            DebugStack(DebugStackParams) -> DebugStackResult {
                name: "debug_stack",
                allowance: Quick,
                runs_code: false,
                example: DebugStackParams {
                    debugger: "stui-no-such-debugger".into(),
                    limit: None,
                },
            }
        }
        {
            /// Debugging: the receiver and variables of a frame.
            DebugFrame(DebugFrameParams) -> DebugFrameResult {
                name: "debug_frame",
                allowance: Evaluation,
                runs_code: true,
                example: DebugFrameParams {
                    debugger: "stui-no-such-debugger".into(),
                    frame: 0,
                },
            }
        }
        {
            /// Debugging: moves a suspended process (into, over, out,
            /// restart, proceed).
            DebugStep(DebugStepParams) -> DebugStepResult {
                name: "debug_step",
                allowance: OwnTimeout,
                runs_code: true,
                example: DebugStepParams {
                    debugger: "stui-no-such-debugger".into(),
                    how: crate::protocol::StepHow::Over,
                    frame: None,
                    timeout_ms: None,
                },
            }
        }
        {
            /// Debugging: code run in a frame of a suspended process.
            DebugEvaluate(DebugEvaluateParams) -> EvaluateResult {
                name: "debug_evaluate",
                allowance: OwnTimeout,
                runs_code: true,
                example: DebugEvaluateParams {
                    debugger: "stui-no-such-debugger".into(),
                    frame: 0,
                    code: "self".into(),
                    timeout_ms: None,
                    print_limit: None,
                },
            }
        }
        {
            /// Debugging: terminates a suspended process (its `ensure:`
            /// blocks run, which is code of the user).
            DebugClose(DebuggerParams) -> DebugCloseResult {
                name: "debug_close",
                allowance: Evaluation,
                runs_code: true,
                example: DebuggerParams {
                    debugger: "stui-no-such-debugger".into(),
                },
            }
        }
    }
    extensions {
        {
            FileIn(FileInParams) -> FileInResult {
                name: "file_in",
                allowance: OwnTimeout,
                runs_code: true,
                example: FileInParams {
                    code: String::new(),
                    origin: None,
                    timeout_ms: None,
                },
            }
        }
        {
            /// Reads a class only: a resend needs no instance.
            FileOut(FileOutParams) -> FileOutResult {
                name: "file_out",
                allowance: Evaluation,
                runs_code: false,
                example: FileOutParams {
                    class: "Object".into(),
                },
            }
        }
        {
            SaveImage(SaveImageParams) -> SaveImageResult {
                name: "save_image",
                allowance: Evaluation,
                runs_code: true,
                example: SaveImageParams {
                    path: "/nonexistent/stui-example.im".into(),
                },
            }
        }
        {
            /// The client leaves: its session stops counting as active.
            EndSession(Empty) -> EndSessionResult {
                name: "end_session",
                allowance: Quick,
                runs_code: false,
                example: Empty {},
            }
        }
    }
}

/// What the registry knows of the type named `name`, if it is one.
pub fn type_info(name: &str) -> Option<&'static TypeInfo> {
    ALL_TYPES.iter().find(|info| info.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::protocol::{ErrorCode, Reply};

    /// A registry of two rows, one of them a type the real one lacks: its
    /// row alone puts it in the enums, names, lists, allowances and decoding.
    mod extended {
        use serde::{Deserialize, Serialize};

        use crate::protocol::{Empty, PingResult};

        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct EchoParams {
            pub text: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub timeout_ms: Option<u64>,
        }

        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct EchoResult {
            pub echoed: String,
        }

        request_types! {
            contract {
                {
                    Ping(Empty) -> PingResult {
                        name: "ping",
                        allowance: Quick,
                        runs_code: false,
                        example: Empty {},
                    }
                }
            }
            extensions {
                {
                    Echo(EchoParams) -> EchoResult {
                        name: "echo",
                        allowance: OwnTimeout,
                        runs_code: true,
                        example: EchoParams {
                            text: "hi".into(),
                            timeout_ms: Some(5),
                        },
                    }
                }
            }
        }
    }

    fn success(result: serde_json::Value) -> Reply {
        Reply::from_json(&json!({"stui": 1, "id": "i", "ok": true, "result": result}).to_string())
            .unwrap()
    }

    #[test]
    fn a_new_row_is_all_a_new_type_takes() {
        use extended::{ALL_TYPES, Answer, EchoParams, EchoResult, RequestBody};
        let names: Vec<&str> = ALL_TYPES.iter().map(|info| info.name).collect();
        assert_eq!(names, ["ping", "echo"]);
        assert_eq!(extended::CONTRACT_TYPES, ["ping"]);
        assert_eq!(extended::EXTENSION_TYPES, ["echo"]);
        let echo = RequestBody::examples().pop().unwrap();
        assert_eq!(echo.type_name(), "echo");
        assert_eq!(echo.info().origin, Origin::Extension);
        assert!(echo.runs_code());
        assert_eq!(echo.allowance(), Duration::from_millis(5));
        // On the wire as every other type.
        let wire = serde_json::to_value(&echo).unwrap();
        assert_eq!(
            wire,
            json!({"type": "echo", "params": {"text": "hi", "timeout_ms": 5}})
        );
        assert_eq!(serde_json::from_value::<RequestBody>(wire).unwrap(), echo);
        // Its replies decode to its result, and only to its result.
        let answer = Answer::decode(&echo, success(json!({"echoed": "hi"}))).unwrap();
        let expected = EchoResult {
            echoed: "hi".into(),
        };
        assert_eq!(answer, Ok(Answer::Echo(expected)));
        assert_eq!(answer.unwrap().type_name(), "echo");
        assert!(Answer::decode(&echo, success(json!({"uptime_ms": 1}))).is_err());
        let untimed = RequestBody::Echo(EchoParams {
            text: String::new(),
            timeout_ms: None,
        });
        assert_eq!(untimed.allowance(), Duration::from_secs(30));
    }

    #[test]
    fn every_row_names_its_variant_once() {
        let names: Vec<&str> = ALL_TYPES.iter().map(|info| info.name).collect();
        let examples: Vec<&str> = RequestBody::examples()
            .iter()
            .map(RequestBody::type_name)
            .collect();
        assert_eq!(examples, names, "one example per row, in order");
        assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), names.len());
        let contract_then_extensions: Vec<&str> = CONTRACT_TYPES
            .iter()
            .chain(EXTENSION_TYPES)
            .copied()
            .collect();
        assert_eq!(contract_then_extensions, names);
        assert_eq!(CONTRACT_TYPES.len(), 20);
        assert_eq!(
            EXTENSION_TYPES,
            ["file_in", "file_out", "save_image", "end_session"]
        );
        assert!(type_info("evaluate").is_some() && type_info("nothing").is_none());
    }

    /// Resends carry the instance for every type but these.
    #[test]
    fn only_ping_describe_debug_list_and_stack_file_out_and_end_session_run_no_code() {
        let quiet: Vec<&str> = ALL_TYPES
            .iter()
            .filter(|info| !info.runs_code)
            .map(|info| info.name)
            .collect();
        assert_eq!(
            quiet,
            [
                "ping",
                "describe",
                "debug_list",
                "debug_stack",
                "file_out",
                "end_session"
            ]
        );
    }

    #[test]
    fn allowances_follow_their_class() {
        let evaluation = Duration::from_millis(DEFAULT_EVALUATION_MS);
        for example in RequestBody::examples() {
            let expected = match (example.type_name(), example.info().allowance) {
                (_, Allowance::Quick) => Duration::ZERO,
                (
                    "evaluate" | "file_in" | "debug_step" | "debug_evaluate",
                    Allowance::OwnTimeout,
                ) => evaluation,
                (_, Allowance::Evaluation) => evaluation,
                (kind, allowance) => panic!("{kind}: {allowance:?}"),
            };
            assert_eq!(example.allowance(), expected, "{}", example.type_name());
        }
        let quick: Vec<&str> = ALL_TYPES
            .iter()
            .filter(|info| info.allowance == Allowance::Quick)
            .map(|info| info.name)
            .collect();
        assert_eq!(
            quick,
            [
                "ping",
                "describe",
                "release",
                "transcript",
                "interrupt",
                "debug_list",
                "debug_stack",
                "end_session"
            ]
        );
        let mut timed = RequestBody::evaluate("1");
        if let RequestBody::Evaluate(params) = &mut timed {
            params.timeout_ms = Some(500);
        }
        assert_eq!(timed.allowance(), Duration::from_millis(500));
    }

    #[test]
    fn a_failure_decodes_to_the_error_object_for_any_type() {
        let reply = Reply::from_json(
            r#"{"stui":1,"id":"i","ok":false,"error":{"code":"not_found","message":"no"}}"#,
        )
        .unwrap();
        for example in RequestBody::examples() {
            let error = Answer::decode(&example, reply.clone())
                .unwrap()
                .unwrap_err();
            assert_eq!(error.code, ErrorCode::NotFound);
        }
    }
}
