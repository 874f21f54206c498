//! The bundled Smalltalk computes right, checked through the real server
//! against oracles nobody here wrote: Rust's i128 for products, Python's
//! integers for factorials, powers, gcd/lcm and divisions, Rust's and
//! Python's float parsing for printed and literal Floats. Also under the
//! send fallback of the arithmetic fix (`STUI_GST_ARITHMETIC_FIX=send`).

mod common;

use std::process::Command;
use std::time::Duration;

use common::TestServer;
use stui::net::{Client, ClientOptions};
use stui::protocol::{EvaluateParams, EvaluateResult, RequestBody};

/// xorshift64*: a reproducible stream of operands.
struct Operands(u64);

impl Operands {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A SmallInteger of gst: [-2^62, 2^62 - 1].
    fn small_integer(&mut self) -> i64 {
        ((self.next() >> 1) as i64) - (1 << 62)
    }

    /// Near `1 << bits`, either sign.
    fn near(&mut self, bits: u32) -> i64 {
        let base = 1i64 << bits.min(62);
        let offset = (self.next() % 2048) as i64 - 1024;
        let value = if bits >= 62 {
            base - 1 - offset.abs()
        } else {
            base + offset
        };
        if self.next().is_multiple_of(2) {
            value
        } else {
            -value
        }
    }
}

fn client(server: &TestServer) -> Client {
    Client::new(
        &server.address,
        format!("arith-{}", uuid::Uuid::new_v4()),
        ClientOptions {
            request_timeout: Duration::from_secs(10),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

/// Evaluates code that answers a String; answers the String's lines.
fn lines_of(client: &mut Client, code: &str) -> Vec<String> {
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.into(),
        timeout_ms: Some(60_000),
        print_limit: Some(50_000_000),
        receiver: None,
        debug: None,
    });
    let result: EvaluateResult = client
        .call(body)
        .expect("a reply")
        .value
        .unwrap_or_else(|error| panic!("{code}\n{error:?}"));
    assert!(!result.truncated);
    let text = result.print.trim_matches('\'').replace("''", "'");
    text.lines().map(str::to_string).collect()
}

/// Smalltalk code answering one line per expression of `expressions`.
fn each_line(expressions: &[String]) -> String {
    let mut code = String::from("| out | out := WriteStream on: String new.\n");
    for expression in expressions {
        code.push_str(&format!("out print: ({expression}); nl.\n"));
    }
    code.push_str("out contents");
    code
}

/// Python evaluates each expression (one a line) and prints its value.
fn python(expressions: &[String]) -> Vec<String> {
    let program = format!(
        "import math, fractions\ndef quo(a, b):\n    q = abs(a) // abs(b)\n    return q if (a < 0) == (b < 0) else -q\n\
         def rem(a, b):\n    return a - quo(a, b) * b\n\
         for e in {expressions:?}:\n    print(eval(e))\n"
    );
    let output = Command::new("python3")
        .args(["-c", &program])
        .output()
        .expect("python3 runs (scripts/install-deps.sh installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn assert_same(what: &str, expressions: &[String], got: &[String], expected: &[String]) {
    assert_eq!(got.len(), expected.len(), "{what}: line counts");
    for ((expression, got), expected) in expressions.iter().zip(got).zip(expected) {
        assert_eq!(got, expected, "{what}: {expression}");
    }
}

/// Products of random SmallIntegers and of operands near 2^31, 2^62 and
/// 2^64, by every path the VM multiplies: the inlined send (variables),
/// a literal operand, and the primitive through perform:.
fn check_products(client: &mut Client) {
    let mut operands = Operands(0x9e37_79b9_7f4a_7c15);
    let mut pairs: Vec<(i64, i64)> = (0..1500)
        .map(|_| (operands.small_integer(), operands.small_integer()))
        .collect();
    for bits in [31, 32, 33, 62, 64] {
        for _ in 0..100 {
            pairs.push((operands.near(bits), operands.near(bits)));
            pairs.push((operands.near(bits), operands.small_integer() >> 20));
        }
    }
    let literal = pairs
        .iter()
        .map(|(a, b)| format!("{a} {b}"))
        .collect::<Vec<_>>()
        .join(" ");
    let code = format!(
        "| out pairs | out := WriteStream on: String new. pairs := #({literal}).\n\
         1 to: pairs size by: 2 do: [:i | | a b | a := pairs at: i. b := pairs at: i + 1.\n\
         out print: a * b; space; print: (a perform: #* with: b); nl].\n\
         out contents"
    );
    let lines = lines_of(client, &code);
    assert_eq!(lines.len(), pairs.len());
    for ((a, b), line) in pairs.iter().zip(&lines) {
        let product = (*a as i128 * *b as i128).to_string();
        assert_eq!(line, &format!("{product} {product}"), "{a} * {b}");
    }
    let constants: Vec<String> = [
        "4611686018427387903 * 128",
        "4294967296 * 4294967296",
        "-4611686018427387904 * -3",
        "3037000500 * 3037000500",
        "(2 raisedTo: 62) * 1000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let python_side: Vec<String> = constants
        .iter()
        .map(|e| e.replace("(2 raisedTo: 62)", "(2 ** 62)"))
        .collect();
    assert_same(
        "literal products",
        &constants,
        &lines_of(client, &each_line(&constants)),
        &python(&python_side),
    );
}

/// Factorials, powers, gcd/lcm and the four divisions of mixed signs and
/// sizes, against Python's integers.
fn check_big_integers(client: &mut Client) {
    let mut smalltalk = Vec::new();
    let mut python_side = Vec::new();
    let mut pair = |st: String, py: String| {
        smalltalk.push(st);
        python_side.push(py);
    };
    for n in [20, 21, 25, 30, 50, 98, 100, 120] {
        pair(format!("{n} factorial"), format!("math.factorial({n})"));
    }
    pair(
        "100 factorial / 98 factorial".into(),
        "math.factorial(100) // math.factorial(98)".into(),
    );
    for (base, exponent) in [
        (2, 64),
        (2, 62),
        (2, 63),
        (3, 40),
        (-7, 33),
        (10, 30),
        (12345, 7),
    ] {
        pair(
            format!("{base} raisedTo: {exponent}"),
            format!("({base}) ** {exponent}"),
        );
    }
    let values = [
        "(2 raisedTo: 70) + 12345",
        "((3 raisedTo: 45) negated)",
        "4611686018427387904",
        "-4611686018427387904",
        "1000000007",
        "-97",
        "(10 raisedTo: 25) - 1",
    ];
    let python_value = |v: &str| {
        v.replace(" raisedTo: ", " ** ")
            .replace("negated", "* -1")
            .replace("((3 ** 45) * -1)", "(-(3 ** 45))")
    };
    for a in values.map(|v| format!("({v})")) {
        for b in values.map(|v| format!("({v})")) {
            let (pa, pb) = (python_value(&a), python_value(&b));
            pair(format!("{a} gcd: {b}"), format!("math.gcd({pa}, {pb})"));
            pair(
                format!("{a} lcm: {b}"),
                format!("abs(({pa}) * ({pb})) // math.gcd({pa}, {pb})"),
            );
            pair(format!("{a} // {b}"), format!("({pa}) // ({pb})"));
            pair(format!("{a} \\\\ {b}"), format!("({pa}) % ({pb})"));
            pair(format!("{a} quo: {b}"), format!("quo({pa}, {pb})"));
            pair(format!("{a} rem: {b}"), format!("rem({pa}, {pb})"));
        }
    }
    // Compiled code divides two SmallIntegers in the VM, without a send:
    // SmallInteger smallest // -1 is right only when sent (README).
    for divisor in ["-1", "1", "-3"] {
        for dividend in ["SmallInteger smallest", "(2 raisedTo: 70) negated"] {
            let py = if dividend.starts_with("Small") {
                "(-2 ** 62)"
            } else {
                "(-(2 ** 70))"
            };
            pair(
                format!("{dividend} perform: #// with: {divisor}"),
                format!("{py} // {divisor}"),
            );
            pair(
                format!("{dividend} \\\\ {divisor}"),
                format!("{py} % {divisor}"),
            );
            pair(
                format!("{dividend} quo: {divisor}"),
                format!("quo({py}, {divisor})"),
            );
            pair(
                format!("{dividend} rem: {divisor}"),
                format!("rem({py}, {divisor})"),
            );
        }
    }
    let got = lines_of(client, &each_line(&smalltalk));
    let expected = python(&python_side);
    assert_same("integers", &smalltalk, &got, &expected);
}

/// The printString of a Float, as a number Rust and Python read.
fn float_text(print: &str) -> String {
    print.replace(['d', 'q'], "e")
}

/// Doubles of random bit patterns (normal and subnormal), made exactly in
/// Smalltalk from their mantissa and exponent: each printString must read
/// back, with Rust's parser, to the same bits.
fn check_float_printing(client: &mut Client) {
    let mut operands = Operands(0x0123_4567_89ab_cdef);
    let mut doubles: Vec<f64> = (0..600)
        .map(|_| f64::from_bits(operands.next()))
        .filter(|x| x.is_finite() && *x != 0.0)
        .collect();
    doubles.extend([
        0.1,
        0.2,
        0.3,
        1.0 / 3.0,
        2f64.sqrt(),
        1e22,
        1e23,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        123.456,
        -2.5,
    ]);
    let expressions: Vec<String> = doubles
        .iter()
        .map(|x| {
            let bits = x.to_bits();
            let exponent = ((bits >> 52) & 0x7ff) as i64;
            let fraction = bits & ((1 << 52) - 1);
            let (mantissa, power) = if exponent == 0 {
                (fraction, -1074)
            } else {
                (fraction | (1 << 52), exponent - 1075)
            };
            let sign = if x.is_sign_negative() { " negated" } else { "" };
            format!("({mantissa} asFloatD timesTwoPower: {power}){sign}")
        })
        .collect();
    let printed = lines_of(client, &each_line(&expressions));
    assert_eq!(printed.len(), doubles.len());
    for ((x, expression), print) in doubles.iter().zip(&expressions).zip(&printed) {
        let read: f64 = float_text(print)
            .parse()
            .unwrap_or_else(|e| panic!("{expression} printed {print:?}: {e}"));
        assert_eq!(
            read.to_bits(),
            x.to_bits(),
            "{expression} printed {print}, read {read}, was {x}"
        );
    }
}

/// Float literals read to the double Python reads from the same text
/// (compared exactly, as fractions).
fn check_float_literals(client: &mut Client) {
    let literals = [
        "1.0d22",
        "1.1805916207174113d21",
        "123.456d0",
        "0.1",
        "1.0d-5",
        "9007199254740993.0",
        "2.2250738585072014d-308",
        "1.7976931348623157d308",
        "4.9d-324",
        "0.3",
        "1.5d300",
        "6.02214076d23",
        "314.159265358979d-2",
    ];
    let smalltalk: Vec<String> = literals
        .iter()
        .map(|l| format!("{l} asExactFraction"))
        .collect();
    let python_side: Vec<String> = literals
        .iter()
        .map(|l| format!("fractions.Fraction(float('{}'))", l.replace('d', "e")))
        .collect();
    let got = lines_of(client, &each_line(&smalltalk));
    assert_same("float literals", &smalltalk, &got, &python(&python_side));
}

fn check_everything(server: &TestServer, fix: &str) {
    let mut client = client(server);
    let describe = client.describe().unwrap().value.unwrap();
    assert_eq!(describe.arithmetic_fix.as_deref(), Some(fix));
    check_products(&mut client);
    check_big_integers(&mut client);
    check_float_printing(&mut client);
    check_float_literals(&mut client);
}

#[test]
fn the_machine_code_fix_computes_right() {
    let server = TestServer::start();
    check_everything(&server, "machine_code");
}

#[test]
fn the_send_fallback_computes_right() {
    let server = TestServer::start_with_env(&[("STUI_GST_ARITHMETIC_FIX", "send")]);
    check_everything(&server, "send");
}
