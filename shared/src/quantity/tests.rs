use super::*;
use proptest::prelude::*;

fn q(text: &str) -> Quantity {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parses_every_suffix_exactly() {
    assert_eq!(q("500m").nanos(), 500_000_000);
    assert_eq!(q("1.5").nanos(), 1_500_000_000);
    assert_eq!(q("256Mi").nanos(), 256 * 1024 * 1024 * NANO);
    assert_eq!(q("1G"), q("1000M"));
    assert_eq!(q("1e3"), q("1k"));
    assert_eq!(q("5E-3"), q("5m"));
    assert_eq!(q("100n").nanos(), 100);
    assert_eq!(q("0.1"), q("100m"));
    assert_eq!(q("-1.5Gi"), Quantity::ZERO - q("1.5Gi"));
    assert_eq!(q("+2"), q("2"));
    // Below a nano-unit rounds up, like the API server.
    assert_eq!(q("0.1n").nanos(), 1);
    for bad in ["", "12x", "1.2.3", "1e", "1e+", "--1", "1 Mi", "1mi"] {
        assert!(bad.parse::<Quantity>().is_err(), "{bad:?}");
    }
    assert_eq!(
        "12x".parse::<Quantity>().unwrap_err().to_string(),
        "invalid quantity `12x`: use a number with an optional suffix such as m, Ki, Mi, Gi, k, M, G, or an exponent (1e3)"
    );
}

#[test]
fn prints_the_canonical_form_the_api_server_stores() {
    for (input, canonical) in [
        ("1.5", "1500m"),
        ("0.5", "500m"),
        ("1", "1"),
        ("1000m", "1"),
        ("1500000", "1500k"),
        ("1.5Gi", "1536Mi"),
        ("0.5Ki", "512"),
        ("1536", "1536"),
        ("1024Ki", "1Mi"),
        ("2048Mi", "2Gi"),
        ("1.5Ki", "1536"),
        ("1e3", "1e3"),
        ("1.5e3", "1500"),
        ("100n", "100n"),
        ("0", "0"),
        ("0Mi", "0"),
        ("-500m", "-500m"),
        ("128974848", "128974848"),
        ("129e6", "129e6"),
        ("123Mi", "123Mi"),
    ] {
        assert_eq!(q(input).to_string(), canonical, "{input}");
    }
}

#[test]
fn sums_keep_the_first_format_and_scale_rounds_up() {
    let total: Quantity = ["1Gi", "512Mi", "0.5Gi"].iter().map(|t| q(t)).sum();
    assert_eq!(total.to_string(), "2Gi");
    assert_eq!((q("250m") + q("1")).to_string(), "1250m");
    assert_eq!(
        q("1").checked_mul(3).map(|x| x.to_string()),
        Some("3".into())
    );
    assert_eq!(q("100m").scale_percent(120).to_string(), "120m");
    assert_eq!(q("1n").scale_percent(150).nanos(), 2);
    assert_eq!(q("1500m").millis_ceil(), 1500);
    assert_eq!(q("1n").millis_ceil(), 1);
    assert!(q("1Gi") > q("1G"));
}

#[test]
fn serde_round_trips_strings_and_accepts_numbers() {
    let value: Quantity = serde_json::from_value(serde_json::json!(2)).unwrap();
    assert_eq!(value, q("2"));
    let value: Quantity = serde_json::from_value(serde_json::json!("1.5Gi")).unwrap();
    assert_eq!(
        serde_json::to_value(value).unwrap(),
        serde_json::json!("1536Mi")
    );
}

fn suffix() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "", "n", "u", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti", "e3", "e-3", "e6",
    ])
}

proptest! {
    /// Printing then parsing gives the same value, and the same text again.
    #[test]
    fn format_then_parse_round_trips(whole in 0u64..1_000_000, fraction in 0u32..1000, suffix in suffix(), negative: bool) {
        let text = format!("{}{whole}.{fraction:03}{suffix}", if negative { "-" } else { "" });
        let parsed: Quantity = text.parse().unwrap();
        let printed = parsed.to_string();
        let again: Quantity = printed.parse().unwrap();
        prop_assert_eq!(again, parsed, "{} printed as {}", text, printed);
        prop_assert_eq!(again.to_string(), printed);
    }

    /// Order and sums agree with the exact integers underneath.
    #[test]
    fn order_and_addition_are_exact(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
        let (qa, qb) = (Quantity::from_millis(a), Quantity::from_millis(b));
        prop_assert_eq!(qa.cmp(&qb), a.cmp(&b));
        prop_assert_eq!((qa + qb).nanos(), (i128::from(a) + i128::from(b)) * 1_000_000);
        prop_assert_eq!(qa.to_string().parse::<Quantity>().unwrap(), qa);
    }
}

/// The exact decimal value upstream prints (`-12.5`, `1000`) in nano-units; None past `i128`.
fn upstream_nanos(value: &str) -> Option<i128> {
    let (negative, value) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = format!("{whole}{fraction:0<9}");
    let mut nanos: i128 = 0;
    for digit in digits.bytes() {
        nanos = nanos
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    Some(if negative { -nanos } else { nanos })
}

/// Every line of `corpus.txt` parsed by upstream `resource.Quantity` (the output of
/// `tests/realcluster/quantity`, committed as `upstream.tsv`): we accept exactly what it
/// accepts, with the value it computes (saturated past `i128` nano-units, where upstream keeps
/// an arbitrary-precision decimal), and print its canonical form.
#[test]
fn agrees_with_upstream_resource_quantity_on_the_corpus() {
    let corpus = include_str!("corpus.txt");
    let upstream = include_str!("upstream.tsv");
    assert_eq!(corpus.lines().count(), upstream.lines().count());
    for (input, answer) in corpus.lines().zip(upstream.lines()) {
        let rest = answer
            .strip_prefix(input)
            .and_then(|r| r.strip_prefix('\t'))
            .unwrap_or_else(|| panic!("{answer:?} is not the answer for {input:?}"));
        let ours = input.parse::<Quantity>();
        if rest.starts_with('!') {
            assert!(
                ours.is_err(),
                "{input:?}: upstream refuses ({rest}), we give {ours:?}"
            );
            continue;
        }
        let (canonical, value) = rest.split_once('\t').expect("canonical and value");
        let ours = ours.unwrap_or_else(|e| panic!("{input:?}: upstream gives {value}, we: {e}"));
        match upstream_nanos(value) {
            Some(nanos) => {
                assert_eq!(ours.nanos(), nanos, "{input:?}");
                // Upstream prints a well-formed input as written; compare computed forms only.
                if canonical != input.trim() {
                    assert_eq!(ours.to_string(), canonical, "{input:?}");
                }
            }
            None => assert_eq!(ours.nanos().unsigned_abs(), i128::MAX as u128, "{input:?}"),
        }
    }
}
