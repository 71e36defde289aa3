//! `kubectl drtest run`: one drill, its report printed (and written to --report) whatever
//! the outcome.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;

use crate::PLUGIN;
use crate::cli::RunArgs;
use crate::{drill, velero};

pub async fn run(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<Exit> {
    let drill = &args.drill;
    let smoke_job = drill.smoke_job()?;
    if let Some(path) = &args.report {
        probe_writable(path)?;
    }
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    velero::ensure_installed(&kube).await?;
    let plan = args.plan(smoke_job);
    let (report, error) = match drill::run(&kube, &plan).await {
        Ok(report) => (report, None),
        Err(e) => match e.downcast::<drill::Unfinished>() {
            Ok(unfinished) => (*unfinished.report, Some(unfinished.error)),
            Err(e) => return Err(e),
        },
    };
    let text = match args.output.report() {
        Ok(format) => shipshape::output::render(&report, format)?,
        Err(_) => report.junit(),
    };
    // The report reaches stdout first, so a write that fails now loses nothing.
    shipshape::output::print(&text)?;
    if let Some(path) = &args.report {
        std::fs::write(path, &text).map_err(|e| {
            shipshape::UsageError(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ))
        })?;
    }
    if let Some(error) = error {
        // The report is out; the exit says the API cut the drill short (3).
        return Err(error);
    }
    Ok(if report.passed() {
        Exit::Success
    } else {
        Exit::No
    })
}

/// Fails (exit 2, naming the path) when `--report FILE` could not be written, before the drill
/// touches the cluster: an existing file is opened for writing without truncating it, a new one
/// is created and removed again.
fn probe_writable(path: &std::path::Path) -> anyhow::Result<()> {
    let refused = |e: std::io::Error| {
        shipshape::UsageError(format!(
            "--report {}: cannot write there: {e}",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(shipshape::UsageError(format!(
            "--report {}: is a directory, not a file",
            path.display()
        ))
        .into());
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(refused)?;
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(refused)?;
        std::fs::remove_file(path).map_err(refused)?;
    }
    Ok(())
}
