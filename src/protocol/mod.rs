//! Serde types of the STUI wire protocol, version 1 (`docs/PROTOCOL.md`).
//! No I/O here: the client core and the tests both build on these types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol major version this client speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Longest `id` or `session` the protocol allows.
pub const MAX_ID_CHARS: usize = 128;

/// One request: the envelope plus a typed body (`type` + `params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub stui: u32,
    pub id: String,
    pub session: String,
    #[serde(flatten)]
    pub body: RequestBody,
}

impl Request {
    pub fn new(id: impl Into<String>, session: impl Into<String>, body: RequestBody) -> Self {
        Self {
            stui: PROTOCOL_VERSION,
            id: id.into(),
            session: session.into(),
            body,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a request always serialises")
    }
}

/// The request types this client sends, each with its params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "params", rename_all = "snake_case")]
pub enum RequestBody {
    Ping(Empty),
    Describe(Empty),
    Evaluate(EvaluateParams),
}

impl RequestBody {
    pub fn ping() -> Self {
        Self::Ping(Empty {})
    }

    pub fn describe() -> Self {
        Self::Describe(Empty {})
    }

    pub fn evaluate(code: impl Into<String>) -> Self {
        Self::Evaluate(EvaluateParams {
            code: code.into(),
            timeout_ms: None,
            print_limit: None,
        })
    }

    /// The wire name of the type, as in `describe.types`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Ping(_) => "ping",
            Self::Describe(_) => "describe",
            Self::Evaluate(_) => "evaluate",
        }
    }
}

/// `{}`: the params of `ping` and `describe`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateParams {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_limit: Option<u64>,
}

/// One reply. `id` is null when the server could not read the request's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub stui: u32,
    pub id: Option<String>,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
}

impl Reply {
    pub fn from_json(text: &str) -> Result<Self, MalformedReply> {
        let reply: Reply = serde_json::from_str(text).map_err(|e| MalformedReply(e.to_string()))?;
        if reply.ok && reply.result.is_none() {
            return Err(MalformedReply("reply has ok=true but no result".into()));
        }
        if !reply.ok && reply.error.is_none() {
            return Err(MalformedReply("reply has ok=false but no error".into()));
        }
        Ok(reply)
    }

    /// The typed result or the server's error object; a reply whose result
    /// has the wrong shape is malformed.
    pub fn into_result<T: serde::de::DeserializeOwned>(
        self,
    ) -> Result<Result<T, ErrorObject>, MalformedReply> {
        match (self.ok, self.result, self.error) {
            (true, Some(result), _) => serde_json::from_value(result)
                .map(Ok)
                .map_err(|e| MalformedReply(format!("unexpected result shape: {e}"))),
            (_, _, Some(error)) => Ok(Err(error)),
            _ => Err(MalformedReply("reply has neither result nor error".into())),
        }
    }
}

/// A reply that is not a well-formed protocol reply, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedReply(pub String);

impl std::fmt::Display for MalformedReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed reply: {}", self.0)
    }
}

impl std::error::Error for MalformedReply {}

/// Every error code of the protocol. Codes a newer server may add are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    UnsupportedVersion,
    UnknownType,
    TooLarge,
    SyntaxError,
    EvaluationError,
    Timeout,
    Interrupted,
    NotFound,
    PermissionDenied,
    Internal,
    #[serde(untagged)]
    Other(String),
}

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnsupportedVersion => "unsupported_version",
            Self::UnknownType => "unknown_type",
            Self::TooLarge => "too_large",
            Self::SyntaxError => "syntax_error",
            Self::EvaluationError => "evaluation_error",
            Self::Timeout => "timeout",
            Self::Interrupted => "interrupted",
            Self::NotFound => "not_found",
            Self::PermissionDenied => "permission_denied",
            Self::Internal => "internal",
            Self::Other(code) => code,
        }
    }
}

/// `{"code", "message", …}` with the members each code adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject {
    pub code: ErrorCode,
    pub message: String,
    /// syntax_error: 1-based position in the submitted code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// evaluation_error: the Smalltalk exception class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// evaluation_error: frames, innermost first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<Vec<String>>,
    /// invalid_request: the member that is missing or of the wrong type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// not_found: what was not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// unsupported_version: the versions the server speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<Vec<u32>>,
    /// evaluation_error, timeout: Transcript output written before the error
    /// (an addition of this implementation, see docs/PROTOCOL.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl ErrorObject {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            line: None,
            column: None,
            class: None,
            stack: None,
            field: None,
            what: None,
            supported: None,
            output: None,
        }
    }
}

impl std::fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, self.line, self.column, &self.class) {
            (ErrorCode::SyntaxError, Some(line), Some(column), _) => write!(
                f,
                "Syntax error at line {line}, column {column}: {}",
                self.message
            ),
            (ErrorCode::EvaluationError, _, _, Some(class)) => {
                write!(f, "{class}: {}", self.message)
            }
            (code, ..) => {
                write!(f, "{}: {}", code.as_str(), self.message)?;
                if let Some(field) = &self.field {
                    write!(f, " (field `{field}`)")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingResult {
    pub uptime_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeResult {
    pub server: String,
    pub dialect: String,
    pub dialect_version: String,
    pub protocol: u32,
    pub types: Vec<String>,
    pub max_message_bytes: u64,
    pub pid: u64,
    pub image: Option<String>,
    pub uptime_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateResult {
    pub print: String,
    pub class: String,
    pub truncated: bool,
    pub handle: String,
    #[serde(default)]
    pub output: String,
    pub duration_us: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluate_request_matches_the_protocol_example() {
        let request = Request::new("7f3c0e1a", "b41d", RequestBody::evaluate("3 + 4"));
        let value: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(
            value,
            json!({"stui": 1, "id": "7f3c0e1a", "session": "b41d", "type": "evaluate",
                   "params": {"code": "3 + 4"}})
        );
    }

    #[test]
    fn requests_round_trip() {
        for body in [
            RequestBody::ping(),
            RequestBody::describe(),
            RequestBody::Evaluate(EvaluateParams {
                code: "x := 6 * 7.".into(),
                timeout_ms: Some(500),
                print_limit: Some(10),
            }),
        ] {
            let request = Request::new("id-1", "s", body);
            let back: Request = serde_json::from_str(&request.to_json()).unwrap();
            assert_eq!(back, request);
        }
    }

    #[test]
    fn ping_and_describe_carry_empty_params() {
        let request = Request::new("1", "s", RequestBody::ping());
        assert!(request.to_json().contains(r#""type":"ping","params":{}"#));
        let request = Request::new("1", "s", RequestBody::describe());
        assert!(
            request
                .to_json()
                .contains(r#""type":"describe","params":{}"#)
        );
    }

    #[test]
    fn success_reply_from_protocol_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui": 1, "id": "7f3c", "ok": true, "result": {"print": "7",
                "class": "SmallInteger", "truncated": false, "handle": "h1",
                "output": "", "duration_us": 120}}"#,
        )
        .unwrap();
        assert_eq!(reply.id.as_deref(), Some("7f3c"));
        let result: EvaluateResult = reply.into_result().unwrap().unwrap();
        assert_eq!(result.print, "7");
        assert_eq!(result.class, "SmallInteger");
    }

    #[test]
    fn describe_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui":1,"id":"d","ok":true,"result":{"server": "stui-gst 0.1.0",
            "dialect": "GNU Smalltalk", "dialect_version": "3.2.5", "protocol": 1,
            "types": ["ping","describe","evaluate"], "max_message_bytes": 16777216,
            "pid": 42, "image": null, "uptime_ms": 5}}"#,
        )
        .unwrap();
        let describe: DescribeResult = reply.into_result().unwrap().unwrap();
        assert_eq!(describe.dialect, "GNU Smalltalk");
        assert_eq!(describe.image, None);
        assert_eq!(describe.types.len(), 3);
    }

    #[test]
    fn failure_reply_from_protocol_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui": 1, "id": "7f3c", "ok": false, "error": {"code": "evaluation_error",
                "message": "The program attempted to divide a number by zero",
                "class": "ZeroDivide", "stack": ["SmallInteger(Number)>>zeroDivide", "UndefinedObject>>executeStatements"]}}"#,
        )
        .unwrap();
        match reply.into_result::<EvaluateResult>() {
            Ok(Err(error)) => {
                assert_eq!(error.code, ErrorCode::EvaluationError);
                assert_eq!(error.class.as_deref(), Some("ZeroDivide"));
                assert_eq!(error.stack.unwrap().len(), 2);
            }
            other => panic!("expected a server error, got {other:?}"),
        }
    }

    #[test]
    fn every_error_code_round_trips_by_its_wire_name() {
        let names = [
            "invalid_request",
            "unsupported_version",
            "unknown_type",
            "too_large",
            "syntax_error",
            "evaluation_error",
            "timeout",
            "interrupted",
            "not_found",
            "permission_denied",
            "internal",
        ];
        for name in names {
            let code: ErrorCode = serde_json::from_value(json!(name)).unwrap();
            assert!(
                !matches!(code, ErrorCode::Other(_)),
                "{name} is a known code"
            );
            assert_eq!(code.as_str(), name);
            assert_eq!(serde_json::to_value(&code).unwrap(), json!(name));
        }
        let future: ErrorCode = serde_json::from_value(json!("rate_limited")).unwrap();
        assert_eq!(future, ErrorCode::Other("rate_limited".into()));
    }

    #[test]
    fn error_members_of_each_code_decode() {
        let syntax: ErrorObject = serde_json::from_value(json!({"code": "syntax_error",
            "message": "expected expression", "line": 1, "column": 4}))
        .unwrap();
        assert_eq!((syntax.line, syntax.column), (Some(1), Some(4)));
        assert_eq!(
            syntax.to_string(),
            "Syntax error at line 1, column 4: expected expression"
        );
        let version: ErrorObject = serde_json::from_value(json!({"code": "unsupported_version",
            "message": "speaks 1", "supported": [1]}))
        .unwrap();
        assert_eq!(version.supported, Some(vec![1]));
        let invalid: ErrorObject = serde_json::from_value(json!({"code": "invalid_request",
            "message": "missing", "field": "session"}))
        .unwrap();
        assert_eq!(invalid.field.as_deref(), Some("session"));
        let missing: ErrorObject = serde_json::from_value(json!({"code": "not_found",
            "message": "no class", "what": "Foo"}))
        .unwrap();
        assert_eq!(missing.what.as_deref(), Some("Foo"));
    }

    #[test]
    fn reply_with_null_id_and_unknown_members_decodes() {
        let reply = Reply::from_json(
            r#"{"stui":1,"id":null,"ok":false,"extra":1,"error":{"code":"invalid_request","message":"not JSON"}}"#,
        )
        .unwrap();
        assert_eq!(reply.id, None);
    }

    #[test]
    fn inconsistent_replies_are_rejected() {
        assert!(Reply::from_json(r#"{"stui":1,"id":"a","ok":true}"#).is_err());
        assert!(Reply::from_json(r#"{"stui":1,"id":"a","ok":false}"#).is_err());
        assert!(Reply::from_json("garbage").is_err());
    }
}
