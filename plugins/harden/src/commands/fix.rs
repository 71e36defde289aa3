//! `kubectl harden fix`: files fixed in a stream, or live objects server-side-applied.

use shipshape::GlobalArgs;
use shipshape::exit::{Exit, UsageError};
use shipshape::manifests::Input;

use crate::cli::FixArgs;
use crate::{files, live, streamed_fix};

pub async fn run(global: &GlobalArgs, args: &FixArgs) -> anyhow::Result<Exit> {
    if args.files.is_empty() {
        let objects = args
            .objects
            .iter()
            .map(|o| live::object_argument(o))
            .collect::<Result<Vec<_>, _>>()
            .map_err(UsageError)?;
        let settings = live::LiveFix {
            objects,
            all: args.all,
            audit: args.audit_options()?,
            fix: args.options(),
            version_given: args.policy.pss_version.is_some(),
            emit_kustomize: args.emit_kustomize.clone(),
            dry_run: args.dry_run.dry_run,
            force_conflicts: args.force_conflicts.force_conflicts,
        };
        return live::fix(global, &settings).await;
    }
    // Files are read in batches (stdin copied to a temporary file): memory for one batch.
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    let sources = shipshape::manifests::Sources::open(&inputs, &mut std::io::stdin().lock());
    let limits = shipshape::manifests::Limits::default();
    let gathered = streamed_fix::gather(&sources, limits);
    if !gathered.errors.is_empty() {
        return Err(shipshape::manifests::LoadErrors(gathered.errors).into());
    }
    let several = gathered.sources() > 1;
    let roots: Vec<std::path::PathBuf> = args.files.iter().map(std::path::PathBuf::from).collect();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut printed = 0usize;
    use std::io::Write;
    let mut commit = |origin: &shipshape::manifests::Origin,
                      changed: bool,
                      text: &mut dyn std::io::Read|
     -> anyhow::Result<()> {
        use shipshape::manifests::Origin;
        if args.diff {
            std::io::copy(text, &mut stdout)?;
        } else if args.in_place {
            match origin {
                Origin::File(path) if changed => files::write_from(path, text)?,
                Origin::File(_) => {}
                _ if changed => {
                    std::io::copy(text, &mut stdout)?;
                }
                _ => {}
            }
        } else if let Some(dir) = &args.output_dir {
            match origin {
                Origin::File(path) => {
                    files::write_from(&files::output_path(dir, path, &roots), text)?
                }
                _ => files::write_from(&dir.join("stdin.yaml"), text)?,
            }
        } else {
            if several {
                if printed > 0 {
                    stdout.write_all(b"---\n")?;
                }
                writeln!(stdout, "# Source: {}", files::name_of(origin))?;
            }
            printed += 1;
            // The text, with a final newline (the last line is held back to check it).
            let mut last = 0u8;
            let mut buffer = vec![0u8; 1 << 16];
            loop {
                let n = text.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                stdout.write_all(&buffer[..n])?;
                last = buffer[n - 1];
            }
            if last != b'\n' {
                stdout.write_all(b"\n")?;
            }
        }
        Ok(())
    };
    let written = if args.diff {
        streamed_fix::Written::Diff
    } else {
        streamed_fix::Written::Text
    };
    let fixed = streamed_fix::fix_into(
        &sources,
        &gathered,
        &args.audit_options()?,
        &args.options(),
        limits,
        written,
        &mut commit,
    )?;
    stdout.flush()?;
    drop(stdout);
    let changed = fixed.changed;
    fixed
        .tally
        .report("fixed", &format!(" across {changed} file(s)"))?;
    let skipped = fixed.skipped;
    if !skipped.is_empty() {
        return Err(shipshape::exit::UsageError(format!(
            "{} file(s) skipped, the others fixed:\n{}",
            skipped.len(),
            skipped
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
        .into());
    }
    Ok(if args.diff && changed > 0 {
        Exit::No
    } else {
        Exit::Success
    })
}
