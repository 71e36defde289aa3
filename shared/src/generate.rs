//! `kubectl-<plugin> --generate <what>`: shell completion scripts and the man page, generated from
//! the plugin's clap definition (ripgrep's `rg --generate` style), printed to stdout.
//!
//! | `--generate` | prints |
//! | --- | --- |
//! | `complete-bash` | a bash completion script for `kubectl-<plugin>` |
//! | `complete-zsh` | a zsh completion function (`_kubectl-<plugin>`) |
//! | `complete-fish` | fish completions |
//! | `complete-powershell` | a PowerShell completion script |
//! | `man` | the man page `kubectl-<plugin>.1` (roff): every subcommand with its options and examples |
//!
//! The flag is hidden and handled before clap parses the command line ([`from_args`], called by
//! [`crate::process::main`]), so it works although every plugin requires a subcommand. The scripts
//! complete the binary typed directly (`kubectl-harden <TAB>`); `kubectl harden <TAB>` completes
//! through kubectl and the `kubectl_complete-<plugin>` helpers ([`crate::complete`]).

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Command;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use crate::client::Plugin;
use crate::exit::Exit;

/// What `--generate` can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A completion script for a shell.
    Completion(Shell),
    /// The man page.
    Man,
}

/// The accepted `--generate` values, in the order `--generate` lists them.
pub const TARGETS: [&str; 5] = [
    "complete-bash",
    "complete-zsh",
    "complete-fish",
    "complete-powershell",
    "man",
];

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "complete-bash" => Target::Completion(Shell::Bash),
            "complete-zsh" => Target::Completion(Shell::Zsh),
            "complete-fish" => Target::Completion(Shell::Fish),
            "complete-powershell" => Target::Completion(Shell::PowerShell),
            "man" => Target::Man,
            other => {
                return Err(format!(
                    "unknown --generate value `{other}`: use one of {}",
                    TARGETS.join(", ")
                ));
            }
        })
    }
}

/// The file a target is committed as under `completions/` (and shipped as): `kubectl-harden.bash`,
/// `_kubectl-harden` (zsh), `kubectl-harden.fish`, `_kubectl-harden.ps1`, `kubectl-harden.1`.
pub fn file_name(target: Target, plugin: Plugin) -> String {
    let bin = bin_name(plugin);
    match target {
        Target::Completion(Shell::Zsh) => format!("_{bin}"),
        Target::Completion(Shell::PowerShell) => format!("_{bin}.ps1"),
        Target::Completion(Shell::Fish) => format!("{bin}.fish"),
        Target::Completion(_) => format!("{bin}.bash"),
        Target::Man => format!("{bin}.1"),
    }
}

/// `kubectl-harden`: the executable's name.
fn bin_name(plugin: Plugin) -> String {
    format!("kubectl-{}", plugin.name)
}

/// Writes what `target` asks for, generated from `cmd`, the plugin's top-level command.
pub fn generate(
    target: Target,
    cmd: Command,
    plugin: Plugin,
    out: &mut dyn Write,
) -> io::Result<()> {
    let bin = bin_name(plugin);
    match target {
        Target::Completion(shell) => {
            // The scripts complete the executable itself, whose name has no space.
            if shell == Shell::Bash {
                // clap_complete's bash script names subcommand cases inconsistently when the
                // binary's name has a `-`: generate for `kubectl__harden` (the function name it
                // would derive anyway) and register that function for the real name.
                let placeholder = bin.replace('-', "__");
                let mut cmd = cmd.name(placeholder.clone()).bin_name(placeholder.clone());
                let mut text = Vec::new();
                clap_complete::generate(shell, &mut cmd, placeholder.clone(), &mut text);
                let text = String::from_utf8_lossy(&text).replace(
                    &format!(" -o default {placeholder}\n"),
                    &format!(" -o default {bin}\n"),
                );
                return out.write_all(text.as_bytes());
            }
            let mut cmd = cmd.name(bin.clone()).bin_name(bin.clone());
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut cmd, bin, &mut text);
            out.write_all(&text)
        }
        Target::Man => man(cmd, plugin, out),
    }
}

/// Handles `kubectl-<plugin> --generate <what>` (or `--generate=<what>`) as the first argument:
/// `None` when the command line is something else.
pub fn from_args(args: &[OsString], cmd: impl FnOnce() -> Command, plugin: Plugin) -> Option<Exit> {
    let first = args.get(1)?.to_str()?;
    let value = if first == "--generate" {
        match args.get(2).and_then(|v| v.to_str()) {
            Some(value) => value,
            None => {
                eprintln!(
                    "error: --generate needs a value: one of {}",
                    TARGETS.join(", ")
                );
                return Some(Exit::Usage);
            }
        }
    } else {
        first.strip_prefix("--generate=")?
    };
    if args.len() > 3 || (args.len() > 2 && first != "--generate") {
        eprintln!("error: --generate takes exactly one value and no other arguments");
        return Some(Exit::Usage);
    }
    let target = match value.parse::<Target>() {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return Some(Exit::Usage);
        }
    };
    let mut text = Vec::new();
    let written = generate(target, cmd(), plugin, &mut text)
        .and_then(|()| io::stdout().lock().write_all(&text));
    Some(match written {
        Ok(()) => Exit::Success,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Exit::Success,
        Err(err) => {
            eprintln!("error: cannot write the output: {err}");
            Exit::Usage
        }
    })
}

/// The man page: the top-level command, then a section per subcommand (synopsis, description,
/// options, examples), the global options, and the exit codes.
fn man(cmd: Command, plugin: Plugin, out: &mut dyn Write) -> io::Result<()> {
    let bin = bin_name(plugin);
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let top = Man::new(cmd.clone())
        .title(bin.to_uppercase())
        .source(format!("{bin} {}", plugin.version))
        .manual("Shipshape");
    let mut page = Vec::new();
    top.render_title(&mut page)?;
    top.render_name_section(&mut page)?;
    top.render_synopsis_section(&mut page)?;
    top.render_description_section(&mut page)?;

    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    for sub in visible_subcommands(&cmd) {
        roff.control("TP", []);
        roff.text([bold(format!("{} {}", plugin.command(), sub.get_name()))]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
    }
    roff.to_writer(&mut page)?;

    // Global options are documented once, below, not under every subcommand.
    let globals: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    for sub in visible_subcommands(&cmd) {
        let mut sub = sub.clone();
        for id in &globals {
            sub = sub.mut_arg(id.clone(), |a| a.hide(true));
        }
        let title = format!("{} {}", plugin.command(), sub.get_name());
        let mut roff = Roff::default();
        roff.control("SH", [title.to_uppercase().as_str()]);
        roff.to_writer(&mut page)?;
        let has_examples = sub.get_after_help().is_some() || sub.get_after_long_help().is_some();
        let man = Man::new(sub.bin_name(title));
        // Each part opens with its own `.SH`: demote those to subsections of this command.
        let mut parts = Vec::new();
        man.render_synopsis_section(&mut parts)?;
        man.render_description_section(&mut parts)?;
        man.render_options_section(&mut parts)?;
        if has_examples {
            man.render_extra_section(&mut parts)?;
        }
        page.extend(demote(&String::from_utf8_lossy(&parts)).into_bytes());
    }

    // The top-level options: the global flags, under their help headings.
    top.render_options_section(&mut page)?;
    let mut extra = Vec::new();
    top.render_extra_section(&mut extra)?;
    page.extend(examples(&String::from_utf8_lossy(&extra), ".SH EXAMPLES").into_bytes());

    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "success"),
        (
            "1",
            "the command ran and the answer is no (findings, a failed drill, a rolled-back canary)",
        ),
        ("2", "usage or input error"),
        (
            "3",
            "cluster or API error (no kubeconfig, unreachable, unauthorized, forbidden, timed out)",
        ),
        ("130", "interrupted"),
    ] {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "kubectl(1); every command's --help; https://github.com/shipshape-dev/shipshape",
    )]);
    roff.to_writer(&mut page)?;
    top.render_version_section(&mut page)?;
    out.write_all(one_preamble(&String::from_utf8_lossy(&page)).as_bytes())
}

/// Every rendered fragment starts with the same two-line string definition; keep the first.
fn one_preamble(roff: &str) -> String {
    const PREAMBLE: [&str; 2] = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];
    let mut text = String::new();
    let mut seen = 0;
    for line in roff.lines() {
        if PREAMBLE.contains(&line) {
            seen += 1;
            if seen > 2 {
                continue;
            }
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// An `.SH EXTRA` section holding the examples, as `heading`, unfilled so lines stay lines.
fn examples(roff: &str, heading: &str) -> String {
    let mut text = String::new();
    let mut open = false;
    for line in roff.lines() {
        if line == ".SH EXTRA" {
            text.push_str(heading);
            text.push_str("\n.nf\n");
            open = true;
            continue;
        }
        if open && line.trim() == "Examples:" {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    if open {
        text.push_str(".fi\n");
    }
    text
}

fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// `.SH OPTIONS` → `.SS Options`; `.SH EXTRA` (the examples) → `.SS Examples`, unfilled.
fn demote(roff: &str) -> String {
    let (body, extra) = match roff.find(".SH EXTRA\n") {
        Some(at) => roff.split_at(at),
        None => (roff, ""),
    };
    let mut text = String::new();
    for line in body.lines() {
        match line.strip_prefix(".SH ") {
            // The section title names the command: the description is a plain paragraph.
            Some("DESCRIPTION") => text.push_str(".PP"),
            Some(heading) => {
                let heading = heading.trim_matches('"');
                let mut chars = heading.chars();
                let title: String = chars
                    .next()
                    .into_iter()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect();
                text.push_str(&format!(".SS \"{title}\""));
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text + &examples(extra, ".SS Examples")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    const PLUGIN: Plugin = Plugin {
        name: "test",
        version: "1.2.3",
    };

    /// A plugin-like command.
    #[derive(Parser)]
    #[command(
        name = "kubectl test",
        bin_name = "kubectl test",
        version = "1.2.3",
        about = "Test things.",
        after_help = "Examples:\n  kubectl test run -n prod\n",
        subcommand_required = true,
        arg_required_else_help = true
    )]
    struct Cli {
        #[command(flatten)]
        global: crate::GlobalArgs,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand)]
    enum Sub {
        /// Run the thing.
        #[command(after_help = "Examples:\n  kubectl test run --fast\n")]
        Run {
            /// Go fast.
            #[arg(long)]
            fast: bool,
        },
        /// Stop the thing.
        Stop,
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn generated(target: &str) -> String {
        let mut out = Vec::new();
        generate(
            target.parse().expect("a target"),
            Cli::command(),
            PLUGIN,
            &mut out,
        )
        .expect("generates");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn every_target_parses_and_unknown_ones_are_named() {
        for target in TARGETS {
            assert!(target.parse::<Target>().is_ok(), "{target}");
        }
        let err = "complete-tcsh".parse::<Target>().unwrap_err();
        assert!(
            err.contains("complete-tcsh") && err.contains("complete-bash"),
            "{err}"
        );
    }

    #[test]
    fn scripts_complete_the_executable_and_its_subcommands() {
        let bash = generated("complete-bash");
        assert!(
            bash.contains(
                "complete -F _kubectl__test -o nosort -o bashdefault -o default kubectl-test"
            ),
            "{bash}"
        );
        assert!(
            bash.contains("\n        kubectl__test__subcmd__run)"),
            "{bash}"
        );
        assert!(!bash.contains("-o default kubectl__test"), "{bash}");
        assert!(bash.contains("--namespace"), "{bash}");
        let zsh = generated("complete-zsh");
        assert!(zsh.starts_with("#compdef kubectl-test"), "{zsh}");
        assert!(zsh.contains("Run the thing"), "{zsh}");
        let fish = generated("complete-fish");
        assert!(fish.contains("complete -c kubectl-test"), "{fish}");
        let ps = generated("complete-powershell");
        assert!(ps.contains("Register-ArgumentCompleter"), "{ps}");
        assert!(ps.contains("'kubectl-test'"), "{ps}");
    }

    #[test]
    fn the_man_page_documents_each_subcommand_once_and_the_globals_once() {
        let man = generated("man");
        assert!(man.contains("\n.TH KUBECTL-TEST 1 "), "{man}");
        assert!(man.contains(".SH \"KUBECTL TEST RUN\""), "{man}");
        assert!(man.contains(".SH \"KUBECTL TEST STOP\""), "{man}");
        assert!(man.contains("Go fast"), "{man}");
        assert!(
            man.contains(".SS Examples\n.nf\n  kubectl test run \\-\\-fast\n"),
            "{man}"
        );
        assert_eq!(
            man.matches(".SS Examples").count(),
            1,
            "stop has none: {man}"
        );
        assert_eq!(man.matches(".ds Aq").count(), 2, "one preamble: {man}");
        assert!(man.contains(".SH EXAMPLES"), "{man}");
        assert!(man.contains(".SH \"EXIT STATUS\""), "{man}");
        assert_eq!(
            man.matches("\\-\\-kubeconfig").count(),
            2,
            "synopsis and options of the top page only: {man}"
        );
        assert!(
            !man.contains("kubectl-test-run(1)"),
            "no pages that do not exist: {man}"
        );
    }

    #[test]
    fn file_names_per_target() {
        let names: Vec<String> = TARGETS
            .iter()
            .map(|t| file_name(t.parse().expect("target"), PLUGIN))
            .collect();
        assert_eq!(
            names,
            [
                "kubectl-test.bash",
                "_kubectl-test",
                "kubectl-test.fish",
                "_kubectl-test.ps1",
                "kubectl-test.1"
            ]
        );
    }

    #[test]
    fn only_a_leading_generate_flag_is_taken() {
        assert_eq!(
            from_args(&args(&["kubectl-test", "run"]), Cli::command, PLUGIN),
            None
        );
        assert_eq!(
            from_args(
                &args(&["kubectl-test", "run", "--generate", "man"]),
                Cli::command,
                PLUGIN
            ),
            None
        );
        assert_eq!(
            from_args(&args(&["kubectl-test", "--generate"]), Cli::command, PLUGIN),
            Some(Exit::Usage)
        );
        assert_eq!(
            from_args(
                &args(&["kubectl-test", "--generate=nope"]),
                Cli::command,
                PLUGIN
            ),
            Some(Exit::Usage)
        );
        assert_eq!(
            from_args(
                &args(&["kubectl-test", "--generate", "man", "extra"]),
                Cli::command,
                PLUGIN
            ),
            Some(Exit::Usage)
        );
    }
}
