//! Manifest loading throughput: `cargo bench -p shipshape --bench manifests`.
//!
//! Prints objects per second and ratios (parallel vs one thread, JSON vs YAML), never asserts
//! timings. DESIGN.md's yardstick: serde-saphyr parses ~13,700 small Deployments/s per core, and
//! serde_json is ~18× faster.

use std::time::Instant;

use shipshape::manifests::{Limits, Origin, parse_text};

fn deployment(i: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{}
  labels: {{app: web-{i}}}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.{i}
          ports: [{{containerPort: 8080}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
",
        i % 50
    )
}

fn measure(label: &str, objects: usize, run: impl Fn() -> usize) -> f64 {
    let started = Instant::now();
    let loaded = run();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(loaded, objects, "{label} lost objects");
    let rate = objects as f64 / seconds;
    println!("{label:<28} {objects:>7} objects in {seconds:>7.3}s = {rate:>10.0} objects/s");
    rate
}

fn main() {
    let count = std::env::var("SHIPSHAPE_BENCH_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let yaml: String = (0..count).map(deployment).collect::<Vec<_>>().join("---\n");
    let items: Vec<serde_json::Value> = (0..count)
        .map(|i| serde_saphyr::from_str(&deployment(i)).expect("valid yaml"))
        .collect();
    let json = serde_json::to_string(
        &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
    )
    .expect("json");
    let yaml_origin = Origin::File("bench.yaml".into());
    let json_origin = Origin::File("bench.json".into());
    let parse = |origin: &Origin, text: &str| {
        parse_text(origin, text, Limits::default())
            .into_iter()
            .filter(Result::is_ok)
            .count()
    };

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let yaml_1 =
        one_thread.install(|| measure("yaml, 1 thread", count, || parse(&yaml_origin, &yaml)));
    let yaml_n = measure(
        &format!("yaml, {} threads", rayon::current_num_threads()),
        count,
        || parse(&yaml_origin, &yaml),
    );
    let json_1 = measure("json List, 1 thread", count, || parse(&json_origin, &json));
    println!("ratio parallel/1-thread yaml: {:.2}x", yaml_n / yaml_1);
    println!("ratio json/yaml (1 thread):   {:.2}x", json_1 / yaml_1);
    println!(
        "ratio yaml 1-thread / 13,700 objects/s yardstick: {:.2}x",
        yaml_1 / 13_700.0
    );
}
