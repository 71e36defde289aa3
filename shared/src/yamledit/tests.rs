use super::*;
use serde_json::json;

/// Applies the patch to the text and checks that the YAML result means what the same patch
/// does to the parsed value: the text edit and the JSON edit must never disagree.
fn check(text: &str, patch: &Patch) -> String {
    let out = apply(text, patch).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut expected: Value = serde_saphyr::from_str(text).unwrap();
    patch.apply_json(&mut expected);
    let actual: Value = serde_saphyr::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(actual, expected, "\n{out}");
    out
}

const DEPLOYMENT: &str = "\
# The API (comments stay)
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api   # trailing comment
  labels: {app: api, tier: \"backend\"}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: api
        image: 'ghcr.io/hastecrm/api:1.4'
        command: |
          run --fast

      - {name: sidecar, image: envoy}
      volumes:
        - name: data
          emptyDir: {}
";

#[test]
fn adds_nested_keys_below_the_last_line_of_a_block_mapping() {
    let mut patch = Patch::map();
    patch.set(
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "securityContext",
            "allowPrivilegeEscalation",
        ],
        false,
    );
    patch.set(
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "securityContext",
            "readOnlyRootFilesystem",
        ],
        true,
    );
    patch.set(
        &[
            "spec",
            "template",
            "spec",
            "securityContext",
            "runAsNonRoot",
        ],
        true,
    );
    let out = check(DEPLOYMENT, &patch);
    assert_eq!(
        out,
        DEPLOYMENT
            .replace(
                "          run --fast\n",
                "          run --fast\n        securityContext:\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n",
            )
            .replace(
                "          emptyDir: {}\n",
                "          emptyDir: {}\n      securityContext:\n        runAsNonRoot: true\n",
            )
    );
}

#[test]
fn flow_mappings_get_new_keys_before_the_brace() {
    let mut patch = Patch::map();
    patch.set(&["metadata", "labels", "team"], "crm");
    patch.set(
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "1",
            "securityContext",
            "runAsUser",
        ],
        65534,
    );
    let out = check(DEPLOYMENT, &patch);
    assert!(
        out.contains("labels: {app: api, tier: \"backend\", team: crm}"),
        "{out}"
    );
    assert!(
        out.contains("- {name: sidecar, image: envoy, securityContext: {runAsUser: 65534}}"),
        "{out}"
    );
}

#[test]
fn replaces_scalars_and_keeps_everything_else() {
    let mut patch = Patch::map();
    patch.set(&["spec", "replicas"], 3);
    patch.set(
        &["spec", "template", "spec", "containers", "0", "image"],
        "ghcr.io/hastecrm/api:1.5",
    );
    let out = check(DEPLOYMENT, &patch);
    assert_eq!(
        out,
        DEPLOYMENT
            .replace("replicas: 2", "replicas: 3")
            .replace("api:1.4'", "api:1.5'")
    );
}

#[test]
fn appends_to_block_and_flow_sequences() {
    let mut patch = Patch::map();
    patch.append(
        &["spec", "template", "spec", "volumes"],
        json!({"name": "tmp", "emptyDir": {}}),
    );
    let out = check(DEPLOYMENT, &patch);
    assert!(
        out.ends_with("          emptyDir: {}\n        - name: tmp\n          emptyDir: {}\n"),
        "{out}"
    );

    let text = "drop: [NET_RAW]\nadd: []\n";
    let mut patch = Patch::map();
    patch.append(&["drop"], json!("ALL"));
    patch.append(&["add"], json!("NET_BIND_SERVICE"));
    assert_eq!(
        check(text, &patch),
        "drop: [NET_RAW, ALL]\nadd: [NET_BIND_SERVICE]\n"
    );
}

#[test]
fn nulls_take_the_new_value_after_their_colon() {
    let text = "a:\nb: ~\nc: 1\n";
    let mut patch = Patch::map();
    patch.set(&["a", "x"], 1);
    patch.set(&["b", "w"], "z");
    assert_eq!(check(text, &patch), "a: {x: 1}\nb: {w: z}\nc: 1\n");
}

#[test]
fn new_top_level_keys_and_text_without_a_final_newline() {
    let text = "kind: Namespace\nmetadata:\n  name: prod";
    let mut patch = Patch::map();
    patch.set(
        &["metadata", "labels", "pod-security.kubernetes.io/enforce"],
        "restricted",
    );
    patch.set(
        &[
            "metadata",
            "labels",
            "pod-security.kubernetes.io/enforce-version",
        ],
        "v1.33",
    );
    assert_eq!(
        check(text, &patch),
        "kind: Namespace\nmetadata:\n  name: prod\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.33"
    );
}

#[test]
fn strings_that_would_read_back_as_something_else_are_quoted() {
    let mut patch = Patch::map();
    for (key, value) in [
        ("a", "true"),
        ("b", "1.0"),
        ("c", "no"),
        ("d", ""),
        ("e", "a: b"),
        ("f", "65534"),
        ("g", "RuntimeDefault"),
    ] {
        patch.set(&[key], value);
    }
    let out = check("x: 1\n", &patch);
    assert!(
        out.contains("a: \"true\"\n") && out.contains("g: RuntimeDefault"),
        "{out}"
    );
}

#[test]
fn an_empty_patch_changes_nothing_and_shape_errors_name_the_line() {
    assert_eq!(apply("a: [1\n", &Patch::map()).unwrap(), "a: [1\n");
    let mut patch = Patch::map();
    patch.set(&["a", "b"], 1);
    let err = apply("x: 1\na: [1, 2]\n", &patch).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2: expected a mapping here, found a sequence"
    );
    assert!(matches!(
        apply("a: [1\n", &patch),
        Err(EditError::Parse { .. })
    ));
}

#[test]
fn apply_bodies_carry_only_the_patched_fields_and_merge_keys() {
    let original: Value = serde_saphyr::from_str(DEPLOYMENT).unwrap();
    let mut patch = Patch::map();
    patch.set(
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "1",
            "securityContext",
            "runAsNonRoot",
        ],
        true,
    );
    assert_eq!(
        patch.apply_body(&original),
        json!({"spec": {"template": {"spec": {"containers": [
            {"name": "sidecar", "securityContext": {"runAsNonRoot": true}}
        ]}}}})
    );
}

proptest::proptest! {
    /// Any set of new keys at any depth, into block or flow mappings, means the same in text
    /// and in JSON, and leaves the original lines in place.
    #[test]
    fn random_key_additions_agree_with_the_json_edit(
        keys in proptest::collection::vec(("[a-z]{1,3}", 0usize..3, "[a-zA-Z0-9 :#-]{0,6}"), 1..6)
    ) {
        let mut patch = Patch::map();
        for (key, depth, value) in &keys {
            let path: Vec<&str> = ["spec", "template", "metadata"][..*depth].iter().copied().chain([key.as_str()]).collect();
            patch.set(&path, value.clone());
        }
        let out = check(DEPLOYMENT, &patch);
        for line in DEPLOYMENT.lines() {
            proptest::prop_assert!(out.lines().any(|l| l == line), "lost line {line:?}");
        }
    }
}

#[test]
fn locate_finds_the_field_or_the_parent_it_would_go_under() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n          securityContext:\n            runAsNonRoot: true\n        - {name: side, image: s}\n";
    let path = |steps: &[&str]| -> Vec<Step> {
        steps
            .iter()
            .map(|s| match s.parse() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key((*s).to_owned()),
            })
            .collect()
    };
    let at = |steps: &[&str]| locate(text, &path(steps));
    assert_eq!(at(&["kind"]), Some(2));
    assert_eq!(
        at(&[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "securityContext",
            "runAsNonRoot"
        ]),
        Some(10)
    );
    // Missing: the nearest parent that is there.
    assert_eq!(
        at(&[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "securityContext",
            "privileged"
        ]),
        Some(9)
    );
    assert_eq!(
        at(&[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "resources",
            "limits"
        ]),
        Some(7)
    );
    assert_eq!(
        at(&["spec", "template", "spec", "containers", "1", "image"]),
        Some(11)
    );
    assert_eq!(at(&["spec", "template", "spec", "hostNetwork"]), Some(5));
    assert_eq!(at(&[]), Some(1));
    assert_eq!(locate("a: &x 1\nb: *x\n", &path(&["b"])), None);
}
