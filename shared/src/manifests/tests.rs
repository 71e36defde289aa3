use super::*;
use proptest::prelude::*;
use std::fs;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hastecrm")
}

fn origin(name: &str) -> Origin {
    Origin::File(PathBuf::from(name))
}

fn parse(name: &str, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    for result in parse_text(&origin(name), text, Limits::default()) {
        match result {
            Ok(m) => loaded.manifests.push(m),
            Err(e) => loaded.errors.push(e),
        }
    }
    loaded
}

fn ids(loaded: &Loaded) -> Vec<String> {
    loaded
        .manifests
        .iter()
        .map(|m| {
            format!(
                "{} {}:{}#{}",
                m.id(),
                m.source.origin,
                m.source.line,
                m.source.document
            )
        })
        .collect()
}

#[test]
fn loads_every_object_of_the_sample_app_with_file_and_line() {
    for variant in ["insecure", "hardened"] {
        let dir = examples().join(variant);
        let loaded = load(&[Input::Path(dir.clone())]);
        assert_eq!(loaded.errors, [], "{variant}");
        // The same objects `kubectl kustomize` builds, and no Kustomization among them.
        let expected = if variant == "insecure" { 15 } else { 29 };
        assert_eq!(loaded.manifests.len(), expected, "{variant}");
        assert!(loaded.manifests.iter().all(|m| m.kind() != "Kustomization"));
        for manifest in &loaded.manifests {
            let Origin::File(path) = &manifest.source.origin else {
                panic!("{variant}: {} has no file", manifest.id());
            };
            // The recorded line is where the object's first key is.
            let text = fs::read_to_string(path).expect("read");
            let line = text
                .lines()
                .nth(manifest.source.line - 1)
                .expect("line exists");
            assert!(
                line.starts_with("apiVersion:"),
                "{}: {line:?}",
                manifest.source
            );
        }
    }
}

#[test]
fn sample_web_deployment_starts_after_its_comments() {
    let loaded = load(&[Input::Path(examples().join("insecure/web.yaml"))]);
    let ids: Vec<String> = ids(&loaded)
        .into_iter()
        .map(|i| i.replace(&examples().display().to_string(), ""))
        .collect();
    assert_eq!(
        ids,
        [
            "Deployment/web /insecure/web.yaml:4#1",
            "Service/web /insecure/web.yaml:43#2"
        ]
    );
}

#[test]
fn multi_document_streams_skip_empty_and_comment_only_documents() {
    let text = "\
# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
# only a comment
---

---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
...
---
~
";
    let loaded = parse("multi.yaml", text);
    assert_eq!(loaded.errors, []);
    assert_eq!(
        ids(&loaded),
        ["ConfigMap/a multi.yaml:3#1", "ConfigMap/b multi.yaml:12#4"]
    );
}

#[test]
fn inline_content_after_a_marker_keeps_its_line_and_columns() {
    let loaded = parse(
        "inline.yaml",
        "--- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n--- {kind: [}\n",
    );
    assert_eq!(ids(&loaded), ["Namespace/x inline.yaml:1#1"]);
    assert_eq!(loaded.errors.len(), 1);
    assert_eq!(loaded.errors[0].line, Some(2), "{}", loaded.errors[0]);
}

#[test]
fn lists_are_flattened_and_typed_lists_lend_kind_to_their_items() {
    let text = "\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
  - apiVersion: v1
    kind: List
    items:
      - {apiVersion: v1, kind: Secret, metadata: {name: nested}}
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - metadata: {name: web}
    spec: {}
---
apiVersion: v1
kind: PodList
metadata: {resourceVersion: '1'}
items: []
";
    let loaded = parse("list.yaml", text);
    assert_eq!(loaded.errors, []);
    assert_eq!(
        ids(&loaded),
        [
            "ConfigMap/a list.yaml:1#1",
            "Secret/nested list.yaml:1#1",
            "Deployment/web list.yaml:12#2"
        ]
    );
    assert_eq!(loaded.manifests[2].api_version(), "apps/v1");
    assert_eq!(loaded.manifests[0].source.item, Some(0));
    assert_eq!(
        loaded.manifests[0].source.to_string(),
        "list.yaml:1 (List item 0)"
    );
}

#[test]
fn malformed_yaml_names_file_line_and_column_and_the_other_files_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("a-good.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("b-broken.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("c-also-good.yml"),
        "{apiVersion: v1, kind: Namespace, metadata: {name: ns}}\n",
    )
    .expect("write");
    fs::write(dir.path().join("notes.txt"), "not a manifest").expect("write");

    let loaded = load(&[Input::Path(dir.path().to_path_buf())]);
    let names: Vec<&str> = loaded.manifests.iter().map(Manifest::name).collect();
    assert_eq!(names, ["good", "first", "ns"]);
    assert_eq!(loaded.errors.len(), 1);
    let error = &loaded.errors[0];
    assert_eq!(error.origin, Origin::File(dir.path().join("b-broken.yaml")));
    assert_eq!((error.line, error.column), (Some(9), Some(9)), "{error}");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:9:9: invalid YAML: unclosed bracket",
            dir.path().join("b-broken.yaml").display()
        )),
        "{text}"
    );

    let err = loaded.into_result().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("1 manifest could not be loaded:\n  "),
        "{err}"
    );
}

#[test]
fn yaml_errors_point_into_the_right_document() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n   bad: indent\n";
    let loaded = parse("e.yaml", text);
    assert_eq!(loaded.manifests.len(), 1);
    assert_eq!(loaded.errors[0].line, Some(9), "{}", loaded.errors[0]);
}

#[test]
fn objects_without_kind_or_api_version_are_errors_at_their_line() {
    let loaded = parse(
        "k.yaml",
        "# c\nmetadata: {name: a}\n---\nkind: Pod\n---\n- 1\n",
    );
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "k.yaml:2: object has no `kind` (document 1)",
            "k.yaml:4: object of kind `Pod` has no `apiVersion` (document 2)",
            "k.yaml:6: document 3 is a list, not a Kubernetes object (a mapping with apiVersion and kind)",
        ]
    );
}

#[test]
fn json_takes_the_fast_path_with_lines_and_errors() {
    let text = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n  {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}\n]}\n\n{\"apiVersion\": \"v1\",\n \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}\n{\"apiVersion\": }\n";
    let loaded = parse("objects.json", text);
    assert_eq!(
        ids(&loaded),
        ["Pod/p objects.json:1#1", "Namespace/n objects.json:5#2"]
    );
    let error = &loaded.errors[0];
    assert_eq!((error.line, error.column), (Some(7), Some(16)), "{error}");
    assert!(
        error.message.starts_with("invalid JSON: expected value"),
        "{error}"
    );
}

#[test]
fn stdin_is_read_once_and_sniffed_for_json() {
    let mut stdin = std::io::Cursor::new(
        b"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"from-stdin\"}}"
            .to_vec(),
    );
    let loaded = load_from(
        &[Input::file_flag("-"), Input::Stdin],
        Limits::default(),
        &mut stdin,
    );
    assert_eq!(ids(&loaded), ["Namespace/from-stdin <stdin>:1#1"]);
    assert_eq!(loaded.errors.len(), 1);
    assert!(loaded.errors[0].message.contains("only once"));

    let mut stdin = std::io::Cursor::new(
        b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: yaml-stdin\n".to_vec(),
    );
    let loaded = load_from(&[Input::Stdin], Limits::default(), &mut stdin);
    assert_eq!(ids(&loaded), ["Namespace/yaml-stdin <stdin>:1#1"]);
}

#[test]
fn kustomize_builds_the_sample_through_kubectl() {
    if Command::new(kubectl_program())
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is required in CI"
        );
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let dir = examples().join("hardened");
    let loaded = load(&[Input::Kustomize(dir.clone())]);
    assert_eq!(loaded.errors, []);
    assert_eq!(loaded.manifests.len(), 29);
    let first = &loaded.manifests[0];
    assert_eq!(first.source.origin, Origin::Kustomize(dir));
    assert_eq!(first.source.line, 1);

    let loaded = load(&[Input::Kustomize(examples().join("no-such-dir"))]);
    assert_eq!(loaded.errors.len(), 1);
    assert!(
        loaded.errors[0].message.contains("kubectl kustomize"),
        "{}",
        loaded.errors[0]
    );
}

#[test]
fn missing_paths_and_empty_directories_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = load(&[
        Input::Path(dir.path().join("absent.yaml")),
        Input::Path(dir.path().to_path_buf()),
    ]);
    let errors: Vec<&str> = loaded.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        errors,
        [
            "no such file or directory",
            "the directory has no .yaml, .yml or .json files"
        ]
    );
}

#[test]
fn directories_are_walked_recursively_in_name_order_skipping_hidden_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ns = |n: &str| format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\n");
    fs::create_dir_all(dir.path().join("b/nested")).expect("mkdir");
    fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    fs::write(dir.path().join("b/nested/z.yaml"), ns("deep")).expect("write");
    fs::write(dir.path().join("a.yml"), ns("first")).expect("write");
    fs::write(
        dir.path().join("c.json"),
        r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"json"}}"#,
    )
    .expect("write");
    fs::write(dir.path().join(".git/x.yaml"), ns("hidden")).expect("write");
    fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [a.yml]\n",
    )
    .expect("write");
    let loaded = load(&[Input::Path(dir.path().to_path_buf())]);
    assert_eq!(loaded.errors, []);
    let names: Vec<&str> = loaded.manifests.iter().map(Manifest::name).collect();
    assert_eq!(names, ["first", "deep", "json"]);
}

#[test]
fn alias_bombs_are_refused() {
    let bomb = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a [x,x,x,x,x,x,x,x,x,x]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
";
    let loaded = parse("bomb.yaml", bomb);
    assert_eq!(loaded.manifests, []);
    assert_eq!(loaded.errors.len(), 1);
    assert!(
        loaded.errors[0].message.starts_with("refused: "),
        "{}",
        loaded.errors[0]
    );
}

#[test]
fn oversized_documents_are_refused_but_small_ones_still_load() {
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  blob: {}\n",
        "x".repeat(2000)
    );
    let text = format!("{big}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: small}}\n");
    let limits = Limits {
        max_document_bytes: 1024,
        ..Limits::default()
    };
    let results = parse_text(&origin("big.yaml"), &text, limits);
    let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1);
    let message = &err[0].as_ref().unwrap_err().message;
    assert!(message.contains("over the 1024-byte limit"), "{message}");
}

#[test]
fn thousands_of_documents_load_despite_the_per_stream_budget() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n";
    let text = vec![doc; 3000].join("---\n");
    let loaded = parse("many.yaml", &text);
    assert_eq!(loaded.errors, []);
    assert_eq!(loaded.manifests.len(), 3000);
    assert_eq!(loaded.manifests[2999].source.line, 2999 * 5 + 1);
}

#[test]
fn typed_conversion_errors_name_the_object() {
    let loaded = parse(
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: many}\n",
    );
    let err = loaded.manifests[0]
        .to_typed::<k8s_openapi::api::apps::v1::Deployment>()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("d.yaml:1: Deployment/web is not a valid Deployment"),
        "{err}"
    );
}

proptest! {
    #[test]
    fn splitting_keeps_every_content_line(lines in proptest::collection::vec("(---|\\.\\.\\.|[a-z: #-]{0,12})", 0..40)) {
        let text = lines.join("\n");
        let docs = split_documents(&text);
        let content = |l: &str| !l.is_empty() && !l.starts_with('#');
        let rebuilt: Vec<String> = docs
            .iter()
            .flat_map(|d| d.text.lines().map(|l| l.trim().to_owned()).collect::<Vec<_>>())
            .filter(|l| content(l))
            .collect();
        let expected: Vec<String> = text
            .lines()
            .filter_map(|l| match marker(l) {
                Some("---") => Some(l[3..].trim().to_owned()),
                Some(_) => None,
                None => Some(l.trim().to_owned()),
            })
            .filter(|l| content(l))
            .collect();
        prop_assert_eq!(rebuilt, expected);
        // Every document's first line is where its text starts in the file.
        for doc in &docs {
            if let Some(first) = doc.text.lines().next().filter(|l| !l.trim().is_empty()) {
                let file_line = text.lines().nth(doc.first_line - 1).unwrap_or("");
                prop_assert!(file_line.ends_with(first.trim_start()), "{:?} vs {:?}", file_line, first);
            }
        }
    }

    #[test]
    fn parsing_never_panics(text in "[ -~\\n]{0,200}") {
        let _ = parse_text(&origin("fuzz.yaml"), &text, Limits::default());
        let _ = parse_text(&origin("fuzz.json"), &text, Limits::default());
    }
}
