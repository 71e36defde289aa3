//! `kubectl drtest schedule`: the weekly in-cluster drill's objects, printed or applied.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;
use shipshape::output::ObjectsFormat;

use crate::PLUGIN;
use crate::cli::ScheduleArgs;
use crate::schedule;

pub async fn run(global: &GlobalArgs, args: &ScheduleArgs) -> anyhow::Result<Exit> {
    let smoke_job = args.drill.smoke_job()?;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let plan = args.plan(kube.namespace.clone(), smoke_job);
    let objects = schedule::objects(&plan);
    if !args.apply {
        let text = match args.output {
            ObjectsFormat::Json => {
                let mut text = serde_json::to_string_pretty(
                    &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects}),
                )?;
                text.push('\n');
                text
            }
            ObjectsFormat::Yaml => objects
                .iter()
                .map(shipshape::output::to_yaml)
                .collect::<Result<Vec<_>, _>>()?
                .join("---\n"),
        };
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    }
    let dry_run = args.dry_run.dry_run;
    // Cluster-wide RBAC is asked for first: sandbox names are only known at run time, so the
    // ClusterRole reaches every namespace.
    let cluster_wide: Vec<String> = objects
        .iter()
        .filter(|o| {
            matches!(
                o["kind"].as_str(),
                Some("ClusterRole" | "ClusterRoleBinding")
            )
        })
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or_default().to_lowercase(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect();
    if !cluster_wide.is_empty() && dry_run == shipshape::apply::DryRun::None {
        shipshape::confirm::confirm(
            &format!(
                "apply cluster-wide RBAC ({}) giving serviceaccount {}/{} what a drill does in sandbox namespaces, confined to them by a ValidatingAdmissionPolicy (review it with `-o yaml` first)",
                cluster_wide.join(", "),
                plan.namespace,
                plan.name
            ),
            global.yes,
        )?;
    }
    let applier = shipshape::apply::Applier::new(&kube, PLUGIN, dry_run);
    let suffix = match dry_run {
        shipshape::apply::DryRun::None => "",
        shipshape::apply::DryRun::Client => " (dry run)",
        shipshape::apply::DryRun::Server => " (server dry run)",
    };
    let result = shipshape::apply::apply_each(&applier, &objects).await;
    if args.output == ObjectsFormat::Json {
        // What was applied, what failed and what was not attempted, also when it failed.
        shipshape::output::print_report(
            &shipshape::apply::WriteReport::of(&result),
            shipshape::OutputFormat::Json,
        )?;
        return result.map(|_| Exit::Success);
    }
    for applied in result? {
        let verb = match (&applied.before, applied.changed()) {
            (None, _) => "created",
            (Some(_), true) => "configured",
            (Some(_), false) => "unchanged",
        };
        println!("{} {verb}{suffix}", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}
